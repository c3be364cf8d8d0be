/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money.c: integer money arithmetic, rounding and decimal text.
 *
 * Every billing path goes through these helpers so that the rounding rule
 * of each amount is named at the call and tested here once.
 */
#include "core/money.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

static br_i128
div_round128(br_i128 num, br_i128 den, enum br_round mode)
{
	br_i128 q = num / den, r = num % den;
	br_i128 ar, twice;
	int neg = (num < 0) != (den < 0);

	if (r == 0)
		return q;
	ar = r < 0 ? -r : r;
	twice = 2 * ar;
	if (den < 0)
		den = -den;
	switch (mode) {
	case BR_ROUND_DOWN:
		return q;
	case BR_ROUND_UP:
		return neg ? q - 1 : q + 1;
	case BR_ROUND_HALF_UP:
		if (twice >= den)
			return neg ? q - 1 : q + 1;
		return q;
	case BR_ROUND_HALF_EVEN:
		if (twice > den || (twice == den && (q % 2) != 0))
			return neg ? q - 1 : q + 1;
		return q;
	}
	return q;
}

int64_t
br_div_round(int64_t num, int64_t den, enum br_round mode)
{
	return (int64_t)div_round128(num, den, mode);
}

int64_t
br_money_to_cents(int64_t micros, enum br_round mode)
{
	return br_div_round(micros, BR_MICROS_PER_CENT, mode);
}

int
br_money_mul_qty_rate(int64_t qty_milli, int64_t rate_micro,
    enum br_round mode, int64_t *out_micros, struct br_error *err)
{
	br_i128 p = (br_i128)qty_milli * rate_micro;
	br_i128 r = div_round128(p, 1000, mode);

	if (r > INT64_MAX || r < INT64_MIN)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "charge overflows: quantity %lld milli-units at rate %lld "
		    "micro-dollars", (long long)qty_milli,
		    (long long)rate_micro);
	*out_micros = (int64_t)r;
	return 0;
}

int
br_money_mul_qty_nano(int64_t qty_milli, int64_t rate_nano,
    enum br_round mode, int64_t *out_micros, struct br_error *err)
{
	/* milli-units x nano-dollars = 1e-12 dollars; / 1e6 = micro */
	br_i128 p = (br_i128)qty_milli * rate_nano;
	br_i128 r = div_round128(p, 1000000, mode);

	if (r > INT64_MAX || r < INT64_MIN)
		return br_error_set(err, BR_EINPUT, NULL, 0,
		    "charge overflows: quantity %lld milli-units at rate %lld "
		    "nano-dollars", (long long)qty_milli,
		    (long long)rate_nano);
	*out_micros = (int64_t)r;
	return 0;
}

