/* config.c - loading struct config from defaults, a file and the environment. */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct config cfg;

enum kind { K_STR, K_INT, K_SIZE, K_LISTEN };

static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t len;
} keys[] = {
    {"listen", K_LISTEN, 0, 0},
    {"data_dir", K_STR, offsetof(struct config, data_dir), sizeof(cfg.data_dir)},
    {"db", K_STR, offsetof(struct config, db), sizeof(cfg.db)},
    {"data_key_file", K_STR, offsetof(struct config, data_key_file), sizeof(cfg.data_key_file)},
    {"calendar_dir", K_STR, offsetof(struct config, calendar_dir), sizeof(cfg.calendar_dir)},
    {"web_dir", K_STR, offsetof(struct config, web_dir), sizeof(cfg.web_dir)},
    {"access_log", K_STR, offsetof(struct config, access_log), sizeof(cfg.access_log)},
    {"log_level", K_STR, offsetof(struct config, log_level), sizeof(cfg.log_level)},
    {"threads", K_INT, offsetof(struct config, threads), 0},
    {"json_max", K_SIZE, offsetof(struct config, json_max), 0},
    {"upload_max", K_SIZE, offsetof(struct config, upload_max), 0},
    {"session_ttl", K_INT, offsetof(struct config, session_ttl), 0},
    {"sla_interval", K_INT, offsetof(struct config, sla_interval), 0},
    {"accept_days", K_INT, offsetof(struct config, accept_days), 0},
    {"rectify_days", K_INT, offsetof(struct config, rectify_days), 0},
    {"login_max_failures", K_INT, offsetof(struct config, login_max_failures), 0},
    {"login_window", K_INT, offsetof(struct config, login_window), 0},
    {"complaint_days", K_INT, offsetof(struct config, complaint_days), 0},
    {"opendata_rate_anon", K_INT, offsetof(struct config, opendata_rate_anon), 0},
    {"opendata_rate_key", K_INT, offsetof(struct config, opendata_rate_key), 0},
    {"fed_interval_ms", K_INT, offsetof(struct config, fed_interval_ms), 0},
    {"fed_registry_ttl", K_INT, offsetof(struct config, fed_registry_ttl), 0},
    {"fed_registry_refresh", K_INT, offsetof(struct config, fed_registry_refresh), 0},
    {"fed_retry_max", K_INT, offsetof(struct config, fed_retry_max), 0},
    {"fed_timeout", K_INT, offsetof(struct config, fed_timeout), 0},
    {"eval_weights", K_STR, offsetof(struct config, eval_weights), sizeof(cfg.eval_weights)},
    {"eval_bands", K_STR, offsetof(struct config, eval_bands), sizeof(cfg.eval_bands)},
};

static void
defaults(void)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.listen_host, sizeof(cfg.listen_host), "127.0.0.1");
	cfg.listen_port = 8080;
	snprintf(cfg.data_dir, sizeof(cfg.data_dir), "data");
	snprintf(cfg.calendar_dir, sizeof(cfg.calendar_dir), "calendar");
	snprintf(cfg.web_dir, sizeof(cfg.web_dir), "web");
	snprintf(cfg.access_log, sizeof(cfg.access_log), "-");
	snprintf(cfg.log_level, sizeof(cfg.log_level), "info");
	cfg.threads = 16;
	cfg.json_max = 1 << 20;
	cfg.upload_max = 20 << 20;
	cfg.session_ttl = 8 * 3600;
	cfg.sla_interval = 60;
	cfg.accept_days = 5;
	cfg.rectify_days = 15;
	cfg.login_max_failures = 5;
	cfg.login_window = 900;
	cfg.complaint_days = 5;
	cfg.opendata_rate_anon = 120;
	cfg.opendata_rate_key = 1200;
	cfg.fed_interval_ms = 2000;
	cfg.fed_registry_ttl = 86400;
	cfg.fed_retry_max = 300;
	cfg.fed_registry_refresh = 300;
	cfg.fed_timeout = 10;
	snprintf(cfg.eval_weights, sizeof(cfg.eval_weights), "%s",
		 "coverage:1,guide:1,maturity:1,channels:1,effectiveness:1");
	snprintf(cfg.eval_bands, sizeof(cfg.eval_bands), "%s",
		 "very_high:90,high:80,medium:60,low:0");
}

