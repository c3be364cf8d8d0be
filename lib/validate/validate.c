/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate.c: validate-reads, the stage between ami-import and rate-apply.
 *
 * For every (account, meter) in scope of a period it loads the interval
 * days of the delivered channel (and the received one when present) plus
 * the weeks before (like-day references), fills short gaps by linear
 * interpolation between the real values on both sides (across midnight
 * too), longer ones from like days or the prior-day profile, writes them
 * back with quality ESTIMATED and the method, then applies the rules of
 * vee_rules.h to each day, to runs across days (zeros, stuck, leak), to
 * the period against the meter's history (usage, high bill,
 * conservation) and to register reads (sum check), and records
 * exceptions (stage 'validate').  All checks are derived from the stored
 * values and quality bytes after estimation, so a second run finds the
 * same exceptions and changes nothing.  Finally it writes the exception
 * report CSV.
 *
 * This file owns the run: scopes, loading and saving days, the per-channel
 * sequence and the report.  Estimation is in estimate.c, the checks in
 * checks.c, the shared types in validate_int.h.
 */
#include "validate/validate.h"
#include "validate/validate_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/exid.h"
#include "core/money.h"
#include "core/tz.h"
#include "core/progress.h"
#include "core/banned.h"

static int32_t
date_or(const unsigned char *s, int32_t def)
{
	int32_t d;

	if (s == NULL || *s == '\0' ||
	    br_date_parse((const char *)s, (size_t)-1, &d) != 0)
		return def;
	return d;
}

int
br_val_add_exception(struct ctx *c, enum br_vee_rule r, const struct scope *sc,
    int32_t day, const char *detail, struct br_error *err)
{
	sqlite3_stmt *s = c->ins_exc;
	const char *code = c->rules.rule[r].code;
	const char *severity = c->rules.rule[r].severity;
	const char *status = "open";
	char date[16];

	if (r == BR_VEE_GAP_ESTIMATED || r == BR_VEE_GAP_LIKE_DAY ||
	    (r == BR_VEE_GAP_FALLBACK && c->forced))
		status = "estimated";

	br_date_format(day, date, sizeof(date));
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, severity, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, sc->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 4, sc->meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 5, date, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, detail, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, status, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return br_store_fail(c->st, "insert exception", err);
	return 0;
}

/* Local "HH:MM" of instant t, "24:00" when t is the end of local day. */
void
br_val_fmt_hhmm(const struct ctx *c, int32_t day, int64_t t, char *buf,
    size_t n)
{
	int64_t local = t + br_tz_offset(&c->tz, t);
	int64_t sod = local - br_floor_div(local, 86400) * 86400;

	if (br_tz_local_day(&c->tz, t) > day)
		sod = 86400;
	snprintf(buf, n, "%02d:%02d", (int)(sod / 3600),
	    (int)(sod / 60 % 60));
}

/* "-05:00" style offset at instant t. */
void
br_val_fmt_offset(const struct ctx *c, int64_t t, char *buf, size_t n)
{
	int32_t off = br_tz_offset(&c->tz, t);
	char sign = off < 0 ? '-' : '+';

	if (off < 0)
		off = -off;
	snprintf(buf, n, "%c%02d:%02d", sign, (int)(off / 3600 % 100),
	    (int)(off / 60 % 60));
}

static void
free_days(struct vday *days, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(days[i].values);
		free(days[i].quality);
		days[i].values = NULL;
		days[i].quality = NULL;
	}
}

/*
 * Load days [from, to] of meter/channel into days[] (to - from + 1
 * entries, holes for days without a row).  Returns 0 or -1.
 */
