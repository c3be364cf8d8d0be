/* SPDX-License-Identifier: Apache-2.0 */
/*
 * itemkey.c: the natural key of every item (table payment_item), so a
 * re-sent or overlapping file posts nothing twice.
 */
#include "pay/pay_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/banned.h"

/* ---- item keys (payment_item): nothing is posted twice ---- */

/* By key, then file order (the items are one array). */
static int
cmp_keyidx(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	int c = strcmp(x->key, y->key);

	return c != 0 ? c : (x > y) - (x < y);
}

/*
 * Give every item its natural key: format, originator, reference,
 * signed amount, date, account, bill, scan line, method and kind, then
 * its occurrence among the file's items with the same fields (two
 * genuine identical checks stay two); an item without a bank reference
 * also carries the file's base name (see post_file).  *plen[i]: length
 * of the key without the name.
 */
int
br_pay_build_keys(struct reader *r, const char *base, size_t **plen,
    struct br_error *err)
{
	struct item **idx;
	size_t i, occ = 0;
	char buf[1024];

	*plen = NULL;
	if (r->n == 0)
		return 0;
	idx = malloc(r->n * sizeof(*idx));
	*plen = calloc(r->n, sizeof(**plen));
	if (idx == NULL || *plen == NULL) {
		free(idx);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];

		snprintf(buf, sizeof(buf), "%s|%s|%s|%lld|%s|%s|%s|%s|%s|%d",
		    r->format, it->originator, it->reference,
		    (long long)it->signed_cents, it->date, it->account,
		    it->bill, it->scan, it->method, it->kind);
		if ((it->key = strdup(buf)) == NULL) {
			free(idx);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
		idx[i] = it;
	}
	qsort(idx, r->n, sizeof(*idx), cmp_keyidx);
	/* Occurrence numbers first (plen holds them for a moment). */
	for (i = 0; i < r->n; i++) {
		occ = i > 0 && strcmp(idx[i - 1]->key, idx[i]->key) == 0 ?
		    occ + 1 : 1;
		(*plen)[idx[i] - r->v] = occ;
	}
	for (i = 0; i < r->n; i++) {
		struct item *it = &r->v[i];
		int n = snprintf(buf, sizeof(buf), "%s|#%zu", it->key,
		    (*plen)[i]);

		if (n < 0 || (size_t)n >= sizeof(buf) - 1)
			n = (int)sizeof(buf) - 2;
		(*plen)[i] = (size_t)n;
		if (!it->traced)
			snprintf(buf + n, sizeof(buf) - (size_t)n, "|%s", base);
		free(it->key);
		if ((it->key = strdup(buf)) == NULL) {
			free(idx);
			return br_error_set(err, BR_ENOMEM, NULL, 0,
			    "out of memory");
		}
	}
	free(idx);
	return 0;
}

/*
 * 0: a new item; 1: posted already (same key: a re-sent file); 2: a
 * trace-less item another file (other name) carried already.  -1.
 */
int
br_pay_key_state(struct br_store *st, const struct item *it, size_t plen,
    struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "SELECT 1 FROM payment_item "
	    "WHERE item_key = ?1", err);
	int rc;

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read payment items", err);
	if (it->traced)
		return 0;
	/* Keys of the same item from files of other names: "<prefix>|..." */
	s = br_store_prepare(st, "SELECT 1 FROM payment_item WHERE item_key > "
	    "?1 || '|' AND item_key < ?1 || '}' LIMIT 1", err);
	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, (int)plen, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 2;
	if (rc != SQLITE_DONE)
		return br_store_fail(st, "read payment items", err);
	return 0;
}

int
br_pay_record_key(struct br_store *st, long file_id, const struct item *it,
    long payment_id, struct br_error *err)
{
	sqlite3_stmt *s = br_store_prepare(st, "INSERT INTO payment_item("
	    "item_key, file_id, line, originator, traced, payment_id) "
	    "VALUES(?1, ?2, ?3, ?4, ?5, ?6)", err);

	if (s == NULL)
		return -1;
	sqlite3_bind_text(s, 1, it->key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, file_id);
	sqlite3_bind_int64(s, 3, it->line);
	sqlite3_bind_text(s, 4, it->originator, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, it->traced);
	if (payment_id > 0)
		sqlite3_bind_int64(s, 6, payment_id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_finalize(s);
		return br_store_fail(st, "record payment item", err);
	}
	sqlite3_finalize(s);
	return 0;
}
