//! The series catalog: one data file (`crates/core/catalog.json`) that the app, the command line
//! and the mirror job all read.
//!
//! Each entry says where a series comes from, how often it is observed, its native units and the
//! scale to canonical units (money in USD billions, rates in percent, prices in USD), how many days
//! after its observation date a value is first public (its publication lag), which chain link or
//! asset it feeds, a plausible range in canonical units and its licence note.
//!
//! Units are a known trap. A feed that changes its units between vintages (FRED's WTREGEN was in
//! billions and is now in millions) lists several [`UnitScale`]s; [`CatalogEntry::to_canonical`]
//! takes the first under which every value is plausible, and refuses the series with
//! [`ParseErrorKind::OutOfRange`] when none fits, rather than use it silently.

use serde::{Deserialize, Serialize};

use crate::error::{Location, ParseError, ParseErrorKind};
use crate::parse::Format;
use crate::series::Series;

/// How often a series is observed at its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frequency {
    /// Every business day (or every calendar day for crypto).
    Daily,
    /// Once a week.
    Weekly,
    /// Once a month (dated the first of the month).
    Monthly,
    /// Once a quarter (dated the first day of the quarter).
    Quarterly,
}

impl Frequency {
    /// The native period in days, used by the staleness rule (MODEL.md 1.3).
    pub fn period_days(self) -> i32 {
        match self {
            Frequency::Daily => 1,
            Frequency::Weekly => 7,
            Frequency::Monthly => 31,
            Frequency::Quarterly => 92,
        }
    }
}

/// Which part of the model a series feeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The inflation link.
    Inflation,
    /// The interest-rate link.
    Rates,
    /// The systemic-liquidity link.
    Liquidity,
    /// The risk-appetite link.
    RiskAppetite,
    /// Growth: the second axis of the cycle regime.
    Growth,
    /// An asset on the risk spectrum.
    Asset,
    /// Other central banks (global liquidity, policy divergence).
    Global,
    /// Exchange rates used for conversions.
    Fx,
}

/// One way a source has published a series' units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitScale {
    /// The units as the source publishes them.
    pub native: String,
    /// Multiply a native value by this to get canonical units.
    pub scale: f64,
}

/// A place a series can be downloaded from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feed {
    /// The body's format.
    pub format: Format,
    /// The URL.
    pub url: String,
}

/// How an observation is dated against the period it describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dating {
    /// On the day observed (a close, a Wednesday level, a week ending on its Friday).
    Observation,
    /// On the first day of the month or quarter it describes (FRED's monthly and quarterly
    /// series): the figure cannot be known before the period is over.
    PeriodStart,
}

/// When a source publishes: the facts a publication lag must cover.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Release {
    /// How the observations are dated.
    pub dated: Dating,
    /// Worst-case days from the last day of the period observed (the observation's own day when
    /// dated by observation) to first publication, holidays included; a weekly batch of daily
    /// values (H.10's Monday release of the week before) counts from its first day.
    pub delay_days: i32,
    /// The release calendar in words.
    pub calendar: String,
}

/// Longest native period in days (a 31-day month, a 92-day quarter).
fn longest_period_days(frequency: Frequency) -> i32 {
    match frequency {
        Frequency::Daily => 1,
        Frequency::Weekly => 7,
        Frequency::Monthly => 31,
        Frequency::Quarterly => 92,
    }
}

/// One catalog entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The id (a FRED id where FRED has the series).
    pub id: String,
    /// A readable name.
    pub name: String,
    /// Native observation frequency.
    pub frequency: Frequency,
    /// The native units, in order of preference (see the module docs).
    pub units: Vec<UnitScale>,
    /// The canonical units the model works in.
    pub canonical_units: String,
    /// Days after the observation date before a value is public: the worst case of the release
    /// calendar ([`CatalogEntry::release`]), never the usual case.
    pub publication_lag_days: i32,
    /// The release calendar the lag is checked against ([`CatalogEntry::minimum_lag_days`]);
    /// every built-in entry has one, a user's catalog may leave it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release: Option<Release>,
    /// The source revises published values (CPI, core PCE, M2, industrial production, the
    /// unemployment rate, real GDP): the mirror fetches the series' vintages from ALFRED into
    /// [`CatalogEntry::vintage_file_name`] when it can, and the model then uses first releases
    /// (see [`crate::parse::vintage`]); without them the report says the latest vintage was used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revised: bool,
    /// Which part of the model it feeds.
    pub role: Role,
    /// Plausible range `[min, max]` in canonical units.
    pub plausible: [f64; 2],
    /// Licence and attribution note, shown beside the series.
    pub licence: String,
    /// Download locations, best first.
    pub feeds: Vec<Feed>,
    /// Other file names (relative to a data folder) that may hold this series.
    #[serde(default)]
    pub local_files: Vec<String>,
    /// The series this one stands in for when that one lacks a date (WTREGEN for WDTGAL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_for: Option<String>,
}

