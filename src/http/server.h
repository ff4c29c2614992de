/* server.h - the HTTP server: libmicrohttpd with an epoll thread pool,
 * dispatching to the route table. */
#ifndef ZT_SERVER_H
#define ZT_SERVER_H

#include "base/err.h"

/* Starts listening on cfg.listen_host:cfg.listen_port. Returns 0 or an
 * error. The actual port (useful with port 0) is then server_port(). */
int server_start(struct zt_err *err);
int server_port(void);
void server_stop(void);

#endif
