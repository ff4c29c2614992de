/* org.c - regions and departments. */
#include "domain/org.h"
#include "domain/audit.h"
#include "base/clock.h"
#include "base/ident.h"

#include <stdio.h>
#include <string.h>

static const struct region {
	const char *code, *name, *name_en, *level, *parent;
} seed[] = {
    {"000000", "中华人民共和国", "People's Republic of China", "national", NULL},
    {"110000", "北京市", "Beijing", "province", "000000"},
    {"120000", "天津市", "Tianjin", "province", "000000"},
    {"130000", "河北省", "Hebei", "province", "000000"},
    {"140000", "山西省", "Shanxi", "province", "000000"},
    {"150000", "内蒙古自治区", "Inner Mongolia", "province", "000000"},
    {"210000", "辽宁省", "Liaoning", "province", "000000"},
    {"220000", "吉林省", "Jilin", "province", "000000"},
    {"230000", "黑龙江省", "Heilongjiang", "province", "000000"},
    {"310000", "上海市", "Shanghai", "province", "000000"},
    {"320000", "江苏省", "Jiangsu", "province", "000000"},
    {"330000", "浙江省", "Zhejiang", "province", "000000"},
    {"340000", "安徽省", "Anhui", "province", "000000"},
    {"350000", "福建省", "Fujian", "province", "000000"},
    {"360000", "江西省", "Jiangxi", "province", "000000"},
    {"370000", "山东省", "Shandong", "province", "000000"},
    {"410000", "河南省", "Henan", "province", "000000"},
    {"420000", "湖北省", "Hubei", "province", "000000"},
    {"430000", "湖南省", "Hunan", "province", "000000"},
    {"440000", "广东省", "Guangdong", "province", "000000"},
    {"450000", "广西壮族自治区", "Guangxi", "province", "000000"},
    {"460000", "海南省", "Hainan", "province", "000000"},
    {"500000", "重庆市", "Chongqing", "province", "000000"},
    {"510000", "四川省", "Sichuan", "province", "000000"},
    {"520000", "贵州省", "Guizhou", "province", "000000"},
    {"530000", "云南省", "Yunnan", "province", "000000"},
    {"540000", "西藏自治区", "Tibet", "province", "000000"},
    {"610000", "陕西省", "Shaanxi", "province", "000000"},
    {"620000", "甘肃省", "Gansu", "province", "000000"},
    {"630000", "青海省", "Qinghai", "province", "000000"},
    {"640000", "宁夏回族自治区", "Ningxia", "province", "000000"},
    {"650000", "新疆维吾尔自治区", "Xinjiang", "province", "000000"},
    /* The demo node: Guizhou, with some of its cities and counties. */
    {"520100", "贵阳市", "Guiyang", "city", "520000"},
    {"520102", "南明区", "Nanming District", "county", "520100"},
    {"520103", "云岩区", "Yunyan District", "county", "520100"},
    {"520111", "花溪区", "Huaxi District", "county", "520100"},
    {"520122", "息烽县", "Xifeng County", "county", "520100"},
    {"520123", "修文县", "Xiuwen County", "county", "520100"},
    {"520200", "六盘水市", "Liupanshui", "city", "520000"},
    {"520201", "钟山区", "Zhongshan District", "county", "520200"},
    {"520300", "遵义市", "Zunyi", "city", "520000"},
    {"520302", "红花岗区", "Honghuagang District", "county", "520300"},
    {"520303", "汇川区", "Huichuan District", "county", "520300"},
    {"520322", "桐梓县", "Tongzi County", "county", "520300"},
    {"520400", "安顺市", "Anshun", "city", "520000"},
    {"520402", "西秀区", "Xixiu District", "county", "520400"},
};

int
org_seed_regions(db_conn *c, struct zt_err *err)
{
	db_stmt *s = db_prepare(c,
				"INSERT INTO regions (code, name, name_en, level, parent)"
				" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (code) DO NOTHING",
				err);
	if (s == NULL)
		return err->code;
	for (size_t i = 0; i < sizeof(seed) / sizeof(seed[0]); i++) {
		db_reset(s);
		db_bind_text(s, 1, seed[i].code);
		db_bind_text(s, 2, seed[i].name);
		db_bind_text(s, 3, seed[i].name_en);
		db_bind_text(s, 4, seed[i].level);
		db_bind_text(s, 5, seed[i].parent);
		int rc = db_step(s, err);
		if (rc < 0)
			return rc;
	}
	db_reset(s);
	return 0;
}

int
org_region_exists(db_conn *c, const char *code, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT 1 FROM regions WHERE code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, code);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : rc == DB_ROW;
}

