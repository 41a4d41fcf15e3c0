//! The risk spectrum (MODEL.md 4): measured sensitivities, overflow, concentration, inside crypto,
//! rotation weights and the defensive-exit checklist.

use serde::Serialize;

use crate::align::Calendar;
use crate::model::{RegimeSnapshot, State};

/// One tier of the spectrum, safe to risky, with its weekly prices on the panel's Friday calendar.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierPrices {
    /// Tier id (e.g. `CASH`, `UST10`, `GOLD`, `SP500`, `NASDAQ100`, `NASDAQCOM`, `CBBTCUSD`,
    /// `CBETHUSD`, `ALTS`).
    pub id: String,
    /// A readable name.
    pub name: String,
    /// Friday closes (a total-return index for cash and Treasuries); NaN where unknown.
    pub prices: Vec<f64>,
}

/// Everything the spectrum needs, aligned on one Friday calendar (every slice has the calendar's
/// length; NaN where unknown). Built by [`crate::model::panel`], point in time.
#[derive(Clone, Debug)]
pub struct SpectrumInputs<'a> {
    /// The Friday calendar.
    pub calendar: &'a Calendar,
    /// Tiers in the assumed order, safe to risky.
    pub tiers: &'a [TierPrices],
    /// Net liquidity, USD bn.
    pub net_liquidity: &'a [f64],
    /// Net-liquidity impulse: 13-week percent change of net liquidity.
    pub impulse: &'a [f64],
    /// 10-year real yield (DFII10), percent.
    pub real_10y: &'a [f64],
    /// High-yield option-adjusted spread, percent.
    pub hy_oas: &'a [f64],
    /// Broad dollar index.
    pub dollar: &'a [f64],
    /// State of the risk-appetite link per week (None where unknown).
    pub risk_state: &'a [Option<State>],
    /// Regimes per week.
    pub regimes: &'a [RegimeSnapshot],
    /// Nasdaq-100 and Nasdaq Composite closes (concentration).
    pub nasdaq100: &'a [f64],
    /// Nasdaq Composite closes.
    pub nasdaq_composite: &'a [f64],
    /// Bitcoin closes.
    pub btc: &'a [f64],
    /// Ether closes.
    pub eth: &'a [f64],
    /// Spot BTC ETF net flows summed over each week (USD millions); None when no flows file.
    pub etf_flows_weekly: Option<&'a [f64]>,
}
