/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ami.c: NEM12/NEM13, CMEP and Green Button days of intervals into the
 * open meter-days.
 */
#include "import/import_int.h"

#include "core/progress.h"
#include "core/banned.h"

/*
 * Is an AMI stream the first of its direction, which may fall back to the
 * NMI and the serial?  NEM12 suffix digit 1 (E1, B1); NEM13 numeric
 * suffix "11" (first meter, first register: "41" ... need NMI-SUFFIX).
 */
static bool
first_stream(const char *suffix)
{
	if (suffix[0] >= '0' && suffix[0] <= '9')
		return strcmp(suffix, "11") == 0;
	return suffix[1] == '1';
}

/*
 * Registry meter of an AMI run or register read.  NEM12/NEM13
 * (docs/ami-import.md, "Meter matching"): "NMI-SUFFIX" (e.g.
 * NEM1210184-E2) when the registry has it; else, for the first data
 * stream of a direction (first_stream), the NMI, then the
 * MeterSerialNumber.  Other suffixes (E2 controlled load ...) never fall
 * back to the NMI: they would overwrite the E1 data of the same channel.
 * CMEP: the Meter ID, then field 5.  An unknown meter is recorded under
 * the first id tried.
 */
static void
ami_key(char key[80], const char *meter_id, const char *suffix)
{
	if (suffix[0] != '\0')
		snprintf(key, 80, "%s-%s", meter_id, suffix);
	else
		snprintf(key, 80, "%s", meter_id);
}

/* The registry meter of an AMI run (see below), NULL when unknown. */
const struct br_registry_meter *
br_imp_ami_meter_find(const struct ctx *c, const char *key,
    const char *meter_id, const char *suffix, const char *serial)
{
	const struct br_registry_meter *m;

	if ((m = br_registry_meter_find(c->reg, key)) == NULL &&
	    (suffix[0] == '\0' || first_stream(suffix)) &&
	    (m = br_registry_meter_find(c->reg, meter_id)) == NULL &&
	    serial[0] != '\0')
		m = br_registry_meter_find(c->reg, serial);
	return m;
}

long
br_imp_ami_meter_of(struct ctx *c, const char *meter_id, const char *suffix,
    const char *serial, long line, struct br_error *err)
{
	const struct br_registry_meter *m;
	char key[80];
	bool nem = suffix[0] != '\0';
	long mi;

	ami_key(key, meter_id, suffix);
	if (c->ami_mi != LONG_MIN && strcmp(c->ami_key, key) == 0)
		return c->ami_mi;
	m = br_imp_ami_meter_find(c, key, meter_id, suffix, serial);
	if (m != NULL)
		mi = (long)(m - c->reg->meters);
	else if (nem && first_stream(suffix))
		mi = br_imp_meter_lookup(c, meter_id, line, err);
	else
		mi = br_imp_meter_lookup(c, key, line, err);
	if (mi == LONG_MIN)
		return mi;
	snprintf(c->ami_key, sizeof(c->ami_key), "%s", key);
	c->ami_mi = mi;
	return mi;
}

/*
 * --shard: the skip callback of the NEM12 and CMEP parsers.  A run of a
 * registry meter at home in another shard is passed over; unknown meters
 * and meters without a home shard (moves) are read.
 */
int
br_imp_ami_skip(void *ctx, const char *meter_id, const char *suffix,
    const char *serial)
{
	const struct ctx *c = ctx;
	const struct br_registry_meter *m;
	char key[80];
	int home;

	if (c->home == NULL)
		return 0;
	ami_key(key, meter_id, suffix);
	if ((m = br_imp_ami_meter_find(c, key, meter_id, suffix, serial)) ==
	    NULL)
		return 0;
	home = c->home[m - c->reg->meters];
	return home != 0 && home != c->st->shard.k;
}

static long
ami_meter(struct ctx *c, const struct br_ami_day *d, struct br_error *err)
{
	return br_imp_ami_meter_of(c, d->meter_id, d->nmi_suffix, d->serial, d->line,
	    err);
}

/*
 * One run of intervals from a parser (NEM12 300 record, CMEP row): each
 * interval goes to the slot of its local day.  Values are engineering
 * values already (NEM12 includes the meter multiplier, CMEP applies its
 * Calculation Constant): only the unit is converted.
 */
