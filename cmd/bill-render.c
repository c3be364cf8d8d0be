/*
 * bill-render: render and issue the bills of a cycle.  Writes a text
 * and/or PDF bill per account to the output directory, the bill register
 * CSV to stdout or -o and, with --vendor, the print-vendor data file; see
 * docs/bill-render.md.
 */
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/diag.h"
#include "common/exitcode.h"
#include "render/render.h"
#include "store/store.h"
#include "core/banned.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: bill-render [--db PATH] --cycle ID [--account ID] "
	    "[--out-dir DIR]\n"
	    "                   [--format text|pdf|both] [--vendor FILE] "
	    "[--shard K/N] [-o FILE]\n"
	    "                   [--print-stream FILE]\n");
}

static int
usage_error(const char *msg)
{
	br_warn("%s", msg);
	br_warn("try 'bill-render --help' for more information");
	return BR_EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "account", required_argument, NULL, 'a' },
		{ "cycle", required_argument, NULL, 'c' },
		{ "db", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "out-dir", required_argument, NULL, 'D' },
		{ "output", required_argument, NULL, 'o' },
		{ "print-stream", required_argument, NULL, 'P' },
		{ "shard", required_argument, NULL, 'K' },
		{ "vendor", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	struct br_render_opts opts = { NULL, NULL, "bills",
	    BR_RENDER_TEXT | BR_RENDER_PDF, NULL, NULL, NULL, NULL };
	struct br_render_totals tot;
	struct br_render r;
	struct br_output out, vout, pout;
	struct br_store *st;
	struct br_error err;
	const char *db = "billing.db", *outpath = NULL, *vpath = NULL;
	const char *ppath = NULL;
	struct br_shard shard = { 0, 0 };
	int ch, rc;

	br_diag_init("bill-render");
#ifdef M_TRIM_THRESHOLD
	/*
	 * Each PDF allocates and frees a few hundred kB: keep that memory
	 * instead of returning it to the kernel after every bill (brk
	 * shrinking cost more than the rendering).
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
#endif
	br_error_clear(&err);
	while ((ch = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a': opts.account_id = optarg; break;
		case 'c': opts.cycle_id = optarg; break;
		case 'd': db = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				opts.formats = BR_RENDER_TEXT;
			else if (strcmp(optarg, "pdf") == 0)
				opts.formats = BR_RENDER_PDF;
			else if (strcmp(optarg, "both") == 0)
				opts.formats = BR_RENDER_TEXT | BR_RENDER_PDF;
			else
				return usage_error("--format must be text, pdf "
				    "or both");
			break;
		case 'D': opts.out_dir = optarg; break;
		case 'h': usage(stdout); return BR_EXIT_OK;
		case 'o': outpath = optarg; break;
		case 'v': vpath = optarg; break;
		case 'P': ppath = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &shard, &err) != 0)
				return usage_error(err.msg);
			break;
		default:
			br_warn("try 'bill-render --help' for more information");
			return BR_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if (opts.cycle_id == NULL)
		return usage_error("--cycle is required");
	if ((st = br_store_open(db, 0, &err)) == NULL) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	br_render_init(&r);
	rc = br_store_begin(st, &err);
	if (rc == 0)
		rc = br_shard_bind(st, &shard, &err);
	if (rc == 0 && vpath != NULL) {
		rc = br_output_open(&vout, vpath, &err);
		if (rc == 0)
			opts.vendor = vout.f;
	}
	if (rc == 0 && ppath != NULL) {
		rc = br_output_open(&pout, ppath, &err);
		if (rc == 0)
			opts.print = pout.f;
	}
	if (rc == 0 && (rc = br_output_open(&out, outpath, &err)) == 0) {
		rc = br_render_run(&r, st, &opts, out.f, &tot, &err);
		if (br_output_close(&out, rc == 0, rc == 0 ? &err : NULL) != 0)
			rc = -1;
	}
	if (opts.vendor != NULL &&
	    br_output_close(&vout, rc == 0, rc == 0 ? &err : NULL) != 0)
		rc = -1;
	if (opts.print != NULL &&
	    br_output_close(&pout, rc == 0, rc == 0 ? &err : NULL) != 0)
		rc = -1;
	if (rc == 0)
		rc = br_render_finish(&r, 1, &err);
	if (rc == 0)
		rc = br_store_commit(st, &err);
	else
		br_store_rollback(st);
	br_render_release(&r);
	br_store_close(st);
	if (rc != 0) {
		br_diag_error(&err);
		return br_exit_from_error(err.code);
	}
	return BR_EXIT_OK;
}
