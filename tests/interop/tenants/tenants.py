#!/usr/bin/env python3
"""Per-test tenants of tfe-server over real HTTP (docs/testing.md#tenants): POST/GET/DELETE
/_tfe/tenants, isolation of engines, ids, clocks, faults and journals, the API, capability URLs,
discovery and the admin API under /t/NAME/, the limits and every refusal, the access rules, and
tenants created and dropped from parallel threads.

Usage: tenants.py TFE_SERVER_BIN. Starts its own servers on loopback; exit 0 when all checks pass.
Prints what creating a tenant costs (median over 200, measured, never asserted)."""
import gzip
import http.client
import io
import json
import statistics
import subprocess
import sys
import tarfile
import threading
import time

SERVER = sys.argv[1]
API = {"Authorization": "Bearer t", "Content-Type": "application/vnd.api+json"}
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


class Server:
    def __init__(self, *args):
        self.proc = subprocess.Popen([SERVER, "--port", "0", "--token", "t", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("listening on http://"):
            raise SystemExit("tfe-server did not start: " + line + self.proc.stderr.read())
        self.origin = line[len("listening on "):]
        host_port = line[len("listening on http://"):]
        self.host, self.port = host_port.rsplit(":", 1)[0], int(host_port.rsplit(":", 1)[1])
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        self.conn.request(method, path, body=data, headers=headers or {})
        r = self.conn.getresponse()
        raw = r.read()
        if r.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        try:
            doc = json.loads(raw) if raw else None
        except ValueError:
            doc = None
        return r.status, r, doc

    def api(self, method, path, body=None):
        return self.call(method, path, body, API)

    def stop(self):
        if self.conn:
            self.conn.close()
        self.proc.terminate()
        code = self.proc.wait(timeout=30)
        check(code == 0, "tfe-server exits 0 on SIGTERM")


def tarball():
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tf:
        text = b'resource "terraform_data" "a" {\n  input = "x"\n}\noutput "o" {\n  value = "v"\n}\n'
        info = tarfile.TarInfo("main.tf")
        info.size = len(text)
        tf.addfile(info, io.BytesIO(text))
    return gzip.compress(raw.getvalue())


def errors_of(doc):
    return (doc or {}).get("errors") or [{}]


def workflow(s, prefix, org):
    """Organization, workspace, configuration upload through the capability URL, a run applied."""
    st, _, _ = s.api("POST", prefix + "/api/v2/organizations",
                     {"data": {"type": "organizations", "attributes": {"name": org, "email": "a@b.test"}}})
    check(st == 201, f"{prefix or '/'}: organization {org} created ({st})")
    st, _, ws = s.api("POST", f"{prefix}/api/v2/organizations/{org}/workspaces",
                      {"data": {"type": "workspaces", "attributes": {"name": "prod", "auto-apply": True}}})
    check(st == 201, f"{prefix or '/'}: workspace created ({st})")
    ws_id = ws["data"]["id"]
    st, _, cv = s.api("POST", f"{prefix}/api/v2/workspaces/{ws_id}/configuration-versions",
                      {"data": {"type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
    url = cv["data"]["attributes"]["upload-url"]
    check(url.startswith(s.origin + prefix + "/v1/object/upload/"),
          f"{prefix or '/'}: the upload URL carries the prefix ({url[:60]}...)")
    st, _, _ = s.call("PUT", url[len(s.origin):], tarball(), {"Content-Type": "application/octet-stream"})
    check(st == 200, f"{prefix or '/'}: upload through the capability URL ({st})")
    st, _, run = s.api("POST", prefix + "/api/v2/runs", {"data": {"type": "runs", "relationships": {
        "workspace": {"data": {"type": "workspaces", "id": ws_id}}}}})
    check(st == 201, f"{prefix or '/'}: run created ({st})")
    run_id = run["data"]["id"]
    deadline = time.monotonic() + 30
    status = None
    while time.monotonic() < deadline:
        _, _, r = s.api("GET", f"{prefix}/api/v2/runs/{run_id}")
        status = r["data"]["attributes"]["status"]
        if status in ("applied", "errored", "canceled", "discarded"):
            break
    check(status == "applied", f"{prefix or '/'}: the run reaches applied ({status})")
    _, _, plan = s.api("GET", f"{prefix}/api/v2/runs/{run_id}/plan")
    log_url = plan["data"]["attributes"]["log-read-url"]
    check(log_url.startswith(s.origin + prefix + "/v1/logs/"), f"{prefix or '/'}: the log URL carries the prefix")
    st, _, _ = s.call("GET", log_url[len(s.origin):])
    check(st == 200, f"{prefix or '/'}: the plan log is readable through its URL ({st})")
    _, _, sv = s.api("GET", f"{prefix}/api/v2/workspaces/{ws_id}/current-state-version")
    dl = sv["data"]["attributes"]["hosted-state-download-url"]
    st, _, state = s.call("GET", dl[len(s.origin):], None, {"Authorization": "Bearer t"})
    check(st == 200 and state and state.get("serial") == 1, f"{prefix or '/'}: the state is downloadable ({st})")
    return ws_id, run_id


def main():
    s = Server("--seed", "1", "--max-tenants", "3")
    try:
        # --- create, describe, list ------------------------------------------------------------
        st, r, doc = s.call("POST", "/_tfe/tenants", {"name": "alpha", "seed": 5})
        check(st == 201, f"POST /_tfe/tenants answers 201 ({st})")
        check(doc == {"name": "alpha", "base-url": s.origin + "/t/alpha/", "api-url": s.origin + "/t/alpha/api/v2/",
                      "base-path": "/t/alpha/api/v2/", "admin-url": s.origin + "/t/alpha/_tfe/"},
              f"the tenant's URLs ({doc})")
        check(r.getheader("Content-Type") == "application/json", "answered as application/json")
        st, _, doc = s.call("POST", "/_tfe/tenants", "")
        check(st == 201 and doc["name"] == "t1", f"without a body the name is generated ({doc})")
        st, _, doc = s.call("GET", "/_tfe/tenants")
        check(st == 200 and [t["name"] for t in doc["tenants"]] == ["alpha", "t1"] and doc["max-tenants"] == 3,
              f"GET /_tfe/tenants lists them ({doc})")
        st, _, doc = s.call("GET", "/_tfe/tenants/alpha")
        check(st == 200 and doc["name"] == "alpha", "GET /_tfe/tenants/alpha")

        # --- refusals --------------------------------------------------------------------------
        for body, status, what in [
            ({"name": "alpha"}, 409, "a taken name"),
            ({"name": "Alpha"}, 422, "an upper-case name"),
            ({"name": ""}, 422, "an empty name"),
            ({"name": "a" * 64}, 422, "a 64-character name"),
            ({"name": "a/b"}, 422, "a name with a slash"),
            ({"name": 7}, 422, "a number as name"),
            ({"seed": -1}, 422, "a negative seed"),
            ({"seed": "1"}, 422, "a string seed"),
            ({"manual-clock": "yes"}, 422, "a string manual-clock"),
            ({"colour": "red"}, 422, "an unknown member"),
            ([], 422, "an array body"),
            ("{", 400, "malformed JSON"),
            ("x" * 5000, 413, "a body over 4 KiB"),
        ]:
            st, _, doc = s.call("POST", "/_tfe/tenants", body)
            check(st == status and errors_of(doc)[0].get("status") == str(status),
                  f"{what}: {status} with a JSON:API error ({st} {errors_of(doc)[0].get('detail')})")
        st, _, doc = s.call("GET", "/_tfe/tenants")
        check(len(doc["tenants"]) == 2, "refused requests created no tenant")
        st, r, _ = s.call("PUT", "/_tfe/tenants")
        check(st == 405 and r.getheader("Allow") == "GET, HEAD, POST", f"PUT /_tfe/tenants: 405 with Allow ({st})")
        st, _, _ = s.call("DELETE", "/_tfe/tenants/nobody")
        check(st == 404, f"DELETE of an unknown tenant: 404 ({st})")
        st, _, doc = s.api("GET", "/t/nobody/api/v2/ping")
        check(st == 404 and "nobody" in errors_of(doc)[0].get("detail", ""), f"/t/nobody/...: 404 naming it ({st})")
        st, _, _ = s.call("POST", "/_tfe/tenants", {"name": "gamma"})
        st, _, doc = s.call("POST", "/_tfe/tenants", {"name": "delta"})
        check(st == 429 and "--max-tenants" in errors_of(doc)[0].get("detail", ""),
              f"beyond --max-tenants: 429 saying how to get more ({st})")
        check(s.call("DELETE", "/_tfe/tenants/gamma")[0] == 204, "DELETE /_tfe/tenants/gamma: 204")

        # --- a whole tfe-server under the prefix ------------------------------------------------
        st, _, doc = s.call("GET", "/t/alpha/.well-known/terraform.json")
        check(st == 200 and doc["tfe.v2"] == "/t/alpha/api/v2/" and doc["tfe.v2.1"] == "/t/alpha/api/v2/",
              f"discovery under the tenant points into it ({doc})")
        st, _, doc = s.call("GET", "/.well-known/terraform.json")
        check(doc["tfe.v2"] == "/api/v2/", "the default instance's discovery is unchanged")
        st, _, _ = s.call("GET", "/t/alpha/api/v2/ping")
        check(st == 401, f"the tenant's API needs the server's token ({st})")
        st, _, _ = s.call("GET", "/t/alpha/api/v2/ping", None, {"Authorization": "Bearer t"})
        check(st == 204, f"the tenant's API takes the server's token ({st})")
        ws_a, run_a = workflow(s, "/t/alpha", "acme")
        ws_d, run_d = workflow(s, "", "acme")  # the same organization name in the default instance
        check(ws_a != ws_d and s.api("GET", f"/api/v2/workspaces/{ws_a}")[0] == 404,
              "the tenant's workspace is not in the default instance (own ids; the same org name in both)")
        st, _, doc = s.api("GET", "/t/t1/api/v2/organizations")
        check(st == 200 and doc["data"] == [], "another tenant sees no organization")
        _, _, doc = s.api("GET", "/t/alpha/api/v2/organizations/acme/workspaces")
        check([w["id"] for w in doc["data"]] == [ws_a], "the tenant lists its own workspace only")
        links = doc["links"]
        check(links["self"].startswith(s.origin + "/t/alpha/api/v2/organizations/acme/workspaces?"),
              f"pagination links carry the prefix ({links['self'][:70]})")

        # --- its own admin API, clock, faults and journal ----------------------------------------
        st, _, doc = s.call("GET", "/t/alpha/_tfe/requests?limit=500")
        targets = [e["target"] for e in doc["data"]] if st == 200 else []
        check(st == 200 and "/api/v2/runs" in targets and all(not t.startswith("/t/") for t in targets),
              f"the tenant's journal holds its requests, without the prefix ({len(targets)})")
        _, _, root_journal = s.call("GET", "/_tfe/requests?limit=500")
        root_targets = [e["target"] for e in root_journal["data"]]
        check("/api/v2/runs" in root_targets and not any(t.startswith("/t/") for t in root_targets) and
              not any(t.startswith("/api/v2/runs/") and t.split("/")[4] == run_a for t in root_targets),
              "the default journal holds the default instance's requests only")
        st, _, _ = s.call("POST", "/t/t1/_tfe/faults", {"rules": [{"method": "GET", "path": "/api/v2/ping",
                                                                    "status": 503}]})
        check(st in (200, 201), f"a fault rule in tenant t1 ({st})")
        check(s.api("GET", "/t/t1/api/v2/ping")[0] == 503, "t1's fault fires in t1")
        check(s.api("GET", "/t/alpha/api/v2/ping")[0] == 204, "t1's fault does not fire in alpha")
        check(s.api("GET", "/api/v2/ping")[0] == 204, "t1's fault does not fire in the default instance")
        st, _, c1 = s.call("GET", "/t/alpha/_tfe/clock")
        check(st == 200 and c1.get("manual") is False, f"alpha's clock runs ({c1})")
        st, _, _ = s.call("POST", "/_tfe/tenants", {"name": "frozen", "manual-clock": True})
        _, _, cf = s.call("GET", "/t/frozen/_tfe/clock")
        check(cf.get("manual") is True, f"manual-clock: the tenant's clock is frozen ({cf})")
        st, _, _ = s.call("POST", "/t/frozen/_tfe/clock/advance", {"seconds": 3600})
        _, _, cf2 = s.call("GET", "/t/frozen/_tfe/clock")
        _, _, cr = s.call("GET", "/_tfe/clock")
        check(st == 200 and cf2.get("now") != cf.get("now") and cr.get("manual") is False,
              f"advancing a tenant's clock leaves the others ({st} {cf2} {cr})")
        st, _, _ = s.call("POST", "/t/alpha/_tfe/reset")
        check(st == 204, "POST /t/alpha/_tfe/reset")
        check(s.api("GET", "/t/alpha/api/v2/organizations")[2]["data"] == [], "the reset emptied alpha")
        check(len(s.api("GET", "/api/v2/organizations")[2]["data"]) == 1, "... and left the default instance")

        # --- delete ----------------------------------------------------------------------------
        check(s.call("DELETE", "/_tfe/tenants/alpha")[0] == 204, "DELETE /_tfe/tenants/alpha")
        check(s.api("GET", "/t/alpha/api/v2/ping")[0] == 404, "a deleted tenant answers 404")
        check(s.call("POST", "/_tfe/tenants", {"name": "alpha"})[0] == 201, "its name is free again")
        check(s.api("GET", "/t/alpha/api/v2/organizations")[2]["data"] == [], "a new alpha starts empty")
        for t in ("alpha", "t1", "frozen"):
            s.call("DELETE", "/_tfe/tenants/" + t)
    finally:
        s.stop()

    # --- the admin access rules ------------------------------------------------------------------
    s = Server("--admin-token", "adm")
    try:
        st, _, _ = s.call("POST", "/_tfe/tenants", {"name": "x"})
        check(st == 401, f"with --admin-token, POST /_tfe/tenants without it: 401 ({st})")
        st, _, _ = s.call("POST", "/_tfe/tenants", {"name": "x"}, {"Authorization": "Bearer adm"})
        check(st == 201, f"with the admin token: 201 ({st})")
        st, _, _ = s.call("GET", "/t/x/_tfe/requests")
        check(st == 401, f"the tenant's admin API needs the admin token too ({st})")
        check(s.call("GET", "/t/x/_tfe/requests", None, {"Authorization": "Bearer adm"})[0] == 200,
              "... and takes it")
    finally:
        s.stop()

    s = Server("--max-tenants", "0")
    try:
        st, _, doc = s.call("POST", "/_tfe/tenants")
        check(st == 429, f"--max-tenants 0: no tenants ({st})")
    finally:
        s.stop()

    # --- many at once, from threads; and what one costs -----------------------------------------
    s = Server("--max-tenants", "1000")
    try:
        errors = []

        def churn(k):
            c = Server.__new__(Server)
            c.host, c.port, c.origin, c.conn = s.host, s.port, s.origin, None
            for i in range(25):
                name = f"p{k}-{i}"
                st, _, _ = c.call("POST", "/_tfe/tenants", {"name": name})
                st2, _, _ = c.api("POST", f"/t/{name}/api/v2/organizations",
                                  {"data": {"type": "organizations", "attributes": {"name": "o", "email": "a@b.c"}}})
                st3, _, doc = c.api("GET", f"/t/{name}/api/v2/organizations")
                st4, _, _ = c.call("DELETE", f"/_tfe/tenants/{name}")
                if (st, st2, st3, st4) != (201, 201, 200, 204) or len(doc["data"]) != 1:
                    errors.append((name, st, st2, st3, st4))
            if c.conn:
                c.conn.close()

        threads = [threading.Thread(target=churn, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(not errors, f"200 tenants made, used and dropped from 8 threads ({errors[:3]})")
        check(s.call("GET", "/_tfe/tenants")[2]["tenants"] == [], "none left")
        costs = []
        for i in range(200):
            t0 = time.perf_counter()
            st, _, _ = s.call("POST", "/_tfe/tenants", {"name": f"m{i}"})
            costs.append(time.perf_counter() - t0)
        check(st == 201, "200 more tenants")
        print(f"info: POST /_tfe/tenants round trip over keep-alive, median of 200: "
              f"{statistics.median(costs) * 1e6:.0f} us (client included)")
    finally:
        s.stop()

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
