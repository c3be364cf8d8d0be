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

long
br_imp_line_meter(const char *s, size_t len, int col, char *id, size_t size)
{
	const char *f = NULL, *end;
	size_t i;
	int k = 0;
	bool inq = false;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (len > (size_t)BR_CSV_LINE_MAX || col < 0)
		return -1;
	end = s + len;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 || ch == 0x7f)
			return -1;
		if (ch == '"')
			inq = !inq;
		else if (ch == ',' && !inq && ++k == col)
			f = s + i + 1;
	}
	if (inq)
		return -1;	/* a quoted field goes on past the line */
	if (col == 0)
		f = s;
	if (f == NULL)
		return -1;	/* short row */
	if (f < end && f[0] == '"') {	/* "id": no quote inside */
		const char *q = memchr(f + 1, '"', (size_t)(end - f - 1));
		if (q == NULL || (q + 1 < end && q[1] != ','))
			return -1;
		f++;
		i = (size_t)(q - f);
	} else {
		const char *comma = memchr(f, ',', (size_t)(end - f));
		i = (size_t)((comma ? comma : end) - f);
		if (memchr(f, '"', i) != NULL)
			return -1;
	}
	if (i == 0 || i >= size || f[0] == ' ' || f[i - 1] == ' ')
		return -1;
	memcpy(id, f, i);
	id[i] = '\0';
	return (long)i;
}

int
br_imp_gate(void *ctx, const char *s, size_t len, struct br_error *err)
{
	struct ctx *c = ctx;
	const struct br_registry_meter *m;
	char id[BR_REGISTRY_ID_MAX];
	long n;
	int home;

	(void)err;
	if (c->home == NULL || (n = br_imp_line_meter(s, len,
	    c->col[COL_METER], id, sizeof(id))) < 0)
		return 0;
	if (n == c->gate_len && memcmp(id, c->gate_id, (size_t)n) == 0)
		home = c->gate_home;
	else {
		m = br_registry_meter_find(c->reg, id);
		home = m != NULL ? c->home[m - c->reg->meters] : 0;
		memcpy(c->gate_id, id, (size_t)n + 1);
		c->gate_len = n;
		c->gate_home = home;
	}
	if (home == 0 || home == c->st->shard.k)
		return 0;
	c->rows++;
	return 1;
}
