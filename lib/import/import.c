/* SPDX-License-Identifier: Apache-2.0 */
/*
 * import.c: one interval file end to end (open, detect, dispatch, the
 * savepoint, the file record) and the format names.  The importer:
 * generic interval CSV, NEM12/NEM13 and
 * CMEP MEPMD01 (parsers in nem12.c and cmep.c feed runs of intervals
 * through ingest_run into the same day accumulator and store writer).
 *
 * Rows stream through libcsv (br_csv_read); each is checked, converted to
 * a UTC instant, placed in the slot of its local day and accumulated in
 * an open-addressing hash of open meter-days.  The days are written at
 * the end of the file (or whenever MAX_OPEN_DAYS are open), merged with
 * any existing row: slots of the new file replace old slots, and a row
 * from a different file is recorded in interval_replacement with its
 * version bumped.  Values: fixed-point milli-units of the meter's unit,
 * times the registry multiplier, rounded half-up once.  The whole file is
 * one savepoint: a file whose SHA-256 was imported before is rolled back
 * and reported as skipped.  The other files of lib/import/ are listed in
 * import_int.h.
 */
#include "import/import_int.h"

#include "core/banned.h"

void
br_import_result_init(struct br_import_result *res)
{
	memset(res, 0, sizeof(*res));
}

void
br_import_result_release(struct br_import_result *res)
{
	free(res->exc);
	memset(res, 0, sizeof(*res));
}


static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	if (strcmp(path, "-") == 0)
		return "<stdin>";
	return s ? s + 1 : path;
}

static void
ctx_release(struct ctx *c)
{
	size_t i;

	br_imp_flusher_stop(c);
	br_imp_free_days(c);
	free(c->mstat);
	free(c->noacct);
	free(c->home);
	for (i = 0; i < c->nunknown; i++)
		free(c->unknown[i].id);
	free(c->unknown);
	free(c->exc);
	sqlite3_finalize(c->sel_day);
	sqlite3_finalize(c->put_day);
	sqlite3_finalize(c->new_day);
	sqlite3_finalize(c->ins_repl);
	sqlite3_finalize(c->sel_ver);
	sqlite3_finalize(c->put_ver);
	sqlite3_finalize(c->sel_reg);
	sqlite3_finalize(c->put_reg);
	sqlite3_finalize(c->ins_reg_repl);
	free(c->regs);
	free(c->merge_vals);
	free(c->merge_q);
	free(c->blob);
}

