/* SPDX-License-Identifier: Apache-2.0 */
/*
 * diag.h: the only writer of stderr.  Messages look like
 * "<tool>: <file>:<line>: <message>" (data problems) or "<tool>: <message>".
 */
#ifndef BR_DIAG_H
#define BR_DIAG_H

#include <stdio.h>

#include "core/error.h"

/* Set the tool name used as the prefix (call first in main). */
void br_diag_init(const char *tool);
const char *br_diag_tool(void);

/* Print a warning/error line. */
void br_warn(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Print err with the tool prefix. */
void br_diag_error(const struct br_error *err);

#endif
