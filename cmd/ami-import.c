/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ami-import: load the registry and import AMI interval files into the
 * store; writes this run's import exception report.  See docs/ami-import.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/import.h"
#include "store/registry.h"
#include "store/store.h"
#include "core/date.h"
#include "common/cli.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "registry", required_argument, 'r', "DIR",
	    "load the registry CSVs of DIR first (creates the store)" },
	{ "format", required_argument, 'f', "FMT",
	    "auto, generic, nem12, cmep, greenbutton or vendor" },
	{ "mapping", required_argument, 'm', "FILE.yaml",
	    "column mapping of a vendor CSV (implies --format vendor)" },
	{ "source-tz", required_argument, 'z', "ZONE",
	    "zone of stamps without an offset (default the utility's)" },
	{ "source-offset", required_argument, 'O', "+HH:MM",
	    "NEM12 fixed clock offset (default +10:00)" },
	{ "interval-start", no_argument, 'S', NULL,
	    "stamps mark the start of the interval (default)" },
	{ "interval-ending", no_argument, 'E', NULL,
	    "stamps mark the end of the interval" },
	{ "shard", required_argument, 'K', "K/N",
	    "import the accounts of shard K of N" },
	{ "split", required_argument, 'P', "N",
	    "write per-shard copies of the CSV files, import nothing" },
	{ "out-dir", required_argument, 'D', "DIR",
	    "where --split writes DIR/shard-K-of-N/FILE" },
	{ "bulk", no_argument, 'B', NULL,
	    "write the import once, not through the WAL; others wait" },
	{ NULL, 0, 0, NULL, NULL }
};

/* --bulk: the run's transaction in a rollback journal (store.h) */
static bool bulk;

static struct br_cli cli = {
	.tool = "ami-import",
	.synopsis = "usage: ami-import [--db PATH] [--registry DIR] [-o FILE] "
	    "[--format FMT] [--mapping FILE.yaml] [--source-tz ZONE] "
	    "[--source-offset +HH:MM] "
	    "[--interval-start|--interval-ending] [--shard K/N] [--bulk] [-v] "
	    "[FILE ...]\n"
	    "       ami-import [--db PATH] [--registry DIR] [--format FMT] "
	    "[--mapping FILE.yaml]\n"
	    "           --split N --out-dir DIR FILE ...\n",
	.about = "Load the registry and import AMI interval files (standard "
	    "input when no\nfile and no --registry) into the store; write this "
	    "run's exception report.\nSee docs/ami-import.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE,
	.exit1 = "import exceptions were recorded",
};

static int
parse_args(int argc, char **argv, struct br_import_run_opts *o,
    struct br_shard *shard)
{
	struct br_error err;
	int ch;

	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'f':
			if ((o->imp.format = br_import_format_parse(optarg)) < 0)
				return br_cli_usage_error("unknown format "
				    "(auto, generic, nem12, cmep, greenbutton "
				    "or vendor)");
			break;
		case 'm': o->mapping = optarg; break;
		case 'E': o->imp.interval_ending = 1; break;
		case 'S': o->imp.interval_ending = 0; break;
		case 'O':
			if (br_utc_offset_parse(optarg, strlen(optarg),
			    &o->imp.nem_offset_s) != 0)
				return br_cli_usage_error("bad --source-offset "
				    "(e.g. +10:00)");
			o->imp.has_nem_offset = 1;
			break;
		case 'z': o->source_tz = optarg; break;
		case 'r': o->registry = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, shard, &err) != 0)
				return br_cli_usage_error(err.msg);
			break;
		case 'P': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end != '\0' ||
			    n < 1 || n > BR_SHARD_MAX)
				return br_cli_usage_error("bad --split (want "
				    "1 to 1024 shards)");
			o->split = (int)n;
			break;
		}
		case 'D': o->split_dir = optarg; break;
		case 'B': bulk = true; break;
		default: return cli.status;
		}
	}
	if ((o->split > 0) != (o->split_dir != NULL) ||
	    (o->split > 0 && shard->n > 0))
		return br_cli_usage_error("--split N goes with --out-dir DIR "
		    "and without --shard");
	if (o->imp.format == BR_FMT_VENDOR && o->mapping == NULL)
		return br_cli_usage_error("--format vendor needs --mapping "
		    "FILE.yaml");
	return -1;
}

