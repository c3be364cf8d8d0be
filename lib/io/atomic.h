/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic.h: the one atomic-output helper.  A file is written to
 * "<path>.tmp" in the same directory, flushed, fsync'd and renamed over
 * path, so readers see the old file or the whole new one, never half of
 * one.  A path that exists and is not a regular file (/dev/null,
 * /dev/full, a FIFO) is written in place: renaming over it would
 * replace it.
 */
#ifndef BR_ATOMIC_H
#define BR_ATOMIC_H

#include <stdio.h>

#include "core/error.h"

struct br_atomic {
	FILE *f;		/* OWNED until br_atomic_commit/abort */
	char path[512];		/* the final name */
	char tmp[520];		/* "<path>.tmp"; "" when written in place */
};

/* Open path for writing.  Returns 0 or -1 with err (BR_ECANTCREATE). */
int br_atomic_open(struct br_atomic *a, const char *path,
    struct br_error *err);
/* fflush and check for write errors.  Returns 0 or -1 (BR_EIO). */
int br_atomic_flush(struct br_atomic *a, struct br_error *err);
/*
 * Flush, fsync, close and rename the temporary into place.  Returns 0,
 * or -1 with err (BR_EIO on a write error, BR_ECANTCREATE if the rename
 * fails); on failure the temporary is removed.
 */
int br_atomic_commit(struct br_atomic *a, struct br_error *err);
/* Close and remove the temporary (nothing to report). */
void br_atomic_abort(struct br_atomic *a);

#endif
