/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paymap.c: loads the YAML column mapping of CSV payment files (see
 * paymap.h).  The YAML is read with libyaml's event API: a mapping of
 * scalars, with one nested mapping `columns`.
 */
#include "formats/paymap.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "io/yamlmap.h"
#include "core/banned.h"

static void
col_set(struct br_paymap_col *c, const char *name)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
}

void
br_paymap_default(struct br_paymap *m)
{
	memset(m, 0, sizeof(*m));
	col_set(&m->date, "date");
	col_set(&m->amount, "amount");
	col_set(&m->account, "account_id");
	col_set(&m->reference, "reference");
	col_set(&m->method, "method");
	m->separator = '|';
	snprintf(m->date_format, sizeof(m->date_format), "YYYY-MM-DD");
}

/* "name" or "name#N". */
static int
col_parse(struct br_paymap_col *c, const char *v)
{
	const char *h = strchr(v, '#');
	char *end;
	long n;

	memset(c, 0, sizeof(*c));
	if (h == NULL) {
		if (strlen(v) >= sizeof(c->name))
			return -1;
		snprintf(c->name, sizeof(c->name), "%s", v);
		return 0;
	}
	if ((size_t)(h - v) >= sizeof(c->name) || h == v)
		return -1;
	memcpy(c->name, v, (size_t)(h - v));
	c->name[h - v] = '\0';
	errno = 0;
	n = strtol(h + 1, &end, 10);
	if (errno != 0 || *end != '\0' || n < 1 || n > 99)
		return -1;
	c->part = (int)n;
	return 0;
}

static int
set_key(struct br_paymap *m, const char *section, const char *key,
    const char *v)
{
	struct br_paymap_col *c = NULL;

	if (strcmp(section, "columns") == 0) {
		if (strcmp(key, "date") == 0) c = &m->date;
		else if (strcmp(key, "amount") == 0) c = &m->amount;
		else if (strcmp(key, "account") == 0) c = &m->account;
		else if (strcmp(key, "bill") == 0) c = &m->bill;
		else if (strcmp(key, "scan_line") == 0) c = &m->scan_line;
		else if (strcmp(key, "reference") == 0) c = &m->reference;
		else if (strcmp(key, "method") == 0) c = &m->method;
		else
			return -1;
		return col_parse(c, v);
	}
	if (section[0] != '\0')
		return -1;
	if (strcmp(key, "separator") == 0) {
		if (strlen(v) != 1)
			return -1;
		m->separator = v[0];
	} else if (strcmp(key, "date_format") == 0) {
		if (strcmp(v, "YYYY-MM-DD") != 0 &&
		    strcmp(v, "MM/DD/YYYY") != 0 && strcmp(v, "YYYYMMDD") != 0)
			return -1;
		snprintf(m->date_format, sizeof(m->date_format), "%s", v);
	} else if (strcmp(key, "amount_unit") == 0) {
		if (strcmp(v, "dollars") == 0)
			m->amount_cents = 0;
		else if (strcmp(v, "cents") == 0)
			m->amount_cents = 1;
		else
			return -1;
	} else if (strcmp(key, "method") == 0) {
		snprintf(m->method_default, sizeof(m->method_default), "%s", v);
	} else if (strcmp(key, "include_column") == 0) {
		snprintf(m->include_column, sizeof(m->include_column), "%s", v);
	} else if (strcmp(key, "include_value") == 0) {
		snprintf(m->include_value, sizeof(m->include_value), "%s", v);
	} else if (strcmp(key, "refund_value") == 0) {
		snprintf(m->refund_value, sizeof(m->refund_value), "%s", v);
	} else if (strcmp(key, "chargeback_value") == 0) {
		snprintf(m->chargeback_value, sizeof(m->chargeback_value), "%s",
		    v);
	} else
		return -1;
	return 0;
}

static int
paymap_set(void *ctx, const char *section, const char *key,
    const char *value)
{
	return set_key(ctx, section, key, value);
}

int
br_paymap_load(struct br_paymap *m, const char *path, struct br_error *err)
{
	static const char *const sections[] = {"columns", NULL};

	br_paymap_default(m);
	/* A mapping names its own columns: no defaults but the formats. */
	memset(&m->account, 0, sizeof(m->account));
	memset(&m->reference, 0, sizeof(m->reference));
	memset(&m->method, 0, sizeof(m->method));
	memset(&m->date, 0, sizeof(m->date));
	memset(&m->amount, 0, sizeof(m->amount));
	if (br_yamlmap_read(path, sections, BR_EINPUT, paymap_set, m, err) != 0)
		return -1;
	if (m->date.name[0] == '\0' || m->amount.name[0] == '\0')
		return br_error_set(err, BR_EINPUT, path, 1,
		    "mapping needs columns.date and columns.amount");
	return 0;
}

void
br_paymap_part(const char *s, char sep, int part, char *out, size_t n)
{
	const char *e;
	int i;

	if (part > 0) {
		for (i = 1; i < part && s != NULL; i++) {
			s = strchr(s, sep);
			if (s != NULL)
				s++;
		}
		if (s == NULL) {
			snprintf(out, n, "%s", "");
			return;
		}
		e = strchr(s, sep);
		if (e != NULL) {
			snprintf(out, n, "%.*s", (int)(e - s), s);
			return;
		}
	}
	snprintf(out, n, "%s", s);
}

int
br_paymap_date(const struct br_paymap *m, const char *s, char out[11])
{
	char buf[11];
	int32_t d;

	if (strcmp(m->date_format, "MM/DD/YYYY") == 0) {
		if (strlen(s) < 10 || s[2] != '/' || s[5] != '/')
			return -1;
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s + 6, s, s + 3);
	} else if (strcmp(m->date_format, "YYYYMMDD") == 0) {
		if (strlen(s) < 8)
			return -1;
		snprintf(buf, sizeof(buf), "%.4s-%.2s-%.2s", s, s + 4, s + 6);
	} else {
		if (strlen(s) < 10)
			return -1;
		snprintf(buf, sizeof(buf), "%.10s", s);
	}
	if (strlen(s) > 10 && strcmp(m->date_format, "YYYY-MM-DD") == 0 &&
	    s[10] != ' ' && s[10] != 'T')
		return -1;
	if (br_date_parse(buf, 10, &d) != 0)
		return -1;
	br_date_format(d, out, 11);
	return 0;
}
