/* SPDX-License-Identifier: Apache-2.0 */
/*
 * camt.h: ISO 20022 bank-to-customer cash management messages, parsed
 * with expat: camt.053 (end-of-day statement, BkToCstmrStmt/Stmt) and
 * camt.054 (debit/credit notification, BkToCstmrDbtCdtNtfctn/Ntfctn),
 * versions 001.02, 001.04 and 001.08.  Any other camt message or version
 * is refused by name; a document type declaration is refused (no
 * entities, internal or external).
 *
 * One br_payrec per transaction: per TxDtls of an entry (Ntry) that
 * has transaction details, else per entry.  Amounts are the TxDtls
 * amount (AmtDtls/TxAmt/Amt, or Amt in 001.08) or the entry's Amt;
 * `currency` is its Ccy attribute; a value with a non-zero digit after
 * the cents sets `sub_cent` (amount_cents keeps the whole cents).
 * debit = CdtDbtInd DBIT.  kind: RETURN for a booked debit with return
 * information (RtrInf) or a reversal indicator (RvslInd true), OTHER for
 * other debits, for credits carrying RtrInf (class "return"), and for
 * entries not booked (Sts other than BOOK), else PAYMENT.  item_class:
 * receipt, return, reversal, other.  date = BookgDt (Dt or the date of
 * DtTm), else ValDt.  txn_code "053" or "054".  bank_ref = EndToEndId
 * (unless NOTPROVIDED), else the transaction's or the entry's
 * AcctSvcrRef; original_trace = EndToEndId for returns; return_code =
 * RtrInf/Rsn/Cd (or Prtry); account_ref = the structured creditor
 * reference (Strd/CdtrRefInf/Ref), else the first unstructured line
 * (Ustrd); text = every Ustrd and Strd reference, joined by spaces;
 * name = the debtor's name (Dbtr/Nm or Dbtr/Pty/Nm); originator = the
 * statement account (IBAN, or Othr/Id).
 *
 * Control sums (strict): per statement or notification, TxsSummry's
 * TtlNtries (NbOfNtries, Sum), TtlCdtNtries and TtlDbtNtries against the
 * entries; per entry, Btch (NbOfTxs, TtlAmt) and the sum of several
 * TxDtls amounts against the entry amount.  A mismatch is BR_EINPUT
 * naming file, line and element.
 */
#ifndef BR_CAMT_H
#define BR_CAMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "formats/payrec.h"

struct br_camt_totals {
	char message[24];	/* "camt.053.001.02" */
	long statements;	/* Stmt or Ntfctn */
	long entries;		/* Ntry */
	long items;		/* records delivered */
	int64_t credit_cents;	/* sum of credit items */
	int64_t debit_cents;	/* sum of debit items */
};

/*
 * Look at the first bytes of a file: 1 when it is an XML document of a
 * camt.053 or camt.054 namespace, 0 for another XML document (what: its
 * namespace or root element), -1 when it is not XML.
 */
int br_camt_sniff(const char *buf, size_t len, char *what, size_t n);

/*
 * Parse path ("-" = stdin, gzip accepted), calling on_rec per item.
 * totals and sha_hex may be NULL.  0 or -1 with err (BR_EINPUT with file
 * and line).
 */
int br_camt_parse(const char *path, br_payrec_fn on_rec, void *ctx,
    struct br_camt_totals *totals, char sha_hex[65], struct br_error *err);

#endif
