#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The 4-shard demo cycle on a real single-node Slurm cluster (ctest label
# scheduler): starts munged, slurmctld and slurmd from Debian's packages
# (slurm-wlm, munge) on localhost with a generated slurm.conf in a
# temporary folder, submits scripts/scale/cycle-array.sbatch (the file
# docs/scale-out.md points to) as `sbatch --array=0-3` and
# scripts/scale/cycle-merge.sbatch with --dependency=afterany, and checks
# that the merged reports and bills are byte for byte those of an
# unsharded scripts/run-cycle.sh.  Shard 2 ends with exit status 1 ("done
# with data exceptions", through a wrapper of run-cycle.sh) and must still
# be merged.  Then a failing task (status 66) and a missing one must fail
# the merge.  Every daemon is stopped when the test ends, also on failure.
#
#   tests/slurm-cycle.sh BUILDDIR
#
# Exit status: 0 passed; 1 failed; 77 skipped (the packages are missing
# or not root) unless CI=true, where that fails.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:-$src/build}" && pwd) || exit 1
PATH="$PATH:/usr/sbin:/sbin"
export PATH
started=$(date +%s)
deadline=$((started + 240))	# every wait ends by then (ctest's TIMEOUT is 300)

skip() {
  if [ "${CI:-}" = true ]; then echo "FAIL: $* (CI=true: the test must run)"; exit 1; fi
  echo "SKIP: $*"
  exit 77
}
for c in munged munge unmunge slurmctld slurmd sbatch scontrol squeue scancel sinfo; do
  command -v "$c" >/dev/null 2>&1 ||
    skip "$c not found (apt-get install slurm-wlm munge)"
done
[ "$(id -u)" -eq 0 ] || skip "slurmd must run as root"

