/* SPDX-License-Identifier: Apache-2.0 */
/*
 * urdb.c: URDB JSON -> billrun tariff YAML (docs/urdb-import.md).
 *
 * The JSON is parsed with json-c; every number is read from its source
 * text into exact fixed point (never through a double).  Months whose
 * schedules and charges are identical are grouped into seasons (runs of
 * consecutive months), each season's 24-hour weekday and weekend rows
 * become TOU periods with hour ranges, and the result is written as YAML
 * text.  Every URDB feature the tariff language cannot express is listed
 * in the result's problems and fails the conversion.
 *
 * This file owns the feature checks, the YAML writing and the public
 * API; reading the JSON is in urdb_json.c, the seasons, TOU periods and
 * charges in urdb_map.c, what they share in urdb_int.h.
 */
#include "rate/urdb.h"
#include "rate/urdb_int.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "core/date.h"
#include "io/input.h"
#include "core/money.h"
#include "rate/tariff.h"
#include "core/banned.h"

/* ---- feature checks ---------------------------------------------------- */

/* true when the JSON value (number, array of numbers, nested) is non-zero */
static bool
nonzero(json_object *v)
{
	int64_t x;

	if (v == NULL)
		return false;
	switch (json_object_get_type(v)) {
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(v); i++)
			if (nonzero(json_object_array_get_idx(v, i)))
				return true;
		return false;
	case json_type_object: {
		json_object *r = br_urdb_field(v, "rate"), *a = br_urdb_field(v, "adj");
		return nonzero(r) || nonzero(a);
	}
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_null:
		return false;
	case json_type_string:
		if (br_urdb_get_money(v, &x) == 0)
			return x != 0;
		return json_object_get_string_len(v) > 0;
	default:
		return br_urdb_get_money(v, &x) != 0 || x != 0;
	}
}

static void
check_unit(struct cv *c, const char *const *names, const char *what)
{
	json_object *u = br_urdb_field_any(c->root, names);
	const char *s;

	if (u == NULL || json_object_is_type(u, json_type_null))
		return;
	s = json_object_is_type(u, json_type_string) ?
	    json_object_get_string(u) : "?";
	if (strcasecmp(s, "kW") != 0)
		br_urdb_problem(c, names[0], "%s: demand unit '%s' is not supported "
		    "(only kW)", names[0], s);
	(void)what;
}

static void check_ratchet(struct cv *c);

static void
check_features(struct cv *c)
{
	json_object *v;
	const char *s;

	json_object_object_foreach(c->root, k, val) {
		const char *const *f;
		for (f = br_urdb_info_fields; *f; f++)
			if (strcasecmp(*f, k) == 0)
				break;
		if (*f == NULL)
			br_urdb_problem(c, k, "unknown URDB field '%s': it may carry a "
			    "charge", k);
		(void)val;
	}
	if (nonzero(br_urdb_field(c->root, "fixedchargeeaaddl")))
		br_urdb_problem(c, "fixedchargeeaaddl", "fixedchargeeaaddl: a charge "
		    "per additional meter is not supported");
	if (nonzero(br_urdb_field(c->root, "annualmincharge")))
		br_urdb_problem(c, "annualmincharge", "annualmincharge: annual minimum "
		    "charges are not supported");
	if (nonzero(br_urdb_field(c->root, "coincidentratestructure")))
		br_urdb_problem(c, "coincidentratestructure", "coincident demand "
		    "charges (coincidentratestructure) are not supported");
	if (nonzero(v = br_urdb_field_any(c->root, br_urdb_f_reactive)))
		br_urdb_problem(c, "demandreactivepowercharge", "reactive power charge"
		    " (demandreactivepowercharge %s $/kVAR) is not supported: "
		    "billrun reads no kVAR data", br_urdb_num_text(v) ? br_urdb_num_text(v) :
		    "?");
	if (nonzero(br_urdb_field(c->root, "demandratchetpercentage")))
		br_urdb_problem(c, "demandratchetpercentage", "demand ratchets "
		    "(demandratchetpercentage) are not supported");
	check_ratchet(c);
	if (nonzero(br_urdb_field(c->root, "realtimepricing")))
		br_urdb_problem(c, "realtimepricing", "realtimepricing: real-time "
		    "prices are not supported by the importer");
	if ((v = br_urdb_field(c->root, "demandwindow")) != NULL &&
	    (s = br_urdb_num_text(v)) != NULL && strcmp(s, "15") != 0 &&
	    strcmp(s, "15.0") != 0 && strcmp(s, "0") != 0)
		br_urdb_problem(c, "demandwindow", "demandwindow %s minutes: only 15-"
		    "minute demand is supported", s);
	for (size_t p = 0; p < c->energy.n; p++)
		for (size_t t = 0; t < c->energy.ntiers[p]; t++) {
			const char *u = c->energy.t[p][t].unit;
			if (c->energy.t[p][t].sell != 0)
				c->sell |= (uint64_t)1 << p;
			if (u[0] && strcmp(u, "kWh") != 0)
				br_urdb_problem(c, "energyratestructure",
				    "energyratestructure[%zu][%zu]: tier unit "
				    "'%s' is not supported (only kWh per "
				    "month)", p, t, u);
		}
	for (size_t p = 0; p < c->demand.n; p++)
		for (size_t t = 0; t < c->demand.ntiers[p]; t++) {
			const char *u = c->demand.t[p][t].unit;
			if (u[0] && strcasecmp(u, "kW") != 0)
				br_urdb_problem(c, "demandratestructure",
				    "demandratestructure[%zu][%zu]: unit '%s' "
				    "is not supported (only kW)", p, t, u);
		}
	if (nonzero(br_urdb_field(c->root, "flatdemandstructure")))
		check_unit(c, br_urdb_f_flatunit, "flat demand");
	if (nonzero(br_urdb_field(c->root, "demandratestructure")))
		check_unit(c, br_urdb_f_demandunit, "demand");
	if (br_urdb_field(c->root, "energyattrs") || br_urdb_field(c->root, "demandattrs"))
		br_urdb_note(c, "energyattrs/demandattrs are notes in URDB and are not "
		    "applied (check them for riders and discounts)");
}

