/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tariff_int.h: private to lib/rate/tariff*.c.  The loader state (struct
 * ld), the YAML walking macros, and what the tariff files call in each
 * other: tariff_yaml.c (typed scalars with file:line errors),
 * tariff_energy.c (seasons, holidays, TOU periods, tiers, prices),
 * tariff.c (charges, versions, the file) and tariff_lookup.c.
 */
#ifndef BR_TARIFF_INT_H
#define BR_TARIFF_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "core/error.h"
#include "rate/tariff.h"

struct ld {
	yaml_document_t *doc;
	struct br_tariff *t;
	struct br_error *err;
};
#define FOR_PAIRS(l, map, kn, vn, kname)				\
	for (yaml_node_pair_t *p_##kn = (map)->data.mapping.pairs.start;	\
	    p_##kn < (map)->data.mapping.pairs.top &&			\
	    ((kn) = yaml_document_get_node((l)->doc, p_##kn->key)) != NULL &&	\
	    ((vn) = yaml_document_get_node((l)->doc, p_##kn->value)) != NULL &&	\
	    ((kname) = br_tf_scalar(kn) ? br_tf_scalar(kn) : "?") != NULL; p_##kn++)

#define FOR_ITEMS(l, seq, vn)						\
	for (yaml_node_item_t *i_##vn = (seq)->data.sequence.items.start;	\
	    i_##vn < (seq)->data.sequence.items.top &&			\
	    ((vn) = yaml_document_get_node((l)->doc, *i_##vn)) != NULL; i_##vn++)

long br_tf_node_line(const yaml_node_t *n);
int br_tf_fail(struct ld *l, const yaml_node_t *n, const char *key,
    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
const char *br_tf_scalar(const yaml_node_t *n);
int br_tf_get_scalar(struct ld *l, const yaml_node_t *n, const char *key,
    const char **out);
int br_tf_get_text(struct ld *l, const yaml_node_t *n, const char *key, char
    *buf, size_t size);
int br_tf_get_rate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out_nano);
int br_tf_get_srate(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out_nano);
int br_tf_get_micro(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out);
int br_tf_get_percent(struct ld *l, const yaml_node_t *n, const char *key,
    int64_t *out);
int br_tf_get_int(struct ld *l, const yaml_node_t *n, const char *key, long
    lo, long hi, int *out);
int br_tf_get_qty(struct ld *l, const yaml_node_t *n, const char *key, int64_t
    *out);
int br_tf_get_date(struct ld *l, const yaml_node_t *n, const char *key,
    int32_t *out);
int br_tf_get_bool(struct ld *l, const yaml_node_t *n, const char *key, bool
    *out);
int br_tf_expect(struct ld *l, const yaml_node_t *n, yaml_node_type_t type,
    const char *key);
int br_tf_unknown(struct ld *l, const yaml_node_t *kn, const char *key);
int br_tf_missing(struct ld *l, const yaml_node_t *n, const char *key);
int br_tf_find_season(struct ld *l, const yaml_node_t *n, int *out);
int br_tf_parse_months(struct ld *l, const yaml_node_t *n, struct
    br_tariff_season *s);
int br_tf_load_seasons(struct ld *l, const yaml_node_t *seq);
int br_tf_load_holidays(struct ld *l, const yaml_node_t *seq);
int br_tf_load_tier_list(struct ld *l, const yaml_node_t *seq, struct
    br_tariff_tier *tiers, size_t *ntiers);
bool br_tf_period_tiers(const struct br_tariff_energy *e);
int br_tf_load_energy_one(struct ld *l, const yaml_node_t *map, struct
    br_tariff_energy *e);
int br_tf_cmp_day(const void *a, const void *b);

#endif
