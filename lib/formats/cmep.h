/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmep.h: streaming parser for CMEP MEPMD01 interval and register rows
 * (California Metering Exchange Protocol; Sensus/Xylem FlexNet exports).
 * One row: 14 header fields, then Count triples (stamp, quality, value).
 * See docs/formats-nem12-cmep.md.
 */
#ifndef BR_CMEP_H
#define BR_CMEP_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/amirec.h"
#include "core/error.h"

struct br_tz;

struct br_cmep_opts {
	/*
	 * Zone of the CCYYMMDDHHMM stamps (BORROWED); NULL means UTC.  The
	 * Sensus water feed uses local wall time (e.g. America/Los_Angeles).
	 * An ambiguous fall-back stamp takes the instant that continues the
	 * row (else the first occurrence, DST); a stamp in the spring-forward
	 * gap is an error.
	 */
	const struct br_tz *tz;
	/*
	 * true: an interval stamp marks the END of the interval (Sensus,
	 * hour-ending); false: its start.  Register stamps are instants.
	 */
	bool interval_ending;
	/*
	 * Nullable, both or neither.  A MEPMD01 row whose Meter ID and
	 * field 5 skip says belong to another shard is passed over unread
	 * (counted in stats->rows) when line_check passes it, it holds no
	 * quote and at least 14 fields.
	 */
	br_ami_skip_cb skip;
	br_ami_line_check line_check;
};

struct br_cmep_stats {
	long rows;		/* records read */
	long days;		/* interval runs handed to on_day */
	long registers;		/* register reads handed to on_register */
	long skipped;		/* rows skipped: not MEPMD01 or Purpose not OK */
	long skipped_reads;	/* triples of Purpose OK rows passed over
				 * (opts->skip) */
};

/*
 * Parse path ("-" = stdin; gzip detected).  Each interval row (Units
 * without a REG suffix) becomes one struct br_ami_day per run of
 * contiguous intervals (normally one per row); each triple of a register
 * row (KWHREG, CFREG ...) one struct br_ami_register, with the previous
 * triple of the row as its previous read.  Values are multiplied by the
 * row's Calculation Constant (rounded half up at the milli-unit).
 * Callbacks may be NULL; sha_hex and stats are nullable.  Returns 0 or -1
 * with err (BR_EINPUT with file and line).
 */
int br_cmep_parse(const char *path, const struct br_cmep_opts *opts,
    br_ami_day_cb on_day, br_ami_register_cb on_register, void *ctx,
    char sha_hex[65], struct br_cmep_stats *stats, struct br_error *err);

#endif
