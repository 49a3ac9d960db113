"""A run end to end through the tfe_server fixture: organization, workspace, configuration version
(a real tar.gz holding main.tf), the run the upload queues, comments, apply; then scripted runs."""
import gzip
import io
import tarfile

import pytest

from conftest import MAIN_TF, new_workspace
from pytest_tfe_server import ApiError, tarball


def test_tarball_holds_the_files():
    data = tarball({"main.tf": MAIN_TF, "sub/vars.tf": b"variable \"x\" {}\n"})
    assert data[:2] == b"\x1f\x8b"
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        assert tar.getnames() == ["main.tf", "sub/vars.tf"]
        assert tar.extractfile("main.tf").read().decode() == MAIN_TF
    assert tarball({"main.tf": MAIN_TF}) == tarball({"main.tf": MAIN_TF})  # no time in it
    assert gzip.decompress(data)[:7] == b"main.tf"


def test_run_end_to_end(tfe_server):
    srv = tfe_server
    ws = new_workspace(srv)
    assert srv.get("organizations/acme")["data"]["attributes"]["email"] == "ops@acme.test"

    # The upload queues a run (auto-queue-runs); the engine reads main.tf: one resource to add.
    cv = srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=True)
    cv_id = cv["data"]["id"]
    assert srv.get(f"configuration-versions/{cv_id}")["data"]["attributes"]["status"] == "uploaded"
    runs = srv.get(f"workspaces/{ws}/runs")["data"]
    assert len(runs) == 1, runs
    run_id = runs[0]["id"]
    assert runs[0]["relationships"]["configuration-version"]["data"]["id"] == cv_id
    run = srv.wait_for_run(run_id, "planned")
    # Resource links are root-relative, in a tenant too (docs/testing.md#tenants); get() resolves them
    # against this fake's API.
    assert run["data"]["links"]["self"] == f"/api/v2/runs/{run_id}"
    assert srv.get(run["data"]["links"]["self"])["data"]["id"] == run_id
    assert srv.get(srv.base_path + f"runs/{run_id}")["data"]["id"] == run_id
    assert run["data"]["attributes"]["actions"]["is-confirmable"] is True
    plan = srv.get(f"runs/{run_id}/plan")["data"]["attributes"]
    assert (plan["resource-additions"], plan["resource-changes"], plan["resource-destructions"]) == (1, 0, 0)

    # Comment, then apply with a comment of its own.
    srv.post(f"runs/{run_id}/comments", {"data": {"type": "comments", "attributes": {"body": "looks right"}}},
             expect=201)
    assert srv.post(f"runs/{run_id}/actions/apply", {"comment": "ship it"}, expect=202) is None
    srv.wait_for_run(run_id, "applied")
    bodies = [c["attributes"]["body"] for c in srv.get(f"runs/{run_id}/comments")["data"]]
    assert bodies == ["looks right", "ship it"]
    apply = srv.get(f"runs/{run_id}/apply")["data"]["attributes"]
    assert apply["resource-additions"] == 1
    assert srv.get(f"workspaces/{ws}")["data"]["attributes"]["resource-count"] == 1

    # The same configuration again: the resource is in the state now, so nothing changes.
    again = srv.create_run(ws, message="again")["data"]["id"]
    srv.wait_for_run(again, "planned_and_finished")
    assert srv.get(f"runs/{again}")["data"]["attributes"]["has-changes"] is False


def test_scripted_outcomes_and_advance(tfe_server):
    srv = tfe_server
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF}, auto_queue_runs=False)
    assert srv.get(f"workspaces/{ws}/runs")["data"] == []

    # The next run plans what the script says, not what main.tf proposes.
    srv.admin.script(next=True, plan={"counts": {"additions": 2, "changes": 1, "destructions": 0, "imports": 0}})
    run_id = srv.create_run(ws, message="scripted")["data"]["id"]
    srv.wait_for_run(run_id, "planned")
    plan = srv.get(f"runs/{run_id}/plan")["data"]["attributes"]
    assert (plan["resource-additions"], plan["resource-changes"]) == (2, 1)
    # advance confirms the apply on the run's behalf.
    assert srv.admin.advance(run_id, "applied") == {"id": run_id, "status": "applied"}
    assert srv.run_status(run_id) == "applied"

    # Every later run of the workspace errors; its plan log says why.
    srv.admin.script(workspace=ws, plan={"errored": True, "error-message": "Error: Invalid reference"})
    bad = srv.create_run(ws)["data"]["id"]
    srv.wait_for_run(bad, "errored")
    log_url = srv.get(f"runs/{bad}/plan")["data"]["attributes"]["log-read-url"]
    log = srv.request("GET", log_url)
    assert log.status == 200 and "Error: Invalid reference" in log.text, log.text
    with pytest.raises(ApiError) as e:
        srv.admin.advance(bad, "applied")  # an errored run cannot be applied
    assert e.value.status == 409

    srv.admin.clear_scripts()
    ok = srv.create_run(ws)["data"]["id"]
    assert srv.wait_for_run(ok, "planned", "planned_and_finished")["data"]["attributes"]["status"] == "planned"


def test_discard_with_comment(tfe_server):
    srv = tfe_server
    ws = new_workspace(srv)
    srv.upload_configuration(ws, {"main.tf": MAIN_TF})
    run_id = srv.get(f"workspaces/{ws}/runs")["data"][0]["id"]
    srv.wait_for_run(run_id, "planned")
    srv.post(f"runs/{run_id}/actions/discard", {"comment": "not today"}, expect=202)
    srv.wait_for_run(run_id, "discarded")
    assert [c["attributes"]["body"] for c in srv.get(f"runs/{run_id}/comments")["data"]] == ["not today"]
