/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ttf.c: TrueType subsetting (br_pdf_subset: HarfBuzz's hb-subset) of an arbitrary font
 * file to the WinAnsi repertoire; a subset that succeeds is subset again
 * (the output must itself be a font the subsetter reads).
 */
#include "fuzz.h"
#include "render/pdffont.h"
#include "core/banned.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t cps[256];
	unsigned char *out, *out2;
	size_t n = br_pdf_winansi(cps, 256), len, len2;
	char why[200];

	if (br_pdf_subset(data, size, cps, n, &out, &len, why,
	    sizeof(why)) != 0)
		return 0;
	if (br_pdf_subset(out, len, cps, n, &out2, &len2, why,
	    sizeof(why)) != 0)
		abort();
	free(out2);
	free(out);
	return 0;
}
