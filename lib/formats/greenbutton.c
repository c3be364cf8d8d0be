/* SPDX-License-Identifier: Apache-2.0 */
/*
 * greenbutton.c: Green Button ESPI XML through expat.  The document is
 * streamed; entries (self/up/related hrefs, ReadingType fields) and the
 * readings of IntervalBlocks are collected (memory: the readings of one
 * file), then each block is resolved to its MeterReading and ReadingType
 * by href and its readings are handed out as runs.
 */
#include "formats/greenbutton.h"

#include <ctype.h>
#include <expat.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/input.h"
#include "core/money.h"
#include "core/reads.h"
#include "core/units.h"
#include "core/banned.h"

#define HREF_MAX 320
#define NREL 8

struct gb_entry {
	char self[HREF_MAX], up[HREF_MAX];
	char rel[NREL][HREF_MAX];
	int nrel;
	bool is_rt, is_mr, has_blocks;
	int uom, flow;			/* ReadingType; -1 = absent */
	int power;			/* powerOfTenMultiplier; absent = 0 */
	long line;
};

struct gb_reading {
	size_t entry;
	long line;
	int64_t start, duration, value;
	int quality;			/* QualityOfReading or -1 */
};

struct gb {
	XML_Parser xp;
	const char *file;
	struct br_error *err;
	int failed;
	struct gb_entry *e;
	size_t ne, ecap;
	struct gb_reading *r;
	size_t nr, rcap;
	/* element path (local names) */
	char path[16][32];
	int depth;
	char text[256];
	size_t tlen;
	struct br_gb_stats *stats;
};

static const char *
local_name(const char *n)
{
	const char *s = strrchr(n, ':');	/* "ns:tag" or "uri tag" */
	const char *b = strrchr(n, ' ');

	if (b != NULL && (s == NULL || b > s))
		s = b;
	return s ? s + 1 : n;
}

static int
fail(struct gb *g, const char *msg)
{
	if (!g->failed)
		br_error_set(g->err, BR_EINPUT, g->file,
		    (long)XML_GetCurrentLineNumber(g->xp), "%s", msg);
	g->failed = 1;
	XML_StopParser(g->xp, XML_FALSE);
	return -1;
}

static bool
in(const struct gb *g, int up, const char *name)
{
	int k = g->depth - 1 - up;

	/* Only the first 16 levels are kept (fuzzing: index 19 of 16). */
	return k >= 0 && k < 16 && strcmp(g->path[k], name) == 0;
}

static void XMLCALL
on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct gb *g = ud;
	const char *n = local_name(name);
	struct gb_entry *e;
	int i;

	if (g->failed)
		return;
	if (g->depth < 16)
		snprintf(g->path[g->depth], sizeof(g->path[0]), "%s", n);
	g->depth++;
	g->tlen = 0;
	if (strcmp(n, "entry") == 0) {
		if (g->ne == g->ecap) {
			size_t nc = g->ecap ? g->ecap * 2 : 16;
			void *p = realloc(g->e, nc * sizeof(*g->e));
			if (p == NULL) {
				fail(g, "out of memory");
				return;
			}
			g->e = p;
			g->ecap = nc;
		}
		e = &g->e[g->ne++];
		memset(e, 0, sizeof(*e));
		e->uom = e->flow = -1;
		e->power = 0;
		e->line = (long)XML_GetCurrentLineNumber(g->xp);
		return;
	}
	if (g->ne == 0)
		return;
	e = &g->e[g->ne - 1];
	if (strcmp(n, "link") == 0) {
		const char *rel = NULL, *href = NULL;
		for (i = 0; atts[i] != NULL; i += 2) {
			if (strcmp(local_name(atts[i]), "rel") == 0)
				rel = atts[i + 1];
			else if (strcmp(local_name(atts[i]), "href") == 0)
				href = atts[i + 1];
		}
		if (rel == NULL || href == NULL)
			return;
		if (strcmp(rel, "self") == 0)
			snprintf(e->self, sizeof(e->self), "%s", href);
		else if (strcmp(rel, "up") == 0)
			snprintf(e->up, sizeof(e->up), "%s", href);
		else if (strcmp(rel, "related") == 0 && e->nrel < NREL)
			snprintf(e->rel[e->nrel++], sizeof(e->rel[0]), "%s",
			    href);
	} else if (strcmp(n, "ReadingType") == 0)
		e->is_rt = true;
	else if (strcmp(n, "MeterReading") == 0)
		e->is_mr = true;
	else if (strcmp(n, "IntervalBlock") == 0) {
		e->has_blocks = true;
		if (g->stats)
			g->stats->blocks++;
	} else if (strcmp(n, "IntervalReading") == 0) {
		struct gb_reading *r;
		if (g->nr == g->rcap) {
			size_t nc = g->rcap ? g->rcap * 2 : 256;
			void *p = realloc(g->r, nc * sizeof(*g->r));
			if (p == NULL) {
				fail(g, "out of memory");
				return;
			}
			g->r = p;
			g->rcap = nc;
		}
		r = &g->r[g->nr++];
		r->entry = g->ne - 1;
		r->line = (long)XML_GetCurrentLineNumber(g->xp);
		r->start = r->duration = r->value = INT64_MIN;
		r->quality = -1;
	}
}

