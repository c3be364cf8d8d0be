/* SPDX-License-Identifier: Apache-2.0 */
/*
 * billing-report: reports from the store.
 *   billing-report unbilled --cycle ID     unbilled revenue for a cycle
 *   billing-report eia861m --month YYYY-MM monthly sales (EIA-861M shape)
 *   billing-report runs [--cycle ID]       the run record (store/runlog.h)
 *   billing-report review --cycle ID       exception review page (HTML)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "store/runlog.h"
#include "report/review.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID",
	    "unbilled, review: the bill cycle; runs: only this cycle's runs" },
	{ "month", required_argument, 'm', "YYYY-MM",
	    "eia861m: the month reported" },
	{ "sector-map", required_argument, 's', "FILE.csv",
	    "eia861m: rate code to EIA sector" },
	{ "exclude-code", required_argument, 'x', "PREFIX",
	    "eia861m: leave out rate codes with this prefix (repeatable)" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "billing-report",
	.synopsis = "usage: billing-report unbilled [--db PATH] --cycle ID "
	    "[-o FILE] [--summary FILE]\n"
	    "       billing-report eia861m [--db PATH] --month YYYY-MM "
	    "[--sector-map FILE.csv] [--exclude-code PREFIX]... [-o FILE]\n"
	    "       billing-report runs [--db PATH] [--cycle ID] [-o FILE]\n"
	    "       billing-report review [--db PATH] --cycle ID "
	    "[-o exceptions.html]\n",
	.about = "Reports from the store: unbilled revenue of a cycle, "
	    "monthly sales in the\nEIA-861M shape, the exception review "
	    "page of a cycle, the runs that wrote the\nstore.  See "
	    "docs/reports.md and docs/review.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_SUMFILE | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
	.exit1 = "unbilled: accounts left unbilled were found",
};

/* unbilled: the totals to the summary file, if any. */
static int
unbilled_summary(long nrows, int64_t rev, struct br_error *err)
{
	struct br_output sout = { 0 };
	char path[4096];
	const char *sp = br_cli_summary_path(&cli, path, sizeof(path));

	if (sp == NULL)
		return 0;
	if (br_output_open(&sout, sp, err) != 0)
		return -1;
	/* A write error fails the commit below (br_atomic_commit). */
	br_report_unbilled_summary(sout.f, nrows, rev);
	return br_output_close(&sout, 1, err);
}

static int
usage(void)
{
	fputs(cli.synopsis, stderr);
	return BR_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	const char *cycle = NULL, *what;
	const char *excl[16] = {NULL};
	struct br_eia_opts eia = {NULL, NULL, excl, 0};
	struct br_cli_run run;
	long nrows = 0;
	int64_t rev = 0;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	if (argc >= 2 && argv[1][0] != '-') {
		what = argv[1];
		optind = 2;
	} else
		what = NULL;	/* only --help and --version */
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': cycle = optarg; break;
		case 'm': eia.month = optarg; break;
		case 's': eia.sector_map = optarg; break;
		case 'x':
			if (eia.nexclude == 16) {
				br_warn("too many --exclude-code options");
				return BR_EXIT_USAGE;
			}
			excl[eia.nexclude++] = optarg;
			break;
		default: return cli.status;
		}
	}
	if (what == NULL || optind != argc ||
	    (strcmp(what, "unbilled") == 0 && !cycle) ||
	    (strcmp(what, "review") == 0 && !cycle) ||
	    (strcmp(what, "eia861m") == 0 && !eia.month) ||
	    (strcmp(what, "unbilled") != 0 && strcmp(what, "eia861m") != 0 &&
	    strcmp(what, "runs") != 0 && strcmp(what, "review") != 0))
		return usage();
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	if (strcmp(what, "unbilled") == 0) {
		rc = br_report_unbilled(run.st, cycle, run.out.f, &nrows, &rev,
		    &run.err);
		if (rc == 0)
			rc = unbilled_summary(nrows, rev, &run.err);
	}
	else if (strcmp(what, "runs") == 0)
		rc = br_run_list(run.st, cycle, run.out.f, &run.err);
	else if (strcmp(what, "review") == 0)
		rc = br_review_write(run.st, cycle, run.out.f, NULL, &run.err);
	else
		rc = br_report_eia861m(run.st, &eia, run.out.f, &run.err);
	if (strcmp(what, "unbilled") == 0)
		snprintf(run.counts, sizeof(run.counts), "unbilled findings=%ld",
		    nrows);
	else
		snprintf(run.counts, sizeof(run.counts), "%s written", what);
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	/* Findings in the unbilled report are exceptions to act on. */
	return nrows > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
