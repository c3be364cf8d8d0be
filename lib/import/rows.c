/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rows.c: generic and vendor CSV rows: header columns, meters, units,
 * local days, install checks, into the open meter-days.
 */
#include "import/import_int.h"

#include "core/progress.h"
#include "core/text.h"
#include "core/banned.h"

static const char *const col_names[NCOLS] = { "meter_id", "interval_start",
	"value", "interval_minutes", "channel", "unit", "quality" };

/*
 * Local day of UTC instant t: the day whose [start, next day's start)
 * holds t.  Rows come in time order, so the current day or one near it
 * (counted from the current day in 24-hour steps, then one either side
 * for DST) usually holds t; the spans are cached.
 */
int32_t
br_imp_local_day(struct ctx *c, int64_t t)
{
	const struct day_span *sp;
	int32_t d;
	int k;

	if (t >= c->cur_start && t < c->cur_end)
		return c->cur_day;
	if (c->cur_end > c->cur_start) {
		d = c->cur_day + (int32_t)br_floor_div(t - c->cur_start, 86400);
		for (k = 0; k < 3; k++) {
			sp = br_imp_day_span(c, d + (k == 0 ? 0 : k == 1 ? -1 : 1));
			if (t >= sp->start && t < sp->end)
				goto found;
		}
	}
	/* The wall-clock day; after a fall-back across midnight the
	 * repeated hour lies in the next day's span. */
	d = br_tz_local_day(c->tz, t);
	for (k = 0; k < 3; k++) {
		sp = br_imp_day_span(c, d + (k == 0 ? 0 : k == 1 ? 1 : -1));
		if (t >= sp->start && t < sp->end)
			goto found;
	}
	sp = br_imp_day_span(c, d);
found:
	c->cur_day = sp->day;
	c->cur_start = sp->start;
	c->cur_end = sp->end;
	return c->cur_day;
}

/* Row parsing. */

static int
bad_field(const struct ctx *c, const struct br_csv_record *rec, int col,
    const char *what, struct br_error *err)
{
	return br_error_set(err, BR_EINPUT, rec->file, rec->line,
	    "%s '%s' in column '%s'", what, br_csv_field(rec, c->col[col]),
	    c->names[col]);
}

static int
on_header(struct ctx *c, const struct br_csv_record *rec,
    struct br_error *err)
{
	const struct br_vendor_map *vm = c->o->vendor;
	int i;

	for (i = 0; i < NCOLS; i++)
		c->names[i] = col_names[i];
	if (c->fmt == BR_FMT_VENDOR) {
		c->names[COL_METER] = vm->col_meter;
		c->names[COL_START] = vm->col_time;
		c->names[COL_VALUE] = vm->col_value;
		c->names[COL_MINUTES] = NULL;
		c->names[COL_CHANNEL] = vm->col_channel;
		c->names[COL_UNIT] = vm->col_unit;
		c->names[COL_QUALITY] = vm->col_quality;
	}
	for (i = 0; i < NCOLS; i++) {
		c->col[i] = c->names[i] && c->names[i][0] ?
		    br_csv_column(rec, c->names[i]) : -1;
		if (c->col[i] < 0 && (i <= COL_VALUE || (c->fmt ==
		    BR_FMT_VENDOR && c->names[i] && c->names[i][0])))
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "missing column '%s'", c->names[i]);
		if (c->col[i] > c->maxcol)
			c->maxcol = c->col[i];
	}
	return 0;
}

static long
unknown_find(struct ctx *c, const char *id, long line, struct br_error *err)
{
	size_t i;
	struct unknown_meter *u;

	for (i = 0; i < c->nunknown; i++)
		if (strcmp(c->unknown[i].id, id) == 0)
			return (long)i;
	/* Registry ids were checked at load; an id of the file that is
	 * not one is stored with its exception: checked here, once. */
	if (br_text_check(id, strlen(id), c->path, line, "meter_id",
	    err) != 0)
		return -2;
	if (c->nunknown == c->unknown_cap) {
		size_t nc = c->unknown_cap ? c->unknown_cap * 2 : 8;
		void *p = realloc(c->unknown, nc * sizeof(*c->unknown));
		if (p == NULL) {
			br_imp_nomem(err);
			return -2;
		}
		c->unknown = p;
		c->unknown_cap = nc;
	}
	u = &c->unknown[c->nunknown];
	if ((u->id = strdup(id)) == NULL) {
		br_imp_nomem(err);
		return -2;
	}
	u->rows = 0;
	u->first_line = line;
	u->first_day = INT32_MIN;
	return (long)c->nunknown++;
}

