/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen-bench: the synthetic bench month of scripts/bench.sh, written fast.
 *
 *   gen-bench OUTDIR METERS DAYS
 *
 * Writes OUTDIR/registry/ (utility, cycles, accounts, service points,
 * meters, installs, agreements: METERS electric meters, 75 % RES-TOU and
 * 25 % GS-TOU-DEMAND) and OUTDIR/reads.csv.gz (METERS * DAYS * 96
 * 15-minute reads of October 2026): byte for byte the files of the
 * reference scripts/gen-bench.py, but for the gzip bytes (the CSV inside
 * is the same; tests/bench-gen.sh checks).
 *
 * Speed: a meter's reads are a copy of one precomputed block (every
 * timestamp) with its id and values patched in; batches of meters (about
 * 4 MiB of CSV) are compressed by one thread per CPU (at most 8), each
 * into its own gzip member (a multi-member gzip file, which gzip -d and
 * ami-import read as one), with igzip level 1 when built with ISA-L, else
 * zlib level 1.  The batches depend only on DAYS, so the file is the same
 * whatever the number of CPUs.  reads.csv.gz is written as
 * reads.csv.gz.tmp and renamed at the end (bench.sh reuses a month it
 * finds).
 * Exit status: 0 written; 2 usage; 73 cannot create an output; 74 I/O or
 * out of memory.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef BR_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#else
#include <zlib.h>
#endif

#define LINE_MAX_LEN 48		/* longest read line: meter, stamp, value */
#define BATCH_BYTES (4u << 20)	/* CSV bytes per gzip member, about */
#define MAX_THREADS 8
#define NVALS 197		/* values 0.040, 0.053, ..., 2.587 kWh */
#define HEADER "meter_id,interval_start,value\n"

static const char *prog = "gen-bench";

static int fail(int code, const char *what, const char *path)
{
	fprintf(stderr, "%s: %s: %s: %s\n", prog, path, what, strerror(errno));
	return code;
}

static const char *rate(long i)
{
	return i % 4 == 3 ? "GS-TOU-DEMAND" : "RES-TOU";
}

/* One registry row of file kind (the index in registry()'s table). */
static void registry_row(FILE *f, int kind, long i)
{
	switch (kind) {
	case 2:
		fprintf(f, "A%07ld,Customer %ld,%ld Main St,active,R1\n", i, i, i);
		break;
	case 3:
		fprintf(f, "S%07ld,electric,%ld Main St\n", i, i);
		break;
	case 4:
		fprintf(f, "E%07ld,electric,kWh,1\n", i);
		break;
	case 5:
		fprintf(f, "E%07ld,S%07ld,2020-01-01,\n", i, i);
		break;
	case 6:
		fprintf(f, "A%07ld,S%07ld,2020-01-01,,%s,%s,\n", i, i, rate(i),
			i % 4 == 3 ? "commercial" : "residential");
		break;
	default:
		break;
	}
}

/* One registry file: its header, then (kind 1) the cycle or (kinds 2-6)
 * one row per meter. */
static int registry_file(const char *dir, const char *name, const char *head,
			 int kind, long n, long days)
{
	char path[4096 + 128];
	FILE *f;
	long i;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")))
		return fail(73, "cannot create", path);
	fputs(head, f);
	if (kind == 1)
		fprintf(f, "2026-10,2026-10-01,2026-10-%02ld,2026-11-03,"
			"2026-11-24\n", days);
	for (i = 0; kind > 1 && i < n; i++)
		registry_row(f, kind, i);
	if (ferror(f)) {
		fclose(f);
		return fail(74, "write failed", path);
	}
	if (fclose(f) != 0)
		return fail(74, "close failed", path);
	return 0;
}

static int registry(const char *out, long n, long days)
{
	static const struct {
		const char *name, *head;
	} files[] = {
		{ "utility.csv", "key,value\nname,Bench Utility\n"
		  "timezone,America/Chicago\nrounding,half_up\n" },
		{ "cycles.csv", "cycle_id,period_start,period_end,bill_date,"
		  "due_date\n" },
		{ "accounts.csv", "account_id,name,mailing_address,status,"
		  "cycle_id\n" },
		{ "service_points.csv", "sp_id,kind,address\n" },
		{ "meters.csv", "meter_id,kind,unit,multiplier\n" },
		{ "meter_installs.csv", "meter_id,sp_id,install_date,"
		  "remove_date\n" },
		{ "agreements.csv", "account_id,sp_id,start_date,end_date,"
		  "rate_code,customer_class,net_metering\n" },
	};
	char dir[4096 + 64];
	size_t k;
	int rc;

	snprintf(dir, sizeof dir, "%s/registry", out);
	if (mkdir(out, 0777) != 0 && errno != EEXIST)
		return fail(73, "cannot create", out);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return fail(73, "cannot create", dir);
	for (k = 0; k < sizeof files / sizeof files[0]; k++)
		if ((rc = registry_file(dir, files[k].name, files[k].head,
		    (int)k, n, days)))
			return rc;
	return 0;
}

