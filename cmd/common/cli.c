/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.c: shared options, --help and --version, getopt errors, and the
 * open-store / transaction / output / commit sequence of the tools.
 */
#include "common/cli.h"

#include <dirent.h>
#include <getopt.h>
#include <stdarg.h>
#include <time.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>

#include "common/progress.h"
#include "store/lock.h"
#include "store/runlog.h"
#include "core/sha256.h"
#include "io/input.h"
#include "core/money.h"
#include "core/banned.h"

#ifndef BR_VERSION
#error "BR_VERSION comes from CMake's project(VERSION) (CMakeLists.txt)"
#endif

#define MAXOPTS 48
#define VAL_DB 0x7f01
#define VAL_VERSION 0x7f02
#define VAL_BUSY 0x7f03
#define VAL_PROGRESS 0x7f04
#define VAL_NOPROGRESS 0x7f05
#define VAL_SUMMARY 0x7f06

/* The tool's cli and command line (br_cli_init), for br_cli_begin and
 * br_cli_end. */
static struct br_cli *cur;
static int cur_argc;
static char **cur_argv;

static const struct br_cli_opt common_opts[] = {
	{ "db", required_argument, VAL_DB, "PATH",
	    "the store (default billing.db)" },
	{ "output", required_argument, 'o', "FILE",
	    "write the output to FILE instead of standard output" },
	{ "summary", required_argument, VAL_SUMMARY, "FILE",
	    "write the totals to FILE (default: beside -o X.csv as "
	    "X-summary.csv)" },
	{ "busy-timeout", required_argument, VAL_BUSY, "SECONDS",
	    "wait for a busy store, then exit 75 (default 10)" },
	{ "progress", no_argument, VAL_PROGRESS, NULL,
	    "show progress on standard error (default: when a terminal)" },
	{ "no-progress", no_argument, VAL_NOPROGRESS, NULL,
	    "never show progress" },
	{ "verbose", no_argument, 'v', NULL, "print counts on standard error" },
	{ "help", no_argument, 'h', NULL, "print this help and exit" },
	{ "version", no_argument, VAL_VERSION, NULL,
	    "print the version and exit" },
};
static const int common_flag[] = { BR_CLI_DB, BR_CLI_OUTPUT,
	BR_CLI_SUMFILE, BR_CLI_DB,
	0, 0, BR_CLI_VERBOSE, 0, 0 };
#define NCOMMON (sizeof(common_opts) / sizeof(common_opts[0]))

static int
has_common(const struct br_cli *cli, size_t i)
{
	return common_flag[i] == 0 || (cli->common & common_flag[i]) != 0;
}

static int
is_short(const struct br_cli *cli, int val)
{
	if (val == VAL_DB)
		return strchr(cli->shortopts, 'd') != NULL;
	if (val <= 0 || val >= 128)
		return 0;
	if (val == 'h' || (val == 'o' && (cli->common & BR_CLI_OUTPUT)) ||
	    (val == 'v' && (cli->common & BR_CLI_VERBOSE)))
		return 1;
	return strchr(cli->shortopts, val) != NULL;
}

void
br_cli_init(struct br_cli *cli, int argc, char **argv)
{
	br_cli_clock_start();
	cur = cli;
	cur_argc = argc;
	cur_argv = argv;
	br_diag_init(cli->tool);
	if (cli->shortopts == NULL)
		cli->shortopts = "";
	cli->db = "billing.db";
	cli->output = NULL;
	cli->summary = NULL;
	cli->verbose = 0;
	cli->progress = -1;
	cli->status = BR_EXIT_OK;
	opterr = 0;
}

int
br_cli_usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try '%s --help' for more information", br_diag_tool());
	return BR_EXIT_USAGE;
}

int
br_cli_need_dir(const char *what, const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return BR_EXIT_OK;
	br_warn("%s: %s directory not found", path, what);
	return BR_EXIT_NOINPUT;
}

int
br_cli_fail(const struct br_error *err)
{
	br_diag_error(err);
	return br_exit_from_error(err->code);
}

static void
help_opt(const struct br_cli *cli, const struct br_cli_opt *o, FILE *f)
{
	char left[64];
	int n;

	if (is_short(cli, o->val))
		n = snprintf(left, sizeof(left), "  -%c, --%s",
		    o->val == VAL_DB ? 'd' : o->val, o->name);
	else
		n = snprintf(left, sizeof(left), "      --%s", o->name);
	if (o->arg != NULL && n > 0 && (size_t)n < sizeof(left))
		snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
	if (strlen(left) > 29)
		fprintf(f, "%s\n%31s%s\n", left, "", o->help);
	else
		fprintf(f, "%-30s %s\n", left, o->help);
}

