#!/usr/bin/env bash
# Runs the official Go client's (go-tfe 0.11.1) own integration tests against tfe-server.
#
#   run.sh --server BIN --workdir DIR [options]
#
# 1. builds go-tfe's test binary offline (GOPATH mode, `go test -c`) into DIR, skipping the build when
#    DIR/go-tfe.test is newer than every .go file under the GOPATH, the go binary and this script;
# 2. writes the fixtures the tests read (DIR/run/test-fixtures/...), generated here: no go-tfe files
#    are copied into the repository;
# 3. starts `BIN --port 0 --token T` and reads its first stdout line, `listening on http://127.0.0.1:PORT`;
# 4. runs the selected tests with TFE_ADDRESS and TFE_TOKEN set, -test.v, from DIR/run;
# 5. stops the server with SIGTERM and requires exit status 0;
# 6. prints `go-tfe interop: N passed, M failed` and exits non-zero when a test failed, a selected test
#    did not run, the test binary crashed, or the server misbehaved.
#
# Options:
#   --server BIN        tfe-server executable (required)
#   --workdir DIR       build and scratch directory (required; created)
#   --run REGEX         run only the go-tfe tests matching REGEX (a -test.run pattern; may name subtests
#                       with '/'; may name tests outside the default selection) -- for debugging
#   -k, --keep-going    when the test binary dies (panic, timeout), start it again for the selected tests
#                       that have not run yet, until every one has run
#   --failfast          stop at the first failing test (-test.failfast)
#   --token T           API token given to the server and the client (default: random)
#   --server-arg ARG    extra argument for the server (repeatable), e.g. --server-arg --seed --server-arg 7
#   --go GO             the go tool (default: $GO or `go`)
#   --gopath DIR        GOPATH holding github.com/hashicorp/go-tfe and its dependencies
#                       (default: $TFE_GO_TFE_GOPATH or /usr/share/gocode)
#   --timeout SECONDS   -test.timeout for each test binary invocation (default 480)
#   --rebuild           rebuild the test binary even when it is up to date
#   --list              print the selected test names and exit
#
# Exit status: 0 all selected tests ran and none failed; 1 failure; 2 usage error; 77 prerequisites
# missing (no go tool or no go-tfe sources) -- ctest reports 77 as "skipped".

set -u -o pipefail

# The selection: every test in run_test.go, configuration_version_test.go, plan_test.go and
# apply_test.go; List/Create/Read/Delete of organization_test.go; and the workspace_test.go tests below.
SELECTED=(
  TestRunsList TestRunsCreate TestRunsRead TestRunsApply TestRunsCancel TestRunsForceCancel TestRunsDiscard
  TestConfigurationVersionsList TestConfigurationVersionsCreate TestConfigurationVersionsRead
  TestConfigurationVersionsUpload
  TestPlansRead TestPlansLogs
  TestAppliesRead TestAppliesLogs
  TestOrganizationsList TestOrganizationsCreate TestOrganizationsRead TestOrganizationsDelete
  TestWorkspacesList TestWorkspacesCreate TestWorkspacesRead TestWorkspacesReadByID TestWorkspacesUpdate
  TestWorkspacesUpdateByID TestWorkspacesDelete TestWorkspacesDeleteByID TestWorkspacesLock
  TestWorkspacesUnlock TestWorkspacesForceUnlock
)

PKG=github.com/hashicorp/go-tfe
SCRIPT="${BASH_SOURCE[0]}"

usage() {
  sed -n '2,/^# Exit status/p' "$SCRIPT" | sed -e 's/^# \{0,1\}//'
  exit "${1:-2}"
}
die() { echo "run.sh: $*" >&2; exit 2; }
say() { echo "go-tfe interop: $*"; }
join_alt() { local IFS='|'; echo "$*"; }
contains() { local x=$1; shift; local y; for y in "$@"; do [ "$x" = "$y" ] && return 0; done; return 1; }

