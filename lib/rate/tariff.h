/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff.h: tariffs (rates/<CODE>.yaml) loaded with libyaml into plain
 * structs.  The language is documented in docs/tariff.md.  Rates per unit
 * (energy, demand, riders, sewer volume, export, surplus, hourly prices)
 * are nano-dollars per unit (_nano, exact to the 9 decimals a tariff may
 * state); amounts per month or day (customer charge, minimum bill) are
 * micro-dollars (_micro), factors parts per million, limits milli-units;
 * no floating point.
 */
#ifndef BR_TARIFF_H
#define BR_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/money.h"

#define BR_TARIFF_MAX_SEASONS 8
#define BR_TARIFF_MAX_TIERS 8
#define BR_TARIFF_MAX_PERIODS 8
#define BR_TARIFF_MAX_HOURS 4
#define BR_TARIFF_MAX_CHARGES 8
#define BR_TARIFF_MAX_DEMAND 16	/* demand entries of a version */
#define BR_TARIFF_MAX_BTU 24
#define BR_TARIFF_MAX_PRICES 4

/* Day types for TOU periods (a holiday counts as a weekend day). */
enum br_daytype {
	BR_DAY_WEEKDAY = 0,
	BR_DAY_WEEKEND = 1
};

enum br_energy_kind {
	BR_ENERGY_FLAT = 1,
	BR_ENERGY_TIERED,
	BR_ENERGY_TOU,
	BR_ENERGY_PRICES		/* real-time hourly prices */
};

struct br_tariff_season {
	char name[32];
	int from_month, to_month;	/* 1..12, inclusive, may wrap */
};

struct br_tariff_tier {
	int64_t upto_milli;		/* monthly limit; -1 = no limit */
	int64_t rate_nano;
};

struct br_tariff_period {
	char name[32];			/* e.g. on_peak */
	int64_t rate_nano;		/* ntiers == 0 */
	size_t ntiers;			/* > 0: tiers on this period's usage */
	struct br_tariff_tier tiers[BR_TARIFF_MAX_TIERS];
};

struct br_tariff_energy {
	int season;			/* index into seasons, -1 = all */
	enum br_energy_kind kind;
	int64_t rate_nano;		/* FLAT */
	bool prorate;			/* TIERED, TOU tiers: limits by days */
	size_t ntiers;
	struct br_tariff_tier tiers[BR_TARIFF_MAX_TIERS];
	size_t nperiods;
	struct br_tariff_period periods[BR_TARIFF_MAX_PERIODS];
	/* TOU: period index per day type and 15-minute slot of local time
	 * (hour ranges are on quarter hours). */
	uint8_t slot_period[2][96];
	int prices;			/* PRICES: index into tariff prices */
	int64_t adder_nano;		/* PRICES: added to every hour's price */
};

/* Hourly prices read from a CSV file (docs/tariff.md). */
struct br_price_table {
	char file[512];			/* path opened (rates dir + name) */
	char name[256];			/* as written in the tariff, relative
					 * to the rates directory: traces use
					 * it, so they do not depend on where
					 * the rates directory is */
	int64_t first_hour;		/* UTC hour (unix time / 3600) */
	size_t n;
	int64_t *price_nano;		/* OWNED: n hours; INT64_MIN = none */
};

struct br_tariff_demand {
	int season;			/* -1 = all */
	int64_t rate_nano;		/* per kW of monthly max demand */
	size_t ntiers;			/* > 0: kW blocks instead of rate */
	struct br_tariff_tier tiers[BR_TARIFF_MAX_TIERS];
	char period[100];		/* TOU demand: energy period name, or the
					 * names of a list joined by '+'; "" = any */
	size_t nperiods;		/* names in periods (0 = any) */
	char periods[BR_TARIFF_MAX_PERIODS][32];
	bool totalize;			/* sum the service point's meters per
					 * 15 minutes before taking the max */
	int64_t ratchet_ppm;		/* ratchet: share of prior billed max, 0 = none */
	int ratchet_months;		/* ... over this many prior months */
};

/* A rider: a per-unit charge (or credit) on the usage. */
struct br_tariff_rider {
	char code[32];			/* line code */
	char name[64];
	int64_t rate_nano;		/* may be negative (a credit) */
};

#define BR_TARIFF_MAX_APPLY 8

