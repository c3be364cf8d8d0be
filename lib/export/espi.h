/* SPDX-License-Identifier: Apache-2.0 */
/*
 * espi.h: Green Button "Download My Data" export (usage-export).  Writes,
 * for one account or every account of a bill cycle, the NAESB REQ.21
 * (ESPI) Atom feed a utility serves: per meter a UsagePoint, one
 * MeterReading and ReadingType per stored channel, one IntervalBlock per
 * stored meter-day with each reading's quality, the zone's
 * LocalTimeParameters and a UsageSummary per bill with its cost; and a
 * plain CSV of daily use.  Every time and id in the output comes from
 * the data (interval ends, bill dates, keys), never from the clock, so
 * the same store always gives the same bytes.  See docs/usage-export.md.
 */
#ifndef BR_EXPORT_ESPI_H
#define BR_EXPORT_ESPI_H

#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_espi_opts {
	const char *account_id;	/* one account, or NULL */
	const char *cycle_id;	/* every account of this cycle, or NULL;
				 * its period_end also ends the window */
	int months;		/* window length; 0: 24 */
	const char *base;	/* href prefix; NULL: "/espi/1_1/resource" */
};

struct br_espi_stats {
	long accounts;		/* accounts written */
	long meters;		/* UsagePoints */
	long days;		/* IntervalBlocks (meter-days) */
	long readings;		/* IntervalReadings (missing ones are left
				 * out) */
	long summaries;		/* UsageSummaries */
};

/*
 * Write the feed to xml and, when csv is not NULL, the daily CSV.  The
 * window ends at the cycle's period_end, or with an account alone at
 * its last stored meter-day, and reaches back o->months months.
 * Returns 0, or -1 with err (BR_EUSAGE: neither or an unknown account or
 * cycle; BR_EIO: a write failed).
 */
int br_espi_export(struct br_store *st, const struct br_espi_opts *o,
    FILE *xml, FILE *csv, struct br_espi_stats *stats, struct br_error *err);

/*
 * The ESPI DstRuleType (LocalTimeParameters dstStartRule/dstEndRule) of
 * a POSIX 'M' rule: month, week (5 = last), weekday (0 = Sunday) and
 * local time in seconds.  Exposed for tests.
 */
unsigned long br_espi_dst_rule(int month, int week, int wday, long time_s);

#endif
