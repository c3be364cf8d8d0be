/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_registry.c: registry directory loading.  The input is split at
 * form feeds (\f) into utility.csv, accounts.csv, service_points.csv,
 * meters.csv, meter_installs.csv, agreements.csv and cycles.csv (parts
 * after the last one are absent files; an empty part is an empty file,
 * which the loader refuses).  A registry that loads is read back and a fixed
 * reads file is imported against it (zone, matching, multipliers).
 */
#include "fuzz.h"
#include "import/import.h"
#include "core/banned.h"

static const char reads[] = "meter_id,interval_start,value\n"
    "M1,2026-10-01T00:00:00Z,1.5\nM2,2026-10-02T05:00,2\n"
    "W1,2026-11-01T01:15,3\nM3,2026-03-08T02:00:00-06:00,4\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "utility.csv", "accounts.csv",
	    "service_points.csv", "meters.csv", "meter_installs.csv",
	    "agreements.csv", "cycles.csv" };
	static struct br_store *st;
	struct br_registry reg;
	struct br_import_result res;
	struct br_tz tz;
	struct br_error err;
	size_t i, len;
	int present = 1;

	for (i = 0; i < 7; i++) {
		const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
		if (!present) {
			unlink(fuzz_write(names[i], data, 0));
			continue;
		}
		present = ff != NULL;
		len = ff ? (size_t)(ff - data) : size;
		fuzz_write(names[i], data, len);
		data += ff ? len + 1 : len;
		size -= ff ? len + 1 : len;
	}
	if ((st == NULL && (st = br_store_open(":memory:", BR_STORE_CREATE,
	    &err)) == NULL) || br_store_begin(st, &err) != 0)
		abort();
	br_error_clear(&err);
	if (br_registry_load_dir(st, fuzz_dir(), &err) == 0 &&
	    br_registry_init(&reg, st, &err) == 0) {
		if (br_store_timezone(st, &tz, &err) == 0) {
			br_import_result_init(&res);
			fuzz_expect(br_import_file(st, &reg, &tz, fuzz_write(
			    "reads", reads, sizeof(reads) - 1), "generic", &res,
			    &err), &err);
			br_import_result_release(&res);
			br_tz_release(&tz);
		}
		br_registry_release(&reg);
	}
	fuzz_expect(err.code == BR_OK ? 0 : -1, &err);
	br_store_rollback(st);
	return 0;
}
