-- wrk script of bench/join.py: each connection requests the personal join link of another participant
-- (JOIN_PATHS: the paths, separated by "|"), round robin; then the same status count and summary line as
-- report.lua ("BENCH_JSON {...}", latencies in microseconds).
local paths = {}
for path in string.gmatch(os.getenv("JOIN_PATHS") or "/", "[^|]+") do table.insert(paths, path) end
local counter = 0

request = function()
   counter = counter + 1
   return wrk.format("GET", paths[(counter % #paths) + 1])
end

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

function init(args)
   statuses = {}
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local codes, non2xx = {}, 0
   for _, thread in ipairs(threads) do
      local counted = thread:get("statuses") or {}
      for code, n in pairs(counted) do
         codes[code] = (codes[code] or 0) + n
      end
   end
   local parts = {}
   for code, n in pairs(codes) do
      table.insert(parts, string.format('"%d": %d', code, n))
      if code < 200 or code > 299 then non2xx = non2xx + n end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_JSON {"duration_us": %d, "requests": %d, "bytes": %d, ' ..
      '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
      '"non_2xx": %d, "statuses": {%s}, ' ..
      '"latency_us": {"min": %d, "mean": %.1f, "max": %d, "stdev": %.1f, ' ..
      '"p50": %d, "p75": %d, "p90": %d, "p95": %d, "p99": %d}}\n',
      summary.duration, summary.requests, summary.bytes,
      e.connect, e.read, e.write, e.status, e.timeout,
      non2xx, table.concat(parts, ", "),
      latency.min, latency.mean, latency.max, latency.stdev,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(95), latency:percentile(99)))
end
