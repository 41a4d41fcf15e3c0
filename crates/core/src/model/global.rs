//! Global liquidity: the Fed's net liquidity plus the balance sheets of other central banks, in US
//! dollars, point in time.
//!
//! # Design
//!
//! The Fed is not the only tide. The ECB and the Bank of Japan ran balance sheets of comparable size,
//! and a reader who only watches the Fed misses half of the water. This module adds them up on the
//! weekly Friday calendar the rest of the model uses:
//!
//! - **Components.** The Fed's net liquidity (`WALCL - TGA - RRP`, [`crate::liquidity`], public when
//!   its last input is: the largest catalog lag of WALCL, WDTGAL and RRPONTSYD) and one
//!   [`BankSpec`] per other central bank (default: ECB total assets `ECBASSETSW`, EUR bn, weekly,
//!   lag 7 days; BoJ total assets `JPNASSETS`, JPY bn, monthly, dated at the month's start, lag 38
//!   days). A user can add a bank
//!   by loading its balance sheet and an exchange rate as user series and naming them in
//!   [`GlobalConfig::banks`].
//! - **Point in time.** On Friday `t` each balance sheet is its last observation dated `d` with
//!   `d + lag <= t` ([`as_of_with_cutoff`]), and it is converted with the exchange rate public on
//!   `t` (the FX series' own lag, 8 days for FRED's H.10 rates, released weekly on Mondays). Nothing published after the as-of
//!   date is used, so the figures for a date are the same whether or not later data are loaded.
//! - **Conversion.** `usd_bn = local × scale_to_bn × usd_per_unit`, where `usd_per_unit` is the FX
//!   rate itself when it is quoted in USD per unit (DEXUSEU) and its inverse when it is quoted in
//!   units per USD (DEXJPUS).
//! - **Impulse at constant FX.** A weaker dollar raises the USD value of the ECB's and the BoJ's
//!   balance sheets without a single euro or yen of easing. The k-week impulse is therefore shown
//!   twice: in USD, and with every exchange rate held at its value at the start of the window, so
//!   that the difference (the FX effect) is visible and a dollar move is not read as easing.
//! - **Lead-lag.** [`crate::model::leadlag::lead_lag`] of the weekly log change of a chain-linked
//!   constant-FX index of the total (see [`GlobalWeek::constant_fx_index`]) on the weekly log returns
//!   of Bitcoin, the Nasdaq-100 and gold, up to the last Friday with every component fresh
//!   ([`GlobalLiquidity::latest_fresh`]: later weeks would carry stale inputs as zero changes). Using the constant-FX change keeps the dollar out of the
//!   leading series: a dollar fall lifts both the USD value of foreign balance sheets and dollar
//!   prices of assets in the same week, which would show up as a spurious lag-0 correlation.
//!
//! # Choices where the specification is silent
//!
//! - **Stale components are kept, and flagged.** The total needs every component; a component
//!   whose newest usable observation is stale ([`is_stale`]: older than twice its native period plus
//!   its lag) is carried forward and named in [`GlobalReading::stale_components`]. Because public
//!   feeds end on different dates, the report gives both the reading at the last Friday
//!   ([`GlobalLiquidity::latest`]) and at the last Friday on which no component was stale
//!   ([`GlobalLiquidity::latest_fresh`]). An impulse whose window holds a stale component
//!   (carried forward, so its change counts as zero) is flagged ([`Impulse::window_fresh`]) and
//!   not read as current: [`GlobalLiquidity::fresh_impulses`] gives each window's impulse at the
//!   last Friday whose whole window was fresh.
//! - **A missing component** (its series or its exchange rate not loaded) is left out and named in
//!   [`GlobalLiquidity::missing`]; the total is then the total of what is loaded. `None` when no
//!   component is loaded at all.
//! - **User series** (not in the catalog) take the lag given in their [`BankSpec`], else 0 (public
//!   on their own dates), and the native frequency inferred from the median gap between their
//!   observations (for the staleness rule).
//! - The calendar covers at most [`crate::model::panel::MAX_YEARS`] years, like the panel.

use serde::{Deserialize, Serialize};

