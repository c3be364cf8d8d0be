/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_urdb.c: URDB JSON (br_urdb_convert), for one tariff and with
 * --all-items.  A failed conversion must say why; a successful one must
 * produce YAML that br_tariff_load accepts.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "rate/tariff.h"
#include "rate/urdb.h"
#include "core/banned.h"

static void
one(const uint8_t *data, size_t size, bool all)
{
	static const char *const ign[] = { "demandreactivepowercharge" };
	struct br_urdb_opts o;
	struct br_urdb_result r;
	struct br_tariff t;
	struct br_error err;

	memset(&o, 0, sizeof(o));
	o.source = "F.json";
	o.code = "F";
	o.ignore = ign;
	o.nignore = 1;
	o.all_items = all;
	br_error_clear(&err);
	if (br_urdb_convert((const char *)data, size, &o, &r, &err) != 0) {
		fuzz_expect(-1, &err);
		if (err.code == BR_ECONFIG && r.nproblems == 0)
			abort();
		br_urdb_result_release(&r);
		return;
	}
	if (br_tariff_load(&t, fuzz_write("F.yaml", r.yaml, r.len), &err) != 0)
		abort();	/* the importer wrote YAML the loader rejects */
	br_tariff_release(&t);
	br_urdb_result_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(data, size, false);
	one(data, size, true);
	return 0;
}
