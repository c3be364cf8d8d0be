/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.c: UTF-8 well-formedness (the table of RFC 3629 section 4 / Unicode
 * table 3-7) and control characters, for text that is stored.
 */
#include "core/text.h"

#include "core/banned.h"

/* Length of the well-formed sequence at s[0..n), or 0. */
static size_t
seq_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* no overlong forms */
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

size_t
br_utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < len) {
		if ((k = seq_len(u + i, len - i)) == 0)
			return i;
		i += k;
	}
	return len;
}

bool
br_text_has_control(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return true;
	return false;
}

int
br_text_check(const char *s, size_t len, const char *file, long line,
    const char *field, struct br_error *err)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
			return br_error_set(err, BR_EINPUT, file, line,
			    "control character 0x%02x in field '%s'",
			    (unsigned char)s[i], field);
	if ((i = br_utf8_check(s, len)) != len)
		return br_error_set(err, BR_EINPUT, file, line, "field '%s' "
		    "is not UTF-8 (byte %zu, 0x%02x)", field, i + 1,
		    (unsigned char)s[i]);
	return 0;
}

void
br_text_line(FILE *f, const char *prefix, const char *s)
{
	fputs(prefix, f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}
