/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h: the one error record every fallible br_* function fills.
 *
 * Library code never prints and never exits.  A fallible function returns
 * 0 on success and -1 on failure, after filling a caller-provided
 * struct br_error.  On success the struct is left untouched, so calls chain
 * with ||.  The message is complete enough to print as is; the tools prefix
 * it with "<tool>: <file>:<line>: ".
 */
#ifndef BR_ERROR_H
#define BR_ERROR_H

#include <stddef.h>

enum br_errcode {
	BR_OK = 0,
	BR_EUSAGE,	/* bad command line or API misuse */
	BR_EINPUT,	/* malformed input data (exit 65) */
	BR_ENOINPUT,	/* input missing or unreadable (exit 66) */
	BR_EINTERNAL,	/* a bug, or SQLite/zlib failure (exit 70) */
	BR_ECANTCREATE,	/* output cannot be created (exit 73) */
	BR_EIO,		/* read or write error (exit 74) */
	BR_ECONFIG,	/* bad configuration or tariff (exit 78) */
	BR_ENOMEM,	/* out of memory (exit 70) */
	BR_EBUSY	/* the store is locked by another run: retry later (exit 75) */
};

struct br_error {
	enum br_errcode code;
	char file[256];	/* input file the problem is in, "" if none */
	long line;	/* 1-based line in file, 0 if none */
	char msg[768];	/* lower case, no trailing period */
};

/*
 * Fill err (when not NULL) with code, file (may be NULL), line and a
 * printf-style message.  Always returns -1 so callers can write
 * "return br_error_set(...);".
 */
int br_error_set(struct br_error *err, enum br_errcode code, const char *file,
    long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Reset err to "no error". */
void br_error_clear(struct br_error *err);

/*
 * Format err as "file:line: message" (or "file: message" or "message")
 * into buf of size n.  Returns buf.
 */
const char *br_error_format(const struct br_error *err, char *buf, size_t n);

#endif
