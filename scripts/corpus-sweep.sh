#!/usr/bin/env bash
# Loads every document of the real-world corpus (2,639 OpenAPI documents, fetched once
# and cached), sends a request built from the document to every operation, and prints
# the figures. Extra arguments go to the sweep (e.g. --sample 25 for every 25th).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=$(bash scripts/fetch-corpus.sh)
cargo build --release -p standin-server --example corpus_sweep
./target/release/examples/corpus_sweep "$corpus" "$@"
