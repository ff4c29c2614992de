/* xcase.c - (federation feature; see xcase.h). */
#include "fed/xcase.h"

void
xcase_tick(void)
{
}
