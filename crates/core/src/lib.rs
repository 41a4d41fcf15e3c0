//! # Tideline core: the liquidity transmission-chain model
//!
//! Tideline follows how liquidity travels,
//! `inflation -> interest rates -> systemic liquidity -> risk appetite -> assets`,
//! and measures each link on public data with honest, point-in-time statistics. This crate is the
//! whole model in pure Rust, with no web dependency: the browser app, a Web Worker and the
//! `tideline` command call the same functions.
//!
//! Data flows one way:
//!
//! ```text
//! feed bytes -> parse -> Series -> catalog (canonical units) -> align (point in time) -> model -> report
//! ```
//!
//! ## Where things are
//! - [`date`]: calendar days as integers; weekdays, Fridays, months.
//! - [`series`]: [`Series`], ascending dated values.
//! - [`error`]: [`ParseError`], which says which source, where, and what was wrong.
//! - [`parse`]: one module per feed format; [`parse::vintage`] reads the vintages of revised
//!   series (ALFRED), from which the model takes first releases.
//! - [`catalog`]: the series catalog (ids, sources, units, publication lags, plausible ranges).
//! - [`align`]: point-in-time alignment: calendars, as-of joins with publication lags, staleness.
//! - [`transform`]: indicator transforms (changes, YoY, z-scores, percentiles, oriented scores).
//! - [`stats`]: correlation with intervals, least squares, Granger tests, bootstrap, up/down betas.
//! - [`dating`]: the feeds' date conventions (a CoinGecko midnight snapshot is the previous day's
//!   close) and the check that two files of one series line up.
//! - [`dataset`]: [`dataset::Dataset`], the loaded series with their provenance (and, for revised
//!   series loaded from their vintages, each first release's release day); the entry point.
//! - [`liquidity`]: Fed net liquidity.
//! - [`model`]: the chain, regimes, spectrum, asymmetry, lead-lag; beyond the Fed: global
//!   liquidity, policy divergence, cross-asset stress, crypto flows, gold vs real rates.
//! - [`report`]: runs it all. The one call for a page, a Web Worker or the command line is
//!   [`report::analyze_with`]`(&dataset, &config, &tables)`: a [`dataset::Dataset`] (filled with
//!   [`dataset::Dataset::load_from`] or series by series), a [`report::ModelConfig`] (serde, every
//!   key optional) and the table inputs ([`model::flows::FlowInputs::load_from`]); it returns a
//!   serialisable [`report::Report`] whose schema is documented in [`report`].
//!   [`report::analyze_timed`] is the same call with a clock, filling the cost of each stage.
//! - [`codec`]: the compact, versioned binary form of a loaded series (the page's saved copies),
//!   and snapshots of a whole dataset and its tables with a content [`codec::fingerprint`] (what
//!   the page sends its Web Worker).
//! - [`worker`]: the model behind a message protocol ([`worker::Request`], [`worker::Response`],
//!   [`worker::Engine`]): what the Web Worker runs, with a cache of recent results.
//! - [`backtest`]: strategies, benchmarks, metrics, sweep and walk-forward, and each strategy
//!   compared with the benchmarks and its own static mix (Sharpe differences with intervals).
//! - [`chart`]: the chart kit the app's components draw from: scales (linear, log, time), ticks
//!   that thin out for the width, LTTB downsampling, windows and zoom, the crosshair, geometry for
//!   each chart type, colours, tooltip formats and CSV export.
//!
//! ## Example
//!
//! ```
//! use tideline_core::{catalog::Catalog, liquidity, parse};
//!
//! let catalog = Catalog::builtin();
//! let load = |id: &str, body: &str| {
//!     let native = parse::fred::parse(&format!("{id}.csv"), body, None).unwrap();
//!     catalog.get(id).unwrap().to_canonical(&native, id).unwrap().0
//! };
//! let walcl = load("WALCL", "observation_date,WALCL\n2024-01-03,7700000\n");
//! let tga = load("WDTGAL", "observation_date,WDTGAL\n2024-01-03,750000\n");
//! let rrp = load("RRPONTSYD", "observation_date,RRPONTSYD\n2024-01-03,600\n");
//! let points = liquidity::net_liquidity_weekly(&walcl, Some(&tga), None, Some(&rrp));
//! assert!((points[0].usd_bn - 6350.0).abs() < 1e-9);
//! ```

#![warn(missing_docs)]

pub mod align;
pub mod backtest;
pub mod catalog;
pub mod chart;
pub mod codec;
pub mod dataset;
pub mod date;
pub mod dating;
pub mod error;
pub mod liquidity;
pub mod manifest;
pub mod model;
pub mod parse;
pub mod report;
pub mod series;
pub mod settings;
pub mod stats;
pub mod synthetic;
pub mod transform;
pub mod worker;

pub use date::Date;
pub use error::{Location, ParseError, ParseErrorKind};
pub use series::Series;
