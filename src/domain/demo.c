/* demo.c - demo data for a fresh node, created through the domain functions
 * (so it is validated and audited like any other data). */
#include "domain/demo.h"
#include "domain/demo_opendata.h"
#include "domain/auth.h"
#include "domain/case.h"
#include "domain/complaint.h"
#include "domain/files.h"
#include "domain/org.h"
#include "domain/service.h"
#include "base/config.h"
#include "base/ident.h"
#include "base/xmalloc.h"
#include "crypto/sm3.h"
#include "db/db.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* oversight: the region's supervision office (its supervisors see the
 * region below and receive the overdue supervision items of the level below). */
static const struct demo_dept {
	const char *key, *name, *name_en, *region, *org8;
	int oversight;
} depts[] = {
    {"zw", "南明区政务服务管理办公室", "Nanming Government Services Office", "520102", "00091101",
     1},
    {"scjg", "南明区市场监督管理局", "Nanming Administration for Market Regulation", "520102",
     "00091102", 0},
    {"rs", "南明区人力资源和社会保障局", "Nanming Human Resources and Social Security Bureau",
     "520102", "00091103", 0},
    {"mz", "南明区民政局", "Nanming Civil Affairs Bureau", "520102", "00091104", 0},
    {"wj", "贵阳市卫生健康委员会", "Guiyang Health Commission", "520100", "00091105", 0},
    {"gy", "贵阳市政务服务管理办公室", "Guiyang Government Services Office", "520100", "00091106",
     1},
};

static const struct demo_official {
	const char *login, *name, *dept;
	unsigned roles;
} officials[] = {
    {"admin", "系统管理员", "zw", ROLE_SYSADMIN},
    {"zw.supervisor", "督查专员 王芳", "zw", ROLE_SUPERVISOR},
    {"scjg.clerk", "受理员 李娜", "scjg", ROLE_CLERK},
    {"scjg.reviewer", "审批员 刘洋", "scjg", ROLE_REVIEWER},
    {"scjg.admin", "事项管理员 陈静", "scjg", ROLE_DEPT_ADMIN},
    {"scjg.supervisor", "督查员 杨勇", "scjg", ROLE_SUPERVISOR},
    {"scjg.data", "数据专员 郑洁", "scjg", ROLE_DATA_OFFICER},
    {"rs.clerk", "受理员 赵敏", "rs", ROLE_CLERK},
    {"rs.reviewer", "审批员 黄磊", "rs", ROLE_REVIEWER},
    {"rs.admin", "事项管理员 周涛", "rs", ROLE_DEPT_ADMIN},
    {"rs.supervisor", "督查员 吴霞", "rs", ROLE_SUPERVISOR},
    {"rs.data", "数据专员 冯超", "rs", ROLE_DATA_OFFICER},
    {"mz.clerk", "受理员 徐丽", "mz", ROLE_CLERK | ROLE_REVIEWER},
    {"mz.admin", "事项管理员 孙强", "mz", ROLE_DEPT_ADMIN},
    {"mz.supervisor", "督查员 马超", "mz", ROLE_SUPERVISOR},
    {"mz.data", "数据专员 何静", "mz", ROLE_DATA_OFFICER},
    {"wj.clerk", "受理员 朱琳", "wj", ROLE_CLERK | ROLE_REVIEWER},
    {"wj.admin", "事项管理员 胡军", "wj", ROLE_DEPT_ADMIN},
    {"gy.supervisor", "督查专员 林涛", "gy", ROLE_SUPERVISOR},
};

struct demo_item {
	const char *dept, *code, *name, *type, *target;
	int legal, promised, depth, visits;
	unsigned channels, cross;
	const char *fee, *conditions, *basis;
	const char *steps[5];
	struct material_in materials[4];
	int publish;
};

/* A material of the guide; the once-only links (license_type, resource)
 * are set per item below where the demo has them. */
#define LICENSE_SLOT "@license" /* replaced by the demo license type's code */
/* ... satisfied by the demo license type, or by the shared insurance data. */
#define ML(n, f, c, r, nt)                                                                         \
	{                                                                                          \
		.name = (n), .form = (f), .count = (c), .required = (r), .note = (nt),             \
		.license_type = LICENSE_SLOT                                                       \
	}