static int
load_days(struct ctx *c, const char *meter_id, int channel, int32_t from,
    int32_t to, struct vday *days, struct br_error *err)
{
	sqlite3_stmt *s = c->sel_day;
	int32_t i;
	int rc;

	for (i = 0; i <= to - from; i++) {
		memset(&days[i], 0, sizeof(days[i]));
		days[i].day = from + i;
	}
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, channel);
	sqlite3_bind_int(s, 3, from);
	sqlite3_bind_int(s, 4, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t day = sqlite3_column_int(s, 0);
		struct vday *d = &days[day - from];
		int32_t n = sqlite3_column_int(s, 2);
		int32_t len;
		char date[16];

		d->interval_s = sqlite3_column_int(s, 1);
		d->n = n;
		br_date_format(day, date, sizeof(date));
		if (n <= 0 || n > 100000 || d->interval_s <= 0 ||
		    sqlite3_column_bytes(s, 3) != 8 * n ||
		    sqlite3_column_bytes(s, 4) != n) {
			sqlite3_reset(s);
			return br_error_set(err, BR_EINTERNAL, c->st->path, 0,
			    "corrupt interval_day row: meter '%s' channel %d "
			    "day %s", meter_id, channel, date);
		}
		d->values = malloc(sizeof(int64_t) * (size_t)n);
		d->quality = malloc((size_t)n);
		if (d->values == NULL || d->quality == NULL) {
			sqlite3_reset(s);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		br_store_unpack_values(sqlite3_column_blob(s, 3), n,
		    d->values);
		memcpy(d->quality, sqlite3_column_blob(s, 4), (size_t)n);
		d->present = true;
		len = br_tz_day_length(&c->tz, day);
		d->bad_count = len % d->interval_s != 0 ||
		    n != len / d->interval_s;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read interval_day", err);
	return 0;
}

static int
save_day(struct ctx *c, const char *meter_id, int channel,
    const struct vday *d, struct br_error *err)
{
	sqlite3_stmt *s = c->upd_day;
	unsigned char *blob = malloc(8 * (size_t)d->n);

	if (blob == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	br_store_pack_values(d->values, d->n, blob);
	sqlite3_reset(s);
	sqlite3_bind_blob(s, 1, blob, 8 * d->n, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 2, d->quality, d->n, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 4, channel);
	sqlite3_bind_int(s, 5, d->day);
	sqlite3_bind_int(s, 6, d->interval_s);
	sqlite3_bind_int(s, 7, d->n);
	free(blob);
	if (sqlite3_step(s) != SQLITE_DONE)
		return br_store_fail(c->st, "update interval_day", err);
	return 0;
}

/*
 * Flatten the present days with a correct interval count into slots[];
 * brk marks where time is not continuous (a hole, a bad day, or a change
 * of interval length).  Returns the number of slots.
 */
static size_t
flatten(struct vday *days, size_t ndays, struct slot *slots)
{
	size_t i, n = 0;
	bool cont = false;
	int32_t prev_s = 0;
	int32_t k;

	for (i = 0; i < ndays; i++) {
		struct vday *d = &days[i];

		if (!d->present || d->bad_count) {
			cont = false;
			continue;
		}
		for (k = 0; k < d->n; k++) {
			slots[n].d = d;
			slots[n].k = k;
			slots[n].brk = k == 0 &&
			    (!cont || prev_s != d->interval_s);
			n++;
		}
		cont = true;
		prev_s = d->interval_s;
	}
	return n;
}

/* Validate one channel of one scope. */
static int
check_channel(struct ctx *c, const struct scope *sc, int channel,
    struct br_error *err)
{
	int32_t lo = sc->from - 1 >= sc->inst_from ? sc->from - 1 : sc->from;
	int32_t hi = sc->to + 1 <= sc->inst_to ? sc->to + 1 : sc->to;
	int32_t hist = (int32_t)(param(c, BR_VEE_GAP_LIKE_DAY, 0) / 1000) * 7
	    + 2, back = (int32_t)(param(c, BR_VEE_GAP_FALLBACK, 0) / 1000);
	int32_t first, off;
	size_t ndays, nslots = 0, i;
	struct vday *days;
	struct slot *slots = NULL;
	const char *pfx = channel == BR_CHANNEL_RECEIVED ? "received: " : "";
	bool any = false, delivered = channel == BR_CHANNEL_DELIVERED;
	int rc = -1;

	if (hist > 400)
		hist = 400;
	if (back > hist)
		hist = back > 400 ? 400 : back;
	first = sc->from - hist;
	if (first < sc->inst_from)
		first = sc->inst_from;
	if (first > lo)
		first = lo;
	off = lo - first;
	ndays = (size_t)(hi - first + 1);
	if ((days = calloc(ndays, sizeof(*days))) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	if (load_days(c, sc->meter_id, channel, first, hi, days, err) != 0)
		goto out;
	for (i = 0; i < ndays; i++) {
		if (days[i].day >= sc->from && days[i].day <= sc->to &&
		    days[i].present)
			any = true;
		if (days[i].present && (int32_t)i >= off)
			nslots += (size_t)days[i].n;
	}
	if (!any && !delivered) {
		rc = 0;
		goto out;
	}
	if ((slots = calloc(nslots + 1, sizeof(*slots))) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	nslots = flatten(days + off, ndays - (size_t)off, slots);
	if (c->rules.rule[BR_VEE_GAP_ESTIMATED].enabled)
		br_val_estimate(c, slots, nslots);
	for (i = 0; i < ndays; i++) {
		bool forced;

		if (days[i].day < sc->from || days[i].day > sc->to)
			continue;
		forced = br_val_forced_day(c, sc, days[i].day);
		if (forced && !days[i].present &&
		    br_val_synth_day(c, days, first, i, err) != 0)
			goto out;
		br_val_estimate_beyond(c, sc, days, first, i, forced);
		if (days[i].synthetic && !days[i].dirty) {
			/* Nothing to estimate from: the day stays absent. */
			free(days[i].values);
			free(days[i].quality);
			days[i].values = NULL;
			days[i].quality = NULL;
			days[i].present = days[i].synthetic = false;
		}
	}
	for (i = 0; i < ndays; i++)
		if (days[i].dirty &&
		    save_day(c, sc->meter_id, channel, &days[i], err) != 0)
			goto out;
	for (i = 0; i < ndays; i++) {
		struct vday *d = &days[i];
		char detail[128];

		if (d->day < sc->from || d->day > sc->to)
			continue;
		c->sum->days++;
		c->forced = br_val_forced_day(c, sc, d->day);
		if (!d->present) {
			snprintf(detail, sizeof(detail), "%sno intervals",
			    pfx);
			if (rule_on(c, BR_VEE_MISSING_DAY, sc) &&
			    br_val_add_exception(c, BR_VEE_MISSING_DAY, sc, d->day,
			    detail, err) != 0)
				goto out;
			continue;
		}
		if (d->bad_count) {
			int32_t len = br_tz_day_length(&c->tz, d->day);
			enum br_vee_rule r = len == 86400 ? BR_VEE_CLOCK :
			    BR_VEE_DST_COUNT;

			if (len == 86400)
				snprintf(detail, sizeof(detail),
				    "%s%d intervals of %d s, expected %d "
				    "(clock or time-sync error)", pfx,
				    (int)d->n, (int)d->interval_s,
				    (int)(len / d->interval_s));
			else
				snprintf(detail, sizeof(detail),
				    "%s%d intervals of %d s, expected %d", pfx,
				    (int)d->n, (int)d->interval_s,
				    (int)(len / d->interval_s));
			if (rule_on(c, r, sc) && br_val_add_exception(c, r, sc,
			    d->day, detail, err) != 0)
				goto out;
		}
		if (br_val_check_gaps(c, sc, pfx, d, err) != 0 ||
		    (rule_on(c, BR_VEE_NEGATIVE, sc) &&
		    br_val_check_negative(c, sc, pfx, d, err) != 0) ||
		    (rule_on(c, BR_VEE_ROLLOVER, sc) &&
		    br_val_check_rollover(c, sc, pfx, d, err) != 0))
			goto out;
		if (delivered && rule_on(c, BR_VEE_SPIKE, sc) &&
		    br_val_check_spike(c, sc, d, err) != 0)
			goto out;
		if (delivered && rule_on(c, BR_VEE_MAX_DEMAND, sc) &&
		    br_val_check_max_demand(c, sc, d, err) != 0)
			goto out;
		if (delivered && rule_on(c, BR_VEE_CLOCK_SHIFT, sc) &&
		    br_val_check_clock_shift(c, sc, days, first, i, err) != 0)
			goto out;
		if (!delivered && rule_on(c, BR_VEE_REVERSE_FLOW, sc) &&
		    br_val_check_reverse(c, sc, d, err) != 0)
			goto out;
	}
	c->forced = false;
	if (delivered && rule_on(c, BR_VEE_ZERO_RUN, sc) &&
	    br_val_check_zero_runs(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && rule_on(c, BR_VEE_STUCK, sc) &&
	    br_val_check_stuck(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && rule_on(c, BR_VEE_LEAK, sc) &&
	    br_val_check_leak(c, sc, slots, nslots, err) != 0)
		goto out;
	if (delivered && br_val_check_usage(c, sc, err) != 0)
		goto out;
	if (c->has_registers && rule_on(c, BR_VEE_SUM_CHECK, sc) &&
	    br_val_check_sum(c, sc, channel, days, first, ndays, err) != 0)
		goto out;
	rc = 0;
out:
	free(slots);
	free_days(days, ndays);
	free(days);
	return rc;
}

/*
 * Collect the (account, meter, days) scopes: meters installed on a
 * service point under an agreement overlapping [from, to].
 */
static int
load_scopes(struct ctx *c, int32_t from, int32_t to, struct scope **out,
    size_t *nout, struct br_error *err)
{
	sqlite3_stmt *s;
	struct scope *v = NULL;
	size_t n = 0, cap = 0;
	char dfrom[16], dto[16];
	int rc;

	*out = NULL;
	*nout = 0;
	br_date_format(from, dfrom, sizeof(dfrom));
	br_date_format(to, dto, sizeof(dto));
	s = br_store_prepare(c->st,
	    "SELECT sa.account_id, mi.meter_id, m.kind, mi.install_date,"
	    " mi.remove_date, sa.start_date, sa.end_date, sa.net_metering"
	    " FROM service_agreement sa"
	    " JOIN meter_install mi ON mi.sp_id = sa.sp_id"
	    " JOIN meter m ON m.meter_id = mi.meter_id"
	    " WHERE sa.start_date <= ?2"
	    " AND (sa.end_date IS NULL OR sa.end_date = ''"
	    "  OR sa.end_date >= ?1)"
	    " AND mi.install_date <= ?2"
	    " AND (mi.remove_date IS NULL OR mi.remove_date = ''"
	    "  OR mi.remove_date >= ?1)"
	    " AND (?3 IS NULL OR sa.account_id = ?3)"
	    " AND br_in_shard(sa.account_id)"
	    " ORDER BY sa.account_id, mi.meter_id, mi.install_date,"
	    " sa.start_date", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, dfrom, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, dto, -1, SQLITE_TRANSIENT);
	if (c->opts->account_id != NULL)
		sqlite3_bind_text(s, 3, c->opts->account_id, -1,
		    SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, 3);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct scope sc;
		int32_t sa_from, sa_to;

		memset(&sc, 0, sizeof(sc));
		snprintf(sc.account_id, sizeof(sc.account_id), "%s",
		    (const char *)sqlite3_column_text(s, 0));
		snprintf(sc.meter_id, sizeof(sc.meter_id), "%s",
		    (const char *)sqlite3_column_text(s, 1));
		sc.electric = strcmp((const char *)sqlite3_column_text(s, 2),
		    "electric") == 0;
		sc.kind = br_vee_kind_bit((const char *)sqlite3_column_text(s,
		    2));
		sc.net_metering = sqlite3_column_text(s, 7) != NULL &&
		    sqlite3_column_text(s, 7)[0] != '\0';
		sc.inst_from = date_or(sqlite3_column_text(s, 3), INT32_MIN);
		sc.inst_to = date_or(sqlite3_column_text(s, 4), INT32_MAX);
		sa_from = date_or(sqlite3_column_text(s, 5), INT32_MIN);
		sa_to = date_or(sqlite3_column_text(s, 6), INT32_MAX);
		sc.sa_from = sa_from;
		sc.from = from;
		if (sc.inst_from > sc.from)
			sc.from = sc.inst_from;
		if (sa_from > sc.from)
			sc.from = sa_from;
		sc.to = to;
		if (sc.inst_to < sc.to)
			sc.to = sc.inst_to;
		if (sa_to < sc.to)
			sc.to = sa_to;
		if (sc.from > sc.to)
			continue;
		if (n == cap) {
			size_t ncap = cap ? 2 * cap : 64;
			struct scope *nv = realloc(v, ncap * sizeof(*v));

			if (nv == NULL) {
				free(v);
				sqlite3_finalize(s);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			v = nv;
			cap = ncap;
		}
		v[n++] = sc;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(v);
		return br_store_fail(c->st, "read registry", err);
	}
	*out = v;
	*nout = n;
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorted BORROWED pointers to the scopes' account and meter ids. */
struct scope_index {
	const char **accounts;	/* OWNED array, n entries */
	const char **meters;	/* OWNED array, n entries */
	size_t n;
};

static int
scope_index_init(struct scope_index *ix, const struct scope *v, size_t n,
    struct br_error *err)
{
	size_t i;

	ix->n = n;
	ix->accounts = malloc((n + 1) * sizeof(*ix->accounts));
	ix->meters = malloc((n + 1) * sizeof(*ix->meters));
	if (ix->accounts == NULL || ix->meters == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	for (i = 0; i < n; i++) {
		ix->accounts[i] = v[i].account_id;
		ix->meters[i] = v[i].meter_id;
	}
	qsort(ix->accounts, n, sizeof(*ix->accounts), cmp_str);
	qsort(ix->meters, n, sizeof(*ix->meters), cmp_str);
	return 0;
}

static void
scope_index_release(struct scope_index *ix)
{
	free(ix->accounts);
	free(ix->meters);
	ix->accounts = ix->meters = NULL;
}

static bool
in_scope(const struct scope_index *ix, const char *account_id,
    const char *meter_id)
{
	return bsearch(&account_id, ix->accounts, ix->n,
	    sizeof(*ix->accounts), cmp_str) != NULL ||
	    (meter_id[0] != '\0' && bsearch(&meter_id, ix->meters, ix->n,
	    sizeof(*ix->meters), cmp_str) != NULL);
}

static void
count_code(struct br_validate_summary *sum, const char *code,
    const char *severity)
{
	size_t i;

	for (i = 0; i < sum->ncodes; i++)
		if (strcmp(sum->codes[i].code, code) == 0 &&
		    strcmp(sum->codes[i].severity, severity) == 0) {
			sum->codes[i].count++;
			return;
		}
	if (sum->ncodes == BR_VALIDATE_MAX_CODES)
		return;
	snprintf(sum->codes[i].code, sizeof(sum->codes[i].code), "%s", code);
	snprintf(sum->codes[i].severity, sizeof(sum->codes[i].severity), "%s",
	    severity);
	sum->codes[i].count = 1;
	sum->ncodes++;
}

/*
 * The report: every exception dated in the period whose account or meter
 * is in scope; without --account also the unattributed ones (account '').
 */
static int
write_report(struct ctx *c, const struct scope_index *ix, int32_t from,
    int32_t to, FILE *out, struct br_error *err)
{
	static const char *const header[] = { "exception_id", "stage", "code",
	    "severity", "account_id", "meter_id", "date", "detail", "source",
	    "line", "status" };
	sqlite3_stmt *s;
	char dfrom[16], dto[16];
	int rc;

	br_date_format(from, dfrom, sizeof(dfrom));
	br_date_format(to, dto, sizeof(dto));
	s = br_store_prepare(c->st,
	    "SELECT exc_id, stage, code, severity, account_id, meter_id, date,"
	    " detail, source, line, status FROM exception"
	    " WHERE date >= ?1 AND date <= ?2"
	    " ORDER BY account_id, meter_id, date, code, detail, exc_id", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, dfrom, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, dto, -1, SQLITE_TRANSIENT);
	br_csv_row(out, 11, header);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *f[11];
		char id[BR_EXID_SIZE], line[24];
		int i, mine;

		for (i = 0; i < 11; i++) {
			const unsigned char *t = sqlite3_column_text(s, i);
			f[i] = t ? (const char *)t : "";
		}
		if (!(f[4][0] == '\0' && c->opts->account_id == NULL) &&
		    !in_scope(ix, f[4], f[5]))
			continue;
		/* --shard: another shard's account; unattributed ones are
		 * reported by their meter's home shard, else shard 1. */
		if ((mine = br_shard_member_exc(c->st, f[4], f[5], err)) <= 0) {
			if (mine < 0) {
				sqlite3_finalize(s);
				return -1;
			}
			continue;
		}
		br_exid_format(sqlite3_column_int64(s, 0), id, sizeof(id));
		snprintf(line, sizeof(line), "%" PRId64,
		    (int64_t)sqlite3_column_int64(s, 9));
		f[0] = id;
		f[9] = line;
		br_csv_row(out, 11, f);
		c->sum->rows++;
		if (strcmp(f[3], "warn") == 0 || strcmp(f[3], "hold") == 0) {
			c->sum->warn_hold++;
			if (strcmp(f[1], "validate") == 0 &&
			    strcmp(f[10], "open") == 0)
				c->sum->open_warn_hold++;
		}
		count_code(c->sum, f[2], f[3]);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read exceptions", err);
	/* Flush here so a write error rolls the run back. */
	if (fflush(out) != 0 || ferror(out))
		return br_error_set(err, BR_EIO, NULL, 0,
		    "cannot write the exception report: %s", strerror(errno));
	return 0;
}

static int
resolve_period(struct ctx *c, int32_t *from, int32_t *to,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (c->opts->cycle_id == NULL) {
		*from = c->opts->from_day;
		*to = c->opts->to_day;
	} else {
		s = br_store_prepare(c->st, "SELECT period_start, period_end"
		    " FROM bill_cycle WHERE cycle_id = ?1", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, c->opts->cycle_id, -1,
		    SQLITE_TRANSIENT);
		rc = sqlite3_step(s);
		if (rc != SQLITE_ROW) {
			sqlite3_finalize(s);
			if (rc != SQLITE_DONE)
				return br_store_fail(c->st, "read bill_cycle",
				    err);
			return br_error_set(err, BR_EUSAGE, NULL, 0,
			    "unknown cycle '%s'", c->opts->cycle_id);
		}
		*from = date_or(sqlite3_column_text(s, 0), INT32_MIN);
		*to = date_or(sqlite3_column_text(s, 1), INT32_MIN);
		sqlite3_finalize(s);
		if (*from == INT32_MIN || *to == INT32_MIN)
			return br_error_set(err, BR_ECONFIG, c->st->path, 0,
			    "cycle '%s' has a bad period", c->opts->cycle_id);
	}
	if (*from > *to)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "period ends before it starts");
	if (*to - *from > 366)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "period longer than 367 days");
	return 0;
}

void
br_validate_opts_init(struct br_validate_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->max_gap_minutes = 120;
	opts->zero_run_hours = 24;
}

static int
cmp_code(const void *a, const void *b)
{
	const struct br_validate_code_count *x = a, *y = b;
	int r = strcmp(x->code, y->code);

	return r ? r : strcmp(x->severity, y->severity);
}

int
br_validate_write_summary(const struct br_validate_summary *sum, FILE *out,
    struct br_error *err)
{
	static const char *const header[] = { "code", "severity", "count" };
	struct br_validate_code_count v[BR_VALIDATE_MAX_CODES];
	size_t i;

	memcpy(v, sum->codes, sum->ncodes * sizeof(v[0]));
	qsort(v, sum->ncodes, sizeof(v[0]), cmp_code);
	br_csv_row(out, 3, header);
	for (i = 0; i < sum->ncodes; i++) {
		char n[24];
		const char *f[3];

		snprintf(n, sizeof(n), "%ld", v[i].count);
		f[0] = v[i].code;
		f[1] = v[i].severity;
		f[2] = n;
		br_csv_row(out, 3, f);
	}
	if (fflush(out) != 0 || ferror(out))
		return br_error_set(err, BR_EIO, NULL, 0,
		    "cannot write the summary: %s", strerror(errno));
	return 0;
}

/*
 * Record the rules in force as settings 'vee_rule.<CODE>' ("hold; ratio
 * 1.5, floor 2" or "disabled"), so the review page (lib/report/review.c)
 * shows the thresholds an exception was raised under.
 */
static int
record_rules(struct br_store *st, const struct br_vee_rules *rules,
    struct br_error *err)
{
	char key[64], val[256], num[32];
	int r, i;

	for (r = 0; r < BR_VEE_NRULES; r++) {
		const struct br_vee_rule_cfg *c = &rules->rule[r];
		size_t l;

		snprintf(key, sizeof(key), "vee_rule.%s", c->code);
		snprintf(val, sizeof(val), "%s", c->enabled ? c->severity :
		    "disabled");
		for (i = 0; i < BR_VEE_MAX_PARAMS; i++) {
			const char *name = br_vee_param_name((enum br_vee_rule)r,
			    i);

			if (name == NULL)
				break;
			br_decimal_format(c->param[i], 3, c->param[i] % 1000 ?
			    3 : 0, num, sizeof(num));
			l = strlen(val);
			snprintf(val + l, sizeof(val) - l, "%s%s %s",
			    i ? ", " : "; ", name, num);
		}
		if (br_store_setting_set(st, key, val, err) != 0)
			return -1;
	}
	return 0;
}

int
br_validate_run(struct br_store *st, const struct br_validate_opts *opts,
    FILE *out, struct br_validate_summary *sum, struct br_error *err)
{
	struct br_validate_summary local;
	struct ctx c;
	struct scope *v = NULL;
	struct scope_index ix = { NULL, NULL, 0 };
	size_t n = 0, i;
	int32_t from = 0, to = 0;
	int rc = -1;

	memset(&c, 0, sizeof(c));
	c.st = st;
	c.opts = opts;
	c.sum = sum ? sum : &local;
	memset(c.sum, 0, sizeof(*c.sum));
	if (opts->rules != NULL)
		c.rules = *opts->rules;
	else
		br_vee_rules_default(&c.rules);
	if (opts->max_gap_minutes < 0 || opts->zero_run_hours <= 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "bad --max-gap-minutes or --zero-run-hours");
	if (br_store_timezone(st, &c.tz, err) != 0)
		return -1;
	if (resolve_period(&c, &from, &to, err) != 0)
		goto out;
	c.sum->from_day = from;
	c.sum->to_day = to;
	if (record_rules(st, &c.rules, err) != 0)
		goto out;
	c.ins_exc = br_store_prepare(st, "INSERT INTO exception(exc_id, stage,"
	    " code, severity, account_id, meter_id, date, detail, status)"
	    " VALUES(br_exc_id('validate', ?1, ?3, ?4, ?5, ?6), 'validate',"
	    " ?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT DO NOTHING", err);
	if (c.ins_exc == NULL)
		goto out;
	c.sel_day = br_store_prepare(st, "SELECT day, interval_s, n, vals,"
	    " quality FROM interval_day WHERE meter_id = ?1 AND channel = ?2"
	    " AND day BETWEEN ?3 AND ?4 ORDER BY day", err);
	if (c.sel_day == NULL)
		goto out;
	/* Inserts only the rows of force-estimated missing days (file 0). */
	c.upd_day = br_store_prepare(st, "INSERT INTO interval_day(meter_id,"
	    " channel, day, interval_s, n, vals, quality, file_id)"
	    " VALUES(?3, ?4, ?5, ?6, ?7, ?1, ?2, 0)"
	    " ON CONFLICT(meter_id, channel, day) DO UPDATE SET"
	    " vals = excluded.vals, quality = excluded.quality", err);
	if (c.upd_day == NULL)
		goto out;
	if (load_scopes(&c, from, to, &v, &n, err) != 0)
		goto out;
	{
		sqlite3_stmt *t = br_store_prepare(st, "SELECT 1 FROM"
		    " sqlite_master WHERE type = 'table'"
		    " AND name = 'register_read'", err);

		if (t == NULL)
			goto out;
		c.has_registers = sqlite3_step(t) == SQLITE_ROW;
		sqlite3_finalize(t);
	}
	for (i = 0; i < n; i++) {
		br_progress("meters", (long)i + 1, (long)n);
		c.sum->meters++;
		if (check_channel(&c, &v[i], BR_CHANNEL_DELIVERED, err) != 0 ||
		    check_channel(&c, &v[i], BR_CHANNEL_RECEIVED, err) != 0)
			goto out;
	}
	if (scope_index_init(&ix, v, n, err) != 0 ||
	    write_report(&c, &ix, from, to, out, err) != 0)
		goto out;
	rc = 0;
out:
	scope_index_release(&ix);
	free(v);
	sqlite3_finalize(c.ins_exc);
	sqlite3_finalize(c.sel_day);
	sqlite3_finalize(c.upd_day);
	br_tz_release(&c.tz);
	return rc;
}
