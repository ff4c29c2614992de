/* evaluate_cli.c - `zhengtong evaluate` (the ranking as a table, CSV, the
 * API's JSON or a printable HTML report) and `zhengtong indicators import`
 * (external indicators from CSV, all or nothing). Both render documents of
 * domain/evaluate.h and domain/indicators.h; nothing is computed here. */
#include "cli/cli.h"
#include "cli/import_ui.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/config.h"
#include "db/db.h"
#include "domain/evaluate.h"
#include "domain/indicators.h"

#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON, FMT_HTML };

struct opts {
	const char *period, *parent;
	enum fmt fmt;
	int en;
};

static const char *const ind_zh[EVAL_NIND] = {"覆盖度", "准确度", "成熟度", "完备度", "成效度"};
static const char *const ind_en[EVAL_NIND] = {"Coverage", "Guide", "Maturity", "Channels",
					      "Effectiveness"};
static const char *const ind_long_zh[EVAL_NIND] = {
    "服务事项覆盖度", "办事指南准确度", "在线办理成熟度", "服务方式完备度", "在线服务成效度"};

/* Display label of a grade key: the four default grades are translated,
 * other configured ones shown as they are. */
static const char *
grade_label(const char *g, int en)
{
	static const char *const keys[] = {"very_high", "high", "medium", "low"};
	static const char *const zh[] = {"非常高", "高", "中", "低"};
	static const char *const eng[] = {"Very high", "High", "Medium", "Low"};

	if (g == NULL)
		return "-";
	for (int i = 0; i < 4; i++)
		if (strcmp(g, keys[i]) == 0)
			return en ? eng[i] : zh[i];
	return g;
}

