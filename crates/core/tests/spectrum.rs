//! The risk spectrum through the public API, at full scale: 25 years of weeks and the nine default
//! tiers, the JSON report shape, and a user rule table replacing the default one.

use proptest::prelude::*;
use tideline_core::align::Calendar;
use tideline_core::model::spectrum::{
    spectrum, target_weights, RotationTable, SpectrumInputs, TierPrices, DEFAULT_WINDOW_WEEKS,
};
use tideline_core::model::{LiquidityRegime, RegimeSnapshot, Risk, State};
use tideline_core::stats::bootstrap::SplitMix64;
use tideline_core::Date;

const WEEKS: usize = 1300;
const TIER_IDS: [&str; 9] =
    ["CASH", "UST10", "GOLD", "SP500", "NASDAQ100", "NASDAQCOM", "CBBTCUSD", "CBETHUSD", "ALTS"];

/// A seeded random panel: random walks for prices (volatility rising along the spectrum, each
/// loading on the liquidity impulse's weekly change), the macro series and the ETF flows.
struct Panel {
    calendar: Calendar,
    tiers: Vec<TierPrices>,
    net_liquidity: Vec<f64>,
    impulse: Vec<f64>,
    real_10y: Vec<f64>,
    hy_oas: Vec<f64>,
    dollar: Vec<f64>,
    risk_state: Vec<Option<State>>,
    regimes: Vec<RegimeSnapshot>,
    etf_flows: Vec<f64>,
}

impl Panel {
    fn new(weeks: usize, seed: u64) -> Panel {
        let mut rng = SplitMix64::new(seed);
        let mut normalish = move || (0..4).map(|_| rng.next_f64()).sum::<f64>() - 2.0;
        let first = Date::parse_iso("2001-01-05").expect("a Friday");
        let calendar = Calendar::fridays(first, first.add_days(7 * weeks as i32 - 1));
        let mut walk = |start: f64, step: f64, multiplicative: bool| -> Vec<f64> {
            let mut level = start;
            (0..weeks)
                .map(|_| {
                    let shock = step * normalish();
                    level = if multiplicative { level * shock.exp() } else { level + shock };
                    level
                })
                .collect()
        };
        let net_liquidity = walk(5000.0, 0.01, true);
        let impulse: Vec<f64> = (0..weeks)
            .map(
                |t| if t >= 13 { 100.0 * (net_liquidity[t] / net_liquidity[t - 13] - 1.0) } else { f64::NAN },
            )
            .collect();
        let real_10y = walk(1.0, 0.05, false);
        let hy_oas = walk(4.0, 0.1, false);
        let dollar = walk(100.0, 0.005, true);
        let tiers = TIER_IDS
            .iter()
            .enumerate()
            .map(|(k, id)| {
                let idiosyncratic = walk(0.0, 0.002 * (k + 1) as f64, false);
                let beta = 0.002 * k as f64;
                let mut level = 100.0;
                let prices = (0..weeks)
                    .map(|t| {
                        let shock = if t >= 14 { impulse[t] - impulse[t - 1] } else { 0.0 };
                        let noise = if t > 0 { idiosyncratic[t] - idiosyncratic[t - 1] } else { 0.0 };
                        level *= (0.0005 + beta * shock + noise).exp();
                        // Crypto starts late, as it did.
                        if k >= 6 && t < 500 {
                            f64::NAN
                        } else {
                            level
                        }
                    })
                    .collect();
                TierPrices { id: id.to_string(), name: id.to_string(), prices }
            })
            .collect();
        let etf_flows = walk(0.0, 100.0, false);
        let risk_state =
            (0..weeks).map(|t| [Some(State::Supportive), Some(State::Neutral), None][t % 3]).collect();
        let regimes = (0..weeks)
            .map(|t| RegimeSnapshot {
                cycle: None,
                monetary: None,
                liquidity: Some(if impulse[t] > 0.0 {
                    LiquidityRegime::Expanding
                } else {
                    LiquidityRegime::Flat
                }),
                risk: Some(Risk::RiskOn),
            })
            .collect();
        Panel {
            calendar,
            tiers,
            net_liquidity,
            impulse,
            real_10y,
            hy_oas,
            dollar,
            risk_state,
            regimes,
            etf_flows,
        }
    }

    fn inputs(&self) -> SpectrumInputs<'_> {
        let price = |id: &str| self.tiers.iter().find(|t| t.id == id).map_or(&[][..], |t| &t.prices[..]);
        SpectrumInputs {
            calendar: &self.calendar,
            tiers: &self.tiers,
            net_liquidity: &self.net_liquidity,
            impulse: &self.impulse,
            real_10y: &self.real_10y,
            hy_oas: &self.hy_oas,
            dollar: &self.dollar,
            dollar_observed: &self.dollar,
            risk_state: &self.risk_state,
            regimes: &self.regimes,
            nasdaq100: price("NASDAQ100"),
            nasdaq_composite: price("NASDAQCOM"),
            btc: price("CBBTCUSD"),
            eth: price("CBETHUSD"),
            etf_flows_weekly: Some(&self.etf_flows),
        }
    }
}

