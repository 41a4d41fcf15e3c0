//! Performance metrics of a simulated portfolio (MODEL.md 7).
//!
//! Every figure is computed from weekly net returns `r_t` (after costs), the cash returns `c_t` of
//! the same weeks and the excess returns `e_t = r_t - c_t`, and annualised with
//! [`WEEKS_PER_YEAR`] = 52. A figure that is undefined (no weeks, zero spread, no losing week) is
//! `None`, never `NaN`. Standard deviations are sample ones (divisor `n - 1`), as in
//! [`crate::stats::descriptive`]. A spread below [`MIN_SPREAD`] counts as zero: returns built from
//! prices that grow by exactly 1% a week differ from 0.01 only by rounding, and a Sharpe ratio made
//! of rounding noise is not a figure.

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::stats::descriptive::{mean, std_dev};

use super::engine::{Simulation, WEEKS_PER_YEAR};

/// A weekly spread below this is zero (see the module docs).
pub const MIN_SPREAD: f64 = 1e-12;

/// The return of one calendar year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearReturn {
    /// The year (of the Friday each weekly return is realised on).
    pub year: i32,
    /// Compounded net return of the year's weeks.
    pub portfolio_return: f64,
    /// Compounded cash return of the same weeks.
    pub cash_return: f64,
    /// How many weekly returns the year holds (fewer than 52 for the first and last years).
    pub weeks: usize,
}

/// The metrics of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of weekly returns.
    pub weeks: usize,
    /// Total return over the window.
    pub total_return: Option<f64>,
    /// Compound annual growth rate.
    pub cagr: Option<f64>,
    /// Annualised volatility of weekly returns.
    pub volatility: Option<f64>,
    /// Annualised Sharpe ratio over cash.
    pub sharpe: Option<f64>,
    /// Annualised Sortino ratio over cash.
    pub sortino: Option<f64>,
    /// Deepest drawdown (0 or negative: -0.25 is a 25% fall from the peak).
    pub max_drawdown: Option<f64>,
    /// Longest run of consecutive weeks below a previous peak.
    pub longest_drawdown_weeks: usize,
    /// CAGR over the magnitude of the deepest drawdown.
    pub calmar: Option<f64>,
    /// Annualised turnover (1.0 = one full portfolio traded per year).
    pub turnover: Option<f64>,
    /// Sum of the costs paid, as shares of equity.
    pub total_cost: f64,
    /// Share of weeks not fully in cash.
    pub exposure: Option<f64>,
    /// Share of exposed weeks whose return beat cash.
    pub hit_rate: Option<f64>,
    /// Calendar-year returns.
    pub calendar_years: Vec<YearReturn>,
}

/// The per-week inputs of [`compute`]: slices of equal length (a shorter one is read as if cut).
#[derive(Clone, Copy, Debug)]
pub struct Columns<'a> {
    /// The Friday each return is realised on.
    pub dates: &'a [Date],
    /// Net returns.
    pub net: &'a [f64],
    /// Cash returns.
    pub cash: &'a [f64],
    /// Turnover of each week's trade.
    pub turnover: &'a [f64],
    /// Cost of each week's trade.
    pub cost: &'a [f64],
    /// Whether anything but cash was held.
    pub exposed: &'a [bool],
}

/// All metrics of a simulation.
pub fn of_simulation(run: &Simulation) -> Metrics {
    let exposed = run.exposed();
    compute(&Columns {
        dates: &run.dates,
        net: &run.net_return,
        cash: &run.cash_return,
        turnover: &run.turnover,
        cost: &run.cost,
        exposed: &exposed,
    })
}

