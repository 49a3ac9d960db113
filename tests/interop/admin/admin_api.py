#!/usr/bin/env python3
"""The admin API of tfe-server over real HTTP: every control of docs/testing.md, the access rules,
--snapshot FILE, and transport faults (drop, truncate, latency) on the wire.

Usage: admin_api.py TFE_SERVER_BIN. Starts its own servers on loopback; exit 0 when all checks pass."""
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile

SERVER = sys.argv[1]
ADMIN = {"Authorization": "Bearer admin-secret"}
API = {"Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([SERVER, "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on http://"):
            raise SystemExit("tfe-server did not start: " + line + self.proc.stderr.read())
        host_port = line[len("listening on http://"):]
        self.host, self.port = host_port.rsplit(":", 1)[0], int(host_port.rsplit(":", 1)[1])

    def call(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection(self.host, self.port, timeout=30)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        c.request(method, path, body=data, headers=headers or {})
        r = c.getresponse()
        raw = r.read()
        c.close()
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return r.status, r, doc

    def admin(self, method, path, body=None):
        return self.call(method, path, body, ADMIN)

    def api(self, method, path, body=None):
        return self.call(method, path, body, API)

    def stop(self):
        self.proc.terminate()
        code = self.proc.wait(timeout=30)
        check(code == 0, "tfe-server exits 0 on SIGTERM")


def setup(s):
    check(s.admin("POST", "/_tfe/reset")[0] == 204, "reset")
    s.api("POST", "/api/v2/organizations",
          {"data": {"type": "organizations", "attributes": {"name": "acme", "email": "a@b.test",
                                                            "cost-estimation-enabled": False}}})
    _, _, ws = s.api("POST", "/api/v2/organizations/acme/workspaces",
                     {"data": {"type": "workspaces", "attributes": {"name": "prod"}}})
    ws_id = ws["data"]["id"]
    _, _, cv = s.api("POST", f"/api/v2/workspaces/{ws_id}/configuration-versions",
                     {"data": {"type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
    url = cv["data"]["attributes"]["upload-url"]
    s.call("PUT", url[url.index("/", 8):], b"\x1f\x8btarball", {"Content-Type": "application/octet-stream"})
    return ws_id


def new_run(s, ws_id):
    st, _, run = s.api("POST", "/api/v2/runs", {"data": {"type": "runs", "relationships": {
        "workspace": {"data": {"type": "workspaces", "id": ws_id}}}}})
    assert st == 201, st
    return run["data"]["id"]


def status(s, run_id):
    return s.api("GET", f"/api/v2/runs/{run_id}")[2]["data"]["attributes"]["status"]


def raw_exchange(s, request):
    """Sends raw bytes, returns everything received until the server closes."""
    with socket.create_connection((s.host, s.port), timeout=30) as sock:
        sock.sendall(request)
        got = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return got
            got += chunk


def main():
    s = Server("--manual-clock", "--seed", "7", "--admin-token", "admin-secret", "--plan-duration", "20s")
    try:
        # access
        check(s.call("GET", "/_tfe/snapshot")[0] == 401, "admin without the token: 401")
        check(s.call("GET", "/_tfe/snapshot", headers={"Authorization": "Bearer t"})[0] == 401,
              "an API token does not open the admin API")
        check(s.admin("GET", "/_tfe/")[0] == 200, "GET /_tfe/ lists the endpoints")
        check(s.admin("GET", "/_tfe/nope")[0] == 404, "unknown admin path: 404")

        ws_id = setup(s)
        # clock + scripts + advance
        run_id = new_run(s, ws_id)
        check(status(s, run_id) == "planning", "a 20 s plan waits for the manual clock")
        st, _, clk = s.admin("POST", "/_tfe/clock/advance", {"seconds": 30})
        check(st == 200 and clk["manual"] is True, "clock advance answers the time")
        check(status(s, run_id) == "planned", "after 30 s the plan is done")
        st, _, adv = s.admin("POST", f"/_tfe/runs/{run_id}/advance", {"to": "applied"})
        check(st == 200 and adv["status"] == "applied", "advance to applied")
        check(s.admin("POST", f"/_tfe/runs/{run_id}/advance", {"to": "planned"})[0] == 409, "advance backwards: 409")
        check(s.admin("POST", "/_tfe/script", {"workspace": ws_id, "plan": {"errored": True,
                                                                            "error-message": "Error: nope"}})[0] == 204,
              "script an errored plan")
        bad = new_run(s, ws_id)
        s.admin("POST", f"/_tfe/runs/{bad}/advance", {"to": "errored"})
        check(status(s, bad) == "errored", "the scripted run errored")
        check(s.admin("DELETE", "/_tfe/script")[0] == 204, "clear scripts")
        check(s.admin("POST", "/_tfe/script", {"run": "run-nothere", "plan": {}})[0] == 404, "script unknown run: 404")

        # faults: 429 headers, then transport faults on the wire
        st, _, rules = s.admin("POST", "/_tfe/faults", [{"method": "GET", "path": "/api/v2/runs/*", "status": 429,
                                                         "count": 1, "retry-after": 0.05}])
        check(st == 201 and len(rules["rules"]) == 1, "add a 429 rule")
        st, r, _ = s.api("GET", f"/api/v2/runs/{run_id}")
        check(st == 429 and r.getheader("X-RateLimit-Reset") == "0.050" and r.getheader("Retry-After") == "1",
              "429 with Retry-After and X-RateLimit-Reset")
        check(s.api("GET", f"/api/v2/runs/{run_id}")[0] == 200, "the rule retired after its count")
        s.admin("POST", "/_tfe/faults", {"rules": [{"path": "/api/v2/ping", "transport": "drop", "count": 1},
                                                   {"path": "/api/v2/organizations", "transport": "truncate",
                                                    "count": 1},
                                                   {"path": "/api/v2/workspaces/*", "latency-ms": 300, "count": 1}],
                                         "seed": 3})
        got = raw_exchange(s, b"GET /api/v2/ping HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n")
        check(got == b"", "transport drop: closed without an answer")
        got = raw_exchange(s, b"GET /api/v2/organizations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n"
                              b"Connection: close\r\n\r\n")
        head, _, body = got.partition(b"\r\n\r\n")
        length = int([l.split(b":")[1] for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0])
        check(got.startswith(b"HTTP/1.1 200") and len(body) == length // 2, "transport truncate: half the body")
        check(s.api("GET", f"/api/v2/workspaces/{ws_id}")[0] == 200, "latency: the answer comes, late")
        check(s.admin("GET", "/_tfe/faults")[2]["rules"] == [], "every counted rule retired")
        check(s.admin("POST", "/_tfe/faults", [{"status": 7}])[0] == 422, "a bad rule: 422")
        check(s.admin("DELETE", "/_tfe/faults")[0] == 204, "clear faults")

        # journal
        st, _, rq = s.admin("GET", "/_tfe/requests?route=GET%20/api/v2/runs/:id&run=" + run_id)
        check(st == 200 and rq["meta"]["count"] >= 3, "journal by route and run")
        check(any(e["faulted"] and e["status"] == 429 for e in rq["data"]), "the journal marks the faulted request")
        check(rq["meta"]["routes"].get("POST /_tfe/reset") is None, "admin requests are not journaled")
        check(len(s.admin("GET", "/_tfe/requests?limit=2")[2]["data"]) == 2, "journal limit")
        check(s.admin("DELETE", "/_tfe/requests")[0] == 204 and
              s.admin("GET", "/_tfe/requests")[2]["meta"]["count"] == 0, "journal cleared")

        # snapshot, reset, restore; determinism after reset with --seed
        st, _, snap = s.admin("GET", "/_tfe/snapshot")
        check(st == 200 and len(snap["runs"]) == 2, "snapshot")
        s.admin("POST", "/_tfe/reset")
        check(s.api("GET", "/api/v2/organizations")[2]["data"] == [], "reset empties")
        check(s.admin("POST", "/_tfe/restore", "{oops")[0] == 400, "restore invalid JSON: 400")
        st, _, err = s.admin("POST", "/_tfe/restore", {"organizations": [{"name": "bad name"}]})
        check(st == 422 and err["errors"][0]["source"]["pointer"] == "/organizations/0/name", "restore bad doc: 422")
        check(s.admin("POST", "/_tfe/restore", snap)[0] == 204, "restore")
        check(s.admin("GET", "/_tfe/snapshot")[2] == snap, "restored state equals the snapshot")
        s.admin("POST", "/_tfe/reset")
        first = setup(s)
        s.admin("POST", "/_tfe/reset")
        check(setup(s) == first, "with --seed the same requests after a reset give the same ids")
        path = os.path.join(tempfile.mkdtemp(), "fixture.json")
        with open(path, "w") as f:
            json.dump(snap, f)
    finally:
        s.stop()

    # --snapshot FILE; the admin API of a server without --admin-token (loopback only); system clock
    s2 = Server("--snapshot", path)
    try:
        check(s2.call("GET", "/_tfe/snapshot")[0] == 200, "no --admin-token: loopback clients may use the admin API")
        check(s2.api("GET", "/api/v2/organizations/acme/workspaces/prod")[0] == 200, "--snapshot FILE loaded")
        check(s2.call("POST", "/_tfe/clock/advance", json.dumps({"seconds": 1}))[0] == 409,
              "clock advance without --manual-clock: 409")
    finally:
        s2.stop()
    with open(path, "w") as f:
        f.write('{"runs": [{"id": "run-1", "workspace": "ws-missing"}]}')
    p = subprocess.run([SERVER, "--port", "0", "--snapshot", path], capture_output=True, text=True, timeout=30)
    check(p.returncode == 1 and "/runs/0/workspace" in p.stderr, "a bad --snapshot file: exit 1 naming the error")

    print(f"admin API: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
