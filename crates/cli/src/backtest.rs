//! `tideline backtest --data DIR [--strategy NAME] [--sweep] [--walk-forward] [--pretty]
//! [--out FILE] [--csv DIR]`: runs the point-in-time backtest and writes its JSON report (stdout without
//! `--out`), and with `--csv` the tables as CSV files:
//!
//! - `equity.csv`, `drawdown.csv`: one row per Friday, one column per run (strategies, their
//!   static mixes `static:<strategy>`, benchmarks, and the walk-forward's stitched out-of-sample
//!   run and its benchmark);
//! - `metrics.csv`: one row per run;
//! - `calendar_years.csv`: one row per run and year;
//! - `comparisons.csv`: one row per strategy and run it is compared with (every benchmark and its
//!   static mix): the Sharpe ratios, their difference, its standard error, 95% interval, z,
//!   p-value and verdict (`tideline_core::backtest::compare`);
//! - `sweep.csv`: one row per cell (`--sweep`);
//! - `walk_forward.csv`: one row per fold (`--walk-forward`).
//!
//! A summary for people goes to stderr (stdout may be the report): one line per comparison, which
//! says "beats" or "trails" only when the comparison's 95% interval excludes 0, and "no significant
//! difference" otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use tideline_core::backtest::compare::{Against, Verdict};
use tideline_core::backtest::strategy::StrategySpec;
use tideline_core::backtest::sweep::SweepConfig;
use tideline_core::backtest::walkforward::WalkForwardConfig;
use tideline_core::backtest::{run_backtest, BacktestConfig, BacktestReport, RunReport};
use tideline_core::Date;

/// Arguments of `tideline backtest`.
#[derive(Args, Debug)]
pub struct BacktestArgs {
    /// The data folder (as filled by `tideline mirror`).
    #[arg(long)]
    data: PathBuf,
    /// Use only what was public on this date (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<Date>,
    /// Strategy to run: rotation, timing[:ASSET[:LOOKBACK[:THRESHOLD[:FLOOR]]]], quadrant,
    /// rule:INDICATOR:gt|lt:THRESHOLD:ASSET_TRUE:ASSET_FALSE, or all (the default). Repeat the
    /// flag or separate names with commas for several.
    #[arg(long)]
    strategy: Vec<String>,
    /// Also run the parameter sweep (impulse lookback x threshold of the timing strategy).
    #[arg(long)]
    sweep: bool,
    /// Also run the walk-forward (parameters chosen in sample, traded out of sample).
    #[arg(long)]
    walk_forward: bool,
    /// A JSON file of backtest settings (any key may be left out); flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Indent the JSON for reading (default: compact, one line).
    #[arg(long)]
    pretty: bool,
    /// Write the report here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the tables as CSV files into this folder (created if needed).
    #[arg(long)]
    csv: Option<PathBuf>,
}

/// Runs the command; true on success.
pub fn run(args: &BacktestArgs) -> bool {
    match run_inner(args) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("ERROR {e}");
            false
        }
    }
}

fn read_config(path: Option<&PathBuf>) -> Result<BacktestConfig, String> {
    let Some(path) = path else { return Ok(BacktestConfig::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))
}

fn run_inner(args: &BacktestArgs) -> Result<(), String> {
    let mut config = read_config(args.config.as_ref())?;
    if args.as_of.is_some() {
        config.as_of = args.as_of;
    }
    if !args.strategy.is_empty() {
        let mut strategies = Vec::new();
        for name in &args.strategy {
            strategies.extend(StrategySpec::parse_list(name).map_err(|e| e.to_string())?);
        }
        config.strategies = strategies;
    }
    if args.sweep && config.sweep.is_none() {
        config.sweep = Some(SweepConfig::default());
    }
    if args.walk_forward && config.walk_forward.is_none() {
        config.walk_forward = Some(WalkForwardConfig::default());
    }
    if !args.data.is_dir() {
        return Err(format!("{}: not a folder", args.data.display()));
    }
    let (dataset, problems) = crate::data::load_folder(&args.data, config.as_of);
    for p in &problems {
        eprintln!("WARNING {p}");
    }
    let started = Instant::now();
    let mut report = run_backtest(&dataset, &config).map_err(|e| e.to_string())?;
    report.timing.model_ms = started.elapsed().as_secs_f64() * 1000.0;
    for skipped in &report.skipped {
        eprintln!("WARNING skipped {}: {}", skipped.name, skipped.reason);
    }
    eprint!("{}", summary(&report));
    if let Some(dir) = &args.csv {
        write_csv(&report, dir)?;
    }
    crate::analyze::write_json(&report, crate::analyze::json_style(args.pretty), args.out.as_ref())
}

