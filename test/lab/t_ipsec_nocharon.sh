#!/bin/bash
# charon is not running: with an ipsec section and no VICI socket, the tunnel says so in the
# status, the CLI table and the journal ("charon not reachable at PATH ...: retrying"), as a
# down tunnel; it no longer shows "starting" forever. When the reason changes (the socket
# appears but refuses), that is said too.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 5
lab_up
VICI=$RUN/charon.vici
lab_conf "$RUN/uplinkd.conf"
cat >>"$RUN/uplinkd.conf" <<CONF
ipsec = { vici = "$VICI";
  tunnels = ( { name = "hq"; ike = "hq"; child = "net"; auth = "psk";
    local_id = "rtr.lab"; remote_id = "site.lab";
    local_ts = [ "100.80.0.0/24" ]; remote_ts = [ "100.81.0.0/24" ];
    remotes = [ "198.51.100.10" ]; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"
reason() { ctl status --json | jq -r '.tunnels[] | select(.name == "hq") | .reason'; }
check "the tunnel's reason names charon and the path" wait_for 10 eval \
	'[[ "$(reason)" == "charon not reachable at $VICI (connect: No such file or directory): retrying"* ]]'
check "the tunnel is down (alert-worthy) and charon is false" eval \
	'ctl status --json | json_true ".tunnels[] | select(.name == \"hq\") | .state == \"down\" and .charon == false"'
table=$(ctl status)
check "the CLI table shows it" eval '[[ "$table" == *"charon not reachable at $VICI"* ]]'
check "the journal has it" eval \
	'events_json | json_true "[.[] | select(.object == \"hq\" and (.reason | test(\"charon not reachable\")))] | length >= 1"'
# a socket that refuses: a new reason, said once
python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$VICI"
check "a refusing socket is a new reason" wait_for 15 eval '[[ "$(reason)" == *"Connection refused"* ]]'
