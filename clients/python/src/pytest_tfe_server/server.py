"""tfe-server processes and tenants, and `TfeServer`, the value of the `tfe_server` fixture."""
import os
import queue
import shutil
import signal
import subprocess
import threading

from .client import AdminClient, JsonApiClient, TenantClient

__all__ = ["DEFAULT_TOKEN", "ServerProcess", "ServerError", "TfeServer", "find_binary", "start_process",
           "create_tenant"]

#: The API token of the servers the plugin starts (and its default for a shared server).
DEFAULT_TOKEN = "tfe-test-token"


class ServerError(Exception):
    """tfe-server could not be found or started, or did not stop cleanly."""


def find_binary(explicit=None):
    """The tfe-server binary: `explicit` if given, else $TFE_SERVER, else `tfe-server` on PATH.

    Raises ServerError saying how to provide one when none is found.
    """
    for candidate, origin in ((explicit, "--tfe-server"), (os.environ.get("TFE_SERVER"), "TFE_SERVER")):
        if candidate:
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
            raise ServerError(f"{origin} names {candidate!r}, which is not an executable file")
    found = shutil.which("tfe-server")
    if found:
        return found
    raise ServerError(
        "tfe-server not found: pass --tfe-server PATH to pytest, set TFE_SERVER=PATH, or put tfe-server "
        "on PATH (build it with `cmake --build BUILD_DIR --target tfe-server`; it is BUILD_DIR/tools/tfe-server)")


