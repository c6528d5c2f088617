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
# on a free port, sends N requests (default 20,000) over 4 kept-alive connections with
# wrk after a warm-up of 500, stops it with SIGINT, and prints the instructions counted
# while the N requests ran (every thread, user space) divided by N, and the K functions
# (default 25) with the most inclusive instructions. The server's own arguments follow
# `--`; `--port` is added. The path requested is BENCH_PATH (default
# /stock/historical?tickers=AAPL).
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
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "instructions.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
command -v valgrind >/dev/null || { echo "instructions.sh: valgrind is needed (apt-get install -y valgrind)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "instructions.sh: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }
[[ -x $BIN ]] || { echo "instructions.sh: $BIN is not built" >&2; exit 2; }

PATH_Q=${BENCH_PATH:-/stock/historical?tickers=AAPL}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
OUT=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$OUT"' EXIT

valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" --collect-atstart=no \
  --separate-threads=no "$BIN" "$@" --port "$PORT" >"$OUT/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$PORT$PATH_Q" && break
  sleep 0.1
done

# wrk stops after a fixed number of responses, counted in Lua.
cat >"$OUT/count.lua" <<EOF
local left = 0
function init(args) left = tonumber(args[1]) end
function response()
  left = left - 1
  if left <= 0 then wrk.thread:stop() end
end
EOF
run_wrk() { # REQUESTS
  wrk -t1 -c4 -d600s -s "$OUT/count.lua" "http://127.0.0.1:$PORT$PATH_Q" -- "$1" >"$OUT/wrk.log" 2>&1
}
run_wrk 500
callgrind_control -i on "$SERVER" >/dev/null
run_wrk "$REQUESTS"
SENT=$(awk '/requests in/ {print $1}' "$OUT/wrk.log")
callgrind_control -i off "$SERVER" >/dev/null
kill -INT "$SERVER"
wait "$SERVER" 2>/dev/null || true
FILE=$(ls "$OUT"/cg.* | head -1)
TOTAL=$(callgrind_annotate "$FILE" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1; exit}')
echo "requests: $SENT"
echo "instructions per request: $((TOTAL / SENT))"
callgrind_annotate --inclusive=yes "$FILE" 2>/dev/null | sed -n '/file:function/,$p' | sed -n "2,$((TOP + 1))p" |
  awk -v n="$SENT" '{c=$1; gsub(",","",c); $1=""; printf "%9d %s\n", c/n, substr($0, 1, 160)}'
