#!/usr/bin/env python3
"""Runs a pytest suite from the Python clients' venv against tfe-server: what ctest calls.

    run_tests.py --venv VENV --server TFE_SERVER --workdir DIR --tests DIR
                 [--require MODULE]... [--install CMD] [--shared-pass]

- Exits 77 (skipped) when VENV has no python or lacks a --require'd module, printing --install, the
  command that makes it.
- Runs `VENV/bin/python -m pytest TESTS` with TFE_SERVER=TFE_SERVER, a process per test, temp dirs
  under DIR (wiped first), no cache and no bytecode written into the source tree.
- With --shared-pass, runs the suite a second time against one shared tfe-server (a tenant per test,
  TFE_SHARED_SERVER), then checks that every tenant was deleted and that the server exits with status 0
  on SIGTERM. That pass is left out, saying so, only while the server's /_tfe/tenants answers 404.

Standard library only: it runs with any python3 and finds pytest_tfe_server in ./src for the shared
server.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "src"))
from pytest_tfe_server import DEFAULT_TOKEN, ServerError, TenantClient, start_process  # noqa: E402

SKIP = 77


def pytest_run(args, venv_python, tests, basetemp, env, label):
    """One pytest session; returns its exit status."""
    cmd = [venv_python, "-m", "pytest", "-p", "no:cacheprovider", "--basetemp", basetemp, "-rs",
           "--rootdir", tests, tests] + args.pytest_args
    print(f"=== {label}: {' '.join(cmd)}", flush=True)
    start = time.monotonic()
    status = subprocess.call(cmd, cwd=tests, env=env)
    print(f"=== {label}: exit status {status} after {time.monotonic() - start:.1f}s", flush=True)
    return status


def main():
    """Parse the arguments, run the passes, return the exit status (0, 1 or 77)."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--venv", required=True)
    p.add_argument("--server", required=True, help="the tfe-server binary")
    p.add_argument("--workdir", required=True, help="a private directory for temp files (wiped)")
    p.add_argument("--tests", required=True, help="the test directory or file")
    p.add_argument("--require", action="append", default=[], help="a module the venv must have")
    p.add_argument("--install", default="bash clients/python/install.sh <repo>/build",
                   help="the command that makes the venv (printed when it is missing)")
    p.add_argument("--shared-pass", action="store_true")
    p.add_argument("pytest_args", nargs="*", help="more pytest arguments (after --)")
    args = p.parse_args()

    venv_python = os.path.join(os.path.abspath(args.venv), "bin", "python")
    if not os.access(venv_python, os.X_OK):
        print(f"SKIPPED: no Python venv at {args.venv}. Make it with:\n  {args.install}")
        return SKIP
    for module in ["pytest", "pytest_tfe_server"] + args.require:
        if subprocess.call([venv_python, "-c", f"import {module}"], stderr=subprocess.DEVNULL) != 0:
            print(f"SKIPPED: the venv {args.venv} lacks the module {module}. Install it with:\n  {args.install}")
            return SKIP
    if not os.access(args.server, os.X_OK):
        print(f"FAILED: no tfe-server at {args.server}")
        return 1

    tests = os.path.abspath(args.tests)
    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ)
    for name in ("TFE_SHARED_SERVER", "TFE_SHARED_SERVER_TOKEN", "TFE_SHARED_SERVER_ADMIN_TOKEN", "PYTEST_ADDOPTS"):
        env.pop(name, None)
    env.update(TFE_SERVER=os.path.abspath(args.server), PYTHONDONTWRITEBYTECODE="1", TMPDIR=work)

    failed = []
    if pytest_run(args, venv_python, tests, os.path.join(work, "process"), env, "a process per test") != 0:
        failed.append("a process per test")

    if args.shared_pass:
        try:
            shared = start_process(os.path.abspath(args.server), seed=None, token=DEFAULT_TOKEN,
                                   log_path=os.path.join(work, "shared-server.log"))
        except ServerError as e:
            print(f"FAILED: cannot start the shared tfe-server: {e}")
            return 1
        try:
            tenants = TenantClient(shared.address)
            if not tenants.available():
                print(f"=== a tenant per test: left out, GET {shared.address}/_tfe/tenants answers 404 "
                      "(this tfe-server has no tenant API)")
            else:
                shared_env = dict(env, TFE_SHARED_SERVER=shared.address, TFE_SHARED_SERVER_TOKEN=DEFAULT_TOKEN)
                label = f"a tenant per test on {shared.address}"
                if pytest_run(args, venv_python, tests, os.path.join(work, "shared"), shared_env, label) != 0:
                    failed.append("a tenant per test")
                left = [t["name"] for t in tenants.list()]
                if left:
                    print(f"FAILED: tenants left on the shared server after the suite: {left}")
                    failed.append("tenant cleanup")
        finally:
            try:
                shared.close()
            except ServerError as e:
                print(f"FAILED: {e}")
                failed.append("shared server exit status")

    if failed:
        print(f"FAILED: {', '.join(failed)}")
        return 1
    print("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
