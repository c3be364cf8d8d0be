/*
 * ami-import: load the registry and import AMI interval files into the
 * store; writes this run's import exception report.  See docs/ami-import.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/import.h"
#include "../lib/registry.h"
#include "../lib/store.h"
#include "../lib/tz.h"
#include "common/diag.h"
#include "common/exitcode.h"
#include "../lib/banned.h"

static const char usage_text[] =
    "usage: ami-import [--db PATH] [--registry DIR] [-o FILE] "
    "[--format generic] [-v] [FILE ...]\n";

struct opts {
	const char *db, *registry, *output, *format;
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
	struct br_tz tz;
	struct br_output out;
	int i, rc = -1;

	if ((st = br_store_open(o->db, o->registry ? BR_STORE_CREATE : 0,
	    err)) == NULL)
		return -1;
	if (br_output_open(&out, o->output, err) != 0) {
		br_store_close(st);
		return -1;
	}
	memset(&reg, 0, sizeof(reg));
	memset(&tz, 0, sizeof(tz));
	if (br_store_begin(st, err) != 0)
		goto out;
	if (o->registry && br_registry_load_dir(st, o->registry, err) != 0)
		goto out;
	if (nfiles > 0 && (br_registry_init(&reg, st, err) != 0 ||
	    br_store_timezone(st, &tz, err) != 0))
		goto out;
	for (i = 0; i < nfiles; i++) {
		int r = br_import_file(st, &reg, &tz, files[i], o->format,
		    res, err);
		if (r < 0)
			goto out;
		if (r == 1)
			br_warn("'%s' already imported, skipped", files[i]);
	}
	br_import_report_write(out.f, res);
	if (br_store_commit(st, err) != 0)
		goto out;
	rc = 0;
out:
	if (br_output_close(&out, rc == 0, rc == 0 ? err : NULL) != 0)
		rc = -1;
	if (nfiles > 0)
		br_tz_release(&tz);
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
		{ "output", required_argument, NULL, 'o' },
		{ "registry", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { "billing.db", NULL, NULL, "generic", 0 };
	struct br_import_result res;
	struct br_error err;
	char *stdin_only[] = { (char *)"-" };
	char **files;
	int ch, nfiles, status;

	br_diag_init("ami-import");
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "ho:v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			o.db = optarg;
			break;
		case 'f':
			o.format = optarg;
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
	if (strcmp(o.format, "generic") != 0)
		return usage_error("unknown format (only 'generic')");
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
	if (o.verbose)
		br_warn("%ld files imported, %ld skipped, %ld rows, %ld days "
		    "written, %ld replaced, %zu exceptions", res.files,
		    res.skipped, res.rows, res.days, res.replaced, res.nexc);
	status = res.nexc > 0 ? BR_EXIT_EXCEPTIONS : BR_EXIT_OK;
	br_import_result_release(&res);
	return status;
}
