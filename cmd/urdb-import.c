/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb-import: convert a URDB (OpenEI Utility Rate Database) tariff JSON
 * file into a billrun tariff YAML file (docs/urdb-import.md).  The work is
 * br_urdb_convert_file (lib/rate/urdb.c); this tool touches no store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cli.h"
#include "core/date.h"
#include "rate/urdb.h"
#include "core/money.h"
#include "core/banned.h"

#define MAX_IGNORE 32

static const struct br_cli_opt options[] = {
	{ "code", required_argument, 'c', "CODE",
	    "the rate code (default: from -o rates/CODE.yaml)" },
	{ "label", required_argument, 'l', "LABEL",
	    "the URDB item to convert, when the file holds several" },
	{ "all-items", no_argument, 'a', NULL,
	    "convert every item of the file" },
	{ "effective", required_argument, 'e', "YYYY-MM-DD",
	    "the tariff's effective date" },
	{ "ignore", required_argument, 'i', "FIELD",
	    "ignore this URDB field (repeatable)" },
	{ "quiet", no_argument, 'q', NULL, "do not print conversion notes" },
	{ "nem-program", required_argument, 'n', "NAME",
	    "add a net metering program" },
	{ "nem-surplus-rate", required_argument, 's', "DOLLARS",
	    "with --nem-program: the surplus credit per kWh" },
	{ "nem-true-up-month", required_argument, 't', "N",
	    "with --nem-program: the true-up month, 1 to 12" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "urdb-import",
	.synopsis =
    "usage: urdb-import [-o FILE.yaml] [--code CODE] [--label LABEL | --all-items]\n"
    "                   [--effective YYYY-MM-DD] [--ignore FIELD]... [-q]\n"
    "                   [--nem-program NAME [--nem-surplus-rate DOLLARS]\n"
    "                   [--nem-true-up-month N]] FILE.json\n",
	.about = "Convert a URDB tariff JSON file into a billrun tariff YAML "
	    "file.  See\ndocs/urdb-import.md.",
	.opts = options,
	.shortopts = "q",
	.common = BR_CLI_OUTPUT | BR_CLI_VERBOSE,
};

/* rates/X.yaml -> X (the file name a rate code must have) */
static void
code_from_path(const char *path, char *code, size_t n)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t len = strlen(base);

	code[0] = '\0';
	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0 && len - 5 < n)
		snprintf(code, n, "%.*s", (int)(len - 5), base);
}

static const char *ignore[MAX_IGNORE];	/* --ignore */

static int
parse_args(int argc, char **argv, struct br_urdb_opts *opts, int *quiet)
{
	int64_t m;
	int ch;

	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'a': opts->all_items = true; break;
		case 'c': opts->code = optarg; break;
		case 'e':
			if (br_date_parse(optarg, (size_t)-1,
			    &opts->effective) != 0)
				return br_cli_usage_error("--effective: "
				    "expected YYYY-MM-DD");
			opts->has_effective = true;
			break;
		case 'i':
			if (opts->nignore == MAX_IGNORE)
				return br_cli_usage_error("too many --ignore");
			ignore[opts->nignore++] = optarg;
			break;
		case 'l': opts->label = optarg; break;
		case 'n': opts->nem_program = optarg; break;
		case 's': opts->nem_surplus = optarg; break;
		case 't':
			if (br_int_parse(optarg, (size_t)-1, 1, 12, &m) != 0)
				return br_cli_usage_error("--nem-true-up-month: "
				    "expected 1 to 12");
			opts->nem_true_up_month = (int)m;
			break;
		case 'q': *quiet = 1; break;
		default: return cli.status;
		}
	}
	if (optind + 1 != argc)
		return br_cli_usage_error(optind == argc ? "no input file" :
		    "more than one input file");
	if (opts->all_items && opts->label)
		return br_cli_usage_error("--label and --all-items exclude "
		    "each other");
	if (opts->nem_program == NULL && (opts->nem_surplus ||
	    opts->nem_true_up_month))
		return br_cli_usage_error("--nem-surplus-rate and "
		    "--nem-true-up-month need --nem-program");
	return -1;
}

/* Convert; print what cannot be represented and the notes. */
static int
convert(const char *input, const struct br_urdb_opts *opts, int quiet,
    struct br_urdb_result *res)
{
	const char *name = strcmp(input, "-") ? input : "<stdin>";
	struct br_error err;
	size_t i;

	if (br_urdb_convert_file(input, opts, res, &err) != 0) {
		if (res->nproblems == 0)
			return br_cli_fail(&err);
		for (i = 0; i < res->nproblems; i++)
			br_warn("%s: cannot represent: %s", name,
			    res->problems[i]);
		br_warn("%s: %zu URDB feature%s cannot be represented in the "
		    "tariff language; nothing written", name, res->nproblems,
		    res->nproblems == 1 ? "" : "s");
		return BR_EXIT_CONFIG;
	}
	if (!quiet)
		for (i = 0; i < res->nnotes; i++)
			br_warn("%s: note: %s", name, res->notes[i]);
	return BR_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct br_urdb_opts opts = { .ignore = ignore };
	struct br_urdb_result res;
	struct br_output out;
	struct br_error err;
	char code[64];
	int quiet = 0, rc;

	br_cli_init(&cli, argc, argv);
	if ((rc = parse_args(argc, argv, &opts, &quiet)) >= 0)
		return rc;
	opts.source = argv[optind];
	if (opts.code == NULL && cli.output != NULL) {
		code_from_path(cli.output, code, sizeof(code));
		if (code[0])
			opts.code = code;
	}
	if ((rc = convert(argv[optind], &opts, quiet, &res)) == 0 &&
	    br_output_open(&out, cli.output, &err) == 0) {
		fwrite(res.yaml, 1, res.len, out.f);
		if (br_output_close(&out, 1, &err) != 0)
			rc = br_cli_fail(&err);
		else if (cli.verbose)
			br_cli_summary_line("tariff %s: %zu bytes, %zu notes",
			    res.code, res.len, res.nnotes);
	} else if (rc == 0)
		rc = br_cli_fail(&err);
	br_urdb_result_release(&res);
	return rc;
}
