-- search-uncached.lua - wrk script: catalog search where every request is a
-- distinct query, so the node's search-answer cache (keyed by the query, kept
-- up to 2 s) is missed: each request runs the database query and renders JSON.
--
-- The same 12 queries as search.lua, each request with
--   * a different `limit` (1..100: the page size changes the answer), and
--   * a different number of spaces before and after the term (0..46 each).
--     Spaces only separate search terms, so the answer is the one for the
--     bare term; the query string (the cache key) is new. Filter-only
--     queries get a `q` of spaces only, which means "no term".
-- Request k of a thread uses query k % 12, limit (k / 12) % 100 + 1 and
-- padding (k / 1200) % 2209: a key repeats after 2.65 million requests, and the
-- threads start a million requests apart, so within the cache's 2 s lifetime
-- no key comes twice (at any rate wrk reaches on loopback).
-- Usage: wrk -t2 -c64 -d10s -s bench/search-uncached.lua http://127.0.0.1:PORT
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

-- each entry: q (or nil) and the other query parameters, as in search.lua
local queries = {
   { "失业" },
   { "登记" },
   { "证明", "type=GG" },
   { "就业创业" },
   { "社会保障卡" },
   { "最低生活保障" },                         -- (search.lua adds limit=5; here limit varies)
   { "个体工商户", "region=520102" },
   { "医师执业", "depth=4" },
   { "申领", "cross=full_online" },
   { "营业执照" },
   { nil, "region=520102&type=XK" },
   { "结婚登记", "region=520102&type=QR" },
}

local PAD = 47 -- 0..46 spaces on each side: at most 6 + 92 = 98 characters (q allows 100)
local SP = "%20"
local enc = {}
local k

function init(args)
   for i, q in ipairs(queries) do
      enc[i] = { q[1] and urlencode(q[1]) or "", q[2] }
   end
   k = (tonumber(tid) or 1) * 1000003
end

function request()
   sent = sent + 1
   k = k + 1
   local e = enc[k % #enc + 1]
   local limit = math.floor(k / #enc) % 100 + 1
   local pad = math.floor(k / (#enc * 100)) % (PAD * PAD)
   local a, b = pad % PAD, math.floor(pad / PAD)
   if e[1] == "" and a + b == 0 then a = 1 end -- "q=" would be no q at all
   local path = "/api/v1/services?q=" .. string.rep(SP, a) .. e[1] .. string.rep(SP, b) ..
      "&limit=" .. limit
   if e[2] then path = path .. "&" .. e[2] end
   return wrk.format("GET", path)
end
