/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_store.c: the store (create, migrate, reopen, transactions, value
 * packing), CSV reading with line numbers, and gzip input through both
 * decoders (zlib's gzread and ISA-L's igzip when built with it).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "io/atomic.h"
#include "io/csvio.h"
#include "io/input.h"
#include "store/store.h"
#include "fixture.h"
#include "core/banned.h"

static char dir[256];

static void
setup(void)
{
	fx_mkdtemp(dir, sizeof(dir), "/tmp/br-check-store-XXXXXX");
}

static void
teardown(void)
{
	fx_rmrf(dir);
}

static void
path_in(char *buf, size_t n, const char *name)
{
	snprintf(buf, n, "%s/%s", dir, name);
}

START_TEST(test_store_create_reopen_and_version)
{
	char p[300], v[64];
	struct br_error err;
	struct br_store *st;

	path_in(p, sizeof(p), "b.db");
	ck_assert_ptr_null(br_store_open(p, 0, &err));
	ck_assert_int_eq(err.code, BR_ENOINPUT);
	st = br_store_open(p, BR_STORE_CREATE, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_setting_set(st, "timezone",
	    "America/Chicago", &err), 0);
	br_store_close(st);
	st = br_store_open(p, 0, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_setting_get(st, "timezone", NULL, v,
	    sizeof(v), &err), 0);
	ck_assert_str_eq(v, "America/Chicago");
	ck_assert_int_eq(br_store_setting_get(st, "nope", "dflt", v,
	    sizeof(v), &err), 1);
	ck_assert_str_eq(v, "dflt");
	ck_assert_int_eq(br_store_exec(st, "PRAGMA user_version = 99", &err),
	    0);
	br_store_close(st);
	ck_assert_ptr_null(br_store_open(p, 0, &err));
	ck_assert_int_eq(err.code, BR_ECONFIG);
}
END_TEST

/* Issue 16: several tools opening a new store at once all succeed (the
 * loser used to exit 70 with "table setting already exists"). */
START_TEST(test_store_concurrent_create)
{
	enum { NPROC = 6, ROUNDS = 4 };
	int round, i, fds[2], status, failed = 0;
	char path[400];
	pid_t pid[NPROC];

	for (round = 0; round < ROUNDS; round++) {
		snprintf(path, sizeof(path), "%s/race%d.db", dir, round);
		ck_assert_int_eq(pipe(fds), 0);
		for (i = 0; i < NPROC; i++) {
			ck_assert_int_ge(pid[i] = fork(), 0);
			if (pid[i] == 0) {
				struct br_error err;
				struct br_store *st;
				char c;
				close(fds[1]);
				(void)!read(fds[0], &c, 1);	/* the start */
				st = br_store_open(path, BR_STORE_CREATE,
				    &err);
				if (st == NULL)
					fprintf(stderr, "child: %s\n",
					    err.msg);
				br_store_close(st);
				_exit(st == NULL ? 70 : 0);
			}
		}
		close(fds[0]);
		close(fds[1]);			/* all start now */
		for (i = 0; i < NPROC; i++) {
			ck_assert_int_eq(waitpid(pid[i], &status, 0), pid[i]);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
		}
	}
	ck_assert_int_eq(failed, 0);
}
END_TEST

/* Issue 16: a symlink planted at "<out>.tmp" is never followed; a stale
 * temporary is replaced; the output is written whole. */
START_TEST(test_atomic_tmp_symlink)
{
	struct br_atomic a;
	struct br_error err;
	char out[300], tmp[310], victim[300], buf[64];
	FILE *f;
	size_t n;

	path_in(out, sizeof(out), "report.csv");
	path_in(victim, sizeof(victim), "victim");
	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	fx_write(victim, "keep\n");
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_int_eq(br_atomic_open(&a, out, &err), 0);
	fputs("new\n", a.f);
	ck_assert_int_eq(br_atomic_commit(&a, &err), 0);
	ck_assert_ptr_nonnull(f = fopen(victim, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "keep\n");
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "new\n");
	ck_assert_int_ne(access(tmp, F_OK), 0);
	/* A stale regular temporary from a killed run is replaced. */
	fx_write(tmp, "stale and longer\n");
	ck_assert_int_eq(br_atomic_open(&a, out, &err), 0);
	fputs("again\n", a.f);
	ck_assert_int_eq(br_atomic_commit(&a, &err), 0);
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_str_eq(buf, "again\n");
}
END_TEST

