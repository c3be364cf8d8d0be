/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel-compare: the parallel run of go-live: the legacy system's bill
 * extract against billrun's bills of a cycle, per account and line, with
 * causes, totals by rate code and class, and PASS/FAIL
 * (docs/parallel-compare.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "report/parallel.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID", "the bill cycle compared" },
	{ "legacy", required_argument, 'l', "FILE.csv",
	    "the legacy system's bill extract" },
	{ "map", required_argument, 'M', "FILE.yaml",
	    "the extract's columns, period format and line codes "
	    "(br-parallel-map(5))" },
	{ "code-map", required_argument, 'm', "FILE.csv",
	    "legacy line codes to billrun's (legacy_code,code)" },
	{ "html", required_argument, 'H', "FILE.html",
	    "also write the report as a self-contained page" },
	{ "tolerance", required_argument, 't', "DOLLARS",
	    "per-bill difference still passing (default 0.00)" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "parallel-compare",
	.synopsis = "usage: parallel-compare [--db PATH] --cycle ID --legacy "
	    "FILE.csv [--map FILE.yaml]\n"
	    "       [--code-map FILE.csv] [--tolerance DOLLARS] "
	    "[--html FILE.html]\n"
	    "       [-o FILE] [--summary FILE]\n",
	.about = "Compare the legacy system's bills of a cycle with "
	    "billrun's, per account and\nline, with the cause of each "
	    "difference, totals by rate code and class, and\nPASS or FAIL "
	    "against the tolerance.",
	.opts = options,
	.shortopts = "c:l:M:m:H:t:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY |
	    BR_CLI_SUMFILE,
	.exit1 = "FAIL: bills differ beyond the tolerance or are missing",
};

static void
summary(const void *s, FILE *f)
{
	br_parallel_summary_write(s, f);
}

int
main(int argc, char **argv)
{
	struct br_parallel_opts o = { NULL, NULL, NULL, NULL, NULL, 0 };
	struct br_parallel_stats s = { 0 };
	struct br_output hout = { 0 };
	struct br_cli_run run;
	const char *html = NULL;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': o.cycle_id = optarg; break;
		case 'l': o.legacy = optarg; break;
		case 'M': o.map = optarg; break;
		case 'm': o.code_map = optarg; break;
		case 'H': html = optarg; break;
		case 't':
			if (br_decimal_parse(optarg, (size_t)-1, 2,
			    &o.tolerance_cents) != 0 || o.tolerance_cents < 0)
				return br_cli_usage_error("--tolerance: "
				    "dollars with at most 2 decimals");
			break;
		default: return cli.status;
		}
	}
	if (o.cycle_id == NULL || o.legacy == NULL || optind != argc)
		return br_cli_usage_error("--cycle and --legacy are required");
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	if (html != NULL && (rc = br_output_open(&hout, html, &run.err)) == 0)
		o.html = hout.f;
	if (html == NULL || rc == 0)
		rc = br_parallel_run(run.st, &o, run.out.f, &s, &run.err);
	if (html != NULL && br_output_close(&hout, rc == 0,
	    rc == 0 ? &run.err : NULL) != 0)
		rc = -1;
	if (rc == 0)
		rc = br_cli_summary_write(&cli, NULL, summary, &s, &run.err);
	snprintf(run.counts, sizeof(run.counts), "bills=%ld matched=%ld "
	    "within=%ld differ=%ld %s", s.bills, s.matched, s.within,
	    s.differ, s.pass ? "PASS" : "FAIL");
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	return s.pass ? BR_EXIT_OK : BR_EXIT_EXCEPTIONS;
}
