/* fed.c - the federation ticker (see fed.h). */
#include "fed/fed.h"

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
