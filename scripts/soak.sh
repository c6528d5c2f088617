#!/usr/bin/env bash
# Soak test: standin serving a stateful document with the request journal on, under a
# fixed request rate for MINUTES (default 10), with the admin API listing and counting the
# journal alongside. Samples the server's RSS (/proc/PID/status), open file descriptors
# (/proc/PID/fd) and p50/p99 latency each interval; fails when RSS exceeds the budget,
# descriptors grow, p99 grows, or any request fails (scripts/soak.py has the rules).
#
#   scripts/soak.sh [MINUTES]
#
# Uses $STANDIN_BIN when set, else builds the release binary. Settings (environment):
#   SOAK_RATE=200         mock requests a second (create, read, list, delete cycles)
#   SOAK_ADMIN_RATE=5     admin requests a second (journal list, journal count)
#   SOAK_INTERVAL=10      seconds between samples
#   SOAK_RSS_MB=256       the RSS budget, MiB
#   SOAK_P99_GROWTH=2     the last third's p99 may be at most this times the first's ...
#   SOAK_P99_FLOOR_MS=25  ... plus this
#   SOAK_JOURNAL_ENTRIES=2000  the journal's --journal-max-entries (--journal-max-bytes 16M)
#   SOAK_OUT=FILE         write the samples as JSON (default: $TMPDIR/standin-soak.json)
# The mock's own budgets are set small so that they, not the machine, bound its memory,
# and so that the journal is full within the first interval (left out of the p99
# comparison as warm-up: listing and counting cost more as the journal fills): the store
# keeps 10,000 items or 16 MiB.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES=${1:-10}
[[ $MINUTES =~ ^[0-9]+([.][0-9]+)?$ ]] || {
  echo "usage: scripts/soak.sh [MINUTES]" >&2
  exit 2
}
if [[ -z ${STANDIN_BIN:-} ]]; then
  echo "== building standin (release)"
  cargo build --release -p standin
  STANDIN_BIN=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/standin
fi
[[ -x $STANDIN_BIN ]] || {
  echo "soak.sh: $STANDIN_BIN is not an executable" >&2
  exit 1
}

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
LOG=${TMPDIR:-/tmp}/standin-soak.log
"$STANDIN_BIN" serve crates/standin/tests/fixtures/stateful/petstore.yaml --stateful \
  --port "$PORT" --quiet \
  --journal-max-entries "${SOAK_JOURNAL_ENTRIES:-2000}" --journal-max-bytes 16M \
  --state-max-items 10000 --state-max-bytes 16M >"$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/__admin/health" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || {
    echo "soak.sh: standin exited at start:" >&2
    cat "$LOG" >&2
    exit 1
  }
  sleep 0.1
done
echo "== soak: $STANDIN_BIN (pid $PID, port $PORT), $MINUTES min"
python3 scripts/soak.py --port "$PORT" --pid "$PID" --minutes "$MINUTES" \
  --rate "${SOAK_RATE:-200}" --admin-rate "${SOAK_ADMIN_RATE:-5}" \
  --interval "${SOAK_INTERVAL:-10}" --rss-budget-mb "${SOAK_RSS_MB:-256}" \
  --p99-growth "${SOAK_P99_GROWTH:-2}" --p99-floor-ms "${SOAK_P99_FLOOR_MS:-25}" \
  --json "${SOAK_OUT:-${TMPDIR:-/tmp}/standin-soak.json}"
