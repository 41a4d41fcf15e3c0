//! `tideline check FILE...`: one line per file, `OK <file>: <rows> rows, <first>..<last>` or
//! `ERROR <file>: <what, where>`; success only when every file is good. Never panics on input.

use std::path::PathBuf;

use clap::Args;
use tideline_core::parse::{self, Format};

/// Arguments of `tideline check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    /// The files to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// The format of every file (detected from each file's content when absent).
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
}

fn parse_format(name: &str) -> Result<Format, String> {
    Format::from_name(name).ok_or_else(|| {
        format!("unknown format {name:?}: expected fred, coingecko, binance, defillama or csv")
    })
}

/// Runs the check; true when every file parsed.
pub fn run(args: &CheckArgs) -> bool {
    let mut all_ok = true;
    for path in &args.files {
        let name = path.display().to_string();
        let line = match check_file(path, args.format) {
            Ok(summary) => format!("OK {name}: {summary}"),
            Err(error) => {
                all_ok = false;
                format!("ERROR {name}: {error}")
            }
        };
        println!("{line}");
    }
    all_ok
}

fn check_file(path: &PathBuf, format: Option<Format>) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let body = String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))?;
    let name = path.display().to_string();
    let format = match format {
        Some(f) => f,
        None => parse::detect(&name, &body).map_err(|e| e.to_string())?,
    };
    let series =
        parse::parse(format, &name, &body, None).map_err(|e| format!("{}: {}", e.location, e.kind))?;
    let (first, last) = match (series.first(), series.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => return Err("no observations".into()),
    };
    Ok(format!("{} rows, {first}..{last}", series.len()))
}
