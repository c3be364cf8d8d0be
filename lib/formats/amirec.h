/* SPDX-License-Identifier: Apache-2.0 */
/*
 * amirec.h: records handed out by the AMI file parsers (nem12.h, cmep.h),
 * independent of the store.  A parser streams one struct br_ami_day per
 * run of consecutive intervals of one channel (a NEM12 300 record, a CMEP
 * interval row) and one struct br_ami_register per register read (NEM12
 * 500 IndexRead, NEM13 250, CMEP ...REG rows).  All pointers are BORROWED
 * and valid only during the callback.
 */
#ifndef BR_AMIREC_H
#define BR_AMIREC_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Channel 0: not an energy channel (varh, VAh, volts, pf, net ...). */
#define BR_AMI_CHANNEL_OTHER 0

/* Flags on a record or a whole parse (struct br_ami_day.flags). */
enum br_ami_flags {
	BR_AMI_F_NO_HEADER = 1 << 0,	/* file had no 100 header */
	BR_AMI_F_MULTI_BLOCK = 1 << 1,	/* several 100/900 blocks */
	BR_AMI_F_EMPTY_CONFIG = 1 << 2,	/* 200 NMIConfiguration empty */
	BR_AMI_F_SHORT_RECORD = 1 << 3,	/* optional trailing fields absent */
	BR_AMI_F_EVENT = 1 << 4		/* A with reason 61/79/89 (event) */
};

struct br_ami_day {
	const char *file;	/* BORROWED: name for diagnostics */
	long line;		/* line of the 300 / CMEP row */
	char meter_id[64];	/* NEM12: NMI; CMEP: Meter ID (field 7) */
	char nmi_suffix[8];	/* NEM12: E1, B1, Q1 ...; CMEP: "" */
	char serial[32];	/* NEM12: MeterSerialNumber; CMEP: field 5 */
	int channel;		/* enum br_channel or BR_AMI_CHANNEL_OTHER */
	char unit[16];		/* normalized: kWh, Wh, kVArh, CF ... */
	int64_t start_utc;	/* UTC start of the first interval */
	int32_t interval_s;	/* interval length in seconds */
	int32_t n;		/* number of intervals */
	int64_t *values;	/* BORROWED: n milli-units (0 when missing) */
	uint8_t *quality;	/* BORROWED: n x (enum br_quality | method) */
	char qmethod[8];	/* NEM12 300 QualityMethod as sent (A, V, F14) */
	int reason;		/* NEM12 300 ReasonCode, -1 when none */
	char version[32];	/* NEM12 UpdateDateTime (14 digits) or CMEP
				 * file Time Stamp: later versions win */
	unsigned flags;		/* enum br_ami_flags */
};

struct br_ami_register {
	const char *file;	/* BORROWED */
	long line;
	char meter_id[64];	/* NMI or CMEP Meter ID */
	char register_id[16];	/* NEM13 RegisterID, "" otherwise */
	char nmi_suffix[8];	/* NEM13 suffix (11, 41) or NEM12 of the 200 */
	char serial[32];
	int channel;		/* enum br_channel or BR_AMI_CHANNEL_OTHER */
	char unit[16];		/* normalized (NEM12 500: UOM of the 200) */
	int64_t read_utc;	/* instant of the (current) read */
	int64_t value_milli;	/* register value (current read) */
	uint8_t quality;	/* enum br_quality | method */
	int has_previous;	/* NEM13: previous read present */
	int64_t prev_utc;
	int64_t prev_milli;
	uint8_t prev_quality;
	int has_quantity;	/* NEM13 Quantity present */
	int64_t quantity_milli;	/* consumption between the reads */
	char trans_code[4];	/* NEM12 500 TransCode */
	char version[32];	/* NEM13 UpdateDateTime, NEM12 500: latest
				 * 300 UpdateDateTime of its 200 block, CMEP
				 * file Time Stamp */
};

typedef int (*br_ami_day_cb)(void *ctx, const struct br_ami_day *d,
    struct br_error *err);
typedef int (*br_ami_register_cb)(void *ctx, const struct br_ami_register *r,
    struct br_error *err);

/*
 * Shard-aware import (ami-import --shard): does the data of this meter
 * (NEM12: the NMI, NMISuffix and MeterSerialNumber of a 200 record; CMEP:
 * Meter ID, "" and field 5 of a row) belong wholly to another shard?  1:
 * the parser passes over its records without reading their values; 0:
 * they are read as usual.  ctx is the parse's callback ctx.
 */
typedef int (*br_ami_skip_cb)(void *ctx, const char *meter_id,
    const char *suffix, const char *serial);

/*
 * The check a line gets before it is passed over unread: 0 when s[0..len)
 * (no LF; a final CR allowed) is within the reader's line length and holds
 * no control byte and an even number of quotes, else nonzero (the line is
 * then read as usual and gets the reader's errors).
 */
typedef int (*br_ami_line_check)(const char *s, size_t len);

#endif
