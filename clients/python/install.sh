#!/usr/bin/env bash
# Makes or refreshes the Python virtual environment of the Python clients' tests:
#   bash clients/python/install.sh BUILD_ROOT     (scripts/test passes <repo>/build)
# The venv is BUILD_ROOT/python-venv (shared with tests/interop/python-client). It receives the exact
# pins of clients/python/requirements.txt and, editable, the package pytest-tfe-server (clients/python),
# built with the pinned hatchling (--no-build-isolation). When everything is already in place at the
# pinned versions it changes nothing and takes well under a second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: install.sh BUILD_ROOT}
mkdir -p "$build"
build=$(cd "$build" && pwd)
venv="$build/python-venv"
python=${TFE_PYTHON:-python3}

# Prints nothing and exits 0 when every "name==version" line of the requirements files is installed in
# the venv and pytest-tfe-server is installed (editable) from this source tree.
check() {
  "$venv/bin/python" - "$here" "$@" <<'PY'
import json, sys
from importlib import metadata
src, reqs = sys.argv[1], sys.argv[2:]
bad = []
for path in reqs:
    for line in open(path):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, want = line.partition("==")
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            have = None
        if have != want:
            bad.append(f"{name} {have or 'missing'} (want {want})")
try:
    dist = metadata.distribution("pytest-tfe-server")
    direct = json.loads(dist.read_text("direct_url.json") or "{}")
    if direct.get("url") != "file://" + src or not direct.get("dir_info", {}).get("editable"):
        bad.append(f"pytest-tfe-server not installed editable from {src}")
    elif "pytest11" not in (dist.read_text("entry_points.txt") or ""):
        bad.append("pytest-tfe-server has no pytest11 entry point")
except metadata.PackageNotFoundError:
    bad.append("pytest-tfe-server missing")
if bad:
    print("; ".join(bad))
    sys.exit(1)
PY
}

stamp="$venv/.clients-python.stamp"
want_stamp=$(cat "$here/pyproject.toml" "$here/requirements.txt" | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want_stamp" ] &&
   check "$here/requirements.txt" >/dev/null; then
  echo "clients/python/install.sh: $venv is up to date"
  exit 0
fi

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 8))'; then
  echo "clients/python/install.sh: creating $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check --no-input -q)
"${pip[@]}" install -r "$here/requirements.txt"
"${pip[@]}" install --no-build-isolation --no-deps --force-reinstall -e "$here"
if ! why=$(check "$here/requirements.txt"); then
  echo "clients/python/install.sh: $venv is still not as pinned: $why" >&2
  exit 1
fi
echo "$want_stamp" >"$stamp"
echo "clients/python/install.sh: $venv ready (pytest-tfe-server, editable, from $here)"
