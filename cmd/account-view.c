/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account-view: the dispute view of one account, or one meter's reads.
 *   account-view [--db PATH] [--cycle ID] [--html] [-o FILE] ACCOUNT
 *   account-view [--db PATH] --reads METER --from DATE --to DATE [-o FILE]
 * The work is br_account_view / br_account_reads
 * (lib/report/account_view.c); see docs/account-view.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "core/date.h"
#include "report/account_view.h"
#include "store/store.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID",
	    "detail the bill of this cycle (default: the latest)" },
	{ "html", no_argument, 'H', NULL,
	    "write one self-contained HTML page instead of text" },
	{ "reads", required_argument, 'r', "METER",
	    "print the meter's intervals as CSV (with --from, --to)" },
	{ "from", required_argument, 'f', "YYYY-MM-DD",
	    "--reads: first local day" },
	{ "to", required_argument, 't', "YYYY-MM-DD",
	    "--reads: last local day" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "account-view",
	.synopsis = "usage: account-view [--db PATH] [--cycle ID] [--html] "
	    "[-o FILE] ACCOUNT\n"
	    "       account-view [--db PATH] --reads METER --from YYYY-MM-DD "
	    "--to YYYY-MM-DD [-o FILE]\n",
	.about = "One account's dispute view: usage by bill, meter totals "
	    "with quality,\nexceptions and decisions, bill lines with their "
	    "trace, the ledger and the\naudit records; or one meter's "
	    "intervals as CSV.  See docs/account-view.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
};

int
main(int argc, char **argv)
{
	struct br_account_view_opts opts = { NULL, NULL, 0 };
	const char *meter = NULL, *from = NULL, *to = NULL;
	struct br_cli_run run;
	int32_t d0 = 0, d1 = 0;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': opts.cycle_id = optarg; break;
		case 'H': opts.html = 1; break;
		case 'r': meter = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		default: return cli.status;
		}
	}
	if (meter != NULL && (optind != argc || from == NULL || to == NULL ||
	    br_date_parse(from, (size_t)-1, &d0) != 0 ||
	    br_date_parse(to, (size_t)-1, &d1) != 0 || d1 < d0))
		return br_cli_usage_error("--reads needs --from and --to "
		    "dates YYYY-MM-DD in order, and no account");
	if (meter == NULL && optind + 1 != argc)
		return br_cli_usage_error("give one ACCOUNT (or --reads "
		    "METER)");
	opts.account_id = meter ? NULL : argv[optind];
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	snprintf(run.counts, sizeof(run.counts), "%s=%s", meter ? "meter" :
	    "account", meter ? meter : opts.account_id);
	rc = meter ? br_account_reads(run.st, meter, d0, d1, run.out.f,
	    &run.err) : br_account_view(run.st, &opts, run.out.f, &run.err);
	return br_cli_end(&run, rc);
}
