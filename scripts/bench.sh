#!/usr/bin/env bash
# Tideline's performance table: every figure beside its goal (issue 19), measured here and now.
# The README's performance table is copied from what this prints. A measurement, not a test: it
# fails only when a step cannot run, never because a goal is missed.
#
#   ./scripts/bench.sh                       # on ../shared/data
#   DATA=/path/to/folder ./scripts/bench.sh  # another data folder (as filled by tideline mirror)
#   MEASUREMENT_TIME=5 RUNS=5 ./scripts/bench.sh
#   SKIP_CRITERION=1 ./scripts/bench.sh       # reuse the last criterion results (target/criterion)
#
# Steps: criterion benches of the core (model, parsers, scaling, report writing; medians), the
# `tideline` command as a whole process (median of 15 runs), the release page in headless Debian
# Chromium on 127.0.0.1 (tests/bench/browser.mjs: cold and cached visits), the bundle sizes; then
# the fuzzing figures of the last long run (docs/fuzz-figures.tsv, written by scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${DATA:-../shared/data}"
MT="${MEASUREMENT_TIME:-3}"
export RUNS="${RUNS:-3}"
if [ ! -f "$DATA/WALCL.csv" ]; then
  echo "bench: $DATA has no WALCL.csv; set DATA to a data folder" >&2
  exit 2
fi
./scripts/setup.sh >/dev/null
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
OUT=target/bench
mkdir -p "$OUT"

if [ -z "${SKIP_CRITERION:-}" ]; then
echo "bench: criterion (core benches, ${MT}s each)..." >&2
cargo bench -q -p tideline-core --bench model --bench parse -- --warm-up-time 1 \
  --measurement-time "$MT" >"$OUT/criterion.log" 2>&1
fi

echo "bench: the tideline command as a whole process..." >&2
cargo build -q --release -p tideline-cli
python3 - "$DATA" "$OUT/cli.json" <<'PY'
import glob, json, statistics, subprocess, sys, time
data, out = sys.argv[1], sys.argv[2]
def wall(args, runs=15, check=True):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(args, check=check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)
cli = "target/release/tideline"
report = "target/bench/report.json"
figures = {
    "analyze_ms": wall([cli, "analyze", "--data", data, "--out", report]),
    # Every top-level CSV of the folder (a file that fails is reported, not fatal).
    "check_ms": wall([cli, "check", *sorted(glob.glob(f"{data}/*.csv"))], check=False),
    "check_bytes": sum(len(open(f, "rb").read()) for f in glob.glob(f"{data}/*.csv")),
}
figures["report_bytes"] = len(open(report, "rb").read())
full = "target/bench/report-full.json"
subprocess.run([cli, "analyze", "--data", data, "--detail", "full", "--out", full], check=True,
               stderr=subprocess.DEVNULL)
figures["report_full_bytes"] = len(open(full, "rb").read())
json.dump(figures, open(out, "w"))
PY

echo "bench: release page in headless Chromium..." >&2
trunk build --release --dist "$OUT/dist" >"$OUT/trunk.log" 2>&1
rm -rf "$OUT/data"
target/release/tideline mirror --out "$OUT/data" --from "$DATA" >"$OUT/mirror.log" 2>&1 || true
SITE_DIR="$OUT/dist" DATA_DIR="$OUT/data" node tests/bench/browser.mjs >"$OUT/browser.json"

python3 - "$OUT" <<'PY'
import glob, gzip, json, math, os, sys
out = sys.argv[1]
crit = "target/criterion"

def estimate(name):
    """Median (ms) and bytes per iteration of a criterion benchmark, by its id."""
    path = os.path.join(crit, name, "new")
    try:
        est = json.load(open(os.path.join(path, "estimates.json")))
        bench = json.load(open(os.path.join(path, "benchmark.json")))
    except OSError:
        return None, None
    tp = bench.get("throughput") or {}
    return est["median"]["point_estimate"] / 1e6, tp.get("Bytes") or tp.get("BytesDecimal")

def ids():
    for f in glob.glob(os.path.join(crit, "**", "new", "benchmark.json"), recursive=True):
        yield json.load(open(f))["full_id"], os.path.relpath(os.path.dirname(os.path.dirname(f)), crit)

