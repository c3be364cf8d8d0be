/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tz.c: a small TZif (RFC 8536) reader with POSIX TZ footer rules.
 *
 * Only the version 2+ 64-bit block is used.  Instants after the last
 * stored transition follow the footer rule, as zic-generated "slim" files
 * require.  Lookups are a binary search; callers that need many instants
 * in one day convert the day once (br_tz_day_start) and add seconds.
 */
#include "core/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/banned.h"

static int32_t
be32(const unsigned char *p)
{
	return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)(uint32_t)be32(p) << 32 |
	    (uint64_t)(uint32_t)be32(p + 4));
}

/* Parse [+-]hh[:mm[:ss]] into seconds; returns chars consumed or -1. */
static int
parse_hms(const char *s, int32_t *out)
{
	int i = 0, sign = 1, part = 0;
	int32_t v[3] = {0, 0, 0};

	if (s[i] == '+' || s[i] == '-') {
		sign = s[i] == '-' ? -1 : 1;
		i++;
	}
	if (s[i] < '0' || s[i] > '9')
		return -1;
	for (;;) {
		int nd = 0;
		while (s[i] >= '0' && s[i] <= '9' && nd < 3) {
			v[part] = v[part] * 10 + (s[i] - '0');
			i++;
			nd++;
		}
		if (nd == 0)
			return -1;
		if (s[i] == ':' && part < 2) {
			part++;
			i++;
			continue;
		}
		break;
	}
	*out = sign * (v[0] * 3600 + v[1] * 60 + v[2]);
	return i;
}

static int
parse_name(const char *s)
{
	int i = 0;

	if (s[0] == '<') {
		while (s[i] && s[i] != '>')
			i++;
		return s[i] == '>' ? i + 1 : -1;
	}
	while ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))
		i++;
	return i >= 3 ? i : -1;
}

static int
parse_rule(const char *s, struct br_tz_rule *r)
{
	int i = 0, n;

	memset(r, 0, sizeof(*r));
	r->time_s = 7200;
	if (s[0] == 'M') {
		r->kind = 'M';
		if (sscanf(s + 1, "%d.%d.%d%n", &r->month, &r->week, &r->wday,
		    &n) != 3)
			return -1;
		if (r->month < 1 || r->month > 12 || r->week < 1 ||
		    r->week > 5 || r->wday < 0 || r->wday > 6)
			return -1;
		i = 1 + n;
	} else {
		r->kind = s[0] == 'J' ? 'J' : 'D';
		if (s[0] == 'J')
			i++;
		if (sscanf(s + i, "%d%n", &r->day, &n) != 1)
			return -1;
		i += n;
	}
	if (s[i] == '/') {
		n = parse_hms(s + i + 1, &r->time_s);
		if (n < 0)
			return -1;
		i += 1 + n;
	}
	return i;
}

/* Parse a POSIX TZ string into tz's rule fields.  Returns 0 or -1. */
static int
parse_posix(struct br_tz *tz, const char *s)
{
	int n;
	int32_t off;

	if ((n = parse_name(s)) < 0)
		return -1;
	s += n;
	if ((n = parse_hms(s, &off)) < 0)
		return -1;
	s += n;
	tz->std_off = -off;
	tz->dst_off = tz->std_off + 3600;
	tz->has_rule = true;
	tz->has_dst = false;
	if (*s == '\0')
		return 0;
	if ((n = parse_name(s)) < 0)
		return -1;
	s += n;
	tz->has_dst = true;
	if (*s != ',' && *s != '\0') {
		if ((n = parse_hms(s, &off)) < 0)
			return -1;
		s += n;
		tz->dst_off = -off;
	}
	if (*s == '\0') {
		/* US rules are the POSIX default when none are given. */
		tz->start = (struct br_tz_rule){'M', 3, 2, 0, 0, 7200};
		tz->end = (struct br_tz_rule){'M', 11, 1, 0, 0, 7200};
		return 0;
	}
	if (*s++ != ',' || (n = parse_rule(s, &tz->start)) < 0)
		return -1;
	s += n;
	if (*s++ != ',' || (n = parse_rule(s, &tz->end)) < 0)
		return -1;
	s += n;
	return *s == '\0' ? 0 : -1;
}

