/* SPDX-License-Identifier: Apache-2.0 */
/*
 * date.c: civil-date arithmetic (days from civil and back, after Howard
 * Hinnant's public-domain algorithms) and ISO 8601 stamps.  Used by every
 * stage instead of mktime/gmtime, which depend on the process TZ and are
 * slow per field.
 */
#include "core/date.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int64_t
br_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

int32_t
br_date_days(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void
br_date_civil(int32_t days, int *y, int *m, int *d)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int dd = doy - (153 * mp + 2) / 5 + 1;
	int mm = mp < 10 ? mp + 3 : mp - 9;

	*y = yoe + era * 400 + (mm <= 2);
	*m = mm;
	*d = dd;
}

int
br_date_weekday(int32_t days)
{
	return days >= -4 ? (days + 4) % 7 : (days + 5) % 7 + 6;
}

bool
br_date_is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int
br_date_month_days(int y, int m)
{
	static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31};

	if (m == 2 && br_date_is_leap(y))
		return 29;
	return md[m - 1];
}

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int
parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) ||
	    s[7] != '-' || digits(s + 8, 2, d))
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 || *d > br_date_month_days(*y, *m))
		return -1;
	return 0;
}

int
br_date_parse(const char *s, size_t len, int32_t *out_days)
{
	int y, m, d;

	if (len == (size_t)-1)
		len = strlen(s);
	if (len != 10 || parse_ymd(s, &y, &m, &d))
		return -1;
	*out_days = br_date_days(y, m, d);
	return 0;
}

char *
br_date_format(int32_t days, char *buf, size_t n)
{
	int y, m, d;

	br_date_civil(days, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02d", y, m, d);
	return buf;
}

int
br_utc_offset_parse(const char *s, size_t len, int32_t *out_s)
{
	int oh, om = 0;
	int32_t v;

	if (len < 3 || (s[0] != '+' && s[0] != '-') || digits(s + 1, 2, &oh))
		return -1;
	if (len == 6 && s[3] == ':') {
		if (digits(s + 4, 2, &om))
			return -1;
	} else if (len == 5) {
		if (digits(s + 3, 2, &om))
			return -1;
	} else if (len != 3)
		return -1;
	v = (int32_t)(oh * 3600 + om * 60);
	if (om > 59 || v > BR_UTC_OFFSET_MAX)
		return -1;
	*out_s = s[0] == '-' ? -v : v;
	return 0;
}

/* The part of a stamp after the date (days: the date as days). */
static int
time_rest(const char *s, size_t len, int32_t days, int64_t *out_secs,
    bool *has_zone)
{
	int hh, mm, ss = 0;
	int32_t off;
	size_t p;
	int64_t secs;

	if (s[10] != 'T' && s[10] != ' ')
		return -1;
	if (digits(s + 11, 2, &hh) || s[13] != ':' || digits(s + 14, 2, &mm))
		return -1;
	p = 16;
	if (p < len && s[p] == ':') {
		if (p + 3 > len || digits(s + p + 1, 2, &ss))
			return -1;
		p += 3;
	}
	if (hh > 24 || mm > 59 || ss > 59 || (hh == 24 && (mm || ss)))
		return -1;
	secs = (int64_t)days * 86400 + hh * 3600 + mm * 60 + ss;
	*has_zone = false;
	if (p == len) {
		*out_secs = secs;
		return 0;
	}
	if (s[p] == 'Z' && p + 1 == len) {
		*has_zone = true;
		*out_secs = secs;
		return 0;
	}
	if (br_utc_offset_parse(s + p, len - p, &off) != 0)
		return -1;
	secs -= off;
	*has_zone = true;
	*out_secs = secs;
	return 0;
}

int
br_time_parse(const char *s, size_t len, int64_t *out_secs, bool *has_zone)
{
	int y, mo, d;

	if (len == (size_t)-1)
		len = strlen(s);
	if (len < 16 || parse_ymd(s, &y, &mo, &d))
		return -1;
	return time_rest(s, len, br_date_days(y, mo, d), out_secs, has_zone);
}

int
br_time_parse_cached(struct br_time_cache *tc, const char *s, size_t len,
    int64_t *out_secs, bool *has_zone)
{
	int y, mo, d;

	if (len == (size_t)-1)
		len = strlen(s);
	if (len < 16)
		return -1;
	if (!tc->valid || memcmp(s, tc->date, 10) != 0) {
		if (parse_ymd(s, &y, &mo, &d))
			return -1;
		memcpy(tc->date, s, 10);
		tc->days = br_date_days(y, mo, d);
		tc->valid = true;
	}
	return time_rest(s, len, tc->days, out_secs, has_zone);
}

char *
br_time_format_utc(int64_t secs, char *buf, size_t n)
{
	int64_t days = br_floor_div(secs, 86400);
	int64_t rem = secs - days * 86400;
	int y, m, d;

	br_date_civil((int32_t)days, &y, &m, &d);
	snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
	    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
	return buf;
}