void
br_cli_help(const struct br_cli *cli, FILE *f)
{
	const struct br_cli_opt *o;
	size_t i;

	fputs(cli->synopsis, f);
	if (cli->about != NULL)
		fprintf(f, "\n%s\n", cli->about);
	fputs("\nOptions:\n", f);
	for (o = cli->opts; o->name != NULL; o++)
		help_opt(cli, o, f);
	for (i = 0; i < NCOMMON; i++)
		if (has_common(cli, i))
			help_opt(cli, &common_opts[i], f);
	fprintf(f, "\nExit status:\n"
	    "   0  success\n"
	    "   1  %s\n"
	    "   2  usage error\n"
	    "  65  malformed input\n"
	    "  66  input missing or unreadable\n"
	    "  70  internal error\n"
	    "  73  output cannot be created\n"
	    "  74  read or write error\n"
	    "  75  store busy (another run holds it): try again later\n"
	    "  78  bad configuration or tariff\n",
	    cli->exit1 != NULL ? cli->exit1 : "not used");
}

/* The getopt_long tables of cli: the tool's options, then the shared. */
static void
build(const struct br_cli *cli, struct option *lo, char *so, size_t sosz)
{
	const struct br_cli_opt *o;
	size_t n = 0, i;

	for (o = cli->opts; o->name != NULL && n < MAXOPTS - NCOMMON - 1; o++)
		lo[n++] = (struct option){ o->name, o->has_arg, NULL, o->val };
	for (i = 0; i < NCOMMON; i++)
		if (has_common(cli, i))
			lo[n++] = (struct option){ common_opts[i].name,
			    common_opts[i].has_arg, NULL, common_opts[i].val };
	lo[n] = (struct option){ NULL, 0, NULL, 0 };
	snprintf(so, sosz, ":h%s%s%s", cli->common & BR_CLI_OUTPUT ? "o:" : "",
	    cli->common & BR_CLI_VERBOSE ? "v" : "", cli->shortopts);
}

/* getopt's complaint, "<tool>: message" without the program path. */
static int
bad_option(struct br_cli *cli, int ch, char **argv)
{
	const char *arg = argv[optind - 1];
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
	if (ch == ':' && strncmp(arg, "--", 2) == 0)
		br_warn("option '%s' requires an argument", name);
	else if (ch == ':')
		br_warn("option requires an argument -- '%c'", optopt);
	else if (optopt != 0 && strncmp(arg, "--", 2) == 0)
		br_warn("option '%s' doesn't allow an argument", name);
	else if (optopt != 0)
		br_warn("invalid option -- '%c'", optopt);
	else
		br_warn("unrecognized option '%s'", name);
	br_warn("try '%s --help' for more information", cli->tool);
	cli->status = BR_EXIT_USAGE;
	return BR_CLI_EXIT;
}

/* --busy-timeout SECONDS: 0 to 86400. */
static int
busy_opt(const char *arg)
{
	int64_t sec;

	if (br_int_parse(arg, (size_t)-1, 0, 86400, &sec) != 0)
		return -1;
	br_store_set_busy_timeout((int)sec * 1000);
	return 0;
}

int
br_cli_next(struct br_cli *cli, int argc, char **argv)
{
	struct option lo[MAXOPTS];
	char so[64];
	int ch;

	build(cli, lo, so, sizeof(so));
	for (;;) {
		ch = getopt_long(argc, argv, so, lo, NULL);
		switch (ch) {
		case 'd':	/* -d when the tool lists it */
			if (!(cli->common & BR_CLI_DB))
				return ch;
			cli->db = optarg;
			continue;
		case VAL_DB:
			cli->db = optarg;
			continue;
		case 'o':
			if (!(cli->common & BR_CLI_OUTPUT))
				return ch;
			cli->output = optarg;
			continue;
		case VAL_SUMMARY:
			cli->summary = optarg;
			continue;
		case 'v':
			if (!(cli->common & BR_CLI_VERBOSE))
				return ch;
			cli->verbose = 1;
			continue;
		case 'h':
			br_cli_help(cli, stdout);
			cli->status = BR_EXIT_OK;
			return BR_CLI_EXIT;
		case VAL_BUSY:
			if (busy_opt(optarg) != 0) {
				cli->status = br_cli_usage_error(
				    "--busy-timeout wants a number of seconds");
				return BR_CLI_EXIT;
			}
			continue;
		case VAL_PROGRESS:
		case VAL_NOPROGRESS:
			cli->progress = ch == VAL_PROGRESS;
			continue;
		case VAL_VERSION:
			printf("%s (billrun) %s\n", cli->tool, BR_VERSION);
			cli->status = BR_EXIT_OK;
			return BR_CLI_EXIT;
		case '?':
		case ':':
			return bad_option(cli, ch, argv);
		default:
			return ch;
		}
	}
}