/*
 * The element text, blanks trimmed, as a whole number in [min, max]
 * (br_int_parse: no saturation, no truncation).
 */
static int
parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
	size_t n;

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n' ||
	    s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	return br_int_parse(s, n, min, max, out);
}

/*
 * A ReadingType field: uom and flowDirection are Int16 kinds,
 * powerOfTenMultiplier an Int16 kind whose ESPI enumeration spans
 * -12 (pico) .. 12 (tera); anything else is an error at its line.
 */
static void
reading_type_field(struct gb *g, struct gb_entry *e, const char *n)
{
	int64_t v;
	char msg[200];

	if (strcmp(n, "powerOfTenMultiplier") == 0) {
		if (parse_int(g->text, BR_GB_POWER_MIN, BR_GB_POWER_MAX, &v)) {
			snprintf(msg, sizeof(msg), "ReadingType "
			    "powerOfTenMultiplier '%.40s' is not a whole "
			    "number from %d to %d", g->text, BR_GB_POWER_MIN,
			    BR_GB_POWER_MAX);
			fail(g, msg);
			return;
		}
		e->power = (int)v;
		return;
	}
	if (strcmp(n, "uom") != 0 && strcmp(n, "flowDirection") != 0)
		return;
	if (parse_int(g->text, INT16_MIN, INT16_MAX, &v) != 0) {
		snprintf(msg, sizeof(msg), "ReadingType %s '%.40s' is not a "
		    "whole number from -32768 to 32767", n, g->text);
		fail(g, msg);
		return;
	}
	if (strcmp(n, "uom") == 0)
		e->uom = (int)v;
	else
		e->flow = (int)v;
}

static void XMLCALL
on_end(void *ud, const XML_Char *name)
{
	struct gb *g = ud;
	const char *n = local_name(name);
	int64_t v;

	if (g->failed)
		return;
	g->text[g->tlen] = '\0';
	if (g->ne > 0 && g->depth >= 2) {
		struct gb_entry *e = &g->e[g->ne - 1];
		struct gb_reading *r = g->nr ? &g->r[g->nr - 1] : NULL;

		if (in(g, 1, "ReadingType") && e->is_rt) {
			reading_type_field(g, e, n);
			if (g->failed)
				return;
		} else if (r != NULL && r->entry == g->ne - 1 &&
		    in(g, 1, "timePeriod") && in(g, 2, "IntervalReading")) {
			if (parse_int(g->text, INT64_MIN + 1, INT64_MAX,
			    &v) != 0) {
				char msg[200];
				snprintf(msg, sizeof(msg), "IntervalReading "
				    "timePeriod %s '%.60s' is not whole "
				    "seconds", n, g->text);
				fail(g, msg);
				return;
			}
			if (strcmp(n, "start") == 0)
				r->start = v;
			else if (strcmp(n, "duration") == 0)
				r->duration = v;
		} else if (r != NULL && r->entry == g->ne - 1 &&
		    in(g, 1, "IntervalReading") && strcmp(n, "value") == 0) {
			if (parse_int(g->text, -(INT64_C(1) << 47),
			    (INT64_C(1) << 47) - 1, &v) != 0) {
				fail(g, "IntervalReading value: not a whole "
				    "number in the Int48 range");
				return;
			}
			r->value = v;
		} else if (r != NULL && r->entry == g->ne - 1 &&
		    in(g, 1, "ReadingQuality") && strcmp(n, "quality") == 0 &&
		    parse_int(g->text, 0, INT16_MAX, &v) == 0 &&
		    r->quality < 0)
			r->quality = (int)v;
	}
	g->depth--;
	g->tlen = 0;
}

static void XMLCALL
on_text(void *ud, const XML_Char *s, int len)
{
	struct gb *g = ud;
	size_t n = (size_t)len;

	if (g->tlen + n >= sizeof(g->text))
		n = sizeof(g->text) - 1 - g->tlen;
	memcpy(g->text + g->tlen, s, n);
	g->tlen += n;
}

