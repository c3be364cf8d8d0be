/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sha256.h: SHA-256 (FIPS 180-4) for content hashes of imported files,
 * run manifests and the audit chain: a thin wrapper over nettle's
 * sha256 (nettle-dev), which picks SHA-NI or its assembly at run time.
 */
#ifndef BR_SHA256_H
#define BR_SHA256_H

#include <stddef.h>

#include <nettle/sha2.h>

struct br_sha256 {
	struct sha256_ctx ctx;	/* plain data: a copy hashes on separately */
};

void br_sha256_init(struct br_sha256 *s);
void br_sha256_update(struct br_sha256 *s, const void *data, size_t n);
/* Write the digest as 64 lower-case hex digits and a NUL into hex[65]. */
void br_sha256_final_hex(struct br_sha256 *s, char hex[65]);

#endif