static int
set_key(const struct key *k, const char *val, char *errbuf, size_t errlen)
{
	char *end;

	switch (k->kind) {
	case K_STR:
		if (strlen(val) >= k->len) {
			snprintf(errbuf, errlen, "%s: value too long", k->name);
			return -1;
		}
		snprintf((char *)&cfg + k->off, k->len, "%s", val);
		return 0;
	case K_INT:
	case K_SIZE: {
		errno = 0;
		long long v = strtoll(val, &end, 10);
		if (errno || end == val || *end != '\0' || v < 0 || v > 1LL << 40) {
			snprintf(errbuf, errlen, "%s: not a non-negative integer: %s", k->name,
				 val);
			return -1;
		}
		if (k->kind == K_INT) {
			if (v > 1 << 30) {
				snprintf(errbuf, errlen, "%s: too large", k->name);
				return -1;
			}
			*(int *)((char *)&cfg + k->off) = (int)v;
		} else
			*(size_t *)((char *)&cfg + k->off) = (size_t)v;
		return 0;
	}
	case K_LISTEN: {
		const char *colon = strrchr(val, ':');
		if (colon == NULL || colon == val ||
		    (size_t)(colon - val) >= sizeof(cfg.listen_host)) {
			snprintf(errbuf, errlen, "listen: expected HOST:PORT, got %s", val);
			return -1;
		}
		long p = strtol(colon + 1, &end, 10);
		if (*end != '\0' || p < 0 || p > 65535) {
			snprintf(errbuf, errlen, "listen: bad port in %s", val);
			return -1;
		}
		snprintf(cfg.listen_host, sizeof(cfg.listen_host), "%.*s", (int)(colon - val), val);
		cfg.listen_port = (int)p;
		return 0;
	}
	}
	return -1;
}

static const struct key *
find_key(const char *name)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static char *
trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
read_file(const char *path, int must_exist, char *errbuf, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	int lineno = 0;

	if (fp == NULL) {
		if (!must_exist && errno == ENOENT)
			return 0;
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (*s == '\0')
			continue;
		char *eq = strchr(s, '=');
		if (eq == NULL) {
			snprintf(errbuf, errlen, "%s:%d: expected key = value", path, lineno);
			fclose(fp);
			return -1;
		}
		*eq = '\0';
		const struct key *k = find_key(trim(s));
		if (k == NULL) {
			snprintf(errbuf, errlen, "%s:%d: unknown key '%s'", path, lineno, trim(s));
			fclose(fp);
			return -1;
		}
		if (set_key(k, trim(eq + 1), errbuf, errlen) < 0) {
			fclose(fp);
			return -1;
		}
	}
	fclose(fp);
	return 0;
}

int
config_load(const char *path, char *errbuf, size_t errlen)
{
	char env[64];

	defaults();
	if (path == NULL)
		path = getenv("ZT_CONFIG");
	if (path && read_file(path, 1, errbuf, errlen) < 0)
		return -1;
	if (path == NULL && read_file("zhengtong.conf", 0, errbuf, errlen) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(env, sizeof(env), "ZT_");
		for (size_t j = 0; keys[i].name[j] && j < sizeof(env) - 4; j++)
			env[3 + j] = (char)toupper((unsigned char)keys[i].name[j]),
				env[4 + j] = '\0';
		const char *v = getenv(env);
		if (v && set_key(&keys[i], v, errbuf, errlen) < 0)
			return -1;
	}
	if (cfg.db[0] == '\0')
		snprintf(cfg.db, sizeof(cfg.db), "%s/zhengtong.db", cfg.data_dir);
	if (cfg.data_key_file[0] == '\0')
		snprintf(cfg.data_key_file, sizeof(cfg.data_key_file), "%s/data.key", cfg.data_dir);
	if (cfg.threads < 1 || cfg.threads > 256) {
		snprintf(errbuf, errlen, "threads must be 1..256");
		return -1;
	}
	return 0;
}
