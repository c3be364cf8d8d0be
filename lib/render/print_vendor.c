/* SPDX-License-Identifier: Apache-2.0 */
/*
 * print_vendor.c: the print-vendor data file.  Pipe-delimited records,
 * one record set per bill (B ... E) between a header (H) and a trailer
 * (T) carrying the control totals; the layout is in docs/bill-render.md.
 */
#include "render/render.h"

#include <string.h>

#include "core/money.h"
#include "core/text.h"
#include "core/banned.h"

#define VENDOR_FORMAT "BILLRUN-PRINT"
#define VENDOR_VERSION "4"
#define VENDOR_CHARSET "UTF-8"

/*
 * One field, UTF-8 (the H record says so): '|' and control bytes (CR
 * and LF would break the record) become ' '; a byte that is not
 * well-formed UTF-8 (a store filled before the registry checked it)
 * becomes U+FFFD, never a silent '?'.
 */
static void
field(FILE *f, const char *s)
{
	size_t len = strlen(s), ok, i;

	fputc('|', f);
	while (len > 0) {
		ok = br_utf8_check(s, len);
		for (i = 0; i < ok; i++) {
			unsigned char c = (unsigned char)s[i];
			fputc(c == '|' || c < 0x20 || c == 0x7F ? ' ' : c, f);
		}
		if (ok == len)
			break;
		fputs("\xEF\xBF\xBD", f);
		s += ok + 1;
		len -= ok + 1;
	}
}

static void
field_cents(FILE *f, int64_t v)
{
	char b[32];

	field(f, br_cents_format(v, b, sizeof(b)));
}

static void
field_dec(FILE *f, int64_t v, int scale)
{
	char b[48];

	field(f, br_decimal_format(v, scale, scale, b, sizeof(b)));
}

static void
field_int(FILE *f, long v)
{
	char b[32];

	snprintf(b, sizeof(b), "%ld", v);
	field(f, b);
}

static void
end(FILE *f, long *n)
{
	fputc('\n', f);
	(*n)++;
}

void
br_print_vendor_header(FILE *f, const char *cycle_id,
    struct br_print_vendor_totals *vt)
{
	memset(vt, 0, sizeof(*vt));
	fputc('H', f);
	field(f, VENDOR_FORMAT);
	field(f, VENDOR_VERSION);
	field(f, cycle_id);
	field(f, VENDOR_CHARSET);
	end(f, &vt->records);
}

void
br_print_vendor_bill(FILE *f, const struct br_bill_doc *d,
    struct br_print_vendor_totals *vt)
{
	long n = 0;
	size_t i;
	int j, k;
	char b[64];

	fputc('B', f);
	field(f, d->bill_id);
	field(f, d->account_id);
	field(f, d->name);
	field(f, d->mailing);
	field(f, d->bill_date);
	field(f, d->due_date);
	field(f, d->period_start);
	field(f, d->period_end);
	field_int(f, d->days);
	field(f, d->replaces);
	end(f, &n);

	fputc('S', f);
	field_cents(f, d->ls.previous_cents);
	field_cents(f, d->ls.payments_cents);
	field_cents(f, d->ls.adjustments_cents);
	field_cents(f, d->total_cents);
	field_cents(f, d->due_cents);
	end(f, &n);

