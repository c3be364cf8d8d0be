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
#include "store/store.h"
#include "common/cli.h"
#include "core/money.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID", "the bill cycle (required)" },
	{ "account", required_argument, 'a', "ID", "this account only" },
	{ "rules", required_argument, 'r', "FILE.yaml",
	    "VEE rules (customer_facing); default: the compiled-in rules" },
	{ "max-length", required_argument, 'm', "N",
	    "message length limit in bytes, 40..1000 (default 320)" },
	{ "shard", required_argument, 'K', "K/N",
	    "the shard store of shard K of N" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "customer-alerts",
	.synopsis = "usage: customer-alerts [--db PATH] --cycle ID "
	    "[--account ID] [--rules FILE.yaml]\n"
	    "                       [--max-length N] [--shard K/N] "
	    "[-o FILE]\n",
	.about = "alerts.csv for a mail/SMS vendor: leak, high usage and "
	    "estimated-bill alerts\nof the cycle (docs/customer-alerts.md).",
	.opts = options,
	.shortopts = "c:a:r:m:K:",
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY,
};

int
main(int argc, char **argv)
{
	struct br_alert_opts o = {NULL, NULL, NULL, 0};
	struct br_alert_stats as = {0, 0};
	const char *codes[BR_VEE_NRULES + 1], *rules = NULL;
	struct br_shard shard = {0, 0};
	struct br_vee_rules vr;
	struct br_cli_run run;
	struct br_error err;
	int ch, i, n = 0, rc;
	int64_t v;

	br_cli_init(&cli, argc, argv);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'c': o.cycle_id = optarg; break;
		case 'a': o.account_id = optarg; break;
		case 'r': rules = optarg; break;
		case 'm':
			if (br_int_parse(optarg, (size_t)-1, 40, 1000, &v) != 0)
				return br_cli_usage_error("--max-length: not "
				    "40..1000");
			o.max_message = (size_t)v;
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
	if (o.cycle_id == NULL)
		return br_cli_usage_error("--cycle is required");
	br_error_clear(&err);
	if (rules != NULL && br_vee_rules_load(&vr, rules, &err) != 0)
		return br_cli_fail(&err);
	if (rules == NULL)
		br_vee_rules_default(&vr);
	for (i = 0; i < BR_VEE_NRULES; i++)
		if (vr.rule[i].customer_facing)
			codes[n++] = vr.rule[i].code;
	codes[n] = NULL;
	o.codes = codes;
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_READONLY, &shard,
	    cli.output)) != 0)
		return rc;
	rc = br_alerts_write(run.st, &o, run.out.f, &as, &run.err);
	snprintf(run.counts, sizeof(run.counts), "alerts=%ld exceptions=%ld",
	    as.alerts, as.exceptions);
	return br_cli_end(&run, rc);
}
