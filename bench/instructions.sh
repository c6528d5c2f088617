#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: a measure of the request
# path's own cost that does not move with the machine's load the way req/s does.
#
# Usage: bench/instructions.sh [--bin PATH] [--requests N] [--top K] -- SERVER ARGS...
#   bench/instructions.sh -- serve bench/fixtures/stock-0.1.json
#   bench/instructions.sh --bin target/release-profiling/bare --
#
# Starts the server (`--bin`, default target/release-profiling/standin, which keeps its
# symbols: `cargo build --profile release-profiling -p standin -p bare`) under callgrind
# on a free port, sends N requests (default 20,000) in turn on one kept-alive connection
# after a warm-up of 500, dumps the counts, and prints the instructions counted
# while the N requests ran (every thread, user space) divided by N, and the K functions
# (default 25) with the most inclusive instructions. The server's own arguments follow
# `--`; `--port` is added. The path requested is BENCH_PATH (default
# /stock/historical?tickers=AAPL), sent with BENCH_METHOD (default GET) and, when
# BENCH_BODY names a file, that file as a JSON body; BENCH_SCHEME=https speaks TLS to a
# server started with --tls (its certificate not checked). With KEEP=FILE, the callgrind output
# is kept there (for callgrind_annotate, e.g. --tree=caller, or kcachegrind).
set -euo pipefail

BIN=target/release-profiling/standin
REQUESTS=20000
TOP=25
while [[ $# -gt 0 ]]; do
  case $1 in
    --bin) BIN=$2; shift 2 ;;
    --requests) REQUESTS=$2; shift 2 ;;
    --top) TOP=$2; shift 2 ;;
    --) shift; break ;;
    -h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "instructions.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is needed (apt-get install -y valgrind)" >&2; exit 2; }
[[ -x $BIN ]] || { echo "instructions.sh: $BIN is not built" >&2; exit 2; }

PATH_Q=${BENCH_PATH:-/stock/historical?tickers=AAPL}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$OUT"' EXIT

valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" --instr-atstart=no \
  --separate-threads=no "$BIN" "$@" --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -fsk -o /dev/null "${BENCH_SCHEME:-http}://127.0.0.1:$PORT$PATH_Q" && break
  sleep 0.1
done

# A client of its own: N requests in turn on one kept-alive connection.
send() { # COUNT
  python3 -c '
import http.client, ssl, sys
port, path, n, method, body, scheme = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
body = open(body, "rb").read() if body else None
headers = {"Content-Type": "application/json"} if body is not None else {}
if scheme == "https":
    c = http.client.HTTPSConnection("127.0.0.1", port, timeout=60, context=ssl._create_unverified_context())
else:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
for _ in range(n):
    c.request(method, path, body=body, headers=headers)
    c.getresponse().read()
print(n)' "$PORT" "$PATH_Q" "$1" "${BENCH_METHOD:-GET}" "${BENCH_BODY:-}" "${BENCH_SCHEME:-http}"
}
send 500 >/dev/null
callgrind_control -i on "$SERVER" >/dev/null
SENT=$(send "$REQUESTS")
callgrind_control -d "$SERVER" >/dev/null
kill -KILL "$SERVER" 2>/dev/null || true
wait "$SERVER" 2>/dev/null || true
FILE=$(ls "$OUT"/cg.* | sort | tail -1)
TOTAL=$(callgrind_annotate "$FILE" 2>/dev/null | awk '/PROGRAM TOTALS/ && !done {gsub(",","",$1); print $1; done=1}')
[[ -n ${KEEP:-} ]] && cp "$FILE" "$KEEP"
echo "requests: $SENT"
echo "instructions per request: $((TOTAL / SENT))"
callgrind_annotate --inclusive=yes "$FILE" 2>/dev/null | sed -n '/file:function/,$p' | sed -n "2,$((TOP + 1))p" |
  awk -v n="$SENT" '{c=$1; gsub(",","",c); $1=""; sub(/ \/[^ ]*\/src\//, " ", $0); sub(/ \[.*$/, "", $0); printf "%9d %s\n", c/n, substr($0, 1, 170)}'
