"""Servers (or tenants) made for one test do not share anything, even when driven at the same time."""
import threading

from conftest import MAIN_TF, new_workspace
from pytest_tfe_server import ApiError


def _drive(srv, org, results):
    try:
        ws = new_workspace(srv, org=org)
        srv.upload_configuration(ws, {"main.tf": MAIN_TF})
        run_id = srv.get(f"workspaces/{ws}/runs")["data"][0]["id"]
        srv.wait_for_run(run_id, "planned")
        srv.post(f"runs/{run_id}/actions/apply", {"comment": f"apply {org}"}, expect=202)
        srv.wait_for_run(run_id, "applied")
        results[org] = (ws, run_id)
    except BaseException as e:  # reported by the main thread
        results[org] = e


def test_parallel_servers_are_isolated(tfe_server_factory):
    a = tfe_server_factory(seed=1)
    b = tfe_server_factory(seed=2)
    assert a.api_url != b.api_url
    results = {}
    threads = [threading.Thread(target=_drive, args=(a, "alpha", results)),
               threading.Thread(target=_drive, args=(b, "beta", results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for org in ("alpha", "beta"):
        assert isinstance(results.get(org), tuple), results.get(org)

    assert [o["id"] for o in a.get("organizations")["data"]] == ["alpha"]
    assert [o["id"] for o in b.get("organizations")["data"]] == ["beta"]
    ws_a, run_a = results["alpha"]
    ws_b, run_b = results["beta"]
    assert run_a != run_b  # different seeds, different ids
    for srv, ws, run in ((b, ws_a, run_a), (a, ws_b, run_b)):
        for path in (f"workspaces/{ws}", f"runs/{run}"):
            try:
                srv.get(path)
                raise AssertionError(f"{srv.url} serves {path} of the other server")
            except ApiError as e:
                assert e.status == 404, e
    # Journals and resets are per server too.
    assert a.admin.requests(route="POST /api/v2/organizations")["meta"]["count"] == 1
    a.admin.reset()
    assert a.get("organizations")["data"] == []
    assert [o["id"] for o in b.get("organizations")["data"]] == ["beta"]
    assert b.run_status(run_b) == "applied"


def test_same_seed_same_ids(tfe_server_factory):
    """Two fresh servers with the same seed give the same ids to the same requests."""
    ids = []
    for srv in (tfe_server_factory(seed=42), tfe_server_factory(seed=42), tfe_server_factory(seed=43)):
        ws = new_workspace(srv)
        cv = srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)["data"]["id"]
        ids.append((ws, cv, srv.create_run(ws)["data"]["id"]))
    assert ids[0] == ids[1]
    assert ids[2][0] != ids[0][0]
