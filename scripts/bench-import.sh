#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# bench-import.sh: ami-import throughput on a generated month of 15-minute
# reads in the generic CSV format (docs/pipeline.md section 2).
#
#   scripts/bench-import.sh [--bin DIR] [--meters N] [--days D] [--work DIR]
#                           [--runs R]
#
# Generates a registry of N meters (default 10000) and D days (default 30)
# of 15-minute reads starting 2026-09-01 (UTC stamps, rows grouped by
# meter: N * D * 96 rows, 28.8M by default), once, into the work directory
# (default /tmp/br-bench-import; reused when present), plus a gzip copy.
# Then imports each into a fresh store R times (default 1) and prints wall
# time and reads/s per run, the best CPU figure of each, and the load
# average (on a shared machine CPU seconds are the comparable figure).
# Generator: python3 (benchmarks do not run in CI).  Needs about 1.3 GB
# for the plain file.
set -eu

bin=
meters=10000
days=30
work=/tmp/br-bench-import
runs=1
while [ $# -gt 0 ]; do
	case $1 in
	--bin) bin=$2; shift 2 ;;
	--meters) meters=$2; shift 2 ;;
	--days) days=$2; shift 2 ;;
	--work) work=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	*) echo "usage: bench-import.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--runs R]" >&2; exit 2 ;;
	esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$bin" ] || bin=$src/build
[ -x "$bin/ami-import" ] || { echo "bench-import: no $bin/ami-import (use --bin)" >&2; exit 2; }
bin=$(cd "$bin" && pwd)

mkdir -p "$work"
data=$work/reads-$meters-$days.csv
if [ ! -s "$data.gz" ]; then
	echo "generating $meters meters x $days days of 15-minute reads ..." >&2
	mkdir -p "$work/registry"
	python3 - "$work/registry" "$data" "$meters" "$days" <<'EOF'
import sys, os
reg, out, meters, days = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def w(name, text):
    with open(os.path.join(reg, name), "w") as f:
        f.write(text)
ids = ["E%07d" % i for i in range(meters)]
w("utility.csv", "key,value\nname,Bench Utility\ntimezone,America/Chicago\n")
w("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n" +
  "".join("A%07d,Bench,x,active,\n" % i for i in range(meters)))
w("service_points.csv", "sp_id,kind,address\n" +
  "".join("S%07d,electric,x\n" % i for i in range(meters)))
w("meters.csv", "meter_id,kind,unit,multiplier\n" +
  "".join("%s,electric,kWh,1\n" % m for m in ids))
w("meter_installs.csv", "meter_id,sp_id,install_date,remove_date\n" +
  "".join("%s,S%07d,2020-01-01,\n" % (m, i) for i, m in enumerate(ids)))
w("agreements.csv", "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering\n" +
  "".join("A%07d,S%07d,2020-01-01,,RES-FLAT,,\n" % (i, i) for i in range(meters)))
# Stamps of one month, built once; values vary by meter and slot.
stamps = []
for d in range(days):
    for s in range(96):
        stamps.append("2026-09-%02dT%02d:%02d:00Z" % (d + 1, s // 4, (s % 4) * 15)
                      if d < 30 else "2026-10-%02dT%02d:%02d:00Z" % (d - 29, s // 4, (s % 4) * 15))
vals = ["%d.%03d" % (v // 1000, v % 1000) for v in range(0, 4000, 7)]
nv = len(vals)
with open(out, "w", buffering=1 << 20) as f:
    f.write("meter_id,interval_start,value\n")
    for i, m in enumerate(ids):
        pre = m + ","
        f.write("".join(pre + st + "," + vals[(i * 31 + k) % nv] + "\n"
                        for k, st in enumerate(stamps)))
EOF
	gzip -1 -c "$data" > "$data.gz"
fi
rows=$((meters * days * 96))

# Wall time and CPU time (user + sys) of the import; on a loaded machine
# the CPU figure is the one-core throughput.
run() {
	label=$1 file=$2
	db=$work/bench.db
	rm -f "$db" "$db-wal" "$db-shm"
	"$bin/ami-import" --db "$db" --registry "$work/registry" -o /dev/null
	t0=$(date +%s.%N)
	/usr/bin/time -f "%U %S" -o "$work/time.txt" \
	    "$bin/ami-import" --db "$db" --format generic -o /dev/null "$file"
	t1=$(date +%s.%N)
	read -r u s < "$work/time.txt"
	awk -v l="$label" -v n="$rows" -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" 'BEGIN {
		w = b - a; c = u + s
		printf "%-6s %d reads: wall %.2f s = %.2fM reads/s; cpu %.2f s = %.2fM reads/s\n",
		    l, n, w, n / w / 1e6, c, n / c / 1e6 }'
}
best() {
	label=$1 file=$2 i=0
	: > "$work/best.txt"
	while [ $i -lt "$runs" ]; do
		run "$label" "$file" | tee -a "$work/best.txt"
		i=$((i + 1))
	done
	[ "$runs" -gt 1 ] && awk -v l="$label" '{ c = $(NF - 4) + 0
		if (b == 0 || c < b) { b = c; r = $(NF - 1) } }
		END { printf "%-6s best of %d: cpu %.2f s = %s reads/s\n", l, NR, b, r }' "$work/best.txt"
	return 0
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
best plain "$data"
best gzip "$data.gz"