/* Band index of a grade key in the document's bands (colours), or -1. */
static int
band_of(json_t *doc, const char *g)
{
	size_t i;
	json_t *b;

	json_array_foreach(json_object_get(doc, "bands"), i, b)
	{
		if (g && strcmp(json_string_value(json_object_get(b, "grade")), g) == 0)
			return (int)i;
	}
	return -1;
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* A number member formatted with 2 decimals ("" when null). */
static void
fmt_num(json_t *v, int sign, char *out, size_t cap)
{
	if (!json_is_number(v)) {
		snprintf(out, cap, "%s", "");
		return;
	}
	snprintf(out, cap, sign ? "%+.2f" : "%.2f", json_number_value(v));
}

static json_t *
ind_score(json_t *region, int i)
{
	return json_object_get(
	    json_object_get(json_object_get(region, "indicators"), eval_indicators[i].key),
	    "score");
}

static const char *
region_name(json_t *r, int en)
{
	const char *s = str(r, en ? "name_en" : "name");

	return s && *s ? s : str(r, "name");
}

/* ---- table ---- */

/* Terminal columns of a UTF-8 string: East Asian wide characters take 2. */
static int
display_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int w = 0;

	while (*p) {
		unsigned cp;
		int len;
		if (*p < 0x80)
			cp = *p, len = 1;
		else if (*p >= 0xF0)
			cp = (unsigned)(*p & 7), len = 4;
		else if (*p >= 0xE0)
			cp = (unsigned)(*p & 15), len = 3;
		else
			cp = (unsigned)(*p & 31), len = 2;
		for (int k = 1; k < len && p[k]; k++)
			cp = (cp << 6) | (p[k] & 63u);
		for (int k = 0; k < len && *p; k++)
			p++;
		int wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
			   (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
			   (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
			   (cp >= 0xFFE0 && cp <= 0xFFE6) || cp >= 0x20000;
		w += wide ? 2 : 1;
	}
	return w;
}

#define NCOLS 10

static void
pad(FILE *f, const char *s, int width, int right)
{
	int n = width - display_width(s);

	if (right)
		for (; n > 0; n--)
			fputc(' ', f);
	fputs(s, f);
	if (!right)
		for (; n > 0; n--)
			fputc(' ', f);
}

/* The cells of one region row. */
static void
row_cells(json_t *r, int en, char cells[NCOLS][128])
{
	json_t *rank = json_object_get(r, "rank");

	if (json_is_integer(rank))
		snprintf(cells[0], 128, "%lld", (long long)json_integer_value(rank));
	else
		snprintf(cells[0], 128, "-");
	snprintf(cells[1], 128, "%s", region_name(r, en));
	fmt_num(json_object_get(r, "composite"), 0, cells[2], 128);
	snprintf(cells[3], 128, "%s", grade_label(str(r, "grade"), en));
	for (int i = 0; i < EVAL_NIND; i++)
		fmt_num(ind_score(r, i), 0, cells[4 + i], 128);
	fmt_num(json_object_get(r, "change"), 1, cells[9], 128);
	for (int i = 0; i < NCOLS; i++)
		if (cells[i][0] == '\0')
			snprintf(cells[i], 128, "-");
}

/* The heading of a group of regions with the same parent: "上级 贵阳市
 * 520100", or the top of the tree. */
static void
group_title(json_t *regions, const char *parent, int en, char *out, size_t cap)
{
	json_t *r;
	size_t i;

	if (parent == NULL) {
		snprintf(out, cap, "%s", en ? "Top level" : "最上级");
		return;
	}
	json_array_foreach(regions, i, r)
	{
		const char *code = str(r, "code");
		if (code && strcmp(code, parent) == 0) {
			snprintf(out, cap, "%s %s %s", en ? "Under" : "上级",
				 str(r, en ? "name_en" : "name"), parent);
			return;
		}
	}
	snprintf(out, cap, "%s %s", en ? "Under" : "上级", parent);
}

static void
print_table(FILE *f, json_t *doc, int en)
{
	json_t *regions = json_object_get(doc, "regions"), *r;
	char head[NCOLS][128], cells[NCOLS][128];
	int width[NCOLS];
	size_t i;
	const char *last_parent = NULL;

	snprintf(head[0], 128, "%s", en ? "Rank" : "排名");
	snprintf(head[1], 128, "%s", en ? "Region" : "地区");
	snprintf(head[2], 128, "%s", en ? "Composite" : "综合指数");
	snprintf(head[3], 128, "%s", en ? "Grade" : "等级");
	for (int k = 0; k < EVAL_NIND; k++)
		snprintf(head[4 + k], 128, "%s", en ? ind_en[k] : ind_zh[k]);
	snprintf(head[9], 128, "%s", en ? "Change" : "变化");
	for (int k = 0; k < NCOLS; k++)
		width[k] = display_width(head[k]);
	json_array_foreach(regions, i, r)
	{
		row_cells(r, en, cells);
		for (int k = 0; k < NCOLS; k++)
			if (display_width(cells[k]) > width[k])
				width[k] = display_width(cells[k]);
	}
	fprintf(f, "%s %s (%s – %s), %s %s\n",
		en ? "Capability evaluation" : "一体化政务服务能力评估", str(doc, "period"),
		str(doc, "from"), str(doc, "to"), en ? "change since" : "变化对比",
		str(doc, "previous"));
	json_array_foreach(regions, i, r)
	{
		const char *parent = str(r, "parent");
		if (i == 0 || (parent == NULL) != (last_parent == NULL) ||
		    (parent && strcmp(parent, last_parent) != 0)) {
			char title[256];
			group_title(regions, parent, en, title, sizeof(title));
			fprintf(f, "\n%s\n", title);
			for (int k = 0; k < NCOLS; k++) {
				pad(f, head[k], width[k], k != 1 && k != 3);
				fputs(k + 1 < NCOLS ? "  " : "\n", f);
			}
		}
		last_parent = parent;
		row_cells(r, en, cells);
		for (int k = 0; k < NCOLS; k++) {
			pad(f, cells[k], width[k], k != 1 && k != 3);
			fputs(k + 1 < NCOLS ? "  " : "\n", f);
		}
	}
	if (json_array_size(regions) == 0)
		fprintf(f, "%s\n",
			en ? "No region has departments to evaluate." : "没有可评估的地区。");
}

/* ---- CSV ---- */

static void
csv_cell(FILE *f, const char *s, int last)
{
	if (s)
		cli_csv_value(f, s);
	fputs(last ? "\r\n" : ",", f);
}

static void
csv_num(FILE *f, json_t *v, int last)
{
	char b[64];

	if (json_is_integer(v))
		snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(v));
	else
		fmt_num(v, 0, b, sizeof(b));
	csv_cell(f, b, last);
}

static void
print_csv(FILE *f, json_t *doc)
{
	json_t *r;
	size_t i;

	fputs("period,rank,of,code,name,name_en,level,parent,composite,grade", f);
	for (int k = 0; k < EVAL_NIND; k++)
		fprintf(f, ",%s", eval_indicators[k].key);
	fputs(",previous_composite,previous_rank,change,cases,items,absent\r\n", f);
	json_array_foreach(json_object_get(doc, "regions"), i, r)
	{
		struct buf absent;
		json_t *a;
		size_t j;
		csv_cell(f, str(doc, "period"), 0);
		csv_num(f, json_object_get(r, "rank"), 0);
		csv_num(f, json_object_get(r, "of"), 0);
		csv_cell(f, str(r, "code"), 0);
		csv_cell(f, str(r, "name"), 0);
		csv_cell(f, str(r, "name_en"), 0);
		csv_cell(f, str(r, "level"), 0);
		csv_cell(f, str(r, "parent"), 0);
		csv_num(f, json_object_get(r, "composite"), 0);
		csv_cell(f, str(r, "grade"), 0);
		for (int k = 0; k < EVAL_NIND; k++)
			csv_num(f, ind_score(r, k), 0);
		csv_num(f, json_object_get(r, "previous_composite"), 0);
		csv_num(f, json_object_get(r, "previous_rank"), 0);
		csv_num(f, json_object_get(r, "change"), 0);
		csv_num(f, json_object_get(r, "cases"), 0);
		csv_num(f, json_object_get(r, "items"), 0);
		buf_init(&absent);
		json_array_foreach(json_object_get(r, "absent"), j, a)
		{
			if (j)
				buf_puts(&absent, " ");
			buf_puts(&absent, json_string_value(a));
		}
		csv_cell(f, absent.data ? absent.data : "", 1);
		buf_cleanup(&absent);
	}
}

/* ---- HTML ---- */

static const char *const band_colours[] = {"#1a7f37", "#2f6fdb", "#c28a00", "#cf222e",
					   "#6e7781", "#8c959f", "#afb8c1", "#d0d7de"};

static void
esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

static const char *
colour_of(json_t *doc, const char *grade)
{
	int b = band_of(doc, grade);

	return b >= 0 ? band_colours[b % 8] : "#d0d7de";
}

static void
html_head(FILE *f, json_t *doc, int en)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		en ? "en" : "zh-CN");
	fprintf(f, "<title>%s %s</title>\n",
		en ? "Capability evaluation" : "一体化政务服务能力评估", str(doc, "period"));
	fputs("<style>\n"
	      "body{font-family:\"Noto Sans CJK SC\",\"Source Han Sans SC\",\"PingFang SC\","
	      "\"Microsoft YaHei\",sans-serif;color:#1f2328;margin:24px;font-size:14px}\n"
	      "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}\n"
	      "p.meta{color:#57606a;margin:0 0 12px}\n"
	      "table{border-collapse:collapse;width:100%;margin:8px 0}\n"
	      "th,td{border:1px solid #d0d7de;padding:4px 6px;text-align:right}\n"
	      "th{background:#f6f8fa}td.t,th.t{text-align:left}\n"
	      ".legend span{display:inline-block;margin-right:14px}\n"
	      ".legend i{display:inline-block;width:12px;height:12px;margin-right:4px;"
	      "vertical-align:middle}\n"
	      ".regions{display:flex;flex-wrap:wrap;gap:12px}\n"
	      "figure.region{margin:0;border:1px solid #d0d7de;padding:8px;width:330px}\n"
	      "figure.region figcaption{font-weight:bold;margin-bottom:4px}\n"
	      "svg text{font-size:11px;fill:#1f2328}\n"
	      "@page{size:A4;margin:15mm}\n"
	      "@media print{body{margin:0;font-size:11px}"
	      "thead{display:table-header-group}"
	      "tr,figure,.chart{break-inside:avoid;page-break-inside:avoid}"
	      "h2{break-after:avoid;page-break-after:avoid}}\n"
	      "</style>\n</head>\n<body>\n",
	      f);
}

