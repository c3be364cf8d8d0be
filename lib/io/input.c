/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.c: plain/gzip input.  gzip is recognized by its two magic bytes
 * (as zlib's gzread does: anything else passes through unchanged), so
 * every parser reads .gz for free.  A gzip stream is inflated by ISA-L's
 * igzip when billrun is built with it (about twice zlib's speed, the CRC
 * included: inflate was the largest cost of a .gz import after the hash),
 * else by zlib's gzread; br_input_decoder picks one for tests.  Both
 * accept concatenated members, ignore trailing non-gzip bytes after a
 * member as gzread does, and report a truncated member.  The content
 * hash covers the decompressed bytes (nettle, SHA-NI where the CPU has it).
 */
#include "io/input.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>
#ifdef BR_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

#include "core/banned.h"

#ifdef BR_HAVE_ISAL
int br_input_decoder = BR_INPUT_ISAL;
#else
int br_input_decoder = BR_INPUT_ZLIB;
#endif

#define RAW_SIZE ((size_t)256 * 1024)

enum { SRC_SNIFF, SRC_PLAIN, SRC_GZIP, SRC_END };

/* The bytes of the file and their decoder. */
struct br_input_src {
	gzFile gz;		/* BR_INPUT_ZLIB: zlib reads the fd */
	int fd;			/* BR_INPUT_ISAL: we read the fd */
	int mode;		/* SRC_* */
	bool eof;		/* read() returned 0 */
	unsigned char *raw;	/* RAW_SIZE bytes as stored */
	size_t pos, len;	/* unread: raw[pos, len) (plain, sniff) */
#ifdef BR_HAVE_ISAL
	struct inflate_state *zs;	/* gzip: next_in/avail_in into raw */
#endif
};

struct br_input *
br_input_open(const char *path, struct br_error *err)
{
	struct br_input *in = calloc(1, sizeof(*in));
	struct br_input_src *src = calloc(1, sizeof(*src));
	int fd;

	if (in == NULL || src == NULL) {
		free(in);
		free(src);
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
		free(src);
		free(in);
		return NULL;
	}
	in->src = src;
	src->fd = -1;
#ifdef BR_HAVE_ISAL
	if (br_input_decoder == BR_INPUT_ISAL) {
		src->fd = fd;
		if ((src->raw = malloc(RAW_SIZE)) == NULL)
			goto nomem;
	} else
#endif
	{	/* zlib: also what a build without ISA-L always uses */
		if ((src->gz = gzdopen(fd, "rb")) == NULL) {
			close(fd);
			goto nomem;
		}
		gzbuffer(src->gz, 256 * 1024);
	}
	br_sha256_init(&in->sha);
	return in;
nomem:
	br_input_close(in);
	br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	return NULL;
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
		n = br_input_read(in, s->mem + BR_INPUT_HEADROOM, r->data_size,
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
	return br_input_open_ahead_flags(path, 0, err);
}

struct br_input *
br_input_open_ahead_flags(const char *path, int flags,
    struct br_error *err)
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
	in->no_hash = flags & BR_INPUT_NO_HASH;
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
		s->len = br_input_read(in, s->mem + BR_INPUT_HEADROOM,
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

/* zlib: gzread does the detection, the members and the CRC. */
static long
zlib_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	gzFile gz = in->src->gz;
	int got, zerr;
	const char *msg;

	got = gzread(gz, buf, (unsigned)n);
	if (got < 0) {
		msg = gzerror(gz, &zerr);
		return br_error_set(err, zerr == Z_ERRNO ? BR_EIO : BR_EINPUT,
		    in->name, 0, "%s", zerr == Z_ERRNO ? strerror(errno) :
		    (msg && *msg ? msg : "corrupt gzip stream"));
	}
	if (got == 0) {
		/* Distinguish a clean end from a truncated gzip member. */
		msg = gzerror(gz, &zerr);
		if (zerr != Z_OK && zerr != Z_BUF_ERROR)
			return br_error_set(err, BR_EINPUT, in->name, 0, "%s",
			    msg);
		if (zerr == Z_BUF_ERROR)
			return br_error_set(err, BR_EINPUT, in->name, 0,
			    "unexpected end of gzip stream");
	}
	return got;
}

/* One read(2) of the file (EINTR retried); 0 marks the end. */
static long
fd_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	ssize_t r;

	do
		r = read(in->src->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return br_error_set(err, BR_EIO, in->name, 0, "%s",
		    strerror(errno));
	if (r == 0)
		in->src->eof = true;
	return (long)r;
}

/* Read more of the file behind the unread bytes raw[pos, len). */
static int
raw_fill(struct br_input *in, struct br_error *err)
{
	struct br_input_src *s = in->src;
	long r;

	if (s->pos > 0) {
		memmove(s->raw, s->raw + s->pos, s->len - s->pos);
		s->len -= s->pos;
		s->pos = 0;
	}
	if ((r = fd_read(in, s->raw + s->len, RAW_SIZE - s->len, err)) < 0)
		return -1;
	s->len += (size_t)r;
	return 0;
}

/* Two bytes ahead, or fewer at the end of the file. */
static int
raw_want2(struct br_input *in, struct br_error *err)
{
	struct br_input_src *s = in->src;

	while (s->len - s->pos < 2 && !s->eof)
		if (raw_fill(in, err) != 0)
			return -1;
	return 0;
}

#ifdef BR_HAVE_ISAL
static bool
raw_gzip_magic(const struct br_input_src *s)
{
	return s->len - s->pos >= 2 && s->raw[s->pos] == 0x1f &&
	    s->raw[s->pos + 1] == 0x8b;
}
#endif

/* Plain bytes: what is buffered, then straight from the file. */
static long
plain_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	struct br_input_src *s = in->src;

	if (s->pos < s->len) {
		size_t k = s->len - s->pos < n ? s->len - s->pos : n;
		memcpy(buf, s->raw + s->pos, k);
		s->pos += k;
		return (long)k;
	}
	if (s->eof)
		return 0;
	return fd_read(in, buf, n, err);
}

#ifdef BR_HAVE_ISAL
static long
gzip_error(struct br_input *in, int rc, struct br_error *err)
{
	const char *what;

	switch (rc) {
	case ISAL_INCORRECT_CHECKSUM:
		what = "gzip CRC or length check failed (corrupt file)";
		break;
	case ISAL_INVALID_WRAPPER:
		what = "invalid gzip header";
		break;
	case ISAL_UNSUPPORTED_METHOD:
		what = "unsupported gzip compression method";
		break;
	default:
		what = "corrupt gzip stream (invalid deflate data)";
		break;
	}
	return br_error_set(err, BR_EINPUT, in->name, 0, "%s", what);
}

/*
 * igzip: inflate members into buf until some output, the end, or an
 * error.  After a member's trailer (CRC and length checked by igzip),
 * gzip magic starts the next member; anything else ends the input.
 */
static long
gzip_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	struct br_input_src *s = in->src;
	struct inflate_state *zs = s->zs;
	size_t used, got;
	int rc;

	for (;;) {
		if (zs->block_state == ISAL_BLOCK_FINISH) {
			if (raw_want2(in, err) != 0)
				return -1;
			if (!raw_gzip_magic(s)) {
				s->mode = SRC_END;
				return 0;
			}
			isal_inflate_reset(zs);
			zs->crc_flag = ISAL_GZIP;
		}
		if (s->pos == s->len && !s->eof) {
			if (raw_fill(in, err) != 0)
				return -1;
		}
		zs->next_in = s->raw + s->pos;
		zs->avail_in = (uint32_t)(s->len - s->pos);
		zs->next_out = buf;
		zs->avail_out = (uint32_t)n;
		if ((rc = isal_inflate(zs)) < 0)
			return gzip_error(in, rc, err);
		used = (size_t)(zs->next_in - (s->raw + s->pos));
		s->pos += used;
		got = n - zs->avail_out;
		if (got > 0)
			return (long)got;
		if (zs->block_state == ISAL_BLOCK_FINISH || used > 0)
			continue;
		/* No progress: the member needs bytes the file lacks. */
		if (s->eof)
			return br_error_set(err, BR_EINPUT, in->name, 0,
			    "unexpected end of gzip stream");
		if (s->len - s->pos == RAW_SIZE)
			return gzip_error(in, ISAL_INVALID_WRAPPER, err);
		if (raw_fill(in, err) != 0)
			return -1;
	}
}
#endif

