/* SPDX-License-Identifier: Apache-2.0 */
/*
 * customer-alerts: alerts.csv for a mail/SMS vendor, before the bill:
 * the cycle's exceptions of the rules marked customer_facing (VEE rules
 * YAML, compiled-in defaults without --rules) as one row per account,
 * alert and meter with contacts, message and amount at stake
 * (lib/export/alerts.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "export/alerts.h"
#include "validate/vee_rules.h"
#include "store/shard.h"
#include "store/store.h"
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: customer-alerts [--db PATH] --cycle ID "
	    "[--account ID] [--rules FILE.yaml] [--max-length N]\n"
	    "                       [--shard K/N] [-o FILE]\n");
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"cycle", required_argument, NULL, 'c'},
		{"account", required_argument, NULL, 'a'},
		{"rules", required_argument, NULL, 'r'},
		{"max-length", required_argument, NULL, 'm'},
		{"output", required_argument, NULL, 'o'},
		{"shard", required_argument, NULL, 'K'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	struct br_alert_opts o = {NULL, NULL, NULL, 0};
	const char *codes[BR_VEE_NRULES + 1];
	const char *db = "billing.db", *outpath = NULL, *rules = NULL;
	struct br_alert_stats stats;
	struct br_vee_rules vr;
	struct br_output out;
	struct br_shard shard = {0, 0};
	struct br_error err;
	struct br_store *st;
	int ch, i, n = 0, ok;
	char *end;
	long v;

	br_diag_init("customer-alerts");
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "d:c:a:r:m:o:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'c': o.cycle_id = optarg; break;
		case 'a': o.account_id = optarg; break;
		case 'r': rules = optarg; break;
		case 'o': outpath = optarg; break;
		case 'm':
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 40 || v > 1000) {
				br_warn("--max-length: '%s' is not 40..1000",
				    optarg);
				return BR_EXIT_USAGE;
			}
			o.max_message = (size_t)v;
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
	if (optind != argc || o.cycle_id == NULL) {
		usage(stderr);
		return BR_EXIT_USAGE;
	}
	if (rules != NULL ? br_vee_rules_load(&vr, rules, &err) != 0 :
	    (br_vee_rules_default(&vr), 0)) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	for (i = 0; i < BR_VEE_NRULES; i++)
		if (vr.rule[i].customer_facing)
			codes[n++] = vr.rule[i].code;
	codes[n] = NULL;
	o.codes = codes;
	if ((st = br_store_open(db, BR_STORE_READONLY, &err)) == NULL ||
	    br_shard_bind(st, &shard, &err) != 0) {
		br_store_close(st);
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	if (br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	ok = br_alerts_write(st, &o, out.f, &stats, &err) == 0;
	if (br_output_close(&out, ok, ok ? &err : NULL) != 0)
		ok = 0;
	br_store_close(st);
	if (!ok) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	return BR_EXIT_OK;
}
