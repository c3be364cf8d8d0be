/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nem12.c: streaming AEMO MDFF parser (NEM12 interval data, NEM13
 * accumulation data).  Records arrive one at a time from br_csv_read; a
 * 300 record is held until its 400 records have been applied and is then
 * handed to the caller as a struct br_ami_day.  Values are positional in
 * a fixed-offset clock (AEST, UTC+10 by default), so interval k of
 * IntervalDate D starts at D 00:00 + (k-1) * IntervalLength local.
 * No allocation per record: the day buffers live in the parser state.
 */
#include "formats/nem12.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "core/reads.h"
#include "core/units.h"
#include "core/banned.h"

#define NEM_MAX_N 288		/* 5-minute intervals per day */

struct nem_state {
	const struct br_nem12_opts *opts;
	int32_t offset_s;
	br_ami_day_cb on_day;
	br_ami_register_cb on_register;
	void *ctx;
	struct br_nem12_stats *stats;
	char file[256];
	long last_line;		/* line of the last record seen */
	long nrecords;
	bool in_block;		/* inside 100 (or header-less 200) .. 900 */
	bool seen_header;
	bool seen_end;		/* at least one 900 */
	/* current 200 record */
	bool have200;
	char nmi[64], suffix[8], serial[32], unit[16];
	char block_version[32];	/* latest 300 UpdateDateTime since the 200 */
	int channel;
	int32_t interval_min;
	int n;
	unsigned flags200;
	bool skipping;		/* opts->skip said so for the 200 */
	bool skipped_day;	/* the last 300 was passed over */
	/* pending 300 record (waiting for its 400 records) */
	bool pending;
	bool is_v;
	long day_line;
	struct br_ami_day day;
	int64_t values[NEM_MAX_N];
	uint8_t quality[NEM_MAX_N];
	uint8_t empty[NEM_MAX_N];	/* value cell was empty */
	uint8_t covered[NEM_MAX_N];	/* set by a 400 (V days) */
};

const char *
br_nem12_unit(const char *uom)
{
	const struct br_unit *u;

	if (uom[0] == '\0')
		return "";
	u = br_unit_find(uom);
	return u != NULL && (u->uses & BR_UNIT_NEM12) ? u->name : NULL;
}

int
br_nem12_suffix_channel(const char *suffix)
{
	switch (suffix[0]) {
	case 'D': case 'E': case 'F':
		return BR_CHANNEL_DELIVERED;
	case 'A': case 'B': case 'C':
		return BR_CHANNEL_RECEIVED;
	default:
		return BR_AMI_CHANNEL_OTHER;
	}
}

/* Field i with surrounding blanks (and a stray CR) trimmed. */
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

