/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate-reads: check and estimate the interval reads of one billing
 * period, record exceptions, and write the exception report CSV.
 * The work is br_validate_run (lib/validate/validate.c); see
 * docs/validate-reads.md.
 */
#include <stdbool.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cli.h"
#include "core/date.h"
#include "store/store.h"
#include "validate/validate.h"
#include "core/money.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID",
	    "validate the period of this bill cycle" },
	{ "from", required_argument, 'f', "YYYY-MM-DD",
	    "first day of the period (with --to)" },
	{ "to", required_argument, 't', "YYYY-MM-DD",
	    "last day of the period (with --from)" },
	{ "account", required_argument, 'a', "ID",
	    "validate this account only" },
	{ "max-gap-minutes", required_argument, 'g', "N",
	    "estimate gaps up to N minutes (default from the rules)" },
	{ "zero-run-hours", required_argument, 'z', "H",
	    "flag zero runs of H hours or more (default from the rules)" },
	{ "rules", required_argument, 'r', "FILE.yaml",
	    "VEE rules (docs/vee-rules.md)" },
	{ "dispositions", required_argument, 'D', "FILE.csv",
	    "apply review decisions first" },
	{ "release", required_argument, 'R', "ID",
	    "release exception ID (EX-... or the decimal id)" },
	{ "override", required_argument, 'O', "ID",
	    "override exception ID: bill as read, close it" },
	{ "keep", required_argument, 'K', "ID",
	    "keep exception ID (and its bill) on hold" },
	{ "reviewer", required_argument, 'w', "NAME",
	    "who decided (--release, --override, --keep)" },
	{ "note", required_argument, 'n', "TEXT",
	    "a note with the decision" },
	{ "as-of", required_argument, 'A', "YYYY-MM-DD",
	    "the date recorded with decisions (default today, UTC)" },
	{ "summary", required_argument, 's', "FILE",
	    "write the per-code summary to FILE" },
	{ "shard", required_argument, 'S', "K/N",
	    "validate the accounts of shard K of N" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "validate-reads",
	.synopsis =
    "usage: validate-reads [--db PATH] (--cycle ID | --from YYYY-MM-DD "
    "--to YYYY-MM-DD)\n"
    "                      [--account ID] [--max-gap-minutes N] "
    "[--zero-run-hours H]\n"
    "                      [--rules FILE.yaml] [--dispositions FILE.csv]\n"
    "                      [(--release|--override|--keep) ID --reviewer NAME "
    "[--note TEXT]]\n"
    "                      [--as-of YYYY-MM-DD] [--summary FILE] "
    "[--shard K/N] [-v] [-o FILE]\n",
	.about = "Check and estimate the interval reads of one billing "
	    "period; write the\nexception report CSV.  See "
	    "docs/validate-reads.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE,
	.exit1 = "validate exceptions (warn or hold) of the period are "
	    "still open",
};

static int
parse_int(const char *s, long lo, long hi, int32_t *out)
{
	int64_t v;

	if (br_int_parse(s, (size_t)-1, lo, hi, &v) != 0)
		return -1;
	*out = (int32_t)v;
	return 0;
}

/* Command-line state besides the library options. */
struct args {
	const char *rules;	/* --rules */
	const char *dispositions; /* --dispositions */
	const char *summary;	/* --summary */
	struct br_shard shard;	/* --shard, {0, 0} when not given */
	bool gap_given, zero_given;
	const char *decision;	/* --release/--override/--keep: release ... */
	const char *exc_id;	/* ... of this id */
	const char *reviewer, *note;
	char as_of[16];		/* --as-of, else today (UTC) */
};

/* One decision on the command line: --release/--override/--keep ID. */
static int
set_decision(struct args *a, const char *decision)
{
	if (a->decision != NULL)
		return br_cli_usage_error("give one of --release, --override "
		    "and --keep");
	a->decision = decision;
	a->exc_id = optarg;
	return -1;
}

/* Check the decision options and default --as-of to today (UTC). */
static int
check_decision(struct args *a, const char *as_of)
{
	int32_t day;

	if (as_of != NULL) {
		if (br_date_parse(as_of, (size_t)-1, &day) != 0)
			return br_cli_usage_error("--as-of wants a date "
			    "YYYY-MM-DD");
	} else {
		day = (int32_t)br_floor_div((int64_t)time(NULL), 86400);
	}
	br_date_format(day, a->as_of, sizeof(a->as_of));
	if ((a->reviewer != NULL || a->note != NULL) && a->decision == NULL)
		return br_cli_usage_error("--reviewer and --note go with "
		    "--release, --override or --keep");
	if (a->decision != NULL && (a->reviewer == NULL ||
	    *a->reviewer == '\0'))
		return br_cli_usage_error("a decision needs --reviewer NAME");
	return -1;
}

/*
 * Parse argv into opts and a.  Returns -1 to go on, or the exit status
 * (0 after --help, 2 after a usage error already reported).
 */