/* The MeterReading entry of block entry b, or -1. */
static long
find_mr(const struct gb *g, const struct gb_entry *b)
{
	char want[HREF_MAX];
	const char *p;
	size_t i;
	int k;

	/* "up" of a block: .../MeterReading/01/IntervalBlock */
	snprintf(want, sizeof(want), "%s", b->up[0] ? b->up : b->self);
	if ((p = strstr(want, "/IntervalBlock")) != NULL)
		want[p - want] = '\0';
	for (i = 0; i < g->ne; i++)
		if (g->e[i].is_mr && strcmp(g->e[i].self, want) == 0)
			return (long)i;
	for (i = 0; i < g->ne; i++)	/* MeterReading naming the block */
		for (k = 0; g->e[i].is_mr && k < g->e[i].nrel; k++)
			if ((b->up[0] && strcmp(g->e[i].rel[k], b->up) == 0) ||
			    (b->self[0] && strcmp(g->e[i].rel[k], b->self) ==
			    0))
				return (long)i;
	return -1;
}

static long
find_rt(const struct gb *g, long mr)
{
	size_t i, n = 0, last = 0;
	int k;

	for (k = 0; mr >= 0 && k < g->e[mr].nrel; k++)
		for (i = 0; i < g->ne; i++)
			if (g->e[i].is_rt && g->e[i].self[0] &&
			    strcmp(g->e[i].self, g->e[mr].rel[k]) == 0)
				return (long)i;
	for (i = 0; i < g->ne; i++)	/* a single ReadingType: that one */
		if (g->e[i].is_rt) {
			n++;
			last = i;
		}
	return n == 1 ? (long)last : -1;
}

static const char *
uom_unit(int uom)
{
	const struct br_unit *u = br_unit_from_espi(uom);

	return u != NULL ? u->name : NULL;
}

static uint8_t
quality_byte(int q)
{
	switch (q) {
	case 8: case 9: case 11: case 12: case 13:
		return BR_Q_WITH_METHOD(BR_Q_ESTIMATED, BR_EST_SOURCE);
	case 7:
		return BR_Q_EDITED;
	case 10:
		return BR_Q_SUSPECT;
	default:
		return BR_Q_ACTUAL;
	}
}

/* value x 10^(power + 3), rounded half up; -1 on overflow. */
static int
scale(int64_t v, int power, int64_t *out)
{
	int e = power + 3;

	for (; e > 0; e--)
		if (__builtin_mul_overflow(v, 10, &v))
			return -1;
	for (; e < 0; e++) {
		int64_t q = v / 10, r = v % 10;
		if (r >= 5)
			q++;
		else if (r <= -5)
			q--;
		v = q;
	}
	*out = v;
	return 0;
}

/*
 * The UsagePoint id of a meter path ("RetailCustomer/7/UsagePoint/E1"
 * -> "E1"), percent-decoded, as the serial: ami-import tries it when the
 * whole path is not a registry meter (usage-export writes the meter id
 * there).  "" when there is none, it does not fit or it holds %00.
 */
static void
usage_point_id(const char *path, char *out, size_t n)
{
	const char *p = strstr(path, "UsagePoint/");
	size_t k = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	for (p += strlen("UsagePoint/"); *p && *p != '/'; p++) {
		int c = (unsigned char)*p;
		if (c == '%' && isxdigit((unsigned char)p[1]) &&
		    isxdigit((unsigned char)p[2])) {
			char h[3] = {p[1], p[2], '\0'};
			c = (int)strtol(h, NULL, 16);
			p += 2;
		}
		if (c == 0 || k + 1 >= n) {	/* %00 would cut the id */
			out[0] = '\0';
			return;
		}
		out[k++] = (char)c;
	}
	out[k] = '\0';
}

