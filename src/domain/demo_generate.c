/* demo_generate.c - `zhengtong demo generate`: synthetic regions, items and
 * cases in bulk (see demo_generate.h for the model). */
#include "domain/demo_generate.h"
#include "domain/audit.h"
#include "domain/org.h"
#include "domain/principal.h"
#include "domain/service.h"
#include "domain/workcal.h"
#include "base/buf.h"
#include "base/calendar.h"
#include "base/clock.h"
#include "base/config.h"
#include "base/ident.h"
#include "base/xmalloc.h"
#include "crypto/fieldenc.h"
#include "db/db.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- deterministic random numbers (xoshiro256**, seeded by splitmix64) ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t
splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ULL);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix(&x);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double
unit(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static int64_t
range(struct rng *r, int64_t lo, int64_t hi)
{
	return hi <= lo ? lo : lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

static int
chance(struct rng *r, double p)
{
	return unit(r) < p;
}

/* Standard normal (Box-Muller; one value per call keeps it stateless). */
static double
normal(struct rng *r)
{
	double u = unit(r), v = unit(r);

	return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

static double
clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ---- what is generated ---- */

struct item_tpl {
	const char *name, *type, *target;
	int legal;
};

struct dept_tpl {
	const char *key, *city, *prov, *en;
	struct item_tpl items[8];
};

#define OVERSIGHT_NAME "政务服务管理办公室"
#define OVERSIGHT_EN   "Government Services Office"

static const struct dept_tpl dept_tpls[] = {
    {"SCJG",
     "市场监督管理局",
     "市场监督管理局",
     "Administration for Market Regulation",
     {{"个体工商户设立登记", "XK", "citizen", 15},
      {"食品经营许可", "XK", "both", 20},
      {"营业执照遗失补领", "QT", "both", 5},
      {"企业名称变更登记", "XK", "enterprise", 15},
      {"特种设备使用登记", "XK", "enterprise", 15},
      {"药品零售企业许可", "XK", "enterprise", 30},
      {"计量器具型式批准", "XK", "enterprise", 20},
      {"股权出质登记", "QR", "enterprise", 10}}},
    {"RS",
     "人力资源和社会保障局",
     "人力资源和社会保障厅",
     "Human Resources and Social Security Bureau",
     {{"失业保险金申领", "GF", "citizen", 20},
      {"就业创业证申领", "GG", "citizen", 10},
      {"社会保障卡申领", "GG", "citizen", 20},
      {"职业技能等级认定", "QR", "citizen", 30},
      {"养老保险关系转移", "GG", "citizen", 45},
      {"工伤认定", "QR", "both", 60},
      {"劳务派遣经营许可", "XK", "enterprise", 20},
      {"人力资源服务许可", "XK", "enterprise", 20}}},
    {"MZ",
     "民政局",
     "民政厅",
     "Civil Affairs Bureau",
     {{"最低生活保障申请", "GF", "citizen", 30},
      {"婚姻登记记录证明", "QT", "citizen", 10},
      {"社会团体成立登记", "XK", "enterprise", 60},
      {"临时救助申请", "GF", "citizen", 15},
      {"养老机构备案", "QT", "enterprise", 10},
      {"残疾人两项补贴申领", "GF", "citizen", 20},
      {"高龄津贴申领", "GF", "citizen", 20},
      {"民办非企业单位成立登记", "XK", "enterprise", 60}}},
    {"GA",
     "公安局",
     "公安厅",
     "Public Security Bureau",
     {{"居民身份证换领", "GG", "citizen", 60},
      {"户口迁移", "QR", "citizen", 20},
      {"无犯罪记录证明", "QT", "citizen", 7},
      {"居住证签发", "GG", "citizen", 15},
      {"机动车注册登记", "QR", "both", 5},
      {"机动车驾驶证换证", "GG", "citizen", 5},
      {"出入境证件签发", "XK", "citizen", 20},
      {"印章刻制备案", "QT", "enterprise", 5}}},
    {"WJ",
     "卫生健康委员会",
     "卫生健康委员会",
     "Health Commission",
     {{"医师执业注册", "XK", "citizen", 20},
      {"出生医学证明补发", "GG", "citizen", 20},
      {"护士执业注册", "XK", "citizen", 20},
      {"医疗机构执业登记", "XK", "enterprise", 45},
      {"公共场所卫生许可", "XK", "enterprise", 20},
      {"母婴保健技术服务许可", "XK", "enterprise", 30},
      {"生育登记", "GG", "citizen", 5},
      {"放射诊疗许可", "XK", "enterprise", 20}}},
    {"JT",
     "交通运输局",
     "交通运输厅",
     "Transport Bureau",
     {{"道路运输经营许可", "XK", "enterprise", 20},
      {"道路运输从业资格证核发", "XK", "citizen", 20},
      {"网络预约出租汽车驾驶员证核发", "XK", "citizen", 20},
      {"超限运输车辆行驶公路许可", "XK", "enterprise", 15},
      {"出租汽车经营许可", "XK", "enterprise", 20},
      {"机动车维修经营备案", "QT", "enterprise", 5},
      {"公路建设项目施工许可", "XK", "enterprise", 20},
      {"道路运输证换发", "GG", "enterprise", 10}}},
    {"ZJ",
     "住房和城乡建设局",
     "住房和城乡建设厅",
     "Housing and Urban-Rural Development Bureau",
     {{"建筑工程施工许可", "XK", "enterprise", 15},
      {"商品房预售许可", "XK", "enterprise", 20},
      {"建筑业企业资质核准", "XK", "enterprise", 20},
      {"住房公积金提取", "GF", "citizen", 5},
      {"公共租赁住房资格申请", "GF", "citizen", 30},
      {"房屋交易合同网签备案", "QT", "both", 5},
      {"燃气经营许可", "XK", "enterprise", 20},
      {"城市建筑垃圾处置核准", "XK", "enterprise", 20}}},
    {"ZR",
     "自然资源局",
     "自然资源厅",
     "Natural Resources Bureau",
     {{"不动产登记", "QR", "both", 30},
      {"建设用地规划许可", "XK", "enterprise", 20},
      {"采矿权登记", "XK", "enterprise", 40},
      {"测绘资质审批", "XK", "enterprise", 20},
      {"临时用地审批", "XK", "enterprise", 20},
      {"地质灾害危险性评估备案", "QT", "enterprise", 10},
      {"建设工程规划许可", "XK", "enterprise", 20},
      {"不动产登记资料查询", "QT", "both", 1}}},
};
#define NDEPT_TPLS ((int)(sizeof(dept_tpls) / sizeof(dept_tpls[0])))

static const char *const variants[] = {"", "（变更）", "（注销）", "（延续）"};
static const char *const material_names[] = {
    "申请书",	    "申请人身份证明", "营业执照",     "授权委托书", "场所使用证明",
    "相关资质证明", "现场照片",	      "情况说明",     "承诺书",	    "原证件",
    "户口簿",	    "技术人员名单",   "设施设备清单", "体检证明",   "收入证明"};
static const char *const gen_forms[] = {"original", "copy", "electronic", "original_or_copy"};
static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
				       "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗",
				       "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹"};
static const char *const given[] = {"伟",   "芳",   "娜",   "秀英", "敏", "静",	 "丽",	 "强",
				    "磊",   "军",   "洋",   "勇",   "艳", "杰",	 "娟",	 "涛",
				    "明",   "超",   "秀兰", "霞",   "平", "刚",	 "桂英", "建华",
				    "晓燕", "志强", "海燕", "婷",   "鹏", "欣怡"};
#define NELEM(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* The statutory basis quoted in the guides, by item type. */
static const char *
basis_for(const char *type)
{
	if (strcmp(type, "XK") == 0)
		return "《中华人民共和国行政许可法》第十二条；相关行业管理法规。";
	if (strcmp(type, "GF") == 0)
		return "《社会救助暂行办法》；相关给付政策规定。";
	if (strcmp(type, "QR") == 0)
		return "相关法律法规关于登记确认的规定。";
	return "《优化营商环境条例》；相关公共服务管理规定。";
}

/* ---- the plan kept in memory while cases are generated ---- */

struct gen_item {
	int64_t id, dept_id, owner_id;
	int region, promised, depth, max_visits, required_materials;
	unsigned channels;
};

struct gen_region {
	char code[8], name[64], level[16];
	double q, gdp, weight;
	int64_t oversight_id;
	int first_item, nitems; /* published items in items[] */
	double *item_cum;	/* cumulative popularity of its items */
	int64_t cit_first;	/* index into citizens[] */
	int64_t cit_n;
};

struct gen {
	const struct demo_gen_opts *o;
	struct demo_gen_stats *st;
	struct gen_region *regions;
	int nregions;
	struct gen_item *items;
	int nitems, items_cap;
	int64_t *citizens;
	int64_t ncitizens;
	double *region_cum;
	int64_t now, t_start;
	struct rng crng; /* the case stream */
	int64_t done;	 /* cases written */
	demo_gen_progress_fn progress;
	void *ctx;
};

static void
add_rows(struct gen *g, int64_t n)
{
	g->st->rows += n;
}

/* Picks an index from a cumulative weight array of n entries. */
static int
pick_cum(const double *cum, int n, double u)
{
	double x = u * cum[n - 1];
	int lo = 0, hi = n - 1;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static void
person_name(struct rng *r, char out[32])
{
	snprintf(out, 32, "%s%s", surnames[range(r, 0, NELEM(surnames) - 1)],
		 given[range(r, 0, NELEM(given) - 1)]);
}

/* ---- regions and the refusal check ---- */

int
demo_generate_available(const char *parent, struct zt_err *err)
{
	db_conn *c = db_cli_conn();
	int rc = org_region_exists(c, parent, err);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_EINVAL, "--parent", "unknown", "--parent: no region %s",
			       parent);
	db_stmt *s = db_prepare(c, "SELECT count(*) FROM regions WHERE parent = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, parent);
	rc = db_step(s, err);
	int n = rc == DB_ROW ? (int)db_col_int(s, 0) : 0;
	db_reset(s);
	return rc < 0 ? rc : n;
}

static int
load_regions(struct gen *g, db_conn *c, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"SELECT code, name, level FROM regions WHERE parent = ?1"
				" ORDER BY code LIMIT ?2",
				err);
	int rc;

	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, g->o->parent);
	db_bind_int(s, 2, g->o->regions);
	g->regions = xcalloc((size_t)g->o->regions, sizeof(*g->regions));
	while ((rc = db_step(s, err)) == DB_ROW && g->nregions < g->o->regions) {
		struct gen_region *r = &g->regions[g->nregions++];
		snprintf(r->code, sizeof(r->code), "%s", db_col_text(s, 0));
		snprintf(r->name, sizeof(r->name), "%s", db_col_text(s, 1));
		snprintf(r->level, sizeof(r->level), "%s", db_col_text(s, 2));
	}
	db_reset(s);
	if (rc < 0)
		return rc;
	if (g->nregions < g->o->regions)
		return err_set(err, ZT_EINVAL, "--regions", "too_many",
			       "--regions: %s has only %d child regions", g->o->parent,
			       g->nregions);
	return 0;
}

/* Refuses regions that a previous run generated into (node_meta marks them)
 * and credit codes that are taken. */
static int
check_fresh(struct gen *g, db_conn *c, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT 1 FROM node_meta WHERE key = ?1", err);
	struct buf taken;
	char key[48];
	int rc = 0;

	if (s == NULL)
		return err->code;
	buf_init(&taken);
	for (int i = 0; i < g->nregions && rc >= 0; i++) {
		snprintf(key, sizeof(key), "demo_generate:%s", g->regions[i].code);
		db_reset(s);
		db_bind_text(s, 1, key);
		rc = db_step(s, err);
		if (rc == DB_ROW)
			buf_printf(&taken, "%s%s %s", taken.len ? ", " : "", g->regions[i].code,
				   g->regions[i].name);
	}
	db_reset(s);
	if (rc >= 0 && taken.len)
		rc = err_set(err, ZT_ECONFLICT, "--regions", "already_generated",
			     "--regions: already generated into %s; choose other regions "
			     "(--parent) or a fresh node",
			     taken.data);
	buf_cleanup(&taken);
	return rc < 0 ? rc : 0;
}

/* Latent quality and economy of every region (stream 1 + index); two
 * regions (when there are 4 or more) get a large positive and negative
 * shock so that they stand out against their economy. */
static void
plan_economy(struct gen *g)
{
	struct rng pick;
	int hi = -1, lo = -1;
	const double mu = log(75000.0), sd = 0.38;

	rng_seed(&pick, g->o->seed, 0);
	if (g->nregions >= 4) {
		hi = (int)range(&pick, 0, g->nregions - 1);
		lo = (int)((hi + range(&pick, 1, g->nregions - 1)) % g->nregions);
	}
	for (int i = 0; i < g->nregions; i++) {
		struct gen_region *r = &g->regions[i];
		struct rng rr;
		rng_seed(&rr, g->o->seed, 1 + (uint64_t)i);
		double lg = clampd(mu + sd * normal(&rr), log(40000.0), log(200000.0));
		double z = (lg - mu) / sd;
		double raw = 0.8 * z + 0.45 * normal(&rr);
		if (i == hi)
			raw += 2.4;
		if (i == lo)
			raw -= 2.4;
		r->gdp = exp(lg);
		r->q = 0.06 + 0.9 / (1.0 + exp(-raw));
		r->weight = exp(0.6 * normal(&rr));
	}
}

/* ---- structure: departments, officials, items, indicators, citizens ---- */

/* 9:00-17:00 China time on day. */
static int64_t
at_work(struct rng *r, int32_t day)
{
	return date_start_time(day) + 9 * 3600 + range(r, 0, 8 * 3600 - 1);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
insert_dept(struct gen *g, db_conn *c, const struct gen_region *r, int slot, const char *name,
	    const char *name_en, int oversight, int64_t created, int64_t *id, struct zt_err *err)
{
	char org8[9], first17[18], cc[19];
	int rc;

	snprintf(org8, sizeof(org8), "DG%06d", slot);
	snprintf(first17, sizeof(first17), "11%s%s%c", r->code, org8, ident_org_check_char(org8));
	snprintf(cc, sizeof(cc), "%s%c", first17, ident_credit_check_char(first17));
	if ((rc = ident_check_credit_code(cc, err)) < 0)
		return rc;
	db_stmt *s = db_prepare(c,
				"INSERT INTO departments (credit_code, name, name_en, region_code,"
				" created_at, oversight) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				" RETURNING id",
				err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, cc);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, name_en);
	db_bind_text(s, 4, r->code);
	db_bind_int(s, 5, created);
	db_bind_int(s, 6, oversight);
	rc = db_step(s, err);
	*id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc == ZT_ECONFLICT)
		return err_set(err, ZT_ECONFLICT, "--regions", "credit_code_taken",
			       "--regions: the credit code %s of a generated department exists",
			       cc);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
	g->st->departments++;
	add_rows(g, 1);
	return 0;
}

