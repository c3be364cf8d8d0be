/* SPDX-License-Identifier: Apache-2.0 */
/*
 * exceptions.c: import exceptions: recording one, the per-meter aggregates,
 * storing them, and the exception report CSV.
 */
#include "import/import_int.h"

#include "core/exid.h"
#include "core/banned.h"

int
br_imp_nomem(struct br_error *err)
{
	return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
}

int
br_imp_add_exc(struct ctx *c, const char *code, const char *account,
    const char *meter, int32_t day, long line, struct br_error *err,
    const char *fmt, ...)
{
	struct br_import_exc *e;
	va_list ap;

	if (c->nexc == c->exc_cap) {
		size_t nc = c->exc_cap ? c->exc_cap * 2 : 16;
		void *p = realloc(c->exc, nc * sizeof(*c->exc));
		if (p == NULL)
			return br_imp_nomem(err);
		c->exc = p;
		c->exc_cap = nc;
	}
	e = &c->exc[c->nexc++];
	memset(e, 0, sizeof(*e));
	snprintf(e->code, sizeof(e->code), "%s", code);
	snprintf(e->severity, sizeof(e->severity), "warn");
	snprintf(e->account_id, sizeof(e->account_id), "%s",
	    account ? account : "");
	snprintf(e->meter_id, sizeof(e->meter_id), "%s", meter);
	if (day != INT32_MIN)
		br_date_format(day, e->date, sizeof(e->date));
	snprintf(e->source, sizeof(e->source), "%s", c->source);
	e->line = line;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
	va_end(ap);
	return 0;
}

/* Aggregated per-meter exceptions of this file. */
int
br_imp_meter_exceptions(struct ctx *c, struct br_error *err)
{
	size_t i;
	char d1[11], d2[11];

	if (c->fmt == BR_FMT_NEM12 && (c->nem_flags & (BR_AMI_F_NO_HEADER |
	    BR_AMI_F_MULTI_BLOCK | BR_AMI_F_EMPTY_CONFIG |
	    BR_AMI_F_SHORT_RECORD)) != 0 && br_imp_add_exc(c, "FORMAT_WARNING", NULL,
	    "", INT32_MIN, 1, err, "NEM12 file out of spec, accepted:%s%s%s%s",
	    (c->nem_flags & BR_AMI_F_NO_HEADER) ? " no 100 header;" : "",
	    (c->nem_flags & BR_AMI_F_MULTI_BLOCK) ?
	    " several 100..900 blocks (later blocks win);" : "",
	    (c->nem_flags & BR_AMI_F_EMPTY_CONFIG) ?
	    " empty NMIConfiguration;" : "",
	    (c->nem_flags & BR_AMI_F_SHORT_RECORD) ?
	    " 300 records without UpdateDateTime;" : "") != 0)
		return -1;
	if (c->fmt == BR_FMT_NEM12 && c->nem_version == 12 &&
	    c->nem_days == 0 && br_imp_add_exc(c, "FORMAT_WARNING", NULL, "",
	    INT32_MIN, 1, err, "NEM12 file holds no interval data") != 0)
		return -1;
	if (c->coarse > 0 && br_imp_add_exc(c, "FORMAT_WARNING", NULL, "",
	    INT32_MIN, c->coarse_line, err, "%ld readings in intervals that do "
	    "not divide an hour (first: %ld s), not stored", c->coarse_reads,
	    (long)c->coarse_s) != 0)
		return -1;
	for (i = 0; i < c->nunknown; i++) {
		const struct unknown_meter *u = &c->unknown[i];
		if (br_imp_add_exc(c, "UNKNOWN_METER", NULL, u->id, u->first_day,
		    u->first_line, err, "%ld reads for a meter not in the "
		    "registry, not stored", u->rows) != 0)
			return -1;
	}
	for (i = 0; i < c->reg->nmeters; i++) {
		const struct meter_stat *ms = &c->mstat[i];
		const char *id = c->reg->meters[i].meter_id;
		if (ms->outside_rows > 0 && br_imp_add_exc(c, "OUTSIDE_INSTALL",
		    NULL, id, ms->outside_first, ms->outside_line, err,
		    "%ld reads dated outside any install window (%s..%s), "
		    "not stored", ms->outside_rows,
		    br_date_format(ms->outside_first, d1, sizeof(d1)),
		    br_date_format(ms->outside_last, d2, sizeof(d2))) != 0)
			return -1;
		if (ms->removed_rows > 0 && br_imp_add_exc(c, "REMOVED_METER",
		    NULL, id, ms->removed_first, ms->removed_line, err,
		    "%ld reads dated after the meter's removal (%s..%s), "
		    "not stored", ms->removed_rows,
		    br_date_format(ms->removed_first, d1, sizeof(d1)),
		    br_date_format(ms->removed_last, d2, sizeof(d2))) != 0)
			return -1;
		if (ms->dupinst_rows > 0 && br_imp_add_exc(c, "DUPLICATE_METER",
		    NULL, id, ms->dupinst_first, ms->dupinst_line, err,
		    "%ld reads on days the meter is installed on two service "
		    "points (%s..%s), latest install used", ms->dupinst_rows,
		    br_date_format(ms->dupinst_first, d1, sizeof(d1)),
		    br_date_format(ms->dupinst_last, d2, sizeof(d2))) != 0)
			return -1;
		const struct noacct_stat *na = &c->noacct[i];
		if (na->days > 0 && br_imp_add_exc(c, "NO_ACCOUNT", NULL, id,
		    na->first, na->line, err,
		    "%ld meter-days with no service agreement (%s..%s)",
		    na->days, br_date_format(na->first, d1, sizeof(d1)),
		    br_date_format(na->last, d2, sizeof(d2))) != 0)
			return -1;
	}
	return 0;
}

