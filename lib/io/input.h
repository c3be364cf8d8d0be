/* SPDX-License-Identifier: Apache-2.0 */
/*
 * input.h: reading an input file or stdin ("-"), plain or gzip, with the
 * SHA-256 of the decompressed content computed as it streams.
 */
#ifndef BR_INPUT_H
#define BR_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha256.h"

struct br_input_ring;
struct br_input_src;

struct br_input {
	struct br_input_src *src;	/* OWNED: the file and its decoder */
	char name[512];		/* path as given, "-" shown as "<stdin>" */
	struct br_sha256 sha;
	uint64_t bytes;		/* decompressed bytes read so far */
	int no_hash;		/* BR_INPUT_NO_HASH: sha not kept */
	struct br_input_ring *ring;	/* OWNED: br_input_next's chunks */
};

/* br_input_next chunks: writable bytes before and after every chunk. */
#define BR_INPUT_HEADROOM 65536
#define BR_INPUT_TAILROOM 64

/*
 * The gzip decoder for inputs opened after it is set: ISA-L's igzip when
 * billrun is built with it (the default), else zlib.  Both give the same
 * bytes; tests run them side by side.  Without ISA-L it is always zlib.
 */
enum { BR_INPUT_ZLIB, BR_INPUT_ISAL };
extern int br_input_decoder;

/*
 * Open path ("-" for stdin).  gzip is detected by its magic bytes; plain
 * files pass through.  Returns an owned handle (br_input_close) or NULL
 * with err (BR_ENOINPUT).
 */
struct br_input *br_input_open(const char *path, struct br_error *err);

/*
 * Read up to n bytes.  Returns the count (0 at end) or -1 with err
 * (BR_EIO, or BR_EINPUT for a corrupt gzip stream).
 */
long br_input_read(struct br_input *in, void *buf, size_t n,
    struct br_error *err);

/*
 * The input in chunks for a parser that works in place: open with
 * br_input_open_ahead, then each call returns the next chunk's length (0
 * at end, -1 with err as br_input_read) with *data pointing at it.  The
 * chunk stays valid and writable, with BR_INPUT_HEADROOM writable bytes
 * before it and BR_INPUT_TAILROOM after, until the next call or close.
 * For a file of 1 MiB or more (as stored) or a pipe, a reader thread
 * reads, inflates and hashes the chunks ahead (a ring of four 1 MiB
 * chunks), so a parser runs beside zlib and SHA-256 on a second core;
 * smaller files (and without threads) are read in the call, 256 KiB at a
 * time.  Do not mix with br_input_read on one handle.
 */
long br_input_next(struct br_input *in, char **data, struct br_error *err);

/* br_input_open for br_input_next, starting the read-ahead thread. */
struct br_input *br_input_open_ahead(const char *path, struct br_error *err);

/* br_input_open_ahead without the SHA-256 (a reader that does not need
 * it, such as ami-import --split: br_input_sha256 is then undefined). */
#define BR_INPUT_NO_HASH 1
struct br_input *br_input_open_ahead_flags(const char *path, int flags,
    struct br_error *err);

/* Hex SHA-256 of everything read so far (call after reading to the end). */
void br_input_sha256(struct br_input *in, char hex[65]);

/*
 * The SHA-256 of the regular file path when this process read it whole
 * as plain text (not gzip) through a handle with the hash on, and it is
 * unchanged since (device, inode, size, mtime, ctime): then its bytes as
 * stored are the content hashed.  Returns 1 with hex, else 0.
 */
int br_input_known_sha256(const char *path, char hex[65]);

/* Close; NULL is a no-op. */
void br_input_close(struct br_input *in);

/*
 * Hash a whole file (decompressed) without keeping it.  Returns 0 or -1.
 */
int br_input_hash_file(const char *path, char hex[65], struct br_error *err);

#endif
