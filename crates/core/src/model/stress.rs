//! Cross-asset stress: the days when "everything that could be sold was dumped".
//!
//! # Design
//!
//! Single-asset logic ("gold is a haven", "Treasuries rally when stocks fall") breaks down in a
//! liquidation: holders sell what they can, not what they want to, and the whole spectrum falls
//! together. This module measures that on every business day, point in time:
//!
//! - **Breadth of the fall.** The share of the spectrum assets ([`StressConfig::assets`]: gold,
//!   the 10-year Treasury total-return index, S&P 500, Nasdaq-100, Nasdaq Composite, Bitcoin,
//!   Ether, as loaded) whose price fell over 1 and over 5 business days.
//! - **Co-movement.** The average pairwise correlation of the assets' daily log returns over the
//!   last 60 business days, and its historical percentile (expanding window: against every earlier
//!   day's value, never a later one).
//! - **Episodes.** Days on which both are extreme (by default 5-day share >= 0.8 and co-movement
//!   percentile >= 0.9, with at least 4 assets voting over the 5 days) are merged into episodes when they are consecutive business days (more
//!   generally, at most [`StressConfig::merge_gap_days`] apart); each is listed with its dates and
//!   every asset's percent change over it.
//!
//! Prices are each asset's last close on or before the business day (lag 0: a close is public at
//! the close). The Treasury is the approximate total-return index
//! [`crate::model::panel::treasury_index`] built from DGS10 (id `UST10`), so a yield spike is a
//! fall; DGS10 is only used once public (its catalog lag, 1 day). The co-movement and the falls are
//! contemporaneous statistics, so the Treasury leg is joined on **observation dates**: the series is
//! cut at `as_of - lag` (nothing unpublished is used) and then joined with lag 0, so day `d`'s
//! Treasury return comes from day `d`'s yield, like every other asset's close (see
//! [`crate::model::panel`] for which figures use which dates).
//!
//! # Choices where the specification is silent
//!
//! - **No new close, no vote.** An asset counts over a horizon only when it has a fresh close
//!   ([`crate::align::is_stale`] with a daily frequency) both at the day and `h` business days before, and the
//!   two closes are different observations. A market holiday (an unchanged carried price) is thus
//!   neither a fall nor a rise, as MODEL.md 5 treats a zero benchmark return, and a stopped feed
//!   drops out instead of voting "unchanged" forever.
//! - **Returns for the co-movement** follow the same rule (a day without a new close is missing,
//!   not zero), so each pair's correlation uses the days on which both assets traded; a weekend
//!   crypto move lands in Monday's return. A pair counts when it has at least
//!   [`StressConfig::min_window_obs`] common returns in the window; the index needs
//!   [`StressConfig::min_assets`] assets (so at least three pairs).
//! - **Incremental.** Each pair keeps running sums (n, Σx, Σy, Σx², Σy², Σxy) over the window,
//!   adding the new day and dropping the day that leaves: `O(pairs)` per day, not `O(pairs × 60)`.
//!   The expanding percentile uses a Fenwick tree over the ranks of the values: `O(log n)` per day.
//! - **Percentile warm-up.** The percentile needs [`StressConfig::min_history_days`] earlier values
//!   of the index (one year of business days): a new index has no history to be extreme against.
//! - **Composition changes.** Assets join when their feed starts (Bitcoin in 2014, Ether in 2019);
//!   the index is an average over whatever pairs exist, so its level can shift when an asset joins.
//! - **Episode window.** The percent changes of an episode run from the close `h_long` (5) business
//!   days before its first extreme day (where the 5-day fall that triggered it began) to its last
//!   extreme day.

use serde::{Deserialize, Serialize};

use crate::align::{as_of_with_cutoff, Aligned, Calendar};
use crate::dataset::Dataset;
use crate::date::Date;
use crate::model::global::series_lag;
use crate::model::panel::{treasury_index, MAX_YEARS};
use crate::series::Series;

