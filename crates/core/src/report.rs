//! The analysis report: one JSON document, the same from the browser and the command line
//! (MODEL.md 8 and 9).
//!
//! # Schema (version [`SCHEMA_VERSION`])
//!
//! ```text
//! schema_version   "1.5.0"
//! as_of            YYYY-MM-DD: nothing published after it was used
//! detail           "lean" | "full": which histories the document carries (see "Lean and full")
//! series           [{id, name, first, last, rows, stale, source, native_units, canonical_units, licence,
//!                   vintage, vintage_note}]
//!                  (rows/first/last count only observations public at as_of; vintage: "real_time" |
//!                   "latest" | null, see [`SeriesInfo::vintage`])
//! net_liquidity    {latest: {date, usd_bn, walcl, tga, tga_source, rrp}, impulse_13w_pct, history: [{date, usd_bn}]}
//! links            [{name, score, state, direction, change, indicators_used, indicators_left_out}]
//! indicators       [{id, name, link, orientation, inputs, value, z, score, stale, observed}]
//! transmission     [{from, to, best_lag_weeks, rho, n, ci95, lags_searched, ci95_adjusted, significant}]
//! break_point      link name or null
//! narrative        one sentence
//! regimes          {current: {date, cycle, monetary, liquidity, risk, growth_z, inflation_z, probabilities,
//!                   monetary_score, impulse_pct}, timeline: [same, weekly]}
//! asymmetry        [{asset, benchmark, frequency, up_beta, down_beta, asymmetry, ci95, up_capture,
//!                   down_capture, n_up, n_down, verdict, ...}]
//! lead_lag         [{x, y, best_lag_weeks, rho, band, n, search, significant, significant_one_lag, cross,
//!                   rolling_best_lag, rolling_band, rolling_significant_share, granger, ...}]
//! stability        [{x, y, window, ...}]
//! spectrum         {sensitivities, measured_order, overflow, concentration, crypto, rotation, checklist}
//! risk_by_regime   {as_of, risk_free, min_weeks, assets: [{tier, name, first_week, last_week, all,
//!                   liquidity: [{regime, weeks, mean_weekly, ci95, annualised_return,
//!                   annualised_volatility, sharpe, max_drawdown}], cycle: [same]}]}
//!                  or null (no spectrum tier); see [`crate::model::risk_regime`]
//! global_liquidity {as_of, inputs, missing, windows_weeks, latest, latest_fresh, fresh_impulses, history,
//!                   lead_lag, spectrum_sensitivities}
//!                  or null (no balance sheet loaded); see [`crate::model::global`]
//! policy_divergence {as_of, economies: [{id, name, policy_rate, balance_sheet, score, regime, ...}],
//!                   easing, tightening, neutral, unknown, summary, rule}; see [`crate::model::divergence`]
//! stress           {as_of, assets, missing, config, current, current_extreme, episodes, history}
//!                  or null (fewer than three spectrum assets); see [`crate::model::stress`]
//! flows            {as_of, etf: {latest, days, same_day, next_day, phase, outflows_stopped, ...} | null,
//!                   treasury: [{company, latest, history, ...}], inside_crypto | null}
//!                  or null (nothing to show); see [`crate::model::flows`]
//! gold_real_rates  {as_of, config, current, current_ols, rolling, residuals, trend_break,
//!                   trend_break_full_sample} or null; see [`crate::model::gold`]
//! timing           {model_ms, sections: [{section, ms}]} (sections empty unless timed)
//! ```
//!
//! Version policy: a new key is a minor bump; a renamed or removed key, or a changed meaning, is a
//! major bump. Every statistic with an interval carries it (`ci95`, `band`).
//!
//! # Lean and full
//!
//! The model's [`Report`] is [`Detail::Full`]; what is written (by `tideline analyze` and by the
//! page's "export report", both through [`Report::with_detail`] and [`Report::write_json`]) is
//! [`Detail::Lean`] unless `full` is asked for. Why, and why compact JSON: [`detail`].
//!
//! Kept, thinned to one point per week ending Friday (the model's week, see
//! [`crate::model::panel`]; the last observation of the week, so the last point is the full
//! history's last point):
//!
//! - `net_liquidity.history` (the page's net-liquidity chart; Wednesday levels, already weekly);
//! - `flows.inside_crypto.history` (the page shows its last week with a basket; weekly);
//!
//! Kept whole, because a page draws them (already weekly): `regimes.timeline` (the regime bands),
//! `asymmetry[].rolling` (rolling betas and decoupling), `asymmetry[].points` of the weekly
//! results (the scatter) and `lead_lag[].rolling_best_lag`. `risk_by_regime` holds no history
//! (one small table, at most nine assets by eight regimes) and is the same in lean and full.
//!
//! Empty (`[]`) in lean, whole in full; the reading each one ends in stays in lean:
//!
//! | history                                     | stays in lean                                 |
//! |---------------------------------------------|-----------------------------------------------|
//! | `asymmetry[].points` of the daily results   | the betas, `ci95`, `decoupling`               |
//! | `lead_lag[].rolling_best_lag` in `global_liquidity.lead_lag` | `lag_stability`, `rolling_band`, `rolling_significant_share` |
//! | `spectrum.sensitivities[].rolling` (and `global_liquidity.spectrum_sensitivities`) | `current` |
//! | `spectrum.overflow.history`                 | `overflow.current`, `overflow.table`           |
//! | `spectrum.concentration.history`            | `concentration.current`                       |
//! | `spectrum.inside_crypto.history`            | `inside_crypto.current`                       |
//! | `global_liquidity.history`                  | `latest`, `latest_fresh`, `fresh_impulses`     |
//! | `stress.history` (daily)                    | `current`, `current_extreme`, `episodes`      |
//! | `flows.etf.days` (daily)                    | `latest`, `phase`, `phase_windows`, correlations |
//! | `flows.treasury[].history`                  | `latest`, `days_below_one`                    |
//! | `gold_real_rates.rolling`, `.residuals`     | `current`, `current_ols`, `trend_break*`       |
//!
//! Keys are never left out, so one parser reads both; the report's `detail` key says which it is.
//! A history the page starts to draw moves from the second list to the first (a minor schema bump).
//!
//! # Reading a report back
//!
//! [`Report`] and every type in it (and [`crate::backtest::BacktestReport`]) derive
//! `Deserialize`: the page receives the report from its Web Worker as JSON
//! ([`crate::worker`]) and reads it into these types, and JSON -> [`Report`] -> JSON gives the
//! same bytes (tested on the real data, lean and full). Two things make that hold:
//!
//! - serde_json's `float_roundtrip` feature, which this crate turns on (and so, by feature
//!   unification, every crate that links it): without it a parsed `f64` may be one unit in the last
//!   place off.
//! - No `NaN` or infinity in a plain `f64`: serde_json writes them as `null`, which does not read
//!   back as an `f64`. Undefined statistics are `Option<f64>` (`null`), as statrs does; the test
//!   checks that the value read back *equals* the report, which a NaN anywhere would fail. The
//!   chain's weekly working histories (`indicators[].scores`, `links[].history`) are not part of
//!   the document (`#[serde(skip)]`) and read back empty.
//!
//! # Changes
//!
//! - **1.5.0**: `risk_by_regime` ([`crate::model::risk_regime`]): each spectrum tier's mean
//!   weekly log return with its 95% moving-block bootstrap interval, annualised return and
//!   volatility, Sharpe ratio over cash and maximum drawdown, in each liquidity regime
//!   (`liquidity`: expanding, flat, contracting) and cycle quadrant (`cycle`: recovery,
//!   overheat, stagflation, reflation), and over all weeks (`all`), with the number of weeks;
//!   point in time: the regime known at week t with the return from t to t + 1. Its settings
//!   are `config.risk_by_regime` (`min_weeks`, `replicates`, `seed`, `block_len`; any may be left
//!   out). Kept whole in the lean report. `timing.sections` gains `risk_by_regime`.
//! - **1.4.0**: `asymmetry[].points` (the paired returns, `[date, benchmark, asset]`). The lean
//!   report keeps the histories the pages now draw (the regime timeline, the rolling betas, the
//!   weekly scatter, the rolling best lags): see "Lean and full".
//! - **1.3.0**: `detail` (`"lean"` or `"full"`). The document `tideline analyze` writes and the
//!   page exports is lean by default: the histories listed under "Lean and full" are empty there,
//!   and whole with `--detail full` (1.2.0's content). Written as compact JSON unless `--pretty`.
//!   `timing.sections`: the cost of each stage when the caller timed the run ([`analyze_timed`];
//!   `tideline analyze` and the page do).
//! - **1.2.0**:
//!   - `series[].vintage` and `series[].vintage_note`: for each revised series, whether the model
//!     used its first releases from real-time vintages (`"real_time"`, "real-time vintages": each
//!     value as first published, from its release day) or only the latest vintage (`"latest"`,
//!     "latest vintage: revisions not accounted for"); `null` for series that are not revised.
//!     With vintages, `source` names the vintage file and `rows`/`first`/`last` count first
//!     releases public at `as_of`.
//!   - Significance after a search (see [`crate::stats::search`]): `lead_lag[].search` (and the
//!     same in `global_liquidity.lead_lag`) is `{method, lags_searched, band, p_value, draws}`,
//!     the 95% level of the largest `|rho|` over the 27 searched lags under "no relation"
//!     (circular shifts of y; Bonferroni when the series are too short); `significant` is now read
//!     from it, and `significant_one_lag` keeps the old one-lag comparison with `band`.
//!     `lead_lag[].rolling_band` and `rolling_significant_share`: the Bonferroni band of a
//!     window's best lag and the share of rolling windows that clear it. `transmission[]` gains
//!     `lags_searched`, `ci95_adjusted` (Fisher interval at the Bonferroni level `1 - 0.05/27`)
//!     and `significant` (that interval excludes 0).
//!   - Date conventions (see [`crate::dating`]): CoinGecko's midnight-UTC snapshots are dated the
//!     day they close (the day before their stamp), and a file of a series that lines up with the
//!     series' reference file only when shifted by a day is refused with an error that says so;
//!     figures from CoinGecko data moved by a day.
//!   - Publication lags are each release calendar's worst case (catalog `release`): H.10
//!     exchange rates and the broad dollar 8 days, JPNASSETS 38, M2 59, CPI 46, core PCE 62,
//!     INDPRO 48, UNRATE 41, GDP 122, NFCI 6.
//!   - Stale inputs in windows: `global_liquidity` impulses carry `date` and `window_fresh` (no
//!     component stale on any Friday of the window), `history[].impulse_window_fresh`, and
//!     `global_liquidity.fresh_impulses` gives each window's impulse at the last Friday whose
//!     window was fresh. Regimes mask stale inputs (net liquidity, fed funds, the Fed's balance
//!     sheet) as the backtest's signals do: unknown rather than "flat" on a stopped feed; so does
//!     the spectrum (tier prices and the sensitivities' regressors: a stale week is left out of a
//!     regression, not counted as a week without change). The global lead-lag ends at
//!     `latest_fresh`, and the global spectrum sensitivities read only impulses over fresh
//!     windows.
//!   - `flows.etf.days_without_btc` (flow days without a Bitcoin close of their own, left out of
//!     both correlations instead of counting as zero returns) and `flows.etf.phase_windows`
//!     (`{date, recent_days, recent_usd_mn, before_days, before_usd_mn}`: the two windows the
//!     phase rule compares).
//!   - Contemporaneous statistics use observation dates: the gold regression on the real yield
//!     (`gold_real_rates`) and the spectrum sensitivities' real-yield, HY OAS and dollar regressors
//!     pair this week's return with the same week's change (the series are still cut at the as-of
//!     date); signals, scores and backtests keep publication dates (see [`crate::model::panel`]).
//!     The stress module's Treasury leg already did.
//!   - Regression coefficients (`spectrum.sensitivities[].current.{intercept, liquidity,
//!     real_yield, credit_spread, dollar}`, `gold_real_rates.current_ols.coefficients[]`) gain
//!     `hc3_std_error`, `hc3_p_value`, `ci95` (95%, HC3: the interval the page shows) and
//!     `ci95_classical`; `std_error`, `t_stat` and `p_value` stay classical.
//!   - `gold_real_rates.current` and `.rolling[]` gain `hc3_std_error` and `ci95_classical`; their
//!     `ci95` is now the HC3 interval (it was classical), `std_error` stays classical.
//!   - Each Granger test (`lead_lag[].granger[]`, `global_liquidity.lead_lag[].granger[]`) gains
//!     `robust_wald`, `robust_f`, `p_robust` (an HC3 Wald test, chi-squared) and the Holm-adjusted
//!     `p_holm` and `p_robust_holm` across the lag orders of the pair.
//!   - `gold_real_rates.trend_break` and `.trend_break_full_sample` gain `null_p_value`,
//!     `null_replicates`, `null_ar1` and `null_model`: how often a no-break series (a line plus
//!     AR(1) noise) fits a break at least as good; settings `config.gold.break_null_replicates`
//!     and `config.gold.break_null_seed`.
//! - **1.1.0**: added `global_liquidity`, `policy_divergence`, `stress`, `flows` and
//!   `gold_real_rates`, and their settings under `config` (`global`, `divergence`, `stress`,
//!   `flows`, `gold`). The `ALTS` spectrum tier is the equal-weight altcoin basket of
//!   `flows.inside_crypto` when a basket coin is loaded (the `ETH^2/BTC` proxy otherwise; the
//!   tier's name says which), and the `etf_outflows_stopped` checklist item is scored from the ETF
//!   flow table when one is loaded. When the current stress reading is extreme, the narrative says
//!   that single-asset logic does not apply.
//! - **1.0.0**: first version.

