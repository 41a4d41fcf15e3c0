//! `tideline analyze --data DIR [--as-of D] [--config FILE] [--detail lean|full] [--pretty]
//! [--out FILE] [--csv DIR]`: runs the model and writes the JSON report (stdout without `--out`),
//! and with `--csv` the report's tables as CSV files (as `tideline backtest --csv` does):
//!
//! - `risk_by_regime.csv`: one row per spectrum asset and regime (`grouping` `liquidity` or
//!   `quadrant`), the columns of `RiskByRegime::table` (the page's "export CSV" of the same
//!   table); not written when the report has no spectrum tier.
//!
//! The report goes through the same two calls as the page's "export report",
//! [`Report::with_detail`] and [`Report::write_json`], with the same defaults (lean, compact), so
//! both write the same document for the same data and settings.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use tideline_core::report::{analyze_timed, Detail, JsonStyle, ModelConfig, Report};
use tideline_core::Date;

/// Arguments of `tideline analyze`.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    /// The data folder (as filled by `tideline mirror`).
    #[arg(long)]
    data: PathBuf,
    /// Use only what was public on this date (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<Date>,
    /// A JSON file of model settings (any key may be left out).
    #[arg(long)]
    config: Option<PathBuf>,
    /// How much history to write: `lean` (the default: every reading, summary and interval, and
    /// the histories the page draws, weekly; about 0.4 MB on the public data) or `full` (also
    /// every weekly and daily history: about 4.4 MB). See the report's schema docs.
    #[arg(long, default_value_t = Detail::default(), value_name = "lean|full")]
    detail: Detail,
    /// Indent the JSON for reading (default: compact, one line, as the page exports it).
    #[arg(long)]
    pretty: bool,
    /// Write the report here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also write the report's tables as CSV files into this folder (created if needed):
    /// `risk_by_regime.csv`.
    #[arg(long, value_name = "DIR")]
    csv: Option<PathBuf>,
}

/// Reads the settings file, if any.
pub fn read_config(path: Option<&PathBuf>) -> Result<ModelConfig, String> {
    let Some(path) = path else { return Ok(ModelConfig::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))
}

/// The JSON layout the `--pretty` flag asks for (without it, the page's: compact).
pub fn json_style(pretty: bool) -> JsonStyle {
    if pretty {
        JsonStyle::Pretty
    } else {
        JsonStyle::default()
    }
}

/// Writes a JSON document to a file or stdout through a buffer: the serializer writes many small
/// pieces, and building the whole text first would cost a copy.
fn write_to(
    out: Option<&PathBuf>,
    write: impl FnOnce(&mut dyn Write) -> serde_json::Result<()>,
) -> Result<(), String> {
    let finish = |sink: &mut dyn Write| {
        write(sink).and_then(|()| sink.flush().map_err(serde_json::Error::io)).map_err(|e| e.to_string())
    };
    match out {
        Some(path) => {
            let file =
                std::fs::File::create(path).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
            finish(&mut BufWriter::with_capacity(1 << 16, file))
                .map_err(|e| format!("{}: cannot write: {e}", path.display()))
        }
        None => finish(&mut BufWriter::with_capacity(1 << 16, std::io::stdout().lock()))
            .map_err(|e| format!("cannot write the report: {e}")),
    }
}

/// Writes any serialisable value as JSON in `style`, followed by a line break (the backtest report).
pub fn write_json<T: serde::Serialize>(
    value: &T,
    style: JsonStyle,
    out: Option<&PathBuf>,
) -> Result<(), String> {
    write_to(out, |sink| {
        match style {
            JsonStyle::Compact => serde_json::to_writer(&mut *sink, value)?,
            JsonStyle::Pretty => serde_json::to_writer_pretty(&mut *sink, value)?,
        }
        sink.write_all(b"\n").map_err(serde_json::Error::io)
    })
}

/// Writes the analysis report with `detail` in `style`: the calls and bytes of the page's export.
pub fn write_report(
    report: Report,
    detail: Detail,
    style: JsonStyle,
    out: Option<&PathBuf>,
) -> Result<(), String> {
    let report = report.with_detail(detail);
    write_to(out, |sink| report.write_json(sink, style))
}

/// Writes the report's tables into `dir` (module docs).
fn write_tables(report: &Report, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    if let Some(risk) = &report.risk_by_regime {
        let path = dir.join("risk_by_regime.csv");
        std::fs::write(&path, risk.to_csv()).map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
    }
    Ok(())
}

/// Runs the command; true on success.
pub fn run(args: &AnalyzeArgs) -> bool {
    match run_inner(args) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("ERROR {e}");
            false
        }
    }
}

fn run_inner(args: &AnalyzeArgs) -> Result<(), String> {
    let mut config = read_config(args.config.as_ref())?;
    if args.as_of.is_some() {
        config.as_of = args.as_of;
    }
    if !args.data.is_dir() {
        return Err(format!("{}: not a folder", args.data.display()));
    }
    let (dataset, problems) = crate::data::load_folder(&args.data, config.as_of);
    for p in &problems {
        eprintln!("WARNING {p}");
    }
    let (inputs, table_problems) = crate::data::load_tables(&args.data);
    for p in &table_problems {
        eprintln!("WARNING {p}");
    }
    let started = Instant::now();
    let clock = || started.elapsed().as_secs_f64() * 1000.0;
    let mut report = analyze_timed(&dataset, &config, &inputs, Some(&clock)).map_err(|e| e.to_string())?;
    report.timing.model_ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Some(dir) = &args.csv {
        write_tables(&report, dir)?;
    }
    write_report(report, args.detail, json_style(args.pretty), args.out.as_ref())
}