/*
 * mincharge + minchargeunits ($/month, $/day) or the legacy
 * minmonthlycharge: the version's minimum bill.
 */
static void
emit_minimum(struct cv *c)
{
	json_object *v = br_urdb_field(c->root, "mincharge");
	const char *src = "mincharge", *per = "month", *u;
	int64_t amt;
	char b[48];

	if (!nonzero(v)) {
		v = br_urdb_field(c->root, "minmonthlycharge");
		src = "minmonthlycharge";
	} else if (nonzero(br_urdb_field(c->root, "minmonthlycharge")))
		br_urdb_note(c, "minmonthlycharge ignored: mincharge is given");
	if (!nonzero(v))
		return;
	if (br_urdb_get_money(v, &amt) != 0) {
		br_urdb_problem(c, src, "%s: not a number", src);
		return;
	}
	if (strcmp(src, "mincharge") == 0 &&
	    (u = br_urdb_str_field(c->root, "minchargeunits")) != NULL) {
		if (strcmp(u, "$/day") == 0)
			per = "day";
		else if (strcmp(u, "$/month") != 0) {
			br_urdb_problem(c, "minchargeunits", "minchargeunits '%s' is "
			    "not supported ($/month, $/day)", u);
			return;
		}
	}
	if (br_urdb_amount_text(c, src, src, amt, b, sizeof(b)) == 0)
		br_urdb_bput(&c->y, "    minimum: {amount: %s, per: %s}   # %s\n", b,
		    per, src);
}

static const char *
mask_list(uint64_t m, char *b, size_t n)
{
	size_t len = 0;

	b[0] = '\0';
	for (int p = 0; p < 64; p++)
		if (m & ((uint64_t)1 << p))
			len += (size_t)snprintf(b + len, len < n ? n - len : 0,
			    "%s%d", len ? ", " : "", p);
	return b;
}

/* One problem per feature, naming the URDB periods involved. */
static void
report_masks(struct cv *c)
{
	char b[256];

	if (c->sell)
		br_urdb_problem(c, "sell", "sell rates (export credit) in "
		    "energyratestructure periods %s are not supported",
		    mask_list(c->sell, b, sizeof(b)));
	if (c->tou_tiered)
		br_urdb_problem(c, "energyratestructure", "tiered energy in a "
		    "time-of-use period that needs several entries (split by "
		    "demand periods or day types: energyratestructure periods "
		    "%s) is not supported", mask_list(c->tou_tiered, b,
		    sizeof(b)));
	if (c->tou_demand)
		br_urdb_problem(c, "demandratestructure", "time-of-use demand charges "
		    "over hours of more energy periods than a line code can "
		    "name (demandratestructure periods %s) are not supported",
		    mask_list(c->tou_demand, b, sizeof(b)));
	if (c->tou_demand_split)
		br_urdb_problem(c, "demandratestructure", "time-of-use demand charges "
		    "in an energy period whose weekday and weekend hours need "
		    "separate entries (demandratestructure periods %s) are not "
		    "supported", mask_list(c->tou_demand_split, b, sizeof(b)));
}

/*
 * URDB v8 ratchet: billing demand = max(peak, lookbackpercent x the
 * highest peak of the lookbackrange months before).  The language has
 * exactly that on the monthly maximum demand (ratchet: percent, months).
 * lookbackmonths (specific calendar months) has no equivalent.
 */
