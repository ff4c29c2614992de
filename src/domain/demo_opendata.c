/* demo_opendata.c - open datasets of the demo district (数据开放), and a
 * statistics resource of any size for the open data benchmark.
 *
 * The statistics rows are made by the database itself (one INSERT from a
 * row generator), deterministic in the row number, so a 1,000,000-row
 * dataset takes seconds, not a million API calls. */
#include "domain/demo_opendata.h"
#include "domain/demo.h"
#include "domain/opendata.h"
#include "domain/principal.h"
#include "domain/resource.h"
#include "base/clock.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

#define FIELD(n, l, t, s)                                                                          \
	{                                                                                          \
		.name = (n), .label = (l), .type = (t), .sens = (s), .mask = -1                    \
	}

static const char streets[] =
    "[\"中华南路街道\",\"遵义路街道\",\"兴关路街道\",\"新华路街道\",\"西湖路街道\","
    "\"河滨街道\",\"花果园街道\",\"太慈桥街道\",\"湘雅街道\",\"油榨街道\"]";
static const char industries[] =
    "[\"批发和零售业\",\"住宿和餐饮业\",\"制造业\",\"建筑业\",\"信息技术服务业\","
    "\"租赁和商务服务业\",\"交通运输业\",\"居民服务业\",\"文化体育和娱乐业\",\"房地产业\","
    "\"教育\",\"科学研究和技术服务业\"]";

struct fill_job {
	int64_t resource_id, rows;
};

