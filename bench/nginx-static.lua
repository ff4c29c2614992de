-- nginx-static.lua - wrk script for the nginx reference: GET /nginx-static,
-- which nginx answers itself (`return 200 '{"status":"ok"}'`, the same body as
-- the node's /healthz) without reaching any node process.
-- Usage: wrk -t2 -c64 -d10s -s bench/nginx-static.lua http://127.0.0.1:NGINX_PORT
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

wrk.method = "GET"
wrk.path = "/nginx-static"