use crate::align::{as_of_with_cutoff, is_stale, Aligned, Calendar};
use crate::catalog::{Frequency, Role};
use crate::dataset::Dataset;
use crate::date::Date;
use crate::liquidity;
use crate::model::leadlag::{lead_lag, ChangeKind, LeadLagConfig, LeadLagResult, Leg};
use crate::model::panel::MAX_YEARS;
use crate::series::Series;

/// The id of the Fed's component.
pub const FED_ID: &str = "FED";

/// The id under which the constant-FX global index appears in the lead-lag results.
pub const GLOBAL_INDEX_ID: &str = "GLOBAL_LIQUIDITY_CFX";

/// How an exchange-rate series is quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FxQuote {
    /// US dollars per one unit of the currency (DEXUSEU: USD per EUR).
    UsdPerUnit,
    /// Units of the currency per US dollar (DEXJPUS: JPY per USD).
    UnitsPerUsd,
}

impl FxQuote {
    /// US dollars per unit of the currency, from a quote.
    ///
    /// # Formula
    ///
    /// `UsdPerUnit`: `q`; `UnitsPerUsd`: `1 / q`. `None` unless the result is finite and positive.
    pub fn usd_per_unit(self, quote: f64) -> Option<f64> {
        let value = match self {
            FxQuote::UsdPerUnit => quote,
            FxQuote::UnitsPerUsd => 1.0 / quote,
        };
        (value.is_finite() && value > 0.0).then_some(value)
    }
}

/// A central bank whose balance sheet joins the global total.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BankSpec {
    /// Short id shown in the report (`ECB`, `BOJ`).
    pub id: String,
    /// A readable name.
    #[serde(default)]
    pub name: String,
    /// The dataset id of its total assets.
    pub assets_series: String,
    /// The currency of the balance sheet (`EUR`, `JPY`, `USD`).
    pub currency: String,
    /// The dataset id of the exchange rate; `None` when the assets are already in US dollars.
    #[serde(default)]
    pub fx_series: Option<String>,
    /// How the exchange rate is quoted.
    pub fx_quote: FxQuote,
    /// Multiply the loaded assets by this to get billions of the currency (1 for catalog series,
    /// which are already in EUR bn and JPY bn; 0.001 for a user series in millions).
    pub scale_to_bn: f64,
    /// Publication lag of the assets in days; `None`: the catalog's, else 0.
    #[serde(default)]
    pub publication_lag_days: Option<i32>,
}

impl BankSpec {
    /// The ECB: `ECBASSETSW` (EUR bn) converted with `DEXUSEU` (USD per EUR).
    pub fn ecb() -> BankSpec {
        BankSpec {
            id: "ECB".into(),
            name: "European Central Bank (total assets)".into(),
            assets_series: "ECBASSETSW".into(),
            currency: "EUR".into(),
            fx_series: Some("DEXUSEU".into()),
            fx_quote: FxQuote::UsdPerUnit,
            scale_to_bn: 1.0,
            publication_lag_days: None,
        }
    }

    /// The Bank of Japan: `JPNASSETS` (JPY bn) converted with `DEXJPUS` (JPY per USD).
    pub fn boj() -> BankSpec {
        BankSpec {
            id: "BOJ".into(),
            name: "Bank of Japan (total assets)".into(),
            assets_series: "JPNASSETS".into(),
            currency: "JPY".into(),
            fx_series: Some("DEXJPUS".into()),
            fx_quote: FxQuote::UnitsPerUsd,
            scale_to_bn: 1.0,
            publication_lag_days: None,
        }
    }
}

impl BankSpec {
    /// The People's Bank of China from a user series of its total assets (`assets_series`, in
    /// units that `scale_to_bn` turns into CNY bn: 0.1 for the PBoC's own "100 million yuan"),
    /// converted with the catalog's `DEXCHUS` (CNY per USD). Public 45 days after its date: the
    /// PBoC publishes a month's balance sheet two to three weeks after the month ends, and monthly
    /// series are commonly dated on the month's first day (as FRED dates them).
    pub fn pboc(assets_series: &str, scale_to_bn: f64) -> BankSpec {
        BankSpec {
            id: "PBOC".into(),
            name: "People's Bank of China (total assets)".into(),
            assets_series: assets_series.into(),
            currency: "CNY".into(),
            fx_series: Some("DEXCHUS".into()),
            fx_quote: FxQuote::UnitsPerUsd,
            scale_to_bn,
            publication_lag_days: Some(45),
        }
    }