tmp=$(mktemp -d /tmp/billrun-slurm.XXXXXX) || exit 1
# munged wants every folder above its socket searchable by all.
chmod 755 "$tmp"
pids=""
# Stop what this test started: its jobs, then its daemons by PID (TERM,
# then KILL after 10 s), then any job process left in its folders.
cleanup() {
  [ -z "${watchdog:-}" ] || kill "$watchdog" 2>/dev/null
  if [ -n "$pids" ]; then
    for j in ${aid:-} ${mid:-} ${bid:-} ${bmid:-}; do scancel --quiet "$j" 2>/dev/null; done
    i=0
    while [ $i -lt 50 ] && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; do sleep 0.1; i=$((i + 1)); done
  fi
  for p in $pids; do kill "$p" 2>/dev/null; done
  for p in $pids; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill -9 "$p" 2>/dev/null
  done
  sweep
  rm -rf "$tmp"
}
# Job processes (slurmstepd, the tasks) work in $tmp: kill those left.
sweep() {
  for d in /proc/[0-9]*; do
    case "$(readlink "$d/cwd" 2>/dev/null)" in
      "$tmp"|"$tmp"/*) kill -9 "${d#/proc/}" 2>/dev/null ;;
    esac
  done
}
trap cleanup EXIT
trap 'echo "FAIL: interrupted"; exit 1' INT TERM HUP
# If this shell is killed outright (SIGKILL: no trap runs), a watchdog
# stops the daemons listed in $tmp/pids and the job processes.
(
  trap '' HUP INT
  while kill -0 $$ 2>/dev/null; do sleep 1; done
  for p in $(cat "$tmp/pids" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  sweep
  rm -rf "$tmp"
) >/dev/null 2>&1 </dev/null &
watchdog=$!
dump() {
  for f in "$tmp"/work/*.out "$tmp/slurmctld.log" "$tmp/slurmd.log" "$tmp/munge/munged.log"; do
    [ -f "$f" ] || continue
    echo "--- $(basename "$f") (last 25 lines)"
    tail -n 25 "$f"
  done
}
fail() { echo "FAIL: $*"; dump; exit 1; }
# waitfor SECONDS WHAT COMMAND...: poll COMMAND until it succeeds, for
# at most SECONDS and not past the deadline.
waitfor() {
  w=$1; what=$2; shift 2
  end=$(($(date +%s) + w))
  [ "$end" -le "$deadline" ] || end=$deadline
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$end" ] || fail "timed out after ${w} s waiting for $what"
    sleep 0.2
  done
}
# A TCP port nobody listens on or talks to (its hex form absent from
# /proc/net/tcp*).
free_port() {
  p=$1
  while grep -qi ":$(printf '%04X' "$p") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; do
    p=$((p + 1))
  done
  echo "$p"
}

# munge: a private daemon, key and socket.
mkdir -m 755 "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/work" || exit 1
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 2>/dev/null &&
  chmod 400 "$tmp/munge/munge.key" || fail "cannot write a munge key"
sock="$tmp/munge/munge.sock"
munged -F --key-file="$tmp/munge/munge.key" --socket="$sock" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/munged.seed" \
  --log-file="$tmp/munge/munged.log" 2>>"$tmp/munge/munged.log" &
pids="$!"
echo "$pids" >"$tmp/pids"
munge_ok() { munge -S "$sock" -n | unmunge -S "$sock"; }
waitfor 15 "munged" munge_ok

# Slurm: slurmctld and slurmd on this host, ports chosen free; a second
# try with other ports if slurmctld does not come up.
host=$(hostname -s)
cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
# RealMemory: 90 % of the machine's, at least the 2 GiB the array script
# asks for per task (config_overrides: slurmd takes the configured size).
mem=$(awk '/^MemTotal:/ { m = $2 / 1024 * 0.9; printf "%d", m < 2048 ? 2048 : m }' /proc/meminfo)
SLURM_CONF="$tmp/slurm.conf"
export SLURM_CONF
ctld_up() { scontrol ping | grep -q 'is UP'; }
try=1
base=$((20000 + $$ % 20000))
while :; do
  p1=$(free_port "$base"); p2=$(free_port $((p1 + 1)))
  cat >"$SLURM_CONF" <<CONF
ClusterName=billrun-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
MpiDefault=none
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  slurmctld -D -c -f "$SLURM_CONF" >>"$tmp/slurmctld.log" 2>&1 &
  ctld=$!
  pids="$pids $ctld"
  echo "$pids" >"$tmp/pids"
  end=$(($(date +%s) + 30))
  while kill -0 "$ctld" 2>/dev/null && ! ctld_up >/dev/null 2>&1 &&
    [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
  ctld_up >/dev/null 2>&1 && break
  kill "$ctld" 2>/dev/null
  [ $try -lt 3 ] || fail "slurmctld did not come up (3 tries)"
  try=$((try + 1)); base=$((p2 + 1 + $$ % 97))
done
slurmd -D -f "$SLURM_CONF" >>"$tmp/slurmd.log" 2>&1 &
pids="$pids $!"
echo "$pids" >"$tmp/pids"

# The unsharded run, while slurmd registers.
export TZ=UTC LC_ALL=C
# (0 done, or 1 done with data exceptions)
timeout 120 "$src/scripts/run-cycle.sh" --bin "$bin" --out "$tmp/one" "$src/testdata/demo" 2026-10 \
  >"$tmp/one.log" 2>&1
rc=$?
[ $rc -le 1 ] || { cat "$tmp/one.log"; fail "unsharded run-cycle failed ($rc)"; }
node_idle() { sinfo -h -N -n "$host" -o %t | grep -qx idle; }
waitfor 90 "node $host to be idle" node_idle
up=$(date +%s)

# The tools tree the jobs see: run-cycle.sh through a wrapper that ends
# shard 2/4 with status 1, as a run with data exceptions will.
mkdir -p "$tmp/home/scripts" || exit 1
ln -s "$src/scripts/run-shards.sh" "$src/scripts/merge-reports.sh" "$tmp/home/scripts/"
cat >"$tmp/home/scripts/run-cycle.sh" <<WRAP
#!/bin/sh
"$src/scripts/run-cycle.sh" "\$@" || exit
case " \$* " in *" --shard 2/4 "*) exit 1 ;; esac
WRAP
chmod +x "$tmp/home/scripts/run-cycle.sh"

export BILLRUN_HOME="$tmp/home" BILLRUN_BIN="$bin" BILLRUN_DATA="$src/testdata/demo" \
  BILLRUN_CYCLE=2026-10 BILLRUN_OUT="$tmp/out" BILLRUN_SHARDS=4
sub() { sbatch --parsable --chdir="$tmp/work" "$@"; }
aid=$(sub --array=0-3 --output="$tmp/work/task-%A_%a.out" \
  "$src/scripts/scale/cycle-array.sbatch") || fail "sbatch of the array failed"
aid=${aid%%;*}
mid=$(sub --dependency=afterany:"$aid" --output="$tmp/work/merge-%j.out" \
  "$src/scripts/scale/cycle-merge.sbatch") || fail "sbatch of the merge failed"
mid=${mid%%;*}

# state JOBID: "STATE EXITCODE" of each task of a job, one line each.
state() {
  scontrol -o show job "$1" | sed -n 's/.*JobState=\([A-Z_]*\).*ExitCode=\([0-9:]*\).*/\1 \2/p'
}
ended() {
  s=$(state "$1") && [ -n "$s" ] &&
    ! echo "$s" | grep -Eq '^(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|RESIZING)'
}
waitfor 90 "merge job $mid" ended "$mid"
[ "$(state "$mid")" = "COMPLETED 0:0" ] || fail "merge job: $(state "$mid") (want COMPLETED 0:0)"
# The tasks, by array index: index 1 (shard 2) ended with status 1, the
# others with 0 or 1 (run-cycle.sh's own status), each as its status file
# says.
tasks=$(scontrol -o show job "$aid" |
  sed -n 's/.*ArrayTaskId=\([0-9]*\) .*JobState=\([A-Z_]*\).*ExitCode=\([0-9:]*\).*/\1 \2 \3/p' | sort -n)
