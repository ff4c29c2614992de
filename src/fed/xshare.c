/* xshare.c - (federation feature; see xshare.h). */
#include "fed/xshare.h"

void
xshare_tick(void)
{
}
