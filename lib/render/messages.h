/* SPDX-License-Identifier: Apache-2.0 */
/*
 * messages.h: configurable bill messages (bill-render --messages FILE,
 * br-bill-messages(5)): a YAML list of texts, each printed on the bills
 * its filters select (cycles, rate codes, customer classes, accounts,
 * a bill-date window), highest priority first, at most max_per_bill of
 * them, none longer than max_length.
 */
#ifndef BR_RENDER_MESSAGES_H
#define BR_RENDER_MESSAGES_H

#include <stddef.h>

#include "core/error.h"

struct br_bill_doc;

struct br_msg_rule {
	char text[400];
	long priority;
	/* Filters as ",a,b," lists; "" = any. */
	char cycles[512], rates[512], classes[256], accounts[4096];
	char from[11], to[11];		/* bill date window, "" = open */
};

struct br_messages {
	struct br_msg_rule *v;		/* OWNED, file order */
	size_t n;
	int max_length;			/* bytes, default 300 */
	int max_per_bill;		/* default 2 */
	char file[256];
};

/*
 * Load path.  Returns 0, or -1 with err (BR_ECONFIG naming the file and
 * line: unknown key, a text longer than max_length, a bad date ...;
 * BR_ENOINPUT when the file is missing).
 */
int br_messages_load(struct br_messages *m, const char *path,
    struct br_error *err);
void br_messages_free(struct br_messages *m);

/*
 * The texts for bill d (its cycle, its services' rate codes and customer
 * classes, its account, its bill date), highest priority first (ties:
 * file order), at most m->max_per_bill and n; returns how many.
 */
size_t br_messages_for(const struct br_messages *m,
    const struct br_bill_doc *d, const char **out, size_t n);

#endif
