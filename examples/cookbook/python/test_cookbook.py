"""Cookbook: tfe-server's test controls (/_tfe/) from Python, with pytest and the `tfe_server` fixture of
pytest-tfe-server (clients/python).

    TFE_SERVER=/path/to/tfe-server python -m pytest examples/cookbook/python

Each test gets a server of its own from the fixture: a tfe-server process, or a tenant of the server at
$TFE_SHARED_SERVER. So no test needs POST /_tfe/reset. The ctest test cookbook_python runs them both
ways (clients/python/run_tests.py).
"""
import json
import time

import pytest

# The configuration the recipes upload. tfe plans from it: one resource to add, and nothing to change
# once a run has applied it.
MAIN_TF = 'resource "terraform_data" "app" {}\n'


def new_workspace(srv):
    """Create organization acme and its workspace prod; return the workspace id. The organization
    estimates costs, as TFE's do by default: a plan with changes waits for confirmation in
    "cost_estimated"."""
    srv.create_organization("acme")
    return srv.create_workspace("acme", "prod")["data"]["id"]


def new_run(srv, ws):
    """Upload main.tf to the workspace and create a run of it; return the run id."""
    cv = srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    return srv.create_run(ws, cv["data"]["id"])["data"]["id"]


def test_wait_for_applied(tfe_server):
    """1. Drive a run to "applied": through the normal API, then with the /_tfe shortcut."""
    ws = new_workspace(tfe_server)
    tfe_server.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=True)  # the upload queues a run
    run_id = tfe_server.get(f"workspaces/{ws}/runs")["data"][0]["id"]
    tfe_server.wait_for_run(run_id, "cost_estimated")  # plans take 0 s, so this is quick
    tfe_server.post(f"runs/{run_id}/actions/apply", {"comment": "ship it"}, expect=202)
    tfe_server.wait_for_run(run_id, "applied")

    # Shortcut: jump a run straight to a status. A run of the same main.tf would plan no changes now
    # (it ends planned_and_finished: advance answers 409 for applied), so add a resource first.
    cv = tfe_server.upload_configuration(ws, {"main.tf": MAIN_TF + 'resource "terraform_data" "db" {}\n'},
                                         auto_queue_runs=False)
    run_id = tfe_server.create_run(ws, cv["data"]["id"])["data"]["id"]
    assert tfe_server.admin.advance(run_id, "applied") == {"id": run_id, "status": "applied"}


def get_with_retry(srv, path, attempts=10):
    """A client's retry loop: on 429 wait X-RateLimit-Reset (or Retry-After) seconds and try again."""
    for _ in range(attempts):
        r = srv.request("GET", path)
        if r.status != 429:
            return r
        time.sleep(float(r.headers.get("X-RateLimit-Reset") or r.headers.get("Retry-After") or 1))
    raise AssertionError(f"GET {path}: still rate limited after {attempts} attempts")


def test_retry_on_429(tfe_server):
    """2. Make the next 3 reads of a run answer 429 and check that the client retried."""
    run_id = new_run(tfe_server, new_workspace(tfe_server))
    tfe_server.admin.clear_requests()  # journal only what follows
    rules = tfe_server.admin.add_fault(method="GET", path="/api/v2/runs/*", status=429, count=3, retry_after=0.05)
    assert rules[0]["fired"] == 0

    r = get_with_retry(tfe_server, f"runs/{run_id}")
    assert r.status == 200 and r.json()["data"]["id"] == run_id

    got = tfe_server.admin.requests(route="GET /api/v2/runs/:id")
    assert [(e["status"], e["faulted"]) for e in got["data"]] == [(429, True)] * 3 + [(200, False)]


def test_errored_plan(tfe_server):
    """3. Script the workspace's plans to fail; a new run ends "errored" and its log says why."""
    ws = new_workspace(tfe_server)
    tfe_server.admin.script(workspace=ws, plan={"errored": True, "error-message": "Error: Invalid reference"})
    run_id = new_run(tfe_server, ws)
    tfe_server.wait_for_run(run_id, "errored")

    log_url = tfe_server.get(f"runs/{run_id}/plan")["data"]["attributes"]["log-read-url"]
    log = tfe_server.request("GET", log_url)  # a capability URL: it needs no token
    assert log.status == 200 and "Error: Invalid reference" in log.text, log.text
    tfe_server.admin.clear_scripts()  # later runs plan normally again


def test_assert_requests(tfe_server):
    """4. Assert that exactly one apply was sent for a run, and what its body was."""
    run_id = new_run(tfe_server, new_workspace(tfe_server))
    tfe_server.wait_for_run(run_id, "cost_estimated")
    tfe_server.post(f"runs/{run_id}/actions/apply", {"comment": "LGTM"}, expect=202)  # the code under test

    got = tfe_server.admin.requests(run=run_id, route="POST /api/v2/runs/:id/actions/apply")
    assert got["meta"]["count"] == 1, got["meta"]
    assert json.loads(got["data"][0]["request-body"]) == {"comment": "LGTM"}
    assert got["data"][0]["status"] == 202
    # meta.routes counts every journaled request of the run by route, whatever the route filter.
    assert got["meta"]["routes"]["POST /api/v2/runs"] == 1

    tfe_server.admin.clear_requests()
    assert tfe_server.admin.requests()["meta"]["count"] == 0


def test_snapshot(tfe_server):
    """5. Save the state once, and start each test from it (or from a hand-written fixture)."""
    run_id = new_run(tfe_server, new_workspace(tfe_server))
    tfe_server.admin.advance(run_id, "applied")
    saved = tfe_server.admin.snapshot()  # a JSON document; `tfe-server --snapshot FILE` starts from one

    tfe_server.admin.reset()
    assert tfe_server.request("GET", "organizations/acme").status == 404
    tfe_server.admin.restore(saved)
    assert tfe_server.run_status(run_id) == "applied"

    # A fixture lists only what the test needs (restore replaces the whole state; 422 on a bad document).
    tfe_server.admin.restore({
        "organizations": [{"name": "fixture-org", "email": "a@b.test"}],
        "workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]})
    assert tfe_server.get("organizations/fixture-org/workspaces/app")["data"]["id"] == "ws-fixture"


@pytest.mark.tfe_server(manual_clock=True)
def test_manual_clock(tfe_server):
    """With a manual clock, a scripted 20 s plan stays "planning" until the clock moves 30 s."""
    ws = new_workspace(tfe_server)
    tfe_server.admin.script(next=True, plan={"duration-ms": 20000})
    run_id = new_run(tfe_server, ws)
    tfe_server.wait_for_run(run_id, "planning")
    assert tfe_server.admin.advance_clock(seconds=30)["manual"] is True
    tfe_server.wait_for_run(run_id, "cost_estimated")
