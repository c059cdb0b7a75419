-- wrk script of benches/load.sh: GET requests over a file of request paths,
-- every response's status counted, a summary line for load.sh to read.
--
--   wrk -t N -c N -d SECS --latency -s benches/load.lua URL -- PATHS N
--
-- PATHS  file of request paths, one a line (`/api/search?q=...&limit=10`,
--        already percent-encoded)
-- N      the number of threads given to -t (for the starting points)
--
-- Thread i (from 0) starts at path i * #paths / N and walks the file round
-- and round, so 8 threads send 8 different queries at any moment and every
-- query is sent about as often as the others. Give each thread one
-- connection (-c = -t): the path of a bad response is then known exactly.
--
-- wrk (4.x) calls request() of thread 0 once before the run to see whether
-- the script pipelines; that call neither moves the walk nor counts.
--
-- A response counts as good when its status is 2xx and its body holds
-- `"hits":` (a search answer, not an error object). Each thread writes its
-- first 3 bad responses (status, path, start of the body) to stderr.
--
-- done() prints one line to stdout, fields in microseconds:
--   LOAD requests=N responses=N duration_us=D rps=R p50_us= p90_us= p99_us=
--        p999_us= max_us= mean_us= connect= read= write= timeout=
--        status_errors= good= non2xx= badbody= statuses=200:N,503:N
-- `requests`, the socket errors, `timeout` and `status_errors` (status >
-- 399) are wrk's own counts; `responses`, `good`, `non2xx`, `badbody` and
-- `statuses` this script's.

local threads = {}
local n_threads = 0

function setup(thread)
  thread:set("id", n_threads)
  n_threads = n_threads + 1
  table.insert(threads, thread)
end

-- Thread state (each wrk thread has its own Lua state).
local paths = {}
local next_path = 1
local sent_path = {}      -- paths of the requests in flight, oldest first
local verifying = false   -- the next request() is wrk's check, not a request
responses = 0
good = 0
badbody = 0
statuses = {}
local shown = 0

function init(args)
  local file = args[1]
  if not file then
    error("load.lua: give the paths file after --")
  end
  for line in io.lines(file) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  if #paths == 0 then
    error("load.lua: no paths in " .. file)
  end
  -- `id` is set by setup().
  local count = tonumber(args[2] or "1") or 1
  next_path = math.floor((id or 0) * #paths / count) % #paths + 1
  verifying = (id == 0)
end

function request()
  local path = paths[next_path]
  if verifying then
    verifying = false
    return wrk.format("GET", path)
  end
  next_path = next_path % #paths + 1
  table.insert(sent_path, path)
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local path = table.remove(sent_path, 1) or "?"
  responses = responses + 1
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status >= 200 and status < 300 then
    if body and string.find(body, '"hits":', 1, true) then
      good = good + 1
    else
      badbody = badbody + 1
      if shown < 3 then
        shown = shown + 1
        io.stderr:write(string.format("load.lua: bad body, status %d, %s: %s\n",
          status, path, string.sub(body or "", 1, 300)))
      end
    end
  elseif shown < 3 then
    shown = shown + 1
    io.stderr:write(string.format("load.lua: status %d, %s: %s\n",
      status, path, string.sub(body or "", 1, 300)))
  end
end

function done(summary, latency, requests)
  local total_good, total_bad, total_responses = 0, 0, 0
  local all = {}
  for _, t in ipairs(threads) do
    total_good = total_good + (t:get("good") or 0)
    total_bad = total_bad + (t:get("badbody") or 0)
    total_responses = total_responses + (t:get("responses") or 0)
    local s = t:get("statuses") or {}
    for k, v in pairs(s) do
      all[k] = (all[k] or 0) + v
    end
  end
  local non2xx = 0
  local keys = {}
  for k, v in pairs(all) do
    local code = tonumber(k)
    if code < 200 or code >= 300 then
      non2xx = non2xx + v
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    parts[#parts + 1] = k .. ":" .. all[k]
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "LOAD requests=%d responses=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d max_us=%d mean_us=%.0f " ..
    "connect=%d read=%d write=%d timeout=%d status_errors=%d good=%d non2xx=%d badbody=%d statuses=%s\n",
    summary.requests, total_responses, summary.duration, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    total_good, non2xx, total_bad, table.concat(parts, ",")))
end
