/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parallel_map.c: the layout of the legacy bill extract parallel-compare
 * reads: column names, period format and the map of legacy line codes
 * to billrun's, from the YAML map (br-parallel-map(5), read through
 * io/yamlmap) and the CSV code map (legacy_code,code).
 */
#include "report/parallel_int.h"

#include <stdlib.h>
#include <string.h>

#include "io/csvio.h"
#include "io/yamlmap.h"
#include "core/banned.h"

static const char *const pcol_name[PCOL_N] = { "account_id", "period",
	"line_code", "quantity", "amount", "total" };

void
br_pmap_init(struct playout *l)
{
	int i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < PCOL_N; i++)
		snprintf(l->col[i], sizeof(l->col[i]), "%s", pcol_name[i]);
	l->period = PPERIOD_DASH;
}

void
br_pmap_release(struct playout *l)
{
	free(l->code);
	l->code = NULL;
	l->ncode = l->capcode = 0;
}

/* Add from -> to; -1 when a field is empty or too long, or from is
 * mapped already (l->dup set). */
static int
add_code(struct playout *l, const char *from, const char *to)
{
	size_t i;

	if (from[0] == '\0' || to[0] == '\0' ||
	    strlen(from) >= sizeof(l->code[0].from) ||
	    strlen(to) >= sizeof(l->code[0].to))
		return -1;
	for (i = 0; i < l->ncode; i++)
		if (strcmp(l->code[i].from, from) == 0) {
			l->dup = 1;
			return -1;
		}
	if (l->ncode == l->capcode) {
		size_t nc = l->capcode ? l->capcode * 2 : 16;
		void *p = realloc(l->code, nc * sizeof(*l->code));
		if (p == NULL)
			return -1;
		l->code = p;
		l->capcode = nc;
	}
	snprintf(l->code[l->ncode].from, sizeof(l->code[0].from), "%s", from);
	snprintf(l->code[l->ncode].to, sizeof(l->code[0].to), "%s", to);
	l->ncode++;
	return 0;
}

static int
map_set(void *ctx, const char *section, const char *key, const char *v)
{
	struct playout *l = ctx;
	int i;

	if (strcmp(section, "columns") == 0) {
		for (i = 0; i < PCOL_N; i++)
			if (strcmp(key, pcol_name[i]) == 0)
				break;
		if (i == PCOL_N || strlen(v) >= sizeof(l->col[i]) ||
		    (v[0] == '\0' && i != PCOL_TOTAL))
			return -1;
		snprintf(l->col[i], sizeof(l->col[i]), "%s", v);
		return 0;
	}
	if (strcmp(section, "codes") == 0)
		return add_code(l, key, v);
	if (section[0] == '\0' && strcmp(key, "period_format") == 0) {
		if (strcmp(v, "YYYY-MM") == 0)
			l->period = PPERIOD_DASH;
		else if (strcmp(v, "YYYYMM") == 0)
			l->period = PPERIOD_COMPACT;
		else if (strcmp(v, "MM/YYYY") == 0)
			l->period = PPERIOD_SLASH;
		else
			return -1;
		return 0;
	}
	return -1;
}

int
br_pmap_yaml(struct playout *l, const char *path, struct br_error *err)
{
	static const char *const sections[] = { "columns", "codes", NULL };
	int i, j;

	l->dup = 0;
	if (br_yamlmap_read(path, sections, BR_ECONFIG, map_set, l,
	    err) != 0) {
		if (l->dup)
			snprintf(err->msg + strlen(err->msg),
			    sizeof(err->msg) - strlen(err->msg),
			    " (mapped twice)");
		return -1;
	}
	for (i = 0; i < PCOL_N; i++)
		for (j = i + 1; j < PCOL_N; j++)
			if (l->col[i][0] != '\0' &&
			    strcmp(l->col[i], l->col[j]) == 0)
				return br_error_set(err, BR_ECONFIG, path, 0,
				    "columns.%s and columns.%s both name "
				    "column '%s'", pcol_name[i], pcol_name[j],
				    l->col[i]);
	return 0;
}

struct csvmap {
	struct playout *l;
	int from, to;
};

static int
on_map(void *ctx, const struct br_csv_record *r, struct br_error *err)
{
	struct csvmap *m = ctx;
	const char *from, *to;

	if (r->index == 0) {
		m->from = br_csv_column(r, "legacy_code");
		m->to = br_csv_column(r, "code");
		if (m->from < 0 || m->to < 0)
			return br_error_set(err, BR_EINPUT, r->file, r->line,
			    "missing column 'legacy_code' or 'code'");
		return 0;
	}
	from = br_csv_field(r, m->from);
	to = br_csv_field(r, m->to);
	m->l->dup = 0;
	if (add_code(m->l, from, to) != 0)
		return br_error_set(err, m->l->dup ? BR_EINPUT : BR_ENOMEM,
		    r->file, r->line, m->l->dup ? "legacy code '%s' mapped "
		    "twice" : "bad code map row '%s'", from);
	return 0;
}

int
br_pmap_csv(struct playout *l, const char *path, struct br_error *err)
{
	struct csvmap m = { l, -1, -1 };

	return br_csv_read(path, on_map, &m, NULL, err);
}

const char *
br_pmap_code(const struct playout *l, const char *code)
{
	size_t i;

	for (i = 0; i < l->ncode; i++)
		if (strcmp(l->code[i].from, code) == 0)
			return l->code[i].to;
	return code;
}

static int
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
br_pmap_period(const struct playout *l, const char *f, char *out)
{
	const char *y, *m;

	switch (l->period) {
	case PPERIOD_DASH:
		if (strlen(f) != 7 || f[4] != '-')
			return -1;
		y = f;
		m = f + 5;
		break;
	case PPERIOD_COMPACT:
		if (strlen(f) != 6)
			return -1;
		y = f;
		m = f + 4;
		break;
	default:
		if (strlen(f) != 7 || f[2] != '/')
			return -1;
		m = f;
		y = f + 3;
		break;
	}
	if (!digits(y, 4) || !digits(m, 2) || (m[0] == '0' && m[1] == '0') ||
	    (m[0] - '0') * 10 + (m[1] - '0') > 12)
		return -1;
	memcpy(out, y, 4);
	out[4] = '-';
	memcpy(out + 5, m, 2);
	out[7] = '\0';
	return 0;
}
