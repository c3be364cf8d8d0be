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
#include "core/tz.h"
#include "formats/vendorcsv.h"
#include "common/diag.h"
#include "common/exitcode.h"
#include "core/banned.h"

static const char usage_text[] =
    "usage: ami-import [--db PATH] [--registry DIR] [-o FILE] "
    "[--format FMT] [--mapping FILE.yaml] [--source-tz ZONE] "
    "[--source-offset +HH:MM] "
    "[--interval-start|--interval-ending] [--shard K/N] [-v] "
    "[FILE ...]\n";

struct opts {
	const char *db, *registry, *output, *source_tz, *mapping;
	struct br_import_opts imp;
	struct br_shard shard;	/* --shard; {0, 0} = all accounts */
	int verbose;
};

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try 'ami-import --help' for more information");
	return BR_EXIT_USAGE;
}

static int
fail(const struct br_error *err)
{
	br_diag_error(err);
	return br_exit_from_error(err->code);
}

static int
run(const struct opts *o, char **files, int nfiles,
    struct br_import_result *res, struct br_error *err)
{
	struct br_store *st;
	struct br_registry reg;
	struct br_tz tz, stz;
	struct br_import_opts imp = o->imp;
	struct br_vendor_map vm;
	struct br_output out;
	const char *zone = o->source_tz;
	int i, rc = -1, have_stz = 0;

	if (o->mapping != NULL) {
		if (br_vendor_map_load(&vm, o->mapping, err) != 0)
			return -1;
		imp.vendor = &vm;
		if (imp.format == BR_FMT_AUTO)
			imp.format = BR_FMT_VENDOR;
		if (vm.interval_ending)
			imp.interval_ending = 1;
		if (zone == NULL && vm.time_zone[0] != '\0')
			zone = vm.time_zone;
	}

	if ((st = br_store_open(o->db, o->registry ? BR_STORE_CREATE : 0,
	    err)) == NULL)
		return -1;
	if (br_output_open(&out, o->output, err) != 0) {
		br_store_close(st);
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	memset(&tz, 0, sizeof(tz));
	memset(&stz, 0, sizeof(stz));
	if (zone != NULL) {
		if (br_tz_load(&stz, zone, err) != 0)
			goto out;
		have_stz = 1;
		imp.source_tz = &stz;
	}
	if (br_store_begin(st, err) != 0 ||
	    br_shard_bind(st, &o->shard, err) != 0)
		goto out;
	if (o->registry && br_registry_load_dir(st, o->registry, err) != 0)
		goto out;
	if (nfiles > 0 && (br_registry_init(&reg, st, err) != 0 ||
	    br_store_timezone(st, &tz, err) != 0))
		goto out;
	for (i = 0; i < nfiles; i++) {
		int r = br_import_file_opts(st, &reg, &tz, files[i], &imp,
		    res, err);
		if (r < 0)
			goto out;
		if (r == 1)
			br_warn("'%s' already imported, skipped", files[i]);
	}
	br_import_report_write(out.f, res);
	/* The report must be written before the import is committed. */
	if (br_output_flush(&out, err) != 0 || br_store_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	if (br_output_close(&out, rc == 0, rc == 0 ? err : NULL) != 0)
		rc = -1;
	if (nfiles > 0)
		br_tz_release(&tz);
	if (have_stz)
		br_tz_release(&stz);
	br_registry_release(&reg);
	br_store_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "interval-ending", no_argument, NULL, 'E' },
		{ "interval-start", no_argument, NULL, 'S' },
		{ "mapping", required_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "registry", required_argument, NULL, 'r' },
		{ "shard", required_argument, NULL, 'K' },
		{ "source-offset", required_argument, NULL, 'O' },
		{ "source-tz", required_argument, NULL, 'z' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o;
	struct br_import_result res;
	struct br_error err;
	char *stdin_only[] = { (char *)"-" };
	char **files;
	int ch, nfiles, status;

	br_diag_init("ami-import");
	memset(&o, 0, sizeof(o));
	o.db = "billing.db";
	o.imp.format = BR_FMT_AUTO;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.db = optarg;
			break;
		case 'f':
			if ((o.imp.format = br_import_format_parse(optarg)) < 0)
				return usage_error("unknown format (auto, "
				    "generic, nem12, cmep, greenbutton or "
				    "vendor)");
			break;
		case 'm':
			o.mapping = optarg;
			break;
		case 'E':
			o.imp.interval_ending = 1;
			break;
		case 'S':
			o.imp.interval_ending = 0;
			break;
		case 'O':
			if (br_utc_offset_parse(optarg, strlen(optarg),
			    &o.imp.nem_offset_s) != 0)
				return usage_error("bad --source-offset (e.g. "
				    "+10:00)");
			o.imp.has_nem_offset = 1;
			break;
		case 'z':
			o.source_tz = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return BR_EXIT_OK;
		case 'o':
			o.output = optarg;
			break;
		case 'r':
			o.registry = optarg;
			break;
		case 'K':
			if (br_shard_parse(optarg, &o.shard, &err) != 0)
				return usage_error(err.msg);
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'V':
			puts("ami-import (billrun) 0.1.0");
			return BR_EXIT_OK;
		default: {
			char msg[300];
			snprintf(msg, sizeof(msg), "unknown option or missing "
			    "argument '%s'", argv[optind - 1]);
			return usage_error(msg);
		}
		}
	}
	if (o.imp.format == BR_FMT_VENDOR && o.mapping == NULL)
		return usage_error("--format vendor needs --mapping FILE.yaml");
	files = argv + optind;
	nfiles = argc - optind;
	if (nfiles == 0 && o.registry == NULL) {
		files = stdin_only;
		nfiles = 1;
	}
	br_error_clear(&err);
	br_import_result_init(&res);
	if (run(&o, files, nfiles, &res, &err) != 0) {
		br_import_result_release(&res);
		return fail(&err);
	}
	if (o.verbose) {
		char extra[256] = "";
		if (res.stale > 0 || res.other > 0)
			snprintf(extra, sizeof(extra), " (%ld days with an "
			    "older source version ignored, %ld non-energy "
			    "runs skipped)", res.stale, res.other);
		if (res.registers > 0 || res.reg_replaced > 0 ||
		    res.reg_stale > 0) {
			size_t n = strlen(extra);
			snprintf(extra + n, sizeof(extra) - n, "; %ld register "
			    "reads written, %ld replaced, %ld older ignored",
			    res.registers, res.reg_replaced, res.reg_stale);
		}
		br_warn("%ld files imported, %ld skipped, %ld rows, %ld days "
		    "written, %ld replaced, %zu exceptions%s", res.files,
		    res.skipped, res.rows, res.days, res.replaced, res.nexc,
		    extra);
	}
	status = res.nexc > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	br_import_result_release(&res);
	return status;
}
