#!/bin/bash
# Code rules `make check` enforces (see ../shared/STYLE.md): boundaries that a
# compiler does not see. Prints one line per violation; exits 1 if any.
set -u
cd "$(dirname "$0")/.."
fail=0
bad() { echo "rules: $*"; fail=1; }

# 1. Plugins never include each other's headers (only their own folder and daemon/).
for f in $(find plugins -name '*.[ch]'); do
	dir=$(dirname "$f")
	grep -o '#include "[^"]*"' "$f" | sed 's/#include "\(.*\)"/\1/' | while read -r inc; do
		if [ ! -e "$dir/$inc" ] && [ ! -e "daemon/$inc" ]; then
			echo "rules: $f includes \"$inc\", which is neither in $dir nor in daemon/"
		fi
		case "$inc" in */*) echo "rules: $f includes \"$inc\" through a path; plugins talk through the bus" ;; esac
	done
done | grep . && fail=1

# 1b. Plugins see the core through a few headers only (issue 9): the hook table, the loop, the
#    log, the bus, the configuration schema, the read-only view (view.h) and the operator
#    commands (command.h); probe plugins also probe.h. Never uplink.h, health.h, policy.h,
#    status.h or another room's state: read through view.h, act through the bus or a command.
plugin_core_ok=' plugin.h daemon.h loop.h log.h list.h bus.h schema.h view.h command.h probe.h '
for f in $(find plugins -name '*.[ch]' | sort); do
	dir=$(dirname "$f")
	for inc in $(grep -oE '^[[:space:]]*#[[:space:]]*include "[^"]*"' "$f" | sed -E 's/.*"(.*)"/\1/'); do
		[ -e "$dir/$inc" ] && continue
		[ -e "daemon/$inc" ] || continue
		case "$plugin_core_ok" in
		*" $inc "*) ;;
		*) bad "$f includes the core's \"$inc\"; plugins may include only$plugin_core_ok(read uplinks through view.h)" ;;
		esac
	done
done

# 2. Only the netlink rooms speak libmnl, libnftnl or rtnetlink directly.
allowed='^daemon/(nl|rtnl|link(_[a-z]+)?|route(_[a-z]+)?|ct|nft)\.[ch]$'
for f in $(grep -rlE '#include <(libmnl/|libnftnl/|linux/rtnetlink\.h)' daemon plugins 2>/dev/null); do
	[[ "$f" =~ $allowed ]] || bad "$f includes libmnl/libnftnl/rtnetlink; only nl.c, rtnl.c, link*.c, route*.c, ct.c and nft.c may"
done

# 3. Kconfig decides which files are compiled, never which lines.
grep -rnE '#\s*(if|ifdef|ifndef|elif).*[^_]CONFIG_[A-Z]' daemon plugins | grep -v 'UPLINKD_' && bad "#if on CONFIG_ symbols above; move the code into a plugin file"

# 4. Registration is by the generated list, never by constructors.
grep -rn '__attribute__((constructor' daemon plugins && bad "constructors above; list the plugin in its plugin.mk"

# 5. A file that keeps growing is two rooms.
for f in $(find daemon cli plugins test -name '*.c' -o -name '*.h' -o -name '*.sh'); do
	n=$(wc -l < "$f")
	[ "$n" -le 1500 ] || bad "$f has $n lines (limit about 1,500): split it"
done

# 6. Tests, demo and bench stop what they started by PID, never by name.
grep -rnE '\b(pkill|killall)\b' test Makefile .ci 2>/dev/null | grep -v 'rules.sh' && bad "pkill/killall above; stop processes by PID"

# 7. Honest tests (issue 14): a green `make check` means it works. `make selftest` feeds the
# harness broken scenarios; these rules keep the scenarios from hiding failures again.
for f in test/lab/selftest/*.sh test/lab/selftest.sh; do
	grep -qxE 'set -euo pipefail' "$f" || bad "$f: no 'set -euo pipefail' line"
done
for f in test/lab/t_*.sh; do
	# errexit and pipefail before anything else runs
	grep -qxE 'set -euo pipefail' "$f" ||
		bad "$f: no 'set -euo pipefail' line (a failing command or pipe must fail the scenario)"
	# the daemon's exit status and sanitizer reports are never thrown away
	grep -nE 'stop_uplinkd[^#]*\|\|[[:space:]]*(true|:)' "$f" | sed "s|^|$f:|" | grep . &&
		bad "stop_uplinkd || true above: its failure (exit status, sanitizer report) must fail the test"
	# `CMD | grep -q` dies of SIGPIPE under pipefail: grepq reads its whole input
	grep -nE '\|[[:space:]]*grep -[a-zA-Z]*q' "$f" | sed "s|^|$f:|" | grep . &&
		bad "'| grep -q' above: use '| grepq' (lib.sh)"
	grep -nE -B1 '^[[:space:]]*grep -[a-zA-Z]*q' "$f" | grep -A1 -E '\|[[:space:]]*$' | grep -E '^[0-9]+:' |
		sed "s|^|$f:|" | grep . && bad "'| grep -q' across lines above: use '| grepq' (lib.sh)"
	# jq 1.6's -e is true on empty input
	grep -nE '\bjq -[a-zA-Z]*e' "$f" | sed "s|^|$f:|" | grep . &&
		bad "'jq -e' above: use json_true (lib.sh), which fails on empty input"
	# a tool that make deps installs is needed (need_cmd), never a reason to skip
	grep -nE 'command -v [^|]*\|\|[[:space:]]*skip_all|\[ -[xdf] [^]]*\] \|\|[[:space:]]*skip_all|ok "# SKIP' "$f" |
		sed "s|^|$f:|" | grep . && bad "skip for a missing tool above: use need_cmd (lib.sh), a failure"
	# waits ignored: a wait_for that may time out must be a check
	grep -nE '^[[:space:]]*wait_for [^#]*\|\|[[:space:]]*(true|:)[[:space:]]*$' "$f" | sed "s|^|$f:|" | grep . &&
		bad "'wait_for ... || true' above: assert what is waited for (check ... wait_for ...)"
done
for f in test/lab/lib.sh test/lab/bgp.sh test/lab/site.sh; do
	grep -nE '\|[[:space:]]*grep -[a-zA-Z]*q|\bjq -[a-zA-Z]*e ' "$f" | grep -v 'jq -e "\$@"' | grep -v '^[0-9]*:#' |
		sed "s|^|$f:|" | grep . && bad "'| grep -q' or 'jq -e' above: use grepq / json_true"
done

# 8. cmocka tests never skip: what cannot run here is a failure or belongs in the lab.
grep -nE '\bskip\(\)' test/unit/*.c && bad "cmocka skip() above: a unit test that cannot run must fail"

# 9. Tests assert behaviour, not wall-clock speed (speed is measured by make bench). A lab
# check may not compare a duration or a rate; deadlines are generous wait_for timeouts.
grep -nE 'max_gap\.start_ms|rtt_ms *[<>]|\.received *> *[0-9]{3,}|elapsed_ms|_ms *(<|<=) *[0-9]' \
	test/lab/t_*.sh | grep . && bad "wall-clock assertion above: measure it in test/bench, assert behaviour here"

# 10. The core's modules form no cycle: module A (daemon/A.c and A.h) depends on B when
#    either includes "B.h". Only the bring-up code that assembles the daemon (daemon.c,
#    main.c) may depend on everything. A cycle means a sensor calls an actuator or two
#    rooms own one job: report through a callback or a listener instead.
edges=$(for f in daemon/*.c daemon/*.h; do
	a=${f##*/}; a=${a%.*}
	case $a in daemon | main) continue ;; esac
	grep -oE '^#include "[a-z_0-9]+\.h"' "$f" | sed -E 's/.*"(.*)\.h"/\1/' | while read -r b; do
		[ -e "daemon/$b.h" ] && [ "$b" != "$a" ] && [ "$b" != daemon ] && echo "$a $b"
	done
	echo "$a $a"	# every module is a node, with or without edges