/* An official that cannot sign in (the password hash is no valid hash). */
static int
insert_official(struct gen *g, db_conn *c, struct rng *rr, const char *region, const char *key,
		const char *role, const char *title, unsigned roles, int64_t dept, int64_t created,
		int64_t *id, struct zt_err *err)
{
	char login[64], name[64], person[32];
	int rc;

	snprintf(login, sizeof(login), "gen.%s.%s.%s", region, key, role);
	person_name(rr, person);
	snprintf(name, sizeof(name), "%s %s", title, person);
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO users (kind, login, name, password_hash, dept_id, roles,"
		       " created_at) VALUES ('official', ?1, ?2, '!synthetic:no-login',"
		       " ?3, ?4, ?5) RETURNING id",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, login);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, dept);
	db_bind_int(s, 4, roles);
	db_bind_int(s, 5, created);
	rc = db_step(s, err);
	*id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
	g->st->officials++;
	add_rows(g, 1);
	return 0;
}

struct item_plan {
	char code[48], name[160], place[200], complaint[200], conditions[240], consult[160];
	const char *type, *target, *fee, *basis;
	int legal, promised, depth, max_visits, nmat, nsteps;
	unsigned channels, cross;
	const char *status;
	int64_t created, published;
};

/* Draws one item's guide from the region's quality; some guides are left
 * deliberately incomplete (1 returned then), so the guide checks fail. */
