#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Static checks of the scheduler files generated from the shard task
# template (ctest label scheduler; no cluster runs the Kubernetes Job):
# scripts/scale/cycle-array.sbatch and cycle-job.yaml are exactly
# scripts/scale/gen-jobs.sh's output, every shell script in them parses
# (sh -n), and the manifest is a ConfigMap plus an indexed Job whose
# completions, parallelism and BILLRUN_SHARDS agree (parsed with python3's
# yaml when present, else checked with grep).
#
#   tests/k8s-manifest.sh
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
gen="$src/scripts/scale/gen-jobs.sh"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$gen" slurm >"$tmp/cycle-array.sbatch" || fail "gen-jobs.sh slurm failed"
"$gen" k8s >"$tmp/cycle-job.yaml" || fail "gen-jobs.sh k8s failed"
for f in cycle-array.sbatch cycle-job.yaml; do
  diff -u "$src/scripts/scale/$f" "$tmp/$f" ||
    fail "scripts/scale/$f is not gen-jobs.sh's output: regenerate it (scripts/scale/gen-jobs.sh)"
done
for f in cycle-array.sbatch cycle-merge.sbatch; do
  sh -n "$src/scripts/scale/$f" || fail "$f does not parse"
done
"$gen" k8s --shards 4 --cycle 2026-11 --image registry.example/billrun:1.0 >"$tmp/four.yaml" ||
  fail "gen-jobs.sh k8s --shards 4 failed"
"$gen" k8s --shards 0 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--shards 0 is not a usage error"
"$gen" nomad >/dev/null 2>&1; [ $? -eq 2 ] || fail "an unknown kind is not a usage error"

# check FILE SHARDS CYCLE: the manifest's fields; writes its shard task
# script to $tmp/task.sh.
check() {
  if python3 -c 'import yaml' 2>/dev/null; then
    python3 - "$1" "$2" "$3" "$tmp/task.sh" <<'PY' || fail "$1: see above"
import sys, yaml
path, shards, cycle, task = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
docs = list(yaml.safe_load_all(open(path)))
def need(ok, what):
    if not ok:
        print(f"{path}: {what}")
        sys.exit(1)
need([d["kind"] for d in docs] == ["ConfigMap", "Job"], "want a ConfigMap and a Job")
cm, job = docs
need(job["apiVersion"] == "batch/v1", "Job apiVersion")
spec = job["spec"]
need(spec["completionMode"] == "Indexed", "completionMode Indexed")
need(spec["completions"] == shards and spec["parallelism"] == shards, "completions/parallelism")
need(job["metadata"]["name"] == f"billrun-{cycle}", "Job name")
pod = spec["template"]["spec"]
need(pod["restartPolicy"] == "Never", "restartPolicy Never")
c = pod["containers"][0]
env = {e["name"]: e["value"] for e in c["env"]}
need(all(isinstance(v, str) for v in env.values()), "env values are strings")
need(env.get("BILLRUN_SHARDS") == str(shards), "BILLRUN_SHARDS")
need(env.get("BILLRUN_CYCLE") == cycle, "BILLRUN_CYCLE")
for v in ("BILLRUN_HOME", "BILLRUN_DATA", "BILLRUN_OUT"):
    need(v in env, v)
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
vols = {v["name"]: v for v in pod["volumes"]}
need(set(mounts) == set(vols), "every volume mounted")
need(vols["task"]["configMap"]["name"] == cm["metadata"]["name"], "task volume is the ConfigMap")
need(c["command"] == ["sh", mounts["task"] + "/shard-task.sh"], "command runs the ConfigMap's script")
script = cm["data"]["shard-task.sh"]
need("JOB_COMPLETION_INDEX" in script and "SLURM" not in script, "index from JOB_COMPLETION_INDEX")
open(task, "w").write(script)
PY
  else
    for want in 'kind: ConfigMap' 'kind: Job' 'completionMode: Indexed' \
      "completions: $2" "parallelism: $2" 'restartPolicy: Never' \
      "name: BILLRUN_SHARDS, value: \"$2\"" "name: BILLRUN_CYCLE, value: \"$3\"" \
      'command: \["sh", "/etc/billrun/shard-task.sh"\]' 'JOB_COMPLETION_INDEX'; do
      grep -q "$want" "$1" || fail "$1: no '$want'"
    done
    awk '/^  shard-task.sh: \|$/ { on = 1; next } /^---$/ { on = 0 }
      on { sub(/^    /, ""); print }' "$1" >"$tmp/task.sh"
  fi
  sh -n "$tmp/task.sh" || fail "$1: the shard task does not parse"
}
check "$src/scripts/scale/cycle-job.yaml" 8 2026-10
check "$tmp/four.yaml" 4 2026-11
# One template: the Kubernetes task is the Slurm task but for the index
# variable and the last lines (exit status).
sed -n '/^# ---- shard task/,/^echo "shard-task:/p' "$src/scripts/scale/cycle-array.sbatch" |
  sed 's/SLURM_ARRAY_TASK_ID/INDEX/g' >"$tmp/a"
sed -n '/^# ---- shard task/,/^echo "shard-task:/p' "$tmp/task.sh" |
  sed 's/JOB_COMPLETION_INDEX/INDEX/g' >"$tmp/b"
diff "$tmp/a" "$tmp/b" | grep '^[<>]' | grep -v 'BILLRUN_SHARDS\|SLURM_ARRAY_TASK_COUNT' &&
  fail "the Slurm and Kubernetes shard tasks differ beyond the shard count"
grep -q 'cycle-job.yaml' "$src/docs/scale-out.md" && grep -qi 'untested' "$src/docs/scale-out.md" ||
  fail "docs/scale-out.md does not name cycle-job.yaml as untested"
echo "ok: cycle-array.sbatch and cycle-job.yaml are gen-jobs.sh's output; the manifest checks out"
