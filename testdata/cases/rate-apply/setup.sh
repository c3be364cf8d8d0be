# SPDX-License-Identifier: Apache-2.0
# Shared by the rate-apply cases: load the registry and a small set of
# reads (local wall times, October: no DST change) into t.db.
#  - electric meters: 96 slots on Wed 2026-10-14 and Sat 2026-10-17,
#    slot value 0.100 + (slot mod 8) x 0.050 kWh (M3 has multiplier 40);
#    M1 has one missing and one estimated slot; M6 (removed 10-15) also
#    has 2026-10-05, before A5's agreement starts on 10-10
#  - W1 water hourly 12.5 gal; G1 gas hourly 0.125 therm
awk 'BEGIN {
  print "meter_id,interval_start,interval_minutes,value,quality"
  n = split("M1 M2 M3 M5 M6 M7", m, " ")
  for (i = 1; i <= n; i++) {
    nd = split("05 14 17", d, " ")
    for (j = 1; j <= nd; j++) {
      if (m[i] == "M6" && d[j] == "17") continue
      if (m[i] == "M7" && d[j] != "17") continue
      if (m[i] != "M6" && d[j] == "05") continue
      for (s = 0; s < 96; s++) {
        v = sprintf("%.3f", 0.1 + (s % 8) * 0.05); q = "A"
        if (m[i] == "M1" && d[j] == "14" && s == 60) { v = ""; q = "M" }
        if (m[i] == "M1" && d[j] == "14" && s == 61) { q = "E" }
        printf "%s,2026-10-%sT%02d:%02d,15,%s,%s\n", m[i], d[j], s / 4, (s % 4) * 15, v, q
      }
    }
  }
  for (h = 0; h < 24; h++) {
    printf "W1,2026-10-14T%02d:00,60,12.5,A\n", h
    printf "G1,2026-10-14T%02d:00,60,0.125,A\n", h
  }
}' > reads.csv
ami-import --db t.db --registry "$CASEDIR/../registry" >/dev/null
ami-import --db t.db reads.csv >/dev/null || [ $? -eq 1 ]  # NO_ACCOUNT for M5, M6