/// Thresholds of an extreme day.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StressThresholds {
    /// Share of assets down over the long horizon at or above which the fall is broad (0.8).
    pub share: f64,
    /// Co-movement percentile at or above which assets move together unusually (0.9).
    pub percentile: f64,
    /// The fewest assets with a vote over the long horizon (a fresh close at both ends) for the
    /// day to be called extreme (4, most of the default seven): three feeds that fall together
    /// while the others have stopped are not "everything sold".
    pub min_voting: usize,
}

impl Default for StressThresholds {
    fn default() -> StressThresholds {
        StressThresholds { share: 0.8, percentile: 0.9, min_voting: 4 }
    }
}

/// Settings of [`cross_asset_stress`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StressConfig {
    /// Dataset ids of the assets; `UST10` is built from DGS10 (default: GOLD, UST10, SP500,
    /// NASDAQ100, NASDAQCOM, CBBTCUSD, CBETHUSD).
    pub assets: Vec<String>,
    /// Short horizon in business days (1).
    pub short_days: usize,
    /// Long horizon in business days (5).
    pub long_days: usize,
    /// Rolling correlation window in business days (60).
    pub window_days: usize,
    /// Fewest common returns for a pair in a window (40).
    pub min_window_obs: usize,
    /// Fewest assets for a share or the co-movement index (3).
    pub min_assets: usize,
    /// Earlier index values needed for a percentile (250).
    pub min_history_days: usize,
    /// Extreme-day thresholds.
    pub thresholds: StressThresholds,
    /// Extreme days at most this many business days apart join one episode (1: consecutive).
    pub merge_gap_days: usize,
}

impl Default for StressConfig {
    fn default() -> StressConfig {
        StressConfig {
            assets: ["GOLD", "UST10", "SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            short_days: 1,
            long_days: 5,
            window_days: 60,
            min_window_obs: 40,
            min_assets: 3,
            min_history_days: 250,
            thresholds: StressThresholds::default(),
            merge_gap_days: 1,
        }
    }
}

/// The stress figures of one business day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressDay {
    /// The business day.
    pub date: Date,
    /// Share of the counted assets down over the short horizon.
    ///
    /// # Formula
    ///
    /// `#{i : P_{i,t} < P_{i,t-1}} / #{i counted}` (see the module docs for "counted").
    pub share_short: Option<f64>,
    /// Share of the counted assets down over the long horizon.
    ///
    /// # Formula
    ///
    /// `#{i : P_{i,t} < P_{i,t-5}} / #{i counted}`.
    pub share_long: Option<f64>,
    /// Assets counted over the short horizon.
    pub n_short: usize,
    /// Assets counted over the long horizon.
    pub n_long: usize,
    /// The co-movement index.
    ///
    /// # Formula
    ///
    /// `C_t = mean_{i<j} corr(r_i, r_j)` over the pairs with at least 40 common daily log returns
    /// `r = ln(P_t / P_{t-1})` in the 60 business days ending `t`.
    pub comovement: Option<f64>,
    /// Pairs behind the index.
    pub pairs: usize,
    /// The index's percentile against its history up to and including `t`.
    ///
    /// # Formula
    ///
    /// `#{s <= t : C_s <= C_t} / #{s <= t}` over the days with a defined index (at least 250
    /// before `t`).
    pub comovement_pct: Option<f64>,
    /// Both thresholds met.
    pub extreme: bool,
}

/// The stress reading of the last business day, with what fell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressReading {
    /// The figures.
    #[serde(flatten)]
    pub day: StressDay,
    /// The assets down over the short horizon.
    pub fell_short: Vec<String>,
    /// The assets down over the long horizon.
    pub fell_long: Vec<String>,
    /// Long-horizon percent change of each counted asset.
    pub change_long_pct: Vec<(String, f64)>,
    /// The thresholds the verdict used.
    pub thresholds: StressThresholds,
}

