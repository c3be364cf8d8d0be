/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alerts.h: customer alerts before the bill (customer-alerts).  Turns the
 * cycle's customer-facing validation exceptions (leak, high usage,
 * estimated reads) and past-due balances (table past_due) into
 * alerts.csv rows for a mail/SMS vendor: the
 * account's contacts, an alert code, a plain message and the amount at
 * stake.  One row per account, alert and meter; sorted; no run
 * timestamp.  See docs/customer-alerts.md.
 */
#ifndef BR_EXPORT_ALERTS_H
#define BR_EXPORT_ALERTS_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

struct br_alert_opts {
	const char *cycle_id;		/* required */
	const char *account_id;		/* one account, or NULL */
	/* Exception codes the rules mark customer_facing (NULL-ended);
	 * the caller reads them from the VEE rules. */
	const char *const *codes;
	size_t max_message;		/* message length limit; 0: 320 */
};

struct br_alert_stats {
	long alerts;			/* rows written */
	long exceptions;		/* customer-facing exceptions read */
};

/*
 * Write the CSV (header account_id,name,email,phone,sms_opt_in,deliver,
 * alert,meter_id,date,message,amount) to out.  Returns 0, or -1 with
 * err (BR_EUSAGE: unknown cycle; BR_EIO: write failed).
 */
int br_alerts_write(struct br_store *st, const struct br_alert_opts *o,
    FILE *out, struct br_alert_stats *stats, struct br_error *err);

#endif
