/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camt.c: ISO 20022 camt.053 / camt.054 parser (see camt.h), an expat
 * stream: a stack of local element names, the text of the current leaf,
 * one statement, one entry and its transaction details at a time.
 */
#include "formats/camt.h"

#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "io/input.h"
#include "core/banned.h"

#define DEPTH_MAX	64
#define NAME_MAX_	40
#define TEXT_MAX	1024
#define NS_PREFIX	"urn:iso:std:iso:20022:tech:xsd:"

/* One transaction (TxDtls) of an entry. */
struct tx {
	long line;
	int have_amt;
	int64_t amt;		/* cents */
	int64_t amt_u;		/* micro-units */
	int sub_cent;
	char ccy[4];
	char e2e[64];
	char svcr_ref[64];
	int rtr;
	char rtr_code[8];
	char strd_ref[64];
	char ustrd[64];
	char text[512];
	char name[64];
};

/* A control count and sum of TxsSummry or Btch. */
struct ctl {
	int have_n, have_sum;
	long n;
	int64_t sum;		/* micro-units */
	char ccy[4];
};

struct camt {
	const char *file;
	XML_Parser xp;
	br_payrec_fn on_rec;
	void *ctx;
	struct br_error *err;
	struct br_camt_totals *t;
	int failed;

	char stack[DEPTH_MAX][NAME_MAX_];
	int depth;
	char text[TEXT_MAX];
	size_t tlen;
	char ccy_attr[4];	/* Ccy of the Amt element being read */

	/* statement / notification */
	int in_stmt;
	long stmt_line;
	char acct[48];
	struct ctl ttl, cdt, dbt;	/* TxsSummry */
	long n_entries, n_cdt, n_dbt;
	int64_t sum_all, sum_cdt, sum_dbt;	/* micro-units */

	/* entry */
	int in_ntry;
	long ntry_line;
	int64_t amt;		/* cents */
	int64_t amt_u;		/* micro-units */
	int sub_cent;
	char ccy[4];
	int dbit, rvsl;
	char sts[8];
	char bookg[11], valdt[11];
	char svcr_ref[64];
	struct ctl btch;
	struct tx *tx;
	size_t ntx, captx;
};

static int
fail(struct camt *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (c->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	br_error_set(c->err, BR_EINPUT, c->file,
	    (long)XML_GetCurrentLineNumber(c->xp), "%s", msg);
	c->failed = 1;
	XML_StopParser(c->xp, XML_FALSE);
	return -1;
}

static const char *
local(const char *name)
{
	const char *p = strrchr(name, ':');

	return p ? p + 1 : name;
}

/* Name of the element i levels above the current one (0: current). */
static const char *
up(const struct camt *c, int i)
{
	return c->depth - 1 - i >= 0 ? c->stack[c->depth - 1 - i] : "";
}

/* 1 when an open element (the current one included) is named n. */
static int
within(const struct camt *c, const char *n)
{
	int i;

	for (i = 0; i < c->depth; i++)
		if (strcmp(c->stack[i], n) == 0)
			return 1;
	return 0;
}

/* Copy the current text, trimmed, into dst. */
static void
take(const struct camt *c, char *dst, size_t n)
{
	const char *s = c->text;
	size_t len = c->tlen;

	while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\n' ||
	    *s == '\r')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/*
 * A decimal amount "123.45" (up to 5 decimals seen in the wild) into
 * micro-units (control sums are kept exact in these) and whole cents;
 * *sub_cent when a digit after the cents is not 0.
 */
static int
parse_amount(struct camt *c, const char *what, int64_t *micro,
    int64_t *cents, int *sub_cent)
{
	char s[48];
	const char *p;
	int64_t v = 0;
	int digits = 0, frac = 0;

	take(c, s, sizeof(s));
	*sub_cent = 0;
	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 12)
			return fail(c, "%s: amount '%s' is too large", what, s);
		v = v * 10 + (*p - '0');
	}
	if (digits == 0)
		return fail(c, "%s: '%s' is not an amount", what, s);
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, frac++) {
			if (frac < 6)
				v = v * 10 + (*p - '0');
			if (frac >= 2 && *p != '0')
				*sub_cent = 1;
		}
		if (frac == 0)
			return fail(c, "%s: '%s' is not an amount", what, s);
	}
	if (*p != '\0')
		return fail(c, "%s: '%s' is not an amount", what, s);
	for (; frac < 6; frac++)
		v *= 10;
	*micro = v;
	*cents = v / 10000;
	return 0;
}

