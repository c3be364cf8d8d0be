/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamlmap.c: the libyaml event walk shared by the vendor-CSV and payment
 * mapping loaders (see yamlmap.h).
 */
#include "io/yamlmap.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "core/banned.h"

static int
is_section(const char *const *sections, const char *key)
{
	for (; *sections != NULL; sections++)
		if (strcmp(*sections, key) == 0)
			return 1;
	return 0;
}

/* "only 'a' holds one" / "only 'a', 'b' and 'c' hold one". */
static void
sections_text(const char *const *sections, char *buf, size_t n)
{
	size_t i, count = 0, len;

	while (sections[count] != NULL)
		count++;
	snprintf(buf, n, "only ");
	for (i = 0; i < count; i++) {
		len = strlen(buf);
		snprintf(buf + len, n - len, "%s'%s'", i == 0 ? "" :
		    i + 1 == count ? " and " : ", ", sections[i]);
	}
	len = strlen(buf);
	snprintf(buf + len, n - len, count == 1 ? " holds one" : " hold one");
}

int
br_yamlmap_read(const char *path, const char *const *sections,
    enum br_errcode code, br_yamlmap_set set, void *ctx,
    struct br_error *err)
{
	yaml_parser_t p;
	yaml_event_t ev;
	FILE *f;
	char section[32] = "", key[64] = "", which[160];
	int depth = 0, have_key = 0, done = 0, rc = -1;

	if ((f = fopen(path, "rb")) == NULL)
		return br_error_set(err, BR_ENOINPUT, path, 0,
		    "cannot open mapping: %s", strerror(errno));
	yaml_parser_initialize(&p);
	yaml_parser_set_input_file(&p, f);
	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			br_error_set(err, code, path,
			    (long)p.problem_mark.line + 1, "bad YAML: %s",
			    p.problem ? p.problem : "?");
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			if (depth == 1 && have_key && is_section(sections, key)) {
				snprintf(section, sizeof(section), "%.31s", key);
				have_key = 0;
			} else if (depth != 0) {
				sections_text(sections, which, sizeof(which));
				br_error_set(err, code, path,
				    (long)ev.start_mark.line + 1,
				    "unexpected mapping (%s)", which);
				yaml_event_delete(&ev);
				goto out;
			}
			depth++;
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			section[0] = '\0';
			break;
		case YAML_SEQUENCE_START_EVENT:
			br_error_set(err, code, path,
			    (long)ev.start_mark.line + 1, "unexpected list");
			yaml_event_delete(&ev);
			goto out;
		case YAML_SCALAR_EVENT: {
			const char *v = (const char *)ev.data.scalar.value;

			if (!have_key) {
				snprintf(key, sizeof(key), "%s", v);
				have_key = 1;
			} else {
				have_key = 0;
				if (set(ctx, section, key, v) != 0) {
					br_error_set(err, code, path,
					    (long)ev.start_mark.line + 1,
					    "bad value '%s' for key '%s%s%s'",
					    v, section, section[0] ? "." : "",
					    key);
					yaml_event_delete(&ev);
					goto out;
				}
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	rc = 0;
out:
	yaml_parser_delete(&p);
	fclose(f);
	return rc;
}