rows = []
def row(what, value, unit, goal=None, met=None):
    shown = "n/a" if value is None else (f"{value:,.1f}" if abs(value) < 1e5 else f"{value:,.0f}")
    verdict = "" if met is None else ("met" if met else "MISSED")
    rows.append((what, f"{shown} {unit}".strip(), goal or "", verdict))

def at_most(v, g): return None if v is None else v <= g
def at_least(v, g): return None if v is None else v >= g

dirs = dict(ids())
def ms(name): return estimate(dirs.get(name, name))[0]

# Bundle.
dist = os.path.join(out, "dist")
def gz(pattern):
    files = glob.glob(os.path.join(dist, pattern))
    return len(gzip.compress(open(files[0], "rb").read(), 9)) if files else None
wasm, js = gz("tideline-app-*_bg.wasm"), gz("tideline-app-*.js")
bundle = (wasm or 0) + (js or 0)
row("page bundle, wasm + js, gzipped", bundle / 1024, "KiB", "<= 293 KiB (300 KB)", at_most(bundle, 300_000))
wwasm, wjs = gz("tideline-worker_bg.wasm"), gz("tideline-worker.js")
row("worker bundle (the model), wasm + js, gzipped", ((wwasm or 0) + (wjs or 0)) / 1024, "KiB", "", "")

# Native model and its growth.
model = ms("analyze/real catalog")
row("model, native (analyze_with, real catalog)", model, "ms", "<= 10 ms", at_most(model, 10))
for name in ["analyze/synthetic 25y daily catalog"]:
    row(f"model, native ({name.split('/')[1]})", ms(name), "ms")
s45, s100, s200 = (ms(f"scale/series {n}") for n in (45, 100, 200))
for n, v in ((45, s45), (100, s100), (200, s200)):
    row(f"model, {n} series (25 y synthetic)", v, "ms")
if s45 and s200:
    k = math.log(s200 / s45) / math.log(200 / 45)
    row("  growth exponent in series (t ~ n^k)", k, "", "<= 1 (linear)", at_most(k, 1.05))
y25, y50 = ms("scale/years 25"), ms("scale/years 50")
row("model, 25 years (45 series)", y25, "ms")
row("model, 50 years (45 series)", y50, "ms")
if y25 and y50:
    k = math.log(y50 / y25) / math.log(2)
    row("  growth exponent in years", k, "", "<= 1 (linear)", at_most(k, 1.05))

# Parsers.
for full_id, d in sorted(dirs.items()):
    if not full_id.startswith("parse/"):
        continue
    t, b = estimate(d)
    if t is None or not b:
        continue
    rate = b / 1e6 / (t / 1000)
    goal = 100 if "json" in full_id.lower() or "coingecko" in full_id.lower() or "binance" in full_id.lower() \
        or "defillama" in full_id.lower() else 300
    row(f"{full_id}", rate, "MB/s", f">= {goal} MB/s", at_least(rate, goal))

# Writing the report.
for full_id, d in sorted(dirs.items()):
    if full_id.startswith("write/"):
        t, _ = estimate(d)
        lean_compact = "lean" in full_id and "Compact" in full_id
        row(f"report {full_id}", t, "ms", "<= 5 ms" if lean_compact else "", at_most(t, 5) if lean_compact else None)

cli = json.load(open(os.path.join(out, "cli.json")))
row("tideline analyze, whole process (real data)", cli["analyze_ms"], "ms", "<= 20 ms", at_most(cli["analyze_ms"], 20))
row(f"tideline check, whole process ({cli['check_bytes'] / 1e6:.1f} MB of CSV)", cli["check_ms"], "ms")
row("report, default (lean)", cli["report_bytes"] / 1e6, "MB", "<= 1.5 MB", at_most(cli["report_bytes"], 1.5e6))
row("report, --detail full", cli["report_full_bytes"] / 1e6, "MB")