static int
plan_item(struct rng *rr, double q, const struct item_tpl *t, struct item_plan *p)
{
	int bad = 0;

	p->type = t->type;
	p->target = t->target;
	p->legal = t->legal;
	p->depth = (int)clampd(1.0 + floor(7.0 * clampd(q + 0.22 * normal(rr), 0.0, 0.999)), 1, 7);
	p->channels = 0;
	if (p->depth >= 3 || chance(rr, 0.3))
		p->channels |= CH_WEB;
	if ((p->channels & CH_WEB) && chance(rr, 0.3 + 0.6 * q))
		p->channels |= CH_MOBILE;
	if (p->depth <= 4 || chance(rr, 0.9))
		p->channels |= CH_WINDOW;
	if (chance(rr, 0.15 + 0.5 * q))
		p->channels |= CH_SELF_SERVICE;
	if (chance(rr, 0.1 + 0.5 * q))
		p->channels |= CH_MAIL;
	double comp = clampd(0.15 + 0.6 * q + 0.12 * normal(rr), 0.0, 0.9);
	p->promised = (int)lround(p->legal * (1.0 - comp));
	if (p->promised > p->legal)
		p->promised = p->legal;
	p->max_visits = p->depth >= 5	? (chance(rr, 0.85) ? 0 : 1)
			: p->depth == 4 ? (chance(rr, 0.5) ? 0 : 1)
					: 1 + (int)chance(rr, 0.3);
	p->nmat = (int)range(rr, 1, 5);
	p->nsteps = (int)range(rr, 3, 5);
	p->cross = (p->depth >= 5 ? CROSS_FULL_ONLINE : 0) | (chance(rr, 0.3) ? CROSS_PROXY : 0) |
		   (chance(rr, 0.2 * q) ? CROSS_MULTI_SITE : 0);
	p->fee = "本事项不收取费用";
	p->basis = basis_for(t->type);
	if (chance(rr, 0.1 * (1.0 - q)))
		p->promised = p->legal; /* no compression: no check fails */
	if (chance(rr, 0.04 + 0.3 * (1.0 - q))) {
		bad = 1;
		switch (range(rr, 0, 4)) {
		case 0:
			p->fee = "";
			break;
		case 1:
			p->place[0] = '\0';
			break;
		case 2:
			p->nsteps = 1;
			break;
		case 3:
			if (p->depth < 4)
				p->depth = 4;
			p->channels = (p->channels & ~(unsigned)CH_WEB) | CH_WINDOW;
			break;
		default:
			p->nmat = 0;
			break;
		}
	}
	if (p->channels == 0)
		p->channels = CH_WINDOW;
	return bad;
}

static const char *const steps_online[] = {"网上申请", "受理", "审查", "决定", "送达"};
static const char *const steps_window[] = {"窗口申请", "受理", "审查", "决定", "送达"};

static char *
process_json(const struct item_plan *p)
{
	const char *const *st = (p->channels & CH_WEB) ? steps_online : steps_window;
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "[");
	for (int i = 0; i < p->nsteps; i++) {
		/* The last step is always the decision or delivery. */
		int k = i == p->nsteps - 1 ? 4 : i;
		buf_printf(&b, "%s\"%s\"", i ? "," : "", st[k]);
	}
	buf_puts(&b, "]");
	return buf_take(&b, NULL);
}

/* Writes one item with its materials and search text; returns its
 * required material count in *required. */
static int
insert_item(struct gen *g, db_conn *c, struct rng *rr, const struct gen_region *r, int64_t dept,
	    struct item_plan *p, int64_t *id, int *required, struct zt_err *err)
{
	char *process = process_json(p);
	struct buf guide;
	int rc;

	db_stmt *s = db_prepare(
	    c,
	    "INSERT INTO service_items (code, name, type, dept_id, region_code, target, legal_days,"
	    " promised_days, depth, max_visits, fee, conditions, legal_basis, process, place,"
	    " office_hours, consult, complaint, channels, cross_modes, status, created_at,"
	    " updated_at, published_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
	    "?15,'工作日 9:00-12:00，13:30-17:00',?16,?17,?18,?19,?20,?21,?22,?23) RETURNING id",
	    err);
	if (s == NULL) {
		free(process);
		return err->code;
	}
	db_bind_text(s, 1, p->code);
	db_bind_text(s, 2, p->name);
	db_bind_text(s, 3, p->type);
	db_bind_int(s, 4, dept);
	db_bind_text(s, 5, r->code);
	db_bind_text(s, 6, p->target);
	db_bind_int(s, 7, p->legal);
	db_bind_int(s, 8, p->promised);
	db_bind_int(s, 9, p->depth);
	db_bind_int(s, 10, p->max_visits);
	db_bind_text(s, 11, p->fee);
	db_bind_text(s, 12, p->conditions);
	db_bind_text(s, 13, p->basis);
	db_bind_text(s, 14, process);
	db_bind_text(s, 15, p->place);
	db_bind_text(s, 16, p->consult);
	db_bind_text(s, 17, p->complaint);
	db_bind_int(s, 18, p->channels);
	db_bind_int(s, 19, p->cross);
	db_bind_text(s, 20, p->status);
	db_bind_int(s, 21, p->created);
	db_bind_int(s, 22, p->published ? p->published : p->created);
	if (p->published)
		db_bind_int(s, 23, p->published);
	else
		db_bind_null(s, 23);
	rc = db_step(s, err);
	*id = rc == DB_ROW ? db_col_int(s, 0) : 0;
	db_reset(s);
	free(process);
	if (rc != DB_ROW)
		return rc < 0 ? rc : err_set(err, ZT_EINTERNAL, "", "db", "no id");
	add_rows(g, 1);

	buf_init(&guide);
	buf_printf(&guide, "%s\n%s\n%s\n%s\n%s\n", p->conditions, p->basis, p->place, p->fee,
		   p->consult);
	s = db_prepare(c,
		       "INSERT INTO materials (item_id, seq, name, form, count, required, note)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, '')",
		       err);
	if (s == NULL) {
		buf_cleanup(&guide);
		return err->code;
	}
	*required = 0;
	int first = (int)range(rr, 0, NELEM(material_names) - 1);
	for (int k = 0; k < p->nmat; k++) {
		const char *mname = material_names[(first + k) % NELEM(material_names)];
		int req = k == 0 || chance(rr, 0.8);
		db_reset(s);
		db_bind_int(s, 1, *id);
		db_bind_int(s, 2, k + 1);
		db_bind_text(s, 3, mname);
		db_bind_text(s, 4, gen_forms[range(rr, 0, 3)]);
		db_bind_int(s, 5, 1);
		db_bind_int(s, 6, req);
		if ((rc = db_step(s, err)) < 0) {
			buf_cleanup(&guide);
			return rc;
		}
		*required += req;
		buf_printf(&guide, "%s\n", mname);
		add_rows(g, 1);
	}
	db_reset(s);
	if (db_kind() == DB_PG)
		s = db_prepare(c,
			       "UPDATE service_items SET search_doc = ?2 || chr(10) || ?3"
			       " WHERE id = ?1",
			       err);
	else
		s = db_prepare(
		    c, "INSERT INTO service_fts (rowid, name, guide) VALUES (?1, ?2, ?3)", err);
	if (s == NULL) {
		buf_cleanup(&guide);
		return err->code;
	}
	db_bind_int(s, 1, *id);
	db_bind_text(s, 2, p->name);
	db_bind_text(s, 3, guide.data);
	rc = db_step(s, err);
	db_reset(s);
	buf_cleanup(&guide);
	return rc < 0 ? rc : 0;
}