/* Micro-units as a decimal: cents, and further digits only when set. */
static char *
fmt_u(int64_t u, char *buf, size_t n)
{
	int64_t rest = u % 10000;
	int k = 4;

	br_cents_format(u / 10000, buf, n);
	if (rest == 0)
		return buf;
	while (rest % 10 == 0) {
		rest /= 10;
		k--;
	}
	snprintf(buf + strlen(buf), n - strlen(buf), "%0*lld", k,
	    (long long)rest);
	return buf;
}

static int
parse_count(struct camt *c, const char *what, long *out)
{
	char s[24], *end;
	long v;

	take(c, s, sizeof(s));
	if (s[0] < '0' || s[0] > '9' || strlen(s) > 15)
		return fail(c, "%s: '%s' is not a count", what, s);
	v = strtol(s, &end, 10);
	if (*end != '\0')
		return fail(c, "%s: '%s' is not a count", what, s);
	*out = v;
	return 0;
}

/* The document's namespace names the message: check it is supported. */
static int
check_namespace(struct camt *c, const char *ns)
{
	static const char *const ok[] = { "camt.053.001.02", "camt.053.001.04",
	    "camt.053.001.08", "camt.054.001.02", "camt.054.001.04",
	    "camt.054.001.08" };
	const char *m;
	size_t i;

	if (ns == NULL || strncmp(ns, NS_PREFIX, strlen(NS_PREFIX)) != 0)
		return fail(c, "unsupported format: XML document namespace "
		    "'%s' is not ISO 20022", ns ? ns : "");
	m = ns + strlen(NS_PREFIX);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(m, ok[i]) == 0) {
			snprintf(c->t->message, sizeof(c->t->message), "%s", m);
			return 0;
		}
	return fail(c, "unsupported format: %.40s is not supported (camt.053 "
	    "and camt.054, versions 001.02, 001.04 and 001.08)", m);
}

