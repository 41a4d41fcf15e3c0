#!/usr/bin/env bash
# Fuzzes every parser of untrusted text in the core (fuzz/fuzz_targets/: one target per feed
# format, the ETF-flow table, the treasury sheet, the manifest, the vintage file and the URL
# settings) for SECONDS each, one target after another, and prints per target: executions, exec/s,
# time, crashes and corpus size. Exits non-zero when any target crashed (the crashing input is
# left in fuzz/artifacts/<target>/, and its reproduction command is printed).
#
#   ./scripts/fuzz.sh                 # 5 s per target
#   ./scripts/fuzz.sh 3               # the bounded run scripts/test.sh does
#   ./scripts/fuzz.sh 900 settings    # one target, 15 minutes
#   FIGURES=docs/fuzz-figures.tsv ./scripts/fuzz.sh 1200   # the long run; bench.sh prints the file
#
# cargo-fuzz (libFuzzer) built on stable with `--sanitizer none`: Rust's own checks (bounds,
# overflow and debug assertions, on in fuzz/Cargo.toml's release profile) and the targets'
# assertions are the oracle; no nightly needed. Each target starts from the committed seeds
# (fuzz/seeds/<target>/) plus whatever an earlier run here grew in fuzz/corpus/<target>/ (not
# committed).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${1:-5}"
shift || true
export PATH="$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
cd fuzz

if [ "$#" -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo fuzz list); fi

mkdir -p target
echo "fuzz: building ${#targets[@]} targets (cargo fuzz build --sanitizer none, release)..." >&2
cargo fuzz build --sanitizer none >/dev/null 2>target/build.log || {
  cat target/build.log >&2
  exit 1
}
# The binaries land under the host triple.
bin_dir="target/$(rustc -vV | sed -n 's/^host: //p')/release"

rows=()
failed=0
for target in "${targets[@]}"; do
  corpus="corpus/$target"
  artifacts="artifacts/$target"
  mkdir -p "$corpus" "$artifacts"
  cp -n "seeds/$target"/* "$corpus"/
  log="$artifacts/last-run.log"
  touch "$artifacts/.started"
  start=$(date +%s.%N)
  status=0
  # -timeout: an input slower than 10 s is a hang, reported like a crash.
  "$bin_dir/$target" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || status=$?
  end=$(date +%s.%N)
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found() { find "$artifacts" -maxdepth 1 -newer "$artifacts/.started" \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \); }
  crashes=$(found | wc -l)
  [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  corpus_files=$(find "$corpus" -type f | wc -l)
  rows+=("$(awk -v t="$target" -v n="${executions:-0}" -v s="$start" -v e="$end" -v c="$crashes" -v k="$corpus_files" \
    'BEGIN { d = e - s; printf "%s\t%d\t%.0f\t%.0f\t%d\t%d", t, n, d, (d > 0 ? n / d : 0), c, k }')")
  if [ "$crashes" -ne 0 ]; then
    failed=1
    echo "fuzz: $target CRASHED (exit $status); the end of its log ($log):" >&2
    grep -v '^#' "$log" | tail -40 >&2
    for input in $(found); do
      echo "fuzz: reproduce with: (cd fuzz && cargo fuzz run --sanitizer none $target $input)" >&2
    done
  fi
done

header=$'target\texecutions\tseconds\texec/s\tcrashes\tcorpus\tdate'
table=$(printf '%s\n' "$header" "${rows[@]}")
printf '%s\n' "$table" | awk -F'\t' '{ printf "%-16s %14s %8s %10s %8s %8s\n", $1, $2, $3, $4, $5, $6 }'
if [ -n "${FIGURES:-}" ]; then
  # One row per target: the rows of the targets run now replace theirs, the others stay, so that
  # a long run can be done target by target.
  case "$FIGURES" in /*) figures="$FIGURES" ;; *) figures="../$FIGURES" ;; esac
  today=$(date -u +%Y-%m-%d)
  kept=$( [ -f "$figures" ] && grep -v -e '^#' -e '^target' "$figures" || true)
  {
    echo "# scripts/fuzz.sh figures, $(nproc) cores, cargo-fuzz $(cargo fuzz --version | awk '{print $2}') (--sanitizer none), $(rustc --version | awk '{print $1, $2}'); seconds are per target"
    echo "$header"
    {
      printf '%s\n' "$kept" | awk -F'\t' -v run=" ${targets[*]} " 'NF && index(run, " " $1 " ") == 0'
      printf '%s\n' "${rows[@]}" | awk -v d="$today" 'NF { print $0 "\t" d }'
    } | sort
  } >"$figures.tmp"
  mv "$figures.tmp" "$figures"
  echo "fuzz: figures written to $FIGURES" >&2
fi
exit "$failed"