/* A percentage tax or fee on the amounts of selected lines. */
struct br_tariff_tax {
	char code[32];
	char name[64];
	int64_t ppm;			/* 6.25 % = 62500 */
	size_t napply;			/* 0 = every earlier non-tax line */
	char apply[BR_TARIFF_MAX_APPLY][40]; /* codes, "X*" = prefix */
};

/* Gas: therms per CCF for one month (ym = year x 12 + month - 1). */
struct br_tariff_btu {
	int32_t ym;
	int64_t factor_micro;
};

enum br_nem_mode {
	BR_NEM_NONE = 0,
	BR_NEM_NETTING,			/* NEM 1/2: monthly netting, kWh bank */
	BR_NEM_BILLING			/* net billing: exports credited */
};

struct br_tariff_nem {
	char program[16];		/* service_agreement.net_metering */
	enum br_nem_mode mode;
	int64_t surplus_nano;		/* NETTING: true-up surplus $/kWh */
	int true_up_month;		/* NETTING: 1..12, bank settled after the
					 * period ending in this month */
	/* BILLING: export credit, flat (export.kind FLAT) or TOU periods */
	struct br_tariff_energy exp;
	int exp_prices;			/* BILLING: index into prices, -1 none */
};

struct br_tariff_sewer {
	bool on;
	int from_month, to_month;	/* winter months, inclusive, may wrap */
	int64_t rate_nano;		/* per unit of billed sewer volume */
	int64_t customer_micro;		/* monthly, prorated like customer */
};

enum br_customer_per {
	BR_PER_MONTH = 1,
	BR_PER_DAY
};

struct br_tariff_version {
	int32_t effective;		/* local day */
	long line;			/* YAML line, for messages */
	int64_t customer_micro;
	enum br_customer_per customer_per;
	size_t nenergy;
	struct br_tariff_energy energy[BR_TARIFF_MAX_CHARGES];
	size_t ndemand;
	struct br_tariff_demand demand[BR_TARIFF_MAX_DEMAND];
	int64_t minimum_micro;		/* minimum bill, 0 = none */
	enum br_customer_per minimum_per;
	size_t nriders;
	struct br_tariff_rider riders[BR_TARIFF_MAX_CHARGES];
	size_t ntaxes;
	struct br_tariff_tax taxes[BR_TARIFF_MAX_CHARGES];
	int64_t btu_micro;		/* therms per CCF, 0 = none */
	size_t nbtu;
	struct br_tariff_btu btu[BR_TARIFF_MAX_BTU];
	size_t nnem;
	struct br_tariff_nem nem[2];
	struct br_tariff_sewer sewer;
};

struct br_tariff {
	char file[512];
	char code[32];
	char name[128];
	char unit[16];			/* kWh, gal, therm, CCF */
	enum br_round rounding;
	size_t nseasons;
	struct br_tariff_season seasons[BR_TARIFF_MAX_SEASONS];
	int8_t month_season[13];	/* month 1..12 -> season, -1 none */
	size_t nholidays;
	int32_t *holidays;		/* OWNED: sorted local days */
	size_t nversions;
	struct br_tariff_version *versions; /* OWNED: by effective date */
	size_t nprices;
	struct br_price_table prices[BR_TARIFF_MAX_PRICES];
	bool tou_ratchet;		/* some TOU demand entry has a ratchet */
};

/*
 * Load one tariff file.  Returns 0, or -1 with err (BR_ECONFIG naming the
 * file, the line and the key; BR_ENOINPUT when the file cannot be read).
 * Release with br_tariff_release.
 */
int br_tariff_load(struct br_tariff *t, const char *path,
    struct br_error *err);

/* Load rates DIR/<code>.yaml and check that its code: matches. */
int br_tariff_load_code(struct br_tariff *t, const char *dir,
    const char *code, struct br_error *err);

void br_tariff_release(struct br_tariff *t);

/* The version in effect on local day `day`, or -1 if none. */
int br_tariff_version_at(const struct br_tariff *t, int32_t day);

/* Season index of local day (-1 when the tariff has no seasons). */
int br_tariff_season_of(const struct br_tariff *t, int32_t day);

/* Weekday or weekend/holiday. */
enum br_daytype br_tariff_daytype(const struct br_tariff *t, int32_t day);

/* Therms per CCF on local day `day` for version v (0 = no factor). */
int64_t br_tariff_btu_at(const struct br_tariff_version *v, int32_t day);

/* Hourly price for UTC time t, or -1 with *ok false when not in the file. */
int64_t br_price_at(const struct br_price_table *p, int64_t t, bool *ok);

#endif
