/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.c: loads the registry CSV directory into the store (validated,
 * upserted, so loading twice changes nothing) and keeps an in-memory,
 * bsearch-able copy of meters, installs and agreements for ami-import.
 */
#include "store/registry.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/csvio.h"
#include "core/date.h"
#include "core/money.h"
#include "core/text.h"
#include "core/tz.h"
#include "core/units.h"
#include "core/grow.h"
#include "core/banned.h"

#define MAXCOLS 8

struct loader {
	struct br_store *st;
	const char *const *cols;	/* column names */
	unsigned required;		/* bit i: column i must exist */
	int idx[MAXCOLS];
	sqlite3_stmt *stmt;		/* the upsert */
	int (*row)(struct loader *, const struct br_csv_record *,
	    struct br_error *);
	size_t ncols;			/* fields of the header line */
	bool header;			/* the header line was read */
	struct row_key *keys;		/* OWNED: window rows and their lines */
	size_t nkeys, kcap;
};

/* A row of meter_installs.csv or agreements.csv: its key and line. */
struct row_key {
	char a[BR_REGISTRY_ID_MAX], b[BR_REGISTRY_ID_MAX];
	char from[11];
	long line;
};

static const char *
field(const struct loader *l, const struct br_csv_record *rec, int col)
{
	return br_csv_field(rec, l->idx[col]);
}

static int
bad(const struct loader *l, const struct br_csv_record *rec, int col,
    const char *what, struct br_error *err)
{
	return br_error_set(err, BR_EINPUT, rec->file, rec->line,
	    "%s '%s' in column '%s'", what, field(l, rec, col),
	    l->cols[col]);
}

/*
 * Ids (docs/pipeline.md section 1).  Account and cycle ids become file
 * names (bills/<cycle>-<account>.pdf): letters, digits and "-_.",
 * starting with a letter or digit.  Other ids (meter, service point,
 * rate code) may hold any printable byte but a blank (meter ids from
 * Green Button hrefs hold "/"); none may hold a control character.
 */
enum id_rule { ID_NAME, ID_PRINTABLE };

static bool
name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

/* A non-empty id under BR_REGISTRY_ID_MAX bytes that keeps rule. */
static int
check_id_rule(const struct loader *l, const struct br_csv_record *rec,
    int col, enum id_rule rule, struct br_error *err)
{
	const unsigned char *s = (const unsigned char *)field(l, rec, col);
	size_t n = strlen((const char *)s), i;

	if (n == 0)
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "empty column '%s'", l->cols[col]);
	if (n >= BR_REGISTRY_ID_MAX)
		return bad(l, rec, col, "id longer than 63 bytes", err);
	for (i = 0; i < n; i++) {
		if (rule == ID_NAME ? !name_char(s[i]) ||
		    (i == 0 && (s[0] == '-' || s[0] == '_' || s[0] == '.')) :
		    s[i] <= ' ' || s[i] == 0x7f)
			return bad(l, rec, col, rule == ID_NAME ? "bad id "
			    "(letters, digits and -_. only, starting with a "
			    "letter or digit)" : "bad id (blank or control "
			    "character)", err);
	}
	return 0;
}

static int
check_id(const struct loader *l, const struct br_csv_record *rec, int col,
    struct br_error *err)
{
	return check_id_rule(l, rec, col, ID_PRINTABLE, err);
}

static int
check_name_id(const struct loader *l, const struct br_csv_record *rec,
    int col, struct br_error *err)
{
	return check_id_rule(l, rec, col, ID_NAME, err);
}

/*
 * Every field of a data row: no NUL (it would cut the field short), no
 * control character (a line break in a name forges lines in a text
 * bill), well-formed UTF-8 (what is stored is printed on bills); as many fields as the header (a truncated row is refused).
 */
/* " in column 'name'" for field i when it is a known column, else "". */
static void
column_of(const struct loader *l, size_t i, char *buf, size_t n)
{
	int c;

	buf[0] = '\0';
	for (c = 0; l->cols[c] != NULL; c++)
		if (l->idx[c] >= 0 && (size_t)l->idx[c] == i)
			snprintf(buf, n, " in column '%s'", l->cols[c]);
}

