/*
 * validate-reads: check and estimate the interval reads of one billing
 * period, record exceptions, and write the exception report CSV.
 * The work is br_validate_run (lib/validate/validate.c); see
 * docs/validate-reads.md.
 */
#include <errno.h>
#include <stdbool.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "core/date.h"
#include "store/store.h"
#include "validate/validate.h"
#include "core/banned.h"

static const char usage_text[] =
    "usage: validate-reads [--db PATH] (--cycle ID | --from YYYY-MM-DD "
    "--to YYYY-MM-DD)\n"
    "                      [--account ID] [--max-gap-minutes N] "
    "[--zero-run-hours H]\n"
    "                      [--rules FILE.yaml] [--dispositions FILE.csv]\n"
    "                      [--summary FILE] [--shard K/N] [-v] [-o FILE]\n";

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try '%s --help' for more information", br_diag_tool());
	return BR_EXIT_USAGE;
}

static int
parse_int(const char *s, long lo, long hi, int32_t *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Command-line state besides the library options. */
struct cli {
	const char *db;		/* --db */
	const char *outpath;	/* -o, NULL for stdout */
	const char *rules;	/* --rules */
	const char *dispositions; /* --dispositions */
	const char *summary;	/* --summary */
	int verbose;		/* -v */
	struct br_shard shard;	/* --shard, {0, 0} when not given */
	bool gap_given, zero_given;
};

/*
 * Parse argv into opts and cli.  Returns -1 to go on, or the exit status
 * (0 after --help, 2 after a usage error already reported).
 */
static int
parse_args(int argc, char **argv, struct br_validate_opts *opts,
    struct cli *cli)
{
	static const struct option longopts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "cycle", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "dispositions", required_argument, NULL, 'D' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "max-gap-minutes", required_argument, NULL, 'g' },
		{ "rules", required_argument, NULL, 'r' },
		{ "shard", required_argument, NULL, 'S' },
		{ "summary", required_argument, NULL, 's' },
		{ "to", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "zero-run-hours", required_argument, NULL, 'z' },
		{ NULL, 0, NULL, 0 }
	};
	const char *from = NULL, *to = NULL;
	struct br_error err;
	int ch;

	while ((ch = getopt_long(argc, argv, "ho:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': opts->account_id = optarg; break;
		case 'c': opts->cycle_id = optarg; break;
		case 'd': cli->db = optarg; break;
		case 'D': cli->dispositions = optarg; break;
		case 'r': cli->rules = optarg; break;
		case 's': cli->summary = optarg; break;
		case 'S':
			if (br_shard_parse(optarg, &cli->shard, &err) != 0)
				return usage_error(err.msg);
			break;
		case 'f': from = optarg; break;
		case 'g':
			if (parse_int(optarg, 0, 100000,
			    &opts->max_gap_minutes) != 0)
				return usage_error("bad --max-gap-minutes");
			cli->gap_given = true;
			break;
		case 'h': fputs(usage_text, stdout); return BR_EXIT_OK;
		case 'o': cli->outpath = optarg; break;
		case 't': to = optarg; break;
		case 'v': cli->verbose = 1; break;
		case 'z':
			if (parse_int(optarg, 1, 100000,
			    &opts->zero_run_hours) != 0)
				return usage_error("bad --zero-run-hours");
			cli->zero_given = true;
			break;
		default:
			br_warn("try '%s --help' for more information",
			    br_diag_tool());
			return BR_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if ((opts->cycle_id != NULL) == (from != NULL || to != NULL))
		return usage_error("give either --cycle or --from and --to");
	if (opts->cycle_id == NULL && (from == NULL || to == NULL ||
	    br_date_parse(from, (size_t)-1, &opts->from_day) != 0 ||
	    br_date_parse(to, (size_t)-1, &opts->to_day) != 0))
		return usage_error("--from and --to need YYYY-MM-DD dates");
	return -1;
}

int
main(int argc, char **argv)
{
	struct br_validate_opts opts;
	struct br_validate_summary sum;
	struct cli cli = { "billing.db", NULL, NULL, NULL, NULL, 0, { 0, 0 },
	    false, false };
	struct br_vee_rules rules;
	struct br_disposition_result disp;
	struct br_output out, sout;
	struct br_error err, cerr;
	struct br_store *st;
	int rc;
	size_t i;

	br_diag_init("validate-reads");
	br_error_clear(&err);
	br_validate_opts_init(&opts);
	if ((rc = parse_args(argc, argv, &opts, &cli)) >= 0)
		return rc;
	memset(&disp, 0, sizeof(disp));
	br_vee_rules_default(&rules);
	if (cli.rules != NULL &&
	    br_vee_rules_load(&rules, cli.rules, &err) != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	opts.rules = &rules;
	if (!cli.gap_given)
		opts.max_gap_minutes = (int32_t)(br_vee_param(&rules,
		    BR_VEE_GAP_ESTIMATED, 0) / 1000);
	if (!cli.zero_given) {
		opts.zero_run_hours = (int32_t)(br_vee_param(&rules,
		    BR_VEE_ZERO_RUN, 0) / 1000);
		if (opts.zero_run_hours <= 0)
			opts.zero_run_hours = 1;
	}
	if ((st = br_store_open(cli.db, 0, &err)) == NULL) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	if (br_store_begin(st, &err) != 0 ||
	    br_shard_bind(st, &cli.shard, &err) != 0 ||
	    br_output_open(&out, cli.outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	sout.f = NULL;
	rc = 0;
	if (cli.dispositions != NULL) {
		rc = br_disposition_apply(st, cli.dispositions, NULL, &disp,
		    &err);
		opts.force = disp.force;
		opts.nforce = disp.nforce;
	}
	if (rc == 0)
		rc = br_validate_run(st, &opts, out.f, &sum, &err);
	if (rc == 0 && cli.summary != NULL) {
		rc = br_output_open(&sout, cli.summary, &err);
		if (rc == 0)
			rc = br_validate_write_summary(&sum, sout.f, &err);
		else
			sout.f = NULL;
	}
	if (rc == 0)
		rc = br_store_commit(st, &err);
	else
		br_store_rollback(st);
	br_disposition_release(&disp);
	/* On a failed close after the commit the store keeps the run. */
	if (sout.f != NULL &&
	    br_output_close(&sout, rc == 0, rc == 0 ? &err : &cerr) != 0)
		rc = -1;
	if (br_output_close(&out, rc == 0, rc == 0 ? &err : &cerr) != 0)
		rc = -1;
	br_store_close(st);
	if (rc != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	if (cli.verbose) {
		for (i = 0; i < sum.ncodes; i++)
			br_warn("%s %s: %ld", sum.codes[i].code,
			    sum.codes[i].severity, sum.codes[i].count);
		if (cli.dispositions != NULL)
			br_warn("%ld decisions applied", disp.applied);
		if (cli.dispositions != NULL && disp.skipped > 0)
			br_warn("%ld decisions for other shards skipped",
			    disp.skipped);
		br_warn("%ld meters, %ld meter-days, %ld intervals estimated, "
		    "%ld exceptions", sum.meters, sum.days, sum.estimated,
		    sum.rows);
	}
	return sum.warn_hold > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
