/* SPDX-License-Identifier: Apache-2.0 */
/*
 * html.c: HTML/SVG writing for the report pages: escaping, elements,
 * the page shell and integer-coordinate SVG charts (html.h).
 */
#include "io/html.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"
#include "core/banned.h"

static void
escape(FILE *f, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	for (; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs(attr ? "&quot;" : "\"", f);
			break;
		case '\'':
			fputs(attr ? "&#39;" : "'", f);
			break;
		default:
			if ((*p < 0x20 && *p != '\t' && *p != '\n' &&
			    *p != '\r') || *p == 0x7f)
				fputs("\xef\xbf\xbd", f);
			else
				fputc(*p, f);
		}
	}
}

void
br_html_text(FILE *f, const char *s)
{
	escape(f, s, 0);
}

void
br_html_attr(FILE *f, const char *s)
{
	escape(f, s, 1);
}

void
br_html_textf(FILE *f, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	escape(f, buf, 0);
}

void
br_html_raw(FILE *f, const char *s)
{
	fputs(s ? s : "", f);
}

static void
attrs(FILE *f, va_list ap)
{
	const char *name, *value;

	while ((name = va_arg(ap, const char *)) != NULL) {
		if ((value = va_arg(ap, const char *)) == NULL)
			break;
		fprintf(f, " %s=\"", name);
		escape(f, value, 1);
		fputc('"', f);
	}
}

void
br_html_start(FILE *f, const char *tag, ...)
{
	va_list ap;

	fprintf(f, "<%s", tag);
	va_start(ap, tag);
	attrs(f, ap);
	va_end(ap);
	fputc('>', f);
}

void
br_html_end(FILE *f, const char *tag)
{
	fprintf(f, "</%s>", tag);
}

void
br_html_elem(FILE *f, const char *tag, const char *text, ...)
{
	va_list ap;

	fprintf(f, "<%s", tag);
	va_start(ap, text);
	attrs(f, ap);
	va_end(ap);
	fputc('>', f);
	escape(f, text, 0);
	fprintf(f, "</%s>", tag);
}

void
br_html_page_begin(FILE *f, const char *title, const char *css)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>", f);
	escape(f, title, 0);
	fputs("</title>\n<style>\n", f);
	fputs(css ? css : "", f);
	fputs("</style>\n</head>\n<body>\n", f);
}

void
br_html_page_end(FILE *f, const char *script)
{
	if (script && *script)
		fprintf(f, "<script>\n%s</script>\n", script);
	fputs("</body>\n</html>\n", f);
}

static void
cls_attr(FILE *f, const char *cls)
{
	if (cls && *cls) {
		fputs(" class=\"", f);
		escape(f, cls, 1);
		fputc('"', f);
	}
}

void
br_svg_begin(FILE *f, int w, int h, const char *cls, const char *label)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"", w, h, w, h);
	cls_attr(f, cls);
	if (label) {
		fputs(" aria-label=\"", f);
		escape(f, label, 1);
		fputc('"', f);
	}
	fputs(">", f);
}

void
br_svg_end(FILE *f)
{
	fputs("</svg>", f);
}

void
br_svg_rect(FILE *f, int x, int y, int w, int h, const char *cls,
    const char *title)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"",
	    x, y, w, h);
	cls_attr(f, cls);
	if (title) {
		fputs("><title>", f);
		escape(f, title, 0);
		fputs("</title></rect>", f);
	} else {
		fputs("/>", f);
	}
}

void
br_svg_line(FILE *f, int x1, int y1, int x2, int y2, const char *cls)
{
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"",
	    x1, y1, x2, y2);
	cls_attr(f, cls);
	fputs("/>", f);
}

void
br_svg_text(FILE *f, int x, int y, const char *anchor, const char *cls,
    const char *text)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\"", x, y);
	if (anchor)
		fprintf(f, " text-anchor=\"%s\"", anchor);
	cls_attr(f, cls);
	fputc('>', f);
	escape(f, text, 0);
	fputs("</text>", f);
}

