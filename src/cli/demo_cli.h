/* demo_cli.h - `zhengtong demo generate` and `zhengtong demo province`. */
#ifndef ZT_DEMO_CLI_H
#define ZT_DEMO_CLI_H

#define CLI_DEMO_GENERATE_USAGE                                                                    \
	"zhengtong demo generate --regions N --cases M [--parent CODE] [--seed S]\n"               \
	"                        [--months K] [--config FILE]"
#define CLI_DEMO_GENERATE_HELP                                                                       \
	"Fills the node with synthetic operations for the evaluation and benchmarks: the first\n"    \
	"N child regions (by code) of --parent (default 000000, the provinces) each get an\n"        \
	"oversight office (政务服务管理办公室) and 4-6 bureaus with valid credit codes, a " \
	"clerk,\n"                                                                                   \
	"a reviewer and a supervisor per department (synthetic accounts that cannot sign in),\n"     \
	"a required item list (40-80 codes) of which a share is published with full guides\n"        \
	"(some deliberately incomplete), GDP and budget revenue per capita for this year and\n"      \
	"last (indicator_values, source 'demo generate'), and citizens (valid ID numbers,\n"         \
	"cannot sign in). Then M cases (0-100000000) spread over the regions and the K months\n"     \
	"(1-120, default 12) before now (ZT_NOW), with channels, realistic working-day delays,\n"    \
	"some overdue or late, visits, once-only exemptions, ratings for about 40% of finished\n"    \
	"cases and bad-rating supervision items, part of them closed. A latent quality per\n"        \
	"region, tied to its economy with noise (a few regions far above or below it), drives\n"     \
	"all of this. Deterministic for a given --seed (default 1), ZT_NOW and database.\n"          \
	"Rows are written in bulk (50000 cases per transaction, progress on stderr); one audit\n"    \
	"record (demo.generate, no actor) summarises the run instead of one per row, and case\n"     \
	"forms are {\"synthetic\":true} (no case events or uploaded files; item codes carry\n"       \
	"an S, e.g. 110000-SCJG-XK-S001). Refuses regions it has generated into before. Exit 0,\n"   \
	"1 when it fails, 2 for bad arguments."
int cli_demo_generate(int argc, char **argv);

#define CLI_DEMO_OPENDATA_USAGE "zhengtong demo opendata --rows N [--code CODE] [--config FILE]"
#define CLI_DEMO_OPENDATA_HELP                                                                              \
	"On a demo node: registers the open resource CODE (default 520102-SCJG-900) 市场主体\n"         \
	"分行业统计 of the demo's 市场监督管理局 with N generated rows (1..10000000; street,\n" \
	"industry, established, capital, employees, active, and the personal legal_rep) and\n"              \
	"publishes its public fields as the open dataset OD-CODE, for the open data benchmark\n"            \
	"(bench/opendata.mjs). Prints the dataset id, rows and seconds. Exit 0, 1 when it\n"                \
	"fails (e.g. a taken code), 2 for bad arguments."
int cli_demo_opendata(int argc, char **argv);

#define CLI_DEMO_PROVINCE_USAGE "zhengtong demo province --region CODE --prefix P [--config FILE]"
#define CLI_DEMO_PROVINCE_HELP                                                                                             \
	"Fills a node initialised with `init --no-demo` with a small demo of its own region\n"                             \
	"CODE (a region of the regions table), for multi-node (federation) tests: four\n"                                  \
	"departments (政务服务管理办公室 with oversight, 人力资源和社会保障厅|局, 公安厅|局 and\n" \
	"市场监督管理局; 厅 for a province code ending in 0000, 局 otherwise), eleven\n"                          \
	"officials P.admin (sysadmin), P.supervisor, P.rs.clerk, P.rs.reviewer, P.rs.admin,\n"                             \
	"P.rs.data, P.ga.clerk, P.ga.admin, P.ga.data, P.scjg.clerk and P.scjg.admin, one\n"                               \
	"citizen (ID number CODE 19900307 123 + check char), all with the demo password;\n"                                \
	"three published items with full guides and cross-region modes (CODE-RS-GF-101\n"                                  \
	"养老保险关系转移接续, CODE-GA-XK-101 户口迁入登记, CODE-SCJG-XK-101 食品经营许可)\n"        \
	"and the household register CODE-GA-HJ-001 (户籍人口基本信息, conditional sharing) with\n"                 \
	"6 rows. P: 1-16 lower-case letters, digits, '_' or '-', starting with a letter.\n"                                \
	"Everything is checked before the first write: refuses (exit 1, nothing written)\n"                                \
	"an unknown region, a prefix already present, or a code of the demo that is taken.\n"                              \
	"Prints the accounts and codes. Exit 0, 1 when it fails, 2 for bad arguments."
int cli_demo_province(int argc, char **argv);

/* `zhengtong demo SUB ...`: runs the subcommand generate or province. */

#endif
