#!/usr/bin/env bash
# bench/state-memory.sh: RSS of a stateful mock after N writes (default 1,000,000 POSTs of a
# new pet to examples/petstore.yaml), against the store's budgets. standin runs with its
# default budgets (100,000 items, 256M) unless STATE_ARGS says otherwise; writes past the
# item budget are answered 507 and must not grow memory.
#
# Usage: bench/state-memory.sh [N]   (STANDIN_BIN, STATE_ARGS, BENCH_PORT override)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${1:-1000000}
BIN=${STANDIN_BIN:-$ROOT/target/release/standin}
PORT=${BENCH_PORT:-18790}
read -r -a EXTRA <<<"${STATE_ARGS:-}"
"$BIN" serve "$ROOT/examples/petstore.yaml" --stateful --quiet --port "$PORT" "${EXTRA[@]}" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/pets/1" && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$PID/status"; }
idle=$(rss)
t0=$(date +%s)
STATE_WRITES=$N wrk -t1 -c16 -d600s -s "$ROOT/bench/fixtures/state-writes.lua" "http://127.0.0.1:$PORT/pets" | grep state-writes.lua || true
t1=$(date +%s)
after=$(rss)
held=$(curl -s "http://127.0.0.1:$PORT/__admin/state" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps(d.get("budget", d.get("usage", "?"))))' 2>/dev/null || echo "?")
echo "writes: $N in $((t1 - t0)) s; RSS idle $((idle / 1024)) MB, after $((after / 1024)) MB, growth $(((after - idle) / 1024)) MB; store: $held"
