-- Mixed Runs API traffic for wrk, used by bench/soak/soak.py (scripts/soak).
--
--   wrk -t2 -c32 -d120s --latency -s bench/soak/mixed.lua http://127.0.0.1:PORT -- WORKSPACES_FILE
--
-- WORKSPACES_FILE holds one workspace id per line; each workspace already has an uploaded
-- configuration version. Every request picks an action at random (seeded per thread):
--
--   create  POST /api/v2/runs on a random workspace                      201
--   read    GET  /api/v2/runs/ID of a run this thread has seen            200
--   list    GET  /api/v2/workspaces/ID/runs?page[size]=20                 200
--   ready   GET  /api/v2/workspaces/ID/runs?filter[status]=planned,...    200 (finds runs to confirm)
--   show    GET  /api/v2/workspaces/ID                                    200
--   apply   POST /api/v2/runs/ID/actions/apply   on a confirmable run     202, or 409 when another
--   discard POST /api/v2/runs/ID/actions/discard on a confirmable run     connection got there first
--   stale   POST apply or discard on any run seen before                  mostly 409 (finished runs)
--
-- Responses are parsed for run ids and statuses, so later requests act on real runs. wrk gives no
-- way to tie a response to its request, so every action is one that is valid whatever state the
-- run has reached meanwhile: the answer is then a 2xx or, for actions, the documented 409.
-- done() prints "soak-status CODE COUNT" and "soak-action NAME COUNT" lines summed over threads.

local threads = {}
local next_index = 0

function setup(thread)
  thread:set("index", next_index)
  next_index = next_index + 1
  table.insert(threads, thread)
end

local jsonapi = { ["Content-Type"] = "application/vnd.api+json" }
local workspaces = {}
local recent = {}          -- ring of run ids seen (for reads and stale actions)
local recent_size = 512
local recent_next = 1
local ready = {}           -- confirmable run ids, used at most once by this thread
counts = {}                -- status code -> responses (read by done())
actions = {}               -- action name -> requests

function init(args)
  math.randomseed(1000 + (index or 0))
  local path = args[1] or error("mixed.lua: pass the workspaces file after --")
  for line in io.lines(path) do
    if line ~= "" then table.insert(workspaces, line) end
  end
  if #workspaces == 0 then error("mixed.lua: no workspaces in " .. path) end
end

local function remember(id)
  recent[recent_next] = id
  recent_next = recent_next % recent_size + 1
end

local function any_workspace()
  return workspaces[math.random(#workspaces)]
end

local function any_recent()
  if #recent == 0 then return nil end
  return recent[math.random(#recent)]
end

local function take_ready()
  local n = #ready
  if n == 0 then return nil end
  local i = math.random(n)
  local id = ready[i]
  ready[i] = ready[n]
  ready[n] = nil
  return id
end

local function count(name)
  actions[name] = (actions[name] or 0) + 1
end

local function list(ws)
  count("list")
  return wrk.format("GET", "/api/v2/workspaces/" .. ws .. "/runs?page%5Bsize%5D=20")
end

local function find_ready(ws)
  count("ready")
  return wrk.format("GET", "/api/v2/workspaces/" .. ws ..
    "/runs?filter%5Bstatus%5D=planned,cost_estimated,policy_checked&page%5Bsize%5D=5")
end

local function confirm(id, what, label)
  count(label or what)
  local body = nil
  if what == "apply" then body = '{"comment":"soak"}' end
  return wrk.format("POST", "/api/v2/runs/" .. id .. "/actions/" .. what, jsonapi, body)
end

function request()
  local r = math.random(100)
  if r <= 10 then
    count("create")
    return wrk.format("POST", "/api/v2/runs", jsonapi,
      '{"data":{"type":"runs","attributes":{"message":"soak"},"relationships":{"workspace":' ..
      '{"data":{"type":"workspaces","id":"' .. any_workspace() .. '"}}}}}')
  elseif r <= 30 then
    local id = any_recent()
    if id == nil then return list(any_workspace()) end
    count("read")
    return wrk.format("GET", "/api/v2/runs/" .. id)
  elseif r <= 45 then
    return list(any_workspace())
  elseif r <= 55 then
    count("show")
    return wrk.format("GET", "/api/v2/workspaces/" .. any_workspace())
  elseif r <= 70 then
    return find_ready(any_workspace())
  elseif r <= 82 then
    local id = take_ready()
    if id == nil then return find_ready(any_workspace()) end
    return confirm(id, "apply")
  elseif r <= 94 then
    local id = take_ready()
    if id == nil then return find_ready(any_workspace()) end
    return confirm(id, "discard")
  else
    local id = any_recent()
    if id == nil then return list(any_workspace()) end
    if r <= 97 then return confirm(id, "apply", "stale-apply") end
    return confirm(id, "discard", "stale-discard")
  end
end

local confirmable = { planned = true, cost_estimated = true, policy_checked = true }

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status ~= 200 and status ~= 201 then return end
  for id, status_name in body:gmatch('"id":"(run%-%w+)","type":"runs","attributes":.-"status":"([%w_]+)"') do
    remember(id)
    if confirmable[status_name] then table.insert(ready, id) end
  end
  if #ready > 256 then ready = {} end  -- stale entries only produce 409s; keep the list short
end

function done(summary, latency, requests)
  local status_total, action_total = {}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("counts")) do status_total[code] = (status_total[code] or 0) + n end
    for name, n in pairs(t:get("actions")) do action_total[name] = (action_total[name] or 0) + n end
  end
  for code, n in pairs(status_total) do io.write(string.format("soak-status %d %d\n", code, n)) end
  for name, n in pairs(action_total) do io.write(string.format("soak-action %s %d\n", name, n)) end
end
