/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tz.h: the utility's time zone, read from the system's IANA TZif files
 * (/usr/share/zoneinfo, or $TZDIR) or given as a POSIX TZ rule string
 * ("EST5EDT,M3.2.0,M11.1.0").  Independent of the process TZ and of
 * localtime(3).  Used for TOU periods, billing days and DST days
 * (23/25-hour days, 92/100 quarter-hours).
 */
#ifndef BR_TZ_H
#define BR_TZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct br_tz_rule {		/* one POSIX TZ transition rule */
	int kind;		/* 'J' Julian 1..365, 'D' zero-based day, 'M' */
	int month, week, wday;	/* for 'M' */
	int day;		/* for 'J' and 'D' */
	int32_t time_s;		/* local time of the transition */
};

struct br_tz {
	char name[128];
	size_t ntrans;		/* transitions from the TZif file */
	int64_t *trans;		/* OWNED: UTC instants, ascending */
	int32_t *trans_off;	/* OWNED: UTC offset (s) in effect from each */
	int32_t first_off;	/* offset before the first transition */
	bool has_rule;		/* POSIX footer or string present */
	int32_t std_off, dst_off; /* seconds east of UTC */
	bool has_dst;
	struct br_tz_rule start, end;
};

/*
 * Load zone `name` ("America/Chicago", "UTC", "EST5EDT,M3.2.0,M11.1.0").
 * Returns 0, or -1 with err (BR_ECONFIG) naming the zone.  Release with
 * br_tz_release.
 */
int br_tz_load(struct br_tz *tz, const char *name, struct br_error *err);
void br_tz_release(struct br_tz *tz);

/* Seconds east of UTC in effect at UTC instant t. */
int32_t br_tz_offset(const struct br_tz *tz, int64_t t);

/* Local calendar day (days since 1970-01-01) containing UTC instant t. */
int32_t br_tz_local_day(const struct br_tz *tz, int64_t t);

/* UTC instant at which local day `day` begins (its first local instant). */
int64_t br_tz_day_start(const struct br_tz *tz, int32_t day);

/* Length of local day `day` in seconds (82800, 86400, 90000 ...). */
int32_t br_tz_day_length(const struct br_tz *tz, int32_t day);

/*
 * Convert a local wall-clock time (seconds since the epoch as if local were
 * UTC) to UTC.  Returns 0 when unique, 1 when ambiguous (fall-back hour:
 * *out is the earlier instant when prefer_later is false, else the later),
 * and -1 when the wall time does not exist (spring-forward gap).
 */
int br_tz_local_to_utc(const struct br_tz *tz, int64_t local,
    bool prefer_later, int64_t *out);

#endif
