-- One scan request per call, in the mix of a real audit: mostly first scans of expected assets,
-- some repeats, some assets from elsewhere and some offline-queue replays.
-- Environment: BENCH_SESSION, BENCH_TOKEN, BENCH_IN_SCOPE (tags 1..N are in scope), BENCH_TOTAL.
local session = os.getenv("BENCH_SESSION")
local token = os.getenv("BENCH_TOKEN")
local in_scope = tonumber(os.getenv("BENCH_IN_SCOPE"))
local total = tonumber(os.getenv("BENCH_TOTAL"))
local threads_total = tonumber(os.getenv("BENCH_THREADS"))

local counter = 0
local thread_id = 0
local next_fresh = 0
local used = {}
local sent = {}

function setup(thread)
  thread:set("thread_id", counter)
  counter = counter + 1
end

function init(args)
  next_fresh = thread_id + 1
  math.randomseed(os.time() + thread_id * 7919)
  wrk.method = "POST"
  wrk.path = "/api/v1/sessions/" .. session .. "/scan"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Host"] = "bench.localhost"
  wrk.headers["Authorization"] = "ApiKey " .. token
end

local function uuid()
  local t = {}
  for i = 1, 16 do t[i] = math.random(0, 255) end
  t[7] = 0x40 + (t[7] % 16)
  local unpack = table.unpack or unpack
  t[9] = 0x80 + (t[9] % 64)
  return string.format("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", unpack(t))
end

local function body(tag_number, id)
  return string.format('{"code":"AST-%06d","clientScanId":"%s"}', tag_number, id)
end

function request()
  local r = math.random()
  local payload
  if r < 0.70 and next_fresh <= in_scope then
    local n = next_fresh
    next_fresh = next_fresh + threads_total
    used[#used + 1] = n
    payload = body(n, uuid())
    sent[#sent + 1] = payload
  elseif r < 0.90 and #used > 0 then
    payload = body(used[math.random(#used)], uuid())
  elseif r < 0.95 then
    payload = body(math.random(in_scope + 1, total), uuid())
  elseif #sent > 0 then
    payload = sent[math.random(#sent)]
  else
    payload = body(math.random(1, in_scope), uuid())
  end
  return wrk.format(nil, nil, nil, payload)
end
