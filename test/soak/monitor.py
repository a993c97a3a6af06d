#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""monitor.py: the soak's invariants, checked while the faults run (test/soak/soak.sh).

  monitor.py watch DIR PREFIX PID UPLINKCTL SOCK
      Samples until DIR/stop exists: the router's default routes every 100 ms, the daemon's
      status every second, its RSS and open descriptors every 2 s. Reads DIR/faults.log (lines
      "TS_MS on|off KIND ISP" that the lanes append) to know which carrier is broken. Every
      violation goes at once to DIR/violations.log, one line each:
        - the router has no IPv4 or IPv6 default route
        - the default route stays on a carrier with a hard fault (blackhole, carrier loss)
          longer than SOAK_BOUND_MS (default 3000) after the fault began (unless the other
          carrier is broken too, or was within RECOVER_MS: then there is nowhere to go)
        - the daemon is gone, or its status does not answer three times in a row
        - the tunnel hq stays up on a carrier that drops its ESP longer than
          SOAK_TUNNEL_BOUND_MS (10000; the stall is seen in about 4 s) without a charon restart
          or a hijack within 10 s; a retry after a hold-down is not a stay
      Samples go to DIR/samples.jsonl.
  monitor.py report DIR EVENTS HOOKS WARMUP_S
      After the run, from the journal (EVENTS, `uplinkctl events -n 1000 --json`: the
      journal's ring, which is what it keeps; journal.max_entries is 1000 by default) and the hooks' log:
        - a switch of the default route (journal "active") outside a hard fault's window
          (its start until SOAK_RECOVER_MS, default 20000, after its end) is a violation:
          noise, restarts, hijacks, floods and reloads must not move the default route
        - every uplink, active and tunnel event that reached the hooks is in the journal, in
          the same order
        - RSS and descriptors after the warm-up: the lowest value of the first and of the last
          fifth of the samples taken after WARMUP_S (lowest, so a flood in progress does not
          count; descriptors: the median), drift = last - first, within SOAK_RSS_DRIFT_KB (default 2048) and
          SOAK_FD_DRIFT (default 0)
      Prints a summary (JSON) on stdout; violations are appended to DIR/violations.log.
"""
import json
import os
import subprocess
import sys
import time

HARD = ("blackhole", "carrier")
RECOVER_MS = 14000	# schedule.py's RECOVER_S: a carrier is back that long after its fault


def now_ms():
	return int(time.time() * 1000)


class Violations:
	def __init__(self, path):
		self.f = open(path, "a", buffering=1)
		self.n = 0

	def add(self, msg):
		self.n += 1
		self.f.write("%d %s\n" % (now_ms(), msg))


def default_devs(prefix, fam):
	try:
		out = subprocess.run(["ip", "-n", prefix + "-rtr", "-j", fam, "route", "show", "default",
				      "table", "main"], capture_output=True, text=True, timeout=5).stdout
		routes = json.loads(out or "[]")
	except (subprocess.SubprocessError, ValueError):
		return None
	devs = set()
	for r in routes:
		if "dev" in r:
			devs.add(r["dev"])
		for nh in r.get("nexthops", []):
			if "dev" in nh:
				devs.add(nh["dev"])
	return devs


def proc_sample(pid):
	try:
		with open("/proc/%d/status" % pid) as f:
			rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
		fds = len(os.listdir("/proc/%d/fd" % pid))
	except (OSError, StopIteration):
		return None
	return rss, fds


def disturbed(d, t):
	"""charon restarted or a hijack steered the tunnel within the last 10 s (soak.sh)"""
	if os.path.exists(os.path.join(d, "disturb.on")):
		return True
	try:
		return t - os.path.getmtime(os.path.join(d, "disturb.last")) * 1000 < 10000
	except OSError:
		return False


def watch(d, prefix, pid, ctl, sock):
	bound = int(os.environ.get("SOAK_BOUND_MS", "3000"))
	v = Violations(os.path.join(d, "violations.log"))
	samples = open(os.path.join(d, "samples.jsonl"), "a", buffering=1)
	faults_path = os.path.join(d, "faults.log")
	active = {}		# (kind, isp) -> since_ms
	last_off = {}		# isp -> when its last hard fault ended
	reported = set()
	pos = 0
	last_status = last_proc = 0
	status_fail = 0
	no_route = {"-4": 0, "-6": 0}
	worst = 0		# longest time the default route stayed on a hard-faulted carrier
	tun_bound = int(os.environ.get("SOAK_TUNNEL_BOUND_MS", "10000"))
	tun_since = None
	worst_tun = 0
	while not os.path.exists(os.path.join(d, "stop")):
		t = now_ms()
		try:
			with open(faults_path) as f:
				f.seek(pos)
				for line in f:
					if not line.endswith("\n"):
						break
					pos += len(line)
					ts, what, kind, isp = line.split()[:4]
					if what == "on":
						active[(kind, isp)] = int(ts)
					else:
						active.pop((kind, isp), None)
						if kind in HARD:
							last_off[isp] = int(ts)
		except OSError:
			pass
		for fam in ("-4", "-6"):
			devs = default_devs(prefix, fam)
			if devs is None:
				continue
			if not devs:
				no_route[fam] += 1
				v.add("no %s default route in %s-rtr" % ("IPv4" if fam == "-4" else "IPv6",
									prefix))
				continue
			if fam != "-4":
				continue
			for (kind, isp), since in list(active.items()):
				if kind not in HARD or "wan" + isp[3:] not in devs:
					continue
				# with the other carrier broken too (or not yet back), there is nowhere
				# to go: uplinkd keeps the route, as it should
				other = "isp2" if isp == "isp1" else "isp1"
				if any(k in HARD and i == other for k, i in active) or \
				   t - last_off.get(other, 0) < RECOVER_MS:
					continue
				worst = max(worst, t - since)
				if t - since > bound and (kind, isp, since) not in reported:
					reported.add((kind, isp, since))
					v.add("the default route is still on wan%s %d ms after %s on %s "
					      "began (bound %d ms)" % (isp[3:], t - since, kind, isp, bound))
		if t - last_status >= 1000:
			last_status = t
			try:
				r = subprocess.run([ctl, "-s", sock, "status", "--json"], capture_output=True,
						   text=True, timeout=10)
				st = json.loads(r.stdout) if r.returncode == 0 else {}
				ok = st.get("uplinks") is not None
			except (subprocess.SubprocessError, ValueError):
				st, ok = {}, False
			# the tunnel on a carrier that drops its ESP: a retry after a hold-down is
			# fine, staying there is not (unless charon restarts or a hijack moved it)
			hq = [x for x in st.get("tunnels", []) if x.get("name") == "hq"]
			on = hq[0].get("uplink") if hq and hq[0].get("state") == "up" else None
			esp = active.get(("esp-drop", on)) if on else None
			if esp is None:
				tun_since = None
			else:
				tun_since = tun_since or t
				if disturbed(d, t):
					tun_since = t
				stay = t - max(tun_since, esp)
				worst_tun = max(worst_tun, stay)
				if stay > tun_bound and ("tun", esp) not in reported:
					reported.add(("tun", esp))
					v.add("tunnel hq stayed up on %s for %d ms of an ESP-only drop there "
					      "(bound %d ms)" % (on, stay, tun_bound))
			status_fail = 0 if ok else status_fail + 1
			if status_fail == 3:
				v.add("uplinkctl status failed three times in a row")
		if t - last_proc >= 2000:
			last_proc = t
			s = proc_sample(pid)
			if s is None:
				v.add("uplinkd (PID %d) is gone" % pid)
				break
			samples.write(json.dumps({"ts_ms": t, "rss_kb": s[0], "fds": s[1]}) + "\n")
		time.sleep(max(0, 0.1 - (now_ms() - t) / 1000))
	with open(os.path.join(d, "watch.json"), "w") as f:
		json.dump({"worst_on_faulted_ms": worst, "worst_tunnel_on_esp_drop_ms": worst_tun,
			   "no_route_samples": no_route}, f)


def fault_windows(d, recover):
	wins, open_ = [], {}
	with open(os.path.join(d, "faults.log")) as f:
		for line in f:
			ts, what, kind, isp = line.split()[:4]
			if kind not in HARD:
				continue
			if what == "on":
				open_[(kind, isp)] = int(ts)
			elif (kind, isp) in open_:
				wins.append((open_.pop((kind, isp)), int(ts) + recover, kind, isp))
	for (kind, isp), since in open_.items():
		wins.append((since, 1 << 62, kind, isp))
	return wins


def drift(vals, pick=min):
	n = max(1, len(vals) // 5)
	return pick(vals[:n]), pick(vals[-n:])


def median(vals):
	return sorted(vals)[len(vals) // 2]


def report(d, events_path, hooks_path, warmup_s):
	recover = int(os.environ.get("SOAK_RECOVER_MS", "20000"))
	rss_max = int(os.environ.get("SOAK_RSS_DRIFT_KB", "2048"))
	fd_max = int(os.environ.get("SOAK_FD_DRIFT", "0"))
	v = Violations(os.path.join(d, "violations.log"))
	with open(os.path.join(d, "start_ms")) as f:
		start = int(f.read())
	with open(events_path) as f:	# `uplinkctl events -n 1000 --json`: what the journal keeps
		events = json.load(f)
	wins = fault_windows(d, recover)
	switches = 0
	for e in events:
		if e.get("type") != "active" or e["ts_ms"] < start:
			continue
		switches += 1
		if not any(a <= e["ts_ms"] <= b for a, b, _, _ in wins):
			v.add("switch to %s at +%.1f s with no hard fault in the %d ms before: %s" %
			      (e.get("new"), (e["ts_ms"] - start) / 1000, recover, e.get("reason")))
	kinds = ("uplink", "active", "tunnel")
	journal = ["%s %s %s %s" % (e["type"], e.get("object") or "", e.get("old") or "",
				     e.get("new") or "") for e in events if e.get("type") in kinds]
	with open(hooks_path) as f:
		hooks = [l.rstrip() for l in f if l.split(" ", 1)[0] in kinds]
	journal = [j.rstrip() for j in journal]
	# The hooks' log was read first: all it holds must be in the journal, in order; after the
	# quiet end the hooks have caught up and the two are equal. The journal keeps its newest
	# journal_max entries: with that many, compare the part both still hold.
	quiet = os.path.exists(os.path.join(d, "quiet"))
	if len(journal) >= 900 and len(hooks) > len(journal):
		ok = hooks[-len(journal):] == journal
	elif quiet:
		ok = journal == hooks
	else:
		ok = journal[:len(hooks)] == hooks
	if not ok:
		missing = [h for h in hooks if h not in journal][:5]
		v.add("the journal does not hold every uplink/active/tunnel event the hooks saw, in "
		      "order (%d in the hooks' log, %d in the journal; first missing: %s)" %
		      (len(hooks), len(journal), missing))
	samples = []
	with open(os.path.join(d, "samples.jsonl")) as f:
		for l in f:
			s = json.loads(l)
			if s["ts_ms"] >= start + warmup_s * 1000:
				samples.append(s)
	out = {"switches": switches, "hook_events": len(hooks), "journal_events": len(journal)}
	if len(samples) >= 2:
		r0, r1 = drift([s["rss_kb"] for s in samples])
		# descriptors dip as well as rise (charon restarted: the VICI socket is closed until
		# the reconnect), so their resting value is the median, not the lowest
		f0, f1 = drift([s["fds"] for s in samples], median)
		out.update(rss_kb=[r0, r1], rss_drift_kb=r1 - r0, fds=[f0, f1], fd_drift=f1 - f0,
			   rss_peak_kb=max(s["rss_kb"] for s in samples), samples=len(samples))
		if r1 - r0 > rss_max:
			v.add("RSS grew by %d KiB after the warm-up (%d -> %d; bound %d KiB)" %
			      (r1 - r0, r0, r1, rss_max))
		if f1 - f0 > fd_max:
			v.add("open descriptors grew by %d after the warm-up (%d -> %d; bound %d)" %
			      (f1 - f0, f0, f1, fd_max))
	elif v.n == 0 and os.path.getsize(os.path.join(d, "violations.log")) == 0:
		v.add("too few RSS/descriptor samples after the warm-up (%d)" % len(samples))
	try:
		with open(os.path.join(d, "watch.json")) as f:
			out.update(json.load(f))
	except OSError:
		pass
	print(json.dumps(out))


def main():
	if len(sys.argv) == 7 and sys.argv[1] == "watch":
		watch(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], sys.argv[6])
	elif len(sys.argv) == 6 and sys.argv[1] == "report":
		report(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
	else:
		sys.exit(__doc__)


if __name__ == "__main__":
	main()
