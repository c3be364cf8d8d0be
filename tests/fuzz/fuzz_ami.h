/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ami.h: callbacks for the AMI parser harnesses that read every
 * field a consumer would read, so sanitizers see any bad pointer or
 * length in the records handed out.  The sums are unsigned: the
 * records may hold any int64 (a start of INT64_MAX must reach the parser's
 * own overflow checks), and wrapping is the point, not a finding.
 */
#ifndef BR_FUZZ_AMI_H
#define BR_FUZZ_AMI_H

#include "formats/amirec.h"

static volatile uint64_t fuzz_ami_sink;

static inline int
fuzz_on_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	uint64_t s = (uint64_t)d->start_utc + (uint64_t)d->interval_s +
	    strlen(d->file) + strlen(d->meter_id) + strlen(d->unit) +
	    strlen(d->version) + strlen(d->qmethod);
	int32_t i;

	(void)ctx;
	(void)err;
	for (i = 0; i < d->n; i++)
		s += (uint64_t)d->values[i] + d->quality[i];
	fuzz_ami_sink += s;
	return 0;
}

static inline int
fuzz_on_register(void *ctx, const struct br_ami_register *r,
    struct br_error *err)
{
	(void)ctx;
	(void)err;
	fuzz_ami_sink += (uint64_t)r->read_utc + (uint64_t)r->value_milli +
	    (uint64_t)r->prev_milli + (uint64_t)r->quantity_milli +
	    strlen(r->meter_id) + strlen(r->unit) + strlen(r->register_id) +
	    strlen(r->version) + strlen(r->file);
	return 0;
}

#endif
