/* SPDX-License-Identifier: Apache-2.0 */
/* runlog.c: the run table's rows and their listing (runlog.h). */
#include "store/runlog.h"

#include <string.h>

#include "io/csvio.h"
#include "store/store.h"
#include "core/banned.h"

int
br_run_record(struct br_store *st, const struct br_run_rec *rec,
    int64_t *run_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO run(stage, args,"
	    " inputs, outputs, version, cycle_id, counts, started, ended,"
	    " status) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err);
	const char *v[9] = { rec->tool, rec->args, rec->inputs, rec->outputs,
	    rec->version, rec->cycle, rec->counts, rec->started, rec->ended };
	int i;

	if (s == NULL)
		return -1;
	for (i = 0; i < 9; i++)
		sqlite3_bind_text(s, i + 1, v[i] ? v[i] : "", -1,
		    SQLITE_STATIC);
	sqlite3_bind_int(s, 10, rec->status);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record the run", err);
	}
	sqlite3_finalize(s);
	st->run_id = sqlite3_last_insert_rowid(st->db);
	if (run_id != NULL)
		*run_id = st->run_id;
	return 0;
}

int
br_run_list(struct br_store *st, const char *cycle, FILE *out,
    struct br_error *err)
{
	static const char *const header[10] = { "run_id", "tool", "version",
	    "cycle", "started", "ended", "status", "counts", "args",
	    "inputs" };
	sqlite3_stmt *s = br_store_prepare(st, "SELECT run_id, stage, version,"
	    " cycle_id, started, ended, status, counts, args,"
	    " replace(rtrim(inputs, char(10)), char(10), ';') FROM run"
	    " WHERE ?1 IS NULL OR cycle_id = ?1 ORDER BY run_id", err);
	const char *row[10];
	int rc, i;

	if (s == NULL)
		return -1;
	if (cycle != NULL)
		sqlite3_bind_text(s, 1, cycle, -1, SQLITE_STATIC);
	br_csv_row(out, 10, header);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		/* Whole values: args and inputs can run to kilobytes. */
		for (i = 0; i < 10; i++) {
			row[i] = (const char *)sqlite3_column_text(s, i);
			if (row[i] == NULL)
				row[i] = "";
		}
		br_csv_row(out, 10, row);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "list runs", err);
	return 0;
}
