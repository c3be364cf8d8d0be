/* SPDX-License-Identifier: Apache-2.0 */
/*
 * days.c: the open meter-day table (open addressing, pooled buffers) and
 * writing one day to interval_day, merged with the stored row.
 */
#include "import/import_int.h"

#include "core/banned.h"

static uint64_t
day_key(size_t meter, int channel, int32_t day)
{
	return (uint64_t)meter << 34 | (uint64_t)(channel & 3) << 32 |
	    ((uint32_t)day ^ 0x80000000u);
}

static size_t
day_hash(uint64_t h, size_t mask)
{
	/* murmur3 finalizer: consecutive meters and days spread out. */
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ull;
	h ^= h >> 33;
	return (size_t)h & mask;
}

static struct open_day *
day_slot(struct ctx *c, uint64_t key)
{
	size_t i = day_hash(key, c->cap - 1);

	for (;; i = (i + 1) & (c->cap - 1))
		if (c->slots[i].a == NULL || c->slots[i].key == key)
			return &c->slots[i];
}

static int
day_table_grow(struct ctx *c, struct br_error *err)
{
	size_t oc = c->cap, nc = oc ? oc * 2 : 256, i;
	struct open_day *old = c->slots;

	if ((c->slots = calloc(nc, sizeof(*c->slots))) == NULL) {
		c->slots = old;
		return br_imp_nomem(err);
	}
	c->cap = nc;
	for (i = 0; i < oc; i++)
		if (old[i].a != NULL)
			*day_slot(c, old[i].key) = old[i];
	free(old);
	return 0;
}

/* Start and end of local day (cached: a file cycles through its days). */
const struct day_span *
br_imp_day_span(struct ctx *c, int32_t day)
{
	struct day_span *sp = &c->spans[(uint32_t)day % DAY_SPANS];

	if (!sp->valid || sp->day != day) {
		sp->day = day;
		sp->start = br_tz_day_start(c->tz, day);
		sp->end = br_tz_day_start(c->tz, day + 1);
		sp->valid = true;
	}
	return sp;
}

static size_t
day_bytes(int32_t n)
{
	size_t b = sizeof(struct day_acc) + (size_t)n * (sizeof(int64_t) + 2);

	return (b + 63) & ~(size_t)63;
}

/* A new meter-day buffer for n slots. */
static struct day_acc *
day_alloc(struct ctx *c, int32_t n)
{
	size_t b = day_bytes(POOL_N);
	struct day_acc *a;

	if (n > POOL_N) {
		if ((a = malloc(day_bytes(n))) == NULL)
			return NULL;
		a->cap_n = n;
		a->pooled = false;
		return a;
	}
	if (c->chunk_at == NULL || (size_t)(c->chunk_end - c->chunk_at) < b) {
		void *blk;
		if (c->nchunks == c->chunk_cap) {
			size_t nc = c->chunk_cap ? c->chunk_cap * 2 : 16;
			void *p = realloc(c->chunks, nc * sizeof(*c->chunks));
			if (p == NULL)
				return NULL;
			c->chunks = p;
			c->chunk_cap = nc;
		}
		if ((blk = aligned_alloc(CHUNK_BYTES, CHUNK_BYTES)) == NULL)
			return NULL;
#ifdef MADV_HUGEPAGE
		(void)madvise(blk, CHUNK_BYTES, MADV_HUGEPAGE);
#endif
		c->chunks[c->nchunks++] = blk;
		c->chunk_at = blk;
		c->chunk_end = c->chunk_at + CHUNK_BYTES;
	}
	a = (struct day_acc *)(void *)c->chunk_at;
	c->chunk_at += b;
	a->cap_n = POOL_N;
	a->pooled = true;
	return a;
}

struct day_acc *
br_imp_day_get(struct ctx *c, size_t meter, int channel, int32_t day,
    int32_t interval_s, long line, struct br_error *err)
{
	struct open_day *slot;
	struct day_acc *a;
	const struct day_span *sp;
	uint64_t key;
	int32_t n;

	if (c->last != NULL && c->last->meter == meter &&
	    c->last->channel == channel && c->last->day == day)
		return c->last;
	if ((c->count + 1) * 2 > c->cap && day_table_grow(c, err) != 0)
		return NULL;
	key = day_key(meter, channel, day);
	slot = day_slot(c, key);
	if (slot->a != NULL)
		return c->last = slot->a;
	sp = br_imp_day_span(c, day);
	n = (int32_t)((sp->end - sp->start) / interval_s);
	if (c->free_days == NULL && c->fl != NULL && c->fl->started)
		br_imp_take_returned(c);
	if ((a = c->free_days) != NULL && a->cap_n >= n)
		c->free_days = a->next_free;
	else if ((a = day_alloc(c, n)) == NULL) {
		br_imp_nomem(err);
		return NULL;
	}
	a->meter = meter;
	a->channel = channel;
	a->day = day;
	a->interval_s = interval_s;
	a->n = n;
	a->start = sp->start;
	a->first_line = line;
	a->dups = 0;
	a->version[0] = '\0';
	a->sv = NULL;
	a->quality = (uint8_t *)(a->values + n);
	a->seen = a->quality + n;
	memset(a->values, 0, (size_t)n * sizeof(int64_t));
	memset(a->quality, BR_Q_MISSING, (size_t)n);
	memset(a->seen, 0, (size_t)n);
	slot->key = key;
	slot->a = a;
	c->count++;
	return c->last = a;
}