pub mod detail;
pub mod stages;
pub mod steps;

use serde::{Deserialize, Serialize};

pub use detail::{weekly_last, Detail, JsonStyle, UnknownDetail};
pub use stages::Stages;

use crate::align::is_stale;
use crate::backtest::engine::CASH;
use crate::dataset::{Dataset, VintageUse};
use crate::date::Date;
use crate::model::asymmetry::{asymmetry, AsymmetryConfig, AsymmetryResult, ReturnFrequency};
use crate::model::chain::{Chain, ChainConfig, Indicator, Link, LinkSummary, Transmission};
use crate::model::divergence::{DivergenceConfig, PolicyDivergence};
use crate::model::flows::{weekly_flow_sums, CryptoFlows, FlowInputs, FlowsConfig};
use crate::model::global::{GlobalConfig, GlobalLiquidity};
use crate::model::gold::{GoldConfig, GoldRealRates};
use crate::model::leadlag::{correlation_stability, lead_lag, ChangeKind, LeadLagConfig, LeadLagResult, Leg};
use crate::model::leadlag::{StabilityResult, DEFAULT_STABILITY_WINDOWS};
use crate::model::panel::Panel;
use crate::model::regime::{RegimeConfig, RegimeWeek};
use crate::model::risk_regime::{self, RiskByRegime, RiskRegimeConfig};
use crate::model::spectrum::{self, RotationTable, SpectrumInputs, SpectrumResult, TierPrices};
use crate::model::stress::{Stress, StressConfig};
use crate::model::{RegimeSnapshot, State};
use crate::series::Series;
use crate::transform::{PercentChange, Transform};

