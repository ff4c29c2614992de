-- soak.lua - wrk script for the soak (bench/soak.mjs): mixed traffic of a
-- county node in one run, every request picked by weight:
--   30  catalog search         GET /api/v1/services?q=...        (anonymous)
--   25  open data rows         GET /api/v1/datasets/{id}/rows?... (anonymous)
--   20  case read              GET /api/v1/cases/{id}             (citizen)
--   15  exchange read          GET /api/v1/exchange/{grant}/rows/{key} (API key;
--                              a durable access record + audit record each)
--   10  case submission        POST /api/v1/cases                 (citizen; a
--                              durable write with its own Idempotency-Key)
-- Environment (all required, set by soak.mjs): SOAK_TOKEN, SOAK_FILE_ID,
-- SOAK_CASES (comma-separated case ids of the citizen), SOAK_API_KEY,
-- SOAK_GRANT, SOAK_KEYS (file, one row key per line), SOAK_DATASET,
-- SOAK_RUN_ID (prefix of the Idempotency-Keys).
-- Every non-2xx response is counted (report.lua: non_2xx, status{}).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local function need(name)
   local v = os.getenv(name)
   if not v or v == "" then
      io.stderr:write("soak.lua: set " .. name .. "\n")
      os.exit(2)
   end
   return v
end

local token, file = need("SOAK_TOKEN"), need("SOAK_FILE_ID")
local cases_s, api_key = need("SOAK_CASES"), need("SOAK_API_KEY")
local grant, keys_file = need("SOAK_GRANT"), need("SOAK_KEYS")
local dataset, run = need("SOAK_DATASET"), need("SOAK_RUN_ID")

local searches, rows, case_reads, exchanges = {}, {}, {}, {}
local submit_body, submit_headers
local n, prefix = 0, ""

function init(args)
   for _, q in ipairs({ "失业", "登记", "就业创业", "社会保障卡", "最低生活保障", "营业执照", "结婚登记", "证明" }) do
      searches[#searches + 1] = wrk.format("GET", "/api/v1/services?q=" .. urlencode(q))
   end
   searches[#searches + 1] = wrk.format("GET", "/api/v1/services?region=520102&type=XK")
   local base = "/api/v1/datasets/" .. dataset .. "/rows?limit=20"
   for _, q in ipairs({ "", "&filter=" .. urlencode("street:eq:花果园街道"),
                        "&filter=" .. urlencode("employees:ge:490") .. "&filter=" .. urlencode("capital:lt:5000"),
                        "&filter=" .. urlencode("capital:gt:9000") .. "&sort=capital",
                        "&filter=" .. urlencode("industry:eq:制造业") .. "&sort=-established&fields=id,street,established" }) do
      rows[#rows + 1] = wrk.format("GET", base .. q)
   end
   local citizen = { ["Authorization"] = "Bearer " .. token }
   for id in string.gmatch(cases_s, "%d+") do
      case_reads[#case_reads + 1] = wrk.format("GET", "/api/v1/cases/" .. id, citizen)
   end
   local sys = { ["Authorization"] = "Bearer " .. api_key }
   for k in io.lines(keys_file) do
      if #k > 0 then
         exchanges[#exchanges + 1] = wrk.format("GET", "/api/v1/exchange/" .. grant .. "/rows/" .. k, sys)
      end
   end
   submit_body = string.format(
      '{"item_code":"520102-RS-GG-002","form":{"reason":"浸泡测试"},' ..
      '"materials":[{"seq":1,"name":"身份证明","file":"%s"}]}', file)
   submit_headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
   prefix = string.format("soak-%s-%s-", run, tostring(tid or 0))
   math.randomseed((tonumber(tid) or 1) * 7919 + os.time())
end

local function pick(list) return list[math.random(#list)] end

function request()
   sent = sent + 1
   local r = math.random(100)
   if r <= 30 then return pick(searches) end
   if r <= 55 then return pick(rows) end
   if r <= 75 then return pick(case_reads) end
   if r <= 90 then return pick(exchanges) end
   n = n + 1
   submit_headers["Idempotency-Key"] = prefix .. n
   return wrk.format("POST", "/api/v1/cases", submit_headers, submit_body)
end