/// The human-readable summary: per strategy, its Sharpe ratio and one line per comparison with
/// the words of its verdict (`tideline_core::backtest::compare::Comparison::statement`).
fn summary(report: &BacktestReport) -> String {
    let mut out = String::new();
    let (start, end) = (report.window.start, report.window.end);
    let date = |d: Option<Date>| d.map_or_else(|| "?".to_string(), |d| d.to_string());
    let _ = writeln!(
        out,
        "Backtest {}..{} ({} weeks). Sharpe differences with 95% intervals (Jobson-Korkie-Memmel):",
        date(start),
        date(end),
        report.window.weeks
    );
    for s in &report.strategies {
        let sharpe = s.metrics.sharpe.map_or_else(|| "undefined".to_string(), |x| format!("{x:.2}"));
        let _ = writeln!(out, "{} (Sharpe {sharpe}):", s.name);
        for c in &s.comparisons {
            let _ = writeln!(out, "  {}", c.statement());
        }
    }
    out
}

/// Every run of the report, in order: strategies, their static mixes, benchmarks, the
/// walk-forward's runs.
fn runs(report: &BacktestReport) -> Vec<&RunReport> {
    let mut out: Vec<&RunReport> = report.strategies.iter().collect();
    out.extend(report.strategies.iter().filter_map(|s| s.static_mix.as_ref().map(|m| &m.run)));
    out.extend(&report.benchmarks);
    if let Some(wf) = &report.walk_forward {
        out.push(&wf.out_of_sample);
        out.push(&wf.benchmark);
    }
    out
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn number(x: Option<f64>) -> String {
    x.filter(|x| x.is_finite()).map_or_else(String::new, |x| x.to_string())
}

/// A wide table: one row per date, one column per run (empty where a run has no value).
fn wide(runs: &[&RunReport], series: impl Fn(&RunReport) -> Vec<(Date, f64)>) -> String {
    let mut rows: BTreeMap<Date, Vec<Option<f64>>> = BTreeMap::new();
    for (i, run) in runs.iter().enumerate() {
        for (date, value) in series(run) {
            rows.entry(date).or_insert_with(|| vec![None; runs.len()])[i] = Some(value);
        }
    }
    let mut out = String::from("date");
    for run in runs {
        out.push(',');
        out.push_str(&field(&run.name));
    }
    out.push('\n');
    for (date, values) in rows {
        out.push_str(&date.to_string());
        for v in values {
            out.push(',');
            out.push_str(&number(v));
        }
        out.push('\n');
    }
    out
}

fn metrics_table(runs: &[&RunReport]) -> String {
    let mut out = String::from(
        "run,label,start,end,weeks,total_return,cagr,volatility,sharpe,sortino,max_drawdown,\
         longest_drawdown_weeks,calmar,turnover,total_cost,exposure,hit_rate\n",
    );
    for run in runs {
        let m = &run.metrics;
        let date = |d: Option<Date>| d.map_or_else(String::new, |d| d.to_string());
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&run.name),
            field(&run.label),
            date(run.start),
            date(run.end),
            m.weeks,
            number(m.total_return),
            number(m.cagr),
            number(m.volatility),
            number(m.sharpe),
            number(m.sortino),
            number(m.max_drawdown),
            m.longest_drawdown_weeks,
            number(m.calmar),
            number(m.turnover),
            number(Some(m.total_cost)),
            number(m.exposure),
            number(m.hit_rate),
        );
    }
    out
}

