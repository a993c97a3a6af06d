#!/usr/bin/python3
"""notify_listen.py PATH: a stand-in for systemd's notify socket. Prints every datagram
received on the unix socket PATH as one line, "<seconds since start> <fields joined by |>",
flushed at once, until killed."""
import os
import socket
import sys
import time

path = sys.argv[1]
try:
    os.unlink(path)
except FileNotFoundError:
    pass
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o777)  # the daemon sends as its own user
t0 = time.monotonic()
while True:
    msg = s.recv(4096).decode("utf-8", "replace")
    print("%.3f %s" % (time.monotonic() - t0, msg.replace("\n", "|")), flush=True)