START_TEST(test_store_rollback_leaves_store_unchanged)
{
	char p[300], v[64];
	struct br_error err;
	struct br_store *st;

	path_in(p, sizeof(p), "r.db");
	st = br_store_open(p, BR_STORE_CREATE, &err);
	ck_assert_ptr_nonnull(st);
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_setting_set(st, "name", "X", &err), 0);
	br_store_rollback(st);
	ck_assert_int_eq(br_store_setting_get(st, "name", "", v, sizeof(v),
	    &err), 1);
	/* Closing with an open transaction rolls it back too. */
	ck_assert_int_eq(br_store_begin(st, &err), 0);
	ck_assert_int_eq(br_store_setting_set(st, "name", "Y", &err), 0);
	br_store_close(st);
	st = br_store_open(p, 0, &err);
	ck_assert_int_eq(br_store_setting_get(st, "name", "", v, sizeof(v),
	    &err), 1);
	br_store_close(st);
}
END_TEST

START_TEST(test_store_pack_roundtrip)
{
	int64_t in[4] = {0, -1, 1234567890123LL, INT64_MIN}, out[4];
	unsigned char buf[32];

	br_store_pack_values(in, 4, buf);
	ck_assert_int_eq(buf[8], 0xff);
	br_store_unpack_values(buf, 4, out);
	ck_assert_mem_eq(in, out, sizeof(in));
}
END_TEST

struct collect {
	char text[1024];
	long lines[16];
	int n;
};

static int
collect_cb(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct collect *c = ctx;
	size_t i, len = strlen(c->text);

	(void)err;
	for (i = 0; i < rec->nfields; i++)
		len += (size_t)snprintf(c->text + len, sizeof(c->text) - len,
		    "%s[%s]", i ? "," : "", rec->fields[i]);
	len += (size_t)snprintf(c->text + len, sizeof(c->text) - len, ";");
	c->lines[c->n++] = rec->line;
	if (strcmp(br_csv_field(rec, 0), "stop") == 0)
		return br_error_set(err, BR_EINPUT, NULL, 0, "stop here");
	return 0;
}

START_TEST(test_csv_lines_quotes_bom_crlf)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	path_in(p, sizeof(p), "a.csv");
	fx_write(p, "\xEF\xBB\xBFid,name\r\n1,\"a, b\"\r\n\r\n2,\"two, "
	    "parts\"\n3,last");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), 0);
	ck_assert_str_eq(c.text,
	    "[id],[name];[1],[a, b];[2],[two, parts];[3],[last];");
	ck_assert_int_eq(c.n, 4);
	ck_assert_int_eq(c.lines[0], 1);
	ck_assert_int_eq(c.lines[1], 2);
	ck_assert_int_eq(c.lines[2], 4);
	ck_assert_int_eq(c.lines[3], 5);
	/* A line break inside a quoted field is refused (issue 16). */
	memset(&c, 0, sizeof(c));
	fx_write(p, "id,name\n2,\"two\nlines\"\n");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.msg, "control character 0x0a in field 2");
}
END_TEST

START_TEST(test_csv_callback_error_gets_file_and_line)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	path_in(p, sizeof(p), "b.csv");
	fx_write(p, "h\nok\nstop\nnever\n");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), -1);
	ck_assert_int_eq(err.line, 3);
	ck_assert_str_eq(err.file, p);
	ck_assert_int_eq(c.n, 3);
}
END_TEST

START_TEST(test_csv_malformed_quote)
{
	char p[300];
	struct collect c;
	struct br_error err;

	memset(&c, 0, sizeof(c));
	path_in(p, sizeof(p), "c.csv");
	fx_write(p, "a,b\n1,\"x\"y\n");
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c, NULL, &err), -1);
	ck_assert_int_eq(err.code, BR_EINPUT);
	ck_assert_int_eq(err.line, 2);
}
END_TEST

