#!/bin/sh
# bench.sh: a synthetic utility at a given size through the billing cycle,
# timing each stage and printing throughput and peak memory.
#
#   scripts/bench.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--render]
#                    [--progress]
#
# Generates (once per size, reused) N electric meters with accounts on
# RES-TOU (75 %) and GS-TOU-DEMAND (25 %), one month of 15-minute reads
# (October 2026, America/Chicago, N * D * 96 reads, generic CSV, gzip),
# then, into a fresh store: registry load, ami-import, validate-reads,
# rate-apply and (with --render) bill-render in text.  Prints per stage
# wall seconds, CPU seconds, throughput and peak resident memory (from
# GNU time), and the import+validate+rate total.  Benchmarks do not run
# in CI; the generator needs python3.  --progress leaves the tools'
# stderr on the terminal, so their progress lines show (issue 19).
set -eu
bin=; meters=10000; days=31; work=/tmp/br-bench; render=0; progress=0
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --meters) meters=$2; shift 2 ;;
    --days) days=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --render) render=1; shift ;;
    --progress) progress=1; shift ;;
    *) echo "usage: bench.sh [--bin DIR] [--meters N] [--days D] [--work DIR] [--render] [--progress]" >&2; exit 2 ;;
  esac
done
src=$(cd "$(dirname "$0")/.." && pwd)
[ -n "$bin" ] || bin=$src/build
bin=$(cd "$bin" && pwd)
[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)" >&2; exit 2; }
data=$work/$meters-$days
mkdir -p "$data"
if [ ! -s "$data/reads.csv.gz" ]; then
  echo "generating $meters meters x $days days ..." >&2
  python3 - "$data" "$meters" "$days" <<'PY'
import gzip, os, sys
out, n, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
reg = os.path.join(out, "registry"); os.makedirs(reg, exist_ok=True)
def w(name, text):
    open(os.path.join(reg, name), "w").write(text)
rate = lambda i: "GS-TOU-DEMAND" if i % 4 == 3 else "RES-TOU"
w("utility.csv", "key,value\nname,Bench Utility\ntimezone,America/Chicago\nrounding,half_up\n")
w("cycles.csv", "cycle_id,period_start,period_end,bill_date,due_date\n"
  "2026-10,2026-10-01,2026-10-%02d,2026-11-03,2026-11-24\n" % days)
w("accounts.csv", "account_id,name,mailing_address,status,cycle_id\n" +
  "".join("A%07d,Customer %d,%d Main St,active,R1\n" % (i, i, i) for i in range(n)))
w("service_points.csv", "sp_id,kind,address\n" +
  "".join("S%07d,electric,%d Main St\n" % (i, i) for i in range(n)))
w("meters.csv", "meter_id,kind,unit,multiplier\n" +
  "".join("E%07d,electric,kWh,1\n" % i for i in range(n)))
w("meter_installs.csv", "meter_id,sp_id,install_date,remove_date\n" +
  "".join("E%07d,S%07d,2020-01-01,\n" % (i, i) for i in range(n)))
w("agreements.csv", "account_id,sp_id,start_date,end_date,rate_code,customer_class,net_metering\n" +
  "".join("A%07d,S%07d,2020-01-01,,%s,%s,\n" % (i, i, rate(i),
          "commercial" if rate(i) != "RES-TOU" else "residential") for i in range(n)))
stamps = ["2026-10-%02dT%02d:%02d:00-05:00" % (d + 1, s // 4, (s % 4) * 15)
          for d in range(days) for s in range(96)]
vals = ["%d.%03d" % (v // 1000, v % 1000) for v in range(40, 2600, 13)]
nv = len(vals)
with gzip.open(os.path.join(out, "reads.csv.gz"), "wt", compresslevel=1) as f:
    f.write("meter_id,interval_start,value\n")
    for i in range(n):
        pre = "E%07d," % i
        f.write("".join(pre + st + "," + vals[(i * 31 + k * 7) % nv] + "\n"
                        for k, st in enumerate(stamps)))
PY
fi
reads=$((meters * days * 96))
db=$work/bench.db
rm -f "$db" "$db-wal" "$db-shm"
total=0
stage() {   # label count unit command...
  label=$1 count=$2 unit=$3; shift 3
  t0=$(date +%s.%N)
  set +e
  if [ $progress -eq 1 ]; then
    : >"$work/err.txt"
    /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" --progress >/dev/null
  else
    /usr/bin/time -f "%U %S %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt"
  fi
  rc=$?
  set -e
  t1=$(date +%s.%N)
  [ $rc -le 1 ] || { echo "bench: $label failed ($rc)"; cat "$work/err.txt"; exit 1; }
  read -r u s m <"$work/time.txt"
  awk -v l="$label" -v n="$count" -v un="$unit" -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v m="$m" 'BEGIN {
    w = b - a; c = u + s; if (c <= 0) c = 0.001
    printf "%-15s wall %7.2f s  cpu %7.2f s  %12.0f %s/s (cpu)  peak %6.1f MiB\n",
      l, w, c, n / c, un, m / 1024 }'
  total=$(awk -v t="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", t + b - a }')
}
echo "billrun bench: $meters meters, $days days, $reads reads ($(nproc) cores)"
"$bin/ami-import" --db "$db" --registry "$data/registry" -o /dev/null
# Earlier runs' dirty pages (a previous bench store is ~300 MiB) are
# written back now, not during the timed stages.
sync
stage ami-import "$reads" reads "$bin/ami-import" --db "$db" -o /dev/null "$data/reads.csv.gz"
stage validate-reads "$reads" reads "$bin/validate-reads" --db "$db" --cycle 2026-10 -o /dev/null
stage rate-apply "$meters" bills "$bin/rate-apply" --db "$db" --cycle 2026-10 --rates "$src/rates" -o /dev/null
echo "import+validate+rate: $total s wall"
if [ $render -eq 1 ]; then
  rm -rf "$work/bills"
  stage bill-render "$meters" bills "$bin/bill-render" --db "$db" --cycle 2026-10 --format text --out-dir "$work/bills" -o /dev/null
fi
ls -l "$db" | awk '{ printf "store: %.1f MiB\n", $5 / 1048576 }'