int
org_dept_region(db_conn *c, int64_t dept_id, char out[8], struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "SELECT region_code FROM departments WHERE id = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, dept_id);
	int rc = db_step(s, err);
	out[0] = '\0';
	if (rc == DB_ROW)
		snprintf(out, 8, "%s", db_col_text(s, 0));
	db_reset(s);
	if (rc < 0)
		return rc;
	return rc == DB_ROW
		   ? 0
		   : err_set(err, ZT_ENOTFOUND, "dept_id", "not_found", "no such department");
}

struct dept_job {
	const struct dept_in *in;
	int64_t by;
	int64_t id;
};

static int
tx_add_dept(db_conn *c, void *arg, struct zt_err *err)
{
	struct dept_job *j = arg;
	char obj[32];
	int rc;

	if ((rc = org_region_exists(c, j->in->region_code, err)) < 0)
		return rc;
	if (rc == 0)
		return err_set(err, ZT_EINVAL, "region_code", "unknown", "unknown region %s",
			       j->in->region_code);
	db_stmt *s = db_prepare(c, "SELECT 1 FROM departments WHERE credit_code = ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->in->credit_code);
	rc = db_step(s, err);
	db_reset(s);
	if (rc < 0)
		return rc;
	if (rc == DB_ROW)
		return err_set(err, ZT_ECONFLICT, "credit_code", "taken",
			       "a department with this credit code exists");
	s = db_prepare(
	    c,
	    "INSERT INTO departments (credit_code, name, name_en, region_code, created_at,"
	    " oversight) VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id",
	    err);
	if (s == NULL)
		return err->code;
	db_bind_text(s, 1, j->in->credit_code);
	db_bind_text(s, 2, j->in->name);
	db_bind_text(s, 3, j->in->name_en ? j->in->name_en : "");
	db_bind_text(s, 4, j->in->region_code);
	db_bind_int(s, 5, clock_now());
	db_bind_int(s, 6, j->in->oversight ? 1 : 0);
	rc = db_step_id(s, &j->id, err);
	if (rc < 0)
		return rc;
	snprintf(obj, sizeof(obj), "department:%lld", (long long)j->id);
	json_t *d = json_pack("{s:s, s:s, s:s}", "credit_code", j->in->credit_code, "name",
			      j->in->name, "region_code", j->in->region_code);
	if (j->in->oversight)
		json_object_set_new(d, "oversight", json_true());
	rc = audit_append(c, j->by, "department.create", obj, d, err);
	json_decref(d);
	return rc;
}

int
org_add_department(const struct principal *by, const struct dept_in *in, int64_t *id,
		   struct zt_err *err)
{
	struct dept_job j = {in, by ? by->user_id : 0, 0};
	int rc;

	if ((rc = ident_check_credit_code(in->credit_code, err)) < 0)
		return rc;
	if ((rc = db_write(tx_add_dept, &j, err)) < 0)
		return rc;
	*id = j.id;
	return 0;
}

json_t *
org_regions_json(db_conn *c, const char *parent, struct zt_err *err)
{
	json_t *a = json_array();
	db_stmt *s = db_prepare(c,
				"SELECT code, name, name_en, level, parent FROM regions"
				" WHERE CAST(?1 AS TEXT) IS NULL OR parent = ?1 ORDER BY code",
				err);
	if (s == NULL) {
		json_decref(a);
		return NULL;
	}
	db_bind_text(s, 1, parent);
	while (db_step(s, err) == DB_ROW) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "code", db_col_text(s, 0), "name",
				      db_col_text(s, 1), "name_en", db_col_text(s, 2), "level",
				      db_col_text(s, 3));
		json_object_set_new(o, "parent",
				    db_col_isnull(s, 4) ? json_null()
							: json_string(db_col_text(s, 4)));
		json_array_append_new(a, o);
	}
	db_reset(s);
	return a;
}

json_t *
org_departments_json(db_conn *c, const char *region, struct zt_err *err)
{
	json_t *a = json_array();
	db_stmt *s =
	    db_prepare(c,
		       "SELECT d.id, d.credit_code, d.name, d.name_en, d.region_code, r.name,"
		       " d.oversight"
		       " FROM departments d JOIN regions r ON r.code = d.region_code"
		       " WHERE CAST(?1 AS TEXT) IS NULL OR d.region_code = ?1 ORDER BY d.id",
		       err);
	if (s == NULL) {
		json_decref(a);
		return NULL;
	}
	db_bind_text(s, 1, region);
	while (db_step(s, err) == DB_ROW)
		json_array_append_new(
		    a, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id",
				 (json_int_t)db_col_int(s, 0), "credit_code", db_col_text(s, 1),
				 "name", db_col_text(s, 2), "name_en", db_col_text(s, 3),
				 "region_code", db_col_text(s, 4), "region_name", db_col_text(s, 5),
				 "oversight", db_col_int(s, 6) == 1));
	db_reset(s);
	return a;
}
