/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render.h: bill-render.  Turns the draft bills rate-apply left in the
 * store into plain-text and PDF bills (<out_dir>/<bill_id>.txt, .pdf), a
 * print-vendor data file and a bill register CSV, and issues them: status
 * draft -> issued plus a ledger entry (kind bill, ref bill_id); a
 * corrected bill (bill.replaces) also reverses the cancelled one.  Held
 * bills are listed in the register but neither rendered nor issued.  See
 * docs/bill-render.md.
 */
#ifndef BR_RENDER_H
#define BR_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/ledger.h"
#include "store/store.h"

#define BR_RENDER_WIDTH 78	/* columns of a text bill */
#define BR_RENDER_HISTORY 13	/* bars of the usage history */
#define BR_RENDER_SERIES 3	/* services (units) in the usage history */

/* Output formats (bit set); 0 means BR_RENDER_TEXT. */
#define BR_RENDER_TEXT	1	/* <out_dir>/<bill_id>.txt */
#define BR_RENDER_PDF	2	/* <out_dir>/<bill_id>.pdf */

struct br_messages;
struct br_render_opts {
	const char *cycle_id;	/* required: bills of this cycle */
	const char *account_id;	/* NULL: every account of the cycle */
	const char *out_dir;	/* where the bills go; created if missing */
	int formats;		/* BR_RENDER_TEXT | BR_RENDER_PDF; 0: text */
	FILE *vendor;		/* NULL, or the print-vendor data file */
	FILE *print;		/* NULL, or the print stream PDF */
	/* NULL, or called for every bill on hold, which is listed in the
	 * register but not rendered, with its amount and hold codes
	 * (bill-render -v names them). */
	void (*notice)(void *ctx, const char *bill_id, int64_t total_cents,
	    const char *hold_codes);
	void *notice_ctx;
	/* NULL, or configurable messages (messages.h), BORROWED */
	const struct br_messages *messages;
};

/*
 * Everything printed on one bill, loaded from the store by
 * br_bill_doc_load() and shared by the text, PDF and print-vendor
 * renderers (so the three always agree).
 */
struct br_bill_service {	/* one service agreement in the period */
	char sp_id[64];
	char kind[16];
	char address[256];
	char rate_code[64];
	char start_date[11];	/* agreement start */
	char net_metering[64];	/* program, "" when not enrolled */
	char customer_class[32];
};

struct br_bill_meterrow {	/* one bill_meter row */
	char group[64];		/* sp_id it is printed under, "" = other */
	char meter_id[64];
	char kind[16];		/* meter.kind: electric, water, gas */
	int channel;		/* BR_CHANNEL_* */
	char unit[16];
	int64_t usage_milli, estimated_milli;
	int missing_intervals;
	int64_t multiplier_milli;	/* meter.multiplier_milli (1000 = 1) */
	/* Register reads bracketing the period (register_read), when
	 * has_reads: the latest read at or before the period start and the
	 * latest after it at or before the period end. */
	int has_reads;
	char prev_date[11], cur_date[11];	/* local dates of the reads */
	int64_t prev_dial_milli, cur_dial_milli; /* as the dial shows them:
						 * stored / multiplier */
	int prev_estimated, cur_estimated;	/* sent as estimates */
	int64_t read_usage_milli;	/* current - previous, multiplier
					 * applied */
};

struct br_bill_item {		/* one bill_line row */
	char sp_id[64];
	char code[32];
	char description[160];
	int64_t quantity_milli;
	char unit[16];
	int64_t rate_micro;
	int64_t rate_nano;	/* the exact rate: bill_line.rate_nano, or
				 * rate_micro x 1000 where that is NULL */
	int64_t amount_cents;
	char nem_trace[1024];	/* trace of NEM_BANK / NEM_TRUEUP lines */
};

/* Net metering / net billing in one TOU period of a service point. */
struct br_bill_tou {
	char sp_id[64];
	char period[32];	/* the tariff's period name, e.g. on_peak */
	char unit[16];
	int64_t delivered_milli, received_milli;	/* net = the difference */
	/* Net metering (bank set): the surplus (negative net) put in the
	 * kWh credit bank, the banked credit drawn against this period's
	 * positive net, and what is left and billed: billed = net +
	 * banked - credit, summed over the bill's segments, equal to the
	 * period's ENERGY_<P> lines. */
	int bank;
	int64_t banked_milli, credit_milli, billed_milli;
};

/* A bank row's columns in print order: delivered, received, net, to
 * bank, from bank, billed (milli-units). */
void br_bill_tou_columns(const struct br_bill_tou *t, int64_t v[6]);

struct br_bill_bar {		/* one bar of the usage history */
	char bill_id[128];
	char period_start[11], period_end[11];
	int days;
	int64_t usage_milli;	/* delivered */
	int64_t received_milli;	/* received (exported, net metering) */
};

/*
 * The usage history of one service and unit (electric kWh, water gal,
 * gas CCF, water CCF ...): this bill and the account's earlier bills,
 * oldest first, this bill last.
 */