/* A validated 12- or 14-digit DateTime as a 14-digit version stamp. */
static void
set_version(char version[32], const char *s, size_t len)
{
	memcpy(version, s, len);
	if (len == 12)
		memcpy(version + 12, "00", 2);
	version[14] = '\0';
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

/* CCYYMMDD -> days since 1970-01-01. */
static int
parse_date8(const char *s, size_t len, int32_t *days)
{
	int y, m, d;

	if (len != 8 || !all_digits(s, len))
		return -1;
	y = num2(s) * 100 + num2(s + 2);
	m = num2(s + 4);
	d = num2(s + 6);
	if (m < 1 || m > 12 || d < 1 || d > br_date_month_days(y, m))
		return -1;
	*days = br_date_days(y, m, d);
	return 0;
}

/* CCYYMMDDhhmm[ss] local -> seconds (as if UTC) of the wall time. */
static int
parse_datetime(const char *s, size_t len, int64_t *secs)
{
	int32_t days;
	int hh, mi, ss = 0;

	if ((len != 12 && len != 14) || !all_digits(s, len) ||
	    parse_date8(s, 8, &days) != 0)
		return -1;
	hh = num2(s + 8);
	mi = num2(s + 10);
	if (len == 14)
		ss = num2(s + 12);
	if (hh > 23 || mi > 59 || ss > 59)
		return -1;
	*secs = (int64_t)days * 86400 + hh * 3600 + mi * 60 + ss;
	return 0;
}

/*
 * QualityMethod: A, N or V alone, or E/S/F/N plus a two-digit method.
 * Returns 0 with *q and *letter, or -1.
 */
static int
parse_qm(const char *s, size_t len, uint8_t *q, char *letter)
{
	char c;

	if (len == 0)
		return -1;
	c = s[0];
	if (len != 1 && !(len == 3 && all_digits(s + 1, 2)))
		return -1;
	switch (c) {
	case 'A':
	case 'V':
		if (len != 1)
			return -1;
		*q = BR_Q_ACTUAL;
		break;
	case 'E':
	case 'S':
	case 'F':
		*q = BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
		break;
	case 'N':
		*q = BR_Q_MISSING;
		break;
	default:
		return -1;
	}
	*letter = c;
	return 0;
}

static int
parse_reason(const char *s, size_t len, int *reason)
{
	if (len == 0) {
		*reason = -1;
		return 0;
	}
	if (len > 3 || !all_digits(s, len))
		return -1;
	*reason = (int)(s[0] - '0');
	if (len > 1)
		*reason = *reason * 10 + (s[1] - '0');
	if (len > 2)
		*reason = *reason * 10 + (s[2] - '0');
	return 0;
}

static int
fail(struct nem_state *st, long line, struct br_error *err,
    const char *msg)
{
	return br_error_set(err, BR_EINPUT, st->file, line, "%s", msg);
}

/* Validate and hand out the pending 300 record. */
static int
flush_day(struct nem_state *st, struct br_error *err)
{
	int i;
	char msg[160];

	if (!st->pending)
		return 0;
	st->pending = false;
	for (i = 0; i < st->day.n; i++) {
		if (st->is_v && !st->covered[i]) {
			snprintf(msg, sizeof(msg), "300 record: QualityMethod "
			    "V but interval %d is not covered by a 400 record",
			    i + 1);
			return fail(st, st->day_line, err, msg);
		}
		if (st->empty[i] && !(st->quality[i] & BR_Q_MISSING)) {
			snprintf(msg, sizeof(msg), "300 record: IntervalValue%d "
			    "is empty but its quality is not N", i + 1);
			return fail(st, st->day_line, err, msg);
		}
	}
	if (st->stats)
		st->stats->days++;
	if (st->on_day && st->on_day(st->ctx, &st->day, err) != 0) {
		if (err && err->file[0] == '\0') {
			snprintf(err->file, sizeof(err->file), "%s", st->file);
			err->line = st->day_line;
		}
		return -1;
	}
	return 0;
}

static void
add_flags(struct nem_state *st, unsigned f)
{
	if (st->stats)
		st->stats->flags |= f;
}

static int
rec_100(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *s;
	size_t len;
	int v;

	if (st->in_block)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "100 record: a new header before the 900 end record of "
		    "the previous block");
	s = field(rec, 1, &len);
	if (len == 5 && strncasecmp(s, "NEM12", 5) == 0)
		v = 12;
	else if (len == 5 && strncasecmp(s, "NEM13", 5) == 0)
		v = 13;
	else
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "100 record: field 'VersionHeader' is '%.*s', expected "
		    "NEM12 or NEM13", (int)(len > 20 ? 20 : len), s);
	if (st->stats->version != 0 && st->stats->version != v)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "100 record: NEM%d block in a NEM%d file", v,
		    st->stats->version);
	if (st->stats->blocks > 0) {
		if (st->opts->strict)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "100 record: several 100..900 blocks in one file");
		add_flags(st, BR_AMI_F_MULTI_BLOCK);
	}
	st->stats->version = v;
	st->stats->blocks++;
	st->seen_header = true;
	st->in_block = true;
	st->have200 = false;
	return 0;
}

/* A data record outside a block: header missing (lenient) or an error. */
static int
open_implicit_block(struct nem_state *st, const char *what,
    struct br_error *err)
{
	if (st->opts->strict || st->stats->version == 13)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "%s record: missing 100 header record", what);
	if (!st->seen_header && st->stats->blocks == 0)
		add_flags(st, BR_AMI_F_NO_HEADER);
	if (st->stats->blocks > 0)
		add_flags(st, BR_AMI_F_MULTI_BLOCK);
	st->stats->version = 12;
	st->stats->blocks++;
	st->in_block = true;
	return 0;
}

