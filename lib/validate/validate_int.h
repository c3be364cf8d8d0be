/* SPDX-License-Identifier: Apache-2.0 */
/*
 * validate_int.h: private to lib/validate/.  The working types of a
 * validate-reads run (scope, loaded day, flattened slot, run context) and
 * what the run (validate.c), estimation (estimate.c) and the checks
 * (checks.c) call in each other.
 */
#ifndef BR_VALIDATE_INT_H
#define BR_VALIDATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/error.h"
#include "core/money.h"
#include "core/tz.h"
#include "validate/validate.h"
#include "validate/vee_rules.h"

/* One stretch of days an account had a meter, clipped to the period. */
struct scope {
	char account_id[64];
	char meter_id[64];
	bool electric;
	unsigned kind;			/* enum br_vee_kind bit */
	bool net_metering;		/* agreement enrolled in net metering */
	int32_t from, to;		/* days checked, inclusive */
	int32_t sa_from;		/* agreement start */
	int32_t inst_from, inst_to;	/* meter installed, inclusive */
};

/* One loaded interval_day row (or a hole where there is none). */
struct vday {
	int32_t day;
	bool present;		/* an interval_day row exists */
	bool bad_count;		/* n differs from the day's length */
	bool dirty;		/* estimates were filled in */
	bool synthetic;		/* no row: made up for a forced estimate */
	int32_t interval_s, n;
	int64_t *values;	/* OWNED */
	uint8_t *quality;	/* OWNED */
};

/* One interval of the flattened sequence of loaded days. */
struct slot {
	struct vday *d;		/* BORROWED */
	int32_t k;		/* index within the day */
	bool brk;		/* not continuous with the previous slot */
};

struct ctx {
	struct br_store *st;
	const struct br_validate_opts *opts;
	struct br_tz tz;
	sqlite3_stmt *ins_exc;	/* OWNED */
	sqlite3_stmt *sel_day;	/* OWNED */
	sqlite3_stmt *upd_day;	/* OWNED */
	sqlite3_stmt *sel_legacy;	/* OWNED: converted history (HIGH_BILL) */
	struct br_validate_summary *sum;
	struct br_vee_rules rules;
	bool forced;		/* the day being reported was force-estimated */
	bool has_registers;	/* the store has table register_read */
};

/* Is rule r enabled for scope sc's meter kind? */
static inline bool
rule_on(const struct ctx *c, enum br_vee_rule r, const struct scope *sc)
{
	return c->rules.rule[r].enabled && (c->rules.rule[r].kinds &
	    sc->kind) != 0;
}

static inline int64_t
param(const struct ctx *c, enum br_vee_rule r, int i)
{
	return br_vee_param(&c->rules, r, i);
}

/* Milli-units as a decimal with 3 places. */
static inline const char *
qty(int64_t v, char *buf, size_t n)
{
	return br_decimal_format(v, 3, 3, buf, n);
}

/* num/den as "2.25" (truncated to 2 places). */
static inline const char *
ratio_fmt(int64_t num, int64_t den, char *buf, size_t n)
{
	int64_t r = den > 0 ? num * 100 / den : 0;

	return br_decimal_format(r, 2, 2, buf, n);
}

/* UTC instant at which interval k of day d starts. */
static inline int64_t
slot_start(const struct ctx *c, const struct vday *d, int32_t k)
{
	return br_tz_day_start(&c->tz, d->day) + (int64_t)k * d->interval_s;
}

/* validate.c: exceptions and time formatting shared by the checks. */
int br_val_add_exception(struct ctx *c, enum br_vee_rule r, const struct scope
    *sc, int32_t day, const char *detail, struct br_error *err);
void br_val_fmt_hhmm(const struct ctx *c, int32_t day, int64_t t, char *buf,
    size_t n);
void br_val_fmt_offset(const struct ctx *c, int64_t t, char *buf, size_t n);

/* estimate.c: filling missing intervals (linear, like day, fallback). */
void br_val_estimate(struct ctx *c, struct slot *slots, size_t n);
bool br_val_forced_day(const struct ctx *c, const struct scope *sc, int32_t
    day);
bool br_val_reference_day(const struct vday *r, const struct vday *d);
void br_val_estimate_beyond(struct ctx *c, const struct scope *sc, struct vday
    *days, int32_t first, size_t i, bool forced);
int br_val_synth_day(struct ctx *c, struct vday *days, int32_t first, size_t
    i, struct br_error *err);
int br_val_own_method(uint8_t q);

/* checks.c: the VEE rules over one day, runs of slots and the period. */
int br_val_check_gaps(struct ctx *c, const struct scope *sc, const char *pfx,
    const struct vday *d, struct br_error *err);
int br_val_check_negative(struct ctx *c, const struct scope *sc, const char
    *pfx, const struct vday *d, struct br_error *err);
int br_val_check_zero_runs(struct ctx *c, const struct scope *sc, struct slot
    *slots, size_t n, struct br_error *err);
int br_val_check_rollover(struct ctx *c, const struct scope *sc, const char
    *pfx, const struct vday *d, struct br_error *err);
int br_val_check_spike(struct ctx *c, const struct scope *sc, const struct
    vday *d, struct br_error *err);
int br_val_check_max_demand(struct ctx *c, const struct scope *sc, const
    struct vday *d, struct br_error *err);
int br_val_check_reverse(struct ctx *c, const struct scope *sc, const struct
    vday *d, struct br_error *err);
int br_val_check_stuck(struct ctx *c, const struct scope *sc, struct slot
    *slots, size_t n, struct br_error *err);
int br_val_check_leak(struct ctx *c, const struct scope *sc, struct slot
    *slots, size_t n, struct br_error *err);
int br_val_check_usage(struct ctx *c, const struct scope *sc, struct br_error
    *err);
int br_val_check_sum(struct ctx *c, const struct scope *sc, int channel,
    struct vday *days, int32_t first, size_t ndays, struct br_error *err);
int br_val_check_clock_shift(struct ctx *c, const struct scope *sc, struct
    vday *days, int32_t first, size_t i, struct br_error *err);

#endif
