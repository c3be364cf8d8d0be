/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exid.h: how an exception id is written for people and spreadsheets.
 * The store keeps the 63-bit stable hash (exception.exc_id); tools print
 * it as "EX-" and 13 fixed-width Crockford base32 digits (65 bits, the
 * top two always 0), so the text sorts in the numeric order and no
 * spreadsheet turns it into a rounded number.  Parsing takes that form
 * (any case, Crockford's I/L for 1 and O for 0) and the old decimal
 * form.  See docs/validate-reads.md, EXCEPTION IDS.
 */
#ifndef BR_EXID_H
#define BR_EXID_H

#include <stddef.h>
#include <stdint.h>

#define BR_EXID_LEN 16		/* "EX-" + 13 digits */
#define BR_EXID_SIZE 17		/* with the NUL */

/* Write id (> 0) as "EX-XXXXXXXXXXXXX" into buf (at least BR_EXID_SIZE
 * bytes).  Returns buf. */
char *br_exid_format(int64_t id, char *buf, size_t n);

/*
 * Parse s as "EX-" + 13 Crockford digits or as a decimal id.  Returns 0
 * with *id > 0, or -1 when s is neither (empty, other characters, a
 * check overflowing 63 bits, zero).
 */
int br_exid_parse(const char *s, int64_t *id);

#endif
