-- submit.lua - wrk script: authenticated case submission (a durable write).
-- Environment:
--   BENCH_TOKEN    citizen bearer token (required)
--   BENCH_FILE_ID  id of an uploaded PDF used as the material (required)
--   BENCH_ITEM     service item code (default 520102-RS-GG-002)
--   BENCH_IDEM     "unique" (default): a fresh Idempotency-Key per request;
--                  "none": no Idempotency-Key header
--   BENCH_RUN_ID   prefix that keeps keys unique across runs (default: time)
-- Every non-2xx response is counted as an error (non_2xx in the report).
-- Usage: BENCH_TOKEN=... BENCH_FILE_ID=... wrk -t2 -c64 -d10s -s bench/submit.lua URL
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local token = os.getenv("BENCH_TOKEN")
local file = os.getenv("BENCH_FILE_ID")
local item = os.getenv("BENCH_ITEM") or "520102-RS-GG-002"
local idem = (os.getenv("BENCH_IDEM") or "unique") ~= "none"
local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())

if not token or not file then
   io.stderr:write("submit.lua: set BENCH_TOKEN and BENCH_FILE_ID\n")
   os.exit(2)
end

local body = string.format(
   '{"item_code":"%s","form":{"applicant":"张伟","phone":"13800005678",' ..
   '"reason":"求职登记，申领就业创业证","education":"本科"},' ..
   '"materials":[{"seq":1,"name":"身份证明","file":"%s"}]}', item, file)

local headers = {
   ["Content-Type"] = "application/json",
   ["Authorization"] = "Bearer " .. token,
}
local n = 0
local prefix

function init(args)
   prefix = string.format("bench-%s-%s-", run, tostring(tid or 0))
end

function request()
   sent = sent + 1
   n = n + 1
   if idem then headers["Idempotency-Key"] = prefix .. n end
   return wrk.format("POST", "/api/v1/cases", headers, body)
end