static void
check_ratchet(struct cv *c)
{
	json_object *pv = br_urdb_field(c->root, "lookbackpercent"),
	    *rv = br_urdb_field(c->root, "lookbackrange"),
	    *mv = br_urdb_field(c->root, "lookbackmonths");
	int64_t ppm, range;
	bool exact;
	const char *x;

	if (!nonzero(pv))
		return;
	if (nonzero(mv)) {
		br_urdb_problem(c, "lookbackmonths", "demand ratchet over specific "
		    "months (lookbackmonths) is not supported");
		return;
	}
	if ((x = br_urdb_num_text(pv)) == NULL || br_urdb_dec_scaled(x, 6, &ppm, &exact) != 0 ||
	    !exact || ppm <= 0 || ppm > 1000000) {
		br_urdb_problem(c, "lookbackpercent", "lookbackpercent '%s': expected "
		    "a fraction above 0 and at most 1 with at most 6 decimals",
		    x ? x : "?");
		return;
	}
	if ((x = br_urdb_num_text(rv)) == NULL || br_urdb_dec_scaled(x, 0, &range, &exact) !=
	    0 || !exact || range < 1 || range > 36) {
		br_urdb_problem(c, "lookbackrange", "demand ratchet: lookbackrange "
		    "'%s' is not a number of months from 1 to 36", x ? x :
		    "missing");
		return;
	}
	c->ratchet_ppm = ppm;
	c->ratchet_months = (int)range;
}

/* all sell rates (every period and tier) when they are one value */
static bool
uniform_sell(const struct cv *c, int64_t *sell)
{
	bool first = true;

	for (size_t p = 0; p < c->energy.n; p++)
		for (size_t t = 0; t < c->energy.ntiers[p]; t++) {
			if (first)
				*sell = c->energy.t[p][t].sell;
			else if (c->energy.t[p][t].sell != *sell)
				return false;
			first = false;
		}
	return true;
}

/*
 * dgrules / usenetmetering: how exports of generating customers are paid.
 * With opts.nem_program the rule becomes a net_metering program:
 * "Net Metering" -> netting with a kWh bank (the true-up rate comes from
 * the command line: URDB has none); "Net Billing Instantaneous" -> net
 * billing with exports credited at the sell rate.
 */
static void
check_dg(struct cv *c)
{
	json_object *v = br_urdb_field_any(c->root, br_urdb_f_dgrules);
	const char *rule = NULL, *prog = c->o->nem_program;
	char rb[64], b[48];
	int64_t sell = 0;
	int tum = c->o->nem_true_up_month ? c->o->nem_true_up_month : 12;

	if (v && json_object_is_type(v, json_type_string))
		rule = json_object_get_string(v);
	else if ((v = br_urdb_field(c->root, "usenetmetering")) != NULL &&
	    json_object_get_boolean(v))
		rule = "Net Metering";
	if (rule == NULL || rule[0] == '\0') {
		if (prog)
			br_urdb_problem(c, "dgrules", "--nem-program %s: the tariff "
			    "has no dgrules (no rule for exports)", prog);
		return;
	}
	snprintf(rb, sizeof(rb), "%s", rule);
	br_urdb_clean_text(rb);
	if (prog == NULL) {
		br_urdb_note(c, "dgrules '%s' not represented: rate-apply refuses "
		    "agreements with a net_metering program on this tariff "
		    "(see --nem-program)", rb);
		br_urdb_bput(&c->cm, "# dgrules: %s (not represented: no "
		    "net_metering section)\n", rb);
		return;
	}
	if (strcasecmp(rule, "Net Metering") == 0) {
		int64_t sur;
		bool ex;
		if (c->sell)
			br_urdb_problem(c, "sell", "net metering (dgrules Net Metering) "
			    "with sell rates: exports are netted, not sold");
		if (c->o->nem_surplus == NULL || br_urdb_dec_scaled(c->o->nem_surplus,
		    12, &sur, &ex) != 0 || sur < 0) {
			br_urdb_problem(c, "dgrules", "net metering (dgrules Net "
			    "Metering) needs --nem-surplus-rate (URDB has no "
			    "true-up rate)");
			return;
		}
		if (br_urdb_rate_text(c, "--nem-surplus-rate", "dgrules", sur, b,
		    sizeof(b)) != 0)
			return;
		br_urdb_bput(&c->nem, "    net_metering:   # dgrules: %s\n      - "
		    "{program: %s, mode: netting, surplus_rate: %s, "
		    "true_up_month: %d}\n", rb, prog, b, tum);
		return;
	}
	if (strcasecmp(rule, "Net Billing Instantaneous") == 0) {
		if (!uniform_sell(c, &sell)) {
			br_urdb_problem(c, "sell", "net billing with sell rates that "
			    "differ by period or tier is not supported");
			return;
		}
		c->sell = 0;	/* the sell rate is the export credit */
		if (br_urdb_rate_text(c, "sell", "sell", sell, b, sizeof(b)) != 0)
			return;
		br_urdb_bput(&c->nem, "    net_metering:   # dgrules: %s\n      - "
		    "{program: %s, mode: billing, export: {rate: %s}}\n", rb,
		    prog, b);
		return;
	}
	br_urdb_problem(c, "dgrules", "dgrules '%s' is not supported (Net Metering, "
	    "Net Billing Instantaneous)", rb);
}

