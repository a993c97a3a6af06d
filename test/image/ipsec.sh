# ipsec.sh - scenario 4 of the image lab (sourced by test/image/t_image.sh after qemu.sh and
# site.sh): IPsec with kernel ESP at BOTH ends. The router is the image guest; the remote site
# is a second guest of the same image (qemu_site_up: charon with kernel-netlink, no uplinkd),
# so the tunnel between them is plain ESP, IP protocol 50: no NAT on the path, no forced
# encapsulation. The carrier under the tunnel then drops IP protocol 50 only (fault.sh
# esp50-drop: IKE on UDP 500/4500 and ping pass):
#   (b) first, with force_udp_encap (ESP in UDP 4500) on that carrier: the drop does not touch
#       it; the tunnel stays where it is;
#   (a) then plain ESP: uplinkd's in-tunnel probe sees ESP dead, the tunnel moves to the other
#       carrier.
# A numbered UDP stream from the LAN host to the site's LAN host measures each outage.
#
#   image_site_start IMAGE   the site's namespaces and its guest (returns at once)
#   image_site_wait          TAP: the site guest is up with its connection loaded
#   image_ipsec              TAP: the scenario (14 lines)

image_site_start() {
	site_up
	{ site_office_conn psk; site_psk_secrets; } >"$RUN/site-swanctl.conf"
	qemu_site_up "$1" "$RUN/site-swanctl.conf"
}

image_site_wait() {
	local t0
	t0=$(date +%s%N)
	if wait_for 180 sguest --timeout 3 'swanctl --list-conns 2>/dev/null | grep -q office'; then
		ok "the remote site boots as a second guest (same image, charon kernel-netlink, no uplinkd)"
		diag "site guest: waited $((($(date +%s%N) - t0) / 1000000)) ms for it, up $(sguest "cut -d' ' -f1 /proc/uptime" | tr -d '\n') s"
	else
		not_ok "the remote site boots as a second guest"
		diag "site console:"; tail -20 "$RUN/site-console.log" | sed 's/^/#   /'
	fi
}

g_tunnel() { gctl status --json | jq -c '.tunnels[0] // empty'; }
g_tunnel_on() {	# UPLINK: the tunnel is up there and not moving
	gctl status --json | json_true --arg u "$1" \
		'.tunnels[0] | .state == "up" and .uplink == $u and (.connecting | not)'
}
# xfrm_esp WHO plain|encap: WHO's (guest|sguest) kernel holds ESP states, all of that kind
xfrm_esp() {
	local x
	x=$("$1" /usr/sbin/ip xfrm state) || return 1
	grep -q "proto esp" <<<"$x" || return 1
	if [ "$2" = encap ]; then
		grep -q "encap type espinudp" <<<"$x"
	else
		! grep -q "encap type" <<<"$x"
	fi
}
# ipsec_conf EXTRA: the guest's uplinkd.conf, its base plus the lab tunnel with EXTRA keys
ipsec_conf() {
	site_ipsec_conf psk "$1" |
		sed "s|vici = \"[^\"]*\"|vici = \"/run/charon.vici\"|" >"$RUN/ipsec.conf"
	guest_put "$RUN/ipsec.conf" /tmp/ipsec.conf
	guest "cat /tmp/uplinkd.conf.base /tmp/ipsec.conf >/etc/uplinkd/uplinkd.conf"
}
# tunnel_stream NAME SECONDS: 200 numbered UDP packets a second from the LAN host to the site's
# LAN host, through the tunnel (outage_end NAME reads the longest gap). Not 1 kpps: both ends
# encrypt under software emulation, and a stream that fills their CPUs delays everything else
# in the guests (probes see jitter, IKE takes seconds), which is not what is measured here.
tunnel_stream() {
	in_ns slan "$TOOLS/udpseq" recv --port 9001 --duration "$(($2 + 3))" --json >"$RUN/$1.recv" &
	echo $! >"$RUN/udpseq-recv.pid"
	sleep 0.3
	in_ns lan "$TOOLS/udpseq" send --to 100.81.0.2:9001 --interval-us 5000 \
		--count "$(($2 * 200))" >/dev/null 2>&1 &
	echo $! >"$RUN/udpseq-send.pid"
}
# stays_on UPLINK SECONDS: the tunnel is up on UPLINK, not moving, at every second of SECONDS
stays_on() {
	local i
	for i in $(seq "$2"); do
		g_tunnel_on "$1" || { echo "after $i s: $(g_tunnel)"; return 1; }
		sleep 1
	done
}
# esp50_drops ISP: packets the ISP's esp50-drop rule has dropped
esp50_drops() {
	in_ns "$1" nft list chain inet lab_fault esp50drop 2>/dev/null |
		sed -n 's/.*counter packets \([0-9]*\).*/\1/p'
}

