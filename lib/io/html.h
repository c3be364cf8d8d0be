/* SPDX-License-Identifier: Apache-2.0 */
/*
 * html.h: the small HTML and SVG writer every report page shares (the
 * exception review page, the account view).  It owns escaping (text and
 * attribute values), elements with attribute lists, the page shell with
 * inline CSS and script, and the SVG pieces of the charts (line chart of
 * interval series with marked points, bar chart).  Pages are one
 * self-contained file: no external resource, no timestamp.  Coordinates
 * are integers so output is the same on every machine.
 *
 * Write errors are not checked per call: the caller checks the stream
 * (ferror, br_output_close) once at the end.
 */
#ifndef BR_HTML_H
#define BR_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write s with & < > escaped (element text). */
void br_html_text(FILE *f, const char *s);

/* Write s with & < > " ' escaped (attribute value; caller writes the
 * surrounding double quotes).  Control characters other than tab, CR and
 * LF become U+FFFD so the page stays well formed. */
void br_html_attr(FILE *f, const char *s);

/* printf into a bounded buffer (4 KiB), then escaped as text. */
void br_html_textf(FILE *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Write s unchanged (markup, CSS, script the caller owns). */
void br_html_raw(FILE *f, const char *s);

/*
 * <tag name="value" ...> with attributes as NULL-terminated name, value
 * pairs (values escaped; a NULL value ends the list too).  br_html_end
 * writes </tag>.  br_html_elem writes a whole element with text content.
 * A tag of the void kind (br, meta, input) is written by br_html_start
 * alone.
 */
void br_html_start(FILE *f, const char *tag, ...);
void br_html_end(FILE *f, const char *tag);
void br_html_elem(FILE *f, const char *tag, const char *text, ...);

/* <!DOCTYPE html><html lang="en"><head> charset, title, <style>css
 * </style></head><body>, and the closing </body></html> with the
 * optional inline script before it. */
void br_html_page_begin(FILE *f, const char *title, const char *css);
void br_html_page_end(FILE *f, const char *script);

/* SVG pieces.  cls may be NULL (no class attribute). */
void br_svg_begin(FILE *f, int w, int h, const char *cls, const char *label);
void br_svg_end(FILE *f);
void br_svg_rect(FILE *f, int x, int y, int w, int h, const char *cls,
    const char *title);
void br_svg_line(FILE *f, int x1, int y1, int x2, int y2, const char *cls);
void br_svg_text(FILE *f, int x, int y, const char *anchor, const char *cls,
    const char *text);
/* Polyline through n points (x[i], y[i]). */
void br_svg_polyline(FILE *f, const int *x, const int *y, size_t n,
    const char *cls);

/*
 * A line chart of series of interval values, all on one value scale:
 * series i is drawn as a polyline of n[i] points spread over the chart's
 * width (one series per day or period; shorter series are not stretched
 * beyond their own n); a point whose mark[i][j] is non-zero gets a small
 * square of class "mark" (estimated intervals).  A gap (missing[i][j]
 * non-zero) breaks the polyline.  Values in milli-units; the y axis is
 * labelled with the maximum in units (unit text).  Legend lines below the
 * plot name the series by label in the series' class; nxticks labels
 * (e.g. "00:00" ... "24:00") are spread evenly under the x axis.
 */
struct br_chart_series {
	const char *label;	/* legend text */
	const char *cls;	/* CSS class of the line (colour) */
	const int64_t *v;	/* values, milli-units */
	const uint8_t *mark;	/* non-zero: marked point, or NULL */
	const uint8_t *missing;	/* non-zero: no value, or NULL */
	size_t n;
};
void br_svg_line_chart(FILE *f, int w, int h, const char *unit,
    const struct br_chart_series *s, size_t ns, const char *const *xticks,
    size_t nxticks, const char *label);

/*
 * A bar chart: one bar per value (milli-units) in slots at most 48 px
 * wide from the left, label[i] under every bar when there is room (every
 * k-th otherwise), bar title
 * "label: value unit" for hover, cls[i] or "bar" as the class.
 */
void br_svg_bar_chart(FILE *f, int w, int h, const char *unit,
    const int64_t *v, const char *const *label, const char *const *cls,
    size_t n, const char *aria);

#endif
