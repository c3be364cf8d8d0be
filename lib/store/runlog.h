/* SPDX-License-Identifier: Apache-2.0 */
/*
 * runlog.h: the run record (table run, schema v6): which tool ran, with
 * what, when, and how it ended.
 *
 * Every writing run adds one row in the transaction of its work, so a
 * committed run always has its row; a failed run adds its row in a
 * transaction of its own after the rollback.  run_id is the store's run
 * sequence number.  The table is not audited and nothing deterministic
 * reads it: start and end times live here (and on stderr) only.
 */
#ifndef BR_STORE_RUNLOG_H
#define BR_STORE_RUNLOG_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct br_store;

struct br_run_rec {
	const char *tool;
	const char *version;
	const char *cycle;	/* --cycle of the run, or "" */
	const char *args;	/* the command line, shell-quoted */
	const char *inputs;	/* "SHA256 PATH" lines of the input files */
	const char *outputs;	/* the output path, or "" */
	const char *counts;	/* "name=N ..." from the tool, or "" */
	const char *started;	/* UTC, YYYY-MM-DDTHH:MM:SSZ */
	const char *ended;
	int status;		/* 0 committed, else the exit status */
};

/* Insert rec; *run_id (may be NULL) gets its number.  Returns 0 or -1. */
int br_run_record(struct br_store *st, const struct br_run_rec *rec,
    int64_t *run_id, struct br_error *err);

/*
 * The runs as CSV on out, oldest first:
 *   run_id,tool,version,cycle,started,ended,status,counts,args,inputs
 * (inputs one "SHA256 PATH" per line, ';'-joined); cycle NULL: all.
 */
int br_run_list(struct br_store *st, const char *cycle, FILE *out,
    struct br_error *err);

#endif
