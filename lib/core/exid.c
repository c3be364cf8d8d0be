/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exid.c: exception ids as "EX-" + 13 Crockford base32 digits (exid.h).
 */
#include "core/exid.h"

#include <stdio.h>

#include "core/banned.h"

static const char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

char *
br_exid_format(int64_t id, char *buf, size_t n)
{
	uint64_t v = (uint64_t)id;
	char tmp[BR_EXID_SIZE];
	int i;

	tmp[0] = 'E';
	tmp[1] = 'X';
	tmp[2] = '-';
	for (i = 15; i >= 3; i--) {
		tmp[i] = digits[v & 31];
		v >>= 5;
	}
	tmp[16] = '\0';
	snprintf(buf, n, "%s", tmp);
	return buf;
}

/* Value of Crockford digit c, or -1. */
static int
digit(int c)
{
	if (c >= 'a' && c <= 'z')
		c -= 'a' - 'A';
	switch (c) {
	case 'O':
		return 0;
	case 'I':
	case 'L':
		return 1;
	case 'U':
		return -1;
	default:
		break;
	}
	for (int i = 0; i < 32; i++)
		if (digits[i] == c)
			return i;
	return -1;
}

static int
parse_b32(const char *s, int64_t *id)
{
	uint64_t v = 0;
	int i, d;

	for (i = 0; i < 13; i++) {
		if ((d = digit((unsigned char)s[i])) < 0)
			return -1;
		v = (v << 5) | (uint64_t)d;
	}
	/* 65 bits of digits: the top two must be zero (a 63-bit id). */
	if (s[13] != '\0' || digit((unsigned char)s[0]) > 7 ||
	    (v >> 63) != 0 || v == 0)
		return -1;
	*id = (int64_t)v;
	return 0;
}

static int
parse_dec(const char *s, int64_t *id)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_C(0x7fffffffffffffff) - (uint64_t)(*s - '0'))
		    / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v == 0)
		return -1;
	*id = (int64_t)v;
	return 0;
}

int
br_exid_parse(const char *s, int64_t *id)
{
	if ((s[0] == 'E' || s[0] == 'e') && (s[1] == 'X' || s[1] == 'x') &&
	    s[2] == '-')
		return parse_b32(s + 3, id);
	return parse_dec(s, id);
}
