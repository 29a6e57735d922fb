#!/usr/bin/env bash
# End-to-end tests of kuberdd on a real Kubernetes cluster (kind): builds the image, loads it
# into a fresh kind cluster, installs the Helm chart, and runs the scenarios of the stand-in
# e2e tests (test/integration/operator/) against the real API server, scheduler and kubelet.
#
#   hack/e2e-kind.sh                 # create a cluster, run everything, delete the cluster
#   KEEP_CLUSTER=1 hack/e2e-kind.sh  # leave the cluster up to look around afterwards
#
# Needs docker, kind, kubectl and helm on PATH. Exits non-zero on the first failed scenario,
# after printing the operator's log, the SparkJobs and the pods.
set -euo pipefail

cd "$(dirname "$0")/.."
CLUSTER="${CLUSTER:-kuberdd-e2e}"
IMAGE="${IMAGE:-kuberdd:e2e}"
RELEASE=kuberdd
SYSTEM_NS=kuberdd-system
JOB_NS=default
TIMEOUT="${TIMEOUT:-300}"

log() { printf '\n== %s\n' "$*" >&2; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  kubectl get sparkjobs -A -o wide >&2 || true
  kubectl get pods -A -o wide >&2 || true
  kubectl -n "$SYSTEM_NS" logs deploy/"$RELEASE"-operator --tail=200 >&2 || true
  exit 1
}
for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "hack/e2e-kind.sh needs $tool on PATH" >&2; exit 2; }
done