/* ---- driver ------------------------------------------------------------ */

static json_object *
unwrap(struct cv *c, json_object *top)
{
	json_object *v, *items;

	if ((v = br_urdb_field(top, "Scenario")) != NULL)
		top = br_urdb_field(v, "Site") ? br_urdb_field(v, "Site") : v;
	if ((v = br_urdb_field(top, "Site")) != NULL)
		top = v;
	if ((v = br_urdb_field(top, "ElectricTariff")) != NULL)
		top = v;
	if ((v = br_urdb_field(top, "urdb_response")) != NULL)
		top = v;
	items = br_urdb_field(top, "items");
	if (items == NULL)
		return top;
	if (!json_object_is_type(items, json_type_array) ||
	    json_object_array_length(items) == 0) {
		br_urdb_bad(c, "items: expected a non-empty array of tariffs");
		return NULL;
	}
	if (c->o->all_items)
		return items;
	size_t n = json_object_array_length(items);
	for (size_t i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(items, i);
		const char *l = br_urdb_str_field(it, "label");
		if (c->o->label == NULL && n == 1)
			return it;
		if (c->o->label && l && strcmp(l, c->o->label) == 0)
			return it;
	}
	{
		char list[400];
		size_t len = 0;
		for (size_t i = 0; i < n && i < 6; i++) {
			json_object *it = json_object_array_get_idx(items, i);
			const char *l = br_urdb_str_field(it, "label");
			char lb[40];
			snprintf(lb, sizeof(lb), "%s", l ? l : "?");
			br_urdb_clean_text(lb);
			len += (size_t)snprintf(list + len, len < sizeof(list) ?
			    sizeof(list) - len : 0, "%s%s", i ? ", " : "",
			    i == 5 ? "..." : lb);
		}
		if (c->o->label)
			br_urdb_bad(c, "items: no tariff with label '%s' (labels: %s)",
			    c->o->label, list);
		else
			br_urdb_bad(c, "items: %zu tariffs; choose one with --label "
			    "(labels: %s)", n, list);
	}
	return NULL;
}

/* startdate/enddate: epoch seconds or "YYYY-MM-DD hh:mm:ss" -> UTC day */
static int
get_day(struct cv *c, const char *name, int32_t *out)
{
	json_object *v = br_urdb_field(c->root, name);
	const char *s;
	int64_t secs;
	bool exact;

	if (v == NULL || json_object_is_type(v, json_type_null))
		return 1;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (strlen(s) >= 10 && br_date_parse(s, 10, out) == 0)
			return 0;
		if (br_urdb_dec_scaled(s, 0, &secs, &exact) != 0)
			return br_urdb_bad(c, "%s: bad date '%s'", name, s);
	} else if ((s = br_urdb_num_text(v)) == NULL ||
	    br_urdb_dec_scaled(s, 0, &secs, &exact) != 0)
		return br_urdb_bad(c, "%s: bad date", name);
	if (secs < 0 || secs > 253402300799LL)
		return br_urdb_bad(c, "%s: date out of range", name);
	*out = (int32_t)br_floor_div(secs, 86400);
	return 0;
}

static void
yaml_str(struct buf *b, const char *s, size_t max)
{
	char t[512];
	size_t k;

	snprintf(t, sizeof(t), "%s", s);
	br_urdb_clean_text(t);
	/* cut at max bytes, not inside a UTF-8 sequence */
	for (k = 0; t[k]; ) {
		int n = br_urdb_utf8_len((const unsigned char *)t + k);
		if (k + (size_t)n > max)
			break;
		k += (size_t)n;
	}
	t[k] = '\0';
	br_urdb_bput(b, "\"");
	for (k = 0; t[k]; k++)
		if (t[k] == '"' || t[k] == '\\')
			br_urdb_bput(b, "\\%c", t[k]);
		else
			br_urdb_bput(b, "%c", t[k]);
	br_urdb_bput(b, "\"");
}

static void
comment_line(struct buf *b, const char *key, const char *val)
{
	char t[256];
	size_t k = 0;

	if (val == NULL || val[0] == '\0')
		return;
	snprintf(t, sizeof(t), "%s", val);
	br_urdb_clean_text(t);
	while (t[k]) {
		int n = br_urdb_utf8_len((const unsigned char *)t + k);
		if (k + (size_t)n > 200)
			break;
		k += (size_t)n;
	}
	t[k] = '\0';
	br_urdb_bput(b, "# %s: %s\n", key, t);
}

