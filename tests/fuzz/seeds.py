#!/usr/bin/env python3
"""seeds.py - writes the seed corpora tests/fuzz/corpus/<target>/ and the
dictionary tests/fuzz/api.dict (JSON member names and query keys found in
src/api/*.c). Run from the repository root after changing a harness's input
format; the files it writes are committed."""
import os
import re
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests/fuzz/corpus")

ADMIN, SCJG_CLERK, SCJG_REVIEWER, SCJG_ADMIN, SCJG_DATA, CITIZEN, ENTERPRISE = 1, 3, 4, 5, 7, 20, 22
SUPERVISOR = 2


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def named(route, who, first="", headers="", body=""):
    return b"@" + route.encode() + b" " + bytes([who]) + (first + "\n" + headers + "\n" + body).encode()


def api_body():
    t = "api_body"
    seeds = {
        "login": named("auth.login", 0, body='{"login":"admin","password":"Zhengtong@2026"}'),
        "login_bad": named("auth.login", 0, body='{"login":"nobody","password":"x"}'),
        "register": named("auth.register", 0, body='{"kind":"citizen","name":"测试","id_number":"11010519491231002X","phone":"13800138000","password":"Secret#2026x"}'),
        "logout": named("auth.logout", CITIZEN, body="{}"),
        "case_submit": named("cases.submit", CITIZEN, body='{"item_code":"520102-XK-001","form":{"备注":"x"},"materials":[{"seq":1,"name":"身份证","file":"0000000000000000000000000000000000000000000000000000000000000000"}],"channel":"web"}'),
        "case_accept": named("cases.accept", SCJG_CLERK, "1", body='{"comment":"ok"}'),
        "case_deny": named("cases.deny", SCJG_REVIEWER, "2", body='{"reason":"no"}'),
        "case_rate": named("cases.rate", CITIZEN, "1", body='{"stars":1,"comment":"慢"}'),
        "case_supplement": named("cases.supplement", SCJG_CLERK, "3", body='{"reason":"more","materials":[1]}'),
        "case_visit": named("cases.visit", SCJG_CLERK, "1", body='{"purpose":"核验"}'),
        "service_create": named("services.create", SCJG_ADMIN, body='{"code":"520102-XK-099","name":"测试事项","type":"XK","legal_days":20,"promised_days":5,"online_depth":4,"max_visits":0}'),
        "service_update": named("services.update", SCJG_ADMIN, "1", body='{"name":"改名"}'),
        "official_add": named("officials.add", ADMIN, body='{"login":"fuzz.clerk","name":"某某","password":"Secret#2026x","dept_id":2,"roles":["clerk"]}'),
        "dept_add": named("departments.add", ADMIN, body='{"name":"测试局","credit_code":"11520102MB1234567X","region_code":"520102"}'),
        "resource_create": named("resources.create", SCJG_DATA, body='{"code":"520102-SCJG-009","name":"r","sharing_type":"unconditional","fields":[{"name":"id","type":"string","sensitivity":"public"}],"key":"id"}'),
        "resource_rows": named("resources.rows", SCJG_DATA, "4", body='{"rows":[{"credit_code":"91520102214567897B","name":"x"}]}'),
        "share_request": named("share_requests.create", 8, body='{"resource":"520102-SCJG-001","fields":["name"],"purpose":"审批","legal_basis":"法","period_days":30}'),
        "license_verify": named("licenses.verify", 0, body='{"identifier":"1.2.156.3005.2.11520102MB1234567X001.11520102MB1234567X.0000001.001.X"}'),
        "complaint": named("complaints.submit", 0, body='{"region_code":"520102","content":"投诉","phone":"13800138000"}'),
        "dataset_publish": named("datasets.publish", SCJG_DATA, body='{"resource":"520102-SCJG-002","code":"OD-X","title":"t","fields":[{"name":"id"}],"license":"CC-BY-4.0","update_frequency":"monthly"}'),
        "dataset_republish": named("datasets.republish", SCJG_DATA, "1", body='{"fields":[{"name":"id"},{"name":"industry"}]}'),
        "dataset_withdraw": named("datasets.withdraw", SCJG_DATA, "2", body="{}"),
        "devkey": named("devkeys.create", CITIZEN, body='{"name":"app"}'),
        "fed_inbox_query": named("fed.inbox", 0, "?type=ping", body='{"type":"ping"}'),
        "fed_inbox": named("fed.inbox", 0, headers="X-ZT-Sender: 440000\nX-ZT-Message-Id: 0123456789abcdef0123456789abcdef\nX-ZT-Timestamp: 1772416800\n", body='{"type":"ping"}'),
        "sla_sweep": named("sla.sweep", ADMIN, body="{}"),
        "deep": named("cases.submit", CITIZEN, body="[" * 40 + "]" * 40),
        "not_json": named("cases.submit", CITIZEN, headers="Content-Type: text/plain\n", body="x"),
        "upload_pdf": named("files.upload", CITIZEN, body="%PDF-1.4\n%fuzz\n"),
        "upload_png": named("files.upload", CITIZEN, body="\x89PNG\r\n\x1a\n0000"),
        "upload_lie": named("files.upload", CITIZEN, body="MZ\x90\x00not a pdf"),
        "import_csv": named("resources.import", SCJG_DATA, "4", body="credit_code,name\n91520102214567897B,x\n"),
    }
    for k, v in seeds.items():
        write(t, k, v)
    # Every body route by position, as three kinds of principal.
    for i in range(64):
        for who in (ADMIN, SCJG_DATA, CITIZEN):
            write(t, "pos%02d_%d" % (i, who), bytes([i, who]) + b"1\n\n{}")


