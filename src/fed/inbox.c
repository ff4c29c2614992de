/* inbox.c - applying received messages exactly once (see inbox.h). */
#include "fed/inbox.h"

#include <string.h>

inbox_fn
inbox_find(const char *type)
{
	for (const struct inbox_type *t = inbox_types; t->type; t++)
		if (strcmp(t->type, type) == 0)
			return t->fn;
	return NULL;
}

struct apply {
	const struct envelope *e;
	inbox_fn fn;
	json_t *payload;
	json_t *answer;
};

static int
tx_apply(db_conn *c, void *arg, struct zt_err *err)
{
	struct apply *a = arg;
	int rc = envelope_mark_seen(c, a->e, err);
	if (rc < 0)
		return rc;
	return a->fn(c, a->e->sender, a->payload, a->answer, err);
}

int
inbox_apply(const struct envelope *e, const char *type, json_t *payload, json_t *answer,
	    struct zt_err *err)
{
	struct apply a = {e, inbox_find(type), payload, answer};

	if (a.fn == NULL)
		return err_set(err, ZT_EINVAL, "type", "unknown_type",
			       "this node does not know messages of type %s", type);
	return db_write(tx_apply, &a, err);
}
