/* SPDX-License-Identifier: Apache-2.0 */
/*
 * convert.h: convert-import, the one-time load of what a utility brings
 * from its legacy billing system (docs/man/br-convert.5): opening
 * balances by aging bucket, open deposits, legacy billed history per
 * service point, NEM banks and demand ratchet history.
 */
#ifndef BR_CONVERT_H
#define BR_CONVERT_H

#include "core/error.h"
#include "store/store.h"

struct br_convert_stats {
	long balances, ledger_entries, deposits, history, nem_banks, ratchets;
};

/*
 * Load every conversion file present in dir (balances.csv, deposits.csv,
 * history.csv, nem_banks.csv, ratchets.csv; at least one) into st.  The
 * caller owns the transaction: a bad row returns -1 with err (BR_EINPUT,
 * file and line) and the caller rolls back, so nothing is half-loaded.
 * Loading the same files again changes nothing; an opening balance or
 * deposit loaded before with another amount is an error.
 */
int br_convert_load_dir(struct br_store *st, const char *dir,
    struct br_convert_stats *stats, struct br_error *err);

#endif
