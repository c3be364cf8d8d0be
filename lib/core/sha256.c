/*
 * sha256.c: SHA-256.  The portable compression below is the reference;
 * on x86-64 CPUs with the SHA extensions whole blocks go through SHA-NI
 * instead (every input file is hashed once, and the audit log hashes
 * every sealed row, so this is on hot paths).  Detection is by CPUID
 * once, before main.
 */
#include "core/sha256.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define BR_SHA_NI 1
#endif

#include "core/banned.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b,
	0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
	0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7,
	0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
	0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152,
	0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
	0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
	0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
	0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
	0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void
block(struct br_sha256 *s, const unsigned char *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^
		    (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^
		    (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = s->h[0]; b = s->h[1]; c = s->h[2]; d = s->h[3];
	e = s->h[4]; f = s->h[5]; g = s->h[6]; h = s->h[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
		    ((e & f) ^ (~e & g)) + K[i] + w[i];
		t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) +
		    ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

#ifdef BR_SHA_NI
static int have_sha_ni, have_avx;

/* CPUID directly: clang 14 has no "sha" for __builtin_cpu_supports.
 * SSE4.1: leaf 1 ECX bit 19; SHA: leaf 7 subleaf 0 EBX bit 29.  AVX:
 * leaf 1 ECX bits 27 (OSXSAVE) and 28, with the OS saving the YMM state
 * (XCR0 bits 1 and 2). */
__attribute__((constructor))
static void
detect_sha_ni(void)
{
	unsigned a, b, c, d, ecx1, lo, hi;

	if (!__get_cpuid(1, &a, &b, &ecx1, &d))
		return;
	have_sha_ni = (ecx1 >> 19 & 1) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1);
	if ((ecx1 >> 27 & 1) && (ecx1 >> 28 & 1)) {
		__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		have_avx = (lo & 6) == 6;
	}
}

/*
 * VZEROUPPER before the SHA-NI blocks.  The SHA instructions exist only
 * in the legacy SSE encoding; run after AVX or AVX-512 code that leaves
 * the upper register halves dirty (ISA-L's inflate, on the read-ahead
 * thread, just before the hash), they ran at half speed: hashing a
 * 1 GB import took 1.73 s instead of 0.81 s.
 */
__attribute__((target("avx")))
static void
clear_upper_halves(void)
{
	_mm256_zeroupper();
}

/* SHA-256 compression of nblocks 64-byte blocks with SHA-NI. */
__attribute__((target("sha,sse4.1,ssse3")))
static void
sha_ni_blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bLL,
	    0x0405060700010203LL);
	__m128i s0, s1, tmp, w[4], abef, cdgh, m, k;
	int g;

	tmp = _mm_loadu_si128((const __m128i *)(const void *)&h[0]);
	s1 = _mm_loadu_si128((const __m128i *)(const void *)&h[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);		/* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);		/* EFGH */
	s0 = _mm_alignr_epi8(tmp, s1, 8);		/* ABEF */
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);		/* CDGH */
	for (; nblocks > 0; nblocks--, p += 64) {
		abef = s0;
		cdgh = s1;
		for (g = 0; g < 16; g++) {
			if (g < 4)
				m = _mm_shuffle_epi8(_mm_loadu_si128(
				    (const __m128i *)(const void *)(p + 16 * g)),
				    mask);
			else {
				m = _mm_sha256msg1_epu32(w[g % 4],
				    w[(g + 1) % 4]);
				m = _mm_add_epi32(m, _mm_alignr_epi8(
				    w[(g + 3) % 4], w[(g + 2) % 4], 4));
				m = _mm_sha256msg2_epu32(m, w[(g + 3) % 4]);
			}
			w[g % 4] = m;
			k = _mm_add_epi32(m, _mm_loadu_si128(
			    (const __m128i *)(const void *)&K[4 * g]));
			s1 = _mm_sha256rnds2_epu32(s1, s0, k);
			k = _mm_shuffle_epi32(k, 0x0E);
			s0 = _mm_sha256rnds2_epu32(s0, s1, k);
		}
		s0 = _mm_add_epi32(s0, abef);
		s1 = _mm_add_epi32(s1, cdgh);
	}
	tmp = _mm_shuffle_epi32(s0, 0x1B);		/* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);		/* DCHG */
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);		/* DCBA */
	s1 = _mm_alignr_epi8(s1, tmp, 8);		/* ABEF */
	_mm_storeu_si128((__m128i *)(void *)&h[0], s0);
	_mm_storeu_si128((__m128i *)(void *)&h[4], s1);
}
#endif

/* Compress nblocks whole 64-byte blocks at p. */
static void
blocks(struct br_sha256 *s, const unsigned char *p, size_t nblocks)
{
#ifdef BR_SHA_NI
	if (have_sha_ni) {
		if (have_avx)
			clear_upper_halves();
		sha_ni_blocks(s->h, p, nblocks);
		return;
	}
#endif
	for (; nblocks > 0; nblocks--, p += 64)
		block(s, p);
}

void
br_sha256_init(struct br_sha256 *s)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
	    0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
	s->nbuf = 0;
}

void
br_sha256_update(struct br_sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	s->len += n;
	if (s->nbuf > 0) {
		size_t take = 64 - s->nbuf < n ? 64 - s->nbuf : n;
		memcpy(s->buf + s->nbuf, p, take);
		s->nbuf += take;
		p += take;
		n -= take;
		if (s->nbuf < 64)
			return;
		blocks(s, s->buf, 1);
		s->nbuf = 0;
	}
	blocks(s, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	memcpy(s->buf, p, n);
	s->nbuf = n;
}

void
br_sha256_final_hex(struct br_sha256 *s, char hex[65])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (s->nbuf < 56 ? 56 : 120) - s->nbuf;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (unsigned char)(bits >> (56 - 8 * i));
	br_sha256_update(s, pad, padlen + 8);
	for (i = 0; i < 64; i++)	/* %08x per word, without snprintf */
		hex[i] = "0123456789abcdef"[(s->h[i / 8] >> (28 - 4 * (i % 8))) &
		    15];
	hex[64] = '\0';
}
