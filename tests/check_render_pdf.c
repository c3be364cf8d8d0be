/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_render_pdf.c: bill-render's PDF bill (byte-identical renders, text
 * extracted with pdftotext: account, amount due, scan line that verifies),
 * the print-vendor file's control totals, the 13-month usage history,
 * net-metering credit balance, and cancel/rebill (reversal posted once,
 * the corrected bill shows the cancellation and the difference).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "render/imb.h"
#include "store/ledger.h"
#include "render/pdffont.h"
#include "render/render.h"
#include "core/scanline.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

/* bill_line's columns before rate_nano (migration 12): NULL there */
#define LINE_COLS "(bill_id, seq, sp_id, code, description, " \
    "quantity_milli, unit, rate_micro, amount_cents, trace) "

static char dir[256];
static struct br_store *st;
static FILE *print_f;	/* print stream for run(), NULL: none */

static const char fixture[] =
    "INSERT INTO setting VALUES('name','Prairie Valley Utilities'),"
    "('address','1 Main St, Prairie Valley, IL 61000'),"
    "('phone','555-0100'),('timezone','America/Chicago');"
    "INSERT INTO account VALUES('A1','Bob Hughes',"
    "'107 Maple Ave, Prairie Valley, IL 61000','active','R1');"
    "INSERT INTO service_point VALUES('SP1','electric','107 Maple Ave');"
    "INSERT INTO meter VALUES('E1','electric','kWh',40000);"
    "INSERT INTO meter_install VALUES('E1','SP1','2019-05-01',NULL);"
    "INSERT INTO service_agreement VALUES('A1','SP1','2019-05-01',NULL,"
    "'RES-FLAT','residential','');"
    "INSERT INTO bill_cycle VALUES('2026-10','2026-10-01','2026-10-31',"
    "'2026-11-03','2026-11-24');"
    "INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
    "period_end,bill_date,due_date,status,total_cents) VALUES"
    "('2026-10-A1','A1','2026-10','2026-10-01','2026-10-31','2026-11-03',"
    "'2026-11-24','draft',6234);"
    "INSERT INTO bill_line" LINE_COLS "VALUES"
    "('2026-10-A1',1,'SP1','CUST','Customer charge',1000,'month',"
    "12000000,1200,''),"
    "('2026-10-A1',2,'SP1','ENERGY','Energy',412345,'kWh',122000,5031,''),"
    "('2026-10-A1',3,'SP1','TAX','Municipal tax 0.5%',0,'',0,3,'');"
    "INSERT INTO bill_meter VALUES('2026-10-A1','E1',1,'kWh',412345,"
    "2500,0);"
    "INSERT INTO ledger(account_id,date,kind,ref,amount_cents) VALUES"
    "('A1','2026-10-03','bill','2026-09-A1',5000),"
    "('A1','2026-10-20','payment','P1',-4000);";

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/check_render_pdf.XXXXXX");
	st = fx_store(dir, "billing.db", fixture);
}

static void
teardown(void)
{
	br_store_close(st);
	fx_rmrf(dir);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (len != NULL)
		*len = (size_t)n;
	return buf;
}

#define scalar(sql) fx_scalar(st, (sql), 0)

/* 1 when the n bytes at a contain string s. */
static int
has(const char *a, size_t n, const char *s, size_t sn)
{
	size_t i;

	for (i = 0; i + sn <= n; i++)
		if (memcmp(a + i, s, sn) == 0)
			return 1;
	return 0;
}

/* Render bill_id as PDF into memory. */
static char *
pdf_of(const char *bill_id, size_t *len)
{
	struct br_bill_doc d;
	struct br_error err;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct br_pdf_fonts pf;

	ck_assert_int_eq(br_pdf_fonts_open(&pf, st, &err), 0);
	ck_assert_int_eq(br_bill_doc_load(st, bill_id, &d, &err), 0);
	ck_assert_int_eq(br_render_pdf(&d, &pf, f, NULL, NULL, &err), 0);
	br_bill_doc_free(&d);
	br_pdf_fonts_close(&pf);
	fclose(f);
	return buf;
}

