/* ping.c - fed.ping (see ping.h). */
#include "fed/ping.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/clock.h"
#include "fed/node.h"
#include "fed/outbox.h"

int
ping_enqueue(db_conn *c, const char *to, int n, struct zt_err *err)
{
	for (int i = 0; i < n; i++) {
		json_t *p =
		    json_pack("{s:i, s:I}", "seq", i + 1, "sent_at", (json_int_t)clock_now());
		int rc = outbox_enqueue(c, to, "fed.ping", p, NULL, err);
		json_decref(p);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
ping_apply(db_conn *c, const char *sender, json_t *payload, json_t *answer, struct zt_err *err)
{
	char key[32], v[32];
	int rc;

	(void)payload;
	snprintf(key, sizeof(key), "fed_pings_%s", sender);
	if ((rc = node_meta_get(c, key, v, sizeof(v), err)) < 0)
		return rc;
	long long n = (rc == 1 ? strtoll(v, NULL, 10) : 0) + 1;
	snprintf(v, sizeof(v), "%lld", n);
	if ((rc = node_meta_set(c, key, v, err)) < 0)
		return rc;
	json_object_set_new(answer, "count", json_integer(n));
	return 0;
}