static int
rec_200(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *s, *cfg, *unit;
	size_t len, cfglen, i;
	int64_t il;

	if (!st->in_block && open_implicit_block(st, "200", err) != 0)
		return -1;
	if (st->stats->version != 12)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "200 record in a NEM13 file");
	if (rec->nfields < 9)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "200 record: expected at least 9 fields, found %zu",
		    rec->nfields);
	st->have200 = false;
	st->flags200 = 0;
	s = field(rec, 1, &len);
	if (len == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "200 record: field 'NMI' is empty");
	copy_field(st->nmi, sizeof(st->nmi), s, len);
	s = field(rec, 4, &len);
	if (len != 2)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "200 record: field 'NMISuffix' is '%.*s', expected 2 "
		    "characters", (int)(len > 20 ? 20 : len), s);
	copy_field(st->suffix, sizeof(st->suffix), s, len);
	cfg = field(rec, 2, &cfglen);
	if (cfglen == 0) {
		if (st->opts->strict)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "200 record: field 'NMIConfiguration' is empty");
		st->flags200 |= BR_AMI_F_EMPTY_CONFIG;
		add_flags(st, BR_AMI_F_EMPTY_CONFIG);
	} else {
		for (i = 0; i + 1 < cfglen; i += 2)
			if (cfg[i] == s[0] && cfg[i + 1] == s[1])
				break;
		if (i + 1 >= cfglen)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "200 record: NMISuffix '%s' is not listed in "
			    "NMIConfiguration '%.*s'", st->suffix,
			    (int)(cfglen > 60 ? 60 : cfglen), cfg);
	}
	st->channel = br_nem12_suffix_channel(st->suffix);
	s = field(rec, 6, &len);
	copy_field(st->serial, sizeof(st->serial), s, len);
	s = field(rec, 7, &len);
	{
		char ubuf[16];
		copy_field(ubuf, sizeof(ubuf), s, len);
		unit = len < sizeof(ubuf) ? br_nem12_unit(ubuf) : NULL;
		if (unit == NULL)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "200 record: field 'UOM' is '%.*s', not a known "
			    "unit", (int)(len > 20 ? 20 : len), s);
		snprintf(st->unit, sizeof(st->unit), "%s", unit);
	}
	s = field(rec, 8, &len);
	if (br_decimal_parse(s, len, 0, &il) != 0 ||
	    (il != 5 && il != 10 && il != 15 && il != 30))
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "200 record: field 'IntervalLength' is '%.*s', expected "
		    "5, 15 or 30 (10 for non-energy channels)",
		    (int)(len > 20 ? 20 : len), s);
	st->interval_min = (int32_t)il;
	st->n = (int)(1440 / il);
	st->block_version[0] = '\0';
	st->have200 = true;
	if (st->opts->skip != NULL)
		st->skipping = st->opts->skip(st->ctx, st->nmi, st->suffix,
		    st->serial) > 0;
	return 0;
}

