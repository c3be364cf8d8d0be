/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.h: how a long stage tells "done so far" without printing.
 *
 * The library never prints.  A stage's loop calls br_progress(what, done,
 * total) once per item (a row, a meter, an account, a bill, a payment);
 * that is one test of a pointer when nobody listens.  A tool that wants
 * progress lines installs one callback for the process with
 * br_progress_set (cmd/common/progress.c prints them on stderr, about
 * twice a second).  total is 0 when unknown (rows of a file being read).
 * Progress never reaches a data output.
 */
#ifndef BR_PROGRESS_H
#define BR_PROGRESS_H

#include <stddef.h>

typedef void br_progress_fn(void *ctx, const char *what, long done,
    long total);

/* Install fn (NULL: none) for the whole process. */
void br_progress_set(br_progress_fn *fn, void *ctx);

extern br_progress_fn *br_progress_hook;
extern void *br_progress_ctx;

static inline void
br_progress(const char *what, long done, long total)
{
	if (br_progress_hook != NULL)
		br_progress_hook(br_progress_ctx, what, done, total);
}

#endif