/// The report's schema version (see the module docs for the policy).
pub const SCHEMA_VERSION: &str = "1.5.0";

/// Every setting of the model, with the defaults of MODEL.md. Read from the `--config` JSON file
/// (any key may be left out) or from the page's URL.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelConfig {
    /// The as-of date (default: the newest observation loaded).
    pub as_of: Option<Date>,
    /// Chain settings.
    pub chain: ChainConfig,
    /// Regime settings.
    pub regimes: RegimeConfig,
    /// Asymmetry settings (bootstrap seed and replicates, rolling windows).
    pub asymmetry: AsymmetryConfig,
    /// `(asset, benchmark)` pairs for the asymmetry (default BTC and ETH against the Nasdaq-100).
    pub asymmetry_pairs: Vec<(String, String)>,
    /// Lead-lag settings.
    pub lead_lag: LeadLagConfig,
    /// The rotation rule table (regimes -> tier weights).
    pub rotation: RotationTable,
    /// Global liquidity: which central banks, impulse windows, lead-lag targets.
    pub global: GlobalConfig,
    /// Policy divergence: economies and the regime rule's steps.
    pub divergence: DivergenceConfig,
    /// Cross-asset stress: assets, horizons, thresholds.
    pub stress: StressConfig,
    /// Crypto flows: flow lag, sums, the altcoin basket.
    pub flows: FlowsConfig,
    /// Gold against real rates: window and break search.
    pub gold: GoldConfig,
    /// Risk by regime: fewest weeks, bootstrap replicates, seed and block length.
    pub risk_by_regime: RiskRegimeConfig,
}

