"""terrasnek, a published Python client of the TFE API (PyPI, pinned in requirements.txt), drives the
API-driven run workflow against tfe-server, unchanged: organization, workspace, configuration version,
upload, the run the upload queues, apply with a comment, run lists, a second run discarded with a
comment; statuses and comments are read back through terrasnek.

Every call goes through terrasnek; tfe-server comes from the tfe_server fixture (clients/python), which
is used here only to start and stop it. A request that terrasnek sends and tfe-server refuses makes the
test fail with the refused request (method, URL, status, body) in the message.
"""
import io
import tarfile
import time

import pytest
import requests
from terrasnek.api import TFC
from terrasnek.exceptions import TFCException

MAIN_TF = """\
resource "terraform_data" "seed" {
  input = "first"
}
"""

MAIN_TF_V2 = MAIN_TF + """
resource "terraform_data" "second" {
  input = "second"
}
"""


class Refused(AssertionError):
    """A request that tfe-server refused (status >= 400), with the request and the answer."""


@pytest.fixture
def refused_requests(monkeypatch):
    """Records every request terrasnek sends through `requests` that is answered with a status of 400
    or more, so a failure names exactly what was refused."""
    seen = []
    original = requests.Session.send

    def send(self, prepared, **kwargs):
        response = original(self, prepared, **kwargs)
        if response.status_code >= 400:
            body = prepared.body if isinstance(prepared.body, (str, type(None))) else prepared.body[:200]
            seen.append(f"{prepared.method} {prepared.url} (Content-Type "
                        f"{prepared.headers.get('Content-Type')!r}, body {body!r}) -> "
                        f"{response.status_code} {response.text[:500]}")
        return response

    monkeypatch.setattr(requests.Session, "send", send)
    return seen


def _call(refused, what, fn, *args):
    """Run one terrasnek call; on an exception, fail naming the refused request(s)."""
    before = len(refused)
    try:
        return fn(*args)
    except (TFCException, TypeError, KeyError) as e:
        raise Refused(f"{what}: terrasnek raised {type(e).__name__}: {e}\nrefused by tfe-server: "
                      f"{refused[before:] or 'nothing (see the exception)'}") from e


def _targz(path, text):
    with tarfile.open(path, "w:gz") as tar:
        data = text.encode()
        info = tarfile.TarInfo("main.tf")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return str(path)


def _wait(api, refused, run_id, *statuses, timeout=30.0):
    """Poll runs.show until the run's status is one of `statuses`; return the run document."""
    deadline = time.monotonic() + timeout
    while True:
        run = _call(refused, f"runs.show({run_id})", api.runs.show, run_id)
        status = run["data"]["attributes"]["status"]
        if status in statuses:
            return run
        if time.monotonic() >= deadline:
            raise AssertionError(f"run {run_id} is {status!r} after {timeout}s, want one of {statuses}")
        time.sleep(0.02)


