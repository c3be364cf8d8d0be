/* SPDX-License-Identifier: Apache-2.0 */
/*
 * run.c: one ami-import run inside the caller's transaction: the vendor
 * mapping and source zone, the registry, every file, the exception
 * report (br_import_run, import.h).
 */
#include "import/import.h"

#include <string.h>

#include "formats/vendorcsv.h"
#include "core/banned.h"

/* The files, with the registry and utility zone they need. */
static int
import_files(struct br_store *st, struct br_import_run_opts *o,
    const struct br_import_opts *imp, char **files, int nfiles,
    struct br_import_result *res, struct br_error *err)
{
	struct br_registry reg;
	struct br_tz tz;
	int i, r, rc = -1;

	memset(&reg, 0, sizeof(reg));
	memset(&tz, 0, sizeof(tz));
	if (br_registry_init(&reg, st, err) != 0 ||
	    br_store_timezone(st, &tz, err) != 0)
		goto out;
	if (o->split > 0) {
		rc = br_import_split(&reg, imp, o->split, o->split_dir, files,
		    nfiles, o->split_rows, err);
		goto out;
	}
	for (i = 0; i < nfiles; i++) {
		if ((r = br_import_file_opts(st, &reg, &tz, files[i], imp,
		    res, err)) < 0)
			goto out;
		if (r == 1 && o->on_skip != NULL)
			o->on_skip(files[i], o->arg);
	}
	rc = 0;
out:
	br_tz_release(&tz);
	br_registry_release(&reg);
	return rc;
}

int
br_import_run(struct br_store *st, struct br_import_run_opts *o,
    char **files, int nfiles, FILE *out, struct br_import_result *res,
    struct br_error *err)
{
	struct br_import_opts imp = o->imp;
	struct br_vendor_map vm;
	struct br_tz stz;
	const char *zone = o->source_tz;
	int rc = -1;

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
	memset(&stz, 0, sizeof(stz));
	if (zone != NULL) {
		if (br_tz_load(&stz, zone, err) != 0)
			return -1;
		imp.source_tz = &stz;
	}
	if (o->registry != NULL &&
	    br_registry_load_dir(st, o->registry, err) != 0)
		goto out;
	if (nfiles > 0 &&
	    import_files(st, o, &imp, files, nfiles, res, err) != 0)
		goto out;
	if (o->split <= 0)
		br_import_report_write(out, res);
	rc = 0;
out:
	if (zone != NULL)
		br_tz_release(&stz);
	return rc;
}
