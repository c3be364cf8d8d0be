/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cycle.c: the rate-apply cycle run over the store.
 *
 * br_rate_run walks the service agreements of a cycle in account order,
 * loads each one's tariff, interval days, prior bills and prior demand
 * from the store, calls the engine (br_rate_compute, engine.c) and writes
 * bills, bill lines, bill meters and the charges CSV.
 */
#include "rate/rate.h"
#include "rate/history.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "io/csvio.h"
#include "store/audit.h"
#include "core/date.h"
#include "core/grow.h"
#include "core/money.h"
#include "core/progress.h"
#include "core/banned.h"

struct agreement {
	char account_id[64];
	char sp_id[64];
	char rate_code[32];
	char net_metering[16];		/* program code, "" none */
	int32_t first, last;		/* service days within the cycle */
	struct br_rate_summary sum;	/* filled when rated */
};

/*
 * A bill's lines are inserted with one multi-row INSERT of up to
 * LINE_ROWS rows (statements cached by row count) rather than one INSERT
 * per line: every statement that fires the audit trigger opens a
 * statement journal and copies the 16 KiB pages it changes into it, so
 * one statement per bill journals the bill_line and audit_log pages once
 * instead of once per line.  The trigger still fires per row, in row
 * order, so the audit log is the same.
 */
#define LINE_ROWS 16

/*
 * No statement journal at all for the bill and bill_line INSERTs, the two
 * audited ones: SQLite opens one for a statement that writes more than
 * one row (the trigger's audit_log row) and may abort half-way.  Two
 * things made these abortable: the constraints (ABORT by default) and the
 * immediate foreign keys (bill.account_id, bill_line.bill_id), counted
 * through the statement and checked at its end.  So the INSERTs say OR
 * ROLLBACK (a constraint failure rolls back the whole transaction: the
 * run fails and leaves the store as it was, as any failed run does; the
 * audit triggers inherit it) and foreign key enforcement is off while the
 * run writes (sqlite3_db_config, restored at its end): every key the run
 * writes is one it read in the same transaction (the account from the
 * agreement's join on account, the bill from the INSERT just before its
 * lines, and it deletes a bill's lines, meters and service points before
 * the bill).  Statement journals were 13 % of rate-apply's instructions
 * (copying, allocating in 1 KiB chunks and freeing every changed 16 KiB
 * page twice per bill: docs/performance.md).
 */

struct meter_use {
	char meter_id[64];
	char unit[16];
	int64_t usage, estimated, missing;
};

/* The hold codes of one account in the period ("A B", sorted, distinct). */
struct hold {
	char account_id[64];
	char *codes;			/* OWNED */
};

struct run {
	struct br_store *st;
	const struct br_rate_opts *o;
	FILE *out;
	struct br_rate_stats *stats;
	struct br_error *err;
	char cycle[64], pstart[11], pend[11], bill_date[11], due_date[11];
	int32_t first, last;
	struct br_tz tz;
	struct br_rate_cache cache;
	struct br_tariff *tariffs;	/* loaded so far */
	size_t ntariffs;
	sqlite3_stmt *q_bill, *q_inst, *q_days, *q_prior, *q_pdem, *q_lines;
	sqlite3_stmt *d_line, *d_meter, *d_bill, *d_sp;
	sqlite3_stmt *i_bill, *i_meter, *i_sp;
	sqlite3_stmt *i_lines[LINE_ROWS + 1];	/* by row count, lazily */
	struct br_rate_prior *prior;
	size_t nprior, capprior;
	struct br_rate_prior_demand *pdem;	/* TOU ratchets only */
	size_t npdem, cappdem;
	struct br_rate_legacy legacy;	/* months before go-live */
	/* per service point */
	struct br_interval_day *days;
	size_t ndays, capdays;
	struct meter_use *meters;
	size_t nmeters, capmeters;
	char (*line_sp)[64];		/* sp_id per line of the bill */
	size_t capsp;
	struct hold *holds;		/* accounts with holds, sorted */
	size_t nholds, hold_next;	/* hold_next: cursor (account order) */
	int fk_was;			/* foreign keys before the run, -1 */
};

static const char *
col(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? (const char *)t : "";
}

/* Copy s into dst[n], cut at n - 1 bytes (snprintf "%s" without its
 * cost: called per line and per meter-day). */
static void
copy_text(char *dst, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static int
parse_day(struct run *r, const char *s, const char *what, int32_t *out)
{
	if (br_date_parse(s, (size_t)-1, out) != 0)
		return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
		    "bad date '%s' in %s", s, what);
	return 0;
}

static int
load_cycle(struct run *r)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT period_start, "
	    "period_end, bill_date, due_date FROM bill_cycle "
	    "WHERE cycle_id = ?1", r->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, r->o->cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return br_store_fail(r->st, "read bill_cycle", r->err);
		return br_error_set(r->err, BR_EUSAGE, NULL, 0,
		    "no bill cycle '%s' in the store", r->o->cycle_id);
	}
	snprintf(r->cycle, sizeof(r->cycle), "%s", r->o->cycle_id);
	snprintf(r->pstart, sizeof(r->pstart), "%s", col(s, 0));
	snprintf(r->pend, sizeof(r->pend), "%s", col(s, 1));
	snprintf(r->bill_date, sizeof(r->bill_date), "%s", col(s, 2));
	snprintf(r->due_date, sizeof(r->due_date), "%s", col(s, 3));
	sqlite3_finalize(s);
	if (parse_day(r, r->pstart, "bill_cycle", &r->first) != 0 ||
	    parse_day(r, r->pend, "bill_cycle", &r->last) != 0)
		return -1;
	if (r->last < r->first)
		return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
		    "bill cycle '%s' ends before it starts", r->cycle);
	return 0;
}