static int
check_row(const struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	char col[96];
	size_t i, k;

	if (rec->nfields != l->ncols)
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "%zu fields where the header has %zu (truncated or "
		    "malformed row)", rec->nfields, l->ncols);
	for (i = 0; i < rec->nfields; i++) {
		for (k = 0; k < rec->lens[i]; k++) {
			unsigned char c = (unsigned char)rec->fields[i][k];
			if (c < 0x20 || c == 0x7f) {
				column_of(l, i, col, sizeof(col));
				return br_error_set(err, BR_EINPUT, rec->file,
				    rec->line, "control character 0x%02x in "
				    "field %zu%s", c, i + 1, col);
			}
		}
		if ((k = br_utf8_check(rec->fields[i], rec->lens[i])) !=
		    rec->lens[i]) {
			column_of(l, i, col, sizeof(col));
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "field %zu is not UTF-8 (byte %zu, "
			    "0x%02x)%s", i + 1, k + 1,
			    (unsigned char)rec->fields[i][k], col);
		}
	}
	return 0;
}

static int
check_date(const struct loader *l, const struct br_csv_record *rec, int col,
    bool optional, int32_t *out, struct br_error *err)
{
	const char *s = field(l, rec, col);

	if (optional && s[0] == '\0') {
		*out = BR_REGISTRY_OPEN_END;
		return 0;
	}
	if (br_date_parse(s, (size_t)-1, out) != 0)
		return bad(l, rec, col, "bad date", err);
	return 0;
}

static int
check_kind(const struct loader *l, const struct br_csv_record *rec, int col,
    struct br_error *err)
{
	const char *s = field(l, rec, col);

	if (strcmp(s, "electric") != 0 && strcmp(s, "water") != 0 &&
	    strcmp(s, "gas") != 0)
		return bad(l, rec, col, "bad kind", err);
	return 0;
}

/* 1 when a row with key exists in the table named by sql. */
static int
exists(struct br_store *st, const char *sql, const char *key,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, sql, err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return br_store_fail(st, "lookup", err);
}

static int
check_ref(const struct loader *l, const struct br_csv_record *rec, int col,
    const char *sql, struct br_error *err)
{
	int rc = exists(l->st, sql, field(l, rec, col), err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return bad(l, rec, col, "unknown", err);
	return 0;
}

static void
bind_cols(struct loader *l, const struct br_csv_record *rec, int ncols)
{
	int i;

	for (i = 0; i < ncols; i++)
		sqlite3_bind_text(l->stmt, i + 1, field(l, rec, i), -1,
		    SQLITE_TRANSIENT);
}

static int
step(struct loader *l, const struct br_csv_record *rec, struct br_error *err)
{
	int rc = sqlite3_step(l->stmt);

	sqlite3_reset(l->stmt);
	sqlite3_clear_bindings(l->stmt);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "rejected by the store: %s", sqlite3_errmsg(l->st->db));
	return br_store_fail(l->st, "write registry", err);
}

static const char *const utility_cols[] = { "key", "value", NULL };

static int
utility_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *key = field(l, rec, 0), *value = field(l, rec, 1);

	if (key[0] == '\0')
		return br_error_set(err, BR_EINPUT, rec->file, rec->line,
		    "empty column 'key'");
	if (strcmp(key, "timezone") == 0) {
		struct br_tz tz;
		struct br_error tzerr;
		if (br_tz_load(&tz, value, &tzerr) != 0)
			return bad(l, rec, 1, "unknown time zone", err);
		br_tz_release(&tz);
	} else if (strcmp(key, "rounding") == 0) {
		enum br_round mode;
		if (br_round_parse(value, &mode) != 0)
			return bad(l, rec, 1, "bad rounding rule", err);
	}
	if (br_store_setting_set(l->st, key, value, err) != 0)
		return -1;
	return 0;
}

static const char *const account_cols[] = { "account_id", "name",
	"mailing_address", "status", "cycle_id", "email", "phone",
	"sms_opt_in", NULL };

