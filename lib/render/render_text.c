/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render_text.c: the plain-text bill, 78 columns, from a loaded
 * struct br_bill_doc (for terminals, tests and the demo goldens).
 */
#include "render/render.h"

#include <string.h>

#include "core/money.h"
#include "core/text.h"
#include "core/banned.h"

static void
rule(FILE *f, int c)
{
	int i;

	for (i = 0; i < BR_RENDER_WIDTH; i++)
		fputc(c, f);
	fputc('\n', f);
}

/* "  label ......... amount" with the amount ending in column 78. */
static void
amount_line(FILE *f, const char *label, int64_t cents)
{
	char buf[32];

	fprintf(f, "  %-60s%16s\n", label,
	    br_cents_format(cents, buf, sizeof(buf)));
}

static const char *
milli(int64_t v, char *buf, size_t n)
{
	return br_decimal_format(v, 3, 3, buf, n);
}

/*
 * The register reads under a meter line:
 *       Previous read  2026-09-30       1234.500
 *       Current read   2026-10-31       1734.500 estimated
 *       Read usage     500.000 x 40 = 20000.000 kWh
 */
static void
print_reads(const struct br_bill_meterrow *m, FILE *f)
{
	char a[32], b[32], x[32];

	fprintf(f, "      Previous read  %s %14s%s\n", m->prev_date,
	    milli(m->prev_dial_milli, a, sizeof(a)),
	    m->prev_estimated ? " estimated" : "");
	fprintf(f, "      Current read   %s %14s%s\n", m->cur_date,
	    milli(m->cur_dial_milli, a, sizeof(a)),
	    m->cur_estimated ? " estimated" : "");
	if (m->multiplier_milli != 1000)
		fprintf(f, "      Read usage     %s x %s = %s %s\n",
		    milli(m->cur_dial_milli - m->prev_dial_milli, a,
		    sizeof(a)), br_decimal_format(m->multiplier_milli, 3, 0,
		    x, sizeof(x)), milli(m->read_usage_milli, b, sizeof(b)),
		    m->unit);
	else
		fprintf(f, "      Read usage     %s %s\n",
		    milli(m->read_usage_milli, b, sizeof(b)), m->unit);
}

static void
print_meters(const struct br_bill_doc *d, const char *group, FILE *f)
{
	char q[32], e[32], x[32], line[200];
	size_t i, n;

	for (i = 0; i < d->nmeters; i++) {
		const struct br_bill_meterrow *m = &d->meters[i];

		if (strcmp(m->group, group) != 0)
			continue;
		snprintf(line, sizeof(line), "    Meter %-14s %-9s %14s %-6s",
		    m->meter_id, m->channel == BR_CHANNEL_RECEIVED ?
		    "received" : "delivered",
		    milli(m->usage_milli, q, sizeof(q)), m->unit);
		n = strlen(line);
		if (m->multiplier_milli != 1000)
			snprintf(line + n, sizeof(line) - n, " multiplier %s",
			    br_decimal_format(m->multiplier_milli, 3, 0, x,
			    sizeof(x)));
		if (m->estimated_milli > 0) {
			fprintf(f, "%s estimated %s\n", line,
			    milli(m->estimated_milli, e, sizeof(e)));
		} else {
			/* Drop the trailing blanks of the unit column. */
			n = strlen(line);
			while (n > 0 && line[n - 1] == ' ')
				line[--n] = '\0';
			fprintf(f, "%s\n", line);
		}
		if (m->has_reads)
			print_reads(m, f);
		if (br_bill_therm_line(d, m, line, sizeof(line)))
			fprintf(f, "      Billed: %s\n", line);
	}
}

/* s as lines of at most BR_RENDER_WIDTH columns, indented 2, broken
 * at spaces. */
static void
wrap(FILE *f, const char *s)
{
	size_t len = strlen(s), w = BR_RENDER_WIDTH - 2, k;

	while (len > w) {
		for (k = w; k > 0 && s[k] != ' '; k--)
			;
		if (k == 0)
			k = w;
		fprintf(f, "  %.*s\n", (int)k, s);
		s += k;
		len -= k;
		while (*s == ' ') {
			s++;
			len--;
		}
	}
	if (len > 0)
		fprintf(f, "  %s\n", s);
}

