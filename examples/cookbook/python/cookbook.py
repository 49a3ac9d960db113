#!/usr/bin/env python3
"""Cookbook: tfe-server's test controls (/_tfe/) from Python, standard library only.

    cookbook.py BASE_URL

BASE_URL is the URL of a tfe-server started with `--manual-clock --admin-token admin-secret` and
without --token (examples/cookbook/run_with_server.sh starts one). Every recipe starts from
POST /_tfe/reset; the script exits non-zero when a recipe fails.
"""
import json
import sys
import time
import urllib.error
import urllib.request

if len(sys.argv) != 2:
    sys.exit("usage: cookbook.py BASE_URL")
BASE = sys.argv[1].rstrip("/")
API = {"Authorization": "Bearer anything", "Content-Type": "application/vnd.api+json"}
ADMIN = {"Authorization": "Bearer admin-secret", "Content-Type": "application/json"}


def call(method, path, body=None, headers=API):
    """One request; returns (status, headers, decoded JSON or text or None). HTTP errors do not raise."""
    data = body if body is None or isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(path if "://" in path else BASE + path, data, headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    if not raw:
        return status, hdrs, None
    is_json = "json" in (hdrs.get("Content-Type") or "")
    return status, hdrs, json.loads(raw) if is_json else raw.decode("utf-8", "replace")


def api(method, path, body=None, want=200):
    """A normal-API call that must answer `want`; returns the JSON document."""
    status, _, doc = call(method, "/api/v2" + path, body)
    assert status == want, f"{method} {path}: {status} {doc}"
    return doc


def admin(method, path, body=None, want=200):
    """An admin-API call (/_tfe/...) that must answer `want`."""
    status, _, doc = call(method, "/_tfe" + path, body, ADMIN)
    assert status == want, f"{method} /_tfe{path}: {status} {doc}"
    return doc


def new_workspace():
    """Reset the server, then create organization acme (no cost estimation) and workspace prod."""
    admin("POST", "/reset", want=204)
    api("POST", "/organizations", {"data": {"type": "organizations", "attributes": {
        "name": "acme", "email": "ops@acme.test", "cost-estimation-enabled": False}}}, want=201)
    ws = api("POST", "/organizations/acme/workspaces",
             {"data": {"type": "workspaces", "attributes": {"name": "prod"}}}, want=201)
    return ws["data"]["id"]


def upload_config(ws, auto_queue_runs):
    """Create a configuration version and upload a tarball (any bytes starting 1f 8b count as gzip)."""
    cv = api("POST", f"/workspaces/{ws}/configuration-versions", {"data": {
        "type": "configuration-versions", "attributes": {"auto-queue-runs": auto_queue_runs}}}, want=201)
    url = cv["data"]["attributes"]["upload-url"]  # a capability URL: no token needed
    status, _, _ = call("PUT", url, b"\x1f\x8b fake tarball", {"Content-Type": "application/octet-stream"})
    assert status == 200, status


def create_run(ws):
    run = api("POST", "/runs", {"data": {"type": "runs", "relationships": {
        "workspace": {"data": {"type": "workspaces", "id": ws}}}}}, want=201)
    return run["data"]["id"]


def wait_for_status(run_id, want, attempts=200):
    """Poll GET /api/v2/runs/:id until the run is in status `want` (bounded, tiny sleep)."""
    for _ in range(attempts):
        status = api("GET", f"/runs/{run_id}")["data"]["attributes"]["status"]
        if status == want:
            return
        time.sleep(0.01)
    raise AssertionError(f"{run_id}: still {status!r}, want {want!r}")


def recipe_wait_for_applied():
    """1. Drive a run to "applied": through the normal API, then with the /_tfe shortcut."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=True)  # the upload queues a run
    run_id = api("GET", f"/workspaces/{ws}/runs")["data"][0]["id"]
    wait_for_status(run_id, "planned")  # plans take 0 s, so this is quick
    api("POST", f"/runs/{run_id}/actions/apply", {"comment": "ship it"}, want=202)
    wait_for_status(run_id, "applied")

    # Shortcut: jump a run straight to a status (409 when the status is unreachable).
    run_id = create_run(ws)
    assert admin("POST", f"/runs/{run_id}/advance", {"to": "applied"}) == {"id": run_id, "status": "applied"}


def get_with_retry(path, attempts=10):
    """A client's retry loop: on 429 wait X-RateLimit-Reset (or Retry-After) seconds and try again."""
    for _ in range(attempts):
        status, headers, doc = call("GET", "/api/v2" + path)
        if status != 429:
            return status, doc
        time.sleep(float(headers.get("X-RateLimit-Reset") or headers.get("Retry-After") or 1))
    raise AssertionError(f"GET {path}: still rate limited after {attempts} attempts")


def recipe_retry_on_429():
    """2. Make the next 3 reads of a run answer 429 and check that the client retried."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=False)
    run_id = create_run(ws)
    admin("DELETE", "/requests", want=204)  # journal only what follows
    rules = admin("POST", "/faults", [{"method": "GET", "path": "/api/v2/runs/*",
                                       "status": 429, "count": 3, "retry-after": 0.05}], want=201)
    assert rules["rules"][0]["fired"] == 0

    status, doc = get_with_retry(f"/runs/{run_id}")
    assert status == 200 and doc["data"]["id"] == run_id

    got = admin("GET", "/requests?route=GET%20/api/v2/runs/:id")
    assert [(r["status"], r["faulted"]) for r in got["data"]] == [(429, True)] * 3 + [(200, False)]


def recipe_errored_plan():
    """3. Script the workspace's plans to fail; a new run ends "errored" and its log says why."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=False)
    admin("POST", "/script", {"workspace": ws, "plan": {
        "errored": True, "error-message": "Error: Invalid reference"}}, want=204)
    run_id = create_run(ws)
    wait_for_status(run_id, "errored")

    log_url = api("GET", f"/runs/{run_id}/plan")["data"]["attributes"]["log-read-url"]
    status, _, log = call("GET", log_url, headers={})  # a capability URL: no token
    assert status == 200 and "Error: Invalid reference" in log, log
    admin("DELETE", "/script", want=204)  # later runs plan normally again


def recipe_assert_requests():
    """4. Assert that exactly one apply was sent for a run, and what its body was."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=False)
    run_id = create_run(ws)
    wait_for_status(run_id, "planned")
    api("POST", f"/runs/{run_id}/actions/apply", {"comment": "LGTM"}, want=202)  # the code under test

    got = admin("GET", f"/requests?run={run_id}&route=POST%20/api/v2/runs/:id/actions/apply")
    assert got["meta"]["count"] == 1, got["meta"]
    assert json.loads(got["data"][0]["request-body"]) == {"comment": "LGTM"}
    assert got["data"][0]["status"] == 202
    # meta.routes counts every journaled request of the run by route, whatever the route filter.
    assert got["meta"]["routes"]["POST /api/v2/runs/:id/actions/apply"] == 1

    admin("DELETE", "/requests", want=204)
    assert admin("GET", "/requests")["meta"]["count"] == 0


def recipe_snapshot():
    """5. Save the state once, and start each test from it (or from a hand-written fixture)."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=False)
    run_id = create_run(ws)
    admin("POST", f"/runs/{run_id}/advance", {"to": "applied"})
    saved = admin("GET", "/snapshot")  # a JSON document; `tfe-server --snapshot FILE` starts from one

    admin("POST", "/reset", want=204)
    assert call("GET", "/api/v2/organizations/acme")[0] == 404
    admin("POST", "/restore", saved, want=204)
    assert api("GET", f"/runs/{run_id}")["data"]["attributes"]["status"] == "applied"

    # A fixture lists only what the test needs (restore replaces the whole state; 422 on a bad document).
    admin("POST", "/restore", {
        "organizations": [{"name": "fixture-org", "email": "a@b.test"}],
        "workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]}, want=204)
    assert api("GET", "/organizations/fixture-org/workspaces/app")["data"]["id"] == "ws-fixture"


def recipe_manual_clock():
    """With --manual-clock, a scripted 20 s plan stays "planning" until the clock moves 30 s."""
    ws = new_workspace()
    upload_config(ws, auto_queue_runs=False)
    admin("POST", "/script", {"next": True, "plan": {"duration-ms": 20000}}, want=204)
    run_id = create_run(ws)
    wait_for_status(run_id, "planning")
    assert api("GET", f"/runs/{run_id}")["data"]["attributes"]["status"] == "planning"
    assert admin("POST", "/clock/advance", {"seconds": 30})["manual"] is True
    wait_for_status(run_id, "planned")


def main():
    recipes = [recipe_wait_for_applied, recipe_retry_on_429, recipe_errored_plan,
               recipe_assert_requests, recipe_snapshot, recipe_manual_clock]
    failed = 0
    for recipe in recipes:
        try:
            recipe()
            print(f"ok   {recipe.__name__}")
        except Exception as e:  # report every recipe, then fail
            failed += 1
            print(f"FAIL {recipe.__name__}: {type(e).__name__}: {e}")
    print(f"python cookbook: {len(recipes) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
