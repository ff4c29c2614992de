/* required_cli.h - `zhengtong items required import`: a region's required
 * item list (事项清单) from CSV. */
#ifndef ZT_REQUIRED_CLI_H
#define ZT_REQUIRED_CLI_H

#define CLI_REQUIRED_IMPORT_USAGE "zhengtong items required import FILE.csv [--config FILE]"
#define CLI_REQUIRED_IMPORT_HELP                                                                   \
	"Loads the required item lists (事项清单) of regions from a UTF-8 CSV file with the\n" \
	"header region_code,code,name. The file is the complete list of every region it\n"         \
	"names: their existing lists are replaced, other regions keep theirs. Every row is\n"      \
	"checked (known region, code of 1-64 characters [A-Za-z0-9-], name of 1-200\n"             \
	"characters, no region and code twice); every bad row is listed with its line, field\n"    \
	"and reason and then nothing is imported. Exit 0 when imported, 1 otherwise. The\n"        \
	"evaluation's coverage.published counts the listed codes that are published."
/* argv starts after "items required": "import" FILE. */
int cli_required_import(int argc, char **argv);

#endif
