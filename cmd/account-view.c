/* SPDX-License-Identifier: Apache-2.0 */
/*
 * account-view: the dispute view of one account, or one meter's reads.
 *   account-view [--db PATH] [--cycle ID] [--html] [-o FILE] ACCOUNT
 *   account-view [--db PATH] --reads METER --from DATE --to DATE [-o FILE]
 * See docs/account-view.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "core/date.h"
#include "report/account_view.h"
#include "store/store.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: account-view [--db PATH] [--cycle ID] [--html] "
	    "[-o FILE] ACCOUNT\n"
	    "       account-view [--db PATH] --reads METER --from YYYY-MM-DD "
	    "--to YYYY-MM-DD [-o FILE]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"cycle", required_argument, NULL, 'c'},
		{"html", no_argument, NULL, 'H'},
		{"reads", required_argument, NULL, 'r'},
		{"from", required_argument, NULL, 'f'},
		{"to", required_argument, NULL, 't'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct br_account_view_opts opts = { NULL, NULL, 0 };
	const char *db = "billing.db", *outpath = NULL, *meter = NULL;
	const char *from = NULL, *to = NULL;
	int32_t d0 = 0, d1 = 0;
	struct br_error err;
	struct br_output out;
	struct br_store *st;
	int ch, rc;

	br_diag_init("account-view");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'c': opts.cycle_id = optarg; break;
		case 'H': opts.html = 1; break;
		case 'r': meter = optarg; break;
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'o': outpath = optarg; break;
		case 'h': usage(stdout); return BR_EXIT_OK;
		default: usage(stderr); return BR_EXIT_USAGE;
		}
	}
	if (meter ? (optind != argc || !from || !to ||
	    br_date_parse(from, (size_t)-1, &d0) != 0 ||
	    br_date_parse(to, (size_t)-1, &d1) != 0 || d1 < d0) :
	    optind + 1 != argc) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	opts.account_id = meter ? NULL : argv[optind];
	if ((st = br_store_open(db, BR_STORE_READONLY, &err)) == NULL ||
	    br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	rc = meter ? br_account_reads(st, meter, d0, d1, out.f, &err) :
	    br_account_view(st, &opts, out.f, &err);
	if (br_output_close(&out, rc == 0, rc == 0 ? &err : NULL) != 0)
		rc = -1;
	br_store_close(st);
	if (rc != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	return BR_EXIT_OK;
}
