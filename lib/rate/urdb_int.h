/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb_int.h: private to lib/rate/urdb*.c.  The working state of one
 * URDB conversion (struct cv), the rate structures and schedules read
 * from the JSON, seasons, the output buffer, and what the three files
 * call in each other: urdb_json.c (reading), urdb_map.c (mapping to the
 * tariff model's seasons, TOU periods and charges) and urdb.c (feature
 * checks, YAML writing, the public API).
 */
#ifndef BR_URDB_INT_H
#define BR_URDB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "core/error.h"
#include "rate/urdb.h"

#define MAXP 64			/* URDB periods per structure */
#define MAXT 16			/* URDB tiers per period */
#define MAXC (2 * MAXP)		/* energy x demand period combinations */
#define P12 1000000000000LL	/* scale of exact dollar amounts */
#define UNLIMITED_MILLI 1000000000000LL	/* 1e9 units: "no limit" */

struct tier {
	int64_t rate;		/* rate + adj, dollars x 1e12 */
	int64_t max_milli;	/* cumulative limit, -1 = none */
	int64_t sell;		/* dollars x 1e12 */
	char unit[24];
	char text[96];		/* "0.01974 + adj 0.0283685" for comments */
};

struct structure {
	size_t n;		/* periods */
	size_t ntiers[MAXP];
	struct tier *t[MAXP];	/* OWNED each */
	bool present;
};

struct sched {
	bool present;
	int v[12][24];
};

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

struct cv {
	const struct br_urdb_opts *o;
	struct br_urdb_result *r;
	struct br_error *err;
	const char *src;
	json_object *root;	/* the tariff object */
	struct structure energy, demand, flat, coinc;
	struct sched ewd, ewe, dwd, dwe;
	int flatmonths[12];
	bool has_flatmonths;
	int64_t fuel[12];	/* dollars x 1e12 per kWh */
	char elabels[MAXP][32];
	uint64_t tou_tiered;	/* energy periods tiered inside TOU */
	uint64_t sell;		/* energy periods with a sell rate */
	uint64_t tou_demand;	/* TOU demand periods with a charge */
	uint64_t tou_demand_split;	/* ... in a weekday/weekend split */
	int64_t ratchet_ppm;		/* lookbackpercent, 0 = none */
	size_t ndemand;			/* demand entries written */
	int32_t eff, end;		/* version dates */
	bool has_end;
	int64_t fixed;			/* customer charge, dollars x 1e12 */
	const char *per, *fsrc;
	int ratchet_months;		/* lookbackrange */
	struct buf nem;		/* the version's net_metering section */
	struct buf cm;		/* header comments */
	struct buf y;		/* body */
};
struct season {
	int from, to;		/* months 0..11, inclusive, may wrap */
	char name[16];
};

extern const char *const br_urdb_month_abbr[12];
extern const char *const br_urdb_f_demandunit[];
extern const char *const br_urdb_f_flatunit[];
extern const char *const br_urdb_f_reactive[];
extern const char *const br_urdb_f_dgrules[];
extern const char *const br_urdb_info_fields[];

void
br_urdb_bput(struct buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
int br_urdb_utf8_len(const unsigned char *s);
void br_urdb_clean_text(char *s);
void br_urdb_note(struct cv *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void br_urdb_problem(struct cv *c, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
int br_urdb_dec_scaled(const char *s, int scale, int64_t *out, bool *exact);
const char *br_urdb_num_text(json_object *v);
int br_urdb_get_money(json_object *v, int64_t *out);
int br_urdb_get_index(json_object *v, int64_t *out);
int64_t br_urdb_round12(int64_t p12, int scale, bool *exact);
const char *br_urdb_fmt_dec(int64_t v, int scale, int mindec, char *b, size_t
    n);
json_object *br_urdb_field(json_object *o, const char *name);
json_object *br_urdb_field_any(json_object *o, const char *const *names);
const char *br_urdb_str_field(json_object *o, const char *name);
int
br_urdb_bad(struct cv *c, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void br_urdb_structure_free(struct structure *s);
int br_urdb_load_structure(struct cv *c, const char *name, struct structure
    *s);
int br_urdb_load_pair(struct cv *c, const struct structure *s, const char *wd,
    const char *we, struct sched *swd, struct sched *swe);
size_t br_urdb_make_seasons(struct cv *const *cs, size_t nc, struct season
    *out);
int br_urdb_rate_text(struct cv *c, const char *what, const char *field_name,
    int64_t p12, char *b, size_t n);
int br_urdb_amount_text(struct cv *c, const char *what, const char
    *field_name, int64_t p12, char *b, size_t n);
void br_urdb_period_names(struct cv *c);
void br_urdb_emit_energy(struct cv *c, const struct season *s, int m);
void br_urdb_emit_demand(struct cv *c, const struct season *s, int m, bool
    *header);

#endif