START_TEST(test_gzip_same_hash_as_plain)
{
	char p[300], pg[300], h1[65], h2[65];
	struct collect c1, c2;
	struct br_error err;
	gzFile gz;
	const char *text = "a,b\n1,2\n3,4\n";

	memset(&c1, 0, sizeof(c1));
	memset(&c2, 0, sizeof(c2));
	path_in(p, sizeof(p), "d.csv");
	path_in(pg, sizeof(pg), "d.csv.gz");
	fx_write(p, text);
	gz = gzopen(pg, "wb");
	gzputs(gz, text);
	gzclose(gz);
	ck_assert_int_eq(br_csv_read(p, collect_cb, &c1, h1, &err), 0);
	ck_assert_int_eq(br_csv_read(pg, collect_cb, &c2, h2, &err), 0);
	ck_assert_str_eq(c1.text, c2.text);
	ck_assert_str_eq(h1, h2);
}
END_TEST

START_TEST(test_gzip_truncated_is_an_error)
{
	char pg[300], buf[4096];
	struct br_error err;
	struct br_input *in;
	gzFile gz;
	FILE *f;
	long n, size;
	int i;

	path_in(pg, sizeof(pg), "t.gz");
	gz = gzopen(pg, "wb");
	for (i = 0; i < 2000; i++)
		gzprintf(gz, "line %d with some text to compress\n", i * 7919);
	gzclose(gz);
	f = fopen(pg, "r+");
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(pg, size / 2), 0);
	for (i = 0; i < 2; i++) {
		br_input_decoder = i == 0 ? BR_INPUT_ZLIB : BR_INPUT_ISAL;
		in = br_input_open(pg, &err);
		ck_assert_ptr_nonnull(in);
		while ((n = br_input_read(in, buf, sizeof(buf), &err)) > 0)
			;
		ck_assert_int_eq(n, -1);
		ck_assert_int_eq(err.code, BR_EINPUT);
		ck_assert_str_eq(err.msg, "unexpected end of gzip stream");
		br_input_close(in);
	}
	ck_assert_ptr_null(br_input_open("/nonexistent/x.csv", &err));
	ck_assert_int_eq(err.code, BR_ENOINPUT);
}
END_TEST

/* Bytes of a file. */
static unsigned char *
slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	unsigned char *b;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_int_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

/* One gzip member of text, returned as bytes. */
static unsigned char *
gz_member(const char *text, size_t tlen, size_t *len)
{
	char p[300];
	gzFile gz;

	path_in(p, sizeof(p), "member.gz");
	gz = gzopen(p, "wb");
	ck_assert_ptr_nonnull(gz);
	if (tlen > 0)
		ck_assert_int_eq(gzwrite(gz, text, (unsigned)tlen), (int)tlen);
	gzclose(gz);
	return slurp(p, len);
}

/*
 * Read a whole file through br_input_read in reads of step bytes; the
 * content goes to *out (owned).  Returns the last read's result.
 */
static long
read_all(const char *p, size_t step, unsigned char **out, size_t *len,
    char hex[65], struct br_error *err)
{
	struct br_input *in = br_input_open(p, err);
	unsigned char *b = NULL;
	size_t cap = 0, n = 0;
	long got;

	ck_assert_ptr_nonnull(in);
	for (;;) {
		if (n + step > cap) {
			cap = (n + step) * 2;
			b = realloc(b, cap);
			ck_assert_ptr_nonnull(b);
		}
		if ((got = br_input_read(in, b + n, step, err)) <= 0)
			break;
		n += (size_t)got;
	}
	br_input_sha256(in, hex);
	ck_assert_int_eq(in->bytes, n);
	br_input_close(in);
	*out = b;
	*len = n;
	return got;
}

/* Decoders to try: zlib always, igzip when built in. */
static const int decoders[] = {BR_INPUT_ZLIB, BR_INPUT_ISAL};

/* n bytes of deterministic printable noise in lines: compresses to
 * about 80 %, so sizes around the raw buffer and the 1 MiB read-ahead
 * threshold are cheap to reach. */
