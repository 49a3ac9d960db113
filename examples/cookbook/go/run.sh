#!/usr/bin/env bash
# Builds the Go cookbook (cookbook_test.go, with go-tfe 0.11.1) offline and runs it against a fresh
# tfe-server started by ../run_with_server.sh.
#
#   run.sh --server BIN --workdir DIR [--go GO] [--gopath DIR] [--run REGEX]
#
#   --server BIN     tfe-server executable (required)
#   --workdir DIR    build and scratch directory (required; created)
#   --go GO          the go tool (default: $GO or `go`)
#   --gopath DIR     GOPATH holding github.com/hashicorp/go-tfe and its dependencies
#                    (default: $TFE_GO_TFE_GOPATH or /usr/share/gocode)
#   --run REGEX      run only the tests matching REGEX (-test.run)
#
# The test package is built in GOPATH mode (GO111MODULE=off) from a copy of cookbook_test.go in
# DIR/gopath/src/cookbook, with GOPATH=DIR/gopath:GOPATH_DIR and the build cache in DIR/gocache.
# Exit status: 0 passed; 1 failed; 2 usage error; 77 no go tool or no go-tfe sources (ctest: skipped).
set -u -o pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
die() { echo "run.sh: $*" >&2; exit 2; }
SERVER='' WORKDIR='' RUN_REGEX='.'
GO_TOOL=${GO:-go}
GOPATH_DIR=${TFE_GO_TFE_GOPATH:-/usr/share/gocode}
while [ $# -gt 0 ]; do
  case "$1" in
    --server|--workdir|--go|--gopath|--run) [ $# -ge 2 ] || die "$1 needs a value" ;;&
    --server) SERVER=$2; shift 2 ;;
    --workdir) WORKDIR=$2; shift 2 ;;
    --go) GO_TOOL=$2; shift 2 ;;
    --gopath) GOPATH_DIR=$2; shift 2 ;;
    --run) RUN_REGEX=$2; shift 2 ;;
    -h|--help) sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done
{ [ -n "$SERVER" ] && [ -n "$WORKDIR" ]; } || die "--server and --workdir are required"
[ -x "$SERVER" ] || die "server '$SERVER' is not an executable file"

GO_BIN=$(command -v "$GO_TOOL" 2>/dev/null) || { echo "go cookbook: SKIP: no go tool ('$GO_TOOL')"; exit 77; }
case "$GOPATH_DIR" in /*) ;; *) GOPATH_DIR="$PWD/$GOPATH_DIR" ;; esac
[ -f "$GOPATH_DIR/src/github.com/hashicorp/go-tfe/tfe.go" ] ||
  { echo "go cookbook: SKIP: no go-tfe sources under $GOPATH_DIR/src"; exit 77; }

mkdir -p "$WORKDIR/gopath/src/cookbook" "$WORKDIR/gocache" || die "cannot create $WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
case "$SERVER" in /*) ;; *) SERVER="$PWD/$SERVER" ;; esac

# Build offline in GOPATH mode; the build cache makes a rebuild of unchanged sources cheap.
cp -f "$HERE/cookbook_test.go" "$WORKDIR/gopath/src/cookbook/" || exit 1
build=(env GO111MODULE=off GOPATH="$WORKDIR/gopath:$GOPATH_DIR" GOCACHE="$WORKDIR/gocache" GOFLAGS=
       GOENV=off GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GOWORK=off
       "$GO_BIN" test -c -o "$WORKDIR/cookbook.test" cookbook)
command -v flock >/dev/null 2>&1 && build=(flock /tmp/tfe-build.lock "${build[@]}")
(cd "$WORKDIR/gopath/src/cookbook" && "${build[@]}") || { echo "go cookbook: FAILED to build"; exit 1; }

# Run: run_with_server.sh appends the server's URL, which the test reads as its first argument.
cd "$WORKDIR" || exit 1
"$HERE/../run_with_server.sh" "$SERVER" -- \
  env -u TFE_ADDRESS -u TFE_TOKEN "$WORKDIR/cookbook.test" -test.v -test.count 1 -test.timeout 240s -test.run "$RUN_REGEX"
status=$?
echo "go cookbook: $([ "$status" = 0 ] && echo passed || echo "FAILED (status $status)")"
exit "$status"