static void
html_legend(FILE *f, json_t *doc, int en)
{
	json_t *b;
	size_t i;

	fputs("<p class=\"legend\">", f);
	json_array_foreach(json_object_get(doc, "bands"), i, b)
	{
		fprintf(f, "<span><i style=\"background:%s\"></i>", band_colours[i % 8]);
		esc(f, grade_label(str(b, "grade"), en));
		fprintf(f, " ≥ %g</span>", json_number_value(json_object_get(b, "min")));
	}
	fputs("</p>\n", f);
}

static void
html_table(FILE *f, json_t *doc, json_t *rows, int en)
{
	char cells[NCOLS][128];
	json_t *r;
	size_t i;

	fprintf(f,
		"<table>\n<thead><tr><th>%s</th><th class=\"t\">%s</th><th>%s</th>"
		"<th class=\"t\">%s</th>",
		en ? "Rank" : "排名", en ? "Region" : "地区", en ? "Composite" : "综合指数",
		en ? "Grade" : "等级");
	for (int k = 0; k < EVAL_NIND; k++)
		fprintf(f, "<th>%s</th>", en ? ind_en[k] : ind_zh[k]);
	fprintf(f, "<th>%s</th></tr></thead>\n<tbody>\n", en ? "Change" : "变化");
	json_array_foreach(rows, i, r)
	{
		row_cells(r, en, cells);
		fputs("<tr>", f);
		for (int k = 0; k < NCOLS; k++) {
			if (k == 3)
				fprintf(
				    f,
				    "<td class=\"t\"><i style=\"display:inline-block;width:10px;"
				    "height:10px;background:%s;margin-right:4px\"></i>",
				    colour_of(doc, str(r, "grade")));
			else
				fputs(k == 1 ? "<td class=\"t\">" : "<td>", f);
			esc(f, cells[k]);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* Horizontal bars of the composites of rows, coloured by grade. */
static void
html_chart(FILE *f, json_t *doc, json_t *rows, int en)
{
	const int label = 130, barw = 440, h = 20, top = 8;
	size_t n = json_array_size(rows), i;
	json_t *r;

	fprintf(f,
		"<div class=\"chart\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" role=\"img\" aria-label=\"%s\">\n",
		label + barw + 60, top + (int)n * h + 24, en ? "Composite index" : "综合指数");
	for (int t = 0; t <= 100; t += 20) {
		int x = label + barw * t / 100;
		fprintf(f,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#d0d7de\"/>"
			"<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
			x, top, x, top + (int)n * h, x, top + (int)n * h + 14, t);
	}
	json_array_foreach(rows, i, r)
	{
		json_t *c = json_object_get(r, "composite");
		double v = json_is_number(c) ? json_number_value(c) : 0;
		int y = top + (int)i * h;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label - 6, y + 14);
		esc(f, region_name(r, en));
		fputs("</text>", f);
		if (json_is_number(c))
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%.1f\" y=\"%d\">%.2f</text>\n",
				label, y + 3, barw * fmax(0, fmin(v, 100)) / 100.0, h - 6,
				colour_of(doc, str(r, "grade")),
				label + barw * fmax(0, fmin(v, 100)) / 100.0 + 4, y + 14, v);
		else
			fprintf(f, "<text x=\"%d\" y=\"%d\">-</text>\n", label + 4, y + 14);
	}
	fputs("</svg></div>\n", f);
}

/* One region's five indicator bars. */
static void
html_region(FILE *f, json_t *doc, json_t *r, int en)
{
	const int label = 100, barw = 170, h = 18;

	fputs("<figure class=\"region\"><figcaption>", f);
	esc(f, region_name(r, en));
	fputs(" ", f);
	esc(f, str(r, "code"));
	fputs("</figcaption>\n", f);
	fprintf(
	    f,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n",
	    label + barw + 50, EVAL_NIND * h + 4);
	for (int k = 0; k < EVAL_NIND; k++) {
		json_t *s = ind_score(r, k);
		int y = k * h;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", label - 6,
			y + 13, en ? ind_en[k] : ind_long_zh[k]);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eaeef2\"/>",
			label, y + 3, barw, h - 6);
		if (json_is_number(s)) {
			double v = fmax(0, fmin(json_number_value(s), 100));
			fprintf(f,
				"<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"%d\">%.2f</text>\n",
				label, y + 3, barw * v / 100.0, h - 6,
				colour_of(doc, str(r, "grade")), label + barw + 4, y + 13,
				json_number_value(s));
		} else
			fprintf(f, "<text x=\"%d\" y=\"%d\">%s</text>\n", label + barw + 4, y + 13,
				en ? "absent" : "缺项");
	}
	fputs("</svg></figure>\n", f);
}