/* account_contact: upserted when the row has contacts, else removed. */
static int
contact_row(struct loader *l, const struct br_csv_record *rec, int opt_in,
    struct br_error *err)
{
	const char *email = field(l, rec, 5), *phone = field(l, rec, 6);
	bool any = email[0] != '\0' || phone[0] != '\0' || opt_in;
	sqlite3_stmt *s = br_store_prepare(l->st, any ?
	    "INSERT INTO account_contact(account_id, email, phone, "
	    "sms_opt_in) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(account_id) DO "
	    "UPDATE SET email = excluded.email, phone = excluded.phone, "
	    "sms_opt_in = excluded.sms_opt_in" :
	    "DELETE FROM account_contact WHERE account_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, field(l, rec, 0), -1, SQLITE_TRANSIENT);
	if (any) {
		sqlite3_bind_text(s, 2, email, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(s, 3, phone, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 4, opt_in);
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 :
	    br_store_fail(l->st, "write account contacts", err);
}

static int
account_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *status = field(l, rec, 3), *opt_in = field(l, rec, 7);

	if (check_name_id(l, rec, 0, err) != 0 ||
	    (field(l, rec, 4)[0] != '\0' &&
	    check_name_id(l, rec, 4, err) != 0))
		return -1;
	if (status[0] != '\0' && strcmp(status, "active") != 0 &&
	    strcmp(status, "inactive") != 0 && strcmp(status, "closed") != 0)
		return bad(l, rec, 3, "bad status", err);
	/* Optional contacts: an email has one '@', sms_opt_in is yes/no. */
	if (field(l, rec, 5)[0] != '\0' && (strchr(field(l, rec, 5), '@') ==
	    NULL || strpbrk(field(l, rec, 5), " \t,;<>") != NULL))
		return bad(l, rec, 5, "bad email", err);
	if (strcmp(opt_in, "") != 0 && strcmp(opt_in, "yes") != 0 &&
	    strcmp(opt_in, "no") != 0)
		return bad(l, rec, 7, "not yes or no:", err);
	bind_cols(l, rec, 5);
	if (status[0] == '\0')
		sqlite3_bind_text(l->stmt, 4, "active", -1, SQLITE_STATIC);
	if (step(l, rec, err) != 0)
		return -1;
	return contact_row(l, rec, strcmp(opt_in, "yes") == 0, err);
}

static const char *const sp_cols[] = { "sp_id", "kind", "address", NULL };

static int
sp_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	if (check_id(l, rec, 0, err) != 0 || check_kind(l, rec, 1, err) != 0)
		return -1;
	bind_cols(l, rec, 3);
	return step(l, rec, err);
}

static const char *const meter_cols[] = { "meter_id", "kind", "unit",
	"multiplier", "meter_class", "status", NULL };

/* meter_class and status (optional columns) go to meter_attr, written
 * only when the file has either column. */
static int
meter_attr_row(struct loader *l, const struct br_csv_record *rec,
    const char *status, struct br_error *err)
{
	sqlite3_stmt *s;
	int rc;

	if (l->idx[4] < 0 && l->idx[5] < 0)
		return 0;
	if ((s = br_store_prepare(l->st, "INSERT INTO meter_attr(meter_id, "
	    "meter_class, status) VALUES(?1, ?2, ?3) ON CONFLICT(meter_id) DO "
	    "UPDATE SET meter_class = excluded.meter_class, status = "
	    "excluded.status", err)) == NULL)
		return -1;
	sqlite3_bind_text(s, 1, field(l, rec, 0), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, field(l, rec, 4), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, status[0] ? status : "active", -1,
	    SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return br_store_fail(l->st, "write meter_attr", err);
	return 0;
}

static int
meter_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	const char *unit = field(l, rec, 2), *mult = field(l, rec, 3);
	const char *status = field(l, rec, 5);
	int64_t mult_milli = 1000;

	if (check_id(l, rec, 0, err) != 0 || check_kind(l, rec, 1, err) != 0)
		return -1;
	if (br_unit_for(unit, BR_UNIT_METER) == NULL)
		return bad(l, rec, 2, "bad unit", err);
	if (mult[0] != '\0' && (br_decimal_parse(mult, (size_t)-1, 3,
	    &mult_milli) != 0 || mult_milli <= 0))
		return bad(l, rec, 3, "bad multiplier", err);
	if (status[0] != '\0' && strcmp(status, "active") != 0 &&
	    strcmp(status, "retired") != 0)
		return bad(l, rec, 5, "bad status", err);
	if (strpbrk(field(l, rec, 4), ",\r\n\"") != NULL)
		return bad(l, rec, 4, "bad meter class", err);
	bind_cols(l, rec, 3);
	sqlite3_bind_int64(l->stmt, 4, mult_milli);
	if (step(l, rec, err) != 0)
		return -1;
	return meter_attr_row(l, rec, status, err);
}

/* Keep the key (columns a, b, from) and line of a window row. */
static int
remember(struct loader *l, const struct br_csv_record *rec, int a, int b,
    int from, struct br_error *err)
{
	struct row_key *k;

	if (l->nkeys == l->kcap) {
		size_t nc = l->kcap ? l->kcap * 2 : 64;
		void *p = realloc(l->keys, nc * sizeof(*l->keys));
		if (p == NULL)
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		l->keys = p;
		l->kcap = nc;
	}
	k = &l->keys[l->nkeys++];
	snprintf(k->a, sizeof(k->a), "%s", field(l, rec, a));
	snprintf(k->b, sizeof(k->b), "%s", field(l, rec, b));
	snprintf(k->from, sizeof(k->from), "%s", field(l, rec, from));
	k->line = rec->line;
	return 0;
}

/* Line of the row (a, b, from) of this file, 0 when not in it. */
static long
key_line(const struct loader *l, const char *a, const char *b,
    const char *from)
{
	size_t i;
	long line = 0;

	for (i = 0; i < l->nkeys; i++)
		if (strcmp(l->keys[i].a, a) == 0 &&
		    strcmp(l->keys[i].b, b) == 0 &&
		    strcmp(l->keys[i].from, from) == 0)
			line = l->keys[i].line;	/* the last one wins */
	return line;
}

/*
 * After a file of windows is loaded: no two windows that must not meet
 * overlap (the store as it now stands, so a row moved by a later line of
 * the same file is judged by its new dates).  sql selects, for the first
 * overlapping pair: the shared id, then key a, key b, from of each row.
 */
static int
check_overlap(struct loader *l, const char *path, const char *sql,
    const char *what, const char *shared, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(l->st, sql, err);
	char id[2 * BR_REGISTRY_ID_MAX + 8], k[6][BR_REGISTRY_ID_MAX];
	long line1, line2;
	int rc, i;

	if (s == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(s);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(l->st, "check registry windows", err);
	}
	br_store_column_text(id, sizeof(id), s, 0);
	for (i = 0; i < 6; i++)
		br_store_column_text(k[i], sizeof(k[i]), s, i + 1);
	sqlite3_finalize(s);
	line1 = key_line(l, k[0], k[1], k[2]);
	line2 = key_line(l, k[3], k[4], k[5]);
	return br_error_set(err, BR_EINPUT, path, line1 > line2 ? line1 :
	    line2, "%s %s: the %s from %s (line %ld) overlaps the %s from %s "
	    "(line %ld)", shared, id, what, k[2], line1, what, k[5], line2);
}

static int
installs_after(struct loader *l, const char *path, struct br_error *err)
{
	return check_overlap(l, path,
	    "SELECT a.meter_id, a.meter_id, a.sp_id, a.install_date, "
	    "b.meter_id, b.sp_id, b.install_date FROM meter_install a "
	    "JOIN meter_install b ON b.meter_id = a.meter_id AND "
	    "b.install_date > a.install_date AND b.install_date <= "
	    "COALESCE(a.remove_date, '9999-12-31') "
	    "ORDER BY a.meter_id, a.install_date LIMIT 1",
	    "install", "meter", err);
}

static int
agreements_after(struct loader *l, const char *path, struct br_error *err)
{
	return check_overlap(l, path,
	    "SELECT a.sp_id, a.account_id, a.sp_id, a.start_date, "
	    "b.account_id, b.sp_id, b.start_date FROM service_agreement a "
	    "JOIN service_agreement b ON b.sp_id = a.sp_id AND "
	    "(b.start_date > a.start_date OR (b.start_date = a.start_date "
	    "AND b.account_id > a.account_id)) AND b.start_date <= "
	    "COALESCE(a.end_date, '9999-12-31') "
	    "ORDER BY a.sp_id, a.start_date, a.account_id LIMIT 1",
	    "agreement", "service point", err);
}

static const char *const install_cols[] = { "meter_id", "sp_id",
	"install_date", "remove_date", NULL };

static int
install_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	int32_t from, to;

