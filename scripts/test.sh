#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and black-box tests, a
# corpus sweep on a sample of real-world documents, and the benchmark's quick mode.
# Needs cargo (with rustfmt and clippy); installs npm (to fetch the corpus), wrk and curl
# (for the benchmark) with apt-get when they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

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

step "format"
cargo fmt --all --check

step "lints"
cargo clippy --workspace --all-targets -- -D warnings

step "tests"
cargo test --workspace

step "corpus sweep (a sample; run scripts/corpus-sweep.sh for all 2,639 documents)"
bash scripts/corpus-sweep.sh --sample 25

if [[ -x bench/run.sh ]]; then
  step "benchmark, quick mode (proves the script works; no timing is asserted)"
  bash bench/run.sh --quick --servers bare,standin
fi
