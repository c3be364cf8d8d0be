/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pay-reconcile: post payment files (CSV, BAI2, NACHA, lockbox, camt) to the
 * ledger, assess late fees, and write the posting, reconciliation and
 * aging reports; see docs/pay-reconcile.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/registry.h"
#include "common/cli.h"
#include "core/date.h"
#include "core/money.h"
#include "pay/pay_apply.h"
#include "pay/payment.h"
#include "formats/paymap.h"
#include "store/store.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "force-date", no_argument, 'D', NULL,
	    "accept an --as-of outside the registry's cycles +- a year" },
	{ "as-of", required_argument, 'A', "YYYY-MM-DD",
	    "the date of late fees and aging" },
	{ "format", required_argument, 'F', "FMT",
	    "payment file format: auto, csv, bai2, nacha, lockbox or camt" },
	{ "mapping", required_argument, 'M', "FILE.yaml",
	    "column mapping of a CSV payment file" },
	{ "late-fees", no_argument, 'L', NULL,
	    "post late fees on bills past due at --as-of" },
	{ "recon", required_argument, 'R', "FILE",
	    "write the reconciliation report to FILE" },
	{ "aging", required_argument, 'G', "FILE",
	    "write the receivables aging at --as-of to FILE" },
	{ "shard", required_argument, 'K', "K/N",
	    "post to the accounts of shard K of N" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "pay-reconcile",
	.synopsis = "usage: pay-reconcile [--db PATH] [--as-of YYYY-MM-DD] "
	    "[--force-date]\n"
	    "                     [--format auto|csv|bai2|nacha|lockbox|camt]\n"
	    "                     [--mapping FILE.yaml] [--late-fees] "
	    "[--recon FILE] [--aging FILE]\n"
	    "                     [--shard K/N] [-o FILE] [--summary FILE] "
	    "[FILE...]\n",
	.about = "Match payment files to accounts and post them to the "
	    "ledger; write the\nposting report and its totals (the summary "
	    "file).  See docs/pay-reconcile.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY |
	    BR_CLI_SUMFILE,
	.exit1 = "items that need a decision: payments or returns held in "
	    "suspense, chargebacks, refunds that leave an account owing",
};

struct args {
	const char *as_of, *format, *mapping, *recon, *aging;
	int force_date;
	struct br_shard shard;
	int late_fees;
	char **files;
	size_t nfiles;
};

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
		else if (p->status == BR_PAY_ALREADY && !p->earlier_file)
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

static void
recon_summary(const void *rep, FILE *f)
{
	br_payment_recon_summary_write(rep, f);
}

/* The --recon (kind 1) or --aging (2) report, its summary beside it. */
static int
write_report(const char *path, int kind, const struct br_payment_report *rep,
    struct br_store *st, const char *as_of, struct br_error *err)
{
	struct br_output out, sum = { 0 };
	struct br_error e2;
	char buf[4096];
	const char *sp = br_cli_summary_beside(path, buf, sizeof(buf));

	if (br_output_open(&out, path, err) != 0)
		return -1;
	if (kind == 1) {
		br_payment_recon_write(rep, out.f);
		if (br_output_close(&out, 1, err) != 0)
			return -1;
		return sp == NULL ? 0 : br_cli_summary_write(&cli, sp,
		    recon_summary, rep, err);
	}
	if ((sp != NULL && br_output_open(&sum, sp, err) != 0) ||
	    br_payment_aging_write(st, as_of, out.f, sum.f, err) != 0) {
		br_output_close(&out, 0, &e2);
		br_output_close(&sum, 0, &e2);
		return -1;
	}
	if (br_output_close(&out, 1, err) != 0)
		return -1;
	return br_output_close(&sum, 1, err);
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct br_error err;
	int32_t day;
	int ch;

	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'A': a->as_of = optarg; break;
		case 'D': a->force_date = 1; break;
		case 'F': a->format = optarg; break;
		case 'G': a->aging = optarg; break;
		case 'L': a->late_fees = 1; break;
		case 'M': a->mapping = optarg; break;
		case 'R': a->recon = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &a->shard, &err) != 0)
				return br_cli_usage_error(err.msg);
			break;
		default: return cli.status;
		}
	}
	a->files = argv + optind;
	a->nfiles = (size_t)(argc - optind);
	if (a->as_of != NULL && br_date_parse(a->as_of, (size_t)-1, &day) != 0)
		return br_cli_usage_error("--as-of wants a date YYYY-MM-DD");
	if (strcmp(a->format, "auto") != 0 && strcmp(a->format, "csv") != 0 &&
	    strcmp(a->format, "bai2") != 0 && strcmp(a->format, "nacha") != 0 &&
	    strcmp(a->format, "lockbox") != 0 &&
	    strcmp(a->format, "camt") != 0)
		return br_cli_usage_error("--format wants auto, csv, bai2, "
		    "nacha, lockbox or camt");
	if ((a->late_fees || a->aging != NULL) && a->as_of == NULL)
		return br_cli_usage_error("--late-fees and --aging need "
		    "--as-of");
	if (a->nfiles == 0 && !a->late_fees && a->aging == NULL)
		return br_cli_usage_error("no payment file given");
	return -1;
}