#define MR(n, f, c, r, nt)                                                                         \
	{                                                                                          \
		.name = (n), .form = (f), .count = (c), .required = (r), .note = (nt),             \
		.resource = DEMO_RS_RESOURCE                                                       \
	}
#define M(n, f, c, r, nt)                                                                          \
	{                                                                                          \
		.name = (n), .form = (f), .count = (c), .required = (r), .note = (nt)              \
	}

#define WEB_ALL (CH_WEB | CH_MOBILE | CH_WINDOW | CH_SELF_SERVICE)

static const struct demo_item items[] = {
    {"scjg",
     "520102-SCJG-XK-001",
     "个体工商户设立登记",
     "XK",
     "citizen",
     15,
     3,
     6,
     0,
     WEB_ALL | CH_MAIL,
     CROSS_FULL_ONLINE,
     "不收费",
     "有经营能力的自然人，经营场所符合法律法规规定。",
     "《促进个体工商户发展条例》第八条；《中华人民共和国市场主体登记管理条例》第三条。",
     {"网上申请", "受理", "审查", "决定", "送达营业执照"},
     {M("经营者身份证明", "electronic", 1, 1, "可用电子身份证照"),
      M("经营场所使用证明", "copy", 1, 1, "房屋租赁合同或产权证明"),
      M("个体工商户登记申请书", "original", 1, 1, "")},
     1},
    {"scjg",
     "520102-SCJG-XK-002",
     "食品经营许可",
     "XK",
     "both",
     20,
     10,
     5,
     1,
     WEB_ALL,
     0,
     "不收费",
     "已取得营业执照的市场主体；有与经营的食品品种、数量相适应的场所和设备。",
     "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》。",
     {"网上申请", "受理", "现场核查", "审查决定", "发证"},
     {M("食品经营许可申请书", "original", 1, 1, ""),
      ML("营业执照", "electronic", 1, 1, "已领取电子营业执照的免提交"),
      M("食品安全管理制度", "copy", 1, 1, ""), M("经营设施布局图", "copy", 1, 0, "有变化时提供")},
     1},
    {"scjg",
     "520102-SCJG-QT-003",
     "营业执照遗失补领",
     "QT",
     "both",
     5,
     0,
     6,
     0,
     WEB_ALL | CH_MAIL,
     CROSS_FULL_ONLINE,
     "不收费",
     "营业执照遗失或损毁的已登记市场主体。",
     "《中华人民共和国市场主体登记管理条例实施细则》第六十七条。",
     {"网上申请", "即时办结", "邮寄或自取", NULL, NULL},
     {M("补领申请书", "original", 1, 1, "")},
     1},
    {"rs",
     "520102-RS-GF-001",
     "失业保险金申领",
     "GF",
     "citizen",
     20,
     5,
     6,
     0,
     WEB_ALL,
     CROSS_FULL_ONLINE | CROSS_PROXY,
     "不收费",
     "失业前用人单位和本人已缴纳失业保险费满一年，非因本人意愿中断就业，已进行失业登记并有求职要求"
     "。",
     "《失业保险条例》第十四条；《社会保险法》第四十五条。",
     {"网上申请", "受理", "审核", "决定", "按月发放"},
     {M("社会保障卡或身份证明", "electronic", 1, 1, ""),
      M("解除或终止劳动关系证明", "copy", 1, 1, "")},
     1},
    {"rs",
     "520102-RS-GG-002",
     "就业创业证申领",
     "GG",
     "citizen",
     10,
     3,
     6,
     0,
     WEB_ALL | CH_MAIL,
     CROSS_FULL_ONLINE,
     "不收费",
     "法定劳动年龄内有就业创业需求的劳动者。",
     "《就业服务与就业管理规定》第六十三条。",
     {"网上申请", "受理", "审核", "发证", NULL},
     {M("身份证明", "electronic", 1, 1, "")},
     1},
    {"rs",
     "520102-RS-GG-003",
     "社会保障卡申领",
     "GG",
     "citizen",
     20,
     10,
     4,
     1,
     CH_WEB | CH_MOBILE | CH_WINDOW,
     0,
     "首次申领不收费",
     "参加社会保险的人员。",
     "《社会保险法》第五十八条；《社会保障卡管理办法》。",
     {"网上申请", "受理", "制卡", "领卡", NULL},
     {M("身份证明", "electronic", 1, 1, ""), M("近期免冠照片", "electronic", 1, 1, "白底")},
     1},
    {"mz",
     "520102-MZ-GF-001",
     "最低生活保障申请",
     "GF",
     "citizen",
     30,
     15,
     5,
     1,
     WEB_ALL,
     CROSS_PROXY,
     "不收费",
     "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定。",
     "《社会救助暂行办法》第九条；《最低生活保障审核确认办法》。",
     {"网上申请", "受理", "家庭经济状况核查", "审核确认", "公示发放"},
     {M("家庭成员身份证明", "electronic", 1, 1, ""), M("家庭收入情况声明", "original", 1, 1, ""),
      MR("社会保险参保缴费证明", "electronic", 1, 1, "由社会保险参保信息共享核验，无需提交"),
      M("残疾证或病历", "copy", 1, 0, "有则提供")},
     1},
    {"mz",
     "520102-MZ-QT-002",
     "婚姻登记记录证明",
     "QT",
     "citizen",
     10,
     1,
     5,
     0,
     WEB_ALL | CH_MAIL,
     CROSS_FULL_ONLINE,
     "不收费",
     "需要证明本人婚姻登记记录的当事人。",
     "《婚姻登记条例》；《民政部关于婚姻登记档案查询的规定》。",
     {"网上申请", "受理", "查档", "出具证明", NULL},
     {M("身份证明", "electronic", 1, 1, "")},
     1},
    {"mz",
     "520102-MZ-QR-003",
     "结婚登记",
     "QR",
     "citizen",
     0,
     0,
     2,
     1,
     CH_WEB | CH_WINDOW,
     0,
     "不收费",
     "男女双方完全自愿，达到法定婚龄，双方均无配偶。",
     "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》第四条。",
     {"网上预约", "双方到场", "当场登记", NULL, NULL},
     {M("居民身份证", "original", 2, 1, "双方各一份"), M("户口簿", "original", 2, 1, "")},
     1},
    {"wj",
     "520100-WJ-XK-001",
     "医师执业注册",
     "XK",
     "citizen",
     20,
     10,
     6,
     0,
     WEB_ALL,
     CROSS_FULL_ONLINE,
     "不收费",
     "取得医师资格，拟在医疗、预防、保健机构中执业。",
     "《中华人民共和国医师法》第十三条；《医师执业注册管理办法》。",
     {"网上申请", "受理", "审查", "决定", "电子证照反馈"},
     {M("医师资格证书", "electronic", 1, 1, ""), M("健康体检证明", "copy", 1, 1, "六个月内"),
      M("拟执业机构聘用证明", "original", 1, 1, "")},
     1},
    {"wj",
     "520100-WJ-GG-002",
     "出生医学证明补发",
     "GG",
     "citizen",
     20,
     15,
     4,
     1,
     CH_WEB | CH_WINDOW,
     0,
     "不收费",
     "出生医学证明遗失的新生儿父母或监护人。",
     "《中华人民共和国母婴保健法》第二十三条。",
     {"网上申请", "受理", "核查", "补发", NULL},
     {M("父母身份证明", "electronic", 1, 1, ""), M("遗失声明", "original", 1, 1, "")},
     0},
};

