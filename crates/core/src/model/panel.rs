//! The weekly point-in-time panel: every input and derived series on one Friday calendar, as the
//! public could see it on each Friday.
//!
//! # Design
//!
//! The chain, the regimes and the spectrum all work on weeks ending Friday (MODEL.md 1.3). Each
//! catalog series joins the calendar as of its publication ([`crate::align::as_of_with_cutoff`]):
//! on Friday `t` the panel holds the last observation dated `d` with `d + lag <= t`, and nothing
//! published after the as-of date is used at all. A series loaded from its real-time vintages joins
//! on its first releases' own release days instead ([`crate::align::as_of_released`]), and so do
//! the transforms computed from it.
//!
//! Transforms of monthly and quarterly series (year-over-year, annualised rates) are computed on
//! the native observations, by date (so a month FRED never published, such as October 2025, is a
//! gap rather than a shifted index), and the result joins the calendar with the series' lag: CPI
//! YoY for March is public when March's CPI is. Transforms of daily and weekly series (13-week
//! changes) are computed on the Friday panel itself.
//!
//! Asset prices join with lag 0: a close is public at the close. Cash and the 10-year Treasury are
//! total-return indexes built from DFF and DGS10 (see [`cash_index`] and [`treasury_index`]).
//!
//! A column carries, per Friday, whether its input is stale (MODEL.md 1.3): stale inputs are
//! excluded from scores.
//!
//! # Publication dates and observation dates
//!
//! The columns above are joined **on publication dates**: they are what a reader could act on
//! each Friday, and every signal, score, regime and backtest reads them. A *contemporaneous*
//! statistic asks something else: how this week's return moves with this week's change. Joined
//! with its one-day lag, DFII10's Friday value is only public on Saturday, so Friday `t` would hold
//! Thursday's yield and a Friday-to-Friday gold return would be paired with a Thursday-to-Thursday
//! yield change, which blurs the week's own co-movement (on the real data it about halves the gold
//! slope). So every catalog series with a lag also gets an **observation-dated** column
//! ([`Panel::observed`]): on Friday `t`, the last observation *dated* on or before `t`. It is still
//! cut at the as-of date: only observations public by then (`d + lag <= as_of`) are used at all, so
//! only which week an observation is paired with changes, never what is known. The gold
//! regression and the spectrum's sensitivities (real yield, HY OAS, dollar) read these; the lead-lag
//! module samples on observation dates too. Net liquidity is the same either way on Fridays (the
//! Wednesday level is public two days later), and asset prices have no lag.

use std::collections::BTreeMap;

use crate::align::{as_of_released, as_of_with_cutoff, Aligned, Calendar};
use crate::catalog::Frequency;
use crate::dataset::Dataset;
use crate::date::Date;
use crate::liquidity;
use crate::series::Series;

/// How many years of history the panel covers at most (the longest window is 3 years for
/// z-scores, plus warm-up; 30 years bounds the work).
pub const MAX_YEARS: i32 = 30;

/// One weekly column.
#[derive(Clone, Debug, PartialEq)]
pub struct Column {
    /// Values per Friday (NaN where nothing is public).
    pub values: Vec<f64>,
    /// Per Friday: the input is stale (or absent) and must not be scored.
    pub stale: Vec<bool>,
    /// The date of the newest observation behind each value.
    pub obs_dates: Vec<Option<Date>>,
    /// The catalog series it was computed from.
    pub inputs: Vec<String>,
}

