/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_gzip.c: the input layer (br_input_read) on arbitrary bytes,
 * through both gzip decoders (zlib's gzread and ISA-L's igzip when
 * built with it) in reads of a size taken from the input.  Any input
 * must end in a clean end or an error with a message; when both decoders
 * accept an input they must give the same bytes and the same SHA-256.
 */
#include "fuzz.h"
#include "io/input.h"
#include "core/banned.h"

/* Read all of path; 0 and the bytes in *out, or -1. */
static int
read_all(const char *path, size_t step, unsigned char **out, size_t *len,
    char hex[65])
{
	struct br_input *in;
	struct br_error err;
	unsigned char *b = NULL, *nb;
	size_t cap = 0, n = 0;
	long got;

	br_error_clear(&err);
	if ((in = br_input_open(path, &err)) == NULL)
		abort();
	for (;;) {
		if (n + step > cap) {
			cap = (n + step) * 2;
			if ((nb = realloc(b, cap)) == NULL)
				abort();
			b = nb;
		}
		if ((got = br_input_read(in, b + n, step, &err)) <= 0)
			break;
		n += (size_t)got;
	}
	if (got == 0)
		br_input_sha256(in, hex);
	br_input_close(in);
	if (got < 0) {
		fuzz_expect(-1, &err);
		free(b);
		return -1;
	}
	*out = b;
	*len = n;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("in.gz", data, size);
	size_t step = size > 0 ? (size_t)data[size - 1] * 61 + 1 : 4096;
	unsigned char *a = NULL, *b = NULL;
	size_t la = 0, lb = 0;
	char ha[65], hb[65];
	int ra, rb;

	br_input_decoder = BR_INPUT_ZLIB;
	ra = read_all(path, step, &a, &la, ha);
	br_input_decoder = BR_INPUT_ISAL;
	rb = read_all(path, step, &b, &lb, hb);
	if (ra == 0 && rb == 0 && (la != lb || memcmp(a, b, la) != 0 ||
	    strcmp(ha, hb) != 0))
		abort();
	free(a);
	free(b);
	return 0;
}