/* First read: gzip magic or plain bytes. */
static int
sniff(struct br_input *in, struct br_error *err)
{
	struct br_input_src *s = in->src;

	if (raw_want2(in, err) != 0)
		return -1;
	s->mode = SRC_PLAIN;
#ifdef BR_HAVE_ISAL
	if (raw_gzip_magic(s)) {
		if ((s->zs = malloc(sizeof(*s->zs))) == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		isal_inflate_init(s->zs);
		s->zs->crc_flag = ISAL_GZIP;
		s->mode = SRC_GZIP;
	}
#endif
	return 0;
}

long
br_input_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
{
	struct br_input_src *s = in->src;
	long got;

	if (n > (1u << 30))
		n = 1u << 30;
	if (n == 0)
		return 0;
	if (s->gz != NULL)
		got = zlib_read(in, buf, n, err);
	else {
		if (s->mode == SRC_SNIFF && sniff(in, err) != 0)
			return -1;
		switch (s->mode) {
		case SRC_PLAIN:
			got = plain_read(in, buf, n, err);
			break;
#ifdef BR_HAVE_ISAL
		case SRC_GZIP:
			got = gzip_read(in, buf, n, err);
			break;
#endif
		default:
			got = 0;
			break;
		}
	}
	if (got > 0) {
		if (!in->no_hash)
			br_sha256_update(&in->sha, buf, (size_t)got);
		in->bytes += (uint64_t)got;
	}
	return got;
}

void
br_input_sha256(struct br_input *in, char hex[65])
{
	struct br_sha256 copy = in->sha;

	br_sha256_final_hex(&copy, hex);
}

/*
 * Plain regular files this process read whole with the hash on, by
 * identity (device, inode, size, mtime, ctime), for br_input_known_sha256:
 * the run record hashes every input file named on the command line, and
 * an import of a plain file has just hashed the same bytes.
 */
#define KNOWN_FILES 16
static struct known_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
	char hex[65];
} known[KNOWN_FILES];
static unsigned known_next;
static pthread_mutex_t known_mu = PTHREAD_MUTEX_INITIALIZER;

