/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: bill-render's run.  Renders one bill as text (br_render_bill)
 * or drives a render run over a cycle: text and PDF bills per account
 * written as <bill_id>.<ext>.tmp and renamed on success, the print-vendor
 * data file and the bill register.  Issuing a draft posts its total to
 * the ledger (kind bill, ref bill_id) and is idempotent; issuing a
 * corrected bill also reverses the cancelled bill it replaces (kind
 * reversal).  The bill documents come from bill.c.
 */
#include "render/render.h"
#include "render/messages.h"
#include "render/render_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic.h"
#include "io/csvio.h"
#include "core/money.h"
#include "render/pdffont.h"
#include "core/progress.h"
#include "core/banned.h"

int
br_render_bill(struct br_store *st, const char *bill_id, FILE *f,
    struct br_ledger_statement *ls, struct br_error *err)
{
	struct br_bill_doc d;
	int rc;

	rc = br_bill_doc_load(st, bill_id, &d, err);
	if (rc == 0) {
		br_render_text(&d, f);
		if (ls != NULL)
			*ls = d.ls;
	}
	br_bill_doc_free(&d);
	return rc;
}

void
br_render_init(struct br_render *r)
{
	memset(r, 0, sizeof(*r));
}

void
br_render_release(struct br_render *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		unlink(r->tmp[i]);
		free(r->tmp[i]);
	}
	free(r->tmp);
	memset(r, 0, sizeof(*r));
}

int
br_render_finish(struct br_render *r, int ok, struct br_error *err)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < r->n; i++) {
		if (ok && rc == 0)
			rc = br_atomic_publish(r->tmp[i], err);
		unlink(r->tmp[i]);
		free(r->tmp[i]);
	}
	free(r->tmp);
	memset(r, 0, sizeof(*r));
	return rc;
}

/*
 * Write bill d in format fmt to <dir>/<bill_id>.<ext>.tmp, remember it.
 * A PDF sets d->pages.
 */
static int
write_bill(struct br_render *r, const char *dir, struct br_bill_doc *d,
    int fmt, const struct br_pdf_fonts *pf, struct br_pdf_glyphs *miss,
    struct br_error *err)
{
	const char *ext = fmt == BR_RENDER_PDF ? "pdf" : "txt";
	char path[1024];
	struct br_atomic out;
	int rc = 0;

	if (strchr(d->bill_id, '/') != NULL || d->bill_id[0] == '.')
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "bill id '%s' cannot be a file name", d->bill_id);
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		char **nt = realloc(r->tmp, nc * sizeof(*nt));
		if (nt == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		r->tmp = nt;
		r->cap = nc;
	}
	snprintf(path, sizeof(path), "%s/%s.%s", dir, d->bill_id, ext);
	if (br_atomic_open(&out, path, err) != 0)
		return -1;
	if (out.tmp[0] == '\0') {	/* not a regular file: never overwrite */
		br_atomic_abort(&out);
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': not a regular file", path);
	}
	if ((r->tmp[r->n] = strdup(out.tmp)) == NULL) {
		br_atomic_abort(&out);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	r->n++;
	if (fmt == BR_RENDER_PDF)
		rc = br_render_pdf(d, pf, out.f, &d->pages, miss, err);
	else
		br_render_text(d, out.f);
	if (rc != 0) {
		br_atomic_abort(&out);
		return rc;
	}
	return br_atomic_stage(&out, err);
}

/*
 * A corrected bill reverses what the cancelled bill it replaces posted
 * (kind reversal, ref that bill's id, dated on the corrected bill's bill
 * date).  Posted before the corrected bill is rendered, so its account
 * summary shows the reversal under Adjustments.  Idempotent.
 */