static bool
code_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= 32 || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

static void
derive_code(struct cv *c, char *out, size_t n)
{
	const char *l = br_urdb_str_field(c->root, "label"), *base;
	size_t k = 0;

	if (c->o->code) {
		if (strlen(c->o->code) >= n)
			snprintf(out, n, ".");	/* rejected by code_ok */
		else
			snprintf(out, n, "%s", c->o->code);
		return;
	}
	if (l && strlen(l) <= 24) {
		snprintf(out, n, "URDB-%s", l);
		if (code_ok(out))
			return;
	}
	base = strrchr(c->src, '/') ? strrchr(c->src, '/') + 1 : c->src;
	for (; base[k] && base[k] != '.' && k + 1 < n && k < 31; k++)
		out[k] = isalnum((unsigned char)base[k]) || base[k] == '-' ?
		    base[k] : '_';
	out[k] = '\0';
	if (k == 0)
		snprintf(out, n, "URDB");
}

/* Load one tariff object (c->root): structures, checks, charges, dates. */
static int
load_item(struct cv *c)
{
	size_t i;
	int rc;

	if (!json_object_is_type(c->root, json_type_object))
		return br_urdb_bad(c, "expected a URDB tariff object");
	if (br_urdb_load_structure(c, "energyratestructure", &c->energy) != 0 ||
	    br_urdb_load_structure(c, "demandratestructure", &c->demand) != 0 ||
	    br_urdb_load_structure(c, "flatdemandstructure", &c->flat) != 0)
		return -1;
	if (!c->energy.present)
		return br_urdb_bad(c, "energyratestructure missing: no energy charge");
	if (br_urdb_load_pair(c, &c->energy, "energyweekdayschedule",
	    "energyweekendschedule", &c->ewd, &c->ewe) != 0 ||
	    br_urdb_load_pair(c, &c->demand, "demandweekdayschedule",
	    "demandweekendschedule", &c->dwd, &c->dwe) != 0)
		return -1;
	if (c->flat.present) {
		json_object *fm = br_urdb_field(c->root, "flatdemandmonths");
		if (fm == NULL && c->flat.n == 1)
			memset(c->flatmonths, 0, sizeof(c->flatmonths));
		else if (fm == NULL || !json_object_is_type(fm,
		    json_type_array) || json_object_array_length(fm) != 12)
			return br_urdb_bad(c, "flatdemandmonths: expected 12 structure "
			    "indexes");
		for (i = 0; fm && i < 12; i++) {
			int64_t x;
			if (br_urdb_get_index(json_object_array_get_idx(fm, i),
			    &x) != 0)
				return br_urdb_bad(c, "flatdemandmonths[%zu]: expected "
				    "a structure index", i);
			if (x < 0 || (size_t)x >= c->flat.n)
				return br_urdb_bad(c, "flatdemandmonths[%zu]: structure "
				    "%lld does not exist", i, (long long)x);
			c->flatmonths[i] = (int)x;
		}
	}
	{
		json_object *fa = br_urdb_field(c->root, "fueladjustmentsmonthly");
		if (fa && json_object_is_type(fa, json_type_array)) {
			if (json_object_array_length(fa) != 12)
				return br_urdb_bad(c, "fueladjustmentsmonthly: expected "
				    "12 values");
			for (i = 0; i < 12; i++)
				if (br_urdb_get_money(json_object_array_get_idx(fa, i),
				    &c->fuel[i]) != 0)
					return br_urdb_bad(c, "fueladjustmentsmonthly"
					    "[%zu]: bad number", i);
		}
	}
	check_features(c);
	check_dg(c);
	br_urdb_period_names(c);

	/* fixed charge */
	json_object *fv = br_urdb_field(c->root, "fixedchargefirstmeter");
	c->per = "month";
	c->fsrc = NULL;
	if (fv && !json_object_is_type(fv, json_type_null))
		c->fsrc = "fixedchargefirstmeter";
	else if ((fv = br_urdb_field(c->root, "fixedmonthlycharge")) != NULL &&
	    !json_object_is_type(fv, json_type_null))
		c->fsrc = "fixedmonthlycharge";
	if (c->fsrc && br_urdb_get_money(fv, &c->fixed) != 0)
		return br_urdb_bad(c, "%s: bad number", c->fsrc);
	if (c->fsrc && strcmp(c->fsrc, "fixedchargefirstmeter") == 0) {
		const char *u = br_urdb_str_field(c->root, "fixedchargeunits");
		if (u == NULL || strcmp(u, "$/month") == 0)
			c->per = "month";
		else if (strcmp(u, "$/day") == 0)
			c->per = "day";
		else {
			br_urdb_problem(c, "fixedchargeunits", "fixedchargeunits '%s' "
			    "is not supported ($/month, $/day)", u);
			c->fixed = 0;
		}
	}

	/* dates */
	if (c->o->has_effective)
		c->eff = c->o->effective;
	else if ((rc = get_day(c, "startdate", &c->eff)) < 0)
		return -1;
	else if (rc > 0) {
		c->eff = br_date_days(1970, 1, 1);
		br_urdb_note(c, "no startdate: effective from 1970-01-01 (use "
		    "--effective)");
	}
	if ((rc = get_day(c, "enddate", &c->end)) < 0)
		return -1;
	c->has_end = rc == 0;
	return 0;
}