static char *
big_text(size_t n)
{
	char *t = malloc(n + 1);
	uint64_t x = 88172645463325252ULL;
	size_t i;

	ck_assert_ptr_nonnull(t);
	for (i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t[i] = i % 41 == 40 ? '\n' : (char)(' ' + (x >> 33) % 95);
	}
	t[n] = '\0';
	return t;
}

START_TEST(test_gzip_decoders_agree)
{
	/*
	 * Plain, one member, two members, a member and trailing garbage
	 * (ignored, as gzread does), an empty member, an empty file, a lone
	 * 0x1f byte (plain: too short for gzip magic), and 600 kB compressing
	 * to more than one raw buffer; read in steps of 1, 7 and 1 MiB.
	 */
	size_t bign = 600000, l1, l2, le, lb, glen, n;
	char *big = big_text(bign), p[300], hex[65], want_hex[65];
	unsigned char *m1 = gz_member("a,b\n1,2\n", 8, &l1);
	unsigned char *m2 = gz_member("3,4\n", 4, &l2);
	unsigned char *me = gz_member("", 0, &le);
	unsigned char *mb = gz_member(big, bign, &lb), *file, *got;
	struct br_sha256 h;
	struct {
		const char *want;
		size_t want_len;
		size_t parts;
		const unsigned char *part[3];
		size_t plen[3];
	} cases[] = {
		{"a,b\n1,2\n", 8, 1, {(const unsigned char *)"a,b\n1,2\n"},
		    {8}},
		{"a,b\n1,2\n", 8, 1, {m1}, {l1}},
		{"a,b\n1,2\n3,4\n", 12, 2, {m1, m2}, {l1, l2}},
		{"a,b\n1,2\n", 8, 2, {m1, (const unsigned char *)"junk\n"},
		    {l1, 5}},
		{"3,4\n", 4, 3, {me, m2, me}, {le, l2, le}},
		{"", 0, 0, {NULL}, {0}},
		{"\x1f", 1, 1, {(const unsigned char *)"\x1f"}, {1}},
		{big, bign, 1, {mb}, {lb}},
	};
	size_t steps[] = {1, 7, 1u << 20};
	size_t c, d, k, i;
	struct br_error err;

	ck_assert_int_gt(lb, 256 * 1024);
	path_in(p, sizeof(p), "in.bin");
	for (c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		glen = 0;
		for (i = 0; i < cases[c].parts; i++)
			glen += cases[c].plen[i];
		file = malloc(glen + 1);
		for (glen = 0, i = 0; i < cases[c].parts; i++) {
			memcpy(file + glen, cases[c].part[i], cases[c].plen[i]);
			glen += cases[c].plen[i];
		}
		fx_write_bytes(p, file, glen);
		free(file);
		br_sha256_init(&h);
		br_sha256_update(&h, cases[c].want, cases[c].want_len);
		br_sha256_final_hex(&h, want_hex);
		for (d = 0; d < 2; d++)
			for (k = 0; k < 3; k++) {
				if (c == 7 && steps[k] == 1)
					continue;	/* 600k one-byte reads */
				br_input_decoder = decoders[d];
				ck_assert_int_eq(read_all(p, steps[k], &got, &n,
				    hex, &err), 0);
				ck_assert_msg(n == cases[c].want_len &&
				    memcmp(got, cases[c].want, n) == 0,
				    "case %zu decoder %zu step %zu: %zu bytes",
				    c, d, steps[k], n);
				ck_assert_str_eq(hex, want_hex);
				free(got);
			}
	}
	br_input_decoder = BR_INPUT_ISAL;
	free(m1);
	free(m2);
	free(me);
	free(mb);
	free(big);
}
END_TEST

