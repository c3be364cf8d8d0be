/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exitcode.c: error code to exit status, and output files (stdout or
 * an atomic file, io/atomic.h).
 */
#include "exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/banned.h"

int
br_exit_from_error(enum br_errcode code)
{
	switch (code) {
	case BR_OK:
		return BR_EXIT_OK;
	case BR_EUSAGE:
		return BR_EXIT_USAGE;
	case BR_EINPUT:
		return BR_EXIT_DATAERR;
	case BR_ENOINPUT:
		return BR_EXIT_NOINPUT;
	case BR_ECANTCREATE:
		return BR_EXIT_CANTCREAT;
	case BR_EIO:
		return BR_EXIT_IOERR;
	case BR_ECONFIG:
		return BR_EXIT_CONFIG;
	case BR_EBUSY:
		return BR_EXIT_TEMPFAIL;
	case BR_EINTERNAL:
	case BR_ENOMEM:
		break;
	}
	return BR_EXIT_SOFTWARE;
}

int
br_output_open(struct br_output *out, const char *path, struct br_error *err)
{
	memset(out, 0, sizeof(*out));
	if (path == NULL || strcmp(path, "-") == 0) {
		out->f = stdout;
		out->is_stdout = 1;
		return 0;
	}
	if (br_atomic_open(&out->at, path, err) != 0)
		return -1;
	out->f = out->at.f;
	return 0;
}

int
br_output_flush(struct br_output *out, struct br_error *err)
{
	if (out->f == NULL)
		return 0;
	if (!out->is_stdout)
		return br_atomic_flush(&out->at, err);
	if (fflush(out->f) != 0 || ferror(out->f)) {
		if (errno == EPIPE)
			return 0;
		return br_error_set(err, BR_EIO, NULL, 0, "write error on "
		    "standard output: %s", strerror(errno));
	}
	return 0;
}

int
br_output_close(struct br_output *out, int ok, struct br_error *err)
{
	int failed;

	if (out->f == NULL)
		return 0;
	out->f = NULL;
	if (!out->is_stdout) {
		if (ok)
			return br_atomic_commit(&out->at, err);
		/* A failed run: a write error still says why. */
		if (br_atomic_flush(&out->at, err) != 0) {
			br_atomic_abort(&out->at);
			return -1;
		}
		br_atomic_abort(&out->at);
		return 0;
	}
	failed = fflush(stdout) != 0 || ferror(stdout);
	if (failed && errno != EPIPE)
		return br_error_set(err, BR_EIO, NULL, 0,
		    "write error on standard output: %s", strerror(errno));
	return 0;
}