	if (check_id(l, rec, 0, err) != 0 || check_id(l, rec, 1, err) != 0 ||
	    check_date(l, rec, 2, false, &from, err) != 0 ||
	    check_date(l, rec, 3, true, &to, err) != 0)
		return -1;
	if (to < from)
		return bad(l, rec, 3, "remove date before install date", err);
	if (check_ref(l, rec, 0, "SELECT 1 FROM meter WHERE meter_id = ?1",
	    err) != 0 || check_ref(l, rec, 1,
	    "SELECT 1 FROM service_point WHERE sp_id = ?1", err) != 0 ||
	    remember(l, rec, 0, 1, 2, err) != 0)
		return -1;
	bind_cols(l, rec, 4);
	if (to == BR_REGISTRY_OPEN_END)
		sqlite3_bind_null(l->stmt, 4);
	return step(l, rec, err);
}

static const char *const agreement_cols[] = { "account_id", "sp_id",
	"start_date", "end_date", "rate_code", "customer_class",
	"net_metering", NULL };

static int
agreement_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	int32_t from, to;

	if (check_name_id(l, rec, 0, err) != 0 ||
	    check_id(l, rec, 1, err) != 0 ||
	    check_date(l, rec, 2, false, &from, err) != 0 ||
	    check_date(l, rec, 3, true, &to, err) != 0 ||
	    check_id(l, rec, 4, err) != 0)
		return -1;
	if (to < from)
		return bad(l, rec, 3, "end date before start date", err);
	if (check_ref(l, rec, 0,
	    "SELECT 1 FROM account WHERE account_id = ?1", err) != 0 ||
	    check_ref(l, rec, 1,
	    "SELECT 1 FROM service_point WHERE sp_id = ?1", err) != 0 ||
	    remember(l, rec, 0, 1, 2, err) != 0)
		return -1;
	bind_cols(l, rec, 7);
	if (to == BR_REGISTRY_OPEN_END)
		sqlite3_bind_null(l->stmt, 4);
	if (field(l, rec, 5)[0] == '\0')
		sqlite3_bind_text(l->stmt, 6, "residential", -1,
		    SQLITE_STATIC);
	return step(l, rec, err);
}

