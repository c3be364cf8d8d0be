/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry-check: audit the registry against the imported reads of a
 * bill cycle before go-live and on every cycle (docs/registry-check.md):
 * one CSV row per finding with code, severity, evidence and fix.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/regcheck.h"
#include "common/exitcode.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID",
	    "the bill cycle whose period is checked" },
	{ "html", required_argument, 'H', "FILE.html",
	    "also write the findings as an HTML page" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "registry-check",
	.synopsis = "usage: registry-check [--db PATH] --cycle ID [--html FILE.html] "
	    "[-o FILE]\n",
	.about = "Check the registry (meters, installs, agreements) against "
	    "the reads imported\nfor a bill cycle: meters reading but not "
	    "installed or installed twice,\nretired meters and empty service "
	    "points on active agreements, silent meters,\nduplicate meter "
	    "ids, and multipliers.  One CSV row per finding.",
	.opts = options,
	.shortopts = "c:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
	.exit1 = "findings were reported",
};

int
main(int argc, char **argv)
{
	const char *cycle = NULL, *html = NULL;
	struct br_output hout = { 0 };
	struct br_regcheck rc;
	struct br_cli_run run;
	int ch, st;
	size_t n;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': cycle = optarg; break;
		case 'H': html = optarg; break;
		default: return cli.status;
		}
	}
	if (cycle == NULL || optind != argc)
		return br_cli_usage_error("--cycle ID is required, and no "
		    "operands");
	if ((st = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return st;
	st = br_regcheck_run(run.st, cycle, &rc, &run.err);
	if (st == 0)
		br_regcheck_write_csv(&rc, run.out.f);
	if (st == 0 && html != NULL &&
	    (st = br_output_open(&hout, html, &run.err)) == 0)
		br_regcheck_write_html(&rc, cycle, hout.f);
	if (html != NULL && br_output_close(&hout, st == 0,
	    st == 0 ? &run.err : NULL) != 0)
		st = -1;
	n = rc.n;
	snprintf(run.counts, sizeof(run.counts), "findings=%zu", n);
	br_regcheck_release(&rc);
	if ((st = br_cli_end(&run, st)) != 0)
		return st;
	return n > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
