/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamlmap.h: reading a small YAML configuration made of scalar keys at the
 * top level and one level of nested mappings under named sections (the
 * column mappings of vendor interval CSVs and payment CSVs).
 */
#ifndef BR_YAMLMAP_H
#define BR_YAMLMAP_H

#include "core/error.h"

/*
 * Called for each scalar "key: value"; section is "" at the top level.
 * Returns 0, or -1 when the key is unknown or the value bad.
 */
typedef int (*br_yamlmap_set)(void *ctx, const char *section,
    const char *key, const char *value);

/*
 * Read path.  sections is a NULL-terminated list of the keys that may hold
 * a nested mapping.  Every problem is reported with err->code = code
 * (BR_ENOINPUT when the file cannot be opened), the file and the line:
 * bad YAML, a list, a mapping elsewhere, or a value set() refuses.
 * Returns 0 or -1.
 */
int br_yamlmap_read(const char *path, const char *const *sections,
    enum br_errcode code, br_yamlmap_set set, void *ctx,
    struct br_error *err);

#endif
