/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.h: what every tool shares around its one library call.
 *
 * Options: a tool describes its own options in a br_cli_opt table (name,
 * argument, one-line help); br_cli_next adds the shared ones (--db PATH,
 * -o/--output FILE, -v/--verbose, -h/--help, --version, --busy-timeout
 * SECONDS, --progress, --no-progress), handles them,
 * prints getopt errors as "<tool>: message" and builds --help from the
 * tables (synopsis, every option, the exit status table).
 *
 * Run: br_cli_begin opens the store, begins the transaction, binds the
 * shard and opens the atomic output; br_cli_end flushes the output,
 * commits (or rolls back), renames the output into place and closes the
 * store, printing the first error and returning the exit status.
 */
#ifndef BR_CLI_H
#define BR_CLI_H

#include "common/diag.h"
#include "common/exitcode.h"
#include "store/shard.h"
#include "store/store.h"

/* The shared options a tool takes (br_cli.common). */
enum {
	BR_CLI_DB = 1,		/* --db PATH, default billing.db */
	BR_CLI_OUTPUT = 2,	/* -o, --output FILE */
	BR_CLI_VERBOSE = 4,	/* -v, --verbose */
	BR_CLI_SUMMARY = 8,	/* -v prints br_cli_run.counts and the
				 * elapsed time (br_cli_end) */
	BR_CLI_SUMFILE = 16	/* --summary FILE: the report's totals
				 * (br_cli_summary_path) */
};

/* br_cli_next's answer when main must return cli.status now. */
#define BR_CLI_EXIT 0x7fff

struct br_cli_opt {
	const char *name;	/* long name, without "--" */
	int has_arg;		/* no_argument / required_argument */
	int val;		/* getopt_long's value; a short option when
				 * it is in br_cli.shortopts */
	const char *arg;	/* argument name in --help, or NULL */
	const char *help;	/* one line */
};

struct br_cli {
	const char *tool;
	const char *synopsis;	/* "usage: ..." lines, ending in '\n' */
	const char *about;	/* one paragraph, or NULL */
	const struct br_cli_opt *opts;	/* ends with a NULL name */
	const char *shortopts;	/* the tool's own short options, or "" */
	int common;		/* BR_CLI_* */
	const char *exit1;	/* what exit status 1 means, or NULL */
	/* Values of the shared options. */
	const char *db;
	const char *output;
	const char *summary;	/* --summary FILE, or NULL */
	int verbose;
	int progress;		/* --progress 1, --no-progress 0, else -1 */
	int status;		/* with BR_CLI_EXIT */
};

/* Set the diagnostics prefix and the defaults (--db billing.db). */
void br_cli_init(struct br_cli *cli, int argc, char **argv);
/*
 * The next tool option's val (optarg set), -1 at the end of options, or
 * BR_CLI_EXIT after --help, --version or a getopt error (message
 * printed; cli->status is 0 or BR_EXIT_USAGE).
 */
int br_cli_next(struct br_cli *cli, int argc, char **argv);
/* Print msg and the --help hint; returns BR_EXIT_USAGE. */
int br_cli_usage_error(const char *msg);
/* 0 when path is a directory, else prints "<path>: <what> directory not
 * found" and returns BR_EXIT_NOINPUT (66). */
int br_cli_need_dir(const char *what, const char *path);
/* Print err; returns its exit status. */
int br_cli_fail(const struct br_error *err);
/*
 * -v's summary line, the one every tool ends with: "<tool>: <message>;
 * <seconds> s" on standard error, the seconds elapsed since br_cli_begin
 * (or since the tool started).  Elapsed time goes to stderr only.
 */
void br_cli_summary_line(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
/*
 * Where the totals of the output go (BR_CLI_SUMFILE): --summary FILE
 * ("-": nowhere), else beside an -o X.csv as X-summary.csv (buf), else
 * NULL (stdout or another name: no summary file, -v still prints it).
 */
const char *br_cli_summary_path(const struct br_cli *cli, char *buf,
    size_t size);
/*
 * Write a summary CSV through write(arg, f): to path, or with path NULL
 * to br_cli_summary_path's file (nothing when there is none).  0 or -1
 * with err.
 */
int br_cli_summary_write(const struct br_cli *cli, const char *path,
    void (*write)(const void *arg, FILE *f), const void *arg,
    struct br_error *err);
/* The summary file beside another report: X.csv gives X-summary.csv
 * (buf), any other name NULL. */
const char *br_cli_summary_beside(const char *path, char *buf, size_t size);
/* Write --help to f. */
void br_cli_help(const struct br_cli *cli, FILE *f);

struct br_cli_run {
	struct br_store *st;
	struct br_output out;
	struct br_error err;
	int txn;	/* a transaction is open (not BR_STORE_READONLY) */
	char counts[256];	/* "name=N ..." for the run record, set by
				 * the tool before br_cli_end */
	char started[24];	/* UTC, for the run record */
};
/*
 * Open db (store_flags: BR_STORE_*), begin, bind shard (NULL: all),
 * open outpath ("-"/NULL: stdout).  Returns 0, or prints the error,
 * cleans up and returns the exit status.
 */
int br_cli_begin(struct br_cli_run *r, const char *db, int store_flags,
    const struct br_shard *shard, const char *outpath);
/*
 * rc is the work's result (0, or -1 with r->err set).  Flushes the
 * output, records the run (store/runlog.h: in the work's transaction, or
 * after the rollback in one of its own), commits when everything
 * succeeded (else rolls back), puts the output in place, closes the
 * store.  Returns BR_EXIT_OK or prints the
 * first error and returns its exit status.
 */
int br_cli_end(struct br_cli_run *r, int rc);

#endif
