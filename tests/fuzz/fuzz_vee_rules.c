/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_vee_rules.c: the validate-reads rules YAML (br_vee_rules_load);
 * a loaded rule set must keep valid severities and non-negative
 * parameters.
 */
#include "fuzz.h"
#include "validate/vee_rules.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_vee_rules r;
	struct br_error err;
	int i, k;

	br_error_clear(&err);
	if (br_vee_rules_load(&r, fuzz_write("R.yaml", data, size),
	    &err) != 0) {
		fuzz_expect(-1, &err);
		return 0;
	}
	for (i = 0; i < BR_VEE_NRULES; i++) {
		if (strcmp(r.rule[i].severity, "info") != 0 &&
		    strcmp(r.rule[i].severity, "warn") != 0 &&
		    strcmp(r.rule[i].severity, "hold") != 0)
			abort();
		for (k = 0; k < BR_VEE_MAX_PARAMS; k++)
			if (r.rule[i].param[k] < 0)
				abort();
	}
	return 0;
}
