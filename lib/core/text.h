/* SPDX-License-Identifier: Apache-2.0 */
/*
 * text.h: checks on text that is stored: well-formed UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF) and control
 * characters.  Used where text from a file goes into the store, so that
 * every report and bill later renders what was read.
 */
#ifndef BR_TEXT_H
#define BR_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/*
 * Offset of the first byte of s[0..len) that starts an ill-formed UTF-8
 * sequence, or len when all of it is well formed.
 */
size_t br_utf8_check(const char *s, size_t len);

/* True when s[0..len) holds a control byte (C0, DEL). */
bool br_text_has_control(const char *s, size_t len);

/*
 * The check of one stored text field: no control byte (NUL included,
 * within len) and well-formed UTF-8.  On failure fills err (BR_EINPUT,
 * file and line) with a message naming field, e.g. "control character
 * 0x00 in field 'meter_id'" or "field 'reference' is not UTF-8 (byte 4,
 * 0xe9)", and returns -1; else 0.
 */
int br_text_check(const char *s, size_t len, const char *file, long line,
    const char *field, struct br_error *err);

/*
 * Write prefix, then s with every control byte as "\xNN" (a line break
 * in a name can then not forge a line such as "AMOUNT DUE: $0.00" in a
 * text bill), then a newline.
 */
void br_text_line(FILE *f, const char *prefix, const char *s);

#endif
