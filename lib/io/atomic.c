/* SPDX-License-Identifier: Apache-2.0 */
/*
 * atomic.c: write to a temporary in the same directory, fsync, rename.
 */
#include "io/atomic.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/banned.h"

FILE *
br_atomic_fopen_new(const char *name)
{
	FILE *f;
	int fd = -1, tries, saved;

	for (tries = 0; tries < 2 && fd < 0; tries++) {
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, 0666);
		/* A leftover of a killed run, or a planted link: remove the
		 * name (never what a link points to) and try once more. */
		if (fd < 0 && (errno != EEXIST || tries > 0 ||
		    unlink(name) != 0))
			return NULL;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		saved = errno;
		close(fd);
		unlink(name);
		errno = saved;
	}
	return f;
}

int
br_atomic_open(struct br_atomic *a, const char *path, struct br_error *err)
{
	struct stat sb;
	const char *name;

	memset(a, 0, sizeof(*a));
	snprintf(a->path, sizeof(a->path), "%s", path);
	if (stat(path, &sb) != 0 || S_ISREG(sb.st_mode))
		snprintf(a->tmp, sizeof(a->tmp), "%s.tmp", path);
	name = a->tmp[0] != '\0' ? a->tmp : path;
	if ((a->f = a->tmp[0] != '\0' ? br_atomic_fopen_new(name) :
	    fopen(name, "w")) == NULL)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

/* Pieces per writev(2) (IOV_MAX is at least 1024 on Linux). */
#define WRITEV_MAX 256

int
br_atomic_writev(struct br_atomic *a, const struct iovec *iov, int n,
    struct br_error *err)
{
	struct iovec part[WRITEV_MAX];
	ssize_t w;
	size_t done;
	int k;

	if (br_atomic_flush(a, err) != 0)
		return -1;
	for (; n > 0; iov += k, n -= k) {
		int left = k = n < WRITEV_MAX ? n : WRITEV_MAX;
		struct iovec *v = part;

		memcpy(part, iov, (size_t)k * sizeof(*part));
		for (;;) {
			while (left > 0 && v->iov_len == 0) {
				left--;
				v++;
			}
			if (left == 0)
				break;
			if ((w = writev(fileno(a->f), v, left)) <= 0) {
				if (w < 0 && errno == EINTR)
					continue;
				return br_error_set(err, BR_EIO, NULL, 0,
				    "write error on '%s': %s", a->path,
				    w < 0 ? strerror(errno) : "nothing written");
			}
			/* A short write: on from the first byte not written. */
			for (done = (size_t)w; done > 0 && done >= v->iov_len;
			    left--, v++)
				done -= v->iov_len;
			if (done > 0) {
				v->iov_base = (char *)v->iov_base + done;
				v->iov_len -= done;
			}
		}
	}
	return 0;
}

int
br_atomic_flush(struct br_atomic *a, struct br_error *err)
{
	if (a->f == NULL)
		return 0;
	if (fflush(a->f) != 0 || ferror(a->f))
		return br_error_set(err, BR_EIO, NULL, 0,
		    "write error on '%s': %s", a->path, strerror(errno));
	return 0;
}

/* Flush, fsync when sync, close; on failure remove the temporary. */
static int
close_file(struct br_atomic *a, int sync, struct br_error *err)
{
	int failed, saved;

	if (a->f == NULL)
		return 0;
	failed = fflush(a->f) != 0 || ferror(a->f);
	if (!failed && sync && a->tmp[0] != '\0' && fsync(fileno(a->f)) != 0)
		failed = 1;
	saved = errno;
	if (fclose(a->f) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	a->f = NULL;
	if (failed) {
		if (a->tmp[0] != '\0')
			unlink(a->tmp);
		return br_error_set(err, BR_EIO, NULL, 0,
		    "write error on '%s': %s", a->path, strerror(saved));
	}
	return 0;
}

int
br_atomic_stage(struct br_atomic *a, struct br_error *err)
{
	return close_file(a, 0, err);
}

int
br_atomic_publish(const char *tmp, struct br_error *err)
{
	char path[512];
	size_t n = strlen(tmp);

	if (n <= 4 || n - 4 >= sizeof(path) || strcmp(tmp + n - 4, ".tmp") != 0)
		return br_error_set(err, BR_EINTERNAL, NULL, 0,
		    "'%s' is not a staged file", tmp);
	memcpy(path, tmp, n - 4);
	path[n - 4] = '\0';
	if (rename(tmp, path) != 0)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

int
br_atomic_commit(struct br_atomic *a, struct br_error *err)
{
	int saved;

	if (close_file(a, 1, err) != 0)
		return -1;
	if (a->tmp[0] != '\0' && rename(a->tmp, a->path) != 0) {
		saved = errno;
		unlink(a->tmp);
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", a->path, strerror(saved));
	}
	return 0;
}

void
br_atomic_abort(struct br_atomic *a)
{
	if (a->f == NULL)
		return;
	fclose(a->f);
	a->f = NULL;
	if (a->tmp[0] != '\0')
		unlink(a->tmp);
}
