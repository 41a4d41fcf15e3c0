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

use serde::Serialize;

use crate::date::Date;
use crate::series::Series;

/// Where the TGA value of a point came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TgaSource {
    /// The Wednesday level.
    Wdtgal,
    /// The week average (fallback).
    Wtregen,
}

/// One weekly net-liquidity observation with the inputs it used.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
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
