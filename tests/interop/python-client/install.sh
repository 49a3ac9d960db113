#!/usr/bin/env bash
# Makes or refreshes the venv of the Python client interop test (test_seed_workflow.py):
#   bash tests/interop/python-client/install.sh BUILD_ROOT     (scripts/test passes <repo>/build)
# The venv is BUILD_ROOT/python-venv, shared with clients/python: first clients/python/install.sh
# (pytest and the pytest-tfe-server fixtures), then the exact pins of requirements.txt here (terrasnek
# and its dependencies). Quick and changes nothing when everything is already installed as pinned.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:?usage: install.sh BUILD_ROOT}
bash "$root/clients/python/install.sh" "$build"
venv="$(cd "$build" && pwd)/python-venv"

# Lists each pin of requirements.txt that the venv does not have; prints nothing when all are there.
missing() {
  "$venv/bin/python" - "$here/requirements.txt" <<'PY'
import sys
from importlib import metadata
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        have = metadata.version(name)
    except metadata.PackageNotFoundError:
        have = None
    if have != want:
        print(f"{name} {have or 'missing'} (want {want})")
PY
}

if [ -z "$(missing)" ]; then
  echo "tests/interop/python-client/install.sh: terrasnek is up to date in $venv"
  exit 0
fi
"$venv/bin/python" -m pip --disable-pip-version-check --no-input -q install -r "$here/requirements.txt"
left=$(missing)
if [ -n "$left" ]; then
  echo "tests/interop/python-client/install.sh: $venv is still not as pinned: $left" >&2
  exit 1
fi
echo "tests/interop/python-client/install.sh: $venv ready (terrasnek)"
