/*
 * exitcode.c: error code to exit status, and atomic output files.
 */
#include "exitcode.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	case BR_EINTERNAL:
	case BR_ENOMEM:
		break;
	}
	return BR_EXIT_SOFTWARE;
}

int
br_output_open(struct br_output *out, const char *path, struct br_error *err)
{
	struct stat sb;

	memset(out, 0, sizeof(*out));
	if (path == NULL || strcmp(path, "-") == 0) {
		out->f = stdout;
		out->is_stdout = 1;
		return 0;
	}
	snprintf(out->path, sizeof(out->path), "%s", path);
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		/* A device or FIFO (/dev/null, /dev/full, a pipe) is written in
		 * place: renaming a temporary over it would replace it. */
		out->in_place = 1;
		if ((out->f = fopen(path, "w")) == NULL)
			return br_error_set(err, BR_ECANTCREATE, NULL, 0,
			    "cannot create '%s': %s", path, strerror(errno));
		return 0;
	}
	snprintf(out->tmp, sizeof(out->tmp), "%s.tmp", path);
	if ((out->f = fopen(out->tmp, "w")) == NULL)
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", path, strerror(errno));
	return 0;
}

int
br_output_flush(struct br_output *out, struct br_error *err)
{
	if (out->f == NULL)
		return 0;
	if (fflush(out->f) != 0 || ferror(out->f)) {
		if (out->is_stdout && errno == EPIPE)
			return 0;
		return br_error_set(err, BR_EIO, NULL, 0, "write error on '%s': "
		    "%s", out->is_stdout ? "standard output" : out->path,
		    strerror(errno));
	}
	return 0;
}

int
br_output_close(struct br_output *out, int ok, struct br_error *err)
{
	int failed;

	if (out->f == NULL)
		return 0;
	failed = fflush(out->f) != 0 || ferror(out->f);
	if (out->is_stdout) {
		out->f = NULL;
		if (failed && errno != EPIPE)
			return br_error_set(err, BR_EIO, NULL, 0,
			    "write error on standard output: %s",
			    strerror(errno));
		return 0;
	}
	if (fclose(out->f) != 0)
		failed = 1;
	out->f = NULL;
	if (out->in_place) {
		if (failed)
			return br_error_set(err, BR_EIO, NULL, 0,
			    "write error on '%s': %s", out->path,
			    strerror(errno));
		return 0;
	}
	if (!ok || failed) {
		unlink(out->tmp);
		if (failed)
			return br_error_set(err, BR_EIO, NULL, 0,
			    "write error on '%s': %s", out->path,
			    strerror(errno));
		return 0;
	}
	if (rename(out->tmp, out->path) != 0) {
		unlink(out->tmp);
		return br_error_set(err, BR_ECANTCREATE, NULL, 0,
		    "cannot create '%s': %s", out->path, strerror(errno));
	}
	return 0;
}