fn years_table(runs: &[&RunReport]) -> String {
    let mut out = String::from("run,year,portfolio_return,cash_return,weeks\n");
    for run in runs {
        for y in &run.metrics.calendar_years {
            let _ = writeln!(
                out,
                "{},{},{},{},{}",
                field(&run.name),
                y.year,
                number(Some(y.portfolio_return)),
                number(Some(y.cash_return)),
                y.weeks
            );
        }
    }
    out
}

fn comparisons_table(report: &BacktestReport) -> String {
    let mut out = String::from(
        "strategy,against,kind,weeks,sharpe_strategy,sharpe_other,correlation,difference,se,\
         ci95_lo,ci95_hi,z,p_value,verdict\n",
    );
    for s in &report.strategies {
        for c in &s.comparisons {
            let kind = match c.kind {
                Against::Benchmark => "benchmark",
                Against::StaticMix => "static_mix",
            };
            let verdict = match c.verdict {
                Verdict::Beats => "beats",
                Verdict::Trails => "trails",
                Verdict::NoSignificantDifference => "no_significant_difference",
            };
            let _ = writeln!(
                out,
                "{},{},{kind},{},{},{},{},{},{},{},{},{},{},{verdict}",
                field(&s.name),
                field(&c.against),
                c.weeks,
                number(c.sharpe_strategy),
                number(c.sharpe_other),
                number(c.correlation),
                number(c.difference),
                number(c.se),
                number(c.ci95.map(|ci| ci[0])),
                number(c.ci95.map(|ci| ci[1])),
                number(c.z),
                number(c.p_value),
            );
        }
    }
    out
}

