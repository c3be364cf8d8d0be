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
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bill-diff [--cycle ID] [--account ID] [-o FILE] "
	    "OLD.db NEW.db\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"cycle", required_argument, NULL, 'c'},
		{"account", required_argument, NULL, 'a'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct br_billdiff_opts opts = {NULL, NULL};
	struct br_billdiff_stats stats;
	struct br_error err;
	struct br_output out;
	struct br_store *a = NULL, *b = NULL;
	const char *outpath = NULL;
	int ch, status;

	br_diag_init("bill-diff");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "c:a:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			opts.cycle_id = optarg;
			break;
		case 'a':
			opts.account_id = optarg;
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
	if (argc - optind != 2) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	if ((a = br_store_open(argv[optind], BR_STORE_READONLY, &err)) == NULL ||
	    (b = br_store_open(argv[optind + 1], BR_STORE_READONLY, &err)) ==
	    NULL || br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(a);
		br_store_close(b);
		return br_exit_from_error(err.code);
	}
	if (br_billdiff_run(a, b, &opts, out.f, &stats, &err) != 0) {
		br_output_close(&out, 0, NULL);
		br_diag_error(&err);
		status = br_exit_from_error(err.code);
	} else if (br_output_close(&out, 1, &err) != 0) {
		br_diag_error(&err);
		status = br_exit_from_error(err.code);
	} else
		status = stats.bills_changed || stats.bills_added ||
		    stats.bills_removed ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	br_store_close(a);
	br_store_close(b);
	return status;
}