/// All metrics of a set of columns.
pub fn compute(c: &Columns<'_>) -> Metrics {
    let n = [c.dates.len(), c.net.len(), c.cash.len(), c.turnover.len(), c.cost.len(), c.exposed.len()]
        .into_iter()
        .min()
        .unwrap_or(0);
    let (net, cash) = (&c.net[..n], &c.cash[..n]);
    let max_dd = max_drawdown(net);
    let cagr = cagr(net);
    Metrics {
        weeks: n,
        total_return: total_return(net),
        cagr,
        volatility: annualised_volatility(net),
        sharpe: sharpe_ratio(net, cash),
        sortino: sortino_ratio(net, cash),
        max_drawdown: max_dd,
        longest_drawdown_weeks: longest_drawdown_weeks(net),
        calmar: calmar_ratio(cagr, max_dd),
        turnover: annualised_turnover(&c.turnover[..n]),
        total_cost: c.cost[..n].iter().sum(),
        exposure: exposure(&c.exposed[..n]),
        hit_rate: hit_rate(net, cash, &c.exposed[..n]),
        calendar_years: calendar_years(&c.dates[..n], net, cash),
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Growth of 1 over the returns.
fn growth(returns: &[f64]) -> f64 {
    returns.iter().fold(1.0, |g, r| (g * (1.0 + r)).max(0.0))
}

/// Total return; `None` without weeks.
///
/// # Formula
///
/// `prod(1 + r_t) - 1` (equity floors at 0, as in the engine).
pub fn total_return(returns: &[f64]) -> Option<f64> {
    (!returns.is_empty()).then(|| growth(returns) - 1.0).and_then(finite)
}

/// Compound annual growth rate over `n` weeks; `None` without weeks or when equity ends at 0.
///
/// # Formula
///
/// `prod(1 + r_t)^(52 / n) - 1` (years are counted as `n / 52`, so 52 weeks of +1% give
/// `1.01^52 - 1`).
pub fn cagr(returns: &[f64]) -> Option<f64> {
    let g = growth(returns);
    (!returns.is_empty() && g > 0.0)
        .then(|| g.powf(WEEKS_PER_YEAR / returns.len() as f64) - 1.0)
        .and_then(finite)
}

/// Annualised volatility; `None` with fewer than two weeks.
///
/// # Formula
///
/// `s(r) * sqrt(52)`, `s` the sample standard deviation (0 below [`MIN_SPREAD`]).
pub fn annualised_volatility(returns: &[f64]) -> Option<f64> {
    let s = std_dev(returns)?;
    Some(if s < MIN_SPREAD { 0.0 } else { s * WEEKS_PER_YEAR.sqrt() })
}

fn excess(returns: &[f64], cash: &[f64]) -> Vec<f64> {
    returns.iter().zip(cash).map(|(r, c)| r - c).collect()
}

/// Annualised Sharpe ratio over cash; `None` with fewer than two weeks or when the excess return
/// does not vary.
///
/// # Formula
///
/// `mean(e) / s(e) * sqrt(52)` with `e_t = r_t - c_t`.
pub fn sharpe_ratio(returns: &[f64], cash: &[f64]) -> Option<f64> {
    let e = excess(returns, cash);
    let s = std_dev(&e)?;
    (s >= MIN_SPREAD).then(|| mean(&e).map(|m| m / s * WEEKS_PER_YEAR.sqrt())).flatten().and_then(finite)
}

/// Annualised Sortino ratio over cash; `None` without weeks or without a week below cash.
///
/// # Formula
///
/// `mean(e) / d * sqrt(52)` with the downside deviation `d = sqrt(sum(min(e_t, 0)^2) / n)`.
pub fn sortino_ratio(returns: &[f64], cash: &[f64]) -> Option<f64> {
    let e = excess(returns, cash);
    if e.is_empty() {
        return None;
    }
    let d = (e.iter().map(|x| x.min(0.0).powi(2)).sum::<f64>() / e.len() as f64).sqrt();
    (d >= MIN_SPREAD).then(|| mean(&e).map(|m| m / d * WEEKS_PER_YEAR.sqrt())).flatten().and_then(finite)
}

/// The drawdown after each week.
///
/// # Formula
///
/// `E_t / max(1, E_1, ..., E_t) - 1` with `E_t = prod_{s <= t}(1 + r_s)`.
pub fn drawdowns(returns: &[f64]) -> Vec<f64> {
    super::engine::equity_and_drawdown(returns).1
}

/// The deepest drawdown (0 or negative); `None` without weeks.
///
/// # Formula
///
/// `min_t (E_t / max_{s <= t} E_s - 1)`, the running peak starting at 1.
pub fn max_drawdown(returns: &[f64]) -> Option<f64> {
    drawdowns(returns).into_iter().reduce(f64::min)
}

/// The longest run of consecutive weeks whose equity is below a previous peak (a drawdown that has
/// not recovered by the end counts up to the end).
///
/// # Formula
///
/// The longest run of consecutive `t` with `E_t < max_{s < t} E_s` (peak starting at 1).
pub fn longest_drawdown_weeks(returns: &[f64]) -> usize {
    let (mut longest, mut current) = (0, 0);
    for dd in drawdowns(returns) {
        if dd < 0.0 {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

/// Calmar ratio; `None` when the CAGR is undefined or there was no drawdown.
///
/// # Formula
///
/// `CAGR / |max drawdown|`.
pub fn calmar_ratio(cagr: Option<f64>, max_drawdown: Option<f64>) -> Option<f64> {
    let (g, dd) = (cagr?, max_drawdown?);
    (dd < 0.0).then(|| g / -dd).and_then(finite)
}

/// Annualised turnover; `None` without weeks.
///
/// # Formula
///
/// `sum(turnover_t) / n * 52`.
pub fn annualised_turnover(turnover: &[f64]) -> Option<f64> {
    (!turnover.is_empty())
        .then(|| turnover.iter().sum::<f64>() / turnover.len() as f64 * WEEKS_PER_YEAR)
        .and_then(finite)
}

/// Share of weeks not fully in cash; `None` without weeks.
///
/// # Formula
///
/// `#{t: exposed_t} / n`.
pub fn exposure(exposed: &[bool]) -> Option<f64> {
    (!exposed.is_empty()).then(|| exposed.iter().filter(|e| **e).count() as f64 / exposed.len() as f64)
}

/// Share of exposed weeks whose return beat cash; `None` when never exposed.
///
/// # Formula
///
/// `#{t: exposed_t and r_t > c_t} / #{t: exposed_t}`.
pub fn hit_rate(returns: &[f64], cash: &[f64], exposed: &[bool]) -> Option<f64> {
    let (mut hits, mut weeks) = (0usize, 0usize);
    for ((r, c), e) in returns.iter().zip(cash).zip(exposed) {
        if *e {
            weeks += 1;
            if r > c {
                hits += 1;
            }
        }
    }
    (weeks > 0).then(|| hits as f64 / weeks as f64)
}

/// Compounded returns per calendar year of the return dates.
///
/// # Formula
///
/// For each year `y`: `prod_{t in y}(1 + r_t) - 1`, and the same for cash.
pub fn calendar_years(dates: &[Date], returns: &[f64], cash: &[f64]) -> Vec<YearReturn> {
    let mut out: Vec<YearReturn> = Vec::new();
    for ((d, r), c) in dates.iter().zip(returns).zip(cash) {
        let year = d.year();
        match out.last_mut() {
            Some(last) if last.year == year => {
                last.portfolio_return = (1.0 + last.portfolio_return) * (1.0 + r) - 1.0;
                last.cash_return = (1.0 + last.cash_return) * (1.0 + c) - 1.0;
                last.weeks += 1;
            }
            _ => out.push(YearReturn { year, portfolio_return: *r, cash_return: *c, weeks: 1 }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOL: f64 = 1e-12;

    #[test]
    fn drawdown_depth_and_length_by_hand() {
        // Equity 1.1, 0.99, 0.891, 1.0692, 1.2: peak 1.1, trough 0.891 (-19%), three weeks under
        // water (0.99, 0.891, 1.0692), recovered at 1.2.
        let r = [0.1, -0.1, -0.1, 0.2, 1.2 / 1.0692 - 1.0];
        assert!((max_drawdown(&r).unwrap_or(0.0) - (0.891 / 1.1 - 1.0)).abs() < TOL);
        assert_eq!(longest_drawdown_weeks(&r), 3);
        assert!(max_drawdown(&[]).is_none());
        assert_eq!(max_drawdown(&[0.01, 0.02]), Some(0.0));
    }

    #[test]
    fn undefined_figures_are_none() {
        assert!(sharpe_ratio(&[0.01], &[0.0]).is_none());
        assert!(sharpe_ratio(&[0.01, 0.01], &[0.0, 0.0]).is_none());
        assert!(sortino_ratio(&[0.01, 0.02], &[0.0, 0.0]).is_none());
        assert!(hit_rate(&[0.01], &[0.0], &[false]).is_none());
        assert!(calmar_ratio(Some(0.1), Some(0.0)).is_none());
        assert!(cagr(&[-1.0]).is_none());
    }

    #[test]
    fn sharpe_and_sortino_by_hand() {
        // Excess returns 0.02 and -0.01: mean 0.005, s = 0.0212132, d = sqrt(0.0001 / 2).
        let (r, c) = ([0.03, 0.0], [0.01, 0.01]);
        let s = (0.000_45f64).sqrt();
        assert!((sharpe_ratio(&r, &c).unwrap_or(0.0) - 0.005 / s * 52f64.sqrt()).abs() < 1e-9);
        let d = (0.0001f64 / 2.0).sqrt();
        assert!((sortino_ratio(&r, &c).unwrap_or(0.0) - 0.005 / d * 52f64.sqrt()).abs() < 1e-9);
    }
}
