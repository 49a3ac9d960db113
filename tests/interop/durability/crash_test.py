#!/usr/bin/env python3
"""tfe-server --data-dir under kill -9: every write that got a 2xx answer survives, exactly once.

Usage: crash_test.py TFE_SERVER_BIN [ROUNDS]

Each round starts tfe-server on the same data directory, runs a mixed load (create runs, apply,
discard) from four threads, kills the server with SIGKILL at a random moment, restarts it and checks:
every acknowledged run exists once (unique messages), acknowledged applies and discards took effect,
the queues are consistent, and runs caught mid-plan finish planning after the restart. Also checked:
a second server on the same directory is refused, and a torn journal tail is reported and dropped."""
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

SERVER = sys.argv[1]
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 8
rng = random.Random(20261128)
failures = []


def check(cond, what):
    if not cond:
        print("FAIL " + what)
        failures.append(what)


def start(data_dir, *extra):
    p = subprocess.Popen([SERVER, "--port", "0", "--data-dir", data_dir, "--plan-duration", "150ms", *extra],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        raise SystemExit("tfe-server did not start: " + line + " " + p.stderr.read())
    return p, int(line.rsplit(":", 1)[1])


def call(port, method, path, body=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=None if body is None else json.dumps(body),
                  headers={"Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"})
        r = c.getresponse()
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)
    finally:
        c.close()


