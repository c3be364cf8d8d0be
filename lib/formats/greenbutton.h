/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greenbutton.h: Green Button (NAESB REQ.21 ESPI) XML interval data,
 * parsed with expat.  IntervalBlocks are tied to their ReadingType
 * (unit, powerOfTenMultiplier, flowDirection) through the Atom link
 * hrefs (block "up" -> MeterReading -> "related" ReadingType), not by
 * document order, then handed out as runs of intervals.
 * See docs/formats-greenbutton.md.
 */
#ifndef BR_GREENBUTTON_H
#define BR_GREENBUTTON_H

#include "formats/amirec.h"
#include "core/error.h"

/*
 * powerOfTenMultiplier is an ESPI PowerOfTenMultiplierKind: an Int16
 * whose enumerated values span -12 (pico) to 12 (tera).  Absent means 0
 * (no multiplier); a value outside this range, or not a whole number, is
 * an error naming the file and line.
 */
#define BR_GB_POWER_MIN (-12)
#define BR_GB_POWER_MAX 12

struct br_gb_stats {
	long readings;		/* IntervalReadings read */
	long days;		/* runs handed to on_day */
	long blocks;		/* IntervalBlocks */
};

/*
 * Parse path ("-" = stdin; gzip detected).  Each run of contiguous
 * readings of equal duration becomes one struct br_ami_day: meter_id is
 * the UsagePoint path of the hrefs ("RetailCustomer/3/UsagePoint/1"),
 * unit Wh, therm, CF or gal, values in milli-units (value x 10^power x
 * 1000, rounded half up), channel delivered (flowDirection 1 or absent),
 * received (19) or other.  Returns 0 or -1 with err (BR_EINPUT with file
 * and line).
 */
int br_gb_parse(const char *path, br_ami_day_cb on_day, void *ctx,
    char sha_hex[65], struct br_gb_stats *stats, struct br_error *err);

#endif