impl Column {
    fn from_aligned(aligned: Aligned, calendar: &Calendar, frequency: Frequency, inputs: &[&str]) -> Column {
        Column {
            stale: aligned.stale_mask(calendar, frequency),
            values: aligned.values,
            obs_dates: aligned.obs_dates,
            inputs: inputs.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// A column derived from this one: new values, same staleness and provenance.
    pub fn derive(&self, values: Vec<f64>) -> Column {
        Column {
            values,
            stale: self.stale.clone(),
            obs_dates: self.obs_dates.clone(),
            inputs: self.inputs.clone(),
        }
    }

    /// The last value and its index, when finite.
    pub fn last(&self) -> Option<(usize, f64)> {
        let i = self.values.len().checked_sub(1)?;
        let v = self.values[i];
        v.is_finite().then_some((i, v))
    }
}

/// The panel.
#[derive(Clone, Debug)]
pub struct Panel {
    /// The Fridays, ascending, ending at the last Friday on or before the as-of date.
    pub calendar: Calendar,
    /// The as-of date: nothing published after it is used.
    pub as_of: Date,
    /// Ids of the user's series whose role is an asset (extra spectrum tiers).
    pub user_asset_ids: Vec<String>,
    columns: BTreeMap<String, Column>,
    /// Observation-dated columns of the series with a publication lag (module docs).
    observed: BTreeMap<String, Observed>,
}

/// An observation-dated column with what rebuilds it for an earlier as-of date.
#[derive(Clone, Debug)]
struct Observed {
    column: Column,
    series: Series,
    lag: i32,
    frequency: Frequency,
}

impl Panel {
    /// Builds the panel from a dataset, as of `as_of` (default: the newest observation loaded).
    /// `None` when the dataset is empty.
    pub fn build(dataset: &Dataset, as_of: Option<Date>) -> Option<Panel> {
        let as_of = as_of.or_else(|| dataset.last_date())?;
        let first_data = dataset.iter().filter_map(|(_, l)| l.series.first()).map(|(d, _)| d).min()?;
        let start = first_data.max(as_of.add_months(-12 * MAX_YEARS));
        let calendar = Calendar::fridays(start, as_of);
        if calendar.is_empty() {
            return None;
        }
        let mut panel = Panel {
            calendar,
            as_of,
            user_asset_ids: Vec::new(),
            columns: BTreeMap::new(),
            observed: BTreeMap::new(),
        };
        for (id, loaded) in dataset.iter() {
            if let Some(role) = dataset.user_role(id) {
                // A user series: public on its dates, scored as a daily series.
                panel.join(id, &loaded.series, 0, Frequency::Daily, &[id]);
                if role == crate::catalog::Role::Asset {
                    panel.user_asset_ids.push(id.to_string());
                }
                continue;
            }
            let Some(entry) = dataset.entry(id) else { continue };
            let lag = if entry.role == crate::catalog::Role::Asset { 0 } else { entry.publication_lag_days };
            panel.join_input(dataset, id, id, &loaded.series, lag, entry.frequency);
        }
        panel.derive_native(dataset);
        Some(panel)
    }

    /// Joins a series under `id` with a lag and frequency (for staleness), on publication dates;
    /// with a positive lag, also on observation dates (see [`Panel::observed`]).
    pub fn join(&mut self, id: &str, series: &Series, lag: i32, frequency: Frequency, inputs: &[&str]) {
        let aligned = as_of_with_cutoff(series, lag, &self.calendar, Some(self.as_of));
        let column = Column::from_aligned(aligned, &self.calendar, frequency, inputs);
        self.columns.insert(id.to_string(), column);
        if lag > 0 {
            let column = self.join_observed(series, lag, frequency, inputs, self.as_of);
            let observed = Observed { column, series: series.clone(), lag, frequency };
            self.observed.insert(id.to_string(), observed);
        } else {
            self.observed.remove(id);
        }
    }

    /// [`Panel::join`] of `series` computed from catalog series `input`: when `input` was loaded
    /// from its vintages, each value joins from the release day of the newest observation behind
    /// it ([`Dataset::public_from_on`]), else with `lag`.
    fn join_input(
        &mut self,
        dataset: &Dataset,
        input: &str,
        id: &str,
        series: &Series,
        lag: i32,
        frequency: Frequency,
    ) {
        let Some(public_from) = dataset.public_from_on(input, series.dates()) else {
            return self.join(id, series, lag, frequency, &[input]);
        };
        let aligned = as_of_released(series, &public_from, lag, &self.calendar, Some(self.as_of));
        let column = Column::from_aligned(aligned, &self.calendar, frequency, &[input]);
        self.columns.insert(id.to_string(), column);
    }

    /// A column on **observation dates**, for contemporaneous statistics (module docs): on Friday
    /// `t`, the last observation dated on or before `t` among those public at the as-of date; its
    /// staleness counts from the observation date with no lag. For a series without a lag (asset
    /// prices, the user's series) and for columns computed on the panel, the column of
    /// [`Panel::get`]. Signals and backtests must use [`Panel::get`].
    pub fn observed(&self, id: &str) -> Option<&Column> {
        self.observed.get(id).map(|o| &o.column).or_else(|| self.columns.get(id))
    }

    /// [`Panel::observed`] as the public saw it at `as_of`, an earlier date than the panel's: near
    /// `as_of` an observation may be dated before it but published after it, and is then left out
    /// (rebuilt from the series, `O(n)`). The panel's own column when `as_of` is not earlier.
    pub fn observed_as_of(&self, id: &str, as_of: Date) -> Option<std::borrow::Cow<'_, Column>> {
        match self.observed.get(id) {
            Some(o) if as_of < self.as_of => {
                let inputs: Vec<&str> = o.column.inputs.iter().map(String::as_str).collect();
                Some(std::borrow::Cow::Owned(self.join_observed(
                    &o.series,
                    o.lag,
                    o.frequency,
                    &inputs,
                    as_of,
                )))
            }
            _ => self.observed(id).map(std::borrow::Cow::Borrowed),
        }
    }

    /// Lag 0 on the calendar, but only what was public at `as_of`: `d <= as_of - lag`.
    fn join_observed(
        &self,
        series: &Series,
        lag: i32,
        frequency: Frequency,
        inputs: &[&str],
        as_of: Date,
    ) -> Column {
        let aligned = as_of_with_cutoff(series, 0, &self.calendar, Some(as_of.add_days(-lag)));
        Column::from_aligned(aligned, &self.calendar, frequency, inputs)
    }

    /// The values of [`Panel::observed`] with its stale weeks masked as NaN (a carried-forward
    /// value would be a zero change), or all NaN when absent: what a regression may read.
    pub fn observed_fresh_or_nan(&self, id: &str) -> Vec<f64> {
        self.observed(id).map_or_else(
            || vec![f64::NAN; self.len()],
            |c| c.values.iter().zip(&c.stale).map(|(v, stale)| if *stale { f64::NAN } else { *v }).collect(),
        )
    }

    /// The values of [`Panel::observed`], or an all-NaN slice of the calendar's length when absent.
    pub fn observed_values_or_nan(&self, id: &str) -> Vec<f64> {
        self.observed(id).map_or_else(|| vec![f64::NAN; self.len()], |c| c.values.clone())
    }

    /// Inserts a computed column (publication-dated; it replaces any observation-dated one).
    pub fn insert(&mut self, id: &str, column: Column) {
        self.observed.remove(id);
        self.columns.insert(id.to_string(), column);
    }

    /// A column by id.
    pub fn get(&self, id: &str) -> Option<&Column> {
        self.columns.get(id)
    }

    /// The values of a column, or an all-NaN slice of the calendar's length when absent.
    pub fn values_or_nan(&self, id: &str) -> Vec<f64> {
        self.get(id).map_or_else(|| vec![f64::NAN; self.len()], |c| c.values.clone())
    }

    /// The values of a column with its stale weeks masked as NaN (MODEL.md 1.3: stale inputs are
    /// excluded), or all NaN when absent: what a signal or a regime may read.
    pub fn fresh_or_nan(&self, id: &str) -> Vec<f64> {
        self.get(id).map_or_else(
            || vec![f64::NAN; self.len()],
            |c| c.values.iter().zip(&c.stale).map(|(v, stale)| if *stale { f64::NAN } else { *v }).collect(),
        )
    }

    /// Number of Fridays.
    pub fn len(&self) -> usize {
        self.calendar.len()
    }

    /// True when the calendar is empty.
    pub fn is_empty(&self) -> bool {
        self.calendar.is_empty()
    }

    /// Column ids.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.columns.keys().map(String::as_str)
    }