done | sort -u)
if ! cycle=$(echo "$edges" | tsort 2>&1 >/dev/null | grep -v 'input contains a loop' | sed 's/^tsort: //'); then
	: # tsort prints nothing on stderr when the graph has no cycle
fi
[ -z "$cycle" ] || bad "the daemon's modules include each other in a cycle: $(echo $cycle | tr ' ' ' ')"

# 11. DOC comments stay true: every file a module's DOC names as its caller ("Called by
#    policy.c, ...") includes the module's header, directly or through one of its own.
for f in daemon/*.c; do
	m=${f##*/}; m=${m%.c}
	[ -e "daemon/$m.h" ] || continue
	callers=$(awk '/^\/\*/{p=1} p{print} /\*\//{if(p) exit}' "$f" | sed 's/^ \* \{0,1\}//' | tr '\n' ' ' |
		perl -ne 'while (/(?:called|used) by (.*?)(?:\.\s+[A-Z(]|\.\s*\/?\s*$)/gi) { print "$1\n" }' |
		grep -oE '[a-z_0-9]+\.c' | sort -u)
	for c in $callers; do
		[ "$c" != "$m.c" ] || continue
		path=$(ls daemon/"$c" plugins/*/"$c" 2>/dev/null | head -1)
		if [ -z "$path" ]; then
			bad "$f: its DOC names $c as a caller; there is no such file (update the DOC)"
			continue
		fi
		grep -q "#include \"$m.h\"" "$path" && continue
		via=no
		for h in $(grep -oE '^#include "[a-z_0-9]+\.h"' "$path" | sed -E 's/.*"(.*)"/\1/'); do
			[ -e "daemon/$h" ] && grep -q "#include \"$m.h\"" "daemon/$h" && via=yes
		done
		[ $via = yes ] || bad "$f: its DOC names $c as a caller, but $path does not include $m.h (update the DOC)"
	done
done

[ $fail -eq 0 ] && echo "rules: all code rules hold"
exit $fail