impl Role {
    /// True for the four links of the chain that the data layer feeds (inflation, rates,
    /// liquidity, risk appetite).
    pub fn is_chain_input(self) -> bool {
        matches!(self, Role::Inflation | Role::Rates | Role::Liquidity | Role::RiskAppetite)
    }
}

impl CatalogEntry {
    /// The shortest publication lag the release calendar allows, in days (`None` without a
    /// [`Release`]): the worst-case delay after the period's last day, plus the days from the
    /// period's first day to its last when observations are dated at its start (a 31-day month
    /// dated on the 1st ends 30 days later).
    ///
    /// # Formula
    ///
    /// `delay_days + (dated == PeriodStart ? longest_period_days(frequency) - 1 : 0)`.
    pub fn minimum_lag_days(&self) -> Option<i32> {
        let release = self.release.as_ref()?;
        // A 31-day month dated on its 1st ends 30 days later; the delay counts from that last day.
        let period = match release.dated {
            Dating::PeriodStart => longest_period_days(self.frequency) - 1,
            Dating::Observation => 0,
        };
        Some(release.delay_days.saturating_add(period))
    }

    /// Converts a series in native units to canonical units, choosing the first unit scale under
    /// which every value is plausible; returns the series and the native units it was read in.
    pub fn to_canonical(&self, native: &Series, source: &str) -> Result<(Series, String), ParseError> {
        let [min, max] = self.plausible;
        let mut worst = None;
        for unit in &self.units {
            let outlier =
                native.values().iter().map(|v| v * unit.scale).position(|v| !(min..=max).contains(&v));
            match outlier {
                None => return Ok((native.scaled(unit.scale).renamed(self.id.clone()), unit.native.clone())),
                Some(i) if worst.is_none() => worst = Some((i, native.values()[i] * unit.scale)),
                Some(_) => {}
            }
        }
        let (i, value) = worst.unwrap_or((0, f64::NAN));
        let date = native.dates().get(i).map(|d| d.to_string()).unwrap_or_default();
        Err(ParseError::new(
            source,
            Location::JsonPath(format!("observation dated {date}")),
            ParseErrorKind::OutOfRange { value, min, max, units: self.canonical_units.clone() },
        ))
    }

    /// Checks a series already in canonical units (a saved copy read back by
    /// [`crate::codec::decode`]) against the plausible range, as [`Self::to_canonical`] does for a
    /// parsed body: the same error, at the first observation outside it.
    pub fn check_canonical(&self, series: &Series, source: &str) -> Result<(), ParseError> {
        let [min, max] = self.plausible;
        let Some(i) = series.values().iter().position(|v| !(min..=max).contains(v)) else { return Ok(()) };
        let date = series.dates().get(i).map(|d| d.to_string()).unwrap_or_default();
        Err(ParseError::new(
            source,
            Location::JsonPath(format!("observation dated {date}")),
            ParseErrorKind::OutOfRange {
                // `i` is a position found in this very slice.
                value: series.values()[i],
                min,
                max,
                units: self.canonical_units.clone(),
            },
        ))
    }

    /// The file name the mirror writes for this series.
    pub fn file_name(&self) -> String {
        format!("{}.csv", self.id)
    }

    /// The file (relative to a data folder) that holds this series' vintages when it is revised:
    /// `vintages/<ID>.csv`, in the format of [`crate::parse::vintage`].
    pub fn vintage_file_name(&self) -> String {
        format!("vintages/{}.csv", self.id)
    }

    /// The ALFRED request for every vintage of this series (all real-time periods, JSON), or
    /// `None` when the series is not revised. The key is FRED's API key.
    pub fn vintages_url(&self, api_key: &str) -> Option<String> {
        self.revised.then(|| {
            format!(
                "{ALFRED_OBSERVATIONS_URL}?series_id={}&realtime_start=1776-07-04&realtime_end=9999-12-31\
                 &file_type=json&api_key={api_key}",
                self.id
            )
        })
    }
}

/// The FRED/ALFRED API endpoint that lists a series' observations per real-time period.
pub const ALFRED_OBSERVATIONS_URL: &str = "https://api.stlouisfed.org/fred/series/observations";

/// The catalog: every series Tideline knows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    /// Catalog format version.
    pub version: u32,
    /// The entries.
    pub series: Vec<CatalogEntry>,
}

const DEFAULT_CATALOG: &str = include_str!("../catalog.json");

