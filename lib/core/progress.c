/* SPDX-License-Identifier: Apache-2.0 */
/* progress.c: the process's progress callback (progress.h). */
#include "core/progress.h"

#include <stddef.h>

#include "core/banned.h"

br_progress_fn *br_progress_hook;
void *br_progress_ctx;

void
br_progress_set(br_progress_fn *fn, void *ctx)
{
	br_progress_hook = fn;
	br_progress_ctx = ctx;
}
