/* SPDX-License-Identifier: Apache-2.0 */
/*
 * page.h: what the report pages (review.c, account_view.c) share: the
 * stylesheet, money and exception id text, reading one meter-day of
 * intervals, and the chart of a flagged day beside its like days and the
 * same weekday a year before.
 */
#ifndef BR_REPORT_PAGE_H
#define BR_REPORT_PAGE_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* One meter-day of one channel, values unpacked. */
struct br_page_day {
	int32_t day;
	int32_t interval_s;
	int32_t n;		/* 0: no row stored */
	int64_t v[300];		/* milli-units (at most 288 + DST) */
	uint8_t q[300];		/* quality bytes (core/reads.h) */
};

/* Read meter's channel on local day into d (d->n = 0 when absent).
 * Returns 0 or -1 with err. */
int br_page_read_day(struct br_store *st, const char *meter, int channel,
    int32_t day, struct br_page_day *d, struct br_error *err);

/*
 * The chart of meter's delivered intervals on day (estimated intervals
 * marked, missing ones breaking the line) beside the average of up to
 * four like days (same weekday, the four weeks before) and the same
 * weekday 52 weeks before, when stored.  Writes a note instead when the
 * day has no intervals.  Returns 0 or -1 with err.
 */
int br_page_day_chart(struct br_store *st, FILE *f, const char *meter,
    const char *unit, int32_t day, struct br_error *err);

/* "$1,234.56" style text of cents ("-$5.00" when negative). */
char *br_page_money(int64_t cents, char *buf, size_t n);

#endif
