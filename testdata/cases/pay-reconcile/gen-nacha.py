#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Write a NACHA file (autopay debits or returns) with correct controls.

  gen-nacha.py OUT DATE BATCH...      one batch per argument:
      "COMPANYID:ENTRY;ENTRY;..."     ENTRY = account,cents,trace[,Rnn,origtrace]
  gen-nacha.py --bulk OUT DATE N ACCOUNTS   N debits spread over ACCOUNTS

A 5-field entry is a return (transaction code 26 with an addenda 99).
Used to build the golden cases' files and the settlement timing file.
"""
import sys

RDFI = "09140060"  # check digit 6


def f(s, n, right=False, fill=" "):
    s = str(s)
    return s.rjust(n, fill)[:n] if right else s.ljust(n, fill)[:n]


def write(out, date, batches):
    recs = [f("101 091400606 691000134" + date + "1200A094101FIRST BANK & TRUST"
              "     PRAIRIE VALLEY UTIL", 94)]
    th = td = tn = 0
    for bno, (company, entries) in enumerate(batches, 1):
        ret = any(len(e) > 3 for e in entries)
        desc = "RETURN" if ret else "AUTOPAY"
        recs.append(f("5225" + f("PRAIRIE VALLEY", 16) + " " * 20 + f(company, 10)
                      + "PPD" + f(desc, 10) + date + date + "   1" + RDFI
                      + f(bno, 7, True, "0"), 94))
        h = d = n = 0
        for e in entries:
            acct, cents, trace = e[0], int(e[1]), e[2]
            tc = "26" if len(e) > 3 else "27"
            recs.append("6" + tc + RDFI + "6" + f("111", 17) + f(cents, 10, True, "0")
                        + f(acct, 15) + f("CUSTOMER " + acct, 22) + "  "
                        + ("1" if len(e) > 3 else "0") + f(trace, 15, True, "0"))
            h += int(RDFI)
            d += cents
            n += 1
            if len(e) > 3:
                recs.append(f("799" + e[3] + f(e[4], 15, True, "0") + " " * 6 + RDFI
                              + " " * 44 + f(trace, 15, True, "0"), 94))
                n += 1
        recs.append("8225" + f(n, 6, True, "0") + f(h % 10**10, 10, True, "0")
                    + f(d, 12, True, "0") + "0" * 12 + f(company, 10) + " " * 25
                    + RDFI + f(bno, 7, True, "0"))
        th += h
        td += d
        tn += n
    nrec = len(recs) + 1
    blocks = (nrec + 9) // 10
    recs.append(f("9" + f(len(batches), 6, True, "0") + f(blocks, 6, True, "0")
                  + f(tn, 8, True, "0") + f(th % 10**10, 10, True, "0")
                  + f(td, 12, True, "0") + "0" * 12, 94))
    while len(recs) % 10:
        recs.append("9" * 94)
    with open(out, "w") as fp:
        fp.write("\n".join(recs) + "\n")


def main(a):
    if a[0] == "--bulk":
        out, date, n, accts = a[1], a[2], int(a[3]), a[4].split(",")
        entries = [(accts[i % len(accts)], 100 + i % 900, "0914006%08d" % (i + 1))
                   for i in range(n)]
        write(out, date, [("1234567890", entries)])
        return
    out, date = a[0], a[1]
    batches = []
    for b in a[2:]:
        company, rest = b.split(":", 1)
        batches.append((company, [tuple(e.split(",")) for e in rest.split(";")]))
    write(out, date, batches)


if __name__ == "__main__":
    main(sys.argv[1:])
