/* jtime.c - times in JSON answers. */
#include "base/jtime.h"
#include "base/clock.h"

json_t *
time_json(int64_t t)
{
	char s[32];

	time_format(t, s);
	return json_string(s);
}

json_t *
time_json_or_null(int64_t t, int absent)
{
	return absent ? json_null() : time_json(t);
}
