#!/bin/bash
# t_arm64.sh IMAGE_DIR - the arm64 board's image (make image BOARD=nanopi-r4s: uplinkd
# cross-built, Debian's arm64 kernel and packages) boots under qemu-system-aarch64 -M virt
# (software emulation, no KVM, no NIC: the R4S's ports are not there) far enough for uplinkd
# to answer `uplinkctl status`, as user uplinkd with only NET_ADMIN and NET_RAW. The guest's
# console is the PL011 (console=ttyAMA0 instead of the board's ttyS2); the board's inittab
# gives a shell on it, which this test drives. TAP output; the boot is timed.
set -euo pipefail
IMG=${1:-build/image/nanopi-r4s}
TIMEOUT=${ARM64_BOOT_TIMEOUT:-240}
for f in vmlinuz rootfs.cpio.gz; do
	[ -f "$IMG/$f" ] || { echo "t_arm64: $IMG/$f missing: make image BOARD=nanopi-r4s" >&2; exit 1; }
done
command -v qemu-system-aarch64 >/dev/null || { echo "t_arm64: qemu-system-aarch64 missing: make deps" >&2; exit 1; }
LOG=$IMG/t_arm64.console.log
echo "1..3"
exec python3 - "$IMG" "$TIMEOUT" "$LOG" <<'PY'
import os, select, subprocess, sys, time
img, timeout, logpath = sys.argv[1], float(sys.argv[2]), sys.argv[3]
cmdline = open(img + "/cmdline").read().split()
cmdline = [w for w in cmdline if not w.startswith("console=")] + ["console=ttyAMA0"]
argv = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-m", "512", "-smp", "1",
        "-nodefaults", "-no-user-config", "-display", "none", "-serial", "stdio",
        "-kernel", img + "/vmlinuz", "-initrd", img + "/rootfs.cpio.gz",
        "-append", " ".join(cmdline)]
log = open(logpath, "wb")
t0 = time.monotonic()
q = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
buf = b""
def expect(marker, deadline, after=b""):
    """read the console until marker (bytes) appears (after `after`); True if before deadline"""
    global buf
    while marker not in buf[buf.find(after):] if after in buf else True:
        left = deadline - time.monotonic()
        if left <= 0 or q.poll() is not None:
            return False
        r, _, _ = select.select([q.stdout], [], [], min(left, 1.0))
        if r:
            d = os.read(q.stdout.fileno(), 65536)
            if not d:
                return False
            log.write(d); log.flush()
            buf += d
    return True
def send(cmd):
    q.stdin.write(cmd.encode() + b"\n"); q.stdin.flush()
def tap(ok, what, why=""):
    print(("ok" if ok else "not ok") + " - " + what)
    if not ok and why:
        print("# " + why)
    return ok
fail = 0
try:
    deadline = t0 + timeout
    up = expect(b"rcS: up at", deadline)
    t_rcs = time.monotonic() - t0
    if not tap(up, "arm64 image boots to the end of rcS (%.1f s)" % t_rcs,
               "no 'rcS: up' within %.0f s; console: %s" % (timeout, logpath)):
        sys.exit(1)
    # the shell on the console: poll until uplinkd answers (it starts in the background)
    answered = False
    while time.monotonic() < deadline and not answered:
        buf = b""
        # (ST""X: the echoed command line does not match what it prints)
        send('uplinkctl status >/tmp/st 2>&1; echo ST""X-$?-END; head -c 600 /tmp/st')
        if expect(b"-END", min(deadline, time.monotonic() + 20), b"STX-"):
            answered = b"STX-0-END" in buf
        if not answered:
            time.sleep(1)
    t_st = time.monotonic() - t0
    expect(b"\n#", time.monotonic() + 5)
    out = buf.decode(errors="replace")
    if not tap(answered, "uplinkd answers uplinkctl status in the arm64 guest (%.1f s after start)" % t_st,
               "console: " + logpath):
        fail = 1
    for line in out[out.find("STX-"):].splitlines()[:8]:
        print("#   " + line.rstrip())
    buf = b""
    send("p=$(cat /run/uplinkd.pid); echo I\"\"DX-$(awk '/^Uid:/{print $2}' /proc/$p/status)-$(awk '/^CapEff:/{print $2}' /proc/$p/status)-$(uname -m)-END")
    expect(b"-END", time.monotonic() + 20, b"IDX-")
    import re
    m = re.search(rb"IDX-(\d+)-([0-9a-f]+)-(\w+)-END", buf)
    # CAP_NET_ADMIN (12) and CAP_NET_RAW (13)
    good = bool(m) and m.group(1) != b"0" and int(m.group(2), 16) == (1 << 12) | (1 << 13) and m.group(3) == b"aarch64"
    if not tap(good, "the daemon runs as a user, not root, with CapEff NET_ADMIN+NET_RAW, on aarch64",
               "got %r" % (m.group(0) if m else buf[-200:])):
        fail = 1
    print("# arm64 boot (TCG): rcS done %.1f s, status answered %.1f s after qemu started" % (t_rcs, t_st))
finally:
    q.kill()
    q.wait()
sys.exit(fail)
PY