/*
 * Net billing per TOU period of service point sp_id (no bank):
 *   TOU period                 Delivered      Received           Net
 *     on_peak                     70.000        20.000        50.000 kWh
 */
static void
print_tou_exports(const struct br_bill_doc *d, const char *sp_id, FILE *f)
{
	char a[32], b[32], c[32];
	size_t i;
	int head = 0;

	for (i = 0; i < d->ntou; i++) {
		const struct br_bill_tou *t = &d->tou[i];

		if (strcmp(t->sp_id, sp_id) != 0 || t->bank)
			continue;
		if (!head++)
			fprintf(f, "  %-22s %13s %13s %13s\n", "TOU period",
			    "Delivered", "Received", "Net");
		fprintf(f, "    %-20.20s %13s %13s %13s %s\n", t->period,
		    milli(t->delivered_milli, a, sizeof(a)),
		    milli(t->received_milli, b, sizeof(b)),
		    milli(t->delivered_milli - t->received_milli, c,
		    sizeof(c)), t->unit);
	}
}

/* One row of the net-metering table: label, then six amounts. */
static void
bank_row(FILE *f, const char *label, const int64_t v[6])
{
	char b[32];
	int i;

	fprintf(f, "    %-14.14s", label);
	for (i = 0; i < 6; i++)
		fprintf(f, " %9s", milli(v[i], b, sizeof(b)));
	fputc('\n', f);
}

/*
 * Net metering per TOU period of service point sp_id: the netting and
 * the credit bank as rate-apply applied them, the Billed column being
 * the quantities of the energy lines (a total row when there are
 * several periods):
 *   TOU period (kWh)  Delivered  Received       Net   To bank From bank    Billed
 *     on_peak           135.817     0.000   135.817     0.000    88.815    47.002
 */
static void
print_tou_bank(const struct br_bill_doc *d, const char *sp_id, FILE *f)
{
	int64_t v[6], tot[6] = { 0 };
	char head[32];
	size_t i;
	int j, n = 0;

	for (i = 0; i < d->ntou; i++) {
		const struct br_bill_tou *t = &d->tou[i];

		if (strcmp(t->sp_id, sp_id) != 0 || !t->bank)
			continue;
		if (!n++) {
			snprintf(head, sizeof(head), "TOU period (%s)",
			    t->unit);
			fprintf(f, "  %-16.16s %9s %9s %9s %9s %9s %9s\n",
			    head, "Delivered", "Received", "Net", "To bank",
			    "From bank", "Billed");
		}
		br_bill_tou_columns(t, v);
		for (j = 0; j < 6; j++)
			tot[j] += v[j];
		bank_row(f, t->period, v);
	}
	if (n > 1)
		bank_row(f, "Total", tot);
	if (n > 0)
		wrap(f, "Billed = net + to bank - from bank: a period's surplus "
		    "goes to your credit bank, and banked credit pays for "
		    "the periods' net use in the order listed. The Billed "
		    "kWh are the energy charged below.");
}

/*
 * The usage history, a table per service unit, oldest first:
 *   USAGE HISTORY: ELECTRIC (kWh)
 *     Period                    Days     Delivered      Received
 *     2026-10-01 to 2026-10-31    31       387.903       217.535
 *     This period: average 12.513 kWh/day; same period last year ...
 * (the Received column only for a series with received usage).
 */
