/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz.h: helpers shared by the fuzz harnesses (tests/fuzz/fuzz_*.c).
 * The parsers take paths, so each input is written to a file in one
 * private temporary directory per process ($TMPDIR, else /dev/shm, else
 * /tmp), removed at exit.  fuzz_store()
 * opens an in-memory store holding a small fixed registry for the
 * harnesses that need matching (reads, payments); every harness call runs
 * inside a transaction that is rolled back, so inputs never see each
 * other.  Header-only: every helper is static inline.
 */
#ifndef BR_FUZZ_H
#define BR_FUZZ_H

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/registry.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_dirpath[256];

static inline void
fuzz_cleanup(void)
{
	DIR *d;
	struct dirent *e;
	char p[512];

	if (fuzz_dirpath[0] == '\0' || (d = opendir(fuzz_dirpath)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", fuzz_dirpath, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(fuzz_dirpath);
}

/* The private temporary directory (created on first use). */
static inline const char *
fuzz_dir(void)
{
	const char *t = getenv("TMPDIR");

	if (fuzz_dirpath[0] != '\0')
		return fuzz_dirpath;
	if (t == NULL || t[0] == '\0')
		t = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
	snprintf(fuzz_dirpath, sizeof(fuzz_dirpath), "%s/brfuzz.XXXXXX", t);
	if (mkdtemp(fuzz_dirpath) == NULL)
		abort();
	atexit(fuzz_cleanup);
	return fuzz_dirpath;
}

/* Write data to file name in the directory; returns its path (static). */
static inline const char *
fuzz_write(const char *name, const void *data, size_t size)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fuzz_dir(), name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	return path;
}

/*
 * The error contract every fallible br_* function keeps: -1 comes with
 * a code and a message.  Clear err before the call.
 */
static inline void
fuzz_expect(int rc, const struct br_error *err)
{
	if (rc < 0 && (err->code == BR_OK || err->msg[0] == '\0'))
		abort();
}

/* An open /dev/null for report writers. */
static inline FILE *
fuzz_devnull(void)
{
	static FILE *f;

	if (f == NULL && (f = fopen("/dev/null", "w")) == NULL)
		abort();
	return f;
}

/* In-memory store with the fixed registry below, loaded once. */
static inline struct br_store *
fuzz_store(void)
{
	static const char *const files[][2] = {
		{ "utility.csv", "key,value\nname,Fuzz Utility\n"
		    "timezone,America/Chicago\nrounding,half_up\n" },
		{ "accounts.csv", "account_id,name,mailing_address,status,"
		    "cycle_id\nA1,Ann,1 Main St,active,R1\nA2,Bob,2 Main St,,R1\n"
		    "A3,Cy,3 Main St,closed,R1\n" },
		{ "service_points.csv", "sp_id,kind,address\nSP1,electric,x\n"
		    "SP2,electric,y\nSP3,water,z\nSP4,electric,w\n" },
		{ "meters.csv", "meter_id,kind,unit,multiplier\n"
		    "M1,electric,kWh,1\nM2,electric,kWh,40\nW1,water,gal,1\n"
		    "M3,electric,kWh,0.5\n" },
		{ "meter_installs.csv", "meter_id,sp_id,install_date,"
		    "remove_date\nM1,SP1,2020-01-01,\nM2,SP2,2026-10-02,\n"
		    "W1,SP3,2020-01-01,2026-10-20\nM3,SP4,2020-01-01,\n" },
		{ "agreements.csv", "account_id,sp_id,start_date,end_date,"
		    "rate_code,customer_class,net_metering\n"
		    "A1,SP1,2020-01-01,,RES-FLAT,residential,\n"
		    "A2,SP2,2020-01-01,,GS-DEMAND,commercial,\n"
		    "A1,SP3,2020-01-01,,WATER-RES,,\n" },
		{ "cycles.csv", "cycle_id,period_start,period_end,bill_date,"
		    "due_date\nR1,2026-10-01,2026-10-31,2026-11-03,2026-11-24\n" },
	};
	static struct br_store *st;
	struct br_error err;
	size_t i;

	if (st != NULL)
		return st;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		fuzz_write(files[i][0], files[i][1], strlen(files[i][1]));
	if ((st = br_store_open(":memory:", BR_STORE_CREATE, &err)) == NULL ||
	    br_store_begin(st, &err) != 0 ||
	    br_registry_load_dir(st, fuzz_dir(), &err) != 0 ||
	    br_store_commit(st, &err) != 0)
		abort();
	return st;
}

#endif
