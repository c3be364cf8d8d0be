/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff_yaml.c: reading typed values from the tariff YAML document:
 * scalars, text, rates, percents, integers, quantities, dates and
 * booleans, each error naming the file, the 1-based line and the key.
 */
#include "rate/tariff.h"
#include "rate/tariff_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "core/date.h"
#include "core/money.h"
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

/*
 * A rate in dollars per unit, at most 9 decimals, into nano-dollars;
 * `sign` allows a negative rate (riders may be credits, adders may lower
 * a price).  Each refusal names why: more decimals than the tariff
 * language holds, a magnitude over $1,000,000 per unit, or bad text.
 */
static int
get_rate_nano(struct ld *l, const yaml_node_t *n, const char *key,
    bool sign, int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	switch (br_rate_parse_nano(s, (size_t)-1, out)) {
	case 0:
		break;
	case BR_RATE_EDECIMALS:
		return br_tf_fail(l, n, key, "rate '%s' has more than 9 "
		    "decimals (rates are held exactly to the nano-dollar)", s);
	case BR_RATE_ERANGE:
		return br_tf_fail(l, n, key, "rate '%s' is out of range "
		    "(at most 1000000 dollars per unit)", s);
	default:
		return br_tf_fail(l, n, key, "bad rate '%s' (a decimal number "
		    "of dollars with at most 9 decimals)", s);
	}
	if (!sign && *out < 0)
		return br_tf_fail(l, n, key, "negative rate '%s'", s);
	return 0;
}

/* Rate per unit, not negative: nano-dollars. */
int
br_tf_get_rate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out_nano)
{
	return get_rate_nano(l, n, key, false, out_nano);
}

/* Signed rate per unit (riders may be credits): nano-dollars. */
int
br_tf_get_srate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out_nano)
{
	return get_rate_nano(l, n, key, true, out_nano);
}

/*
 * A money amount (customer charge, minimum bill: dollars per month or
 * day) or a factor: at most 6 decimals, not negative, into micro-units.
 */
int
br_tf_get_micro(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out)
{
	const char *s;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_decimal_parse(s, (size_t)-1, 6, out) != 0)
		return br_tf_fail(l, n, key, "bad amount '%s' (a decimal number "
		    "with at most 6 decimals)", s);
	if (*out < 0)
		return br_tf_fail(l, n, key, "negative amount '%s'", s);
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
	int64_t v;

	if (br_tf_get_scalar(l, n, key, &s) != 0)
		return -1;
	if (br_int_parse(s, (size_t)-1, lo, hi, &v) != 0)
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
