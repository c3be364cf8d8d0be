/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ami.h: callbacks for the AMI parser harnesses that read every
 * field a consumer would read, so sanitizers see any bad pointer or
 * length in the records handed out.
 */
#ifndef BR_FUZZ_AMI_H
#define BR_FUZZ_AMI_H

#include "formats/amirec.h"

static volatile int64_t fuzz_ami_sink;

static inline int
fuzz_on_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	int64_t s = d->start_utc + d->interval_s + (int64_t)strlen(d->file) +
	    (int64_t)strlen(d->meter_id) + (int64_t)strlen(d->unit) +
	    (int64_t)strlen(d->version) + (int64_t)strlen(d->qmethod);
	int32_t i;

	(void)ctx;
	(void)err;
	for (i = 0; i < d->n; i++)
		s += d->values[i] + d->quality[i];
	fuzz_ami_sink += s;
	return 0;
}

static inline int
fuzz_on_register(void *ctx, const struct br_ami_register *r,
    struct br_error *err)
{
	(void)ctx;
	(void)err;
	fuzz_ami_sink += r->read_utc + r->value_milli + r->prev_milli +
	    r->quantity_milli + (int64_t)strlen(r->meter_id) +
	    (int64_t)strlen(r->unit) + (int64_t)strlen(r->register_id) +
	    (int64_t)strlen(r->version) + (int64_t)strlen(r->file);
	return 0;
}

#endif
