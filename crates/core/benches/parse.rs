//! The feed parsers, in bytes per second (issue 19, "Speed"). Goals: FRED CSV and the user CSV at
//! 300 MB/s or more, the JSON feeds at 100 MB/s or more, natively.
//!
//! Each benchmark parses whole bodies, the way `tideline check` and the app do after reading a
//! file: the real files of ../shared/data (when present; the benchmarks on them are skipped
//! otherwise), each file of a group parsed once per iteration, and synthetic bodies built in
//! memory (a 50 MB FRED CSV, a Yahoo-style user CSV, CoinGecko, Binance and DefiLlama JSON), so
//! that the numbers do not depend on the shared folder. Every body is parsed once before it is
//! timed, and a body that fails is left out of its group with a note, so a broken file cannot
//! make a benchmark measure the error path.

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use tideline_core::parse::{self, Format};

/// The shared data folder, or `None` when it is not there.
fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    dir.join("WALCL.csv").exists().then_some(dir)
}

/// The files of `dir` whose detected format is `format`, as `(name, body)`; table inputs (the ETF
/// flow tables) and files that do not parse are left out.
fn files_of(dir: &Path, format: Format) -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => return Vec::new(),
    };
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "csv" || e == "json"))
        .filter(|p| !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("farside_")))
        .filter_map(|p| {
            let name = p.display().to_string();
            let body = std::fs::read_to_string(&p).ok()?;
            (parse::detect(&name, &body).ok()? == format).then_some((name, body))
        })
        .filter(|(name, body)| match parse::parse(format, name, body, None) {
            Ok(_) => true,
            Err(e) => {
                eprintln!("parse bench: leaving out {name}: {e}");
                false
            }
        })
        .collect()
}

/// Benchmarks parsing every body of `files` once per iteration, in bytes per second.
fn bench_files(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    format: Format,
    files: &[(String, String)],
) {
    if files.is_empty() {
        return;
    }
    let bytes: usize = files.iter().map(|(_, body)| body.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{label} ({} files, {} KB)", files.len(), bytes / 1000), |b| {
        b.iter(|| {
            for (name, body) in files {
                let series = parse::parse(format, name, std::hint::black_box(body), None);
                std::hint::black_box(series.map(|s| s.len()).unwrap_or(0));
            }
        })
    });
}

/// A small deterministic generator (xorshift), so the synthetic bodies are the same every run.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A price-like decimal with two to four places, as FRED and the exchanges write them.
    fn price(&mut self) -> String {
        let r = self.next();
        let places = 2 + (r % 3) as usize;
        let cents = (r >> 8) % 10_000_000;
        format!("{:.*}", places, cents as f64 / 100.0)
    }
}

/// A FRED CSV of about `target` bytes: daily from the year 1000 (so that the dates stay ascending
/// for millions of rows), one value in twenty missing (`.`).
fn synthetic_fred(target: usize) -> String {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let mut body = String::with_capacity(target + 64);
    body.push_str("observation_date,SYNTH\n");
    let mut day = tideline_core::Date::from_ymd(1000, 1, 1).unwrap_or(tideline_core::Date::from_days(0));
    while body.len() < target {
        let value = if noise.next().is_multiple_of(20) { ".".to_string() } else { noise.price() };
        body.push_str(&format!("{day},{value}\n"));
        day = day.add_days(1);
    }
    body
}

/// A Yahoo-style user CSV (`Date,Open,High,Low,Close,Adj Close,Volume`) of about `target` bytes.
fn synthetic_user_csv(target: usize) -> String {
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    let mut body = String::with_capacity(target + 128);
    body.push_str("Date,Open,High,Low,Close,Adj Close,Volume\n");
    let mut day = tideline_core::Date::from_ymd(1000, 1, 1).unwrap_or(tideline_core::Date::from_days(0));
    while body.len() < target {
        let [open, high, low, close, adj] = std::array::from_fn(|_| noise.price());
        let volume = noise.next() % 100_000_000;
        body.push_str(&format!("{day},{open},{high},{low},{close},{adj},{volume}\n"));
        day = day.add_days(1);
    }
    body
}

/// Unix milliseconds of 2000-01-01.
const Y2000_MS: i64 = 946_684_800_000;
const DAY_MS: i64 = 86_400_000;

