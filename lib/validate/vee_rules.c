/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vee_rules.c: the validate-reads rule table (compiled-in defaults, per
 * the VEE reference table 3.6) and the YAML rules file that overrides it.
 * Every error names the file and the 1-based line of the offending node.
 */
#include "validate/vee_rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/money.h"
#include "core/banned.h"

struct def {
	const char *code;
	const char *severity;
	bool enabled;
	unsigned kinds;
	const char *pname[BR_VEE_MAX_PARAMS];
	int64_t pval[BR_VEE_MAX_PARAMS];	/* scaled by 1000 */
};

/* Rules whose exceptions the customer is told about by default
 * (customer-alerts): a leak, high usage and a bill built on like-day or
 * fallback estimates.  Short linear fills, data faults and holds stay
 * internal. */
static bool
default_customer_facing(enum br_vee_rule r)
{
	return r == BR_VEE_LEAK || r == BR_VEE_HIGH_USAGE ||
	    r == BR_VEE_GAP_LIKE_DAY || r == BR_VEE_GAP_FALLBACK;
}

#define K(x) ((int64_t)(x) * 1000)

/* Indexed by enum br_vee_rule. */
static const struct def defs[BR_VEE_NRULES] = {
	{ "MISSING_DAY", "hold", true, BR_VEE_ALL, { NULL }, { 0 } },
	{ "GAP", "hold", true, BR_VEE_ALL, { NULL }, { 0 } },
	{ "GAP_ESTIMATED", "info", true, BR_VEE_ALL,
	    { "max_gap_minutes" }, { K(120) } },
	{ "GAP_LIKE_DAY", "warn", true, BR_VEE_ALL,
	    { "weeks", "days" }, { K(4), K(3) } },
	{ "GAP_FALLBACK", "hold", false, BR_VEE_ALL,
	    { "lookback_days" }, { K(7) } },
	{ "NEGATIVE", "hold", true, BR_VEE_ALL, { NULL }, { 0 } },
	{ "ROLLOVER", "hold", true, BR_VEE_ALL,
	    { "max_interval" }, { K(1000) } },
	{ "ZERO_RUN", "warn", true, BR_VEE_ELECTRIC,
	    { "hours" }, { K(24) } },
	{ "DST_COUNT", "hold", true, BR_VEE_ALL, { NULL }, { 0 } },
	{ "CLOCK", "hold", true, BR_VEE_ALL, { NULL }, { 0 } },
	{ "SPIKE", "warn", true, BR_VEE_ELECTRIC,
	    { "ratio", "floor" }, { 1500, K(2) } },
	{ "STUCK", "warn", true, BR_VEE_ALL, { "hours" }, { K(96) } },
	{ "MAX_DEMAND", "warn", true, BR_VEE_ELECTRIC,
	    { "limit" }, { K(100) } },
	{ "REVERSE_FLOW", "hold", true, BR_VEE_ALL, { "floor" }, { 0 } },
	{ "HIGH_USAGE", "warn", true, BR_VEE_ALL,
	    { "ratio", "min_days" }, { 2000, K(7) } },
	{ "LOW_USAGE", "warn", true, BR_VEE_ALL,
	    { "ratio", "min_days" }, { 500, K(7) } },
	{ "HIGH_BILL", "hold", true, BR_VEE_ALL,
	    { "ratio", "min_days" }, { 1500, K(7) } },
	{ "LEAK", "warn", true, BR_VEE_WATER,
	    { "hours", "min_flow" }, { K(24), 0 } },
	{ "CONSERVATION", "warn", true, BR_VEE_WATER,
	    { "daily_limit" }, { K(500) } },
	{ "SUM_CHECK", "hold", true, BR_VEE_ALL,
	    { "tolerance" }, { K(1) } },
	{ "CLOCK_SHIFT", "warn", false, BR_VEE_ELECTRIC,
	    { "ratio", "days", "max_hours" }, { K(2), K(7), K(3) } },
};

void
br_vee_rules_default(struct br_vee_rules *rules)
{
	int r, i;

	memset(rules, 0, sizeof(*rules));
	for (r = 0; r < BR_VEE_NRULES; r++) {
		struct br_vee_rule_cfg *c = &rules->rule[r];

		c->code = defs[r].code;
		snprintf(c->severity, sizeof(c->severity), "%s",
		    defs[r].severity);
		c->enabled = defs[r].enabled;
		c->customer_facing = default_customer_facing(
		    (enum br_vee_rule)r);
		c->kinds = defs[r].kinds;
		for (i = 0; i < BR_VEE_MAX_PARAMS; i++)
			c->param[i] = defs[r].pval[i];
	}
}

const char *
br_vee_param_name(enum br_vee_rule r, int i)
{
	if ((int)r < 0 || r >= BR_VEE_NRULES || i < 0 ||
	    i >= BR_VEE_MAX_PARAMS)
		return NULL;
	return defs[r].pname[i];
}

int64_t
br_vee_param(const struct br_vee_rules *rules, enum br_vee_rule r, int i)
{
	return rules->rule[r].param[i];
}

unsigned
br_vee_kind_bit(const char *kind)
{
	if (strcmp(kind, "electric") == 0)
		return BR_VEE_ELECTRIC;
	if (strcmp(kind, "water") == 0)
		return BR_VEE_WATER;
	if (strcmp(kind, "gas") == 0)
		return BR_VEE_GAS;
	return 0;
}

struct ld {
	yaml_document_t *doc;
	struct br_vee_rules *rules;
	struct br_error *err;
};