static int64_t dept_ids[sizeof(depts) / sizeof(depts[0])];

static int64_t
dept_id(const char *key)
{
	for (size_t i = 0; i < sizeof(depts) / sizeof(depts[0]); i++)
		if (strcmp(depts[i].key, key) == 0)
			return dept_ids[i];
	return 0;
}

static void
credit_code(const char *prefix2, const char *region, const char *org8, char out[19])
{
	char first17[18];

	snprintf(first17, sizeof(first17), "%s%s%s%c", prefix2, region, org8,
		 ident_org_check_char(org8));
	snprintf(out, 19, "%s%c", first17, ident_credit_check_char(first17));
}

static void
id_number(const char *first17, char out[19])
{
	snprintf(out, 19, "%s%c", first17, ident_id_check_char(first17));
}

int
demo_present(void)
{
	struct zt_err err;

	return db_query_int(db_cli_conn(), "SELECT count(*) FROM node_meta WHERE key = 'demo'", 0,
			    &err) > 0;
}

static int
mark(db_conn *c, void *arg, struct zt_err *err)
{
	return db_exec(c, "INSERT INTO node_meta (key, value) VALUES ('demo', '1')", err);
}

/* A small valid PDF, stored for the applicant as an uploaded file. */
static int
demo_file(const struct principal *who, char hash[SM3_HEX_LEN], struct zt_err *err)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
				  "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
				  "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\n"
				  "trailer<</Root 1 0 R>>\n%%EOF\n";
	char tmp[700];
	json_t *out = NULL;

	snprintf(tmp, sizeof(tmp), "%s/tmp", cfg.data_dir);
	mkdir(tmp, 0700);
	snprintf(tmp, sizeof(tmp), "%s/tmp/demo.pdf", cfg.data_dir);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, pdf, sizeof(pdf) - 1) != (ssize_t)(sizeof(pdf) - 1) || fsync(fd)) {
		if (fd >= 0)
			close(fd);
		return err_set(err, ZT_ENOSPACE, "", "storage", "cannot write demo file");
	}
	close(fd);
	sm3_hex(pdf, sizeof(pdf) - 1, hash);
	int rc = files_store(who, tmp, hash, sizeof(pdf) - 1, "application/pdf", &out, err);
	json_decref(out);
	return rc;
}

