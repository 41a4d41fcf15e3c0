//! Fed net liquidity: the Fed's balance sheet less the cash parked where it cannot reach markets.
//!
//! # Formula
//!
//! `net_liquidity = WALCL - TGA - RRP`, in USD billions, where
//! - WALCL is the Fed's total assets (Wednesday level, native USD millions),
//! - TGA is the Treasury General Account: WDTGAL (Wednesday level, USD millions), or WTREGEN
//!   (week average ending Wednesday; billions or millions by vintage) for weeks WDTGAL lacks,
//! - RRP is the overnight reverse-repo take-up RRPONTSYD (USD billions) on that Wednesday or the
//!   last day before it within a week. Before the facility's regular use FRED reports no operation
//!   (missing days); a week with no reported operation counts as 0, and the point says so.
//!
//! Inputs arrive already in canonical units (see [`crate::catalog`]). The weekly series is dated on
//! WALCL's Wednesdays; a point is public `publication_lag` days later (the H.4.1 release on
//! Thursday), which [`crate::align`] applies when the model joins it to its calendar.

use serde::{Deserialize, Serialize};

use crate::align::{self, Aligned, Calendar};
use crate::date::Date;
use crate::series::Series;

/// Where the TGA value of a point came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TgaSource {
    /// The Wednesday level.
    Wdtgal,
    /// The week average (fallback).
    Wtregen,
}

impl TgaSource {
    /// The FRED id of the series.
    pub fn id(self) -> &'static str {
        match self {
            TgaSource::Wdtgal => "WDTGAL",
            TgaSource::Wtregen => "WTREGEN",
        }
    }
}

/// One weekly net-liquidity observation with the inputs it used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetLiquidityPoint {
    /// The Wednesday.
    pub date: Date,
    /// Fed total assets, USD bn.
    pub walcl: f64,
    /// Treasury General Account, USD bn.
    pub tga: f64,
    /// Which series gave the TGA.
    pub tga_source: TgaSource,
    /// Overnight reverse repo, USD bn.
    pub rrp: f64,
    /// The date of the RRP observation used (`None` when no operation was reported that week).
    pub rrp_date: Option<Date>,
    /// `walcl - tga - rrp`, USD bn.
    pub usd_bn: f64,
}

/// Weekly Fed net liquidity, from canonical-unit inputs.
///
/// A week appears only when WALCL and a TGA value exist for that Wednesday. `wtregen` may be
/// `None`.
pub fn net_liquidity_weekly(
    walcl: &Series,
    wdtgal: Option<&Series>,
    wtregen: Option<&Series>,
    rrp: Option<&Series>,
) -> Vec<NetLiquidityPoint> {
    let mut out = Vec::with_capacity(walcl.len());
    for (date, assets) in walcl.iter() {
        let tga = wdtgal
            .and_then(|s| s.on(date).map(|v| (v, TgaSource::Wdtgal)))
            .or_else(|| wtregen.and_then(|s| s.on(date).map(|v| (v, TgaSource::Wtregen))));
        let Some((tga, tga_source)) = tga else {
            continue;
        };
        let rrp_obs = rrp.and_then(|s| s.at_or_before(date)).filter(|(d, _)| d.days() > date.days() - 7);
        let (rrp_value, rrp_date) = rrp_obs.map_or((0.0, None), |(d, v)| (v, Some(d)));
        out.push(NetLiquidityPoint {
            date,
            walcl: assets,
            tga,
            tga_source,
            rrp: rrp_value,
            rrp_date,
            usd_bn: assets - tga - rrp_value,
        });
    }
    out
}

/// The weekly points as a [`Series`] with id `NETLIQ`.
pub fn as_series(points: &[NetLiquidityPoint]) -> Series {
    let dates = points.iter().map(|p| p.date).collect();
    let values = points.iter().map(|p| p.usd_bn).collect();
    // Points come from WALCL's ascending, unique dates with finite sums.
    Series::new("NETLIQ", dates, values).unwrap_or_default()
}

/// Daily Fed net liquidity on a calendar, with the observations each value used (MODEL.md 2:
/// "daily: each input carried forward from its last public value").
///
/// Every vector has one entry per calendar date. `usd_bn` is NaN where WALCL or a TGA value was
/// not public yet; the other vectors say which observation of each input the value used, so the
/// figure can always be traced to its sources. Values are public on their calendar dates: join
/// them with lag 0 (see [`NetLiquidityDaily::to_series`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetLiquidityDaily {
    /// `walcl - tga - rrp`, USD bn; NaN before WALCL and a TGA value are both public.
    pub usd_bn: Vec<f64>,
    /// Fed total assets used, USD bn (NaN when none was public).
    pub walcl: Vec<f64>,
    /// The date of the WALCL observation used.
    pub walcl_dates: Vec<Option<Date>>,
    /// Treasury General Account used, USD bn (NaN when none was public).
    pub tga: Vec<f64>,
    /// The date of the TGA observation used.
    pub tga_dates: Vec<Option<Date>>,
    /// Which series gave the TGA.
    pub tga_sources: Vec<Option<TgaSource>>,
    /// Overnight reverse repo used, USD bn (0 when no operation was reported; see
    /// [`net_liquidity_daily`]).
    pub rrp: Vec<f64>,
    /// The date of the RRP observation used (`None` when counted as no operation).
    pub rrp_dates: Vec<Option<Date>>,
    /// The largest publication lag among WALCL and the TGA series, in days (for staleness).
    pub lag_days: i32,
}