static void
utc_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Append s to the growing buffer b (size n), shell-quoted when it must. */
static void
put_arg(char *b, size_t n, const char *s)
{
	size_t len = strlen(b);
	const char *p;

	if (len > 0 && len + 1 < n)
		b[len++] = ' ';
	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
	    "OPQRSTUVWXYZ0123456789-_=./:,+@%") == strlen(s)) {
		snprintf(b + len, n - len, "%s", s);
		return;
	}
	if (len + 1 < n)
		b[len++] = '\'';
	for (p = s; *p != '\0' && len + 5 < n; p++) {
		if (*p == '\'') {
			memcpy(b + len, "'\\''", 4);
			len += 4;
		} else
			b[len++] = *p;
	}
	if (len + 1 < n)
		b[len++] = '\'';
	b[len < n ? len : n - 1] = '\0';
}

/* "SHA256 PATH\n" of a regular file onto b; nothing for anything else. */
static void
hash_file(char *b, size_t n, const char *path)
{
	struct br_sha256 h;
	unsigned char buf[65536];
	char hex[65];
	size_t got, len = strlen(b);
	FILE *f;

	/* A plain file the tool has just read whole: hashed already. */
	if (br_input_known_sha256(path, hex)) {
		snprintf(b + len, n - len, "%s %s\n", hex, path);
		return;
	}
	if ((f = fopen(path, "rb")) == NULL)
		return;
	br_sha256_init(&h);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		br_sha256_update(&h, buf, got);
	fclose(f);
	br_sha256_final_hex(&h, hex);
	snprintf(b + len, n - len, "%s %s\n", hex, path);
}

static int
is_file(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The regular files of a --registry or --rates directory, sorted. */
static void
hash_dir(char *b, size_t n, const char *dir)
{
	struct dirent **e;
	char path[1024];
	int i, k = scandir(dir, &e, NULL, alphasort);

	for (i = 0; i < k; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, e[i]->d_name);
		if (e[i]->d_name[0] != '.' && is_file(path))
			hash_file(b, n, path);
		free(e[i]);
	}
	if (k >= 0)
		free(e);
}

/* The option value of --name (either "--name V" or "--name=V"). */
static const char *
opt_value(int i, const char *name)
{
	size_t len = strlen(name);

	if (strncmp(cur_argv[i], name, len) != 0)
		return NULL;
	if (cur_argv[i][len] == '=')
		return cur_argv[i] + len + 1;
	if (cur_argv[i][len] == '\0' && i + 1 < cur_argc)
		return cur_argv[i + 1];
	return NULL;
}

/*
 * The run's row: the command line, the SHA-256 of every input file named
 * on it (and of the files of --registry and --rates directories), the
 * counts the tool left in r->counts.
 */
static int
record_run(struct br_cli_run *r, int status, struct br_error *err)
{
	static char args[8192], inputs[32768];
	char ended[24];
	const char *cycle = "", *v;
	struct br_run_rec rec;
	int i;

	args[0] = inputs[0] = '\0';
	for (i = 1; cur != NULL && i < cur_argc; i++) {
		put_arg(args, sizeof(args), cur_argv[i]);
		if ((v = opt_value(i, "--cycle")) != NULL)
			cycle = v;
		if ((v = opt_value(i, "--registry")) != NULL ||
		    (v = opt_value(i, "--rates")) != NULL)
			hash_dir(inputs, sizeof(inputs), v);
		else if (strcmp(cur_argv[i], cur->db) != 0 &&
		    (cur->output == NULL ||
		    strcmp(cur_argv[i], cur->output) != 0) &&
		    is_file(cur_argv[i]))
			hash_file(inputs, sizeof(inputs), cur_argv[i]);
	}
	utc_now(ended, sizeof(ended));
	memset(&rec, 0, sizeof(rec));
	rec.tool = br_diag_tool();
	rec.version = BR_VERSION;
	rec.cycle = cycle;
	rec.args = args;
	rec.inputs = inputs;
	rec.outputs = cur != NULL && cur->output != NULL ? cur->output : "";
	rec.counts = r->counts;
	rec.started = r->started;
	rec.ended = ended;
	rec.status = status;
	return br_run_record(r->st, &rec, NULL, err);
}

