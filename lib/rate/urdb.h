/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb.h: convert an OpenEI Utility Rate Database (URDB) tariff, JSON as
 * the URDB API returns it, into billrun tariff YAML (docs/tariff.md).
 * The mapping is documented in docs/urdb-import.md.  A URDB feature the
 * tariff language cannot represent is never dropped silently: the
 * conversion fails and lists every such feature (unless the caller names
 * the URDB field in `ignore`, which drops it with a comment and a note).
 */
#ifndef BR_URDB_H
#define BR_URDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct br_urdb_opts {
	const char *code;	/* rate code; NULL: URDB-<label> or the name */
	const char *source;	/* input name for messages ("-" = stdin) */
	const char *label;	/* pick this label from "items"; NULL: only one */
	bool all_items;		/* every item of "items" is a version */
	bool has_effective;	/* override startdate */
	int32_t effective;	/* local day, when has_effective */
	const char *const *ignore;	/* URDB field names to drop knowingly */
	size_t nignore;
	/* dgrules: the agreements' net_metering program the tariff serves;
	 * NULL: no net_metering section (a note only) */
	const char *nem_program;
	const char *nem_surplus;	/* $/kWh true-up rate (Net Metering) */
	int nem_true_up_month;		/* 1..12, 0 = December */
};

struct br_urdb_result {
	char *yaml;		/* OWNED: the tariff text (NULL on failure) */
	size_t len;
	char code[32];		/* the rate code written */
	char **problems;	/* OWNED: features that cannot be represented */
	size_t nproblems;
	char **notes;		/* OWNED: warnings (rounding, dgrules, ...) */
	size_t nnotes;
};

/*
 * Convert the JSON text (len bytes).  Returns 0 with r->yaml set, or -1:
 * BR_EINPUT for malformed JSON or an inconsistent URDB structure,
 * BR_ECONFIG when r->problems lists features that cannot be represented
 * (err names the first one and the count).  r is always filled enough to
 * release with br_urdb_result_release.
 */
int br_urdb_convert(const char *text, size_t len,
    const struct br_urdb_opts *opts, struct br_urdb_result *r,
    struct br_error *err);

/* Read path ("-" = stdin, gzip allowed) and convert it. */
int br_urdb_convert_file(const char *path, const struct br_urdb_opts *opts,
    struct br_urdb_result *r, struct br_error *err);

void br_urdb_result_release(struct br_urdb_result *r);

#endif
