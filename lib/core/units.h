/* SPDX-License-Identifier: Apache-2.0 */
/*
 * units.h: the one table of measurement units billrun knows.
 *
 * Every interval value and register read is stored in milli-units of its
 * meter's unit (money.h); a unit's `size` is how many of its family's
 * base unit it holds (kWh = 1000 Wh), so a value converts only within its
 * family.  The table also carries what the file formats need: the
 * units a meter or tariff may be billed in, the NEM12/CMEP unit-of-measure
 * spellings (AEMO MDFF UOM list, incl. demand and reactive units that are
 * parsed but never billed), and the ESPI (Green Button) uom codes.
 */
#ifndef BR_UNITS_H
#define BR_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Conversion family: values convert only within one. */
enum br_unit_family {
	BR_UNIT_NONE,		/* recognized, never converted or billed */
	BR_UNIT_WH,		/* electric energy, base Wh */
	BR_UNIT_CF,		/* volume, base cubic foot (gas or water) */
	BR_UNIT_GAL,		/* water volume, base US gallon */
	BR_UNIT_THERM		/* gas heat, base therm (stands alone) */
};

/* Meter kinds a unit is used for (bit mask). */
#define BR_UNIT_ELECTRIC 1u
#define BR_UNIT_GAS 2u
#define BR_UNIT_WATER 4u

/* Where a unit may appear (bit mask). */
#define BR_UNIT_METER 1u	/* registry meters.csv "unit" */
#define BR_UNIT_TARIFF 2u	/* tariff YAML "unit" */
#define BR_UNIT_NEM12 4u	/* NEM12 / CMEP UOM field */

struct br_unit {
	const char *name;		/* canonical spelling */
	enum br_unit_family family;
	int64_t size;			/* in base units of the family */
	unsigned kinds;			/* BR_UNIT_ELECTRIC | ... */
	unsigned uses;			/* BR_UNIT_METER | ... */
	int espi_uom;			/* ESPI UnitSymbolKind, 0: none */
};

/* The unit named `name` (ASCII case-insensitive), or NULL. */
const struct br_unit *br_unit_find(const char *name);

/* The unit spelled exactly `name` ("kWh", not "KWH") allowed in `use`
 * (one BR_UNIT_METER...), or NULL. */
const struct br_unit *br_unit_for(const char *name, unsigned use);

/* The names allowed in `use`, table order, joined by ", " into buf
 * (whole names that fit in n).  Returns buf. */
char *br_unit_names(unsigned use, char *buf, size_t n);

/* The unit of ESPI uom code `uom` that we store, or NULL. */
const struct br_unit *br_unit_from_espi(int uom);

/*
 * Convert v (milli of `from`) to milli of `to`, times from->size /
 * to->size, keeping the numerator for the caller: *num = v * from->size,
 * *den = to->size.  Returns 0, -2 when the units do not convert (other
 * family or BR_UNIT_NONE), -1 on overflow.
 */
int br_unit_ratio(const struct br_unit *from, const struct br_unit *to,
    int64_t v, int64_t *num, int64_t *den);

#endif
