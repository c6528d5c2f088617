#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and black-box tests, the
# WireMock, Mockoon and Prism differential tests, the WireMock client test, the dashboard in
# a headless browser, six seconds of fuzzing per fuzz target, a one-minute soak, a corpus
# sweep on a sample of real-world documents, and the benchmark's quick mode.
# Needs cargo (with rustfmt and clippy), python3 and node; installs npm (to fetch the
# corpus, WireMock, Mockoon CLI, Prism and playwright-core), wrk and curl (for the
# benchmark), Java 17 (for WireMock), Chromium (for the dashboard test), a C++ compiler
# (to build libFuzzer) and redis-server (for the shared-store tests) with apt-get when they
# are missing, and kubernetes-validate (for the manifests under deploy/) in a venv. Each
# step prints how long it took.
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
step "set-up: Prism 5.14.2 (npm @stoplight/prism-cli@5.14.2, cached in $PEERS_DIR/prism)"
PRISM=$PEERS_DIR/prism/node_modules/.bin/prism
if [[ ! -x $PRISM ]]; then
  npm install --silent --no-audit --no-fund --prefix "$PEERS_DIR/prism" @stoplight/prism-cli@5.14.2 >/dev/null
fi
export PRISM
echo "prism $("$PRISM" --version)"
# A venv at $1 holding PyPI package $2 at version prefix $3 (installed as $4), made or
# remade only when it does not.
pip_venv() {
  local venv=$1 package=$2 prefix=$3 spec=$4
  if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(not m.version('$package').startswith('$prefix'))" 2>/dev/null; then
    if ! python3 -m venv --clear "$venv" 2>/dev/null; then
      echo "installing python3-venv"
      apt_install python3-venv
      python3 -m venv --clear "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$spec"
  fi
  "$venv/bin/python" -c "import importlib.metadata as m; print('$package', m.version('$package'))"
}
step "set-up: python-wiremock 2.7 client (venv in $CLIENT_VENV)"
pip_venv "$CLIENT_VENV" wiremock 2.7. 'wiremock>=2.7,<2.8'

step "set-up: redis-server and openssl (for the shared-store tests, rediss:// among them)"
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
redis-server --version
openssl version
step "set-up: kubernetes-validate 1.37 (venv in $PEERS_DIR/kubernetes-validate, for deploy/kubernetes)"
KV_VENV=$PEERS_DIR/kubernetes-validate
pip_venv "$KV_VENV" kubernetes-validate 1.37. 'kubernetes-validate>=1.37,<1.38'

step "set-up: Chromium and chromedriver (Debian packages, for the dashboard test)"
if [[ ! -x /usr/bin/chromium || ! -x /usr/bin/chromedriver ]]; then
  echo "installing chromium chromium-driver"
  apt_install chromium chromium-driver
fi
/usr/bin/chromium --version 2>/dev/null | head -1
step "set-up: playwright-core 1.65.1 (npm, cached in $PEERS_DIR/playwright; drives Debian's Chromium)"
PLAYWRIGHT_CORE=$PEERS_DIR/playwright/node_modules/playwright-core
if [[ ! -f $PLAYWRIGHT_CORE/package.json ]]; then
  npm install --silent --no-audit --no-fund --prefix "$PEERS_DIR/playwright" playwright-core@1.65.1 >/dev/null
fi
export PLAYWRIGHT_CORE
node -e 'console.log("playwright-core", require(process.argv[1] + "/package.json").version)' "$PLAYWRIGHT_CORE"
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

step "Kubernetes manifests (deploy/kubernetes) against the Kubernetes 1.37 schemas, strict"
"$KV_VENV/bin/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
echo "$(ls deploy/kubernetes/*.yaml | wc -l) manifests valid"

step "release build (for the WireMock tests, the soak and the benchmark)"
cargo build --release -p standin -p bare
STANDIN_BIN=$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/release/standin
export STANDIN_BIN

step "WireMock differential test (tests/wiremock: the same stubs and requests, WireMock 3.13.2 vs standin)"
python3 tests/wiremock/differential.py

step "Mockoon differential test (tests/mockoon: the same environment and requests, Mockoon CLI 9.9.0 vs standin)"
python3 tests/mockoon/differential.py

step "Prism differential test (tests/prism: the same documents and command lines, Prism 5.14.2 vs standin mock)"
python3 tests/prism/differential.py

step "WireMock client test (python-wiremock driving WireMock 3.13.2, then standin)"
"$CLIENT_VENV/bin/python" tests/wiremock/client_test.py

step "dashboard test (tests/dashboard: the page in headless Chromium; screenshots into docs/screenshots)"
node tests/dashboard/dashboard_test.js
step "soak, 1 minute (scripts/soak.sh: fixed rate, stateful and admin API; RSS, fds and p99 checked)"
bash scripts/soak.sh 1

step "corpus sweep (a sample; run scripts/corpus-sweep.sh for all 2,639 documents)"
bash scripts/corpus-sweep.sh --sample 25

if [[ -x bench/run.sh ]]; then
  step "benchmark, quick mode (proves the script works; no timing is asserted)"
  bash bench/run.sh --quick --servers bare,standin
fi
