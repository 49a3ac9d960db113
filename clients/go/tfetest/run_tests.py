#!/usr/bin/env python3
"""Runs the tests of the Go test helper (clients/go/tfetest) against tfe-server: the ctest test go_tfetest.

    run_tests.py --server BIN --workdir DIR [--go GO] [--run REGEX]

1. finds a go tool of version 1.25 or newer (--go, $GO, `go` on PATH, /usr/local/go/bin/go); without
   one, exits with status 77 (skipped) and says how to install it;
2. checks the module (gofmt -l, go vet) and builds its test binary (go test -c), with the module cache,
   build cache and GOPATH under DIR and -mod=readonly: modules come from the Go module proxy as go.sum
   pins them;
3. runs the tests with TFE_SERVER=BIN: each NewServer starts a tfe-server process of its own;
4. starts one tfe-server (--token, --admin-token) and runs the tests again with TFE_SHARED_SERVER
   pointing at it: each NewServer creates a tenant there. Afterwards the server must have no tenant
   left and must exit with status 0 on SIGTERM.

Exit status 0 when both runs pass, 1 when anything fails, 77 without a suitable go tool, 2 usage error.
examples/cookbook/go/run_tests.py runs the Go cookbook the same way through main() here.
"""

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
LABEL = "go_tfetest"  # the ctest test these lines belong to (main() sets it)


def say(msg):
    print(LABEL + ": " + msg, flush=True)


def go_version(go):
    try:
        out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, GOTOOLCHAIN="local")).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.match(r"^go(\d+)\.(\d+)", out)
    return (int(m.group(1)), int(m.group(2))) if m else None


def find_go(arg):
    for cand in [arg, os.environ.get("GO"), shutil.which("go"), "/usr/local/go/bin/go"]:
        if cand and os.path.exists(cand):
            v = go_version(cand)
            if v and v >= (1, 25):
                return cand
    return None


def go_env(workdir):
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and not k.startswith("TFE_")}
    caches = os.environ.get("TFE_GO_CACHE_DIR") or workdir  # one cache for every Go test of a build
    env.update(GOMODCACHE=os.path.join(caches, "gomod"), GOCACHE=os.path.join(caches, "gocache"),
               GOPATH=os.path.join(caches, "gopath"), GOFLAGS="-mod=readonly", GOTOOLCHAIN="local",
               GOWORK="off", GOENV="off", GOSUMDB="off",
               GOPROXY=os.environ.get("GOPROXY") or "https://proxy.golang.org")
    return env


@contextlib.contextmanager
def machine_build_lock():
    """Holds the file TFE_BUILD_LOCK names (flock), if it names one: none by default, so a scripts/test
    run under that very lock never waits for itself."""
    path = os.environ.get("TFE_BUILD_LOCK")
    if not path:
        yield
        return
    with open(path, "a") as lock:
        waiting = time.monotonic()
        fcntl.flock(lock, fcntl.LOCK_EX)
        if time.monotonic() - waiting >= 1:
            say(f"waited {time.monotonic() - waiting:.1f}s for {path}")
        yield


def build(go, workdir, module_dir, binary_name):
    """gofmt, go vet and go test -c of the module in module_dir, one compile at a time on a shared machine
    (flock of the file TFE_BUILD_LOCK names, if it names one); the test binary or None."""
    env = go_env(workdir)
    binary = os.path.join(workdir, binary_name)
    with machine_build_lock():
        started = time.monotonic()
        goroot = subprocess.run([go, "env", "GOROOT"], env=env, capture_output=True, text=True).stdout.strip()
        gofmt = os.path.join(goroot, "bin", "gofmt")
        r = subprocess.run([gofmt, "-l", "."], cwd=module_dir, env=env, capture_output=True, text=True)
        if r.returncode != 0 or r.stdout.strip():
            say(f"gofmt -l: files not formatted (run gofmt -w):\n{r.stdout}{r.stderr}")
            return None
        if subprocess.run([go, "vet", "./..."], cwd=module_dir, env=env).returncode != 0:
            say("go vet ./... FAILED")
            return None
        if subprocess.run([go, "test", "-c", "-vet=off", "-o", binary, "."], cwd=module_dir, env=env).returncode != 0:
            say("FAILED to build the test binary")
            return None
        say(f"gofmt, go vet and go test -c took {time.monotonic() - started:.1f}s")
    return binary


def run_tests(binary, workdir, name, extra_env, args, test_flags):
    """Runs the test binary in a fresh directory with its own TMPDIR; True when it passes."""
    rundir = os.path.join(workdir, "run-" + name)
    shutil.rmtree(rundir, ignore_errors=True)
    tmp = os.path.join(rundir, "tmp")
    os.makedirs(tmp)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TFE_")}
    env.update(TMPDIR=tmp, TFE_SERVER=args.server)
    env.update(extra_env)
    cmd = [binary, "-test.v", "-test.count=1", *test_flags]
    if args.run:
        cmd += ["-test.run", args.run]
    say(f"[{name}] {' '.join(f'{k}={v}' for k, v in sorted(extra_env.items()))} {' '.join(cmd)}")
    started = time.monotonic()
    rc = subprocess.run(cmd, cwd=rundir, env=env).returncode
    say(f"[{name}] exit status {rc} after {time.monotonic() - started:.1f}s")
    return rc == 0


