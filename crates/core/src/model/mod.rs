//! The model: MODEL.md sections 2 to 6, from a [`crate::dataset::Dataset`] to a
//! [`crate::report::Report`].
//!
//! - [`panel`]: the weekly (Friday) point-in-time panel of every input and indicator.
//! - [`chain`]: indicators, the five links, transmission, the break point and the narrative.
//! - [`regime`]: cycle quadrant, monetary, liquidity and risk regimes for every week.
//! - [`spectrum`]: the risk spectrum: sensitivities, overflow, concentration, rotation.
//! - [`risk_regime`]: each spectrum asset's return, volatility, Sharpe and drawdown in each
//!   liquidity regime and cycle quadrant (the regime at a week with the next week's return).
//! - [`asymmetry`]: "follows the decline, not the rise".
//! - [`leadlag`]: lead-lag, Granger tests and correlation stability.
//! - [`global`], [`divergence`], [`stress`], [`flows`], [`gold`]: beyond the Fed (global liquidity,
//!   policy divergence, cross-asset stress, ETF flows and mNAV, gold vs real rates); not yet in the
//!   report.

pub mod asymmetry;
pub mod chain;
pub mod divergence;
pub mod flows;
pub mod global;
pub mod gold;
pub mod leadlag;
pub mod panel;
pub mod regime;
pub mod risk_regime;
pub mod spectrum;
pub mod stress;

use serde::{Deserialize, Serialize};

/// A three-way state of a link or regime axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Supports risk assets (score above the threshold).
    Supportive,
    /// Neither.
    Neutral,
    /// Hurts risk assets (score below minus the threshold).
    Restrictive,
}

impl State {
    /// The state of a score against a symmetric threshold (MODEL.md 2: 0.5).
    pub fn of(score: f64, threshold: f64) -> State {
        if score > threshold {
            State::Supportive
        } else if score < -threshold {
            State::Restrictive
        } else {
            State::Neutral
        }
    }
}

/// Monetary regime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monetary {
    /// Policy loosening.
    Easing,
    /// Neither.
    Neutral,
    /// Policy tightening.
    Tightening,
}

/// Liquidity regime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiquidityRegime {
    /// Net liquidity growing.
    Expanding,
    /// Neither.
    Flat,
    /// Net liquidity shrinking.
    Contracting,
}

/// Risk regime.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Risk appetite supportive.
    RiskOn,
    /// Neither.
    Neutral,
    /// Risk appetite restrictive.
    RiskOff,
}

/// Cycle quadrant of the investment clock (growth momentum x inflation momentum).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quadrant {
    /// Growth up, inflation down.
    Recovery,
    /// Growth up, inflation up.
    Overheat,
    /// Growth down, inflation up.
    Stagflation,
    /// Growth down, inflation down.
    Reflation,
}

/// The four regimes at one date.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegimeSnapshot {
    /// Cycle quadrant (None when growth or inflation momentum is unknown).
    pub cycle: Option<Quadrant>,
    /// Monetary regime.
    pub monetary: Option<Monetary>,
    /// Liquidity regime.
    pub liquidity: Option<LiquidityRegime>,
    /// Risk regime.
    pub risk: Option<Risk>,
}
