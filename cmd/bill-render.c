/* SPDX-License-Identifier: Apache-2.0 */
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

#include "common/cli.h"
#include "core/money.h"
#include "render/render.h"
#include "render/messages.h"
#include "store/store.h"
#include "core/banned.h"

static const struct br_cli_opt options[] = {
	{ "cycle", required_argument, 'c', "ID", "the bill cycle to issue" },
	{ "account", required_argument, 'a', "ID",
	    "render this account only" },
	{ "out-dir", required_argument, 'D', "DIR",
	    "directory of the bill files (default bills)" },
	{ "format", required_argument, 'f', "FMT",
	    "bill files: text, pdf or both (default both)" },
	{ "vendor", required_argument, 'V', "FILE",
	    "write the print-vendor data file" },
	{ "print-stream", required_argument, 'P', "FILE",
	    "write the print stream (every bill in one file)" },
	{ "shard", required_argument, 'K', "K/N",
	    "render the accounts of shard K of N" },
	{ "messages", required_argument, 'M', "FILE",
	    "bill messages YAML (br-bill-messages(5))" },
	{ NULL, 0, 0, NULL, NULL }
};

static struct br_cli cli = {
	.tool = "bill-render",
	.synopsis = "usage: bill-render [--db PATH] --cycle ID [--account ID] "
	    "[--out-dir DIR]\n"
	    "                   [--format text|pdf|both] [--vendor FILE] "
	    "[--shard K/N] [-o FILE]\n"
	    "                   [--print-stream FILE] [--messages FILE]\n"
	    "                   [--summary FILE]\n",
	.about = "Render and issue the bills of a cycle; write the bill "
	    "register CSV to the\noutput and its totals to the summary "
	    "file.  See docs/bill-render.md.",
	.opts = options,
	.common = BR_CLI_DB | BR_CLI_OUTPUT | BR_CLI_VERBOSE | BR_CLI_SUMMARY |
	    BR_CLI_SUMFILE,
};

/* -v: name every bill left on hold (listed in the register, not
 * rendered) with its amount and hold codes. */
static void
held_notice(void *ctx, const char *bill_id, int64_t cents, const char *why)
{
	char amt[32];

	(void)ctx;
	br_warn("%s on hold, not rendered: %s (%s)", bill_id,
	    br_cents_format(cents, amt, sizeof(amt)), *why ? why :
	    "no open hold exception: rerun rate-apply");
}

struct args {
	struct br_render_opts opts;
	const char *vpath, *ppath, *mpath;
	struct br_messages msgs;
	struct br_shard shard;
	long glyph_bills;	/* bills with characters no font has */
};

static int
parse_args(int argc, char **argv, struct args *a)
{
	struct br_error err;
	int ch;

	while ((ch = br_cli_next(&cli, argc, argv)) != -1) {
		switch (ch) {
		case 'a': a->opts.account_id = optarg; break;
		case 'c': a->opts.cycle_id = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				a->opts.formats = BR_RENDER_TEXT;
			else if (strcmp(optarg, "pdf") == 0)
				a->opts.formats = BR_RENDER_PDF;
			else if (strcmp(optarg, "both") == 0)
				a->opts.formats = BR_RENDER_TEXT |
				    BR_RENDER_PDF;
			else
				return br_cli_usage_error("--format must be "
				    "text, pdf or both");
			break;
		case 'D': a->opts.out_dir = optarg; break;
		case 'V': a->vpath = optarg; break;
		case 'P': a->ppath = optarg; break;
		case 'M': a->mpath = optarg; break;
		case 'K':
			if (br_shard_parse(optarg, &a->shard, &err) != 0)
				return br_cli_usage_error(err.msg);
			break;
		default: return cli.status;
		}
	}
	if (optind != argc)
		return br_cli_usage_error("unexpected argument");
	if (a->opts.cycle_id == NULL)
		return br_cli_usage_error("--cycle is required");
	return -1;
}

/* The register's totals: to the summary file (if any) and, with -v, to
 * stderr. */