static struct tx *
cur_tx(struct camt *c)
{
	return c->in_ntry && c->ntx > 0 && within(c, "TxDtls") ?
	    &c->tx[c->ntx - 1] : NULL;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct camt *c = ud;
	const char *n = local(name);
	int i;

	if (c->failed)
		return;
	if (c->depth >= DEPTH_MAX) {
		fail(c, "elements nested deeper than %d", DEPTH_MAX);
		return;
	}
	snprintf(c->stack[c->depth++], NAME_MAX_, "%s", n);
	c->tlen = 0;
	c->text[0] = '\0';
	c->ccy_attr[0] = '\0';
	for (i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], "Ccy") == 0)
			snprintf(c->ccy_attr, sizeof(c->ccy_attr), "%s",
			    atts[i + 1]);
	if (c->depth == 1) {
		const char *ns = NULL;
		char want[64];
		const char *colon = strrchr(name, ':');

		if (colon != NULL)
			snprintf(want, sizeof(want), "xmlns:%.*s",
			    (int)(colon - name), name);
		else
			snprintf(want, sizeof(want), "xmlns");
		for (i = 0; atts[i] != NULL; i += 2)
			if (strcmp(atts[i], want) == 0)
				ns = atts[i + 1];
		if (strcmp(n, "Document") != 0) {
			fail(c, "unsupported format: XML root element <%.40s> "
			    "is not an ISO 20022 Document", n);
			return;
		}
		check_namespace(c, ns);
		return;
	}
	if (c->depth == 2 && strcmp(n, "BkToCstmrStmt") != 0 &&
	    strcmp(n, "BkToCstmrDbtCdtNtfctn") != 0) {
		fail(c, "<%.40s>: expected BkToCstmrStmt or "
		    "BkToCstmrDbtCdtNtfctn", n);
		return;
	}
	if (c->depth == 3 && (strcmp(n, "Stmt") == 0 ||
	    strcmp(n, "Ntfctn") == 0)) {
		c->in_stmt = 1;
		c->stmt_line = (long)XML_GetCurrentLineNumber(c->xp);
		c->acct[0] = '\0';
		memset(&c->ttl, 0, sizeof(c->ttl));
		memset(&c->cdt, 0, sizeof(c->cdt));
		memset(&c->dbt, 0, sizeof(c->dbt));
		c->n_entries = c->n_cdt = c->n_dbt = 0;
		c->sum_all = c->sum_cdt = c->sum_dbt = 0;
		c->t->statements++;
		return;
	}
	if (c->in_stmt && c->depth == 4 && strcmp(n, "Ntry") == 0) {
		c->in_ntry = 1;
		c->ntry_line = (long)XML_GetCurrentLineNumber(c->xp);
		c->amt = 0;
		c->sub_cent = c->dbit = c->rvsl = 0;
		c->ccy[0] = c->sts[0] = c->bookg[0] = c->valdt[0] = '\0';
		c->svcr_ref[0] = '\0';
		memset(&c->btch, 0, sizeof(c->btch));
		c->ntx = 0;
		return;
	}
	if (c->in_ntry && strcmp(n, "TxDtls") == 0 &&
	    strcmp(up(c, 1), "NtryDtls") == 0) {
		struct tx *t;

		if (c->ntx == c->captx) {
			size_t nc = c->captx ? c->captx * 2 : 4;
			struct tx *nv = realloc(c->tx, nc * sizeof(*nv));

			if (nv == NULL) {
				br_error_set(c->err, BR_ENOMEM, NULL, 0,
				    "out of memory");
				c->failed = 1;
				XML_StopParser(c->xp, XML_FALSE);
				return;
			}
			c->tx = nv;
			c->captx = nc;
		}
		t = &c->tx[c->ntx++];
		memset(t, 0, sizeof(*t));
		t->line = (long)XML_GetCurrentLineNumber(c->xp);
	}
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct camt *c = ud;
	size_t n = (size_t)len;

	if (c->failed)
		return;
	if (c->tlen + n >= sizeof(c->text))
		n = sizeof(c->text) - 1 - c->tlen;
	memcpy(c->text + c->tlen, s, n);
	c->tlen += n;
	c->text[c->tlen] = '\0';
}

static void
append(char *dst, size_t n, const char *s)
{
	size_t len = strlen(dst);

	if (s[0] == '\0' || len + 2 >= n)
		return;
	snprintf(dst + len, n - len, "%s%s", len ? " " : "", s);
}

/* A leaf of a transaction. */
static void
end_tx_leaf(struct camt *c, struct tx *t, const char *n)
{
	const char *p1 = up(c, 1), *p2 = up(c, 2);
	char v[128];

	if (strcmp(n, "Amt") == 0 && (strcmp(p1, "TxDtls") == 0 ||
	    (strcmp(p1, "TxAmt") == 0 && strcmp(p2, "AmtDtls") == 0))) {
		if (parse_amount(c, "TxDtls/Amt", &t->amt_u, &t->amt,
		    &t->sub_cent) == 0) {
			t->have_amt = 1;
			snprintf(t->ccy, sizeof(t->ccy), "%s", c->ccy_attr);
		}
	} else if (strcmp(n, "EndToEndId") == 0 && strcmp(p1, "Refs") == 0) {
		take(c, t->e2e, sizeof(t->e2e));
		if (strcmp(t->e2e, "NOTPROVIDED") == 0)
			t->e2e[0] = '\0';
	} else if (strcmp(n, "AcctSvcrRef") == 0 && strcmp(p1, "Refs") == 0) {
		take(c, t->svcr_ref, sizeof(t->svcr_ref));
	} else if ((strcmp(n, "Cd") == 0 || strcmp(n, "Prtry") == 0) &&
	    strcmp(p1, "Rsn") == 0 && strcmp(p2, "RtrInf") == 0) {
		take(c, t->rtr_code, sizeof(t->rtr_code));
	} else if (strcmp(n, "Ref") == 0 && strcmp(p1, "CdtrRefInf") == 0) {
		take(c, v, sizeof(v));
		if (t->strd_ref[0] == '\0')
			snprintf(t->strd_ref, sizeof(t->strd_ref), "%.63s", v);
		append(t->text, sizeof(t->text), v);
	} else if (strcmp(n, "Ustrd") == 0 && strcmp(p1, "RmtInf") == 0) {
		take(c, v, sizeof(v));
		if (t->ustrd[0] == '\0')
			snprintf(t->ustrd, sizeof(t->ustrd), "%.63s", v);
		append(t->text, sizeof(t->text), v);
	} else if (strcmp(n, "Nm") == 0 && within(c, "RltdPties") &&
	    within(c, "Dbtr") && t->name[0] == '\0') {
		take(c, t->name, sizeof(t->name));
	}
}

