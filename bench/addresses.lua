-- wrk script for the long-tail runs of scripts/bench.py: walk a list of addresses, each asked
-- about once (until the list runs out, then from the top again, counted as repeats).
--
--   wrk -t2 -c16 -d30s -s bench/addresses.lua http://127.0.0.1:PORT -- PATHS_FILE THREADS [CLIENTS]
--
-- PATHS_FILE holds one path per line (already shuffled); thread k of THREADS takes lines k,
-- k + THREADS, ... so that no two threads ask for the same address. With CLIENTS = "distinct"
-- every request carries its own X-Forwarded-For address (the server trusts one proxy hop), as
-- thousands of readers would, so per-address limits (the API's read throttle) count each reader
-- on their own and still run their bookkeeping. The summary line is parsed by scripts/bench.py.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local file, count = args[1], tonumber(args[2])
  distinct = args[3] == "distinct"
  paths, position, repeats, asked = {}, 0, 0, 0
  statuses = {}
  local n = 0
  for line in io.lines(file) do
    if line ~= "" then
      if n % count == id - 1 then
        table.insert(paths, line)
      end
      n = n + 1
    end
  end
  mine = #paths
end

function request()
  position = position + 1
  if position > #paths then
    position = 1
  end
  asked = asked + 1
  if asked > #paths then
    repeats = repeats + 1
  end
  local headers = { ["Accept-Encoding"] = "gzip" }
  if distinct then
    headers["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", id, math.floor(asked / 256) % 256, asked % 256)
  end
  return wrk.format("GET", paths[position], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  local repeated, codes, total, each = 0, {}, 0, {}
  for _, thread in ipairs(threads) do
    repeated = repeated + thread:get("repeats")
    total = total + thread:get("mine")
    each[thread:get("id")] = thread:get("asked")
    for status, n in pairs(thread:get("statuses")) do
      codes[status] = (codes[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(codes) do
    table.insert(parts, string.format("%d:%d", status, n))
  end
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write, e.status, e.timeout, latency.max))
  -- How many each thread asked (in thread order): which addresses were asked follows.
  io.write(string.format("ADDRESSES %d %d %s %s\n", total, repeated, table.concat(each, ","),
    table.concat(parts, ",")))
end