static int
rec_300(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *s;
	size_t len, qi, i;
	int32_t days;
	uint8_t q;
	char letter;
	int reason;
	struct br_ami_day *d = &st->day;

	if (!st->have200)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "300 record before any 200 record");
	s = field(rec, 1, &len);
	if (parse_date8(s, len, &days) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "300 record: field 'IntervalDate' is '%.*s', expected "
		    "a date CCYYMMDD", (int)(len > 20 ? 20 : len), s);
	/* The QualityMethod is the first field after the values that
	 * starts with a letter; values are digits or empty. */
	qi = 2 + (size_t)st->n;
	s = field(rec, qi, &len);
	if (qi >= rec->nfields || len == 0 || s[0] < 'A' || s[0] > 'Z') {
		for (qi = 2; qi < rec->nfields; qi++) {
			s = field(rec, qi, &len);
			if (len > 0 && ((s[0] >= 'A' && s[0] <= 'Z') ||
			    (s[0] >= 'a' && s[0] <= 'z')))
				break;
		}
		if (qi >= rec->nfields)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "300 record: field 'QualityMethod' not found");
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "300 record: expected %d interval values for "
		    "IntervalLength %d, found %zu", st->n,
		    (int)st->interval_min, qi - 2);
	}
	if (parse_qm(s, len, &q, &letter) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "300 record: bad QualityMethod '%.*s'",
		    (int)(len > 20 ? 20 : len), s);
	copy_field(d->qmethod, sizeof(d->qmethod), s, len);
	s = field(rec, qi + 1, &len);
	if (parse_reason(s, len, &reason) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "300 record: field 'ReasonCode' is '%.*s', expected a "
		    "number", (int)(len > 20 ? 20 : len), s);
	d->flags = st->flags200;
	d->version[0] = '\0';
	if (qi + 3 >= rec->nfields) {
		d->flags |= BR_AMI_F_SHORT_RECORD;
	} else {
		int64_t t;
		s = field(rec, qi + 3, &len);
		if (len > 0 && parse_datetime(s, len, &t) != 0)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "300 record: field 'UpdateDateTime' is '%.*s', "
			    "expected CCYYMMDDhhmmss",
			    (int)(len > 20 ? 20 : len), s);
		if (len > 0)
			set_version(d->version, s, len);
		if (strcmp(d->version, st->block_version) > 0)
			snprintf(st->block_version, sizeof(st->block_version),
			    "%s", d->version);
	}
	if (letter == 'A' && (reason == 61 || reason == 79 || reason == 89))
		d->flags |= BR_AMI_F_EVENT;
	add_flags(st, d->flags);
	for (i = 0; i < (size_t)st->n; i++) {
		s = field(rec, 2 + i, &len);
		st->quality[i] = q;
		st->covered[i] = 0;
		if (len == 0) {
			st->values[i] = 0;
			st->empty[i] = 1;
			continue;
		}
		st->empty[i] = 0;
		if (br_decimal_parse(s, len, 3, &st->values[i]) != 0)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "300 record: IntervalValue%zu is '%.*s', not a "
			    "decimal number with at most 3 decimals", i + 1,
			    (int)(len > 20 ? 20 : len), s);
		if (st->values[i] < 0)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "300 record: IntervalValue%zu is negative", i + 1);
		if (q & BR_Q_MISSING)
			st->values[i] = 0;
	}
	d->file = st->file;
	d->line = rec->line;
	snprintf(d->meter_id, sizeof(d->meter_id), "%s", st->nmi);
	snprintf(d->nmi_suffix, sizeof(d->nmi_suffix), "%s", st->suffix);
	snprintf(d->serial, sizeof(d->serial), "%s", st->serial);
	snprintf(d->unit, sizeof(d->unit), "%s", st->unit);
	d->channel = st->channel;
	d->start_utc = (int64_t)days * 86400 - st->offset_s;
	d->interval_s = st->interval_min * 60;
	d->n = st->n;
	d->values = st->values;
	d->quality = st->quality;
	d->reason = reason;
	st->is_v = letter == 'V';
	st->day_line = rec->line;
	st->pending = true;
	return 0;
}

static int
rec_400(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *s;
	size_t len;
	int64_t a, b;
	uint8_t q;
	char letter;
	int reason, i;

	if (!st->pending)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record without a preceding 300 record");
	s = field(rec, 1, &len);
	if (len == 0 || br_decimal_parse(s, len, 0, &a) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: field 'StartInterval' is '%.*s', expected "
		    "a number", (int)(len > 20 ? 20 : len), s);
	s = field(rec, 2, &len);
	if (len == 0 || br_decimal_parse(s, len, 0, &b) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: field 'EndInterval' is '%.*s', expected "
		    "a number", (int)(len > 20 ? 20 : len), s);
	if (a < 1 || a > b || b > st->day.n)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: interval range %lld-%lld outside 1..%d",
		    (long long)a, (long long)b, (int)st->day.n);
	s = field(rec, 3, &len);
	if (parse_qm(s, len, &q, &letter) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: bad QualityMethod '%.*s'",
		    (int)(len > 20 ? 20 : len), s);
	if (letter == 'V')
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: QualityMethod 'V' is not allowed in a 400 "
		    "record");
	s = field(rec, 4, &len);
	if (parse_reason(s, len, &reason) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "400 record: field 'ReasonCode' is '%.*s', expected a "
		    "number", (int)(len > 20 ? 20 : len), s);
	if (letter == 'A' && (reason == 61 || reason == 79 || reason == 89)) {
		st->day.flags |= BR_AMI_F_EVENT;
		add_flags(st, BR_AMI_F_EVENT);
	}
	for (i = (int)a - 1; i < (int)b; i++) {
		st->quality[i] = q;
		st->covered[i] = 1;
		if (q & BR_Q_MISSING)
			st->values[i] = 0;
	}
	return 0;
}