/// Whether a reading is an "everything is sold" day: the fall is broad and the co-movement
/// extreme. When it is, single-asset logic (havens, hedges) does not apply.
///
/// # Formula
///
/// `share_long >= thresholds.share && comovement_pct >= thresholds.percentile && n_long >=
/// thresholds.min_voting`.
pub fn stress_is_extreme(current: &StressReading) -> bool {
    is_extreme(&current.day, &current.thresholds)
}

fn is_extreme(day: &StressDay, thresholds: &StressThresholds) -> bool {
    day.n_long >= thresholds.min_voting
        && day.share_long.is_some_and(|s| s >= thresholds.share)
        && day.comovement_pct.is_some_and(|p| p >= thresholds.percentile)
}

/// One asset's move over an episode.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpisodeMove {
    /// The asset.
    pub asset: String,
    /// Percent change from the base close to the last extreme day.
    ///
    /// # Formula
    ///
    /// `100 × (P_end / P_base - 1)`.
    pub change_pct: f64,
}

/// A run of extreme days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StressEpisode {
    /// The first extreme day.
    pub start: Date,
    /// The last extreme day.
    pub end: Date,
    /// The close the changes are measured from (5 business days before `start`).
    pub base_date: Date,
    /// Extreme days in the episode.
    pub extreme_days: usize,
    /// The largest long-horizon share in it.
    pub max_share_long: f64,
    /// The largest co-movement index in it.
    pub max_comovement: f64,
    /// The largest co-movement percentile in it.
    pub max_comovement_pct: f64,
    /// Every asset with a fresh close at both ends, and its change.
    pub moves: Vec<EpisodeMove>,
    /// The assets that fell over the episode.
    pub fell: Vec<String>,
}

/// Cross-asset stress as of a date.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stress {
    /// The as-of date.
    pub as_of: Date,
    /// The assets found (in the configured order).
    pub assets: Vec<String>,
    /// The configured assets that were not loaded.
    pub missing: Vec<String>,
    /// The settings used.
    pub config: StressConfig,
    /// The last business day.
    pub current: Option<StressReading>,
    /// [`stress_is_extreme`] of the current reading.
    pub current_extreme: bool,
    /// The episodes, oldest first.
    pub episodes: Vec<StressEpisode>,
    /// Every business day.
    pub history: Vec<StressDay>,
}

/// Pearson's r of one window from its running sums, `None` without spread.
///
/// # Formula
///
/// `r = (n Σxy - Σx Σy) / sqrt((n Σx² - (Σx)²)(n Σy² - (Σy)²))`.
#[inline]
fn correlation_of_sums(n: f64, sx: f64, sy: f64, sxx: f64, syy: f64, sxy: f64) -> Option<f64> {
    let vx = n * sxx - sx * sx;
    let vy = n * syy - sy * sy;
    // Relative guard: a spread lost to rounding (a constant window) is no spread.
    if !(vx > 1e-12 * n * sxx && vy > 1e-12 * n * syy) {
        return None;
    }
    let r = (n * sxy - sx * sy) / (vx * vy).sqrt();
    r.is_finite().then(|| r.clamp(-1.0, 1.0))
}

