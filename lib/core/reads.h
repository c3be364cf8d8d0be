/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reads.h: the vocabulary of a meter read shared by every layer: the
 * interval channel (delivered/received) and the per-interval quality byte
 * with its estimation method.  The AMI format parsers set these, the store
 * packs them into interval_day.quality, validation and rating read them.
 */
#ifndef BR_READS_H
#define BR_READS_H

#include <stdint.h>

/* Channels of interval data. */
enum br_channel {
	BR_CHANNEL_DELIVERED = 1,	/* utility -> customer (consumption) */
	BR_CHANNEL_RECEIVED = 2		/* customer -> utility (export) */
};

/*
 * Per-interval quality byte: low 4 bits are flags, high 4 bits the
 * estimation method (0 none).  A missing interval has value 0 and
 * BR_Q_MISSING; it must never be billed as an actual zero.
 */
enum br_quality {
	BR_Q_ACTUAL = 0,
	BR_Q_MISSING = 1 << 0,		/* no value received */
	BR_Q_ESTIMATED = 1 << 1,	/* value is an estimate */
	BR_Q_EDITED = 1 << 2,		/* manually edited/overridden */
	BR_Q_SUSPECT = 1 << 3		/* failed validation, kept as read */
};
#define BR_Q_METHOD(q) (((q) >> 4) & 0xF)
#define BR_Q_WITH_METHOD(flags, m) ((uint8_t)(((m) << 4) | (flags)))
enum br_est_method {
	BR_EST_NONE = 0,
	BR_EST_LINEAR = 1,	/* linear interpolation across a short gap */
	BR_EST_LIKE_DAY = 2,	/* average of like days */
	BR_EST_FALLBACK = 3,	/* final fallback (zero-use/profile) */
	BR_EST_SOURCE = 4	/* estimated by the sender (quality E/S/F) */
};

#endif
