/* SPDX-License-Identifier: Apache-2.0 */
/*
 * date.h: civil (proleptic Gregorian) dates and UTC instants without libc
 * time conversion.  A "day" is an int32 count of days since 1970-01-01;
 * an instant is int64 seconds since 1970-01-01T00:00:00Z.
 */
#ifndef BR_DATE_H
#define BR_DATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Days since 1970-01-01 of y-m-d (m 1..12, d 1..31). */
int32_t br_date_days(int y, int m, int d);

/* Inverse of br_date_days. */
void br_date_civil(int32_t days, int *y, int *m, int *d);

/* 0 = Sunday .. 6 = Saturday. */
int br_date_weekday(int32_t days);

bool br_date_is_leap(int y);
int br_date_month_days(int y, int m);

/*
 * Parse "YYYY-MM-DD" (exactly 10 chars when len is given, or NUL-terminated
 * when len is (size_t)-1) into days.  Validates month and day-of-month.
 * Returns 0 or -1.
 */
int br_date_parse(const char *s, size_t len, int32_t *out_days);

/* Format days as "YYYY-MM-DD"; buf >= 11 bytes.  Returns buf. */
char *br_date_format(int32_t days, char *buf, size_t n);

/* The largest UTC offset accepted, 14:00 (seconds): the zones in use span
 * -12:00 to +14:00 (Line Islands), and RFC 3339 / ISO 8601 practice
 * bounds offsets there; anything beyond is a typo. */
#define BR_UTC_OFFSET_MAX (14 * 3600)

/*
 * Parse a UTC offset "+HH:MM", "-HH:MM", "+HHMM" or "+HH" (exactly len
 * bytes; the sign is required) into seconds east of UTC.  Minutes 00-59,
 * magnitude at most BR_UTC_OFFSET_MAX.  Returns 0 or -1.
 */
int br_utc_offset_parse(const char *s, size_t len, int32_t *out_s);

/*
 * Parse an ISO 8601 timestamp "YYYY-MM-DDTHH:MM[:SS]" (a space may replace
 * the T) with an optional zone suffix "Z" or a br_utc_offset_parse offset.
 * On success *out_secs is the wall-clock seconds since the epoch (as if UTC)
 * minus the offset when one was given, and *has_zone tells whether a suffix
 * was present (callers apply the utility zone when it was not).
 * Returns 0 or -1.
 */
int br_time_parse(const char *s, size_t len, int64_t *out_secs,
    bool *has_zone);

/*
 * The date part of the last stamp br_time_parse_cached converted: rows of
 * interval data repeat one date 24 to 96 times.  Zero-initialize.
 */
struct br_time_cache {
	char date[10];
	bool valid;
	int32_t days;
};

/* br_time_parse, converting the date only when it differs from the last
 * one (same results and errors). */
int br_time_parse_cached(struct br_time_cache *tc, const char *s, size_t len,
    int64_t *out_secs, bool *has_zone);

/* Format UTC seconds as "YYYY-MM-DDTHH:MM:SSZ"; buf >= 21 bytes. */
char *br_time_format_utc(int64_t secs, char *buf, size_t n);

/* Floor division helpers for negative instants. */
int64_t br_floor_div(int64_t a, int64_t b);

#endif