START_TEST(test_gzip_corruption_is_an_error)
{
	/* A wrong CRC, a wrong length, a damaged deflate stream, a member
	 * cut inside its header: every decoder stops with BR_EINPUT. */
	size_t bign = 200000, lb, n, d, c;
	char *big = big_text(bign), p[300], hex[65];
	unsigned char *mb = gz_member(big, bign, &lb), *got;
	struct br_error err;

	path_in(p, sizeof(p), "bad.gz");
	for (c = 0; c < 4; c++) {
		unsigned char *b = malloc(lb);
		size_t len = lb;
		memcpy(b, mb, lb);
		switch (c) {
		case 0: b[lb - 8] ^= 0x01; break;	/* CRC32 */
		case 1: b[lb - 4] ^= 0x01; break;	/* ISIZE */
		case 2: memset(b + lb / 2, 0xff, 64); break;
		case 3: len = 5; break;			/* header cut */
		}
		fx_write_bytes(p, b, len);
		free(b);
		for (d = 0; d < 2; d++) {
			br_input_decoder = decoders[d];
			ck_assert_int_eq(read_all(p, 65536, &got, &n, hex,
			    &err), -1);
			ck_assert_msg(err.code == BR_EINPUT,
			    "case %zu decoder %zu: code %d", c, d, err.code);
			ck_assert_str_eq(err.file, p);
			free(got);
		}
	}
	br_input_decoder = BR_INPUT_ISAL;
	free(mb);
	free(big);
}
END_TEST

START_TEST(test_gzip_read_ahead_chunks)
{
	/* The read-ahead ring (a thread for files of 1 MiB or more) gives
	 * the same bytes and hash as plain reads, through either decoder. */
	size_t bign = 1600000, lb, n, d;
	char *big = big_text(bign), p[300], hex[65], want[65];
	unsigned char *mb = gz_member(big, bign, &lb), *got;
	struct br_error err;
	struct br_input *in;
	struct br_sha256 h;
	char *chunk;
	long k;

	/* The .gz is over 1 MiB: the threaded ring. */
	ck_assert_int_gt(lb, 1u << 20);
	br_sha256_init(&h);
	br_sha256_update(&h, big, bign);
	br_sha256_final_hex(&h, want);
	path_in(p, sizeof(p), "big.gz");
	fx_write_bytes(p, mb, lb);
	for (d = 0; d < 2; d++) {
		br_input_decoder = decoders[d];
		in = br_input_open_ahead(p, &err);
		ck_assert_ptr_nonnull(in);
		n = 0;
		while ((k = br_input_next(in, &chunk, &err)) > 0) {
			ck_assert_mem_eq(chunk, big + n, (size_t)k);
			n += (size_t)k;
		}
		ck_assert_int_eq(k, 0);
		ck_assert_int_eq(n, bign);
		br_input_sha256(in, hex);
		ck_assert_str_eq(hex, want);
		br_input_close(in);
		ck_assert_int_eq(read_all(p, 1u << 20, &got, &n, hex, &err), 0);
		ck_assert_str_eq(hex, want);
		free(got);
	}
	br_input_decoder = BR_INPUT_ISAL;
	free(mb);
	free(big);
}
END_TEST

/* br_input_known_sha256: a plain file read whole with the hash on is
 * known, with the hash of its bytes; a gzip file, one read in part, one
 * read without the hash and one changed since are not. */
