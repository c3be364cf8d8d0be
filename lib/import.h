/*
 * import.h: ami-import, the interval read importer.  Streams a generic
 * interval CSV (docs/pipeline.md section 2, plain or gzip) into
 * interval_day rows (one per meter, channel and local day), matches each
 * meter-day to its install and account, and records import exceptions.
 */
#ifndef BR_IMPORT_H
#define BR_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "registry.h"
#include "store.h"
#include "tz.h"

/* One exception recorded by this run (a row of the exception report). */
struct br_import_exc {
	int64_t exc_id;
	char code[24];
	char severity[8];
	char account_id[BR_REGISTRY_ID_MAX];
	char meter_id[BR_REGISTRY_ID_MAX];
	char date[11];
	char detail[192];
	char source[256];
	long line;
	char status[16];
};

struct br_import_result {
	long files;		/* files imported */
	long skipped;		/* files skipped as already imported */
	long rows;		/* data rows read (imported files only) */
	long days;		/* interval_day rows written */
	long replaced;		/* days replacing data of an earlier file */
	struct br_import_exc *exc;	/* OWNED, nexc entries */
	size_t nexc, exc_cap;
};

void br_import_result_init(struct br_import_result *res);
void br_import_result_release(struct br_import_result *res);

/*
 * Import one interval file (path, "-" = stdin) of the given format (only
 * "generic" today) into the store, inside the caller's transaction (the
 * file gets its own savepoint).  reg and tz are BORROWED.  Exceptions of
 * this file are appended to res.  Returns 0 when imported, 1 when a file
 * with the same SHA-256 was imported before (nothing changed), or -1 with
 * err (BR_EINPUT with file:line and the column for malformed input).
 */
int br_import_file(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path, const char *format,
    struct br_import_result *res, struct br_error *err);

/*
 * Sort res's exceptions by (account_id, meter_id, date, code) and write
 * the exception report CSV with its header to f.
 */
void br_import_report_write(FILE *f, struct br_import_result *res);

#endif
