//! `tideline`: the command-line face of the Tideline model.
//!
//! ```text
//! tideline mirror   --out DIR [--from DIR] [--base-url URL]
//! tideline check    FILE... [--format fred|coingecko|binance|defillama|csv]
//! tideline analyze  --data DIR [--as-of YYYY-MM-DD] [--config FILE] [--detail lean|full] [--pretty] [--out FILE] [--csv DIR]
//! tideline backtest --data DIR [--strategy NAME] [--sweep] [--walk-forward] [--pretty] [--out FILE]
//! ```

mod analyze;
mod backtest;
mod check;
mod data;
mod mirror;
mod tables;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tideline: the liquidity transmission chain, measured on public data.
#[derive(Parser, Debug)]
#[command(name = "tideline", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fill a data folder with every catalog series (from the public feeds, or from a local folder).
    Mirror(mirror::MirrorArgs),
    /// Parse feed files and report, for each, its rows and span or what is wrong and where.
    Check(check::CheckArgs),
    /// Run the model on a data folder and write the JSON report.
    Analyze(analyze::AnalyzeArgs),
    /// Run the point-in-time backtest (strategies, benchmarks, sweep, walk-forward) and write its report.
    Backtest(backtest::BacktestArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let ok = match cli.command {
        Command::Mirror(args) => mirror::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Analyze(args) => analyze::run(&args),
        Command::Backtest(args) => backtest::run(&args),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