SERVER='' WORKDIR='' RUN_REGEX='' KEEP_GOING=0 FAILFAST=0 TOKEN='' REBUILD=0 LIST=0 TIMEOUT=480
GO_TOOL="${GO:-go}"
GOPATH_DIR="${TFE_GO_TFE_GOPATH:-/usr/share/gocode}"
SERVER_ARGS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --server) [ $# -ge 2 ] || die "--server needs a value"; SERVER=$2; shift 2 ;;
    --workdir) [ $# -ge 2 ] || die "--workdir needs a value"; WORKDIR=$2; shift 2 ;;
    --run) [ $# -ge 2 ] || die "--run needs a value"; RUN_REGEX=$2; shift 2 ;;
    -k|--keep-going) KEEP_GOING=1; shift ;;
    --failfast) FAILFAST=1; shift ;;
    --token) [ $# -ge 2 ] || die "--token needs a value"; TOKEN=$2; shift 2 ;;
    --server-arg) [ $# -ge 2 ] || die "--server-arg needs a value"; SERVER_ARGS+=("$2"); shift 2 ;;
    --go) [ $# -ge 2 ] || die "--go needs a value"; GO_TOOL=$2; shift 2 ;;
    --gopath) [ $# -ge 2 ] || die "--gopath needs a value"; GOPATH_DIR=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || die "--timeout needs a value"; TIMEOUT=$2; shift 2 ;;
    --rebuild) REBUILD=1; shift ;;
    --list) LIST=1; shift ;;
    -h|--help) usage 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

if [ "$LIST" = 1 ]; then printf '%s\n' "${SELECTED[@]}"; exit 0; fi
[ -n "$SERVER" ] || die "--server is required"
[ -n "$WORKDIR" ] || die "--workdir is required"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout must be a number of seconds"
[ -x "$SERVER" ] || die "server '$SERVER' is not an executable file"

GO_BIN=$(command -v "$GO_TOOL" 2>/dev/null) || { say "SKIP: no go tool ('$GO_TOOL')"; exit 77; }
case "$GOPATH_DIR" in /*) ;; *) GOPATH_DIR="$PWD/$GOPATH_DIR" ;; esac
[ -f "$GOPATH_DIR/src/$PKG/tfe.go" ] || { say "SKIP: no go-tfe sources under $GOPATH_DIR/src/$PKG"; exit 77; }

mkdir -p "$WORKDIR" || die "cannot create $WORKDIR"
WORKDIR=$(cd "$WORKDIR" && pwd)
case "$SERVER" in /*) ;; *) SERVER="$PWD/$SERVER" ;; esac
TEST_BIN="$WORKDIR/go-tfe.test"
RUN_DIR="$WORKDIR/run"
LOG="$WORKDIR/go-test.log"
SRV_OUT="$WORKDIR/server.stdout"
SRV_ERR="$WORKDIR/server.stderr"

# ---------------------------------------------------------------------------------------------------
# 1. Build the test binary (offline, GOPATH mode), unless it is up to date.
# ---------------------------------------------------------------------------------------------------
needs_build() {
  [ "$REBUILD" = 1 ] && return 0
  [ -x "$TEST_BIN" ] || return 0
  [ "$GO_BIN" -nt "$TEST_BIN" ] && return 0
  [ "$SCRIPT" -nt "$TEST_BIN" ] && return 0
  [ -n "$(find -L "$GOPATH_DIR/src" -name '*.go' -newer "$TEST_BIN" -print -quit 2>/dev/null)" ]
}

go_env=(env GO111MODULE=off GOPATH="$GOPATH_DIR" GOCACHE="$WORKDIR/gocache" GOFLAGS= GOENV=off
        GOPROXY=off GOSUMDB=off GONOSUMDB= GOPRIVATE= GOTOOLCHAIN=local GOWORK=off)
if needs_build; then
  say "building $PKG test binary with $GO_BIN ($("$GO_BIN" version 2>/dev/null | cut -d' ' -f3))"
  mkdir -p "$WORKDIR/gocache"
  tmp_bin="$TEST_BIN.tmp.$$"
  build=("${go_env[@]}" "$GO_BIN" test -vet=off -c -o "$tmp_bin" "$PKG")
  # One compile at a time on a shared machine: TFE_BUILD_LOCK names the lock file the other builds take
  # (none by default: a scripts/test run under that very lock must not wait for itself).
  if [ -n "${TFE_BUILD_LOCK:-}" ] && command -v flock >/dev/null 2>&1; then build=(flock "$TFE_BUILD_LOCK" "${build[@]}"); fi
  if ! (cd "$WORKDIR" && "${build[@]}"); then
    rm -f "$tmp_bin"
    say "FAILED to build the go-tfe test binary"
    exit 1
  fi
  mv -f "$tmp_bin" "$TEST_BIN"
else
  say "test binary up to date: $TEST_BIN"
fi

# The tests this invocation expects to run: the selection, or what --run selects.
EXPECTED=()
if [ -n "$RUN_REGEX" ]; then
  # The top-level part of the pattern, as `go test` reads it: 'A/x|B/y' means A/x or B/y (Go splits
  # top-level alternatives first). Patterns with groups fall back to the part before the first '/';
  # tests that run without being predicted here are added to the report afterwards.
  if [[ "$RUN_REGEX" == */* && "$RUN_REGEX" != *[\(\[]* ]]; then
    IFS='|' read -r -a alts <<<"$RUN_REGEX"
    tops=()
    for a in "${alts[@]}"; do tops+=("${a%%/*}"); done
    top_regex=$(join_alt "${tops[@]}")
  else
    top_regex=${RUN_REGEX%%/*}
  fi
  mapfile -t EXPECTED < <("$TEST_BIN" -test.list "$top_regex" 2>/dev/null | grep '^Test' || true)
  [ ${#EXPECTED[@]} -gt 0 ] || { say "--run '$RUN_REGEX' matches no go-tfe test"; exit 2; }
  case "$RUN_REGEX" in */*) sub_regex="/${RUN_REGEX#*/}" ;; *) sub_regex= ;; esac