def test_seed_workflow(tfe_server, refused_requests, tmp_path):
    refused = refused_requests
    # skip_version_check: terrasnek would otherwise ask pypi.org for its latest version.
    api = _call(refused, "TFC()", lambda: TFC(tfe_server.token, url=tfe_server.url, skip_version_check=True))
    assert api.get_url() == tfe_server.url

    # Organization and workspace.
    org = _call(refused, "orgs.create", api.orgs.create, {"data": {"type": "organizations", "attributes": {
        "name": "seed-org", "email": "ops@seed.test"}}})
    assert org["data"]["id"] == "seed-org"
    api.set_org("seed-org")
    assert _call(refused, "orgs.show", api.orgs.show, "seed-org")["data"]["attributes"]["email"] == "ops@seed.test"
    ws = _call(refused, "workspaces.create", api.workspaces.create, {"data": {"type": "workspaces", "attributes": {
        "name": "seed-ws", "auto-apply": False}}})
    ws_id = ws["data"]["id"]
    shown = _call(refused, "workspaces.show", lambda: api.workspaces.show(workspace_name="seed-ws"))
    assert shown["data"]["id"] == ws_id

    # A configuration version that queues a run once uploaded; upload a tar.gz holding main.tf.
    cv = _call(refused, "config_versions.create", api.config_versions.create, ws_id, {"data": {
        "type": "configuration-versions", "attributes": {"auto-queue-runs": True}}})
    cv_id = cv["data"]["id"]
    upload_url = cv["data"]["attributes"]["upload-url"]
    assert cv["data"]["attributes"]["status"] == "pending"
    _call(refused, "config_versions.upload", api.config_versions.upload,
          _targz(tmp_path / "config.tar.gz", MAIN_TF), upload_url)
    assert _call(refused, "config_versions.show", api.config_versions.show, cv_id)["data"]["attributes"][
        "status"] == "uploaded"

    # The automatic run: plan, apply with a comment.
    runs = _call(refused, "runs.list", api.runs.list, ws_id)["data"]
    assert len(runs) == 1, runs
    run_id = runs[0]["id"]
    assert runs[0]["relationships"]["configuration-version"]["data"]["id"] == cv_id
    run = _wait(api, refused, run_id, "planned", "cost_estimated")
    assert run["data"]["attributes"]["actions"]["is-confirmable"] is True
    plan = _call(refused, "plans.show", api.plans.show, run["data"]["relationships"]["plan"]["data"]["id"])
    assert plan["data"]["attributes"]["resource-additions"] == 1
    _call(refused, "runs.apply", api.runs.apply, run_id, {"comment": "Looks good to me"})
    applied = _wait(api, refused, run_id, "applied")
    assert applied["data"]["attributes"]["status-timestamps"].get("applied-at")
    apply_id = applied["data"]["relationships"]["apply"]["data"]["id"]
    assert _call(refused, "applies.show", api.applies.show, apply_id)["data"]["attributes"]["status"] == "finished"
    _call(refused, "comments.create_for_run", api.comments.create_for_run, run_id, {"data": {
        "type": "comments", "attributes": {"body": "Applied, thanks"}}})
    comments = _call(refused, "comments.list_for_run", api.comments.list_for_run, run_id)["data"]
    assert [c["attributes"]["body"] for c in comments] == ["Looks good to me", "Applied, thanks"]
    comment = _call(refused, "comments.show", api.comments.show, comments[0]["id"])
    assert comment["data"]["attributes"]["body"] == "Looks good to me"

    # A second configuration (one more resource), a run created explicitly from it, discarded.
    cv2 = _call(refused, "config_versions.create", api.config_versions.create, ws_id, {"data": {
        "type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
    cv2_id = cv2["data"]["id"]
    _call(refused, "config_versions.upload_from_string", api.config_versions.upload_from_string, MAIN_TF_V2,
          cv2["data"]["attributes"]["upload-url"])
    second = _call(refused, "runs.create", api.runs.create, {"data": {
        "attributes": {"is-destroy": False, "message": "second run"}, "type": "runs",
        "relationships": {
            "workspace": {"data": {"type": "workspaces", "id": ws_id}},
            "configuration-version": {"data": {"type": "configuration-versions", "id": cv2_id}}}}})
    second_id = second["data"]["id"]
    assert second["data"]["attributes"]["message"] == "second run"
    planned = _wait(api, refused, second_id, "planned", "cost_estimated")
    assert planned["data"]["attributes"]["actions"]["is-discardable"] is True
    plan2 = _call(refused, "plans.show", api.plans.show, planned["data"]["relationships"]["plan"]["data"]["id"])
    assert plan2["data"]["attributes"]["resource-additions"] == 1  # terraform_data.second only
    _call(refused, "runs.discard", api.runs.discard, second_id, {"comment": "This run was discarded"})
    _wait(api, refused, second_id, "discarded")
    comments2 = _call(refused, "comments.list_for_run", api.comments.list_for_run, second_id)["data"]
    assert [c["attributes"]["body"] for c in comments2] == ["This run was discarded"]

    # List the runs, one page and all pages: newest first.
    listed = _call(refused, "runs.list", api.runs.list, ws_id)
    assert [(r["id"], r["attributes"]["status"]) for r in listed["data"]] == [
        (second_id, "discarded"), (run_id, "applied")]
    everything = _call(refused, "runs.list_all", api.runs.list_all, ws_id)
    assert [r["id"] for r in everything["data"]] == [second_id, run_id]
    only_applied = _call(refused, "runs.list(filters)", lambda: api.runs.list(
        ws_id, filters=[{"keys": ["status"], "value": "applied"}]))
    assert [r["id"] for r in only_applied["data"]] == [run_id]
    with_plan = _call(refused, "runs.show(include)", lambda: api.runs.show(run_id, include=["plan"]))
    assert [i["type"] for i in with_plan.get("included", [])] == ["plans"]
    cvs = _call(refused, "config_versions.list", api.config_versions.list, ws_id)["data"]
    assert sorted(c["id"] for c in cvs) == sorted([cv_id, cv2_id])

    # Clean up the way terrasnek does: DELETE (terrasnek sends the body "null" with it).
    _call(refused, "workspaces.destroy", lambda: api.workspaces.destroy(workspace_id=ws_id))
    _call(refused, "orgs.destroy", api.orgs.destroy, "seed-org")
    assert _call(refused, "orgs.list", api.orgs.list)["data"] == []
    assert not refused, refused