    fn derive_native(&mut self, dataset: &Dataset) {
        let lag_of = |id: &str| dataset.entry(id).map_or(0, |e| e.publication_lag_days);
        let native = [
            ("CPI_YOY", "CPIAUCSL", Native::PctChangeMonths(12)),
            ("CPI_YOY_3M_CHANGE", "CPIAUCSL", Native::YoyChangeMonths(3)),
            ("CPI_6M_ANN", "CPIAUCSL", Native::AnnualisedMonths(6)),
            ("CORE_PCE_YOY", "PCEPILFE", Native::PctChangeMonths(12)),
            ("M2_YOY", "M2SL", Native::PctChangeMonths(12)),
            ("INDPRO_6M_ANN", "INDPRO", Native::AnnualisedMonths(6)),
            ("UNRATE_3M_CHANGE", "UNRATE", Native::DifferenceMonths(3)),
            ("GDP_QOQ_ANN", "GDPC1", Native::AnnualisedMonths(3)),
            ("STABLECOINS_30D_PCT", "STABLECOINS", Native::PctChangeDays(30)),
        ];
        for (id, input, how) in native {
            let (Some(series), Some(entry)) = (dataset.get(input), dataset.entry(input)) else { continue };
            let derived = how.apply(series, id);
            if !derived.is_empty() {
                self.join_input(dataset, input, id, &derived, lag_of(input), entry.frequency);
            }
        }
        // Weekly net liquidity: Wednesday levels, public when the last input is (H.4.1, 2 days).
        if let Some(points) = dataset.net_liquidity_weekly() {
            let series = liquidity::as_series(&points);
            let lag = ["WALCL", "WDTGAL", "RRPONTSYD"].iter().map(|id| lag_of(id)).max().unwrap_or(2);
            self.join(
                "NETLIQ",
                &series,
                lag,
                Frequency::Weekly,
                &["WALCL", "WDTGAL", "WTREGEN", "RRPONTSYD"],
            );
        }
        if let Some(dff) = dataset.get("DFF") {
            let index = cash_index(dff);
            self.join("CASH", &index, 0, Frequency::Daily, &["DFF"]);
        }
        if let Some(dgs10) = dataset.get("DGS10") {
            let index = treasury_index(dgs10);
            self.join("UST10", &index, 0, Frequency::Daily, &["DGS10"]);
        }
    }
}

