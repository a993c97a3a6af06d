#!/bin/bash
# t_deb.sh PACKAGE.deb - the Debian package as a new user meets it, without touching the host:
#  1. dpkg installs it into an empty root (dpkg --root, maintainer scripts chrootless with
#     DPKG_ROOT): files, conffile, system user, configuration readable by that user only;
#  2. in private mount and network namespaces where that root is laid over /etc and /usr,
#     the unit's own command lines run as systemd would run them (User=, the ambient
#     capabilities, RuntimeDirectory= and StateDirectory=, $NOTIFY_SOCKET, $WATCHDOG_USEC):
#     ExecStartPre checks the example configuration, ExecStart answers uplinkctl, says
#     READY=1 once the first verdicts are in, pings the watchdog, and stops cleanly.
set -euo pipefail
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root"; exit 0; }
TAP_N=0 TAP_FAIL=0
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else
		not_ok "$desc"
		echo "# failed: $*"
		[ -z "$out" ] || printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'
	fi
}
ROOT=$(mktemp -d /tmp/uplinkd-deb.XXXXXX)
cleanup() { rm -rf "$ROOT"; }
trap cleanup EXIT
echo "1..16"

# ---- 1. dpkg into an empty root ----
mkdir -p "$ROOT/etc" "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" "$ROOT/usr/sbin"
: >"$ROOT/var/lib/dpkg/status"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$ROOT/etc/passwd"
printf 'root:x:0:\n' >"$ROOT/etc/group"
printf 'root:*:19000:0:99999:7:::\n' >"$ROOT/etc/shadow"
printf 'root:*::\n' >"$ROOT/etc/gshadow"
chmod 0640 "$ROOT/etc/shadow" "$ROOT/etc/gshadow"
# the libraries are the host's: their packages are not in this root's database
check "dpkg -i into an empty root" dpkg --root="$ROOT" --force-script-chrootless \
	--force-depends --log=/dev/null -i "$deb"
check "dpkg calls it installed" eval \
	'dpkg --root="$ROOT" -s uplinkd | grep -E "^Status: install ok installed"'
check "the configuration is a conffile" eval \
	'dpkg --root="$ROOT" -s uplinkd | grep -E "^ /etc/uplinkd/uplinkd.conf [0-9a-f]{32}"'
check "daemon, CLI, unit and documentation are in place" test -x "$ROOT/usr/sbin/uplinkd" -a \
	-x "$ROOT/usr/bin/uplinkctl" -a -f "$ROOT/lib/systemd/system/uplinkd.service" -a \
	-f "$ROOT/usr/share/doc/uplinkd/README.md"
uid=$(awk -F: '$1 == "uplinkd" { print $3 }' "$ROOT/etc/passwd")
gid=$(awk -F: '$1 == "uplinkd" { print $3 }' "$ROOT/etc/group")
check "a system user uplinkd without a login shell (uid ${uid:-none})" eval \
	'[ -n "$uid" ] && [ "$uid" -lt 1000 ] && grep -E "^uplinkd:.*:/usr/sbin/nologin$" "$ROOT/etc/passwd"'
check "the configuration is root:uplinkd 0640" eval \
	'[ "$(stat -c %u:%g:%a "$ROOT/etc/uplinkd/uplinkd.conf")" = "0:$gid:640" ]'
unit=$ROOT/lib/systemd/system/uplinkd.service
unit_val() { sed -n "s/^$1=//p" "$unit"; }
check "the unit: Type=notify, a watchdog, User=uplinkd, -t before -f" eval \
	'[ "$(unit_val Type)" = notify ] && [ -n "$(unit_val WatchdogSec)" ] &&
	 [ "$(unit_val User)" = uplinkd ] &&
	 [[ "$(unit_val ExecStartPre)" == "/usr/sbin/uplinkd -t "* ]] &&
	 [[ "$(unit_val ExecStart)" == "/usr/sbin/uplinkd -f "* ]]'