static int
rec_500(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	struct br_ami_register r;
	const char *s;
	size_t len;
	int64_t t;

	if (!st->have200)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "500 record before any 200 record");
	s = field(rec, 4, &len);
	if (len == 0)
		return 0;	/* no IndexRead: nothing to hand out */
	memset(&r, 0, sizeof(r));
	if (br_decimal_parse(s, len, 3, &r.value_milli) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "500 record: field 'IndexRead' is '%.*s', not a decimal "
		    "number", (int)(len > 20 ? 20 : len), s);
	s = field(rec, 3, &len);
	if (parse_datetime(s, len, &t) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "500 record: field 'ReadDateTime' is '%.*s', expected "
		    "CCYYMMDDhhmmss", (int)(len > 20 ? 20 : len), s);
	r.file = st->file;
	r.line = rec->line;
	r.read_utc = t - st->offset_s;
	snprintf(r.meter_id, sizeof(r.meter_id), "%s", st->nmi);
	snprintf(r.nmi_suffix, sizeof(r.nmi_suffix), "%s", st->suffix);
	snprintf(r.serial, sizeof(r.serial), "%s", st->serial);
	r.channel = st->channel;
	/* IndexRead is in the UOM of its 200 record; its version is the
	 * latest UpdateDateTime of the 300 records it follows. */
	snprintf(r.unit, sizeof(r.unit), "%s", st->unit);
	snprintf(r.version, sizeof(r.version), "%s", st->block_version);
	r.quality = BR_Q_ACTUAL;
	s = field(rec, 1, &len);
	copy_field(r.trans_code, sizeof(r.trans_code), s, len);
	st->stats->registers++;
	if (st->on_register)
		return st->on_register(st->ctx, &r, err);
	return 0;
}

/* One NEM13 read: value, datetime, quality fields starting at i. */
static int
nem13_read(const struct br_csv_record *rec, size_t i, int32_t offset_s,
    const char *which, int64_t *val, int64_t *t, uint8_t *q,
    struct br_error *err)
{
	const char *s;
	size_t len;
	char letter;

	s = field(rec, i, &len);
	if (br_decimal_parse(s, len, 3, val) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: field '%sRegisterRead' is '%.*s', not a "
		    "decimal number", which, (int)(len > 20 ? 20 : len), s);
	s = field(rec, i + 1, &len);
	if (parse_datetime(s, len, t) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: field '%sRegisterReadDateTime' is '%.*s', "
		    "expected CCYYMMDDhhmmss", which,
		    (int)(len > 20 ? 20 : len), s);
	*t -= offset_s;
	s = field(rec, i + 2, &len);
	if (parse_qm(s, len, q, &letter) != 0 || letter == 'V')
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: bad %sQualityMethod '%.*s'", which,
		    (int)(len > 20 ? 20 : len), s);
	return 0;
}

static int
rec_250(struct nem_state *st, const struct br_csv_record *rec,
    struct br_error *err)
{
	struct br_ami_register r;
	const char *s, *unit;
	size_t len;