static void
print_html(FILE *f, json_t *doc, int en)
{
	json_t *regions = json_object_get(doc, "regions"), *r;
	size_t i = 0, n = json_array_size(regions);

	html_head(f, doc, en);
	fprintf(f, "<h1>%s %s</h1>\n", en ? "Capability evaluation" : "一体化政务服务能力评估",
		str(doc, "period"));
	fprintf(f, "<p class=\"meta\">%s %s – %s · %s %s · %s</p>\n", en ? "Period" : "评估期",
		str(doc, "from"), str(doc, "to"), en ? "change since" : "变化对比",
		str(doc, "previous"),
		en ? "ranks among regions with the same parent" : "排名按同一上级地区");
	html_legend(f, doc, en);
	while (i < n) {
		const char *parent = str(json_array_get(regions, i), "parent");
		json_t *group = json_array();
		for (; i < n; i++) {
			const char *p = str(json_array_get(regions, i), "parent");
			if ((p == NULL) != (parent == NULL) || (p && strcmp(p, parent) != 0))
				break;
			json_array_append(group, json_array_get(regions, i));
		}
		char title[256];
		group_title(regions, parent, en, title, sizeof(title));
		fputs("<h2>", f);
		esc(f, title);
		fputs("</h2>\n", f);
		html_table(f, doc, group, en);
		html_chart(f, doc, group, en);
		json_decref(group);
	}
	fprintf(f, "<h2>%s</h2>\n<div class=\"regions\">\n",
		en ? "Indicators by region" : "各地区分项指标");
	json_array_foreach(regions, i, r)
	{
		html_region(f, doc, r, en);
	}
	fputs("</div>\n</body>\n</html>\n", f);
}