def api_get():
    t = "api_get"
    seeds = {
        "rows": named("datasets.rows", 0, "1?limit=5&sort=-capital&filter=industry:eq:制造业&filter=employees:ge:10"),
        "rows_in": named("datasets.rows", 0, "1?filter=street:in:新华路街道|花果园街道&fields=id,street&q=E0000"),
        "rows_cursor": named("datasets.rows", 0, "1?limit=2&cursor=WzJd"),
        "rows_sorted_cursor": named("datasets.rows", 0, "1?limit=2&sort=established&cursor=WyJlc3RhYmxpc2hlZCIsIjIwMDAtMDItMDciLDFd"),
        "rows_bool": named("datasets.rows", 0, "1?filter=active:eq:true&filter=capital:lt:1000.5&filter=established:gt:2001-01-01"),
        "chart": named("datasets.chart", 0, "1?group=industry&value=capital&agg=avg&filter=active:eq:true"),
        "download_csv": named("datasets.download", 0, "2?format=csv&bom=0"),
        "download_json": named("datasets.download", 0, "2?format=json"),
        "dcat": named("dcat.catalog", 0, "?modified_since=2026-01-01&limit=1"),
        "dcat_time": named("dcat.catalog", 0, "?modified_since=2026-03-01T08:00:00.123%2B08:00&cursor=MTc3MjQxNjgwMC4x"),
        "datasets": named("datasets.search", 0, "?q=市场&limit=1&update_frequency=monthly&format=csv"),
        "quality": named("datasets.quality", 0, "1"),
        "services": named("services.search", 0, "?q=营业执照&limit=2&cursor=Mw"),
        "cases": named("cases.list", SCJG_CLERK, "?state=submitted&limit=3"),
        "case": named("cases.get", CITIZEN, "1"),
        "exchange": named("exchange.rows", 8, "1?credit_code=91520102214567897B"),
        "exchange_row": named("exchange.row", 8, "1/91520102214567897B"),
        "exchange_granted": named("exchange.rows", 10, "2?credit_code=91520102214567897B"),
        "exchange_row_granted": named("exchange.row", 10, "2/91520102214567897B"),
        "exchange_filters": named("exchange.rows", 10, "2?credit_code=91520102214567897B&name=%E6%B5%8B&limit=2&cursor=MQ&lang=en"),
        "exchange_badname": named("exchange.rows", 10, "2?Credit-Code=x&a=" + "长" * 201),
        "exchange_too_many": named("exchange.rows", 10, "2?" + "&".join("f%d=%d" % (i, i) for i in range(12))),
        "license": named("licenses.get", CITIZEN, "1.2.156.3005.2.11520102MB1234567X001.11520102MB1234567X.0000001.001.X"),
        "static": named("static", 0, "js/app.js"),
        "static_dotdot": named("static", 0, "../../etc/passwd"),
        "static_enc": named("static", 0, "%2e%2e/%2e%2e/CMakeLists.txt"),
        "file": named("files.get", CITIZEN, "0000000000000000000000000000000000000000000000000000000000000000"),
        "eval": named("evaluation.ranking", 0, "?period=2026-Q1&level=province"),
        "eval_region": named("evaluation.region", 0, "520000?period=2026-01"),
        "calendar": named("calendar", 0, "?year=2026&region=520102"),
        "audit": named("audit.verify", ADMIN, ""),
        "fed_services": named("fed.services.get", CITIZEN, "440000/440100-XK-001"),
        "access": named("access_records.list", ADMIN, "?subject=520102199003071236&limit=1"),
        "lang": named("regions.list", 0, "?lang=en&parent=520000"),
    }
    for k, v in seeds.items():
        write(t, k, v)
    for i in range(80):
        for who in (0, ADMIN, CITIZEN):
            write(t, "pos%02d_%d" % (i, who), bytes([i, who]) + b"1?limit=1\n\n")


