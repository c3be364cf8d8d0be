/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vendorcsv.c: load a vendor CSV column mapping (YAML, via libyaml
 * events): top-level scalars, and the mappings "columns", "units" and
 * "quality".  The rows themselves are read by import.c.
 */
#include "formats/vendorcsv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/money.h"
#include "io/yamlmap.h"
#include "core/banned.h"

static int
set_flag(const char *v, int *out)
{
	if (strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
		*out = 1;
	else if (strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
put(char *dst, size_t n, const char *v)
{
	if (strlen(v) >= n)
		return -1;
	snprintf(dst, n, "%s", v);
	return 0;
}

static int
add_code(struct br_vendor_code *tab, int *n, const char *from,
    const char *to)
{
	if (*n >= BR_VENDOR_MAX_CODES || strlen(from) >= sizeof(tab->from) ||
	    strlen(to) >= sizeof(tab->to))
		return -1;
	snprintf(tab[*n].from, sizeof(tab->from), "%s", from);
	snprintf(tab[*n].to, sizeof(tab->to), "%s", to);
	(*n)++;
	return 0;
}

static int
set_key(struct br_vendor_map *m, const char *section, const char *key,
    const char *v)
{
	if (strcmp(section, "columns") == 0) {
		if (strcmp(key, "meter_id") == 0)
			return put(m->col_meter, sizeof(m->col_meter), v);
		if (strcmp(key, "time") == 0)
			return put(m->col_time, sizeof(m->col_time), v);
		if (strcmp(key, "value") == 0)
			return put(m->col_value, sizeof(m->col_value), v);
		if (strcmp(key, "unit") == 0)
			return put(m->col_unit, sizeof(m->col_unit), v);
		if (strcmp(key, "quality") == 0)
			return put(m->col_quality, sizeof(m->col_quality), v);
		if (strcmp(key, "channel") == 0)
			return put(m->col_channel, sizeof(m->col_channel), v);
		return -1;
	}
	if (strcmp(section, "units") == 0)
		return add_code(m->units, &m->nunits, key, v);
	if (strcmp(section, "quality") == 0) {
		if (strcmp(v, "A") != 0 && strcmp(v, "E") != 0 &&
		    strcmp(v, "M") != 0)
			return -1;
		return add_code(m->quality, &m->nquality, key, v);
	}
	if (strcmp(key, "name") == 0)
		return put(m->name, sizeof(m->name), v);
	if (strcmp(key, "unit") == 0)
		return put(m->unit, sizeof(m->unit), v);
	if (strcmp(key, "time_zone") == 0)
		return put(m->time_zone, sizeof(m->time_zone), v);
	if (strcmp(key, "interval_ending") == 0)
		return set_flag(v, &m->interval_ending);
	if (strcmp(key, "snap_to_interval") == 0)
		return set_flag(v, &m->snap);
	if (strcmp(key, "interval_minutes") == 0) {
		int64_t mins;
		if (br_decimal_parse(v, (size_t)-1, 0, &mins) != 0 ||
		    mins <= 0 || mins > 60 || 60 % mins != 0)
			return -1;
		m->interval_minutes = (int)mins;
		return 0;
	}
	if (strcmp(key, "multiplier") == 0) {
		if (br_decimal_parse(v, (size_t)-1, 3, &m->multiplier_milli) !=
		    0 || m->multiplier_milli <= 0)
			return -1;
		m->has_multiplier = 1;
		return 0;
	}
	if (strcmp(key, "format") == 0)
		return strcmp(v, "vendor") == 0 ? 0 : -1;
	return -1;
}

static int
vendor_set(void *ctx, const char *section, const char *key, const char *value)
{
	return set_key(ctx, section, key, value);
}

int
br_vendor_map_load(struct br_vendor_map *m, const char *path,
    struct br_error *err)
{
	static const char *const sections[] = {"columns", "units", "quality",
	    NULL};

	memset(m, 0, sizeof(*m));
	m->interval_minutes = 15;
	if (br_yamlmap_read(path, sections, BR_ECONFIG, vendor_set, m,
	    err) != 0)
		return -1;
	if (m->col_meter[0] == '\0' || m->col_time[0] == '\0' ||
	    m->col_value[0] == '\0')
		return br_error_set(err, BR_ECONFIG, path, 1, "mapping needs "
		    "columns.meter_id, columns.time and columns.value");
	return 0;
}

const char *
br_vendor_unit(const struct br_vendor_map *m, const char *u)
{
	int i;

	for (i = 0; i < m->nunits; i++)
		if (strcasecmp(m->units[i].from, u) == 0)
			return m->units[i].to;
	return u;
}

int
br_vendor_quality(const struct br_vendor_map *m, const char *q, char *out)
{
	int i;

	for (i = 0; i < m->nquality; i++)
		if (strcmp(m->quality[i].from, q) == 0) {
			*out = m->quality[i].to[0];
			return 0;
		}
	if (q[0] == '\0') {
		*out = 'A';
		return 0;
	}
	return -1;
}
