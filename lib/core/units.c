/* SPDX-License-Identifier: Apache-2.0 */
/*
 * units.c: the unit table (units.h) and its lookups.
 */
#include "core/units.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/banned.h"

#define E BR_UNIT_ELECTRIC
#define G BR_UNIT_GAS
#define W BR_UNIT_WATER
#define M BR_UNIT_METER
#define T BR_UNIT_TARIFF
#define N BR_UNIT_NEM12
#define NEM(n) { n, BR_UNIT_NONE, 0, E, N, 0 }

/* Table order is the order of br_unit_names (and so of messages). */
static const struct br_unit units[] = {
	/* name  family  size  kinds  uses  espi */
	{ "kWh", BR_UNIT_WH, 1000, E, M | T | N, 0 },
	{ "Wh", BR_UNIT_WH, 1, E, M | N, 72 },
	{ "MWh", BR_UNIT_WH, 1000000, E, N, 0 },
	{ "gal", BR_UNIT_GAL, 1, W, M | T, 128 },
	{ "kgal", BR_UNIT_GAL, 1000, W, 0, 0 },
	{ "therm", BR_UNIT_THERM, 1, G, M | T, 169 },
	{ "CCF", BR_UNIT_CF, 100, G | W, M | T, 0 },
	{ "CF", BR_UNIT_CF, 1, G | W, 0, 119 },
	{ "MCF", BR_UNIT_CF, 1000, G | W, 0, 0 },
	/* NEM12 / CMEP units of measure that are not energy */
	NEM("MW"), NEM("kW"), NEM("W"), NEM("MVArh"), NEM("kVArh"),
	NEM("VArh"), NEM("MVAr"), NEM("kVAr"), NEM("VAr"), NEM("MVAh"),
	NEM("kVAh"), NEM("VAh"), NEM("MVA"), NEM("kVA"), NEM("VA"),
	NEM("kV"), NEM("V"), NEM("kA"), NEM("A"), NEM("pf")
};

#define NUNITS (sizeof(units) / sizeof(units[0]))

const struct br_unit *
br_unit_find(const char *name)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (strcasecmp(units[i].name, name) == 0)
			return &units[i];
	return NULL;
}

const struct br_unit *
br_unit_for(const char *name, unsigned use)
{
	for (size_t i = 0; i < NUNITS; i++)
		if ((units[i].uses & use) && strcmp(units[i].name, name) == 0)
			return &units[i];
	return NULL;
}

char *
br_unit_names(unsigned use, char *buf, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < NUNITS; i++) {
		int k;

		if (!(units[i].uses & use))
			continue;
		k = snprintf(buf + len, n - len, "%s%s", len ? ", " : "",
		    units[i].name);
		if (k < 0 || (size_t)k >= n - len) {
			buf[len] = '\0';	/* whole names only */
			break;
		}
		len += (size_t)k;
	}
	return buf;
}

const struct br_unit *
br_unit_from_espi(int uom)
{
	for (size_t i = 0; uom != 0 && i < NUNITS; i++)
		if (units[i].espi_uom == uom)
			return &units[i];
	return NULL;
}

int
br_unit_ratio(const struct br_unit *from, const struct br_unit *to,
    int64_t v, int64_t *num, int64_t *den)
{
	if (from == NULL || to == NULL || from->family == BR_UNIT_NONE ||
	    from->family != to->family)
		return -2;
	if (__builtin_mul_overflow(v, from->size, num))
		return -1;
	*den = to->size;
	return 0;
}