image_ipsec() {
	local u other gap encap_gap moves n
	guest cp /etc/uplinkd/uplinkd.conf /tmp/uplinkd.conf.base
	site_psk_secrets >"$RUN/rtr-secrets.conf"
	guest_put "$RUN/rtr-secrets.conf" /etc/swanctl/conf.d/lab.conf
	check "swanctl loads the office's credentials into the guest's charon" \
		guest 'swanctl --load-all --noprompt >/var/log/swanctl.log 2>&1'

	# ---- (b) UDP encapsulation forced: a protocol-50 drop does not touch it ----
	# (and a LAN flow that starts before the tunnel exists: reported below, not asserted)
	in_ns slan "$TOOLS/udpseq" recv --port 9002 --duration 28 --json >"$RUN/early.recv" &
	echo $! >"$RUN/udpseq-early-recv.pid"
	sleep 0.3
	in_ns lan "$TOOLS/udpseq" send --to 100.81.0.2:9002 --interval-us 20000 --count 1200 \
		>/dev/null 2>&1 &
	echo $! >"$RUN/udpseq-early-send.pid"
	sleep 1
	ipsec_conf "hold_down_s = 5; force_udp_encap = true;"
	check "uplinkd takes the ipsec section (force_udp_encap) on reload" gctl reload
	check "the LAN host reaches the site's LAN through the tunnel" wait_for 90 ping_ok lan 100.81.0.2
	# the in-tunnel probe (from the LAN address 100.80.0.1) answered through the kernel's ESP
	check "the tunnel is up with its in-tunnel probes answered (kernel ESP)" \
		wait_for 30 eval 'gctl status --json | json_true ".tunnels[0] | .state == \"up\" and .probes_answered > 0"'
	diag "tunnel: $(g_tunnel | jq -c '{state, uplink, remote, reason, probes_sent, probes_answered}')"
	check "both kernels hold the SAs, ESP in UDP (router guest and site guest: XFRM, encap espinudp)" \
		eval 'xfrm_esp guest encap && xfrm_esp sguest encap && guest "! grep -q kernel-libipsec /etc/strongswan.conf"'
	u=$(g_tunnel | jq -r .uplink)
	moves=$(g_tunnel | jq -r .moves)
	tunnel_stream esp50_encap 15
	sleep 1
	fault "$u" esp50-drop
	check "IP protocol 50 dropped on $u for 12 s: the ESP-in-UDP tunnel stays there, up" stays_on "$u" 12
	check "the LAN host reaches the site's LAN through it during the drop, no move ($(g_tunnel | jq -r .moves) moves)" \
		eval 'ping_ok lan 100.81.0.2 && [ "$(g_tunnel | jq -r .moves)" = "$moves" ]'
	outage_end esp50_encap; encap_gap=$GAP
	diag "UDP encapsulation under a protocol-50 drop on $u: longest gap ${encap_gap:-?} ms, $(esp50_drops "$u") packets dropped (none of them the tunnel's)"
	bench "image esp50_drop_encap_tunnel_outage_ms ${encap_gap:-}"
	fault "$u" clear
	wait "$(cat "$RUN/udpseq-early-send.pid")" 2>/dev/null || true
	wait "$(cat "$RUN/udpseq-early-recv.pid")" 2>/dev/null || true
	rm -f "$RUN/udpseq-early-send.pid" "$RUN/udpseq-early-recv.pid"
	diag "a LAN flow started 1 s before the tunnel: $(jq -r '.received // 0' "$RUN/early.recv" 2>/dev/null || echo 0) of 1200 packets reached the site (known: its masquerade conntrack entry, made while no SA existed, keeps it out of the tunnel; uplinkd does not flush conntrack for the selectors at CHILD_SA up)"

	# ---- (a) plain ESP (IP protocol 50): the tunnel moves to the other carrier ----
	# a hold-down longer than the stream: the tunnel does not try isp1 again (still dropping
	# protocol 50) while the outage is measured
	ipsec_conf "hold_down_s = 60;"
	check "uplinkd takes the tunnel back to plain ESP on reload" gctl reload
	# the running SA stays as it was negotiated (uplinkd adopts it); a fresh one is plain ESP
	guest swanctl --terminate --ike hq --force >/dev/null
	check "the tunnel comes back, plain ESP: XFRM states without encapsulation in both guests (protocol 50, no NAT)" \
		wait_for 60 eval 'g_tunnel_on "$u" && xfrm_esp guest plain && xfrm_esp sguest plain'
	n=$(g_tunnel | jq -r '.probes_answered // 0')
	check "its in-tunnel probes are answered over plain ESP" \
		wait_for 30 eval '[ "$(g_tunnel | jq -r ".probes_answered // 0")" -gt "$n" ]'
	diag "tunnel: $(g_tunnel | jq -c '{state, uplink, remote, reason, probes_sent, probes_answered}')"
	other=$([ "$u" = isp1 ] && echo isp2 || echo isp1)
	tunnel_stream esp50 20
	sleep 1
	fault "$u" esp50-drop
	check "IP protocol 50 dropped on $u (IKE and ping pass): the kernel-ESP tunnel moves to $other" \
		wait_for 60 g_tunnel_on "$other"
	diag "tunnel: $(g_tunnel | jq -c '{state, uplink, remote, reason}')"
	check "$u itself stays up (its probes pass the protocol-50 drop)" wait_for 30 g_state_is "$u" up
	check "the drop hit the tunnel's ESP on $u ($(esp50_drops "$u") packets of protocol 50)" \
		eval '[ "$(esp50_drops "$u")" -gt 0 ]'
	outage_end esp50; gap=$GAP
	diag "kernel-ESP tunnel outage for a protocol-50 drop on $u (moved to $other): ${gap:-?} ms"
	diag "recovered sooner: UDP encapsulation on the same carrier (longest gap ${encap_gap:-?} ms, no move) vs plain ESP moved to $other (${gap:-?} ms)"
	bench "image esp50_drop_tunnel_outage_ms ${gap:-}"
	check "the site's LAN is reached again, through $other" wait_for 20 ping_ok lan 100.81.0.2
	fault "$u" clear
}