/* The version block of c (into c->y). */
static void
emit_version(struct cv *c, const struct season *seasons, size_t ns)
{
	char b1[48], b2[48];
	size_t i;
	bool dh = false;

	br_urdb_bput(&c->y, "  - effective: %s\n", br_date_format(c->eff, b1,
	    sizeof(b1)));
	if (c->fixed != 0 && br_urdb_amount_text(c, c->fsrc, c->fsrc, c->fixed,
	    b2, sizeof(b2)) == 0)
		br_urdb_bput(&c->y, "    customer_charge: {amount: %s, per: %s}"
		    "   # %s\n", b2, c->per, c->fsrc);
	emit_minimum(c);
	if (c->nem.p)
		br_urdb_bput(&c->y, "%s", c->nem.p);
	br_urdb_bput(&c->y, "    energy:\n");
	for (i = 0; i < (ns ? ns : 1); i++)
		br_urdb_emit_energy(c, ns ? &seasons[i] : NULL,
		    ns ? seasons[i].from : 0);
	for (i = 0; i < (ns ? ns : 1); i++)
		br_urdb_emit_demand(c, ns ? &seasons[i] : NULL,
		    ns ? seasons[i].from : 0, &dh);
	report_masks(c);
	if (c->ndemand > BR_TARIFF_MAX_DEMAND)
		br_urdb_problem(c, "demandratestructure", "the demand charges need %zu "
		    "entries (the tariff language allows %d)", c->ndemand,
		    BR_TARIFF_MAX_DEMAND);
}

/* code, name, unit, seasons (from the latest version's object) */
static void
emit_top(struct cv *c, struct buf *b, const struct season *seasons,
    size_t ns)
{
	char nm[256];
	const char *u = br_urdb_str_field(c->root, "utility"),
	    *n = br_urdb_str_field(c->root, "name");
	size_t i;

	br_urdb_bput(b, "code: %s\nname: ", c->r->code);
	snprintf(nm, sizeof(nm), "%s%s%s", u ? u : "", u && n ? " - " : "",
	    n ? n : (u ? "" : c->r->code));
	yaml_str(b, nm, sizeof(((struct br_tariff *)0)->name) - 1);
	br_urdb_bput(b, "\nunit: kWh\nrounding: half_up\n");
	if (ns > 0) {
		br_urdb_bput(b, "seasons:\n");
		for (i = 0; i < ns; i++) {
			if (seasons[i].from == seasons[i].to)
				br_urdb_bput(b, "  - {name: %s, months: %d}\n",
				    seasons[i].name, seasons[i].from + 1);
			else
				br_urdb_bput(b, "  - {name: %s, months: %d-%d}\n",
				    seasons[i].name, seasons[i].from + 1,
				    seasons[i].to + 1);
		}
	}
	br_urdb_bput(b, "versions:\n");
}

static void
emit_comments(struct cv *c, struct buf *h)
{
	const char *base = strrchr(c->src, '/') ? strrchr(c->src, '/') + 1 :
	    c->src;

	br_urdb_bput(h, "# Converted from URDB by urdb-import (docs/urdb-import.md)"
	    "\n");
	comment_line(h, "source file", base);
	comment_line(h, "label", br_urdb_str_field(c->root, "label"));
	comment_line(h, "uri", br_urdb_str_field(c->root, "uri"));
	comment_line(h, "utility", br_urdb_str_field(c->root, "utility"));
	comment_line(h, "rate", br_urdb_str_field(c->root, "name"));
	comment_line(h, "sector", br_urdb_str_field(c->root, "sector"));
	comment_line(h, "servicetype", br_urdb_str_field(c->root, "servicetype"));
}

static void
end_note(struct cv *c, struct buf *h)
{
	char b1[16];

	if (!c->has_end)
		return;
	br_date_format(c->end, b1, sizeof(b1));
	br_urdb_bput(h, "# enddate: %s (a later version must be added by hand; this "
	    "one stays in effect)\n", b1);
	br_urdb_note(c, "enddate %s: the tariff language has no end date; the "
	    "version stays in effect until a later one", b1);
}