int
br_rate_parse_nano(const char *s, size_t len, int64_t *out_nano)
{
	size_t i = 0, digits = 0;
	int point = 0;
	int64_t v;

	if (len == (size_t)-1)
		len = strlen(s);
	if (len > 0 && (s[0] == '-' || s[0] == '+'))
		i++;
	for (; i < len; i++) {
		if (s[i] == '.' && !point) {
			point = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return BR_RATE_ESYNTAX;
		digits++;
	}
	if (digits == 0)
		return BR_RATE_ESYNTAX;
	if (point) {
		/* decimals up to the last non-zero one */
		const char *dot = memchr(s, '.', len);
		size_t k, sig = 0;
		for (k = (size_t)(dot - s) + 1; k < len; k++)
			if (s[k] != '0')
				sig = k - (size_t)(dot - s);
		if (sig > 9)
			return BR_RATE_EDECIMALS;
	}
	if (br_decimal_parse(s, len, 9, &v) != 0 ||
	    v > BR_RATE_MAX_NANO || v < -BR_RATE_MAX_NANO)
		return BR_RATE_ERANGE;
	*out_nano = v;
	return 0;
}

char *
br_rate_format_nano(int64_t rate_nano, char *buf, size_t n)
{
	size_t len;

	br_decimal_format(rate_nano, 9, 9, buf, n);
	len = strlen(buf);
	/* keep 6 decimals: "x.dddddd" plus up to 3 more, trimmed */
	while (len > 0 && buf[len - 1] == '0' &&
	    strchr(buf, '.') + 7 < buf + len)
		buf[--len] = '\0';
	return buf;
}

int64_t
br_rate_nano_to_micro(int64_t rate_nano)
{
	return br_div_round(rate_nano, BR_NANOS_PER_MICRO, BR_ROUND_HALF_UP);
}

int64_t
br_money_mul_ppm(int64_t micros, int64_t ppm, enum br_round mode)
{
	return (int64_t)div_round128((br_i128)micros * ppm, 1000000, mode);
}

int
br_decimal_parse(const char *s, size_t len, int scale, int64_t *out)
{
	size_t i = 0;
	int neg = 0, digits = 0, frac = 0, point = 0;
	uint64_t v = 0;
	const uint64_t lim = (uint64_t)INT64_MAX;

	if (len == (size_t)-1)
		len = strlen(s);
	if (scale < 0 || scale > 9 || len == 0)
		return -1;
	if (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-';
		i++;
	}
	for (; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			if (point)
				return -1;
			point = 1;
			continue;
		}
		if (c < '0' || c > '9')
			return -1;
		digits++;
		if (point) {
			if (frac >= scale) {
				if (c != '0')
					return -1;
				continue;
			}
			frac++;
		}
		if (v > (lim - (uint64_t)(c - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (digits == 0)
		return -1;
	for (; frac < scale; frac++) {
		if (v > lim / 10)
			return -1;
		v *= 10;
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

size_t
br_int_format(char *p, int64_t v)
{
	char tmp[20];
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, k = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		p[k++] = '-';
	while (n > 0)
		p[k++] = tmp[--n];
	return k;
}

int
br_int_parse(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	uint64_t v = 0, lim;

	if (len == (size_t)-1)
		len = strlen(s);
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < len; i++) {
		unsigned d = (unsigned char)s[i] - (unsigned)'0';
		if (d > 9 || v > (lim - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (neg) {
		int64_t r = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)v;
		if (r < min || r > max)
			return -1;
		*out = r;
	} else {
		if ((int64_t)v < min || (int64_t)v > max)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

int
br_money_parse_micros(const char *s, int64_t *out_micros)
{
	return br_decimal_parse(s, (size_t)-1, 6, out_micros);
}

int
br_qty_parse_milli(const char *s, int64_t *out_milli)
{
	return br_decimal_parse(s, (size_t)-1, 3, out_milli);
}

/*
 * Digits are written by hand, not with snprintf: rate-apply formats a
 * few dozen numbers per bill and snprintf cost about 1,000 instructions
 * each.  Truncates like snprintf when n is too small.
 */
char *
br_decimal_format(int64_t v, int scale, int decimals, char *buf, size_t n)
{
	uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	uint64_t pow = 1, ip, fp;
	char tmp[48], *p = tmp + sizeof(tmp);
	size_t len;
	int i;

	if (scale > 18)
		scale = 18;
	for (i = 0; i < scale; i++)
		pow *= 10;
	ip = mag / pow;
	fp = mag % pow;
	if (decimals > scale)
		decimals = scale;
	if (decimals < 0)
		decimals = 0;
	for (i = decimals; i < scale; i++)
		fp /= 10;
	for (i = 0; i < decimals; i++) {
		*--p = (char)('0' + fp % 10);
		fp /= 10;
	}
	if (decimals > 0)
		*--p = '.';
	do {
		*--p = (char)('0' + ip % 10);
		ip /= 10;
	} while (ip != 0);
	if (v < 0)
		*--p = '-';
	len = (size_t)(tmp + sizeof(tmp) - p);
	if (n == 0)
		return buf;
	if (len >= n)
		len = n - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

char *
br_cents_format(int64_t cents, char *buf, size_t n)
{
	return br_decimal_format(cents, 2, 2, buf, n);
}

static const char *const round_names[] = {
	[BR_ROUND_HALF_UP] = "half_up",
	[BR_ROUND_HALF_EVEN] = "half_even",
	[BR_ROUND_DOWN] = "down",
	[BR_ROUND_UP] = "up",
};

int
br_round_parse(const char *name, enum br_round *out)
{
	size_t i;

	for (i = 0; i < sizeof(round_names) / sizeof(round_names[0]); i++)
		if (strcmp(name, round_names[i]) == 0) {
			*out = (enum br_round)i;
			return 0;
		}
	return -1;
}

const char *
br_round_name(enum br_round mode)
{
	return round_names[mode];
}
