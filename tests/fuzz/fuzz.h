/* fuzz.h - what the fuzz harnesses share (tests/fuzz/README.md).
 *
 * Every harness fuzz_<target>.c defines fuzz_<target>_one(data, size), the
 * one entry point that both libFuzzer (through FUZZ_TARGET, in the ZT_FUZZ
 * build) and the regression replay (tests/unit/test_fuzz_regressions.c, in
 * the normal build) call. A harness that needs the database calls
 * fuzz_setup() first: one temporary node (SQLite file, migrated, the demo
 * data, a session per demo account, a federation peer) per process. */
#ifndef ZT_FUZZ_H
#define ZT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "http/router.h"

struct req;

/* The pinned clock of every harness: 2026-03-02 10:00 China time. */
#define FUZZ_T0 1772416800

/* Sets up the node once per process; aborts when it cannot. */
void fuzz_setup(void);
/* The data directory of the node ("" before fuzz_setup). */
const char *fuzz_data_dir(void);

/* The principals a harness may act as: 0 is anonymous, 1.. the demo
 * accounts in users.id order, each with a session; fuzz_token(i) is the
 * bearer token of principal i (NULL for 0). */
int fuzz_nprincipals(void);
const char *fuzz_token(int i);
/* The registered federation peer: its region (440000), and its SM2 key
 * (private half included) with the key id. */
struct sm2_key;
const char *fuzz_peer_region(void);
struct sm2_key *fuzz_peer_key(const char **key_id);

/* Runs one HTTP request through the server's own code paths (route match,
 * guard, body limits, JSON parsing, the handler, a streamed answer read to
 * its end) with the request's query and headers given through the test
 * seam of struct req. The input, after a route selector byte (among the
 * routes whose body kind is in kinds, a bit mask of 1 << BODY_*; or
 * "@<route name> " instead) and a principal byte (0 anonymous, else the
 * account with users.id = byte, modulo), is the text
 *     p1/p2?query\nName: value\n...\n\nbody
 * where p1, p2 fill the route's {params} and everything is percent-encoded
 * as on the wire. Traps on an answer of 500 (an internal error is a bug
 * whatever the input). */
int fuzz_http_one(const uint8_t *data, size_t size, unsigned kinds);

/* Percent-decoding as the server does it for the path and query (the same
 * function, from http/server.c). */
size_t fuzz_unescape(char *s);

/* A NUL-terminated copy of data (free it). */
char *fuzz_strndup(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...)                                                                             \
	do {                                                                                       \
		fprintf(stderr, "fuzz: " __VA_ARGS__);                                             \
		fputc('\n', stderr);                                                               \
		__builtin_trap();                                                                  \
	} while (0)

/* The libFuzzer entry points of a harness (only in the ZT_FUZZ build). */
#ifdef ZT_FUZZ_LIBFUZZER
#define FUZZ_TARGET(name)                                                                          \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)                               \
	{                                                                                          \
		return fuzz_##name##_one(data, size);                                              \
	}
/* The same for a harness on the node: set up before the first input, so
 * that the set-up's seconds are not taken for a slow input. */
#define FUZZ_TARGET_DB(name)                                                                       \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                          \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		fuzz_setup();                                                                      \
		return 0;                                                                          \
	}                                                                                          \
	FUZZ_TARGET(name)
#else
#define FUZZ_TARGET(name)
#define FUZZ_TARGET_DB(name)
#endif

/* Every harness, for the replay. */
int fuzz_api_body_one(const uint8_t *data, size_t size);
int fuzz_api_get_one(const uint8_t *data, size_t size);
int fuzz_router_one(const uint8_t *data, size_t size);
int fuzz_upload_one(const uint8_t *data, size_t size);
int fuzz_csv_one(const uint8_t *data, size_t size);
int fuzz_licid_one(const uint8_t *data, size_t size);
int fuzz_envelope_one(const uint8_t *data, size_t size);
int fuzz_codec_one(const uint8_t *data, size_t size);
int fuzz_opendata_one(const uint8_t *data, size_t size);

#endif
