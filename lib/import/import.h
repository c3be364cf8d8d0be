/* SPDX-License-Identifier: Apache-2.0 */
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

#include "core/error.h"
#include "store/registry.h"
#include "store/store.h"
#include "core/tz.h"

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
	long stale;		/* days not replaced: stored source version newer */
	long unchanged;		/* days re-sent identical: not written */
	long other;		/* runs (and register reads) of non-energy
				 * channels skipped */
	long registers;		/* register_read rows written */
	long reg_replaced;	/* register reads replacing an earlier file's */
	long reg_stale;		/* register reads not replaced: stored source
				 * version newer */
	struct br_import_exc *exc;	/* OWNED, nexc entries */
	size_t nexc, exc_cap;
};

/* Input formats (br_import_opts.format). */
enum br_import_format {
	BR_FMT_AUTO = 0,	/* detect from content (stdin: generic) */
	BR_FMT_GENERIC,		/* docs/pipeline.md section 2 */
	BR_FMT_NEM12,		/* AEMO NEM12 / NEM13 */
	BR_FMT_CMEP,		/* CMEP MEPMD01 */
	BR_FMT_VENDOR,		/* vendor CSV with a mapping (vendorcsv.h) */
	BR_FMT_GREENBUTTON	/* Green Button ESPI XML (greenbutton.h) */
};

struct br_vendor_map;

/* Per-source options of one import (zeroed = defaults). */
struct br_import_opts {
	int format;			/* enum br_import_format */
	/*
	 * Zone of stamps without an offset (generic, CMEP).  NULL: the
	 * utility zone.  BORROWED.
	 */
	const struct br_tz *source_tz;
	/* Stamps mark the END of the interval (generic, CMEP). */
	int interval_ending;
	/* NEM12 fixed clock, seconds east of UTC (default 36000, AEST). */
	int has_nem_offset;
	int32_t nem_offset_s;
	/* Column mapping of BR_FMT_VENDOR (BORROWED; required for it). */
	const struct br_vendor_map *vendor;
	/*
	 * Meter-days held in memory before they are written (0: 65,536).
	 * Tests use small batches; a meter-day that recurs after a batch
	 * was written is merged with the written row (docs/ami-import.md).
	 */
	long max_open_days;
	/*
	 * Generic and vendor CSV write each full batch on a writer thread
	 * while the next one is parsed; nonzero: write it in the calling
	 * thread instead (same store, same report).
	 */
	int no_writer_thread;
};

/* Name of a format ("generic", "nem12" ...); fmt from its name, or -1. */
const char *br_import_format_name(int fmt);
int br_import_format_parse(const char *name);

/*
 * Detect the format of path from its first bytes (gzip looked through):
 * a NEM 100/200 record, a MEPMD01 record, otherwise generic.  "-"
 * (stdin) is generic.  Returns the format, or -1 with err when the file
 * cannot be opened.
 */
int br_import_detect(const char *path, struct br_error *err);

void br_import_result_init(struct br_import_result *res);
void br_import_result_release(struct br_import_result *res);

/*
 * Import one interval file (path, "-" = stdin) of the given format
 * ("auto", "generic", "nem12", "cmep") into the store, inside the caller's transaction (the
 * file gets its own savepoint).  reg and tz are BORROWED.  Exceptions of
 * this file are appended to res.  Returns 0 when imported, 1 when a file
 * with the same SHA-256 was imported before (nothing changed), or -1 with
 * err (BR_EINPUT with file:line and the column for malformed input).
 */
int br_import_file(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path, const char *format,
    struct br_import_result *res, struct br_error *err);

/* br_import_file with per-source options (o NULL = defaults, auto). */
int br_import_file_opts(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path,
    const struct br_import_opts *o, struct br_import_result *res,
    struct br_error *err);

/*
 * Sort res's exceptions by (account_id, meter_id, date, code) and write
 * the exception report CSV with its header to f.
 */
void br_import_report_write(FILE *f, struct br_import_result *res);

/*
 * ami-import --split n --out-dir dir (lib/import/split.c): read each of
 * files[0..nfiles) once (generic or vendor CSV, plain or gzip) and write
 * dir/shard-K-of-n/<name> for K = 1..n (name: the file's base name
 * without ".gz"; plain text): the header to every shard, each row to the
 * home shard of its meter (br_shard_meter_home with reg), rows of meters
 * without a home shard, unknown meters and rows not read plainly to every
 * shard.  rows[0]: rows written to one shard, rows[1]: rows written to
 * every shard.  Other formats, standard input and two files of one name
 * are BR_EUSAGE.  A file's copies appear only when it was read whole.
 */
int br_import_split(const struct br_registry *reg,
    const struct br_import_opts *o, int n, const char *dir, char **files,
    int nfiles, long rows[2], struct br_error *err);

/* One ami-import run (lib/import/run.c). */
struct br_import_run_opts {
	const char *registry;	/* load registry CSVs from this dir, or NULL */
	const char *source_tz;	/* zone of stamps without offset, or NULL */
	const char *mapping;	/* vendor CSV mapping file, or NULL */
	struct br_import_opts imp;	/* format and per-source options */
	int split;		/* > 0: --split N into split_dir, no import */
	const char *split_dir;
	long split_rows[2];	/* out: br_import_split's rows */
	/* Called for each file skipped as already imported (or NULL). */
	void (*on_skip)(const char *path, void *arg);
	void *arg;
};

/*
 * Inside the caller's transaction: load the mapping and source zone,
 * the registry (o->registry), import files[0..nfiles) in order, then
 * write this run's exception report to out.  With o->split: split the
 * files (br_import_split) instead; nothing is imported or written to out.  Returns 0 or -1 with err;
 * the caller rolls back on -1.
 */
int br_import_run(struct br_store *st, struct br_import_run_opts *o,
    char **files, int nfiles, FILE *out, struct br_import_result *res,
    struct br_error *err);

#endif
