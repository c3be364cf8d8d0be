/*
 * vendorcsv.c: load a vendor CSV column mapping (YAML, via libyaml
 * events): top-level scalars, and the mappings "columns", "units" and
 * "quality".  The rows themselves are read by import.c.
 */
#include "vendorcsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "money.h"
#include "banned.h"

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

int
br_vendor_map_load(struct br_vendor_map *m, const char *path,
    struct br_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	FILE *f;
	char section[32] = "", key[64] = "";
	int depth = 0, have_key = 0, done = 0, rc = -1;

	memset(m, 0, sizeof(*m));
	m->interval_minutes = 15;
	if ((f = fopen(path, "rb")) == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0,
		    "cannot open mapping: %s", strerror(errno));
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			br_error_set(err, BR_ECONFIG, path,
			    (long)p.problem_mark.line + 1, "bad YAML: %s",
			    p.problem ? p.problem : "?");
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			if (depth == 1 && have_key &&
			    (strcmp(key, "columns") == 0 ||
			    strcmp(key, "units") == 0 ||
			    strcmp(key, "quality") == 0)) {
				snprintf(section, sizeof(section), "%.31s", key);
				have_key = 0;
			} else if (depth != 0) {
				br_error_set(err, BR_ECONFIG, path,
				    (long)ev.start_mark.line + 1,
				    "unexpected mapping (only 'columns', "
				    "'units' and 'quality' hold one)");
				yaml_event_delete(&ev);
				goto out;
			}
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			section[0] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
			br_error_set(err, BR_ECONFIG, path,
			    (long)ev.start_mark.line + 1, "unexpected list");
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;

			if (!have_key) {
				snprintf(key, sizeof(key), "%s", v);
				have_key = 1;
			} else {
				have_key = 0;
				if (set_key(m, section, key, v) != 0) {
					br_error_set(err, BR_ECONFIG, path,
					    (long)ev.start_mark.line + 1,
					    "bad value '%s' for key '%s%s%s'",
					    v, section, section[0] ? "." : "",
					    key);
					yaml_event_delete(&ev);
					goto out;
				}
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	if (m->col_meter[0] == '\0' || m->col_time[0] == '\0' ||
	    m->col_value[0] == '\0') {
		br_error_set(err, BR_ECONFIG, path, 1, "mapping needs "
		    "columns.meter_id, columns.time and columns.value");
		goto out;
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
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
