#!/usr/bin/env python3
"""Soak test: mixed Runs API traffic from wrk (bench/soak/mixed.lua) against tfe-server.

    soak.py --server PATH [--rounds 3] [--duration 120s] [--workspaces 400] [--threads 2]
            [--connections 32] [--workers 2] [--sanitized]

Starts tfe-server (--seed 1, 10 ms plans and applies), then for each round: resets the engine
(POST /_tfe/reset; not before the first round), creates an organization and WORKSPACES workspaces
(every other one with auto-apply) with an uploaded configuration version each, runs wrk for DURATION
and samples the server's RSS every 2 s. After the last round (after every round with
--check-every-round) it reads the engine's snapshot and checks its invariants; the snapshot of a
hundred thousand runs is a large transient allocation, so the RSS figures of rounds after a check
show the allocator's retained pages rather than the engine's. Prints one Markdown table row per round and fails (exit 1) when:

  - a response has a status other than 200, 201, 202 or 409, or wrk reports socket errors;
  - a 409 came from anything but an apply or discard (creates, reads and lists never conflict);
  - an invariant is broken: a workspace with two unfinished runs outside its queue, an active run
    that is finished or belongs elsewhere, a queued run that is not pending or not its own, or the
    engine keeps fewer runs than were answered 201 (or more than were sent). (Plan and apply statuses are
    derived from the run's; fuzz/api_handle.cpp checks them after every request.)
  - the server exits non-zero when stopped, or (--sanitized, a TSan or ASan build) its stderr holds a
    sanitizer report (LeakSanitizer's leak check runs at that exit).

RSS: the engine keeps every run (as TFE keeps run history), so memory grows with the runs created
in a round; a reset frees them. The rounds show whether that memory is reused: RSS at the end of
rounds 2 and 3 should stay close to round 1's (a leak would add its growth again every round).
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
OK = {200, 201, 202, 409}
FINISHED = {"applied", "discarded", "errored", "canceled", "force_canceled", "planned_and_finished",
            "planned_and_saved", "policy_soft_failed"}


def duration_seconds(text):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", text)
    if not m:
        raise SystemExit(f"soak: bad duration {text!r}")
    n = int(m.group(1))
    return {"ms": n / 1000, "s": n, None: n, "m": n * 60}[m.group(2)]


class Server:
    def __init__(self, path, workers, sanitized, work):
        self.err_path = os.path.join(work, "server.err")
        args = [path, "--seed", "1", "--workers", str(workers), "--plan-duration", "10ms",
                "--apply-duration", "10ms", "--max-connections", "4096"]
        env = dict(os.environ)
        if sanitized:  # report everything, exit non-zero at the end if anything was reported
            env.setdefault("TSAN_OPTIONS", "halt_on_error=0 exitcode=66 second_deadlock_stack=1")
            env.setdefault("ASAN_OPTIONS", "detect_leaks=1 exitcode=66")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=open(self.err_path, "wb"),
                                     env=env, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.fullmatch(r"listening on (http://[\d.]+:\d+)", line)
        if not m:
            raise SystemExit(f"soak: tfe-server did not start: {line!r}\n{self.stderr()}")
        self.base = m.group(1)

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def call(self, method, path, doc=None, data=None, ok=(200, 201, 202, 204)):
        body = data if data is not None else (json.dumps(doc).encode() if doc is not None else None)
        url = path if path.startswith("http") else self.base + path
        req = urllib.request.Request(url, data=body, method=method)
        req.add_header("Content-Type", "application/octet-stream" if data is not None
                       else "application/vnd.api+json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        if status not in ok:
            raise SystemExit(f"soak: {method} {path} answered {status}: {text[:300]!r}")
        return json.loads(text) if text else None

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def set_up(server, workspaces, path):
    """An organization and its workspaces, each with an uploaded configuration version."""
    server.call("POST", "/api/v2/organizations",
                {"data": {"type": "organizations", "attributes": {"name": "soak", "email": "soak@example.com"}}})
    ids = []
    for i in range(workspaces):
        ws = server.call("POST", "/api/v2/organizations/soak/workspaces",
                         {"data": {"type": "workspaces",
                                   "attributes": {"name": f"ws-{i}", "auto-apply": i % 2 == 1}}})["data"]["id"]
        cv = server.call("POST", f"/api/v2/workspaces/{ws}/configuration-versions",
                         {"data": {"type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
        server.call("PUT", cv["data"]["attributes"]["upload-url"], data=b"\x1f\x8b\x08\x00main.tf")
        ids.append(ws)
    with open(path, "w") as f:
        f.write("\n".join(ids) + "\n")


def check_invariants(snapshot):
    """Returns a list of broken invariants in a /_tfe/snapshot document (empty when all hold)."""
    problems = []
    runs = {r["id"]: r for r in snapshot.get("runs", [])}
    unfinished_outside = {}
    queued = set()
    for ws in snapshot.get("workspaces", []):
        for rid in ws.get("queue", []):
            queued.add(rid)
            r = runs.get(rid)
            if r is None or r.get("status") != "pending" or r.get("workspace") != ws["id"]:
                problems.append(f"{ws['id']}: queued run {rid} is {r and r.get('status')}")
        active = ws.get("active-run") or ws.get("active_run")
        if active:
            r = runs.get(active)
            if r is None or r.get("status") in FINISHED or r.get("workspace") != ws["id"]:
                problems.append(f"{ws['id']}: active run {active} is {r and r.get('status')}")
    for r in runs.values():
        st = r.get("status")
        if st not in FINISHED and st != "pending" and r["id"] not in queued:
            unfinished_outside.setdefault(r.get("workspace"), []).append(r["id"])
    for ws, ids in unfinished_outside.items():
        if len(ids) > 1:
            problems.append(f"{ws}: {len(ids)} unfinished runs outside the queue: {ids[:4]}")
    return problems


def run_wrk(server, args, ws_file):
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}", "--latency",
           "--timeout", "10s", "-s", os.path.join(HERE, "mixed.lua"), server.base, "--", ws_file]
    samples = []
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            samples.append(server.rss_kib())
            stop.wait(2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    out = subprocess.run(cmd, capture_output=True, text=True)
    stop.set()
    sampler.join()
    if out.returncode != 0:
        raise SystemExit(f"soak: wrk failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout, samples


def latency_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--duration", default="120s")
    p.add_argument("--workspaces", type=int, default=400)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--check-every-round", action="store_true", help="check invariants after every round")
    p.add_argument("--sanitized", action="store_true", help="a TSan or ASan build: fail on any report")
    args = p.parse_args()
    duration_seconds(args.duration)

    work = tempfile.mkdtemp(prefix="tfe-soak.")
    ws_file = os.path.join(work, "workspaces")
    server = Server(args.server, args.workers, args.sanitized, work)
    failures = []
    print(f"soak: tfe-server {server.base}, {args.rounds} rounds of {args.duration}, {args.workspaces} "
          f"workspaces, wrk -t{args.threads} -c{args.connections}, --workers {args.workers}", flush=True)
    print("| Round | Requests | Requests/s | p50 | p99 | Runs created | Applied | Discarded | 409s | "
          "Other errors | RSS start → end | Growth per run |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    try:
        for rnd in range(1, args.rounds + 1):
            if rnd > 1:
                server.call("POST", "/_tfe/reset")
            set_up(server, args.workspaces, ws_file)
            rss_start = server.rss_kib()
            out, samples = run_wrk(server, args, ws_file)
            rss_end = server.rss_kib()
            statuses = {int(c): int(n) for c, n in re.findall(r"^soak-status (\d+) (\d+)$", out, re.M)}
            acts = {a: int(n) for a, n in re.findall(r"^soak-action (\S+) (\d+)$", out, re.M)}
            total = int(re.search(r"(\d+) requests in", out).group(1))
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            p50 = latency_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
            p99 = latency_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
            socket_errors = re.search(r"Socket errors: (.*)", out)
            bad = {c: n for c, n in statuses.items() if c not in OK}
            conflicts = statuses.get(409, 0)
            may_conflict = sum(acts.get(a, 0) for a in ("apply", "discard", "stale-apply", "stale-discard"))
            created = acts.get("create", 0)
            applies = discards = finished = "–"
            problems = []
            if args.check_every_round or rnd == args.rounds:
                snapshot = server.call("GET", "/_tfe/snapshot")
                problems = check_invariants(snapshot)
                runs = snapshot.get("runs", [])
                # Creates still in flight when wrk stopped may have been made without their 201 read.
                if not statuses.get(201, 0) <= len(runs) <= created:
                    problems.append(f"{len(runs)} runs kept, {statuses.get(201, 0)} created")
                finished = f"{sum(1 for r in runs if r.get('status') in FINISHED)}/{len(runs)}"
                applies = sum(1 for r in runs if r.get("status") == "applied")
                discards = sum(1 for r in runs if r.get("status") == "discarded")
                del snapshot, runs
            growth = (rss_end - rss_start) * 1024 / max(created, 1)
            print(f"| {rnd} | {total} | {rps:.0f} | {p50:.2f} ms | {p99:.2f} ms | {created} | "
                  f"{applies} | {discards} | {conflicts} | {sum(bad.values())} | "
                  f"{rss_start / 1024:.0f} → {rss_end / 1024:.0f} MiB | {growth:.0f} B |", flush=True)
            with open(os.path.join(work, f"wrk-{rnd}.txt"), "w") as f:
                f.write(out)
            detail = (f"round {rnd}: statuses {dict(sorted(statuses.items()))}, actions {dict(sorted(acts.items()))}, "
                      f"runs finished {finished}, RSS samples (MiB) "
                      f"{[round(s / 1024) for s in samples[:: max(1, len(samples) // 12)]]}")
            print("  " + detail, file=sys.stderr, flush=True)
            if bad:
                failures.append(f"round {rnd}: unexpected statuses {bad}")
            if socket_errors:
                failures.append(f"round {rnd}: socket errors: {socket_errors.group(1)}")
            if conflicts > may_conflict:
                failures.append(f"round {rnd}: {conflicts} 409s but only {may_conflict} actions could conflict")
            if problems:
                failures.append(f"round {rnd}: invariants broken: {problems[:5]}")
            if server.proc.poll() is not None:
                failures.append(f"tfe-server exited with {server.proc.returncode}")
                break
    finally:
        code = server.stop()
    err = server.stderr()
    if args.sanitized and re.search(r"(Thread|Address|Leak|UndefinedBehavior)Sanitizer|runtime error:", err):
        failures.append("sanitizer reports:\n" + err[:4000])
    if code != 0:
        failures.append(f"tfe-server exited with status {code}:\n{err[-2000:]}")
    for f in failures:
        print("soak: FAIL " + f, file=sys.stderr)
    if failures:
        print(f"soak: wrk outputs and the server's stderr are in {work}", file=sys.stderr)
        return 1
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