/*
 * The month's text.  Meter i's line k is "E<i:%07d>," stamp[k] ","
 * value[(31 i + 7 k) mod NVALS] "\n".  Values are 5 characters; stamps
 * 25 while days <= 99 and ids 7 digits while i < 10^7: then every line is
 * 41 bytes and a meter is the block (ids "E0000000", values "0.000")
 * with its id and values patched in; else lines are built piece by piece.
 */
struct month {
	long n, nst, per_batch, nbatch;
	char (*st)[32];		/* stamp k with its comma */
	unsigned char *stlen;
	char val[NVALS][8];	/* "d.ddd" and newline */
	char *block;		/* the fixed-width meter block, or NULL */
	size_t block_len;
};

static int month_init(struct month *m, long n, long days)
{
	long k, v;

	memset(m, 0, sizeof *m);
	m->n = n;
	m->nst = days * 96;
	m->st = calloc((size_t)m->nst, sizeof *m->st);
	m->stlen = calloc((size_t)m->nst, 1);
	if (!m->st || !m->stlen)
		return -1;
	for (k = 0; k < m->nst; k++)
		m->stlen[k] = (unsigned char)snprintf(m->st[k], sizeof m->st[k],
			"2026-10-%02ldT%02ld:%02ld:00-05:00,", k / 96 + 1,
			k % 96 / 4, k % 4 * 15);
	for (k = 0, v = 40; v < 2600; k++, v += 13)
		snprintf(m->val[k], sizeof m->val[k], "%ld.%03ld\n", v / 1000,
			 v % 1000);
	m->per_batch = (long)(BATCH_BYTES / ((size_t)m->nst * LINE_MAX_LEN));
	if (m->per_batch < 1)
		m->per_batch = 1;
	m->nbatch = n ? (n + m->per_batch - 1) / m->per_batch : 1;
	if (days > 99 || n > 10000000L)
		return 0;
	m->block_len = (size_t)m->nst * 41;
	if (!(m->block = malloc(m->block_len)))
		return -1;
	for (k = 0; k < m->nst; k++) {
		char *p = m->block + k * 41;

		memcpy(p, "E0000000,", 9);
		memcpy(p + 9, m->st[k], 26);
		memcpy(p + 35, "0.000\n", 6);
	}
	return 0;
}

static void month_free(struct month *m)
{
	free(m->st);
	free(m->stlen);
	free(m->block);
}

/* Meter i's lines at p; returns the bytes written. */
static size_t meter_text(const struct month *m, long i, char *p)
{
	char id[16];
	size_t len = 0;
	long k, idx = i * 31 % NVALS;

	snprintf(id, sizeof id, "E%07ld,", i);
	if (m->block) {
		memcpy(p, m->block, m->block_len);
		for (k = 0; k < m->nst; k++, p += 41) {
			memcpy(p + 1, id + 1, 7);
			memcpy(p + 35, m->val[idx], 5);
			if ((idx += 7) >= NVALS)
				idx -= NVALS;
		}
		return m->block_len;
	}
	for (k = 0; k < m->nst; k++) {
		size_t il = strlen(id);

		memcpy(p + len, id, il);
		len += il;
		memcpy(p + len, m->st[k], m->stlen[k]);
		len += m->stlen[k];
		memcpy(p + len, m->val[idx], 6);
		len += 6;
		if ((idx += 7) >= NVALS)
			idx -= NVALS;
	}
	return len;
}

/* One thread's batch: its CSV, then that compressed as a gzip member. */
struct batch {
	const struct month *m;
	long b;
	char *text;
	unsigned char *out;
	size_t cap, out_len;
	int failed;
#ifdef BR_HAVE_ISAL
	unsigned char *level_buf;
#endif
};

static int compress_member(struct batch *t, size_t len)
{
#ifdef BR_HAVE_ISAL
	struct isal_zstream zs;

	isal_deflate_init(&zs);
	zs.level = 1;
	zs.level_buf = t->level_buf;
	zs.level_buf_size = ISAL_DEF_LVL1_DEFAULT;
	zs.gzip_flag = IGZIP_GZIP;
	zs.flush = NO_FLUSH;
	zs.end_of_stream = 1;
	zs.next_in = (uint8_t *)t->text;
	zs.avail_in = (uint32_t)len;
	zs.next_out = t->out;
	zs.avail_out = (uint32_t)t->cap;
	while (zs.internal_state.state != ZSTATE_END)
		if (isal_deflate(&zs) != COMP_OK || zs.avail_out == 0)
			return -1;
	t->out_len = t->cap - zs.avail_out;
#else
	z_stream zs;
	int rc;

	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 1, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)t->text;
	zs.avail_in = (uInt)len;
	zs.next_out = t->out;
	zs.avail_out = (uInt)t->cap;
	rc = deflate(&zs, Z_FINISH);
	t->out_len = t->cap - zs.avail_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END)
		return -1;