static int
emit(struct gb *g, br_ami_day_cb on_day, void *ctx)
{
	struct br_ami_day d;
	int64_t *vals = NULL;
	uint8_t *q = NULL;
	size_t i = 0, j;
	int rc = -1;

	if (g->nr > 0 && ((vals = malloc(g->nr * sizeof(*vals))) == NULL ||
	    (q = malloc(g->nr)) == NULL)) {
		br_error_set(g->err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	while (i < g->nr) {
		const struct gb_entry *b = &g->e[g->r[i].entry];
		long mr = find_mr(g, b), rt = find_rt(g, mr);
		const struct gb_entry *t;
		const char *unit, *up;

		if (rt < 0) {
			br_error_set(g->err, BR_EINPUT, g->file, b->line,
			    "IntervalBlock: cannot resolve its ReadingType "
			    "through the link hrefs");
			goto out;
		}
		t = &g->e[rt];
		if ((unit = uom_unit(t->uom)) == NULL) {
			br_error_set(g->err, BR_EINPUT, g->file, t->line,
			    "ReadingType: uom %d is not an energy or volume "
			    "unit we store (72 Wh, 169 therm, 119 ft3, "
			    "128 gal)", t->uom);
			goto out;
		}
		memset(&d, 0, sizeof(d));
		d.file = g->file;
		d.line = g->r[i].line;
		up = mr >= 0 ? g->e[mr].self : b->up;
		if ((up = strstr(up, "resource/")) != NULL)
			up += strlen("resource/");
		else
			up = mr >= 0 ? g->e[mr].self : b->up;
		{
			char tmp[HREF_MAX], *p;
			snprintf(tmp, sizeof(tmp), "%s", up);
			if ((p = strstr(tmp, "/MeterReading")) != NULL)
				*p = '\0';
			if (strlen(tmp) >= sizeof(d.meter_id)) {
				br_error_set(g->err, BR_EINPUT, g->file,
				    b->line, "UsagePoint href longer than "
				    "63 bytes: '%s'", tmp);
				goto out;
			}
			memcpy(d.meter_id, tmp, strlen(tmp) + 1);
			usage_point_id(tmp, d.serial, sizeof(d.serial));
		}
		d.channel = t->flow == 19 ? BR_CHANNEL_RECEIVED :
		    (t->flow == 1 || t->flow <= 0) ? BR_CHANNEL_DELIVERED :
		    BR_AMI_CHANNEL_OTHER;
		snprintf(d.unit, sizeof(d.unit), "%s", unit);
		d.reason = -1;
		/* A run: same block entry, contiguous, equal duration. */
		for (j = i; j < g->nr; j++) {
			const struct gb_reading *r = &g->r[j];
			int64_t end;
			if (r->start == INT64_MIN || r->duration == INT64_MIN ||
			    r->value == INT64_MIN || r->duration <= 0 ||
			    r->duration > INT32_MAX) {
				br_error_set(g->err, BR_EINPUT, g->file,
				    r->line, "IntervalReading without "
				    "timePeriod start, duration or value");
				goto out;
			}
			if (__builtin_add_overflow(r->start, r->duration,
			    &end)) {
				br_error_set(g->err, BR_EINPUT, g->file,
				    r->line, "IntervalReading timePeriod "
				    "start + duration is beyond the time "
				    "range");
				goto out;
			}
			if (j > i && (r->entry != g->r[i].entry ||
			    r->duration != g->r[i].duration ||
			    r->start != g->r[j - 1].start +
			    g->r[j - 1].duration))
				break;
			if (scale(r->value, t->power, &vals[j - i]) != 0 ||
			    vals[j - i] < 0) {
				br_error_set(g->err, BR_EINPUT, g->file,
				    r->line, "IntervalReading value out of "
				    "range or negative");
				goto out;
			}
			q[j - i] = quality_byte(r->quality);
		}
		d.start_utc = g->r[i].start;
		d.interval_s = (int32_t)g->r[i].duration;
		d.n = (int32_t)(j - i);
		d.values = vals;
		d.quality = q;
		if (g->stats)
			g->stats->days++;
		if (on_day != NULL && on_day(ctx, &d, g->err) != 0)
			goto out;
		i = j;
	}
	rc = 0;
out:
	free(vals);
	free(q);
	return rc;
}

int
br_gb_parse(const char *path, br_ami_day_cb on_day, void *ctx,
    char sha_hex[65], struct br_gb_stats *stats, struct br_error *err)
{
	struct br_gb_stats dummy;
	struct br_input *in;
	struct gb g;
	char buf[65536];
	long n;
	int rc = -1;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	memset(&g, 0, sizeof(g));
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	g.file = in->name;
	g.err = err;
	g.stats = stats;
	if ((g.xp = XML_ParserCreate(NULL)) == NULL) {
		br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
		goto out;
	}
	XML_SetUserData(g.xp, &g);
	XML_SetElementHandler(g.xp, on_start, on_end);
	XML_SetCharacterDataHandler(g.xp, on_text);
	do {
		if ((n = br_input_read(in, buf, sizeof(buf), err)) < 0)
			goto out;
		if (XML_Parse(g.xp, buf, (int)n, n == 0) == XML_STATUS_ERROR) {
			if (!g.failed)
				br_error_set(err, BR_EINPUT, in->name,
				    (long)XML_GetCurrentLineNumber(g.xp),
				    "XML: %s", XML_ErrorString(
				    XML_GetErrorCode(g.xp)));
			goto out;
		}
	} while (n > 0);
	stats->readings = (long)g.nr;
	if (sha_hex != NULL)
		br_input_sha256(in, sha_hex);
	rc = emit(&g, on_day, ctx);
out:
	if (g.xp != NULL)
		XML_ParserFree(g.xp);
	free(g.e);
	free(g.r);
	br_input_close(in);
	return rc;
}
