/* demo_share.c - the demo node's data sharing and e-license data: a license
 * type, four data resources of three departments with rows, grants and
 * requests in each state, and the exchange reads that citizens then find in
 * their "who used my data" list. Called by demo_create (demo.c). */
#include "domain/demo.h"
#include "base/clock.h"
#include "base/xmalloc.h"
#include "db/db.h"
#include "domain/license.h"
#include "domain/principal.h"
#include "domain/resource.h"
#include "domain/share.h"

#include <stdio.h>
#include <string.h>

#define FIELD(n, l, t, s)                                                                          \
	{                                                                                          \
		.name = (n), .label = (l), .type = (t), .sens = (s), .mask = -1                    \
	}

struct demo_resource {
	const char *officer, *code, *name, *summary;
	const char *share_type, *conditions, *basis, *method, *open_type, *cycle;
	const char *key_field, *subject_field;
	struct resource_field_in fields[8];
};

static const struct demo_resource resources[] = {
    {"rs.data",
     DEMO_RS_RESOURCE,
     "社会保险参保信息",
     "南明区参加企业职工基本养老保险、失业保险人员的参保状态、参保单位和起始年月，每日更新。",
     "unconditional",
     "",
     "《社会保险法》第七十五条；《政务信息资源共享管理暂行办法》第五条。",
     "api",
     "closed",
     "daily",
     "id_number",
     "id_number",
     {FIELD("id_number", "公民身份号码", FT_STRING, SENS_PERSONAL),
      FIELD("name", "姓名", FT_STRING, SENS_PERSONAL),
      FIELD("phone", "联系电话", FT_STRING, SENS_SENSITIVE),
      FIELD("insured", "参保状态", FT_STRING, SENS_PUBLIC),
      FIELD("employer", "参保单位", FT_STRING, SENS_INTERNAL),
      FIELD("since", "参保起始年月", FT_STRING, SENS_INTERNAL)}},
    {"mz.data",
     "520102-MZ-001",
     "婚姻登记信息",
     "南明区办理的结婚、离婚登记记录：当事人、婚姻状况与登记日期。",
     "conditional",
     "仅限办理涉及婚姻状况的政务服务事项时核验，不得留存、转作他用或向第三方提供。",
     "《婚姻登记条例》第二条；《政务信息资源共享管理暂行办法》第九条。",
     "api",
     "closed",
     "realtime",
     "id_number",
     "id_number",
     {FIELD("id_number", "公民身份号码", FT_STRING, SENS_PERSONAL),
      FIELD("name", "姓名", FT_STRING, SENS_PERSONAL),
      FIELD("status", "婚姻状况", FT_STRING, SENS_PUBLIC),
      FIELD("registered_on", "登记日期", FT_DATE, SENS_INTERNAL),
      FIELD("spouse_name", "配偶姓名", FT_STRING, SENS_PERSONAL)}},
    {"mz.data",
     "520102-MZ-002",
     "最低生活保障对象信息",
     "南明区城乡最低生活保障对象及其保障金额。",
     "none",
     "",
     "《社会救助暂行办法》第六十六条：对在社会救助工作中知悉的公民个人信息应当予以保密。",
     "file",
     "closed",
     "monthly",
     "id_number",
     "id_number",
     {FIELD("id_number", "公民身份号码", FT_STRING, SENS_PERSONAL),
      FIELD("name", "姓名", FT_STRING, SENS_PERSONAL),
      FIELD("amount", "月保障金额（元）", FT_NUMBER, SENS_SENSITIVE),
      FIELD("since", "纳入保障年月", FT_STRING, SENS_INTERNAL)}},
    {"scjg.data",
     "520102-SCJG-001",
     "市场主体登记信息",
     "南明区登记的企业、个体工商户等市场主体的名称、经营者、住所和登记状态。",
     "unconditional",
     "",
     "《中华人民共和国市场主体登记管理条例》第三十五条。",
     "both",
     "open",
     "realtime",
     "credit_code",
     "credit_code",
     {FIELD("credit_code", "统一社会信用代码", FT_STRING, SENS_PUBLIC),
      FIELD("name", "名称", FT_STRING, SENS_PUBLIC),
      FIELD("legal_rep", "法定代表人（经营者）", FT_STRING, SENS_PERSONAL),
      FIELD("address", "住所（经营场所）", FT_STRING, SENS_PUBLIC),
      FIELD("status", "登记状态", FT_STRING, SENS_PUBLIC),
      FIELD("established", "成立日期", FT_DATE, SENS_PUBLIC)}},
};