#endif
	return 0;
}

static void *batch_run(void *arg)
{
	struct batch *t = arg;
	const struct month *m = t->m;
	long i = t->b * m->per_batch, end = i + m->per_batch;
	size_t len = 0;

	if (end > m->n)
		end = m->n;
	if (t->b == 0) {
		memcpy(t->text, HEADER, sizeof HEADER - 1);
		len = sizeof HEADER - 1;
	}
	for (; i < end; i++)
		len += meter_text(m, i, t->text + len);
	t->failed = compress_member(t, len);
	return NULL;
}

static int batches_alloc(struct batch *t, int nt, const struct month *m)
{
	size_t text = (size_t)m->per_batch * (size_t)m->nst * LINE_MAX_LEN +
		sizeof HEADER;
	int k;

	for (k = 0; k < nt; k++) {
		t[k].m = m;
		t[k].cap = text + text / 8 + 65536;
		t[k].text = malloc(text);
		t[k].out = malloc(t[k].cap);
		if (!t[k].text || !t[k].out)
			return -1;
#ifdef BR_HAVE_ISAL
		if (!(t[k].level_buf = malloc(ISAL_DEF_LVL1_DEFAULT)))
			return -1;
#endif
	}
	return 0;
}

static void batches_free(struct batch *t, int nt)
{
	int k;

	for (k = 0; k < nt; k++) {
		free(t[k].text);
		free(t[k].out);
#ifdef BR_HAVE_ISAL
		free(t[k].level_buf);
#endif
	}
}

/* Every batch, nt at a time, written in order to f. */
static int write_batches(const struct month *m, struct batch *t, int nt,
			 FILE *f, const char *path)
{
	pthread_t th[MAX_THREADS];
	int threaded[MAX_THREADS];
	long b0;
	int k, run;

	for (b0 = 0; b0 < m->nbatch; b0 += nt) {
		run = m->nbatch - b0 < nt ? (int)(m->nbatch - b0) : nt;
		for (k = 0; k < run; k++) {
			t[k].b = b0 + k;
			threaded[k] = pthread_create(&th[k], NULL, batch_run,
						     &t[k]) == 0;
			if (!threaded[k])
				batch_run(&t[k]);	/* no thread: run here */
		}
		for (k = 0; k < run; k++) {
			if (threaded[k])
				pthread_join(th[k], NULL);
			if (t[k].failed) {
				errno = EIO;
				return fail(74, "compression failed", path);
			}
			if (fwrite(t[k].out, 1, t[k].out_len, f) != t[k].out_len)
				return fail(74, "write failed", path);
		}
	}
	return 0;
}

static int reads(const char *out, long n, long days)
{
	struct batch t[MAX_THREADS];
	char path[4096 + 64], final[4096 + 64];
	struct month m;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nt = cpus < 1 ? 1 : cpus > MAX_THREADS ? MAX_THREADS : (int)cpus;
	FILE *f = NULL;
	int rc = 0;

	memset(t, 0, sizeof t);
	snprintf(path, sizeof path, "%s/reads.csv.gz.tmp", out);
	snprintf(final, sizeof final, "%s/reads.csv.gz", out);
	if (month_init(&m, n, days) || batches_alloc(t, nt, &m)) {
		errno = ENOMEM;
		rc = fail(74, "out of memory", out);
	} else if (!(f = fopen(path, "wb"))) {
		rc = fail(73, "cannot create", path);
	} else {
		rc = write_batches(&m, t, nt, f, path);
		if (fclose(f) != 0 && !rc)
			rc = fail(74, "close failed", path);
		if (!rc && rename(path, final) != 0)
			rc = fail(73, "cannot rename to reads.csv.gz", path);
		if (rc)
			remove(path);
	}
	batches_free(t, nt);
	month_free(&m);
	return rc;
}

static int number(const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return *s && !*end && !errno && *v >= 0 && *v <= max ? 0 : -1;
}

int main(int argc, char **argv)
{
	long n, days;
	int rc;

	if (argc != 4 || number(argv[2], 99999999L, &n) ||
	    number(argv[3], 999L, &days) || days < 1) {
		fprintf(stderr, "usage: %s OUTDIR METERS DAYS "
			"(0 <= METERS <= 99999999, 1 <= DAYS <= 999)\n", prog);
		return 2;
	}
	if ((rc = registry(argv[1], n, days)))
		return rc;
	return reads(argv[1], n, days);
}