    /// The Bank of England from a user series of its weekly total assets (`scale_to_bn` to GBP
    /// bn), converted with the catalog's `DEXUSUK` (USD per GBP). Public 8 days after its date:
    /// the Bank Return for the week to a Wednesday appears on the Thursday of the week after.
    pub fn boe(assets_series: &str, scale_to_bn: f64) -> BankSpec {
        BankSpec {
            id: "BOE".into(),
            name: "Bank of England (total assets)".into(),
            assets_series: assets_series.into(),
            currency: "GBP".into(),
            fx_series: Some("DEXUSUK".into()),
            fx_quote: FxQuote::UsdPerUnit,
            scale_to_bn,
            publication_lag_days: Some(8),
        }
    }
}

/// Settings of [`global_liquidity`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GlobalConfig {
    /// Include the Fed's net liquidity (true).
    pub include_fed: bool,
    /// The other central banks (default: ECB and BoJ).
    pub banks: Vec<BankSpec>,
    /// Impulse windows in weeks (13 and 26).
    pub windows_weeks: Vec<usize>,
    /// Lead-lag targets: dataset ids of asset prices (Bitcoin, Nasdaq-100, gold).
    pub lead_lag_targets: Vec<String>,
    /// Lead-lag settings: MODEL.md 6's, Granger tests included (the same machinery as on the
    /// Fed's net liquidity; since Granger solves every lag order from one cross-product matrix
    /// they cost well under a millisecond per pair).
    pub lead_lag: LeadLagConfig,
}

impl Default for GlobalConfig {
    fn default() -> GlobalConfig {
        GlobalConfig {
            include_fed: true,
            banks: vec![BankSpec::ecb(), BankSpec::boj()],
            windows_weeks: vec![13, 26],
            lead_lag_targets: vec!["CBBTCUSD".into(), "NASDAQ100".into(), "GOLD".into()],
            lead_lag: LeadLagConfig::default(),
        }
    }
}

/// A component as used: where its inputs came from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentInput {
    /// `FED` or the bank's id.
    pub id: String,
    /// A readable name.
    pub name: String,
    /// The balance-sheet series (`NETLIQ` for the Fed: WALCL - TGA - RRP).
    pub assets_series: String,
    /// Its currency.
    pub currency: String,
    /// Scale from the loaded units to billions of the currency.
    pub scale_to_bn: f64,
    /// Publication lag applied to the assets, days.
    pub assets_lag_days: i32,
    /// The exchange-rate series (`None` for USD).
    pub fx_series: Option<String>,
    /// How it is quoted.
    pub fx_quote: Option<FxQuote>,
    /// Publication lag applied to the exchange rate, days.
    pub fx_lag_days: Option<i32>,
    /// First and last observation of the assets public at the as-of date.
    pub assets_span: Option<(Date, Date)>,
}

/// One component at one Friday.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComponentReading {
    /// The component id.
    pub id: String,
    /// Assets in billions of the currency.
    pub local_bn: f64,
    /// The currency.
    pub currency: String,
    /// The date of the balance-sheet observation used.
    pub assets_observed: Date,
    /// The exchange rate used, as quoted (`None` for USD).
    pub fx_quote: Option<f64>,
    /// The date of the exchange-rate observation used.
    pub fx_observed: Option<Date>,
    /// US dollars per unit of the currency (1 for USD).
    pub usd_per_unit: f64,
    /// Assets in USD bn.
    ///
    /// # Formula
    ///
    /// `usd_bn = local_bn × usd_per_unit`.
    pub usd_bn: f64,
    /// Share of the global total.
    ///
    /// # Formula
    ///
    /// `share = usd_bn / total_usd_bn`.
    pub share: f64,
    /// The assets or the exchange rate are stale at this Friday (MODEL.md 1.3).
    pub stale: bool,
}