static void
skipped(const char *path, void *arg)
{
	(void)arg;
	br_warn("'%s' already imported, skipped", path);
}

static void
report(const struct br_import_result *res)
{
	char extra[256] = "";
	size_t n;

	if (res->stale > 0 || res->other > 0)
		snprintf(extra, sizeof(extra), " (%ld days with an older "
		    "source version ignored, %ld non-energy runs skipped)",
		    res->stale, res->other);
	if (res->unchanged > 0) {
		n = strlen(extra);
		snprintf(extra + n, sizeof(extra) - n, "; %ld days re-sent "
		    "unchanged", res->unchanged);
	}
	if (res->registers > 0 || res->reg_replaced > 0 ||
	    res->reg_stale > 0) {
		n = strlen(extra);
		snprintf(extra + n, sizeof(extra) - n, "; %ld register reads "
		    "written, %ld replaced, %ld older ignored",
		    res->registers, res->reg_replaced, res->reg_stale);
	}
	if (res->earlier > 0) {
		n = strlen(extra);
		snprintf(extra + n, sizeof(extra) - n, "; %ld exceptions of "
		    "files already imported listed", res->earlier);
	}
	br_cli_summary_line("%ld files imported, %ld skipped, %ld rows, "
	    "%ld days written, %ld replaced, %zu exceptions%s", res->files,
	    res->skipped, res->rows, res->days, res->replaced, res->nexc,
	    extra);
}

int
main(int argc, char **argv)
{
	struct br_import_run_opts o = { .imp.format = BR_FMT_AUTO,
	    .on_skip = skipped };
	struct br_shard shard = { 0, 0 };
	struct br_import_result res;
	struct br_cli_run run;
	char *stdin_only[] = { (char *)"-" };
	char **files;
	int nfiles, rc;

	br_cli_init(&cli, argc, argv);
	if ((rc = parse_args(argc, argv, &o, &shard)) >= 0)
		return rc;
	files = argv + optind;
	nfiles = argc - optind;
	if (nfiles == 0 && o.split > 0)
		return br_cli_usage_error("--split needs input files");
	if (nfiles == 0 && o.registry == NULL) {
		files = stdin_only;
		nfiles = 1;
	}
	if (o.registry != NULL &&
	    (rc = br_cli_need_dir("registry", o.registry)) != 0)
		return rc;
	if ((rc = br_cli_begin(&run, cli.db, (o.registry != NULL ?
	    BR_STORE_CREATE : 0) | (bulk ? BR_STORE_BULK : 0), &shard,
	    cli.output)) != 0)
		return rc;
	if (bulk && !run.st->bulk)
		br_warn("--bulk not taken: another connection has the store "
		    "open; writing through the WAL");
	br_import_result_init(&res);
	rc = br_import_run(run.st, &o, files, nfiles, run.out.f, &res,
	    &run.err);
	if (o.split > 0)
		snprintf(run.counts, sizeof(run.counts), "split=%d files=%d "
		    "rows_one_shard=%ld rows_every_shard=%ld", o.split, nfiles,
		    o.split_rows[0], o.split_rows[1]);
	else
		snprintf(run.counts, sizeof(run.counts), "files=%ld "
		    "skipped=%ld rows=%ld days=%ld registers=%ld "
		    "exceptions=%zu", res.files, res.skipped, res.rows,
		    res.days, res.registers, res.nexc);
	if ((rc = br_cli_end(&run, rc)) == 0) {
		if (cli.verbose && o.split > 0)
			br_warn("%d files split into %d shards: %ld rows to "
			    "one shard, %ld to every shard", nfiles, o.split,
			    o.split_rows[0], o.split_rows[1]);
		else if (cli.verbose)
			report(&res);
		rc = res.nexc > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	}
	br_import_result_release(&res);
	return rc;
}
