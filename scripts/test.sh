#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and black-box tests, the
# WireMock differential test and client test, six seconds of fuzzing per fuzz target, a
# one-minute soak, a corpus sweep on a sample of real-world documents, and the benchmark's
# quick mode.
# Needs cargo (with rustfmt and clippy) and python3; installs npm (to fetch the corpus and
# WireMock), wrk and curl (for the benchmark), and Java 17 (for WireMock) with apt-get when
# they are missing, and a C++ compiler (to build libFuzzer). Each step prints how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."

STEP="" STEP_T0=$SECONDS
step_done() { [[ -z $STEP ]] || printf -- '-- %s: %d s\n' "$STEP" $((SECONDS - STEP_T0)); }
step() { step_done; STEP=$*; STEP_T0=$SECONDS; printf '\n== %s\n' "$*"; }
trap step_done EXIT

step "toolchain"
missing=()
for tool in npm wrk curl; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cargo --version

# WireMock 3.13.2 and the python-wiremock client, for the differential and client tests. Cached
# where ../shared/tools/install-peers.sh puts its peers, so each part is installed once and
# the step is a few checks when everything is there.
PEERS_DIR=${STANDIN_PEERS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/standin-peers}
WIREMOCK_JAR=$PEERS_DIR/wiremock/node_modules/wiremock/build/wiremock-standalone-3.13.2.jar
CLIENT_VENV=$PEERS_DIR/python-wiremock
export STANDIN_PEERS_DIR=$PEERS_DIR WIREMOCK_JAR
apt_install() {
  local sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq "$@" >/dev/null
}
step "set-up: Java 17 (for WireMock)"
if ! command -v java >/dev/null 2>&1; then
  echo "installing openjdk-17-jre-headless"
  apt_install openjdk-17-jre-headless
fi
java -version 2>&1 | head -1
step "set-up: WireMock 3.13.2 (npm wiremock@3.13.2, cached in $PEERS_DIR/wiremock)"
if [[ ! -f $WIREMOCK_JAR ]]; then
  npm install --silent --no-audit --no-fund --prefix "$PEERS_DIR/wiremock" wiremock@3.13.2 >/dev/null
fi
ls -l "$WIREMOCK_JAR"
step "set-up: Mockoon CLI 9.9.0 (npm @mockoon/cli@9.9.0, cached in $PEERS_DIR/mockoon)"
MOCKOON_CLI=$PEERS_DIR/mockoon/node_modules/.bin/mockoon-cli
if [[ ! -x $MOCKOON_CLI ]]; then
  npm install --silent --no-audit --no-fund --prefix "$PEERS_DIR/mockoon" @mockoon/cli@9.9.0 >/dev/null
fi
export MOCKOON_CLI
"$MOCKOON_CLI" --version | head -1
step "set-up: python-wiremock 2.7 client (venv in $CLIENT_VENV)"
if ! "$CLIENT_VENV/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(not m.version("wiremock").startswith("2.7."))' 2>/dev/null; then
  if ! python3 -m venv --clear "$CLIENT_VENV" 2>/dev/null; then
    echo "installing python3-venv"
    apt_install python3-venv
    python3 -m venv --clear "$CLIENT_VENV"
  fi
  "$CLIENT_VENV/bin/pip" install --quiet --disable-pip-version-check 'wiremock>=2.7,<2.8'
fi
"$CLIENT_VENV/bin/python" -c 'import importlib.metadata as m; print("python-wiremock", m.version("wiremock"))'

step "set-up: a C++ compiler (the fuzz targets build libFuzzer from source)"
if ! command -v c++ >/dev/null 2>&1; then
  echo "installing g++"
  apt_install g++
fi
c++ --version | head -1

step "format"
cargo fmt --all --check

step "lints"
cargo clippy --workspace --all-targets -- -D warnings

step "tests"
cargo test --workspace

step "fuzzing (scripts/fuzz.sh: every target 6 s, coverage-guided; a crash fails and is saved under fuzz/regressions)"
bash scripts/fuzz.sh 6

step "release build (for the WireMock tests, the soak and the benchmark)"
cargo build --release -p standin -p bare
STANDIN_BIN=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/standin
export STANDIN_BIN

step "WireMock differential test (tests/wiremock: the same stubs and requests, WireMock 3.13.2 vs standin)"
python3 tests/wiremock/differential.py

step "Mockoon differential test (tests/mockoon: the same environment and requests, Mockoon CLI 9.9.0 vs standin)"
python3 tests/mockoon/differential.py

step "WireMock client test (python-wiremock driving WireMock 3.13.2, then standin)"
"$CLIENT_VENV/bin/python" tests/wiremock/client_test.py

step "soak, 1 minute (scripts/soak.sh: fixed rate, stateful and admin API; RSS, fds and p99 checked)"
bash scripts/soak.sh 1

step "corpus sweep (a sample; run scripts/corpus-sweep.sh for all 2,639 documents)"
bash scripts/corpus-sweep.sh --sample 25

if [[ -x bench/run.sh ]]; then
  step "benchmark, quick mode (proves the script works; no timing is asserted)"
  bash bench/run.sh --quick --servers bare,standin
fi