static int
create_resources(const struct demo_people *pp, struct zt_err *err)
{
	for (size_t i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
		const struct demo_resource *d = &resources[i];
		struct resource_in in;
		struct principal by;
		int64_t id;
		int rc;

		if ((rc = demo_login_as(d->officer, &by, err)) < 0)
			return rc;
		memset(&in, 0, sizeof(in));
		in.code = d->code;
		in.name = d->name;
		in.summary = d->summary;
		for (int k = 0; k < 8 && d->fields[k].name; k++)
			in.fields[in.nfields++] = d->fields[k];
		in.key_field = d->key_field;
		in.subject_field = d->subject_field;
		in.share_type = d->share_type;
		in.share_conditions = d->conditions;
		in.legal_basis = d->basis;
		in.share_method = d->method;
		in.open_type = d->open_type;
		in.update_cycle = d->cycle;
		if ((rc = resource_create(&by, &in, &id, err)) < 0)
			return rc;

		json_t *rows = json_array();
		switch (i) {
		case 0:
			json_array_append_new(
			    rows,
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id_number", pp->idn,
				      "name", "张伟", "phone", "13800005678", "insured", "参保缴费",
				      "employer", "贵州黔行科技有限公司", "since", "2016-07"));
			json_array_append_new(
			    rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "id_number", pp->idn2,
					    "name", "李秀英", "phone", "13900001234", "insured",
					    "暂停缴费", "employer", "贵阳市南明区某商贸有限公司",
					    "since", "2012-03"));
			break;
		case 1:
			json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s, s:s}",
							      "id_number", pp->idn, "name", "张伟",
							      "status", "已婚", "registered_on",
							      "2019-10-08", "spouse_name", "王丽"));
			json_array_append_new(rows,
					      json_pack("{s:s, s:s, s:s}", "id_number", pp->idn2,
							"name", "李秀英", "status", "未婚"));
			break;
		case 2:
			json_array_append_new(rows, json_pack("{s:s, s:s, s:f, s:s}", "id_number",
							      pp->idn2, "name", "李秀英", "amount",
							      690.0, "since", "2025-11"));
			break;
		case 3:
			json_array_append_new(
			    rows, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "credit_code", pp->cc,
					    "name", "贵州黔行科技有限公司", "legal_rep", "张伟",
					    "address", "贵阳市南明区花果园大街 8 号", "status",
					    "存续", "established", "2018-05-16"));
			break;
		}
		int64_t ins, upd;
		rc = resource_upsert(&by, id, rows, &ins, &upd, err);
		json_decref(rows);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A request by a consumer's data officer; returns the grant id (0 when
 * none was made). */
