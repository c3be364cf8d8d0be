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

#include "banned.h"

/* SHA-256 of the input bytes (SHA-NI inside br_sha256_update). */
static void
sha_update(struct br_sha256 *s, const void *data, size_t n)
{
	br_sha256_update(s, data, n);
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