/* The text pdftotext -layout extracts from the PDF of bill_id. */
static char *
pdf_text(const char *bill_id)
{
	char path[300], cmd[700], *pdf, *text;
	size_t len;

	pdf = pdf_of(bill_id, &len);
	snprintf(path, sizeof(path), "%s/%s.pdf", dir, bill_id);
	fx_write_bytes(path, pdf, len);
	free(pdf);
	snprintf(cmd, sizeof(cmd), "pdftotext -layout '%s' '%s/out.txt'",
	    path, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	text = slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	return text;
}

/* One render run (formats fmt, vendor file into *vendor if not NULL). */
static int
run(int fmt, char **reg, char **vendor, struct br_render_totals *tot,
    struct br_error *err)
{
	struct br_render_opts opts = { "2026-10", NULL, NULL, 0, NULL, NULL,
	    NULL, NULL, NULL };
	struct br_render r;
	char out[300];
	size_t len, vlen;
	FILE *f, *vf = NULL;
	int rc;

	snprintf(out, sizeof(out), "%s/bills", dir);
	opts.out_dir = out;
	opts.formats = fmt;
	opts.print = print_f;
	br_render_init(&r);
	f = open_memstream(reg, &len);
	if (vendor != NULL)
		opts.vendor = vf = open_memstream(vendor, &vlen);
	ck_assert_int_eq(br_store_begin(st, err), 0);
	rc = br_render_run(&r, st, &opts, f, tot, err);
	fclose(f);
	if (vf != NULL)
		fclose(vf);
	if (rc == 0)
		rc = br_render_finish(&r, 1, err);
	if (rc == 0)
		ck_assert_int_eq(br_store_commit(st, err), 0);
	else
		br_store_rollback(st);
	br_render_release(&r);
	return rc;
}

START_TEST(test_pdf_deterministic)
{
	size_t n1, n2;
	char *a = pdf_of("2026-10-A1", &n1);
	char *b;

	sleep(1);	/* a clock in the PDF would now differ */
	b = pdf_of("2026-10-A1", &n2);
	ck_assert_uint_gt(n1, 1000);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(a, b, n1), 0);
	ck_assert_int_eq(memcmp(a, "%PDF-", 5), 0);
	/* Dates are the bill date; no random document /ID. */
	ck_assert(has(a, n1, "/CreationDate (D:20261103", 25));
	ck_assert(has(a, n1, "/ModDate (D:20261103", 20));
	ck_assert(!has(a, n1, "/ID", 3));
	free(a);
	free(b);
}
END_TEST

START_TEST(test_pdf_text)
{
	char *t = pdf_text("2026-10-A1");
	char acct[11];
	int64_t amt;
	struct br_error err;

	ck_assert_ptr_nonnull(strstr(t, "Prairie Valley Utilities"));
	ck_assert_ptr_nonnull(strstr(t, "Bob Hughes"));
	ck_assert_ptr_nonnull(strstr(t, "Account number"));
	ck_assert_ptr_nonnull(strstr(t, "2026-10-A1"));
	ck_assert_ptr_nonnull(strstr(t, "$72.34"));
	ck_assert_ptr_nonnull(strstr(t, "Amount due by 2026-11-24"));
	ck_assert_ptr_nonnull(strstr(t, "2026-10-01 to 2026-10-31"));
	ck_assert_ptr_nonnull(strstr(t, "RES-FLAT"));
	ck_assert_ptr_nonnull(strstr(t, "Municipal tax 0.5%"));
	ck_assert_ptr_nonnull(strstr(t, "Taxes and surcharges"));
	ck_assert_ptr_nonnull(strstr(t, "412.345"));
	ck_assert_ptr_nonnull(strstr(t, "ESTIMATED"));
	ck_assert_ptr_nonnull(strstr(t, "USAGE HISTORY (kWh)"));
	/* Meter E1 has multiplier 40. */
	ck_assert_ptr_nonnull(strstr(t, "Multiplier"));
	ck_assert_ptr_nonnull(strstr(t, " 40 "));
	/* The scan line: account 1, $72.34, verifies. */
	ck_assert_ptr_nonnull(strstr(t, "000000000100000072342"));
	ck_assert_int_eq(br_scanline_parse("000000000100000072342", 21, acct,
	    &amt, &err), 0);
	ck_assert_str_eq(acct, "1");
	ck_assert_int_eq(amt, 7234);
	free(t);
}
END_TEST

