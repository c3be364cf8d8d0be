/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmep.c: streaming CMEP MEPMD01 parser.  Each row is checked (field
 * count 14 + 3 * Count, interval code, stamps) and turned into interval
 * runs (struct br_ami_day) or register reads (struct br_ami_register).
 * Stamps are wall time in the configured zone (or UTC) and mark the start
 * or, for interval-ending senders such as Sensus, the end of an interval.
 * Row buffers are reused from row to row: no allocation per field.
 */
#include "formats/cmep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "formats/nem12.h"
#include "core/reads.h"
#include "core/tz.h"
#include "core/banned.h"

struct cmep_state {
	const struct br_cmep_opts *opts;
	br_ami_day_cb on_day;
	br_ami_register_cb on_register;
	void *ctx;
	struct br_cmep_stats *stats;
	int64_t *values;	/* row buffers, grown to the largest Count */
	uint8_t *quality;
	size_t cap;
	/* the gate's last meter (Meter ID, field 5) and skip's answer */
	char gate_id[64], gate_serial[32];
	int gate_skip;
};

static const char *
field(const struct br_csv_record *rec, size_t i, size_t *len)
{
	const char *s;
	size_t n;

	if (i >= rec->nfields) {
		*len = 0;
		return "";
	}
	s = rec->fields[i];
	n = rec->lens[i];
	while (n > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r'))
		n--;
	*len = n;
	return s;
}

static void
copy_field(char *dst, size_t dstsz, const char *s, size_t len)
{
	if (len >= dstsz)
		len = dstsz - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int
all_digits(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

/* CCYYMMDDHHMM wall time -> seconds since the epoch as if UTC. */
static int
parse_stamp(const char *s, size_t len, int64_t *secs)
{
	int y, m, d, hh, mi;

	if (len != 12 || !all_digits(s, len))
		return -1;
	y = num2(s) * 100 + num2(s + 2);
	m = num2(s + 4);
	d = num2(s + 6);
	hh = num2(s + 8);
	mi = num2(s + 10);
	if (m < 1 || m > 12 || d < 1 || d > br_date_month_days(y, m) ||
	    hh > 23 || mi > 59)
		return -1;
	*secs = (int64_t)br_date_days(y, m, d) * 86400 + hh * 3600 + mi * 60;
	return 0;
}

/*
 * Wall stamp -> UTC.  When the stamp is ambiguous, the instant equal to
 * `expect` wins (continuity), else the earlier one.  -1 in a DST gap.
 */
static int
to_utc(const struct cmep_state *st, int64_t wall, int64_t expect,
    int64_t *out)
{
	int64_t a, b;
	int rc;

	if (st->opts->tz == NULL) {
		*out = wall;
		return 0;
	}
	rc = br_tz_local_to_utc(st->opts->tz, wall, false, &a);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		br_tz_local_to_utc(st->opts->tz, wall, true, &b);
		if (b == expect && a != expect)
			a = b;
	}
	*out = a;
	return 0;
}

/* Quality letter: R actual, N no read (missing), E estimated. */
static uint8_t
quality_of(const char *s, size_t len)
{
	if (len == 0)
		return BR_Q_SUSPECT;
	switch (s[0]) {
	case 'R':
		return BR_Q_ACTUAL;
	case 'N':
		return BR_Q_MISSING;
	case 'E':
		return BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
	default:
		return BR_Q_SUSPECT;
	}
}

/* value (milli) x constant (micro) / 10^6, half up; -1 on overflow. */
static int
apply_constant(int64_t v, int64_t c, int64_t *out)
{
	int64_t av = v < 0 ? -v : v, ac = c < 0 ? -c : c;

	if (c == 1000000) {
		*out = v;
		return 0;
	}
	if (ac != 0 && av > INT64_MAX / ac)
		return -1;
	*out = br_div_round(v * c, 1000000, BR_ROUND_HALF_UP);
	return 0;
}

static int
emit_run(struct cmep_state *st, struct br_ami_day *d, size_t first,
    size_t n, int64_t start, struct br_error *err)
{
	if (n == 0)
		return 0;
	d->start_utc = start;
	d->n = (int32_t)n;
	d->values = st->values + first;
	d->quality = st->quality + first;
	st->stats->days++;
	if (st->on_day)
		return st->on_day(st->ctx, d, err);
	return 0;
}

static int
on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct cmep_state *st = ctx;
	const char *s;
	size_t len, count, i, run_first = 0;
	int64_t n64, constant = 1000000, iv, prev_t = 0, run_start = 0;
	bool is_reg;
	char unit[16];
	struct br_ami_day d;
	struct br_ami_register r;

	s = field(rec, 0, &len);
	if (len == 0 && rec->nfields <= 1)
		return 0;
	st->stats->rows++;
	if (len != 7 || strncmp(s, "MEPMD01", 7) != 0) {
		st->stats->skipped++;	/* MEPMD02, MLA01, MEPAD*: not ours */
		return 0;
	}
	if (rec->nfields < 14)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: expected at least 14 fields, found %zu",
		    rec->nfields);
	s = field(rec, 8, &len);
	if (!(len == 2 && strncasecmp(s, "OK", 2) == 0)) {
		st->stats->skipped++;	/* History, SUMMARY ... */
		return 0;
	}
	s = field(rec, 13, &len);
	if (br_decimal_parse(s, len, 0, &n64) != 0 || n64 < 1)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: field 'Count' is '%.*s', expected a "
		    "positive number", (int)(len > 20 ? 20 : len), s);
	count = (size_t)n64;
	if (rec->nfields != 14 + 3 * count)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: Count is %zu but the record has %zu "
		    "fields, expected %zu", count, rec->nfields,
		    14 + 3 * count);
	s = field(rec, 12, &len);
	if (len != 8 || !all_digits(s, 8) || num2(s) != 0 ||
	    num2(s + 4) > 23 || num2(s + 6) > 59)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: field 'Interval' is '%.*s', expected "
		    "00DDHHMM", (int)(len > 20 ? 20 : len), s);
	iv = (int64_t)num2(s + 2) * 86400 + num2(s + 4) * 3600 +
	    num2(s + 6) * 60;
	s = field(rec, 10, &len);
	is_reg = len > 3 && strncasecmp(s + len - 3, "REG", 3) == 0;
	if (is_reg)
		len -= 3;
	if (len == 0 || len >= sizeof(unit))
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: field 'Units' is empty or too long");
	copy_field(unit, sizeof(unit), s, len);
	if (br_nem12_unit(unit) != NULL)
		snprintf(unit, sizeof(unit), "%s", br_nem12_unit(unit));
	s = field(rec, 11, &len);
	if (len > 0 && (br_decimal_parse(s, len, 6, &constant) != 0 ||
	    constant <= 0))
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: field 'Calculation Constant' is '%.*s', "
		    "expected a positive decimal", (int)(len > 20 ? 20 : len),
		    s);
	if (!is_reg && iv == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: interval row with Interval 00000000");
	if (count > st->cap) {
		int64_t *nv = realloc(st->values, count * sizeof(*nv));
		uint8_t *nq = nv ? realloc(st->quality, count) : NULL;
		if (nv)
			st->values = nv;
		if (nq == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		st->quality = nq;
		st->cap = count;
	}

	memset(&d, 0, sizeof(d));
	memset(&r, 0, sizeof(r));
	d.file = r.file = rec->file;
	d.line = r.line = rec->line;
	s = field(rec, 7, &len);
	if (len == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "MEPMD01 record: field 'Meter ID' is empty");
	copy_field(d.meter_id, sizeof(d.meter_id), s, len);
	copy_field(r.meter_id, sizeof(r.meter_id), s, len);
	s = field(rec, 5, &len);
	copy_field(d.serial, sizeof(d.serial), s, len);
	copy_field(r.serial, sizeof(r.serial), s, len);
	s = field(rec, 6, &len);
	copy_field(d.version, sizeof(d.version), s, len);
	copy_field(r.version, sizeof(r.version), s, len);
	d.channel = r.channel = BR_CHANNEL_DELIVERED;
	snprintf(d.unit, sizeof(d.unit), "%s", unit);
	snprintf(r.unit, sizeof(r.unit), "%s", unit);
	d.interval_s = (int32_t)iv;
	d.reason = -1;

	for (i = 0; i < count; i++) {
		size_t b = 14 + 3 * i;
		int64_t wall, t, v;
		uint8_t q;

		s = field(rec, b, &len);
		if (len == 0) {
			if (i == 0 || iv == 0)
				return br_error_set(err, BR_EINPUT, NULL, 0,
				    "MEPMD01 record: triple %zu: Date/Time is "
				    "empty", i + 1);
			t = prev_t + iv;
		} else {
			if (parse_stamp(s, len, &wall) != 0)
				return br_error_set(err, BR_EINPUT, NULL, 0,
				    "MEPMD01 record: triple %zu: Date/Time is "
				    "'%.*s', expected CCYYMMDDHHMM", i + 1,
				    (int)(len > 20 ? 20 : len), s);
			if (to_utc(st, wall, prev_t + iv, &t) != 0)
				return br_error_set(err, BR_EINPUT, NULL, 0,
				    "MEPMD01 record: triple %zu: local time "
				    "'%.*s' does not exist (DST gap)", i + 1,
				    (int)len, s);
		}
		s = field(rec, b + 1, &len);
		q = quality_of(s, len);
		s = field(rec, b + 2, &len);
		if (len == 0) {
			if (!(q & BR_Q_MISSING))
				return br_error_set(err, BR_EINPUT, NULL, 0,
				    "MEPMD01 record: triple %zu: Value is "
				    "empty", i + 1);
			v = 0;
		} else if (br_decimal_parse(s, len, 3, &v) != 0 ||
		    apply_constant(v, constant, &v) != 0) {
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "MEPMD01 record: triple %zu: Value '%.*s' is not "
			    "a decimal number with at most 3 decimals", i + 1,
			    (int)(len > 20 ? 20 : len), s);
		}
		if (is_reg) {
			if (i > 0) {
				r.has_previous = 1;
				r.prev_utc = r.read_utc;
				r.prev_milli = r.value_milli;
				r.prev_quality = r.quality;
			}
			r.read_utc = t;
			r.value_milli = v;
			r.quality = q;
			r.has_quantity = 0;
			if (r.has_previous && !(q & BR_Q_MISSING) &&
			    !(r.prev_quality & BR_Q_MISSING)) {
				r.has_quantity = 1;
				r.quantity_milli = v - r.prev_milli;
			}
			st->stats->registers++;
			if (st->on_register &&
			    st->on_register(st->ctx, &r, err) != 0)
				return -1;
		} else {
			int64_t start = st->opts->interval_ending ? t - iv : t;
			if (i > 0 && t != prev_t + iv) {
				if (emit_run(st, &d, run_first, i - run_first,
				    run_start, err) != 0)
					return -1;
				run_first = i;
			}
			if (i == run_first)
				run_start = start;
			st->values[i] = (q & BR_Q_MISSING) ? 0 : v;
			st->quality[i] = q;
		}
		prev_t = t;
	}
	if (!is_reg)
		return emit_run(st, &d, run_first, count - run_first,
		    run_start, err);
	return 0;
}