/* Local day (days since epoch) on which rule r falls in year y. */
static int32_t
rule_day(const struct br_tz_rule *r, int y)
{
	int32_t d;

	if (r->kind == 'J') {
		d = br_date_days(y, 1, 1) + r->day - 1;
		if (br_date_is_leap(y) && r->day >= 60)
			d++;
		return d;
	}
	if (r->kind == 'D')
		return br_date_days(y, 1, 1) + r->day;
	d = br_date_days(y, r->month, 1);
	d += (r->wday - br_date_weekday(d) + 7) % 7;
	d += 7 * (r->week - 1);
	if (r->week == 5) {
		int32_t last = br_date_days(y, r->month, 1) +
		    br_date_month_days(y, r->month) - 1;
		while (d > last)
			d -= 7;
	}
	return d;
}

static int32_t
rule_offset(const struct br_tz *tz, int64_t t)
{
	int y, m, d, yy;
	int64_t s, e;

	if (!tz->has_dst)
		return tz->std_off;
	br_date_civil((int32_t)br_floor_div(t + tz->std_off, 86400), &y, &m,
	    &d);
	/* Check the year of t and its neighbours' transitions. */
	for (yy = y; yy >= y - 1; yy--) {
		s = (int64_t)rule_day(&tz->start, yy) * 86400 +
		    tz->start.time_s - tz->std_off;
		e = (int64_t)rule_day(&tz->end, yy) * 86400 + tz->end.time_s -
		    tz->dst_off;
		if (s < e) {
			if (t >= s && t < e)
				return tz->dst_off;
			if (yy == y)
				return tz->std_off;
		} else {
			/* Southern hemisphere: DST spans the new year. */
			if (t >= s || t < e)
				return tz->dst_off;
			return tz->std_off;
		}
	}
	return tz->std_off;
}

static int
load_tzif(struct br_tz *tz, const char *path, struct br_error *err)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL, *p, *end;
	long size;
	int32_t cnt[6]; /* isutcnt isstdcnt leapcnt timecnt typecnt charcnt */
	size_t i, skip;
	int64_t *trans = NULL;
	int32_t *offs = NULL, *typeoff = NULL;
	int rc = -1;

	if (f == NULL)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "unknown time zone '%s'", tz->name);
	/* A directory (zone name "America") reports a huge size. */
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 44 ||
	    size > (1L << 20) || fseek(f, 0, SEEK_SET) != 0)
		goto bad;
	if ((buf = malloc((size_t)size + 1)) == NULL ||
	    fread(buf, 1, (size_t)size, f) != (size_t)size)
		goto bad;
	buf[size] = '\0';
	end = buf + size;
	if (memcmp(buf, "TZif", 4) != 0 || buf[4] < '2')
		goto bad;
	for (i = 0; i < 6; i++)
		cnt[i] = be32(buf + 20 + 4 * i);
	/* Skip the v1 block. */
	skip = 44 + (size_t)cnt[3] * 5 + (size_t)cnt[4] * 6 +
	    (size_t)cnt[5] + (size_t)cnt[2] * 8 + (size_t)cnt[1] +
	    (size_t)cnt[0];
	p = buf + skip;
	if (p + 44 > end || memcmp(p, "TZif", 4) != 0)
		goto bad;
	for (i = 0; i < 6; i++)
		cnt[i] = be32(p + 20 + 4 * i);
	p += 44;
	if (cnt[3] < 0 || cnt[4] <= 0 || p + (size_t)cnt[3] * 9 +
	    (size_t)cnt[4] * 6 + (size_t)cnt[5] + (size_t)cnt[2] * 12 +
	    (size_t)cnt[1] + (size_t)cnt[0] > end)
		goto bad;
	trans = calloc((size_t)cnt[3] + 1, sizeof(*trans));
	offs = calloc((size_t)cnt[3] + 1, sizeof(*offs));
	typeoff = calloc((size_t)cnt[4], sizeof(*typeoff));
	if (!trans || !offs || !typeoff)
		goto bad;
	for (i = 0; i < (size_t)cnt[4]; i++)
		typeoff[i] = be32(p + (size_t)cnt[3] * 9 + i * 6);
	for (i = 0; i < (size_t)cnt[3]; i++) {
		unsigned idx = p[(size_t)cnt[3] * 8 + i];
		if (idx >= (unsigned)cnt[4])
			goto bad;
		trans[i] = be64(p + i * 8);
		offs[i] = typeoff[idx];
	}
	tz->first_off = typeoff[0];
	p += (size_t)cnt[3] * 9 + (size_t)cnt[4] * 6 + (size_t)cnt[5] +
	    (size_t)cnt[2] * 12 + (size_t)cnt[1] + (size_t)cnt[0];
	if (p < end && *p == '\n') {
		unsigned char *nl = memchr(p + 1, '\n', (size_t)(end - p - 1));
		if (nl != NULL && nl > p + 1) {
			*nl = '\0';
			if (parse_posix(tz, (const char *)p + 1) != 0)
				goto bad;
		}
	}
	tz->trans = trans;
	tz->trans_off = offs;
	tz->ntrans = (size_t)cnt[3];
	trans = NULL;
	offs = NULL;
	rc = 0;
