/* config.h - node configuration: defaults, then a file, then ZT_* variables.
 *
 * The file is "key = value" lines ('#' starts a comment). Each key has an
 * environment twin: listen -> ZT_LISTEN, data_dir -> ZT_DATA_DIR, ... */
#ifndef ZT_CONFIG_H
#define ZT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

struct config {
	char listen_host[64]; /* listen = 127.0.0.1:8080 */
	int listen_port;
	char data_dir[512];	 /* data_dir = data */
	char db[600];		 /* db = <data_dir>/zhengtong.db */
	char data_key_file[600]; /* data_key_file = <data_dir>/data.key (field encryption keys) */
	char calendar_dir[512];	 /* calendar_dir = calendar (shipped files) */
	char web_dir[512];	 /* web_dir = web (static files) */
	char access_log[512];	 /* access_log = - (stderr) */
	int threads;		 /* threads = 16 (HTTP worker threads) */
	size_t json_max;	 /* json_max = 1048576 */
	size_t upload_max;	 /* upload_max = 20971520 */
	int session_ttl;	 /* session_ttl = 28800 seconds */
	int sla_interval;	 /* sla_interval = 60 seconds (0 = off) */
	int accept_days;	 /* accept_days = 5 working days to accept or ask 补正 */
	int rectify_days;	 /* rectify_days = 15 working days for a bad rating */
	int login_max_failures;	 /* login_max_failures = 5 per login_window */
	int login_window;	 /* login_window = 900 seconds */
	char log_level[16];	 /* log_level = info */
	int fed_interval_ms;	 /* fed_interval_ms = 2000: federation sender and pollers */
	int fed_registry_ttl; /* fed_registry_ttl = 86400 s: how long a signed registry is valid */
	int fed_registry_refresh; /* fed_registry_refresh = 300 s between registry fetches */
	int fed_retry_max;	  /* fed_retry_max = 300 s: longest back-off between deliveries */
	int fed_timeout;	  /* fed_timeout = 10 s per node-to-node HTTP call */
	int complaint_days;	  /* complaint_days = 5 working days to answer a complaint */
	/* opendata_rate_anon = 120 open-data calls a minute per client address
	 * opendata_rate_key = 1200 per developer key (X-API-Key); 0 = no limit */
	int opendata_rate_anon;
	int opendata_rate_key;
	/* eval_weights = coverage:1,guide:1,maturity:1,channels:1,effectiveness:1 */
	char eval_weights[256];
	/* eval_bands = very_high:90,high:80,medium:60,low:0 (grade: lowest minimum met) */
	char eval_bands[256];
};

extern struct config cfg;

/* Sets defaults, reads path (if not NULL; ZT_CONFIG otherwise; a missing
 * default file is fine) and applies ZT_* overrides. Returns 0 or -1 with a
 * message in errbuf. */
int config_load(const char *path, char *errbuf, size_t errlen);

#endif