int
br_imp_on_ami_day(void *ctx, const struct br_ami_day *d, struct br_error *err)
{
	struct ctx *c = ctx;
	const struct br_registry_meter *m;
	struct day_acc *a;
	int64_t stored, nv = 0;
	int32_t k, is = d->interval_s, checked_day = INT32_MIN;
	bool installed = false;
	const char *p;
	long mi;
	int rc;

	br_progress("meter-days", ++c->ami_days, 0);
	/* Source version as a number (14 digits: CCYYMMDDhhmmss). */
	for (p = d->version; *p >= '0' && *p <= '9' && nv < INT64_MAX / 100;
	    p++)
		nv = nv * 10 + (*p - '0');

	if (d->channel != BR_CHANNEL_DELIVERED &&
	    d->channel != BR_CHANNEL_RECEIVED) {
		c->res->other++;
		return 0;
	}
	c->rows += d->n;
	if (d->n <= 0)
		return 0;
	if (is <= 0 || 3600 % is != 0) {
		/* Daily or monthly bins (Green Button): not interval data
		 * for the day slots; counted and reported once per file. */
		if (c->coarse++ == 0) {
			c->coarse_line = d->line;
			c->coarse_s = is;
		}
		c->coarse_reads += d->n;
		return 0;
	}
	if ((mi = ami_meter(c, d, err)) == LONG_MIN)
		return -1;
	if (mi < 0) {
		struct unknown_meter *u = &c->unknown[-1 - mi];
		if (u->rows == 0)
			u->first_day = br_imp_local_day(c, d->start_utc);
		u->rows += d->n;
		return 0;
	}
	m = &c->reg->meters[mi];
	if (br_imp_convert_value(0, d->unit, m, 1000, &stored) == -2)
		return br_error_set(err, BR_EINPUT, d->file, d->line,
		    "unit '%s' of meter '%s' does not convert to the "
		    "registry unit '%s'", d->unit, d->meter_id, m->unit);
	for (k = 0; k < d->n; k++) {
		int64_t t = d->start_utc + (int64_t)k * is, idx;
		int32_t day = br_imp_local_day(c, t);
		bool missing = (d->quality[k] & BR_Q_MISSING) != 0;

		if (day != checked_day) {
			checked_day = day;
			installed = br_imp_install_check(c, mi, day, d->line);
		}
		if (!installed)
			continue;
		stored = 0;
		if (!missing) {
			rc = br_imp_convert_value(d->values[k], d->unit, m, 1000,
			    &stored);
			if (rc < 0)
				return br_error_set(err, BR_EINPUT, d->file,
				    d->line, "interval %ld: value too large",
				    (long)k + 1);
		}
		if ((a = br_imp_day_get(c, (size_t)mi, d->channel, day, is, d->line,
		    err)) == NULL)
			return -1;
		if (a->interval_s != is)
			return br_error_set(err, BR_EINPUT, d->file, d->line,
			    "interval length %ld min differs from an earlier "
			    "record of meter '%s' on the same day",
			    (long)is / 60, m->meter_id);
		if ((t - a->start) % is != 0)
			return br_error_set(err, BR_EINPUT, d->file, d->line,
			    "interval %ld starts off the %ld-minute grid",
			    (long)k + 1, (long)is / 60);
		if (nv > 0 && a->sv == NULL &&
		    (a->sv = calloc((size_t)a->n, sizeof(int64_t))) == NULL)
			return br_imp_nomem(err);
		if (strcmp(d->version, a->version) > 0)
			snprintf(a->version, sizeof(a->version), "%s",
			    d->version);
		idx = (t - a->start) / is;
		/* A slot re-sent with a later version replaces, an older
		 * one is ignored, an equal one is a duplicate. */
		if (a->seen[idx] && a->sv != NULL) {
			if (nv < a->sv[idx])
				continue;
			if (nv == a->sv[idx])
				a->dups++;
		} else if (a->seen[idx])
			a->dups++;
		if (a->sv != NULL)
			a->sv[idx] = nv;
		a->seen[idx] = 1;
		a->values[idx] = stored;
		a->quality[idx] = missing ? (uint8_t)BR_Q_MISSING :
		    d->quality[k];
		if ((long)c->count >= c->max_days &&
		    br_imp_flush_days(c, err) != 0)
			return -1;
	}
	return 0;
}
