#!/bin/bash
# topo.sh - the two-ISP lab network, built from network namespaces.
#
#   topo.sh up PREFIX      build it (runs `down` first, so it is idempotent)
#   topo.sh down PREFIX    stop what it started (by PID) and delete the namespaces
#   . topo.sh              defines topo_up / topo_down / topo_ns for lib.sh
#
# Six namespaces, PREFIX-{lan,rtr,isp1,isp2,core,sink} (keep PREFIX <= 8 chars,
# e.g. "ul$$"; interface names never contain it, so parallel labs do not clash):
#
#   lan eth0 ── lan0 rtr wan1 ── cust isp1 up ── isp1 core sink0 ── eth0 sink
#                        wan2 ── cust isp2 up ── isp2      lo: probe targets
#
#   lan   eth0  100.80.0.2/24   2001:db8:80::2/64   default via .1 / ::1
#   rtr   lan0  100.80.0.1/24   2001:db8:80::1/64
#         wan1  100.64.1.2/24   2001:db8:1::2/64    default via 100.64.1.1 / 2001:db8:1::1
#         wan2  100.64.2.2/24   2001:db8:2::2/64    (no route: the daemon's job)
#         nft `inet lab_nat`: masquerade out of wan1 and wan2 (v4 and v6)
#   ispN  cust  100.64.N.1/24   2001:db8:N::1/64
#         up    100.65.N.2/24   2001:db8:65:N::2/64 default via 100.65.N.1 / 2001:db8:65:N::1
#         nft `inet lab_bcp38`: forwarded packets from cust must come from 100.64.N.0/24 or
#         2001:db8:N::/64 (counted drops); fault.sh adds `inet lab_fault` beside it.
#   core  ispN  100.65.N.1/24   2001:db8:65:N::1/64 routes to 100.64.N.0/24, 2001:db8:N::/64
#         lo    192.0.2.1 192.0.2.2 2001:db8:ff::1 2001:db8:ff::2 (probe targets; no dummy
#               driver in this kernel)
#         sink0 198.51.100.1/24 2001:db8:ff:10::1/64
#   sink  eth0  198.51.100.10/24 2001:db8:ff:10::10/64 default via core
#
# IPv6 is usable at once: accept_dad=0 everywhere plus `nodad`, accept_ra=0. rp_filter is off
# everywhere (the ISPs loop packets through impair's TUN; the router is multihomed). ISPs keep
# IPv6 addresses when `cust` goes down (fault.sh carrier-down).
#
# Processes started for a lab record their PID in $LAB_RUN_ROOT/PREFIX/*.pid; `down` stops them
# by PID (after checking they live in one of this lab's namespaces), then stops whatever else is
# still inside the lab's namespaces (by PID), then deletes the namespaces and the run dir.

LAB_RUN_ROOT=${LAB_RUN_ROOT:-/run/uplinkd-lab}
TOPO_ROLES="lan rtr isp1 isp2 core sink"

topo_ns() {	# PREFIX ROLE -> namespace name
	echo "$1-$2"
}

topo_run_dir() {
	echo "$LAB_RUN_ROOT/$1"
}

# nsx NS CMD...: run a command in a namespace
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# nsctl NS key=value...: sysctls inside a namespace
nsctl() {
	local ns=$1
	shift
	ip netns exec "$ns" sysctl -q -w "$@" >/dev/null
}

# veth NS1 IF1 NS2 IF2: a veth pair, created directly inside the two namespaces
veth() {
	ip -n "$1" link add name "$2" type veth peer name "$4" netns "$3"
	ip -n "$1" link set dev "$2" up
	ip -n "$3" link set dev "$4" up
}

# addr NS IF V4/LEN V6/LEN
addr() {
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" -6 addr add "$4" dev "$2" nodad
}