/*
 * Value in milli-units of the meter's unit times the multiplier:
 * v (milli of the sent unit) * size(sent) / size(meter's) *
 * multiplier_milli / 1000, rounded half-up once.  Returns -2 when the
 * units do not convert, -1 on overflow.
 */
int
br_imp_convert_value(int64_t v, const char *unit, const struct br_registry_meter *m,
    int64_t mult_milli, int64_t *out)
{
	int64_t num, den = 1000;

	if (unit[0] != '\0' && strcasecmp(unit, m->unit) != 0) {
		int64_t to_size;
		int rc = br_unit_ratio(br_unit_find(unit),
		    br_unit_find(m->unit), v, &v, &to_size);
		if (rc != 0)
			return rc;
		den *= to_size;
	}
	if (__builtin_mul_overflow(v, mult_milli, &num))
		return -1;
	if (num == den * v) {		/* multiplier 1, same unit: exact */
		*out = v;
		return 0;
	}
	*out = br_div_round(num, den, BR_ROUND_HALF_UP);
	return 0;
}

/* strcmp(a, b) == 0 for short ids, inline. */
static inline bool
same_id(const char *a, const char *b)
{
	for (; *a == *b; a++, b++)
		if (*a == '\0')
			return true;
	return false;
}

/*
 * Meter index of id (cached for runs of rows of one meter): >= 0 a
 * registry meter, < -1 - k the k-th unknown meter; -2 - ... never: on
 * error returns LONG_MIN with err.
 */
long
br_imp_meter_lookup(struct ctx *c, const char *id, long line, struct br_error *err)
{
	const struct br_registry_meter *m;
	long mi;

	if (c->last_id != NULL && same_id(c->last_id, id))
		return c->last_meter;
	m = br_registry_meter_find(c->reg, id);
	if (m != NULL) {
		mi = (long)(m - c->reg->meters);
		c->last_id = m->meter_id;
	} else {
		long u = unknown_find(c, id, line, err);
		if (u < -1)
			return LONG_MIN;
		mi = -1 - u;
		c->last_id = c->unknown[u].id;
	}
	c->last_id_len = strlen(c->last_id);
	c->last_meter = mi;
	return mi;
}

/* memcmp(a, b, n) == 0 for the short strings of a row, inline. */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;

	for (; n >= 8; a += 8, b += 8, n -= 8) {
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	for (; n > 0; a++, b++, n--)
		if (*a != *b)
			return false;
	return true;
}

/* br_imp_meter_lookup of the id s[0..len) (NUL-terminated), comparing
 * with the previous row's id by length first. */
static long
row_meter(struct ctx *c, const char *s, size_t len, long line,
    struct br_error *err)
{
	if (c->last_id != NULL && len == c->last_id_len &&
	    same_bytes(c->last_id, s, len))
		return c->last_meter;
	return br_imp_meter_lookup(c, s, line, err);
}