impl Default for ModelConfig {
    fn default() -> ModelConfig {
        ModelConfig {
            as_of: None,
            chain: ChainConfig::default(),
            regimes: RegimeConfig::default(),
            asymmetry: AsymmetryConfig::default(),
            asymmetry_pairs: vec![
                ("CBBTCUSD".to_string(), "NASDAQ100".to_string()),
                ("CBETHUSD".to_string(), "NASDAQ100".to_string()),
            ],
            lead_lag: LeadLagConfig::default(),
            rotation: RotationTable::default(),
            global: GlobalConfig::default(),
            divergence: DivergenceConfig::default(),
            stress: StressConfig::default(),
            flows: FlowsConfig::default(),
            gold: GoldConfig::default(),
            risk_by_regime: RiskRegimeConfig::default(),
        }
    }
}

/// The spectrum's tiers, safe to risky (MODEL.md 4). `ALTS` is a user series of that name when
/// loaded, else the proxy `ETH^2 / BTC` (Ether levered on ETH/BTC: altcoins tend to move like Ether
/// with a larger beta to the ETH/BTC ratio); the tier's name says which.
pub const SPECTRUM_TIERS: [(&str, &str); 9] = [
    ("CASH", "Cash (fed funds accrual)"),
    ("UST10", "10-year Treasury (total return approx.)"),
    ("GOLD", "Gold"),
    ("SP500", "S&P 500"),
    ("NASDAQ100", "Nasdaq-100 (mega-cap tech)"),
    ("NASDAQCOM", "Nasdaq Composite"),
    ("CBBTCUSD", "Bitcoin"),
    ("CBETHUSD", "Ether"),
    ("ALTS", "Altcoins"),
];

/// A series in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeriesInfo {
    /// Catalog id.
    pub id: String,
    /// Name.
    pub name: String,
    /// First observation public at as_of.
    pub first: Option<Date>,
    /// Last observation public at as_of.
    pub last: Option<Date>,
    /// Observations public at as_of.
    pub rows: usize,
    /// Stale at as_of (MODEL.md 1.3).
    pub stale: bool,
    /// The file or URL it came from.
    pub source: String,
    /// Native units.
    pub native_units: String,
    /// Canonical units.
    pub canonical_units: String,
    /// Licence note.
    pub licence: String,
    /// Revised series only (CPI, core PCE, M2, INDPRO, UNRATE, GDPC1): `real_time` when the first
    /// releases of its vintages were used, each from its release day, or `latest` when only the
    /// latest vintage was loaded; `null` for a series that is not revised.
    pub vintage: Option<VintageUse>,
    /// `vintage` in words: "real-time vintages" or "latest vintage: revisions not accounted for";
    /// `null` for a series that is not revised.
    pub vintage_note: Option<String>,
}