	if (!st->in_block && open_implicit_block(st, "250", err) != 0)
		return -1;
	if (st->stats->version != 13)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record in a NEM12 file");
	if (rec->nfields < 20)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: expected at least 20 fields, found %zu",
		    rec->nfields);
	memset(&r, 0, sizeof(r));
	r.file = st->file;
	r.line = rec->line;
	s = field(rec, 1, &len);
	if (len == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: field 'NMI' is empty");
	copy_field(r.meter_id, sizeof(r.meter_id), s, len);
	s = field(rec, 3, &len);
	copy_field(r.register_id, sizeof(r.register_id), s, len);
	s = field(rec, 4, &len);
	copy_field(r.nmi_suffix, sizeof(r.nmi_suffix), s, len);
	s = field(rec, 6, &len);
	copy_field(r.serial, sizeof(r.serial), s, len);
	s = field(rec, 7, &len);
	if (len == 1 && s[0] == 'E')
		r.channel = BR_CHANNEL_DELIVERED;
	else if (len == 1 && s[0] == 'I')
		r.channel = BR_CHANNEL_RECEIVED;
	else
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "250 record: field 'DirectionIndicator' is '%.*s', "
		    "expected E or I", (int)(len > 20 ? 20 : len), s);
	if (field(rec, 8, &len), len > 0) {
		if (nem13_read(rec, 8, st->offset_s, "Previous",
		    &r.prev_milli, &r.prev_utc, &r.prev_quality, err) != 0)
			return -1;
		r.has_previous = 1;
	}
	if (nem13_read(rec, 13, st->offset_s, "Current", &r.value_milli,
	    &r.read_utc, &r.quality, err) != 0)
		return -1;
	s = field(rec, 18, &len);
	if (len > 0) {
		if (br_decimal_parse(s, len, 3, &r.quantity_milli) != 0 ||
		    r.quantity_milli < 0)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "250 record: field 'Quantity' is '%.*s', not a "
			    "non-negative decimal", (int)(len > 20 ? 20 : len),
			    s);
		r.has_quantity = 1;
	}
	s = field(rec, 19, &len);
	{
		char ubuf[16];
		copy_field(ubuf, sizeof(ubuf), s, len);
		unit = len < sizeof(ubuf) ? br_nem12_unit(ubuf) : NULL;
		if (unit == NULL)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "250 record: field 'UOM' is '%.*s', not a known "
			    "unit", (int)(len > 20 ? 20 : len), s);
		snprintf(r.unit, sizeof(r.unit), "%s", unit);
	}
	s = field(rec, 21, &len);
	if (len > 0) {
		int64_t t;
		if (parse_datetime(s, len, &t) != 0)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "250 record: field 'UpdateDateTime' is '%.*s', "
			    "expected CCYYMMDDhhmmss",
			    (int)(len > 20 ? 20 : len), s);
		set_version(r.version, s, len);
	}
	st->stats->registers++;
	if (st->on_register)
		return st->on_register(st->ctx, &r, err);
	return 0;
}

static int
on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct nem_state *st = ctx;
	const char *s;
	size_t len;

	if (st->file[0] == '\0')
		snprintf(st->file, sizeof(st->file), "%s", rec->file);
	s = field(rec, 0, &len);
	if (len == 0 && rec->nfields <= 1)
		return 0;	/* a line of blanks */
	st->last_line = rec->line;
	st->nrecords++;
	if (len != 3 || !all_digits(s, 3))
		goto unknown;
	if (st->nrecords == 1 && memcmp(s, "100", 3) != 0 &&
	    memcmp(s, "200", 3) != 0)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "missing 100 header record (first record is '%.3s')", s);
	if (memcmp(s, "400", 3) != 0) {
		if (flush_day(st, err) != 0)
			return -1;
		st->skipped_day = false;
	} else if (st->skipped_day) {
		return 0;	/* belongs to a 300 passed over */
	}
	if (memcmp(s, "300", 3) != 0 && memcmp(s, "400", 3) != 0 &&
	    memcmp(s, "500", 3) != 0)
		st->skipping = false;
	switch (num2(s) * 10 + (s[2] - '0')) {
	case 100:
		return rec_100(st, rec, err);
	case 200:
		return rec_200(st, rec, err);
	case 300:
		return rec_300(st, rec, err);
	case 400:
		return rec_400(st, rec, err);
	case 500:
		if (st->stats->version != 12)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "500 record in a NEM13 file");
		return rec_500(st, rec, err);
	case 250:
		return rec_250(st, rec, err);
	case 550:
		if (st->stats->version != 13)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "550 record in a NEM12 file");
		return 0;
	case 900:
		if (!st->in_block)
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "900 record without a block to end");
		st->in_block = false;
		st->have200 = false;
		st->seen_end = true;
		return 0;
	default:
		break;
	}
