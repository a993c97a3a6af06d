# bgp.sh - BGP speakers for the lab (source after lib.sh; needs lab_up first).
#
#   bgp_up                start gobgpd in isp1 (AS 65001), isp2 (AS 65002) and rtr (AS 65000);
#                         the carriers peer (eBGP, passive) with the site router, which
#                         sends BMP pre-policy to uplinkd on 127.0.0.1:$BGP_BMP_PORT in rtr
#                         and dumps the UPDATEs it receives to $BGP_DIR/updates.mrt (BGP4MP)
#   bgp_gobgp ROLE ARGS   the gobgp CLI against that namespace's gobgpd
#   bgp_announce ISP PREFIX ASPATH      (ASPATH "64510,64500": as the carrier's customer
#   bgp_withdraw ISP PREFIX              sent it; the carrier prepends its own AS)
#   bgp_established ROLE PEER            the session to PEER is up
#   bgp_conf [SED...]     uplinkd.conf for the lab with a bgp section watching the remote
#                         VPN prefix 203.0.113.0/24 (origin 64500, upstreams 64510/64511,
#                         tunnel "hq"); BMP accepted from 127.0.0.1 only; carriers map to
#                         isp1/isp2, ExaBGP's 100.64.1.3 and bmpgen's 100.64.9.9 are listed
#                         without an uplink
#   alert_field ID FIELD / has_alert ID / no_alerts / bgp_json
#   exa_up / exa_send LINE   ExaBGP in isp1 on 100.64.1.3 (AS 65001, not in bgp.peers), fed
#                         API commands through a file it tails
#
# Each gobgpd listens for gRPC on 127.0.0.1:50051 inside its own namespace (every namespace has
# its own loopback, so nothing on the host); PIDs go to $RUN/*.pid so topo_down stops them.

BGP_BMP_PORT=11019
BGP_DIR=$RUN/bgp

bgp_gobgp() {	# ROLE ARGS...
	local role=$1
	shift
	ip netns exec "$P-$role" gobgp -u 127.0.0.1 -p 50051 "$@"
}

bgp_start_gobgpd() {	# ROLE CONF
	local role=$1 conf=$2
	# in $BGP_DIR: the MRT file name is relative, as gobgpd reads digits in it as a date format
	(cd "$BGP_DIR" && exec ip netns exec "$P-$role" gobgpd -f "$conf" -t toml \
		--api-hosts 127.0.0.1:50051 --pprof-disable -l info -p \
		</dev/null >>"$BGP_DIR/gobgpd-$role.log" 2>&1) &
	echo $! >"$RUN/gobgpd-$role.pid"
}