static bool
same_file(const struct known_file *k, const struct stat *sb)
{
	return k->hex[0] != '\0' && k->dev == sb->st_dev &&
	    k->ino == sb->st_ino && k->size == sb->st_size &&
	    k->mtime.tv_sec == sb->st_mtim.tv_sec &&
	    k->mtime.tv_nsec == sb->st_mtim.tv_nsec &&
	    k->ctime.tv_sec == sb->st_ctim.tv_sec &&
	    k->ctime.tv_nsec == sb->st_ctim.tv_nsec;
}

/* At close: keep the hash of a plain regular file read to its end. */
static void
remember_hash(struct br_input *in)
{
	const struct br_input_src *s = in->src;
	struct known_file *k;
	struct stat sb;

	if (in->no_hash || s == NULL || s->gz != NULL || s->fd < 0 ||
	    s->mode != SRC_PLAIN || !s->eof || s->pos < s->len ||
	    fstat(s->fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size != in->bytes)
		return;
	pthread_mutex_lock(&known_mu);
	k = &known[known_next++ % KNOWN_FILES];
	k->dev = sb.st_dev;
	k->ino = sb.st_ino;
	k->size = sb.st_size;
	k->mtime = sb.st_mtim;
	k->ctime = sb.st_ctim;
	br_input_sha256(in, k->hex);
	pthread_mutex_unlock(&known_mu);
}

int
br_input_known_sha256(const char *path, char hex[65])
{
	struct stat sb;
	int i, found = 0;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	pthread_mutex_lock(&known_mu);
	for (i = 0; i < KNOWN_FILES && !found; i++)
		if (same_file(&known[i], &sb)) {
			memcpy(hex, known[i].hex, 65);
			found = 1;
		}
	pthread_mutex_unlock(&known_mu);
	return found;
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
	remember_hash(in);
	if (in->src != NULL) {
		if (in->src->gz != NULL)
			gzclose(in->src->gz);
		if (in->src->fd >= 0)
			close(in->src->fd);
#ifdef BR_HAVE_ISAL
		free(in->src->zs);
#endif
		free(in->src->raw);
		free(in->src);
	}
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