/* Field i of a plain line (no quote) as parse() copies it: blanks at the
 * edges trimmed, cut to size - 1; false when the line has fewer fields. */
static bool
line_field(const char *s, const char *end, size_t i, char *dst, size_t size)
{
	const char *q;
	size_t len;

	for (; i > 0; i--) {
		if ((q = memchr(s, ',', (size_t)(end - s))) == NULL)
			return false;
		s = q + 1;
	}
	q = memchr(s, ',', (size_t)(end - s));
	len = (size_t)((q != NULL ? q : end) - s);
	while (len > 0 && *s == ' ') {
		s++;
		len--;
	}
	while (len > 0 && s[len - 1] == ' ')
		len--;
	copy_field(dst, size, s, len);
	return true;
}

/* The line gate: MEPMD01 rows of meters that belong to another shard
 * are passed over unread. */
static int
cmep_gate(void *ctx, const char *s, size_t len, long line,
    struct br_error *err)
{
	struct cmep_state *st = ctx;
	const char *end = s + len;
	char id[64], serial[32], purpose[4], count[12];
	int64_t n;

	(void)line;
	(void)err;
	if (len < 8 || memcmp(s, "MEPMD01,", 8) != 0 ||
	    st->opts->line_check(s, len) != 0 || memchr(s, '"', len) != NULL ||
	    !line_field(s, end, 7, id, sizeof(id)) || id[0] == '\0' ||
	    !line_field(s, end, 5, serial, sizeof(serial)))
		return 0;
	if (strcmp(id, st->gate_id) != 0 ||
	    strcmp(serial, st->gate_serial) != 0) {
		memcpy(st->gate_id, id, sizeof(id));
		memcpy(st->gate_serial, serial, sizeof(serial));
		st->gate_skip = st->opts->skip(st->ctx, id, "", serial) > 0;
	}
	if (!st->gate_skip || !line_field(s, end, 8, purpose,
	    sizeof(purpose)) || !line_field(s, end, 13, count, sizeof(count)))
		return 0;
	if (strcasecmp(purpose, "OK") != 0)
		st->stats->skipped++;
	else if (br_decimal_parse(count, strlen(count), 0, &n) == 0 && n > 0)
		st->stats->skipped_reads += n;
	else
		return 0;	/* read: fails there */
	st->stats->rows++;
	return 1;
}

int
br_cmep_parse(const char *path, const struct br_cmep_opts *opts,
    br_ami_day_cb on_day, br_ami_register_cb on_register, void *ctx,
    char sha_hex[65], struct br_cmep_stats *stats, struct br_error *err)
{
	static const struct br_cmep_opts defaults;
	struct br_cmep_stats local;
	struct cmep_state st;
	int rc;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	memset(&st, 0, sizeof(st));
	st.opts = opts ? opts : &defaults;
	st.on_day = on_day;
	st.on_register = on_register;
	st.ctx = ctx;
	st.stats = stats;
	rc = br_csv_read_gated(path, st.opts->skip != NULL &&
	    st.opts->line_check != NULL ? cmep_gate : NULL, on_record, &st,
	    sha_hex, err);
	if (rc == 0 && stats->rows == 0)
		rc = br_error_set(err, BR_EINPUT, path, 0,
		    "empty file: no MEPMD01 records");
	free(st.values);
	free(st.quality);
	return rc;
}