static int
finish(struct cv *c)
{
	if (c->y.oom || c->cm.oom || c->nem.oom)
		return br_error_set(c->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	if (c->r->nproblems > 0)
		return br_error_set(c->err, BR_ECONFIG, c->src, 0,
		    "%s%s", c->r->problems[0], c->r->nproblems > 1 ?
		    " (and more features that cannot be represented)" : "");
	return 0;
}

static void
cv_free(struct cv *c)
{
	br_urdb_structure_free(&c->energy);
	br_urdb_structure_free(&c->demand);
	br_urdb_structure_free(&c->flat);
	free(c->cm.p);
	free(c->nem.p);
	free(c->y.p);
}

/*
 * --all-items: every tariff of "items" becomes a version, in startdate
 * order; seasons are the runs of months equal in every version.
 */
static int
convert_all(struct cv *c, json_object *items)
{
	size_t n = json_object_array_length(items), i, j, ns;
	struct cv **cs = calloc(n ? n : 1, sizeof(*cs));
	struct season seasons[12];
	struct buf body = { 0 }, h = { 0 };
	int rc = -1;
	char b1[16];

	if (cs == NULL)
		return br_error_set(c->err, BR_ENOMEM, NULL, 0,
		    "out of memory");
	for (i = 0; i < n; i++) {
		if ((cs[i] = calloc(1, sizeof(struct cv))) == NULL) {
			br_error_set(c->err, BR_ENOMEM, NULL, 0,
			    "out of memory");
			goto out;
		}
		cs[i]->o = c->o;
		cs[i]->r = c->r;
		cs[i]->err = c->err;
		cs[i]->src = c->src;
		cs[i]->root = json_object_array_get_idx(items, i);
		if (load_item(cs[i]) != 0)
			goto out;
	}
	/* startdate order (stable) */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && cs[j - 1]->eff > cs[j]->eff; j--) {
			struct cv *t = cs[j];
			cs[j] = cs[j - 1];
			cs[j - 1] = t;
		}
	for (i = 1; i < n; i++)
		if (cs[i]->eff == cs[i - 1]->eff) {
			br_urdb_bad(c, "items: two tariffs take effect on %s",
			    br_date_format(cs[i]->eff, b1, sizeof(b1)));
			goto out;
		}
	c->root = cs[n - 1]->root;
	derive_code(c, c->r->code, sizeof(c->r->code));
	if (!code_ok(c->r->code)) {
		br_error_set(c->err, BR_EUSAGE, NULL, 0, "bad rate code '%s'",
		    c->r->code);
		goto out;
	}
	ns = br_urdb_make_seasons(cs, n, seasons);
	if (ns > BR_TARIFF_MAX_SEASONS)
		br_urdb_problem(c, "energyweekdayschedule", "the schedules need %zu "
		    "seasons (the tariff language allows %d)", ns,
		    BR_TARIFF_MAX_SEASONS);
	emit_top(c, &body, seasons, ns);
	for (i = 0; i < n; i++) {
		emit_version(cs[i], seasons, ns);
		if (cs[i]->y.p)
			br_urdb_bput(&body, "%s", cs[i]->y.p);
	}
	emit_comments(cs[n - 1], &h);
	for (i = 0; i < n; i++) {
		const char *l = br_urdb_str_field(cs[i]->root, "label");
		char lb[40];
		snprintf(lb, sizeof(lb), "%s", l ? l : "?");
		br_urdb_clean_text(lb);
		br_urdb_bput(&h, "# version %s: label %s\n", br_date_format(cs[i]->eff,
		    b1, sizeof(b1)), lb);
	}
	end_note(cs[n - 1], &h);
	br_urdb_bput(&h, "# Rates are URDB rate + adj in dollars; hours are local "
	    "wall-clock time.\n");
	for (i = 0; i < n; i++)
		if (cs[i]->cm.p)
			br_urdb_bput(&h, "%s", cs[i]->cm.p);
	if (body.p)
		br_urdb_bput(&h, "%s", body.p);
	free(body.p);
	body.p = NULL;
	c->y = h;
	h.p = NULL;
	for (i = 0; i < n; i++)
		if (cs[i]->y.oom || cs[i]->cm.oom || cs[i]->nem.oom)
			c->y.oom = 1;
	rc = finish(c);
out:
	for (i = 0; i < n; i++)
		if (cs[i]) {
			cv_free(cs[i]);
			free(cs[i]);
		}
	free(cs);
	free(body.p);
	free(h.p);
	return rc;
}

