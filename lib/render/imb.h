/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imb.h: the USPS Intelligent Mail barcode (IMb, USPS-B-3200): 65 bars
 * of four states encoding a 20-digit tracking code (barcode id 2 digits,
 * the second 0-4; service type 3; mailer id 6 or 9 with serial 9 or 6)
 * and a routing code (delivery ZIP of 0, 5, 9 or 11 digits).
 *
 * Algorithm as in the specification: the routing code and tracking code
 * make a 102-bit number, a CRC-11 frame check sequence over its 13
 * bytes, ten codewords (one base 636, nine base 1365), the codewords
 * become 13-bit characters (5-of-13 and 2-of-13 tables), the frame check
 * sequence inverts characters, and each bar takes one bit of a character
 * for its descender and one for its ascender.
 */
#ifndef BR_IMB_H
#define BR_IMB_H

#define BR_IMB_BARS 65

/*
 * Encode tracking (20 digits) and routing (0, 5, 9 or 11 digits) into
 * bars: BR_IMB_BARS characters 'F' (full), 'A' (ascender), 'D'
 * (descender) or 'T' (tracker) and a NUL.  Returns 0, or -1 with a
 * message in why when a code has the wrong length, a non-digit, or a
 * barcode id whose second digit is above 4.
 */
int br_imb_encode(const char *tracking, const char *routing,
    char bars[BR_IMB_BARS + 1], char *why, size_t whylen);

#endif