/// The k-week impulse of the total, in USD and at constant FX.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Impulse {
    /// The window in weeks.
    pub weeks: usize,
    /// The Friday the window ends on.
    pub date: Date,
    /// The Friday the window starts on.
    pub base_date: Date,
    /// No component was stale on any Friday of the window (`base_date..=date`). When false, a
    /// component was carried forward inside the window, its change counts as zero, and the
    /// impulse is not a current reading: see [`GlobalLiquidity::fresh_impulses`].
    pub window_fresh: bool,
    /// The total at the start, USD bn.
    pub base_usd_bn: f64,
    /// Percent change of the total in USD.
    ///
    /// # Formula
    ///
    /// `100 × (T_t / T_{t-k} - 1)`, `T_t = Σ_c A_{c,t} × fx_{c,t}` (USD per unit).
    pub pct_usd: f64,
    /// Percent change at constant FX: every rate held at its value at the start of the window.
    ///
    /// # Formula
    ///
    /// `100 × (T*_t / T_{t-k} - 1)`, `T*_t = Σ_c A_{c,t} × fx_{c,t-k}`.
    pub pct_constant_fx: f64,
    /// The part of the USD change due to exchange rates.
    ///
    /// # Formula
    ///
    /// `pct_usd - pct_constant_fx = 100 × Σ_c A_{c,t} (fx_{c,t} - fx_{c,t-k}) / T_{t-k}`.
    pub fx_effect_pct: f64,
    /// `T_t - T_{t-k}`, USD bn.
    pub change_usd_bn: f64,
    /// `T*_t - T_{t-k}`, USD bn.
    pub change_constant_fx_usd_bn: f64,
}

/// The global total at one Friday, with its components and impulses.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalReading {
    /// The Friday.
    pub date: Date,
    /// Sum of the components, USD bn.
    ///
    /// # Formula
    ///
    /// `T_t = Σ_c usd_bn_{c,t}` (see [`global_liquidity`]).
    pub total_usd_bn: f64,
    /// The components, in the order of [`GlobalLiquidity::inputs`].
    pub components: Vec<ComponentReading>,
    /// One impulse per window of [`GlobalConfig::windows_weeks`] (left out when the window
    /// reaches before the first defined total).
    pub impulses: Vec<Impulse>,
    /// Components stale at this Friday.
    pub stale_components: Vec<String>,
}

/// The global total in one week of the history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalWeek {
    /// The Friday.
    pub date: Date,
    /// Sum of the components, USD bn: `T_t = Σ_c A_{c,t} × fx_{c,t}`.
    pub total_usd_bn: f64,
    /// Each component in USD bn, `A_{c,t} × fx_{c,t}`, in the order of [`GlobalLiquidity::inputs`].
    pub components_usd_bn: Vec<f64>,
    /// The impulse in USD per window of [`GlobalLiquidity::windows_weeks`], percent:
    /// `100 × (T_t / T_{t-k} - 1)` ([`Impulse::pct_usd`]).
    pub impulse_pct: Vec<Option<f64>>,
    /// The impulse at constant FX per window, percent: `100 × (T*_t / T_{t-k} - 1)`
    /// ([`Impulse::pct_constant_fx`]).
    pub impulse_constant_fx_pct: Vec<Option<f64>>,
    /// A chain-linked index of the total at constant FX (100 at the first week): each week's link
    /// holds the exchange rates at the previous defined week's values.
    ///
    /// # Formula
    ///
    /// `I_0 = 100`, `I_t = I_s × Σ_c A_{c,t} fx_{c,s} / T_s` with `s` the previous week with a
    /// defined total.
    pub constant_fx_index: f64,
    /// Per window: no component was stale on any Friday of it ([`Impulse::window_fresh`]).
    pub impulse_window_fresh: Vec<Option<bool>>,
    /// Some component is stale this week.
    pub any_stale: bool,
}