int
demo_login_as(const char *login, struct principal *p, struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    db_cli_conn(),
	    "SELECT id, kind, coalesce(dept_id, 0), roles FROM users WHERE login = ?1", err);
	if (s == NULL)
		return err->code;
	char key[AUTH_LOGIN_KEY_MAX];
	auth_login_key(login, key);
	db_bind_text(s, 1, key);
	int rc = db_step(s, err);
	memset(p, 0, sizeof(*p));
	if (rc == DB_ROW) {
		const char *k = db_col_text(s, 1);
		p->user_id = db_col_int(s, 0);
		p->kind = strcmp(k, "citizen") == 0	 ? KIND_CITIZEN
			  : strcmp(k, "enterprise") == 0 ? KIND_ENTERPRISE
							 : KIND_OFFICIAL;
		p->dept_id = db_col_int(s, 2);
		p->roles = (unsigned)db_col_int(s, 3);
	}
	db_reset(s);
	return rc == DB_ROW ? 0 : err_set(err, ZT_ENOTFOUND, "", "demo", "no user %s", login);
}

static int
demo_case(const char *item, const char *applicant_login, json_t *form, const char *const *acts,
	  struct zt_err *err)
{
	struct principal app, off;
	struct case_submit_in in;
	char hash[SM3_HEX_LEN];
	int64_t id;
	int replayed, rc;

	if ((rc = demo_login_as(applicant_login, &app, err)) < 0)
		return rc;
	if ((rc = demo_file(&app, hash, err)) < 0)
		return rc;
	memset(&in, 0, sizeof(in));
	in.item_code = item;
	in.form = form ? json_incref(form) : json_pack("{s:s}", "备注", "演示数据");
	/* Upload every material of the item except those the server fills
	 * itself (once-only: from a license or shared data). */
	struct service_ref ref;
	if ((rc = service_ref_by_code(db_cli_conn(), item, &ref, err)) < 0)
		goto out;
	json_t *mats = service_materials_json(db_cli_conn(), ref.id, err), *m;
	size_t k;
	json_array_foreach(mats, k, m)
	{
		if (json_object_get(m, "license_type") || json_object_get(m, "resource") ||
		    in.nmaterials == CASE_MAX_MATERIALS)
			continue;
		in.materials[in.nmaterials].seq =
		    (int)json_integer_value(json_object_get(m, "seq"));
		in.materials[in.nmaterials].name = "演示材料.pdf";
		in.materials[in.nmaterials++].file = hash;
	}
	json_decref(mats);
	if ((rc = case_submit(&app, &in, &id, &replayed, err)) < 0)
		goto out;
	for (int i = 0; acts && acts[i]; i += 2) {
		struct case_action_in a;
		memset(&a, 0, sizeof(a));
		if ((rc = demo_login_as(acts[i], &off, err)) < 0)
			goto out;
		a.action = (enum case_action)case_action_from_name(acts[i + 1]);
		a.comment = "演示";
		if ((rc = case_act(&off, id, &a, err)) < 0)
			goto out;
	}
out:
	json_decref(in.form);
	return rc;
}