START_TEST(test_run_writes_pdf_and_text)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, path[300], *pdf, *text;
	size_t n;

	ck_assert_int_eq(run(BR_RENDER_TEXT | BR_RENDER_PDF, &reg, NULL, &tot,
	    &err), 0);
	ck_assert_int_eq(tot.rendered, 1);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.pdf", dir);
	pdf = slurp(path, &n);
	ck_assert_ptr_nonnull(pdf);
	ck_assert_int_eq(memcmp(pdf, "%PDF-", 5), 0);
	free(pdf);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1.txt", dir);
	text = slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "    Meter E1             delivered"
	    "        412.345 kWh    multiplier 40 estimated 2.500\n"));
	free(text);
	free(reg);
}
END_TEST

START_TEST(test_vendor_control_totals)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, *v = NULL, *line;
	long lines = 0;

	ck_assert_int_eq(run(BR_RENDER_TEXT, &reg, &v, &tot, &err), 0);
	ck_assert_ptr_nonnull(strstr(v, "H|BILLRUN-PRINT|4|2026-10|UTF-8\n"
	    "B|2026-10-A1|A1|Bob Hughes|107 Maple Ave, Prairie Valley, IL "
	    "61000|2026-11-03|2026-11-24|2026-10-01|2026-10-31|31|\n"
	    "S|50.00|-40.00|0.00|62.34|72.34\n"));
	ck_assert_ptr_nonnull(strstr(v, "\nM|SP1|E1|delivered|kWh|40|412.345|"
	    "2.500\n"));
	ck_assert_ptr_nonnull(strstr(v, "\nL|3|SP1|TAX|Municipal tax 0.5%|"
	    "0.000||0.000000|0.03\n"));
	ck_assert_ptr_nonnull(strstr(v, "\nG|ESTIMATED\n"));
	ck_assert_ptr_nonnull(strstr(v, "\nR|A1|Bob Hughes|72.34|2026-11-24|"
	    "000000000100000072342\n"));
	/* One page, page 1 of the print stream. */
	ck_assert_ptr_nonnull(strstr(v, "\nE|2026-10-A1|11|1|1\n"));
	for (line = v; (line = strchr(line, '\n')) != NULL; line++)
		lines++;
	ck_assert_int_eq(lines, 13);
	/* Two pages in the print stream: the bill and its blank back. */
	ck_assert_ptr_nonnull(strstr(v, "\nT|1|13|62.34|72.34|2\n"));
	free(reg);
	free(v);
}
END_TEST

START_TEST(test_history_13_months)
{
	struct br_error err;
	struct br_bill_doc d;
	char sql[1024], *t;
	int i;

	/* Twelve earlier monthly bills, 2025-10 .. 2026-09, 100 + i kWh. */
	for (i = 0; i < 12; i++) {
		int y = 2025 + (9 + i) / 12, m = (9 + i) % 12 + 1;
		char id[32];

		snprintf(id, sizeof(id), "%04d-%02d-A1", y, m);
		snprintf(sql, sizeof(sql), "INSERT INTO bill(bill_id,account_id,"
		    "cycle_id,period_start,period_end,bill_date,due_date,status,"
		    "total_cents) VALUES('%s','A1','%04d-%02d','%04d-%02d-01',"
		    "'%04d-%02d-%02d','x','x','issued',0);"
		    "INSERT INTO bill_meter VALUES('%s','E1',1,'kWh',%d,0,0);"
		    "INSERT INTO bill_meter VALUES('%s','E1',2,'kWh',999999,0,0);",
		    id, y, m, y, m, y, m, m == 2 ? 28 : 30, id,
		    (100 + i) * 1000, id);
		ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	}
	/* An older one (not shown) and a cancelled one (never shown). */
	ck_assert_int_eq(br_store_exec(st, "INSERT INTO bill(bill_id,"
	    "account_id,cycle_id,period_start,period_end,bill_date,due_date,"
	    "status,total_cents) VALUES('2025-09-A1','A1','2025-09',"
	    "'2025-09-01','2025-09-30','x','x','issued',0),"
	    "('2026-09-A1X','A1','2026-09X','2026-09-01','2026-09-30','x','x',"
	    "'cancelled',0)", &err), 0);
	ck_assert_int_eq(br_bill_doc_load(st, "2026-10-A1", &d, &err), 0);
	ck_assert_int_eq(d.nhist, 1);
	ck_assert_int_eq(d.hist[0].n, 13);
	ck_assert_str_eq(d.hist[0].unit, "kWh");
	ck_assert_str_eq(d.hist[0].bar[0].bill_id, "2025-10-A1");
	ck_assert_int_eq(d.hist[0].bar[0].usage_milli, 100000);
	/* Received (exported) kWh beside the delivered, never summed. */
	ck_assert_int_eq(d.hist[0].received, 1);
	ck_assert_int_eq(d.hist[0].bar[0].received_milli, 999999);
	ck_assert_str_eq(d.hist[0].bar[11].bill_id, "2026-09-A1");
	ck_assert_int_eq(d.hist[0].bar[11].usage_milli, 111000);
	ck_assert_str_eq(d.hist[0].bar[12].bill_id, "2026-10-A1");
	ck_assert_int_eq(d.hist[0].bar[12].usage_milli, 412345);
	ck_assert_int_eq(d.hist[0].bar[12].days, 31);
	ck_assert_int_eq(br_bill_series_last_year(&d.hist[0]), 0);
	br_bill_doc_free(&d);
	t = pdf_text("2026-10-A1");
	ck_assert_ptr_nonnull(strstr(t, "Same period last year: 100 kWh"));
	ck_assert_ptr_nonnull(strstr(t, "This period: 412 kWh delivered, 0 "
	    "received, 31 days"));
	free(t);
}
END_TEST