b = json.load(open(os.path.join(out, "browser.json")))
c, w = b["cold"], b["cached"]
row("browser: first report, cached data", w["first_report_ms"], "ms", "<= 800 ms", at_most(w["first_report_ms"], 800))
row("browser: first report, cold (localhost)", c["first_report_ms"], "ms", "<= 1500 ms", at_most(c["first_report_ms"], 1500))
row("browser: model run (main thread, tideline:model)", c["model_ms"], "ms", "<= 16 ms", at_most(c["model_ms"], 16))
row("browser: parse feed text (wasm)", c["parse_mb_s"], "MB/s", ">= 150 MB/s", at_least(c["parse_mb_s"], 150))
row("browser: read saved binary copies (wasm)", w["decode_mb_s"], "MB/s")
row("browser: longest main-thread task, cold load", c["longest_task_ms"], "ms", "<= 50 ms", at_most(c["longest_task_ms"], 50))
row("browser: longest main-thread task, cached load", w["longest_task_ms"], "ms", "<= 50 ms", at_most(w["longest_task_ms"], 50))
sw = b.get("sweep") or {}
row("browser: strategies + 441-cell sweep, in the worker (per run)", sw.get("sweep_worker_ms"), "ms", "<= 300 ms", at_most(sw.get("sweep_worker_ms"), 300))
row("browser:   of which the backtest itself, JSON aside", sw.get("sweep_run_ms"), "ms")
row("browser: backtest request to answer on the page", sw.get("sweep_round_trip_ms"), "ms")
row(f"browser: reading the backtest's JSON on the page ({(sw.get('sweep_read_bytes') or 0) / 1e6:.1f} MB)", sw.get("sweep_read_ms"), "ms")
row("browser: longest main-thread task during the sweep", sw.get("sweep_longest_task_ms"), "ms", "<= 50 ms", at_most(sw.get("sweep_longest_task_ms"), 50))

width = [max(len(r[i]) for r in rows + [("figure", "measured", "goal", "")]) for i in range(4)]
line = lambda r: "| " + " | ".join(x.ljust(width[i]) for i, x in enumerate(r)) + " |"
print(line(("figure", "measured", "goal", "")))
print("|" + "|".join("-" * (w + 2) for w in width) + "|")
for r in rows:
    print(line(r))
native = json.load(open(os.path.join(out, "report.json"))).get("timing", {}).get("sections", [])
if native:
    print("\nmodel stages, native (one tideline analyze run, ms): " +
          ", ".join(f"{s['section']} {s['ms']:.1f}" for s in sorted(native, key=lambda s: -s["ms"])))
sections = c.get("sections") or {}
if sections:
    print("\nmodel stages in the browser (last cold run, ms): " +
          ", ".join(f"{k} {v:.1f}" for k, v in sorted(sections.items(), key=lambda kv: -kv[1])))

# Fuzzing: not measured here (hours of CPU), but read from the figures the long run wrote
# (`FIGURES=docs/fuzz-figures.tsv ./scripts/fuzz.sh SECONDS [TARGET...]`), beside the goal.
fuzz = "docs/fuzz-figures.tsv"
if os.path.exists(fuzz):
    lines = [l.rstrip("\n").split("\t") for l in open(fuzz) if l.strip()]
    about = " ".join(l[0].lstrip("# ") for l in lines if l[0].startswith("#"))
    runs = [l for l in lines if not l[0].startswith("#") and l[0] != "target"]
    head = ("fuzz target", "executions", "seconds", "exec/s", "crashes", "corpus", "date",
            "goal", "")
    body = []
    for t, n, secs, rate, crashes, corpus, date in (r[:7] for r in runs):
        met = int(n) >= 10_000_000 and int(crashes) == 0
        body.append((t, f"{int(n):,}", secs, f"{int(rate):,}", crashes, corpus, date,
                     ">= 10,000,000, 0 crashes", "met" if met else "MISSED"))
    width = [max(len(r[i]) for r in body + [head]) for i in range(len(head))]
    fline = lambda r: "| " + " | ".join(x.ljust(width[i]) for i, x in enumerate(r)) + " |"
    print(f"\nfuzzing ({fuzz}: {about}):")
    print(fline(head))
    print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for r in body:
        print(fline(r))
else:
    print(f"\nfuzzing: no {fuzz} yet (FIGURES={fuzz} ./scripts/fuzz.sh 600 writes it)")
PY
