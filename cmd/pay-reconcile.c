/*
 * pay-reconcile: post payment files to the ledger.  Writes the posting
 * report CSV to stdout or -o; see docs/pay-reconcile.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "../lib/date.h"
#include "../lib/money.h"
#include "../lib/payment.h"
#include "../lib/store.h"
#include "../lib/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: pay-reconcile [--db PATH] [--as-of YYYY-MM-DD] "
	    "[-o FILE] FILE...\n");
}

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try 'pay-reconcile --help' for more information");
	return BR_EXIT_USAGE;
}

/* Tell the operator about every payment that needs a look. */
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
		if (p->suspense && p->account_id[0] == '\0')
			br_warn("%s:%ld: payment of %s without account held "
			    "in suspense", p->file, p->line, amt);
		else if (p->suspense)
			br_warn("%s:%ld: payment of %s to unknown account "
			    "'%s' held in suspense", p->file, p->line, amt,
			    p->account_id);
		else if (p->closed_account)
			br_warn("%s:%ld: payment of %s posted to closed "
			    "account '%s'", p->file, p->line, amt,
			    p->account_id);
	}
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "as-of", required_argument, NULL, 'A' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct br_payment_report rep;
	struct br_output out;
	struct br_store *st;
	struct br_error err;
	const char *db = "billing.db", *outpath = NULL, *as_of = NULL;
	int32_t day;
	int ch, rc;

	br_diag_init("pay-reconcile");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'A': as_of = optarg; break;
		case 'd': db = optarg; break;
		case 'h': usage(stdout); return BR_EXIT_OK;
		case 'o': outpath = optarg; break;
		default:
			br_warn("try 'pay-reconcile --help' for more "
			    "information");
			return BR_EXIT_USAGE;
		}
	}
	if (as_of != NULL && br_date_parse(as_of, (size_t)-1, &day) != 0)
		return usage_error("--as-of wants a date YYYY-MM-DD");
	if (optind == argc)
		return usage_error("no payment file given");
	if ((st = br_store_open(db, 0, &err)) == NULL) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	br_payment_report_init(&rep);
	rc = br_store_begin(st, &err);
	if (rc == 0)
		rc = br_payment_post_files(st, (const char *const *)argv +
		    optind, (size_t)(argc - optind), as_of, &rep, &err);
	if (rc == 0 && (rc = br_output_open(&out, outpath, &err)) == 0) {
		br_payment_report_write(&rep, out.f);
		rc = br_output_close(&out, 1, &err);
	}
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
	rc = rep.suspense > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	br_payment_report_release(&rep);
	return rc;
}