static long
node_line(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

static const char *
scalar(const yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static int
bad(struct ld *l, const yaml_node_t *n, const char *what, const char *key)
{
	return br_error_set(l->err, BR_ECONFIG, l->rules->file, node_line(n),
	    "%s '%s'", what, key);
}

static int
load_kinds(struct ld *l, const yaml_node_t *n, unsigned *out)
{
	yaml_node_item_t *it;
	const char *s;

	*out = 0;
	if ((s = scalar(n)) != NULL) {
		if ((*out = br_vee_kind_bit(s)) == 0 && strcmp(s, "all") == 0)
			*out = BR_VEE_ALL;
		if (*out == 0)
			return bad(l, n, "unknown meter kind", s);
		return 0;
	}
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return bad(l, n, "expected a list of meter kinds for",
		    "kinds");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(l->doc, *it);
		unsigned b;

		if ((s = scalar(v)) == NULL || (b = br_vee_kind_bit(s)) == 0)
			return bad(l, v, "unknown meter kind", s ? s : "?");
		*out |= b;
	}
	return 0;
}

static int
load_rule(struct ld *l, int r, const yaml_node_t *map)
{
	struct br_vee_rule_cfg *c = &l->rules->rule[r];
	yaml_node_pair_t *p;

	if (map->type != YAML_MAPPING_NODE)
		return bad(l, map, "expected a mapping for rule", c->code);
	for (p = map->data.mapping.pairs.start;
	    p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *key = scalar(kn), *val = scalar(vn);
		int i;

		if (key == NULL)
			return bad(l, kn, "bad key in rule", c->code);
		if (strcmp(key, "kinds") == 0) {
			if (load_kinds(l, vn, &c->kinds) != 0)
				return -1;
			continue;
		}
		if (val == NULL)
			return bad(l, vn, "expected a scalar for key", key);
		if (strcmp(key, "severity") == 0) {
			if (strcmp(val, "info") && strcmp(val, "warn") &&
			    strcmp(val, "hold"))
				return br_error_set(l->err, BR_ECONFIG,
				    l->rules->file, node_line(vn), "key "
				    "'severity': '%s' is not info, warn or "
				    "hold", val);
			snprintf(c->severity, sizeof(c->severity), "%s", val);
			continue;
		}
		if (strcmp(key, "enabled") == 0 ||
		    strcmp(key, "customer_facing") == 0) {
			bool *b = key[0] == 'e' ? &c->enabled :
			    &c->customer_facing;
			if (strcmp(val, "true") == 0)
				*b = true;
			else if (strcmp(val, "false") == 0)
				*b = false;
			else
				return br_error_set(l->err, BR_ECONFIG,
				    l->rules->file, node_line(vn), "key "
				    "'%s': '%s' is not true or false", key,
				    val);
			continue;
		}
		for (i = 0; i < BR_VEE_MAX_PARAMS; i++)
			if (defs[r].pname[i] != NULL &&
			    strcmp(defs[r].pname[i], key) == 0)
				break;
		if (i == BR_VEE_MAX_PARAMS)
			return br_error_set(l->err, BR_ECONFIG, l->rules->file,
			    node_line(kn), "unknown key '%s' in rule %s", key,
			    c->code);
		if (br_decimal_parse(val, (size_t)-1, 3, &c->param[i]) != 0 ||
		    c->param[i] < 0 || c->param[i] > (int64_t)1000000000000)
			return br_error_set(l->err, BR_ECONFIG, l->rules->file,
			    node_line(vn), "key '%s': '%s' is not a "
			    "non-negative number with at most 3 decimals",
			    key, val);
	}
	return 0;
}

static int
load_root(struct ld *l, const yaml_node_t *root)
{
	yaml_node_pair_t *p, *q;

	if (root == NULL)
		return 0;	/* empty file: the defaults */
	if (root->type != YAML_MAPPING_NODE)
		return bad(l, root, "expected a mapping with key", "rules");
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *key = scalar(kn);

		if (key != NULL && strcmp(key, "version") == 0) {
			if (scalar(vn) == NULL || strcmp(scalar(vn), "1") != 0)
				return bad(l, vn, "unsupported rules",
				    "version");
			continue;
		}
		if (key == NULL || strcmp(key, "rules") != 0)
			return bad(l, kn, "unknown key", key ? key : "?");
		if (vn->type != YAML_MAPPING_NODE)
			return bad(l, vn, "expected a mapping for key",
			    "rules");
		for (q = vn->data.mapping.pairs.start;
		    q < vn->data.mapping.pairs.top; q++) {
			yaml_node_t *ck = yaml_document_get_node(l->doc,
			    q->key);
			yaml_node_t *cv = yaml_document_get_node(l->doc,
			    q->value);
			const char *code = scalar(ck);
			int r;

			for (r = 0; r < BR_VEE_NRULES; r++)
				if (code != NULL &&
				    strcmp(defs[r].code, code) == 0)
					break;
			if (r == BR_VEE_NRULES)
				return bad(l, ck, "unknown rule",
				    code ? code : "?");
			if (load_rule(l, r, cv) != 0)
				return -1;
		}
	}
	return 0;
}

int
br_vee_rules_load(struct br_vee_rules *rules, const char *path,
    struct br_error *err)
{
	FILE *f;
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ld l;
	int rc;

	br_vee_rules_default(rules);
	snprintf(rules->file, sizeof(rules->file), "%s", path);
	if ((f = fopen(path, "rb")) == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0,
		    "cannot open rules file: %s", strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		br_error_set(err, BR_ECONFIG, path,
		    (long)parser.problem_mark.line + 1, "bad YAML: %s",
		    parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	l.doc = &doc;
	l.rules = rules;
	l.err = err;
	rc = load_root(&l, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}