def simple():
    for name, data in {
        "get": b"\x00/api/v1/cases/12?limit=5&cursor=MTI",
        "post": b"\x01/api/v1/cases/12/accept",
        "static": b"\x00/js/app.js?v=1",
        "enc": b"\x00/api/v1/files/%00abc%2F..?q=%E4%B8%AD+x&q=2",
        "rest": b"\x00/a/b/c/%2e%2e/d",
        "method": b"\x05/api/v1/services/1",
        "id_big": b"\x00/api/v1/services/99999999999999999999",
        "exch": b"\x00/api/v1/exchange/1/rows/abc?limit=1000&x=y",
    }.items():
        write("router", name, data)
    for name, data in {
        "pdf": b"%PDF-1.7\n", "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF", "png": b"\x89PNG\r\n\x1a\n\x00",
        "ofd": b"PK\x03\x04" + b"\x00" * 22 + b"\x07\x00\x00\x00OFD.xml",
        "zip": b"PK\x03\x04" + b"\x00" * 40, "hash": b"a" * 64, "exe": b"MZ\x90\x00",
    }.items():
        write("upload", name, data)
    for name, data in {
        "reader": b"\x00\x00a,b,c\r\n1,\"x,\"\"y\"\"\",3\n\n\"multi\nline\",2,3\n\"bad\"x,1\n",
        "bom": b"\x00\x00\xef\xbb\xbfa,b\n1,2",
        "resource": "\x01\x03credit_code,name,address,status,established\n91520102214567897B,某公司,贵阳,存续,2020-01-01\n,,,,\n",
        "resource_rs": "\x01\x00id_number,name,insured\n520102199003071236,张伟,true\n",
        "indicators": b"\x02\x00region_code,period,indicator,value\n520000,2026,gdp,1.5\n520000,2026,gdp,x\n999999,2026-Q1,a,1\n",
        "required": "\x03\x00region_code,code,name\n520102,A-1,事项\n520102,A-1,重复\n",
        "quote": b"\x00\x00\"unterminated,1\n2,3",
    }.items():
        write("csv", name, data)
    for name, data in {
        "valid_form": b"1.2.156.3005.2.11520102MB1234567X001.11520102MB1234567X.0000001.001.X",
        "short": b"1.2.156.3005.2.",
        "idn": b"520102199003071236", "idn_x": b"11010519491231002x", "cc": b"91520102214567897B",
        "phone": "13800138000", "region": b"520102", "name": "欧阳娜娜".encode(),
    }.items():
        write("licid", name, data)
    for name, data in {
        "peer_signed": b"\x01\x00POST /api/v1/fed/inbox\n\n{\"type\":\"ping\"}",
        "self_signed": b"\x03\x00POST /api/v1/fed/cases\n\n{}",
        "stale": b"\x01\x7fPOST /api/v1/fed/inbox\n\n{}",
        "override_sig": b"\x01\x00GET /api/v1/fed/registry\nX-ZT-Signature: MEUCIQ\n\n",
        "raw": b"\x00\x00POST /api/v1/fed/inbox\nX-ZT-Sender: 440000\nX-ZT-Message-Id: 0123456789abcdef0123456789abcdef\nX-ZT-Timestamp: 1772416800\nX-ZT-Digest: " + b"0" * 64 + b"\nX-ZT-Key-Id: 0123456789abcdef\nX-ZT-Signature: MEUCIQabc\n\n{}",
    }.items():
        write("envelope", name, data)
    for name, data in {
        "b64": b"WzJd", "b64_pad": b"YQ==", "hex": b"0a1B", "cursor_id": b"MTI",
        "since_date": b"2026-03-01", "since_time": b"2026-03-01T08:00:00.123+08:00",
        "since_z": b"2026-03-01T00:00:00Z", "unix": b"1772416800",
        "json": "{\"a\":[1,{\"b\":\"]]]\\\"\"}]}", "utf8": "中文".encode(),
    }.items():
        write("codec", name, data)
    for name, data in {
        "rows": "\x00\x05id,industry,capital\n-capital\n\n\nindustry:eq:制造业",
        "rows_in": "\x00\x05\n\n街道\n\nstreet:in:新华路街道|花果园街道\nemployees:ge:5\nactive:ne:false",
        "rows_cursor": b"\x00\x01\nestablished\n\nWyJlc3RhYmxpc2hlZCIsIjIwMDAtMDItMDciLDFd",
        "rows_like": b"\x00\x02\n\n\n\nid:like:E0\nestablished:le:2001-12-31\ncapital:gt:-1e3",
        "chart": b"\x01\x00industry\ncapital\n\navg\nactive:eq:true",
        "chart_count": b"\x03\x00status\n\n\n\n",
        "ds2": b"\x02\x40\n\n\n\n",
    }.items():
        write("opendata", name, data)


