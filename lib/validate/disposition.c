/* SPDX-License-Identifier: Apache-2.0 */
/*
 * disposition.c: apply an exception disposition CSV, or one decision:
 * append each decision (reviewer, note, date) to exception_decision and
 * set exception.status.  'estimate' decisions
 * on GAP exceptions are handed back so validate-reads estimates those
 * days even beyond the normal limits.
 */
#include "validate/disposition.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/exid.h"
#include "core/text.h"
#include "core/banned.h"

struct dctx {
	struct br_store *st;
	struct br_disposition_result *res;
	int col_id, col_dec, col_rev, col_note;
	sqlite3_stmt *sel, *seq, *ins, *upd;	/* OWNED */
	const char *as_of;			/* decided_on */
};

static const char *const decisions[][2] = {
	{ "release", "released" },
	{ "hold", "held" },
	{ "estimate", "estimated" },
	{ "override", "overridden" },
	{ "keep", "held" },	/* the review page's word for hold */
};
#define NDECISIONS (sizeof(decisions) / sizeof(decisions[0]))

static int
add_force(struct br_disposition_result *res, const char *meter_id,
    int32_t day, struct br_error *err)
{
	struct br_force_day *nv;

	nv = realloc(res->force, (res->nforce + 1) * sizeof(*nv));
	if (nv == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	res->force = nv;
	snprintf(nv[res->nforce].meter_id, sizeof(nv[0].meter_id), "%s",
	    meter_id);
	nv[res->nforce].day = day;
	res->nforce++;
	return 0;
}

/* The id of id_s, or -1 with an error saying what a spreadsheet did. */
static int
parse_id(const char *id_s, const char *file, long line, int64_t *id,
    struct br_error *err)
{
	if (br_exid_parse(id_s, id) == 0)
		return 0;
	if (strpbrk(id_s, "eE") != NULL && strpbrk(id_s, ".+") != NULL)
		return br_error_set(err, BR_EINPUT, file, line,
		    "bad exception_id '%s': a spreadsheet turned the id into "
		    "a rounded number; use the EX- ids of the report", id_s);
	return br_error_set(err, BR_EINPUT, file, line, "bad exception_id "
	    "'%s' (want EX- and 13 letters or digits, or a decimal id)",
	    id_s);
}

/* Record one decision: the common path of a file row and of one
 * decision from the command line. */
static int
decide(struct dctx *c, const char *file, long line, const char *id_s,
    const char *dec, const char *rev, const char *note,
    struct br_error *err)
{
	char idtxt[BR_EXID_SIZE];
	int64_t id, seq;
	size_t i;
	int rc;

	if (parse_id(id_s, file, line, &id, err) != 0)
		return -1;
	for (i = 0; i < NDECISIONS; i++)
		if (strcmp(dec, decisions[i][0]) == 0)
			break;
	if (i == NDECISIONS)
		return br_error_set(err, BR_EINPUT, file, line,
		    "decision '%s' is not release, keep, hold, estimate or "
		    "override", dec);
	if (*rev == '\0')
		return br_error_set(err, BR_EINPUT, file, line,
		    "empty reviewer");
	if (br_text_check(rev, strlen(rev), file, line, "reviewer",
	    err) != 0 || br_text_check(note, strlen(note), file, line,
	    "note", err) != 0)
		return -1;
	br_exid_format(id, idtxt, sizeof(idtxt));
	sqlite3_reset(c->sel);
	sqlite3_bind_int64(c->sel, 1, id);
	rc = sqlite3_step(c->sel);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(c->sel);
		if (rc != SQLITE_DONE)
			return br_store_fail(c->st, "read exception", err);
		/* A shard store holds only its accounts' exceptions: the
		 * others are another shard's (docs/scale-out.md). */
		if (c->st->shard.n > 1) {
			c->res->skipped++;
			return 0;
		}
		if (strncmp(id_s, "EX-", 3) != 0 && strncmp(id_s, "ex-", 3))
			return br_error_set(err, BR_EINPUT, file, line,
			    "unknown exception id %s (%s); a spreadsheet may "
			    "have rounded the decimal id: use the EX- ids of "
			    "the report", id_s, idtxt);
		return br_error_set(err, BR_EINPUT, file, line,
		    "unknown exception id %s", idtxt);
	}
	if (strcmp(decisions[i][0], "estimate") == 0 &&
	    (strcmp((const char *)sqlite3_column_text(c->sel, 0), "GAP") == 0
	    || strcmp((const char *)sqlite3_column_text(c->sel, 0),
	    "MISSING_DAY") == 0)) {
		int32_t day;
		const char *d = (const char *)sqlite3_column_text(c->sel, 2);

		if (br_date_parse(d, (size_t)-1, &day) == 0 &&
		    add_force(c->res, (const char *)sqlite3_column_text(c->sel,
		    1), day, err) != 0) {
			sqlite3_reset(c->sel);
			return -1;
		}
	}
	sqlite3_reset(c->sel);
	sqlite3_reset(c->seq);
	sqlite3_bind_int64(c->seq, 1, id);
	if (sqlite3_step(c->seq) != SQLITE_ROW) {
		sqlite3_reset(c->seq);
		return br_store_fail(c->st, "read exception_decision", err);
	}
	seq = sqlite3_column_int64(c->seq, 0);
	sqlite3_reset(c->seq);
	sqlite3_reset(c->ins);
	sqlite3_bind_int64(c->ins, 1, id);
	sqlite3_bind_int64(c->ins, 2, seq);
	sqlite3_bind_text(c->ins, 3, decisions[i][0], -1, SQLITE_STATIC);
	sqlite3_bind_text(c->ins, 4, rev, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 5, note, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ins, 6, c->as_of, -1, SQLITE_STATIC);
	if (sqlite3_step(c->ins) != SQLITE_DONE)
		return br_store_fail(c->st, "insert exception_decision", err);
	sqlite3_reset(c->upd);
	sqlite3_bind_text(c->upd, 1, decisions[i][1], -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->upd, 2, id);
	if (sqlite3_step(c->upd) != SQLITE_DONE)
		return br_store_fail(c->st, "update exception", err);
	c->res->applied++;
	return 0;
}