static int
insert_required(db_conn *c, const char *region, const char *code, const char *name,
		struct zt_err *err)
{
	db_stmt *s = db_prepare(
	    c, "INSERT INTO required_items (region_code, code, name) VALUES (?1, ?2, ?3)", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_text(s, 2, code);
	db_bind_text(s, 3, name);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

static int
insert_indicator(struct gen *g, db_conn *c, const char *region, const char *period,
		 const char *name, double value, struct zt_err *err)
{
	db_stmt *s =
	    db_prepare(c,
		       "INSERT INTO indicator_values (region_code, period, indicator, value,"
		       " source, imported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
		       " ON CONFLICT (region_code, period, indicator) DO NOTHING",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, region);
	db_bind_text(s, 2, period);
	db_bind_text(s, 3, name);
	db_bind_double(s, 4, round(value));
	db_bind_text(s, 5, DEMO_GEN_SOURCE);
	db_bind_int(s, 6, g->now);
	int rc = db_step(s, err);
	db_reset(s);
	if (rc >= 0)
		add_rows(g, db_changes(c));
	return rc < 0 ? rc : 0;
}

static struct gen_item *
push_item(struct gen *g)
{
	if (g->nitems == g->items_cap) {
		g->items_cap = g->items_cap ? g->items_cap * 2 : 256;
		g->items = xrealloc(g->items, (size_t)g->items_cap * sizeof(*g->items));
	}
	return &g->items[g->nitems++];
}

/* Departments (an oversight office and 4-6 bureaus), their officials, the
 * required item list and the items of one region, and its indicators. */
static int
build_region(struct gen *g, db_conn *c, int ri, struct zt_err *err)
{
	struct gen_region *r = &g->regions[ri];
	struct rng rr;
	int order[NDEPT_TPLS], nd, rc;
	int64_t dept_ids[NDEPT_TPLS], owners[NDEPT_TPLS], created, uid;
	char name[160], name_en[160];
	/* Municipalities keep 局; provinces and autonomous regions have 厅. */
	int prov = strcmp(r->level, "province") == 0 && !ends_with(r->name, "市");

	rng_seed(&rr, g->o->seed, 1000 + (uint64_t)ri);
	created = g->t_start - range(&rr, 400, 800) * 86400;
	snprintf(name, sizeof(name), "%s%s", r->name, OVERSIGHT_NAME);
	snprintf(name_en, sizeof(name_en), "%s %s (synthetic)", r->code, OVERSIGHT_EN);
	if ((rc = insert_dept(g, c, r, 0, name, name_en, 1, created, &r->oversight_id, err)) < 0)
		return rc;
	if ((rc = insert_official(g, c, &rr, r->code, "zw", "supervisor", "督查专员",
				  ROLE_SUPERVISOR, r->oversight_id, created, &uid, err)) < 0)
		return rc;
	for (int i = 0; i < NDEPT_TPLS; i++)
		order[i] = i;
	nd = (int)range(&rr, 4, 6);
	for (int i = 0; i < nd; i++) {
		int j = (int)range(&rr, i, NDEPT_TPLS - 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (int i = 0; i < nd; i++) {
		const struct dept_tpl *d = &dept_tpls[order[i]];
		char key[8];
		snprintf(name, sizeof(name), "%s%s", r->name, prov ? d->prov : d->city);
		snprintf(name_en, sizeof(name_en), "%s %s (synthetic)", r->code, d->en);
		if ((rc = insert_dept(g, c, r, i + 1, name, name_en, 0, created, &dept_ids[i],
				      err)) < 0)
			return rc;
		for (int k = 0; d->key[k] && k < 7; k++)
			key[k] = (char)(d->key[k] | 0x20), key[k + 1] = '\0';
		if ((rc = insert_official(g, c, &rr, r->code, key, "clerk", "受理员", ROLE_CLERK,
					  dept_ids[i], created, &uid, err)) < 0 ||
		    (rc = insert_official(g, c, &rr, r->code, key, "reviewer", "审批员",
					  ROLE_REVIEWER, dept_ids[i], created, &uid, err)) < 0 ||
		    (rc = insert_official(g, c, &rr, r->code, key, "supervisor", "督查员",
					  ROLE_SUPERVISOR, dept_ids[i], created, &owners[i], err)) <
			0)
			return rc;
	}

	int nreq = (int)range(&rr, 40, 80), seq[NDEPT_TPLS] = {0};
	double impl = clampd(0.5 + 0.45 * r->q + 0.1 * normal(&rr), 0.3, 1.0);
	r->first_item = g->nitems;
	for (int k = 0; k < nreq; k++) {
		int di = k % nd;
		const struct dept_tpl *d = &dept_tpls[order[di]];
		const struct item_tpl *t = &d->items[(k / nd) % 8];
		struct item_plan p;
		memset(&p, 0, sizeof(p));
		/* "S" (synthetic) keeps the codes apart from real items'. */
		snprintf(p.code, sizeof(p.code), "%s-%s-%s-S%03d", r->code, d->key, t->type,
			 ++seq[di]);
		snprintf(p.name, sizeof(p.name), "%s%s", t->name, variants[(k / (nd * 8)) % 4]);
		if ((rc = insert_required(c, r->code, p.code, p.name, err)) < 0)
			return rc;
		g->st->required_items++;
		add_rows(g, 1);
		int published = chance(&rr, impl);
		if (!published && !chance(&rr, 0.15))
			continue; /* a gap in the catalog: listed, never offered */
		snprintf(p.place, sizeof(p.place), "%s政务服务中心 %s 窗口", r->name,
			 prov ? d->prov : d->city);
		snprintf(p.conditions, sizeof(p.conditions), "符合%s法定条件的申请人。", t->name);
		snprintf(p.consult, sizeof(p.consult), "12345 政务服务便民热线；%s%s 咨询窗口",
			 r->name, prov ? d->prov : d->city);
		snprintf(p.complaint, sizeof(p.complaint), "12345 政务服务便民热线；%s%s", r->name,
			 OVERSIGHT_NAME);
		int bad = plan_item(&rr, r->q, t, &p);
		p.status = published ? "published" : "draft";
		p.created = created + range(&rr, 0, 200) * 86400;
		p.published = published ? p.created + range(&rr, 1, 20) * 86400 : 0;
		int64_t id = 0;
		int required = 0;
		if ((rc = insert_item(g, c, &rr, r, dept_ids[di], &p, &id, &required, err)) < 0)
			return rc;
		g->st->items++;
		if (!published)
			continue;
		g->st->published++;
		g->st->incomplete += bad;
		struct gen_item *it = push_item(g);
		it->id = id;
		it->dept_id = dept_ids[di];
		it->owner_id = owners[di];
		it->region = ri;
		it->promised = p.promised;
		it->depth = p.depth;
		it->max_visits = p.max_visits;
		it->required_materials = required;
		it->channels = p.channels;
	}
	r->nitems = g->nitems - r->first_item;

	/* GDP per capita and general budget revenue per capita, this year and
	 * last. */
	char year[8], prev[8];
	int y, m, d;
	date_to_ymd(date_of_time(g->now), &y, &m, &d);
	snprintf(year, sizeof(year), "%d", y);
	snprintf(prev, sizeof(prev), "%d", y - 1);
	double share = 0.07 + 0.06 * unit(&rr), growth = 0.03 + 0.05 * unit(&rr);
	if ((rc = insert_indicator(g, c, r->code, year, "gdp_per_capita", r->gdp, err)) < 0 ||
	    (rc = insert_indicator(g, c, r->code, prev, "gdp_per_capita", r->gdp / (1 + growth),
				   err)) < 0 ||
	    (rc = insert_indicator(g, c, r->code, year, "budget_revenue_per_capita", r->gdp * share,
				   err)) < 0 ||
	    (rc = insert_indicator(g, c, r->code, prev, "budget_revenue_per_capita",
				   r->gdp * share / (1 + growth), err)) < 0)
		return rc;

	char key[48], val[32];
	snprintf(key, sizeof(key), "demo_generate:%s", r->code);
	snprintf(val, sizeof(val), "%llu", (unsigned long long)g->o->seed);
	db_stmt *s = db_prepare(c, "INSERT INTO node_meta (key, value) VALUES (?1, ?2)", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, val);
	rc = db_step(s, err);
	db_reset(s);
	g->st->regions++;
	return rc < 0 ? rc : 0;
}

/* The applicants: citizens of each region (valid ID numbers of that region,
 * an unusable password hash), as many as the region's share of the cases
 * needs. */
static int
build_citizens(struct gen *g, db_conn *c, struct zt_err *err)
{
	int64_t total = g->o->cases / 25, alloc = 0;
	double wsum = 0;
	const int32_t born0 = date_from_ymd(1950, 1, 1);
	struct rng rr;
	int rc;

	if (total < 40LL * g->nregions)
		total = 40LL * g->nregions;
	if (total > 400000)
		total = 400000;
	for (int i = 0; i < g->nregions; i++)
		wsum += g->regions[i].weight;
	for (int i = 0; i < g->nregions; i++) {
		g->regions[i].cit_n = (int64_t)llround(total * g->regions[i].weight / wsum);
		if (g->regions[i].cit_n < 10)
			g->regions[i].cit_n = 10;
		alloc += g->regions[i].cit_n;
	}
	g->citizens = xcalloc((size_t)alloc, sizeof(*g->citizens));
	db_stmt *s = db_prepare(c,
				"INSERT INTO users (kind, login, name, id_number, phone,"
				" password_hash, created_at, id_number_enc) VALUES ('citizen', ?1,"
				" ?2, ?1, ?3, '!synthetic:no-login', ?4, ?5) ON CONFLICT DO NOTHING"
				" RETURNING id",
				err);
	if (s == NULL)
		return err->code;
	rng_seed(&rr, g->o->seed, 2000);
	for (int i = 0; i < g->nregions; i++) {
		struct gen_region *r = &g->regions[i];
		int64_t k = 0;
		r->cit_first = g->ncitizens;
		for (int64_t n = 0; n < r->cit_n; k++) {
			char first17[18], idn[19], name[32], phone[12];
			int y, m, d;
			if (k >= 20000LL * 1000)
				return err_set(err, ZT_EINTERNAL, "", "citizens",
					       "no free ID numbers left in %s", r->code);
			/* Distinct (birth date, sequence) for every k. */
			date_to_ymd(born0 + (int32_t)((k * 7919) % 20000), &y, &m, &d);
			snprintf(first17, sizeof(first17), "%s%04d%02d%02d%03d", r->code, y, m, d,
				 (int)((k / 20000) % 1000));
			snprintf(idn, sizeof(idn), "%s%c", first17, ident_id_check_char(first17));
			person_name(&rr, name);
			snprintf(phone, sizeof(phone), "1%d%09lld", (int)range(&rr, 3, 9),
				 (long long)range(&rr, 0, 999999999));
			/* Encryption at rest (crypto/fieldenc.h): the ID number
			 * as its blind index and encrypted, the phone encrypted. */
			char idx[FIELDENC_IDX_LEN];
			fieldenc_index(idn, idx);
			char *eid = fieldenc_encrypt_str(idn),
			     *ephone = fieldenc_encrypt_str(phone);
			db_reset(s);
			db_bind_text(s, 1, idx);
			db_bind_text(s, 2, name);
			db_bind_text(s, 3, ephone);
			db_bind_int(s, 4, g->t_start - 86400);
			db_bind_text(s, 5, eid);
			rc = db_step(s, err);
			free(eid);
			free(ephone);
			if (rc < 0)
				return rc;
			if (rc != DB_ROW)
				continue; /* that ID number is registered: try the next */
			g->citizens[g->ncitizens++] = db_col_int(s, 0);
			n++;
		}
		db_reset(s);
	}
	g->st->citizens = g->ncitizens;
	add_rows(g, g->ncitizens);
	return 0;
}

/* Popularity of the items (log-normal) and size of the regions, as
 * cumulative weights for drawing cases. */
static void
plan_weights(struct gen *g)
{
	struct rng rr;

	rng_seed(&rr, g->o->seed, 3000);
	g->region_cum = xcalloc((size_t)g->nregions, sizeof(double));
	double acc = 0;
	for (int i = 0; i < g->nregions; i++) {
		struct gen_region *r = &g->regions[i];
		/* A region without published items gets no cases. */
		acc += r->nitems ? r->weight : 0;
		g->region_cum[i] = acc;
		r->item_cum = xcalloc((size_t)(r->nitems ? r->nitems : 1), sizeof(double));
		double ia = 0;
		for (int k = 0; k < r->nitems; k++) {
			ia += exp(1.1 * normal(&rr));
			r->item_cum[k] = ia;
		}
	}
}

static int
tx_structure(db_conn *c, void *arg, struct zt_err *err)
{
	struct gen *g = arg;
	int rc;

	if ((rc = check_fresh(g, c, err)) < 0)
		return rc;
	for (int i = 0; i < g->nregions; i++)
		if ((rc = build_region(g, c, i, err)) < 0)
			return rc;
	if ((rc = build_citizens(g, c, err)) < 0)
		return rc;
	json_t *regions = json_array();
	for (int i = 0; i < g->nregions; i++)
		json_array_append_new(regions, json_string(g->regions[i].code));
	char seed[24];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)g->o->seed);
	json_t *d = json_pack(
	    "{s:s, s:o, s:s, s:i, s:I, s:i, s:i, s:i, s:i, s:I}", "parent", g->o->parent, "regions",
	    regions, "seed", seed, "months", g->o->months, "cases", (json_int_t)g->o->cases,
	    "departments", g->st->departments, "officials", g->st->officials, "required_items",
	    g->st->required_items, "items", g->st->items, "citizens", (json_int_t)g->st->citizens);
	char obj[48];
	snprintf(obj, sizeof(obj), "region:%s", g->o->parent);
	rc = audit_append(c, 0, "demo.generate", obj, d, err);
	json_decref(d);
	return rc;
}

/* ---- cases ---- */

struct case_rec {
	const struct gen_item *it;
	const struct gen_region *r;
	int64_t applicant;
	const char *state, *phase, *channel;
	int64_t sub, acc, dec, dlv, updated;	 /* 0 = NULL */
	int32_t clock_start, paused_on, due_day; /* paused_on -1 = NULL */
	int clock_limit, pause_wd, visits, exempted, stars;
	int64_t due_at, warn_at;
	int64_t rated_at;   /* 0 = not rated */
	int64_t sup_closed; /* bad rating item closed at, 0 = open */
};

static const char *const good_comments[] = {"办理顺畅，服务满意", "网上就能办，省时省力",
					    "工作人员很耐心", "比承诺时间还快"};
static const char *const mid_comments[] = {"基本满意", "流程还可以再简化"};
static const char *const bad_comments[] = {"等了很久没有进展", "要求反复补交材料",
					   "窗口排队时间太长", "电话咨询无人接听"};
static const char *const outcomes[] = {
    "已回访申请人，说明办理进度并致歉，优化了内部审批流转。",
    "已核实情况，对相关工作人员进行提醒谈话，补充了一次性告知清单。",
    "已联系申请人完成办理，增加窗口高峰时段人员。"};

/* A moment on day (working hours) that is after `after`. */
static int64_t
event_after(struct rng *r, int32_t day, int64_t after)
{
	int64_t t = at_work(r, day);

	return t > after ? t : after + range(r, 120, 5400);
}

static void
set_deadline(struct case_rec *cr, int32_t start, int limit, int pause)
{
	struct deadline dl;

	calendar_deadline(workcal(), start, limit, pause, &dl);
	cr->clock_start = start;
	cr->clock_limit = limit;
	cr->pause_wd = pause;
	cr->due_day = dl.due;
	cr->due_at = workcal_end_of_day(dl.due);
	cr->warn_at = date_start_time(dl.warn);
}

static const char *
pick_channel(struct rng *rr, const struct gen_item *it, double q)
{
	unsigned ch = it->channels;
	double p_online = (ch & (CH_WEB | CH_MOBILE))
			      ? clampd(0.25 + 0.65 * q + 0.05 * (it->depth - 4), 0.02, 0.97)
			      : 0.0;

	if (!(ch & (CH_WINDOW | CH_SELF_SERVICE | CH_MAIL)))
		p_online = 1.0;
	if (chance(rr, p_online)) {
		if ((ch & CH_MOBILE) && (!(ch & CH_WEB) || chance(rr, 0.45)))
			return "mobile";
		return "web";
	}
	double u = unit(rr);
	if ((ch & CH_MAIL) && u < 0.08)
		return "mail";
	if ((ch & CH_SELF_SERVICE) && u < 0.25)
		return "self_service";
	if (ch & CH_WINDOW)
		return "window";
	return (ch & CH_SELF_SERVICE) ? "self_service" : "mail";
}

/* Draws case i (of M, in submission order) and its whole history, then
 * keeps what has happened by now. */
static void
gen_case(struct gen *g, int64_t i, struct case_rec *cr)
{
	struct rng *rr = &g->crng;
	const struct calendar *cal = workcal();
	int64_t now = g->now, span = g->now - g->t_start;
	memset(cr, 0, sizeof(*cr));

	int ri = pick_cum(g->region_cum, g->nregions, unit(rr));
	const struct gen_region *r = cr->r = &g->regions[ri];
	cr->it = &g->items[r->first_item + pick_cum(r->item_cum, r->nitems, unit(rr))];
	const struct gen_item *it = cr->it;
	double q = r->q;
	/* Applicants come from a window of the region's citizens that moves
	 * with time (people apply for a few things around a life event); it
	 * also keeps the applicant indexes' inserts local. */
	int64_t w = r->cit_n / 50 > 25 ? r->cit_n / 50 : 25;
	int64_t pos =
	    (int64_t)((double)i / (double)g->o->cases * (double)r->cit_n) + range(rr, -w, w);
	pos %= r->cit_n;
	cr->applicant = g->citizens[r->cit_first + (pos < 0 ? pos + r->cit_n : pos)];
	cr->channel = pick_channel(rr, it, q);
	int online = strcmp(cr->channel, "web") == 0 || strcmp(cr->channel, "mobile") == 0;

	/* Submitted: spread evenly over the window; in person only on working
	 * days during office hours. */
	int64_t sub =
	    g->t_start + (int64_t)(((double)i + unit(rr)) * (double)span / (double)g->o->cases);
	if (!online && strcmp(cr->channel, "mail") != 0) {
		int32_t day = date_of_time(sub);
		while (!calendar_is_workday(cal, day))
			day++;
		sub = at_work(rr, day);
	}
	if (sub >= now)
		sub = now - range(rr, 60, 3600);
	cr->sub = sub;
	int32_t sday = date_of_time(sub);

	/* The whole history, drawn up front. */
	int not_acc = chance(rr, 0.015 + 0.03 * (1 - q));
	int supp = chance(rr, 0.03 + 0.09 * (1 - q));
	int stall = chance(rr, 0.004 + 0.03 * (1 - q));
	int slow = chance(rr, 0.01 + 0.04 * (1 - q));
	int deny = chance(rr, 0.04 + 0.04 * (1 - q));
	int64_t t = sub, supp_at = 0, resub_at = 0;
	int32_t day = sday, supp_day = 0;
	int pause = 0;
	if (supp) {
		supp_day = calendar_add_workdays(cal, sday, (int)range(rr, 0, 2));
		supp_at = event_after(rr, supp_day, sub);
		resub_at = supp_at + range(rr, 4 * 3600, 8 * 86400);
		day = date_of_time(resub_at);
		pause = calendar_workdays_between(cal, supp_day, day);
		t = resub_at;
	}
	int awd = slow ? cfg.accept_days + (int)range(rr, 1, 8)
		       : (int)range(rr, 0, 1 + (int)(3 * (1 - q)));
	int32_t aday = calendar_add_workdays(cal, day, awd);
	int64_t acc = event_after(rr, aday, t);
	int P = it->promised;
	int dwd = (int)lround(P * clampd(0.2 + 0.55 * (1 - q) + 0.3 * normal(rr), 0.0, 1.6));
	if (P == 0)
		dwd = chance(rr, 0.9) ? 0 : 1;
	if (stall)
		dwd = P + (int)range(rr, 3, 40);
	int32_t dday = calendar_add_workdays(cal, aday, dwd);
	int64_t dec = event_after(rr, dday, acc);
	int64_t dlv = event_after(rr, calendar_add_workdays(cal, dday, (int)range(rr, 0, 2)), dec);

	/* Where the case stands now. */
	cr->paused_on = -1;
	set_deadline(cr, sday, cfg.accept_days, 0);
	int64_t fin = 0;
	if (supp && supp_at <= now && resub_at > now) {
		cr->state = "needs_supplement";
		cr->paused_on = supp_day;
		cr->updated = supp_at;
	} else if ((supp && supp_at > now) || acc > now) {
		cr->state = "submitted";
		if (supp && supp_at <= now)
			set_deadline(cr, sday, cfg.accept_days, pause);
		cr->updated = supp && supp_at <= now ? resub_at : sub;
	} else if (not_acc) {
		cr->state = "not_accepted";
		set_deadline(cr, sday, cfg.accept_days, pause);
		cr->dec = fin = acc;
	} else {
		cr->acc = acc;
		set_deadline(cr, aday, P, 0);
		if (dec > now)
			cr->state = "accepted";
		else if (deny)
			cr->state = "denied", cr->dec = fin = dec;
		else if (dlv > now)
			cr->state = "approved", cr->dec = dec;
		else
			cr->state = "delivered", cr->dec = dec, cr->dlv = fin = dlv;
	}
	cr->phase = cr->dec ? "closed" : cr->acc ? "decision" : "acceptance";
	if (!cr->updated)
		cr->updated = cr->dlv ? cr->dlv : cr->dec ? cr->dec : cr->acc ? cr->acc : sub;

	/* Trips to an office: in-person submission, supplements, collection. */
	int in_person =
	    strcmp(cr->channel, "window") == 0 || strcmp(cr->channel, "self_service") == 0;
	int v = in_person;
	if (supp && supp_at <= now && (in_person || chance(rr, 0.3 * (1 - q))))
		v++;
	if (cr->dlv && it->max_visits > 0 && chance(rr, in_person ? 0.7 : 0.3))
		v++;
	if (online && chance(rr, 0.15 * (1 - q)))
		v++;
	cr->visits = v > 3 ? 3 : v;
	double pex = online ? 0.05 + 0.55 * q : 0.02 + 0.2 * q;
	for (int k = 0; k < it->required_materials; k++)
		cr->exempted += chance(rr, pex);

	/* About 40% of finished cases are rated. */
	int rate = chance(rr, 0.4);
	int64_t rated_at = fin + range(rr, 300, 3 * 86400);
	int late = cr->dec && cr->dec > cr->due_at;
	double mu = 2.7 + 2.1 * q - (late ? 1.2 : 0) - (cr->dlv ? 0 : 0.9) - 0.25 * cr->visits;
	int stars = (int)lround(mu + 0.85 * normal(rr));
	int close = chance(rr, 0.3 + 0.65 * q);
	int32_t cday = calendar_add_workdays(cal, date_of_time(rated_at), (int)range(rr, 1, 20));
	int64_t closed_at = event_after(rr, cday, rated_at);
	if (fin && rate && rated_at <= now) {
		cr->rated_at = rated_at;
		cr->stars = stars < 1 ? 1 : stars > 5 ? 5 : stars;
		if (cr->stars <= 2 && close && closed_at <= now)
			cr->sup_closed = closed_at;
	}
}

struct batch {
	struct gen *g;
	int64_t n;
};

/* Ids for n new cases: on SQLite above the largest (the transaction holds
 * the write lock); on PostgreSQL from the identity sequence. */
static int
reserve_ids(db_conn *c, int64_t n, int64_t *ids, struct zt_err *err)
{
	db_stmt *s;
	int rc;

	if (db_kind() == DB_SQLITE) {
		s = db_prepare(c, "SELECT coalesce(max(id), 0) FROM cases", err);
		if (s == NULL)
			return err->code;
		rc = db_step(s, err);
		int64_t base = rc == DB_ROW ? db_col_int(s, 0) : 0;
		db_reset(s);
		for (int64_t k = 0; k < n; k++)
			ids[k] = base + 1 + k;
		return rc < 0 ? rc : 0;
	}
	s = db_prepare(c,
		       "SELECT nextval(pg_get_serial_sequence('cases', 'id'))"
		       " FROM generate_series(1, CAST(?1 AS INTEGER))",
		       err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, n);
	int64_t k = 0;
	while ((rc = db_step(s, err)) == DB_ROW && k < n)
		ids[k++] = db_col_int(s, 0);
	db_reset(s);
	if (rc < 0)
		return rc;
	return k == n ? 0 : err_set(err, ZT_EINTERNAL, "", "db", "cannot reserve case ids");
}

/* Rows are written many to a statement on SQLite (a statement's fixed cost
 * - cursors on the table and its seven indexes, the statement journal - is
 * most of the cost of a single-row insert) and one at a time on
 * PostgreSQL (whose backend binds at most 32 parameters). */
#define BULK_ROWS    200
#define BULK_MAXCOLS 26

struct bval {
	int64_t i;
	const char *s; /* text, or NULL: i is an integer (is_null: NULL) */
	int is_null;
};

struct bulk {
	const char *head; /* "INSERT INTO t (a, b) VALUES " */
	int ncols, nrows, per_stmt;
	char *sql_one, *sql_many;
	struct bval v[BULK_ROWS][BULK_MAXCOLS];
	char text[BULK_ROWS][160]; /* strings owned by a row */
};

static void
bulk_init(struct bulk *b, const char *head, int ncols)
{
	struct buf sql;

	memset(b, 0, sizeof(*b));
	b->head = head;
	b->ncols = ncols;
	b->per_stmt = db_kind() == DB_SQLITE ? BULK_ROWS : 1;
	for (int many = 0; many < 2; many++) {
		buf_init(&sql);
		buf_puts(&sql, head);
		for (int r = 0; r < (many ? b->per_stmt : 1); r++) {
			buf_puts(&sql, r ? ",(" : "(");
			for (int k = 0; k < ncols; k++)
				buf_printf(&sql, "%s?%d", k ? "," : "", r * ncols + k + 1);
			buf_puts(&sql, ")");
		}
		if (many)
			b->sql_many = buf_take(&sql, NULL);
		else
			b->sql_one = buf_take(&sql, NULL);
	}
}

static void
bulk_cleanup(struct bulk *b)
{
	free(b->sql_one);
	free(b->sql_many);
}

static struct bval *
bulk_row(struct bulk *b)
{
	return b->v[b->nrows++];
}

static void
bv_int(struct bval *v, int64_t i)
{
	v->i = i;
	v->s = NULL;
	v->is_null = 0;
}

/* 0 binds NULL. */
static void
bv_opt(struct bval *v, int64_t i)
{
	bv_int(v, i);
	v->is_null = i == 0;
}

static void
bv_text(struct bval *v, const char *s)
{
	v->s = s;
	v->is_null = s == NULL;
}

static int
bulk_run(struct bulk *b, db_conn *c, const char *sql, int from, int n, struct zt_err *err)
{
	db_stmt *s = db_prepare_dyn(c, sql, err);

	if (s == NULL)
		return err->code;
	for (int r = 0; r < n; r++)
		for (int k = 0; k < b->ncols; k++) {
			const struct bval *v = &b->v[from + r][k];
			int idx = r * b->ncols + k + 1;
			if (v->is_null)
				db_bind_null(s, idx);
			else if (v->s)
				db_bind_text(s, idx, v->s);
			else
				db_bind_int(s, idx, v->i);
		}
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

/* Writes the buffered rows: whole groups of per_stmt, the rest singly. */
static int
bulk_flush(struct bulk *b, db_conn *c, struct zt_err *err)
{
	int r = 0, rc = 0;

	for (; rc == 0 && b->nrows - r >= b->per_stmt && b->per_stmt > 1; r += b->per_stmt)
		rc = bulk_run(b, c, b->sql_many, r, b->per_stmt, err);
	for (; rc == 0 && r < b->nrows; r++)
		rc = bulk_run(b, c, b->sql_one, r, 1, err);
	b->nrows = 0;
	return rc;
}

struct case_writer {
	struct bulk cases, ratings, sup;
};

static void
writer_init(struct case_writer *w)
{
	bulk_init(&w->cases,
		  "INSERT INTO cases (id, case_no, item_id, dept_id, applicant_id, state, form,"
		  " submitted_at, accepted_at, decided_at, delivered_at, promised_days, phase,"
		  " clock_start, clock_limit, pause_wd, paused_on, due_day, due_at, warn_at,"
		  " visits, rated, updated_at, channel, stars, exempted) VALUES ",
		  25 + 1);
	bulk_init(&w->ratings,
		  "INSERT INTO ratings (case_id, applicant_id, stars, comment, at) VALUES ", 5);
	bulk_init(&w->sup,
		  "INSERT INTO supervision_items (kind, case_id, dept_id, owner_id, title,"
		  " opened_at, due_day, due_at, status, outcome, closed_at, closed_by) VALUES ",
		  12);
}

static void
writer_cleanup(struct case_writer *w)
{
	bulk_cleanup(&w->cases);
	bulk_cleanup(&w->ratings);
	bulk_cleanup(&w->sup);
}

static int
writer_flush(struct case_writer *w, db_conn *c, struct zt_err *err)
{
	int rc;

	if ((rc = bulk_flush(&w->cases, c, err)) < 0 || (rc = bulk_flush(&w->ratings, c, err)) < 0)
		return rc;
	return bulk_flush(&w->sup, c, err);
}

/* Buffers a case, its rating and its bad-rating supervision item (a
 * flush writes them in that order, so references hold). */
static int
add_case(struct gen *g, struct case_writer *w, db_conn *c, int64_t id, const struct case_rec *cr,
	 struct zt_err *err)
{
	char ymd[11];
	int rc;

	if (w->cases.nrows == BULK_ROWS || w->ratings.nrows == BULK_ROWS ||
	    w->sup.nrows == BULK_ROWS)
		if ((rc = writer_flush(w, c, err)) < 0)
			return rc;
	int slot = w->cases.nrows;
	char *no = w->cases.text[slot];
	struct bval *v = bulk_row(&w->cases);
	date_format(date_of_time(cr->sub), ymd);
	snprintf(no, 160, "%s%.4s%.2s%.2s%06lld", cr->r->code, ymd, ymd + 5, ymd + 8,
		 (long long)id);
	bv_int(&v[0], id);
	bv_text(&v[1], no);
	bv_int(&v[2], cr->it->id);
	bv_int(&v[3], cr->it->dept_id);
	bv_int(&v[4], cr->applicant);
	bv_text(&v[5], cr->state);
	bv_text(&v[6], "{\"synthetic\":true}");
	bv_int(&v[7], cr->sub);
	bv_opt(&v[8], cr->acc);
	bv_opt(&v[9], cr->dec);
	bv_opt(&v[10], cr->dlv);
	bv_int(&v[11], cr->it->promised);
	bv_text(&v[12], cr->phase);
	bv_int(&v[13], cr->clock_start);
	bv_int(&v[14], cr->clock_limit);
	bv_int(&v[15], cr->pause_wd);
	bv_int(&v[16], cr->paused_on);
	v[16].is_null = cr->paused_on < 0;
	bv_int(&v[17], cr->due_day);
	bv_int(&v[18], cr->due_at);
	bv_int(&v[19], cr->warn_at);
	bv_int(&v[20], cr->visits);
	bv_int(&v[21], cr->stars ? 1 : 0);
	bv_int(&v[22], cr->updated);
	bv_text(&v[23], cr->channel);
	bv_opt(&v[24], cr->stars);
	bv_int(&v[25], cr->exempted);
	g->st->cases++;
	add_rows(g, 1);
	if (!cr->stars)
		return 0;

	v = bulk_row(&w->ratings);
	bv_int(&v[0], id);
	bv_int(&v[1], cr->applicant);
	bv_int(&v[2], cr->stars);
	bv_text(&v[3], cr->stars >= 4	? good_comments[id % NELEM(good_comments)]
		       : cr->stars == 3 ? mid_comments[id % NELEM(mid_comments)]
					: bad_comments[id % NELEM(bad_comments)]);
	bv_int(&v[4], cr->rated_at);
	g->st->ratings++;
	add_rows(g, 1);
	if (cr->stars > 2)
		return 0;

	/* 差评整改: owned by the department's supervisor, rectify_days
	 * working days. */
	int32_t due =
	    calendar_add_workdays(workcal(), date_of_time(cr->rated_at), cfg.rectify_days);
	char *title = w->sup.text[w->sup.nrows], case_no[48];
	snprintf(case_no, sizeof(case_no), "%s", no);
	snprintf(title, 160, "差评整改：办件 %s 评价 %d 星", case_no, cr->stars);
	v = bulk_row(&w->sup);
	bv_text(&v[0], "bad_rating");
	bv_int(&v[1], id);
	bv_int(&v[2], cr->it->dept_id);
	bv_int(&v[3], cr->it->owner_id);
	bv_text(&v[4], title);
	bv_int(&v[5], cr->rated_at);
	bv_int(&v[6], due);
	bv_int(&v[7], workcal_end_of_day(due));
	bv_text(&v[8], cr->sup_closed ? "closed" : "open");
	bv_text(&v[9], cr->sup_closed ? outcomes[id % NELEM(outcomes)] : NULL);
	bv_opt(&v[10], cr->sup_closed);
	bv_opt(&v[11], cr->sup_closed ? cr->it->owner_id : 0);
	g->st->supervision++;
	g->st->supervision_closed += cr->sup_closed != 0;
	add_rows(g, 1);
	return 0;
}

static int
tx_cases(db_conn *c, void *arg, struct zt_err *err)
{
	struct batch *b = arg;
	struct gen *g = b->g;
	int64_t *ids = xcalloc((size_t)b->n, sizeof(*ids));
	struct case_writer *w = xmalloc(sizeof(*w));
	struct case_rec cr;
	int rc;

	writer_init(w);
	if ((rc = reserve_ids(c, b->n, ids, err)) < 0)
		goto out;
	for (int64_t k = 0; k < b->n; k++) {
		gen_case(g, g->done + k, &cr);
		if ((rc = add_case(g, w, c, ids[k], &cr, err)) < 0)
			goto out;
		if (g->progress && (k + 1) % DEMO_GEN_PROGRESS == 0 && k + 1 < b->n)
			g->progress(g->ctx, g->done + k + 1, g->o->cases, g->st->rows);
	}
	rc = writer_flush(w, c, err);
out:
	writer_cleanup(w);
	free(w);
	free(ids);
	return rc;
}

/* The first day of the month `months` before now's month (same day of the
 * month, at most the 28th), 00:00 China time. */
static int64_t
months_back(int64_t now, int months)
{
	int y, m, d;

	date_to_ymd(date_of_time(now), &y, &m, &d);
	int k = y * 12 + (m - 1) - months;
	return date_start_time(date_from_ymd(k / 12, k % 12 + 1, d > 28 ? 28 : d));
}

static void
gen_free(struct gen *g)
{
	for (int i = 0; i < g->nregions; i++)
		free(g->regions[i].item_cum);
	free(g->regions);
	free(g->items);
	free(g->citizens);
	free(g->region_cum);
}

int
demo_generate(const struct demo_gen_opts *opts, demo_gen_progress_fn progress, void *ctx,
	      struct demo_gen_stats *st, struct zt_err *err)
{
	struct gen g;
	db_conn *c = db_cli_conn();
	int rc;

	memset(&g, 0, sizeof(g));
	memset(st, 0, sizeof(*st));
	g.o = opts;
	g.st = st;
	g.progress = progress;
	g.ctx = ctx;
	g.now = clock_now();
	g.t_start = months_back(g.now, opts->months);
	rng_seed(&g.crng, opts->seed, 4000);
	if ((rc = demo_generate_available(opts->parent, err)) < 0)
		goto out;
	if ((rc = load_regions(&g, c, err)) < 0 || (rc = check_fresh(&g, c, err)) < 0)
		goto out;
	snprintf(st->first_region, sizeof(st->first_region), "%s", g.regions[0].code);
	snprintf(st->last_region, sizeof(st->last_region), "%s", g.regions[g.nregions - 1].code);
	/* Bulk inserts into big indexes want a large page cache (256 MiB). */
	if (db_kind() == DB_SQLITE && (rc = db_exec(c, "PRAGMA cache_size = -262144", err)) < 0)
		goto out;
	/* Every reference is to a row just written or looked up: foreign key
	 * checks (a parent lookup per reference) are off while it runs. */
	if (db_kind() == DB_SQLITE && (rc = db_exec(c, "PRAGMA foreign_keys = OFF", err)) < 0)
		goto out;
	plan_economy(&g);
	if ((rc = db_write(tx_structure, &g, err)) < 0)
		goto out;
	plan_weights(&g);
	if (progress)
		progress(ctx, 0, opts->cases, st->rows);
	while (g.done < opts->cases) {
		struct batch b = {&g, opts->cases - g.done};
		if (b.n > DEMO_GEN_BATCH)
			b.n = DEMO_GEN_BATCH;
		if (g.region_cum[g.nregions - 1] <= 0) {
			rc = err_set(err, ZT_ERULE, "--regions", "no_items",
				     "no published items to file cases against");
			goto out;
		}
		if ((rc = db_write(tx_cases, &b, err)) < 0)
			goto out;
		g.done += b.n;
		if (progress)
			progress(ctx, g.done, opts->cases, st->rows);
	}
	rc = 0;
out:
	if (db_kind() == DB_SQLITE) {
		struct zt_err ignored;
		db_exec(c, "PRAGMA foreign_keys = ON", &ignored);
	}
	gen_free(&g);
	return rc;
}