def dictionary():
    names = set()
    for fn in sorted(os.listdir(os.path.join(ROOT, "src/api"))):
        if not fn.endswith(".c"):
            continue
        src = open(os.path.join(ROOT, "src/api", fn), encoding="utf-8").read()
        for m in re.finditer(r"static const char \*const \w+\[\] = \{(.*?)\};", src, re.S):
            names.update(re.findall(r'"([^"\\]+)"', m.group(1)))
        names.update(re.findall(r'q_(?:int|str|enum)\(r, "([^"]+)"', src))
        names.update(re.findall(r'req_query(?:_all)?\(r, "([^"]+)"', src))
    with open(os.path.join(ROOT, "tests/fuzz/api.dict"), "w") as f:
        f.write("# JSON member names, enum values and query keys of src/api/*.c (seeds.py)\n")
        for n in sorted(names):
            f.write('"%s"\n' % n)
            f.write('"\\"%s\\":"\n' % n)
            f.write('"%s="\n' % n)
        for op in ("eq", "ne", "lt", "le", "gt", "ge", "in", "like"):
            f.write('":%s:"\n' % op)


if __name__ == "__main__":
    for t in ("api_body", "api_get"):
        shutil.rmtree(os.path.join(CORPUS, t), ignore_errors=True)
    api_body()
    api_get()
    simple()
    dictionary()
