"""Every method of the admin client (tfe_server.admin) against a real tfe-server or tenant."""
import datetime
import json

import pytest

from conftest import MAIN_TF, new_workspace
from pytest_tfe_server import ApiError


def _at(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ")


def test_endpoints_lists_the_admin_api(tfe_server):
    text = json.dumps(tfe_server.admin.endpoints())
    for endpoint in ("POST /_tfe/reset", "GET /_tfe/snapshot", "POST /_tfe/restore", "/_tfe/faults",
                     "/_tfe/requests", "POST /_tfe/runs/{id}/advance", "/_tfe/script", "GET /_tfe/clock",
                     "POST /_tfe/clock/advance"):
        assert endpoint in text, (endpoint, text)


def test_api_errors_carry_status_and_jsonapi_errors(tfe_server):
    with pytest.raises(ApiError) as e:
        tfe_server.get("organizations/nowhere")
    assert e.value.status == 404
    assert e.value.errors and e.value.errors[0]["status"] == "404"
    assert "organizations/nowhere: 404" in str(e.value)
    # A wrong token: the server was started with --token, so 401.
    r = tfe_server.request("GET", "organizations", headers={"Authorization": "Bearer wrong"})
    assert r.status == 401
    # expect= turns an unexpected success into an error too.
    with pytest.raises(ApiError) as e:
        tfe_server.get("organizations", expect=204)
    assert e.value.status == 200


def test_reset(tfe_server):
    new_workspace(tfe_server)
    tfe_server.admin.reset()
    with pytest.raises(ApiError) as e:
        tfe_server.get("organizations/acme")
    assert e.value.status == 404
    assert tfe_server.get("organizations")["data"] == []


def test_snapshot_and_restore(tfe_server):
    srv = tfe_server
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    run_id = srv.create_run(ws)["data"]["id"]
    srv.admin.advance(run_id, "applied")
    saved = srv.admin.snapshot()
    assert saved["tfe-snapshot"] == 1
    assert [o["name"] for o in saved["organizations"]] == ["acme"]
    assert [r["status"] for r in saved["runs"]] == ["applied"]

    srv.admin.reset()
    assert srv.admin.snapshot()["organizations"] == []
    srv.admin.restore(saved)
    assert srv.run_status(run_id) == "applied"
    assert srv.admin.snapshot()["runs"] == saved["runs"]

    # A hand-written fixture; an invalid one is refused (422) and changes nothing.
    srv.admin.restore({"organizations": [{"name": "fixture-org", "email": "a@b.test"}],
                       "workspaces": [{"id": "ws-fixture", "organization": "fixture-org", "name": "app"}]})
    assert srv.get("organizations/fixture-org/workspaces/app")["data"]["id"] == "ws-fixture"
    with pytest.raises(ApiError) as e:
        srv.admin.restore({"organizations": [{"name": "x", "email": "a@b.test", "typo": 1}]})
    assert e.value.status == 422 and e.value.errors
    assert srv.get("organizations/fixture-org/workspaces/app")["data"]["id"] == "ws-fixture"


def test_faults_add_list_clear(tfe_server):
    admin = tfe_server.admin
    assert admin.faults() == []
    rules = admin.add_fault(method="GET", path="/api/v2/organizations*", status=503, count=2, retry_after=1)
    assert len(rules) == 1 and rules[0]["fired"] == 0 and rules[0]["count"] == 2

    first = tfe_server.request("GET", "organizations")
    assert first.status == 503 and first.headers["Retry-After"] == "1"
    with pytest.raises(ApiError) as e:
        tfe_server.get("organizations")
    assert e.value.status == 503
    assert tfe_server.get("organizations")["data"] == []  # the rule has retired
    assert admin.faults() == []  # a rule that used up its count is gone

    rules = admin.add_faults([{"method": "POST", "path": "/api/v2/organizations", "status": 429, "count": 1,
                               "retry-after": 0.05}], seed=3)
    assert any(r["status"] == 429 for r in rules)
    r = tfe_server.request("POST", "organizations", {"data": {"type": "organizations",
                                                              "attributes": {"name": "acme", "email": "a@b.test"}}})
    assert r.status == 429 and r.headers["X-RateLimit-Reset"] == "0.050"
    admin.add_fault(method="DELETE", path="/api/v2/nothing", status=500)
    assert [(r["method"], r["status"], r["fired"]) for r in admin.faults()] == [("DELETE", 500, 0)]
    admin.clear_faults()
    assert admin.faults() == []

    with pytest.raises(ApiError) as e:
        admin.add_faults([{"status": "not a number"}])
    assert e.value.status == 422


def test_requests_journal_and_filters(tfe_server):
    srv = tfe_server
    admin = srv.admin
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    run_id = srv.create_run(ws)["data"]["id"]
    srv.wait_for_run(run_id, "planned")
    srv.post(f"runs/{run_id}/actions/apply", {"comment": "LGTM"}, expect=202)

    everything = admin.requests()
    assert everything["meta"]["count"] == len(everything["data"]) >= 6
    routes = everything["meta"]["routes"]
    assert routes["POST /api/v2/organizations"] == 1
    assert routes["PUT /v1/object/upload/:token"] == 1

    applies = admin.requests(route="POST /api/v2/runs/:id/actions/apply")
    assert applies["meta"]["count"] == 1
    entry = applies["data"][0]
    assert entry["status"] == 202 and json.loads(entry["request-body"]) == {"comment": "LGTM"}
    assert entry["runs"] == [run_id]

    for_run = admin.requests(run=run_id)
    assert for_run["data"] and all(run_id in e["runs"] for e in for_run["data"])
    assert all(e["method"] != "PUT" for e in for_run["data"])  # the upload concerns no run

    last = admin.requests(limit=1)
    assert len(last["data"]) == 1 and last["data"][0]["route"] == "POST /api/v2/runs/:id/actions/apply"

    admin.clear_requests()
    assert admin.requests()["meta"]["count"] == 0
    admin.requests()  # admin requests are never journaled
    assert admin.requests()["data"] == []


def test_advance_errors(tfe_server):
    with pytest.raises(ApiError) as e:
        tfe_server.admin.advance("run-doesnotexist", "applied")
    assert e.value.status == 404
    ws = new_workspace(tfe_server)
    tfe_server.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    run_id = tfe_server.create_run(ws)["data"]["id"]
    with pytest.raises(ApiError) as e:
        tfe_server.admin.advance(run_id, "no-such-status")
    assert e.value.status == 422
    assert tfe_server.admin.advance(run_id, "discarded")["status"] == "discarded"


def test_script_a_queued_run(tfe_server):
    """script(run=...) takes effect when that run's plan starts: here a run waiting behind another."""
    srv = tfe_server
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    first = srv.create_run(ws)["data"]["id"]
    srv.wait_for_run(first, "planned")
    second = srv.create_run(ws)["data"]["id"]
    assert srv.run_status(second) == "pending"
    srv.admin.script(run=second, plan={"errored": True, "error-message": "Error: scripted"})
    with pytest.raises(ApiError) as e:
        srv.admin.script(run="run-doesnotexist", plan={"errored": True})
    assert e.value.status == 404
    with pytest.raises(ApiError) as e:
        srv.admin.script(plan={"errored": True})  # names no target
    assert e.value.status == 422

    srv.post(f"runs/{first}/actions/discard", expect=202)
    srv.wait_for_run(second, "errored")

    # policy and cost-delta: a forced policy check that hard-fails.
    srv.admin.script(next=True, policy="hard-fail", cost_delta=12.5)
    third = srv.create_run(ws)["data"]["id"]
    doc = srv.wait_for_run(third, "policy_checked", "policy_soft_failed", "errored")
    assert doc["data"]["attributes"]["status"] == "errored"
    srv.admin.clear_scripts()


def test_clock_follows_system_time_by_default(tfe_server):
    clock = tfe_server.admin.clock()
    assert clock["manual"] is False and tfe_server.admin.is_frozen() is False
    _at(clock["now"])
    with pytest.raises(ApiError) as e:
        tfe_server.admin.advance_clock(seconds=1)
    assert e.value.status == 409
    with pytest.raises(ValueError):
        tfe_server.admin.advance_clock()


@pytest.mark.tfe_server(manual_clock=True, seed=7)
def test_manual_clock(tfe_server):
    srv = tfe_server
    assert srv.admin.is_frozen() is True and srv.manual_clock is True
    start = srv.admin.now()
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    srv.admin.script(workspace=ws, plan={"duration-ms": 20000})
    run_id = srv.create_run(ws)["data"]["id"]
    assert srv.admin.now() == start  # time stands still
    assert srv.run_status(run_id) == "planning"

    moved = srv.admin.advance_clock(seconds=19)
    assert (_at(moved["now"]) - _at(start)).total_seconds() == 19
    assert srv.run_status(run_id) == "planning"
    moved = srv.admin.advance_clock(ms=1000)
    assert (_at(moved["now"]) - _at(start)).total_seconds() == 20 and moved["manual"] is True
    assert srv.run_status(run_id) == "planned"