START_TEST(test_net_metering_balance)
{
	struct br_error err;
	char *buf = NULL, *t;
	size_t len;
	FILE *f;

	ck_assert_int_eq(br_store_exec(st, "UPDATE service_agreement SET "
	    "net_metering = 'NEM1';"
	    "CREATE TABLE IF NOT EXISTS bill_sp(bill_id TEXT NOT NULL, "
	    "sp_id TEXT NOT NULL, period_start TEXT NOT NULL, "
	    "period_end TEXT NOT NULL, nem_bank_milli INTEGER NOT NULL "
	    "DEFAULT 0, PRIMARY KEY(bill_id, sp_id));"
	    "INSERT INTO bill_sp(bill_id, sp_id, period_start, period_end, "
	    "nem_bank_milli) VALUES('2026-10-A1','SP1','2026-10-01',"
	    "'2026-10-31',125500)", &err), 0);
	f = open_memstream(&buf, &len);
	ck_assert_int_eq(br_render_bill(st, "2026-10-A1", f, NULL, &err), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "  Rate: RES-FLAT\n"
	    "  Net metering NEM1: credit bank carried forward 125.500 kWh\n"));
	free(buf);
	t = pdf_text("2026-10-A1");
	ck_assert_ptr_nonnull(strstr(t, "Net metering: NEM1"));
	ck_assert_ptr_nonnull(strstr(t, "Net metering NEM1: credit bank "
	    "carried forward 125.500 kWh"));
	free(t);
}
END_TEST