/* Insert the pending exceptions and move them to res with their ids. */
int
br_imp_store_exceptions(struct ctx *c, struct br_error *err)
{
	sqlite3_stmt *ins = NULL, *sel = NULL;
	size_t i;
	int rc = -1;

	if ((ins = br_store_prepare(c->st, "INSERT INTO exception(exc_id, "
	    "stage, code, severity, account_id, meter_id, date, detail, source, "
	    "line) VALUES(br_exc_id('import', ?1, ?3, ?4, ?5, ?6), 'import', "
	    "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT DO NOTHING", err)) == NULL ||
	    (sel = br_store_prepare(c->st, "SELECT exc_id, severity, source, "
	    "line, status FROM exception WHERE stage = 'import' AND code = ?1 "
	    "AND account_id = ?2 AND meter_id = ?3 AND date = ?4 AND "
	    "detail = ?5", err)) == NULL)
		goto out;
	for (i = 0; i < c->nexc; i++) {
		struct br_import_exc *e = &c->exc[i];
		struct br_import_result *res = c->res;
		const unsigned char *txt;

		/* --shard: the exceptions without an account go to their
		 * meter's home shard, else (file level) to shard 1. */
		if (!br_imp_in_shard_id(c, e->account_id, e->meter_id))
			continue;

		sqlite3_bind_text(ins, 1, e->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 2, e->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 3, e->account_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 4, e->meter_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 5, e->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 6, e->detail, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins, 7, e->source, -1, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 8, e->line);
		if (sqlite3_step(ins) != SQLITE_DONE) {
			br_store_fail(c->st, "write exception", err);
			goto out;
		}
		sqlite3_reset(ins);
		sqlite3_bind_text(sel, 1, e->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 2, e->account_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 3, e->meter_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 4, e->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(sel, 5, e->detail, -1, SQLITE_STATIC);
		if (sqlite3_step(sel) != SQLITE_ROW) {
			br_store_fail(c->st, "read exception", err);
			goto out;
		}
		e->exc_id = sqlite3_column_int64(sel, 0);
		txt = sqlite3_column_text(sel, 1);
		snprintf(e->severity, sizeof(e->severity), "%s",
		    txt ? (const char *)txt : "");
		txt = sqlite3_column_text(sel, 2);
		snprintf(e->source, sizeof(e->source), "%s",
		    txt ? (const char *)txt : "");
		e->line = (long)sqlite3_column_int64(sel, 3);
		txt = sqlite3_column_text(sel, 4);
		snprintf(e->status, sizeof(e->status), "%s",
		    txt ? (const char *)txt : "");
		sqlite3_reset(sel);
		if (res->nexc == res->exc_cap) {
			size_t nc = res->exc_cap ? res->exc_cap * 2 : 16;
			void *p = realloc(res->exc, nc * sizeof(*res->exc));
			if (p == NULL) {
				br_imp_nomem(err);
				goto out;
			}
			res->exc = p;
			res->exc_cap = nc;
		}
		res->exc[res->nexc++] = *e;
	}
	rc = 0;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(sel);
	return rc;
}

static int
cmp_exc(const void *a_, const void *b_)
{
	const struct br_import_exc *a = a_, *b = b_;
	int r;

	if ((r = strcmp(a->account_id, b->account_id)) != 0 ||
	    (r = strcmp(a->meter_id, b->meter_id)) != 0 ||
	    (r = strcmp(a->date, b->date)) != 0 ||
	    (r = strcmp(a->code, b->code)) != 0 ||
	    (r = strcmp(a->detail, b->detail)) != 0)
		return r;
	return a->exc_id < b->exc_id ? -1 : a->exc_id > b->exc_id;
}

void
br_import_report_write(FILE *f, struct br_import_result *res)
{
	size_t i;
	char id[BR_EXID_SIZE], line[24];

	if (res->nexc > 0)
		qsort(res->exc, res->nexc, sizeof(*res->exc), cmp_exc);
	fputs("exception_id,stage,code,severity,account_id,meter_id,date,"
	    "detail,source,line,status\n", f);
	for (i = 0; i < res->nexc; i++) {
		const struct br_import_exc *e = &res->exc[i];
		const char *row[11];
		br_exid_format(e->exc_id, id, sizeof(id));
		snprintf(line, sizeof(line), "%ld", e->line);
		row[0] = id;
		row[1] = "import";
		row[2] = e->code;
		row[3] = e->severity;
		row[4] = e->account_id;
		row[5] = e->meter_id;
		row[6] = e->date;
		row[7] = e->detail;
		row[8] = e->source;
		row[9] = line;
		row[10] = e->status;
		br_csv_row(f, 11, row);
	}
}