/* A leaf of an entry, outside its transactions. */
static void
end_ntry_leaf(struct camt *c, const char *n)
{
	const char *p1 = up(c, 1);
	char v[16];

	if (strcmp(n, "Amt") == 0 && strcmp(p1, "Ntry") == 0) {
		if (parse_amount(c, "Ntry/Amt", &c->amt_u, &c->amt,
		    &c->sub_cent) == 0)
			snprintf(c->ccy, sizeof(c->ccy), "%s", c->ccy_attr);
	} else if (strcmp(n, "CdtDbtInd") == 0 && strcmp(p1, "Ntry") == 0) {
		take(c, v, sizeof(v));
		if (strcmp(v, "DBIT") != 0 && strcmp(v, "CRDT") != 0)
			fail(c, "Ntry/CdtDbtInd '%s' is not CRDT or DBIT", v);
		c->dbit = strcmp(v, "DBIT") == 0;
	} else if (strcmp(n, "RvslInd") == 0 && strcmp(p1, "Ntry") == 0) {
		take(c, v, sizeof(v));
		c->rvsl = strcmp(v, "true") == 0 || strcmp(v, "1") == 0;
	} else if ((strcmp(n, "Sts") == 0 && strcmp(p1, "Ntry") == 0) ||
	    (strcmp(n, "Cd") == 0 && strcmp(p1, "Sts") == 0 &&
	    strcmp(up(c, 2), "Ntry") == 0)) {
		take(c, c->sts, sizeof(c->sts));
	} else if (strcmp(p1, "BookgDt") == 0 && (strcmp(n, "Dt") == 0 ||
	    strcmp(n, "DtTm") == 0)) {
		take(c, c->bookg, sizeof(c->bookg));
	} else if (strcmp(p1, "ValDt") == 0 && (strcmp(n, "Dt") == 0 ||
	    strcmp(n, "DtTm") == 0)) {
		take(c, c->valdt, sizeof(c->valdt));
	} else if (strcmp(n, "AcctSvcrRef") == 0 && strcmp(p1, "Ntry") == 0) {
		take(c, c->svcr_ref, sizeof(c->svcr_ref));
	} else if (strcmp(n, "NbOfTxs") == 0 && strcmp(p1, "Btch") == 0) {
		if (parse_count(c, "Btch/NbOfTxs", &c->btch.n) == 0)
			c->btch.have_n = 1;
	} else if (strcmp(n, "TtlAmt") == 0 && strcmp(p1, "Btch") == 0) {
		int64_t ct;
		int sc;

		if (parse_amount(c, "Btch/TtlAmt", &c->btch.sum, &ct,
		    &sc) == 0) {
			c->btch.have_sum = 1;
			snprintf(c->btch.ccy, sizeof(c->btch.ccy), "%s",
			    c->ccy_attr);
		}
	}
}

