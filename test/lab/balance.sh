# balance.sh - helpers for the balance-mode scenarios (t_balance*.sh). Source after lib.sh.
#
#   balance_conf [SED-EXPR...]   the lab configuration in balance mode, isp1 weight 3, isp2 1
#   flows_serve NAME PORT MS [--udp]          the far end (sink) in the background; $RUN/NAME.json
#   flows_client NAME ADDR PORT N MS [ARGS]   the LAN host, in the foreground; $RUN/NAME.json
#   share_of JSON SRC                          ids first seen from SRC (flows serve output)
#
# Behind the router's masquerade the far end tells the carriers apart by source address:
# 100.64.1.2 / 2001:db8:1::2 is isp1, 100.64.2.2 / 2001:db8:2::2 is isp2.

ISP1_V4=100.64.1.2
ISP2_V4=100.64.2.2
ISP1_V6=2001:db8:1::2
ISP2_V6=2001:db8:2::2
SINK_V4=198.51.100.10
SINK_V6=2001:db8:ff:10::10

declare -A FLOWS_PID

need_cmd "$TOOLS/flows"	# make tools builds it: missing is a failure, not a skip

balance_conf() {
	start_lab_uplinkd 's/mode = "failover";/mode = "balance";/' \
		's/priority = 10;/priority = 10; weight = 3;/' "$@"
}

flows_serve() {	# NAME PORT MS [--udp]
	local name=$1 port=$2 ms=$3
	shift 3
	in_ns sink "$TOOLS/flows" serve --port "$port" --duration-ms "$ms" "$@" >"$RUN/$name.json" &
	FLOWS_PID[$name]=$!
	echo "${FLOWS_PID[$name]}" >"$RUN/flows-$name.pid"
	port_bound sink "$port"
}

# port_bound ROLE PORT: wait until a TCP or UDP socket is bound to PORT in that namespace,
# so a client never starts before its server (no guessed sleep)
port_bound() {
	wait_for 10 eval "[ -n \"\$(ip netns exec '$P-$1' ss -Htuln 'sport = :$2')\" ]" ||
		bail "nothing listens on port $2 in $P-$1"
}

flows_wait() {	# NAME: wait for a server started by flows_serve
	wait "${FLOWS_PID[$1]}"
	rm -f "$RUN/flows-$1.pid"
}

flows_client() {	# NAME ADDR PORT N MS [ARGS]
	local name=$1 addr=$2 port=$3 n=$4 ms=$5
	shift 5
	in_ns lan "$TOOLS/flows" client --host "$addr" --port "$port" --n "$n" --duration-ms "$ms" \
		"$@" >"$RUN/$name.json"
}

share_of() {	# JSON SRC
	jq -r --arg s "$2" '.by_src[$s] // 0' "$1"
}

# between VALUE LOW HIGH
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

share_is() {	# NAME PCT: the status object's share_pct of uplink NAME
	[ "$(uplink_field "$1" share_pct)" = "$2" ]
}

rule_uplink_is() {	# RULE UPLINK
	[ "$(ctl status --json | jq -r --arg r "$1" '.rules[] | select(.name == $r) | .uplink')" = "$2" ]
}

nft_table() { in_rtr nft list table inet uplinkd; }

# jq -e passes on empty input (jq 1.6): these fail on it
jfile() {	# FILE JQ-ARGS...: jq -e on a file that must not be empty
	local f=$1
	shift
	[ -s "$f" ] && jq -e "$@" "$f" >/dev/null
}
jtrue() {	# JQ-ARGS...: jq -e on stdin that must not be empty
	local in
	in=$(cat)
	[ -n "$in" ] && jq -e "$@" <<<"$in" >/dev/null
}