/// The rolling correlation of `x` and `y` over windows of `window` slots, from running sums over
/// the slots where both are finite (added as they enter, removed as they leave): for each slot
/// with at least `min_obs` such pairs, `Some(r)`.
pub fn rolling_correlation(x: &[f64], y: &[f64], window: usize, min_obs: usize) -> Vec<Option<f64>> {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &y[..n]);
    let (window, min_obs) = (window.max(1), min_obs.max(2));
    let (mut count, mut sx, mut sy, mut sxx, mut syy, mut sxy) = (0usize, 0.0, 0.0, 0.0, 0.0, 0.0);
    let mut out = vec![None; n];
    for (t, slot) in out.iter_mut().enumerate() {
        let (a, b) = (x[t], y[t]);
        if a.is_finite() && b.is_finite() {
            count += 1;
            sx += a;
            sy += b;
            sxx += a * a;
            syy += b * b;
            sxy += a * b;
        }
        if t >= window {
            let (a, b) = (x[t - window], y[t - window]);
            if a.is_finite() && b.is_finite() {
                count -= 1;
                sx -= a;
                sy -= b;
                sxx -= a * a;
                syy -= b * b;
                sxy -= a * b;
            }
        }
        if count >= min_obs {
            *slot = correlation_of_sums(count as f64, sx, sy, sxx, syy, sxy);
        }
    }
    out
}

/// A Fenwick (binary indexed) tree counting values by rank.
struct Fenwick {
    tree: Vec<u32>,
}

impl Fenwick {
    fn new(n: usize) -> Fenwick {
        Fenwick { tree: vec![0; n + 1] }
    }

    /// Adds one at 0-based `rank`.
    fn add(&mut self, rank: usize) {
        let mut i = rank + 1;
        while i < self.tree.len() {
            self.tree[i] += 1;
            i += i & i.wrapping_neg();
        }
    }

    /// Count of values with rank `<= rank`.
    fn count_le(&self, rank: usize) -> u32 {
        let mut i = (rank + 1).min(self.tree.len().saturating_sub(1));
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }
}

/// The expanding percentile of each finite value against the finite values up to and including it
/// (see [`StressDay::comovement_pct`]); `None` with fewer than `min_history` earlier values.
pub fn expanding_percentile(values: &[f64], min_history: usize) -> Vec<Option<f64>> {
    // Integer keys in the order of the floats, so the sort compares machine words.
    let key = |v: f64| {
        let bits = v.to_bits();
        if bits >> 63 == 1 {
            !bits
        } else {
            bits | (1 << 63)
        }
    };
    let mut sorted: Vec<u64> = values.iter().filter(|v| v.is_finite()).map(|v| key(*v)).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let mut tree = Fenwick::new(sorted.len());
    let mut seen = 0usize;
    let mut out = vec![None; values.len()];
    for (v, slot) in values.iter().zip(out.iter_mut()) {
        if !v.is_finite() {
            continue;
        }
        let k = key(*v);
        let rank = sorted.partition_point(|s| *s < k);
        tree.add(rank);
        let earlier = seen;
        seen += 1;
        if earlier >= min_history {
            *slot = Some(f64::from(tree.count_le(rank)) / seen as f64);
        }
    }
    out
}

/// One asset on the business-day calendar.
struct AssetColumn {
    id: String,
    /// The close at each day when fresh and positive, else NaN.
    price: Vec<f64>,
    /// The day number of the observation behind each close (`i32::MIN` when none).
    observed: Vec<i32>,
}

/// The number of weekdays from a fixed Monday up to and including day `days`: the difference of
/// two ordinals is the number of weekdays in `(a, b]`, the age [`crate::align::is_stale`] counts
/// for daily series. `O(1)`, where the align module counts with a short loop.
fn weekday_ordinal(days: i32) -> i64 {
    // 1970-01-05 (day 4) was a Monday.
    let from_monday = i64::from(days) - 4;
    let (week, weekday) = (from_monday.div_euclid(7), from_monday.rem_euclid(7));
    5 * week + (weekday + 1).min(5)
}

/// The most weekdays a daily close may age before it is stale: twice its period (1) plus its lag
/// (0 for a close), as in [`crate::align::is_stale`].
const MAX_CLOSE_AGE: i64 = 2;

