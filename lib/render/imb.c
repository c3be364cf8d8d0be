/* SPDX-License-Identifier: Apache-2.0 */
/*
 * imb.c: USPS Intelligent Mail barcode encoder (imb.h, USPS-B-3200).
 * The 102-bit value is kept as 13 big-endian bytes.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "render/imb.h"
#include "core/banned.h"

/* Bar n: descender from character dsc_chr[n] bit dsc_bit[n], ascender
 * from asc_chr[n] bit asc_bit[n] (the specification's bar table). */
static const unsigned char dsc_chr[BR_IMB_BARS] = {
	7, 1, 9, 5, 8, 0, 2, 4, 6, 3, 5, 8, 9, 7, 3, 0, 6, 1, 7, 4, 6, 8, 9,
	2, 5, 1, 7, 5, 4, 3, 8, 7, 6, 0, 2, 5, 4, 9, 3, 0, 1, 6, 8, 2, 0, 4,
	5, 9, 6, 7, 5, 2, 6, 3, 8, 5, 1, 9, 8, 7, 4, 0, 2, 6, 3
};
static const unsigned char dsc_bit[BR_IMB_BARS] = {
	2, 10, 12, 5, 9, 1, 5, 4, 3, 9, 11, 5, 10, 1, 6, 3, 4, 1, 10, 0, 2,
	11, 8, 6, 1, 12, 3, 8, 6, 4, 4, 11, 0, 6, 1, 9, 11, 5, 3, 7, 3, 10,
	7, 11, 8, 2, 10, 3, 5, 8, 0, 3, 12, 11, 8, 4, 5, 1, 3, 0, 7, 12, 9,
	8, 10
};
static const unsigned char asc_chr[BR_IMB_BARS] = {
	4, 0, 2, 6, 3, 5, 1, 9, 8, 7, 1, 2, 0, 6, 4, 8, 2, 9, 5, 3, 0, 1, 3,
	7, 4, 6, 8, 9, 2, 0, 5, 1, 9, 4, 3, 8, 6, 7, 1, 2, 4, 3, 9, 5, 7, 8,
	3, 0, 2, 1, 4, 0, 9, 1, 7, 0, 2, 4, 6, 3, 7, 1, 9, 5, 8
};
static const unsigned char asc_bit[BR_IMB_BARS] = {
	3, 0, 8, 11, 1, 12, 8, 11, 10, 6, 4, 12, 2, 7, 9, 6, 7, 9, 2, 8, 4,
	0, 12, 7, 10, 9, 0, 7, 10, 5, 7, 9, 6, 8, 2, 12, 1, 4, 2, 0, 1, 5, 4,
	6, 12, 1, 0, 9, 4, 7, 5, 10, 2, 6, 9, 11, 2, 12, 6, 7, 5, 11, 0, 3, 2
};

static int
fail(char *why, size_t n, const char *msg)
{
	snprintf(why, n, "%s", msg);
	return -1;
}

/* v = v * m + a (13 bytes, big-endian). */
static void
muladd(unsigned char v[13], unsigned m, unsigned a)
{
	unsigned carry = a;
	int i;

	for (i = 12; i >= 0; i--) {
		unsigned x = v[i] * m + carry;

		v[i] = (unsigned char)(x & 0xFF);
		carry = x >> 8;
	}
}

/* v = v / d, returns v % d. */
static unsigned
divmod(unsigned char v[13], unsigned d)
{
	unsigned rem = 0;
	int i;

	for (i = 0; i < 13; i++) {
		unsigned x = (rem << 8) | v[i];

		v[i] = (unsigned char)(x / d);
		rem = x % d;
	}
	return rem;
}

/*
 * CRC-11 (generator 0xF35, initial 0x7FF) over the 102 bits of the value,
 * most significant first: the 13 bytes less the top 2 bits of the first.
 */
