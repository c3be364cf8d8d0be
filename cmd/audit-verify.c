/*
 * audit-verify: check the store's hash-chained audit log and every audited
 * table (bills, bill lines, payments, ledger, exception decisions) against
 * it; report each edited, deleted, unaudited or unsealed record.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "store/audit.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "head", no_argument, 'H', NULL,
	    "print only the chain head and the record count" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "audit-verify",
	.synopsis = "usage: audit-verify [--db PATH] [--head] [-o FILE]\n",
	.about = "Check the hash-chained audit log and every audited table "
	    "against it;\nreport each edited, deleted, unaudited or unsealed "
	    "record.",
	.opts = options,
	.shortopts = "d:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT,
	.exit1 = "audit problems were found",
};

/* The report, or with --head the chain head and record count. */
static int
verify(struct br_store *st, int head_only, FILE *out,
    struct br_audit_stats *stats, struct br_error *err)
{
	FILE *sink;
	int rc;

	if (!head_only)
		return br_audit_verify(st, out, stats, err);
	if ((sink = fopen("/dev/null", "w")) == NULL)
		return br_error_set(err, BR_EIO, NULL, 0, "cannot open "
		    "/dev/null");
	rc = br_audit_verify(st, sink, stats, err);
	fclose(sink);
	if (rc == 0)
		fprintf(out, "%s %ld\n", stats->head[0] ? stats->head : "-",
		    stats->records);
	return rc;
}

int
main(int argc, char **argv)
{
	struct br_audit_stats stats;
	struct br_cli_run run;
	int ch, head_only = 0, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'H': head_only = 1; break;
		default: return cli.status;
		}
	}
	if (optind != argc) {
		fputs(cli.synopsis, stderr);
		return BR_EXIT_USAGE;
	}
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	rc = verify(run.st, head_only, run.out.f, &stats, &run.err);
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	if (stats.problems > 0) {
		br_warn("%ld audit problem(s) in '%s' (%ld records checked)",
		    stats.problems, cli.db, stats.records);
		return BR_EXIT_EXCEPTIONS;
	}
	return BR_EXIT_OK;
}
