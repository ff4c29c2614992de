/* demo_province.c - `zhengtong demo province`: the small demo of one
 * province or city node (see demo_province.h), made like demo.c's through
 * org_add_department, auth_add_official, auth_register, service_create,
 * service_set_status, resource_create and resource_upsert. */
#include "domain/demo_province.h"
#include "domain/auth.h"
#include "domain/demo.h"
#include "domain/org.h"
#include "domain/principal.h"
#include "domain/resource.h"
#include "domain/service.h"
#include "base/clock.h"
#include "base/ident.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

enum { D_ZW, D_RS, D_GA, D_SCJG };

/* Names are "<region name><zh>", plus 厅 (province) or 局 (city, county)
 * when leveled; English "<CODE> <en>". org is the last character of the
 * department's organisation code (the rest is "P" and the region code).
 * In the order of enum D_*: zw, rs, ga, scjg. */
static const struct pdept {
	const char *zh, *en;
	int leveled, oversight;
	char org;
} pdepts[DEMO_PROVINCE_NDEPTS] = {
    {"政务服务管理办公室", "Government Services Office", 0, 1, '1'},
    {"人力资源和社会保障", "Human Resources and Social Security", 1, 0, '2'},
    {"公安", "Public Security", 1, 0, '3'},
    {"市场监督管理局", "Market Regulation", 0, 0, '4'},
};

/* Logins are "<prefix>.<suffix>". */
static const struct pofficial {
	const char *suffix, *name;
	int dept;
	unsigned roles;
} pofficials[] = {
    {"admin", "系统管理员 郑海", D_ZW, ROLE_SYSADMIN},
    {"supervisor", "督查专员 许静", D_ZW, ROLE_SUPERVISOR},
    {"rs.clerk", "受理员 罗丹", D_RS, ROLE_CLERK},
    {"rs.reviewer", "审批员 梁伟", D_RS, ROLE_REVIEWER},
    {"rs.admin", "事项管理员 谢婷", D_RS, ROLE_DEPT_ADMIN},
    {"rs.data", "数据专员 宋磊", D_RS, ROLE_DATA_OFFICER},
    {"ga.clerk", "受理审批员 唐敏", D_GA, ROLE_CLERK | ROLE_REVIEWER},
    {"ga.admin", "事项管理员 韩冰", D_GA, ROLE_DEPT_ADMIN},
    {"ga.data", "数据专员 曹阳", D_GA, ROLE_DATA_OFFICER},
    {"scjg.clerk", "受理审批员 邓超", D_SCJG, ROLE_CLERK | ROLE_REVIEWER},
    {"scjg.admin", "事项管理员 彭丽", D_SCJG, ROLE_DEPT_ADMIN},
};
#define NOFFICIALS (sizeof(pofficials) / sizeof(pofficials[0]))

#define WEB_ALL	   (CH_WEB | CH_MOBILE | CH_WINDOW | CH_SELF_SERVICE)
#define CROSS_ALL  (CROSS_FULL_ONLINE | CROSS_PROXY | CROSS_MULTI_SITE)
#define ITEM_DEPTH 5 /* cross_modes full_online needs depth >= 5 */

#define M(n, f, nt)                                                                                \
	{                                                                                          \
		.name = (n), .form = (f), .count = 1, .required = 1, .note = (nt)                  \
	}

/* Codes are "<CODE>-<code>". */
static const struct pitem {
	int dept;
	const char *code, *name, *type, *target;
	int legal, promised;
	unsigned cross;
	const char *conditions, *basis;
	const char *steps[5];
	struct material_in materials[2];
} pitems[] = {
    {D_RS,
     "RS-GF-101",
     "城镇职工基本养老保险关系转移接续",
     "GF",
     "citizen",
     15,
     10,
     CROSS_ALL,
     "参加城镇职工基本养老保险、跨统筹地区流动就业并在新就业地参保缴费的人员。",
     "《中华人民共和国社会保险法》第十九条；《城镇企业职工基本养老保险关系转移接续暂行办法》。",
     {"网上申请", "受理", "转出地审核并转移基金", "转入地接续", "办结告知"},
     {M("身份证", "electronic", "可用电子身份证照"),
      M("参保缴费凭证", "electronic", "转出地社会保险经办机构出具")}},
    {D_GA,
     "GA-XK-101",
     "户口迁入登记",
     "XK",
     "citizen",
     10,
     5,
     CROSS_ALL,
     "符合本地户口迁入政策（投靠亲属、就业、购房、升学等）的人员。",
     "《中华人民共和国户口登记条例》第十条、第十三条。",
     {"网上申请", "受理", "审核", "签发准予迁入证明", "落户"},
     {M("居民户口簿", "original", "迁入地户口簿"), M("身份证", "original", "")}},
    {D_SCJG,
     "SCJG-XK-101",
     "食品经营许可",
     "XK",
     "both",
     20,
     10,
     CROSS_FULL_ONLINE | CROSS_PROXY,
     "已取得营业执照的市场主体；有与经营的食品品种、数量相适应的场所和设备。",
     "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》。",
     {"网上申请", "受理", "现场核查", "审查决定", "发证"},
     {M("营业执照", "electronic", "已领取电子营业执照的免提交纸质件"),
      M("经营场所证明", "copy", "房屋租赁合同或产权证明")}},
};
#define NITEMS (sizeof(pitems) / sizeof(pitems[0]))

