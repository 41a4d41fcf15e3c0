//! `tideline analyze --data DIR [--as-of D] [--config FILE] [--out FILE]`: runs the model and
//! writes the JSON report (stdout without `--out`).

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use tideline_core::report::{analyze_timed, ModelConfig};
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
    /// Write the report here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Reads the settings file, if any.
pub fn read_config(path: Option<&PathBuf>) -> Result<ModelConfig, String> {
    let Some(path) = path else { return Ok(ModelConfig::default()) };
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: line {}: {e}", path.display(), e.line()))
}

/// Writes JSON to a file or stdout.
pub fn write_json<T: serde::Serialize>(value: &T, out: Option<&PathBuf>) -> Result<(), String> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| format!("cannot serialise the report: {e}"))?;
    match out {
        Some(path) => {
            std::fs::write(path, text + "\n").map_err(|e| format!("{}: cannot write: {e}", path.display()))
        }
        None => {
            println!("{text}");
            Ok(())
        }
    }
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
    write_json(&report, args.out.as_ref())
}