static int
tx_fill(db_conn *c, void *arg, struct zt_err *err)
{
	struct fill_job *j = arg;
	/* Keys in canonical order; i is the row number. */
	db_stmt *s = db_prepare(
	    c,
	    db_kind() == DB_PG
		? "INSERT INTO resource_rows (resource_id, key, subject, data, updated_at, seq)"
		  " SELECT ?1, 'E' || lpad(i::text, 8, '0'), NULL, json_build_object("
		  "'active', i % 10 <> 0,"
		  " 'capital', round(((i * 7919) % 100000) / 10.0, 1),"
		  " 'employees', (i * 31) % 500,"
		  " 'established', to_char(date '2000-01-01' + ((i * 37) % 9000)::int, "
		  "'YYYY-MM-DD'),"
		  " 'id', 'E' || lpad(i::text, 8, '0'),"
		  " 'industry', ?4::jsonb ->> ((i * 7) % 12)::int,"
		  " 'legal_rep', '经营者' || (i % 1000),"
		  " 'street', ?3::jsonb ->> ((i * 13) % 10)::int)::text, ?5, i"
		  " FROM generate_series(1::bigint, ?2::bigint) AS i"
		: "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)"
		  " INSERT INTO resource_rows (resource_id, key, subject, data, updated_at, seq)"
		  " SELECT ?1, printf('E%08d', i), NULL, json_object("
		  "'active', json(CASE WHEN i % 10 <> 0 THEN 'true' ELSE 'false' END),"
		  " 'capital', round(((i * 7919) % 100000) / 10.0, 1),"
		  " 'employees', (i * 31) % 500,"
		  " 'established', date('2000-01-01', '+' || ((i * 37) % 9000) || ' days'),"
		  " 'id', printf('E%08d', i),"
		  " 'industry', json_extract(?4, '$[' || ((i * 7) % 12) || ']'),"
		  " 'legal_rep', '经营者' || (i % 1000),"
		  " 'street', json_extract(?3, '$[' || ((i * 13) % 10) || ']')), ?5, i"
		  " FROM n",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->resource_id);
	db_bind_int(s, 2, j->rows);
	db_bind_text(s, 3, streets);
	db_bind_text(s, 4, industries);
	db_bind_int(s, 5, clock_now());
	int rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	s = db_prepare(c, "UPDATE data_resources SET row_seq = ?2 WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, j->resource_id);
	db_bind_int(s, 2, j->rows);
	rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

int
demo_opendata_stats(const char *code, int64_t rows, int64_t *dataset_id, struct zt_err *err)
{
	struct principal by;
	struct resource_in in;
	int64_t rid, version;
	char dcode[64], title[160];
	int rc;

	if ((rc = demo_login_as("scjg.data", &by, err)) < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.code = code;
	in.name = "市场主体分行业统计";
	in.summary =
	    "南明区各街道市场主体的行业、成立日期、注册资本、从业人数和存续状态（不含经营者"
	    "姓名），按月更新。";
	const struct resource_field_in fields[] = {
	    FIELD("id", "主体编号", FT_STRING, SENS_PUBLIC),
	    FIELD("street", "所在街道", FT_STRING, SENS_PUBLIC),
	    FIELD("industry", "行业门类", FT_STRING, SENS_PUBLIC),
	    FIELD("established", "成立日期", FT_DATE, SENS_PUBLIC),
	    FIELD("capital", "注册资本", FT_NUMBER, SENS_PUBLIC),
	    FIELD("employees", "从业人数", FT_INTEGER, SENS_PUBLIC),
	    FIELD("active", "是否存续", FT_BOOLEAN, SENS_PUBLIC),
	    FIELD("legal_rep", "经营者姓名", FT_STRING, SENS_PERSONAL),
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		in.fields[in.nfields++] = fields[i];
	in.key_field = "id";
	in.subject_field = NULL;
	in.share_type = "unconditional";
	in.share_conditions = "";
	in.legal_basis = "《政府信息公开条例》第二十条；《企业信息公示暂行条例》。";
	in.share_method = "both";
	in.open_type = "open";
	in.update_cycle = "monthly";
	if ((rc = resource_create(&by, &in, &rid, err)) < 0)
		return rc;
	struct fill_job fj = {rid, rows};
	if ((rc = db_write(tx_fill, &fj, err)) < 0)
		return rc;

	struct opendata_in od;
	memset(&od, 0, sizeof(od));
	snprintf(dcode, sizeof(dcode), "OD-%s", code);
	snprintf(title, sizeof(title), "南明区市场主体分行业统计");
	od.resource = code;
	od.code = dcode;
	od.title = title;
	od.description = "南明区登记在册的市场主体按所在街道、行业门类、成立日期、注册资本（万元）"
			 "和从业人数的明细统计，不含经营者等个人信息，可用于营商环境和产业分析。";
	od.theme = "市场监管";
	od.license = "CC-BY-4.0";
	od.update_frequency = "monthly";
	od.temporal_from = "2000-01-01";
	od.temporal_to = "2026-10-31";
	od.contact = "南明区市场监督管理局 数据专员 0851-85800000";
	json_t *kw = json_pack("[s, s, s]", "市场主体", "行业", "营商环境");
	json_t *sp = json_pack("[s]", "520102");
	od.keywords = kw;
	od.spatial = sp;
	static const struct {
		const char *name, *unit;
	} pub[] = {{"id", NULL},	  {"street", NULL},    {"industry", NULL},
		   {"established", NULL}, {"capital", "万元"}, {"employees", "人"},
		   {"active", NULL}};
	for (size_t i = 0; i < sizeof(pub) / sizeof(pub[0]); i++) {
		od.fields[i].name = pub[i].name;
		od.fields[i].unit = pub[i].unit;
	}
	od.nfields = (int)(sizeof(pub) / sizeof(pub[0]));
	rc = opendata_publish(&by, &od, dataset_id, &version, err);
	json_decref(kw);
	json_decref(sp);
	return rc;
}

int
demo_opendata(struct zt_err *err)
{
	struct principal by;
	struct opendata_in od;
	int64_t id, version;
	int rc;

	if ((rc = demo_opendata_stats("520102-SCJG-002", 2000, &id, err)) < 0)
		return rc;
	if ((rc = demo_login_as("scjg.data", &by, err)) < 0)
		return rc;
	memset(&od, 0, sizeof(od));
	od.resource = "520102-SCJG-001";
	od.code = "OD-520102-SCJG-001";
	od.title = "南明区市场主体登记信息";
	od.description = "南明区登记的企业、个体工商户等市场主体的统一社会信用代码、名称、住所、"
			 "登记状态和成立日期（不含法定代表人姓名）。";
	od.theme = "市场监管";
	od.license = "CC-BY-4.0";
	od.update_frequency = "realtime";
	od.contact = "南明区市场监督管理局 数据专员 0851-85800000";
	json_t *kw = json_pack("[s, s]", "市场主体", "企业登记");
	json_t *sp = json_pack("[s]", "520102");
	od.keywords = kw;
	od.spatial = sp;
	const char *names[] = {"credit_code", "name", "address", "status", "established"};
	for (int i = 0; i < 5; i++)
		od.fields[i].name = names[i];
	od.nfields = 5;
	rc = opendata_publish(&by, &od, &id, &version, err);
	json_decref(kw);
	json_decref(sp);
	return rc;
}