/* SHA-256 of no bytes. */
#define EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Import the file inside savepoint "br_import". */
static int
import_body(struct ctx *c, const char *path, int fmt, struct br_error *err)
{
	sqlite3_stmt *s;
	const char *format = br_import_format_name(fmt);
	char sha[65];
	int rc;

	if ((s = br_store_prepare(c->st, "INSERT INTO import_file(stage, "
	    "sha256, name, format) VALUES('import', '', ?1, ?2)", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, c->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, format, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "record import file", err);
	c->file_id = sqlite3_last_insert_rowid(c->st->db);

	if ((c->sel_day = br_store_prepare(c->st, "SELECT interval_s, n, "
	    "vals, quality, file_id, version FROM interval_day WHERE "
	    "meter_id = ?1 AND channel = ?2 AND day = ?3", err)) == NULL ||
	    (c->put_day = br_store_prepare(c->st, "INSERT INTO interval_day("
	    "meter_id, channel, day, interval_s, n, vals, quality, file_id, "
	    "version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT("
	    "meter_id, channel, day) DO UPDATE SET interval_s = "
	    "excluded.interval_s, n = excluded.n, vals = excluded.vals, "
	    "quality = excluded.quality, file_id = excluded.file_id, "
	    "version = excluded.version", err)) == NULL ||
	    (c->new_day = br_store_prepare(c->st, "INSERT INTO interval_day("
	    "meter_id, channel, day, interval_s, n, vals, quality, file_id, "
	    "version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1) ON CONFLICT("
	    "meter_id, channel, day) DO NOTHING", err)) == NULL ||
	    (c->ins_repl = br_store_prepare(c->st, "INSERT INTO "
	    "interval_replacement(meter_id, channel, day, old_file_id, "
	    "new_file_id, old_version) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	    err)) == NULL ||
	    (c->sel_ver = br_store_prepare(c->st, "SELECT src_version FROM "
	    "interval_src_version WHERE meter_id = ?1 AND channel = ?2 AND "
	    "day = ?3", err)) == NULL ||
	    (c->put_ver = br_store_prepare(c->st, "INSERT INTO "
	    "interval_src_version(meter_id, channel, day, src_version) "
	    "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(meter_id, channel, day) DO "
	    "UPDATE SET src_version = excluded.src_version", err)) == NULL ||
	    (c->sel_reg = br_store_prepare(c->st, "SELECT value_milli, "
	    "quality, file_id, src_version, version FROM register_read WHERE "
	    "meter_id = ?1 AND channel = ?2 AND read_utc = ?3", err)) == NULL ||
	    (c->put_reg = br_store_prepare(c->st, "INSERT INTO register_read("
	    "meter_id, channel, read_utc, value_milli, file_id, quality, "
	    "src_version, version) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT(meter_id, channel, read_utc) DO UPDATE SET "
	    "value_milli = excluded.value_milli, file_id = excluded.file_id, "
	    "quality = excluded.quality, src_version = excluded.src_version, "
	    "version = excluded.version", err)) == NULL ||
	    (c->ins_reg_repl = br_store_prepare(c->st, "INSERT INTO "
	    "register_replacement(meter_id, channel, read_utc, old_file_id, "
	    "new_file_id, old_version, old_value_milli, old_quality) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", err)) == NULL)
		return -1;

	switch (fmt) {
	case BR_FMT_NEM12: {
		struct br_nem12_opts no;
		struct br_nem12_stats ns;
		memset(&no, 0, sizeof(no));
		memset(&ns, 0, sizeof(ns));
		no.has_offset = c->o->has_nem_offset != 0;
		no.utc_offset_s = c->o->nem_offset_s;
		if (c->home != NULL) {
			no.skip = br_imp_ami_skip;
			no.line_check = br_imp_line_check;
		}
		rc = br_nem12_parse(path, &no, br_imp_on_ami_day, br_imp_on_ami_register, c,
		    sha, &ns, err);
		c->nem_flags = ns.flags;
		c->nem_days = ns.days;
		c->nem_version = ns.version;
		c->rows += ns.skipped_reads;
		break;
	}
	case BR_FMT_CMEP: {
		struct br_cmep_opts co;
		struct br_cmep_stats cs;
		memset(&co, 0, sizeof(co));
		co.tz = c->stz;
		co.interval_ending = c->o->interval_ending != 0;
		if (c->home != NULL) {
			co.skip = br_imp_ami_skip;
			co.line_check = br_imp_line_check;
		}
		memset(&cs, 0, sizeof(cs));
		rc = br_cmep_parse(path, &co, br_imp_on_ami_day, br_imp_on_ami_register, c,
		    sha, &cs, err);
		c->rows += cs.skipped_reads;
		break;
	}
	case BR_FMT_GREENBUTTON:
		rc = br_gb_parse(path, br_imp_on_ami_day, c, sha, NULL, err);
		break;
	default:
		rc = br_csv_read_gated(path, c->home != NULL ? br_imp_gate :
		    NULL, br_imp_on_record, c, sha, err);
		if (rc == 0 && c->names[0] == NULL && strcmp(sha,
		    EMPTY_SHA256) != 0)
			rc = br_error_set(err, BR_EINPUT, path, 1, "no header "
			    "line (blank lines only)");
		break;
	}
	/* A batch still being written came before any error of the parse. */
	if (br_imp_flusher_wait(c, err) != 0 || rc != 0)
		return -1;
	/* Never recorded as imported: the next file of 0 bytes, whatever it
	 * should have held, would be "already imported". */
	if (strcmp(sha, EMPTY_SHA256) == 0)
		return br_error_set(err, BR_EINPUT, path, 0, "empty file "
		    "(0 bytes): nothing to import");
	if (br_imp_flush_days(c, err) != 0 || br_imp_flush_regs(c, err) != 0)
		return -1;

	/* Already imported?  Then this whole file is a no-op. */
	if ((s = br_store_prepare(c->st, "SELECT 1 FROM import_file WHERE "
	    "stage = 'import' AND sha256 = ?1", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	snprintf(c->sha, sizeof(c->sha), "%s", sha);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "read import files", err);

	if (br_imp_meter_exceptions(c, err) != 0)
		return -1;
	if ((s = br_store_prepare(c->st, "UPDATE import_file SET sha256 = ?1, "
	    "records = ?2 WHERE file_id = ?3", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, sha, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, c->rows);
	sqlite3_bind_int64(s, 3, c->file_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "record import file", err);
	return br_imp_store_exceptions(c, err);
}

static const char *const format_names[] = { "auto", "generic", "nem12",
	"cmep", "vendor", "greenbutton" };

const char *
br_import_format_name(int fmt)
{
	if (fmt < 0 || (size_t)fmt >= sizeof(format_names) /
	    sizeof(format_names[0]))
		return "?";
	return format_names[fmt];
}

int
br_import_format_parse(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(format_names) / sizeof(format_names[0]); i++)
		if (strcmp(format_names[i], name) == 0)
			return (int)i;
	return -1;
}

int
br_import_detect(const char *path, struct br_error *err)
{
	struct br_input *in;
	char buf[512];
	const char *p, *end;
	long n;

	if (strcmp(path, "-") == 0)
		return BR_FMT_GENERIC;
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	n = br_input_read(in, buf, sizeof(buf) - 1, err);
	br_input_close(in);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	p = buf;
	end = buf + n;
	if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	while (p < end && (*p == '\r' || *p == '\n' || *p == ' ' ||
	    *p == '\t'))
		p++;
	if (strncmp(p, "100,", 4) == 0 || strncmp(p, "200,", 4) == 0 ||
	    strncmp(p, "250,", 4) == 0)
		return BR_FMT_NEM12;
	if (strncmp(p, "MEPMD01,", 8) == 0 || strncmp(p, "MEPMD02,", 8) == 0)
		return BR_FMT_CMEP;
	if (*p == '<')
		return BR_FMT_GREENBUTTON;
	return BR_FMT_GENERIC;
}

int
br_import_file(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path, const char *format,
    struct br_import_result *res, struct br_error *err)
{
	struct br_import_opts o;

	memset(&o, 0, sizeof(o));
	if ((o.format = br_import_format_parse(format)) < 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "unknown format '%s'", format);
	return br_import_file_opts(st, reg, tz, path, &o, res, err);
}

int
br_import_file_opts(struct br_store *st, const struct br_registry *reg,
    const struct br_tz *tz, const char *path,
    const struct br_import_opts *o, struct br_import_result *res,
    struct br_error *err)
{
	static const struct br_import_opts defaults;
	struct ctx c;
	long days = res->days, replaced = res->replaced;
	long stale = res->stale, other = res->other;
	long unchanged = res->unchanged;
	long registers = res->registers, reg_replaced = res->reg_replaced;
	long reg_stale = res->reg_stale;
	size_t nexc = res->nexc;
	int rc, fmt;

	if (o == NULL)
		o = &defaults;
	fmt = o->format;
	if (fmt == BR_FMT_AUTO && o->vendor != NULL)
		fmt = BR_FMT_VENDOR;
	if (fmt == BR_FMT_AUTO && (fmt = br_import_detect(path, err)) < 0)
		return -1;
	if (fmt == BR_FMT_VENDOR && o->vendor == NULL)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "format vendor needs a column mapping (--mapping)");
	memset(&c, 0, sizeof(c));
	c.st = st;
	c.reg = reg;
	c.tz = tz;
	c.stz = o->source_tz ? o->source_tz : tz;
	c.fmt = fmt;
	c.o = o;
	c.res = res;
	c.source = base_name(path);
	c.path = path;
	c.last_meter = -1;
	c.inst_mi = -1;
	c.ami_mi = LONG_MIN;
	c.max_days = o->max_open_days > 0 ? o->max_open_days : MAX_OPEN_DAYS;
	if (reg->nmeters > 0 &&
	    ((c.mstat = calloc(reg->nmeters, sizeof(*c.mstat))) == NULL ||
	    (c.noacct = calloc(reg->nmeters, sizeof(*c.noacct))) == NULL)) {
		free(c.mstat);
		return br_imp_nomem(err);
	}
	if (br_imp_shard_init(&c, err) != 0 ||
	    br_store_exec(st, "SAVEPOINT br_import", err) != 0) {
		ctx_release(&c);
		return -1;
	}
	rc = import_body(&c, path, fmt, err);
	ctx_release(&c);	/* the writer thread has ended */
	if (rc != 0) {
		/* Error or already imported: undo this file entirely. */
		sqlite3_exec(st->db, "ROLLBACK TO br_import", NULL, NULL, NULL);
		res->days = days;
		res->replaced = replaced;
		res->stale = stale;
		res->unchanged = unchanged;
		res->other = other;
		res->registers = registers;
		res->reg_replaced = reg_replaced;
		res->reg_stale = reg_stale;
		res->nexc = nexc;
	}
	if (br_store_exec(st, "RELEASE br_import", rc < 0 ? NULL : err) != 0)
		return -1;
	if (rc == 0) {
		res->files++;
		res->rows += c.rows;
	} else if (rc == 1) {
		/* The report of a rerun is complete: the exceptions of the
		 * earlier import, from the store. */
		res->skipped++;
		if (br_imp_earlier_exceptions(st, c.sha, res, err) != 0)
			return -1;
	}
	return rc;
}
