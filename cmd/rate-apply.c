/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rate-apply: rate one bill cycle.  Writes draft (or hold) bills, their
 * lines and meter usage to the store and the charges CSV to stdout or -o.
 * The work is br_rate_run (lib/rate/rate.c); tariffs are rates/<CODE>.yaml
 * (docs/tariff.md).  --rebill re-rates issued bills instead and writes
 * the rebill report (br_rebill_run, lib/rate/rebill.c, docs/rebill.md).
 */
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/registry.h"
#include "common/cli.h"
#include "core/money.h"
#include "core/date.h"
#include "rate/rate.h"
#include "rate/rebill.h"
#include "store/store.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID", "the bill cycle to rate" },
	{ "rates", required_argument, 'r', "DIR",
	    "tariff directory, rates/<CODE>.yaml (default rates)" },
	{ "account", required_argument, 'a', "ID", "rate this account only" },
	{ "shard", required_argument, 'K', "K/N",
	    "rate the accounts of shard K of N" },
	{ "rebill", no_argument, 'R', NULL,
	    "re-rate issued bills and write the rebill report" },
	{ "as-of", required_argument, 'A', "YYYY-MM-DD",
	    "with --rebill: the date the rebill is made" },
	{ "force-date", no_argument, 'D', NULL,
	    "accept an --as-of outside the registry's cycles +- a year" },
	{ "back-bill-limit-days", required_argument, 'L', "N",
	    "with --rebill: hold undercharges older than N days" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "rate-apply",
	.synopsis =
    "usage: rate-apply [--db PATH] --cycle ID [--rates DIR] [--account ID]\n"
    "                  [--shard K/N] [-v] [-o FILE]\n"
    "       rate-apply [--db PATH] --rebill --cycle ID [--account ID]\n"
    "                  [--as-of YYYY-MM-DD [--force-date]]\n"
    "                  [--back-bill-limit-days N]\n"
    "                  [--rates DIR] [--shard K/N] [-v] [-o FILE]\n",
	.about = "Rate one bill cycle: draft (or hold) bills in the store, "
	    "the charges CSV\nto the output.  See docs/rate-apply.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE,
	.exit1 = "bills on hold (or rebilled, with --rebill)",
};

/* The --rebill options, checked. */
static int
rebill_opts(int rebill, const char *as_of, const char *limit,
    struct br_rebill_opts *ropts)
{
	int32_t day;

	ropts->limit_days = -1;
	if (!rebill && (as_of != NULL || limit != NULL))
		return br_cli_usage_error("--as-of and --back-bill-limit-days "
		    "need --rebill");
	if (as_of != NULL && br_date_parse(as_of, (size_t)-1, &day) != 0)
		return br_cli_usage_error("--as-of wants a date YYYY-MM-DD");
	if (limit != NULL) {
		int64_t v;
		if (br_int_parse(limit, (size_t)-1, 0, BR_REBILL_LIMIT_MAX,
		    &v) != 0)
			return br_cli_usage_error("--back-bill-limit-days "
			    "wants a number of days 0..36500");
		ropts->limit_days = (long)v;
	}
	ropts->as_of = as_of;
	return 0;
}

/* -v: name every bill put on hold with its amount and hold codes. */
static void
held_notice(void *ctx, const char *bill_id, int64_t cents, const char *why)
{
	char amt[32];

	(void)ctx;
	br_warn("%s on hold: %s (%s)", bill_id, br_cents_format(cents, amt,
	    sizeof(amt)), why);
}

static void
report(int rebill, const struct br_rate_stats *s,
    const struct br_rebill_stats *rs)
{
	if (rebill) {
		br_cli_summary_line("%ld issued bills: %ld rebilled, %ld "
		    "unchanged, %ld limited", rs->checked, rs->rebilled,
		    rs->unchanged, rs->limited);
		return;
	}
	if (s->skipped_issued > 0)
		br_warn("note: skipped %ld accounts whose bill is already "
		    "issued", s->skipped_issued);
	br_cli_summary_line("%ld bills (%ld on hold), %ld lines", s->bills,
	    s->held, s->lines);
}

int
main(int argc, char **argv)
{
	struct br_rate_opts opts = { .rates_dir = "rates" };
	struct br_rate_stats stats = { 0 };
	struct br_rebill_opts ropts = { 0 };
	struct br_rebill_stats rstats = { 0 };
	struct br_shard shard = { 0, 0 };
	struct br_cli_run run;
	const char *as_of = NULL, *limit = NULL;
	int ch, rebill = 0, force_date = 0, rc;

	br_cli_init(&cli, argc, argv);
	/* Interval buffers are allocated and freed per account; keep freed
	 * heap instead of trimming it back each time (brk churn was half of
	 * the run time in profiles). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'a': opts.account_id = optarg; break;
		case 'A': as_of = optarg; break;
		case 'D': force_date = 1; break;
		case 'L': limit = optarg; break;
		case 'R': rebill = 1; break;
		case 'c': opts.cycle_id = optarg; break;
		case 'r': opts.rates_dir = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &run.err) != 0)
				return br_cli_usage_error(run.err.msg);
			break;
		default: return cli.status;
		}
	}
	if (optind != argc)
		return br_cli_usage_error("unexpected argument");
	if (opts.cycle_id == NULL)
		return br_cli_usage_error("--cycle is required");
	if ((rc = rebill_opts(rebill, as_of, limit, &ropts)) != 0)
		return rc;
	ropts.cycle_id = opts.cycle_id;
	ropts.account_id = opts.account_id;
	ropts.rates_dir = opts.rates_dir;
	if (cli.verbose)
		opts.notice = held_notice;
	/* single-threaded: no connection mutex (docs/performance.md) */
	if ((rc = br_cli_begin(&run, cli.db, BR_STORE_ONE_THREAD, &shard,
	    cli.output)) != 0)
		return rc;
	if (rebill && as_of != NULL && !force_date &&
	    br_registry_check_date(run.st, "--as-of", as_of, &run.err) != 0)
		rc = -1;
	else if (rebill)
		rc = br_rebill_run(run.st, &ropts, run.out.f, &rstats, &run.err);
	else
		rc = br_rate_run(run.st, &opts, run.out.f, &stats, &run.err);
	if (rebill)
		snprintf(run.counts, sizeof(run.counts), "checked=%ld "
		    "rebilled=%ld unchanged=%ld limited=%ld", rstats.checked,
		    rstats.rebilled, rstats.unchanged, rstats.limited);
	else
		snprintf(run.counts, sizeof(run.counts), "bills=%ld held=%ld "
		    "lines=%ld", stats.bills, stats.held, stats.lines);
	if ((rc = br_cli_end(&run, rc)) != 0)
		return rc;
	if (cli.verbose)
		report(rebill, &stats, &rstats);
	if (rebill)
		return rstats.rebilled + rstats.limited > 0 ?
		    BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	return stats.held > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