#define RESOURCE_SUFFIX "GA-HJ-001"

/* The household register's rows. The first is the demo citizen. */
static const struct pperson {
	const char *name, *birth, *seq, *street, *registered;
} people[DEMO_PROVINCE_NROWS] = {
    {"陈志强", "19900307", "123", "人民路 18 号", "2012-09-03"},
    {"刘芳", "19850614", "042", "中山路 56 号 2 栋 302 室", "2009-05-18"},
    {"黄俊杰", "19781125", "051", "解放路 9 号", "1995-03-27"},
    {"林小燕", "19960218", "064", "建设路 120 号 5 单元 601 室", "2018-11-02"},
    {"吴建国", "19620930", "017", "文化路 33 号", "1980-07-15"},
    {"郭丽娟", "20010412", "028", "新华路 7 号 1 栋 1102 室", "2001-05-08"},
};

struct plan {
	const char *region, *prefix;
	struct demo_province *out;
	char logins[NOFFICIALS][48];
	char credit[DEMO_PROVINCE_NDEPTS][19];
	char items[NITEMS][32];
	char phone[12];
	int nchildren;
	char child[3][7];
	char child_name[3][128];
	int64_t dept_ids[DEMO_PROVINCE_NDEPTS];
};

static void
credit_code(const char *prefix2, const char *region, const char *org8, char out[19])
{
	char first17[18];

	snprintf(first17, sizeof(first17), "%s%s%s%c", prefix2, region, org8,
		 ident_org_check_char(org8));
	snprintf(out, 19, "%s%c", first17, ident_credit_check_char(first17));
}

static void
id_number(const char *region, const char *birth, const char *seq, char out[19])
{
	char first17[18];

	snprintf(first17, sizeof(first17), "%s%s%s", region, birth, seq);
	snprintf(out, 19, "%s%c", first17, ident_id_check_char(first17));
}