impl AssetColumn {
    /// The column of `aligned` on a calendar whose weekday ordinals are `ordinals`.
    fn new(id: &str, aligned: &Aligned, ordinals: &[i64]) -> AssetColumn {
        let n = ordinals.len();
        let mut price = vec![f64::NAN; n];
        let mut observed = vec![i32::MIN; n];
        let mut last_obs: Option<(i32, i64)> = None;
        let cells = aligned.values.iter().zip(&aligned.obs_dates).zip(ordinals);
        for (((p, obs), day), (price_slot, observed_slot)) in
            cells.zip(price.iter_mut().zip(observed.iter_mut()))
        {
            let Some(obs) = obs.map(Date::days) else { continue };
            let obs_ordinal = match last_obs {
                Some((d, o)) if d == obs => o,
                _ => weekday_ordinal(obs),
            };
            last_obs = Some((obs, obs_ordinal));
            if day - obs_ordinal <= MAX_CLOSE_AGE && p.is_finite() && *p > 0.0 {
                *price_slot = *p;
                *observed_slot = obs;
            }
        }
        AssetColumn { id: id.to_string(), price, observed }
    }

    /// The close at `t` when fresh.
    #[inline]
    fn price(&self, t: usize) -> Option<f64> {
        self.price.get(t).copied().filter(|p| p.is_finite())
    }

    /// `P_t / P_{t-h} - 1` when both closes are fresh and different observations.
    #[inline]
    fn change(&self, t: usize, h: usize) -> Option<f64> {
        let s = t.checked_sub(h)?;
        let (now, before) = (self.price(t)?, self.price(s)?);
        (self.observed.get(t)? != self.observed.get(s)?).then(|| now / before - 1.0)
    }
}

/// The asset series by id, from `from` (a week early, so the first day has a close to carry) to
/// what was public at `as_of`; `UST10` is built from DGS10 over that span (an index's base does not
/// change its returns).
///
/// A price is public at its close (lag 0); DGS10 carries its catalog lag (1 day: FRED publishes the
/// yield the next day), so on the as-of date itself the Treasury has no new close yet, exactly as
/// [`crate::report::public_at`] cuts it. Its closes keep their own dates, so its daily returns line
/// up with the other assets' days.
fn asset_series(dataset: &Dataset, id: &str, from: Date, as_of: Date) -> Option<Series> {
    let source_id = if id == "UST10" { "DGS10" } else { id };
    let source = dataset.get(source_id)?;
    let public = as_of.add_days(-series_lag(dataset, source_id).max(0));
    let start = source.dates().partition_point(|d| *d < from.add_days(-7));
    let end = source.dates().partition_point(|d| *d <= public);
    let span = Series::new(
        source.id.clone(),
        source.dates().get(start..end)?.to_vec(),
        source.values().get(start..end)?.to_vec(),
    )?;
    Some(if id == "UST10" { treasury_index(&span) } else { span })
}

