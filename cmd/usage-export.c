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
#include "store/shard.h"
#include "store/store.h"
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: usage-export [--db PATH] (--account ID | --cycle ID)"
	    " [--months N] [--base HREF] [--csv FILE] [--shard K/N] [-o FILE]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"account", required_argument, NULL, 'a'},
		{"cycle", required_argument, NULL, 'c'},
		{"months", required_argument, NULL, 'm'},
		{"base", required_argument, NULL, 'b'},
		{"csv", required_argument, NULL, 'v'},
		{"output", required_argument, NULL, 'o'},
		{"shard", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct br_espi_opts o = {NULL, NULL, 0, NULL};
	struct br_output out, csv;
	struct br_shard shard = {0, 0};
	struct br_error err;
	struct br_store *st;
	const char *db = "billing.db", *outpath = NULL, *csvpath = NULL;
	char *end;
	int ch, ok;

	br_diag_init("usage-export");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "d:a:c:m:b:v:o:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': o.account_id = optarg; break;
		case 'c': o.cycle_id = optarg; break;
		case 'b': o.base = optarg; break;
		case 'v': csvpath = optarg; break;
		case 'o': outpath = optarg; break;
		case 'm':
			o.months = (int)strtol(optarg, &end, 10);
			if (*end != '\0' || o.months < 1 || o.months > 1200) {
				br_warn("--months: '%s' is not 1..1200",
				    optarg);
				return BR_EXIT_USAGE;
			}
			break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &err) != 0) {
				br_diag_error(&err);
				return BR_EXIT_USAGE;
			}
			break;
		case 'h': usage(stdout); return BR_EXIT_OK;
		default: usage(stderr); return BR_EXIT_USAGE;
		}
	}
	if (optind != argc || (o.account_id == NULL && o.cycle_id == NULL)) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	if ((st = br_store_open(db, BR_STORE_READONLY, &err)) == NULL ||
	    br_shard_bind(st, &shard, &err) != 0) {
		br_store_close(st);
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	csv.f = NULL;
	if (br_output_open(&out, outpath, &err) != 0 || (csvpath != NULL &&
	    br_output_open(&csv, csvpath, &err) != 0)) {
		if (out.f != NULL)
			br_output_close(&out, 0, NULL);
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	ok = br_espi_export(st, &o, out.f, csv.f, NULL, &err) == 0;
	if (csv.f != NULL && br_output_close(&csv, ok, ok ? &err : NULL) != 0)
		ok = 0;
	if (br_output_close(&out, ok, ok ? &err : NULL) != 0)
		ok = 0;
	br_store_close(st);
	if (!ok) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	return BR_EXIT_OK;
}