class ServerProcess:
    """A running tfe-server process started with `--port 0`.

    `url` is its origin ("http://127.0.0.1:PORT"), read from the first line it prints. Its stderr goes
    to `log_path` (or is discarded); later stdout is drained by a thread so the server never blocks.
    `stop()` sends SIGTERM and returns the exit status.
    """

    def __init__(self, binary, args=(), log_path=None, startup_timeout=30.0):
        self.binary = binary
        self.args = [binary, "--port", "0", *args]
        self.log_path = log_path
        self._log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        try:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=self._log)
        except OSError as e:
            self._close_log()
            raise ServerError(f"cannot start {binary}: {e}") from e
        lines = queue.Queue()
        self._drain = threading.Thread(target=self._read_stdout, args=(lines,), daemon=True)
        self._drain.start()
        try:
            first = lines.get(timeout=startup_timeout)
        except queue.Empty:
            first = None
        prefix = "listening on "
        if not first or not first.startswith(prefix):
            self.proc.kill()
            self.proc.wait()
            self._close_log()
            raise ServerError(f"{' '.join(self.args)} did not start (first line {first!r}, exit status "
                              f"{self.proc.returncode}){self._log_tail()}")
        self.url = first[len(prefix):].strip().rstrip("/")
        self.returncode = None

    def _read_stdout(self, lines):
        out = self.proc.stdout
        first = out.readline()
        lines.put(first.decode("utf-8", "replace") if first else "")
        while out.read(65536):
            pass

    def _close_log(self):
        if self._log is not subprocess.DEVNULL and not self._log.closed:
            self._log.close()

    def _log_tail(self, limit=2000):
        if not self.log_path or not os.path.exists(self.log_path):
            return ""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        return f"\n--- tfe-server stderr ({self.log_path}) ---\n{text[-limit:]}" if text else ""

    @property
    def pid(self):
        """The process id."""
        return self.proc.pid

    def stop(self, timeout=15.0):
        """Send SIGTERM and wait up to `timeout` seconds; return the exit status.

        A server still running then is killed (SIGKILL) and ServerError is raised. Calling it again
        returns the same status.
        """
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self._close_log()
                self.returncode = self.proc.returncode
                raise ServerError(f"tfe-server (pid {self.pid}) did not stop within {timeout}s of SIGTERM")
        self._drain.join(timeout)
        self._close_log()
        self.returncode = self.proc.returncode
        return self.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class TfeServer(JsonApiClient):
    """One isolated fake TFE: a tfe-server process of its own, or a tenant of a shared one.

    The API helper methods (`get`, `post`, `patch`, `delete`, `put`, `request`, `create_organization`,
    `create_workspace`, `upload_configuration`, `create_run`, `wait_for_run`, ...) come from
    `JsonApiClient`. Attributes:

    - `url`: the root of this fake ("http://127.0.0.1:PORT", a tenant's "http://127.0.0.1:PORT/t/NAME"),
      where /api/v2/, /_tfe/ and /.well-known/terraform.json are.
    - `address`: the server's origin ("http://127.0.0.1:PORT"): go-tfe's Address.
    - `api_url`: the API root ("<url>/api/v2/"); `base_path` its path ("/api/v2/", "/t/NAME/api/v2/").
    - `admin_url`: the admin API root ("<url>/_tfe/"); `admin`: an `AdminClient` for it.
    - `token`: the API token; `headers`: the headers of an API request.
    - `tenant`: the tenant's name, or None for a server of its own; `process`: the `ServerProcess`, or
      None for a tenant.
    - `seed`, `manual_clock`: the options it was started with.
    """

    def __init__(self, url, api_url, admin_url, token, admin_token=None, tenant=None, process=None,
                 seed=None, manual_clock=False, timeout=30.0):
        super().__init__(api_url, token, timeout)
        self.url = url.rstrip("/")
        self.address = self.origin
        self.admin_url = admin_url if admin_url.endswith("/") else admin_url + "/"
        self.admin_token = admin_token
        self.admin = AdminClient(self.admin_url, admin_token, timeout)
        self.tenant = tenant
        self.process = process
        self.seed = seed
        self.manual_clock = manual_clock
        self._tenants = None
        self._closed = False

    def __repr__(self):
        kind = f"tenant {self.tenant!r}" if self.tenant else f"pid {self.process.pid}" if self.process else ""
        return f"<TfeServer {self.url} {kind}>"

    def close(self):
        """Stop the server (SIGTERM; ServerError unless it exits with status 0) or delete the tenant
        (ApiError unless the server answers 204). Calling it again does nothing."""
        if self._closed:
            return
        self._closed = True
        if self.process is not None:
            status = self.process.stop()
            if status != 0:
                raise ServerError(f"tfe-server (pid {self.process.pid}) exited with status {status} after "
                                  f"SIGTERM, want 0{self.process._log_tail()}")
        elif self.tenant is not None:
            self._tenants.delete(self.tenant)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def start_process(binary=None, seed=1, manual_clock=False, token=DEFAULT_TOKEN, admin_token=None, args=(),
                  log_path=None, startup_timeout=30.0):
    """Start a tfe-server of its own (`--port 0 --token T [--seed N] [--manual-clock]
    [--admin-token A] ARGS...`) and return its `TfeServer`. `binary` defaults to `find_binary()`;
    `seed=None` leaves --seed out. Stop it with `close()` (or use it as a context manager)."""
    argv = ["--token", token]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if manual_clock:
        argv.append("--manual-clock")
    if admin_token:
        argv += ["--admin-token", admin_token]
    argv += [str(a) for a in args]
    proc = ServerProcess(binary or find_binary(), argv, log_path, startup_timeout)
    return TfeServer(proc.url, proc.url + "/api/v2/", proc.url + "/_tfe/", token, admin_token,
                     process=proc, seed=seed, manual_clock=manual_clock)


def create_tenant(server_url, token=DEFAULT_TOKEN, admin_token=None, name=None, seed=None, manual_clock=False):
    """Create a tenant on the running tfe-server at `server_url` and return its `TfeServer`;
    `close()` deletes the tenant. `token` is an API token the shared server accepts, `admin_token` its
    --admin-token if any."""
    tenants = TenantClient(server_url, admin_token)
    t = tenants.create(name=name, seed=seed, manual_clock=True if manual_clock else None)
    srv = TfeServer(t["base-url"], t["api-url"], t["admin-url"], token, admin_token, tenant=t["name"],
                    seed=seed, manual_clock=bool(manual_clock))
    srv._tenants = tenants
    return srv
