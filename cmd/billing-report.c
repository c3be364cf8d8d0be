/*
 * billing-report: reports from the store.
 *   billing-report unbilled --cycle ID     unbilled revenue for a cycle
 *   billing-report eia861m --month YYYY-MM monthly sales (EIA-861M shape)
 *   billing-report review --cycle ID       exception review page (HTML)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "report/review.h"
#include "store/store.h"
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: billing-report unbilled [--db PATH] --cycle ID "
	    "[-o FILE]\n"
	    "       billing-report eia861m [--db PATH] --month YYYY-MM "
	    "[--sector-map FILE.csv] [--exclude-code PREFIX]... [-o FILE]\n"
	    "       billing-report review [--db PATH] --cycle ID "
	    "[-o exceptions.html]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"cycle", required_argument, NULL, 'c'},
		{"month", required_argument, NULL, 'm'},
		{"sector-map", required_argument, NULL, 's'},
		{"exclude-code", required_argument, NULL, 'x'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const char *db = "billing.db", *cycle = NULL, *outpath = NULL;
	const char *excl[16] = {NULL};
	struct br_eia_opts eia = {NULL, NULL, excl, 0};
	struct br_error err;
	struct br_output out;
	struct br_store *st;
	const char *what;
	long nrows = 0;
	int ch, rc, user_excl = 0;

	br_diag_init("billing-report");
	br_error_clear(&err);
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0)) {
			usage(stdout);
			return BR_EXIT_OK;
		}
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	what = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			db = optarg;
			break;
		case 'c':
			cycle = optarg;
			break;
		case 'm':
			eia.month = optarg;
			break;
		case 's':
			eia.sector_map = optarg;
			break;
		case 'x':
			if (user_excl == 16) {
				br_warn("too many --exclude-code options");
				return BR_EXIT_USAGE;
			}
			excl[user_excl++] = optarg;
			eia.nexclude = (size_t)user_excl;
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
	if (optind != argc || (strcmp(what, "unbilled") == 0 && !cycle) ||
	    (strcmp(what, "review") == 0 && !cycle) ||
	    (strcmp(what, "eia861m") == 0 && !eia.month) ||
	    (strcmp(what, "unbilled") != 0 && strcmp(what, "eia861m") != 0 &&
	    strcmp(what, "review") != 0)) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	if ((st = br_store_open(db, BR_STORE_READONLY, &err)) == NULL ||
	    br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	if (strcmp(what, "unbilled") == 0)
		rc = br_report_unbilled(st, cycle, out.f, &nrows, &err);
	else if (strcmp(what, "review") == 0)
		rc = br_review_write(st, cycle, out.f, NULL, &err);
	else
		rc = br_report_eia861m(st, &eia, out.f, &err);
	if (br_output_close(&out, rc == 0, rc == 0 ? &err : NULL) != 0)
		rc = -1;
	br_store_close(st);
	if (rc != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	/* Findings in the unbilled report are exceptions to act on. */
	return nrows > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
