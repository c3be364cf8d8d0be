/* SPDX-License-Identifier: Apache-2.0 */
/*
 * progress.c: the progress lines on stderr (core/progress.h's callback)
 * and the -v run summary's elapsed time.
 *
 * "<tool>: <what> DONE/TOTAL (P%), R/s, ETA S s" about twice a second;
 * on a terminal one line rewritten in place, else one line each time.
 * A stage whose count starts again (the rows of the next file) adds on.
 * A stage with a total ends with its 100 % line when progress was shown
 * or asked for (--progress).
 */
#include "common/progress.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/diag.h"
#include "core/progress.h"
#include "core/banned.h"

static struct {
	double start, last;
	const char *what;
	long base, prev, total;
	int tty, shown, forced;
	int open;	/* a terminal line is showing, not yet ended */
} pg;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* When the tool started (br_cli_clock_start), else 0. */
static double t0;

void
br_cli_clock_start(void)
{
	t0 = now();
}

double
br_cli_elapsed(void)
{
	double from = t0 > 0 ? t0 : pg.start;

	return from > 0 ? now() - from : 0;
}

static void
show(double t)
{
	long done = pg.base + pg.prev;
	double secs = t - pg.start, rate = secs > 0 ? done / secs : 0;
	char eta[32] = "";

	if (pg.total > 0 && rate > 0 && done <= pg.total)
		snprintf(eta, sizeof(eta), ", ETA %.0f s",
		    (pg.total - done) / rate);
	if (pg.total > 0)
		fprintf(stderr, "%s%s: %s %ld/%ld (%ld%%), %.0f/s%s%s",
		    pg.tty ? "\r" : "", br_diag_tool(), pg.what, done,
		    pg.total, done * 100 / pg.total, rate, eta,
		    pg.tty ? "\033[K" : "\n");
	else
		fprintf(stderr, "%s%s: %s %ld, %.0f/s%s", pg.tty ? "\r" : "",
		    br_diag_tool(), pg.what, done, rate,
		    pg.tty ? "\033[K" : "\n");
	fflush(stderr);
	pg.shown = 1;
	pg.open = pg.tty;
	pg.last = t;
}

static void
tick(void *ctx, const char *what, long done, long total)
{
	double t;

	(void)ctx;
	if (pg.what != what && (pg.what == NULL || strcmp(pg.what, what))) {
		pg.what = what;
		pg.base = pg.prev = 0;
	} else if (done < pg.prev && total == 0) {
		pg.base += pg.prev;	/* the next file's rows */
	}
	pg.prev = done;
	pg.total = total;
	/* The clock only every 64 items: a tick is one branch. */
	if ((done & 63) != 0 && done != total)
		return;
	t = now();
	/* A stage's last line always, when shown or asked for. */
	if (t - pg.last >= 0.5 || (done == total && (pg.shown || pg.forced)))
		show(t);
}

void
br_cli_progress_start(int want)
{
	memset(&pg, 0, sizeof(pg));
	pg.start = pg.last = now();
	pg.tty = isatty(STDERR_FILENO);
	pg.forced = want > 0;
	if (want < 0)
		want = pg.tty;
	br_progress_set(want ? tick : NULL, NULL);
}

void
br_cli_progress_end(void)
{
	br_progress_set(NULL, NULL);
	/* The last count of a stage without a total (rows read). */
	if (pg.shown && pg.total == 0)
		show(now());
	br_cli_progress_break();
	pg.shown = 0;
}

void
br_cli_progress_break(void)
{
	if (pg.open)
		fputc('\n', stderr);
	pg.open = 0;
}