struct br_bill_series {
	char unit[16];
	char kind[16];		/* the meters' kind (electric, water, gas) */
	struct br_bill_bar bar[BR_RENDER_HISTORY];
	int n;
	int received;		/* some bar has received usage */
};

struct br_bill_nem {		/* net-metering bank of a service point */
	char sp_id[64];
	char program[64];
	int64_t bank_milli;	/* carried-over credit in `unit` */
	char unit[16];
};

struct br_bill_doc {
	/* bill */
	char bill_id[128], account_id[64], cycle_id[64];
	char period_start[11], period_end[11], bill_date[11], due_date[11];
	char status[16];
	int64_t total_cents;
	int days;			/* days in the billing period */
	char replaces[128];		/* cancelled bill this one corrects */
	int64_t replaced_cents;		/* total of the replaced bill */
	/* parties */
	char name[256], mailing[512];
	char uname[256], uaddr[512], uphone[64];
	/* account summary (ledger as of bill_date) */
	struct br_ledger_statement ls;
	int64_t past_due_cents;	/* table past_due as of bill_date (0: none) */
	char past_due_since[11];	/* its oldest due date */
	int64_t due_cents;
	/* service, meters, charges */
	struct br_bill_service *svc;
	size_t nsvc;
	struct br_bill_meterrow *meters;
	size_t nmeters;
	struct br_bill_item *items;
	size_t nitems;
	int nsp_items;		/* distinct non-empty sp_id of the lines */
	int estimated;		/* some usage was estimated */
	/* Messages from the period's validation exceptions: a leak (hours
	 * of continuous flow), high usage, why usage was estimated. */
	char notes[8][320];	/* then the configured messages */
	int nnotes;
	struct br_bill_nem *nem;	/* only when the store keeps a bank */
	size_t nnem;
	/* NEM per TOU period (NEM_BANK traces; net billing: ENERGY_<P>
	 * and EXPORT_<P> lines), by service point, in tariff order */
	struct br_bill_tou *tou;
	size_t ntou;
	/* usage history, one series per kind and unit of the bill's
	 * delivered meters (first seen first): never two units, nor two
	 * services in one unit (gas and water CCF), summed */
	struct br_bill_series hist[BR_RENDER_SERIES];
	int nhist;
	/* remittance stub; scanline "" when the account has no digits */
	char scanline[32];
	/* Intelligent Mail barcode (imb.h): settings, then this bill's code;
	 * imb "" when no mailer id is configured or the account id does not
	 * give a serial */
	char imb_mid[16], imb_bid[8], imb_stid[8];
	char imb_tracking[24], imb_routing[16], imb[72];
	/* PDF layout: pages of the bill, its first page in the print stream */
	int pages, first_page;
	void *cache;		/* internal: a run's prepared statements */
};

/*
 * Load bill bill_id.  Returns 0, or -1 with err (BR_EINPUT unknown bill,
 * bad period, lines that do not add up to the total).  Release with
 * br_bill_doc_free() in any case.
 */
int br_bill_doc_load(struct br_store *st, const char *bill_id,
    struct br_bill_doc *d, struct br_error *err);
void br_bill_doc_free(struct br_bill_doc *d);

/*
 * The heat-content line of a gas meter read in volume (CCF, CF, MCF)
 * whose service point is billed in therms: "16.191 CCF x 1.041
 * therm/CCF (heat content) = 16.854 therm" into buf; returns 1,
 * or 0 (buf "") when m is not such a meter.  The factor is therms billed
 * (the service point's ENERGY therm lines, else its largest therm line)
 * over the volume, 3 decimals, the period's average when it changed.
 */
int br_bill_therm_line(const struct br_bill_doc *d,
    const struct br_bill_meterrow *m, char *buf, size_t n);

/*
 * The net-metering summary of service point sp_id, one line per call:
 * k = 0, 1, 2 ... fills buf and returns 1 while there is a line k, then
 * 0.  From the NEM_BANK line: delivered, received (exported) and net
 * use, and the credit bank carried in, added, used and carried forward;
 * from NEM_TRUEUP: the true-up month and the amount settled; from the
 * EXPORT* lines of net billing: the energy exported and its credit.
 * Several NEM_BANK lines (seasons, rate changes) are named by their
 * description's tail (", summer").  A bank the bill has no NEM_BANK
 * line for (bill_sp) is stated once, when not zero: the bank lines
 * already say what is carried forward.
 */
int br_bill_nem_line(const struct br_bill_doc *d, const char *sp_id, int k,
    char *buf, size_t n);

/*
 * The bar of series h for the same period last year: the bar before the
 * last whose period ends in the same month one year earlier; -1 none.
 */
int br_bill_series_last_year(const struct br_bill_series *h);

/* "Electric", "Water", "Gas" (kind capitalised) or "Usage". */
const char *br_bill_series_label(const struct br_bill_series *h,
    char *buf, size_t n);

/* The text bill (render_text.c). */
void br_render_text(const struct br_bill_doc *d, FILE *f);