/* A leaf of a statement outside its entries: account and TxsSummry. */
static void
end_stmt_leaf(struct camt *c, const char *n)
{
	const char *p1 = up(c, 1), *p2 = up(c, 2);
	struct ctl *k = strcmp(p1, "TtlNtries") == 0 ? &c->ttl :
	    strcmp(p1, "TtlCdtNtries") == 0 ? &c->cdt :
	    strcmp(p1, "TtlDbtNtries") == 0 ? &c->dbt : NULL;

	/* Stmt/Acct/Id/IBAN or Stmt/Acct/Id/Othr/Id */
	if (c->acct[0] == '\0' && ((strcmp(n, "IBAN") == 0 &&
	    strcmp(p1, "Id") == 0 && strcmp(p2, "Acct") == 0 &&
	    c->depth == 6) || (strcmp(n, "Id") == 0 && strcmp(p1, "Othr") == 0 &&
	    strcmp(p2, "Id") == 0 && strcmp(up(c, 3), "Acct") == 0 &&
	    c->depth == 7)))
		take(c, c->acct, sizeof(c->acct));
	if (k == NULL || !within(c, "TxsSummry"))
		return;
	if (strcmp(n, "NbOfNtries") == 0 && parse_count(c, n, &k->n) == 0)
		k->have_n = 1;
	else if (strcmp(n, "Sum") == 0) {
		int64_t ct;
		int sc;

		if (parse_amount(c, "TxsSummry Sum", &k->sum, &ct, &sc) == 0)
			k->have_sum = 1;
	}
}

/* One item: transaction t (NULL: the entry alone), with its own amount
 * when own_amt, else the entry's. */
static int
emit(struct camt *c, const struct tx *t, int own_amt)
{
	struct br_payrec r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.file = c->file;
	r.line = t != NULL ? t->line : c->ntry_line;
	r.debit = c->dbit;
	r.amount_cents = own_amt ? t->amt : c->amt;
	r.sub_cent = own_amt ? t->sub_cent : c->sub_cent;
	snprintf(r.currency, sizeof(r.currency), "%s", own_amt && t->ccy[0] ?
	    t->ccy : c->ccy);
	snprintf(r.date, sizeof(r.date), "%s", c->bookg[0] ? c->bookg :
	    c->valdt);
	snprintf(r.txn_code, sizeof(r.txn_code), "%.3s",
	    c->t->message + 5);
	snprintf(r.originator, sizeof(r.originator), "%s", c->acct);
	ret = t != NULL && t->rtr;
	if (strcmp(c->sts, "BOOK") != 0 && c->sts[0] != '\0') {
		r.kind = BR_PAYREC_OTHER;
		r.item_class = "other";
	} else if (c->dbit && (ret || c->rvsl)) {
		r.kind = BR_PAYREC_RETURN;
		r.item_class = ret ? "return" : "reversal";
	} else if (c->dbit || ret) {
		r.kind = BR_PAYREC_OTHER;
		r.item_class = ret ? "return" : "other";
	} else {
		r.kind = BR_PAYREC_PAYMENT;
		r.item_class = c->rvsl ? "reversal" : "receipt";
		if (c->rvsl)
			r.kind = BR_PAYREC_OTHER;
	}
	if (t != NULL) {
		snprintf(r.bank_ref, sizeof(r.bank_ref), "%s", t->e2e[0] ?
		    t->e2e : t->svcr_ref[0] ? t->svcr_ref : c->svcr_ref);
		if (r.kind == BR_PAYREC_RETURN)
			snprintf(r.original_trace, sizeof(r.original_trace),
			    "%s", t->e2e);
		snprintf(r.return_code, sizeof(r.return_code), "%s",
		    t->rtr_code);
		snprintf(r.account_ref, sizeof(r.account_ref), "%s",
		    t->strd_ref[0] ? t->strd_ref : t->ustrd);
		snprintf(r.text, sizeof(r.text), "%s", t->text);
		snprintf(r.name, sizeof(r.name), "%s", t->name);
	} else
		snprintf(r.bank_ref, sizeof(r.bank_ref), "%s", c->svcr_ref);
	if (r.date[0] == '\0')
		return fail(c, "Ntry at line %ld has no booking or value date",
		    c->ntry_line);
	c->t->items++;
	if (r.debit)
		c->t->debit_cents += r.amount_cents;
	else
		c->t->credit_cents += r.amount_cents;
	if (c->on_rec != NULL && c->on_rec(c->ctx, &r, c->err) < 0) {
		c->failed = 1;
		XML_StopParser(c->xp, XML_FALSE);
		return -1;
	}
	return 0;
}