/* A failed run's row, in a transaction of its own after the rollback
 * (not when the store was busy: it cannot be written then). */
static void
record_failure(struct br_cli_run *r)
{
	struct br_error scratch;

	if (r->err.code == BR_EBUSY || br_store_begin(r->st, &scratch) != 0)
		return;
	if (record_run(r, br_exit_from_error(r->err.code), &scratch) != 0 ||
	    br_store_commit(r->st, &scratch) != 0)
		br_store_rollback(r->st);
}

int
br_cli_begin(struct br_cli_run *r, const char *db, int store_flags,
    const struct br_shard *shard, const char *outpath)
{
	struct br_error scratch;

	memset(r, 0, sizeof(*r));
	br_error_clear(&r->err);
	utc_now(r->started, sizeof(r->started));
	if ((r->st = br_store_open(db, store_flags, &r->err)) == NULL)
		return br_cli_fail(&r->err);
	r->txn = !(store_flags & BR_STORE_READONLY);
	if ((r->txn && br_store_begin(r->st, &r->err) != 0) ||
	    (shard != NULL && br_shard_bind(r->st, shard, &r->err) != 0) ||
	    br_output_open(&r->out, outpath, &r->err) != 0) {
		br_store_close(r->st);
		r->st = NULL;
		return br_cli_fail(&r->err);
	}
	/* Advice for a run that finds the store busy (store/lock.h); a
	 * note that cannot be written only loses the holder's name. */
	if (r->txn)
		(void)br_store_lock_note(r->st, br_diag_tool(), &scratch);
	br_cli_progress_start(cur != NULL ? cur->progress : -1);
	return BR_EXIT_OK;
}

int
br_cli_end(struct br_cli_run *r, int rc)
{
	struct br_error scratch;

	br_cli_progress_end();
	/*
	 * The output is complete and in place (flushed, fsync'd, renamed)
	 * before the store commits: a kill between the two leaves the
	 * report of a run the store may not hold (a rerun writes it again),
	 * never a committed run whose report is lost (issue 16: ami-import
	 * renamed its report only after the commit and the checkpoint).
	 */
	if (rc == 0 && br_output_close(&r->out, 1, &r->err) != 0)
		rc = -1;
	if (rc == 0 && r->txn)
		rc = record_run(r, 0, &r->err);
	if (rc == 0 && r->txn)
		rc = br_store_commit(r->st, &r->err);
	else if (rc != 0 && r->txn) {
		br_store_rollback(r->st);
		record_failure(r);
	}
	if (br_output_close(&r->out, 0, &scratch) != 0 &&
	    r->err.code == BR_OK)
		r->err = scratch;	/* why a failed run's output failed */
	br_store_lock_clear(r->st);
	br_store_close(r->st);
	r->st = NULL;
	if (rc == 0 && cur != NULL && cur->verbose &&
	    (cur->common & BR_CLI_SUMMARY))
		br_cli_summary_line("%s", r->counts[0] ? r->counts : "done");
	return rc == 0 ? BR_EXIT_OK : br_cli_fail(&r->err);
}

void
br_cli_summary_line(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	br_warn("%s; %.2f s", msg, br_cli_elapsed());
}

const char *
br_cli_summary_beside(const char *path, char *buf, size_t size)
{
	size_t n;

	if (path == NULL || (n = strlen(path)) <= 4 ||
	    strcmp(path + n - 4, ".csv") != 0 ||
	    (size_t)snprintf(buf, size, "%.*s-summary.csv", (int)(n - 4),
	    path) >= size)
		return NULL;
	return buf;
}

const char *
br_cli_summary_path(const struct br_cli *cli, char *buf, size_t size)
{
	if (cli->summary != NULL)
		return strcmp(cli->summary, "-") == 0 ? NULL : cli->summary;
	return br_cli_summary_beside(cli->output, buf, size);
}

int
br_cli_summary_write(const struct br_cli *cli, const char *path,
    void (*write)(const void *arg, FILE *f), const void *arg,
    struct br_error *err)
{
	struct br_output out = { 0 };
	char buf[4096];

	if (path == NULL)
		path = br_cli_summary_path(cli, buf, sizeof(buf));
	if (path == NULL)
		return 0;
	if (br_output_open(&out, path, err) != 0)
		return -1;
	/* A write error fails the close (br_atomic_commit). */
	write(arg, out.f);
	return br_output_close(&out, 1, err);
}