topo_up() {
	local p=$1 run r ns n
	[ -n "$p" ] || { echo "topo_up: PREFIX missing" >&2; return 1; }
	topo_down "$p"
	run=$(topo_run_dir "$p")
	mkdir -p "$run"

	for r in $TOPO_ROLES; do
		ns=$(topo_ns "$p" "$r")
		ip netns add "$ns"
		ip -n "$ns" link set lo up
		# before any interface exists, so every one inherits the defaults
		nsctl "$ns" net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	local lan=$p-lan rtr=$p-rtr core=$p-core sink=$p-sink
	for ns in "$rtr" "$p-isp1" "$p-isp2" "$core"; do
		nsctl "$ns" net.ipv4.ip_forward=1 \
			net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.forwarding=1
	done

	# lan <-> router
	veth "$lan" eth0 "$rtr" lan0
	addr "$lan" eth0 100.80.0.2/24 2001:db8:80::2/64
	addr "$rtr" lan0 100.80.0.1/24 2001:db8:80::1/64
	ip -n "$lan" route add default via 100.80.0.1
	ip -n "$lan" -6 route add default via 2001:db8:80::1

	# router <-> ISPs <-> core
	for n in 1 2; do
		ns=$p-isp$n
		nsctl "$ns" net.ipv6.conf.all.keep_addr_on_down=1 \
			net.ipv6.conf.default.keep_addr_on_down=1
		veth "$rtr" wan$n "$ns" cust
		addr "$rtr" wan$n 100.64.$n.2/24 2001:db8:$n::2/64
		addr "$ns" cust 100.64.$n.1/24 2001:db8:$n::1/64
		veth "$ns" up "$core" isp$n
		addr "$ns" up 100.65.$n.2/24 2001:db8:65:$n::2/64
		addr "$core" isp$n 100.65.$n.1/24 2001:db8:65:$n::1/64
		ip -n "$ns" route add default via 100.65.$n.1
		ip -n "$ns" -6 route add default via 2001:db8:65:$n::1
		ip -n "$core" route add 100.64.$n.0/24 via 100.65.$n.2
		ip -n "$core" -6 route add 2001:db8:$n::/64 via 2001:db8:65:$n::2
		nsx "$ns" nft -f - <<-EOF
		table inet lab_bcp38 {
			chain forward {
				type filter hook forward priority filter - 10; policy accept;
				iifname "cust" ip saddr != 100.64.$n.0/24 counter drop
				iifname "cust" ip6 saddr != 2001:db8:$n::/64 counter drop
			}
		}
		EOF
	done

	# what an installer leaves behind: one default route, out of wan1
	ip -n "$rtr" route add default via 100.64.1.1 dev wan1
	ip -n "$rtr" -6 route add default via 2001:db8:1::1 dev wan1
	nsx "$rtr" nft -f - <<-EOF
	table inet lab_nat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname { "wan1", "wan2" } masquerade
		}
	}
	EOF

	# core: probe targets on lo, the sink behind it
	ip -n "$core" addr add 192.0.2.1/32 dev lo
	ip -n "$core" addr add 192.0.2.2/32 dev lo
	ip -n "$core" -6 addr add 2001:db8:ff::1/128 dev lo nodad
	ip -n "$core" -6 addr add 2001:db8:ff::2/128 dev lo nodad
	veth "$core" sink0 "$sink" eth0
	addr "$core" sink0 198.51.100.1/24 2001:db8:ff:10::1/64
	addr "$sink" eth0 198.51.100.10/24 2001:db8:ff:10::10/64
	ip -n "$sink" route add default via 198.51.100.1
	ip -n "$sink" -6 route add default via 2001:db8:ff:10::1
}

# topo_kill_pid PREFIX PID: stop one process, if it runs inside this lab
topo_kill_pid() {
	local p=$1 pid=$2 ns
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	ns=$(ip netns identify "$pid" 2>/dev/null) || ns=
	case " $ns " in
	*" $p-"*) ;;
	*) echo "topo: PID $pid is not inside lab $p; left alone" >&2; return 0 ;;
	esac
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

topo_down() {
	local p=$1 run f r ns pid
	[ -n "$p" ] || { echo "topo_down: PREFIX missing" >&2; return 1; }
	run=$(topo_run_dir "$p")
	if [ -d "$run" ]; then
		for f in "$run"/*.pid; do
			[ -f "$f" ] || continue
			topo_kill_pid "$p" "$(cat "$f" 2>/dev/null)"
			rm -f "$f"
		done
	fi
	# every namespace named PREFIX-*, not only the six roles (a test may add one)
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case "$ns" in
		"$p"-*) ;;
		*) continue ;;
		esac
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			topo_kill_pid "$p" "$pid"
		done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$run"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	usage() { echo "usage: $0 up|down PREFIX" >&2; exit 2; }
	[ $# -eq 2 ] || usage
	[ "$(id -u)" -eq 0 ] || { echo "$0: needs root" >&2; exit 1; }
	case "$1" in
	up)
		# errexit is ignored inside `f || ...`, so run it in a subshell and test after
		set +e
		(set -e; topo_up "$2")
		rc=$?
		set -e
		if [ $rc -ne 0 ]; then
			echo "$0: building lab $2 failed; tearing it down" >&2
			topo_down "$2"
			exit 1
		fi
		;;
	down) topo_down "$2" ;;
	*) usage ;;
	esac
fi
