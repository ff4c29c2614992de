-- healthz.lua - wrk script for the reference benchmark: GET /healthz.
-- Usage: wrk -t2 -c64 -d10s -s bench/healthz.lua http://127.0.0.1:PORT
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "GET"
wrk.path = "/healthz"