impl Catalog {
    /// The built-in catalog.
    pub fn builtin() -> Catalog {
        // Read once per process (6 ms in the page's wasm, asked for by every load): a copy after.
        static BUILTIN: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The file is part of the crate and checked by a unit test; failing here is a
                // build defect.
                serde_json::from_str(DEFAULT_CATALOG).expect("crates/core/catalog.json is valid")
            })
            .clone()
    }

    /// Reads a catalog from JSON text (a user's edited copy).
    pub fn from_json(text: &str) -> Result<Catalog, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&CatalogEntry> {
        self.series.iter().find(|e| e.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

    /// The entries whose publication lag is shorter than their release calendar allows, as
    /// `id: lag N < M (calendar)`, and those with no release calendar at all.
    fn lags_shorter_than_release(catalog: &Catalog) -> Vec<String> {
        catalog
            .series
            .iter()
            .filter_map(|e| match (e.minimum_lag_days(), &e.release) {
                (Some(min), Some(r)) if e.publication_lag_days < min => {
                    Some(format!("{}: lag {} < {min} ({})", e.id, e.publication_lag_days, r.calendar))
                }
                (None, _) => Some(format!("{}: no release calendar", e.id)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_publication_lag_covers_its_release_calendar() {
        let catalog = Catalog::builtin();
        let short = lags_shorter_than_release(&catalog);
        assert!(
            short.is_empty(),
            "publication lags shorter than the release calendar allows:\n{}",
            short.join("\n")
        );

        // The check finds what it should: the H.10 rates at their old one-day lag, and a monthly
        // series dated at its month's start that would be public before the month is over.
        let mut old = catalog.clone();
        for entry in &mut old.series {
            match entry.id.as_str() {
                "DEXUSEU" => entry.publication_lag_days = 1,
                "JPNASSETS" => entry.publication_lag_days = 30,
                _ => {}
            }
        }
        let found = lags_shorter_than_release(&old);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|f| f.starts_with("JPNASSETS: lag 30 < 37")), "{found:?}");
        assert!(found.iter().any(|f| f.starts_with("DEXUSEU: lag 1 < 8")), "{found:?}");
        // H.10 is weekly on Mondays for the week before; CPI's month ends 30 days after its 1st
        // and CPI is out by the 15th of the next month.
        let h10 = catalog.get("DTWEXBGS").and_then(|e| e.minimum_lag_days());
        assert_eq!(h10, Some(8));
        assert_eq!(catalog.get("CPIAUCSL").and_then(|e| e.minimum_lag_days()), Some(45));
    }

    #[test]
    fn builtin_catalog_is_complete_and_consistent() {
        let catalog = Catalog::builtin();
        for id in [
            "CPIAUCSL",
            "PCEPILFE",
            "T10YIE",
            "DFF",
            "DGS2",
            "DGS10",
            "DFII10",
            "T10Y2Y",
            "WALCL",
            "WDTGAL",
            "WTREGEN",
            "RRPONTSYD",
            "M2SL",
            "DTWEXBGS",
            "STABLECOINS",
            "VIXCLS",
            "BAMLH0A0HYM2",
            "NFCI",
            "INDPRO",
            "UNRATE",
            "GDPC1",
            "SP500",
            "NASDAQ100",
            "NASDAQCOM",
            "CBBTCUSD",
            "CBETHUSD",
            "GOLD",
        ] {
            let e = catalog.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert!(e.plausible[0] < e.plausible[1], "{id}");
            assert!(!e.units.is_empty() && !e.feeds.is_empty(), "{id}");
        }
        assert_eq!(catalog.get("WALCL").map(|e| e.units[0].scale), Some(0.001));
        assert_eq!(catalog.get("RRPONTSYD").map(|e| e.units[0].scale), Some(1.0));
        let revised: Vec<&str> = catalog.series.iter().filter(|e| e.revised).map(|e| e.id.as_str()).collect();
        assert_eq!(revised, ["CPIAUCSL", "PCEPILFE", "M2SL", "INDPRO", "UNRATE", "GDPC1"]);
        let cpi = catalog.get("CPIAUCSL").expect("in catalog");
        assert_eq!(cpi.vintage_file_name(), "vintages/CPIAUCSL.csv");
        assert_eq!(
            cpi.vintages_url("KEY").as_deref(),
            Some(
                "https://api.stlouisfed.org/fred/series/observations?series_id=CPIAUCSL\
                 &realtime_start=1776-07-04&realtime_end=9999-12-31&file_type=json&api_key=KEY"
            )
        );
        assert_eq!(catalog.get("DFF").and_then(|e| e.vintages_url("KEY")), None);
    }

    #[test]
    fn picks_the_vintage_units_that_fit_and_refuses_others() {
        let catalog = Catalog::builtin();
        let tga = catalog.get("WTREGEN").expect("in catalog");
        let d = Date::from_days(19_000);
        let billions = Series::new("WTREGEN", vec![d, d.add_days(7)], vec![28.7, 765.4]).expect("valid");
        let (s, units) = tga.to_canonical(&billions, "t").expect("plausible");
        assert_eq!((s.values()[1], units.as_str()), (765.4, "USD billions (vintages before 2024)"));
        let millions = Series::new("WTREGEN", vec![d], vec![765_400.0]).expect("valid");
        assert!((tga.to_canonical(&millions, "t").expect("plausible").0.values()[0] - 765.4).abs() < 1e-9);
        let walcl = catalog.get("WALCL").expect("in catalog");
        let wrong = Series::new("WALCL", vec![d], vec![6_738.0]).expect("valid"); // billions, not millions
        let e = walcl.to_canonical(&wrong, "WALCL.csv").expect_err("implausible");
        assert!(matches!(e.kind, ParseErrorKind::OutOfRange { .. }), "{e}");
    }
}
