#!/usr/bin/env bash
# The whole test suite, as CI runs it: formatting, lints, unit and black-box tests, a
# corpus sweep on a sample of real-world documents, and the benchmark's quick mode.
# Installs what it needs (Rust components, wrk) on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
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
  bash bench/run.sh --quick
fi