/// Cross-asset stress as of `as_of` (see the module docs).
///
/// `dataset` may hold later data: it is ignored. `None` when fewer than
/// [`StressConfig::min_assets`] assets are loaded or no business day precedes `as_of`.
pub fn cross_asset_stress(dataset: &Dataset, as_of: Date, config: &StressConfig) -> Option<Stress> {
    let mut missing = Vec::new();
    let from = as_of.add_months(-12 * MAX_YEARS);
    let series: Vec<(String, Series)> = config
        .assets
        .iter()
        .filter_map(|id| match asset_series(dataset, id, from, as_of).filter(|s| !s.is_empty()) {
            Some(s) => Some((id.clone(), s)),
            None => {
                missing.push(id.clone());
                None
            }
        })
        .collect();
    let min_assets = config.min_assets.max(2);
    if series.len() < min_assets {
        return None;
    }
    let first = series.iter().filter_map(|(_, s)| s.first().map(|f| f.0)).min()?;
    let calendar = Calendar::business_days(first.max(from), as_of);
    let n = calendar.len();
    if n == 0 {
        return None;
    }
    let dates = calendar.dates();
    let ordinals: Vec<i64> = dates.iter().map(|d| weekday_ordinal(d.days())).collect();
    let columns: Vec<AssetColumn> = series
        .iter()
        .map(|(id, s)| AssetColumn::new(id, &as_of_with_cutoff(s, 0, &calendar, Some(as_of)), &ordinals))
        .collect();

    let (short, long) = (config.short_days.max(1), config.long_days.max(1));
    // Per day and horizon, the assets counted and down; per asset, the daily log returns (NaN
    // when not counted). One pass over each asset, plain loops (the crate is built for size).
    let mut counted = [vec![0usize; n], vec![0usize; n]];
    let mut down = [vec![0usize; n], vec![0usize; n]];
    let mut returns: Vec<Vec<f64>> = Vec::with_capacity(columns.len());
    for column in &columns {
        let (price, observed) = (column.price.as_slice(), column.observed.as_slice());
        for ((counted, down), h) in counted.iter_mut().zip(down.iter_mut()).zip([short, long]) {
            let (counted, down) = (counted.as_mut_slice(), down.as_mut_slice());
            for t in h..n.min(price.len()).min(observed.len()) {
                let (now, before) = (price[t], price[t - h]);
                if now.is_finite() && before.is_finite() && observed[t] != observed[t - h] {
                    counted[t] += 1;
                    down[t] += usize::from(now < before);
                }
            }
        }
        let mut r = vec![f64::NAN; n];
        for (t, slot) in r.iter_mut().enumerate().skip(1) {
            let (now, before) = (price[t], price[t - 1]);
            if now.is_finite() && before.is_finite() && observed[t] != observed[t - 1] {
                *slot = (now / before).ln();
            }
        }
        returns.push(r);
    }
    let share = |k: usize, t: usize| -> (Option<f64>, usize) {
        let (c, d) = (counted[k][t], down[k][t]);
        ((c >= min_assets).then(|| d as f64 / c as f64), c)
    };

    // The rolling pairwise correlations, one pair at a time (its running sums stay in registers).
    let window = config.window_days.max(2);
    let min_obs = config.min_window_obs.clamp(2, window);
    let min_pairs = min_assets.saturating_mul(min_assets - 1) / 2;
    let mut pair_sum = vec![0.0; n];
    let mut pair_counts = vec![0usize; n];
    for i in 0..returns.len() {
        for j in i + 1..returns.len() {
            let rolling = rolling_correlation(&returns[i], &returns[j], window, min_obs);
            for (t, r) in rolling.into_iter().enumerate() {
                if let Some(r) = r {
                    pair_sum[t] += r;
                    pair_counts[t] += 1;
                }
            }
        }
    }
    let comovement: Vec<f64> = pair_sum
        .iter()
        .zip(&pair_counts)
        .map(|(s, c)| if *c >= min_pairs.max(1) { s / *c as f64 } else { f64::NAN })
        .collect();
    let percentile = expanding_percentile(&comovement, config.min_history_days);

    let history: Vec<StressDay> = (0..n)
        .map(|t| {
            let (share_short, n_short) = share(0, t);
            let (share_long, n_long) = share(1, t);
            let mut day = StressDay {
                date: dates[t],
                share_short,
                share_long,
                n_short,
                n_long,
                comovement: comovement[t].is_finite().then_some(comovement[t]),
                pairs: pair_counts[t],
                comovement_pct: percentile[t],
                extreme: false,
            };
            day.extreme = is_extreme(&day, &config.thresholds);
            day
        })
        .collect();

    let episodes = episodes(&history, &columns, dates, long, config.merge_gap_days.max(1));
    let current = history.last().map(|day| {
        let t = n - 1;
        let fell = |h: usize| -> Vec<String> {
            columns.iter().filter(|c| c.change(t, h).is_some_and(|r| r < 0.0)).map(|c| c.id.clone()).collect()
        };
        StressReading {
            day: day.clone(),
            fell_short: fell(short),
            fell_long: fell(long),
            change_long_pct: columns
                .iter()
                .filter_map(|c| Some((c.id.clone(), 100.0 * c.change(t, long)?)))
                .collect(),
            thresholds: config.thresholds,
        }
    });
    let current_extreme = current.as_ref().is_some_and(stress_is_extreme);
    Some(Stress {
        as_of,
        assets: columns.iter().map(|c| c.id.clone()).collect(),
        missing,
        config: config.clone(),
        current,
        current_extreme,
        episodes,
        history,
    })
}

