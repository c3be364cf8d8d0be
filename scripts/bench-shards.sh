# SPDX-License-Identifier: Apache-2.0
# bench-shards.sh: the sharded run of scripts/bench.sh (--shards N
# [-j JOBS] [--only K,...]), sourced by it; not a command of its own.
# Uses bench.sh's variables: bin src work data meters days reads
# shards jobs only render progress.
list=$(if [ -n "$only" ]; then echo "$only" | tr , '\n'; else seq 1 "$shards"; fi)
for k in $list; do
  case $k in *[!0-9]*|''|0) usage ;; esac
  [ "$k" -le "$shards" ] || usage
done
sdb() { echo "$work/bench-shard-$1.db"; }
for k in $list; do rm -f "$(sdb $k)" "$(sdb $k)-wal" "$(sdb $k)-shm"; done

# One shard's run of a tool: LABEL K command... (--shard K/N added);
# writes WORK/t.LABEL.K: "wall user sys maxrss_kb status".
one() {
  l=$1 k=$2; shift 2
  t0=$(date +%s.%N)
  set +e
  if [ $progress -eq 1 ]; then
    /usr/bin/time -f "%U %S %M" -o "$work/t.$l.$k.tmp" "$@" --shard "$k/$shards" --progress >/dev/null
  else
    /usr/bin/time -f "%U %S %M" -o "$work/t.$l.$k.tmp" "$@" --shard "$k/$shards" >/dev/null 2>"$work/err.$k"
  fi
  rc=$?
  set -e
  t1=$(date +%s.%N)
  read -r u y m <"$work/t.$l.$k.tmp"
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $u $y $m $rc" >"$work/t.$l.$k"
  rm -f "$work/t.$l.$k.tmp"
}

# A stage over the shards of the list, JOBS at a time: LABEL COUNT UNIT
# command... (the command's --db is appended per shard).
total=0
sstage() {
  label=$1 count=$2 unit=$3; shift 3
  t0=$(date +%s.%N)
  running=0
  for k in $list; do
    one "$label" "$k" "$@" --db "$(sdb $k)" &
    running=$((running + 1))
    if [ $running -ge "$jobs" ]; then wait; running=0; fi
  done
  wait
  t1=$(date +%s.%N)
  for k in $list; do
    read -r w u y m rc <"$work/t.$label.$k"
    [ "$rc" -le 1 ] || { echo "bench: $label shard $k/$shards failed ($rc)"; cat "$work/err.$k"; exit 1; }
  done
  for k in $list; do cat "$work/t.$label.$k"; done | awk -v l="$label" -v n="$count" \
    -v un="$unit" -v a="$t0" -v b="$t1" -v ns="$(echo $list | wc -w)" -v all="$shards" '
    { c += $2 + $3; if ($4 > m) m = $4; if ($1 > mw) mw = $1 }
    END { w = b - a; if (c <= 0) c = 0.001
      if (ns < all)	# --only: no throughput, the count is for all shards
        printf "%-15s wall %7.2f s  cpu %7.2f s  peak %6.1f MiB (largest of %d shard processes)\n",
          l, w, c, m / 1024, ns
      else
        printf "%-15s wall %7.2f s  cpu %7.2f s  %12.0f %s/s (cpu)  peak %6.1f MiB (largest of %d shard processes)\n",
          l, w, c, n / c, un, m / 1024, ns }'
  for k in $list; do
    read -r w u y m rc <"$work/t.$label.$k"
    awk -v k="$k" -v n="$shards" -v w="$w" -v u="$u" -v y="$y" -v m="$m" 'BEGIN {
      printf "  shard %4s  wall %7.2f s  cpu %7.2f s (user %.2f, sys %.2f)  peak %6.1f MiB\n",
        k "/" n, w, u + y, u, y, m / 1024 }'
  done
  total=$(awk -v t="$total" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", t + b - a }')
}

echo "billrun bench: $meters meters, $days days, $reads reads ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))${bulk:+, ami-import --bulk}"
if [ -n "$only" ]; then
  echo "shards $only of $shards, one at a time (figures for the whole month are for all $shards shards, not these)"
else
  echo "$shards shards, $jobs at a time"
fi
# Registry: each shard store gets its own accounts (not in the total).
sstage registry "$meters" meters "$bin/ami-import" --registry "$data/registry" -o /dev/null
sync
sstage ami-import "$reads" reads "$bin/ami-import" $bulk -o /dev/null "$data/reads.csv.gz"
sync
sstage validate-reads "$reads" reads "$bin/validate-reads" --cycle 2026-10 -o /dev/null
sstage rate-apply "$meters" bills "$bin/rate-apply" --cycle 2026-10 --rates "$src/rates" -o /dev/null
echo "import+validate+rate: $total s wall"
if [ $render -eq 1 ]; then
  rm -rf "$work/bills"
  sstage bill-render "$meters" bills "$bin/bill-render" --cycle 2026-10 --format text --out-dir "$work/bills" -o /dev/null
fi
for k in $list; do
  ls -l "$(sdb $k)" | awk -v k="$k" '{ printf "%s %.0f", k, $5 }'
  if [ -f "$(sdb $k)-wal" ]; then ls -l "$(sdb $k)-wal" | awk '{ printf " %.0f", $5 }'; else printf ' 0'; fi
  echo
done | awk '{ s += $2; w += $3; printf "store shard %s: %.1f MiB (WAL %.1f MiB)\n", $1, $2 / 1048576, $3 / 1048576 }
  END { printf "store: %.2f GiB in %d shard stores (WAL files %.2f GiB)\n", s / 1073741824, NR, w / 1073741824 }'
