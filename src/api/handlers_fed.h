/* handlers_fed.h - handlers of api/fed.c (federation plumbing), and the
 * check every node-to-node endpoint makes first. */
#ifndef ZT_HANDLERS_FED_H
#define ZT_HANDLERS_FED_H

struct req;
struct envelope;

void h_fed_inbox(struct req *r);
void h_fed_registry(struct req *r);
void h_fed_status(struct req *r);
void h_fed_nodes(struct req *r);

/* For routes called by other nodes (declared WHO_PUBLIC: the envelope is
 * the credential): parses and verifies the request's signed envelope
 * against the registry (fed/envelope.h) and fills *e. A signed call carries
 * its arguments in the body, so a query string is refused. Returns 0, or
 * replies with the problem (400/401, naming the header) and returns -1.
 * Replays are not checked here: a call that changes state goes through the
 * inbox, which marks its message id in the applying transaction. */
int fed_req_verify(struct req *r, struct envelope *e);

#endif
