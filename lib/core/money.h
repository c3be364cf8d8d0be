/* SPDX-License-Identifier: Apache-2.0 */
/*
 * money.h: fixed-point money and quantities.  No floating point.
 *
 * Money is int64 micro-dollars (1 dollar = 1,000,000) inside the engine and
 * int64 cents on bill lines, the ledger and every report.  Quantities are
 * int64 milli-units (1 kWh = 1000 milli-kWh = 1 Wh).  Rates (dollars per
 * unit: per kWh, per kW, per gallon) are int64 nano-dollars per unit, so a
 * filed $0.0481085/kWh is 48108500, exactly; quantity x rate is rounded
 * half up to micro-dollars once per bill line.
 *
 * Rounding is always explicit: every conversion to cents names an
 * enum br_round.
 */
#ifndef BR_MONEY_H
#define BR_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum br_round {
	BR_ROUND_HALF_UP,	/* half away from zero: 0.5c -> 1c, -0.5c -> -1c */
	BR_ROUND_HALF_EVEN,	/* banker's rounding: 0.5c -> 0c, 1.5c -> 2c */
	BR_ROUND_DOWN,		/* toward zero (truncate) */
	BR_ROUND_UP		/* away from zero (ceiling of magnitude) */
};

/*
 * The one 128-bit integer: the exact intermediate of a product of two
 * int64 (quantity x rate, micros x ppm) before it is divided and rounded
 * back to int64.  A GCC/Clang extension (so __extension__ under
 * -Wpedantic); every use goes through this name.
 */
__extension__ typedef __int128 br_i128;

#define BR_MICROS_PER_CENT 10000
#define BR_MICROS_PER_DOLLAR 1000000
#define BR_NANOS_PER_MICRO 1000

/*
 * The largest rate magnitude a tariff may state: $1,000,000 per unit in
 * nano-dollars.  Far above any filed rate; it keeps every product of a
 * rate with an int64 quantity inside br_i128 and makes a typo like a
 * misplaced point an error instead of a bill.
 */
#define BR_RATE_MAX_NANO INT64_C(1000000000000000)

/*
 * Divide num by den (den > 0) rounding per mode.  The quotient must fit in
 * int64 (callers keep to realistic bill sizes; overflow is the caller's
 * bug and is checked by br_money_mul_qty_rate).
 */
int64_t br_div_round(int64_t num, int64_t den, enum br_round mode);

/* Round micro-dollars to whole cents per mode; returns cents. */
int64_t br_money_to_cents(int64_t micros, enum br_round mode);

/*
 * quantity (milli-units) x an amount per unit in micro-dollars (a customer
 * charge per day x days) = micro-dollars, rounded per mode at the
 * micro-dollar.  Tariff rates are nano-dollars: br_money_mul_qty_nano.
 * Uses 128-bit intermediates.  Returns -1 and sets err (BR_EINPUT) if the
 * result overflows int64.
 */
int br_money_mul_qty_rate(int64_t qty_milli, int64_t rate_micro,
    enum br_round mode, int64_t *out_micros, struct br_error *err);

/*
 * quantity (milli-units) x rate (nano-dollars per unit) = micro-dollars,
 * rounded per mode at the micro-dollar (the engine uses BR_ROUND_HALF_UP:
 * half away from zero, so a credit rounds like a charge).  The product is
 * exact in 128 bits; returns -1 and sets err (BR_EINPUT) when the rounded
 * result does not fit in int64.
 */
int br_money_mul_qty_nano(int64_t qty_milli, int64_t rate_nano,
    enum br_round mode, int64_t *out_micros, struct br_error *err);

/*
 * Parse a rate in dollars per unit ("0.0481085", "-0.002", "12") into
 * nano-dollars.  Returns 0, or:
 *   BR_RATE_EDECIMALS  more than 9 decimals (trailing zeros beyond the
 *                      9th are allowed: they do not change the value),
 *   BR_RATE_ERANGE     magnitude above BR_RATE_MAX_NANO,
 *   BR_RATE_ESYNTAX    anything else br_decimal_parse refuses.
 * *out is untouched on error.  len (size_t)-1: NUL-terminated.
 */
#define BR_RATE_ESYNTAX (-1)
#define BR_RATE_EDECIMALS (-2)
#define BR_RATE_ERANGE (-3)
int br_rate_parse_nano(const char *s, size_t len, int64_t *out_nano);

/*
 * A rate in nano-dollars as text, the one rule for traces and docs:
 * at least 6 decimals (so every rate with at most 6 prints as it always
 * has), and up to 9 when the rate has non-zero digits past the 6th, with
 * the trailing zeros past the 6th trimmed: 120000000 -> "0.120000",
 * 48108500 -> "0.0481085", 1 -> "0.000000001".  buf >= 32 bytes.
 */
char *br_rate_format_nano(int64_t rate_nano, char *buf, size_t n);

/* A rate in nano-dollars rounded half up to micro-dollars (for display). */
int64_t br_rate_nano_to_micro(int64_t rate_nano);

/*
 * amount (micro-dollars) x percent given in parts per million of one
 * (so 6.25 % = 62500) = micro-dollars rounded per mode.
 */
int64_t br_money_mul_ppm(int64_t micros, int64_t ppm, enum br_round mode);

/*
 * Parse a decimal string ("12", "-0.5", "1.234567", "+3.") with at most
 * `scale` fractional digits into an integer scaled by 10^scale (scale <= 9).
 * Leading/trailing blanks are an error; so is anything but digits, one
 * optional sign and one optional point, more fractional digits than scale
 * (unless they are all zero), or overflow.  Returns 0 or -1.
 * len may be (size_t)-1 for a NUL-terminated string.
 */
int br_decimal_parse(const char *s, size_t len, int scale, int64_t *out);

/*
 * Parse a whole number ("12", "-3", "+7"; len (size_t)-1 for a
 * NUL-terminated string) that must lie in [min, max].  Anything else is an
 * error: blanks, a point, an exponent, a NUL or other byte inside len,
 * no digits, or a value outside the range (overflow included).  The one
 * validated path for integer fields with an explicit range (exponents,
 * codes, counts).  Returns 0 or -1; *out is untouched on error.
 */
int br_int_parse(const char *s, size_t len, int64_t min, int64_t max,
    int64_t *out);
/*
 * v in decimal (as "%lld") at p, without a NUL; returns the number of
 * bytes written (at most 20).  For hot paths that would otherwise call
 * snprintf per number (audit serialization, trace text).
 */
size_t br_int_format(char *p, int64_t v);

/* Shorthands: dollars -> micro-dollars (scale 6), units -> milli (scale 3). */
int br_money_parse_micros(const char *s, int64_t *out_micros);
int br_qty_parse_milli(const char *s, int64_t *out_milli);

/*
 * Format an integer scaled by 10^scale as a decimal with exactly `decimals`
 * fractional digits (decimals <= scale; extra digits must be zero or are
 * truncated toward zero: callers round first).  "-" sign, no grouping.
 * Returns buf.  buf must hold at least 32 bytes.
 */
char *br_decimal_format(int64_t v, int scale, int decimals, char *buf,
    size_t n);

/* Cents as "1234.56" / "-0.05". buf >= 32 bytes. */
char *br_cents_format(int64_t cents, char *buf, size_t n);

/* Parse a rounding rule name: half_up, half_even, down, up. */
int br_round_parse(const char *name, enum br_round *out);
const char *br_round_name(enum br_round mode);

#endif
