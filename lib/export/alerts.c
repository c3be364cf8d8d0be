/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alerts.c: alerts.csv (alerts.h).  The cycle's validation exceptions
 * with a customer-facing code are read with their account, contacts,
 * meter and service point, folded into one alert per account, alert
 * code and meter (first date, number of days, longest leak), given a
 * message and the amount at stake from the cycle's bill, sorted and
 * written.
 */
#include "export/alerts.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "io/csvio.h"
#include "core/banned.h"

#define DEFAULT_MAX 320

struct alert {
	char account[64], name[128], email[128], phone[40];
	int sms;
	char alert[24], meter[64], date[11], kind[16], unit[16];
	char sp[64], addr[160];
	char detail[256];
	long days;		/* exceptions folded in */
	long hours;		/* longest continuous flow (leak) */
	int64_t amount;		/* cents; INT64_MIN: no bill */
	int fixed;		/* amount known (past due): keep it */
};

struct al {
	struct br_store *st;
	const struct br_alert_opts *o;
	struct br_error *err;
	struct alert *v;
	size_t n, cap;
};

static void
cfmt(char *buf, size_t n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
cfmt(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, n, fmt, ap);
	va_end(ap);
}

static bool
customer_facing(const struct al *a, const char *code)
{
	for (const char *const *c = a->o->codes; c && *c; c++)
		if (strcmp(*c, code) == 0)
			return true;
	return false;
}

/* The alert code of an exception code. */
static void
alert_code(const char *code, char *out, size_t n)
{
	size_t i;

	if (strcmp(code, "LEAK") == 0)
		cfmt(out, n, "leak");
	else if (strcmp(code, "HIGH_USAGE") == 0 ||
	    strcmp(code, "HIGH_BILL") == 0)
		cfmt(out, n, "high_usage");
	else if (strncmp(code, "GAP", 3) == 0 ||
	    strcmp(code, "MISSING_DAY") == 0)
		cfmt(out, n, "estimated_bill");
	else {
		for (i = 0; code[i] && i + 1 < n; i++)
			out[i] = (char)(code[i] >= 'A' && code[i] <= 'Z' ?
			    code[i] - 'A' + 'a' : code[i]);
		out[i] = '\0';
	}
}

/* Hours of continuous flow in a LEAK detail ("... (744 h 00 min) ..."). */
static long
leak_hours(const char *detail)
{
	const char *p = strstr(detail, " h ");
	long h = 0, mul = 1;

	if (p == NULL)
		return -1;
	while (p > detail && p[-1] >= '0' && p[-1] <= '9') {
		h += (p[-1] - '0') * mul;
		mul *= 10;
		p--;
	}
	return mul > 1 ? h : -1;
}

static struct alert *
find_or_add(struct al *a, const struct alert *k)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i].account, k->account) == 0 &&
		    strcmp(a->v[i].alert, k->alert) == 0 &&
		    strcmp(a->v[i].meter, k->meter) == 0)
			return &a->v[i];
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 32;
		void *p = realloc(a->v, nc * sizeof(*a->v));
		if (p == NULL)
			return NULL;
		a->v = p;
		a->cap = nc;
	}
	a->v[a->n] = *k;
	a->v[a->n].days = 0;
	a->v[a->n].hours = -1;
	return &a->v[a->n++];
}