static const char *const cycle_cols[] = { "cycle_id", "period_start",
	"period_end", "bill_date", "due_date", NULL };

static int
cycle_row(struct loader *l, const struct br_csv_record *rec,
    struct br_error *err)
{
	int32_t d[4];
	int i;

	if (check_name_id(l, rec, 0, err) != 0)
		return -1;
	for (i = 0; i < 4; i++)
		if (check_date(l, rec, i + 1, false, &d[i], err) != 0)
			return -1;
	if (d[1] < d[0])
		return bad(l, rec, 2, "period end before period start", err);
	if (d[1] - d[0] >= BR_REGISTRY_PERIOD_MAX)
		return bad(l, rec, 2, "period longer than 366 days", err);
	if (d[2] < d[1])
		return bad(l, rec, 3, "bill date before period end", err);
	if (d[3] < d[2])
		return bad(l, rec, 4, "due date before bill date", err);
	for (i = 0; i < (int)l->nkeys; i++)
		if (strcmp(l->keys[i].a, field(l, rec, 0)) == 0)
			return br_error_set(err, BR_EINPUT, rec->file,
			    rec->line, "cycle '%s' is already on line %ld",
			    field(l, rec, 0), l->keys[i].line);
	if (remember(l, rec, 0, 0, 1, err) != 0)
		return -1;
	bind_cols(l, rec, 5);
	return step(l, rec, err);
}

/*
 * rate-apply bills every agreement that meets a cycle's period, whatever
 * the account's cycle_id: two cycles that share a day would bill it
 * twice.
 */