cleanup() {
  if [ "${KEEP_CLUSTER:-0}" != 1 ]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

# phase <job>: the SparkJob's status.phase (empty while it has none).
phase() { kubectl -n "$JOB_NS" get sparkjob "$1" -o jsonpath='{.status.phase}' 2>/dev/null || true; }

# wait_phase <job> <phase> [seconds]
wait_phase() {
  local job=$1 want=$2 limit=${3:-$TIMEOUT} start=$SECONDS now
  while :; do
    now=$(phase "$job")
    [ "$now" = "$want" ] && return 0
    if [ "$want" != Failed ] && [ "$now" = Failed ]; then
      fail "$job failed: $(kubectl -n "$JOB_NS" get sparkjob "$job" -o jsonpath='{.status.reason}: {.status.message}')"
    fi
    [ $((SECONDS - start)) -ge "$limit" ] && fail "$job did not reach $want within ${limit}s (phase: ${now:-none})"
    sleep 2
  done
}

# apply_job <name> <restartPolicy> <image> <startupDeadlineSeconds> <main yaml, indented 4> [args as a JSON list]
apply_job() {
  local name=$1 restart=$2 image=$3 startup=$4 main=$5 args=${6:-[]}
  kubectl -n "$JOB_NS" apply -f - <<YAML
apiVersion: kuberdd.io/v1alpha1
kind: SparkJob
metadata:
  name: $name
spec:
  image: $image
  imagePullPolicy: IfNotPresent
  main:
$main
  args: $args
  executor:
    instances: 2
    cores: 1
    memory: 512Mi
  driver:
    memory: 512Mi
  restartPolicy:
    type: $restart
    maxAttempts: 3
    backoff: { initialSeconds: 2, maxSeconds: 10, factor: 2 }
  startupDeadlineSeconds: $startup
YAML
}

log "kind cluster $CLUSTER"
kind create cluster --name "$CLUSTER" --wait 120s
kubectl cluster-info --context "kind-$CLUSTER"

log "build and load $IMAGE"
docker build -t "$IMAGE" .
kind load docker-image "$IMAGE" --name "$CLUSTER"

log "helm install"
helm install "$RELEASE" charts/kuberdd --namespace "$SYSTEM_NS" --create-namespace \
  --set image.repository="${IMAGE%%:*}" --set image.tag="${IMAGE##*:}" --set image.pullPolicy=IfNotPresent \
  --set "jobNamespaces={$JOB_NS}" --wait --timeout 180s
kubectl -n "$SYSTEM_NS" rollout status deploy/"$RELEASE"-operator --timeout=120s
kubectl -n "$SYSTEM_NS" rollout status deploy/"$RELEASE"-nats --timeout=120s
kubectl get crd sparkjobs.kuberdd.io

log "scenario: word count reaches Succeeded with the right output"
apply_job wordcount Never "$IMAGE" 120 "    path: /app/examples/wordcount.ts" '["/app/examples/data/mapreduce.txt", "3"]'
wait_phase wordcount Succeeded
expected=$(tr 'A-Z' 'a-z' < examples/data/mapreduce.txt | tr -cs "a-z0-9'" '\n' | grep -v '^$' | sort | uniq -c | sort -k1,1nr -k2,2 | head -3 | awk '{print $1, $2}')
actual=$(kubectl -n "$JOB_NS" logs wordcount-driver-1 | grep -E '^ *[0-9]+  [a-z0-9]' | awk '{print $1, $2}' | head -3)
[ "$expected" = "$actual" ] || fail "word count output differs: expected [$expected], got [$actual]"
kubectl -n "$JOB_NS" get sj wordcount

log "scenario: an executor pod killed mid-job; the job still succeeds"
apply_job wc-kill Never "$IMAGE" 120 "    path: /app/examples/wordcount.ts" '["/app/examples/data/mapreduce.txt", "3"]'
for _ in $(seq 1 60); do
  pod=$(kubectl -n "$JOB_NS" get pods -l kuberdd.io/job=wc-kill,kuberdd.io/role=executor -o name 2>/dev/null | head -1)
  [ -n "$pod" ] && break
  sleep 1
done
[ -n "${pod:-}" ] && kubectl -n "$JOB_NS" delete "$pod" --grace-period=0 --wait=false
wait_phase wc-kill Succeeded

log "scenario: a driver that fails under restartPolicy Never ends Failed with the reason"
apply_job failing Never "$IMAGE" 120 "    inline:
      fileName: fail.mjs
      source: |
        export default async function main() { throw new Error('deliberate failure'); }"
wait_phase failing Failed
reason=$(kubectl -n "$JOB_NS" get sparkjob failing -o jsonpath='{.status.reason}')
[ -n "$reason" ] || fail "failing: no reason in status"
echo "failing: reason=$reason"

log "scenario: under OnFailure the driver killed mid-job is restarted and the job succeeds"
apply_job supervised OnFailure "$IMAGE" 120 "    path: /app/examples/wordcount.ts" '["/app/examples/data/mapreduce.txt", "3"]'
wait_phase supervised Running
kubectl -n "$JOB_NS" delete pod supervised-driver-1 --grace-period=0 --wait=false || true
wait_phase supervised Succeeded
attempts=$(kubectl -n "$JOB_NS" get sparkjob supervised -o jsonpath='{.status.attempts}')
[ "${attempts:-0}" -ge 1 ] || fail "supervised: attempts=$attempts"

log "scenario: an image that never starts fails after startupDeadlineSeconds"
apply_job nopull Never registry.invalid/kuberdd:never-pulls 20 "    path: /app/examples/wordcount.ts"
wait_phase nopull Failed 120
kubectl -n "$JOB_NS" get sparkjob nopull -o jsonpath='{.status.reason}: {.status.message}{"\n"}'

log "scenario: a malformed SparkJob is rejected with a clear message"
if out=$(kubectl -n "$JOB_NS" apply -f - 2>&1 <<'YAML'
apiVersion: kuberdd.io/v1alpha1
kind: SparkJob
metadata: { name: malformed }
spec:
  image: kuberdd:e2e
  main: { path: /app/job.js }
  executor: { instances: 0 }
YAML
); then fail "a SparkJob with executor.instances 0 was accepted"; fi
echo "$out" | grep -q 'spec.executor.instances' || fail "unclear rejection: $out"
echo "rejected: $out"

log "scenario: restarting the operator mid-job creates no duplicate pods"
apply_job restart Never "$IMAGE" 120 "    path: /app/examples/wordcount.ts" '["/app/examples/data/mapreduce.txt", "3"]'
wait_phase restart Running
kubectl -n "$SYSTEM_NS" rollout restart deploy/"$RELEASE"-operator
kubectl -n "$SYSTEM_NS" rollout status deploy/"$RELEASE"-operator --timeout=120s
wait_phase restart Succeeded
drivers=$(kubectl -n "$JOB_NS" get pods -l kuberdd.io/job=restart,kuberdd.io/role=driver -o name | wc -l)
[ "$drivers" -eq 1 ] || fail "restart: $drivers driver pods"

log "scenario: 100 SparkJobs applied at once all get their driver pod"
start=$(date +%s%N)
for i in $(seq 1 100); do
  cat <<YAML
---
apiVersion: kuberdd.io/v1alpha1
kind: SparkJob
metadata: { name: many-$i }
spec:
  image: registry.invalid/kuberdd:never-pulls
  main: { path: /app/examples/wordcount.ts }
  startupDeadlineSeconds: 600
YAML
done | kubectl -n "$JOB_NS" apply -f - >/dev/null
while :; do
  n=$(kubectl -n "$JOB_NS" get pods -l kuberdd.io/role=driver -o name | grep -c '/many-' || true)
  [ "$n" -ge 100 ] && break
  [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge 120 ] && fail "only $n of 100 driver pods after 120 s"
  sleep 0.5
done
echo "100 driver pods after $(( ($(date +%s%N) - start) / 1000000 )) ms"
kubectl -n "$JOB_NS" delete sparkjobs --all --wait=false >/dev/null

log "metrics"
kubectl -n "$SYSTEM_NS" port-forward svc/"$RELEASE"-operator-metrics 18080:8080 >/dev/null 2>&1 &
pf=$!
sleep 3
curl -fsS http://127.0.0.1:18080/metrics | grep -E '^kuberdd_(sparkjobs|driver_restarts_total)' || fail "no metrics"
kill "$pf" 2>/dev/null || true

log "all e2e scenarios passed"