class Server:
    """A tfe-server process for the shared-server run."""

    def __init__(self, binary, token, admin_token, log_path):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen([binary, "--port", "0", "--token", token, "--admin-token", admin_token],
                                     stdout=subprocess.PIPE, stderr=self.log, stdin=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline().strip()
        m = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", line)
        if not m:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise RuntimeError(f"tfe-server did not start (first line: {line!r}; log: {log_path})")
        self.url = m.group(1)
        self.admin_token = admin_token

    def admin(self, method, path, body=None):
        """(status, decoded JSON or None) of an admin request (never through a proxy)."""
        req = urllib.request.Request(self.url + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + self.admin_token,
                                              "Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(req, timeout=30) as r:
                data = r.read()
                return r.status, json.loads(data) if data else None
        except urllib.error.HTTPError as e:
            return e.code, None

    def stop(self):
        """SIGTERM; True when the server exits with status 0 within 10 s."""
        try:
            if self.proc.poll() is not None:
                say(f"the shared tfe-server died during the tests (exit status {self.proc.returncode})")
                return False
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                say("the shared tfe-server did not exit within 10 s of SIGTERM")
                return False
            if rc != 0:
                say(f"the shared tfe-server exited with status {rc} after SIGTERM (want 0)")
            return rc == 0
        finally:
            self.log.close()


def shared_run(binary, args, test_flags):
    """The tests with a tenant per test on one tfe-server; True when they pass and clean up."""
    token = "shared-" + os.urandom(12).hex()
    admin_token = "shared-admin-" + os.urandom(12).hex()
    try:
        srv = Server(args.server, token, admin_token, os.path.join(args.workdir, "shared-server.log"))
    except RuntimeError as e:
        say(str(e))
        return False
    ok = True
    try:
        status, doc = srv.admin("POST", "/_tfe/tenants", {"name": "probe"})
        if status != 201:
            say(f"FAILED: the shared tfe-server answers POST /_tfe/tenants with {status}, want 201 "
                "(the tenant API, needed for TFE_SHARED_SERVER)")
            return False
        status, _ = srv.admin("DELETE", "/_tfe/tenants/probe")
        if status != 204:
            say(f"FAILED: DELETE /_tfe/tenants/probe answered {status}, want 204")
            return False
        ok = run_tests(binary, args.workdir, "shared", {
            "TFE_SHARED_SERVER": srv.url, "TFE_SHARED_SERVER_TOKEN": token,
            "TFE_SHARED_SERVER_ADMIN_TOKEN": admin_token}, args, test_flags)
        status, doc = srv.admin("GET", "/_tfe/tenants")
        left = [t.get("name") for t in (doc or {}).get("tenants", [])] if status == 200 else None
        if left != []:
            say(f"FAILED: tenants left on the shared server after the tests: {left} (GET /_tfe/tenants: {status})")
            ok = False
    finally:
        ok = srv.stop() and ok
    return ok


def main(label="go_tfetest", module_dir=HERE, binary_name="tfetest.test",
         test_flags=("-test.timeout=300s", "-test.parallel=4"), doc=__doc__):
    """Builds and runs the Go test module in module_dir as described above; the exit status."""
    global LABEL
    LABEL = label
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True, help="tfe-server executable")
    ap.add_argument("--workdir", required=True, help="Go caches, test binary and scratch directories (created)")
    ap.add_argument("--go", help="the go tool (1.25+)")
    ap.add_argument("--run", help="only the tests matching this regular expression (go test -run)")
    args = ap.parse_args()
    args.workdir = os.path.abspath(args.workdir)
    args.server = os.path.abspath(args.server)
    if not os.access(args.server, os.X_OK):
        say(f"server {args.server!r} is not an executable file")
        return 2
    os.makedirs(args.workdir, exist_ok=True)

    go = find_go(args.go)
    if not go:
        say("SKIPPED: no go tool of version 1.25 or newer (tried --go, $GO, go on PATH, /usr/local/go/bin/go). "
            "Install Go 1.25+ from https://go.dev/dl/ (e.g. into /usr/local/go) or configure with "
            "-DTFE_GO_V1_EXECUTABLE=/path/to/go.")
        return 77
    started = time.monotonic()
    binary = build(go, args.workdir, module_dir, binary_name)
    if not binary:
        return 1
    ok = run_tests(binary, args.workdir, "private", {}, args, test_flags)
    ok = shared_run(binary, args, test_flags) and ok
    say(f"{'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.1f}s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