START_TEST(test_cancel_rebill)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, *reg2 = NULL, path[300], *text, *text2, *t;

	/* Issue the original. */
	ck_assert_int_eq(run(BR_RENDER_TEXT, &reg, NULL, &tot, &err), 0);
	free(reg);
	reg = NULL;
	/* Cancel it and add the corrected bill (what rate-apply would do). */
	ck_assert_int_eq(br_store_exec(st, "UPDATE bill SET status = "
	    "'cancelled' WHERE bill_id = '2026-10-A1';"
	    "INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
	    "period_end,bill_date,due_date,status,total_cents,replaces) VALUES"
	    "('2026-10-A1-R1','A1','2026-10','2026-10-01','2026-10-31',"
	    "'2026-11-20','2026-12-11','draft',5834,'2026-10-A1');"
	    "INSERT INTO bill_line" LINE_COLS "VALUES"
	    "('2026-10-A1-R1',1,'SP1','CUST','Customer charge',1000,'month',"
	    "12000000,1200,''),"
	    "('2026-10-A1-R1',2,'SP1','ENERGY','Energy',379560,'kWh',122000,"
	    "4631,''),"
	    "('2026-10-A1-R1',3,'SP1','TAX','Municipal tax 0.5%',0,'',0,3,'');"
	    "INSERT INTO bill_meter VALUES('2026-10-A1-R1','E1',1,'kWh',"
	    "379560,0,0);", &err), 0);
	ck_assert_int_eq(run(BR_RENDER_TEXT | BR_RENDER_PDF, &reg, NULL, &tot,
	    &err), 0);
	ck_assert_int_eq(tot.rendered, 1);
	ck_assert_int_eq(tot.issued_now, 1);
	/* The original's charge is reversed once, on the rebill's date. */
	ck_assert_int_eq(scalar("SELECT amount_cents FROM ledger WHERE "
	    "kind = 'reversal' AND ref = '2026-10-A1' AND "
	    "date = '2026-11-20'"), -6234);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM bill WHERE status = "
	    "'issued'"), 1);
	/* Previous 50.00 - 40.00 + 62.34 (original), reversal -62.34,
	 * corrected 58.34: due 68.34. */
	ck_assert_ptr_nonnull(strstr(reg, "\n2026-10-A1-R1,A1,Bob Hughes,"
	    "2026-10-01,2026-10-31,2026-11-20,2026-12-11,issued,72.34,0.00,"
	    "-62.34,58.34,68.34,\n"));
	ck_assert_int_eq(scalar("SELECT SUM(amount_cents) FROM ledger"),
	    5000 - 4000 + 6234 - 6234 + 5834);
	snprintf(path, sizeof(path), "%s/bills/2026-10-A1-R1.txt", dir);
	text = slurp(path, NULL);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "Corrects bill:   2026-10-A1 "
	    "(cancelled)\n"));
	ck_assert_ptr_nonnull(strstr(text, "  This corrected bill replaces "
	    "bill 2026-10-A1, which is cancelled.\n  Cancelled charges 62.34, "
	    "corrected charges 58.34, difference -4.00.\n"));
	ck_assert_ptr_nonnull(strstr(text, "  Adjustments"
	    "                                                           -62.34\n"));
	/* Rerun: same text, nothing posted twice. */
	ck_assert_int_eq(run(BR_RENDER_TEXT, &reg2, NULL, &tot, &err), 0);
	ck_assert_str_eq(reg2, reg);
	text2 = slurp(path, NULL);
	ck_assert_str_eq(text2, text);
	ck_assert_int_eq(scalar("SELECT COUNT(*) FROM ledger WHERE "
	    "kind = 'reversal'"), 1);
	t = pdf_text("2026-10-A1-R1");
	ck_assert_ptr_nonnull(strstr(t, "CORRECTED BILL"));
	ck_assert_ptr_nonnull(strstr(t, "Replaces cancelled bill 2026-10-A1"));
	ck_assert_ptr_nonnull(strstr(t, "difference -4.00"));
	free(t);
	free(text);
	free(text2);
	free(reg);
	free(reg2);
}
END_TEST


/* Run cmd (output to dir/cmd.txt) and return its output. */
static char *
output_of(const char *cmd)
{
	char full[1200], path[300];
	char *t;

	snprintf(path, sizeof(path), "%s/cmd.txt", dir);
	snprintf(full, sizeof(full), "%s >'%s'", cmd, path);
	ck_assert_int_eq(system(full), 0);
	t = slurp(path, NULL);
	ck_assert_ptr_nonnull(t);
	return t;
}

START_TEST(test_pdf_fonts_embedded)
{
	char path[300], cmd[700], *pdf, *t;
	size_t len;

	pdf = pdf_of("2026-10-A1", &len);
	snprintf(path, sizeof(path), "%s/a1.pdf", dir);
	fx_write_bytes(path, pdf, len);
	free(pdf);
	/* Three TrueType subsets, all embedded; no base-14 font. */
	snprintf(cmd, sizeof(cmd), "pdffonts '%s'", path);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, "BRPDFA+LiberationSans "));
	ck_assert_ptr_nonnull(strstr(t, "BRPDFB+LiberationSans-Bold"));
	ck_assert_ptr_nonnull(strstr(t, "BRPDFC+OCRA"));
	ck_assert_ptr_null(strstr(t, "Helvetica"));
	ck_assert_ptr_null(strstr(t, "Courier"));
	free(t);
	/* emb and sub: yes, for each of the three. */
	snprintf(cmd, sizeof(cmd), "pdffonts '%s' | grep -c ' yes yes '",
	    path);
	t = output_of(cmd);
	ck_assert_str_eq(t, "3\n");
	free(t);
	/* Small: the fonts are subsets without hinting. */
	ck_assert_uint_lt(len, 40000);
}
END_TEST

