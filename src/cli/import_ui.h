/* import_ui.h - how the all-or-nothing CSV imports (indicators import,
 * items required import) talk on the terminal: every bad row as
 * "line N: field: reason: detail", progress at most five times a second
 * (one updating line on a terminal, lines otherwise). */
#ifndef ZT_IMPORT_UI_H
#define ZT_IMPORT_UI_H

#include <stdint.h>
#include <stdio.h>

#include "domain/resource.h"

struct import_ui {
	const char *what; /* "indicators import" */
	int tty;
	int64_t size; /* of the input file, 0 if unknown */
	uint64_t last;
};

/* Opens path ("-" is standard input) for the import named what and sets
 * ui up; prints "WHAT: cannot open PATH" and returns NULL on failure. */
FILE *import_ui_open(struct import_ui *ui, const char *what, const char *path);
/* The hooks that report through ui. */
struct import_hooks import_ui_hooks(struct import_ui *ui);
/* Clears the progress line (on a terminal) and closes in unless stdin. */
void import_ui_close(struct import_ui *ui, FILE *in);

#endif
