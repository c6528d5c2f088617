#!/usr/bin/env bash
# Builds the fuzz targets (fuzz/) with coverage instrumentation on the stable toolchain and
# runs each for a bounded time, seeded from the repository's fixtures.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     SECONDS per target (default 60); all targets
#                                              unless some are named
#
# Instrumentation: stable rustc's LLVM SanitizerCoverage pass (-Cpasses=sancov-module with
# inline 8-bit counters, a PC table and comparison tracing), read by libFuzzer's driver,
# which the libfuzzer-sys crate builds from source with the system C++ compiler. No
# sanitizer (those need nightly): a crash is a panic, an abort, a timeout or running out
# of memory.
#
# Each target's corpus grows in $TARGET_DIR/fuzz/work/corpus/<target> across runs. An
# input that crashes or hangs a target is saved under fuzz/regressions/<target>/, where
# `cargo test -p standin-fuzz` (and so `cargo test --workspace`) replays it: commit it
# with the fix. Prints executions, executions a second, coverage (at start and end) and
# the slowest input's time per target; exits 1 when any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_TARGET=${1:-60}
[[ $SECONDS_PER_TARGET =~ ^[0-9]+$ ]] || {
  echo "usage: scripts/fuzz.sh [SECONDS] [TARGET...]" >&2
  exit 2
}
shift || true
ALL_TARGETS=(openapi_json openapi_yaml postman har wiremock_stubs mockoon_env directives params answer)
TARGETS=("$@")
((${#TARGETS[@]})) || TARGETS=("${ALL_TARGETS[@]}")
for t in "${TARGETS[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || {
    echo "fuzz.sh: no target named $t (targets: ${ALL_TARGETS[*]})" >&2
    exit 2
  }
done

command -v c++ >/dev/null 2>&1 || {
  echo "fuzz.sh: libFuzzer is built from source and needs a C++ compiler (c++): install g++" >&2
  exit 1
}

HOST=$(rustc -vV | sed -n 's/^host: //p')
BASE_TARGET=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}
# A target directory of its own: the instrumented build must not replace the normal one.
export CARGO_TARGET_DIR=$BASE_TARGET/fuzz
WORK=$CARGO_TARGET_DIR/work
BIN_DIR=$CARGO_TARGET_DIR/$HOST/fuzz

# --target keeps RUSTFLAGS off build scripts and proc macros (an instrumented proc macro
# cannot load: nothing in rustc defines the coverage callbacks).
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing"
echo "== building the fuzz targets ($HOST, profile fuzz, in $CARGO_TARGET_DIR)"
build_t0=$SECONDS
cargo build --profile fuzz -p standin-fuzz --features libfuzzer --bins --target "$HOST"
echo "-- built in $((SECONDS - build_t0)) s"

# Seeds: the committed ones (fuzz/seeds/<target>), the saved crash inputs, and every fixture of the target's kind
# (at most 64 KiB, so each execution stays quick).
rm -rf "$WORK/seeds"
mkdir -p "$WORK/seeds"
for t in "${ALL_TARGETS[@]}"; do
  mkdir -p "$WORK/seeds/$t"
  for dir in fuzz/seeds/$t fuzz/regressions/$t; do
    [[ -d $dir ]] && cp "$dir"/* "$WORK/seeds/$t/" 2>/dev/null || true
  done
done
python3 - "$WORK/seeds" ../shared/fixtures crates/standin/tests/fixtures tests/wiremock tests/mockoon examples <<'EOF'
import hashlib, json, pathlib, sys

out = pathlib.Path(sys.argv[1])

def save(target, data):
    if isinstance(data, str):
        data = data.encode()
    (out / target / hashlib.sha1(data).hexdigest()).write_bytes(data)

def kind(path, text):
    """The loader target a fixture seeds, or None."""
    if "mappings" in path.parts and path.suffix in (".json", ".yaml", ".yml"):
        return "wiremock_stubs"
    if path.suffix in (".yaml", ".yml"):
        head = [l for l in text.splitlines() if l and not l.startswith(("#", " "))]
        return "openapi_yaml" if any(l.startswith(("openapi:", "swagger:")) for l in head) else None
    if path.suffix not in (".json", ".har"):
        return None
    try:
        v = json.loads(text)
    except ValueError:
        return None
    if not isinstance(v, dict):
        return None
    if "openapi" in v or "swagger" in v:
        return "openapi_json"
    if isinstance(v.get("log"), dict) and "entries" in v["log"]:
        return "har"
    if "item" in v and "info" in v:
        return "postman"
    if isinstance(v.get("routes"), list) and ("lastMigration" in v or "rootChildren" in v):
        return "mockoon_env"
    return None

def request_text(r):
    """A differential test's request in the answer target's text form."""
    lines = [f"{r.get('method', 'GET')} {r.get('path', '/')}"]
    headers = dict(r.get("headers") or {})
    body = r.get("body", "")
    if "json" in r:
        body = json.dumps(r["json"])
        headers.setdefault("content-type", "application/json")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return "\n".join(lines) + "\n\n" + (body if isinstance(body, str) else json.dumps(body))

for root in sys.argv[2:]:
    for path in sorted(pathlib.Path(root).rglob("*")):
        if not path.is_file() or path.stat().st_size > 64 * 1024 or "node_modules" in path.parts:
            continue
        text = path.read_text(errors="replace")
        target = kind(path, text)
        if target:
            save(target, path.read_bytes())
        if path.name == "requests.json":
            for r in json.loads(text):
                if isinstance(r, dict):
                    save("answer", request_text(r))
for d in sorted(out.iterdir()):
    print(f"   seeds for {d.name}: {sum(1 for _ in d.iterdir())}")
EOF

crashed=()
summary=()
for t in "${TARGETS[@]}"; do
  mkdir -p "$WORK/corpus/$t" "fuzz/regressions/$t"
  log=$WORK/$t.log
  echo "== fuzzing $t for ${SECONDS_PER_TARGET} s"
  before=$(find "fuzz/regressions/$t" -type f | wc -l)
  set +e
  "$BIN_DIR/$t" "$WORK/corpus/$t" "$WORK/seeds/$t" \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="fuzz/regressions/$t/" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  slowest=$(sed -n 's/^stat::slowest_unit_time_sec: *//p' "$log" | tail -1)
  cov0=$(grep -m1 -o 'INITED cov: [0-9]* ft: [0-9]*' "$log" | sed 's/INITED //' || true)
  cov1=$(grep -o '^#[0-9]*.*cov: [0-9]* ft: [0-9]*' "$log" | tail -1 | grep -o 'cov: [0-9]* ft: [0-9]*' || true)
  corpus=$(find "$WORK/corpus/$t" -type f | wc -l)
  after=$(find "fuzz/regressions/$t" -type f | wc -l)
  rmdir "fuzz/regressions/$t" 2>/dev/null || true
  result=ok
  if ((rc != 0 || after > before)); then
    result="CRASH (exit $rc)"
    crashed+=("$t")
    grep -E 'panicked at|ERROR: libFuzzer|Test unit written' "$log" | head -5 | sed 's/^/   /'
  fi
  line=$(printf '%-15s %10s execs %7s/s  start {%s}  end {%s}  corpus %5s  slowest %3s s  %s' \
    "$t" "${execs:-?}" "${rate:-?}" "${cov0:-?}" "${cov1:-?}" "$corpus" "${slowest:-?}" "$result")
  echo "   $line"
  summary+=("$line")
done

echo
echo "== fuzzing summary (${SECONDS_PER_TARGET} s per target; logs in $WORK)"
printf '%s\n' "${summary[@]}"
if ((${#crashed[@]})); then
  echo
  echo "crashes in: ${crashed[*]}; the inputs are under fuzz/regressions/<target>/ and"
  echo "cargo test -p standin-fuzz replays them (fix the code, keep the input as the test)."
  exit 1
fi