#[test]
fn full_scale_spectrum_and_report_shape() {
    let panel = Panel::new(WEEKS, 11);
    let result = spectrum(&panel.inputs(), &RotationTable::default());
    let dates = panel.calendar.dates();
    assert_eq!(result.as_of, panel.calendar.last());

    // Sensitivities: every tier fits (crypto has 800 weeks), 97 rolling windows (ends 1299, 1286,
    // ..., 51: 1248 = 96 x 13); Bitcoin's prices start at week 500, so its windows fit from the one
    // ending at 552 on (ends 1299 - 13k >= 552: 58 of them). The liquidity betas rise along the
    // spectrum as built.
    assert_eq!(result.sensitivities.len(), 9);
    for s in &result.sensitivities {
        let fit = s.current.as_ref().expect("fit");
        assert_eq!((fit.n, s.window_weeks), (DEFAULT_WINDOW_WEEKS, DEFAULT_WINDOW_WEEKS));
        assert_eq!(s.rolling.len(), 97);
        assert_eq!(s.rolling.last().map(|p| p.date), panel.calendar.last());
    }
    assert_eq!(result.sensitivities[8].rolling.iter().filter(|p| p.liquidity_beta.is_some()).count(), 58);
    let order = &result.measured_order;
    assert_eq!(order.measured.len(), 9);
    assert!(order.spearman.expect("rho") > 0.8, "{order:?}");

    // Histories are on the calendar.
    assert_eq!(result.overflow.history.len(), WEEKS);
    assert!(result.overflow.history.iter().zip(dates).all(|(p, d)| p.date == *d));
    assert!(result.concentration.history.iter().zip(dates).all(|(p, d)| p.date == *d));
    assert!(!result.overflow.table.episodes.is_empty());
    assert_eq!(result.overflow.table.summary.len(), 9);

    // Rotation over all nine tiers sums to 1.
    let weights = &result.rotation.current.weights;
    assert_eq!(weights.len(), 9);
    assert!((weights.iter().map(|w| w.weight).sum::<f64>() - 1.0).abs() < 1e-12);

    // The report: the keys a reader (and the UI) relies on.
    let json = serde_json::to_value(&result).expect("serialise");
    for key in [
        "as_of",
        "tiers",
        "sensitivities",
        "measured_order",
        "overflow",
        "concentration",
        "inside_crypto",
        "rotation",
        "checklist",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let liquidity = &json["sensitivities"][3]["current"]["liquidity"];
    for key in ["estimate", "std_error", "t_stat", "p_value"] {
        assert!(liquidity[key].is_number(), "{key}");
    }
    assert_eq!(json["checklist"]["items"].as_array().map(Vec::len), Some(5));
    assert_eq!(json["rotation"]["table"]["rules"][0]["when"]["risk"], "risk_off");
    assert_eq!(json["overflow"]["history"][0]["date"], "2001-01-05");
}

#[test]
fn a_user_table_replaces_the_default() {
    let panel = Panel::new(300, 3);
    let table: RotationTable = serde_json::from_str(
        r#"{"rules": [
            {"label": "all in Bitcoin when expanding", "when": {"liquidity": "expanding"}, "weights": [["CBBTCUSD", 1]]},
            {"label": "half cash, half gold", "weights": [["CASH", 1], ["GOLD", 1]]}
        ]}"#,
    )
    .expect("parse");
    table.validate().expect("valid");
    let result = spectrum(&panel.inputs(), &table);
    assert_eq!(result.rotation.table, table);
    let expanding = panel.impulse[299] > 0.0;
    let expected = if expanding { "all in Bitcoin when expanding" } else { "half cash, half gold" };
    assert_eq!(result.rotation.current.rule_label.as_deref(), Some(expected));
    // Without a Bitcoin tier the first rule is passed over.
    let regimes = RegimeSnapshot {
        cycle: None,
        monetary: None,
        liquidity: Some(LiquidityRegime::Expanding),
        risk: None,
    };
    let target = target_weights(&table, &regimes, &["CASH", "GOLD"]);
    assert_eq!(target.rule_index, Some(1));
    assert_eq!(target.weights.iter().map(|w| w.weight).collect::<Vec<_>>(), [0.5, 0.5]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any length, any holes: no panic, histories on the calendar, weights summing to 1 or empty.
    #[test]
    fn never_panics_on_holes_and_odd_lengths(weeks in 0usize..260, seed in any::<u64>(), hole_every in 2usize..20) {
        let mut panel = Panel::new(weeks, seed);
        for tier in &mut panel.tiers {
            for (t, p) in tier.prices.iter_mut().enumerate() {
                if (t + seed as usize % 7).is_multiple_of(hole_every) {
                    *p = f64::NAN;
                }
            }
        }
        panel.dollar.truncate(weeks / 2);
        panel.hy_oas.extend([1.0; 5]);
        panel.regimes.truncate(weeks / 3);
        let result = spectrum(&panel.inputs(), &RotationTable::default());
        prop_assert_eq!(result.overflow.history.len(), weeks);
        prop_assert_eq!(result.concentration.history.len(), weeks);
        let total: f64 = result.rotation.current.weights.iter().map(|w| w.weight).sum();
        prop_assert!(result.rotation.current.weights.is_empty() || (total - 1.0).abs() < 1e-12);
        prop_assert!(serde_json::to_string(&result).is_ok());
    }
}