static int
read_exceptions(struct al *a, struct br_alert_stats *stats)
{
	static const char sql[] =
	    "SELECT e.account_id, e.meter_id, e.code, e.date, e.detail,"
	    " a.name, coalesce(ac.email, ''), coalesce(ac.phone, ''),"
	    " coalesce(ac.sms_opt_in, 0),"
	    " coalesce(m.kind, ''), coalesce(m.unit, ''),"
	    " coalesce(mi.sp_id, ''), coalesce(sp.address, '')"
	    " FROM exception e"
	    " JOIN bill_cycle c ON c.cycle_id = ?1"
	    " JOIN account a ON a.account_id = e.account_id"
	    " LEFT JOIN account_contact ac ON ac.account_id = e.account_id"
	    " LEFT JOIN meter m ON m.meter_id = e.meter_id"
	    " LEFT JOIN meter_install mi ON mi.meter_id = e.meter_id"
	    "  AND mi.install_date <= e.date"
	    "  AND coalesce(nullif(mi.remove_date, ''), '9999') >= e.date"
	    " LEFT JOIN service_point sp ON sp.sp_id = mi.sp_id"
	    " WHERE e.stage = 'validate' AND e.status <> 'overridden'"
	    " AND e.date BETWEEN c.period_start AND c.period_end"
	    " AND (?2 IS NULL OR e.account_id = ?2)"
	    " AND br_in_shard(e.account_id)"
	    " ORDER BY e.account_id, e.meter_id, e.date, e.code, e.detail";
	sqlite3_stmt *s = br_store_prepare(a->st, sql, a->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a->o->cycle_id, -1, SQLITE_STATIC);
	if (a->o->account_id)
		sqlite3_bind_text(s, 2, a->o->account_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert k, *t;
		char code[32];
		long h;

		br_store_column_text(code, sizeof(code), s, 2);
		if (!customer_facing(a, code))
			continue;
		stats->exceptions++;
		memset(&k, 0, sizeof(k));
		br_store_column_text(k.account, sizeof(k.account), s, 0);
		br_store_column_text(k.meter, sizeof(k.meter), s, 1);
		br_store_column_text(k.date, sizeof(k.date), s, 3);
		br_store_column_text(k.detail, sizeof(k.detail), s, 4);
		br_store_column_text(k.name, sizeof(k.name), s, 5);
		br_store_column_text(k.email, sizeof(k.email), s, 6);
		br_store_column_text(k.phone, sizeof(k.phone), s, 7);
		k.sms = sqlite3_column_int(s, 8);
		br_store_column_text(k.kind, sizeof(k.kind), s, 9);
		br_store_column_text(k.unit, sizeof(k.unit), s, 10);
		br_store_column_text(k.sp, sizeof(k.sp), s, 11);
		br_store_column_text(k.addr, sizeof(k.addr), s, 12);
		alert_code(code, k.alert, sizeof(k.alert));
		if ((t = find_or_add(a, &k)) == NULL) {
			sqlite3_finalize(s);
			return br_error_set(a->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		t->days++;
		if (strcmp(k.alert, "leak") == 0 &&
		    (h = leak_hours(k.detail)) > t->hours) {
			t->hours = h;
			memcpy(t->detail, k.detail, sizeof(t->detail));
		}
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 :
	    br_store_fail(a->st, "read exceptions", a->err);
}

/*
 * Past due: the amount pay-reconcile --late-fees recorded for the
 * account as of the cycle's bill date (table past_due, issue 15), when
 * above zero.  Not a VEE exception: always customer-facing.
 */
static int
read_past_due(struct al *a)
{
	static const char sql[] =
	    "SELECT p.account_id, a.name, coalesce(ac.email, ''),"
	    " coalesce(ac.phone, ''), coalesce(ac.sms_opt_in, 0),"
	    " p.amount_cents, p.oldest_due_date"
	    " FROM past_due p JOIN bill_cycle c ON c.cycle_id = ?1"
	    " JOIN account a ON a.account_id = p.account_id"
	    " LEFT JOIN account_contact ac ON ac.account_id = p.account_id"
	    " WHERE p.as_of = c.bill_date AND p.amount_cents > 0"
	    " AND (?2 IS NULL OR p.account_id = ?2)"
	    " AND br_in_shard(p.account_id) ORDER BY p.account_id";
	sqlite3_stmt *s = br_store_prepare(a->st, sql, a->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a->o->cycle_id, -1, SQLITE_STATIC);
	if (a->o->account_id)
		sqlite3_bind_text(s, 2, a->o->account_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct alert k, *t;

		memset(&k, 0, sizeof(k));
		br_store_column_text(k.account, sizeof(k.account), s, 0);
		br_store_column_text(k.name, sizeof(k.name), s, 1);
		br_store_column_text(k.email, sizeof(k.email), s, 2);
		br_store_column_text(k.phone, sizeof(k.phone), s, 3);
		k.sms = sqlite3_column_int(s, 4);
		br_store_column_text(k.date, sizeof(k.date), s, 6);
		cfmt(k.alert, sizeof(k.alert), "past_due");
		if ((t = find_or_add(a, &k)) == NULL) {
			sqlite3_finalize(s);
			return br_error_set(a->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		t->amount = sqlite3_column_int64(s, 5);
		t->fixed = 1;
		t->days = 1;
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 :
	    br_store_fail(a->st, "read past due", a->err);
}

/* Amount at stake: the cycle bill's lines of the service point (leak,
 * high usage), or its total (estimated bill and others). */
static int
amounts(struct al *a)
{
	static const char sql[] =
	    "SELECT b.total_cents, (SELECT coalesce(sum(l.amount_cents), 0)"
	    "  FROM bill_line l WHERE l.bill_id = b.bill_id"
	    "  AND l.sp_id = ?3)"
	    " FROM bill b WHERE b.account_id = ?1 AND b.cycle_id = ?2"
	    " AND b.status <> 'cancelled' ORDER BY b.bill_id DESC LIMIT 1";
	sqlite3_stmt *s = br_store_prepare(a->st, sql, a->err);
	size_t i;
	int rc;

	if (s == NULL)
		return -1;
	for (i = 0; i < a->n; i++) {
		struct alert *t = &a->v[i];
		bool by_sp = strcmp(t->alert, "leak") == 0 ||
		    strcmp(t->alert, "high_usage") == 0;

		if (t->fixed)
			continue;

		sqlite3_bind_text(s, 1, t->account, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, a->o->cycle_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, t->sp, -1, SQLITE_STATIC);
		rc = sqlite3_step(s);
		t->amount = INT64_MIN;
		if (rc == SQLITE_ROW)
			t->amount = sqlite3_column_int64(s, by_sp ? 1 : 0);
		sqlite3_reset(s);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			sqlite3_finalize(s);
			return br_store_fail(a->st, "read bills", a->err);
		}
	}
	sqlite3_finalize(s);
	return 0;
}

/* s between `from` and `to` (exclusive, first match after from). */
static bool
between(const char *s, const char *from, const char *to, char *out,
    size_t n)
{
	const char *p = strstr(s, from), *q;

	if (p == NULL)
		return false;
	p += strlen(from);
	if ((q = strstr(p, to)) == NULL || (size_t)(q - p) >= n)
		return false;
	memcpy(out, p, (size_t)(q - p));
	out[q - p] = '\0';
	return true;
}

/* "average A/day on N days vs B/day on M days of the LABEL d0..d1
 * (R.RRx, limit L.LLx)" -> A, B, LABEL and the percentage above. */
static bool
parse_high(const char *d, char *cur, char *hist, char *label, size_t n,
    long *pct)
{
	const char *vs = strstr(d, " vs "), *of = strstr(d, " of the "),
	    *dots = strstr(d, ".."), *par = strrchr(d, '(');
	char r[16];
	int64_t ratio;
	size_t k;

	if (vs == NULL || of == NULL || dots == NULL || par == NULL ||
	    !between(d, "average ", "/day", cur, n) ||
	    !between(vs, " vs ", "/day", hist, n) ||
	    !between(par, "(", "x", r, sizeof(r)) ||
	    br_decimal_parse(r, (size_t)-1, 2, &ratio) != 0)
		return false;
	of += strlen(" of the ");
	while (dots > of && dots[-1] != ' ')
		dots--;
	if (dots <= of || (k = (size_t)(dots - 1 - of)) >= n)
		return false;
	memcpy(label, of, k);
	label[k] = '\0';
	*pct = (long)(ratio - 100);
	return true;
}

static void
money(char *buf, size_t n, int64_t cents)
{
	cfmt(buf, n, "%s%" PRId64 ".%02" PRId64, cents < 0 ? "-" : "",
	    (cents < 0 ? -cents : cents) / 100,
	    (cents < 0 ? -cents : cents) % 100);
}

static void
message(const struct alert *t, char *m, size_t n)
{
	char amt[32] = "", tail[64] = "", cur[32], hist[32], label[64];
	const char *where = t->addr[0] ? t->addr : t->sp;
	long pct;

	if (t->amount != INT64_MIN)
		money(amt, sizeof(amt), t->amount);
	if (strcmp(t->alert, "leak") == 0) {
		if (amt[0])
			cfmt(tail, sizeof(tail), " Water charges this "
			    "period: $%s.", amt);
		if (t->hours > 0)
			cfmt(m, n, "Water has flowed at %s without stopping "
			    "for %ld hours from %s (meter %s). This usually "
			    "means a leak: please check toilets, taps, hoses "
			    "and irrigation.%s", where, t->hours, t->date,
			    t->meter, tail);
		else
			cfmt(m, n, "Water has flowed at %s without stopping "
			    "from %s (meter %s). This usually means a leak: "
			    "please check toilets, taps, hoses and "
			    "irrigation.%s", where, t->date, t->meter, tail);
	} else if (strcmp(t->alert, "high_usage") == 0) {
		if (amt[0])
			cfmt(tail, sizeof(tail), " Charges for this service "
			    "this period: $%s.", amt);
		if (parse_high(t->detail, cur, hist, label, sizeof(cur),
		    &pct))
			cfmt(m, n, "Your %s use at %s this period averages "
			    "%s %s a day, %ld%% more than the %s (%s %s a "
			    "day).%s", t->kind, where, cur, t->unit, pct,
			    label, hist, t->unit, tail);
		else
			cfmt(m, n, "Your %s use at %s this period is higher "
			    "than usual.%s", t->kind, where, tail);
	} else if (strcmp(t->alert, "estimated_bill") == 0) {
		if (amt[0])
			cfmt(tail, sizeof(tail), " Bill amount: $%s.", amt);
		cfmt(m, n, "Your %s meter %s at %s did not send reads for "
		    "part of this period (%ld day%s from %s); we estimated "
		    "that use from similar days. The bill will be corrected "
		    "when actual reads arrive.%s", t->kind, t->meter, where,
		    t->days, t->days == 1 ? "" : "s", t->date, tail);
	} else if (strcmp(t->alert, "past_due") == 0)
		cfmt(m, n, "%s%s of your balance was due on %s and is "
		    "still unpaid. Please pay it now to avoid late fees; call "
		    "us if you need a payment arrangement.", amt[0] ? "$" : "",
		    amt[0] ? amt : "Part", t->date);
	else
		cfmt(m, n, "Your %s meter %s at %s: %s", t->kind, t->meter,
		    where, t->detail);
}

/* Cut m to max bytes at a word boundary, ending "...". */
static void
limit(char *m, size_t max)
{
	size_t k;

	if (strlen(m) <= max || max < 8)
		return;
	k = max - 3;
	while (k > 0 && m[k] != ' ')
		k--;
	if (k == 0)
		k = max - 3;
	while (k > 0 && ((unsigned char)m[k] & 0xC0) == 0x80)
		k--;		/* never split a UTF-8 sequence */
	memcpy(m + k, "...", 4);
}

static int
cmp_alert(const void *a_, const void *b_)
{
	const struct alert *a = a_, *b = b_;
	int c;

	if ((c = strcmp(a->account, b->account)) != 0)
		return c;
	if ((c = strcmp(a->alert, b->alert)) != 0)
		return c;
	return strcmp(a->meter, b->meter);
}

static void
write_rows(struct al *a, FILE *out, struct br_alert_stats *stats)
{
	size_t i, max = a->o->max_message ? a->o->max_message : DEFAULT_MAX;
	char m[1024], amt[32];

	fputs("account_id,name,email,phone,sms_opt_in,deliver,alert,meter_id,"
	    "date,message,amount\n", out);
	for (i = 0; i < a->n; i++) {
		const struct alert *t = &a->v[i];
		const char *f[11];

		message(t, m, sizeof(m));
		limit(m, max < sizeof(m) ? max : sizeof(m) - 1);
		amt[0] = '\0';
		if (t->amount != INT64_MIN)
			money(amt, sizeof(amt), t->amount);
		f[0] = t->account; f[1] = t->name; f[2] = t->email;
		f[3] = t->phone; f[4] = t->sms ? "yes" : "no";
		f[5] = t->sms && t->phone[0] ? "sms" : t->email[0] ? "email" :
		    "mail";
		f[6] = t->alert; f[7] = t->meter; f[8] = t->date;
		f[9] = m; f[10] = amt;
		br_csv_row(out, 11, f);
		stats->alerts++;
	}
}

static int
cycle_exists(struct al *a)
{
	sqlite3_stmt *s = br_store_prepare(a->st, "SELECT 1 FROM bill_cycle "
	    "WHERE cycle_id = ?1", a->err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, a->o->cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc == SQLITE_DONE)
		return br_error_set(a->err, BR_EUSAGE, NULL, 0,
		    "unknown cycle '%s'", a->o->cycle_id);
	return br_store_fail(a->st, "read cycles", a->err);
}

int
br_alerts_write(struct br_store *st, const struct br_alert_opts *o,
    FILE *out, struct br_alert_stats *stats, struct br_error *err)
{
	struct br_alert_stats dummy;
	struct al a;
	int rc = -1;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	if (o->cycle_id == NULL)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "alerts need a cycle");
	memset(&a, 0, sizeof(a));
	a.st = st;
	a.o = o;
	a.err = err;
	if (cycle_exists(&a) != 0 || read_exceptions(&a, stats) != 0 ||
	    read_past_due(&a) != 0 || amounts(&a) != 0)
		goto out;
	if (a.n > 1)
		qsort(a.v, a.n, sizeof(*a.v), cmp_alert);
	write_rows(&a, out, stats);
	if (ferror(out)) {
		br_error_set(err, BR_EIO, NULL, 0, "write failed");
		goto out;
	}
	rc = 0;
out:
	free(a.v);
	return rc;
}
