/* catalog.c - (federation feature; see catalog.h). */
#include "fed/catalog.h"

void
catalog_tick(void)
{
}
