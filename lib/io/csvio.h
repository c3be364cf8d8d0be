/* SPDX-License-Identifier: Apache-2.0 */
/*
 * csvio.h: CSV reading through libcsv with file:line for every record, and
 * CSV writing with RFC 4180 quoting.
 */
#ifndef BR_CSVIO_H
#define BR_CSVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

struct br_csv_record {
	const char *file;	/* BORROWED: name for diagnostics */
	long line;		/* 1-based physical line the record ends on */
	long index;		/* 0-based record number (0 = header line) */
	size_t nfields;
	char **fields;		/* BORROWED: NUL-terminated, valid in callback */
	size_t *lens;
};

/*
 * Called for each record.  Return 0 to go on, 1 to stop early without
 * error, -1 on error (fill err; if err->file is empty, br_csv_read fills in
 * file and line of this record).
 */
typedef int (*br_csv_cb)(void *ctx, const struct br_csv_record *rec,
    struct br_error *err);

/*
 * The longest record (one line, or the lines of a quoted field) a reader
 * accepts; longer is an error (BR_EINPUT), so a line-less gzip bomb is
 * stopped at 1 MiB instead of growing until memory runs out.
 */
#define BR_CSV_LINE_MAX (1 << 20)

/*
 * Stream every record of path ("-" = stdin; gzip detected) to cb.  Blank
 * lines are skipped; a UTF-8 BOM at the start is dropped.  A field holding
 * a control byte (NUL, any other C0 byte such as tab or a quoted line
 * break, or DEL) is an error with its line and field number: a NUL would
 * cut the field short for every strcmp after.  When sha_hex is
 * not NULL it receives the SHA-256 of the whole (decompressed) input.
 * Returns 0, or -1 with err (BR_EINPUT with file:line for malformed CSV).
 */
int br_csv_read(const char *path, br_csv_cb cb, void *ctx, char *sha_hex,
    struct br_error *err);

/*
 * A gate of br_csv_read_gated: called with each complete physical line
 * after the header (s[0..len) without its LF, `line` its number) while
 * no quoted field is open, before the line is split.  Returns 1 to pass the line over (it is
 * counted, not split, not handed to the record callback), 0 to read it as
 * usual, -1 on error (fill err).  A gate passes over only lines it has
 * checked itself (length, control bytes, quotes): a line it returns 0 for
 * gets every check and error of br_csv_read.
 */
typedef int (*br_csv_gate)(void *ctx, const char *s, size_t len, long line,
    struct br_error *err);

/* br_csv_read with a gate (NULL: br_csv_read). */
int br_csv_read_gated(const char *path, br_csv_gate gate, br_csv_cb cb,
    void *ctx, char *sha_hex, struct br_error *err);

/* Index of column `name` (case-insensitive, surrounding blanks ignored) in
 * a header record, or -1. */
int br_csv_column(const struct br_csv_record *hdr, const char *name);

/* Field i or "" when the record is short. */
const char *br_csv_field(const struct br_csv_record *rec, int i);

/*
 * True when a cell would start a spreadsheet formula: it begins with
 * = + - @, tab or CR and is not a signed number ([-+]?digits(.digits)?,
 * so "-12.50" stays a number and an E.164 phone "+15550100001" stays as
 * an SMS vendor reads it: neither can run as a formula).
 */
bool br_csv_needs_neutralising(const char *s);

/*
 * Write one field, quoted when it holds a comma, quote, CR or LF.  A
 * field that br_csv_needs_neutralising is written as "'..." (OWASP CSV
 * injection: a leading single quote, the cell quoted), so a meter id,
 * name, reference, file name or detail of "=HYPERLINK(...)" is shown as
 * text.  Only the output changes; the store keeps the raw value.  Every
 * CSV report is written through this function (br_csv_row).
 */
void br_csv_put(FILE *f, const char *s);

/* Write a whole row of n fields and a newline. */
void br_csv_row(FILE *f, size_t n, const char *const *fields);

#endif