# ---- 2. the unit's command lines, as systemd runs them ----
pre=$(unit_val ExecStartPre)
start=$(unit_val ExecStart)
caps=$(unit_val AmbientCapabilities | tr 'A-Z ' 'a-z,' | sed 's/cap_/+/g')
cat >"$ROOT/run-unit.sh" <<RUN
set -euo pipefail
mount --make-rprivate /
# the installed root over the host's /etc and /usr (the libraries stay the host's)
mount -t overlay overlay -o lowerdir=$ROOT/etc:/etc /etc
mount -t overlay overlay -o lowerdir=$ROOT/usr:/usr /usr
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /var/lib
# RuntimeDirectory= and StateDirectory=
install -d -o uplinkd -g uplinkd -m 0750 /run/uplinkd
install -d -o uplinkd -g uplinkd -m 0700 /var/lib/uplinkd
# the example configuration's interfaces
ip link set lo up
for n in 1 2; do
	ip link add wan\$n type veth peer name peer\$n
	ip addr add 100.64.\$n.2/24 dev wan\$n
	ip link set wan\$n up
	ip link set peer\$n up
done
# User=, AmbientCapabilities=, CapabilityBoundingSet=, NoNewPrivileges=; exec: same PID
as_unit() { exec setpriv --reuid=uplinkd --regid=uplinkd --init-groups --inh-caps=$caps \
	--ambient-caps=$caps --bounding-set=-all,$caps --no-new-privs -- "\$@"; }
vrc=0
systemd-analyze verify $unit >/dev/null 2>$ROOT/verify.log || vrc=\$?
echo "== verify rc \$vrc"
echo "== ExecStartPre"
(as_unit $pre)
echo "== rc 0"
python3 $here/notify_listen.py /run/notify.sock >$ROOT/notify.log &
listener=\$!
for _ in \$(seq 50); do [ -S /run/notify.sock ] && break; sleep 0.1; done
NOTIFY_SOCKET=/run/notify.sock WATCHDOG_USEC=1000000 as_unit $start </dev/null \
	>$ROOT/daemon.log 2>&1 &
daemon=\$!
echo "== pid \$daemon"
for _ in \$(seq 150); do grep -q READY=1 $ROOT/notify.log && break; sleep 0.1; done
uplinkctl -s /run/uplinkd/uplinkd.sock status --json >$ROOT/status.json
grep -E '^Cap(Eff|Amb)|^Uid' /proc/\$daemon/status
stat -c 'journal %U %a' /var/lib/uplinkd/journal.jsonl
sleep 2
kill -TERM \$daemon
rc=0
wait \$daemon || rc=\$?
echo "== daemon rc \$rc"
sleep 0.3
kill \$listener
RUN
unshare --mount --net --fork bash "$ROOT/run-unit.sh" >"$ROOT/run.log" 2>&1 && rc=0 || rc=$?
sed 's/^/#   run: /' "$ROOT/run.log"
check "the namespace run finished (exit $rc)" eval '[ $rc -eq 0 ]'
if command -v systemd-analyze >/dev/null; then
	check "systemd-analyze verify accepts the unit" eval \
		'grep -E "^== verify rc 0" "$ROOT/run.log" || { cat "$ROOT/verify.log"; false; }'
else
	ok "# SKIP no systemd-analyze"
fi
check "ExecStartPre (uplinkd -t) accepts the example configuration" grep -E "^== rc 0" "$ROOT/run.log"
check "ExecStart answers uplinkctl status as root" eval \
	'[ -s "$ROOT/status.json" ] && jq -e ".uplinks | length == 2" "$ROOT/status.json"'
check "it runs as uplinkd with CAP_NET_ADMIN and CAP_NET_RAW only" eval \
	'grep -E "^Uid:[[:space:]]+$uid[[:space:]]" "$ROOT/run.log" &&
	 grep -E "^CapEff:[[:space:]]+0000000000003000$" "$ROOT/run.log"'
check "its journal is its own, 0600" grep -E "^journal uplinkd 600$" "$ROOT/run.log"
sed 's/^/#   notify: /' "$ROOT/notify.log"
check "READY=1 once every uplink had its first verdict" \
	grep -E "READY=1\|STATUS=running; every uplink measured" "$ROOT/notify.log"
check "WATCHDOG=1 every half WATCHDOG_USEC (3 or more in 2 s)" eval \
	'[ "$(grep -c "WATCHDOG=1" "$ROOT/notify.log")" -ge 3 ]'
check "STOPPING=1 and exit 0 on SIGTERM" eval \
	'grep -E "STOPPING=1" "$ROOT/notify.log" && grep -E "^== daemon rc 0" "$ROOT/run.log"'
[ "$TAP_FAIL" -eq 0 ] || { sed 's/^/#   daemon: /' "$ROOT/daemon.log" | tail -30; exit 1; }
