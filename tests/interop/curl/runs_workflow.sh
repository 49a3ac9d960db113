#!/usr/bin/env bash
# Replays the sample requests of the API-driven run workflow (shared reference runs-workflow.md)
# with curl against tfe-server, checking statuses and the documented response shapes.
#   runs_workflow.sh TFE_SERVER_BINARY
set -euo pipefail
server=${1:?usage: runs_workflow.sh TFE_SERVER_BINARY}
work=$(mktemp -d)
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
# The first stdout line is read as it is printed (blocking read, no polling).
coproc SRV { exec "$server" --port 0 --token secret-token 2>"$work/err"; }
pid=$SRV_PID
line=""
read -r -t 30 line <&"${SRV[0]}" || { echo "tfe-server printed no listening line"; cat "$work/err"; exit 1; }
base=${line#listening on }
[ -n "$base" ] || { echo "no listening line"; exit 1; }
api="$base/api/v2"
H=(-H "Authorization: Bearer secret-token" -H "Content-Type: application/vnd.api+json")
fail=0
# call METHOD URL [BODY] -> sets $status and $body
call() {
  local m=$1 u=$2 d=${3-}
  if [ -n "$d" ]; then
    body=$(curl -s -o /dev/stdout -w '\n%{http_code}' -X "$m" "${H[@]}" --data-binary "$d" "$u")
  else
    body=$(curl -s -o /dev/stdout -w '\n%{http_code}' -X "$m" "${H[@]}" "$u")
  fi
  status=${body##*$'\n'}
  body=${body%$'\n'*}
}
expect() {  # expect WHAT EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: expected '$2', got '$3'"; fail=1; fi
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

call POST "$api/organizations" '{"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.example","cost-estimation-enabled":false}}}'
expect "create organization: 201" 201 "$status"
call POST "$api/organizations/acme/workspaces" '{"data":{"type":"workspaces","attributes":{"name":"staging"}}}'
expect "create workspace: 201" 201 "$status"
ws=$(echo "$body" | json 'd["data"]["id"]')

# 1. configuration version, 2. upload (no token), 3. the automatic run
call POST "$api/workspaces/$ws/configuration-versions" '{"data":{"type":"configuration-versions"}}'
expect "create configuration version: 201" 201 "$status"
cv=$(echo "$body" | json 'd["data"]["id"]')
upload=$(echo "$body" | json 'd["data"]["attributes"]["upload-url"]')
printf 'main.tf' | gzip -c >"$work/config.tar.gz"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Content-Type: application/octet-stream" --data-binary @"$work/config.tar.gz" "$upload")
expect "upload without a token: 200" 200 "$code"
for _ in $(seq 1 100); do
  call GET "$api/workspaces/$ws/runs"
  st=$(echo "$body" | json 'd["data"][0]["attributes"]["status"] if d["data"] else ""')
  [ "$st" = planned ] && break
done
expect "automatic run reaches planned" planned "$st"
run1=$(echo "$body" | json 'd["data"][0]["id"]')
expect "automatic run source" tfe-configuration-version "$(echo "$body" | json 'd["data"][0]["attributes"]["source"]')"
expect "planned run is confirmable" True "$(echo "$body" | json 'd["data"][0]["attributes"]["actions"]["is-confirmable"]')"
expect "status-timestamps has planned-at" True "$(echo "$body" | json '"planned-at" in d["data"][0]["attributes"]["status-timestamps"]')"

# 4. apply with the sample comment: 202, no body
call POST "$api/runs/$run1/actions/apply" '{"comment": "Looks good to me"}'
expect "apply: 202" 202 "$status"
expect "apply: empty body" "" "$body"
for _ in $(seq 1 100); do
  call GET "$api/runs/$run1"
  st=$(echo "$body" | json 'd["data"]["attributes"]["status"]')
  [ "$st" = applied ] && break
done
expect "run applied" applied "$st"

# Create a run with the sample payload (is-destroy false, both relationships)
payload='{"data": {"attributes": {"is-destroy": false}, "type": "runs", "relationships": {"workspace": {"data": {"type": "workspaces", "id": "'$ws'"}}, "configuration-version": {"data": {"type": "configuration-versions", "id": "'$cv'"}}}}}'
call POST "$api/runs" "$payload"
expect "create run: 201" 201 "$status"
run2=$(echo "$body" | json 'd["data"]["id"]')
expect "new run is pending" pending "$(echo "$body" | json 'd["data"]["attributes"]["status"]')"
expect "links.self" "/api/v2/runs/$run2" "$(echo "$body" | json 'd["data"]["links"]["self"]')"
for rel in apply configuration-version created-by plan workspace; do
  expect "relationship $rel present" True "$(echo "$body" | json '"'$rel'" in d["data"]["relationships"]')"
done
for attr in auto-apply is-destroy message source status status-timestamps created-at has-changes actions permissions; do
  expect "attribute $attr present" True "$(echo "$body" | json '"'$attr'" in d["data"]["attributes"]')"
done

# List runs
call GET "$api/workspaces/$ws/runs"
expect "list runs: 200" 200 "$status"
expect "list runs: 2 runs" 2 "$(echo "$body" | json 'd["meta"]["pagination"]["total-count"]')"
expect "list runs: newest first" "$run2" "$(echo "$body" | json 'd["data"][0]["id"]')"

# Discard with the sample comment
for _ in $(seq 1 100); do
  call GET "$api/runs/$run2"
  [ "$(echo "$body" | json 'd["data"]["attributes"]["status"]')" = planned ] && break
done
call POST "$api/runs/$run2/actions/discard" '{"comment": "This run was discarded"}'
expect "discard: 202" 202 "$status"
call GET "$api/runs/$run2"
expect "run discarded" discarded "$(echo "$body" | json 'd["data"]["attributes"]["status"]')"

# Errors: refused transition, unknown run, missing token
call POST "$api/runs/$run2/actions/apply" '{}'
expect "apply a discarded run: 409" 409 "$status"
expect "error status is a string" "'409'" "$(echo "$body" | json 'repr(d["errors"][0]["status"])')"
call GET "$api/runs/run-doesnotexist0000"
expect "unknown run: 404" 404 "$status"
code=$(curl -s -o /dev/null -w '%{http_code}' "$api/runs/$run2")
expect "no token: 401" 401 "$code"

kill -TERM $pid
wait $pid
rc=$?
expect "server exits 0 on SIGTERM" 0 "$rc"
trap 'rm -rf "$work"' EXIT
[ $fail = 0 ] && echo "curl workflow replay: all checks passed" || { echo "curl workflow replay: FAILED"; exit 1; }