static const struct br_tariff *
tariff(struct run *r, const struct agreement *a)
{
	struct br_tariff *v;
	struct stat sb;
	size_t i;

	for (i = 0; i < r->ntariffs; i++)
		if (strcmp(r->tariffs[i].code, a->rate_code) == 0)
			return &r->tariffs[i];
	v = realloc(r->tariffs, (r->ntariffs + 1) * sizeof(*v));
	if (v == NULL) {
		br_error_set(r->err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	r->tariffs = v;
	if (br_tariff_load_code(&v[r->ntariffs], r->o->rates_dir,
	    a->rate_code, r->err) != 0) {
		if (r->err->code == BR_ENOINPUT &&
		    (stat(r->o->rates_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)))
			br_error_set(r->err, BR_ENOINPUT, r->o->rates_dir, 0,
			    "rates directory not found (--rates DIR)");
		else if (r->err->code == BR_ENOINPUT) {
			char path[512];
			snprintf(path, sizeof(path), "%s/%s.yaml",
			    r->o->rates_dir, a->rate_code);
			br_error_set(r->err, BR_ECONFIG, path, 0,
			    "unknown rate code '%s' in the agreement of "
			    "account '%s' at service point '%s'",
			    a->rate_code, a->account_id, a->sp_id);
		}
		return NULL;
	}
	return &v[r->ntariffs++];
}

/* Forget the loaded days; their buffers (1440 slots) are reused. */
static void
free_days(struct run *r)
{
	r->ndays = 0;
}

static struct meter_use *
meter_use(struct run *r, const char *meter_id, const char *unit)
{
	size_t i;

	for (i = 0; i < r->nmeters; i++)
		if (strcmp(r->meters[i].meter_id, meter_id) == 0)
			return &r->meters[i];
	if (r->nmeters == r->capmeters) {
		size_t cap = r->capmeters ? 2 * r->capmeters : 8;
		struct meter_use *v = realloc(r->meters, cap * sizeof(*v));
		if (v == NULL)
			return NULL;
		r->meters = v;
		r->capmeters = cap;
	}
	memset(&r->meters[r->nmeters], 0, sizeof(r->meters[0]));
	copy_text(r->meters[r->nmeters].meter_id, 64, meter_id);
	copy_text(r->meters[r->nmeters].unit, 16, unit);
	return &r->meters[r->nmeters++];
}

/* Read one meter's days of a channel in [first, last] into r->days. */
static int
load_meter_days(struct run *r, const char *meter_id, const char *unit,
    int32_t first, int32_t last, int channel)
{
	sqlite3_stmt *s = r->q_days;
	struct meter_use scratch, *mu = &scratch;
	int rc;

	memset(&scratch, 0, sizeof(scratch));
	if (channel == BR_CHANNEL_DELIVERED &&
	    (mu = meter_use(r, meter_id, unit)) == NULL)
		return br_error_set(r->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, meter_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(s, 2, first);
	sqlite3_bind_int(s, 3, last);
	sqlite3_bind_int(s, 4, channel);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_interval_day *d;
		/* each column once, read through sqlite3_value_* (the
		 * sqlite3_column_* calls lock the connection each time) */
		sqlite3_value *vday = sqlite3_column_value(s, 0);
		sqlite3_value *vlen = sqlite3_column_value(s, 1);
		sqlite3_value *vvals = sqlite3_column_value(s, 3);
		sqlite3_value *vqual = sqlite3_column_value(s, 4);
		int32_t n = sqlite3_column_int(s, 2);
		if (n <= 0 || n > 1440 ||
		    sqlite3_value_bytes(vvals) != 8 * n ||
		    sqlite3_value_bytes(vqual) != n)
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "corrupt interval_day row for meter '%s' day %d",
			    meter_id, sqlite3_value_int(vday));
		if (r->ndays == r->capdays) {
			size_t cap = r->capdays ? 2 * r->capdays : 64;
			d = realloc(r->days, cap * sizeof(*d));
			if (d == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			memset(d + r->capdays, 0, (cap - r->capdays) *
			    sizeof(*d));
			r->days = d;
			r->capdays = cap;
		}
		d = &r->days[r->ndays];
		if (d->values == NULL) {
			d->values = malloc(1440 * sizeof(int64_t));
			d->quality = malloc(1440);
			if (d->values == NULL || d->quality == NULL) {
				free(d->values);
				free(d->quality);
				d->values = NULL;
				d->quality = NULL;
				return br_error_set(r->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
		}
		copy_text(d->meter_id, sizeof(d->meter_id), meter_id);
		d->channel = channel;
		d->day = sqlite3_value_int(vday);
		d->interval_s = sqlite3_value_int(vlen);
		d->n = n;
		r->ndays++;
		if (d->interval_s <= 0)
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "bad interval length for meter '%s'", meter_id);
		br_store_unpack_values(sqlite3_value_blob(vvals), n,
		    d->values);
		memcpy(d->quality, sqlite3_value_blob(vqual), (size_t)n);
		br_rate_day_usage(d, &mu->usage, &mu->estimated,
		    &mu->missing);
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read interval_day", r->err);
	return 0;
}

/* Earlier bills of the account at the service point, latest first. */
static int
load_prior(struct run *r, const struct agreement *a)
{
	sqlite3_stmt *s = r->q_prior;
	int rc;

	r->nprior = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_rate_prior *p;
		if (r->nprior == r->capprior) {
			size_t cap = r->capprior ? 2 * r->capprior : 16;
			p = realloc(r->prior, cap * sizeof(*p));
			if (p == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			r->prior = p;
			r->capprior = cap;
		}
		p = &r->prior[r->nprior];
		if (parse_day(r, col(s, 0), "bill_sp", &p->period_first) ||
		    parse_day(r, col(s, 1), "bill_sp", &p->period_last))
			return -1;
		p->usage_milli = sqlite3_column_int64(s, 2);
		p->demand_milli = sqlite3_column_int64(s, 3);
		p->nem_bank_milli = sqlite3_column_int64(s, 4);
		r->nprior++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill_sp", r->err);
	return 0;
}

/*
 * TOU demand lines of earlier bills of the account at the service point
 * (for ratchets on TOU demand periods): per bill and code the highest
 * billed kW (a bill split by a season or version change has one line per
 * part).
 */
static int
load_prior_pdem(struct run *r, const struct agreement *a)
{
	sqlite3_stmt *s = r->q_pdem;
	int rc;

	r->npdem = 0;
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_rate_prior_demand *p;
		if (r->npdem == r->cappdem) {
			size_t cap = r->cappdem ? 2 * r->cappdem : 16;
			p = realloc(r->pdem, cap * sizeof(*p));
			if (p == NULL)
				return br_error_set(r->err, BR_ENOMEM, NULL,
				    0, "out of memory");
			r->pdem = p;
			r->cappdem = cap;
		}
		p = &r->pdem[r->npdem];
		if (parse_day(r, col(s, 0), "bill_sp", &p->period_first) ||
		    parse_day(r, col(s, 1), "bill_sp", &p->period_last))
			return -1;
		snprintf(p->code, sizeof(p->code), "%s", col(s, 2));
		p->demand_milli = sqlite3_column_int64(s, 3);
		r->npdem++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill_line", r->err);
	return 0;
}

/*
 * The legacy months before go-live (history.c) after the billrun bills
 * of r->prior, and the NEM bank carried in: the latest billrun bill's,
 * else the legacy system's.  The legacy true-up month, when the legacy
 * system kept a bank, stays the account's (*tum 0: the tariff's).
 */
static int
load_legacy(struct run *r, const struct agreement *a,
    const struct br_tariff *t, int64_t *bank, int *tum)
{
	size_t nbill = r->nprior;
	int64_t lbank;
	int found;

	if (br_rate_legacy_prior(&r->legacy, a->account_id, a->sp_id, t->unit,
	    r->pstart, &r->prior, &r->nprior, &r->capprior, r->err) != 0 ||
	    br_rate_legacy_nem(&r->legacy, a->account_id, a->sp_id, &lbank,
	    tum, &found, r->err) != 0)
		return -1;
	*bank = nbill ? r->prior[0].nem_bank_milli : lbank;
	return 0;
}

/*
 * The hold exceptions of the period, read once for the run (one query
 * per bill scanned the exception table: it has no index by account):
 * per account its distinct codes in code order joined by spaces, the
 * accounts sorted as the agreements are (BINARY, which strcmp matches).
 * rate-apply itself never writes hold exceptions, so they cannot change
 * while it runs.
 */
static int
load_holds(struct run *r)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT DISTINCT "
	    "account_id, code FROM exception WHERE severity = 'hold' AND "
	    "status IN ('open','held') AND date >= ?1 AND date <= ?2 AND "
	    "(?3 IS NULL OR account_id = ?3) ORDER BY account_id, code",
	    r->err);
	size_t cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->pend, -1, SQLITE_STATIC);
	if (r->o->account_id)
		sqlite3_bind_text(s, 3, r->o->account_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *acct = col(s, 0), *code = col(s, 1);
		struct hold *h = r->nholds ? &r->holds[r->nholds - 1] : NULL;
		size_t n, m;
		char *v;
		if (h == NULL || strcmp(h->account_id, acct) != 0) {
			if (br_grow((void **)&r->holds, &cap, r->nholds,
			    sizeof(*r->holds)) != 0)
				goto nomem;
			h = &r->holds[r->nholds++];
			copy_text(h->account_id, sizeof(h->account_id), acct);
			h->codes = NULL;
		}
		n = h->codes ? strlen(h->codes) : 0;
		m = strlen(code);
		if ((v = realloc(h->codes, n + m + 2)) == NULL)
			goto nomem;
		if (n > 0)
			v[n++] = ' ';
		memcpy(v + n, code, m + 1);
		h->codes = v;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read exception", r->err);
	return 0;
nomem:
	sqlite3_finalize(s);
	return br_error_set(r->err, BR_ENOMEM, NULL, 0, "out of memory");
}

/* The hold codes of account_id, NULL when none (accounts asked for in
 * order; a cursor walks the sorted list). */
static const char *
hold_codes(struct run *r, const char *account_id)
{
	int c = 1;

	while (r->hold_next < r->nholds && (c = strcmp(
	    r->holds[r->hold_next].account_id, account_id)) < 0)
		r->hold_next++;
	return r->hold_next < r->nholds && c == 0 ?
	    r->holds[r->hold_next].codes : NULL;
}

/* Rate one agreement: append its lines to lines. */
static int
rate_agreement(struct run *r, struct agreement *a,
    struct br_rate_lines *lines)
{
	const struct br_tariff *t = tariff(r, a);
	struct br_rate_input in;
	sqlite3_stmt *s = r->q_inst;
	size_t n0 = lines->n, i, ndeliv;
	int rc;
	struct { char id[64], unit[16]; int32_t from, to; } inst[32];
	size_t ninst = 0;
	bool ccf_ok;
	int64_t bank;
	int tum;

	if (t == NULL)
		return -1;
	/* gas: a CCF meter on a therm rate needs a BTU factor */
	ccf_ok = strcmp(t->unit, "therm") == 0;
	for (i = 0; i < t->nversions && ccf_ok; i++)
		if (t->versions[i].btu_micro == 0 &&
		    t->versions[i].nbtu == 0)
			ccf_ok = false;
	free_days(r);
	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, a->sp_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int32_t from, to = a->last;
		const char *meter = col(s, 0), *unit = col(s, 3);
		if (parse_day(r, col(s, 1), "meter_install", &from) != 0)
			return -1;
		if (col(s, 2)[0] != '\0' &&
		    parse_day(r, col(s, 2), "meter_install", &to) != 0)
			return -1;
		if (from < a->first)
			from = a->first;
		if (to > a->last)
			to = a->last;
		if (from > to)
			continue;
		if (strcmp(unit, t->unit) != 0 && !(ccf_ok &&
		    strcmp(unit, "CCF") == 0))
			return br_error_set(r->err, BR_ECONFIG, t->file, 0,
			    "meter '%s' at service point '%s' measures %s "
			    "but rate '%s' bills %s", meter, a->sp_id, unit,
			    t->code, t->unit);
		if (strcmp(unit, "CCF") != 0 && ccf_ok)
			return br_error_set(r->err, BR_ECONFIG, t->file, 0,
			    "meter '%s' at service point '%s' measures %s "
			    "but rate '%s' converts CCF by a BTU factor",
			    meter, a->sp_id, unit, t->code);
		if (ninst == sizeof(inst) / sizeof(inst[0]))
			return br_error_set(r->err, BR_EINPUT, r->st->path, 0,
			    "too many meters at service point '%s'", a->sp_id);
		copy_text(inst[ninst].id, sizeof(inst[0].id), meter);
		copy_text(inst[ninst].unit, sizeof(inst[0].unit), unit);
		inst[ninst].from = from;
		inst[ninst].to = to;
		ninst++;
	}
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read meter_install", r->err);
	for (i = 0; i < ninst; i++)
		if (load_meter_days(r, inst[i].id, inst[i].unit, inst[i].from,
		    inst[i].to, BR_CHANNEL_DELIVERED) != 0)
			return -1;
	ndeliv = r->ndays;
	for (i = 0; a->net_metering[0] && i < ninst; i++)
		if (load_meter_days(r, inst[i].id, inst[i].unit, inst[i].from,
		    inst[i].to, BR_CHANNEL_RECEIVED) != 0)
			return -1;
	if (load_prior(r, a) != 0 || load_legacy(r, a, t, &bank, &tum) != 0)
		return -1;
	r->npdem = 0;
	/* no prior bill_sp row: the TOU demand query finds nothing either */
	if (t->tou_ratchet && r->nprior > 0 && load_prior_pdem(r, a) != 0)
		return -1;
	memset(&in, 0, sizeof(in));
	in.tariff = t;
	in.cache = &r->cache;
	in.period_first = r->first;
	in.period_last = r->last;
	in.service_first = a->first;
	in.service_last = a->last;
	in.days = r->days;
	in.ndays = ndeliv;
	in.recv = r->days + ndeliv;
	in.nrecv = r->ndays - ndeliv;
	in.nem_program = a->net_metering;
	in.prior = r->prior;
	in.nprior = r->nprior;
	in.prior_pdem = r->pdem;
	in.nprior_pdem = r->npdem;
	in.nem_bank_milli = bank;
	in.nem_true_up_month = tum;
	in.summary = &a->sum;
	if (br_rate_compute(&in, lines, r->err) != 0)
		return -1;
	if (lines->n > r->capsp) {
		size_t cap = lines->cap;
		char (*v)[64] = realloc(r->line_sp, cap * sizeof(*v));
		if (v == NULL)
			return br_error_set(r->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		r->line_sp = v;
		r->capsp = cap;
	}
	for (i = n0; i < lines->n; i++)
		copy_text(r->line_sp[i], 64, a->sp_id);
	return 0;
}

static int
step_done(struct run *r, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, what, r->err);
	return 0;
}

/* The INSERT of n bill lines (1 <= n <= LINE_ROWS), prepared once. */
static sqlite3_stmt *
line_insert(struct run *r, size_t n)
{
	static const char head[] = "INSERT OR ROLLBACK INTO bill_line(bill_id, seq, "
	    "sp_id, code, description, quantity_milli, unit, rate_micro, "
	    "amount_cents, trace, rate_nano) VALUES";

	if (r->i_lines[n] == NULL)
		r->i_lines[n] = br_store_prepare_rows(r->st, head, 11, (int)n,
		    r->err);
	return r->i_lines[n];
}

/* Decimal digits of a line number (snprintf "%zu" without its cost). */
static const char *
fmt_seq(size_t v, char buf[24])
{
	buf[br_int_format(buf, (int64_t)v)] = '\0';
	return buf;
}

/*
 * Hand the audit seal line i's values as bound (store/audit.h, row
 * notes), so it need not read the row back.  The columns must be the
 * INSERT's: a table column missing here makes the seal read every line
 * back (same digests, slower).
 */
static void
note_line(struct run *r, const char *bill_id, size_t i,
    const struct br_rate_line *l)
{
	char key[320], num[24];
	const char *seq = fmt_seq(i + 1, num);
	size_t bl = strlen(bill_id), sl = strlen(seq);
	/* rate_nano as insert_lines binds it: NULL when rate_micro is it */
	int exact = l->rate_nano != l->rate_micro * 1000;
	struct br_audit_col c[11] = {
		{ "bill_id", bill_id, 0, 0 },
		{ "seq", NULL, (int64_t)i + 1, 0 },
		{ "sp_id", r->line_sp[i], 0, 0 }, { "code", l->code, 0, 0 },
		{ "description", l->description, 0, 0 },
		{ "quantity_milli", NULL, l->quantity_milli, 0 },
		{ "unit", l->unit, 0, 0 },
		{ "rate_micro", NULL, l->rate_micro, 0 },
		{ "amount_cents", NULL, l->amount_cents, 0 },
		{ "trace", l->trace, 0, 0 },
		{ "rate_nano", NULL, exact ? l->rate_nano : 0, !exact },
	};

	if (bl + 1 + sl >= sizeof(key))
		return;		/* not noted: read back */
	memcpy(key, bill_id, bl);
	key[bl] = '/';
	memcpy(key + bl + 1, seq, sl + 1);
	br_audit_note_row(r->st, key, 11, c);
}

/* Insert the lines of bill_id, LINE_ROWS per statement. */
static int
insert_lines(struct run *r, const char *bill_id,
    const struct br_rate_lines *lines)
{
	size_t i0, i, n;

	for (i0 = 0; i0 < lines->n; i0 += n) {
		sqlite3_stmt *s;
		n = lines->n - i0 < LINE_ROWS ? lines->n - i0 : LINE_ROWS;
		if ((s = line_insert(r, n)) == NULL)
			return -1;
		for (i = 0; i < n; i++) {
			const struct br_rate_line *l = &lines->v[i0 + i];
			int k = (int)(i * 11);
			/* static: the lines outlive the step */
			sqlite3_bind_text(s, k + 1, bill_id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, k + 2, (int64_t)(i0 + i) + 1);
			sqlite3_bind_text(s, k + 3, r->line_sp[i0 + i], -1,
			    SQLITE_STATIC);
			sqlite3_bind_text(s, k + 4, l->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(s, k + 5, l->description, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int64(s, k + 6, l->quantity_milli);
			sqlite3_bind_text(s, k + 7, l->unit, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, k + 8, l->rate_micro);
			sqlite3_bind_int64(s, k + 9, l->amount_cents);
			sqlite3_bind_text(s, k + 10, l->trace, -1,
			    SQLITE_STATIC);
			/* the exact rate only when rate_micro is not it */
			if (l->rate_nano != l->rate_micro * 1000)
				sqlite3_bind_int64(s, k + 11, l->rate_nano);
			else
				sqlite3_bind_null(s, k + 11);
		}
		if (step_done(r, s, "insert bill_line") != 0)
			return -1;
		for (i = 0; i < n; i++)
			note_line(r, bill_id, i0 + i, &lines->v[i0 + i]);
	}
	return 0;
}

/*
 * One row of the charges CSV: ids holds the bill id, account id, status,
 * line number and service point; l the line.
 */
static void
put_charge(struct run *r, const char *const ids[5],
    const struct br_rate_line *l)
{
	char qb[32], rb[32], cb[32];
	const char *row[12];

	memcpy(row, ids, 5 * sizeof(*row));
	row[5] = l->code;
	row[6] = l->description;
	row[7] = br_decimal_format(l->quantity_milli, 3, 3, qb, sizeof(qb));
	row[8] = l->unit;
	row[9] = br_decimal_format(l->rate_micro, 6, 6, rb, sizeof(rb));
	row[10] = br_cents_format(l->amount_cents, cb, sizeof(cb));
	row[11] = l->trace;
	br_csv_row(r->out, 12, row);
}

/*
 * The charges rows of a bill this run leaves alone (issued or cancelled),
 * read back from the store with its status: a rerun's charges report
 * lists the whole cycle, not only the bills it re-rated.
 */
static int
write_stored(struct run *r, const char *bill_id, const char *account_id,
    const char *status)
{
	sqlite3_stmt *s = r->q_lines;
	struct br_rate_line l;
	const char *ids[5] = { bill_id, account_id, status, NULL, NULL };
	int rc;

	sqlite3_reset(s);
	sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		ids[3] = col(s, 0);
		ids[4] = col(s, 1);
		copy_text(l.code, sizeof(l.code), col(s, 2));
		copy_text(l.description, sizeof(l.description), col(s, 3));
		l.quantity_milli = sqlite3_column_int64(s, 4);
		copy_text(l.unit, sizeof(l.unit), col(s, 5));
		l.rate_micro = sqlite3_column_int64(s, 6);
		l.amount_cents = sqlite3_column_int64(s, 7);
		copy_text(l.trace, sizeof(l.trace), col(s, 8));
		put_charge(r, ids, &l);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill_line", r->err);
	return 0;
}

/* Bill one account from its agreements a[0..n). */
static int
bill_account(struct run *r, struct agreement *a, size_t n)
{
	struct br_rate_lines lines = { NULL, 0, 0 };
	char bill_id[160], status[16] = "", seq[24];
	const char *st, *hold;
	struct br_rate_target tg;
	int64_t total = 0;
	size_t i, n0;
	int rc, held;

	if (r->o->target != NULL) {
		/* rebill: the callback names a fresh bill */
		memset(&tg, 0, sizeof(tg));
		if ((rc = r->o->target(r->o->target_ctx, a->account_id, &tg,
		    r->err)) <= 0)
			return rc;
		snprintf(bill_id, sizeof(bill_id), "%s", tg.bill_id);
		goto rate;
	}
	copy_text(bill_id, sizeof(bill_id), r->cycle);
	n0 = strlen(bill_id);
	if (n0 + 1 < sizeof(bill_id)) {
		bill_id[n0] = '-';
		copy_text(bill_id + n0 + 1, sizeof(bill_id) - n0 - 1,
		    a->account_id);
	}
	sqlite3_reset(r->q_bill);
	sqlite3_bind_text(r->q_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(r->q_bill)) == SQLITE_ROW)
		copy_text(status, sizeof(status), col(r->q_bill, 0));
	sqlite3_reset(r->q_bill);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(r->st, "read bill", r->err);
	if (status[0] && strcmp(status, "draft") && strcmp(status, "hold")) {
		r->stats->skipped_issued++;
		return r->out != NULL ? write_stored(r, bill_id,
		    a->account_id, status) : 0;
	}
	/* No bill yet: there is nothing to delete (bill_line, bill_sp and
	 * bill_meter reference the bill, foreign keys on), and the DELETE on
	 * bill_line, audited, cost a temporary table and a statement
	 * journal per bill. */
	if (status[0] == '\0')
		goto rate;
	sqlite3_bind_text(r->d_line, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->d_meter, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->d_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->d_sp, 1, bill_id, -1, SQLITE_TRANSIENT);
	if (step_done(r, r->d_line, "delete bill_line") != 0 ||
	    step_done(r, r->d_sp, "delete bill_sp") != 0 ||
	    step_done(r, r->d_meter, "delete bill_meter") != 0 ||
	    step_done(r, r->d_bill, "delete bill") != 0)
		return -1;
rate:
	r->nmeters = 0;
	for (i = 0; i < n; i++)
		if (rate_agreement(r, &a[i], &lines) != 0)
			goto fail;
	for (i = 0; i < lines.n; i++)
		total += lines.v[i].amount_cents;

	/* The hold codes of the account in the period. */
	hold = hold_codes(r, a->account_id);
	held = hold != NULL;
	if (held && r->o->notice != NULL)
		r->o->notice(r->o->notice_ctx, bill_id, total, hold);
	st = held ? "hold" : "draft";

	sqlite3_bind_text(r->i_bill, 1, bill_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->i_bill, 2, a->account_id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(r->i_bill, 3, st, -1, SQLITE_STATIC);
	sqlite3_bind_int64(r->i_bill, 4, total);
	if (r->o->target != NULL) {
		sqlite3_bind_text(r->i_bill, 8, tg.bill_date, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(r->i_bill, 9, tg.due_date, -1,
		    SQLITE_TRANSIENT);
		sqlite3_bind_text(r->i_bill, 10, tg.replaces, -1,
		    SQLITE_TRANSIENT);
	}
	rc = step_done(r, r->i_bill, "insert bill");
	if (r->o->target != NULL) {
		sqlite3_bind_text(r->i_bill, 8, r->bill_date, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(r->i_bill, 9, r->due_date, -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(r->i_bill, 10, "", -1, SQLITE_STATIC);
	}
	if (rc != 0 || insert_lines(r, bill_id, &lines) != 0)
		goto fail;
	for (i = 0; r->out != NULL && i < lines.n; i++) {
		const char *ids[5] = { bill_id, a->account_id, st,
		    fmt_seq(i + 1, seq), r->line_sp[i] };
		put_charge(r, ids, &lines.v[i]);
	}
	for (i = 0; i < r->nmeters; i++) {
		const struct meter_use *m = &r->meters[i];
		sqlite3_stmt *s = r->i_meter;
		sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, m->meter_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, m->unit, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 4, m->usage);
		sqlite3_bind_int64(s, 5, m->estimated);
		sqlite3_bind_int64(s, 6, m->missing);
		if (step_done(r, s, "insert bill_meter") != 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		sqlite3_stmt *s = r->i_sp;
		char d1[16], d2[16];
		sqlite3_bind_text(s, 1, bill_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 2, a[i].sp_id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, br_date_format(a[i].first, d1,
		    sizeof(d1)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 4, br_date_format(a[i].last, d2,
		    sizeof(d2)), -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(s, 5, a[i].sum.usage_milli);
		sqlite3_bind_int64(s, 6, a[i].sum.demand_milli);
		sqlite3_bind_int64(s, 7, a[i].sum.export_milli);
		sqlite3_bind_int64(s, 8, a[i].sum.nem_bank_milli);
		if (step_done(r, s, "insert bill_sp") != 0)
			goto fail;
	}
	r->stats->bills++;
	r->stats->held += held;
	r->stats->lines += (long)lines.n;
	br_rate_lines_release(&lines);
	return 0;
fail:
	br_rate_lines_release(&lines);
	return -1;
}

static int
prepare_all(struct run *r)
{
	struct { sqlite3_stmt **s; const char *sql; } q[] = {
		{ &r->q_bill, "SELECT status FROM bill WHERE bill_id = ?1" },
		{ &r->q_lines, "SELECT seq, sp_id, code, description, "
		    "quantity_milli, unit, rate_micro, amount_cents, trace "
		    "FROM bill_line WHERE bill_id = ?1 ORDER BY seq" },
		{ &r->q_inst, "SELECT mi.meter_id, mi.install_date, "
		    "COALESCE(mi.remove_date, ''), m.unit FROM meter_install mi "
		    "JOIN meter m ON m.meter_id = mi.meter_id "
		    "WHERE mi.sp_id = ?1 ORDER BY mi.meter_id, mi.install_date" },
		{ &r->q_days, "SELECT day, interval_s, n, vals, quality "
		    "FROM interval_day WHERE meter_id = ?1 AND channel = ?4 "
		    "AND day >= ?2 AND day <= ?3 ORDER BY day" },
		{ &r->d_line, "DELETE FROM bill_line WHERE bill_id = ?1" },
		{ &r->d_meter, "DELETE FROM bill_meter WHERE bill_id = ?1" },
		{ &r->d_bill, "DELETE FROM bill WHERE bill_id = ?1" },
		{ &r->d_sp, "DELETE FROM bill_sp WHERE bill_id = ?1" },
		{ &r->q_prior, "SELECT bs.period_start, bs.period_end, "
		    "bs.usage_milli, bs.demand_milli, bs.nem_bank_milli "
		    "FROM bill_sp bs JOIN bill b ON b.bill_id = bs.bill_id "
		    "WHERE b.account_id = ?1 AND bs.sp_id = ?2 AND "
		    "b.status <> 'cancelled' AND bs.period_end < ?3 "
		    "ORDER BY bs.period_end DESC LIMIT 40" },
		{ &r->q_pdem, "SELECT bs.period_start, bs.period_end, "
		    "bl.code, MAX(bl.quantity_milli) FROM bill_line bl "
		    "JOIN bill_sp bs ON bs.bill_id = bl.bill_id AND "
		    "bs.sp_id = bl.sp_id JOIN bill b ON b.bill_id = bl.bill_id "
		    "WHERE b.account_id = ?1 AND bl.sp_id = ?2 AND "
		    "b.status <> 'cancelled' AND bs.period_end < ?3 AND "
		    "bl.unit = 'kW' AND bl.code LIKE 'DEMAND\\_%' ESCAPE '\\' "
		    "GROUP BY bl.bill_id, bl.code "
		    "ORDER BY bs.period_end DESC, bl.code LIMIT 400" },
		{ &r->i_sp, "INSERT INTO bill_sp(bill_id, sp_id, period_start, "
		    "period_end, usage_milli, demand_milli, export_milli, "
		    "nem_bank_milli) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
		    "ON CONFLICT(bill_id, sp_id) DO UPDATE SET "
		    "period_start = MIN(period_start, excluded.period_start), "
		    "period_end = MAX(period_end, excluded.period_end), "
		    "usage_milli = usage_milli + excluded.usage_milli, "
		    "demand_milli = MAX(demand_milli, excluded.demand_milli), "
		    "export_milli = export_milli + excluded.export_milli, "
		    "nem_bank_milli = excluded.nem_bank_milli" },
		{ &r->i_bill, "INSERT OR ROLLBACK INTO bill(bill_id, account_id, "
		    "cycle_id, "
		    "period_start, period_end, bill_date, due_date, status, "
		    "total_cents, replaces) VALUES(?1, ?2, ?5, ?6, ?7, ?8, ?9, "
		    "?3, ?4, ?10)" },
		{ &r->i_meter, "INSERT INTO bill_meter(bill_id, meter_id, "
		    "channel, unit, usage_milli, estimated_milli, "
		    "missing_intervals) VALUES(?1, ?2, 1, ?3, ?4, ?5, ?6)" },
	};
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++)
		if ((*q[i].s = br_store_prepare(r->st, q[i].sql, r->err)) ==
		    NULL)
			return -1;
	if (br_rate_legacy_open(&r->legacy, r->st, r->err) != 0)
		return -1;
	sqlite3_bind_text(r->q_prior, 3, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->q_pdem, 3, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 5, r->cycle, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 6, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 7, r->pend, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 8, r->bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 9, r->due_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(r->i_bill, 10, "", -1, SQLITE_STATIC);
	return 0;
}

static int
load_agreements(struct run *r, struct agreement **out, size_t *nout)
{
	sqlite3_stmt *s = br_store_prepare(r->st, "SELECT sa.account_id, "
	    "sa.sp_id, sa.rate_code, sa.start_date, "
	    "COALESCE(sa.end_date, ''), sa.net_metering "
	    "FROM service_agreement sa "
	    "JOIN account a ON a.account_id = sa.account_id "
	    "WHERE a.status <> 'closed' AND sa.start_date <= ?2 "
	    "AND (sa.end_date IS NULL OR sa.end_date = '' OR "
	    "sa.end_date >= ?1) AND (?3 IS NULL OR sa.account_id = ?3) "
	    "AND br_in_shard(sa.account_id) "
	    "ORDER BY sa.account_id, sa.sp_id, sa.start_date", r->err);
	struct agreement *v = NULL, *a;
	size_t n = 0, cap = 0;
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, r->pstart, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, r->pend, -1, SQLITE_STATIC);
	if (r->o->account_id)
		sqlite3_bind_text(s, 3, r->o->account_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			a = realloc(v, cap * sizeof(*a));
			if (a == NULL) {
				br_error_set(r->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				goto fail;
			}
			v = a;
		}
		a = &v[n];
		copy_text(a->account_id, sizeof(a->account_id), col(s, 0));
		copy_text(a->sp_id, sizeof(a->sp_id), col(s, 1));
		copy_text(a->rate_code, sizeof(a->rate_code), col(s, 2));
		copy_text(a->net_metering, sizeof(a->net_metering),
		    col(s, 5));
		memset(&a->sum, 0, sizeof(a->sum));
		if (parse_day(r, col(s, 3), "service_agreement", &a->first))
			goto fail;
		a->last = r->last;
		if (col(s, 4)[0] && parse_day(r, col(s, 4),
		    "service_agreement", &a->last))
			goto fail;
		if (a->first < r->first)
			a->first = r->first;
		if (a->last > r->last)
			a->last = r->last;
		n++;
	}
	if (rc != SQLITE_DONE) {
		br_store_fail(r->st, "read service_agreement", r->err);
		goto fail;
	}
	sqlite3_finalize(s);
	*out = v;
	*nout = n;
	return 0;
fail:
	sqlite3_finalize(s);
	free(v);
	return -1;
}

static void
run_release(struct run *r)
{
	sqlite3_stmt **all[] = { &r->q_bill, &r->q_lines, &r->q_inst,
	    &r->q_days, &r->d_line, &r->d_meter, &r->d_bill, &r->i_bill,
	    &r->i_meter, &r->q_prior, &r->d_sp, &r->i_sp,
	    &r->q_pdem };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		sqlite3_finalize(*all[i]);
	br_rate_legacy_close(&r->legacy);
	for (i = 0; i <= LINE_ROWS; i++)
		sqlite3_finalize(r->i_lines[i]);
	for (i = 0; i < r->ntariffs; i++)
		br_tariff_release(&r->tariffs[i]);
	free(r->tariffs);
	for (i = 0; i < r->capdays; i++) {
		free(r->days[i].values);
		free(r->days[i].quality);
	}
	free(r->days);
	free(r->meters);
	free(r->line_sp);
	for (i = 0; i < r->nholds; i++)
		free(r->holds[i].codes);
	free(r->holds);
	free(r->prior);
	free(r->pdem);
	br_rate_cache_release(&r->cache);
	br_tz_release(&r->tz);
}

int
br_rate_run(struct br_store *st, const struct br_rate_opts *opts, FILE *out,
    struct br_rate_stats *stats, struct br_error *err)
{
	static const char *const header[12] = { "bill_id", "account_id",
	    "status", "seq", "sp_id", "code", "description", "quantity",
	    "unit", "rate", "amount", "trace" };
	struct run r;
	struct agreement *ag = NULL;
	size_t nag = 0, i, j;
	int rc = -1;

	memset(&r, 0, sizeof(r));
	memset(stats, 0, sizeof(*stats));
	r.fk_was = -1;
	r.st = st;
	r.o = opts;
	r.out = out;
	r.stats = stats;
	r.err = err;
	if (load_cycle(&r) != 0)
		return -1;
	if (br_store_timezone(st, &r.tz, err) != 0)
		return -1;
	/* before prepare_all: a change recompiles prepared statements; -1
	 * asks, 0 sets (both report the setting after the call) */
	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_FKEY, -1,
	    &r.fk_was) != SQLITE_OK || sqlite3_db_config(st->db,
	    SQLITE_DBCONFIG_ENABLE_FKEY, 0, NULL) != SQLITE_OK) {
		br_store_fail(st, "switch foreign keys off", err);
		goto done;
	}
	if (br_audit_note_begin(st, err) != 0)
		goto done;
	if (br_rate_cache_init(&r.cache, &r.tz, r.first, r.last, err) != 0 ||
	    prepare_all(&r) != 0 || load_agreements(&r, &ag, &nag) != 0 ||
	    load_holds(&r) != 0)
		goto done;
	/* load every tariff first: a bad one fails before any output */
	for (i = 0; i < nag; i++)
		if (tariff(&r, &ag[i]) == NULL)
			goto done;
	if (out != NULL)
		br_csv_row(out, 12, header);
	for (i = 0; i < nag; i = j) {
		for (j = i + 1; j < nag && strcmp(ag[j].account_id,
		    ag[i].account_id) == 0; j++)
			;
		if (bill_account(&r, &ag[i], j - i) != 0)
			goto done;
		br_progress("agreements", (long)j, (long)nag);
	}
	rc = 0;
done:
	free(ag);
	run_release(&r);
	if (r.fk_was > 0)
		(void)sqlite3_db_config(st->db, SQLITE_DBCONFIG_ENABLE_FKEY, 1,
		    NULL);
	return rc;
}