else
  EXPECTED=("${SELECTED[@]}")
  # Every selected name must exist in the binary: a typo here would silently shrink the run.
  mapfile -t ALL_TESTS < <("$TEST_BIN" -test.list '.*' 2>/dev/null)
  for t in "${EXPECTED[@]}"; do
    contains "$t" ${ALL_TESTS[@]+"${ALL_TESTS[@]}"} || { say "selected test $t is not in the binary"; exit 1; }
  done
  sub_regex=
fi

# ---------------------------------------------------------------------------------------------------
# 2. Fixtures, generated (the Debian package ships no test-fixtures/). Only config-version is read by
#    the selection; state-version is there for --run debugging of other tests.
# ---------------------------------------------------------------------------------------------------
rm -rf "$RUN_DIR/test-fixtures"
mkdir -p "$RUN_DIR/test-fixtures/config-version" "$RUN_DIR/test-fixtures/state-version" || die "cannot create fixtures"
cat >"$RUN_DIR/test-fixtures/config-version/main.tf" <<'EOF'
# Generated by tests/interop/go-tfe/run.sh: the configuration go-tfe's tests upload.
resource "null_resource" "foo" {
  triggers = {
    foo = "bar"
  }
}
EOF
cat >"$RUN_DIR/test-fixtures/state-version/terraform.tfstate" <<'EOF'
{
  "version": 4,
  "terraform_version": "0.12.0",
  "serial": 1,
  "lineage": "11111111-2222-3333-4444-555555555555",
  "outputs": {},
  "resources": []
}
EOF

# ---------------------------------------------------------------------------------------------------
# 3. Start the server.
# ---------------------------------------------------------------------------------------------------
[ -n "$TOKEN" ] || TOKEN="interop-$(od -An -N12 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')"
[ -n "$TOKEN" ] && [ "$TOKEN" != "interop-" ] || TOKEN="interop-$$-$RANDOM$RANDOM"

