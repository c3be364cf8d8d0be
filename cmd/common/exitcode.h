/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exitcode.h: the exit status table shared by every tool (documented in
 * each man page and README).
 */
#ifndef BR_EXITCODE_H
#define BR_EXITCODE_H

#include <stdio.h>

#include "core/error.h"
#include "io/atomic.h"

enum br_exit {
	BR_EXIT_OK = 0,		/* success, no exceptions */
	BR_EXIT_EXCEPTIONS = 1,	/* completed, data exceptions found */
	BR_EXIT_USAGE = 2,	/* usage error */
	BR_EXIT_DATAERR = 65,	/* malformed input */
	BR_EXIT_NOINPUT = 66,	/* input missing or unreadable */
	BR_EXIT_SOFTWARE = 70,	/* internal error */
	BR_EXIT_CANTCREAT = 73,	/* output cannot be created */
	BR_EXIT_IOERR = 74,	/* read/write error */
	BR_EXIT_TEMPFAIL = 75,	/* store busy: retry later */
	BR_EXIT_CONFIG = 78	/* bad configuration or tariff */
};

/* Map a library error code to the tool exit status. */
int br_exit_from_error(enum br_errcode code);

/*
 * Open output path for writing ("-" or NULL = stdout).  The file is
 * written through io/atomic.h (temporary, fsync, rename) by br_output_close, so a
 * failed run never leaves a half-written output.  Returns NULL with err
 * (BR_ECANTCREATE).
 */
struct br_output {
	FILE *f;	/* stdout or at.f */
	int is_stdout;
	struct br_atomic at;	/* the file (io/atomic.h) */
};
int br_output_open(struct br_output *out, const char *path,
    struct br_error *err);
/*
 * Flush and check for write errors without closing: call before the
 * store commit so that a report that cannot be written (full disk,
 * /dev/full) fails the run while the store can still roll back.
 * Returns 0 or -1 with err (BR_EIO).
 */
int br_output_flush(struct br_output *out, struct br_error *err);
/*
 * Flush and close; on ok renames into place, otherwise removes the
 * temporary.  Returns 0, or -1 with err (BR_EIO) if any write failed.
 */
int br_output_close(struct br_output *out, int ok, struct br_error *err);

#endif