static int
request(const char *officer, const char *resource, const char *const *fields, const char *purpose,
	const char *basis, int64_t *grant, struct zt_err *err)
{
	struct share_request_in in;
	struct principal by;
	json_t *out = NULL;
	int rc;

	*grant = 0;
	if ((rc = demo_login_as(officer, &by, err)) < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.resource = resource;
	in.fields = json_array();
	for (int i = 0; fields[i]; i++)
		json_array_append_new(in.fields, json_string(fields[i]));
	in.purpose = purpose;
	in.legal_basis = basis;
	in.valid_to = "2027-12-31";
	in.rate_limit = 600;
	rc = share_request(&by, &in, &out, err);
	json_decref(in.fields);
	if (rc >= 0) {
		json_t *g = json_object_get(out, "grant_id");
		if (json_is_integer(g))
			*grant = json_integer_value(g);
		rc = (int)json_integer_value(json_object_get(out, "id"));
	}
	json_decref(out);
	return rc;
}

static int
create_grants(const struct demo_people *pp, struct zt_err *err)
{
	static const char *const rs_fields[] = {"id_number", "name",  "insured",
						"employer",  "since", NULL};
	static const char *const mz_fields[] = {"id_number", "name", "status", "registered_on",
						NULL};
	static const char *const low_fields[] = {"id_number", "amount", NULL};
	static const char *const market_fields[] = {"credit_code", "name", "legal_rep", "status",
						    NULL};
	int64_t grant, g2;
	int rc;

	/* 民政局 checks insurance status when it decides on 最低生活保障 (granted at
	 * once: unconditional); 市场监管局 reads it too. */
	if ((rc = request("mz.data", DEMO_RS_RESOURCE, rs_fields,
			  "最低生活保障审核确认：核对申请人参保缴费状态",
			  "《社会救助暂行办法》第十一条；《最低生活保障审核确认办法》第二十条",
			  &grant, err)) < 0)
		return rc;
	/* 人社局 asks for marriage records (conditional: waits for 民政局). */
	if ((rc = request("rs.data", "520102-MZ-001", mz_fields,
			  "失业保险金申领：核验遗属待遇相关婚姻状况", "《失业保险条例》第二十条",
			  &g2, err)) < 0)
		return rc;
	/* 市场监管局 asks for 低保 data: never shared (refused at once). */
	if ((rc = request("scjg.data", "520102-MZ-002", low_fields, "个体工商户减免登记费用核对",
			  "《促进个体工商户发展条例》第二十一条", &g2, err)) < 0)
		return rc;
	/* 人社局 reads market entities (unconditional). */
	if ((rc = request("rs.data", "520102-SCJG-001", market_fields,
			  "就业创业补贴审核：核对市场主体登记状态", "《就业促进法》第十七条", &g2,
			  err)) < 0)
		return rc;

	/* One read by a 民政局 official, so 张伟's "who used my data" is not
	 * empty, and one by 人社局 of the enterprise's registration. */
	struct principal clerk;
	json_t *out = NULL;
	int retry;
	if ((rc = demo_login_as("mz.clerk", &clerk, err)) < 0)
		return rc;
	rc = share_exchange_key(db_cli_conn(), &clerk, grant, pp->idn, &out, &retry, err);
	json_decref(out);
	if (rc < 0)
		return rc;
	if (g2 > 0) {
		struct principal rs;
		if ((rc = demo_login_as("rs.reviewer", &rs, err)) < 0)
			return rc;
		out = NULL;
		rc = share_exchange_key(db_cli_conn(), &rs, g2, pp->cc, &out, &retry, err);
		json_decref(out);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
demo_sharing(const struct demo_people *pp, char license_type[32], struct zt_err *err)
{
	struct principal admin;
	struct license_type_in lt;
	char code[LICID_TYPE_LEN + 1];
	int rc;

	if ((rc = demo_login_as("scjg.admin", &admin, err)) < 0)
		return rc;
	memset(&lt, 0, sizeof(lt));
	lt.name = "营业执照（个体工商户）";
	lt.name_en = "Business licence (individual business)";
	lt.fields = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "name", "字号名称", "label",
			      "字号名称", "name", "经营场所", "label", "经营场所", "name",
			      "经营范围", "label", "经营范围");
	lt.valid_years = 0;
	rc = license_type_create(&admin, &lt, code, err);
	json_decref(lt.fields);
	if (rc < 0)
		return rc;
	snprintf(license_type, 32, "%s", code);
	if ((rc = create_resources(pp, err)) < 0 || (rc = create_grants(pp, err)) < 0)
		return rc;
	return 0;
}