static int
cycles_after(struct loader *l, const char *path, struct br_error *err)
{
	return check_overlap(l, path,
	    "SELECT a.cycle_id || ' and ' || b.cycle_id, a.cycle_id, "
	    "a.cycle_id, a.period_start, b.cycle_id, b.cycle_id, "
	    "b.period_start FROM bill_cycle a JOIN bill_cycle b ON "
	    "b.cycle_id <> a.cycle_id AND (b.period_start > a.period_start "
	    "OR (b.period_start = a.period_start AND b.cycle_id > "
	    "a.cycle_id)) AND b.period_start <= a.period_end "
	    "ORDER BY a.period_start, a.cycle_id LIMIT 1",
	    "period", "cycles", err);
}

static int
on_record(void *ctx, const struct br_csv_record *rec, struct br_error *err)
{
	struct loader *l = ctx;
	int i;

	if (rec->index == 0) {
		l->header = true;
		l->ncols = rec->nfields;
		for (i = 0; l->cols[i] != NULL; i++) {
			l->idx[i] = br_csv_column(rec, l->cols[i]);
			if (l->idx[i] < 0 && (l->required & (1u << i)))
				return br_error_set(err, BR_EINPUT, rec->file,
				    rec->line, "missing column '%s'",
				    l->cols[i]);
		}
		return 0;
	}
	if (check_row(l, rec, err) != 0)
		return -1;
	return l->row(l, rec, err);
}

struct registry_file {
	const char *name;
	bool required;
	const char *const *cols;
	unsigned required_cols;
	const char *sql;
	int (*row)(struct loader *, const struct br_csv_record *,
	    struct br_error *);
	int (*after)(struct loader *, const char *, struct br_error *);
};

static const struct registry_file registry_files[] = {
	{ "utility.csv", true, utility_cols, 0x3, NULL, utility_row,
	  NULL },
	{ "accounts.csv", true, account_cols, 0x3,
	  "INSERT INTO account(account_id, name, mailing_address, status, "
	  "cycle_id) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(account_id) DO "
	  "UPDATE SET name = excluded.name, mailing_address = "
	  "excluded.mailing_address, status = excluded.status, cycle_id = "
	  "excluded.cycle_id", account_row, NULL },
	{ "service_points.csv", false, sp_cols, 0x3,
	  "INSERT INTO service_point(sp_id, kind, address) VALUES(?1, ?2, ?3) "
	  "ON CONFLICT(sp_id) DO UPDATE SET kind = excluded.kind, address = "
	  "excluded.address", sp_row, NULL },
	{ "meters.csv", true, meter_cols, 0x7,
	  "INSERT INTO meter(meter_id, kind, unit, multiplier_milli) "
	  "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(meter_id) DO UPDATE SET kind = "
	  "excluded.kind, unit = excluded.unit, multiplier_milli = "
	  "excluded.multiplier_milli", meter_row, NULL },
	{ "meter_installs.csv", false, install_cols, 0x7,
	  "INSERT INTO meter_install(meter_id, sp_id, install_date, "
	  "remove_date) VALUES(?1, ?2, ?3, ?4) ON CONFLICT(meter_id, "
	  "install_date) DO UPDATE SET sp_id = excluded.sp_id, remove_date = "
	  "excluded.remove_date", install_row, installs_after },
	{ "agreements.csv", false, agreement_cols, 0x17,
	  "INSERT INTO service_agreement(account_id, sp_id, start_date, "
	  "end_date, rate_code, customer_class, net_metering) VALUES(?1, ?2, "
	  "?3, ?4, ?5, ?6, ?7) ON CONFLICT(account_id, sp_id, start_date) DO "
	  "UPDATE SET end_date = excluded.end_date, rate_code = "
	  "excluded.rate_code, customer_class = excluded.customer_class, "
	  "net_metering = excluded.net_metering", agreement_row,
	  agreements_after },
	{ "cycles.csv", false, cycle_cols, 0x1f,
	  "INSERT INTO bill_cycle(cycle_id, period_start, period_end, "
	  "bill_date, due_date) VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT("
	  "cycle_id) DO UPDATE SET period_start = excluded.period_start, "
	  "period_end = excluded.period_end, bill_date = excluded.bill_date, "
	  "due_date = excluded.due_date", cycle_row, cycles_after },
};

int
br_registry_load_dir(struct br_store *st, const char *dir,
    struct br_error *err)
{
	size_t i;
	char path[1024];

