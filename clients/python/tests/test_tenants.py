"""Tenant mode: one tfe-server, a tenant per test (POST/GET /_tfe/tenants, DELETE /_tfe/tenants/NAME).

These tests start a server of their own and skip only while its /_tfe/tenants answers 404 (a
tfe-server built before the tenant API).
"""
import pytest

from conftest import MAIN_TF, new_workspace, shared_mode
from pytest_tfe_server import ApiError, TenantClient, create_tenant


@pytest.fixture
def host(tfe_server_factory):
    """A tfe-server of its own that has the tenant API (the test skips while it answers 404)."""
    srv = tfe_server_factory(own_process=True)
    if not TenantClient(srv.address).available():
        pytest.skip(f"GET {srv.address}/_tfe/tenants answers 404: this tfe-server has no tenant API yet")
    return srv


def test_fixture_mode_matches_configuration(request, tfe_server):
    if shared_mode(request.config):
        assert tfe_server.process is None and tfe_server.tenant
        assert tfe_server.base_path == f"/t/{tfe_server.tenant}/api/v2/"
        assert tfe_server.url == f"{tfe_server.address}/t/{tfe_server.tenant}"
        assert tfe_server.admin_url == f"{tfe_server.url}/_tfe/"
    else:
        assert tfe_server.tenant is None and tfe_server.process is not None
        assert tfe_server.base_path == "/api/v2/" and tfe_server.url == tfe_server.address
        assert tfe_server.process.proc.poll() is None
    assert tfe_server.api_url == tfe_server.address + tfe_server.base_path
    assert tfe_server.get("organizations")["data"] == []


def test_tenants_are_isolated_servers(host):
    tenants = TenantClient(host.address)
    a = create_tenant(host.address, token=host.token, seed=5)
    b = create_tenant(host.address, token=host.token, name="named-b_2", seed=5, manual_clock=True)
    try:
        assert b.tenant == "named-b_2"
        assert a.tenant != b.tenant
        for t in (a, b):
            assert t.base_path == f"/t/{t.tenant}/api/v2/"
            assert t.api_url == f"{host.address}/t/{t.tenant}/api/v2/"
            assert t.admin_url == f"{host.address}/t/{t.tenant}/_tfe/"
        listed = {t["name"]: t for t in tenants.list()}
        assert {a.tenant, b.tenant} <= set(listed)
        assert listed[b.tenant]["api-url"] == b.api_url

        # Each tenant has its own engine, ids, clock and journal; the default tenant sees none of it.
        ws_a = new_workspace(a)
        ws_b = new_workspace(b)
        assert ws_a == ws_b  # same seed, same requests, own id generators
        new_workspace(host, org="host-org")
        assert [o["id"] for o in host.get("organizations")["data"]] == ["host-org"]
        assert [o["id"] for o in a.get("organizations")["data"]] == ["acme"]
        a.upload_configuration(ws_a, {"main.tf": MAIN_TF})
        run_a = a.get(f"workspaces/{ws_a}/runs")["data"][0]["id"]
        a.wait_for_run(run_a, "planned")
        assert b.get(f"workspaces/{ws_b}/runs")["data"] == []
        assert a.admin.requests(route="POST /api/v2/organizations")["meta"]["count"] == 1
        assert host.admin.requests(route="POST /api/v2/organizations")["meta"]["count"] == 1
        assert a.admin.is_frozen() is False and b.admin.is_frozen() is True
        assert a.admin.advance(run_a, "applied")["status"] == "applied"
        b.admin.reset()
        assert b.get("organizations")["data"] == []
        assert a.run_status(run_a) == "applied"

        # The tenant's service discovery, and its capability URLs under /t/NAME/.
        disco = a.request("GET", f"{a.url}/.well-known/terraform.json")
        assert disco.status == 200 and disco.json()["tfe.v2"] == a.base_path
        cv = a.post(f"workspaces/{ws_a}/configuration-versions",
                    {"data": {"type": "configuration-versions", "attributes": {"auto-queue-runs": False}}})
        assert cv["data"]["attributes"]["upload-url"].startswith(a.url + "/")
    finally:
        a.close()
        b.close()
    names = {t["name"] for t in tenants.list()}
    assert a.tenant not in names and b.tenant not in names
    with pytest.raises(ApiError) as e:
        a.get("organizations")
    assert e.value.status == 404


def test_tenant_errors(host):
    tenants = TenantClient(host.address)
    t = tenants.create(name="dup")
    assert t["name"] == "dup" and t["base-path"] == "/t/dup/api/v2/"
    with pytest.raises(ApiError) as e:
        tenants.create(name="dup")
    assert e.value.status == 409
    for bad in ("Bad", "a/b", "x" * 64, ""):
        with pytest.raises(ApiError) as e:
            tenants.create(name=bad)
        assert e.value.status == 422, bad
    tenants.delete("dup")
    with pytest.raises(ApiError) as e:
        tenants.delete("dup")
    assert e.value.status == 404


def test_factory_makes_tenants_on_a_shared_server(host, monkeypatch, pytester):
    """The plugin's shared mode, end to end: an inner session with TFE_SHARED_SERVER set."""
    monkeypatch.setenv("TFE_SHARED_SERVER", host.address)
    monkeypatch.setenv("TFE_SHARED_SERVER_TOKEN", host.token)
    pytester.makepyfile(test_inner="""
        import pytest

        def test_a(tfe_server):
            assert tfe_server.tenant and tfe_server.process is None
            tfe_server.create_organization("acme")
            assert [o["id"] for o in tfe_server.get("organizations")["data"]] == ["acme"]

        @pytest.mark.tfe_server(name="fixed-name", manual_clock=True)
        def test_b(tfe_server):
            assert tfe_server.tenant == "fixed-name" and tfe_server.admin.is_frozen()
            assert tfe_server.get("organizations")["data"] == []

        @pytest.mark.tfe_server(args=["--plan-duration", "1s"])
        def test_c(tfe_server):
            assert tfe_server.process is not None and tfe_server.tenant is None
    """)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert TenantClient(host.address).list() == []  # every tenant deleted at teardown