/// The id of the daily net-liquidity series ([`NetLiquidityDaily::to_series`]).
pub const DAILY_ID: &str = "NETLIQ_DAILY";

impl NetLiquidityDaily {
    /// Number of calendar dates.
    pub fn len(&self) -> usize {
        self.usd_bn.len()
    }

    /// True when the calendar was empty.
    pub fn is_empty(&self) -> bool {
        self.usd_bn.is_empty()
    }

    /// The last calendar position with a value.
    pub fn latest(&self) -> Option<usize> {
        self.usd_bn.iter().rposition(|v| v.is_finite())
    }

    /// The net liquidity as an [`Aligned`] column: each value is dated by its *oldest* WALCL or TGA
    /// observation (a figure is only as fresh as its stalest input), with [`Self::lag_days`], so
    /// [`Aligned::stale_mask`] with [`crate::catalog::Frequency::Weekly`] flags it.
    pub fn to_aligned(&self) -> Aligned {
        let obs_dates = self
            .usd_bn
            .iter()
            .zip(self.walcl_dates.iter().zip(&self.tga_dates))
            .map(|(v, (w, t))| if v.is_finite() { w.zip(*t).map(|(w, t)| w.min(t)) } else { None })
            .collect::<Vec<_>>();
        let values = self
            .usd_bn
            .iter()
            .zip(&obs_dates)
            .map(|(v, d)| if d.is_some() { *v } else { f64::NAN })
            .collect();
        Aligned { values, obs_dates, lag_days: self.lag_days }
    }

    /// The values as a [`Series`] with id [`DAILY_ID`], dated on `calendar` (the one it was computed
    /// on), leaving out dates without a value. Already point in time: join it with lag 0.
    pub fn to_series(&self, calendar: &Calendar) -> Series {
        let (dates, values): (Vec<Date>, Vec<f64>) =
            calendar.iter().zip(&self.usd_bn).filter(|(_, v)| v.is_finite()).map(|(t, v)| (t, *v)).unzip();
        // Calendar dates ascend strictly and only finite values are kept.
        Series::new(DAILY_ID, dates, values).unwrap_or_default()
    }
}

