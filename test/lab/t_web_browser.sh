#!/bin/bash
# The status page in real headless Chromium (test/web/browser.cjs, playwright-core from
# build/web installed by `make web-deps`), run in the LAN namespace: the page shows both
# uplinks; a blackhole on isp1 turns isp1 down and isp2 active on the page within 3 s
# without a reload (Server-Sent Events); screenshots go to build/lab/web.png and
# build/lab/web-phone.png (the phone width must not scroll sideways, and every table fits
# inside its card at 390 px, with the live page and with the widest content). Then a user logs in
# through the page and pins isp2 with its Prefer control (journalled as web:admin), and the
# page renders tunnels and BGP alerts (with an Acknowledge button) from a status object.
set -eu
. "$(dirname "$0")/lib.sh"
need_uplinkd
NODE_MODULES=${WEB_NODE_MODULES:-$LAB_ROOT/build/web/node_modules}
[ -x /usr/bin/chromium ] || skip_all "no /usr/bin/chromium (make deps)"
command -v node >/dev/null || skip_all "no node (make deps)"
[ -d "$NODE_MODULES/playwright-core" ] || skip_all "no playwright-core in $NODE_MODULES (make web-deps)"
plan 14
lab_up

URL=http://100.80.0.1:8080
SHOT=$LAB_ROOT/build/lab/web.png
RES=$RUN/browser.json
command -v openssl >/dev/null || skip_all "no openssl (for a password hash)"
HASH=$(openssl passwd -6 -salt uplinkdlab browser-pass)
lab_conf "$RUN/uplinkd.conf"
cat >>"$RUN/uplinkd.conf" <<CONF
web = { listen = "100.80.0.1:8080"; users = ( { name = "admin"; password_hash = "$HASH"; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'

mkdir -p "$RUN/home"
WEB_USER=admin WEB_PASS=browser-pass HOME=$RUN/home NODE_PATH=$NODE_MODULES timeout 120 \
	ip netns exec "$P-lan" node "$LAB_ROOT/test/web/browser.cjs" "$URL/" "$SHOT" "$RES" \
	"$LAB_DIR/fault.sh" "$P" isp1 blackhole >"$RUN/browser.log" 2>&1 || true
[ -s "$RES" ] || echo '{"errors":["no result"]}' >"$RES"
diag "browser: $(jq -c '{down_ms, active_ms, reloaded, graphs, phone_fits, prefer, errors}' "$RES")"
diag "tables wider than their card at 390 px: $(jq -c '[.phone_tables, .phone_tables_end]' "$RES")"
res() { jq -e "$1" "$RES" >/dev/null || { cat "$RES"; tail -5 "$RUN/browser.log"; return 1; }; }

check "the page shows both uplinks, isp1 active" \
	res '(.cards | map(.name) | sort == ["isp1", "isp2"]) and .isp1_active_before'
check "the page is connected to the live stream" res '.live'
check "blackhole on isp1: the page shows isp1 down within 3 s" res '.down_ms != null and .down_ms <= 3000'
check "and isp2 active within 3 s" res '.active_ms != null and .active_ms <= 3000'
check "without reloading the page" res '.reloaded == false'
check "the cards draw RTT/loss graphs from /api/history" res '.graphs >= 2'
check "each card lists its probe targets: answered of sent, RTT, loss (8 targets)" \
	res '.target_rows == 8'
check "the event timeline shows reasons; no script errors" \
	res '.events_with_reason >= 1 and (.errors | length == 0)'
check "a screenshot was saved ($SHOT); the phone width does not scroll sideways" \
	eval '[ -s "$SHOT" ] && res ".phone_fits == true"'
check "at 390 px every table fits inside its card (live page, then the widest content)" \
	res '.phone_tables == [] and .phone_tables_end == []'
check "logged in through the page, its Prefer control pinned isp2" \
	eval 'res ".logged_in and .prefer == \"isp2\"" && [ "$(policy_field prefer)" = isp2 ]'
check "the journal names web:admin for that" \
	eval 'events_json | jq -e "map(select(.type == \"action\" and
		(.reason | contains(\"web:admin prefers isp2\")))) | length == 1" >/dev/null'
check "tunnels and BGP alerts from the status object render, with an Acknowledge button" \
	res '.fake_tunnels == 2 and .fake_alert_buttons == 1'
