/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_vendor.c: vendor interval CSV with its YAML column mapping.  The
 * input is split at the first form feed (\f): the mapping YAML before it
 * (br_vendor_map_load), the CSV after it.  A mapping that loads is used
 * to import the CSV into an in-memory store with the fixed registry
 * (br_import_file_opts, format vendor), then the exception report is
 * written; the transaction is rolled back.  Without a form feed the
 * whole input is the mapping and a fixed CSV is imported with it.
 */
#include "fuzz.h"
#include "import/import.h"
#include "core/tz.h"
#include "formats/vendorcsv.h"
#include "core/banned.h"

static const char fixed_csv[] = "Meter,Read Time,Usage,Unit,Flag\n"
    "M1,2026-10-01 00:15,1.5,KWH,\nM2,10/02/2026 05:00,2,Wh,E\n"
    "W1,2026-11-01T01:15,3,GAL,A\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct br_registry reg;
	static struct br_tz tz;
	static struct br_store *st;
	struct br_vendor_map vm;
	struct br_import_opts o;
	struct br_import_result res;
	struct br_error err;
	const uint8_t *ff = size ? memchr(data, '\f', size) : NULL;
	size_t mlen = ff ? (size_t)(ff - data) : size;
	const char *csv;

	if (st == NULL && ((st = fuzz_store()) == NULL ||
	    br_registry_init(&reg, st, &err) != 0 ||
	    br_store_timezone(st, &tz, &err) != 0))
		abort();
	br_error_clear(&err);
	memset(&vm, 0, sizeof(vm));
	if (br_vendor_map_load(&vm, fuzz_write("map.yaml", data, mlen),
	    &err) != 0) {
		fuzz_expect(-1, &err);
		return 0;
	}
	if (ff != NULL)
		csv = fuzz_write("reads.csv", ff + 1, size - mlen - 1);
	else
		csv = fuzz_write("reads.csv", fixed_csv, sizeof(fixed_csv) - 1);
	memset(&o, 0, sizeof(o));
	o.format = BR_FMT_VENDOR;
	o.vendor = &vm;
	if (br_store_begin(st, &err) != 0)
		abort();
	br_import_result_init(&res);
	if (br_import_file_opts(st, &reg, &tz, csv, &o, &res, &err) >= 0)
		br_import_report_write(fuzz_devnull(), &res);
	else
		fuzz_expect(-1, &err);
	br_import_result_release(&res);
	br_store_rollback(st);
	return 0;
}