void
br_svg_polyline(FILE *f, const int *x, const int *y, size_t n,
    const char *cls)
{
	size_t i;

	if (n == 0)
		return;
	fputs("<polyline points=\"", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%d,%d", i ? " " : "", x[i], y[i]);
	fputc('"', f);
	cls_attr(f, cls);
	fputs("/>", f);
}

/* Chart geometry shared by both charts. */
enum { PAD_L = 56, PAD_R = 18, PAD_T = 10 };

static void
y_axis(FILE *f, int w, int top, int bottom, int64_t max, const char *unit)
{
	char num[48], lab[96];

	br_decimal_format(max, 3, max >= 10000 ? 0 : 1, num, sizeof(num));
	snprintf(lab, sizeof(lab), "%s %s", num, unit ? unit : "");
	br_svg_line(f, PAD_L, top, PAD_L, bottom, "axis");
	br_svg_line(f, PAD_L, bottom, w - PAD_R, bottom, "axis");
	br_svg_line(f, PAD_L, top, w - PAD_R, top, "grid");
	br_svg_text(f, PAD_L - 4, top + 4, "end", "tick", lab);
	br_svg_text(f, PAD_L - 4, bottom, "end", "tick", "0");
}

static int
scale_y(int64_t v, int64_t max, int top, int bottom)
{
	if (v < 0)
		v = 0;
	if (v > max)
		v = max;
	return bottom - (int)((v * (bottom - top)) / max);
}

static void
one_series(FILE *f, const struct br_chart_series *s, size_t nmax, int w,
    int top, int bottom, int64_t max)
{
	int *x = malloc(s->n * sizeof(int)), *y = malloc(s->n * sizeof(int));
	int plot = w - PAD_L - PAD_R;
	size_t i, run = 0;

	if (x == NULL || y == NULL) {
		free(x);
		free(y);
		return;
	}
	for (i = 0; i <= s->n; i++) {
		if (i == s->n || (s->missing && s->missing[i])) {
			br_svg_polyline(f, x, y, run, s->cls);
			run = 0;
			continue;
		}
		x[run] = PAD_L + (int)(nmax > 1 ? (int64_t)i * plot /
		    (int64_t)(nmax - 1) : 0);
		y[run] = scale_y(s->v[i], max, top, bottom);
		if (s->mark && s->mark[i])
			br_svg_rect(f, x[run] - 2, y[run] - 2, 5, 5, "mark",
			    NULL);
		run++;
	}
	free(x);
	free(y);
}

void
br_svg_line_chart(FILE *f, int w, int h, const char *unit,
    const struct br_chart_series *s, size_t ns, const char *const *xticks,
    size_t nxticks, const char *label)
{
	int legend = 14 * (int)ns, top = PAD_T, bottom = h - legend - 18;
	int64_t max = 0;
	size_t i, j, nmax = 0;

	for (i = 0; i < ns; i++) {
		if (s[i].n > nmax)
			nmax = s[i].n;
		for (j = 0; j < s[i].n; j++)
			if ((!s[i].missing || !s[i].missing[j]) &&
			    s[i].v[j] > max)
				max = s[i].v[j];
	}
	if (max <= 0)
		max = 1000;
	br_svg_begin(f, w, h, "chart", label);
	y_axis(f, w, top, bottom, max, unit);
	for (i = 0; i < nxticks; i++)
		br_svg_text(f, PAD_L + (int)(nxticks > 1 ? (int64_t)i *
		    (w - PAD_L - PAD_R) / (int64_t)(nxticks - 1) : 0),
		    bottom + 14, "middle", "tick", xticks[i]);
	for (i = 0; i < ns; i++)
		one_series(f, &s[i], nmax, w, top, bottom, max);
	for (i = 0; i < ns; i++) {
		int ly = bottom + 30 + 14 * (int)i;

		br_svg_line(f, PAD_L, ly - 4, PAD_L + 18, ly - 4, s[i].cls);
		br_svg_text(f, PAD_L + 24, ly, NULL, "legend", s[i].label);
	}
	br_svg_end(f);
}

void
br_svg_bar_chart(FILE *f, int w, int h, const char *unit,
    const int64_t *v, const char *const *label, const char *const *cls,
    size_t n, const char *aria)
{
	int top = PAD_T, bottom = h - 20, plot = w - PAD_L - PAD_R;
	int64_t max = 0;
	size_t i, every;

	for (i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	if (max <= 0)
		max = 1000;
	br_svg_begin(f, w, h, "chart", aria);
	y_axis(f, w, top, bottom, max, unit);
	every = n > 0 && (size_t)plot / n < 48 ? (48 * n + (size_t)plot -
	    1) / (size_t)plot : 1;
	for (i = 0; i < n; i++) {
		int slot = n ? plot / (int)n : plot, bx;

		if (slot > 48)
			slot = 48;	/* a few bills: narrow bars, left */
		bx = PAD_L + (int)i * slot;
		int y = scale_y(v[i], max, top, bottom);
		char num[48], title[160];

		br_decimal_format(v[i], 3, 0, num, sizeof(num));
		snprintf(title, sizeof(title), "%s: %s %s",
		    label && label[i] ? label[i] : "", num, unit ? unit : "");
		br_svg_rect(f, bx + slot / 8, y, slot - slot / 4 > 1 ?
		    slot - slot / 4 : 1, bottom - y, cls && cls[i] ? cls[i] :
		    "bar", title);
		if (label && label[i] && i % every == 0)
			br_svg_text(f, bx + slot / 2, bottom + 14, "middle",
			    "tick", label[i]);
	}
	br_svg_end(f);
}