	for (i = 0; i < sizeof(registry_files) / sizeof(registry_files[0]);
	    i++) {
		const struct registry_file *rf = &registry_files[i];
		struct loader l;
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, rf->name);
		if (access(path, F_OK) != 0) {
			if (!rf->required)
				continue;
			return br_error_set(err, BR_ENOINPUT, path, 0,
			    "missing registry file: %s", strerror(errno));
		}
		memset(&l, 0, sizeof(l));
		l.st = st;
		l.cols = rf->cols;
		l.required = rf->required_cols;
		l.row = rf->row;
		if (rf->sql != NULL &&
		    (l.stmt = br_store_prepare(st, rf->sql, err)) == NULL)
			return -1;
		rc = br_csv_read(path, on_record, &l, NULL, err);
		sqlite3_finalize(l.stmt);
		if (rc == 0 && !l.header)
			rc = br_error_set(err, BR_EINPUT, path, 1,
			    "empty registry file (no header line)");
		if (rc == 0 && rf->after != NULL)
			rc = rf->after(&l, path, err);
		free(l.keys);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* In-memory registry. */

static int
cmp_meter(const void *a, const void *b)
{
	return strcmp(((const struct br_registry_meter *)a)->meter_id,
	    ((const struct br_registry_meter *)b)->meter_id);
}

static int32_t
column_day(sqlite3_stmt *s, int col)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	int32_t d;

	if (t == NULL || t[0] == '\0' ||
	    br_date_parse((const char *)t, (size_t)-1, &d) != 0)
		return BR_REGISTRY_OPEN_END;
	return d;
}

int
br_registry_init(struct br_registry *reg, struct br_store *st,
    struct br_error *err)
{
	sqlite3_stmt *s = NULL;
	size_t cap;
	int rc;

	memset(reg, 0, sizeof(*reg));
	if ((s = br_store_prepare(st, "SELECT meter_id, kind, unit, "
	    "multiplier_milli FROM meter ORDER BY meter_id", err)) == NULL)
		goto fail;
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_registry_meter *m;
		if (br_grow((void **)&reg->meters, &cap, reg->nmeters,
		    sizeof(*m)) != 0)
			goto nomem;
		m = &reg->meters[reg->nmeters++];
		memset(m, 0, sizeof(*m));
		br_store_column_text(m->meter_id, sizeof(m->meter_id), s, 0);
		br_store_column_text(m->kind, sizeof(m->kind), s, 1);
		br_store_column_text(m->unit, sizeof(m->unit), s, 2);
		m->multiplier_milli = sqlite3_column_int64(s, 3);
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);
	/* SQLite's BINARY collation equals strcmp; sort anyway. */
	if (reg->nmeters > 0)
		qsort(reg->meters, reg->nmeters, sizeof(*reg->meters),
		    cmp_meter);

	if ((s = br_store_prepare(st, "SELECT meter_id, sp_id, install_date, "
	    "remove_date FROM meter_install ORDER BY meter_id, install_date",
	    err)) == NULL)
		goto fail;
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_registry_install *in;
		if (br_grow((void **)&reg->installs, &cap, reg->ninstalls,
		    sizeof(*in)) != 0)
			goto nomem;
		in = &reg->installs[reg->ninstalls];
		br_store_column_text(in->sp_id, sizeof(in->sp_id), s, 1);
		in->from_day = column_day(s, 2);
		in->to_day = column_day(s, 3);
		/* Installs of one meter are contiguous (ORDER BY). */
		{
			const char *mid =
			    (const char *)sqlite3_column_text(s, 0);
			struct br_registry_meter *m = (struct br_registry_meter *)
			    br_registry_meter_find(reg, mid ? mid : "");
			if (m != NULL) {
				if (m->ninstalls == 0)
					m->first_install = reg->ninstalls;
				m->ninstalls++;
			}
		}
		reg->ninstalls++;
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);

	if ((s = br_store_prepare(st, "SELECT sp_id, account_id, start_date, "
	    "end_date FROM service_agreement ORDER BY sp_id, start_date",
	    err)) == NULL)
		goto fail;
	cap = 0;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct br_registry_agreement *a;
		if (br_grow((void **)&reg->agreements, &cap, reg->nagreements,
		    sizeof(*a)) != 0)
			goto nomem;
		a = &reg->agreements[reg->nagreements++];
		br_store_column_text(a->sp_id, sizeof(a->sp_id), s, 0);
		br_store_column_text(a->account_id, sizeof(a->account_id), s, 1);
		a->from_day = column_day(s, 2);
		a->to_day = column_day(s, 3);
	}
	if (rc != SQLITE_DONE)
		goto sqlfail;
	sqlite3_finalize(s);
	return 0;