static int
on_record(void *vctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct dctx *c = vctx;

	if (rec->index == 0) {
		c->col_id = br_csv_column(rec, "exception_id");
		c->col_dec = br_csv_column(rec, "decision");
		c->col_rev = br_csv_column(rec, "reviewer");
		c->col_note = br_csv_column(rec, "note");
		if (c->col_id < 0 || c->col_dec < 0 || c->col_rev < 0)
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "header needs columns exception_id, "
			    "decision, reviewer (and optional note)");
		return 0;
	}
	return decide(c, rec->file, rec->line, br_csv_field(rec, c->col_id),
	    br_csv_field(rec, c->col_dec), br_csv_field(rec, c->col_rev),
	    c->col_note >= 0 ? br_csv_field(rec, c->col_note) : "", err);
}

static int
prepare(struct dctx *c, struct br_store *st, const char *as_of,
    struct br_disposition_result *res, struct br_error *err)
{
	memset(res, 0, sizeof(*res));
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->res = res;
	c->as_of = as_of ? as_of : "";
	c->col_id = c->col_dec = c->col_rev = c->col_note = -1;
	if ((c->sel = br_store_prepare(st, "SELECT code, meter_id, date FROM"
	    " exception WHERE exc_id = ?1", err)) == NULL ||
	    (c->seq = br_store_prepare(st, "SELECT COALESCE(MAX(seq), 0) + 1"
	    " FROM exception_decision WHERE exc_id = ?1", err)) == NULL ||
	    (c->ins = br_store_prepare(st, "INSERT INTO exception_decision"
	    "(exc_id, seq, decision, reviewer, note, decided_on)"
	    " VALUES(?1, ?2, ?3, ?4, ?5, ?6)", err)) == NULL ||
	    (c->upd = br_store_prepare(st, "UPDATE exception SET status = ?1"
	    " WHERE exc_id = ?2", err)) == NULL)
		return -1;
	return 0;
}

static void
finish(struct dctx *c)
{
	sqlite3_finalize(c->sel);
	sqlite3_finalize(c->seq);
	sqlite3_finalize(c->ins);
	sqlite3_finalize(c->upd);
}

int
br_disposition_apply(struct br_store *st, const char *path,
    const char *as_of, struct br_disposition_result *res,
    struct br_error *err)
{
	struct dctx c;
	int rc = -1;

	if (prepare(&c, st, as_of, res, err) != 0)
		goto out;
	if (br_csv_read(path, on_record, &c, NULL, err) != 0)
		goto out;
	if (c.col_id < 0) {
		br_error_set(err, BR_EINPUT, path, 0,
		    "empty disposition file (no header)");
		goto out;
	}
	rc = 0;
out:
	finish(&c);
	return rc;
}

int
br_disposition_one(struct br_store *st, const char *id,
    const char *decision, const char *reviewer, const char *note,
    const char *as_of, struct br_disposition_result *res,
    struct br_error *err)
{
	struct dctx c;
	int rc = -1;

	if (prepare(&c, st, as_of, res, err) == 0)
		rc = decide(&c, NULL, 0, id, decision, reviewer ? reviewer : "",
		    note ? note : "", err);
	finish(&c);
	return rc;
}

void
br_disposition_release(struct br_disposition_result *res)
{
	free(res->force);
	res->force = NULL;
	res->nforce = 0;
}