/*
 * The entry ends: check its batch and details, deliver its items: one
 * per transaction when there are several, each with an amount in the
 * entry's currency (they must add up to the entry); else one item of the
 * entry's amount, with the first transaction's references.
 */
static int
end_ntry(struct camt *c)
{
	int64_t sum = 0;
	size_t i;
	int per_tx = c->ntx > 1;
	char a[32], b[32];

	c->in_ntry = 0;
	c->t->entries++;
	c->n_entries++;
	if (__builtin_add_overflow(c->sum_all, c->amt_u, &c->sum_all) ||
	    __builtin_add_overflow(c->dbit ? c->sum_dbt : c->sum_cdt,
	    c->amt_u, c->dbit ? &c->sum_dbt : &c->sum_cdt))
		return fail(c, "Ntry at line %ld: the statement's amounts "
		    "overflow", c->ntry_line);
	if (c->dbit)
		c->n_dbt++;
	else
		c->n_cdt++;
	for (i = 0; i < c->ntx; i++) {
		if (!c->tx[i].have_amt || (c->tx[i].ccy[0] &&
		    strcmp(c->tx[i].ccy, c->ccy) != 0))
			per_tx = 0;
		sum += c->tx[i].amt_u;
	}
	if (c->btch.have_n && c->ntx > 0 && c->btch.n != (long)c->ntx)
		return fail(c, "Ntry at line %ld: Btch/NbOfTxs %ld, but %zu "
		    "TxDtls", c->ntry_line, c->btch.n, c->ntx);
	if (c->btch.have_sum && (c->btch.ccy[0] == '\0' ||
	    strcmp(c->btch.ccy, c->ccy) == 0) && c->btch.sum != c->amt_u)
		return fail(c, "Ntry at line %ld: Btch/TtlAmt %s does not match "
		    "the entry amount %s", c->ntry_line, fmt_u(c->btch.sum, a,
		    sizeof(a)), fmt_u(c->amt_u, b, sizeof(b)));
	if (per_tx && sum != c->amt_u)
		return fail(c, "Ntry at line %ld: TxDtls amounts add up to %s, "
		    "not the entry amount %s", c->ntry_line, fmt_u(sum, a,
		    sizeof(a)), fmt_u(c->amt_u, b, sizeof(b)));
	if (!per_tx)
		return emit(c, c->ntx > 0 ? &c->tx[0] : NULL, 0);
	for (i = 0; i < c->ntx; i++)
		if (emit(c, &c->tx[i], 1) != 0)
			return -1;
	return 0;
}

/* The statement ends: TxsSummry against its entries. */
static int
end_stmt(struct camt *c)
{
	const struct {
		const struct ctl *k;
		const char *name;
		long n;
		int64_t sum;
	} chk[3] = {
		{ &c->ttl, "TtlNtries", c->n_entries, c->sum_all },
		{ &c->cdt, "TtlCdtNtries", c->n_cdt, c->sum_cdt },
		{ &c->dbt, "TtlDbtNtries", c->n_dbt, c->sum_dbt },
	};
	char a[32], b[32];
	int i;

	c->in_stmt = 0;
	for (i = 0; i < 3; i++) {
		if (chk[i].k->have_n && chk[i].k->n != chk[i].n)
			return fail(c, "TxsSummry/%s/NbOfNtries %ld does not "
			    "match the %ld entries of the statement at line "
			    "%ld", chk[i].name, chk[i].k->n, chk[i].n,
			    c->stmt_line);
		if (chk[i].k->have_sum && chk[i].k->sum != chk[i].sum)
			return fail(c, "TxsSummry/%s/Sum %s does not match the "
			    "entries' sum %s (statement at line %ld)",
			    chk[i].name, fmt_u(chk[i].k->sum, a, sizeof(a)),
			    fmt_u(chk[i].sum, b, sizeof(b)), c->stmt_line);
	}
	return 0;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct camt *c = ud;
	const char *n = local(name);
	struct tx *t;

	if (c->failed)
		return;
	if (c->in_ntry && strcmp(n, "Ntry") == 0 && c->depth == 4)
		end_ntry(c);
	else if (c->in_stmt && c->depth == 3)
		end_stmt(c);
	else if ((t = cur_tx(c)) != NULL) {
		if (strcmp(n, "RtrInf") == 0)
			t->rtr = 1;
		end_tx_leaf(c, t, n);
	} else if (c->in_ntry)
		end_ntry_leaf(c, n);
	else if (c->in_stmt)
		end_stmt_leaf(c, n);
	c->depth--;
	c->tlen = 0;
	c->text[0] = '\0';
}