/// The latest net liquidity and its inputs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetLiquidityLatest {
    /// The Wednesday.
    pub date: Date,
    /// `walcl - tga - rrp`, USD bn.
    pub usd_bn: f64,
    /// Fed total assets, USD bn.
    pub walcl: f64,
    /// TGA, USD bn.
    pub tga: f64,
    /// Which series gave the TGA.
    pub tga_source: String,
    /// Reverse repo, USD bn.
    pub rrp: f64,
}

/// Net liquidity in the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetLiquidityReport {
    /// The latest weekly value public at as_of.
    pub latest: Option<NetLiquidityLatest>,
    /// 13-week percent change at the latest week (the impulse).
    pub impulse_13w_pct: Option<f64>,
    /// Weekly history public at as_of.
    pub history: Vec<(Date, f64)>,
}

/// The regimes section.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimesReport {
    /// The latest week.
    pub current: Option<RegimeWeek>,
    /// Every week.
    pub timeline: Vec<RegimeWeek>,
}

/// Wall-clock timing, filled by the caller (the core has no clock: it also runs in wasm).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    /// Milliseconds the model took.
    pub model_ms: f64,
    /// What each stage cost, in the order run, when the caller gave [`analyze_timed`] a clock
    /// (empty otherwise).
    pub sections: Vec<SectionTime>,
}

/// The cost of one stage of [`analyze_with`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionTime {
    /// The stage: `as_of_cut`, `panel`, `chain`, `regimes`, `net_liquidity`, `asymmetry`,
    /// `lead_lag`, `flows`, `global_liquidity`, `spectrum`, `risk_by_regime`,
    /// `policy_divergence`, `stress`, `gold`.
    pub section: String,
    /// Milliseconds, by the caller's clock.
    pub ms: f64,
}

/// The whole analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: String,
    /// The as-of date.
    pub as_of: Date,
    /// Which histories this report carries: [`Detail::Full`] from the model, [`Detail::Lean`]
    /// after [`Report::with_detail`] (see the module docs, "Lean and full").
    pub detail: Detail,
    /// The settings used.
    pub config: ModelConfig,
    /// Series used.
    pub series: Vec<SeriesInfo>,
    /// Fed net liquidity.
    pub net_liquidity: NetLiquidityReport,
    /// The five links.
    pub links: Vec<LinkSummary>,
    /// Every indicator.
    pub indicators: Vec<Indicator>,
    /// Transmission between links.
    pub transmission: Vec<Transmission>,
    /// Where the chain breaks.
    pub break_point: Option<String>,
    /// One sentence.
    pub narrative: String,
    /// Regimes.
    pub regimes: RegimesReport,
    /// "Follows the decline, not the rise": per pair and frequency.
    pub asymmetry: Vec<AsymmetryResult>,
    /// Lead-lag pairs of MODEL.md 6.
    pub lead_lag: Vec<LeadLagResult>,
    /// Correlation stability (rolling 90- and 180-day windows).
    pub stability: Vec<StabilityResult>,
    /// The risk spectrum.
    pub spectrum: Option<SpectrumResult>,
    /// Each spectrum tier's return, volatility, Sharpe ratio and maximum drawdown in each
    /// liquidity regime and cycle quadrant, with the number of weeks and a bootstrap interval on
    /// the mean weekly return; the regime known at week t with the return from t to t + 1.
    /// `None` when no tier is loaded. Every statistic is defined in
    /// [`crate::model::risk_regime`] ("Definitions"): [`RiskByRegime`],
    /// [`risk_regime::RegimeRisk`] field by field; a regime with fewer than `min_weeks` weeks has
    /// only its count.
    pub risk_by_regime: Option<RiskByRegime>,
    /// The Fed's net liquidity plus the ECB's and the BoJ's balance sheets, in USD.
    pub global_liquidity: Option<GlobalLiquidity>,
    /// Who is easing and who is tightening.
    pub policy_divergence: Option<PolicyDivergence>,
    /// Cross-asset stress ("everything that could be sold was dumped").
    pub stress: Option<Stress>,
    /// Spot-ETF flows, treasury companies' mNAV, the altcoin basket.
    pub flows: Option<CryptoFlows>,
    /// Gold against the 10-year real yield.
    pub gold_real_rates: Option<GoldRealRates>,
    /// Timing (filled by the caller).
    pub timing: Timing,
}

