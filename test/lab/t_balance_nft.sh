#!/bin/bash
# The nftables actuator when the kernel refuses: another process owns a table named
# inet uplinkd (nft's `flags owner`), so uplinkd's batch is refused whole. uplinkd says why
# (log, status, journal), keeps routing, never touches the other table, and installs its own
# once the owner lets go. A leftover table from a crashed run is replaced, not duplicated.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/balance.sh"
need_uplinkd
plan 11
lab_up

# a process that owns `table inet uplinkd` for as long as it lives
mkfifo "$RUN/owner.fifo"
# not in_rtr: a backgrounded function is a subshell, and $! would not be nft
ip netns exec "$P-rtr" nft -i <"$RUN/owner.fifo" >/dev/null 2>&1 &
owner=$!
echo "$owner" >"$RUN/owner.pid"
exec 7>"$RUN/owner.fifo"
echo 'add table inet uplinkd { flags owner; }' >&7
check "another process owns table inet uplinkd" wait_for 5 eval 'nft_table'

balance_conf
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "status says why the table could not be applied" \
	wait_for 5 eval 'policy_field nft_error | grep -F "the previous table stays" | grep -F "Operation not permitted"'
check "the journal has the refusal as an error event" \
	eval 'events_json | jtrue "[.[] | select(.type == \"error\" and .object == \"nft uplinkd\")] | length > 0"'
check "the other process's table is untouched (no chain of ours in it)" \
	eval '! nft_table | grep -F prerouting'
check "routing goes on: the LAN reaches the sink" ping_ok lan "$SINK_V4"

kill "$owner"
exec 7>&-
rm -f "$RUN/owner.pid"
check "once the owner is gone, uplinkd installs its table" \
	wait_for 10 eval 'nft_table | grep -F "hook prerouting"'
check "and the error is cleared" wait_for 5 eval '[ "$(policy_field nft_error)" = null ]'

# kill -9 and restart: the leftover table is replaced, not duplicated
kill -KILL "$UPLINKD_PID"
wait "$UPLINKD_PID" || diag "uplinkd killed: exit status $?"
UPLINKD_PID=
check "a kill -9 leaves the table behind" eval 'nft_table | grep -F "hook prerouting"'
balance_conf
check "a restarted uplinkd has one table with one chain" \
	wait_for 20 eval 'settled isp1 && [ "$(in_rtr nft list tables | grep -c "inet uplinkd")" = 1 ] &&
		[ "$(nft_table | grep -c "hook prerouting")" = 1 ]'
if stop_uplinkd; then ok "uplinkd stops cleanly"; else not_ok "uplinkd stops cleanly"; fi