START_TEST(test_input_known_sha256)
{
	size_t bign = 1600000, lb;
	char *big = big_text(bign), p[300], pg[300], hex[65], want[65];
	unsigned char *mb = gz_member(big, bign, &lb);
	struct br_error err;
	struct br_input *in;
	struct br_sha256 h;
	char *chunk, buf[100];
	long k;
	int flags;

	br_sha256_init(&h);
	br_sha256_update(&h, big, bign);
	br_sha256_final_hex(&h, want);
	path_in(p, sizeof(p), "known.csv");
	path_in(pg, sizeof(pg), "known.csv.gz");
	fx_write_bytes(p, (const unsigned char *)big, bign);
	fx_write_bytes(pg, mb, lb);
	ck_assert_int_eq(br_input_known_sha256(p, hex), 0);
	/* Read in part: not known. */
	ck_assert_ptr_nonnull(in = br_input_open(p, &err));
	ck_assert_int_gt(br_input_read(in, buf, sizeof(buf), &err), 0);
	br_input_close(in);
	ck_assert_int_eq(br_input_known_sha256(p, hex), 0);
	/* Without the hash, then with it: known after the second only. */
	for (flags = BR_INPUT_NO_HASH; flags >= 0; flags--) {
		ck_assert_ptr_nonnull(in = br_input_open_ahead_flags(p, flags,
		    &err));
		while ((k = br_input_next(in, &chunk, &err)) > 0)
			;
		ck_assert_int_eq(k, 0);
		br_input_close(in);
		ck_assert_int_eq(br_input_known_sha256(p, hex), flags == 0);
	}
	ck_assert_str_eq(hex, want);
	/* The gzip file's content hash is not the file's. */
	ck_assert_ptr_nonnull(in = br_input_open_ahead(pg, &err));
	while ((k = br_input_next(in, &chunk, &err)) > 0)
		;
	br_input_close(in);
	ck_assert_int_eq(br_input_known_sha256(pg, hex), 0);
	/* Rewritten since (shorter: the clock may not have ticked): not
	 * known. */
	fx_write_bytes(p, (const unsigned char *)big, bign - 1);
	ck_assert_int_eq(br_input_known_sha256(p, hex), 0);
	free(mb);
	free(big);
}
END_TEST

/* br_atomic_writev: pieces (empty ones among them, more than one
 * writev takes) land in order after what the stream holds. */
START_TEST(test_atomic_writev)
{
	struct br_atomic a;
	struct br_error err;
	struct iovec v[600];
	char out[300], want[4000], got[4000], num[8][4];
	size_t wn = 0, n;
	FILE *f;
	int i;

	path_in(out, sizeof(out), "pieces.txt");
	ck_assert_int_eq(br_atomic_open(&a, out, &err), 0);
	fputs("head\n", a.f);
	wn = (size_t)snprintf(want, sizeof(want), "head\n");
	for (i = 0; i < 8; i++)
		snprintf(num[i], sizeof(num[i]), "%d", i);
	for (i = 0; i < 600; i++) {
		v[i].iov_base = num[i % 8];
		v[i].iov_len = i % 3 == 0 ? 0 : 1;
		if (v[i].iov_len > 0)
			want[wn++] = num[i % 8][0];
	}
	ck_assert_int_eq(br_atomic_writev(&a, v, 600, &err), 0);
	ck_assert_int_eq(br_atomic_writev(&a, v, 0, &err), 0);
	ck_assert_int_eq(br_atomic_commit(&a, &err), 0);
	ck_assert_ptr_nonnull(f = fopen(out, "r"));
	n = fread(got, 1, sizeof(got), f);
	fclose(f);
	ck_assert_uint_eq(n, wn);
	ck_assert_mem_eq(got, want, wn);
	/* A full device: BR_EIO. */
	if (access("/dev/full", W_OK) == 0) {
		ck_assert_int_eq(br_atomic_open(&a, "/dev/full", &err), 0);
		ck_assert_int_eq(br_atomic_writev(&a, v, 600, &err), -1);
		ck_assert_int_eq(err.code, BR_EIO);
		br_atomic_abort(&a);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);	/* the gzip cases under ASan, loaded */
	tcase_add_test(tc, test_store_create_reopen_and_version);
	tcase_add_test(tc, test_store_concurrent_create);
	tcase_add_test(tc, test_atomic_tmp_symlink);
	tcase_add_test(tc, test_store_rollback_leaves_store_unchanged);
	tcase_add_test(tc, test_store_pack_roundtrip);
	tcase_add_test(tc, test_csv_lines_quotes_bom_crlf);
	tcase_add_test(tc, test_csv_callback_error_gets_file_and_line);
	tcase_add_test(tc, test_csv_malformed_quote);
	tcase_add_test(tc, test_gzip_same_hash_as_plain);
	tcase_add_test(tc, test_gzip_truncated_is_an_error);
	tcase_add_test(tc, test_gzip_decoders_agree);
	tcase_add_test(tc, test_gzip_corruption_is_an_error);
	tcase_add_test(tc, test_gzip_read_ahead_chunks);
	tcase_add_test(tc, test_input_known_sha256);
	tcase_add_test(tc, test_atomic_writev);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