bgp_up() {
	mkdir -p "$BGP_DIR"
	for n in 1 2; do
		cat >"$BGP_DIR/isp$n.toml" <<EOF
[global.config]
  as = 6500$n
  router-id = "100.64.$n.1"
  local-address-list = ["100.64.$n.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "100.64.$n.2"
    peer-as = 65000
  [neighbors.transport.config]
    passive-mode = true
    local-address = "100.64.$n.1"
EOF
		bgp_start_gobgpd "isp$n" "$BGP_DIR/isp$n.toml"
	done
	cat >"$BGP_DIR/rtr.toml" <<EOF
[global.config]
  as = 65000
  router-id = "100.64.1.2"
  local-address-list = ["100.64.1.2", "100.64.2.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "100.64.1.1"
    peer-as = 65001
  [neighbors.transport.config]
    local-address = "100.64.1.2"
  [neighbors.timers.config]
    connect-retry = 1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "100.64.2.1"
    peer-as = 65002
  [neighbors.transport.config]
    local-address = "100.64.2.2"
  [neighbors.timers.config]
    connect-retry = 1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "100.64.1.3"
    peer-as = 65001
  [neighbors.transport.config]
    local-address = "100.64.1.2"
    passive-mode = true
[[mrt-dump]]
  [mrt-dump.config]
    dump-type = "updates"
    file-name = "updates.mrt"
[[bmp-servers]]
  [bmp-servers.config]
    address = "127.0.0.1"
    port = $BGP_BMP_PORT
    route-monitoring-policy = "pre-policy"
EOF
	bgp_start_gobgpd rtr "$BGP_DIR/rtr.toml"
}

bgp_established() {	# ROLE PEER
	bgp_gobgp "$1" neighbor "$2" -j 2>/dev/null |
		json_true '.state.session_state == 6 or .state.session_state == "established"'
}

bgp_announce() {	# ISP PREFIX ASPATH [gobgp attribute args...]
	local isp=$1 prefix=$2 aspath=$3 n=${1#isp}
	shift 3
	bgp_gobgp "$isp" global rib add -a ipv4 "$prefix" aspath "$aspath" origin igp \
		nexthop "100.64.$n.1" "$@"
}

bgp_withdraw() {	# ISP PREFIX
	bgp_gobgp "$1" global rib del -a ipv4 "$2"
}

# bgp_conf OUT: the lab configuration plus a bgp section
bgp_conf() {
	lab_conf "$1"
	cat >>"$1" <<EOF
bgp = {
  bmp_listen = "127.0.0.1:$BGP_BMP_PORT";
  routers = [ "127.0.0.1" ];
  peers = ( { address = "100.64.1.1"; uplink = "isp1"; },
            { address = "100.64.2.1"; uplink = "isp2"; },
            { address = "100.64.1.3"; },	# ExaBGP (exa_up): watched, not steered on
            { address = "100.64.9.9"; } );	# build/tools/bmpgen's default synthetic peer
  watch = ( { prefix = "203.0.113.0/24"; origin_as = [ 64500 ];
              upstream_as = [ 64510, 64511 ]; tunnel = "hq"; } );
};
EOF
}

bgp_json() { ctl status --json | jq -c '.bgp'; }
alert_field() {	# ID FIELD
	ctl status --json | jq -r --arg id "$1" --arg f "$2" \
		'.bgp.alerts[] | select(.id == $id) | .[$f]'
}
has_alert() { ctl status --json | json_true --arg id "$1" 'any(.bgp.alerts[]; .id == $id)' >/dev/null; }
no_alerts() { ctl status --json | json_true '.bgp.alerts | length == 0' >/dev/null; }
# peer_field ADDRESS FIELD: of the BMP peer ADDRESS in the gobgpd session
peer_field() {
	ctl status --json | jq -r --arg a "$1" --arg f "$2" \
		'[.bgp.sessions[].peers[] | select(.address == $a)][0][$f]'
}
# updates_after ADDRESS N: more than N updates from that peer were judged
updates_after() { [ "$(peer_field "$1" updates)" -gt "$2" ] 2>/dev/null; }
# event TYPE OBJECT NEW [OLD]: the journal has it
has_event() {
	events_json | json_true --arg t "$1" --arg o "$2" --arg n "$3" --arg old "${4:-}" \
		'any(.[]; .type == $t and .object == $o and .new == $n and
		    ($old == "" or .old == $old))' >/dev/null
}

# ---- ExaBGP: crafted attributes -------------------------------------------------------------

exa_up() {
	ip -n "$P-isp1" addr add 100.64.1.3/24 dev cust
	: >"$BGP_DIR/exa.cmds"
	cat >"$BGP_DIR/exa.conf" <<EOF
process feed {
  run /usr/bin/tail -n +1 -F $BGP_DIR/exa.cmds;
  encoder text;
}
neighbor 100.64.1.2 {
  router-id 100.64.1.3;
  local-address 100.64.1.3;
  local-as 65001;
  peer-as 65000;
  family { ipv4 unicast; }
  api { processes [ feed ]; }
}
EOF
	ip netns exec "$P-isp1" env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
		exabgp.log.destination="$BGP_DIR/exabgp.log" exabgp.api.cli=false \
		exabgp "$BGP_DIR/exa.conf" </dev/null >>"$BGP_DIR/exabgp.out" 2>&1 &
	echo $! >"$RUN/exabgp.pid"
}

exa_send() { echo "$*" >>"$BGP_DIR/exa.cmds"; }
