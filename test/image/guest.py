#!/usr/bin/python3
"""guest.py SOCKET [--timeout S] CMD - run CMD in the image lab's guest and print its output.

The guest's /sbin/guest-agent reads one base64 line per command on its second serial port
(qemu: -serial unix:SOCKET,server) and answers with the output, then "@@RC=<status>@@".
Exit status: the command's; 124 on timeout; 125 when the guest cannot be reached.
"""
import base64
import re
import socket
import sys
import time


def main():
    args = sys.argv[1:]
    timeout = 30.0
    if len(args) >= 3 and args[1] == "--timeout":
        timeout = float(args[2])
        del args[1:3]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, cmd = args[0], " ".join(args[1:])
    end = time.monotonic() + timeout
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:
        try:
            s.connect(path)
            break
        except OSError as e:
            if time.monotonic() > end:
                print(f"guest.py: cannot reach the guest at {path}: {e}", file=sys.stderr)
                return 125
            time.sleep(0.1)
    # a marker per call, so output left over from an earlier, timed-out call is skipped
    tag = "%x" % int(time.monotonic_ns())
    line = base64.b64encode(f"echo @@BEGIN-{tag}@@; {cmd}".encode()).decode()
    s.sendall(line.encode() + b"\n")
    buf = b""
    pat = re.compile(rb"@@BEGIN-" + tag.encode() + rb"@@\n(.*?)@@RC=(\d+)@@", re.S)
    while True:
        m = pat.search(buf)
        if m:
            sys.stdout.buffer.write(m.group(1))
            return int(m.group(2))
        left = end - time.monotonic()
        if left <= 0:
            sys.stdout.buffer.write(buf)
            print(f"guest.py: no answer within {timeout:g} s: {cmd}", file=sys.stderr)
            return 124
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            print("guest.py: the guest closed the channel", file=sys.stderr)
            return 125
        buf += chunk


if __name__ == "__main__":
    sys.exit(main())
