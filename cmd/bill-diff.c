/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bill-diff: compare the bills of two stores (two runs of a cycle, a
 * replay against its original, or an actual run against a what-if run)
 * account by account and line by line, with the reason for each change.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/billdiff.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID", "compare this cycle only" },
	{ "account", required_argument, 'a', "ID",
	    "compare this account only" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "bill-diff",
	.synopsis = "usage: bill-diff [--cycle ID] [--account ID] [-o FILE] "
	    "[--summary FILE]\n                 [-v] OLD.db NEW.db\n",
	.about = "Compare the bills of two stores account by account and "
	    "line by line, with\nthe reason for each change.",
	.opts = options,
	.shortopts = "c:a:",
	.common = BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY |
	    BR_CLI_SUMFILE,
	.exit1 = "bills differ",
};

static void
summary(const void *stats, FILE *f)
{
	br_billdiff_summary_write(stats, f);
}

int
main(int argc, char **argv)
{
	struct br_billdiff_opts opts = {NULL, NULL};
	struct br_billdiff_stats stats;
	struct br_cli_run run;
	struct br_store *b;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': opts.cycle_id = optarg; break;
		case 'a': opts.account_id = optarg; break;
		default: return cli.status;
		}
	}
	if (argc - optind != 2) {
		fputs(cli.synopsis, stderr);
		return BR_EXIT_USAGE;
	}
	if ((rc = br_cli_begin(&run, argv[optind], BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	if ((b = br_store_open(argv[optind + 1], BR_STORE_READONLY,
	    &run.err)) == NULL)
		rc = -1;
	else if ((rc = br_billdiff_run(run.st, b, &opts, run.out.f, &stats,
	    &run.err)) == 0) {
		snprintf(run.counts, sizeof(run.counts), "bills=%ld changed=%ld "
		    "added=%ld removed=%ld", stats.bills_compared,
		    stats.bills_changed, stats.bills_added,
		    stats.bills_removed);
		rc = br_cli_summary_write(&cli, NULL, summary, &stats,
		    &run.err);
	}
	br_store_close(b);
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	return stats.bills_changed || stats.bills_added ||
	    stats.bills_removed ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