static unsigned
crc11(const unsigned char v[13])
{
	unsigned fcs = 0x7FF, b;
	int i, bit;

	for (i = 0; i < 13; i++) {
		for (bit = i == 0 ? 5 : 7; bit >= 0; bit--) {
			b = (v[i] >> bit) & 1;
			if ((((fcs >> 10) & 1) ^ b) != 0)
				fcs = ((fcs << 1) ^ 0xF35) & 0x7FF;
			else
				fcs = (fcs << 1) & 0x7FF;
		}
	}
	return fcs;
}

/* The n-of-13 table (n = 5: 1287 entries, n = 2: 78). */
static void
nof13(unsigned short *t, int n, int len)
{
	int lo = 0, hi = len - 1;
	unsigned c, r, k, bits;

	for (c = 0; c < 8192; c++) {
		for (bits = 0, k = c; k; k >>= 1)
			bits += k & 1;
		if ((int)bits != n)
			continue;
		for (r = 0, k = 0; k < 13; k++)
			r |= ((c >> k) & 1) << (12 - k);
		if (r < c)
			continue;
		if (r == c) {
			t[hi--] = (unsigned short)c;
		} else {
			t[lo++] = (unsigned short)c;
			t[lo++] = (unsigned short)r;
		}
	}
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return s[n] == '\0';
}

int
br_imb_encode(const char *tracking, const char *routing,
    char bars[BR_IMB_BARS + 1], char *why, size_t whylen)
{
	static unsigned short t5[1287], t2[78];
	unsigned char v[13];
	unsigned cw[10], ch[10], fcs;
	size_t rl = strlen(routing), i;

	if (!digits(tracking, 20))
		return fail(why, whylen, "tracking code must be 20 digits");
	if (tracking[1] > '4')
		return fail(why, whylen, "second digit of the barcode id "
		    "must be 0-4");
	if ((rl != 0 && rl != 5 && rl != 9 && rl != 11) ||
	    !digits(routing, rl))
		return fail(why, whylen, "routing code must be 0, 5, 9 or "
		    "11 digits");
	if (t5[0] == 0) {	/* first use (not thread-safe): the tables */
		nof13(t5, 5, 1287);
		nof13(t2, 2, 78);
	}

	/* Routing code, then the tracking code, into the 102-bit value. */
	memset(v, 0, sizeof(v));
	for (i = 0; i < rl; i++)
		muladd(v, 10, (unsigned)(routing[i] - '0'));
	if (rl == 5)
		muladd(v, 1, 1);
	else if (rl == 9)
		muladd(v, 1, 100000 + 1);
	else if (rl == 11) {
		muladd(v, 1, 1000000000u);
		muladd(v, 1, 100000 + 1);
	}
	muladd(v, 10, (unsigned)(tracking[0] - '0'));
	muladd(v, 5, (unsigned)(tracking[1] - '0'));
	for (i = 2; i < 20; i++)
		muladd(v, 10, (unsigned)(tracking[i] - '0'));

	fcs = crc11(v);
	cw[9] = divmod(v, 636);
	for (i = 8; i >= 1; i--)
		cw[i] = divmod(v, 1365);
	cw[0] = divmod(v, 1365);	/* at most 658 */
	cw[9] *= 2;
	if (fcs & 0x400)
		cw[0] += 659;
	for (i = 0; i < 10; i++) {
		ch[i] = cw[i] < 1287 ? t5[cw[i]] : t2[cw[i] - 1287];
		if (fcs & (1u << i))
			ch[i] = ~ch[i] & 0x1FFF;
	}
	for (i = 0; i < BR_IMB_BARS; i++) {
		int d = (ch[dsc_chr[i]] >> dsc_bit[i]) & 1;
		int a = (ch[asc_chr[i]] >> asc_bit[i]) & 1;

		bars[i] = d && a ? 'F' : a ? 'A' : d ? 'D' : 'T';
	}
	bars[BR_IMB_BARS] = '\0';
	return 0;
}
