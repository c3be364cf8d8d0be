/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_html.c: the HTML/SVG writer (lib/io/html.h): escaping of text and
 * attribute values, elements, the page shell and the charts' output.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "io/html.h"

/* Run fn into a memory stream; returns the text (free it). */
static char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	fn(f, arg);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static void
w_text(FILE *f, const void *s)
{
	br_html_text(f, s);
}

static void
w_attr(FILE *f, const void *s)
{
	br_html_attr(f, s);
}

START_TEST(test_text_escape)
{
	char *o = capture(w_text, "a<b>&c \"q\" 'x' </script>");

	ck_assert_str_eq(o, "a&lt;b&gt;&amp;c \"q\" 'x' &lt;/script&gt;");
	free(o);
	o = capture(w_text, "caf\xc3\xa9\ttab\x01\x7f");
	ck_assert_str_eq(o, "caf\xc3\xa9\ttab\xef\xbf\xbd\xef\xbf\xbd");
	free(o);
	o = capture(w_text, "");
	ck_assert_str_eq(o, "");
	free(o);
}
END_TEST

START_TEST(test_attr_escape)
{
	char *o = capture(w_attr, "\" onmouseover='x()' a=<b>&amp;");

	ck_assert_str_eq(o, "&quot; onmouseover=&#39;x()&#39; "
	    "a=&lt;b&gt;&amp;amp;");
	free(o);
}
END_TEST

static void
w_elems(FILE *f, const void *arg)
{
	(void)arg;
	br_html_start(f, "td", "class", "num", "data-id", "EX-\"1\"", NULL);
	br_html_textf(f, "%d < %s", 3, "4&5");
	br_html_end(f, "td");
	br_html_elem(f, "p", "<i>", "title", "a'b", NULL);
	br_html_elem(f, "span", "x", NULL);
}

START_TEST(test_elements)
{
	char *o = capture(w_elems, NULL);

	ck_assert_str_eq(o, "<td class=\"num\" data-id=\"EX-&quot;1&quot;\">"
	    "3 &lt; 4&amp;5</td><p title=\"a&#39;b\">&lt;i&gt;</p>"
	    "<span>x</span>");
	free(o);
}
END_TEST

static void
w_page(FILE *f, const void *arg)
{
	(void)arg;
	br_html_page_begin(f, "R&D <page>", "body{margin:0}\n");
	br_html_page_end(f, "var a = 1;\n");
}

START_TEST(test_page)
{
	char *o = capture(w_page, NULL);

	ck_assert_ptr_nonnull(strstr(o, "<!DOCTYPE html>\n"));
	ck_assert_ptr_nonnull(strstr(o, "<title>R&amp;D &lt;page&gt;</title>"));
	ck_assert_ptr_nonnull(strstr(o, "<style>\nbody{margin:0}\n</style>"));
	ck_assert_ptr_nonnull(strstr(o, "<script>\nvar a = 1;\n</script>\n"
	    "</body>\n</html>\n"));
	ck_assert_ptr_null(strstr(o, "http:"));
	free(o);
}
END_TEST

static void
w_chart(FILE *f, const void *arg)
{
	static const int64_t v[4] = { 0, 1000, 2000, 500 };
	static const uint8_t mark[4] = { 0, 0, 1, 0 };
	static const uint8_t miss[4] = { 0, 1, 0, 0 };
	struct br_chart_series s[2] = {
		{ "flagged <day>", "s0", v, mark, NULL, 4 },
		{ "like day", "s1", v, NULL, miss, 4 },
	};
	static const char *const ticks[2] = { "00:00", "24:00" };

	(void)arg;
	br_svg_line_chart(f, 300, 150, "kWh", s, 2, ticks, 2,
	    "chart & label");
}

START_TEST(test_line_chart)
{
	char *o = capture(w_chart, NULL);

	/* Plot 56..282 wide, top 10, bottom 150-28-18 = 104; max 2.0. */
	ck_assert_ptr_nonnull(strstr(o, "aria-label=\"chart &amp; label\""));
	ck_assert_ptr_nonnull(strstr(o, "<polyline points=\"56,104 131,57 "
	    "206,10 282,81\" class=\"s0\"/>"));
	/* The gap at point 1 splits series 1 in two lines. */
	ck_assert_ptr_nonnull(strstr(o, "<polyline points=\"56,104\" "
	    "class=\"s1\"/>"));
	ck_assert_ptr_nonnull(strstr(o, "<polyline points=\"206,10 282,81\" "
	    "class=\"s1\"/>"));
	ck_assert_ptr_nonnull(strstr(o, "<rect x=\"204\" y=\"8\" width=\"5\" "
	    "height=\"5\" class=\"mark\"/>"));
	ck_assert_ptr_nonnull(strstr(o, ">2.0 kWh</text>"));
	ck_assert_ptr_nonnull(strstr(o, "<text x=\"282\" y=\"118\" "
	    "text-anchor=\"middle\" class=\"tick\">24:00</text>"));
	ck_assert_ptr_nonnull(strstr(o, ">flagged &lt;day&gt;</text>"));
	free(o);
}
END_TEST

static void
w_bars(FILE *f, const void *arg)
{
	static const int64_t v[2] = { 500000, 1000000 };
	static const char *const lab[2] = { "2026-09", "2026-10" };
	static const char *const cls[2] = { NULL, "bar cur" };

	(void)arg;
	br_svg_bar_chart(f, 264, 120, "kWh", v, lab, cls, 2, "usage");
}

START_TEST(test_bar_chart)
{
	char *o = capture(w_bars, NULL);

	/* plot 190 wide, two slots capped at 48; bottom 100, max 1000 kWh. */
	ck_assert_ptr_nonnull(strstr(o, "<rect x=\"62\" y=\"55\" width=\"36\" "
	    "height=\"45\" class=\"bar\"><title>2026-09: 500 kWh</title>"));
	ck_assert_ptr_nonnull(strstr(o, "<rect x=\"110\" y=\"10\" width=\"36\" "
	    "height=\"90\" class=\"bar cur\"><title>2026-10: 1000 kWh"));
	ck_assert_ptr_nonnull(strstr(o, ">2026-10</text>"));
	free(o);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("html");
	TCase *tc = tcase_create("html");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_text_escape);
	tcase_add_test(tc, test_attr_escape);
	tcase_add_test(tc, test_elements);
	tcase_add_test(tc, test_page);
	tcase_add_test(tc, test_line_chart);
	tcase_add_test(tc, test_bar_chart);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