nomem:
	sqlite3_finalize(s);
	br_registry_release(reg);
	return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
sqlfail:
	br_store_fail(st, "read registry", err);
	sqlite3_finalize(s);
fail:
	br_registry_release(reg);
	return -1;
}

void
br_registry_release(struct br_registry *reg)
{
	free(reg->meters);
	free(reg->installs);
	free(reg->agreements);
	memset(reg, 0, sizeof(*reg));
}

const struct br_registry_meter *
br_registry_meter_find(const struct br_registry *reg, const char *meter_id)
{
	size_t lo = 0, hi = reg->nmeters;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(meter_id, reg->meters[mid].meter_id);
		if (c == 0)
			return &reg->meters[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *
br_registry_install_sp(const struct br_registry *reg,
    const struct br_registry_meter *m, int32_t day)
{
	size_t i;

	for (i = m->ninstalls; i-- > 0;) {
		const struct br_registry_install *in =
		    &reg->installs[m->first_install + i];
		if (in->from_day <= day && day <= in->to_day)
			return in->sp_id;
	}
	return NULL;
}

const char *
br_registry_account(const struct br_registry *reg, const char *sp_id,
    int32_t day)
{
	size_t lo = 0, hi = reg->nagreements, i;

	/* First agreement with this sp_id, then scan its (few) windows. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(reg->agreements[mid].sp_id, sp_id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < reg->nagreements &&
	    strcmp(reg->agreements[i].sp_id, sp_id) == 0; i++) {
		const struct br_registry_agreement *a = &reg->agreements[i];
		if (a->from_day <= day && day <= a->to_day)
			return a->account_id;
	}
	return NULL;
}

int
br_registry_check_date(struct br_store *st, const char *what,
    const char *date, struct br_error *err)
{
	sqlite3_stmt *s;
	int32_t day, lo, hi;
	int y, m, d, rc;
	char a[16], b[16];

	if (br_date_parse(date, (size_t)-1, &day) != 0)
		return br_error_set(err, BR_EUSAGE, NULL, 0, "%s wants a date "
		    "YYYY-MM-DD", what);
	if ((s = br_store_prepare(st, "SELECT min(period_start), "
	    "max(max(period_end, bill_date, due_date)) FROM bill_cycle",
	    err)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return br_store_fail(st, "read cycles", err);
	}
	lo = column_day(s, 0);
	hi = column_day(s, 1);
	sqlite3_finalize(s);
	if (lo == BR_REGISTRY_OPEN_END || hi == BR_REGISTRY_OPEN_END)
		return 0;		/* no cycles: nothing to compare with */
	br_date_civil(lo, &y, &m, &d);	/* a year before, a year after */
	lo = br_date_days(y - 1, m, m == 2 && d == 29 ? 28 : d);
	br_date_civil(hi, &y, &m, &d);
	hi = br_date_days(y + 1, m, m == 2 && d == 29 ? 28 : d);
	if (day >= lo && day <= hi)
		return 0;
	return br_error_set(err, BR_EUSAGE, NULL, 0, "%s %s is outside "
	    "%s..%s, the registry's cycles give or take a year (--force-date "
	    "to use it anyway)", what, date, br_date_format(lo, a, sizeof(a)),
	    br_date_format(hi, b, sizeof(b)));
}

int
br_registry_cycle_period(struct br_store *st, const char *cycle,
    char from[11], char to[11], struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT period_start, "
	    "period_end FROM bill_cycle WHERE cycle_id = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, cycle, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		br_store_column_text(from, 11, s, 0);
		br_store_column_text(to, 11, s, 1);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return br_error_set(err, BR_EUSAGE, NULL, 0,
		    "unknown cycle '%s'", cycle);
	if (rc != SQLITE_ROW)
		return br_store_fail(st, "read bill_cycle", err);
	return 0;
}
