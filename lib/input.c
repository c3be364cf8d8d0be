/*
 * input.c: plain/gzip input through zlib's gzread, which passes plain
 * files through unchanged, so every parser reads .gz for free.  The
 * content hash uses the x86 SHA extensions when the CPU has them (the
 * hash was the largest single cost of an import), else br_sha256.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#include <cpuid.h>
#define BR_SHA_NI 1
#endif

#include "banned.h"

#ifdef BR_SHA_NI
static const uint32_t sha_k[64] = {
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
			    (const __m128i *)(const void *)&sha_k[4 * g]));
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

/* br_sha256_update with whole blocks through SHA-NI when available. */
static void
sha_update(struct br_sha256 *s, const void *data, size_t n)
{
#ifdef BR_SHA_NI
	static int have = -1;
	const unsigned char *p = data;

	if (have < 0) {
		/* CPUID directly: clang 14 has no "sha" for
		 * __builtin_cpu_supports.  SSE4.1: leaf 1 ECX bit 19;
		 * SHA: leaf 7 subleaf 0 EBX bit 29. */
		unsigned a, b, c, d;
		have = __get_cpuid(1, &a, &b, &c, &d) && (c >> 19 & 1) &&
		    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b >> 29 & 1);
	}
	if (!have || n < 128) {
		br_sha256_update(s, data, n);
		return;
	}
	if (s->nbuf > 0) {			/* complete the pending block */
		size_t take = 64 - s->nbuf;
		br_sha256_update(s, p, take);
		p += take;
		n -= take;
	}
	sha_ni_blocks(s->h, p, n / 64);
	s->len += n / 64 * 64;
	p += n / 64 * 64;
	n %= 64;
	br_sha256_update(s, p, n);		/* keeps the tail */
#else
	br_sha256_update(s, data, n);
#endif
}

struct br_input *
br_input_open(const char *path, struct br_error *err)
{
	struct br_input *in = calloc(1, sizeof(*in));
	int fd;

	if (in == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		return NULL;
	}
	if (strcmp(path, "-") == 0) {
		snprintf(in->name, sizeof(in->name), "<stdin>");
		fd = dup(STDIN_FILENO);
	} else {
		snprintf(in->name, sizeof(in->name), "%s", path);
		fd = open(path, O_RDONLY);
	}
	if (fd < 0) {
		br_error_set(err, BR_ENOINPUT, NULL, 0, "cannot open '%s': %s",
		    path, strerror(errno));
		free(in);
		return NULL;
	}
	if ((in->gz = gzdopen(fd, "rb")) == NULL) {
		close(fd);
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		free(in);
		return NULL;
	}
	gzbuffer(in->gz, 256 * 1024);
	br_sha256_init(&in->sha);
	return in;
}

#define RING_SLOTS 4
#define RING_DATA ((size_t)1 << 20)
/* Files below AHEAD_MIN bytes (as stored) are read in the call, in one
 * SMALL_DATA chunk buffer: no thread, little memory (registry files). */
#define AHEAD_MIN ((off_t)1 << 20)
#define SMALL_DATA ((size_t)1 << 18)

struct ring_slot {
	char *mem;		/* HEADROOM + data_size + TAILROOM */
	long len;		/* bytes, 0 at end, -1 error */
};

struct br_input_ring {
	struct ring_slot slot[RING_SLOTS];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	size_t data_size;	/* chunk size */
	bool sync_ok;		/* mu and cv initialized */
	bool threaded;		/* reader thread running */
	bool stop;		/* close: reader thread must stop */
	unsigned long filled;	/* slots published by the reader */
	unsigned long released;	/* slots handed back by the parser */
	bool holding;		/* parser holds slot released % RING_SLOTS */
	bool ended;		/* parser has seen the end (or an error) */
	long end_rc;
	struct br_error err;	/* the reader's error */
	pthread_t th;
};

static long input_read(struct br_input *in, void *buf, size_t n,
    struct br_error *err);

/* Reader thread: fill free slots until the end, an error or stop. */
static void *
ring_reader(void *arg)
{
	struct br_input *in = arg;
	struct br_input_ring *r = in->ring;
	struct ring_slot *s;
	long n;

	for (;;) {
		pthread_mutex_lock(&r->mu);
		while (!r->stop && r->filled - r->released >= RING_SLOTS)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			return NULL;
		}
		s = &r->slot[r->filled % RING_SLOTS];
		pthread_mutex_unlock(&r->mu);
		n = input_read(in, s->mem + BR_INPUT_HEADROOM, r->data_size,
		    &r->err);
		pthread_mutex_lock(&r->mu);
		s->len = n;
		r->filled++;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if (n <= 0)
			return NULL;
	}
}