/* An anonymous complaint about 食品经营许可, left open for scjg.supervisor. */
static int
demo_complaint(struct zt_err *err)
{
	struct principal anon;
	struct service_ref ref;
	json_t *out = NULL;
	int rc;

	memset(&anon, 0, sizeof(anon));
	if ((rc = service_ref_by_code(db_cli_conn(), "520102-SCJG-XK-002", &ref, err)) < 0)
		return rc;
	struct complaint_in in = {
	    .about = "item",
	    .item_id = ref.id,
	    .content =
		"网上申请食品经营许可后一直显示待受理，打电话咨询也没有人说明原因，希望尽快处理。",
	    .contact_name = "陈先生",
	    .contact_phone = "13700001111",
	};
	rc = complaint_submit(&anon, &in, &out, err);
	json_decref(out);
	return rc;
}

int
demo_create(int verbose, struct zt_err *err)
{
	int rc;

	if (demo_present())
		return 0;
	for (size_t i = 0; i < sizeof(depts) / sizeof(depts[0]); i++) {
		struct dept_in in;
		char cc[19];
		memset(&in, 0, sizeof(in));
		credit_code("11", depts[i].region, depts[i].org8, cc);
		in.credit_code = cc;
		in.name = depts[i].name;
		in.name_en = depts[i].name_en;
		in.region_code = depts[i].region;
		in.oversight = depts[i].oversight;
		if ((rc = org_add_department(NULL, &in, &dept_ids[i], err)) < 0)
			return rc;
	}
	for (size_t i = 0; i < sizeof(officials) / sizeof(officials[0]); i++) {
		struct official_in in = {
		    officials[i].login, officials[i].name,	    NULL,
		    DEMO_PASSWORD,	dept_id(officials[i].dept), officials[i].roles};
		int64_t id;
		if ((rc = auth_add_official(NULL, &in, &id, err)) < 0)
			return rc;
	}
	char idn[19], idn2[19], cc[19];
	id_number("52010219900307123", idn);
	id_number("52010119851120004", idn2);
	credit_code("91", "520102", "21456789", cc);
	struct register_in c1 = {KIND_CITIZEN, "张伟", idn, NULL, "13800005678", DEMO_PASSWORD};
	struct register_in c2 = {KIND_CITIZEN, "李秀英", idn2, NULL, "13900001234", DEMO_PASSWORD};
	struct register_in e1 = {KIND_ENTERPRISE, "贵州黔行科技有限公司", NULL, cc,
				 "13600009876",	  DEMO_PASSWORD};
	int64_t uid;
	if ((rc = auth_register(&c1, &uid, err)) < 0 || (rc = auth_register(&c2, &uid, err)) < 0 ||
	    (rc = auth_register(&e1, &uid, err)) < 0)
		return rc;
	struct demo_people people;
	char license_type[32];
	memcpy(people.idn, idn, sizeof(idn));
	memcpy(people.idn2, idn2, sizeof(idn2));
	memcpy(people.cc, cc, sizeof(cc));
	if ((rc = demo_sharing(&people, license_type, err)) < 0)
		return rc;
	if ((rc = demo_opendata(err)) < 0)
		return rc;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		const struct demo_item *d = &items[i];
		struct service_in in;
		int64_t id;
		memset(&in, 0, sizeof(in));
		in.code = d->code;
		in.name = d->name;
		in.type = d->type;
		in.target = d->target;
		in.dept_id = dept_id(d->dept);
		in.legal_days = d->legal;
		in.promised_days = d->promised;
		in.depth = d->depth;
		in.max_visits = d->visits;
		in.fee = d->fee;
		in.conditions = d->conditions;
		in.legal_basis = d->basis;
		in.place = "贵阳市南明区政务服务中心（市南路 1 号）一楼综合窗口";
		in.office_hours = "工作日 9:00-12:00，13:30-17:00";
		in.consult = "0851-12345（工作日）；政务服务网在线咨询";
		in.complaint = "12345 政务服务便民热线；南明区政务服务管理办公室";
		in.channels = d->channels;
		in.cross_modes = d->cross;
		in.process = json_array();
		for (int k = 0; k < 5 && d->steps[k]; k++)
			json_array_append_new(in.process, json_string(d->steps[k]));
		for (int k = 0; k < 4 && d->materials[k].name; k++) {
			struct material_in *m = &in.materials[in.nmaterials++];
			*m = d->materials[k];
			if (m->license_type && strcmp(m->license_type, LICENSE_SLOT) == 0)
				m->license_type = license_type;
		}
		/* 个体工商户设立登记 issues the electronic business licence. */
		if (strcmp(d->code, "520102-SCJG-XK-001") == 0)
			in.license_type = license_type;
		rc = service_create(NULL, &in, &id, err);
		json_decref(in.process);
		if (rc < 0)
			return rc;
		if (d->publish && (rc = service_set_status(NULL, id, "published", err)) < 0)
			return rc;
	}

	static const char *const accepted[] = {"rs.clerk", "accept", NULL};
	static const char *const approved[] = {"scjg.clerk", "accept", "scjg.reviewer", "approve",
					       NULL};
	/* 李秀英 registers a business (approved: her electronic business licence
	 * is issued) and then applies for a food permit without handing the
	 * licence in; 张伟 applies for 低保, his insurance status read through
	 * 民政局's grant instead of a paper certificate. */
	json_t *shop =
	    json_pack("{s:s, s:s, s:s}", "字号名称", "南明区秀英小吃店", "经营场所",
		      "贵阳市南明区市南路 12 号", "经营范围", "小吃服务；预包装食品销售");
	rc = demo_case("520102-RS-GF-001", idn, NULL, NULL, err);
	if (rc >= 0)
		rc = demo_case("520102-RS-GG-002", idn, NULL, accepted, err);
	if (rc >= 0)
		rc = demo_case("520102-SCJG-XK-001", idn2, shop, approved, err);
	if (rc >= 0)
		rc = demo_case("520102-MZ-QT-002", idn2, NULL, NULL, err);
	if (rc >= 0)
		rc = demo_case("520102-SCJG-XK-002", idn2, shop, NULL, err);
	if (rc >= 0)
		rc = demo_case("520102-MZ-GF-001", idn, NULL, NULL, err);
	json_decref(shop);
	if (rc < 0 || (rc = demo_complaint(err)) < 0)
		return rc;
	if ((rc = db_write(mark, NULL, err)) < 0)
		return rc;
	if (verbose)
		fprintf(stderr, "init: demo data created\n");
	return 1;
}

void
demo_print_accounts(FILE *fp)
{
	char idn[19], idn2[19], cc[19];

	id_number("52010219900307123", idn);
	id_number("52010119851120004", idn2);
	credit_code("91", "520102", "21456789", cc);
	fprintf(fp, "演示账号 Demo accounts (password 密码: %s)\n", DEMO_PASSWORD);
	fprintf(fp, "  %-20s %s\n", idn, "市民 citizen 张伟");
	fprintf(fp, "  %-20s %s\n", idn2, "市民 citizen 李秀英");
	fprintf(fp, "  %-20s %s\n", cc, "企业 enterprise 贵州黔行科技有限公司");
	for (size_t i = 0; i < sizeof(officials) / sizeof(officials[0]); i++) {
		char roles[80] = "";
		for (unsigned r = 1; r <= ROLE_SYSADMIN; r <<= 1)
			if (officials[i].roles & r) {
				strncat(roles, roles[0] ? "," : "",
					sizeof(roles) - strlen(roles) - 1);
				strncat(roles, role_name(r), sizeof(roles) - strlen(roles) - 1);
			}
		fprintf(fp, "  %-20s %s (%s)\n", officials[i].login, officials[i].name, roles);
	}
}