static int
convert(struct cv *c, json_object *top)
{
	struct season seasons[12];
	size_t ns;
	struct cv *one = c;

	if ((c->root = unwrap(c, top)) == NULL)
		return -1;
	if (json_object_is_type(c->root, json_type_array)) {
		if (!c->o->all_items || json_object_array_length(c->root) == 0)
			return br_urdb_bad(c, "expected a URDB tariff object");
		return convert_all(c, c->root);
	}
	derive_code(c, c->r->code, sizeof(c->r->code));
	if (!code_ok(c->r->code))
		return br_error_set(c->err, BR_EUSAGE, NULL, 0, "bad rate code "
		    "'%s' (letters, digits, '-', '_', '.'; at most 31; it is "
		    "also the file name rates/CODE.yaml)", c->o->code ?
		    c->o->code : c->r->code);
	if (load_item(c) != 0)
		return -1;
	ns = br_urdb_make_seasons(&one, 1, seasons);
	if (ns > BR_TARIFF_MAX_SEASONS)
		br_urdb_problem(c, "energyweekdayschedule", "the schedules need %zu "
		    "seasons (the tariff language allows %d)", ns,
		    BR_TARIFF_MAX_SEASONS);
	struct buf body = { 0 }, h = { 0 };
	emit_top(c, &body, seasons, ns);
	emit_version(c, seasons, ns);
	if (c->y.p)
		br_urdb_bput(&body, "%s", c->y.p);
	emit_comments(c, &h);
	end_note(c, &h);
	br_urdb_bput(&h, "# Rates are URDB rate + adj in dollars; hours are local "
	    "wall-clock time.\n");
	if (c->cm.p)
		br_urdb_bput(&h, "%s", c->cm.p);
	if (body.p)
		br_urdb_bput(&h, "%s", body.p);
	if (body.oom)
		h.oom = 1;
	free(body.p);
	free(c->y.p);
	c->y = h;
	return finish(c);
}

int
br_urdb_convert(const char *text, size_t len, const struct br_urdb_opts *o,
    struct br_urdb_result *r, struct br_error *err)
{
	struct json_tokener *tok;
	json_object *top;
	struct cv c;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&c, 0, sizeof(c));
	c.o = o;
	c.r = r;
	c.err = err;
	c.src = o->source ? o->source : "-";
	if (strcmp(c.src, "-") == 0)
		c.src = "<stdin>";
	if ((tok = json_tokener_new_ex(64)) == NULL)
		return br_error_set(err, BR_ENOMEM, NULL, 0, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	if (len > (size_t)INT32_MAX - 1)
		len = (size_t)INT32_MAX - 1;
	top = json_tokener_parse_ex(tok, text, (int)len);
	if (top == NULL || json_tokener_get_parse_end(tok) < len) {
		enum json_tokener_error je = json_tokener_get_error(tok);
		size_t off = json_tokener_get_parse_end(tok), k;
		long line = 1;
		for (k = 0; k < off && k < len; k++)
			if (text[k] == '\n')
				line++;
		while (top && off < len && (text[off] == ' ' ||
		    text[off] == '\n' || text[off] == '\r' || text[off] == '\t'))
			off++;
		if (top == NULL || off < len) {
			json_object_put(top);
			json_tokener_free(tok);
			return br_error_set(err, BR_EINPUT, c.src, line,
			    "bad JSON: %s", top ? "trailing data" :
			    je == json_tokener_continue ? "unexpected end of "
			    "input" : json_tokener_error_desc(je));
		}
	}
	json_tokener_free(tok);
	rc = convert(&c, top);
	json_object_put(top);
	br_urdb_structure_free(&c.energy);
	br_urdb_structure_free(&c.demand);
	br_urdb_structure_free(&c.flat);
	free(c.cm.p);
	free(c.nem.p);
	if (rc != 0) {
		free(c.y.p);
		return -1;
	}
	r->yaml = c.y.p;
	r->len = c.y.n;
	return 0;
}

int
br_urdb_convert_file(const char *path, const struct br_urdb_opts *opts,
    struct br_urdb_result *r, struct br_error *err)
{
	struct br_input *in;
	char *text = NULL, *nt;
	size_t n = 0, cap = 0;
	long k;
	int rc;

	memset(r, 0, sizeof(*r));
	if ((in = br_input_open(path, err)) == NULL)
		return -1;
	for (;;) {
		if (cap - n < 65536) {
			cap = cap ? cap * 2 : 1 << 17;
			if (cap > (size_t)64 << 20) {
				free(text);
				br_input_close(in);
				return br_error_set(err, BR_EINPUT, path, 0,
				    "file too large for a tariff");
			}
			if ((nt = realloc(text, cap)) == NULL) {
				free(text);
				br_input_close(in);
				return br_error_set(err, BR_ENOMEM, NULL, 0,
				    "out of memory");
			}
			text = nt;
		}
		if ((k = br_input_read(in, text + n, cap - n - 1, err)) < 0) {
			free(text);
			br_input_close(in);
			return -1;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	br_input_close(in);
	text[n] = '\0';
	rc = br_urdb_convert(text, n, opts, r, err);
	free(text);
	return rc;
}

void
br_urdb_result_release(struct br_urdb_result *r)
{
	size_t i;

	free(r->yaml);
	for (i = 0; i < r->nproblems; i++)
		free(r->problems[i]);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i]);
	free(r->problems);
	free(r->notes);
	memset(r, 0, sizeof(*r));
}
