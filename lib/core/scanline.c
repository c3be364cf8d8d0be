/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scanline.c: remittance scan line build/verify and the check-digit
 * schemes of payment documents (mod 10 both directions, mod 11, ABA).
 */
#include "core/scanline.h"

#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int
br_mod10_digit(const char *s, size_t n, enum br_mod10_dir dir)
{
	int sum = 0, w, p;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (dir == BR_MOD10_LEFT)
			w = (i % 2 == 0) ? 2 : 1;
		else
			w = ((n - 1 - i) % 2 == 0) ? 2 : 1;
		p = (s[i] - '0') * w;
		sum += p / 10 + p % 10;
	}
	return (10 - sum % 10) % 10;
}

int
br_mod11_digit(const char *s, size_t n)
{
	int sum = 0, r;
	size_t i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[n - 1 - i] < '0' || s[n - 1 - i] > '9')
			return -1;
		sum += (s[n - 1 - i] - '0') * (int)(2 + i % 6);
	}
	r = 11 - sum % 11;
	return r == 11 ? 0 : r;
}

int
br_aba_valid(const char *s)
{
	static const int w[9] = { 3, 7, 1, 3, 7, 1, 3, 7, 1 };
	int sum = 0, i;

	for (i = 0; i < 9; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		sum += (s[i] - '0') * w[i];
	}
	return sum % 10 == 0;
}

int
br_scanline_build(const char *account, int64_t amount_cents,
    char out[BR_SCANLINE_LEN + 1], struct br_error *err)
{
	size_t n = strlen(account), i;
	int cd;

	if (n == 0 || n > BR_SCANLINE_ACCT_LEN)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "scan line: account '%s' must have 1 to %d digits",
		    account, BR_SCANLINE_ACCT_LEN);
	for (i = 0; i < n; i++)
		if (account[i] < '0' || account[i] > '9')
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "scan line: account '%s' is not all digits",
			    account);
	if (amount_cents < 0 || amount_cents > INT64_C(9999999999))
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "scan line: amount %lld cents out of range 0..9999999999",
		    (long long)amount_cents);
	memset(out, '0', BR_SCANLINE_ACCT_LEN - n);
	memcpy(out + BR_SCANLINE_ACCT_LEN - n, account, n);
	snprintf(out + BR_SCANLINE_ACCT_LEN, BR_SCANLINE_AMT_LEN + 2,
	    "%010lld", (long long)amount_cents);
	cd = br_mod10_digit(out, BR_SCANLINE_LEN - 1, BR_MOD10_LEFT);
	out[BR_SCANLINE_LEN - 1] = (char)('0' + cd);
	out[BR_SCANLINE_LEN] = '\0';
	return 0;
}

int
br_scanline_parse(const char *s, size_t n, char account[11],
    int64_t *amount_cents, struct br_error *err)
{
	size_t i, j;
	int64_t amt = 0;
	int cd;

	while (n > 0 && s[0] == ' ') {
		s++;
		n--;
	}
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n != BR_SCANLINE_LEN)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "scan line: length %zu, expected %d digits", n,
		    BR_SCANLINE_LEN);
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return br_error_set(err, BR_EINPUT, NULL, 0,
			    "scan line: character %zu is not a digit", i + 1);
	cd = br_mod10_digit(s, BR_SCANLINE_LEN - 1, BR_MOD10_LEFT);
	if (cd != s[BR_SCANLINE_LEN - 1] - '0')
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "scan line: check digit %c does not match computed %d",
		    s[BR_SCANLINE_LEN - 1], cd);
	for (i = 0; i < BR_SCANLINE_ACCT_LEN - 1 && s[i] == '0'; i++)
		;
	for (j = 0; i < BR_SCANLINE_ACCT_LEN; i++, j++)
		account[j] = s[i];
	account[j] = '\0';
	for (i = BR_SCANLINE_ACCT_LEN; i < BR_SCANLINE_LEN - 1; i++)
		amt = amt * 10 + (s[i] - '0');
	*amount_cents = amt;
	return 0;
}
