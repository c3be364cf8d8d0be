/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grow.h: the growable array's one step.  An array of n elements of size
 * bytes with room for *cap gets room for one more: capacity 64 at first,
 * then doubled.
 */
#ifndef BR_GROW_H
#define BR_GROW_H

#include <stddef.h>

/*
 * Make room in *p (n used of *cap) for element n.  Returns 0, or -1 when
 * realloc fails (*p and *cap unchanged); the caller reports it.
 */
int br_grow(void **p, size_t *cap, size_t n, size_t size);

#endif
