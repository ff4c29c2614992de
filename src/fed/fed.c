/* fed.c - the federation ticker (see fed.h). */
#include "fed/fed.h"

#include "base/clock.h"
#include "base/config.h"
#include "base/log.h"
#include "base/ticker.h"
#include "fed/catalog.h"
#include "fed/client.h"
#include "fed/outbox.h"
#include "fed/registry.h"
#include "fed/xcase.h"
#include "fed/xshare.h"

static struct ticker fed_ticker;

/* A replayed message older than the allowed clock skew is refused as stale
 * before its id is looked up, so ids kept an hour (12 times the skew) are
 * enough to refuse every replay. */
#define SEEN_KEEP 3600

static int
tx_prune(db_conn *c, void *arg, struct zt_err *err)
{
	db_stmt *s = db_prepare(c, "DELETE FROM fed_seen WHERE received_at < ?1", err);
	if (s == NULL)
		return err->code;
	db_bind_int(s, 1, *(int64_t *)arg);
	int rc = db_step(s, err);
	db_reset(s);
	return rc < 0 ? rc : 0;
}

static void
prune_seen(void)
{
	static int64_t next;
	struct zt_err err;
	int64_t now = clock_now();

	if (now < next)
		return;
	next = now + 60;
	int64_t before = now - SEEN_KEEP;
	err_clear(&err);
	if (db_write(tx_prune, &before, &err) < 0)
		log_warn("federation: pruning seen message ids: %s", err.msg);
}

static void
tick(void *unused)
{
	struct outbox_pass p;
	struct zt_err err;

	(void)unused;
	if (fed_self()[0] == '\0')
		return; /* not a federated node (yet) */
	registry_tick();
	err_clear(&err);
	if (outbox_deliver(&p, &err) < 0)
		log_warn("federation outbox: %s", err.msg);
	else if (p.delivered > 0)
		log_info("federation outbox: %d message(s) delivered", p.delivered);
	prune_seen();
	catalog_tick();
	xcase_tick();
	xshare_tick();
}

int
fed_start(void)
{
	fed_client_init();
	if (cfg.fed_interval_ms <= 0)
		return 0;
	return ticker_start(&fed_ticker, tick, NULL, cfg.fed_interval_ms, 1);
}

void
fed_stop(void)
{
	ticker_stop(&fed_ticker);
}