/// Daily Fed net liquidity on `calendar`: at each date `t`, WALCL - TGA - RRP, each input carried
/// forward from its last value *public* at `t`. Each input comes with its publication lag in
/// days, `(series, lag_days)` (the catalog's: 2 for WALCL and WDTGAL, 1 for RRPONTSYD), and in
/// canonical units (USD bn).
///
/// - **TGA** is WDTGAL, else WTREGEN: of the two last public observations the newer one is used,
///   WDTGAL on a tie, which is the weekly rule ("WTREGEN for weeks WDTGAL lacks") carried forward.
/// - **RRP** is the last public RRPONTSYD value when it is less than `7 + lag` days old at `t`
///   (an operation in the last week the public could see); an older one, or no RRP series, counts
///   as no operation (0, with `rrp_dates` `None`), as in [`net_liquidity_weekly`]. A stopped RRP
///   feed therefore reads as zero: check its own staleness before trusting a recent figure.
///
/// # Example
///
/// ```
/// use tideline_core::{align::Calendar, liquidity::net_liquidity_daily, Date, Series};
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// let walcl = Series::from_pairs("WALCL", &[(d("2024-01-03"), 7700.0)]).unwrap();
/// let tga = Series::from_pairs("WDTGAL", &[(d("2024-01-03"), 750.0)]).unwrap();
/// let rrp = Series::from_pairs("RRPONTSYD", &[(d("2024-01-04"), 600.0)]).unwrap();
/// let days = Calendar::daily(d("2024-01-04"), d("2024-01-05"));
/// let net = net_liquidity_daily(&days, (&walcl, 2), Some((&tga, 2)), None, Some((&rrp, 1)));
/// assert!(net.usd_bn[0].is_nan()); // Thursday: the H.4.1 Wednesday levels are not public yet
/// assert_eq!(net.usd_bn[1], 7700.0 - 750.0 - 600.0);
/// ```
pub fn net_liquidity_daily(
    calendar: &Calendar,
    walcl: (&Series, i32),
    wdtgal: Option<(&Series, i32)>,
    wtregen: Option<(&Series, i32)>,
    rrp: Option<(&Series, i32)>,
) -> NetLiquidityDaily {
    let join = |(series, lag_days): (&Series, i32)| align::as_of(series, lag_days, calendar);
    let walcl_joined = join(walcl);
    let wdtgal_joined = wdtgal.map(join);
    let wtregen_joined = wtregen.map(join);
    let rrp_joined = rrp.map(join);
    let rrp_window = rrp.map_or(0, |(_, lag)| 7 + i64::from(lag.max(0)));
    let lag_days =
        [Some(walcl), wdtgal, wtregen].into_iter().flatten().map(|(_, lag)| lag.max(0)).max().unwrap_or(0);

    let n = calendar.len();
    let mut out = NetLiquidityDaily {
        usd_bn: Vec::with_capacity(n),
        walcl: Vec::with_capacity(n),
        walcl_dates: Vec::with_capacity(n),
        tga: Vec::with_capacity(n),
        tga_dates: Vec::with_capacity(n),
        tga_sources: Vec::with_capacity(n),
        rrp: Vec::with_capacity(n),
        rrp_dates: Vec::with_capacity(n),
        lag_days,
    };
    for (i, t) in calendar.iter().enumerate() {
        let assets = walcl_joined.get(i);
        let from_wdtgal = wdtgal_joined.as_ref().and_then(|a| a.get(i));
        let from_wtregen = wtregen_joined.as_ref().and_then(|a| a.get(i));
        let tga = match (from_wdtgal, from_wtregen) {
            (Some(w), Some(g)) if g.1 > w.1 => Some((g, TgaSource::Wtregen)),
            (Some(w), _) => Some((w, TgaSource::Wdtgal)),
            (None, Some(g)) => Some((g, TgaSource::Wtregen)),
            (None, None) => None,
        };
        let rrp_obs = rrp_joined
            .as_ref()
            .and_then(|a| a.get(i))
            .filter(|(_, d)| i64::from(t.days()) - i64::from(d.days()) < rrp_window);
        let (rrp_value, rrp_date) = rrp_obs.map_or((0.0, None), |(v, d)| (v, Some(d)));
        let usd_bn = match (assets, tga) {
            (Some((assets, _)), Some(((tga, _), _))) => assets - tga - rrp_value,
            _ => f64::NAN,
        };
        out.usd_bn.push(usd_bn);
        out.walcl.push(assets.map_or(f64::NAN, |(v, _)| v));
        out.walcl_dates.push(assets.map(|(_, d)| d));
        out.tga.push(tga.map_or(f64::NAN, |((v, _), _)| v));
        out.tga_dates.push(tga.map(|((_, d), _)| d));
        out.tga_sources.push(tga.map(|(_, source)| source));
        out.rrp.push(rrp_value);
        out.rrp_dates.push(rrp_date);
    }
    out
}

#[cfg(test)]
mod daily_tests {
    use super::*;
    use crate::catalog::Frequency;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    fn series(id: &str, pairs: &[(&str, f64)]) -> Series {
        let pairs: Vec<(Date, f64)> = pairs.iter().map(|(s, v)| (d(s), *v)).collect();
        Series::from_pairs(id, &pairs).expect("valid test series")
    }