/// Merges extreme days into episodes and measures each asset over them.
fn episodes(
    history: &[StressDay],
    columns: &[AssetColumn],
    dates: &[Date],
    long: usize,
    merge_gap: usize,
) -> Vec<StressEpisode> {
    let extreme: Vec<usize> = history.iter().enumerate().filter(|(_, d)| d.extreme).map(|(t, _)| t).collect();
    let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (first, last, extreme days)
    for t in extreme {
        match runs.last_mut() {
            Some(run) if t - run.1 <= merge_gap => {
                run.1 = t;
                run.2 += 1;
            }
            _ => runs.push((t, t, 1)),
        }
    }
    runs.into_iter()
        .filter_map(|(first, last, extreme_days)| {
            let base = first.saturating_sub(long);
            let moves: Vec<EpisodeMove> = columns
                .iter()
                .filter_map(|c| {
                    let end = c.price(last)?;
                    let start = c.price(base)?;
                    Some(EpisodeMove { asset: c.id.clone(), change_pct: 100.0 * (end / start - 1.0) })
                })
                .collect();
            let days = history.get(first..=last)?;
            let max_of = |f: &dyn Fn(&StressDay) -> Option<f64>| {
                days.iter().filter_map(f).fold(f64::NEG_INFINITY, f64::max)
            };
            Some(StressEpisode {
                start: *dates.get(first)?,
                end: *dates.get(last)?,
                base_date: *dates.get(base)?,
                extreme_days,
                max_share_long: max_of(&|d| d.share_long),
                max_comovement: max_of(&|d| d.comovement),
                max_comovement_pct: max_of(&|d| d.comovement_pct),
                fell: moves.iter().filter(|m| m.change_pct < 0.0).map(|m| m.asset.clone()).collect(),
                moves,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanding_percentile_by_hand() {
        // Values 3, 1, 2, 2 with no warm-up: 3 is the max of {3} -> 1; 1 of {3,1} -> 1/2;
        // 2 of {3,1,2} -> 2/3; 2 of {3,1,2,2} -> 3/4 (ties count as at or below).
        let p = expanding_percentile(&[3.0, 1.0, f64::NAN, 2.0, 2.0], 0);
        assert_eq!(p, vec![Some(1.0), Some(0.5), None, Some(2.0 / 3.0), Some(0.75)]);
        let warm = expanding_percentile(&[3.0, 1.0, 2.0], 2);
        assert_eq!(warm, vec![None, None, Some(2.0 / 3.0)]);
    }

    #[test]
    fn rolling_correlation_matches_pearson_per_window() {
        let x = [0.01, -0.02, f64::NAN, 0.03, 0.00, 0.015, 0.5, -0.01];
        let y = [0.02, -0.01, 0.4, 0.025, -0.005, 0.0, 0.7, 0.003];
        let rolling = rolling_correlation(&x, &y, 4, 3);
        for (t, r) in rolling.iter().enumerate() {
            let start = (t + 1).saturating_sub(4);
            let direct = crate::stats::correlation::pearson(&x[start..=t], &y[start..=t]);
            let complete = (start..=t).filter(|&s| x[s].is_finite() && y[s].is_finite()).count();
            match (r, direct) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "t={t}: {a} vs {b}"),
                (None, _) => assert!(complete < 3, "t={t}"),
                (Some(a), None) => panic!("t={t}: {a} where Pearson is undefined"),
            }
        }
    }
}
