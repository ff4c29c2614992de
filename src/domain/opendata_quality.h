/* opendata_quality.h - the quality score of an open dataset (数据质量评分):
 * six simple checks on its metadata and dictionary, each with a weight; the
 * score (0..100) is the sum of the weights of the checks passed.
 *
 *   check                 weight  passes when
 *   license                   20  the license is one of opendata_licenses
 *   description               15  the description has >= 30 characters
 *   coverage                  15  spatial is non-empty and temporal_from
 *                                 and temporal_to are both given
 *   update_frequency_met      20  the last update (modified_at, or the
 *                                 current version's published_at if later)
 *                                 is not older than the frequency's period:
 *                                 realtime/daily 2 days, weekly 8, monthly
 *                                 32, quarterly 93, yearly 367; irregular
 *                                 always
 *   fields_documented         20  every field of the current version has a
 *                                 description other than its name, and
 *                                 every integer/number field a unit
 *   open_format               10  always: every dataset is served as CSV and
 *                                 JSON (kept so the score explains itself)
 *
 * The evaluation is a pure function of plain values (unit-tested), so a
 * search can score each item from its row without further queries; a loader
 * reads one dataset from the database. See docs/opendata.md. */
#ifndef ZT_OPENDATA_QUALITY_H
#define ZT_OPENDATA_QUALITY_H

#include <jansson.h>
#include <stdint.h>

#include "base/err.h"
#include "db/db.h"

#define OPENDATA_QUALITY_NCHECKS	 6
#define OPENDATA_QUALITY_DESCRIPTION_MIN 30 /* characters */
#define OPENDATA_QUALITY_DETAIL_MAX	 240

/* A dataset's values as the checks see them. Every pointer may be NULL
 * (treated as absent). spatial and fields may be given parsed (json_t,
 * borrowed) or as the stored JSON text; the json_t wins when both are. */
struct opendata_quality_in {
	const char *license;
	const char *description;
	const char *temporal_from, *temporal_to; /* 'YYYY-MM-DD'; "" = absent */
	json_t *spatial;			 /* array of region codes */
	const char *spatial_text;
	const char *update_frequency; /* "realtime" ... "irregular" */
	int64_t modified_at;	      /* datasets.modified_at */
	int64_t published_at;	      /* the current version's, 0 = unknown */
	json_t *fields;		      /* the current dictionary [{name, type, description, unit}] */
	const char *fields_text;
};

struct opendata_check {
	const char *check; /* "license", "description", ... (static) */
	int passed;
	int weight;
	char detail[OPENDATA_QUALITY_DETAIL_MAX];    /* why, in English */
	char detail_zh[OPENDATA_QUALITY_DETAIL_MAX]; /* the same in Chinese */
};

struct opendata_quality {
	int score; /* 0..100 */
	struct opendata_check checks[OPENDATA_QUALITY_NCHECKS];
};

/* The period in days within which a dataset of that update frequency must
 * have been updated; 0 for irregular, -1 for an unknown frequency. */
int opendata_frequency_days(const char *frequency);

/* Runs the six checks at time now (Unix seconds) into *out. */
void opendata_quality_eval(const struct opendata_quality_in *in, int64_t now,
			   struct opendata_quality *out);
/* Just the score (0..100) of opendata_quality_eval. */
int opendata_quality_score(const struct opendata_quality_in *in, int64_t now);
/* {score, checks: [{check, passed, weight, detail}]} of an evaluation. */
json_t *opendata_quality_to_json(const struct opendata_quality *q);

/* The quality JSON of published dataset id at time now, read from datasets
 * and its current dataset_versions row. A withdrawn or unknown dataset is
 * ZT_ENOTFOUND. */
json_t *opendata_quality_json(db_conn *c, int64_t dataset_id, int64_t now, struct zt_err *err);

#endif
