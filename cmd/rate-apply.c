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

#include "common/diag.h"
#include "common/exitcode.h"
#include "core/date.h"
#include "rate/rate.h"
#include "rate/rebill.h"
#include "store/store.h"
#include "core/banned.h"

static const char usage_text[] =
    "usage: rate-apply [--db PATH] --cycle ID [--rates DIR] [--account ID]\n"
    "                  [--shard K/N] [-v] [-o FILE]\n"
    "       rate-apply [--db PATH] --rebill --cycle ID [--account ID]\n"
    "                  [--as-of YYYY-MM-DD] [--back-bill-limit-days N]\n"
    "                  [--rates DIR] [--shard K/N] [-v] [-o FILE]\n";

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try '%s --help' for more information", br_diag_tool());
	return BR_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "as-of", required_argument, NULL, 'A' },
		{ "back-bill-limit-days", required_argument, NULL, 'L' },
		{ "cycle", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "rates", required_argument, NULL, 'r' },
		{ "rebill", no_argument, NULL, 'R' },
		{ "shard", required_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct br_rate_opts opts;
	struct br_rate_stats stats;
	struct br_rebill_opts ropts;
	struct br_rebill_stats rstats;
	struct br_output out;
	struct br_error err;
	struct br_store *st;
	const char *db = "billing.db", *outpath = NULL;
	const char *as_of = NULL, *limit = NULL;
	struct br_shard shard = { 0, 0 };
	int ch, verbose = 0, rebill = 0, rc;

	br_diag_init("rate-apply");
	/* Interval buffers are allocated and freed per account; keep freed
	 * heap instead of trimming it back each time (brk churn was half of
	 * the run time in profiles). */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
	br_error_clear(&err);
	memset(&opts, 0, sizeof(opts));
	opts.rates_dir = "rates";
	while ((ch = getopt_long(argc, argv, "ho:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': opts.account_id = optarg; break;
		case 'A': as_of = optarg; break;
		case 'L': limit = optarg; break;
		case 'R': rebill = 1; break;
		case 'c': opts.cycle_id = optarg; break;
		case 'd': db = optarg; break;
		case 'h': fputs(usage_text, stdout); return BR_EXIT_OK;
		case 'o': outpath = optarg; break;
		case 'r': opts.rates_dir = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &err) != 0)
				return usage_error(err.msg);
			break;
		case 'v': verbose = 1; break;
		default:
			br_warn("try '%s --help' for more information",
			    br_diag_tool());
			return BR_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if (opts.cycle_id == NULL)
		return usage_error("--cycle is required");
	memset(&ropts, 0, sizeof(ropts));
	ropts.limit_days = -1;
	if (!rebill && (as_of != NULL || limit != NULL))
		return usage_error("--as-of and --back-bill-limit-days need "
		    "--rebill");
	if (as_of != NULL) {
		int32_t day;
		if (br_date_parse(as_of, (size_t)-1, &day) != 0)
			return usage_error("--as-of wants a date YYYY-MM-DD");
	}
	if (limit != NULL) {
		char *end;
		ropts.limit_days = strtol(limit, &end, 10);
		if (end == limit || *end != '\0' || ropts.limit_days < 0)
			return usage_error("--back-bill-limit-days wants a "
			    "number of days");
	}
	ropts.cycle_id = opts.cycle_id;
	ropts.account_id = opts.account_id;
	ropts.rates_dir = opts.rates_dir;
	ropts.as_of = as_of;

	if ((st = br_store_open(db, 0, &err)) == NULL) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	if (br_store_begin(st, &err) != 0 ||
	    br_shard_bind(st, &shard, &err) != 0 ||
	    br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_store_close(st);
		return br_exit_from_error(err.code);
	}
	memset(&rstats, 0, sizeof(rstats));
	if (rebill)
		rc = br_rebill_run(st, &ropts, out.f, &rstats, &err);
	else
		rc = br_rate_run(st, &opts, out.f, &stats, &err);
	if (br_output_close(&out, rc == 0, &err) != 0)
		rc = -1;
	if (rc == 0)
		rc = br_store_commit(st, &err);
	else
		br_store_rollback(st);
	br_store_close(st);
	if (rc != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	if (rebill) {
		if (verbose)
			br_warn("%ld issued bills: %ld rebilled, %ld unchanged, "
			    "%ld limited", rstats.checked, rstats.rebilled,
			    rstats.unchanged, rstats.limited);
		return rstats.rebilled + rstats.limited > 0 ?
		    BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	}
	if (verbose) {
		if (stats.skipped_issued > 0)
			br_warn("note: skipped %ld accounts whose bill is "
			    "already issued", stats.skipped_issued);
		br_warn("%ld bills (%ld on hold), %ld lines", stats.bills,
		    stats.held, stats.lines);
	}
	return stats.held > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
}