def setup(port, workspaces):
    call(port, "POST", "/api/v2/organizations", {"data": {"type": "organizations", "attributes": {
        "name": "acme", "email": "a@b.test", "cost-estimation-enabled": False}}})
    ids = []
    for i in range(workspaces):
        st, ws = call(port, "POST", "/api/v2/organizations/acme/workspaces",
                      {"data": {"type": "workspaces", "attributes": {"name": f"w{i}"}}})
        assert st == 201, st
        ws_id = ws["data"]["id"]
        st, cv = call(port, "POST", f"/api/v2/workspaces/{ws_id}/configuration-versions",
                      {"data": {"type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
        url = cv["data"]["attributes"]["upload-url"]
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("PUT", url[url.index("/", 8):], body=b"\x1f\x8bconfig", headers={"Content-Type": "application/octet-stream"})
        assert c.getresponse().status == 200
        c.close()
        ids.append(ws_id)
    return ids


class Ledger:
    """What the server acknowledged (2xx), across rounds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.created = {}     # run id -> message
        self.by_workspace = {}  # workspace id -> run ids in creation order
        self.applied = set()
        self.discarded = set()


def load(port, workspaces, ledger, stop, tag):
    n = 0
    while not stop.is_set():
        n += 1
        ws = rng.choice(workspaces)
        try:
            op = rng.random()
            if op < 0.5:
                msg = f"{tag}-{n}"
                st, doc = call(port, "POST", "/api/v2/runs", {"data": {"type": "runs", "attributes": {"message": msg},
                    "relationships": {"workspace": {"data": {"type": "workspaces", "id": ws}}}}})
                if st == 201:
                    with ledger.lock:
                        ledger.created[doc["data"]["id"]] = msg
                        ledger.by_workspace.setdefault(ws, []).append(doc["data"]["id"])
            else:
                action = "apply" if op < 0.8 else "discard"
                with ledger.lock:
                    open_runs = [r for r in ledger.by_workspace.get(ws, [])
                                 if r not in ledger.applied and r not in ledger.discarded]
                if not open_runs:
                    continue
                # apply the workspace's oldest open run (likely planned); discard any
                run = open_runs[0] if action == "apply" else rng.choice(open_runs)
                st, _ = call(port, "POST", f"/api/v2/runs/{run}/actions/{action}", {"comment": tag})
                if st == 202:
                    with ledger.lock:
                        (ledger.applied if action == "apply" else ledger.discarded).add(run)
        except (OSError, http.client.HTTPException):
            return  # the server died


def all_runs(port, ws):
    out, page = [], 1
    while True:
        st, doc = call(port, "GET", f"/api/v2/workspaces/{ws}/runs?page%5Bsize%5D=100&page%5Bnumber%5D={page}")
        assert st == 200, st
        out += doc["data"]
        if not doc["meta"]["pagination"]["next-page"]:
            return out
        page += 1


def verify(port, workspaces, ledger, round_no):
    seen = {}
    for ws in workspaces:
        for r in all_runs(port, ws):
            msg = r["attributes"]["message"]
            check(msg not in seen, f"round {round_no}: run message {msg} appears twice")
            seen[msg] = r
    by_id = {r["id"]: r for r in seen.values()}
    for run_id, msg in ledger.created.items():
        check(run_id in by_id and by_id[run_id]["attributes"]["message"] == msg,
              f"round {round_no}: acknowledged run {run_id} ({msg}) is missing")
    for run_id in ledger.applied:
        st = by_id.get(run_id, {}).get("attributes", {}).get("status")
        check(st in ("confirmed", "apply_queued", "applying", "applied"),
              f"round {round_no}: acknowledged apply of {run_id} lost (status {st})")
    for run_id in ledger.discarded:
        st = by_id.get(run_id, {}).get("attributes", {}).get("status")
        check(st == "discarded", f"round {round_no}: acknowledged discard of {run_id} lost (status {st})")
    # the engine's own view: one active run per workspace at most, queues of pending runs
    st, snap = call(port, "GET", "/_tfe/snapshot")
    runs = {r["id"]: r for r in snap["runs"]}
    for w in snap["workspaces"]:
        if w["active-run"]:
            check(runs[w["active-run"]]["status"] not in ("applied", "discarded", "errored", "canceled"),
                  f"round {round_no}: workspace {w['name']} held by a finished run")
        for q in w["queue"]:
            check(runs[q]["status"] == "pending", f"round {round_no}: queued run {q} is {runs[q]['status']}")
    return snap


def main():
    data = tempfile.mkdtemp(prefix="tfe-crash-")
    ledger = Ledger()
    server, port = start(data)
    workspaces = setup(port, 6)
    # a second server on the same directory is refused
    p = subprocess.run([SERVER, "--port", "0", "--data-dir", data], capture_output=True, text=True, timeout=30)
    check(p.returncode == 1 and "in use" in p.stderr, "a second server on the same data directory is refused")
    for round_no in range(1, ROUNDS + 1):
        stop = threading.Event()
        threads = [threading.Thread(target=load, args=(port, workspaces, ledger, stop, f"r{round_no}t{t}"))
                   for t in range(4)]
        for t in threads:
            t.start()
        time.sleep(rng.uniform(0.2, 0.8))
        server.send_signal(signal.SIGKILL)
        server.wait()
        stop.set()
        for t in threads:
            t.join()
        server.stdout.close()
        server.stderr.close()
        server, port = start(data)
        first = call(port, "GET", "/_tfe/snapshot")[1]  # at once, before re-started plans finish
        mid = [r["id"] for r in first["runs"] if r["status"] in ("plan_queued", "planning")]
        verify(port, workspaces, ledger, round_no)
        print(f"round {round_no}: {len(ledger.created)} runs acknowledged, {len(ledger.applied)} applies, "
              f"{len(ledger.discarded)} discards; {len(mid)} runs caught mid-plan")
        # runs caught mid-plan plan again after the restart and finish
        deadline = time.time() + 20
        while mid and time.time() < deadline:
            mid = [r for r in mid if call(port, "GET", f"/api/v2/runs/{r}")[1]["data"]["attributes"]["status"]
                   in ("plan_queued", "planning")]
            time.sleep(0.05)
        check(not mid, f"round {round_no}: runs still planning after restart: {mid}")
    # a torn tail: garbage appended to a journal is reported and dropped, the state kept
    server.terminate()
    check(server.wait(timeout=30) == 0, "graceful stop exits 0")
    server.stdout.close()
    server.stderr.close()
    with open(os.path.join(data, "shard-00.journal"), "ab") as f:
        f.write(b"\x40\x00\x00\x00garbage")
    server, port = start(data)
    report = ""
    verify(port, workspaces, ledger, "torn")
    server.terminate()
    server.wait(timeout=30)
    report = server.stderr.read()
    check("torn record" in report and "dropped" in report, "a torn tail is reported: " + report.strip())
    print(f"crash test: {ROUNDS} kill -9 rounds, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