unknown:
	return br_error_set(err, BR_EINPUT, NULL, 0,
	    "unknown record indicator '%.*s'", (int)(len > 20 ? 20 : len), s);
}

/* Is a 300 record of n values short (no UpdateDateTime field)?  Its
 * fields: 300, IntervalDate, n values, QualityMethod, ReasonCode,
 * ReasonDescription, UpdateDateTime ...: short below n + 6 fields. */
static bool
short_300(const char *s, size_t len, int n)
{
	const char *end = s + len, *q;
	int commas;

	for (commas = 0; commas < n + 5; commas++) {
		if ((q = memchr(s, ',', (size_t)(end - s))) == NULL)
			return true;
		s = q + 1;
	}
	return false;
}

/* 1 when a plain 500 line has an IndexRead (field 4 not blank), else 0. */
static int
index_read(const char *s, const char *end)
{
	const char *q;
	int i;

	for (i = 0; i < 4; i++) {
		if ((q = memchr(s, ',', (size_t)(end - s))) == NULL)
			return 0;
		s = q + 1;
	}
	for (; s < end && *s != ','; s++)
		if (*s != ' ' && *s != '\r')
			return 1;
	return 0;
}

/*
 * The line gate while a 200 record's meter belongs to another shard: its
 * 300, 400 and 500 records are passed over unread (what on_record does
 * with them besides reading values is done here), anything else is read.
 */
static int
nem_gate(void *ctx, const char *s, size_t len, long line, struct br_error *err)
{
	struct nem_state *st = ctx;
	int type;

	if (!st->skipping || len < 4 || s[3] != ',')
		return 0;
	if (memcmp(s, "300", 3) == 0)
		type = 300;
	else if (memcmp(s, "400", 3) == 0)
		type = 400;
	else if (memcmp(s, "500", 3) == 0)
		type = 500;
	else
		return 0;
	if (type == 400 && !st->skipped_day)
		return 0;	/* read: after a 300 read, or an error */
	if (st->opts->line_check(s, len) != 0 ||
	    (type == 300 && memchr(s, '"', len) != NULL))
		return 0;
	if (type != 400) {
		if (flush_day(st, err) != 0)
			return -1;
		st->skipped_day = type == 300;
	}
	st->last_line = line;
	st->nrecords++;
	if (type == 300) {
		st->stats->days++;
		if (short_300(s, len, st->n))
			add_flags(st, BR_AMI_F_SHORT_RECORD);
	}
	if (type != 400 && (st->channel == BR_CHANNEL_DELIVERED ||
	    st->channel == BR_CHANNEL_RECEIVED))
		st->stats->skipped_reads += type == 300 ? st->n :
		    index_read(s, s + len);
	return 1;
}

int
br_nem12_parse(const char *path, const struct br_nem12_opts *opts,
    br_ami_day_cb on_day, br_ami_register_cb on_register, void *ctx,
    char sha_hex[65], struct br_nem12_stats *stats, struct br_error *err)
{
	static const struct br_nem12_opts defaults;
	struct br_nem12_stats local;
	struct nem_state *st;
	int rc;

	if (stats == NULL)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	st->opts = opts ? opts : &defaults;
	st->offset_s = st->opts->has_offset ? st->opts->utc_offset_s : 36000;
	st->on_day = on_day;
	st->on_register = on_register;
	st->ctx = ctx;
	st->stats = stats;
	rc = br_csv_read_gated(path, st->opts->skip != NULL &&
	    st->opts->line_check != NULL ? nem_gate : NULL, on_record, st,
	    sha_hex, err);
	if (rc == 0 && flush_day(st, err) != 0)
		rc = -1;
	if (rc == 0 && st->nrecords == 0)
		rc = br_error_set(err, BR_EINPUT, path, 0,
		    "empty file: no 100 header record");
	if (rc == 0 && st->in_block)
		rc = fail(st, st->last_line, err, "missing 900 end record");
	free(st);
	return rc;
}
