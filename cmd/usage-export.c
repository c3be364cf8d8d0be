/* SPDX-License-Identifier: Apache-2.0 */
/*
 * usage-export: Green Button Download My Data.  Writes the ESPI Atom feed
 * (and with --csv a daily-use CSV) of one account or of every account of
 * a cycle, 24 months back or what is stored (lib/export/espi.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "export/espi.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/money.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "account", required_argument, 'a', "ID", "export this account" },
	{ "cycle", required_argument, 'c', "ID",
	    "export every account of this cycle, window ending on its "
	    "period end" },
	{ "months", required_argument, 'm', "N",
	    "months back from the window end (default 24)" },
	{ "base", required_argument, 'b', "HREF",
	    "href prefix (default /espi/1_1/resource)" },
	{ "csv", required_argument, 'C', "FILE",
	    "also write the daily-use CSV" },
	{ "shard", required_argument, 'K', "K/N",
	    "the shard store of shard K of N" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "usage-export",
	.synopsis = "usage: usage-export [--db PATH] (--account ID | --cycle "
	    "ID) [--months N]\n                    [--base HREF] [--csv FILE] "
	    "[--shard K/N] [-o FILE]\n",
	.about = "Green Button Download My Data: the ESPI Atom feed of one "
	    "account or a cycle\n(docs/usage-export.md).",
	.opts = options,
	.shortopts = "a:c:m:b:C:K:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
};

int
main(int argc, char **argv)
{
	struct br_espi_opts o = {NULL, NULL, 0, NULL};
	struct br_espi_stats es = {0, 0, 0, 0, 0};
	struct br_shard shard = {0, 0};
	struct br_cli_run run;
	struct br_output csv;
	struct br_error err;
	const char *csvpath = NULL;
	int64_t v;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'a': o.account_id = optarg; break;
		case 'c': o.cycle_id = optarg; break;
		case 'b': o.base = optarg; break;
		case 'C': csvpath = optarg; break;
		case 'm':
			if (br_int_parse(optarg, (size_t)-1, 1, 1200, &v) != 0)
				return br_cli_usage_error("--months: not "
				    "1..1200");
			o.months = (int)v;
			break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &err) != 0)
				return br_cli_usage_error(err.msg);
			break;
		default: return cli.status;
		}
	}
	if (optind != argc)
		return br_cli_usage_error("unexpected argument");
	if (o.account_id == NULL && o.cycle_id == NULL)
		return br_cli_usage_error("--account or --cycle is required");
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, &shard,
	    cli.output)) != 0)
		return rc;
	csv.f = NULL;
	rc = csvpath != NULL ? br_output_open(&csv, csvpath, &run.err) : 0;
	if (rc == 0)
		rc = br_espi_export(run.st, &o, run.out.f, csv.f, &es,
		    &run.err);
	snprintf(run.counts, sizeof(run.counts), "accounts=%ld meters=%ld "
	    "days=%ld readings=%ld", es.accounts, es.meters, es.days,
	    es.readings);
	if (csv.f != NULL && br_output_close(&csv, rc == 0, rc == 0 ?
	    &run.err : NULL) != 0)
		rc = -1;
	return br_cli_end(&run, rc);
}