static int
reverse_replaced(struct br_store *st, const struct br_bill_doc *b,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int64_t orig;
	int rc;

	if (b->replaces[0] == '\0')
		return 0;
	s = br_bill_prep(st, b->cache, "SELECT amount_cents FROM ledger "
	    "WHERE kind = 'bill' AND ref = ?1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->replaces, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	orig = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	br_bill_unprep(b->cache, s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return br_store_fail(st, "read ledger", err);
	if (rc == SQLITE_DONE)
		return 0;
	return br_ledger_post(st, b->account_id, b->bill_date, "reversal",
	    b->replaces, -orig, NULL, err);
}

static int
issue(struct br_store *st, const struct br_bill_doc *b, int *issued_now,
    struct br_error *err)
{
	sqlite3_stmt *s;
	int posted;

	*issued_now = 0;
	if (strcmp(b->status, "draft") == 0) {
		s = br_bill_prep(st, b->cache, "UPDATE bill SET status = 'issued' "
		    "WHERE bill_id = ?1 AND status = 'draft'", err);
		if (s == NULL)
			return -1;
		sqlite3_bind_text(s, 1, b->bill_id, -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE) {
			br_bill_unprep(b->cache, s);
			return br_store_fail(st, "issue bill", err);
		}
		br_bill_unprep(b->cache, s);
		*issued_now = 1;
	}
	return br_ledger_post(st, b->account_id, b->bill_date, "bill",
	    b->bill_id, b->total_cents, &posted, err);
}

/* Add cp to the bill's list of characters no PDF face printed. */
static void
glyph_add(struct br_pdf_glyphs *m, uint32_t cp)
{
	int k;

	for (k = 0; k < m->n && k < 8; k++)
		if (m->cp[k] == cp)
			return;
	if (m->n < 8)
		m->cp[m->n] = cp;
	m->n++;
}

/* The configured messages of bill b after its exception notes. */
static void
add_messages(const struct br_messages *m, struct br_bill_doc *b)
{
	const char *t[8];
	size_t i, n;

	if (m == NULL)
		return;
	n = br_messages_for(m, b, t, 8);
	for (i = 0; i < n && b->nnotes < 8; i++)
		snprintf(b->notes[b->nnotes++], sizeof(b->notes[0]), "%s",
		    t[i]);
}

/*
 * The bill's pages and its first page in the print stream (each bill
 * starts on an odd page): added to the stream ps when there is one, from
 * the PDF just written, or laid out for the count only.
 */
static int
paginate(struct br_pdf_stream *ps, struct br_bill_doc *b, int formats,
    const struct br_pdf_fonts *pf, int *next_page,
    struct br_pdf_glyphs *miss, struct br_error *err)
{
	struct br_pdf_glyphs sm;
	int k;

	if (ps != NULL) {
		if (br_pdf_stream_add(ps, b, &b->first_page, &b->pages, &sm,
		    err) != 0)
			return -1;
		/* What the stream could not print (no face has it, or a
		 * field the stream's check for non-ASCII text missed). */
		for (k = 0; k < sm.n && k < 8; k++)
			glyph_add(miss, sm.cp[k]);
		*next_page = br_pdf_stream_pages(ps) + 1;
		return 0;
	}
	if (!pf->open)
		return 0;		/* no PDF layout in this run */
	if (!(formats & BR_RENDER_PDF) &&
	    br_render_pdf(b, pf, NULL, &b->pages, miss, err) != 0)
		return -1;
	b->first_page = *next_page;
	*next_page += b->pages + b->pages % 2;
	return 0;
}

/*
 * A bill with characters no embedded face has: exception GLYPH_MISSING
 * (stage render, warn) naming the bill and each character, and the
 * run's count and first message for the tool's warning.
 */
static int
glyph_exception(struct br_store *st, const struct br_bill_doc *b,
    const struct br_pdf_glyphs *m, struct br_render_totals *tot,
    struct br_error *err)
{
	sqlite3_stmt *s;
	char detail[400];
	size_t len;
	int k, rc;

	len = (size_t)snprintf(detail, sizeof(detail), "bill %s: %d "
	    "character%s in no PDF font:", b->bill_id, m->n, m->n == 1 ?
	    "" : "s");
	for (k = 0; k < m->n && k < 8 && len < sizeof(detail); k++) {
		char u8[5] = "";
		uint32_t c = m->cp[k];
		if (c < 0x80)
			u8[0] = (char)c;
		else if (c < 0x800) {
			u8[0] = (char)(0xC0 | c >> 6);
			u8[1] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			u8[0] = (char)(0xE0 | c >> 12);
			u8[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			u8[2] = (char)(0x80 | (c & 0x3F));
		} else {
			u8[0] = (char)(0xF0 | c >> 18);
			u8[1] = (char)(0x80 | ((c >> 12) & 0x3F));
			u8[2] = (char)(0x80 | ((c >> 6) & 0x3F));
			u8[3] = (char)(0x80 | (c & 0x3F));
		}
		len += (size_t)snprintf(detail + len, sizeof(detail) - len,
		    " U+%04X '%s'", (unsigned)c, u8);
	}
	if (tot->glyph_bills++ == 0)
		snprintf(tot->glyph_first, sizeof(tot->glyph_first), "%s",
		    detail);
	s = br_store_prepare(st, "INSERT INTO exception(exc_id, stage, code, "
	    "severity, account_id, meter_id, date, detail, status) "
	    "VALUES(br_exc_id('render', 'GLYPH_MISSING', ?1, '', ?2, ?3), "
	    "'render', 'GLYPH_MISSING', 'warn', ?1, '', ?2, ?3, 'open') "
	    "ON CONFLICT DO NOTHING", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b->bill_date, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, detail, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : br_store_fail(st, "record exception",
	    err);
}

static void
register_row(FILE *reg, const struct br_bill_doc *b, const char *status,
    const struct br_ledger_statement *ls, int64_t due, const char *reason)
{
	char p[32], y[32], a[32], c[32], d[32];
	const char *row[14];

	row[0] = b->bill_id;
	row[1] = b->account_id;
	row[2] = b->name;
	row[3] = b->period_start;
	row[4] = b->period_end;
	row[5] = b->bill_date;
	row[6] = b->due_date;
	row[7] = status;
	row[8] = ls ? br_cents_format(ls->previous_cents, p, sizeof(p)) : "";
	row[9] = ls ? br_cents_format(ls->payments_cents, y, sizeof(y)) : "";
	row[10] = ls ? br_cents_format(ls->adjustments_cents, a, sizeof(a)) :
	    "";
	row[11] = br_cents_format(b->total_cents, c, sizeof(c));
	row[12] = ls ? br_cents_format(due, d, sizeof(d)) : "";
	row[13] = reason;
	br_csv_row(reg, 14, row);
}

/*
 * The hold exception codes of a held bill's account in its period, as
 * rate-apply found them ("NEGATIVE SUM_CHECK"), into buf; "" when none
 * is left open or kept (rate-apply has not run since the release).
 */
static int
hold_reason(struct br_store *st, const struct br_bill_doc *b, char *buf,
    size_t n, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT coalesce(group_concat("
	    "code, ' '), '') FROM (SELECT DISTINCT code FROM exception WHERE "
	    "account_id = ?1 AND severity = 'hold' AND status IN ('open', "
	    "'held') AND date >= ?2 AND date <= ?3 ORDER BY code)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, b->account_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, b->period_start, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, b->period_end, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read hold exceptions", err);
	}
	br_store_column_text(buf, n, s, 0);
	sqlite3_finalize(s);
	return 0;
}

static int
cycle_exists(struct br_store *st, const char *cycle_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT 1 FROM bill_cycle "
	    "WHERE cycle_id = ?1 UNION ALL SELECT 1 FROM bill "
	    "WHERE cycle_id = ?1 LIMIT 1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cycle_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read bill cycles", err);
	return br_error_set(err, BR_EUSAGE, NULL, 0, "unknown cycle '%s'",
	    cycle_id);
}

/* How many bills the run's query gives (for progress; sql is that query). */
static int
count_bills(struct br_store *st, const char *sql, const struct br_render_opts
    *opts, long *total, struct br_error *err)
{
	char q[1024];
	sqlite3_stmt *s;

	snprintf(q, sizeof(q), "SELECT count(*) FROM (%s)", sql);
	if ((s = br_store_prepare(st, q, err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, opts->cycle_id, -1, SQLITE_STATIC);
	if (opts->account_id != NULL)
		sqlite3_bind_text(s, 2, opts->account_id, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		*total = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return 0;
}

int
br_render_run(struct br_render *r, struct br_store *st,
    const struct br_render_opts *opts, FILE *reg,
    struct br_render_totals *tot, struct br_error *err)
{
	static const char *const header[14] = { "bill_id", "account_id",
	    "name", "period_start", "period_end", "bill_date", "due_date",
	    "status", "previous_balance", "payments", "adjustments",
	    "current_charges", "amount_due", "hold_reason" };
	char sql[768];
	char reason[256];
	struct br_print_vendor_totals vt;
	struct br_bill_doc b, util;
	struct br_bill_stmt_cache cache;
	struct br_pdf_fonts fonts;
	struct br_pdf_stream *ps = NULL;
	sqlite3_stmt *s;
	int rc, formats = opts->formats ? opts->formats : BR_RENDER_TEXT;
	int next_page = 1;
	long total = 0;

	memset(tot, 0, sizeof(*tot));
	memset(&util, 0, sizeof(util));
	memset(&cache, 0, sizeof(cache));
	if (cycle_exists(st, opts->cycle_id, err) != 0 ||
	    br_bill_load_utility(st, &util, err) != 0)
		return -1;
	if (mkdir(opts->out_dir, 0777) != 0 && errno != EEXIST)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create directory '%s': %s", opts->out_dir,
		    strerror(errno));
	/* PDF layout: the PDFs, the print stream, the vendor page counts. */
	memset(&fonts, 0, sizeof(fonts));
	if (((formats & BR_RENDER_PDF) || opts->print != NULL ||
	    opts->vendor != NULL) && br_pdf_fonts_open(&fonts, st, err) != 0)
		return -1;
	if (opts->print != NULL && (ps = br_pdf_stream_new(&fonts,
	    opts->cycle_id, err)) == NULL) {
		br_pdf_fonts_close(&fonts);
		return -1;
	}
	snprintf(sql, sizeof(sql), "%s WHERE b.cycle_id = ?1 AND "
	    "(?2 IS NULL OR b.account_id = ?2) AND b.status IN "
	    "('draft', 'hold', 'issued') AND br_in_shard(b.account_id) "
	    "ORDER BY b.bill_id", br_bill_select);
	if ((s = br_store_prepare(st, sql, err)) == NULL) {
		br_pdf_stream_free(ps);
		br_pdf_fonts_close(&fonts);
		return -1;
	}
	sqlite3_bind_text(s, 1, opts->cycle_id, -1, SQLITE_STATIC);
	if (opts->account_id != NULL)
		sqlite3_bind_text(s, 2, opts->account_id, -1, SQLITE_STATIC);
	if (br_progress_hook != NULL && count_bills(st, sql, opts, &total,
	    err) != 0) {
		sqlite3_finalize(s);
		br_pdf_stream_free(ps);
		br_pdf_fonts_close(&fonts);
		return -1;
	}
	br_csv_row(reg, 14, header);
	if (opts->vendor != NULL)
		br_print_vendor_header(opts->vendor, opts->cycle_id, &vt);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_pdf_glyphs miss;
		int now;

		memset(&miss, 0, sizeof(miss));

		memset(&b, 0, sizeof(b));
		b.cache = &cache;
		br_bill_from_stmt(s, &b);
		if (strcmp(b.status, "hold") == 0) {
			if (hold_reason(st, &b, reason, sizeof(reason), err)
			    != 0) {
				sqlite3_finalize(s);
				br_bill_cache_free(&cache);
				br_pdf_stream_free(ps);
				br_pdf_fonts_close(&fonts);
				return -1;
			}
			tot->held++;
			br_progress("bills", tot->rendered + tot->held, total);
			register_row(reg, &b, "hold", NULL, 0, reason);
			if (opts->notice != NULL)
				opts->notice(opts->notice_ctx, b.bill_id,
				    b.total_cents, reason);
			continue;
		}
		if (reverse_replaced(st, &b, err) != 0 ||
		    br_bill_doc_fill(st, &b, &util, err) != 0 ||
		    (add_messages(opts->messages, &b), 0) ||
		    ((formats & BR_RENDER_TEXT) && write_bill(r, opts->out_dir,
		    &b, BR_RENDER_TEXT, &fonts, NULL, err) != 0) ||
		    ((formats & BR_RENDER_PDF) && write_bill(r, opts->out_dir,
		    &b, BR_RENDER_PDF, &fonts, &miss, err) != 0) ||
		    paginate(ps, &b, formats, &fonts, &next_page, &miss,
		    err) != 0 ||
		    (miss.n > 0 && glyph_exception(st, &b, &miss, tot,
		    err) != 0) ||
		    issue(st, &b, &now, err) != 0) {
			br_bill_doc_free(&b);
			sqlite3_finalize(s);
			br_bill_cache_free(&cache);
			br_pdf_stream_free(ps);
			br_pdf_fonts_close(&fonts);
			return -1;
		}
		if (opts->vendor != NULL)
			br_print_vendor_bill(opts->vendor, &b, &vt);
		register_row(reg, &b, "issued", &b.ls, b.due_cents, "");
		tot->rendered++;
		br_progress("bills", tot->rendered + tot->held, total);
		tot->issued_now += now;
		tot->previous_cents += b.ls.previous_cents;
		tot->payments_cents += b.ls.payments_cents;
		tot->adjustments_cents += b.ls.adjustments_cents;
		tot->current_cents += b.total_cents;
		tot->due_cents += b.due_cents;
		br_bill_doc_free(&b);
	}
	sqlite3_finalize(s);
	br_bill_cache_free(&cache);
	if (rc != SQLITE_DONE) {
		br_pdf_stream_free(ps);
		br_pdf_fonts_close(&fonts);
		return br_store_fail(st, "read bills", err);
	}
	rc = ps != NULL ? br_pdf_stream_save(ps, opts->print, err) : 0;
	br_pdf_stream_free(ps);
	br_pdf_fonts_close(&fonts);
	if (rc != 0)
		return -1;
	if (opts->vendor != NULL)
		br_print_vendor_trailer(opts->vendor, &vt);
	return 0;
}

int
br_render_summary(FILE *f, const struct br_render_totals *tot)
{
	static const char *const header[7] = { "bills", "held",
	    "previous_balance", "payments", "adjustments", "current_charges",
	    "amount_due" };
	char n[32], h[32], p[32], y[32], a[32], c[32], d[32];
	const char *row[7];

	snprintf(n, sizeof(n), "%ld", tot->rendered);
	snprintf(h, sizeof(h), "%ld", tot->held);
	row[0] = n;
	row[1] = h;
	row[2] = br_cents_format(tot->previous_cents, p, sizeof(p));
	row[3] = br_cents_format(tot->payments_cents, y, sizeof(y));
	row[4] = br_cents_format(tot->adjustments_cents, a, sizeof(a));
	row[5] = br_cents_format(tot->current_cents, c, sizeof(c));
	row[6] = br_cents_format(tot->due_cents, d, sizeof(d));
	br_csv_row(f, 7, header);
	br_csv_row(f, 7, row);
	return ferror(f) ? -1 : 0;
}
