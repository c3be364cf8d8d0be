/*
 * sha256.h: SHA-256 (FIPS 180-4) for content hashes of imported files,
 * run manifests and the audit chain.
 */
#ifndef BR_SHA256_H
#define BR_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct br_sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	unsigned char buf[64];
	size_t nbuf;
};

void br_sha256_init(struct br_sha256 *s);
void br_sha256_update(struct br_sha256 *s, const void *data, size_t n);
/* Write the digest as 64 lower-case hex digits and a NUL into hex[65]. */
void br_sha256_final_hex(struct br_sha256 *s, char hex[65]);

#endif