fn write_csv(report: &BacktestReport, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: cannot write: {e}", path.display()))
    };
    let all = runs(report);
    write("equity.csv", wide(&all, RunReport::equity_series))?;
    write("drawdown.csv", wide(&all, RunReport::drawdown_series))?;
    write("metrics.csv", metrics_table(&all))?;
    write("calendar_years.csv", years_table(&all))?;
    write("comparisons.csv", comparisons_table(report))?;
    if let Some(sweep) = &report.sweep {
        let axis = |p| serde_json::to_value(p).ok().and_then(|v| v.as_str().map(str::to_string));
        let (row_name, col_name) = (
            axis(sweep.rows.param).unwrap_or_else(|| "row".into()),
            axis(sweep.cols.param).unwrap_or_else(|| "col".into()),
        );
        let mut out = format!("{row_name},{col_name},sharpe,benchmark_sharpe\n");
        for (r, row_value) in sweep.rows.values.iter().enumerate() {
            for (c, col_value) in sweep.cols.values.iter().enumerate() {
                let sharpe = sweep.sharpe.get(r).and_then(|row| row.get(c)).copied().flatten();
                let _ = writeln!(
                    out,
                    "{row_value},{col_value},{},{}",
                    number(sharpe),
                    number(sweep.benchmark_sharpe)
                );
            }
        }
        write("sweep.csv", out)?;
    }
    if let Some(wf) = &report.walk_forward {
        let mut out = String::from(
            "in_sample_start,in_sample_end,out_of_sample_start,out_of_sample_end,risk_asset,\
             lookback_weeks,threshold_pct,risk_floor,in_sample_sharpe,in_sample_return,\
             out_of_sample_sharpe,out_of_sample_return\n",
        );
        let date = |d: Option<Date>| d.map_or_else(String::new, |d| d.to_string());
        for f in &wf.folds {
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{},{}",
                date(f.in_sample.start),
                date(f.in_sample.end),
                date(f.out_of_sample.start),
                date(f.out_of_sample.end),
                field(&f.chosen.risk_asset),
                f.chosen.lookback_weeks,
                f.chosen.threshold_pct,
                f.chosen.risk_floor,
                number(f.in_sample_sharpe),
                number(f.in_sample_return),
                number(f.out_of_sample_sharpe),
                number(f.out_of_sample_return),
            );
        }
        write("walk_forward.csv", out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tideline_core::catalog::Catalog;
    use tideline_core::synthetic;

    /// A data folder of FRED CSVs (native units) for the series the timing and rule strategies
    /// and two benchmarks need, from the synthetic catalog.
    fn synthetic_folder(dir: &Path) {
        let end = Date::parse_iso("2024-06-28").unwrap_or(Date::from_days(19_902));
        let dataset = synthetic::catalog(10, end, 5);
        let catalog = Catalog::builtin();
        std::fs::create_dir_all(dir).expect("temp dir");
        for id in [
            "WALCL",
            "WDTGAL",
            "RRPONTSYD",
            "DFF",
            "DGS10",
            "VIXCLS",
            "BAMLH0A0HYM2",
            "NFCI",
            "NASDAQ100",
            "SP500",
        ] {
            let (Some(series), Some(entry)) = (dataset.get(id), catalog.get(id)) else { continue };
            let scale = entry.units.first().map_or(1.0, |u| u.scale);
            let mut text = format!("observation_date,{id}\n");
            for (date, value) in series.iter() {
                let _ = writeln!(text, "{date},{}", value / scale);
            }
            std::fs::write(dir.join(format!("{id}.csv")), text).expect("write");
        }
    }

    #[test]
    fn writes_the_report_and_the_csv_tables() {
        let root = std::env::temp_dir().join(format!("tideline-backtest-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let data = root.join("data");
        synthetic_folder(&data);
        let args = BacktestArgs {
            data: data.clone(),
            as_of: Date::parse_iso("2024-06-28"),
            strategy: vec!["timing,rule:VIX:lt:20:SP500:CASH".into()],
            sweep: true,
            walk_forward: true,
            config: None,
            pretty: false,
            out: Some(root.join("report.json")),
            csv: Some(root.join("csv")),
        };
        assert_eq!(run_inner(&args), Ok(()));
        let text = std::fs::read_to_string(root.join("report.json")).expect("report");
        let report: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(report["strategies"].as_array().map(Vec::len), Some(2));
        assert!(report["sweep"]["sharpe"].as_array().is_some_and(|rows| rows.len() == 49));
        assert!(report["walk_forward"]["folds"].as_array().is_some_and(|f| !f.is_empty()));
        assert!(report["timing"]["model_ms"].as_f64().is_some_and(|ms| ms > 0.0));
        for name in [
            "equity.csv",
            "drawdown.csv",
            "metrics.csv",
            "calendar_years.csv",
            "comparisons.csv",
            "sweep.csv",
            "walk_forward.csv",
        ] {
            let table = std::fs::read_to_string(root.join("csv").join(name)).expect(name);
            assert!(table.lines().count() > 2, "{name}");
        }
        let sweep = std::fs::read_to_string(root.join("csv/sweep.csv")).expect("sweep");
        assert!(sweep.starts_with("lookback_weeks,threshold_pct,sharpe"));
        assert_eq!(sweep.lines().count(), 1 + 441);
        let metrics = std::fs::read_to_string(root.join("csv/metrics.csv")).expect("metrics");
        // The label of the timing strategy holds a comma: quoted.
        assert!(metrics.contains("\"Liquidity timing: NASDAQ100 when"));
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        let mut args = BacktestArgs {
            data: PathBuf::from("/nonexistent/tideline"),
            as_of: None,
            strategy: vec![],
            sweep: false,
            walk_forward: false,
            config: None,
            pretty: false,
            out: None,
            csv: None,
        };
        assert!(run_inner(&args).is_err());
        args.strategy = vec!["momentum".into()];
        assert!(run_inner(&args).is_err_and(|e| e.contains("not a strategy")));
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(number(None), "");
    }
}