/* ---- commands ---- */

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--period") == 0 && v)
			o->period = v, i++;
		else if (strcmp(a, "--parent") == 0 && v)
			o->parent = v, i++;
		else if (strcmp(a, "--format") == 0 && v) {
			static const char *const names[] = {"table", "csv", "json", "html"};
			int k;
			for (k = 0; k < 4 && strcmp(names[k], v) != 0; k++)
				;
			if (k == 4) {
				fprintf(stderr, "evaluate: --format is table, csv, json or html\n");
				return -1;
			}
			o->fmt = (enum fmt)k, i++;
		} else if (strcmp(a, "--lang") == 0 && v) {
			if (strcmp(v, "zh") != 0 && strcmp(v, "en") != 0) {
				fprintf(stderr, "evaluate: --lang is zh or en\n");
				return -1;
			}
			o->en = strcmp(v, "en") == 0, i++;
		} else {
			fprintf(stderr, "evaluate: unexpected argument %s\nusage: %s\n", a,
				CLI_EVALUATE_USAGE);
			return -1;
		}
	}
	if (o->period == NULL) {
		fprintf(stderr, "evaluate: --period is required\nusage: %s\n", CLI_EVALUATE_USAGE);
		return -1;
	}
	return 0;
}

int
cli_evaluate(int argc, char **argv)
{
	struct opts o;
	struct eval_config c;
	struct eval_period p;
	struct zt_err err;
	json_t *doc;

	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	err_clear(&err);
	if (eval_period_parse(o.period, &p, &err) < 0) {
		fprintf(stderr, "evaluate: --period %s: %s\n", o.period, err.msg);
		return 2;
	}
	if (cli_setup(0) < 0)
		return 1;
	if (eval_config_parse(cfg.eval_weights, cfg.eval_bands, &c, &err) < 0) {
		fprintf(stderr, "evaluate: configuration: %s\n", err.msg);
		cli_teardown();
		return 1;
	}
	uint64_t t0 = clock_mono_ns();
	doc = eval_ranking_json(db_cli_conn(), &c, &p, o.parent, &err);
	uint64_t t1 = clock_mono_ns();
	cli_teardown();
	if (doc == NULL) {
		fprintf(stderr, "evaluate: %s%s%s\n", err.field, err.field[0] ? ": " : "", err.msg);
		return 1;
	}
	switch (o.fmt) {
	case FMT_TABLE:
		print_table(stdout, doc, o.en);
		break;
	case FMT_CSV:
		print_csv(stdout, doc);
		break;
	case FMT_JSON: {
		char *s = json_dumps(doc, EVAL_JSON_FLAGS);
		puts(s);
		free(s);
		break;
	}
	case FMT_HTML:
		print_html(stdout, doc, o.en);
		break;
	}
	json_decref(doc);
	if (getenv("ZT_EVAL_TIMING"))
		fprintf(stderr, "evaluate: computed in %.3f s\n", (double)(t1 - t0) / 1e9);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- indicators import ---- */

int
cli_indicators_import(int argc, char **argv)
{
	const char *path = NULL, *source = NULL;
	struct indicators_result res;
	struct import_ui ui;
	struct zt_err err;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--source") == 0 && i + 1 < argc)
			source = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, "indicators import: unknown option %s\nusage: %s\n",
				argv[i], CLI_INDICATORS_IMPORT_USAGE);
			return 2;
		} else if (path == NULL)
			path = argv[i];
		else {
			fprintf(stderr, "indicators import: unexpected argument %s\nusage: %s\n",
				argv[i], CLI_INDICATORS_IMPORT_USAGE);
			return 2;
		}
	}
	if (path == NULL) {
		fprintf(stderr, "usage: %s\n", CLI_INDICATORS_IMPORT_USAGE);
		return 2;
	}
	if (source == NULL) {
		const char *slash = strrchr(path, '/');
		source = slash ? slash + 1 : path;
	}
	if (strlen(source) > INDICATORS_SOURCE_MAX) {
		fprintf(stderr, "indicators import: --source is at most %d bytes\n",
			INDICATORS_SOURCE_MAX);
		return 2;
	}
	FILE *in = import_ui_open(&ui, "indicators import", path);
	if (in == NULL)
		return 1;
	if (cli_setup(0) < 0) {
		import_ui_close(&ui, in);
		return 1;
	}
	struct import_hooks hooks = import_ui_hooks(&ui);
	err_clear(&err);
	rc = indicators_import(db_cli_conn(), in, source, &hooks, &res, &err);
	import_ui_close(&ui, in);
	cli_teardown();
	if (rc < 0) {
		fprintf(stderr, "indicators import: %s%s%s\n", err.field, err.field[0] ? ": " : "",
			err.msg);
		return 1;
	}
	printf("imported %lld rows (%lld inserted, %lld updated) from %s\n", (long long)res.rows,
	       (long long)res.inserted, (long long)res.updated, source);
	return 0;
}