/// Global liquidity as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GlobalLiquidity {
    /// The as-of date: nothing published after it was used.
    pub as_of: Date,
    /// The components used and their inputs.
    pub inputs: Vec<ComponentInput>,
    /// Components asked for but not loaded (the reason in words).
    pub missing: Vec<String>,
    /// The impulse windows, weeks.
    pub windows_weeks: Vec<usize>,
    /// The last Friday with a defined total.
    pub latest: Option<GlobalReading>,
    /// The last Friday with a defined total and no stale component.
    pub latest_fresh: Option<GlobalReading>,
    /// Per window of [`GlobalConfig::windows_weeks`], the impulse at the last Friday whose whole
    /// window had every component fresh ([`Impulse::window_fresh`]): the current impulse when
    /// its `date` is the latest Friday, otherwise the last one that can be read as a measurement
    /// (an impulse over a window with a stale component is not shown as current).
    pub fresh_impulses: Vec<Impulse>,
    /// Every Friday with a defined total.
    pub history: Vec<GlobalWeek>,
    /// Lead-lag of the constant-FX weekly change on each target's weekly log return.
    pub lead_lag: Vec<LeadLagResult>,
    /// Each spectrum tier's sensitivity to the global impulse: the regression of
    /// [`crate::model::spectrum::sensitivities`] with the constant-FX global impulse in place of
    /// the Fed's, over the same window as the Fed's (the chain's `change_weeks`, 13; no figures
    /// when that is not one of [`GlobalConfig::windows_weeks`]). Filled by
    /// [`crate::report::analyze_with`], which has the tiers; empty from [`global_liquidity`] alone.
    pub spectrum_sensitivities: Vec<crate::model::spectrum::Sensitivity>,
}

/// The publication lag the model applies to a dataset series: the catalog's (0 for asset prices,
/// whose close is public at the close), 0 for a user series.
pub(crate) fn series_lag(dataset: &Dataset, id: &str) -> i32 {
    dataset.entry(id).map_or(0, |e| if e.role == Role::Asset { 0 } else { e.publication_lag_days })
}

/// The native frequency of a dataset series: the catalog's, else inferred from the median gap
/// between observations (up to 3 days: daily; 10: weekly; 45: monthly; longer: quarterly).
pub(crate) fn series_frequency(dataset: &Dataset, id: &str) -> Frequency {
    if let Some(entry) = dataset.entry(id) {
        return entry.frequency;
    }
    let Some(series) = dataset.get(id) else { return Frequency::Daily };
    let mut gaps: Vec<i32> = series.dates().windows(2).map(|w| w[1].days() - w[0].days()).collect();
    if gaps.is_empty() {
        return Frequency::Daily;
    }
    gaps.sort_unstable();
    match gaps[gaps.len() / 2] {
        ..=3 => Frequency::Daily,
        4..=10 => Frequency::Weekly,
        11..=45 => Frequency::Monthly,
        _ => Frequency::Quarterly,
    }
}

/// One component joined to the calendar.
struct Joined {
    input: ComponentInput,
    assets: Aligned,
    assets_frequency: Frequency,
    fx: Option<(Aligned, Frequency)>,
    /// USD per unit on each Friday (1 for USD; NaN where unknown).
    usd_per_unit: Vec<f64>,
    /// Assets in local bn on each Friday (NaN where unknown).
    local_bn: Vec<f64>,
}

impl Joined {
    fn usd_bn(&self, t: usize) -> f64 {
        match (self.local_bn.get(t), self.usd_per_unit.get(t)) {
            (Some(a), Some(fx)) => a * fx,
            _ => f64::NAN,
        }
    }

    fn stale(&self, t: usize, date: Date) -> bool {
        let stale_of = |aligned: &Aligned, frequency: Frequency| {
            aligned.get(t).is_none_or(|(_, observed)| is_stale(observed, date, frequency, aligned.lag_days))
        };
        stale_of(&self.assets, self.assets_frequency)
            || self.fx.as_ref().is_some_and(|(fx, frequency)| stale_of(fx, *frequency))
    }
}

