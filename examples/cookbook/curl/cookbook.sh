#!/usr/bin/env bash
# Cookbook: tfe-server's test controls (/_tfe/) from bash and curl (python3 only to read JSON).
#
#   cookbook.sh BASE_URL
#
# BASE_URL is the URL of a tfe-server started with `--manual-clock --admin-token admin-secret` and
# without --token (examples/cookbook/run_with_server.sh starts one). Every recipe starts from
# POST /_tfe/reset; the script exits non-zero when a recipe fails.
set -uo pipefail
B=${1:?usage: cookbook.sh BASE_URL}
B=${B%/}
# The headers of the normal API (any token) and of the admin API (used through req's nameref).
# shellcheck disable=SC2034
API=(-H "Authorization: Bearer anything" -H "Content-Type: application/vnd.api+json")
# shellcheck disable=SC2034
ADMIN=(-H "Authorization: Bearer admin-secret" -H "Content-Type: application/json")
hdrs=$(mktemp) || exit 1
trap 'rm -f "$hdrs"' EXIT

# req HEADER-ARRAY METHOD URL [BODY]: sets $status, $body (and the response headers in $hdrs).
req() {
  local -n h=$1
  local args=(-s -g -D "$hdrs" -o - -w '\n%{http_code}' -X "$2" "${h[@]}")
  [ -n "${4-}" ] && args+=(--data-binary "$4")
  body=$(curl "${args[@]}" "$3") || { echo "curl failed: $2 $3" >&2; return 1; }
  status=${body##*$'\n'}
  body=${body%$'\n'*}
}
# api|admin METHOD PATH [BODY] [WANT]: the call must answer WANT (default 200).
api()   { req API "$1" "$B/api/v2$2" "${3-}" && expect "$1 $2" "${4:-200}" "$status"; }
admin() { req ADMIN "$1" "$B/_tfe$2" "${3-}" && expect "$1 /_tfe$2" "${4:-200}" "$status"; }
# jq-like: `json 'd["data"]["id"]'` evaluates a Python expression on the JSON in $body.
json() { python3 -c 'import json,sys; d=json.loads(sys.argv[2]); print(eval(sys.argv[1]))' "$1" "$body"; }
expect() {  # expect WHAT WANT GOT
  [ "$2" = "$3" ] && return 0
  echo "  $1: want '$2', got '$3' ${body:0:300}" >&2
  return 1
}
header() { tr -d '\r' <"$hdrs" | sed -n "s/^$1: //Ip" | head -n 1; }

# Reset the server, then create organization acme (no cost estimation) and workspace prod: sets $ws.
new_workspace() {
  admin POST /reset '' 204 &&
  api POST /organizations '{"data":{"type":"organizations","attributes":{"name":"acme","email":"ops@acme.test","cost-estimation-enabled":false}}}' 201 &&
  api POST /organizations/acme/workspaces '{"data":{"type":"workspaces","attributes":{"name":"prod"}}}' 201 &&
  ws=$(json 'd["data"]["id"]')
}
# upload_config true|false: a configuration version plus its tarball (bytes starting 1f 8b count as gzip).
upload_config() {
  api POST "/workspaces/$ws/configuration-versions" \
    '{"data":{"type":"configuration-versions","attributes":{"auto-queue-runs":'"$1"'}}}' 201 || return 1
  local url; url=$(json 'd["data"]["attributes"]["upload-url"]')  # a capability URL: no token needed
  printf '\x1f\x8b fake tarball' | curl -sf -X PUT -H "Content-Type: application/octet-stream" --data-binary @- "$url"
}
create_run() {  # sets $run
  api POST /runs '{"data":{"type":"runs","relationships":{"workspace":{"data":{"type":"workspaces","id":"'"$ws"'"}}}}}' 201 &&
  run=$(json 'd["data"]["id"]')
}
wait_for_status() {  # wait_for_status RUN STATUS: poll GET /api/v2/runs/:id (bounded, tiny sleep)
  local st=
  for _ in $(seq 200); do
    api GET "/runs/$1" || return 1
    st=$(json 'd["data"]["attributes"]["status"]')
    [ "$st" = "$2" ] && return 0
    sleep 0.01
  done
  expect "status of $1" "$2" "$st"
}

# 1. Drive a run to "applied": through the normal API, then with the /_tfe shortcut.
recipe_wait_for_applied() {
  new_workspace && upload_config true || return 1  # the upload queues a run
  api GET "/workspaces/$ws/runs" && run=$(json 'd["data"][0]["id"]')
  wait_for_status "$run" planned || return 1  # plans take 0 s, so this is quick
  api POST "/runs/$run/actions/apply" '{"comment":"ship it"}' 202 && wait_for_status "$run" applied || return 1
  # Shortcut: jump a run straight to a status (409 when the status is unreachable).
  create_run && admin POST "/runs/$run/advance" '{"to":"applied"}' &&
  expect "advance" applied "$(json 'd["status"]')"
}

# A client's retry loop: on 429 wait X-RateLimit-Reset (or Retry-After) seconds and try again.
get_with_retry() {  # get_with_retry PATH: sets $status and $body
  for _ in $(seq 10); do
    req API GET "$B/api/v2$1" || return 1
    [ "$status" = 429 ] || return 0
    local wait; wait=$(header X-RateLimit-Reset); sleep "${wait:-$(header Retry-After)}"
  done
  return 1
}

# 2. Make the next 3 reads of a run answer 429 and check that the client retried.
recipe_retry_on_429() {
  new_workspace && upload_config false && create_run || return 1
  admin DELETE /requests '' 204 || return 1  # journal only what follows
  admin POST /faults '[{"method":"GET","path":"/api/v2/runs/*","status":429,"count":3,"retry-after":0.05}]' 201 || return 1
  get_with_retry "/runs/$run" && expect "read after retries" 200 "$status" || return 1
  admin GET '/requests?route=GET%20/api/v2/runs/:id' &&
  expect "statuses" "[(429, True), (429, True), (429, True), (200, False)]" \
    "$(json '[(r["status"], r["faulted"]) for r in d["data"]]')"
}

# 3. Script the workspace's plans to fail; a new run ends "errored" and its log says why.
recipe_errored_plan() {
  new_workspace && upload_config false || return 1
  admin POST /script '{"workspace":"'"$ws"'","plan":{"errored":true,"error-message":"Error: Invalid reference"}}' 204 &&
  create_run && wait_for_status "$run" errored || return 1
  api GET "/runs/$run/plan" || return 1
  local log; log=$(curl -sf "$(json 'd["data"]["attributes"]["log-read-url"]')")  # no token
  [[ "$log" == *"Error: Invalid reference"* ]] || { echo "  plan log: $log" >&2; return 1; }
  admin DELETE /script '' 204  # later runs plan normally again
}

# 4. Assert that exactly one apply was sent for a run, and what its body was.
recipe_assert_requests() {
  new_workspace && upload_config false && create_run && wait_for_status "$run" planned || return 1
  api POST "/runs/$run/actions/apply" '{"comment":"LGTM"}' 202 || return 1  # the code under test
  admin GET "/requests?run=$run&route=POST%20/api/v2/runs/:id/actions/apply" || return 1
  expect "apply count" 1 "$(json 'd["meta"]["count"]')" &&
  expect "apply body" LGTM "$(json 'json.loads(d["data"][0]["request-body"])["comment"]')" &&
  expect "apply status" 202 "$(json 'd["data"][0]["status"]')" || return 1
  admin DELETE /requests '' 204 && admin GET /requests && expect "after clear" 0 "$(json 'd["meta"]["count"]')"
}

# 5. Save the state once, and start each test from it (or from a hand-written fixture).
recipe_snapshot() {
  new_workspace && upload_config false && create_run && admin POST "/runs/$run/advance" '{"to":"applied"}' || return 1
  admin GET /snapshot && local saved=$body  # `tfe-server --snapshot FILE` starts from such a file
  admin POST /reset '' 204 && api GET /organizations/acme '' 404 || return 1
  admin POST /restore "$saved" 204 && api GET "/runs/$run" &&
  expect "restored run" applied "$(json 'd["data"]["attributes"]["status"]')" || return 1
  # A fixture lists only what the test needs (restore replaces the whole state; 422 on a bad document).
  admin POST /restore '{"organizations":[{"name":"fixture-org","email":"a@b.test"}],
    "workspaces":[{"id":"ws-fixture","organization":"fixture-org","name":"app"}]}' 204 &&
  api GET /organizations/fixture-org/workspaces/app && expect "fixture" ws-fixture "$(json 'd["data"]["id"]')"
}

# With --manual-clock, a scripted 20 s plan stays "planning" until the clock moves 30 s.
recipe_manual_clock() {
  new_workspace && upload_config false || return 1
  admin POST /script '{"next":true,"plan":{"duration-ms":20000}}' 204 && create_run || return 1
  wait_for_status "$run" planning && api GET "/runs/$run" &&
  expect "still planning" planning "$(json 'd["data"]["attributes"]["status"]')" || return 1
  admin POST /clock/advance '{"seconds":30}' && expect "manual clock" True "$(json 'd["manual"]')" &&
  wait_for_status "$run" planned
}

passed=0 failed=0
for recipe in recipe_wait_for_applied recipe_retry_on_429 recipe_errored_plan \
              recipe_assert_requests recipe_snapshot recipe_manual_clock; do
  if "$recipe"; then echo "ok   $recipe"; passed=$((passed + 1)); else echo "FAIL $recipe"; failed=$((failed + 1)); fi
done
echo "curl cookbook: $passed passed, $failed failed"
[ "$failed" = 0 ]
