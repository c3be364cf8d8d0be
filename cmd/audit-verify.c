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
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: audit-verify [--db PATH] [--head] [-o FILE]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"head", no_argument, NULL, 'H'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *db = "billing.db", *outpath = NULL;
	struct br_audit_stats stats;
	struct br_error err;
	struct br_output out;
	struct br_store *st;
	int ch, head_only = 0, status;

	br_diag_init("audit-verify");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "d:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'H':
			head_only = 1;
			break;
		case 'o':
			outpath = optarg;
			break;
		case 'h':
			usage(stdout);
			return BR_EXIT_OK;
		default:
			usage(stderr);
			return BR_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	if ((st = br_store_open(db, BR_STORE_READONLY, &err)) == NULL ||
	    br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	if (head_only) {
		FILE *sink = fopen("/dev/null", "w");
		if (sink == NULL || br_audit_verify(st, sink, &stats, &err) != 0) {
			if (sink)
				fclose(sink);
			br_output_close(&out, 0, NULL);
			br_diag_error(&err);
			br_store_close(st);
			return br_exit_from_error(err.code);
		}
		fclose(sink);
		fprintf(out.f, "%s %ld\n", stats.head[0] ? stats.head : "-",
		    stats.records);
	} else if (br_audit_verify(st, out.f, &stats, &err) != 0) {
		br_output_close(&out, 0, NULL);
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	if (br_output_close(&out, 1, &err) != 0) {
		br_diag_error(&err);
		status = br_exit_from_error(err.code);
	} else if (stats.problems > 0) {
		br_warn("%ld audit problem(s) in '%s' (%ld records checked)",
		    stats.problems, db, stats.records);
		status = BR_EXIT_EXCEPTIONS;
	} else
		status = BR_EXIT_OK;
	br_store_close(st);
	return status;
}