static int
parse_args(int argc, char **argv, struct br_validate_opts *opts,
    struct args *a)
{
	const char *from = NULL, *to = NULL, *as_of = NULL;
	struct br_error err;
	int ch, rc;

	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'a': opts->account_id = optarg; break;
		case 'c': opts->cycle_id = optarg; break;
		case 'D': a->dispositions = optarg; break;
		case 'R':
		case 'O':
		case 'K':
			if ((rc = set_decision(a, ch == 'R' ? "release" :
			    ch == 'O' ? "override" : "keep")) >= 0)
				return rc;
			break;
		case 'w': a->reviewer = optarg; break;
		case 'n': a->note = optarg; break;
		case 'A': as_of = optarg; break;
		case 'r': a->rules = optarg; break;
		case 's': a->summary = optarg; break;
		case 'S':
			if (br_shard_parse(optarg, &a->shard, &err) != 0)
				return br_cli_usage_error(err.msg);
			break;
		case 'f': from = optarg; break;
		case 'g':
			if (parse_int(optarg, 0, 100000,
			    &opts->max_gap_minutes) != 0)
				return br_cli_usage_error(
				    "bad --max-gap-minutes");
			a->gap_given = true;
			break;
		case 't': to = optarg; break;
		case 'z':
			if (parse_int(optarg, 1, 100000,
			    &opts->zero_run_hours) != 0)
				return br_cli_usage_error(
				    "bad --zero-run-hours");
			a->zero_given = true;
			break;
		default: return cli.status;
		}
	}
	if (optind != argc)
		return br_cli_usage_error("unexpected argument");
	if ((opts->cycle_id != NULL) == (from != NULL || to != NULL))
		return br_cli_usage_error("give either --cycle or --from and "
		    "--to");
	if (opts->cycle_id == NULL && (from == NULL || to == NULL ||
	    br_date_parse(from, (size_t)-1, &opts->from_day) != 0 ||
	    br_date_parse(to, (size_t)-1, &opts->to_day) != 0))
		return br_cli_usage_error("--from and --to need YYYY-MM-DD "
		    "dates");
	return check_decision(a, as_of);
}

/* The rules file, and the defaults it gives the limits not on argv. */
static int
load_rules(const struct args *a, struct br_vee_rules *rules,
    struct br_validate_opts *opts, struct br_error *err)
{
	br_vee_rules_default(rules);
	if (a->rules != NULL && br_vee_rules_load(rules, a->rules, err) != 0)
		return -1;
	opts->rules = rules;
	if (!a->gap_given)
		opts->max_gap_minutes = (int32_t)(br_vee_param(rules,
		    BR_VEE_GAP_ESTIMATED, 0) / 1000);
	if (!a->zero_given) {
		opts->zero_run_hours = (int32_t)(br_vee_param(rules,
		    BR_VEE_ZERO_RUN, 0) / 1000);
		if (opts->zero_run_hours <= 0)
			opts->zero_run_hours = 1;
	}
	return 0;
}

/* Decisions, the run, the summary file (sout, left open for the end). */
static int
work(struct br_cli_run *run, const struct args *a,
    struct br_validate_opts *opts, struct br_validate_summary *sum,
    struct br_disposition_result *disp, struct br_output *sout)
{
	if (a->dispositions != NULL) {
		if (br_disposition_apply(run->st, a->dispositions, a->as_of,
		    disp, &run->err) != 0)
			return -1;
		opts->force = disp->force;
		opts->nforce = disp->nforce;
	} else if (a->decision != NULL) {
		if (br_disposition_one(run->st, a->exc_id, a->decision,
		    a->reviewer, a->note, a->as_of, disp, &run->err) != 0)
			return -1;
	}
	if (br_validate_run(run->st, opts, run->out.f, sum, &run->err) != 0)
		return -1;
	if (a->summary == NULL)
		return 0;
	if (br_output_open(sout, a->summary, &run->err) != 0)
		return -1;
	if (br_validate_write_summary(sum, sout->f, &run->err) != 0)
		return -1;
	return br_output_flush(sout, &run->err);
}

static void
report(const struct args *a, const struct br_validate_summary *sum,
    const struct br_disposition_result *disp)
{
	size_t i;

	for (i = 0; i < sum->ncodes; i++)
		br_warn("%s %s: %ld", sum->codes[i].code,
		    sum->codes[i].severity, sum->codes[i].count);
	if (a->dispositions != NULL || a->decision != NULL)
		br_warn("%ld decisions applied", disp->applied);
	if (disp->skipped > 0)
		br_warn("%ld decisions for other shards skipped",
		    disp->skipped);
	br_cli_summary_line("%ld meters, %ld meter-days, %ld intervals "
	    "estimated, %ld exceptions", sum->meters, sum->days,
	    sum->estimated, sum->rows);
}

int
main(int argc, char **argv)
{
	struct br_validate_opts opts;
	struct br_validate_summary sum;
	struct args a = { .shard = { 0, 0 } };
	struct br_vee_rules rules;
	struct br_disposition_result disp = { 0 };
	struct br_output sout = { 0 };
	struct br_cli_run run;
	struct br_error err;
	int rc;

	br_cli_init(&cli, argc, argv);
	br_validate_opts_init(&opts);
	if ((rc = parse_args(argc, argv, &opts, &a)) >= 0)
		return rc;
	if (load_rules(&a, &rules, &opts, &err) != 0)
		return br_cli_fail(&err);
	if ((rc = br_cli_begin(&run, cli.db, 0, &a.shard, cli.output)) != 0)
		return rc;
	rc = work(&run, &a, &opts, &sum, &disp, &sout);
	/* The summary is in place before the store commits, as the report
	 * is (br_cli_end): a kill after the commit must not lose it. */
	if (rc == 0 && br_output_close(&sout, 1, &run.err) != 0)
		rc = -1;
	snprintf(run.counts, sizeof(run.counts), "meters=%ld days=%ld "
	    "estimated=%ld exceptions=%ld", sum.meters, sum.days,
	    sum.estimated, sum.rows);
	rc = br_cli_end(&run, rc);
	br_disposition_release(&disp);
	if (br_output_close(&sout, rc == 0, &err) != 0 && rc == 0)
		rc = br_cli_fail(&err);
	if (rc != 0)
		return rc;
	if (cli.verbose)
		report(&a, &sum, &disp);
	/* Done when no validate warn or hold of the period is left open:
	 * decided (released, kept, overridden) or estimated ones are. */
	return sum.open_warn_hold > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
