/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit-verify: check the store's hash-chained audit log and every audited
 * table (bills, bill lines, payments, ledger, exception decisions) against
 * it; report each edited, deleted, unaudited or unsealed record.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "store/audit.h"
#include "store/store.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "head", no_argument, 'H', NULL,
	    "print only the chain head and the record count" },
	{ "manifest", no_argument, 'M', NULL,
	    "also check the chain against the heads recorded in the run "
	    "manifests given as operands" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "audit-verify",
	.synopsis = "usage: audit-verify [--db PATH] [--head] [-o FILE]\n"
	    "       audit-verify [--db PATH] [-o FILE] --manifest FILE...\n",
	.about = "Check the hash-chained audit log and every audited table "
	    "against it;\nreport each edited, deleted, unaudited or unsealed "
	    "record.",
	.opts = options,
	.shortopts = "d:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
	.exit1 = "audit problems were found",
};

/*
 * The "audit HEAD RECORDS" line of a run manifest (scripts/run-cycle.sh)
 * into head and seq.  Returns 0, or -1 with err (66 unreadable, 65 no
 * such line).
 */
static int
manifest_head(const char *path, char head[65], int64_t *seq,
    struct br_error *err)
{
	char line[256];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0, "cannot read "
		    "manifest");
	while (fgets(line, sizeof(line), f) != NULL) {
		char *sp;
		n++;
		if (strncmp(line, "audit ", 6) != 0)
			continue;
		line[strcspn(line, "\r\n")] = '\0';
		sp = strchr(line + 6, ' ');
		fclose(f);
		if (sp == NULL || br_int_parse(sp + 1, (size_t)-1, 0,
		    INT64_MAX, seq) != 0)
			return br_error_set(err, BR_EINPUT, path, n,
			    "bad audit line (want 'audit HEAD RECORDS')");
		*sp = '\0';
		/* "-" and 0 for an empty log, else 64 hex digits */
		if (!(strcmp(line + 6, "-") == 0 && *seq == 0) &&
		    !(strlen(line + 6) == 64 && strspn(line + 6,
		    "0123456789abcdef") == 64 && *seq > 0))
			return br_error_set(err, BR_EINPUT, path, n,
			    "bad audit line (want 'audit HEAD RECORDS')");
		snprintf(head, 65, "%s", line + 6);
		return 0;
	}
	fclose(f);
	return br_error_set(err, BR_EINPUT, path, 0, "no 'audit HEAD "
	    "RECORDS' line: not a run manifest");
}

/* Each manifest's recorded head against the chain (after the verify). */
static int
anchors(struct br_store *st, int n, char **paths, FILE *out,
    struct br_audit_stats *stats, struct br_error *err)
{
	char head[65];
	int64_t seq;
	int i;

	for (i = 0; i < n; i++)
		if (manifest_head(paths[i], head, &seq, err) != 0 ||
		    br_audit_check_anchor(st, paths[i], head, seq, out, stats,
		    err) != 0)
			return -1;
	return 0;
}

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
	int ch, head_only = 0, manifests = 0, rc;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'H': head_only = 1; break;
		case 'M': manifests = 1; break;
		default: return cli.status;
		}
	}
	if (manifests ? optind == argc || head_only : optind != argc) {
		fputs(cli.synopsis, stderr);
		return BR_EXIT_USAGE;
	}
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, NULL,
	    cli.output)) != 0)
		return rc;
	rc = verify(run.st, head_only, run.out.f, &stats, &run.err);
	if (rc == 0 && manifests)
		rc = anchors(run.st, argc - optind, argv + optind, run.out.f,
		    &stats, &run.err);
	snprintf(run.counts, sizeof(run.counts), "records=%ld problems=%ld",
	    stats.records, stats.problems);
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	if (stats.problems > 0) {
		br_warn("%ld audit problem(s) in '%s' (%ld records checked)",
		    stats.problems, cli.db, stats.records);
		return BR_EXIT_EXCEPTIONS;
	}
	return BR_EXIT_OK;
}
