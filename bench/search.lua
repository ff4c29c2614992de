-- search.lua - wrk script: catalog search (FTS5, trigram) with a rotating set
-- of Chinese queries: 2-character terms (below the trigram length), 3+-character
-- terms, terms with filters, and filter-only listings.
-- Usage: wrk -t2 -c64 -d10s -s bench/search.lua http://127.0.0.1:PORT
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

-- each entry: list of {name, value} query parameters
local queries = {
   { { "q", "失业" } },                                  -- 2 chars
   { { "q", "登记" } },                                  -- 2 chars, several hits
   { { "q", "证明" }, { "type", "GG" } },                -- 2 chars + type filter
   { { "q", "就业创业" } },                              -- 4 chars
   { { "q", "社会保障卡" } },                            -- 5 chars
   { { "q", "最低生活保障" }, { "limit", "5" } },        -- 6 chars + limit
   { { "q", "个体工商户" }, { "region", "520102" } },    -- region filter
   { { "q", "医师执业" }, { "depth", "4" } },            -- online-depth filter
   { { "q", "申领" }, { "cross", "full_online" } },      -- cross-province filter
   { { "q", "营业执照" } },                              -- probably no hit
   { { "region", "520102" }, { "type", "XK" } },         -- filters only
   { { "q", "结婚登记" }, { "region", "520102" }, { "type", "QR" } },
}

local reqs = {}

function init(args)
   for i, q in ipairs(queries) do
      local p = {}
      for _, kv in ipairs(q) do p[#p + 1] = kv[1] .. "=" .. urlencode(kv[2]) end
      reqs[i] = wrk.format("GET", "/api/v1/services?" .. table.concat(p, "&"))
   end
   -- threads start at different places in the rotation
   idx = ((tonumber(tid) or 1) * 5) % #reqs
end

function request()
   sent = sent + 1
   idx = idx % #reqs + 1
   return reqs[idx]
end