int
demo_province_check_prefix(const char *prefix, struct zt_err *err)
{
	size_t n = prefix ? strlen(prefix) : 0;

	if (n < 1 || n > DEMO_PROVINCE_PREFIX_MAX || prefix[0] < 'a' || prefix[0] > 'z' ||
	    strspn(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
		return err_set(err, ZT_EINVAL, "--prefix", "format",
			       "--prefix: 1 to %d lower-case letters, digits, '_' or '-', "
			       "starting with a letter",
			       DEMO_PROVINCE_PREFIX_MAX);
	for (size_t i = 0; i < NOFFICIALS; i++)
		if (n + 1 + strlen(pofficials[i].suffix) == IDENT_ID_LEN)
			return err_set(err, ZT_EINVAL, "--prefix", "format",
				       "--prefix: the login %s.%s would be 18 characters long "
				       "(reserved for ID numbers)",
				       prefix, pofficials[i].suffix);
	return 0;
}

/* 1 if sql (selecting by ?1) finds a row, 0 if not, negative on error. */
static int
exists(db_conn *c, const char *sql, const char *key, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, sql, err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

/* The region's name and its first three child regions. */
static int
load_region(db_conn *c, struct plan *p, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT name FROM regions WHERE code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, p->region);
	int rc = db_step(s, err);
	if (rc == DB_ROW)
		snprintf(p->out->region_name, sizeof(p->out->region_name), "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc != DB_ROW)
		return err_set(err, ZT_ENOTFOUND, "--region", "unknown",
			       "--region: %s is not a region of this node (regions table)",
			       p->region);
	s = db_prepare(c, "SELECT code, name FROM regions WHERE parent = ?1 ORDER BY code LIMIT 3",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, p->region);
	while ((rc = db_step(s, err)) == DB_ROW && p->nchildren < 3) {
		snprintf(p->child[p->nchildren], sizeof(p->child[0]), "%s", db_col_text(s, 0));
		snprintf(p->child_name[p->nchildren], sizeof(p->child_name[0]), "%s",
			 db_col_text(s, 1));
		p->nchildren++;
	}
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Works out every name and code, and refuses (before any write) when one
 * of them is taken. */
static int
plan_make(struct plan *p, struct zt_err *err)
{
	struct demo_province *o = p->out;
	db_conn *c = db_cli_conn();
	int rc;

	/* Not 000000 either: the ID numbers and credit codes carry the code. */
	if (ident_check_region_code(p->region, err) < 0)
		return err_set(err, ZT_ENOTFOUND, "--region", "unknown",
			       "--region: %s is not a GB/T 2260 region code", p->region);
	if ((rc = load_region(c, p, err)) < 0)
		return rc;
	snprintf(o->region, sizeof(o->region), "%s", p->region);
	snprintf(o->prefix, sizeof(o->prefix), "%s", p->prefix);
	int province = strcmp(p->region + 2, "0000") == 0;
	for (int i = 0; i < DEMO_PROVINCE_NDEPTS; i++) {
		char org8[9];
		snprintf(o->dept_names[i], sizeof(o->dept_names[i]), "%s%s%s", o->region_name,
			 pdepts[i].zh,
			 !pdepts[i].leveled ? ""
			 : province	    ? "厅"
					    : "局");
		snprintf(org8, sizeof(org8), "P%s%c", p->region, pdepts[i].org);
		credit_code("11", p->region, org8, p->credit[i]);
	}
	for (size_t i = 0; i < NOFFICIALS; i++)
		snprintf(p->logins[i], sizeof(p->logins[i]), "%s.%s", p->prefix,
			 pofficials[i].suffix);
	for (size_t i = 0; i < NITEMS; i++)
		snprintf(p->items[i], sizeof(p->items[i]), "%s-%s", p->region, pitems[i].code);
	snprintf(o->resource, sizeof(o->resource), "%s-%s", p->region, RESOURCE_SUFFIX);
	id_number(p->region, people[0].birth, people[0].seq, o->citizen_id);
	snprintf(p->phone, sizeof(p->phone), "139%s88", p->region);

	static const char user_sql[] = "SELECT 1 FROM users WHERE login = ?1";
	if ((rc = exists(c, user_sql, p->logins[0], err)) != 0)
		return rc < 0 ? rc
			      : err_set(err, ZT_ECONFLICT, "--prefix", "present",
					"prefix %s already present", p->prefix);
	for (size_t i = 1; i < NOFFICIALS; i++)
		if ((rc = exists(c, user_sql, p->logins[i], err)) != 0)
			return rc < 0 ? rc
				      : err_set(err, ZT_ECONFLICT, "--prefix", "taken",
						"--prefix: the login %s exists", p->logins[i]);
	char citizen_key[AUTH_LOGIN_KEY_MAX];
	auth_login_key(o->citizen_id, citizen_key);
	if ((rc = exists(c, user_sql, citizen_key, err)) != 0)
		return rc < 0 ? rc
			      : err_set(err, ZT_ECONFLICT, "--region", "taken",
					"--region: the demo citizen %s of %s exists", o->citizen_id,
					p->region);
	for (int i = 0; i < DEMO_PROVINCE_NDEPTS; i++)
		if ((rc = exists(c, "SELECT 1 FROM departments WHERE credit_code = ?1",
				 p->credit[i], err)) != 0)
			return rc < 0 ? rc
				      : err_set(err, ZT_ECONFLICT, "--region", "taken",
						"--region: the department %s (%s) exists",
						o->dept_names[i], p->credit[i]);
	for (size_t i = 0; i < NITEMS; i++)
		if ((rc = exists(c, "SELECT 1 FROM service_items WHERE code = ?1", p->items[i],
				 err)) != 0)
			return rc < 0
				   ? rc
				   : err_set(err, ZT_ECONFLICT, "--region", "taken",
					     "--region: the service item %s exists", p->items[i]);
	if ((rc = exists(c, "SELECT 1 FROM data_resources WHERE code = ?1", o->resource, err)) != 0)
		return rc < 0 ? rc
			      : err_set(err, ZT_ECONFLICT, "--region", "taken",
					"--region: the data resource %s exists", o->resource);
	return 0;
}

static int
create_accounts(struct plan *p, struct zt_err *err)
{
	int rc;

	for (int i = 0; i < DEMO_PROVINCE_NDEPTS; i++) {
		struct dept_in in;
		char en[64];
		memset(&in, 0, sizeof(in));
		snprintf(en, sizeof(en), "%s %s", p->region, pdepts[i].en);
		in.credit_code = p->credit[i];
		in.name = p->out->dept_names[i];
		in.name_en = en;
		in.region_code = p->region;
		in.oversight = pdepts[i].oversight;
		if ((rc = org_add_department(NULL, &in, &p->dept_ids[i], err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < NOFFICIALS; i++) {
		struct official_in in = {p->logins[i],
					 pofficials[i].name,
					 NULL,
					 DEMO_PASSWORD,
					 p->dept_ids[pofficials[i].dept],
					 pofficials[i].roles};
		int64_t id;
		if ((rc = auth_add_official(NULL, &in, &id, err)) < 0)
			return rc;
	}
	struct register_in c = {KIND_CITIZEN, people[0].name, p->out->citizen_id,
				NULL,	      p->phone,	      DEMO_PASSWORD};
	int64_t uid;
	return auth_register(&c, &uid, err);
}

static int
create_items(struct plan *p, struct zt_err *err)
{
	const char *name = p->out->region_name;
	char place[256], consult[256], complaint[256];

	snprintf(place, sizeof(place), "%s政务服务中心一楼综合窗口", name);
	snprintf(consult, sizeof(consult), "12345 政务服务便民热线（工作日）；%s政务服务网在线咨询",
		 name);
	snprintf(complaint, sizeof(complaint), "12345 政务服务便民热线；%s",
		 p->out->dept_names[D_ZW]);
	for (size_t i = 0; i < NITEMS; i++) {
		const struct pitem *d = &pitems[i];
		struct service_in in;
		int64_t id;
		int rc;
		memset(&in, 0, sizeof(in));
		in.code = p->items[i];
		in.name = d->name;
		in.type = d->type;
		in.target = d->target;
		in.dept_id = p->dept_ids[d->dept];
		in.legal_days = d->legal;
		in.promised_days = d->promised;
		in.depth = ITEM_DEPTH;
		in.max_visits = 0;
		in.fee = "不收费";
		in.conditions = d->conditions;
		in.legal_basis = d->basis;
		in.place = place;
		in.office_hours = "工作日 9:00-12:00，13:30-17:00";
		in.consult = consult;
		in.complaint = complaint;
		in.channels = WEB_ALL;
		in.cross_modes = d->cross;
		in.process = json_array();
		for (int k = 0; k < 5 && d->steps[k]; k++)
			json_array_append_new(in.process, json_string(d->steps[k]));
		for (int k = 0; k < 2; k++)
			in.materials[in.nmaterials++] = d->materials[k];
		rc = service_create(NULL, &in, &id, err);
		json_decref(in.process);
		if (rc < 0)
			return rc;
		if ((rc = service_set_status(NULL, id, "published", err)) < 0)
			return rc;
	}
	return 0;
}

/* The household register of 公安 and its rows: the citizen, registered in
 * the region itself (as the region code leading the ID number says), then
 * 2, 2 and 1 people in the first three child regions (the region itself
 * stands in for missing ones). */
static int
create_resource(struct plan *p, struct zt_err *err)
{
	struct demo_province *o = p->out;
	struct resource_in in;
	struct principal by;
	char login[48], summary[512];
	int64_t id, ins, upd;
	int rc;

	snprintf(login, sizeof(login), "%s.ga.data", p->prefix);
	if ((rc = demo_login_as(login, &by, err)) < 0)
		return rc;
	snprintf(
	    summary, sizeof(summary),
	    "%s户籍人口的公民身份号码、姓名、户籍地行政区划、户籍地址和户籍登记日期，每日更新。",
	    o->region_name);
	memset(&in, 0, sizeof(in));
	in.code = o->resource;
	in.name = "户籍人口基本信息";
	in.summary = summary;
	in.fields[0] = (struct resource_field_in){"id_no", "公民身份号码", FT_STRING, SENS_PERSONAL,
						  MASK_ID_NUMBER};
	in.fields[1] =
	    (struct resource_field_in){"name", "姓名", FT_STRING, SENS_PERSONAL, MASK_NAME};
	in.fields[2] = (struct resource_field_in){"region_code", "户籍地行政区划代码", FT_STRING,
						  SENS_PUBLIC, MASK_NONE};
	in.fields[3] = (struct resource_field_in){"household_address", "户籍地址", FT_STRING,
						  SENS_SENSITIVE, MASK_PARTIAL};
	in.fields[4] = (struct resource_field_in){"registered_on", "户籍登记日期", FT_DATE,
						  SENS_PUBLIC, MASK_NONE};
	in.nfields = 5;
	in.key_field = "id_no";
	in.subject_field = "id_no";
	in.region_field = "region_code"; /* flow-back subscriptions filter by it */
	in.share_type = "conditional";
	in.share_conditions = "仅限办理户籍、社会保障、市场准入等政务服务事项时核验申请人户籍信息，"
			      "不得留存、转作他用或向第三方提供。";
	in.legal_basis = "《中华人民共和国户口登记条例》；《中华人民共和国居民身份证法》第十九条；"
			 "《政务信息资源共享管理暂行办法》第九条。";
	in.share_method = "api";
	in.open_type = "closed";
	in.update_cycle = "daily";
	if ((rc = resource_create(&by, &in, &id, err)) < 0)
		return rc;

	json_t *rows = json_array();
	for (int i = 0; i < DEMO_PROVINCE_NROWS; i++) {
		const struct pperson *h = &people[i];
		int slot = i == 0 ? -1 : (i - 1) / 2;
		const char *region = slot >= 0 && slot < p->nchildren ? p->child[slot] : p->region;
		const char *below = slot >= 0 && slot < p->nchildren ? p->child_name[slot] : "";
		char idn[19], addr[512];
		id_number(region, h->birth, h->seq, idn);
		snprintf(addr, sizeof(addr), "%s%s%s", o->region_name, below, h->street);
		json_array_append_new(rows,
				      json_pack("{s:s, s:s, s:s, s:s, s:s}", "id_no", idn, "name",
						h->name, "region_code", region, "household_address",
						addr, "registered_on", h->registered));
	}
	rc = resource_upsert(&by, id, rows, &ins, &upd, err);
	json_decref(rows);
	if (rc < 0)
		return rc;
	o->rows = (int)(ins + upd);
	return 0;
}

int
demo_province_create(const char *region, const char *prefix, struct demo_province *out,
		     struct zt_err *err)
{
	struct plan p;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	p.region = region;
	p.prefix = prefix;
	p.out = out;
	if ((rc = demo_province_check_prefix(prefix, err)) < 0 || (rc = plan_make(&p, err)) < 0)
		return rc;
	if ((rc = create_accounts(&p, err)) < 0 || (rc = create_resource(&p, err)) < 0 ||
	    (rc = create_items(&p, err)) < 0)
		return rc;
	return 0;
}

static void
roles_text(unsigned roles, char *out, size_t cap)
{
	out[0] = '\0';
	for (unsigned r = 1; r <= ROLE_SYSADMIN; r <<= 1)
		if (roles & r) {
			strncat(out, out[0] ? "," : "", cap - strlen(out) - 1);
			strncat(out, role_name(r), cap - strlen(out) - 1);
		}
}

void
demo_province_print(FILE *fp, const struct demo_province *o)
{
	static const char *const cross_zh[] = {"全程网办", "代收代办", "多地联办"};

	fprintf(fp, "%s %s 演示账号 Demo accounts (password 密码: %s)\n", o->region_name, o->region,
		DEMO_PASSWORD);
	fprintf(fp, "  %-22s 市民 citizen %s\n", o->citizen_id, people[0].name);
	for (size_t i = 0; i < NOFFICIALS; i++) {
		char login[48], roles[80];
		snprintf(login, sizeof(login), "%s.%s", o->prefix, pofficials[i].suffix);
		roles_text(pofficials[i].roles, roles, sizeof(roles));
		fprintf(fp, "  %-22s %s (%s) %s\n", login, pofficials[i].name, roles,
			o->dept_names[pofficials[i].dept]);
	}
	fprintf(fp, "服务事项 Service items (已发布 published)\n");
	for (size_t i = 0; i < NITEMS; i++) {
		char code[32], modes[128] = "";
		snprintf(code, sizeof(code), "%s-%s", o->region, pitems[i].code);
		for (int k = 0; k < 3; k++)
			if (pitems[i].cross & (1u << k)) {
				strncat(modes, modes[0] ? "、" : "",
					sizeof(modes) - strlen(modes) - 1);
				strncat(modes, cross_zh[k], sizeof(modes) - strlen(modes) - 1);
			}
		fprintf(fp, "  %-22s %s (%s; 跨域通办 %s)\n", code, pitems[i].name,
			o->dept_names[pitems[i].dept], modes);
	}
	fprintf(fp, "数据资源 Data resource\n");
	fprintf(fp, "  %-22s 户籍人口基本信息 (%s; 有条件共享 conditional; %d 行 rows)\n",
		o->resource, o->dept_names[D_GA], o->rows);
}