	for (i = 0; i < d->nsvc; i++) {
		fputc('P', f);
		field(f, d->svc[i].sp_id);
		field(f, d->svc[i].kind);
		field(f, d->svc[i].address);
		field(f, d->svc[i].rate_code);
		field(f, d->svc[i].start_date);
		field(f, d->svc[i].net_metering);
		end(f, &n);
	}
	for (i = 0; i < d->nnem; i++) {
		fputc('N', f);
		field(f, d->nem[i].sp_id);
		field(f, d->nem[i].program);
		field_dec(f, d->nem[i].bank_milli, 3);
		field(f, d->nem[i].unit);
		end(f, &n);
	}
	for (i = 0; i < d->nmeters; i++) {
		const struct br_bill_meterrow *m = &d->meters[i];

		fputc('M', f);
		field(f, m->group);
		field(f, m->meter_id);
		field(f, m->channel == BR_CHANNEL_RECEIVED ? "received" :
		    "delivered");
		field(f, m->unit);
		field(f, br_decimal_format(m->multiplier_milli, 3, 0, b,
		    sizeof(b)));
		field_dec(f, m->usage_milli, 3);
		field_dec(f, m->estimated_milli, 3);
		end(f, &n);
		if (m->has_reads) {
			/* Register reads of the meter row just written. */
			fputc('D', f);
			field(f, m->meter_id);
			field(f, m->channel == BR_CHANNEL_RECEIVED ?
			    "received" : "delivered");
			field(f, m->prev_date);
			field_dec(f, m->prev_dial_milli, 3);
			field(f, m->prev_estimated ? "E" : "A");
			field(f, m->cur_date);
			field_dec(f, m->cur_dial_milli, 3);
			field(f, m->cur_estimated ? "E" : "A");
			field_dec(f, m->read_usage_milli, 3);
			field(f, m->unit);
			end(f, &n);
		}
	}
	for (i = 0; i < d->nitems; i++) {
		const struct br_bill_item *it = &d->items[i];

		fputc('L', f);
		field_int(f, (long)i + 1);
		field(f, it->sp_id);
		field(f, it->code);
		field(f, it->description);
		field_dec(f, it->quantity_milli, 3);
		field(f, it->unit);
		field(f, br_rate_format_nano(it->rate_nano, b, sizeof(b)));
		field_cents(f, it->amount_cents);
		end(f, &n);
	}
	for (k = 0; k < d->nhist; k++) {
		const struct br_bill_series *h = &d->hist[k];

		for (j = 0; j < h->n; j++) {
			fputc('U', f);
			field(f, h->bar[j].period_start);
			field(f, h->bar[j].period_end);
			field_int(f, h->bar[j].days);
			field_dec(f, h->bar[j].usage_milli, 3);
			field(f, h->unit);
			field_dec(f, h->bar[j].received_milli, 3);
			field(f, h->kind);
			end(f, &n);
		}
	}
	if (d->replaces[0] != '\0') {
		fputc('G', f);
		field(f, "CORRECTED");
		field(f, d->replaces);
		field_cents(f, d->replaced_cents);
		field_cents(f, d->total_cents - d->replaced_cents);
		end(f, &n);
	}
	if (d->estimated) {
		fputc('G', f);
		field(f, "ESTIMATED");
		end(f, &n);
	}
	if (d->due_cents < 0) {
		fputc('G', f);
		field(f, "CREDIT");
		field_cents(f, -d->due_cents);
		end(f, &n);
	}

	fputc('R', f);
	field(f, d->account_id);
	field(f, d->name);
	field_cents(f, d->due_cents > 0 ? d->due_cents : 0);
	field(f, d->due_date);
	field(f, d->scanline);
	end(f, &n);

	if (d->imb[0] != '\0') {
		fputc('I', f);
		field(f, d->imb_tracking);
		field(f, d->imb_routing);
		field(f, d->imb);
		end(f, &n);
	}

	fputc('E', f);
	field(f, d->bill_id);
	field_int(f, n + 1);
	field_int(f, d->pages);
	field_int(f, d->first_page);
	end(f, &n);

	vt->bills++;
	vt->pages += d->pages + d->pages % 2;
	vt->records += n;
	vt->due_cents += d->due_cents;
	vt->current_cents += d->total_cents;
}

void
br_print_vendor_trailer(FILE *f, struct br_print_vendor_totals *vt)
{
	vt->records++;
	fputc('T', f);
	field_int(f, vt->bills);
	field_int(f, vt->records);
	field_cents(f, vt->current_cents);
	field_cents(f, vt->due_cents);
	field_int(f, vt->pages);
	fputc('\n', f);
}
