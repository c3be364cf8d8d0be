/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_tariff.c: tariff YAML (br_tariff_load), then the lookups the rate
 * engine makes on a loaded tariff for every day of 2026.
 */
#include "fuzz.h"
#include "rate/tariff.h"
#include "core/banned.h"

static volatile long sink;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct br_tariff t;
	struct br_error err;
	int32_t day, first = 20454;	/* 2026-01-01 */

	br_error_clear(&err);
	if (br_tariff_load(&t, fuzz_write("T.yaml", data, size), &err) != 0) {
		fuzz_expect(-1, &err);
		return 0;
	}
	for (day = first; day < first + 365; day++)
		sink += br_tariff_version_at(&t, day) +
		    br_tariff_season_of(&t, day) + (long)br_tariff_daytype(&t, day);
	br_tariff_release(&t);
	return 0;
}