START_TEST(test_font_missing)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL;

	ck_assert_int_eq(br_store_exec(st, "INSERT INTO setting VALUES("
	    "'pdf_font_ocr','/nonexistent/OCRA.ttf')", &err), 0);
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, NULL, &tot, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "'/nonexistent/OCRA.ttf'"));
	ck_assert_ptr_nonnull(strstr(err.msg, "pdf_font_ocr"));
	ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
	free(reg);
	/* A text-only run needs no font. */
	reg = NULL;
	ck_assert_int_eq(run(BR_RENDER_TEXT, &reg, NULL, &tot, &err), 0);
	free(reg);
}
END_TEST

/*
 * The print stream: A1 (one page, then a blank back) and A2 (two pages)
 * in one PDF; the vendor file gives pages and first pages; the same
 * store gives the same bytes.
 */
START_TEST(test_print_stream)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL, *v = NULL, *ps = NULL, *ps2 = NULL, *t;
	char sql[400], path[300], cmd[700];
	size_t len, len2;
	int i;

	ck_assert_int_eq(br_store_exec(st, "INSERT INTO account VALUES('A2',"
	    "'Ann Lee','9 Oak St, Prairie Valley, IL 61000','active','R1');"
	    "INSERT INTO bill(bill_id,account_id,cycle_id,period_start,"
	    "period_end,bill_date,due_date,status,total_cents) VALUES"
	    "('2026-10-A2','A2','2026-10','2026-10-01','2026-10-31',"
	    "'2026-11-03','2026-11-24','draft',6000);", &err), 0);
	for (i = 1; i <= 60; i++) {	/* 60 lines: a second page */
		snprintf(sql, sizeof(sql), "INSERT INTO bill_line"
		    LINE_COLS "VALUES("
		    "'2026-10-A2',%d,'','FEE%d','Fee %d',0,'',0,100,'')", i, i,
		    i);
		ck_assert_int_eq(br_store_exec(st, sql, &err), 0);
	}
	print_f = open_memstream(&ps, &len);
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, &v, &tot, &err), 0);
	fclose(print_f);
	print_f = NULL;
	ck_assert_int_eq(tot.rendered, 2);
	ck_assert_ptr_nonnull(strstr(v, "\nE|2026-10-A1|11|1|1\n"));
	ck_assert_ptr_nonnull(strstr(v, "\nE|2026-10-A2|"));
	ck_assert_ptr_nonnull(strstr(v, "|2|3\nT|2|"));
	ck_assert_ptr_nonnull(strstr(v, "\nT|2|77|122.34|132.34|4\n"));
	snprintf(path, sizeof(path), "%s/print.pdf", dir);
	fx_write_bytes(path, ps, len);
	snprintf(cmd, sizeof(cmd), "pdfinfo '%s' | grep '^Pages:'", path);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, " 4\n"));
	free(t);
	/* The fonts are embedded once for the whole stream. */
	snprintf(cmd, sizeof(cmd), "pdffonts '%s' | grep -c BRPDF", path);
	t = output_of(cmd);
	ck_assert_str_eq(t, "3\n");
	free(t);
	snprintf(cmd, sizeof(cmd), "pdftotext -f 2 -l 2 '%s' -", path);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, "intentionally blank"));
	free(t);
	snprintf(cmd, sizeof(cmd), "pdftotext -f 3 -l 3 '%s' -", path);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, "Ann Lee"));
	ck_assert_ptr_nonnull(strstr(t, "2026-10-A2"));
	free(t);
	snprintf(cmd, sizeof(cmd), "pdftotext -f 4 -l 4 '%s' -", path);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, "continued, page 2"));
	free(t);
	/* The per-bill PDFs of the same run have the same pages. */
	snprintf(cmd, sizeof(cmd), "pdfinfo '%s/bills/2026-10-A2.pdf' | "
	    "grep '^Pages:'", dir);
	t = output_of(cmd);
	ck_assert_ptr_nonnull(strstr(t, " 2\n"));
	free(t);
	free(reg);
	free(v);
	/* Rendered again (now issued): byte-identical stream. */
	reg = v = NULL;
	print_f = open_memstream(&ps2, &len2);
	sleep(1);
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, &v, &tot, &err), 0);
	fclose(print_f);
	print_f = NULL;
	ck_assert_uint_eq(len, len2);
	ck_assert_int_eq(memcmp(ps, ps2, len), 0);
	free(ps);
	free(ps2);
	free(reg);
	free(v);
}
END_TEST