static void
print_history(const struct br_bill_doc *d, FILE *f)
{
	char a[32], b[32], lbl[32];
	int k, i, ly;

	for (k = 0; k < d->nhist; k++) {
		const struct br_bill_series *h = &d->hist[k];
		const struct br_bill_bar *c;

		if (h->n == 0)
			continue;
		br_bill_series_label(h, lbl, sizeof(lbl));
		for (i = 0; lbl[i]; i++)
			if (lbl[i] >= 'a' && lbl[i] <= 'z')
				lbl[i] = (char)(lbl[i] - 'a' + 'A');
		fprintf(f, "USAGE HISTORY: %s (%s)\n", lbl, h->unit);
		if (h->received)
			fprintf(f, "  %-24s %5s %13s %13s\n", "Period", "Days",
			    "Delivered", "Received");
		else
			fprintf(f, "  %-24s %5s %13s\n", "Period", "Days",
			    "Delivered");
		for (i = 0; i < h->n; i++) {
			const struct br_bill_bar *r = &h->bar[i];

			fprintf(f, "  %s to %s %5d %13s", r->period_start,
			    r->period_end, r->days, milli(r->usage_milli, a,
			    sizeof(a)));
			if (h->received)
				fprintf(f, " %13s", milli(r->received_milli, b,
				    sizeof(b)));
			fputc('\n', f);
		}
		c = &h->bar[h->n - 1];
		fprintf(f, "  This period: average %s %s/day",
		    milli(c->days > 0 ? c->usage_milli / c->days : 0, a,
		    sizeof(a)), h->unit);
		if ((ly = br_bill_series_last_year(h)) >= 0)
			fprintf(f, "; same period last year %s %s",
			    milli(h->bar[ly].usage_milli, b, sizeof(b)),
			    h->unit);
		fputs("\n\n", f);
	}
}

static void
print_service(const struct br_bill_doc *d, FILE *f)
{
	size_t i, j, k, nother = 0;
	char nl[300];

	for (i = 0; i < d->nsvc; i = j) {
		const struct br_bill_service *sv = &d->svc[i];

		fprintf(f, "SERVICE POINT %s (%s)\n", sv->sp_id, sv->kind);
		if (sv->address[0] != '\0')
			br_text_line(f, "  Service address: ", sv->address);
		for (j = i; j < d->nsvc && strcmp(d->svc[j].sp_id, sv->sp_id) == 0;
		    j++) {
			if (strcmp(d->svc[j].start_date, d->period_start) > 0)
				fprintf(f, "  Rate: %s from %s\n",
				    d->svc[j].rate_code, d->svc[j].start_date);
			else
				fprintf(f, "  Rate: %s\n", d->svc[j].rate_code);
		}
		for (k = 0; br_bill_nem_line(d, sv->sp_id, (int)k, nl,
		    sizeof(nl)); k++)
			wrap(f, nl);
		print_tou_bank(d, sv->sp_id, f);
		print_tou_exports(d, sv->sp_id, f);
		print_meters(d, sv->sp_id, f);
		fputc('\n', f);
	}
	for (i = 0; i < d->nmeters; i++)
		if (d->meters[i].group[0] == '\0')
			nother++;
	if (nother > 0) {
		fprintf(f, "OTHER METERS\n");
		print_meters(d, "", f);
		fputc('\n', f);
	}
}

static void
print_charges(const struct br_bill_doc *d, FILE *f)
{
	char prev_sp[64] = "", q[32], r[32], a[32];
	size_t i;
	int rw;

	fprintf(f, "CURRENT CHARGES\n");
	fprintf(f, "  %-30s %12s %-6s %11s %13s\n", "Description", "Quantity",
	    "Unit", "Rate", "Amount");
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		if (d->nsp_items > 1 && it->sp_id[0] != '\0' &&
		    strcmp(it->sp_id, prev_sp) != 0) {
			fprintf(f, "  Service point %s\n", it->sp_id);
			snprintf(prev_sp, sizeof(prev_sp), "%s", it->sp_id);
		}
		if (strlen(it->description) > 30)
			fprintf(f, "  %s\n  %-30s", it->description, "");
		else
			fprintf(f, "  %-30s", it->description);
		/* the exact rate (6 to 9 decimals); a rate wider than its
		 * column takes the room from the amount's, so the line
		 * keeps its width */
		rw = 0;
		if (it->quantity_milli != 0 || it->rate_micro != 0) {
			br_rate_format_nano(it->rate_nano, r, sizeof(r));
			rw = (int)strlen(r) > 11 ? (int)strlen(r) - 11 : 0;
			fprintf(f, " %12s %-6s %11s",
			    br_decimal_format(it->quantity_milli, 3, 3, q,
			    sizeof(q)), it->unit, r);
		} else
			fprintf(f, " %12s %-6s %11s", "", "", "");
		fprintf(f, " %*s\n", 13 - rw, br_cents_format(it->amount_cents,
		    a, sizeof(a)));
	}
	fprintf(f, "  %76s\n", "------------");
	amount_line(f, "Total current charges", d->total_cents);
	fputc('\n', f);
}