/* Make sure the merge scratch holds n slots. */
static int
scratch(struct ctx *c, int32_t n, struct br_error *err)
{
	void *v, *q, *b;

	if (n <= c->scratch_n)
		return 0;
	v = realloc(c->merge_vals, (size_t)n * sizeof(int64_t));
	if (v != NULL)
		c->merge_vals = v;
	q = realloc(c->merge_q, (size_t)n);
	if (q != NULL)
		c->merge_q = q;
	b = realloc(c->blob, (size_t)n * 8);
	if (b != NULL)
		c->blob = b;
	if (v == NULL || q == NULL || b == NULL)
		return br_imp_nomem(err);
	c->scratch_n = n;
	return 0;
}

void
br_imp_span_add(long *count, int32_t *first, int32_t *last, long *line,
    int32_t day, long at_line)
{
	if (*count == 0 || day < *first)
		*first = day;
	if (*count == 0 || day > *last)
		*last = day;
	if (*count == 0 || at_line < *line)
		*line = at_line;
	(*count)++;
}

/* The day's source version, once its row is written; counts the day. */
static int
write_version(struct ctx *c, const struct br_registry_meter *m,
    const struct day_acc *a, struct br_error *err)
{
	int rc;

	if (a->version[0] != '\0') {
		sqlite3_bind_text(c->put_ver, 1, m->meter_id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(c->put_ver, 2, a->channel);
		sqlite3_bind_int(c->put_ver, 3, a->day);
		sqlite3_bind_text(c->put_ver, 4, a->version, -1,
		    SQLITE_STATIC);
		rc = sqlite3_step(c->put_ver);
		sqlite3_reset(c->put_ver);
		if (rc != SQLITE_DONE)
			return br_store_fail(c->st, "write source version",
			    err);
	}
	c->res->days++;
	return 0;
}

/*
 * Most days of an import are new to the store: insert the day as sent
 * (version 1), the row the merge below would write when nothing is
 * stored, without reading first (on a little-endian host the values are
 * bound as they are: br_store_pack_values' form).  Returns 1 when inserted, 0 when the
 * store has the day (merge it), -1 on error.
 */
static int
insert_new(struct ctx *c, const struct br_registry_meter *m,
    const struct day_acc *a, struct br_error *err)
{
	const void *vals = a->values;	/* little-endian: packed already */
	int rc;

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
	br_store_pack_values(a->values, a->n, c->blob);
	vals = c->blob;
#endif
	sqlite3_bind_text(c->new_day, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->new_day, 2, a->channel);
	sqlite3_bind_int(c->new_day, 3, a->day);
	sqlite3_bind_int(c->new_day, 4, a->interval_s);
	sqlite3_bind_int(c->new_day, 5, a->n);
	sqlite3_bind_blob(c->new_day, 6, vals, 8 * a->n, SQLITE_STATIC);
	sqlite3_bind_blob(c->new_day, 7, a->quality, a->n, SQLITE_STATIC);
	sqlite3_bind_int64(c->new_day, 8, c->file_id);
	rc = sqlite3_step(c->new_day);
	sqlite3_reset(c->new_day);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "write interval day", err);
	return sqlite3_changes(c->st->db) > 0;
}