/// Global liquidity as of `as_of` (see the module docs): the Fed's net liquidity plus each bank of
/// `config`, in USD bn on the Friday calendar, with shares, impulses in USD and at constant FX,
/// and lead-lag on the targets.
///
/// `dataset` may hold data published after `as_of`: it is ignored. `None` when no component is
/// loaded or no Friday has a defined total.
///
/// # Formula
///
/// `T_t = NL_t + Σ_b A_{b,t} × s_b × fx_{b,t}` (USD bn), where `NL_t` is the Fed's net liquidity,
/// `A_{b,t}` bank b's assets public on Friday t, `s_b` its scale to billions and `fx_{b,t}` the USD
/// per unit public on t. Impulses: see [`Impulse`].
pub fn global_liquidity(dataset: &Dataset, as_of: Date, config: &GlobalConfig) -> Option<GlobalLiquidity> {
    let (specs, mut missing) = resolve_components(dataset, as_of, config);
    if specs.is_empty() {
        return None;
    }
    let first = specs.iter().filter_map(|(_, series, _)| series.first().map(|f| f.0)).min()?;
    let start = first.max(as_of.add_months(-12 * MAX_YEARS));
    let calendar = Calendar::fridays(start, as_of);
    if calendar.is_empty() {
        return None;
    }
    let components: Vec<Joined> = specs
        .into_iter()
        .map(|(input, series, spec)| join(dataset, &calendar, as_of, input, &series, spec))
        .collect();
    let dates = calendar.dates();
    let n = dates.len();
    let total: Vec<f64> = (0..n)
        .map(|t| components.iter().map(|c| c.usd_bn(t)).sum::<f64>())
        .map(|v| if v.is_finite() { v } else { f64::NAN })
        .collect();

    let windows: Vec<usize> = config.windows_weeks.iter().copied().filter(|k| *k > 0).collect();
    // stale_before[t]: Fridays before t on which some component was stale.
    let mut stale_before = Vec::with_capacity(n + 1);
    stale_before.push(0usize);
    for (t, &date) in dates.iter().enumerate() {
        let stale = components.iter().any(|c| c.stale(t, date));
        stale_before.push(stale_before[t] + usize::from(stale));
    }
    let window_fresh =
        |s: usize, t: usize| stale_before.get(t + 1).zip(stale_before.get(s)).is_some_and(|(a, b)| a == b);
    let impulse_at = |t: usize, k: usize| -> Option<Impulse> {
        let s = t.checked_sub(k)?;
        let (now, base) = (*total.get(t)?, *total.get(s)?);
        if !(now.is_finite() && base.is_finite()) || base == 0.0 {
            return None;
        }
        let constant: f64 = components
            .iter()
            .map(|c| {
                c.local_bn.get(t).copied().unwrap_or(f64::NAN)
                    * c.usd_per_unit.get(s).copied().unwrap_or(f64::NAN)
            })
            .sum();
        if !constant.is_finite() {
            return None;
        }
        let pct_usd = 100.0 * (now / base - 1.0);
        let pct_constant_fx = 100.0 * (constant / base - 1.0);
        Some(Impulse {
            weeks: k,
            date: *dates.get(t)?,
            base_date: *dates.get(s)?,
            window_fresh: window_fresh(s, t),
            base_usd_bn: base,
            pct_usd,
            pct_constant_fx,
            fx_effect_pct: pct_usd - pct_constant_fx,
            change_usd_bn: now - base,
            change_constant_fx_usd_bn: constant - base,
        })
    };

    // History and the chain-linked constant-FX index.
    let mut history = Vec::new();
    let mut index_series = Vec::new();
    let mut previous: Option<(usize, f64)> = None;
    for (t, &date) in dates.iter().enumerate() {
        let now = total[t];
        if !now.is_finite() {
            continue;
        }
        let index = match previous {
            None => Some(100.0),
            Some((s, level)) => {
                let linked: f64 = components
                    .iter()
                    .map(|c| c.local_bn[t] * c.usd_per_unit.get(s).copied().unwrap_or(f64::NAN))
                    .sum();
                let base = total[s];
                (linked.is_finite() && base != 0.0).then(|| level * linked / base)
            }
        };
        let Some(index) = index.filter(|v| v.is_finite() && *v > 0.0) else { continue };
        previous = Some((t, index));
        index_series.push((date, index));
        let impulses: Vec<Option<Impulse>> = windows.iter().map(|&k| impulse_at(t, k)).collect();
        history.push(GlobalWeek {
            date,
            total_usd_bn: now,
            components_usd_bn: components.iter().map(|c| c.usd_bn(t)).collect(),
            impulse_pct: impulses.iter().map(|i| i.map(|i| i.pct_usd)).collect(),
            impulse_constant_fx_pct: impulses.iter().map(|i| i.map(|i| i.pct_constant_fx)).collect(),
            impulse_window_fresh: impulses.iter().map(|i| i.map(|i| i.window_fresh)).collect(),
            constant_fx_index: index,
            any_stale: components.iter().any(|c| c.stale(t, date)),
        });
    }
    if history.is_empty() {
        missing.push("no Friday on which every component was public".into());
    }

    let reading = |t: usize| -> Option<GlobalReading> {
        let date = *dates.get(t)?;
        let now = *total.get(t)?;
        if !now.is_finite() || now == 0.0 {
            return None;
        }
        let readings: Vec<ComponentReading> = components
            .iter()
            .map(|c| {
                let (local, assets_observed) = c.assets.get(t)?;
                let scaled = local * c.input.scale_to_bn;
                let fx = c.fx.as_ref().and_then(|(fx, _)| fx.get(t));
                let usd_per_unit = *c.usd_per_unit.get(t)?;
                let usd_bn = scaled * usd_per_unit;
                Some(ComponentReading {
                    id: c.input.id.clone(),
                    local_bn: scaled,
                    currency: c.input.currency.clone(),
                    assets_observed,
                    fx_quote: fx.map(|f| f.0),
                    fx_observed: fx.map(|f| f.1),
                    usd_per_unit,
                    usd_bn,
                    share: usd_bn / now,
                    stale: c.stale(t, date),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(GlobalReading {
            date,
            total_usd_bn: now,
            stale_components: readings.iter().filter(|r| r.stale).map(|r| r.id.clone()).collect(),
            components: readings,
            impulses: windows.iter().filter_map(|&k| impulse_at(t, k)).collect(),
        })
    };
    let index_of = |date: Date| calendar.index_of(date);
    let latest = history.last().and_then(|w| index_of(w.date)).and_then(reading);
    let latest_fresh =
        history.iter().rev().find(|w| !w.any_stale).and_then(|w| index_of(w.date)).and_then(reading);
    let latest_t = history.last().and_then(|w| index_of(w.date));
    let fresh_impulses: Vec<Impulse> = windows
        .iter()
        .filter_map(|&k| (0..=latest_t?).rev().filter_map(|t| impulse_at(t, k)).find(|i| i.window_fresh))
        .collect();

    // The lead-lag ends at the last Friday with every component fresh: past it, a carried-forward
    // balance sheet or rate would add weeks of zero change to the leading series.
    let fresh_until = latest_fresh.as_ref().map(|r| r.date);
    let fresh_index: Vec<(Date, f64)> =
        index_series.iter().copied().filter(|(d, _)| fresh_until.is_some_and(|f| *d <= f)).collect();
    let index = Series::from_pairs(GLOBAL_INDEX_ID, &fresh_index).unwrap_or_default();
    let lead_lag_results = config
        .lead_lag_targets
        .iter()
        .filter_map(|id| {
            let target = dataset.get(id)?.truncated_after(as_of.add_days(-series_lag(dataset, id)));
            lead_lag(
                Leg { id: GLOBAL_INDEX_ID, series: &index, change: ChangeKind::LogChange },
                Leg { id, series: &target, change: ChangeKind::LogChange },
                &config.lead_lag,
            )
        })
        .collect();

    Some(GlobalLiquidity {
        as_of,
        inputs: components.into_iter().map(|c| c.input).collect(),
        missing,
        windows_weeks: windows,
        latest,
        latest_fresh,
        fresh_impulses,
        history,
        lead_lag: lead_lag_results,
        spectrum_sensitivities: Vec::new(),
    })
}

/// A component that is loaded: its input, its assets series, and its bank spec (`None` for the
/// Fed).
type Resolved = (ComponentInput, Series, Option<BankSpec>);

/// The components that are loaded, and the reasons the others are left out.
fn resolve_components(dataset: &Dataset, as_of: Date, config: &GlobalConfig) -> (Vec<Resolved>, Vec<String>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    if config.include_fed {
        match dataset.net_liquidity_weekly().filter(|p| !p.is_empty()) {
            Some(points) => {
                let series = liquidity::as_series(&points);
                let lag = ["WALCL", "WDTGAL", "RRPONTSYD"]
                    .iter()
                    .map(|id| series_lag(dataset, id))
                    .max()
                    .unwrap_or(2);
                out.push((
                    ComponentInput {
                        id: FED_ID.into(),
                        name: "Federal Reserve (net liquidity: WALCL - TGA - RRP)".into(),
                        assets_series: "NETLIQ".into(),
                        currency: "USD".into(),
                        scale_to_bn: 1.0,
                        assets_lag_days: lag.max(0),
                        fx_series: None,
                        fx_quote: None,
                        fx_lag_days: None,
                        assets_span: public_span(&series, lag, as_of),
                    },
                    series,
                    None,
                ));
            }
            None => {
                missing.push("FED: net liquidity needs WALCL and a TGA series (WDTGAL or WTREGEN)".into())
            }
        }
    }
    for spec in &config.banks {
        let Some(assets) = dataset.get(&spec.assets_series).filter(|s| !s.is_empty()) else {
            missing.push(format!("{}: assets series {} not loaded", spec.id, spec.assets_series));
            continue;
        };
        if let Some(fx) = &spec.fx_series {
            if dataset.get(fx).is_none_or(Series::is_empty) {
                missing.push(format!("{}: exchange rate {} not loaded", spec.id, fx));
                continue;
            }
        }
        if !(spec.scale_to_bn.is_finite() && spec.scale_to_bn > 0.0) {
            missing.push(format!("{}: scale_to_bn must be finite and positive", spec.id));
            continue;
        }
        let assets_lag =
            spec.publication_lag_days.unwrap_or_else(|| series_lag(dataset, &spec.assets_series));
        out.push((
            ComponentInput {
                id: spec.id.clone(),
                name: if spec.name.is_empty() { spec.id.clone() } else { spec.name.clone() },
                assets_series: spec.assets_series.clone(),
                currency: spec.currency.clone(),
                scale_to_bn: spec.scale_to_bn,
                assets_lag_days: assets_lag.max(0),
                fx_series: spec.fx_series.clone(),
                fx_quote: spec.fx_series.as_ref().map(|_| spec.fx_quote),
                fx_lag_days: spec.fx_series.as_ref().map(|fx| series_lag(dataset, fx).max(0)),
                assets_span: public_span(assets, assets_lag, as_of),
            },
            assets.clone(),
            Some(spec.clone()),
        ));
    }
    (out, missing)
}

/// The first and the last observation public at `as_of` (dated `d` with `d + lag <= as_of`).
fn public_span(series: &Series, lag: i32, as_of: Date) -> Option<(Date, Date)> {
    let (first, _) = series.first()?;
    let (last, _) = series.at_or_before(as_of.add_days(-lag.max(0)))?;
    Some((first, last))
}

fn join(
    dataset: &Dataset,
    calendar: &Calendar,
    as_of: Date,
    input: ComponentInput,
    assets_series: &Series,
    spec: Option<BankSpec>,
) -> Joined {
    let assets = as_of_with_cutoff(assets_series, input.assets_lag_days, calendar, Some(as_of));
    let assets_frequency = match &spec {
        None => Frequency::Weekly,
        Some(spec) => series_frequency(dataset, &spec.assets_series),
    };
    let local_bn: Vec<f64> = assets.values.iter().map(|v| v * input.scale_to_bn).collect();
    let fx = spec.as_ref().and_then(|spec| {
        let id = spec.fx_series.as_ref()?;
        let series = dataset.get(id)?;
        let aligned = as_of_with_cutoff(series, input.fx_lag_days.unwrap_or(0), calendar, Some(as_of));
        Some((aligned, series_frequency(dataset, id)))
    });
    let usd_per_unit = match (&fx, &spec) {
        (Some((aligned, _)), Some(spec)) => {
            aligned.values.iter().map(|q| spec.fx_quote.usd_per_unit(*q).unwrap_or(f64::NAN)).collect()
        }
        _ => vec![1.0; calendar.len()],
    };
    Joined { input, assets, assets_frequency, fx, usd_per_unit, local_bn }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fx_quotes_convert_both_ways() {
        assert_eq!(FxQuote::UsdPerUnit.usd_per_unit(1.25), Some(1.25));
        assert_eq!(FxQuote::UnitsPerUsd.usd_per_unit(125.0), Some(0.008));
        assert_eq!(FxQuote::UnitsPerUsd.usd_per_unit(0.0), None);
        assert_eq!(FxQuote::UsdPerUnit.usd_per_unit(f64::NAN), None);
        assert_eq!(serde_json::to_string(&FxQuote::UnitsPerUsd).ok().as_deref(), Some("\"units_per_usd\""));
    }
}
