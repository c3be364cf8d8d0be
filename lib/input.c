/*
 * input.c: plain/gzip input through zlib's gzread, which passes plain
 * files through unchanged, so every parser reads .gz for free.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "banned.h"

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

long
br_input_read(struct br_input *in, void *buf, size_t n, struct br_error *err)
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
	br_sha256_update(&in->sha, buf, (size_t)got);
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
	if (in == NULL)
		return;
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
