-- exchange.lua - wrk script: an authorized exchange read of one row by key
-- through a grant (GET /api/v1/exchange/{grant}/rows/{key}), as a department
-- system with its API key: grant check, rate limit, masking, and a durable
-- access record + audit record before the answer.
-- Environment:
--   BENCH_API_KEY   ztk_... key of the consumer department (required)
--   BENCH_GRANT     grant id (required)
--   BENCH_KEYS      file with one row key per line (required); the requests
--                   rotate over them, each wrk thread from its own offset
-- Every non-2xx response is counted as an error (non_2xx in the report).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local key = os.getenv("BENCH_API_KEY")
local grant = os.getenv("BENCH_GRANT")
local keys_file = os.getenv("BENCH_KEYS")

if not key or not grant or not keys_file then
   io.stderr:write("exchange.lua: set BENCH_API_KEY, BENCH_GRANT and BENCH_KEYS\n")
   os.exit(2)
end

local reqs = {}

function init(args)
   local headers = { ["Authorization"] = "Bearer " .. key }
   for k in io.lines(keys_file) do
      if #k > 0 then
         reqs[#reqs + 1] = wrk.format("GET", "/api/v1/exchange/" .. grant .. "/rows/" .. k, headers)
      end
   end
   if #reqs == 0 then
      io.stderr:write("exchange.lua: no keys in " .. keys_file .. "\n")
      os.exit(2)
   end
   idx = ((tonumber(tid) or 1) * 7919) % #reqs
end

function request()
   sent = sent + 1
   idx = idx % #reqs + 1
   return reqs[idx]
end
