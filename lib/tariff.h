/*
 * tariff.h: tariffs (rates/<CODE>.yaml) loaded with libyaml into plain
 * structs.  The language is documented in docs/tariff.md.  All rates are
 * micro-dollars per unit, all limits milli-units; no floating point.
 */
#ifndef BR_TARIFF_H
#define BR_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "money.h"

#define BR_TARIFF_MAX_SEASONS 8
#define BR_TARIFF_MAX_TIERS 8
#define BR_TARIFF_MAX_PERIODS 8
#define BR_TARIFF_MAX_HOURS 4
#define BR_TARIFF_MAX_CHARGES 8

/* Day types for TOU periods (a holiday counts as a weekend day). */
enum br_daytype {
	BR_DAY_WEEKDAY = 0,
	BR_DAY_WEEKEND = 1
};

enum br_energy_kind {
	BR_ENERGY_FLAT = 1,
	BR_ENERGY_TIERED,
	BR_ENERGY_TOU
};

struct br_tariff_season {
	char name[32];
	int from_month, to_month;	/* 1..12, inclusive, may wrap */
};

struct br_tariff_tier {
	int64_t upto_milli;		/* monthly limit; -1 = no limit */
	int64_t rate_micro;
};

struct br_tariff_period {
	char name[32];			/* e.g. on_peak */
	int64_t rate_micro;
};

struct br_tariff_energy {
	int season;			/* index into seasons, -1 = all */
	enum br_energy_kind kind;
	int64_t rate_micro;		/* FLAT */
	bool prorate;			/* TIERED: limits by days */
	size_t ntiers;
	struct br_tariff_tier tiers[BR_TARIFF_MAX_TIERS];
	size_t nperiods;
	struct br_tariff_period periods[BR_TARIFF_MAX_PERIODS];
	/* TOU: period index per day type and 15-minute slot of local time
	 * (hour ranges are on quarter hours). */
	uint8_t slot_period[2][96];
};

struct br_tariff_demand {
	int season;			/* -1 = all */
	int64_t rate_micro;		/* per kW of monthly max demand */
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
	struct br_tariff_demand demand[BR_TARIFF_MAX_CHARGES];
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

#endif
