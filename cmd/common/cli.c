/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cli.c: shared options, --help and --version, getopt errors, and the
 * open-store / transaction / output / commit sequence of the tools.
 */
#include "common/cli.h"

#include <getopt.h>
#include <string.h>

#include "core/banned.h"

#ifndef BR_VERSION
#error "BR_VERSION comes from CMake's project(VERSION) (CMakeLists.txt)"
#endif

#define MAXOPTS 48
#define VAL_DB 0x7f01
#define VAL_VERSION 0x7f02

static const struct br_cli_opt common_opts[] = {
	{ "db", required_argument, VAL_DB, "PATH",
	    "the store (default billing.db)" },
	{ "output", required_argument, 'o', "FILE",
	    "write the output to FILE instead of standard output" },
	{ "verbose", no_argument, 'v', NULL, "print counts on standard error" },
	{ "help", no_argument, 'h', NULL, "print this help and exit" },
	{ "version", no_argument, VAL_VERSION, NULL,
	    "print the version and exit" },
};
static const int common_flag[] = { BR_CLI_DB, BR_CLI_OUTPUT,
	BR_CLI_VERBOSE, 0, 0 };
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
	(void)argc;
	(void)argv;
	br_diag_init(cli->tool);
	if (cli->shortopts == NULL)
		cli->shortopts = "";
	cli->db = "billing.db";
	cli->output = NULL;
	cli->verbose = 0;
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
		case 'v':
			if (!(cli->common & BR_CLI_VERBOSE))
				return ch;
			cli->verbose = 1;
			continue;
		case 'h':
			br_cli_help(cli, stdout);
			cli->status = BR_EXIT_OK;
			return BR_CLI_EXIT;
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

int
br_cli_begin(struct br_cli_run *r, const char *db, int store_flags,
    const struct br_shard *shard, const char *outpath)
{
	memset(r, 0, sizeof(*r));
	br_error_clear(&r->err);
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
	return BR_EXIT_OK;
}

int
br_cli_end(struct br_cli_run *r, int rc)
{
	struct br_error scratch;

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
		rc = br_store_commit(r->st, &r->err);
	else if (rc != 0 && r->txn)
		br_store_rollback(r->st);
	if (br_output_close(&r->out, 0, &scratch) != 0 &&
	    r->err.code == BR_OK)
		r->err = scratch;	/* why a failed run's output failed */
	br_store_close(r->st);
	r->st = NULL;
	return rc == 0 ? BR_EXIT_OK : br_cli_fail(&r->err);
}