/* Write one open meter-day, merging with the stored row. */
int
br_imp_day_write(struct ctx *c, struct day_acc *a, struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[a->meter];
	const char *sp = br_registry_install_sp(c->reg, m, a->day);
	const char *account = sp ? br_registry_account(c->reg, sp, a->day) :
	    NULL;
	int64_t version = 1;
	int32_t i;
	int rc;

	/* --shard: another shard's meter-day (no account: the meter's
	 * home shard, else shard 1). */
	if (!br_imp_in_shard(c, account, a->meter))
		return 0;

	/* A day re-sent with an older source version does not replace. */
	if (a->version[0] != '\0') {
		sqlite3_bind_text(c->sel_ver, 1, m->meter_id, -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(c->sel_ver, 2, a->channel);
		sqlite3_bind_int(c->sel_ver, 3, a->day);
		rc = sqlite3_step(c->sel_ver);
		if (rc == SQLITE_ROW && strcmp((const char *)
		    sqlite3_column_text(c->sel_ver, 0), a->version) > 0) {
			sqlite3_reset(c->sel_ver);
			c->res->stale++;
			return 0;
		}
		sqlite3_reset(c->sel_ver);
		if (rc != SQLITE_ROW && rc != SQLITE_DONE)
			return br_store_fail(c->st, "read source version",
			    err);
	}
	if (account == NULL) {
		struct noacct_stat *na = &c->noacct[a->meter];
		br_imp_span_add(&na->days, &na->first, &na->last, &na->line, a->day,
		    a->first_line);
	}
	if (a->dups > 0 && br_imp_add_exc(c, "DUPLICATE_READ", account, m->meter_id,
	    a->day, a->first_line, err,
	    "%ld duplicate reads on channel %s, last kept", a->dups,
	    a->channel == BR_CHANNEL_RECEIVED ? "received" : "delivered") != 0)
		return -1;
	if (scratch(c, a->n, err) != 0)
		return -1;
	if ((rc = insert_new(c, m, a, err)) != 0)
		return rc < 0 ? -1 : write_version(c, m, a, err);
	memcpy(c->merge_vals, a->values, (size_t)a->n * sizeof(int64_t));
	memcpy(c->merge_q, a->quality, (size_t)a->n);

	sqlite3_bind_text(c->sel_day, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->sel_day, 2, a->channel);
	sqlite3_bind_int(c->sel_day, 3, a->day);
	rc = sqlite3_step(c->sel_day);
	if (rc == SQLITE_ROW) {
		int32_t old_is = sqlite3_column_int(c->sel_day, 0);
		int32_t old_n = sqlite3_column_int(c->sel_day, 1);
		const unsigned char *ov = sqlite3_column_blob(c->sel_day, 2);
		int ovlen = sqlite3_column_bytes(c->sel_day, 2);
		const unsigned char *oq = sqlite3_column_blob(c->sel_day, 3);
		int oqlen = sqlite3_column_bytes(c->sel_day, 3);
		int64_t old_file = sqlite3_column_int64(c->sel_day, 4);
		int64_t old_version = sqlite3_column_int64(c->sel_day, 5);

		/*
		 * Same layout: keep old slots this file did not send, and
		 * old values where this file sends only "missing".
		 */
		if (old_is == a->interval_s && old_n == a->n &&
		    ovlen == 8 * old_n && oqlen == old_n) {
			br_store_unpack_values(ov, old_n, c->merge_vals);
			for (i = 0; i < a->n; i++) {
				if (a->seen[i] && (!(a->quality[i] &
				    BR_Q_MISSING) || (oq[i] & BR_Q_MISSING))) {
					c->merge_vals[i] = a->values[i];
					c->merge_q[i] = a->quality[i];
				} else
					c->merge_q[i] = oq[i];
			}
		}
		version = old_version;
		/*
		 * A re-sent day identical in values and quality (CRLF, a
		 * blank line, another order: another file, same data) is a
		 * no-op: no new version, no replacement, no write.
		 */
		if (old_file != c->file_id && old_is == a->interval_s &&
		    old_n == a->n && ovlen == 8 * a->n && oqlen == a->n &&
		    memcmp(oq, c->merge_q, (size_t)a->n) == 0) {
			br_store_pack_values(c->merge_vals, a->n, c->blob);
			if (memcmp(ov, c->blob, (size_t)ovlen) == 0) {
				sqlite3_reset(c->sel_day);
				c->res->unchanged++;
				return 0;
			}
		}
		if (old_file != c->file_id) {
			version = old_version + 1;
			sqlite3_bind_text(c->ins_repl, 1, m->meter_id, -1,
			    SQLITE_STATIC);
			sqlite3_bind_int(c->ins_repl, 2, a->channel);
			sqlite3_bind_int(c->ins_repl, 3, a->day);
			sqlite3_bind_int64(c->ins_repl, 4, old_file);
			sqlite3_bind_int64(c->ins_repl, 5, c->file_id);
			sqlite3_bind_int64(c->ins_repl, 6, old_version);
			rc = sqlite3_step(c->ins_repl);
			sqlite3_reset(c->ins_repl);
			if (rc != SQLITE_DONE) {
				sqlite3_reset(c->sel_day);
				return br_store_fail(c->st,
				    "record replacement", err);
			}
			c->res->replaced++;
		}
	} else if (rc != SQLITE_DONE) {
		sqlite3_reset(c->sel_day);
		return br_store_fail(c->st, "read interval day", err);
	}
	sqlite3_reset(c->sel_day);

	br_store_pack_values(c->merge_vals, a->n, c->blob);
	sqlite3_bind_text(c->put_day, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->put_day, 2, a->channel);
	sqlite3_bind_int(c->put_day, 3, a->day);
	sqlite3_bind_int(c->put_day, 4, a->interval_s);
	sqlite3_bind_int(c->put_day, 5, a->n);
	sqlite3_bind_blob(c->put_day, 6, c->blob, 8 * a->n, SQLITE_STATIC);
	sqlite3_bind_blob(c->put_day, 7, c->merge_q, a->n, SQLITE_STATIC);
	sqlite3_bind_int64(c->put_day, 8, c->file_id);
	sqlite3_bind_int64(c->put_day, 9, version);
	rc = sqlite3_step(c->put_day);
	sqlite3_reset(c->put_day);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "write interval day", err);
	return write_version(c, m, a, err);
}
