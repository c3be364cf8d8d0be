/*
 * urdb-import: convert a URDB (OpenEI Utility Rate Database) tariff JSON
 * file into a billrun tariff YAML file (docs/urdb-import.md).  The work is
 * br_urdb_convert_file (lib/rate/urdb.c); this tool touches no store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "core/date.h"
#include "rate/urdb.h"
#include "core/banned.h"

#define MAX_IGNORE 32

static const char usage_text[] =
    "usage: urdb-import [-o FILE.yaml] [--code CODE] [--label LABEL | --all-items]\n"
    "                   [--effective YYYY-MM-DD] [--ignore FIELD]... [-q]\n"
    "                   [--nem-program NAME [--nem-surplus-rate DOLLARS]\n"
    "                   [--nem-true-up-month N]] FILE.json\n";

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try '%s --help' for more information", br_diag_tool());
	return BR_EXIT_USAGE;
}

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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all-items", no_argument, NULL, 'a' },
		{ "code", required_argument, NULL, 'c' },
		{ "effective", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ "ignore", required_argument, NULL, 'i' },
		{ "label", required_argument, NULL, 'l' },
		{ "nem-program", required_argument, NULL, 'n' },
		{ "nem-surplus-rate", required_argument, NULL, 's' },
		{ "nem-true-up-month", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 }
	};
	const char *ignore[MAX_IGNORE];
	struct br_urdb_opts opts;
	struct br_urdb_result res;
	struct br_output out;
	struct br_error err;
	const char *outpath = NULL, *input;
	char code[64];
	int ch, quiet = 0, rc;
	size_t i;

	br_diag_init("urdb-import");
	br_error_clear(&err);
	memset(&opts, 0, sizeof(opts));
	opts.ignore = ignore;
	while ((ch = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': opts.all_items = true; break;
		case 'c': opts.code = optarg; break;
		case 'e':
			if (br_date_parse(optarg, (size_t)-1,
			    &opts.effective) != 0)
				return usage_error("--effective: expected "
				    "YYYY-MM-DD");
			opts.has_effective = true;
			break;
		case 'h': fputs(usage_text, stdout); return BR_EXIT_OK;
		case 'i':
			if (opts.nignore == MAX_IGNORE)
				return usage_error("too many --ignore");
			ignore[opts.nignore++] = optarg;
			break;
		case 'l': opts.label = optarg; break;
		case 'n': opts.nem_program = optarg; break;
		case 's': opts.nem_surplus = optarg; break;
		case 't': {
			char *end;
			long m = strtol(optarg, &end, 10);
			if (*end != '\0' || end == optarg || m < 1 || m > 12)
				return usage_error("--nem-true-up-month: "
				    "expected 1 to 12");
			opts.nem_true_up_month = (int)m;
			break;
		}
		case 'o': outpath = optarg; break;
		case 'q': quiet = 1; break;
		default:
			br_warn("try '%s --help' for more information",
			    br_diag_tool());
			return BR_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return usage_error(optind == argc ? "no input file" :
		    "more than one input file");
	if (opts.all_items && opts.label)
		return usage_error("--label and --all-items exclude each other");
	if (opts.nem_program == NULL && (opts.nem_surplus ||
	    opts.nem_true_up_month))
		return usage_error("--nem-surplus-rate and --nem-true-up-month "
		    "need --nem-program");
	input = argv[optind];
	opts.source = input;
	if (opts.code == NULL && outpath != NULL) {
		code_from_path(outpath, code, sizeof(code));
		if (code[0])
			opts.code = code;
	}

	rc = br_urdb_convert_file(input, &opts, &res, &err);
	if (rc != 0 && res.nproblems > 0) {
		for (i = 0; i < res.nproblems; i++)
			br_warn("%s: cannot represent: %s", strcmp(input, "-")
			    ? input : "<stdin>", res.problems[i]);
		br_warn("%s: %zu URDB feature%s cannot be represented in the "
		    "tariff language; nothing written", strcmp(input, "-") ?
		    input : "<stdin>", res.nproblems, res.nproblems == 1 ?
		    "" : "s");
		br_urdb_result_release(&res);
		return BR_EXIT_CONFIG;
	}
	if (rc != 0) {
		br_diag_error(&err);
		br_urdb_result_release(&res);
		return br_exit_from_error(err.code);
	}
	if (!quiet)
		for (i = 0; i < res.nnotes; i++)
			br_warn("%s: note: %s", strcmp(input, "-") ? input :
			    "<stdin>", res.notes[i]);
	if (br_output_open(&out, outpath, &err) != 0) {
		br_diag_error(&err);
		br_urdb_result_release(&res);
		return br_exit_from_error(err.code);
	}
	fwrite(res.yaml, 1, res.len, out.f);
	br_urdb_result_release(&res);
	if (br_output_close(&out, 1, &err) != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	return BR_EXIT_OK;
}
