#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""schedule.py SEED SECONDS: the soak's fault schedule, the same for the same seed and length.

Two lanes run side by side, each a list of "LANE AT_S KIND ARGS..." lines (AT_S from the start
of the soak, in seconds):

  net  one fault on the carriers at a time: blackhole, carrier loss, ESP-only drop (hard faults,
       followed by a quiet gap long enough for the uplink to come back after its hold-down), and
       loss or delay/jitter (noise, which must cause no switch)
  ctl  everything else, one after the other: charon and gobgpd restarts, hijacks announced and
       withdrawn, BMP garbage and floods from the allowed router, BMP connections from a
       disallowed one, web clients flooding, reloads with valid and invalid files, SIGHUP storms

Each lane walks its kinds in rounds, every round a seeded permutation of all of them, so even a
short soak injects every kind. The ctl lane opens with a BMP flood and a web flood so that the
daemon's memory has seen its heaviest load before the warm-up ends.
"""
import random
import sys

RECOVER_S = 14	# after a hard fault: up_after 5 x 200 ms, hold_down_s 5, settle, slack

NET = ["blackhole", "carrier", "esp-drop", "loss", "delay"]
CTL = ["charon-restart", "gobgpd-restart", "hijack", "bmp-garbage", "bmp-flood", "stranger",
       "web-flood", "reload-valid", "reload-invalid", "sighup-storm"]


def net_lane(rng, seconds, out):
	t = 8.0
	while True:
		kinds = NET[:]
		rng.shuffle(kinds)
		for k in kinds:
			isp = rng.choice(["isp1", "isp2"])
			if k == "blackhole":
				dur = rng.randint(3, 8)
				args, gap = [isp, str(dur)], dur + RECOVER_S
			elif k == "carrier":
				dur = rng.randint(2, 6)
				args, gap = [isp, str(dur)], dur + RECOVER_S
			elif k == "esp-drop":
				dur = rng.randint(8, 16)
				args, gap = [isp, str(dur)], dur + 8
			elif k == "loss":
				dur = rng.randint(8, 20)
				args, gap = [isp, str(rng.randint(1, 3)), str(dur)], dur + 2
			else:
				dur = rng.randint(8, 20)
				args = [isp, str(rng.randint(2, 40)), str(rng.randint(0, 30)), str(dur)]
				gap = dur + 2
			if t + gap > seconds:
				return
			out.append((t, "net", k, args))
			t += gap


def ctl_lane(rng, seconds, out):
	t = 2.0
	first = True
	while True:
		kinds = CTL[:]
		rng.shuffle(kinds)
		if first:	# the heaviest load first, inside the warm-up
			kinds.remove("bmp-flood")
			kinds.remove("web-flood")
			kinds = ["bmp-flood", "web-flood"] + kinds
			first = False
		for k in kinds:
			if k == "charon-restart":
				args, took = [rng.choice(["rtr", "site"])], 6
			elif k == "gobgpd-restart":
				args, took = [rng.choice(["rtr", "isp1", "isp2"])], 6
			elif k == "hijack":
				dur = rng.randint(4, 12)
				args, took = [rng.choice(["isp1", "isp2"]), str(dur)], dur + 2
			elif k == "bmp-garbage":
				args, took = [rng.choice(["after-init", "raw"])], 2
			elif k == "bmp-flood":
				args, took = [str(rng.randint(10, 50) * 1000), str(rng.randint(10, 50) * 1000)], 12
			elif k == "stranger":
				dur = rng.randint(3, 8)
				args, took = [str(dur)], dur + 1
			elif k == "web-flood":
				dur = rng.randint(3, 8)
				args, took = [str(dur)], dur + 2
			elif k == "reload-invalid":	# which mistake the file gets
				args, took = [rng.choice(["syntax", "range", "unknown-key"])], 3
			elif k == "sighup-storm":
				args, took = [str(rng.randint(10, 50))], 3
			else:
				args, took = [], 3
			gap = took + rng.randint(1, 6)
			if t + took > seconds:
				return
			out.append((t, "ctl", k, args))
			t += gap


def main():
	if len(sys.argv) != 3:
		sys.exit("usage: schedule.py SEED SECONDS")
	seed, seconds = int(sys.argv[1]), int(sys.argv[2])
	rng = random.Random(seed)
	out = []
	net_lane(random.Random(rng.getrandbits(64)), seconds, out)
	ctl_lane(random.Random(rng.getrandbits(64)), seconds, out)
	for t, lane, kind, args in sorted(out, key=lambda e: (e[0], e[1])):
		print(lane, "%.1f" % t, kind, *args)


if __name__ == "__main__":
	main()
