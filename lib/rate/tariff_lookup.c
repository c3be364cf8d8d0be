/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff_lookup.c: questions asked of a loaded tariff: the version in
 * force on a day, the season and day type of a day, the BTU factor in
 * force and the price-table price at an instant.
 */
#include "rate/tariff.h"
#include "rate/tariff_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/date.h"
#include "core/banned.h"

int
br_tariff_version_at(const struct br_tariff *t, int32_t day)
{
	int i;

	for (i = (int)t->nversions - 1; i >= 0; i--)
		if (t->versions[i].effective <= day)
			return i;
	return -1;
}

int
br_tariff_season_of(const struct br_tariff *t, int32_t day)
{
	int y, m, d;

	if (t->nseasons == 0)
		return -1;
	br_date_civil(day, &y, &m, &d);
	return t->month_season[m];
}

enum br_daytype
br_tariff_daytype(const struct br_tariff *t, int32_t day)
{
	int wd = br_date_weekday(day);

	if (wd == 0 || wd == 6)
		return BR_DAY_WEEKEND;
	if (t->nholidays && bsearch(&day, t->holidays, t->nholidays,
	    sizeof(int32_t), br_tf_cmp_day))
		return BR_DAY_WEEKEND;
	return BR_DAY_WEEKDAY;
}

int64_t
br_tariff_btu_at(const struct br_tariff_version *v, int32_t day)
{
	int y, m, d;
	size_t i;

	if (v->nbtu == 0)
		return v->btu_micro;
	br_date_civil(day, &y, &m, &d);
	for (i = 0; i < v->nbtu; i++)
		if (v->btu[i].ym == y * 12 + m - 1)
			return v->btu[i].factor_micro;
	return v->btu_micro;
}

int64_t
br_price_at(const struct br_price_table *p, int64_t t, bool *ok)
{
	int64_t h = br_floor_div(t, 3600) - p->first_hour;

	if (h < 0 || (size_t)h >= p->n || p->price_nano[h] == INT64_MIN) {
		*ok = false;
		return -1;
	}
	*ok = true;
	return p->price_nano[h];
}
