/* inbox_types.c - every message type a node accepts, and its handler. One
 * .inc file per feature keeps the list in one place. */
#include "fed/inbox.h"
#include "fed/catalog.h"
#include "fed/ping.h"
#include "fed/xcase.h"
#include "fed/xshare.h"

const struct inbox_type inbox_types[] = {
    {"fed.ping", ping_apply},
// clang-format off
#include "fed/inbox_catalog.inc"
#include "fed/inbox_cases.inc"
#include "fed/inbox_share.inc"
    // clang-format on
    {NULL, NULL},
};
