/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock.c: the busy timeout, the advisory <store>.lock note and the
 * "store is busy" error (lock.h).
 */
#include "store/lock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "store/store.h"
#include "core/banned.h"

static int busy_ms = 10000;
/* The note this process wrote, if any (one store per run). */
static char noted[sizeof(((struct br_store *)0)->path) + 8];

void
br_store_set_busy_timeout(int ms)
{
	busy_ms = ms < 0 ? 0 : ms;
}

int
br_store_busy_timeout(void)
{
	return busy_ms;
}

static void
note_path(const struct br_store *st, char *buf, size_t n)
{
	snprintf(buf, n, "%s.lock", st->path);
}

int
br_store_lock_note(struct br_store *st, const char *tool,
    struct br_error *err)
{
	char path[sizeof(noted)], tmp[sizeof(noted) + 24];
	FILE *f;

	note_path(st, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.%ld", path, (long)getpid());
	if ((f = fopen(tmp, "w")) == NULL)
		return br_error_set(err, BR_ECANTCREATE, tmp, 0,
		    "cannot write lock note: %s", strerror(errno));
	fprintf(f, "%s %ld\n", tool, (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		(void)unlink(tmp);
		return br_error_set(err, BR_ECANTCREATE, path, 0,
		    "cannot write lock note: %s", strerror(errno));
	}
	snprintf(noted, sizeof(noted), "%s", path);
	return 0;
}

void
br_store_lock_clear(struct br_store *st)
{
	char path[sizeof(noted)];

	note_path(st, path, sizeof(path));
	if (noted[0] != '\0' && strcmp(path, noted) == 0) {
		(void)unlink(path);
		noted[0] = '\0';
	}
}

/* The holder named by the note, when its process still runs. */
static int
holder(const struct br_store *st, char *tool, size_t n)
{
	char path[sizeof(noted)], name[64];
	long pid = 0;
	FILE *f;
	int ok;

	note_path(st, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	ok = fscanf(f, "%63s %ld", name, &pid) == 2;
	fclose(f);
	if (!ok || pid <= 0 || pid == (long)getpid() ||
	    (kill((pid_t)pid, 0) != 0 && errno == ESRCH))
		return -1;
	snprintf(tool, n, "%s (pid %ld)", name, pid);
	return 0;
}

int
br_store_busy_fail(struct br_store *st, const char *what,
    struct br_error *err)
{
	char who[96];

	if (holder(st, who, sizeof(who)) != 0)
		snprintf(who, sizeof(who), "another process");
	return br_error_set(err, BR_EBUSY, st->path, 0,
	    "%s: store is busy (held by %s; waited %d s): try again later",
	    what, who, busy_ms / 1000);
}
