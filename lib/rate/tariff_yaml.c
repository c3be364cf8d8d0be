/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff_yaml.c: reading typed values from the tariff YAML document:
 * scalars, text, rates, percents, integers, quantities, dates and
 * booleans, each error naming the file, the 1-based line and the key.
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

long
br_tf_node_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

int
br_tf_fail(struct ld *l, const yaml_node_t *n, const char *key,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return br_error_set(l->err, BR_ECONFIG, l->t->file, br_tf_node_line(n),
	    "key '%s': %s", key, msg);
}

const char *
br_tf_scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

int
br_tf_get_scalar(struct ld *l, const yaml_node_t *n, const char *key,
    const char **out)
{
	if ((*out = br_tf_scalar(n)) == NULL)
		return br_tf_fail(l, n, key, "expected a scalar value");
	return 0;
}

int
br_tf_get_text(struct ld *l, const yaml_node_t *n, const char *key, char *buf,
    size_t size)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (strlen(s) == 0 || strlen(s) >= size)
		return br_tf_fail(l, n, key, "empty or too long value '%s'", s);
	snprintf(buf, size, "%s", s);
	return 0;
}

/* Money rate: decimal dollars, at most 6 decimals. */
int
br_tf_get_rate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 6, out) != 0)
		return br_tf_fail(l, n, key, "bad rate '%s' (a decimal number of "
		    "dollars with at most 6 decimals)", s);
	if (*out < 0)
		return br_tf_fail(l, n, key, "negative rate '%s'", s);
	return 0;
}

/* Signed rate (riders may be credits). */
int
br_tf_get_srate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 6, out) != 0)
		return br_tf_fail(l, n, key, "bad rate '%s' (a decimal number of "
		    "dollars with at most 6 decimals)", s);
	return 0;
}

/* Percent with at most 4 decimals -> parts per million (6.25 -> 62500). */
int
br_tf_get_percent(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 4, out) != 0 || *out < 0 ||
	    *out > 100000000)
		return br_tf_fail(l, n, key, "bad percent '%s' (0 to 10000 with at "
		    "most 4 decimals)", s);
	return 0;
}

int
br_tf_get_int(struct ld *l, const yaml_node_t *n, const char *key, long lo,
    long hi, int *out)
{
	const char *s;
	char *end;
	long v;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return br_tf_fail(l, n, key, "bad integer '%s' (%ld to %ld)", s, lo,
		    hi);
	*out = (int)v;
	return 0;
}

int
br_tf_get_qty(struct ld *l, const yaml_node_t *n, const char *key, int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 3, out) != 0 || *out <= 0)
		return br_tf_fail(l, n, key, "bad quantity '%s' (a positive decimal "
		    "with at most 3 decimals)", s);
	return 0;
}

int
br_tf_get_date(struct ld *l, const yaml_node_t *n, const char *key,
    int32_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_date_parse(s, (size_t)-1, out) != 0)
		return br_tf_fail(l, n, key, "bad date '%s' (YYYY-MM-DD)", s);
	return 0;
}

int
br_tf_get_bool(struct ld *l, const yaml_node_t *n, const char *key, bool *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		*out = false;
	else
		return br_tf_fail(l, n, key, "expected true or false, not '%s'", s);
	return 0;
}

int
br_tf_expect(struct ld *l, const yaml_node_t *n, yaml_node_type_t type,
    const char *key)
{
	if (n == NULL || n->type != type)
		return br_tf_fail(l, n, key, "expected a %s", type ==
		    YAML_MAPPING_NODE ? "mapping" : "list");
	return 0;
}

int
br_tf_unknown(struct ld *l, const yaml_node_t *kn, const char *key)
{
	return br_error_set(l->err, BR_ECONFIG, l->t->file, br_tf_node_line(kn),
	    "unknown key '%s'", key);
}

int
br_tf_missing(struct ld *l, const yaml_node_t *n, const char *key)
{
	return br_error_set(l->err, BR_ECONFIG, l->t->file, br_tf_node_line(n),
	    "missing key '%s'", key);
}