static int
summary(const struct br_render_totals *tot, struct br_error *err)
{
	struct br_output sout = { 0 };
	char path[4096], p[32], y[32], a[32], c[32], d[32];
	const char *sp = br_cli_summary_path(&cli, path, sizeof(path));

	if (cli.verbose)
		br_warn("totals: bills=%ld held=%ld previous_balance=%s "
		    "payments=%s adjustments=%s current_charges=%s "
		    "amount_due=%s", tot->rendered, tot->held,
		    br_cents_format(tot->previous_cents, p, sizeof(p)),
		    br_cents_format(tot->payments_cents, y, sizeof(y)),
		    br_cents_format(tot->adjustments_cents, a, sizeof(a)),
		    br_cents_format(tot->current_cents, c, sizeof(c)),
		    br_cents_format(tot->due_cents, d, sizeof(d)));
	if (sp == NULL)
		return 0;
	if (br_output_open(&sout, sp, err) != 0)
		return -1;
	/* A write error fails the commit below (br_atomic_commit). */
	(void)br_render_summary(sout.f, tot);
	return br_output_close(&sout, 1, err);
}

/* Render into the register, the vendor file and the print stream. */
static int
work(struct br_cli_run *run, struct args *a, struct br_render *r)
{
	struct br_output vout = { 0 }, pout = { 0 };
	struct br_render_totals tot;
	struct br_error *err = &run->err;
	int rc = 0;

	if (a->vpath != NULL && (rc = br_output_open(&vout, a->vpath,
	    err)) == 0)
		a->opts.vendor = vout.f;
	if (rc == 0 && a->ppath != NULL && (rc = br_output_open(&pout,
	    a->ppath, err)) == 0)
		a->opts.print = pout.f;
	if (cli.verbose)
		a->opts.notice = held_notice;
	if (rc == 0 && a->mpath != NULL && (rc = br_messages_load(&a->msgs,
	    a->mpath, err)) == 0)
		a->opts.messages = &a->msgs;
	if (rc == 0)
		rc = br_render_run(r, run->st, &a->opts, run->out.f, &tot, err);
	if (a->opts.messages != NULL)
		br_messages_free(&a->msgs);
	if (rc == 0)
		rc = summary(&tot, err);
	if (rc == 0)
		snprintf(run->counts, sizeof(run->counts), "bills=%ld held=%ld "
		    "issued=%ld", tot.rendered, tot.held, tot.issued_now);
	if (br_output_close(&vout, rc == 0, rc == 0 ? err : NULL) != 0)
		rc = -1;
	if (br_output_close(&pout, rc == 0, rc == 0 ? err : NULL) != 0)
		rc = -1;
	/* The register must be complete before the bills are put out. */
	if (rc == 0)
		rc = br_output_flush(&run->out, err);
	if (rc == 0)
		rc = br_render_finish(r, 1, err);
	if (rc == 0 && (a->glyph_bills = tot.glyph_bills) > 0)
		br_warn("warning: %ld bill%s with characters no PDF font has "
		    "(exception GLYPH_MISSING); first: %s", tot.glyph_bills,
		    tot.glyph_bills == 1 ? "" : "s", tot.glyph_first);
	return rc;
}

int
main(int argc, char **argv)
{
	struct args a = { .opts = { NULL, NULL, "bills",
	    BR_RENDER_TEXT | BR_RENDER_PDF, NULL, NULL, NULL, NULL } };
	struct br_render r;
	struct br_cli_run run;
	int rc;

	br_cli_init(&cli, argc, argv);
#ifdef M_TRIM_THRESHOLD
	/*
	 * Each PDF allocates and frees a few hundred kB: keep that memory
	 * instead of returning it to the kernel after every bill (brk
	 * shrinking cost more than the rendering).
	 */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 16 << 20);
#endif
	if ((rc = parse_args(argc, argv, &a)) >= 0)
		return rc;
	if ((rc = br_cli_begin(&run, cli.db, 0, &a.shard, cli.output)) != 0)
		return rc;
	br_render_init(&r);
	rc = br_cli_end(&run, work(&run, &a, &r));
	br_render_release(&r);
	return rc == 0 && a.glyph_bills > 0 ? BR_EXIT_EXCEPTIONS : rc;
}