    #[test]
    fn carries_each_input_from_its_last_public_value() {
        // Wednesdays 3rd, 10th, 17th; WDTGAL lacks the 10th, WTREGEN has it.
        let walcl =
            series("WALCL", &[("2024-01-03", 7700.0), ("2024-01-10", 7680.0), ("2024-01-17", 7670.0)]);
        let wdtgal = series("WDTGAL", &[("2024-01-03", 750.0), ("2024-01-17", 700.0)]);
        let wtregen = series("WTREGEN", &[("2024-01-03", 740.0), ("2024-01-10", 720.0)]);
        let rrp = series("RRP", &[("2024-01-04", 600.0), ("2024-01-11", 550.0)]);
        let cal = Calendar::daily(d("2024-01-04"), d("2024-01-31"));
        let net =
            net_liquidity_daily(&cal, (&walcl, 2), Some((&wdtgal, 2)), Some((&wtregen, 2)), Some((&rrp, 1)));
        let at = |s: &str| cal.index_of(d(s)).unwrap_or(usize::MAX);
        assert_eq!(net.len(), cal.len());
        // Thursday 4th: no WALCL public yet.
        assert!(net.usd_bn[at("2024-01-04")].is_nan());
        assert_eq!(net.walcl_dates[at("2024-01-04")], None);
        // Friday 5th: Wednesday levels public, RRP of the 4th public on the 5th; WDTGAL wins the tie.
        let i = at("2024-01-05");
        assert_eq!(net.usd_bn[i], 7700.0 - 750.0 - 600.0);
        assert_eq!((net.tga_sources[i], net.rrp_dates[i]), (Some(TgaSource::Wdtgal), Some(d("2024-01-04"))));
        // Friday 12th: WTREGEN has the newer week.
        let i = at("2024-01-12");
        assert_eq!(net.usd_bn[i], 7680.0 - 720.0 - 550.0);
        assert_eq!((net.tga_sources[i], net.tga_dates[i]), (Some(TgaSource::Wtregen), Some(d("2024-01-10"))));
        // Thursday 18th: the RRP of the 11th is 7 days old, < 7 + 1: still used.
        let i = at("2024-01-18");
        assert_eq!((net.usd_bn[i], net.rrp_dates[i]), (7680.0 - 720.0 - 550.0, Some(d("2024-01-11"))));
        // Friday 19th: WDTGAL back; the RRP observation is 8 days old: no operation, 0.
        let i = at("2024-01-19");
        assert_eq!((net.rrp[i], net.rrp_dates[i], net.usd_bn[i]), (0.0, None, 7670.0 - 700.0));
        assert_eq!(net.tga_sources[i], Some(TgaSource::Wdtgal));
        assert_eq!(net.latest(), Some(cal.len() - 1));
        assert_eq!(net.lag_days, 2);
        assert_eq!(net.to_series(&cal).first(), Some((d("2024-01-05"), 7700.0 - 750.0 - 600.0)));
    }

    #[test]
    fn needs_walcl_and_a_tga() {
        let walcl = series("WALCL", &[("2024-01-03", 7700.0)]);
        let cal = Calendar::daily(d("2024-01-03"), d("2024-01-10"));
        let net = net_liquidity_daily(&cal, (&walcl, 2), None, None, None);
        assert!(net.usd_bn.iter().all(|v| v.is_nan()));
        assert_eq!(net.latest(), None);
        assert!(net.to_series(&cal).is_empty());
        let tga = series("WTREGEN", &[("2024-01-03", 700.0)]);
        let net = net_liquidity_daily(&cal, (&walcl, 2), None, Some((&tga, 2)), None);
        assert_eq!(net.usd_bn[2], 7000.0);
        assert!(net_liquidity_daily(&Calendar::default(), (&walcl, 2), None, None, None).is_empty());
    }

    #[test]
    fn the_daily_figure_is_as_fresh_as_its_stalest_input() {
        let walcl = series("WALCL", &[("2024-01-03", 7700.0), ("2024-01-10", 7680.0)]);
        let tga = series("WDTGAL", &[("2024-01-03", 750.0)]);
        let cal = Calendar::daily(d("2024-01-03"), d("2024-01-25"));
        let net = net_liquidity_daily(&cal, (&walcl, 2), Some((&tga, 2)), None, None);
        let aligned = net.to_aligned();
        assert_eq!(aligned.get(10), Some((7680.0 - 750.0, d("2024-01-03"))));
        let stale = aligned.stale_mask(&cal, Frequency::Weekly);
        // TGA of the 3rd: fresh up to the 19th (16 days), stale from the 20th.
        assert!(!stale[16] && stale[17]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    #[test]
    fn subtracts_tga_and_rrp_with_fallbacks() {
        let walcl = Series::from_pairs(
            "WALCL",
            &[(d("2024-01-03"), 7700.0), (d("2024-01-10"), 7680.0), (d("2024-01-17"), 7670.0)],
        )
        .expect("valid");
        let wdtgal = Series::from_pairs("WDTGAL", &[(d("2024-01-03"), 750.0), (d("2024-01-10"), 700.0)])
            .expect("valid");
        let wtregen = Series::from_pairs("WTREGEN", &[(d("2024-01-17"), 720.0)]).expect("valid");
        // RRP: Wednesday 3rd observed, the 10th missing (holiday-like), use the 9th.
        let rrp =
            Series::from_pairs("RRP", &[(d("2024-01-03"), 600.0), (d("2024-01-09"), 550.0)]).expect("valid");
        let p = net_liquidity_weekly(&walcl, Some(&wdtgal), Some(&wtregen), Some(&rrp));
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].usd_bn, 7700.0 - 750.0 - 600.0);
        assert_eq!((p[1].usd_bn, p[1].rrp_date), (7680.0 - 700.0 - 550.0, Some(d("2024-01-09"))));
        // The 17th: TGA from WTREGEN; last RRP is 8 days old, so no operation that week.
        assert_eq!((p[2].tga_source, p[2].rrp, p[2].usd_bn), (TgaSource::Wtregen, 0.0, 7670.0 - 720.0));
    }
}
