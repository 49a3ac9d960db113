#!/usr/bin/env bash
# Installs what the dashboard_browser test (tests/browser/dashboard.test.mjs) needs:
#   - Debian's chromium (/usr/bin/chromium), when missing and this runs as root with apt-get;
#   - playwright-core from npm, exactly as pinned in tests/browser/package-lock.json (npm ci), into
#     <build-dir>/browser/node_modules.
# Usage: bash tests/browser/install.sh <build-dir>     (scripts/test passes <repo>/build)
# Idempotent and fast when everything is in place. When something cannot be installed it says how to
# install it and exits 0: the test then reports itself skipped (77).
set -euo pipefail
build=${1:?usage: bash tests/browser/install.sh <build-dir>}
here=$(cd "$(dirname "$0")" && pwd)
dest="$build/browser"

apt_install() {  # apt_install PACKAGE...: as root only; true when installed
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then return 1; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@"; }
}

if [ ! -x /usr/bin/chromium ]; then
  echo "tests/browser/install.sh: installing Debian's chromium"
  apt_install chromium || echo "tests/browser/install.sh: no /usr/bin/chromium; dashboard_browser will be skipped." \
    "Install it with: sudo apt-get install -y chromium"
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "tests/browser/install.sh: installing Debian's npm"
  if ! apt_install nodejs npm; then
    echo "tests/browser/install.sh: no npm; dashboard_browser will be skipped. Install it with:" \
      "sudo apt-get install -y nodejs npm, then run: bash tests/browser/install.sh $build"
    exit 0
  fi
fi

mkdir -p "$dest"
if cmp -s "$here/package-lock.json" "$dest/package-lock.json" && cmp -s "$here/package.json" "$dest/package.json" &&
  [ -f "$dest/node_modules/playwright-core/package.json" ]; then
  echo "tests/browser/install.sh: playwright-core is up to date in $dest"
  exit 0
fi
cp "$here/package.json" "$here/package-lock.json" "$dest/"
# --ignore-scripts: nothing runs at install time (playwright-core has no install script; the browser
# is Debian's, never a download).
if ! (cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error); then
  rm -f "$dest/package-lock.json"  # not up to date: the next run tries again
  echo "tests/browser/install.sh: npm ci failed; dashboard_browser will be skipped until it works"
  exit 0
fi
echo "tests/browser/install.sh: installed playwright-core into $dest/node_modules"