/*
 * The PDF bill, letter size, fonts embedded from pf (render_pdf.c,
 * pdffont.h).  f NULL: lay out only.  OUT: *pages (may be NULL), the
 * bill's number of pages.  0, or -1 with err.
 */
struct br_pdf_fonts;
/* Characters a PDF could not print (no embedded face has them). */
struct br_pdf_glyphs {
	uint32_t cp[8];		/* the first ones, ascending per bill */
	int n;			/* how many in all */
};
int br_render_pdf(const struct br_bill_doc *d, const struct br_pdf_fonts *pf,
    FILE *f, int *pages, struct br_pdf_glyphs *miss, struct br_error *err);

/*
 * The print stream: the PDF bills of a run concatenated in one PDF (the
 * fonts embedded once), each bill starting on an odd page (a blank page
 * follows a bill with an odd number of pages, for duplex printing).
 * br_pdf_stream_add() gives the bill's first page (1-based) and number of
 * pages (blank page not counted); br_pdf_stream_pages() the pages so far.
 * The document is kept in memory until br_pdf_stream_save().
 */
struct br_pdf_stream;
struct br_pdf_stream *br_pdf_stream_new(const struct br_pdf_fonts *pf,
    const char *cycle_id, struct br_error *err);
int br_pdf_stream_add(struct br_pdf_stream *ps, const struct br_bill_doc *d,
    int *first_page, int *pages, struct br_pdf_glyphs *miss,
    struct br_error *err);
int br_pdf_stream_pages(const struct br_pdf_stream *ps);
int br_pdf_stream_save(struct br_pdf_stream *ps, FILE *f,
    struct br_error *err);
void br_pdf_stream_free(struct br_pdf_stream *ps);

/*
 * The print-vendor data file (print_vendor.c), see docs/bill-render.md.
 * One header, a record set per bill, one trailer with the control
 * totals.
 */
struct br_print_vendor_totals {
	long bills, records, pages;
	int64_t due_cents, current_cents;
};
void br_print_vendor_header(FILE *f, const char *cycle_id,
    struct br_print_vendor_totals *vt);
void br_print_vendor_bill(FILE *f, const struct br_bill_doc *d,
    struct br_print_vendor_totals *vt);
void br_print_vendor_trailer(FILE *f, struct br_print_vendor_totals *vt);

struct br_render_totals {
	long rendered;		/* bills written (draft or issued) */
	long held;		/* bills in hold, listed only */
	long issued_now;	/* drafts issued by this run */
	int64_t previous_cents, payments_cents, adjustments_cents;
	int64_t current_cents, due_cents;	/* over rendered bills */
	long glyph_bills;	/* bills with characters no PDF font has
				 * (exception GLYPH_MISSING each) */
	char glyph_first[400];	/* the first one's detail */
};

/*
 * A render run.  The text bills are written to "<file>.tmp" and only
 * renamed into place by br_render_finish(ok = 1), so the tool can
 * commit the store and the files together.
 */
struct br_render {
	char **tmp;		/* OWNED: temporary paths written so far */
	size_t n, cap;
};

void br_render_init(struct br_render *r);
/* Remove any temporaries left and free memory. */
void br_render_release(struct br_render *r);

/*
 * Render every bill of opts->cycle_id (and opts->account_id) in bill_id
 * order in opts->formats, write the vendor records to opts->vendor (if
 * not NULL), issue the drafts, and write the register CSV to reg: header
 * bill_id,account_id,name,period_start,period_end,bill_date,due_date,
 * status,previous_balance,payments,adjustments,current_charges,amount_due
 * then one row per bill (no total row: br_render_summary writes the
 * totals).  Must run inside a store
 * transaction.  OUT: *tot.  Returns 0, or -1 with err (BR_EUSAGE unknown
 * cycle, BR_EINPUT inconsistent bill, BR_ECANTCREATE/BR_EIO files).
 */
int br_render_run(struct br_render *r, struct br_store *st,
    const struct br_render_opts *opts, FILE *reg,
    struct br_render_totals *tot, struct br_error *err);

/*
 * The register's totals as a CSV of its own: header
 * bills,held,previous_balance,payments,adjustments,current_charges,
 * amount_due and one row (bills: rendered, held: on hold; the amounts
 * summed over the rendered bills, the register's "issued" rows).
 * Returns 0, or -1 when f has a write error.
 */
int br_render_summary(FILE *f, const struct br_render_totals *tot);

/*
 * ok = 1: rename every temporary into place; ok = 0: remove them.
 * Returns 0, or -1 with err (BR_ECANTCREATE) when a rename failed.
 */
int br_render_finish(struct br_render *r, int ok, struct br_error *err);

/*
 * Write the text of bill bill_id to f (status does not matter; nothing is
 * posted).  OUT: *ls (may be NULL) gets the account summary used.
 * Returns 0, or -1 with err (BR_EINPUT unknown bill or lines that do not
 * add up to the total).
 */
int br_render_bill(struct br_store *st, const char *bill_id, FILE *f,
    struct br_ledger_statement *ls, struct br_error *err);

#endif
