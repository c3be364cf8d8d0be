/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_reads.c: the generic interval CSV through ami-import's library
 * entry (br_import_file) into an in-memory store with a fixed registry,
 * then the exception report; the transaction is rolled back.
 */
#include "fuzz.h"
#include "import/import.h"
#include "core/tz.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct br_registry reg;
	static struct br_tz tz;
	static struct br_store *st;
	struct br_import_result res;
	struct br_error err;
	const char *path = fuzz_write("reads.csv", data, size);

	if (st == NULL && ((st = fuzz_store()) == NULL ||
	    br_registry_init(&reg, st, &err) != 0 ||
	    br_store_timezone(st, &tz, &err) != 0))
		abort();
	if (br_store_begin(st, &err) != 0)
		abort();
	br_import_result_init(&res);
	br_error_clear(&err);
	if (br_import_file(st, &reg, &tz, path, "generic", &res, &err) >= 0)
		br_import_report_write(fuzz_devnull(), &res);
	else
		fuzz_expect(-1, &err);
	br_import_result_release(&res);
	br_store_rollback(st);
	return 0;
}
