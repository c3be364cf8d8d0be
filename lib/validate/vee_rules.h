/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vee_rules.h: the validate-reads rule set.  Every rule has an exception
 * code, a severity, an on/off switch, the meter kinds it applies to and
 * up to four numeric parameters.  The defaults are compiled in (see
 * testdata/vee-rules.yaml, which documents them); a YAML rules file
 * overrides any of them.  See docs/validate-reads.md, RULES.
 */
#ifndef BR_VEE_RULES_H
#define BR_VEE_RULES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

enum br_vee_rule {
	BR_VEE_MISSING_DAY,
	BR_VEE_GAP,
	BR_VEE_GAP_ESTIMATED,	/* linear estimation (max_gap_minutes) */
	BR_VEE_GAP_LIKE_DAY,	/* like-day estimation (weeks, days) */
	BR_VEE_GAP_FALLBACK,	/* prior-day profile estimation */
	BR_VEE_NEGATIVE,
	BR_VEE_ROLLOVER,
	BR_VEE_ZERO_RUN,
	BR_VEE_DST_COUNT,
	BR_VEE_CLOCK,
	BR_VEE_SPIKE,
	BR_VEE_STUCK,
	BR_VEE_MAX_DEMAND,
	BR_VEE_REVERSE_FLOW,
	BR_VEE_HIGH_USAGE,
	BR_VEE_LOW_USAGE,
	BR_VEE_HIGH_BILL,
	BR_VEE_LEAK,
	BR_VEE_CONSERVATION,
	BR_VEE_SUM_CHECK,	/* interval sum vs register reads */
	BR_VEE_CLOCK_SHIFT,	/* hourly profile shifted vs recent days */
	BR_VEE_NRULES
};

#define BR_VEE_MAX_PARAMS 4

/* Meter kinds a rule applies to (bit mask). */
enum br_vee_kind {
	BR_VEE_ELECTRIC = 1 << 0,
	BR_VEE_WATER = 1 << 1,
	BR_VEE_GAS = 1 << 2,
	BR_VEE_ALL = 7
};

struct br_vee_rule_cfg {
	const char *code;	/* STATIC: exception code, e.g. "SPIKE" */
	char severity[8];	/* info, warn or hold */
	bool enabled;
	bool customer_facing;	/* customer-alerts tells the customer */
	unsigned kinds;		/* enum br_vee_kind mask */
	/* Parameters scaled by 1000 (YAML "1.5" -> 1500), named in the
	 * table of vee_rules.c; see br_vee_param_name. */
	int64_t param[BR_VEE_MAX_PARAMS];
};

struct br_vee_rules {
	char file[256];		/* rules file, "" for the defaults */
	struct br_vee_rule_cfg rule[BR_VEE_NRULES];
};

/* Fill rules with the compiled-in defaults. */
void br_vee_rules_default(struct br_vee_rules *rules);

/*
 * Load the defaults, then override them from YAML file path:
 *   rules:
 *     SPIKE: { severity: warn, enabled: true, kinds: [electric],
 *              ratio: 1.5, floor: 2 }
 * Unknown codes or keys, bad values: BR_ECONFIG with file:line.
 * A missing file: BR_ENOINPUT.  Returns 0 or -1.
 */
int br_vee_rules_load(struct br_vee_rules *rules, const char *path,
    struct br_error *err);

/* Name of parameter i of rule r, or NULL when the rule has no such one. */
const char *br_vee_param_name(enum br_vee_rule r, int i);

/* Parameter value scaled by 1000, and the whole part (value / 1000). */
int64_t br_vee_param(const struct br_vee_rules *rules, enum br_vee_rule r,
    int i);

/* Kind mask bit of a meter kind name ("electric" ...), 0 when unknown. */
unsigned br_vee_kind_bit(const char *kind);

#endif
