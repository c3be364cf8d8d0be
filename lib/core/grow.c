/* SPDX-License-Identifier: Apache-2.0 */
/*
 * grow.c: the growable array's one step (grow.h).
 */
#include "core/grow.h"

#include <stdlib.h>

#include "core/banned.h"

int
br_grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *np;
	size_t nc;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 64;
	if ((np = realloc(*p, nc * size)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}
