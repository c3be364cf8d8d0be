/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.c: diagnostics to stderr with the tool prefix, each on a line of
 * its own (a progress line left open on a terminal is ended first).
 */
#include "diag.h"

#include <stdarg.h>

#include "common/progress.h"
#include "core/banned.h"

static const char *tool_name = "billrun";

void
br_diag_init(const char *tool)
{
	tool_name = tool;
}

const char *
br_diag_tool(void)
{
	return tool_name;
}

void
br_warn(const char *fmt, ...)
{
	va_list ap;

	br_cli_progress_break();
	fprintf(stderr, "%s: ", tool_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
br_diag_error(const struct br_error *err)
{
	char buf[1200];

	br_cli_progress_break();
	fprintf(stderr, "%s: %s\n", tool_name,
	    br_error_format(err, buf, sizeof(buf)));
}
