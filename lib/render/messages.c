/* SPDX-License-Identifier: Apache-2.0 */
/*
 * messages.c: the bill messages file (messages.h) through libyaml's
 * document API, and the selection of a bill's messages.
 */
#include "render/messages.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "core/date.h"
#include "core/money.h"
#include "render/render.h"
#include "core/banned.h"

struct ld {
	yaml_document_t *doc;
	struct br_messages *m;
	struct br_error *err;
};

static long
line_of(const yaml_node_t *n)
{
	return n ? (long)n->start_mark.line + 1 : 0;
}

static const char *
scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ?
	    (const char *)n->data.scalar.value : NULL;
}

static int
bad(struct ld *l, const yaml_node_t *n, const char *what)
{
	return br_error_set(l->err, BR_ECONFIG, l->m->file, line_of(n), "%s",
	    what);
}

/* A scalar or a list of scalars as ",a,b,". */
static int
list(struct ld *l, yaml_node_t *n, char *out, size_t cap)
{
	size_t len = 1;
	yaml_node_item_t *it;

	snprintf(out, cap, ",");
	if (scalar(n) != NULL) {
		if ((size_t)snprintf(out, cap, ",%s,", scalar(n)) >= cap)
			return bad(l, n, "list too long");
		return 0;
	}
	if (n == NULL || n->type != YAML_SEQUENCE_NODE)
		return bad(l, n, "expected a value or a list");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		const char *v = scalar(yaml_document_get_node(l->doc, *it));
		int k;
		if (v == NULL)
			return bad(l, n, "expected a list of values");
		k = snprintf(out + len, cap - len, "%s,", v);
		if (k < 0 || (size_t)k >= cap - len)
			return bad(l, n, "list too long");
		len += (size_t)k;
	}
	return 0;
}

static int
date_key(struct ld *l, yaml_node_t *n, char out[11])
{
	const char *v = scalar(n);
	int32_t d;

	if (v == NULL || strlen(v) != 10 || br_date_parse(v, 10, &d) != 0)
		return bad(l, n, "expected a date YYYY-MM-DD");
	memcpy(out, v, 11);
	return 0;
}

static int
number(struct ld *l, yaml_node_t *n, long lo, long hi, long *out)
{
	const char *v = scalar(n);
	int64_t x;

	if (v == NULL)
		return bad(l, n, "expected a number");
	if (br_int_parse(v, (size_t)-1, lo, hi, &x) == 0)
		*out = (long)x;
	else {
		char msg[96];
		snprintf(msg, sizeof(msg), "expected a number %ld..%ld", lo,
		    hi);
		return bad(l, n, msg);
	}
	return 0;
}

static int
load_rule(struct ld *l, yaml_node_t *n)
{
	struct br_msg_rule r;
	yaml_node_pair_t *p;
	void *v;

	if (n->type != YAML_MAPPING_NODE)
		return bad(l, n, "expected a mapping for a message");
	memset(&r, 0, sizeof(r));
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn);
		int rc;

		if (k == NULL)
			return bad(l, kn, "bad key");
		if (strcmp(k, "text") == 0) {
			if (scalar(vn) == NULL || scalar(vn)[0] == '\0')
				return bad(l, vn, "text: expected a text");
			if (strlen(scalar(vn)) > (size_t)l->m->max_length ||
			    strlen(scalar(vn)) >= sizeof(r.text)) {
				char msg[96];
				snprintf(msg, sizeof(msg), "text longer than "
				    "max_length %d bytes", l->m->max_length);
				return bad(l, vn, msg);
			}
			snprintf(r.text, sizeof(r.text), "%s", scalar(vn));
			rc = 0;
		} else if (strcmp(k, "priority") == 0)
			rc = number(l, vn, -1000000, 1000000, &r.priority);
		else if (strcmp(k, "cycles") == 0)
			rc = list(l, vn, r.cycles, sizeof(r.cycles));
		else if (strcmp(k, "rate_codes") == 0)
			rc = list(l, vn, r.rates, sizeof(r.rates));
		else if (strcmp(k, "customer_classes") == 0)
			rc = list(l, vn, r.classes, sizeof(r.classes));
		else if (strcmp(k, "accounts") == 0)
			rc = list(l, vn, r.accounts, sizeof(r.accounts));
		else if (strcmp(k, "from") == 0)
			rc = date_key(l, vn, r.from);
		else if (strcmp(k, "to") == 0)
			rc = date_key(l, vn, r.to);
		else {
			char msg[96];
			snprintf(msg, sizeof(msg), "unknown key '%.40s' in a "
			    "message", k);
			return bad(l, kn, msg);
		}
		if (rc != 0)
			return -1;
	}
	if (r.text[0] == '\0')
		return bad(l, n, "a message without text");
	if ((v = realloc(l->m->v, (l->m->n + 1) * sizeof(r))) == NULL)
		return br_error_set(l->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	l->m->v = v;
	l->m->v[l->m->n++] = r;
	return 0;
}