/* The posting report's totals: to the summary file (if any) and, with
 * -v, to stderr. */
static int
summary(const struct br_payment_report *rep, struct br_error *err)
{
	struct br_output sout = { 0 };
	char path[4096], p[32], s[32], r[32];
	const char *sp = br_cli_summary_path(&cli, path, sizeof(path));

	if (cli.verbose)
		br_warn("totals: posted=%ld %s suspense=%ld %s returned=%ld %s",
		    rep->posted, br_cents_format(rep->posted_cents, p,
		    sizeof(p)), rep->suspense, br_cents_format(
		    rep->suspense_cents, s, sizeof(s)), rep->returned,
		    br_cents_format(rep->returned_cents, r, sizeof(r)));
	if (sp == NULL)
		return 0;
	if (br_output_open(&sout, sp, err) != 0)
		return -1;
	/* A write error fails the commit below (br_atomic_commit). */
	br_payment_summary_write(rep, sout.f);
	return br_output_close(&sout, 1, err);
}

/* Post the files and the fees, write the reports. */
static int
work(struct br_cli_run *run, const struct args *a,
    const struct br_payment_opts *opts, struct br_payment_report *rep,
    long *nfees, int64_t *fees)
{
	struct br_error *err = &run->err;

	if (a->as_of != NULL && !a->force_date &&
	    br_registry_check_date(run->st, "--as-of", a->as_of, err) != 0)
		return -1;
	if (br_payment_post_files_ex(run->st, (const char *const *)a->files,
	    a->nfiles, opts, rep, err) != 0)
		return -1;
	if (a->late_fees &&
	    br_payment_late_fees(run->st, a->as_of, nfees, fees, err) != 0)
		return -1;
	snprintf(run->counts, sizeof(run->counts), "files=%zu payments=%zu "
	    "late_fees=%ld", a->nfiles, rep->n, *nfees);
	if ((a->nfiles > 0 || cli.output != NULL) &&
	    (br_payment_report_write(rep, run->out.f), summary(rep, err)) != 0)
		return -1;
	if (a->recon != NULL &&
	    write_report(a->recon, 1, rep, run->st, a->as_of, err) != 0)
		return -1;
	if (a->aging != NULL &&
	    write_report(a->aging, 2, rep, run->st, a->as_of, err) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct args a = { .format = "auto" };
	struct br_payment_report rep;
	struct br_payment_opts opts = { 0 };
	struct br_paymap map;
	struct br_cli_run run;
	struct br_error err;
	long nfees = 0;
	int64_t fees = 0;
	char amt[32];
	int rc;

	br_cli_init(&cli, argc, argv);
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if (a.mapping != NULL && br_paymap_load(&map, a.mapping, &err) != 0)
		return br_cli_fail(&err);
	opts.as_of = a.as_of;
	opts.format = a.format;
	opts.map = a.mapping != NULL ? &map : NULL;
	if ((rc = br_cli_begin(&run, cli.db, 0, &a.shard, cli.output)) != 0)
		return rc;
	br_payment_report_init(&rep);
	if ((rc = br_cli_end(&run, work(&run, &a, &opts, &rep, &nfees,
	    &fees))) != 0) {
		br_payment_report_release(&rep);
		return rc;
	}
	report_notes(&rep);
	if (a.late_fees)
		br_warn("late fees: %ld posted, %s", nfees,
		    br_cents_format(fees, amt, sizeof(amt)));
	if (rep.review > 0)
		rc = BR_EXIT_EXCEPTIONS;
	br_payment_report_release(&rep);
	return rc;
}