struct br_input *
br_input_open_ahead(const char *path, struct br_error *err)
{
	struct br_input *in;
	struct br_input_ring *r;
	struct stat sb;
	bool small;
	int i;

	/* Regular files under AHEAD_MIN: no thread (stdin: "-" counts as
	 * large unless it is a small regular file). */
	small = (strcmp(path, "-") == 0 ? fstat(STDIN_FILENO, &sb) :
	    stat(path, &sb)) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size < AHEAD_MIN;
	if ((in = br_input_open(path, err)) == NULL)
		return NULL;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto nomem;
	in->ring = r;
	r->data_size = small ? SMALL_DATA : RING_DATA;
	for (i = 0; i < (small ? 1 : RING_SLOTS); i++)
		if ((r->slot[i].mem = calloc(1, BR_INPUT_HEADROOM +
		    r->data_size + BR_INPUT_TAILROOM)) == NULL)
			goto nomem;
	if (pthread_mutex_init(&r->mu, NULL) != 0)
		goto nomem;
	if (pthread_cond_init(&r->cv, NULL) != 0) {
		pthread_mutex_destroy(&r->mu);
		goto nomem;
	}
	r->sync_ok = true;
	/* No thread (small file, resource limits): br_input_next reads. */
	r->threaded = !small &&
	    pthread_create(&r->th, NULL, ring_reader, in) == 0;
	return in;
nomem:
	br_input_close(in);
	br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	return NULL;
}

long
br_input_next(struct br_input *in, char **data, struct br_error *err)
{
	struct br_input_ring *r = in->ring;
	struct ring_slot *s;

	if (r->ended) {
		if (r->end_rc < 0)
			*err = r->err;
		return r->end_rc;
	}
	if (!r->threaded) {
		s = &r->slot[0];
		s->len = input_read(in, s->mem + BR_INPUT_HEADROOM,
		    r->data_size, &r->err);
	} else {
		pthread_mutex_lock(&r->mu);
		if (r->holding) {
			r->released++;
			r->holding = false;
			pthread_cond_broadcast(&r->cv);
		}
		while (r->filled == r->released)
			pthread_cond_wait(&r->cv, &r->mu);
		s = &r->slot[r->released % RING_SLOTS];
		r->holding = true;
		pthread_mutex_unlock(&r->mu);
	}
	if (s->len <= 0) {
		r->ended = true;
		r->end_rc = s->len;
		if (s->len < 0)
			*err = r->err;
		return s->len;
	}
	*data = s->mem + BR_INPUT_HEADROOM;
	return s->len;
}

long
br_input_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	return input_read(in, buf, n, err);
}

static long
input_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	int got, zerr;
	const char *msg;

	if (n > (1u << 30))
		n = 1u << 30;
	got = gzread(in->gz, buf, (unsigned)n);
	if (got < 0) {
		msg = gzerror(in->gz, &zerr);
		return br_error_set(err, zerr == Z_ERRNO ? BR_EIO : BR_EINPUT,
		    in->name, 0, "%s", zerr == Z_ERRNO ? strerror(errno) :
		    (msg && *msg ? msg : "corrupt gzip stream"));
	}
	if (got == 0) {
		/* Distinguish a clean end from a truncated gzip member. */
		msg = gzerror(in->gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR)
			return br_error_set(err, BR_EINPUT, in->name, 0, "%s",
			    msg);
		if (zerr == Z_BUF_ERROR)
			return br_error_set(err, BR_EINPUT, in->name, 0,
			    "unexpected end of gzip stream");
	}
	sha_update(&in->sha, buf, (size_t)got);
	in->bytes += (uint64_t)got;
	return got;
}

void
br_input_sha256(struct br_input *in, char hex[65])
{
	struct br_sha256 copy = in->sha;

	br_sha256_final_hex(&copy, hex);
}

void
br_input_close(struct br_input *in)
{
	struct br_input_ring *r;
	int i;

	if (in == NULL)
		return;
	if ((r = in->ring) != NULL) {
		if (r->threaded) {
			pthread_mutex_lock(&r->mu);
			r->stop = true;
			pthread_cond_broadcast(&r->cv);
			pthread_mutex_unlock(&r->mu);
			pthread_join(r->th, NULL);
		}
		if (r->sync_ok) {
			pthread_cond_destroy(&r->cv);
			pthread_mutex_destroy(&r->mu);
		}
		for (i = 0; i < RING_SLOTS; i++)
			free(r->slot[i].mem);
		free(r);
	}
	gzclose(in->gz);
	free(in);
}

int
br_input_hash_file(const char *path, char hex[65], struct br_error *err)
{
	struct br_input *in = br_input_open(path, err);
	char buf[65536];
	long n;

	if (in == NULL)
		return -1;
	while ((n = br_input_read(in, buf, sizeof(buf), err)) > 0)
		;
	if (n < 0) {
		br_input_close(in);
		return -1;
	}
	br_input_sha256(in, hex);
	br_input_close(in);
	return 0;
}
