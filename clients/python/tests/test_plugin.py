"""The plugin's own behaviour: options, markers, the missing-binary error, and a failing teardown.

The inner sessions run in process (pytester) with a server of their own, whatever the outer mode.
"""
import os
import signal

import pytest

from pytest_tfe_server import ServerError, find_binary, start_process


@pytest.fixture
def inner(pytester, monkeypatch):
    """A pytester with the shared-server variables removed, so inner tests start processes."""
    monkeypatch.delenv("TFE_SHARED_SERVER", raising=False)
    return pytester


def test_marker_options_reach_the_server(inner):
    inner.makepyfile(test_inner="""
        import pytest

        @pytest.mark.tfe_server(seed=7, manual_clock=True, token="secret-1", args=["--journal", "5"])
        def test_options(tfe_server):
            args = tfe_server.process.args
            assert args[args.index("--seed") + 1] == "7"
            assert "--manual-clock" in args and tfe_server.admin.is_frozen()
            assert tfe_server.token == "secret-1"
            assert tfe_server.headers["Authorization"] == "Bearer secret-1"
            assert tfe_server.request("GET", "organizations", headers={"Authorization": "Bearer x"}).status == 401
            for i in range(8):
                tfe_server.get("organizations")
            assert tfe_server.admin.requests()["meta"]["capacity"] == 5

        def test_defaults(tfe_server):
            args = tfe_server.process.args
            assert args[1:3] == ["--port", "0"] and args[args.index("--seed") + 1] == "1"
            assert tfe_server.token == "tfe-test-token" and not tfe_server.admin.is_frozen()

        @pytest.mark.tfe_server(bogus=1)
        def test_unknown_option(tfe_server):
            pass
    """)
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*unknown options*bogus*"])


def test_tfe_server_option_and_missing_binary(inner, monkeypatch):
    binary = find_binary()
    inner.makepyfile(test_inner="""
        def test_up(tfe_server):
            assert tfe_server.get("organizations")["data"] == []
    """)
    monkeypatch.delenv("TFE_SERVER", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*tfe-server not found: pass --tfe-server PATH*"])

    result = inner.runpytest_inprocess("-p", "no:cacheprovider", "--tfe-server", binary)
    result.assert_outcomes(passed=1)

    monkeypatch.setenv("TFE_SERVER", os.path.join(str(inner.path), "no-such-binary"))
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TFE_SERVER names *no-such-binary*, which is not an executable file*"])


def test_teardown_fails_unless_the_server_exits_0(inner):
    inner.makepyfile(test_inner="""
        import os, signal

        def test_killed(tfe_server):
            os.kill(tfe_server.process.pid, signal.SIGKILL)
            tfe_server.process.proc.wait()
    """)
    result = inner.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*exited with status -9 after SIGTERM, want 0*"])


def test_factory_stops_every_server(inner):
    inner.makepyfile(test_inner="""
        import os

        PIDS = []

        def test_many(tfe_server_factory):
            for seed in (1, 2, 3):
                PIDS.append(tfe_server_factory(seed=seed).process.pid)

        def test_gone():
            assert len(PIDS) == 3
            for pid in PIDS:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    continue
                raise AssertionError(f"pid {pid} still runs")
    """)
    inner.runpytest_inprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_start_process_outside_pytest(tmp_path):
    log = tmp_path / "server.log"
    with start_process(seed=3, args=["--log"], log_path=str(log)) as srv:
        assert srv.get("organizations")["data"] == []
        pid = srv.process.pid
    assert srv.process.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "GET /api/v2/organizations" in log.read_text()  # --log: one line per request on stderr
    with pytest.raises(ServerError) as e:
        start_process(args=["--no-such-flag"])
    assert "did not start" in str(e.value)
