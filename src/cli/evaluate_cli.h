/* evaluate_cli.h - `zhengtong evaluate` and `zhengtong indicators import`. */
#ifndef ZT_EVALUATE_CLI_H
#define ZT_EVALUATE_CLI_H

#define CLI_EVALUATE_USAGE                                                                         \
	"zhengtong evaluate --period P [--parent CODE] [--format table|csv|json|html]\n"           \
	"                   [--lang zh|en] [--config FILE]"
#define CLI_EVALUATE_HELP                                                                          \
	"Evaluates every region with departments (or, with --parent, the regions directly\n"       \
	"below CODE) for the period P: a year 2026, a quarter 2026-Q3 or a month 2026-09.\n"       \
	"Five indicators (coverage, guide, maturity, channels, effectiveness) from the\n"          \
	"node's data, the weighted composite, grade and rank among regions with the same\n"        \
	"parent, and the change since the previous period. Weights and grade bands come from\n"    \
	"eval_weights and eval_bands in the configuration. Formats: an aligned table\n"            \
	"(default), CSV (RFC 4180), the API's JSON, or one self-contained HTML report that\n"      \
	"prints to A4 PDF. See docs/evaluation.md."
int cli_evaluate(int argc, char **argv);

#define CLI_INDICATORS_IMPORT_USAGE                                                                \
	"zhengtong indicators import FILE.csv [--source TEXT] [--config FILE]"
#define CLI_INDICATORS_IMPORT_HELP                                                                 \
	"Imports external indicators (GDP per capita, budget revenue, outside survey scores)\n"    \
	"from a UTF-8 CSV file with the header region_code,period,indicator,value. Every row\n"    \
	"is checked (known region, valid period, name [a-z0-9_]{1,40}, finite number, no\n"        \
	"duplicate); every bad row is listed with its line, field and reason and then nothing\n"   \
	"is imported. Otherwise all rows are upserted in one transaction. --source (default:\n"    \
	"the file name) is stored with the values. Exit 0 when imported, 1 otherwise."
int cli_indicators_import(int argc, char **argv);

#endif
