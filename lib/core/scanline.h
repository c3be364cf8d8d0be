/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanline.h: the remittance-stub scan line (OCR line) and the check-digit
 * schemes used on payment documents.
 *
 * Scan line layout (21 digits, no spaces):
 *
 *   positions  1-10  account number, zero-filled on the left
 *   positions 11-20  amount due in cents, zero-filled
 *   position  21     check digit: mod 10, weights 2,1,2,1... from the
 *                    left, digits of each product added, check =
 *                    (10 - sum % 10) % 10 (the Creditron convention,
 *                    vector MOD10_W21_LEFT_DIGITSUM in
 *                    samples/payments/synthetic/check-digit-vectors.tsv)
 *
 * Example: account 1234567, amount $123.45 -> 000123456700000123456 + cd.
 */
#ifndef BR_SCANLINE_H
#define BR_SCANLINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BR_SCANLINE_LEN		21
#define BR_SCANLINE_ACCT_LEN	10
#define BR_SCANLINE_AMT_LEN	10

/* Direction of the 2,1 weights for br_mod10_digit. */
enum br_mod10_dir {
	BR_MOD10_LEFT,	/* weights 2,1,... from the leftmost digit */
	BR_MOD10_RIGHT	/* Luhn: weight 2 on the rightmost payload digit */
};

/*
 * Check digit (0-9) of the n digits at s with mod 10, weights 2-1 in the
 * given direction, digit sum of each product, (10 - sum % 10) % 10.
 * Returns -1 if a character is not a digit or n is 0.
 */
int br_mod10_digit(const char *s, size_t n, enum br_mod10_dir dir);

/*
 * Mod 11, weights 2..7 cycling from the rightmost digit, 11 - sum % 11;
 * 11 gives 0; 10 is returned as 10 (the caller decides 'X' or reject).
 * Returns -1 on a non-digit or n == 0.
 */
int br_mod11_digit(const char *s, size_t n);

/* 1 when the 9 characters at s are an ABA routing number whose 3-7-1
 * weighted sum is a multiple of 10, else 0. */
int br_aba_valid(const char *s);

/*
 * Build the scan line for account (1-10 digits) and amount_cents
 * (0..9999999999) into out (NUL-terminated).  Returns 0 or -1 with err
 * (BR_EINPUT).
 */
int br_scanline_build(const char *account, int64_t amount_cents,
    char out[BR_SCANLINE_LEN + 1], struct br_error *err);

/*
 * Parse and verify the scan line in s[0..n) (leading and trailing spaces
 * ignored): 21 digits with a matching check digit.  account receives the
 * 10 digits with leading zeros removed ("0" if all zero).  Returns 0 or -1
 * with err (BR_EINPUT, no file or line: the caller adds them).
 */
int br_scanline_parse(const char *s, size_t n, char account[11],
    int64_t *amount_cents, struct br_error *err);

#endif