void
br_render_text(const struct br_bill_doc *d, FILE *f)
{
	const struct br_ledger_statement *ls = &d->ls;
	char amt[32], a2[32], a3[32], label[64];
	int k;

	rule(f, '=');
	br_text_line(f, "", d->uname);	/* control bytes escaped */
	if (d->uaddr[0] != '\0')
		br_text_line(f, "", d->uaddr);
	if (d->uphone[0] != '\0')
		br_text_line(f, "Phone: ", d->uphone);
	rule(f, '=');
	br_text_line(f, "", d->name);
	if (d->mailing[0] != '\0')
		br_text_line(f, "", d->mailing);
	fputc('\n', f);
	fprintf(f, "Account number:  %s\n", d->account_id);
	fprintf(f, "Bill number:     %s\n", d->bill_id);
	if (d->replaces[0] != '\0')
		fprintf(f, "Corrects bill:   %s (cancelled)\n", d->replaces);
	fprintf(f, "Billing period:  %s to %s (%d days)\n", d->period_start,
	    d->period_end, d->days);
	fprintf(f, "Bill date:       %s\n", d->bill_date);
	fprintf(f, "Due date:        %s\n", d->due_date);
	fputc('\n', f);
	rule(f, '-');
	fprintf(f, "ACCOUNT SUMMARY\n");
	amount_line(f, "Previous balance", ls->previous_cents);
	if (d->past_due_cents > 0) {
		snprintf(label, sizeof(label), "  Past due since %s",
		    d->past_due_since);
		amount_line(f, label, d->past_due_cents);
	}
	amount_line(f, ls->previous_bill_date[0] ? "Payments since last bill" :
	    "Payments", ls->payments_cents);
	if (ls->adjustments_cents != 0)
		amount_line(f, "Adjustments", ls->adjustments_cents);
	amount_line(f, "Current charges", d->total_cents);
	fprintf(f, "  %76s\n", "------------");
	snprintf(label, sizeof(label), "AMOUNT DUE BY %s", d->due_date);
	amount_line(f, label, d->due_cents);
	rule(f, '-');
	fputc('\n', f);
	print_history(d, f);
	print_service(d, f);
	print_charges(d, f);
	if (d->estimated || d->due_cents < 0 || d->replaces[0] != '\0' ||
	    d->past_due_cents > 0 || d->nnotes > 0) {
		fprintf(f, "MESSAGES\n");
		if (d->replaces[0] != '\0')
			fprintf(f, "  This corrected bill replaces bill %s, "
			    "which is cancelled.\n  Cancelled charges %s, "
			    "corrected charges %s, difference %s.\n",
			    d->replaces, br_cents_format(d->replaced_cents,
			    amt, sizeof(amt)), br_cents_format(d->total_cents,
			    a2, sizeof(a2)), br_cents_format(d->total_cents -
			    d->replaced_cents, a3, sizeof(a3)));
		if (d->past_due_cents > 0)
			fprintf(f, "  PAST DUE: %s of your previous balance was "
			    "due on %s and is unpaid.\n  Please pay it now.\n",
			    br_cents_format(d->past_due_cents, amt,
			    sizeof(amt)), d->past_due_since);
		if (d->estimated)
			fprintf(f, "  This bill includes estimated usage.\n");
		for (k = 0; k < d->nnotes; k++)
			wrap(f, d->notes[k]);
		if (d->due_cents < 0)
			fprintf(f, "  Your account has a credit of %s. "
			    "No payment is due.\n",
			    br_cents_format(-d->due_cents, amt, sizeof(amt)));
		fputc('\n', f);
	}
	rule(f, '=');
}