static int
load_root(struct ld *l, yaml_node_t *root)
{
	yaml_node_pair_t *p;
	yaml_node_t *msgs = NULL;
	yaml_node_item_t *it;
	long v;

	if (root == NULL)
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return bad(l, root, "expected a mapping with key 'messages'");
	/* Limits first: a text is checked against max_length. */
	for (p = root->data.mapping.pairs.start;
	    p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *kn = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(l->doc, p->value);
		const char *k = scalar(kn);

		if (k != NULL && strcmp(k, "version") == 0) {
			if (scalar(vn) == NULL || strcmp(scalar(vn), "1") != 0)
				return bad(l, vn, "unsupported version");
		} else if (k != NULL && strcmp(k, "max_length") == 0) {
			if (number(l, vn, 20, 319, &v) != 0)
				return -1;
			l->m->max_length = (int)v;
		} else if (k != NULL && strcmp(k, "max_per_bill") == 0) {
			if (number(l, vn, 1, 4, &v) != 0)
				return -1;
			l->m->max_per_bill = (int)v;
		} else if (k != NULL && strcmp(k, "messages") == 0)
			msgs = vn;
		else
			return bad(l, kn, "unknown key (version, max_length, "
			    "max_per_bill, messages)");
	}
	if (msgs == NULL)
		return 0;
	if (msgs->type != YAML_SEQUENCE_NODE)
		return bad(l, msgs, "messages: expected a list");
	for (it = msgs->data.sequence.items.start;
	    it < msgs->data.sequence.items.top; it++)
		if (load_rule(l, yaml_document_get_node(l->doc, *it)) != 0)
			return -1;
	return 0;
}

int
br_messages_load(struct br_messages *m, const char *path,
    struct br_error *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct ld l;
	FILE *f;
	int rc;

	memset(m, 0, sizeof(*m));
	m->max_length = 300;
	m->max_per_bill = 2;
	snprintf(m->file, sizeof(m->file), "%s", path);
	if ((f = fopen(path, "rb")) == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0, "%s",
		    strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = br_error_set(err, BR_ECONFIG, path,
		    (long)parser.problem_mark.line + 1, "YAML: %s",
		    parser.problem ? parser.problem : "parse error");
		yaml_parser_delete(&parser);
		fclose(f);
		return rc;
	}
	l.doc = &doc;
	l.m = m;
	l.err = err;
	rc = load_root(&l, yaml_document_get_root_node(&doc));
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc != 0)
		br_messages_free(m);
	return rc;
}

void
br_messages_free(struct br_messages *m)
{
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static int
in_list(const char *list, const char *v)
{
	char key[128];

	if (list[0] == '\0')
		return 1;
	snprintf(key, sizeof(key), ",%s,", v);
	return strstr(list, key) != NULL;
}

static int
matches(const struct br_msg_rule *r, const struct br_bill_doc *d)
{
	size_t i;
	int rate = r->rates[0] == '\0', cls = r->classes[0] == '\0';

	if (!in_list(r->cycles, d->cycle_id) ||
	    !in_list(r->accounts, d->account_id) ||
	    (r->from[0] && strcmp(d->bill_date, r->from) < 0) ||
	    (r->to[0] && strcmp(d->bill_date, r->to) > 0))
		return 0;
	for (i = 0; i < d->nsvc; i++) {
		rate |= in_list(r->rates, d->svc[i].rate_code);
		cls |= in_list(r->classes, d->svc[i].customer_class);
	}
	return rate && cls;
}

size_t
br_messages_for(const struct br_messages *m, const struct br_bill_doc *d,
    const char **out, size_t n)
{
	size_t i, k = 0, j, max = (size_t)m->max_per_bill;
	const struct br_msg_rule *pick[8];

	if (max > n)
		max = n;
	if (max > 8)
		max = 8;
	for (i = 0; i < m->n; i++) {
		if (!matches(&m->v[i], d))
			continue;
		/* Insert by priority, stable for equal ones. */
		for (j = k; j > 0 && pick[j - 1]->priority <
		    m->v[i].priority; j--)
			if (j < 8)
				pick[j] = pick[j - 1];
		if (j < max) {
			pick[j] = &m->v[i];
			if (k < max)
				k++;
		}
	}
	for (i = 0; i < k; i++)
		out[i] = pick[i]->text;
	return k;
}
