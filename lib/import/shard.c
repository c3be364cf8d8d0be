/* SPDX-License-Identifier: Apache-2.0 */
/*
 * shard.c: ami-import --shard K/N.  The home shard of every registry
 * meter (store/shard.h: the one shard all accounts on its service points
 * fall in), which shard keeps a meter-day, register read or exception,
 * and the line gate that passes over rows of meters at home in another
 * shard without splitting them.  Rows of meters without a home shard
 * (moves across shards, no agreement), of unknown meters and rows the gate
 * cannot read plainly are read as in an unsharded import; their data is
 * kept by the shard it belongs to (docs/scale-out.md).
 */
#include "import/import_int.h"

#include "core/banned.h"

int
br_imp_shard_init(struct ctx *c, struct br_error *err)
{
	const struct br_shard *sh = &c->st->shard;
	size_t i;

	if (sh->n <= 1 || c->reg->nmeters == 0)
		return 0;
	if ((c->home = calloc(c->reg->nmeters, sizeof(*c->home))) == NULL)
		return br_imp_nomem(err);
	for (i = 0; i < c->reg->nmeters; i++)
		c->home[i] = br_shard_meter_home(c->reg, &c->reg->meters[i],
		    sh->n);
	return 0;
}

bool
br_imp_in_shard(const struct ctx *c, const char *account, size_t meter)
{
	return br_shard_member_home(&c->st->shard, account,
	    c->home != NULL ? c->home[meter] : 0);
}

bool
br_imp_in_shard_id(const struct ctx *c, const char *account,
    const char *meter_id)
{
	const struct br_registry_meter *m;
	int home = 0;

	if (c->home != NULL && (account == NULL || account[0] == '\0') &&
	    (m = br_registry_meter_find(c->reg, meter_id)) != NULL)
		home = c->home[m - c->reg->meters];
	return br_shard_member_home(&c->st->shard, account, home);
}

/* With SSE2, 16 bytes a step while 16 remain. */
size_t
br_imp_first_special(const char *s, size_t len)
{
	size_t i = 0;
#if defined(__SSE2__)
	const __m128i vq = _mm_set1_epi8('"'), vdel = _mm_set1_epi8(0x7f);
	const __m128i v1f = _mm_set1_epi8(0x1f);

	for (; i + 16 <= len; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, vq),
		    _mm_cmpeq_epi8(v, vdel)),
		    _mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v)));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f || ch == '"')
			return i;
	}
	return len;
}

int
br_imp_line_check(const char *s, size_t len)
{
	size_t i, quotes = 0;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > (size_t)BR_CSV_LINE_MAX)
		return -1;
	for (i = br_imp_first_special(s, len); i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return -1;
		quotes += ch == '"';
	}
	return (int)(quotes & 1);
}

long
br_imp_line_meter(const char *s, size_t len, int col, char *id, size_t size)
{
	const char *f = s, *end, *q;
	size_t i;
	int k;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	end = s + len;
	for (k = 0; k < col; k++) {	/* to the col-th comma */
		if (f < end && *f == '"') {
			for (q = f + 1; q < end && (*q != '"' || (q + 1 < end &&
			    q[1] == '"' && q++)); q++)
				;
			if (q >= end)
				return -1;
			f = q + 1;
		}
		if ((q = memchr(f, ',', (size_t)(end - f))) == NULL)
			return -1;	/* short row */
		f = q + 1;
	}
	if (f < end && *f == '"') {	/* "id": no quote inside */
		q = memchr(f + 1, '"', (size_t)(end - f - 1));
		if (q == NULL || (q + 1 < end && q[1] != ','))
			return -1;
		f++;
		i = (size_t)(q - f);
	} else {
		q = memchr(f, ',', (size_t)(end - f));
		i = (size_t)((q ? q : end) - f);
	}
	if (i == 0 || i >= size || f[0] == ' ' || f[i - 1] == ' ')
		return -1;
	for (k = 0; (size_t)k < i; k++)
		if ((unsigned char)f[k] < 0x20 || f[k] == 0x7f || f[k] == '"')
			return -1;
	memcpy(id, f, i);
	id[i] = '\0';
	return (long)i;
}

int
br_imp_gate(void *ctx, const char *s, size_t len, long line,
    struct br_error *err)
{
	struct ctx *c = ctx;
	const struct br_registry_meter *m;
	char id[BR_REGISTRY_ID_MAX];
	long n;
	int home;

	(void)line;
	(void)err;
	if (c->home == NULL)
		return 0;
	/* Rows come grouped by meter: the id in column 0 is most often the
	 * previous row's (checked when it was looked up; one with a comma
	 * inside came from quotes, and "A,B,..." is meter A's row). */
	if (c->col[COL_METER] == 0 && c->gate_len > 0 && !c->gate_comma &&
	    (size_t)c->gate_len < len && s[c->gate_len] == ',' &&
	    br_imp_has_prefix(s, len, c->gate_id, (size_t)c->gate_len))
		home = c->gate_home;
	else if ((n = br_imp_line_meter(s, len, c->col[COL_METER], id,
	    sizeof(id))) < 0)
		return 0;
	else if (n == c->gate_len && memcmp(id, c->gate_id, (size_t)n) == 0)
		home = c->gate_home;
	else {
		m = br_registry_meter_find(c->reg, id);
		home = m != NULL ? c->home[m - c->reg->meters] : 0;
		memcpy(c->gate_id, id, (size_t)n + 1);
		c->gate_len = n;
		c->gate_home = home;
		c->gate_comma = memchr(id, ',', (size_t)n) != NULL;
	}
	/* Passed over only when the whole line reads plainly. */
	if (home == 0 || home == c->st->shard.k ||
	    br_imp_line_check(s, len) != 0)
		return 0;
	c->rows++;
	return 1;
}
