/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic.h: the one atomic-output helper.  A file is written to
 * "<path>.tmp" in the same directory, flushed, fsync'd and renamed over
 * path, so readers see the old file or the whole new one, never half of
 * one.  A path that exists and is not a regular file (/dev/null,
 * /dev/full, a FIFO) is written in place: renaming over it would
 * replace it.  The temporary is created with O_EXCL|O_NOFOLLOW, so a
 * symlink planted at "<path>.tmp" is never followed (its target is left
 * alone).
 *
 * A run that writes many files and may only show them once its store
 * transaction commits (bill-render's bills) stages each one with
 * br_atomic_stage and later renames them all with br_atomic_publish, or
 * removes them with unlink(2) when the run fails.
 */
#ifndef BR_ATOMIC_H
#define BR_ATOMIC_H

#include <stdio.h>
#include <sys/uio.h>

#include "core/error.h"

struct br_atomic {
	FILE *f;		/* OWNED until br_atomic_commit/abort */
	char path[512];		/* the final name */
	char tmp[520];		/* "<path>.tmp"; "" when written in place */
};

/*
 * Create name for writing as a new file (O_CREAT|O_EXCL|O_NOFOLLOW, mode
 * 0666 less the umask).  A name already there (a temporary left by a
 * killed run, or a symlink someone planted) is unlinked, never followed,
 * and the create tried once more.  Returns the stream, or NULL with errno.
 * For every temporary output file; br_atomic_open uses it.
 */
FILE *br_atomic_fopen_new(const char *name);

/* Open path for writing.  Returns 0 or -1 with err (BR_ECANTCREATE). */
int br_atomic_open(struct br_atomic *a, const char *path,
    struct br_error *err);
/*
 * Write iov[0..n) to a's file with writev(2), after what its stream
 * holds: one system call for many pieces, none of them copied (ami-import
 * --split writes runs of lines in place in the input's chunks).  Returns
 * 0 or -1 with err (BR_EIO).
 */
int br_atomic_writev(struct br_atomic *a, const struct iovec *iov, int n,
    struct br_error *err);
/* fflush and check for write errors.  Returns 0 or -1 (BR_EIO). */
int br_atomic_flush(struct br_atomic *a, struct br_error *err);
/*
 * Flush, fsync, close and rename the temporary into place.  Returns 0,
 * or -1 with err (BR_EIO on a write error, BR_ECANTCREATE if the rename
 * fails); on failure the temporary is removed.
 */
int br_atomic_commit(struct br_atomic *a, struct br_error *err);
/*
 * Flush and close, keeping the temporary for br_atomic_publish (no fsync:
 * a staged file is published only after the store commit, which syncs).
 * Returns 0, or -1 with err (BR_EIO); on failure the temporary is removed.
 * a->tmp names the staged file; it is "" when written in place.
 */
int br_atomic_stage(struct br_atomic *a, struct br_error *err);
/* Rename a staged "<path>.tmp" onto <path>.  Returns 0 or -1 with err. */
int br_atomic_publish(const char *tmp, struct br_error *err);
/* Close and remove the temporary (nothing to report). */
void br_atomic_abort(struct br_atomic *a);

#endif
