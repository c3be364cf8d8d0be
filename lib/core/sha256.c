/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.c: SHA-256 through nettle.  nettle's fat build chooses SHA-NI
 * or x86-64 assembly at run time, so this file only adapts the calls,
 * clears the upper AVX register halves first (below) and writes the hex
 * digest.
 */
#include "core/sha256.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define BR_ZEROUPPER 1
#endif

#include "core/banned.h"

#ifdef BR_ZEROUPPER
/*
 * The SHA instructions exist only in the legacy SSE encoding.  On the
 * read-ahead thread they run right after ISA-L's AVX/AVX-512 inflate,
 * which can leave the upper register halves dirty, and then ran at half
 * speed (commit 5efbaba: 1.73 s instead of 0.81 s of hashing for a 1 GB
 * gzip import).  VZEROUPPER first, when the CPU has AVX.
 */
__attribute__((target("avx")))
static void
clear_upper_halves(void)
{
	_mm256_zeroupper();
}
#endif

void
br_sha256_init(struct br_sha256 *s)
{
	sha256_init(&s->ctx);
}

void
br_sha256_update(struct br_sha256 *s, const void *data, size_t n)
{
#ifdef BR_ZEROUPPER
	if (__builtin_cpu_supports("avx"))
		clear_upper_halves();
#endif
	sha256_update(&s->ctx, n, data);
}

void
br_sha256_final_hex(struct br_sha256 *s, char hex[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];
	int i;

	sha256_digest(&s->ctx, sizeof(d), d);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {	/* without snprintf */
		hex[2 * i] = "0123456789abcdef"[d[i] >> 4];
		hex[2 * i + 1] = "0123456789abcdef"[d[i] & 15];
	}
	hex[64] = '\0';
}
