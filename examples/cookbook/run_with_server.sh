#!/usr/bin/env bash
# Runs one command against a fresh tfe-server with the test controls on.
#
#   run_with_server.sh TFE_SERVER_BIN -- COMMAND ARGS...
#
# Starts `TFE_SERVER_BIN --port 0 --manual-clock --seed 7 --admin-token admin-secret`, reads the URL
# from its first stdout line (`listening on http://127.0.0.1:PORT`), runs `COMMAND ARGS... URL`, then
# stops the server with SIGTERM and requires exit status 0 within 10 s.
# Exit status: COMMAND's; 1 when COMMAND passed but the server misbehaved; 2 on a usage error.
set -u -o pipefail

if [ $# -lt 3 ] || [ "$2" != "--" ]; then
  echo "usage: run_with_server.sh TFE_SERVER_BIN -- COMMAND ARGS..." >&2
  exit 2
fi
server=$1
shift 2
[ -x "$server" ] || { echo "run_with_server.sh: '$server' is not executable" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/tfe-cookbook.XXXXXX") || exit 2
pid=
# shellcheck disable=SC2317  # invoked through trap
cleanup() {
  if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# True while the server runs (a zombie has exited).
alive() { kill -0 "$pid" 2>/dev/null && case "$(ps -o stat= -p "$pid" 2>/dev/null)" in Z*) false ;; *) true ;; esac; }
show_log() { echo "--- tfe-server stderr ---" >&2; tail -n 30 "$work/err" >&2; echo "---" >&2; }

"$server" --port 0 --manual-clock --seed 7 --admin-token admin-secret >"$work/out" 2>"$work/err" </dev/null &
pid=$!
url=
for _ in $(seq 200); do  # up to 20 s
  line=$(head -n 1 "$work/out")
  if [[ "$line" =~ ^listening\ on\ (http://[^[:space:]]+)$ ]]; then url=${BASH_REMATCH[1]}; break; fi
  alive || break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "run_with_server.sh: tfe-server printed no 'listening on' line (got: '$(head -n 1 "$work/out")')" >&2
  show_log
  exit 1
fi

"$@" "$url"
status=$?

# Stop the server: SIGTERM, then up to 10 s for it to exit.
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 100); do alive || break; sleep 0.1; done
alive && { echo "run_with_server.sh: tfe-server still running 10 s after SIGTERM" >&2; kill -KILL "$pid"; }
wait "$pid"
server_status=$?
pid=
if [ "$server_status" != 0 ]; then
  echo "run_with_server.sh: tfe-server exited with status $server_status after SIGTERM (want 0)" >&2
  show_log
  [ "$status" = 0 ] && status=1
fi
exit "$status"
