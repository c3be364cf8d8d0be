/* SPDX-License-Identifier: Apache-2.0 */
/*
 * nem12.h: streaming parser for AEMO MDFF files, NEM12 (interval data:
 * 200/300/400/500 records) and NEM13 (accumulation: 250/550 records).
 * See docs/formats-nem12-cmep.md for the layout, the time base and what
 * is rejected versus accepted with a flag.
 */
#ifndef BR_NEM12_H
#define BR_NEM12_H

#include <stdbool.h>
#include <stdint.h>

#include "formats/amirec.h"
#include "core/error.h"

struct br_nem12_opts {
	/*
	 * Fixed offset of the file's clock, seconds east of UTC.  NEM time
	 * is AEST (UTC+10, no DST): 36000.  Western Power (WA) files may
	 * need 28800.  Used when has_offset is true, else 36000.
	 */
	bool has_offset;
	int32_t utc_offset_s;
	/*
	 * strict: also reject the out-of-spec variants that are otherwise
	 * accepted with a flag (no 100 header, several blocks, empty
	 * NMIConfiguration).
	 */
	bool strict;
	/*
	 * Nullable, both or neither.  When skip says a 200 record's meter
	 * belongs to another shard, its 300, 400 and 500 records up to the
	 * next other record are passed over unread if line_check passes
	 * them: only the record structure (a 400 follows a 300 or 400) is
	 * checked, a 300 still counts in stats->days and marks a short
	 * record (no UpdateDateTime) by its field count.
	 */
	br_ami_skip_cb skip;
	br_ami_line_check line_check;
};

/* Counts and flags of one parse (filled on success and on error). */
struct br_nem12_stats {
	long days;		/* 300 records handed to on_day or skipped */
	long registers;		/* 500 IndexReads and 250 records */
	long blocks;		/* 100..900 blocks (or header-less blocks) */
	int version;		/* 12 or 13 */
	unsigned flags;		/* enum br_ami_flags seen anywhere */
	long skipped_reads;	/* intervals and IndexReads of delivered or
				 * received channels in records passed over
				 * (opts->skip) */
};

/*
 * Parse path ("-" = stdin; gzip detected).  on_day receives each 300
 * record after its 400 records were applied; on_register each 500 record
 * with an IndexRead and each NEM13 250 record.  Either callback may be
 * NULL; a callback returning -1 stops the parse with its err.  sha_hex
 * (nullable) receives the SHA-256 of the input; stats is nullable.
 * Records already handed out before an error must be discarded by the
 * caller (roll back its transaction).  Returns 0 or -1 with err (BR_EINPUT
 * with file and line for malformed data).
 */
int br_nem12_parse(const char *path, const struct br_nem12_opts *opts,
    br_ami_day_cb on_day, br_ami_register_cb on_register, void *ctx,
    char sha_hex[65], struct br_nem12_stats *stats, struct br_error *err);

/*
 * Canonical spelling of a NEM12 UOM matched case-insensitively (KWH ->
 * kWh, kvarh -> kVArh); NULL when unknown.  "" maps to "".
 */
const char *br_nem12_unit(const char *uom);

/*
 * Channel of an NMI suffix: D/E/F -> BR_CHANNEL_DELIVERED (energy from
 * the grid to the customer), A/B/C -> BR_CHANNEL_RECEIVED, anything else
 * BR_AMI_CHANNEL_OTHER.
 */
int br_nem12_suffix_channel(const char *suffix);

#endif