/// A CoinGecko `market_chart` body of `days` daily points.
fn synthetic_coingecko(days: i64) -> String {
    let mut noise = Noise(0x1234_5678_9abc_def1);
    let series = |noise: &mut Noise| {
        let points: Vec<String> =
            (0..days).map(|d| format!("[{},{}]", Y2000_MS + d * DAY_MS, noise.price())).collect();
        points.join(",")
    };
    let prices = series(&mut noise);
    let caps = series(&mut noise);
    let volumes = series(&mut noise);
    format!(r#"{{"prices":[{prices}],"market_caps":[{caps}],"total_volumes":[{volumes}]}}"#)
}

/// A Binance klines body of `days` daily candles.
fn synthetic_binance(days: i64) -> String {
    let mut noise = Noise(0x0f0f_1234_abcd_9876);
    let candles: Vec<String> = (0..days)
        .map(|d| {
            let open_time = Y2000_MS + d * DAY_MS;
            let [o, h, l, c, v, q, tb, tq] = std::array::from_fn(|_| noise.price());
            format!(
                r#"[{open_time},"{o}","{h}","{l}","{c}","{v}",{},"{q}",{},"{tb}","{tq}","0"]"#,
                open_time + DAY_MS - 1,
                noise.next() % 1_000_000
            )
        })
        .collect();
    format!("[{}]", candles.join(",\n"))
}

/// A DefiLlama stablecoin charts body of `days` daily entries with three pegs.
fn synthetic_defillama(days: i64) -> String {
    let mut noise = Noise(0x7777_1111_3333_5555);
    let entries: Vec<String> = (0..days)
        .map(|d| {
            let date = (Y2000_MS + d * DAY_MS) / 1000;
            let [a, b, c, e] = std::array::from_fn(|_| noise.price());
            format!(
                r#"{{"date":"{date}","totalCirculating":{{"peggedUSD":{a}}},"totalCirculatingUSD":{{"peggedUSD":{b},"peggedEUR":{c},"peggedVAR":{e}}}}}"#
            )
        })
        .collect();
    format!("[{}]", entries.join(","))
}

fn synthetic(name: &str, format: Format, body: String) -> Vec<(String, String)> {
    let files = vec![(name.to_string(), body)];
    if let Err(e) = parse::parse(format, name, &files[0].1, None) {
        panic!("the synthetic {name} does not parse: {e}");
    }
    files
}

fn bench(c: &mut Criterion) {
    let shared = shared_data();
    let market = shared.as_ref().map(|dir| dir.join("market"));

    let mut csv = c.benchmark_group("parse/csv");
    if let Some(dir) = &shared {
        bench_files(&mut csv, "fred, shared data", Format::Fred, &files_of(dir, Format::Fred));
    }
    bench_files(
        &mut csv,
        "fred, synthetic",
        Format::Fred,
        &synthetic("synthetic_fred.csv", Format::Fred, synthetic_fred(50_000_000)),
    );
    if let Some(dir) = &market {
        bench_files(&mut csv, "user csv, shared market data", Format::Csv, &files_of(dir, Format::Csv));
    }
    bench_files(
        &mut csv,
        "user csv, synthetic yahoo",
        Format::Csv,
        &synthetic("synthetic_yahoo.csv", Format::Csv, synthetic_user_csv(20_000_000)),
    );
    csv.finish();

    let mut json = c.benchmark_group("parse/json");
    if let Some(dir) = &market {
        bench_files(
            &mut json,
            "coingecko, shared market data",
            Format::Coingecko,
            &files_of(dir, Format::Coingecko),
        );
        bench_files(
            &mut json,
            "binance, shared market data",
            Format::Binance,
            &files_of(dir, Format::Binance),
        );
        bench_files(
            &mut json,
            "defillama, shared market data",
            Format::Defillama,
            &files_of(dir, Format::Defillama),
        );
    }
    bench_files(
        &mut json,
        "coingecko, synthetic",
        Format::Coingecko,
        &synthetic("coingecko_synthetic.json", Format::Coingecko, synthetic_coingecko(20_000)),
    );
    bench_files(
        &mut json,
        "binance, synthetic",
        Format::Binance,
        &synthetic("binance_synthetic.json", Format::Binance, synthetic_binance(20_000)),
    );
    bench_files(
        &mut json,
        "defillama, synthetic",
        Format::Defillama,
        &synthetic("llama_synthetic.json", Format::Defillama, synthetic_defillama(20_000)),
    );
    json.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
