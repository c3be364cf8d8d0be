/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registers.c: register reads (NEM12 500, NEM13 250, CMEP ...REG triples):
 * accumulate, sort, write to register_read.
 */
#include "import/import_int.h"

#include "core/progress.h"
#include "core/banned.h"

/* Register reads: NEM12 500, NEM13 250, CMEP ...REG triples. */

static int
cmp_reg(const void *a_, const void *b_)
{
	const struct reg_acc *a = a_, *b = b_;

	if (a->meter != b->meter)
		return a->meter < b->meter ? -1 : 1;
	if (a->channel != b->channel)
		return a->channel < b->channel ? -1 : 1;
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/*
 * Write one register read (the one this file keeps for its meter,
 * channel and instant; dups: other reads of that key in this file with
 * the same version).  A stored read of another file is replaced unless
 * its source version is newer, and the replacement is recorded in
 * register_replacement (version + 1); an identical read changes nothing.
 */
static int
reg_write(struct ctx *c, const struct reg_acc *r, long dups,
    struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[r->meter];
	int32_t day = br_imp_local_day(c, r->t);
	const char *sp = br_registry_install_sp(c->reg, m, day);
	const char *account = sp ? br_registry_account(c->reg, sp, day) :
	    NULL;
	const char *chan = r->channel == BR_CHANNEL_RECEIVED ? "received" :
	    "delivered";
	char sv[32], stamp[24];
	int64_t version = 1;
	int rc;

	if (!br_imp_in_shard(c, account, r->meter))
		return 0;
	br_time_format_utc(r->t, stamp, sizeof(stamp));
	if (dups > 0 && br_imp_add_exc(c, "DUPLICATE_READ", account, m->meter_id,
	    day, r->line, err, "%ld duplicate register reads on channel %s "
	    "at %s, last kept", dups, chan, stamp) != 0)
		return -1;
	snprintf(sv, sizeof(sv), "%s", r->version);
	sqlite3_bind_text(c->sel_reg, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->sel_reg, 2, r->channel);
	sqlite3_bind_int64(c->sel_reg, 3, r->t);
	rc = sqlite3_step(c->sel_reg);
	if (rc == SQLITE_ROW) {
		int64_t ov = sqlite3_column_int64(c->sel_reg, 0);
		int oq = sqlite3_column_int(c->sel_reg, 1);
		int64_t ofile = sqlite3_column_int64(c->sel_reg, 2);
		const unsigned char *osv = sqlite3_column_text(c->sel_reg, 3);
		int64_t over = sqlite3_column_int64(c->sel_reg, 4);
		char old_sv[32];

		snprintf(old_sv, sizeof(old_sv), "%s",
		    osv ? (const char *)osv : "");
		sqlite3_reset(c->sel_reg);
		version = over;
		/* Written by this file before a flush: an echo of a previous
		 * read never overwrites it. */
		if (ofile == c->file_id && r->echo)
			return 0;
		if (ofile != c->file_id) {
			if (sv[0] != '\0' && strcmp(old_sv, sv) > 0) {
				c->res->reg_stale++;
				return 0;
			}
			if (ov == r->value && oq == r->quality &&
			    strcmp(old_sv, sv) >= 0)
				return 0;	/* the same read again */
			if (sv[0] == '\0' || strcmp(old_sv, sv) > 0)
				snprintf(sv, sizeof(sv), "%s", old_sv);
			if (ov != r->value || oq != r->quality) {
				version = over + 1;
				sqlite3_bind_text(c->ins_reg_repl, 1,
				    m->meter_id, -1, SQLITE_STATIC);
				sqlite3_bind_int(c->ins_reg_repl, 2,
				    r->channel);
				sqlite3_bind_int64(c->ins_reg_repl, 3, r->t);
				sqlite3_bind_int64(c->ins_reg_repl, 4, ofile);
				sqlite3_bind_int64(c->ins_reg_repl, 5,
				    c->file_id);
				sqlite3_bind_int64(c->ins_reg_repl, 6, over);
				sqlite3_bind_int64(c->ins_reg_repl, 7, ov);
				sqlite3_bind_int(c->ins_reg_repl, 8, oq);
				rc = sqlite3_step(c->ins_reg_repl);
				sqlite3_reset(c->ins_reg_repl);
				if (rc != SQLITE_DONE)
					return br_store_fail(c->st,
					    "record register replacement",
					    err);
				c->res->reg_replaced++;
			} else {
				/* Same read, newer version: keep the
				 * row, remember the version. */
				sqlite3_stmt *u = c->put_reg;
				sqlite3_bind_text(u, 1, m->meter_id, -1,
				    SQLITE_STATIC);
				sqlite3_bind_int(u, 2, r->channel);
				sqlite3_bind_int64(u, 3, r->t);
				sqlite3_bind_int64(u, 4, ov);
				sqlite3_bind_int64(u, 5, ofile);
				sqlite3_bind_int(u, 6, oq);
				sqlite3_bind_text(u, 7, sv, -1, SQLITE_STATIC);
				sqlite3_bind_int64(u, 8, over);
				rc = sqlite3_step(u);
				sqlite3_reset(u);
				if (rc != SQLITE_DONE)
					return br_store_fail(c->st,
					    "write register read", err);
				return 0;
			}
		}
	} else {
		sqlite3_reset(c->sel_reg);
		if (rc != SQLITE_DONE)
			return br_store_fail(c->st, "read register_read", err);
	}
	sqlite3_bind_text(c->put_reg, 1, m->meter_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(c->put_reg, 2, r->channel);
	sqlite3_bind_int64(c->put_reg, 3, r->t);
	sqlite3_bind_int64(c->put_reg, 4, r->value);
	sqlite3_bind_int64(c->put_reg, 5, c->file_id);
	sqlite3_bind_int(c->put_reg, 6, r->quality);
	sqlite3_bind_text(c->put_reg, 7, sv, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->put_reg, 8, version);
	rc = sqlite3_step(c->put_reg);
	sqlite3_reset(c->put_reg);
	if (rc != SQLITE_DONE)
		return br_store_fail(c->st, "write register read", err);
	c->res->registers++;
	return 0;
}

/*
 * Write the register reads collected so far, in key order.  Several
 * reads of one meter, channel and instant in the file: the highest
 * source version wins; at equal versions a current read beats a NEM13
 * previous-read echo, and of two current reads the last is kept (a
 * DUPLICATE_READ).
 */
int
br_imp_flush_regs(struct ctx *c, struct br_error *err)
{
	size_t i, j;

	if (br_imp_flusher_wait(c, err) != 0)
		return -1;
	if (c->nregs > 1)
		qsort(c->regs, c->nregs, sizeof(*c->regs), cmp_reg);
	for (i = 0; i < c->nregs; i = j) {
		const struct reg_acc *best = &c->regs[i];
		long dups = 0;

		for (j = i + 1; j < c->nregs && c->regs[j].meter ==
		    best->meter && c->regs[j].channel == best->channel &&
		    c->regs[j].t == best->t; j++) {
			const struct reg_acc *x = &c->regs[j];
			int v = strcmp(x->version, best->version);

			if (v < 0 || (v == 0 && x->echo && !best->echo))
				continue;
			if (v == 0 && !x->echo && !best->echo)
				dups++;
			best = x;
		}
		if (reg_write(c, best, dups, err) != 0)
			return -1;
	}
	c->nregs = 0;
	return 0;
}

/* Queue one register read of registry meter mi. */
static int
reg_add(struct ctx *c, long mi, const struct br_ami_register *r, int64_t t,
    int64_t v, uint8_t q, bool echo, struct br_error *err)
{
	const struct br_registry_meter *m = &c->reg->meters[mi];
	struct reg_acc *a;
	int64_t stored, mult;
	int rc;

	if (q & BR_Q_MISSING)
		return 0;	/* a no-read placeholder: nothing to keep */
	if (!br_imp_install_check(c, mi, br_imp_local_day(c, t), r->line))
		return 0;
	/* Register dials exclude the meter multiplier (MDFF); CMEP values
	 * already carry the row's Calculation Constant. */
	mult = c->fmt == BR_FMT_NEM12 ? m->multiplier_milli : 1000;
	rc = br_imp_convert_value(v, r->unit, m, mult, &stored);
	if (rc < 0)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "%sregister read too large", echo ? "previous " : "");
	if (c->nregs == c->regs_cap) {
		size_t nc = c->regs_cap ? c->regs_cap * 2 : 64;
		void *p = realloc(c->regs, nc * sizeof(*c->regs));
		if (p == NULL)
			return br_imp_nomem(err);
		c->regs = p;
		c->regs_cap = nc;
	}
	a = &c->regs[c->nregs++];
	a->meter = (size_t)mi;
	a->channel = r->channel;
	a->t = t;
	a->value = stored;
	a->quality = q;
	a->echo = echo;
	a->line = r->line;
	a->seq = c->reg_seq++;
	snprintf(a->version, sizeof(a->version), "%s", r->version);
	if (c->nregs >= MAX_OPEN_REGS)
		return br_imp_flush_regs(c, err);
	return 0;
}

/*
 * One register read from a parser: matched to a registry meter like the
 * intervals, checked against the install windows (same exceptions),
 * converted to milli-units of the meter's unit.  A NEM13 record's
 * previous read is kept as a read of its own instant (CMEP's previous
 * triple is handed out on its own).
 */
int
br_imp_on_ami_register(void *ctx, const struct br_ami_register *r,
    struct br_error *err)
{
	struct ctx *c = ctx;
	int64_t probe;
	long mi;

	if (r->channel != BR_CHANNEL_DELIVERED &&
	    r->channel != BR_CHANNEL_RECEIVED) {
		c->res->other++;
		return 0;
	}
	c->rows++;
	br_progress("rows", c->rows, 0);
	if ((mi = br_imp_ami_meter_of(c, r->meter_id, r->nmi_suffix, r->serial,
	    r->line, err)) == LONG_MIN)
		return -1;
	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows++ == 0)
			u->first_day = br_imp_local_day(c, r->read_utc);
		return 0;
	}
	if (br_imp_convert_value(0, r->unit, &c->reg->meters[mi], 1000, &probe) == -2)
		return br_error_set(err, BR_EINPUT, r->file, r->line,
		    "unit '%s' of register read of meter '%s' does not "
		    "convert to the registry unit '%s'", r->unit, r->meter_id,
		    c->reg->meters[mi].unit);
	/* NEM13 only: a CMEP row hands out each of its triples anyway. */
	if (c->fmt == BR_FMT_NEM12 && r->has_previous && reg_add(c, mi, r,
	    r->prev_utc, r->prev_milli, r->prev_quality, true, err) != 0)
		return -1;
	return reg_add(c, mi, r, r->read_utc, r->value_milli, r->quality,
	    false, err);
}
