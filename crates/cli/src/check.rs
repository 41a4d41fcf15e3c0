//! `tideline check FILE...`: one line per file, `OK <file>: <rows> rows, <first>..<last>` or
//! `ERROR <file>: <what, where>`; success only when every file is good. Never panics on input.
//! A table input (a spot-ETF flow table or a treasury-company sheet, told by its file name: see
//! `tables::check_table`) is checked with its own parser.

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
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => "cannot read the file: no such file".to_string(),
        _ => format!("cannot read the file: {e}"),
    })?;
    let body = crate::mirror::utf8(bytes)?;
    let name = path.display().to_string();
    // The line already starts with the file's name: say only where and what.
    let where_what = |e: tideline_core::ParseError| format!("{}: {}", e.location, e.kind);
    if format.is_none() {
        if let Some(summary) = crate::tables::check_table(path, &name, &body) {
            return summary;
        }
    }
    let format = match format {
        Some(f) => f,
        None => parse::detect(&name, &body).map_err(where_what)?,
    };
    let series = parse::parse(format, &name, &body, None).map_err(where_what)?;
    let (first, last) = match (series.first(), series.last()) {
        (Some(a), Some(b)) => (a.0, b.0),
        _ => return Err("no observations".into()),
    };
    Ok(format!("{} rows, {first}..{last}", series.len()))
}