SRV_PID=
# True while the server process runs (a zombie -- exited, not yet reaped -- counts as dead).
server_alive() {
  [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null || return 1
  local st
  st=$(ps -o stat= -p "$SRV_PID" 2>/dev/null) || return 0
  case "$st" in Z*) return 1 ;; esac
  return 0
}
# shellcheck disable=SC2317  # invoked through trap
stop_server_quietly() {
  [ -n "$SRV_PID" ] || return 0
  if server_alive; then
    kill -TERM "$SRV_PID" 2>/dev/null
    for _ in $(seq 50); do server_alive || break; sleep 0.1; done
    kill -KILL "$SRV_PID" 2>/dev/null
  fi
  wait "$SRV_PID" 2>/dev/null
  SRV_PID=
}
trap stop_server_quietly EXIT
trap 'stop_server_quietly; exit 130' INT
trap 'stop_server_quietly; exit 143' TERM

server_tail() {
  echo "--- server stderr (last 30 lines, full log: $SRV_ERR) ---"
  tail -n 30 "$SRV_ERR" 2>/dev/null
  echo "---"
}

print_summary() {  # passed failed
  say "$1 passed, $2 failed"
}

: >"$SRV_OUT"; : >"$SRV_ERR"
"$SERVER" --port 0 --token "$TOKEN" ${SERVER_ARGS[@]+"${SERVER_ARGS[@]}"} >"$SRV_OUT" 2>"$SRV_ERR" </dev/null &
SRV_PID=$!
ADDR=
for _ in $(seq 200); do  # up to 20 s
  if [ "$(wc -l <"$SRV_OUT")" -ge 1 ]; then break; fi
  server_alive || break
  sleep 0.1
