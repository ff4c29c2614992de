-- report.lua - shared by the wrk scripts in bench/: counts responses by
-- status in every wrk thread and, when the run ends, prints one line
--   BENCH_JSON {"name":...,"requests":...,"rps":...,"latency_ms":{...},...}
-- that bench/run collects. Load it first with dofile (see search.lua).
--
-- Per-thread globals (each wrk thread has its own Lua state):
--   sent       requests handed to wrk by request() (dynamic scripts only)
--   responses  responses wrk parsed; ok2xx / non2xx split them
--   statuses   {status = count}
-- wrk stops on a timer, so requests in flight at the stop are sent but never
-- answered: `unanswered` = sent - responses (the server may still complete them).

sent, responses, ok2xx, non2xx = 0, 0, 0, 0
statuses = {}

local threads = {}

function setup(thread)
   thread:set("tid", #threads + 1)
   table.insert(threads, thread)
end

function count_response(status)
   responses = responses + 1
   if status >= 200 and status <= 299 then
      ok2xx = ok2xx + 1
   else
      non2xx = non2xx + 1
   end
   statuses[status] = (statuses[status] or 0) + 1
end

function response(status, headers, body)
   count_response(status)
end

-- percent-encodes a string for a query parameter (UTF-8 bytes as %XX)
function urlencode(s)
   return (string.gsub(s, "[^%w%-%._~]", function(c)
      return string.format("%%%02X", string.byte(c))
   end))
end

local function ms(us) return us / 1000.0 end

function done(summary, latency, requests)
   local agg = { sent = 0, responses = 0, ok2xx = 0, non2xx = 0 }
   local st = {}
   for _, t in ipairs(threads) do
      for k in pairs(agg) do agg[k] = agg[k] + (tonumber(t:get(k)) or 0) end
      local s = t:get("statuses")
      if type(s) == "table" then
         for code, n in pairs(s) do st[code] = (st[code] or 0) + n end
      end
   end
   local codes = {}
   for code in pairs(st) do codes[#codes + 1] = code end
   table.sort(codes)
   local parts = {}
   for _, code in ipairs(codes) do
      parts[#parts + 1] = string.format('"%d":%d', code, st[code])
   end
   local dur = summary.duration / 1e6
   local e = summary.errors
   local sent, unanswered = "null", "null"
   if agg.sent > 0 then
      sent = string.format("%d", agg.sent)
      unanswered = string.format("%d", agg.sent - agg.responses)
   end
   io.write(string.format(
      'BENCH_JSON {"name":"%s","requests":%d,"duration_s":%.3f,"rps":%.1f,' ..
      '"latency_ms":{"mean":%.3f,"stdev":%.3f,"p50":%.3f,"p90":%.3f,"p99":%.3f,"max":%.3f},' ..
      '"ok_2xx":%d,"non_2xx":%d,"status":{%s},' ..
      '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
      '"sent":%s,"unanswered":%s,"bytes":%d}\n',
      os.getenv("BENCH_NAME") or "wrk", summary.requests, dur,
      dur > 0 and summary.requests / dur or 0,
      ms(latency.mean), ms(latency.stdev), ms(latency:percentile(50)),
      ms(latency:percentile(90)), ms(latency:percentile(99)), ms(latency.max),
      agg.ok2xx, agg.non2xx, table.concat(parts, ","),
      e.connect, e.read, e.write, e.timeout, sent, unanswered, summary.bytes))
end
