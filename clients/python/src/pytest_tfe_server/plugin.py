"""The pytest plugin (entry point pytest11 "tfe_server"): fixtures `tfe_server` and `tfe_server_factory`.

Options: `--tfe-server PATH` (else $TFE_SERVER, else `tfe-server` on PATH) and `--tfe-shared-server URL`
(else $TFE_SHARED_SERVER; with $TFE_SHARED_SERVER_TOKEN and $TFE_SHARED_SERVER_ADMIN_TOKEN for its tokens). Marker:
`@pytest.mark.tfe_server(seed=7, manual_clock=True, ...)` sets the options of the `tfe_server` fixture.
"""
import os

import pytest

from .client import ApiError
from .server import DEFAULT_TOKEN, ServerError, TfeServer, create_tenant, find_binary, start_process

_OPTIONS = ("seed", "manual_clock", "token", "admin_token", "args", "name", "own_process")


def pytest_addoption(parser):
    """Register --tfe-server and --tfe-shared-server."""
    group = parser.getgroup("tfe_server", "tfe-server fixtures (pytest-tfe-server)")
    group.addoption("--tfe-server", dest="tfe_server_binary", metavar="PATH", default=None,
                    help="the tfe-server binary to start for each test (default: $TFE_SERVER, else "
                         "tfe-server on PATH)")
    group.addoption("--tfe-shared-server", dest="tfe_shared_server", metavar="URL", default=None,
                    help="instead of a process per test, create a tenant per test on the tfe-server "
                         "running at URL (default: $TFE_SHARED_SERVER)")


def pytest_configure(config):
    """Register the tfe_server marker."""
    config.addinivalue_line(
        "markers",
        "tfe_server(seed=1, manual_clock=False, token=None, admin_token=None, args=(), name=None, "
        "own_process=False): options of the tfe_server fixture for this test (see tfe_server_factory)")


def _shared_url(config):
    return config.getoption("tfe_shared_server") or os.environ.get("TFE_SHARED_SERVER") or None


def pytest_report_header(config):
    """Say where the fixtures' servers come from."""
    shared = _shared_url(config)
    if shared:
        return f"tfe-server: a tenant per test on the shared server {shared}"
    try:
        return f"tfe-server: a process per test, {find_binary(config.getoption('tfe_server_binary'))}"
    except ServerError as e:
        return f"tfe-server: {e}"


class TfeServerFactory:
    """Makes `TfeServer`s for one test and closes them all when the test ends.

    Call it with keyword options:

    - `seed` (default 1): deterministic ids (`--seed`; a tenant's "seed"); None leaves it out.
    - `manual_clock` (default False): the clock stands still until `admin.advance_clock()`.
    - `token`: the API token (a server of its own: default "tfe-test-token"; a shared server: its
      token, $TFE_SHARED_SERVER_TOKEN, default "tfe-test-token").
    - `admin_token`: start the server with `--admin-token` (own process only).
    - `args`: more tfe-server flags, e.g. ["--plan-duration", "2s"] (own process only).
    - `name`: the tenant's name (shared server only; default: the server picks one).
    - `own_process`: start a process even when a shared server is configured.

    Options that only a process of its own can honour (`args`, `admin_token`) start one even in
    shared-server mode.
    """

    def __init__(self, config, tmp_dir):
        self._binary_option = config.getoption("tfe_server_binary")
        self._shared = _shared_url(config)
        self._shared_token = os.environ.get("TFE_SHARED_SERVER_TOKEN") or DEFAULT_TOKEN
        self._shared_admin_token = os.environ.get("TFE_SHARED_SERVER_ADMIN_TOKEN") or None
        self._tmp_dir = tmp_dir
        self.servers = []

    @property
    def shared_url(self):
        """The shared server's URL in shared-server mode, else None."""
        return self._shared

    def __call__(self, seed=1, manual_clock=False, token=None, admin_token=None, args=(), name=None,
                 own_process=False):
        """Start a fresh server (or create a tenant) with these options; return its `TfeServer`."""
        if self._shared and not own_process and not args and not admin_token:
            try:
                srv = create_tenant(self._shared, token or self._shared_token, self._shared_admin_token,
                                    name=name, seed=seed, manual_clock=manual_clock)
            except ApiError as e:
                if e.status != 404:
                    raise
                pytest.fail(f"the shared tfe-server {self._shared} has no tenant API (POST /_tfe/tenants answered "
                            "404): give a newer tfe-server, or unset TFE_SHARED_SERVER / --tfe-shared-server",
                            pytrace=False)
            except OSError as e:
                pytest.fail(f"shared tfe-server {self._shared} unreachable: {e}", pytrace=False)
        else:
            if name is not None:
                raise TypeError("tfe_server_factory: name= is for tenants of a shared server")
            try:
                binary = find_binary(self._binary_option)
                log = os.path.join(self._tmp_dir, f"tfe-server-{len(self.servers) + 1}.log")
                srv = start_process(binary, seed=seed, manual_clock=manual_clock, token=token or DEFAULT_TOKEN,
                                    admin_token=admin_token, args=args, log_path=log)
            except ServerError as e:
                pytest.fail(str(e), pytrace=False)
        self.servers.append(srv)
        return srv

    def close(self):
        """Close every server made, newest first; raise the first error after trying them all."""
        errors = []
        while self.servers:
            try:
                self.servers.pop().close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
        if errors:
            raise errors[0]


@pytest.fixture
def tfe_server_factory(request, tmp_path):
    """A factory of fresh, isolated fakes for this test: `tfe_server_factory(seed=7, manual_clock=True)`
    returns a new `TfeServer` per call (see `TfeServerFactory`). All of them are stopped (SIGTERM, exit
    status 0 required) or deleted (tenants) when the test ends; a failure to do so fails the test.
    Each server's stderr is kept in the test's tmp_path as tfe-server-N.log."""
    factory = TfeServerFactory(request.config, str(tmp_path))
    yield factory
    factory.close()


@pytest.fixture
def tfe_server(request, tfe_server_factory):
    """A fresh, isolated fake TFE for this test (a `TfeServer`): a tfe-server process of its own, or a
    tenant of the shared server named by --tfe-shared-server / $TFE_SHARED_SERVER. Options come from
    the test's `@pytest.mark.tfe_server(...)` marker (the keywords of `tfe_server_factory`)."""
    marker = request.node.get_closest_marker("tfe_server")
    options = {}
    if marker is not None:
        if marker.args:
            raise TypeError("@pytest.mark.tfe_server takes keyword arguments only")
        unknown = set(marker.kwargs) - set(_OPTIONS)
        if unknown:
            raise TypeError(f"@pytest.mark.tfe_server: unknown options {sorted(unknown)}")
        options = dict(marker.kwargs)
    return tfe_server_factory(**options)