static inline bool
digit2(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

/*
 * br_time_parse_cached with a second cache: rows of one file repeat the
 * bytes after "YYYY-MM-DDTHH:MM" (":00-05:00", ":00Z", "") from stamp to
 * stamp, so when they and the date equal the last stamp's, only the hour
 * and minute are read.  Any other stamp (hour 24 included) goes to
 * br_time_parse_cached: same results and errors.
 */
static int
row_stamp(struct ctx *c, const char *s, size_t len, int64_t *secs,
    bool *has_zone)
{
	int hh, mm;
	int rc;

	if (c->stamp_tail_ok && len >= 16 && len - 16 == c->stamp_tail_len &&
	    (s[10] == 'T' || s[10] == ' ') && s[13] == ':' &&
	    same_bytes(s, c->tcache.date, 10) &&
	    same_bytes(s + 16, c->stamp_tail, len - 16) &&
	    digit2(s + 11, &hh) && digit2(s + 14, &mm) && hh < 24 &&
	    mm < 60) {
		*secs = (int64_t)c->tcache.days * 86400 + hh * 3600 + mm * 60 +
		    c->stamp_tail_adj;
		*has_zone = c->stamp_tail_zone;
		return 0;
	}
	if ((rc = br_time_parse_cached(&c->tcache, s, len, secs,
	    has_zone)) != 0)
		return rc;
	/* Parsed: the date is c->tcache's, hour and minute are digits. */
	c->stamp_tail_ok = false;
	if (len - 16 <= sizeof(c->stamp_tail) && digit2(s + 11, &hh) &&
	    digit2(s + 14, &mm) && hh < 24) {
		memcpy(c->stamp_tail, s + 16, len - 16);
		c->stamp_tail_len = len - 16;
		c->stamp_tail_adj = (int32_t)(*secs - ((int64_t)c->tcache.days *
		    86400 + hh * 3600 + mm * 60));
		c->stamp_tail_zone = *has_zone;
		c->stamp_tail_ok = true;
	}
	return 0;
}

/*
 * br_decimal_parse(s, len, 3, out) for the usual values: an optional
 * sign, at most 15 integer digits, at most 3 decimals; the rest goes to
 * br_decimal_parse (same results and errors).
 */
static int
row_value(const char *s, size_t len, int64_t *out)
{
	static const uint64_t pow10[] = { 1000, 100, 10, 1 };
	size_t i = 0, ni, nf = 0;
	uint64_t ip = 0, fp = 0;	/* unsigned: wraps past 15 digits */
	bool neg = false;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	for (ni = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		ip = ip * 10 + (uint64_t)(s[i] - '0');
	ni = i - ni;
	if (i < len && s[i] == '.') {
		i++;
		if (len - i == 3 && (unsigned)(s[i] - '0') < 10 &&
		    (unsigned)(s[i + 1] - '0') < 10 &&
		    (unsigned)(s[i + 2] - '0') < 10) {	/* the usual .ddd */
			fp = (uint64_t)((s[i] - '0') * 100 +
			    (s[i + 1] - '0') * 10 + (s[i + 2] - '0'));
			nf = 3;
			i = len;
		} else
			for (; i < len && s[i] >= '0' && s[i] <= '9' &&
			    nf < 3; i++, nf++)
				fp = fp * 10 + (uint64_t)(s[i] - '0');
	}
	if (i != len || ni > 15 || ni + nf == 0)
		return br_decimal_parse(s, len, 3, out);
	ip = ip * 1000 + fp * pow10[nf];
	*out = neg ? -(int64_t)ip : (int64_t)ip;
	return 0;
}

/*
 * Is meter mi installed on local day?  Counts reads outside every install
 * window (after the last removal: REMOVED_METER, else OUTSIDE_INSTALL) and
 * reads on a day two install windows cover (DUPLICATE_METER: the meter id
 * is on two service points at once; the latest install is used).
 */
bool
br_imp_install_check(struct ctx *c, long mi, int32_t day, long line)
{
	const struct br_registry_meter *m = &c->reg->meters[mi];
	struct meter_stat *ms = &c->mstat[mi];
	size_t i, hits = 0;
	int32_t last_to = INT32_MIN;

	if (m->ninstalls == 1) {
		const struct br_registry_install *in =
		    &c->reg->installs[m->first_install];
		if (in->from_day <= day && day <= in->to_day)
			return true;
		last_to = in->to_day;
	} else {
		for (i = 0; i < m->ninstalls; i++) {
			const struct br_registry_install *in =
			    &c->reg->installs[m->first_install + i];
			if (in->from_day <= day && day <= in->to_day)
				hits++;
			if (in->to_day > last_to)
				last_to = in->to_day;
		}
		if (hits > 1)
			br_imp_span_add(&ms->dupinst_rows, &ms->dupinst_first,
			    &ms->dupinst_last, &ms->dupinst_line, day, line);
		if (hits > 0)
			return true;
	}
	if (m->ninstalls > 0 && last_to != BR_REGISTRY_OPEN_END &&
	    day > last_to)
		br_imp_span_add(&ms->removed_rows, &ms->removed_first,
		    &ms->removed_last, &ms->removed_line, day, line);
	else
		br_imp_span_add(&ms->outside_rows, &ms->outside_first,
		    &ms->outside_last, &ms->outside_line, day, line);
	return false;
}

/*
 * The slot of an instant off seconds into its day (intervals of
 * interval_s), or INT64_MIN when off is not on the grid; 32-bit
 * division for the usual 0 <= off < 2^32, by a constant for the usual
 * lengths.
 */
static inline int64_t
slot_of(int64_t off, int32_t interval_s)
{
	if (off >= 0 && off <= (int64_t)UINT32_MAX) {
		uint32_t o = (uint32_t)off;
		switch (interval_s) {	/* constants: multiplications */
		case 900:
			return o % 900 != 0 ? INT64_MIN : (int64_t)(o / 900);
		case 300:
			return o % 300 != 0 ? INT64_MIN : (int64_t)(o / 300);
		case 3600:
			return o % 3600 != 0 ? INT64_MIN : (int64_t)(o / 3600);
		default: {
			uint32_t is = (uint32_t)interval_s;
			return o % is != 0 ? INT64_MIN : (int64_t)(o / is);
		}
		}
	}
	return off % interval_s != 0 ? INT64_MIN : off / interval_s;
}

/* Field col of a row that has it (c->maxcol < nfields), "" when the
 * column is not used. */
static inline const char *
row_field(const struct br_csv_record *rec, int col)
{
	return col < 0 ? "" : rec->fields[col];
}

static int
on_row(struct ctx *c, const struct br_csv_record *rec, struct br_error *err)
{
	const char *id, *stamp, *value, *minutes, *channel_s, *unit;
	const char *quality_s;
	const struct br_registry_meter *m = NULL;
	struct day_acc *a;
	int64_t secs, t, t_later = 0, v = 0, stored = 0, idx;
	int32_t interval_s = 900, day;
	int channel = BR_CHANNEL_DELIVERED, rc;
	uint8_t quality = BR_Q_ACTUAL;
	bool has_zone, ambiguous = false, missing = false;
	const struct br_vendor_map *vm = c->fmt == BR_FMT_VENDOR ?
	    c->o->vendor : NULL;
	int64_t mult;
	char qv[2] = "";
	long mi;
	int i;

	/* A short row would read its absent columns as empty ("missing"). */
	for (i = 0; (size_t)c->maxcol >= rec->nfields && i < NCOLS; i++)
		if (c->col[i] >= 0 && (size_t)c->col[i] >= rec->nfields)
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "%zu fields: no column '%s' (truncated "
			    "row?)", rec->nfields, c->names[i]);
	id = row_field(rec, c->col[COL_METER]);
	stamp = row_field(rec, c->col[COL_START]);
	value = row_field(rec, c->col[COL_VALUE]);
	minutes = row_field(rec, c->col[COL_MINUTES]);
	channel_s = row_field(rec, c->col[COL_CHANNEL]);
	unit = row_field(rec, c->col[COL_UNIT]);
	quality_s = row_field(rec, c->col[COL_QUALITY]);
	c->rows++;
	br_progress("rows", c->rows, 0);
	if (vm != NULL) {
		/* Vendor spellings to ours; fixed interval and unit. */
		interval_s = vm->interval_minutes * 60;
		unit = c->col[COL_UNIT] >= 0 ? br_vendor_unit(vm, unit) :
		    vm->unit;
		if (br_vendor_quality(vm, quality_s, qv) != 0)
			return bad_field(c, rec, COL_QUALITY,
			    "quality code not in the mapping", err);
		quality_s = qv;
	}
	if (id[0] == '\0')
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "empty column 'meter_id'");
	if (row_stamp(c, stamp, rec->lens[c->col[COL_START]], &secs,
	    &has_zone) != 0)
		return bad_field(c, rec, COL_START, "bad timestamp", err);
	if (vm != NULL && vm->snap) {
		/* Nearest boundary: "00:59" hour-ending is 01:00. */
		int64_t is = vm->interval_minutes * 60;
		secs = br_floor_div(secs + is / 2, is) * is;
	}
	if (minutes[0] != '\0') {
		int64_t mins;
		if (br_decimal_parse(minutes, (size_t)-1, 0, &mins) != 0 ||
		    mins <= 0 || mins > 60 || 60 % mins != 0)
			return bad_field(c, rec, COL_MINUTES,
			    "bad interval length", err);
		interval_s = (int32_t)mins * 60;
	}
	if (channel_s[0] == '\0' || strcasecmp(channel_s, "delivered") == 0)
		channel = BR_CHANNEL_DELIVERED;
	else if (strcasecmp(channel_s, "received") == 0)
		channel = BR_CHANNEL_RECEIVED;
	else
		return bad_field(c, rec, COL_CHANNEL, "bad channel", err);
	if (quality_s[0] == '\0' || strcmp(quality_s, "A") == 0)
		quality = BR_Q_ACTUAL;
	else if (strcmp(quality_s, "E") == 0)
		quality = BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
	else if (strcmp(quality_s, "M") == 0)
		missing = true;
	else
		return bad_field(c, rec, COL_QUALITY, "bad quality", err);
	if (value[0] == '\0')
		missing = true;
	else if (row_value(value, rec->lens[c->col[COL_VALUE]], &v) != 0)
		return bad_field(c, rec, COL_VALUE, "bad value", err);

	/* Which meter (rows usually come grouped by meter). */
	if ((mi = row_meter(c, id, rec->lens[c->col[COL_METER]], rec->line,
	    err)) == LONG_MIN)
		return -1;

	/* UTC instant of the interval start. */
	if (has_zone)
		t = secs;
	else {
		rc = br_tz_local_to_utc(c->stz, secs, false, &t);
		if (rc < 0)
			return bad_field(c, rec, COL_START,
			    "nonexistent local time", err);
		if (rc == 1) {
			ambiguous = true;
			br_tz_local_to_utc(c->stz, secs, true, &t_later);
		}
	}
	if (c->o->interval_ending) {
		t -= interval_s;
		t_later -= interval_s;
	}
	day = t >= c->cur_start && t < c->cur_end ? c->cur_day :
	    br_imp_local_day(c, t);

	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows++ == 0)
			u->first_day = day;
		return 0;
	}
	m = &c->reg->meters[mi];
	/* A meter with one install: the answer (true, which counts
	 * nothing) holds for the rest of its day. */
	if (mi != c->inst_mi || day != c->inst_day) {
		if (!br_imp_install_check(c, mi, day, rec->line))
			return 0;
		if (m->ninstalls == 1) {
			c->inst_mi = mi;
			c->inst_day = day;
		}
	}
	if (!missing) {
		mult = vm != NULL && vm->has_multiplier ? vm->multiplier_milli :
		    m->multiplier_milli;
		int64_t milli;
		if (unit[0] == '\0' && mult == 1000 &&
		    !__builtin_mul_overflow(v, mult, &milli)) {
			stored = v;	/* the meter's unit, multiplier 1 */
			rc = 0;
		} else
			rc = br_imp_convert_value(v, unit, m, mult, &stored);
		if (rc == -2)
			return bad_field(c, rec, COL_UNIT,
			    "unit does not match the meter's", err);
		if (rc < 0)
			return bad_field(c, rec, COL_VALUE, "value too large",
			    err);
	}

	if ((a = c->last) == NULL || a->meter != (size_t)mi ||
	    a->channel != channel || a->day != day)
		if ((a = br_imp_day_get(c, (size_t)mi, channel, day,
		    interval_s, rec->line, err)) == NULL)
			return -1;
	if (a->interval_s != interval_s)
		return bad_field(c, rec, COL_MINUTES,
		    "inconsistent interval length", err);
	if ((idx = slot_of(t - a->start, interval_s)) == INT64_MIN)
		return bad_field(c, rec, COL_START,
		    "interval start off the interval grid", err);
	if (ambiguous && a->seen[idx]) {
		/* Second occurrence of a fall-back wall time: standard time. */
		t = t_later;
		day = br_imp_local_day(c, t);
		if ((a = br_imp_day_get(c, (size_t)mi, channel, day, interval_s,
		    rec->line, err)) == NULL)
			return -1;
		idx = (t - a->start) / interval_s;
	}
	if (a->seen[idx])
		a->dups++;
	a->seen[idx] = 1;
	a->values[idx] = missing ? 0 : stored;
	a->quality[idx] = missing ? (uint8_t)BR_Q_MISSING : quality;
	if ((long)c->count >= c->max_days)
		return br_imp_flush_days_async(c, rec, err);
	return 0;
}

int
br_imp_on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct ctx *c = ctx;

	if (rec->index == 0)
		return on_header(c, rec, err);
	return on_row(c, rec, err);
}