done
first_line=$(head -n 1 "$SRV_OUT")
if [[ "$first_line" =~ ^listening\ on\ (http://127\.0\.0\.1:[0-9]+)$ ]]; then
  ADDR=${BASH_REMATCH[1]}
else
  if server_alive; then
    say "server did not print 'listening on http://127.0.0.1:PORT' as its first line within 20 s (got: '$first_line')"
  else
    wait "$SRV_PID"; rc=$?; SRV_PID=
    say "server exited with status $rc before it was listening (first line: '$first_line')"
  fi
  server_tail
  say "not run: ${EXPECTED[*]}"
  print_summary 0 0
  exit 1
fi
say "server pid $SRV_PID at $ADDR"

# ---------------------------------------------------------------------------------------------------
# 4. Run the tests (again for the ones left over after a crash, with --keep-going).
# ---------------------------------------------------------------------------------------------------
: >"$LOG"
started_tests() { sed -n 's/^=== RUN   \([^/ ]*\)$/\1/p' "$LOG" | sort -u; }

if [ -n "$RUN_REGEX" ]; then run_regex=$RUN_REGEX; else run_regex="^($(join_alt "${EXPECTED[@]}"))\$"; fi
binary_rcs=()
round=0
while :; do
  round=$((round + 1))
  args=(-test.v -test.run "$run_regex" -test.timeout "${TIMEOUT}s" -test.count 1)
  [ "$FAILFAST" = 1 ] && args+=(-test.failfast)
  say "round $round: go-tfe.test -test.run '$run_regex'"
  (cd "$RUN_DIR" && exec env -u TFE_HOSTNAME TFE_ADDRESS="$ADDR" TFE_TOKEN="$TOKEN" "$TEST_BIN" "${args[@]}") 2>&1 | tee -a "$LOG"
  rc=${PIPESTATUS[0]}
  binary_rcs+=("$rc")
  [ "$rc" = 0 ] && break
  [ "$KEEP_GOING" = 1 ] || break
  [ "$FAILFAST" = 1 ] && break
  server_alive || break  # the server died: nothing more can pass
  mapfile -t started < <(started_tests)
  remaining=()
  for t in "${EXPECTED[@]}"; do contains "$t" ${started[@]+"${started[@]}"} || remaining+=("$t"); done
  [ ${#remaining[@]} -gt 0 ] || break
  say "test binary exited with status $rc; continuing with ${#remaining[@]} test(s) not run yet"
  run_regex="^($(join_alt "${remaining[@]}"))\$${sub_regex}"
done

# ---------------------------------------------------------------------------------------------------
# 5. Stop the server: SIGTERM, exit status 0 within 10 s.
# ---------------------------------------------------------------------------------------------------
server_ok=1
if server_alive; then
  kill -TERM "$SRV_PID"
  for _ in $(seq 100); do server_alive || break; sleep 0.1; done
  if server_alive; then
    say "server did not exit within 10 s of SIGTERM; killing it"
    kill -KILL "$SRV_PID" 2>/dev/null
    wait "$SRV_PID" 2>/dev/null
    server_ok=0
  else
    wait "$SRV_PID"; srv_rc=$?
    if [ "$srv_rc" != 0 ]; then say "server exited with status $srv_rc after SIGTERM (want 0)"; server_ok=0; fi
  fi
else
  wait "$SRV_PID"; srv_rc=$?
  say "server died during the tests (exit status $srv_rc)"
  server_ok=0
fi
SRV_PID=
[ "$server_ok" = 1 ] || server_tail

# ---------------------------------------------------------------------------------------------------
# 6. Report.
# ---------------------------------------------------------------------------------------------------
declare -A result=()
while read -r st name; do result[$name]=$st; done < <(sed -n 's/^--- \(PASS\|FAIL\|SKIP\): \([^/ ]*\) (.*$/\1 \2/p' "$LOG")
mapfile -t started < <(started_tests)

# Tests that ran without being expected (a --run pattern the prediction above missed) count too.
for t in ${started[@]+"${started[@]}"}; do contains "$t" "${EXPECTED[@]}" || EXPECTED+=("$t"); done

passed=() failed=() skipped=() unfinished=() not_run=()
for t in "${EXPECTED[@]}"; do
  case "${result[$t]:-}" in
    PASS) passed+=("$t") ;;
    FAIL) failed+=("$t") ;;
    SKIP) skipped+=("$t") ;;
    *) if contains "$t" ${started[@]+"${started[@]}"}; then unfinished+=("$t"); else not_run+=("$t"); fi ;;
  esac
done

# Skipped subtests (and skipped top-level tests) with the message they logged last.
skip_report=$(awk '
  /^=== (RUN|CONT|PAUSE) +/ { cur = $3; next }
  /^ +[^ ]+\.go:[0-9]+: / { m = $0; sub(/^ +[^ ]+\.go:[0-9]+: /, "", m); msg[cur] = m; next }
  /^ *--- SKIP: / { n = $3; printf "  %s: %s\n", n, (n in msg ? msg[n] : "(no message)") }
' "$LOG")

echo
echo "==================== go-tfe interop summary ===================="
[ ${#passed[@]} -gt 0 ] && echo "passed: ${passed[*]}"
[ ${#failed[@]} -gt 0 ] && echo "FAILED: ${failed[*]}"
[ ${#unfinished[@]} -gt 0 ] && echo "FAILED (started, never finished: crash or timeout): ${unfinished[*]}"
[ ${#not_run[@]} -gt 0 ] && echo "NOT RUN: ${not_run[*]}"
[ ${#skipped[@]} -gt 0 ] && echo "skipped (whole test): ${skipped[*]}"
if [ -n "$skip_report" ]; then echo "skipped by the tests themselves (t.Skip):"; echo "$skip_report"; fi
echo "test binary exit status per round: ${binary_rcs[*]}; log: $LOG"
echo "server: $([ "$server_ok" = 1 ] && echo 'exited 0 on SIGTERM' || echo 'FAILED (see above)'); logs: $SRV_OUT $SRV_ERR"

n_pass=$(( ${#passed[@]} + ${#skipped[@]} ))
n_fail=$(( ${#failed[@]} + ${#unfinished[@]} ))
status=0
[ "$n_fail" -eq 0 ] || status=1
[ ${#not_run[@]} -eq 0 ] || status=1
[ "$server_ok" = 1 ] || status=1
# A non-zero binary status with every test accounted for as passed still fails (e.g. a panic after
# the last result line, or output the parser did not understand).
last_rc=${binary_rcs[${#binary_rcs[@]}-1]}
if [ "$last_rc" != 0 ] && [ "$status" = 0 ]; then
  echo "test binary exited with status $last_rc although no test failed"
  status=1
fi
print_summary "$n_pass" "$n_fail"
exit "$status"
