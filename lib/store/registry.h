/* SPDX-License-Identifier: Apache-2.0 */
/*
 * registry.h: the customer/meter registry.  Loading a registry directory
 * of CSV files into the store (docs/pipeline.md section 1), and an
 * in-memory copy of meters, installs and agreements for fast matching of
 * interval reads (no per-row SQL).
 */
#ifndef BR_REGISTRY_H
#define BR_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

#define BR_REGISTRY_ID_MAX 64	/* ids are shorter than this */

/* Last day of an open-ended window (remove/end date empty). */
#define BR_REGISTRY_OPEN_END INT32_MAX
/* A bill cycle's period holds at most this many days (dates inclusive). */
#define BR_REGISTRY_PERIOD_MAX 366

struct br_registry_install {
	int32_t from_day, to_day;	/* inclusive local days */
	char sp_id[BR_REGISTRY_ID_MAX];
};

struct br_registry_meter {
	char meter_id[BR_REGISTRY_ID_MAX];
	char kind[16];
	char unit[16];
	int64_t multiplier_milli;	/* 1000 = x1 */
	size_t first_install;		/* index into installs[] */
	size_t ninstalls;
};

struct br_registry_agreement {
	char sp_id[BR_REGISTRY_ID_MAX];
	char account_id[BR_REGISTRY_ID_MAX];
	int32_t from_day, to_day;	/* inclusive local days */
};

struct br_registry {
	struct br_registry_meter *meters;	/* OWNED, sorted by meter_id */
	size_t nmeters;
	struct br_registry_install *installs;	/* OWNED, by meter, from */
	size_t ninstalls;
	struct br_registry_agreement *agreements; /* OWNED, by sp_id, from */
	size_t nagreements;
};

/*
 * Load the registry directory dir (utility.csv, accounts.csv,
 * service_points.csv, meters.csv, meter_installs.csv, agreements.csv,
 * cycles.csv) into the store, upserting every row.  utility.csv,
 * accounts.csv and meters.csv are required.  The caller owns the
 * transaction.  Returns 0, or -1 with err (BR_EINPUT with file:line and
 * the column for a bad field, BR_ENOINPUT for a missing required file).
 */
int br_registry_load_dir(struct br_store *st, const char *dir,
    struct br_error *err);

/*
 * Read meters, installs and agreements from the store into reg.  Release
 * with br_registry_release.  Returns 0 or -1 with err.
 */
int br_registry_init(struct br_registry *reg, struct br_store *st,
    struct br_error *err);
void br_registry_release(struct br_registry *reg);

/* The meter with this id, or NULL.  BORROWED from reg. */
const struct br_registry_meter *br_registry_meter_find(
    const struct br_registry *reg, const char *meter_id);

/* Service point the meter is installed on on local day, or NULL.
 * BORROWED from reg. */
const char *br_registry_install_sp(const struct br_registry *reg,
    const struct br_registry_meter *m, int32_t day);

/* Account with an agreement on sp_id covering local day, or NULL.
 * BORROWED from reg. */
const char *br_registry_account(const struct br_registry *reg,
    const char *sp_id, int32_t day);

/*
 * A date given on the command line (what names it: "--as-of") must lie
 * within the registry's cycle span (earliest period start to latest
 * period end, bill or due date in bill_cycle) widened by a year on each
 * side: --as-of 9999-12-31 posted late fees dated 9999 that could never be
 * reassessed.  No wall clock is involved, so replays of old cycles keep
 * working.  A store without cycles checks nothing.  Returns 0, or -1 with
 * err (BR_EUSAGE: a bad date or outside the span; the tools' --force-date
 * skips this check).
 */
int br_registry_check_date(struct br_store *st, const char *what,
    const char *date, struct br_error *err);

/*
 * The billing period of cycle (bill_cycle.period_start and period_end,
 * 'YYYY-MM-DD') into from[11] and to[11].  An unknown cycle is
 * BR_EUSAGE "unknown cycle '...'" (the tools' exit 2).  0 or -1.
 */
int br_registry_cycle_period(struct br_store *st, const char *cycle,
    char from[11], char to[11], struct br_error *err);

#endif
