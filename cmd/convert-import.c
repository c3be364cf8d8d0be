/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert-import: load the legacy system's opening balances, deposits,
 * billed history, NEM banks and ratchet history (docs/man/br-convert.5)
 * into the store in one transaction; a bad row changes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert/convert.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "convert-import",
	.synopsis = "usage: convert-import [--db PATH] [-o FILE] DIR\n",
	.about = "Load the conversion files of DIR (balances.csv, "
	    "deposits.csv, history.csv,\nnem_banks.csv, ratchets.csv; "
	    "br-convert(5)) into the store and print one\nsummary row per "
	    "record type.  The registry must be loaded first.",
	.opts = options,
	.shortopts = "",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
};

int
main(int argc, char **argv)
{
	struct br_convert_stats s;
	struct br_cli_run run;
	int ch, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1)
		return cli.status;
	if (argc - optind != 1)
		return br_cli_usage_error("one conversion directory expected");
	if ((rc = br_cli_begin(&run, cli.db, 0, NULL, cli.output)) != 0)
		return rc;
	rc = br_convert_load_dir(run.st, argv[optind], &s, &run.err);
	if (rc == 0) {
		snprintf(run.counts, sizeof(run.counts), "balances=%ld "
		    "ledger_entries=%ld deposits=%ld history=%ld nem_banks=%ld "
		    "ratchets=%ld", s.balances, s.ledger_entries, s.deposits,
		    s.history, s.nem_banks, s.ratchets);
		fprintf(run.out.f, "record,rows\nbalances,%ld\n"
		    "ledger_entries,%ld\ndeposits,%ld\nhistory,%ld\n"
		    "nem_banks,%ld\nratchets,%ld\n", s.balances,
		    s.ledger_entries, s.deposits, s.history, s.nem_banks,
		    s.ratchets);
	}
	return br_cli_end(&run, rc);
}
