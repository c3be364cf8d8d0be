/*
 * pay-reconcile: post payment files (CSV, BAI2, NACHA, lockbox) to the
 * ledger, assess late fees, and write the posting, reconciliation and
 * aging reports; see docs/pay-reconcile.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "core/date.h"
#include "core/money.h"
#include "pay/payment.h"
#include "formats/paymap.h"
#include "store/store.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: pay-reconcile [--db PATH] [--as-of YYYY-MM-DD] "
	    "[--format auto|csv|bai2|nacha|lockbox|camt]\n"
	    "                     [--mapping FILE.yaml] [--late-fees] "
	    "[--recon FILE] [--aging FILE]\n"
	    "                     [--shard K/N] [-o FILE] [FILE...]\n");
}

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try 'pay-reconcile --help' for more information");
	return BR_EXIT_USAGE;
}

/* Tell the operator about every item that needs a look. */
static void
report_notes(const struct br_payment_report *rep)
{
	char amt[32];
	size_t i;

	for (i = 0; i < rep->nfiles; i++)
		if (rep->files[i].duplicate)
			br_warn("'%s' was already posted; nothing posted",
			    rep->files[i].name);
	for (i = 0; i < rep->n; i++) {
		const struct br_payment_row *p = &rep->rows[i];

		br_cents_format(p->amount_cents, amt, sizeof(amt));
		if (p->bad_scan_line)
			br_warn("%s:%ld: scan line fails its check digit; "
			    "matched by the other fields", p->file, p->line);
		if (p->status == BR_PAY_SUSPENSE && p->note[0] != '\0')
			br_warn("%s:%ld: %s of %s for '%s' held in suspense (%s)",
			    p->file, p->line, p->amount_cents < 0 ? "refund or "
			    "chargeback" : "payment", amt, p->account_id, p->note);
		else if (p->status == BR_PAY_SUSPENSE &&
		    p->account_id[0] == '\0')
			br_warn("%s:%ld: payment of %s without account held "
			    "in suspense", p->file, p->line, amt);
		else if (p->status == BR_PAY_SUSPENSE)
			br_warn("%s:%ld: payment of %s to unknown account "
			    "'%s' held in suspense", p->file, p->line, amt,
			    p->account_id);
		else if (p->status == BR_PAY_RETURN_UNMATCHED)
			br_warn("%s:%ld: return of %s held in suspense (%s)",
			    p->file, p->line, amt, p->note);
		else if (p->status == BR_PAY_ALREADY)
			br_warn("%s:%ld: item of %s already posted by an "
			    "earlier file; not posted again", p->file, p->line,
			    amt);
		else if (p->status == BR_PAY_CHARGEBACK)
			br_warn("%s:%ld: chargeback of %s for '%s' needs a "
			    "decision", p->file, p->line, amt, p->account_id);
		else if (p->status == BR_PAY_NOC)
			br_warn("%s:%ld: notification of change %s for '%s' "
			    "(not posted)", p->file, p->line, p->note,
			    p->account_id);
		else if (p->closed_account)
			br_warn("%s:%ld: payment of %s posted to closed "
			    "account '%s'", p->file, p->line, amt,
			    p->account_id);
	}
}

static int
write_report(const char *path, int kind, const struct br_payment_report *rep,
    struct br_store *st, const char *as_of, struct br_error *err)
{
	struct br_output out;

	if (br_output_open(&out, path, err) != 0)
		return -1;
	if (kind == 0)
		br_payment_report_write(rep, out.f);
	else if (kind == 1)
		br_payment_recon_write(rep, out.f);
	else if (br_payment_aging_write(st, as_of, out.f, err) != 0) {
		struct br_error e2;

		br_output_close(&out, 0, &e2);
		return -1;
	}
	return br_output_close(&out, 1, err);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "aging", required_argument, NULL, 'G' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "late-fees", no_argument, NULL, 'L' },
		{ "mapping", required_argument, NULL, 'M' },
		{ "output", required_argument, NULL, 'o' },
		{ "recon", required_argument, NULL, 'R' },
		{ "shard", required_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	struct br_payment_report rep;
	struct br_payment_opts opts;
	struct br_paymap map;
	struct br_store *st;
	struct br_error err;
	const char *db = "billing.db", *outpath = NULL, *as_of = NULL;
	const char *format = "auto", *mapping = NULL, *recon = NULL;
	const char *aging = NULL;
	struct br_shard shard = { 0, 0 };
	int late_fees = 0;
	long nfees = 0;
	int64_t fees = 0;
	int32_t day;
	int ch, rc;

	br_diag_init("pay-reconcile");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'A': as_of = optarg; break;
		case 'd': db = optarg; break;
		case 'F': format = optarg; break;
		case 'G': aging = optarg; break;
		case 'h': usage(stdout); return BR_EXIT_OK;
		case 'L': late_fees = 1; break;
		case 'M': mapping = optarg; break;
		case 'o': outpath = optarg; break;
		case 'R': recon = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &err) != 0)
				return usage_error(err.msg);
			break;
		default:
			br_warn("try 'pay-reconcile --help' for more "
			    "information");
			return BR_EXIT_USAGE;
		}
	}
	if (as_of != NULL && br_date_parse(as_of, (size_t)-1, &day) != 0)
		return usage_error("--as-of wants a date YYYY-MM-DD");
	if (strcmp(format, "auto") != 0 && strcmp(format, "csv") != 0 &&
	    strcmp(format, "bai2") != 0 && strcmp(format, "nacha") != 0 &&
	    strcmp(format, "lockbox") != 0 && strcmp(format, "camt") != 0)
		return usage_error("--format wants auto, csv, bai2, nacha, "
		    "lockbox or camt");
	if ((late_fees || aging != NULL) && as_of == NULL)
		return usage_error("--late-fees and --aging need --as-of");
	if (optind == argc && !late_fees && aging == NULL)
		return usage_error("no payment file given");
	if (mapping != NULL && br_paymap_load(&map, mapping, &err) != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	memset(&opts, 0, sizeof(opts));
	opts.as_of = as_of;
	opts.format = format;
	opts.map = mapping != NULL ? &map : NULL;
	if ((st = br_store_open(db, 0, &err)) == NULL) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	br_payment_report_init(&rep);
	rc = br_store_begin(st, &err);
	if (rc == 0)
		rc = br_shard_bind(st, &shard, &err);
	if (rc == 0)
		rc = br_payment_post_files_ex(st, (const char *const *)argv +
		    optind, (size_t)(argc - optind), &opts, &rep, &err);
	if (rc == 0 && late_fees)
		rc = br_payment_late_fees(st, as_of, &nfees, &fees, &err);
	if (rc == 0 && (optind < argc || outpath != NULL))
		rc = write_report(outpath, 0, &rep, st, as_of, &err);
	if (rc == 0 && recon != NULL)
		rc = write_report(recon, 1, &rep, st, as_of, &err);
	if (rc == 0 && aging != NULL)
		rc = write_report(aging, 2, &rep, st, as_of, &err);
	if (rc == 0)
		rc = br_store_commit(st, &err);
	else
		br_store_rollback(st);
	br_store_close(st);
	if (rc != 0) {
		br_payment_report_release(&rep);
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	report_notes(&rep);
	if (late_fees) {
		char amt[32];

		br_warn("late fees: %ld posted, %s", nfees,
		    br_cents_format(fees, amt, sizeof(amt)));
	}
	rc = rep.review > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	br_payment_report_release(&rep);
	return rc;
}