static void XMLCALL
on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal)
{
	(void)name;
	(void)sysid;
	(void)pubid;
	(void)has_internal;
	fail(ud, "document type declarations are not accepted");
}

int
br_camt_sniff(const char *buf, size_t len, char *what, size_t n)
{
	size_t i = 0, j;
	const char *ns, *end;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' ||
	    buf[i] == '\n'))
		i++;
	if (i >= len || buf[i] != '<')
		return -1;
	/* Room for the prefix and the 9 bytes "camt.05N." compared. */
	for (j = i; j + strlen(NS_PREFIX) + 9 <= len; j++) {
		if (memcmp(buf + j, NS_PREFIX, strlen(NS_PREFIX)) != 0)
			continue;
		ns = buf + j;
		for (end = ns; end < buf + len && *end != '"' &&
		    *end != '\''; end++)
			;
		snprintf(what, n, "%.*s", (int)(end - ns), ns);
		return memcmp(ns + strlen(NS_PREFIX), "camt.053.", 9) == 0 ||
		    memcmp(ns + strlen(NS_PREFIX), "camt.054.", 9) == 0;
	}
	/* The root element's name. */
	for (j = i; j < len; j++) {
		if (buf[j] != '<' || j + 1 >= len || buf[j + 1] == '?' ||
		    buf[j + 1] == '!')
			continue;
		for (end = buf + j + 1; end < buf + len && *end != ' ' &&
		    *end != '>' && *end != '\n' && *end != '\r' &&
		    *end != '/'; end++)
			;
		snprintf(what, n, "<%.*s>", (int)(end - (buf + j + 1)),
		    buf + j + 1);
		return 0;
	}
	snprintf(what, n, "XML");
	return 0;
}

int
br_camt_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_camt_totals *totals, char sha_hex[65], struct br_error *err)
{
	struct br_camt_totals dummy;
	struct br_input *in;
	struct camt c;
	char buf[65536];
	long n;
	int rc = -1;

	if (totals == NULL)
		totals = &dummy;
	memset(totals, 0, sizeof(*totals));
	memset(&c, 0, sizeof(c));
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	c.file = in->name;
	c.err = err;
	c.t = totals;
	c.on_rec = on_rec;
	c.ctx = ctx;
	if ((c.xp = XML_ParserCreate(NULL)) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	XML_SetUserData(c.xp, &c);
	XML_SetElementHandler(c.xp, on_start, on_end);
	XML_SetCharacterDataHandler(c.xp, on_text);
	XML_SetStartDoctypeDeclHandler(c.xp, on_doctype);
	do {
		if ((n = br_input_read(in, buf, sizeof(buf), err)) < 0)
			goto out;
		if (XML_Parse(c.xp, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (!c.failed)
				br_error_set(err, BR_EINPUT, in->name,
				    (long)XML_GetCurrentLineNumber(c.xp),
				    "XML: %s", XML_ErrorString(
				    XML_GetErrorCode(c.xp)));
			goto out;
		}
	} while (n > 0);
	if (c.failed)
		goto out;
	if (totals->message[0] == '\0') {
		br_error_set(err, BR_EINPUT, in->name, 0, "no camt document");
		goto out;
	}
	if (sha_hex != NULL)
		br_input_sha256(in, sha_hex);
	rc = 0;
out:
	if (c.xp != NULL)
		XML_ParserFree(c.xp);
	free(c.tx);
	br_input_close(in);
	return rc;
}