bad:
	if (rc != 0)
		br_error_set(err, BR_ECONFIG, NULL, 0,
		    "cannot read time zone file '%s'", path);
	free(trans);
	free(offs);
	free(typeoff);
	free(buf);
	fclose(f);
	return rc;
}

int
br_tz_load(struct br_tz *tz, const char *name, struct br_error *err)
{
	char path[512];
	const char *dir = getenv("TZDIR");

	memset(tz, 0, sizeof(*tz));
	snprintf(tz->name, sizeof(tz->name), "%s", name);
	if (strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 ||
	    strcmp(name, "Z") == 0) {
		tz->has_rule = true;
		return 0;
	}
	/* A POSIX string has a digit in it and no '/'; a zone name has not. */
	if (strchr(name, '/') == NULL && strpbrk(name, "0123456789")) {
		if (parse_posix(tz, name) != 0)
			return br_error_set(err, BR_ECONFIG, NULL, 0,
			    "bad POSIX time zone rule '%s'", name);
		return 0;
	}
	if (name[0] == '\0' || strstr(name, "..") != NULL)
		return br_error_set(err, BR_ECONFIG, NULL, 0,
		    "bad time zone name '%s'", name);
	snprintf(path, sizeof(path), "%s/%s",
	    dir && *dir ? dir : "/usr/share/zoneinfo", name);
	return load_tzif(tz, path, err);
}

void
br_tz_release(struct br_tz *tz)
{
	free(tz->trans);
	free(tz->trans_off);
	tz->trans = NULL;
	tz->trans_off = NULL;
	tz->ntrans = 0;
}

int32_t
br_tz_offset(const struct br_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->ntrans;

	if (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1]) {
		if (tz->has_rule)
			return rule_offset(tz, t);
		return tz->ntrans ? tz->trans_off[tz->ntrans - 1] :
		    tz->first_off;
	}
	if (t < tz->trans[0])
		return tz->first_off;
	while (hi - lo > 1) {	/* trans[lo] <= t < trans[hi] */
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->trans_off[lo];
}

int32_t
br_tz_local_day(const struct br_tz *tz, int64_t t)
{
	return (int32_t)br_floor_div(t + br_tz_offset(tz, t), 86400);
}

int64_t
br_tz_day_start(const struct br_tz *tz, int32_t day)
{
	int64_t wall = (int64_t)day * 86400;
	int64_t c[2], best = INT64_MAX;
	int i;

	c[0] = wall - br_tz_offset(tz, wall - 86400);
	c[1] = wall - br_tz_offset(tz, wall + 86400);
	for (i = 0; i < 2; i++) {
		/* Earliest instant whose local day is >= day. */
		int64_t t = c[i];
		if (br_tz_local_day(tz, t) < day)
			continue;
		if (br_tz_local_day(tz, t - 1) >= day)
			continue;
		if (t < best)
			best = t;
	}
	if (best == INT64_MAX) {
		/* Midnight falls in a gap: the day begins at the transition. */
		int64_t lo = c[0] < c[1] ? c[0] : c[1];
		int64_t hi = c[0] < c[1] ? c[1] : c[0];
		lo -= 86400;
		hi += 86400;
		while (hi - lo > 1) {
			int64_t mid = lo + (hi - lo) / 2;
			if (br_tz_local_day(tz, mid) >= day)
				hi = mid;
			else
				lo = mid;
		}
		best = hi;
	}
	return best;
}

int32_t
br_tz_day_length(const struct br_tz *tz, int32_t day)
{
	return (int32_t)(br_tz_day_start(tz, day + 1) -
	    br_tz_day_start(tz, day));
}

int
br_tz_local_to_utc(const struct br_tz *tz, int64_t local, bool prefer_later,
    int64_t *out)
{
	int32_t o1 = br_tz_offset(tz, local - 86400);
	int32_t o2 = br_tz_offset(tz, local + 86400);
	int64_t a = local - o1, b = local - o2;
	bool va = br_tz_offset(tz, a) == o1, vb = br_tz_offset(tz, b) == o2;

	if (va && vb && a != b) {
		if (a > b) {
			int64_t x = a;
			a = b;
			b = x;
		}
		*out = prefer_later ? b : a;
		return 1;
	}
	if (va) {
		*out = a;
		return 0;
	}
	if (vb) {
		*out = b;
		return 0;
	}
	return -1;
}