/// Transforms computed on native observations, by date.
#[derive(Clone, Copy, Debug)]
enum Native {
    /// `100 * (x_m / x_{m-k} - 1)` with `m - k` the same day k months earlier.
    PctChangeMonths(i32),
    /// The change over k months of the year-over-year percent change.
    YoyChangeMonths(i32),
    /// `100 * ((x_m / x_{m-k})^(12/k) - 1)`.
    AnnualisedMonths(i32),
    /// `x_m - x_{m-k}`.
    DifferenceMonths(i32),
    /// `100 * (x_d / x_{<= d-k} - 1)` for daily series (base: the last observation at or before).
    PctChangeDays(i32),
}

impl Native {
    fn apply(self, series: &Series, id: &str) -> Series {
        let pct = |now: f64, before: f64| (before != 0.0).then(|| 100.0 * (now / before - 1.0));
        let by_months = |k: i32, f: &dyn Fn(f64, f64) -> Option<f64>| -> Vec<(Date, f64)> {
            series.iter().filter_map(|(d, v)| f(v, series.on(d.add_months(-k))?).map(|x| (d, x))).collect()
        };
        let pairs: Vec<(Date, f64)> = match self {
            Native::PctChangeMonths(k) => by_months(k, &pct),
            Native::AnnualisedMonths(k) => by_months(k, &|now, before| {
                (now > 0.0 && before > 0.0).then(|| 100.0 * ((now / before).powf(12.0 / k as f64) - 1.0))
            }),
            Native::DifferenceMonths(k) => by_months(k, &|now, before| Some(now - before)),
            Native::YoyChangeMonths(k) => {
                let yoy = Series::from_pairs(id, &by_months(12, &pct)).unwrap_or_default();
                yoy.iter().filter_map(|(d, v)| Some((d, v - yoy.on(d.add_months(-k))?))).collect()
            }
            Native::PctChangeDays(k) => series
                .iter()
                .filter_map(|(d, v)| {
                    let (_, before) = series.at_or_before(d.add_days(-k))?;
                    pct(v, before).map(|x| (d, x))
                })
                .collect(),
        };
        let pairs: Vec<(Date, f64)> = pairs.into_iter().filter(|(_, v)| v.is_finite()).collect();
        Series::from_pairs(id, &pairs).unwrap_or_default()
    }
}

/// A cash total-return index (1.0 at the first observation) accruing the effective fed funds rate
/// day by day: `I_d = I_{d-1} * (1 + DFF_{d-1} / 100 * days / 360)` (money-market actual/360).
pub fn cash_index(dff: &Series) -> Series {
    let mut level = 1.0;
    let mut pairs = Vec::with_capacity(dff.len());
    let mut previous: Option<(Date, f64)> = None;
    for (d, rate) in dff.iter() {
        if let Some((pd, pr)) = previous {
            level *= 1.0 + pr / 100.0 * f64::from(d.days() - pd.days()) / 360.0;
        }
        pairs.push((d, level));
        previous = Some((d, rate));
    }
    Series::from_pairs("CASH", &pairs).unwrap_or_default()
}