/// The overview's answer in one sentence (UI.md): the liquidity link in words and how far up the
/// spectrum the tide reaches at the last week, e.g. `Liquidity neutral, improving; the tide
/// reaches Gold, not S&P 500.` Every part comes from the report; a part the report lacks is left
/// out rather than guessed.
pub fn headline(report: &Report) -> String {
    let liquidity = report
        .links
        .iter()
        .find(|l| l.name == "liquidity")
        .map(|l| crate::model::chain::describe(l, &report.indicators));
    let reach = report.spectrum.as_ref().and_then(|s| {
        let now = s.overflow.current.as_ref()?;
        let name = |i: usize| s.tiers.get(i).map(|t| t.name.clone());
        Some(match now.stage {
            Some(stage) => match name(stage + 1) {
                Some(next) => format!("the tide reaches {}, not {next}", name(stage)?),
                None => format!("the tide reaches {}, the top of the spectrum", name(stage)?),
            },
            None => "the tide reaches no tier of the spectrum".to_string(),
        })
    });
    let text = match (liquidity, reach) {
        (Some(l), Some(r)) => format!("{l}; {r}."),
        (Some(l), None) => format!("{l}."),
        (None, Some(r)) => format!("{r}."),
        (None, None) => report.narrative.clone(),
    };
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Why no report could be made.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AnalyzeError {
    /// Nothing was public at the as-of date.
    #[error("no data public at {as_of:?}: load at least WALCL and a TGA series")]
    NoData {
        /// The as-of date asked for.
        as_of: Option<Date>,
    },
}

/// The dataset as the public saw it at `as_of`: each series cut to observations published by then
/// (asset prices: dated on or before; series loaded from their vintages: first released by then;
/// others: `date + publication lag <= as_of`). See [`Dataset::public_at`].
pub fn public_at(dataset: &Dataset, as_of: Date) -> Dataset {
    dataset.public_at(as_of)
}

/// Share of loaded series that must be fresh on the default as-of date.
pub const DEFAULT_AS_OF_FRESH_SHARE: f64 = 0.75;

/// The default as-of date when none is given: the latest publication date of a loaded chain input
/// (inflation, rates, liquidity, risk appetite; a fallback series whose primary is loaded does not
/// count) on which at least [`DEFAULT_AS_OF_FRESH_SHARE`] of those inputs are fresh (MODEL.md 1.3).
///
/// Why: public feeds end on different dates. Taking the newest observation of all would leave
/// most inputs stale and the chain mostly unscored; this picks the newest date on which the
/// picture is mostly current, and the report lists which series are stale there.
pub fn default_as_of(dataset: &Dataset) -> Option<Date> {
    let counts = |id: &str| {
        dataset.entry(id).is_some_and(|e| {
            e.role.is_chain_input() && e.fallback_for.as_deref().is_none_or(|p| dataset.get(p).is_none())
        })
    };
    let published: Vec<(Date, i32, crate::catalog::Frequency)> = dataset
        .iter()
        .filter(|(id, _)| counts(id))
        .filter_map(|(id, loaded)| {
            let entry = dataset.entry(id)?;
            let (last, _) = loaded.series.last()?;
            Some((last, entry.publication_lag_days.max(0), entry.frequency))
        })
        .collect();
    let mut candidates: Vec<Date> = published.iter().map(|(d, lag, _)| d.add_days(*lag)).collect();
    candidates.sort_unstable();
    candidates.dedup();
    let fresh_at = |t: Date| {
        dataset
            .iter()
            .filter(|(id, _)| counts(id))
            .filter_map(|(id, loaded)| {
                let entry = dataset.entry(id)?;
                let lag = entry.publication_lag_days.max(0);
                let (d, _) = loaded.series.at_or_before(t.add_days(-lag))?;
                Some(!is_stale(d, t, entry.frequency, lag))
            })
            .filter(|fresh| *fresh)
            .count()
    };
    let total = published.len() as f64;
    candidates
        .iter()
        .rev()
        .copied()
        .find(|t| fresh_at(*t) as f64 >= DEFAULT_AS_OF_FRESH_SHARE * total)
        .or_else(|| candidates.last().copied())
}

/// Runs the whole model on a dataset, without table inputs (see [`analyze_with`]).
pub fn analyze(dataset: &Dataset, config: &ModelConfig) -> Result<Report, AnalyzeError> {
    analyze_with(dataset, config, &FlowInputs::default())
}

/// The narrative's addition when the current cross-asset stress reading is extreme.
pub const STRESS_NARRATIVE: &str = "Cross-asset stress is extreme: nearly everything is falling together, \
                                     so single-asset logic (havens, hedges, rotation down the spectrum) \
                                     does not apply until it passes.";

/// Runs the whole model on a dataset and the table inputs that are not series (a spot-ETF flow
/// table, a treasury-company sheet: [`FlowInputs`]). Nothing dated (or, for a table row, public)
/// after the as-of date is used.
pub fn analyze_with(
    dataset: &Dataset,
    config: &ModelConfig,
    inputs: &FlowInputs,
) -> Result<Report, AnalyzeError> {
    analyze_timed(dataset, config, inputs, None)
}

/// [`analyze_with`], recording what each stage costs by `clock` (milliseconds from any origin:
/// `performance.now()` in the browser, an `Instant` natively) in `timing.sections`.
pub fn analyze_timed(
    dataset: &Dataset,
    config: &ModelConfig,
    inputs: &FlowInputs,
    clock: Option<&dyn Fn() -> f64>,
) -> Result<Report, AnalyzeError> {
    Stages::borrowed(dataset, inputs).analyze(config, clock)
}

fn asymmetry_section(data: &Dataset, config: &ModelConfig) -> Vec<AsymmetryResult> {
    let mut out = Vec::new();
    for (asset, bench) in &config.asymmetry_pairs {
        let (Some(a), Some(b)) = (data.get(asset), data.get(bench)) else { continue };
        for frequency in [ReturnFrequency::Daily, ReturnFrequency::Weekly] {
            if let Some(result) = asymmetry(asset, a, bench, b, frequency, &config.asymmetry) {
                out.push(result);
            }
        }
    }
    out
}

/// The lead-lag pairs (reads `config.lead_lag`).
fn lead_lag_pairs(data: &Dataset, netliq: &Series, config: &ModelConfig) -> Vec<LeadLagResult> {
    let leg = |id: &'static str, change: ChangeKind| data.get(id).map(|s| Leg { id, series: s, change });
    let netliq_leg =
        (!netliq.is_empty()).then_some(Leg { id: "NETLIQ", series: netliq, change: ChangeKind::LogChange });
    let pairs = [
        (netliq_leg, leg("CBBTCUSD", ChangeKind::LogChange)),
        (netliq_leg, leg("NASDAQ100", ChangeKind::LogChange)),
        (netliq_leg, leg("GOLD", ChangeKind::LogChange)),
        (leg("DFII10", ChangeKind::Difference), leg("GOLD", ChangeKind::LogChange)),
        (leg("NASDAQ100", ChangeKind::LogChange), leg("CBBTCUSD", ChangeKind::LogChange)),
    ];
    pairs.into_iter().filter_map(|(x, y)| lead_lag(x?, y?, &config.lead_lag)).collect()
}

/// The correlation stability of the asymmetry pairs (reads `config.asymmetry_pairs`).
fn stability_section(data: &Dataset, config: &ModelConfig) -> Vec<StabilityResult> {
    let mut stability = Vec::new();
    for (asset, bench) in &config.asymmetry_pairs {
        if let (Some(a), Some(b)) = (data.get(asset), data.get(bench)) {
            stability.extend(correlation_stability(a, b, &DEFAULT_STABILITY_WINDOWS));
        }
    }
    stability
}

/// The spectrum's tiers with their Friday closes on the panel's calendar, safe to risky
/// ([`SPECTRUM_TIERS`] that are loaded, then the user's assets in name order): what the spectrum
/// and the risk by regime both read. Stale weeks are masked (MODEL.md 1.3): a price carried
/// forward past its feed's end would read as a week without change.
fn spectrum_tiers(panel: &Panel, flows: Option<&CryptoFlows>) -> Vec<TierPrices> {
    let prices = |id: &str| panel.fresh_or_nan(id);
    let mut tiers: Vec<TierPrices> = Vec::new();
    for (id, name) in SPECTRUM_TIERS {
        let basket = flows.and_then(|f| f.inside_crypto.as_ref());
        let (values, name) = match (id, panel.get(id)) {
            (_, Some(_)) => (panel.fresh_or_nan(id), name.to_string()),
            ("ALTS", None) if basket.is_some_and(|b| !b.coins.is_empty()) => {
                let basket = basket.map(|b| {
                    (b.coins.len(), on_calendar(&panel.calendar, &b.history, |w| (w.date, w.basket)))
                });
                let (coins, values) = basket.unwrap_or_default();
                (values, format!("{name} (equal-weight basket of {coins} coins)"))
            }
            ("ALTS", None) => {
                let (eth, btc) = (prices("CBETHUSD"), prices("CBBTCUSD"));
                let proxy =
                    eth.iter().zip(&btc).map(|(e, b)| if *b > 0.0 { e * e / b } else { f64::NAN }).collect();
                (proxy, format!("{name} (proxy: ETH^2/BTC)"))
            }
            _ => continue,
        };
        if values.iter().any(|v| v.is_finite()) {
            tiers.push(TierPrices { id: id.to_string(), name, prices: values });
        }
    }
    // The user's own assets, at the risky end, in name order.
    for id in panel.ids() {
        let is_user_asset = panel.user_asset_ids.iter().any(|u| u == id);
        if is_user_asset && id != "ALTS" {
            tiers.push(TierPrices {
                id: id.to_string(),
                name: format!("{id} (your series)"),
                prices: prices(id),
            });
        }
    }
    tiers
}

fn spectrum_section(
    panel: &Panel,
    chain: &Chain,
    timeline: &[RegimeWeek],
    flows: Option<&CryptoFlows>,
    global_impulse: Option<&[f64]>,
    config: &ModelConfig,
) -> Option<(SpectrumResult, Vec<spectrum::Sensitivity>)> {
    let n = panel.len();
    // Stale weeks are masked, as in `spectrum_tiers`.
    let prices = |id: &str| panel.fresh_or_nan(id);
    let tiers = spectrum_tiers(panel, flows);
    if tiers.is_empty() {
        return None;
    }
    let net_liquidity = prices("NETLIQ");
    let impulse = PercentChange::new(config.chain.change_weeks.max(1))
        .map_or_else(|_| vec![f64::NAN; n], |t| t.apply(&net_liquidity));
    let risk_history =
        chain.links.iter().find(|l| l.name == Link::RiskAppetite.name()).map(|l| l.history.clone());
    let risk_state: Vec<Option<State>> = risk_history
        .unwrap_or_else(|| vec![f64::NAN; n])
        .iter()
        .map(|s| s.is_finite().then(|| State::of(*s, config.chain.threshold)))
        .collect();
    let regimes: Vec<RegimeSnapshot> = timeline.iter().map(|w| w.regimes).collect();
    // The sensitivities are contemporaneous: observation dates (see `Panel::observed`). The
    // checklist's dollar is a signal: publication dates.
    let observed = |id: &str| panel.observed_fresh_or_nan(id);
    let (real_10y, hy_oas) = (observed("DFII10"), observed("BAMLH0A0HYM2"));
    let (dollar, dollar_observed) = (prices("DTWEXBGS"), observed("DTWEXBGS"));
    let (nasdaq100, nasdaq_composite, btc, eth) =
        (prices("NASDAQ100"), prices("NASDAQCOM"), prices("CBBTCUSD"), prices("CBETHUSD"));
    let etf_weekly =
        flows.and_then(|f| f.etf.as_ref()).map(|e| weekly_flow_sums(&e.days, &panel.calendar, e.lag_days));
    let inputs = SpectrumInputs {
        calendar: &panel.calendar,
        tiers: &tiers,
        net_liquidity: &net_liquidity,
        impulse: &impulse,
        real_10y: &real_10y,
        hy_oas: &hy_oas,
        dollar: &dollar,
        dollar_observed: &dollar_observed,
        risk_state: &risk_state,
        regimes: &regimes,
        nasdaq100: &nasdaq100,
        nasdaq_composite: &nasdaq_composite,
        btc: &btc,
        eth: &eth,
        etf_flows_weekly: etf_weekly.as_deref(),
    };
    let result = spectrum::spectrum(&inputs, &config.rotation);
    let global = global_impulse.map_or_else(Vec::new, |impulse| {
        spectrum::sensitivities(&SpectrumInputs { impulse, ..inputs }, spectrum::DEFAULT_WINDOW_WEEKS)
    });
    Some((result, global))
}

/// Risk by regime ([`risk_regime::risk_by_regime`]) of the spectrum's tiers (the same tiers and
/// closes as the spectrum, [`spectrum_tiers`]) in the regimes of `timeline` (one per week of the
/// panel's calendar), with the panel's cash index (`CASH`, fed funds accrual, stale weeks
/// masked) as the risk-free; `None` when no tier is loaded.
fn risk_by_regime_section(
    panel: &Panel,
    timeline: &[RegimeWeek],
    flows: Option<&CryptoFlows>,
    config: &RiskRegimeConfig,
) -> Option<RiskByRegime> {
    let tiers = spectrum_tiers(panel, flows);
    if tiers.is_empty() {
        return None;
    }
    let regimes: Vec<RegimeSnapshot> = timeline.iter().map(|w| w.regimes).collect();
    // The backtest's risk-free: the same index under the same id.
    let cash = panel.get(CASH).map(|_| panel.fresh_or_nan(CASH));
    let cash = cash.as_deref().map(|c| (CASH, c));
    Some(risk_regime::risk_by_regime(&panel.calendar, &tiers, cash, &regimes, config))
}

/// The constant-FX global impulse over `weeks` (the window of the Fed's impulse in the spectrum,
/// so both regressions use the same window) on the panel's calendar; NaN where undefined or where
/// the window holds a stale component, and everywhere when `weeks` is not one of the global
/// windows.
fn global_impulse_on(calendar: &crate::align::Calendar, global: &GlobalLiquidity, weeks: usize) -> Vec<f64> {
    let Some(k) = global.windows_weeks.iter().position(|w| *w == weeks) else {
        return vec![f64::NAN; calendar.len()];
    };
    // A window that holds a stale component is no measurement (see `Impulse::window_fresh`).
    on_calendar(calendar, &global.history, |w| {
        let fresh = w.impulse_window_fresh.get(k).copied().flatten() == Some(true);
        (w.date, w.impulse_constant_fx_pct.get(k).copied().flatten().filter(|_| fresh))
    })
}

/// A weekly history (ascending dates) on the panel's Friday calendar: each Friday gets the value
/// of the history's week of that date, NaN when there is none or its value is `None`.
fn on_calendar<T>(
    calendar: &crate::align::Calendar,
    history: &[T],
    read: impl Fn(&T) -> (Date, Option<f64>),
) -> Vec<f64> {
    let mut out = vec![f64::NAN; calendar.len()];
    let mut weeks = history.iter().map(read).peekable();
    for (slot, friday) in out.iter_mut().zip(calendar.iter()) {
        while weeks.next_if(|(date, _)| *date < friday).is_some() {}
        if let Some((_, value)) = weeks.peek().filter(|(date, _)| *date == friday) {
            *slot = value.unwrap_or(f64::NAN);
        }
    }
    out
}
