#!/bin/bash
# The status page in real headless Chromium (test/web/browser.cjs, playwright-core from
# build/web installed by `make web-deps`), run in the LAN namespace, judged against the
# daemon's own /api/status and journal: the page shows both uplinks; a blackhole on isp1
# turns isp1 down and isp2 active on the page without a reload (Server-Sent Events; how fast
# is measured by make bench, not asserted here); screenshots go to build/lab/web.png and
# build/lab/web-phone.png (the phone width must not scroll sideways, and every table fits
# inside its card at 390 px, with the live page and with the widest content). A real BGP
# alert (gobgpd: an origin hijack in isp1's view) shows with the daemon's alert id; a user
# logs in through the page, pins isp2 with its Prefer control and clicks the alert's
# Acknowledge button (both journalled as web:admin, the alert acked in /api/status).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
NODE_MODULES=${WEB_NODE_MODULES:-$LAB_ROOT/build/web/node_modules}
need_cmd /usr/bin/chromium node openssl gobgpd gobgp
[ -f "$NODE_MODULES/playwright-core/package.json" ] ||
	bail "no playwright-core in $NODE_MODULES (make web-deps)"
plan 18
lab_up
. "$LAB_DIR/bgp.sh"

URL=http://100.80.0.1:8080
SHOT=$LAB_ROOT/build/lab/web.png
RES=$RUN/browser.json
PFX=203.0.113.0/24
ID=hijack:$PFX:isp1
HASH=$(openssl passwd -6 -salt uplinkdlab browser-pass)
bgp_up
bgp_conf "$RUN/uplinkd.conf"
cat >>"$RUN/uplinkd.conf" <<CONF
web = { listen = "100.80.0.1:8080"; users = ( { name = "admin"; password_hash = "$HASH"; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up, BGP sessions established" wait_for 40 eval \
	'settled isp1 && settled isp2 && bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2'
bgp_announce isp2 $PFX 64510,64500
bgp_announce isp1 $PFX 64666
check "an origin hijack in isp1's view raises $ID" wait_for 20 has_alert "$ID"

mkdir -p "$RUN/home"
WANT_ALERT=1 WEB_USER=admin WEB_PASS=browser-pass HOME=$RUN/home NODE_PATH=$NODE_MODULES timeout 600 \
	ip netns exec "$P-lan" node "$LAB_ROOT/test/web/browser.cjs" "$URL/" "$SHOT" "$RES" \
	"$LAB_DIR/fault.sh" "$P" isp1 blackhole >"$RUN/browser.log" 2>&1 || true
[ -s "$RES" ] || echo '{"errors":["no result"]}' >"$RES"
diag "browser: $(jq -c '{down_ms, active_ms, reloaded, graphs, phone_fits, prefer, acked, errors}' "$RES")"
diag "tables wider than their card at 390 px: $(jq -c '[.phone_tables, .phone_tables_end]' "$RES")"
res() { json_true "$@" <"$RES" || { cat "$RES"; tail -5 "$RUN/browser.log"; return 1; }; }
api() { in_ns lan curl -sf --max-time 10 "$URL/api/status"; }

check "the page shows both uplinks, isp1 active" \
	res '(.cards | map(.name) | sort == ["isp1", "isp2"]) and .isp1_active_before'
check "the page is connected to the live stream" res '.live'
check "blackhole on isp1: the page shows isp1 down and isp2 active" \
	res '.down_ms != null and .active_ms != null'
check "and so does /api/status" eval 'api | json_true "
	(.uplinks[] | select(.name == \"isp1\") | .state == \"down\" and (.active | not)) and
	(.uplinks[] | select(.name == \"isp2\") | .active)"'
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
	eval 'events_json | json_true "map(select(.type == \"action\" and
		(.reason | contains(\"web:admin prefers isp2\")))) | length == 1"'
check "the page's BGP alerts are /api/status's, by the daemon's ids, with an Acknowledge button" \
	eval 'ids=$(api | jq -c "[.bgp.alerts[].id] | sort") &&
	      res "([.alerts[].id] | sort) == $ids and ([.alerts[].id] | index(\"$ID\")) != null and
		   any(.alerts[]; .id == \"$ID\" and .button and (.acked | not))"'
check "its Acknowledge button, clicked, acks the alert in /api/status (journalled as web:admin)" \
	eval 'res ".acked == \"$ID\" and any(.alerts_after[]; .id == \"$ID\" and .acked)" &&
	      [ "$(alert_field "$ID" acked)" = true ] && has_event alert "$ID" acked &&
	      events_json | json_true "any(.[]; .reason | tostring | contains(\"web:admin\") and contains(\"ack\"))"'
check "tunnels from a status object render as rows" res '.fake_tunnels == 2'
check_stop
