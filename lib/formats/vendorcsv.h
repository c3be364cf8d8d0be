/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vendorcsv.h: vendor interval CSV exports described by a YAML column
 * mapping (docs/formats-vendor-csv.md): which header names hold the meter
 * id, the timestamp, the value, its unit and quality; the time base (zone,
 * interval start or end, snapping to the interval grid); unit names and
 * quality codes of the vendor; an optional value multiplier.  ami-import
 * --format vendor --mapping FILE reads such files through the generic
 * row importer (import.c).
 */
#ifndef BR_VENDORCSV_H
#define BR_VENDORCSV_H

#include <stdint.h>

#include "core/error.h"

#define BR_VENDOR_MAX_CODES 16

struct br_vendor_code {		/* vendor spelling -> ours */
	char from[32];
	char to[16];
};

struct br_vendor_map {
	char name[64];			/* "name:" of the mapping (free text) */
	/* columns: header names; meter, time and value are required */
	char col_meter[64], col_time[64], col_value[64];
	char col_unit[64], col_quality[64], col_channel[64];
	char unit[16];			/* unit when there is no unit column */
	char time_zone[64];		/* IANA zone of stamps; "" = utility */
	int interval_ending;		/* stamps mark the interval end */
	int interval_minutes;		/* default 15 */
	int snap;			/* round stamps to the nearest boundary */
	int has_multiplier;		/* multiplier replaces the registry's */
	int64_t multiplier_milli;
	struct br_vendor_code units[BR_VENDOR_MAX_CODES];
	int nunits;
	struct br_vendor_code quality[BR_VENDOR_MAX_CODES];	/* to: A/E/M */
	int nquality;
};

/*
 * Load a mapping file.  Returns 0, or -1 with err (BR_ENOINPUT when it
 * cannot be opened, BR_ECONFIG with file:line for a bad key or value).
 */
int br_vendor_map_load(struct br_vendor_map *m, const char *path,
    struct br_error *err);

/* Our unit for the vendor's spelling u (the units table, else u). */
const char *br_vendor_unit(const struct br_vendor_map *m, const char *u);

/*
 * Quality letter (A, E or M) for the vendor's code q: the quality table;
 * an empty q is A.  Returns 0 or -1 when q is not in the table.
 */
int br_vendor_quality(const struct br_vendor_map *m, const char *q,
    char *out);

#endif