/*
 * Intelligent Mail barcode on the address block when a mailer id is
 * set: tracking = barcode id, service type, mailer id, serial from the
 * account digits; routing = the ZIP (or ZIP+4) ending the address.
 */
START_TEST(test_imb)
{
	struct br_error err;
	struct br_render_totals tot;
	struct br_bill_doc d;
	char bars[BR_IMB_BARS + 1], why[100], *reg = NULL, *v = NULL;
	char line[200];

	ck_assert_int_eq(br_store_exec(st, "INSERT INTO setting VALUES"
	    "('imb_mailer_id','567094'),('imb_service_type','234'),"
	    "('imb_barcode_id','01')", &err), 0);
	ck_assert_int_eq(br_bill_doc_load(st, "2026-10-A1", &d, &err), 0);
	ck_assert_str_eq(d.imb_tracking, "01234567094000000001");
	ck_assert_str_eq(d.imb_routing, "61000");
	ck_assert_int_eq(br_imb_encode("01234567094000000001", "61000", bars,
	    why, sizeof(why)), 0);
	ck_assert_str_eq(d.imb, bars);
	br_bill_doc_free(&d);
	/* ZIP+4; no ZIP at the end: no routing code. */
	ck_assert_int_eq(br_store_exec(st, "UPDATE account SET "
	    "mailing_address = '107 Maple Ave, Prairie Valley, IL "
	    "61000-1234'", &err), 0);
	ck_assert_int_eq(br_bill_doc_load(st, "2026-10-A1", &d, &err), 0);
	ck_assert_str_eq(d.imb_routing, "610001234");
	br_bill_doc_free(&d);
	ck_assert_int_eq(br_store_exec(st, "UPDATE account SET "
	    "mailing_address = 'PO Box 12'", &err), 0);
	ck_assert_int_eq(br_bill_doc_load(st, "2026-10-A1", &d, &err), 0);
	ck_assert_str_eq(d.imb_routing, "");
	ck_assert_uint_eq(strlen(d.imb), BR_IMB_BARS);
	br_bill_doc_free(&d);
	/* The vendor file carries it (record I after R). */
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, &v, &tot, &err), 0);
	ck_assert_int_eq(br_imb_encode("01234567094000000001", "", bars, why,
	    sizeof(why)), 0);
	snprintf(line, sizeof(line), "\nI|01234567094000000001||%s\nE|",
	    bars);
	ck_assert_ptr_nonnull(strstr(v, line));
	free(reg);
	free(v);
}
END_TEST

START_TEST(test_imb_bad_setting)
{
	struct br_error err;
	struct br_render_totals tot;
	char *reg = NULL;

	ck_assert_int_eq(br_store_exec(st, "INSERT INTO setting VALUES"
	    "('imb_mailer_id','56709'),('imb_service_type','234')", &err), 0);
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, NULL, &tot, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "imb_mailer_id '56709'"));
	free(reg);
	reg = NULL;
	ck_assert_int_eq(br_store_exec(st, "UPDATE setting SET value = "
	    "'567094' WHERE key = 'imb_mailer_id'; UPDATE setting SET "
	    "value = '' WHERE key = 'imb_service_type'", &err), 0);
	ck_assert_int_eq(run(BR_RENDER_PDF, &reg, NULL, &tot, &err), -1);
	ck_assert_int_eq(err.code, BR_ECONFIG);
	ck_assert_ptr_nonnull(strstr(err.msg, "imb_service_type"));
	free(reg);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("render_pdf");
	TCase *tc = tcase_create("render_pdf");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_pdf_deterministic);
	tcase_add_test(tc, test_pdf_text);
	tcase_add_test(tc, test_run_writes_pdf_and_text);
	tcase_add_test(tc, test_vendor_control_totals);
	tcase_add_test(tc, test_history_13_months);
	tcase_add_test(tc, test_net_metering_balance);
	tcase_add_test(tc, test_cancel_rebill);
	tcase_add_test(tc, test_pdf_fonts_embedded);
	tcase_add_test(tc, test_font_missing);
	tcase_add_test(tc, test_print_stream);
	tcase_add_test(tc, test_imb);
	tcase_add_test(tc, test_imb_bad_setting);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
