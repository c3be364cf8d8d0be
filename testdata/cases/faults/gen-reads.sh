#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Print a generic interval CSV for the fault cases (registry/ next to this
# script): meters E01..E<METERS>, ROWS 15-minute reads each from START
# (UTC midnight, default 2024-01-01), meter by meter.  With -b the last
# row's value is "1.2.3" (malformed), so an import fails at the very end.
#   gen-reads.sh [-b] [-s YYYY-MM-DD] ROWS METERS
bad= start=2024-01-01
while [ $# -gt 2 ]; do
  case "$1" in
    -b) bad=1; shift ;;
    -s) start=$2; shift 2 ;;
    *) echo "usage: gen-reads.sh [-b] [-s YYYY-MM-DD] ROWS METERS" >&2; exit 2 ;;
  esac
done
awk -v rows="$1" -v meters="$2" -v bad="$bad" -v start="$start" 'BEGIN {
  print "meter_id,interval_start,value"
  # days since 1970-01-01 of start (days_from_civil)
  y = substr(start, 1, 4) + 0; m = substr(start, 6, 2) + 0; d = substr(start, 9, 2) + 0
  if (m <= 2) y--
  era = int(y / 400); yoe = y - era * 400
  doy = int((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1
  day0 = era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
  ndays = int((rows + 95) / 96)
  for (k = 0; k < ndays; k++) {	# civil_from_days
    z = day0 + k + 719468
    era = int(z / 146097); doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153); dd = doy - int((153 * mp + 2) / 5) + 1
    mm = mp < 10 ? mp + 3 : mp - 9; if (mm <= 2) y++
    date[k] = sprintf("%04d-%02d-%02d", y, mm, dd)
  }
  for (m = 1; m <= meters; m++)
    for (t = 0; t < rows; t++) {
      s = t % 96
      v = sprintf("0.%03d", (m * 7 + t * 13) % 1000)
      if (bad != "" && m == meters && t == rows - 1) v = "1.2.3"
      printf "E%02d,%sT%02d:%02d:00Z,%s\n", m, date[int(t / 96)], int(s / 4), (s % 4) * 15, v
    }
}'