/// An approximate 10-year Treasury total-return index from the constant-maturity yield DGS10.
///
/// # Formula
///
/// Between observations `a` and `b` (`t` = days / 365.25 years):
/// `r = y_a * t - D(y_a) * (y_b - y_a)` with yields as fractions, where `D(y)` is the modified
/// duration of a 10-year par bond with semi-annual coupons, `D(y) = (1 - (1 + y/2)^-20) / y`
/// (`10 / (1 + ...)` limits to 10 as `y -> 0`). Carry plus duration times the yield change: it
/// ignores convexity and roll-down, which is the approximation MODEL.md 4 asks for.
pub fn treasury_index(dgs10: &Series) -> Series {
    let duration = |y: f64| if y.abs() < 1e-6 { 10.0 } else { (1.0 - (1.0 + y / 2.0).powi(-20)) / y };
    let mut level = 1.0;
    let mut pairs = Vec::with_capacity(dgs10.len());
    let mut previous: Option<(Date, f64)> = None;
    for (d, pct) in dgs10.iter() {
        let y = pct / 100.0;
        if let Some((pd, py)) = previous {
            let t = f64::from(d.days() - pd.days()) / 365.25;
            level *= 1.0 + py * t - duration(py) * (y - py);
        }
        pairs.push((d, level));
        previous = Some((d, y));
    }
    Series::from_pairs("UST10", &pairs).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("date")
    }

    #[test]
    fn yoy_is_by_date_and_skips_missing_months() {
        // 13 months with October missing: Nov's YoY compares with Nov a year before, not with an
        // index-shifted month.
        let mut pairs = Vec::new();
        for (i, m) in (0..14).enumerate() {
            let date = d("2024-01-01").add_months(m);
            if date == d("2024-10-01") {
                continue;
            }
            pairs.push((date, 100.0 + i as f64));
        }
        let cpi = Series::from_pairs("CPI", &pairs).expect("valid");
        let yoy = Native::PctChangeMonths(12).apply(&cpi, "Y");
        assert_eq!(yoy.dates(), &[d("2025-01-01"), d("2025-02-01")]);
        // Jan 2025 is the 13th month (i = 12): 112 / 100 - 1 = 12%.
        assert!((yoy.values()[0] - 12.0).abs() < 1e-12);
    }

    #[test]
    fn observed_columns_pair_observations_with_their_own_week_but_keep_the_cutoff() {
        // A daily series with a 1-day lag, observed Thursday 2024-01-04 (1.0), Friday 01-05
        // (2.0), Friday 01-12 (3.0); as of Friday 01-12, the 12th is not public yet (12 + 1 > 12).
        let series = Series::from_pairs(
            "X",
            &[(d("2024-01-04"), 1.0), (d("2024-01-05"), 2.0), (d("2024-01-12"), 3.0)],
        )
        .expect("valid");
        let calendar = Calendar::fridays(d("2024-01-05"), d("2024-01-12"));
        let mut panel = Panel {
            calendar,
            as_of: d("2024-01-12"),
            user_asset_ids: Vec::new(),
            columns: BTreeMap::new(),
            observed: BTreeMap::new(),
        };
        panel.join("X", &series, 1, Frequency::Daily, &["X"]);
        // Publication dates: Friday the 5th holds Thursday's value (Friday's is public Saturday).
        assert_eq!(panel.get("X").map(|c| c.values.clone()), Some(vec![1.0, 2.0]));
        // Observation dates: the 5th holds the 5th; the 12th holds the 5th, since the 12th's own
        // observation was not public at the as-of date.
        let observed = panel.observed("X").expect("joined");
        assert_eq!(observed.values, vec![2.0, 2.0]);
        assert_eq!(observed.obs_dates, vec![Some(d("2024-01-05")), Some(d("2024-01-05"))]);
        // Without a lag both joins are one.
        panel.join("P", &series, 0, Frequency::Daily, &["P"]);
        assert_eq!(panel.observed("P"), panel.get("P"));
    }

    #[test]
    fn cash_and_treasury_indexes() {
        let dff =
            Series::from_pairs("DFF", &[(d("2024-01-01"), 3.6), (d("2024-01-11"), 3.6)]).expect("valid");
        let cash = cash_index(&dff);
        // 10 days at 3.6% act/360: 1 + 0.036 * 10 / 360 = 1.001.
        assert!((cash.values()[1] - 1.001).abs() < 1e-12);
        // A yield unchanged for a year earns its carry; a 1pp rise loses about the duration.
        let flat = Series::from_pairs("D", &[(d("2023-01-01"), 4.0), (d("2024-01-01"), 4.0)]).expect("valid");
        let tr = treasury_index(&flat);
        assert!((tr.values()[1] - (1.0 + 0.04 * 365.0 / 365.25)).abs() < 1e-9);
        let jump = Series::from_pairs("D", &[(d("2024-01-01"), 4.0), (d("2024-01-02"), 5.0)]).expect("valid");
        let loss = treasury_index(&jump).values()[1] - 1.0;
        // D(4%) = (1 - 1.02^-20) / 0.04 = 8.1757; carry for one day is ~0.0001.
        assert!((loss - (0.04 / 365.25 - 8.175_717 * 0.01)).abs() < 1e-5, "{loss}");
    }
}