[ "$(echo "$tasks" | wc -l)" -eq 4 ] || fail "array tasks: $tasks"
echo "$tasks" | while read -r i st ex; do
  k=$((i + 1))
  case "$st $ex" in
    "COMPLETED 0:0") want=0 ;;
    "FAILED 1:0") want=1 ;;
    *) fail "array task $i: $st $ex" ;;
  esac
  [ "$k" -ne 2 ] || [ "$want" = 1 ] || fail "array task 1 (shard 2): $st $ex (want FAILED 1:0)"
  [ "$(cat "$tmp/out/shard-$k/status")" = "$want" ] ||
    fail "shard $k status file: $(cat "$tmp/out/shard-$k/status") (task: $st $ex)"
  [ "$(ls "$tmp/out/shard-$k/bills" | wc -l)" -gt 0 ] || fail "shard $k rendered no bills"
done || exit 1
for f in import-exceptions.csv exceptions.csv charges.csv register.csv payments.csv; do
  cmp "$tmp/one/$f" "$tmp/out/$f" || fail "merged $f differs from the unsharded one"
done
diff -r "$tmp/one/bills" "$tmp/out/bills" >/dev/null || fail "merged bills differ"
echo "ok: 4 array tasks and the afterany merge: reports and $(ls "$tmp/one/bills" | wc -l) bills identical to the unsharded run (at $(($(date +%s) - started)) s; cluster up and unsharded run done at $((up - started)) s)"

# A task that fails (no data: status 66) and a shard without a status:
# the merge fails with the first failed status and merges nothing.
mkdir -p "$tmp/bad/shard-1" "$tmp/bad/shard-2" "$tmp/bad/shard-4"
echo 0 >"$tmp/bad/shard-1/status"; echo 1 >"$tmp/bad/shard-2/status"
BILLRUN_OUT="$tmp/bad" BILLRUN_DATA="$tmp/nodata"
bid=$(sub --array=2 --output="$tmp/work/bad-%A_%a.out" \
  "$src/scripts/scale/cycle-array.sbatch") || fail "sbatch of the failing task failed"
bid=${bid%%;*}
bmid=$(sub --dependency=afterany:"$bid" --output="$tmp/work/badmerge.out" \
  "$src/scripts/scale/cycle-merge.sbatch") || fail "sbatch of the second merge failed"
bmid=${bmid%%;*}
waitfor 90 "merge job $bmid" ended "$bmid"
[ "$(state "$bid")" = "FAILED 66:0" ] || fail "failing task: $(state "$bid") (want FAILED 66:0)"
[ "$(state "$bmid")" = "FAILED 66:0" ] || fail "merge of a failed shard: $(state "$bmid") (want FAILED 66:0)"
grep -q 'shard 3/4 failed with status 66' "$tmp/work/badmerge.out" &&
  grep -q 'shard 4/4 did not complete' "$tmp/work/badmerge.out" ||
  fail "the failed merge does not name shards 3 and 4"
[ ! -e "$tmp/bad/register.csv" ] || fail "a failed merge wrote register.csv"
echo "ok: a failed task (66) and a missing one fail the merge with 66"
echo "ok: slurm-cycle in $(($(date +%s) - started)) s"
