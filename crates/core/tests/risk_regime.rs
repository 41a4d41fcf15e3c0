//! Risk by regime in the report (`report.risk_by_regime`, schema 1.5): on the synthetic catalog,
//! the regime known at week t is paired with the return from t to t + 1 (shifting the prices a
//! week moves every figure to the other pairing), nothing after the as-of date enters, a return
//! that depends on the liquidity regime is given back with intervals that say so, and the
//! settings are read from the config and rerun only this stage.

use tideline_core::catalog::Role;
use tideline_core::dataset::{Dataset, LoadedSeries};
use tideline_core::model::flows::FlowInputs;
use tideline_core::model::panel::Panel;
use tideline_core::model::regime::RegimeWeek;
use tideline_core::model::risk_regime::{
    asset_risk, next_week_log_returns, AssetRisk, RegimeRisk, RiskRegimeConfig, LIQUIDITY_REGIMES, QUADRANTS,
};
use tideline_core::model::spectrum::TierPrices;
use tideline_core::model::{LiquidityRegime, RegimeSnapshot};
use tideline_core::report::{analyze, public_at, ModelConfig, Report, Stages};
use tideline_core::series::Series;
use tideline_core::synthetic::{self, Walk};
use tideline_core::Date;

/// Figures computed from the same sums in a different order.
const SAME: f64 = 1e-12;

fn end() -> Date {
    Date::from_ymd(2024, 12, 27).expect("a Friday")
}

fn dataset() -> Dataset {
    synthetic::catalog(14, end(), 7)
}

fn report_of(data: &Dataset, as_of: Date) -> Report {
    analyze(data, &ModelConfig { as_of: Some(as_of), ..ModelConfig::default() }).expect("report")
}

/// The panel the report was computed on (the same as-of cut).
fn panel_of(data: &Dataset, report: &Report) -> Panel {
    Panel::build(&public_at(data, report.as_of), Some(report.as_of)).expect("panel")
}

fn asset<'a>(report: &'a Report, tier: &str) -> &'a AssetRisk {
    let risk = report.risk_by_regime.as_ref().expect("risk_by_regime");
    risk.assets.iter().find(|a| a.tier == tier).unwrap_or_else(|| panic!("no {tier}"))
}

/// The mean of `returns[t]` over the weeks whose regime is `regime` and whose return is defined,
/// and their number: the definition, written out.
fn mean_where<R: PartialEq>(returns: &[f64], regimes: &[Option<R>], regime: &R) -> (usize, Option<f64>) {
    let sample: Vec<f64> = returns
        .iter()
        .zip(regimes)
        .filter(|(r, g)| r.is_finite() && g.as_ref() == Some(regime))
        .map(|(r, _)| *r)
        .collect();
    let n = sample.len();
    (n, (n > 0).then(|| sample.iter().sum::<f64>() / n as f64))
}

fn liquidity_of(timeline: &[RegimeWeek]) -> Vec<Option<LiquidityRegime>> {
    timeline.iter().map(|w| w.regimes.liquidity).collect()
}

fn assert_interval_holds_the_mean<R: std::fmt::Debug>(tier: &str, row: &RegimeRisk<R>) {
    if let (Some(m), Some([lo, hi])) = (row.mean_weekly, row.ci95) {
        assert!(lo <= m && m <= hi, "{tier} {:?}: {m} outside [{lo}, {hi}]", row.regime);
    }
}

#[test]
fn the_report_pairs_the_regime_at_t_with_the_return_from_t_to_t_plus_1() {
    let data = dataset();
    let report = report_of(&data, end());
    let panel = panel_of(&data, &report);
    let timeline = &report.regimes.timeline;
    assert_eq!(timeline.len(), panel.calendar.len());
    let liquidity = liquidity_of(timeline);
    let cycle: Vec<_> = timeline.iter().map(|w| w.regimes.cycle).collect();
    let risk = report.risk_by_regime.as_ref().expect("risk_by_regime");
    assert_eq!(risk.as_of, panel.calendar.last());
    assert_eq!(risk.risk_free.as_deref(), Some("CASH"));
    // Every tier of the spectrum, in its order.
    let spectrum = report.spectrum.as_ref().expect("spectrum");
    let ids = |ids: Vec<&str>| ids.into_iter().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(
        ids(risk.assets.iter().map(|a| a.tier.as_str()).collect()),
        ids(spectrum.tiers.iter().map(|t| t.id.as_str()).collect())
    );

    for tier in ["SP500", "CBBTCUSD", "GOLD"] {
        let row = asset(&report, tier);
        let prices = panel.fresh_or_nan(tier);
        let ahead = next_week_log_returns(&prices);
        // The regimes in the documented order, every one of them.
        assert_eq!(row.liquidity.iter().map(|r| r.regime).collect::<Vec<_>>(), LIQUIDITY_REGIMES);
        assert_eq!(row.cycle.iter().map(|r| r.regime).collect::<Vec<_>>(), QUADRANTS);
        for r in &row.liquidity {
            let (n, m) = mean_where(&ahead, &liquidity, &r.regime);
            assert_eq!(r.weeks, n, "{tier} {:?}", r.regime);
            assert!(n >= 8, "{tier} {:?}: only {n} weeks in the synthetic data", r.regime);
            let got = r.mean_weekly.expect("mean");
            assert!((got - m.expect("mean")).abs() < SAME, "{tier} {:?}", r.regime);
            assert_interval_holds_the_mean(tier, r);
        }
        for r in &row.cycle {
            let (n, m) = mean_where(&ahead, &cycle, &r.regime);
            assert_eq!(r.weeks, n, "{tier} {:?}", r.regime);
            if let Some(got) = r.mean_weekly {
                assert!((got - m.expect("mean")).abs() < SAME, "{tier} {:?}", r.regime);
            }
            assert_interval_holds_the_mean(tier, r);
        }
        let liquidity_weeks: usize = row.liquidity.iter().map(|r| r.weeks).sum();
        assert!(
            liquidity_weeks <= row.all.weeks
                && row.all.weeks == ahead.iter().filter(|r| r.is_finite()).count()
        );

        // Shift the prices a week later (the close of t is now the close of t - 1): the return
        // after t becomes the return into t. The figures follow the other pairing exactly, and
        // differ from the report's: the report did not pair the regime with the week behind it.
        let mut delayed = vec![f64::NAN; prices.len()];
        delayed[1..].copy_from_slice(&prices[..prices.len() - 1]);
        // The return into t, for the weeks the delayed series has a next close (not the last).
        let behind: Vec<f64> = (0..prices.len())
            .map(
                |t| if t == 0 || t + 1 == prices.len() { f64::NAN } else { (prices[t] / prices[t - 1]).ln() },
            )
            .collect();
        let snapshots: Vec<RegimeSnapshot> = timeline.iter().map(|w| w.regimes).collect();
        let tier_prices = TierPrices { id: tier.into(), name: tier.into(), prices: delayed };
        let shifted =
            asset_risk(&tier_prices, &panel.calendar, None, &snapshots, &RiskRegimeConfig::default());
        let mut moved = 0;
        for (r, original) in shifted.liquidity.iter().zip(&row.liquidity) {
            let (n, m) = mean_where(&behind, &liquidity, &r.regime);
            assert_eq!(r.weeks, n, "{tier} {:?} shifted", r.regime);
            let got = r.mean_weekly.expect("mean");
            assert!((got - m.expect("mean")).abs() < SAME, "{tier} {:?} shifted", r.regime);
            if (got - original.mean_weekly.expect("mean")).abs() > 1e-6 {
                moved += 1;
            }
        }
        assert!(moved >= 2, "{tier}: a week's shift moved only {moved} of the three regimes' means");
    }
}

#[test]
fn an_earlier_as_of_date_sees_only_the_weeks_before_it() {
    let data = dataset();
    let later = report_of(&data, end());
    let as_of = Date::from_ymd(2022, 6, 24).expect("a Friday");
    let earlier = report_of(&data, as_of);
    assert_eq!(earlier.risk_by_regime.as_ref().and_then(|r| r.as_of), Some(as_of));
    // The regimes of the weeks up to the earlier date are the same in both reports (point in
    // time), so the earlier report's sample is the later one's weeks t whose t + 1 is public then.
    let panel = panel_of(&data, &later);
    let known = panel.calendar.dates().partition_point(|d| *d <= as_of);
    assert_eq!(&later.regimes.timeline[..known], &earlier.regimes.timeline[..]);
    let liquidity = liquidity_of(&later.regimes.timeline[..known]);
    for tier in ["SP500", "CBBTCUSD"] {
        let ahead = next_week_log_returns(&panel.fresh_or_nan(tier)[..known]);
        let row = asset(&earlier, tier);
        assert_eq!(row.last_week, Some(panel.calendar.dates()[known - 2]));
        for r in &row.liquidity {
            let (n, m) = mean_where(&ahead, &liquidity, &r.regime);
            assert_eq!(r.weeks, n, "{tier} {:?}", r.regime);
            if let Some(got) = r.mean_weekly {
                assert!((got - m.expect("mean")).abs() < SAME, "{tier} {:?}", r.regime);
            }
        }
    }
}

/// A user asset whose weekly return is +1% after an expanding week, -0.5% after a contracting
/// one and 0 after a flat one, plus noise of 2% a week: the report gives the dependence back.
#[test]
fn a_return_that_depends_on_the_liquidity_regime_is_given_back() {
    let mut data = dataset();
    let base = report_of(&data, end());
    let fridays = panel_of(&data, &base).calendar.dates().to_vec();
    let liquidity = liquidity_of(&base.regimes.timeline);
    let mean_after = |l: Option<LiquidityRegime>| match l {
        Some(LiquidityRegime::Expanding) => 0.01,
        Some(LiquidityRegime::Contracting) => -0.005,
        _ => 0.0,
    };
    let (noise, mut walk) = (0.02, Walk::new(11));
    let mut level = 100.0_f64;
    let mut closes = Vec::with_capacity(fridays.len());
    for (t, friday) in fridays.iter().enumerate() {
        closes.push((*friday, level));
        // Uniform on [-0.5, 0.5) times sqrt(12): unit variance.
        level *= (mean_after(liquidity[t]) + noise * 12f64.sqrt() * walk.next_centered()).exp();
    }
    let series = Series::from_pairs("REGIMEX", &closes).expect("a series");
    let loaded = LoadedSeries { series, native_units: "USD".into(), source: "test".into() };
    data.insert_user("REGIMEX", loaded, Role::Asset);

    let report = report_of(&data, end());
    // A user asset does not move the regimes.
    assert_eq!(report.regimes.timeline, base.regimes.timeline);
    let row = asset(&report, "REGIMEX");
    let by = |l: LiquidityRegime| row.liquidity.iter().find(|r| r.regime == l).expect("a row");
    for (regime, truth) in [(LiquidityRegime::Expanding, 0.01), (LiquidityRegime::Contracting, -0.005)] {
        let r = by(regime);
        let n = r.weeks as f64;
        assert!(n >= 60.0, "{regime:?}: {n} weeks");
        let m = r.mean_weekly.expect("mean");
        assert!((m - truth).abs() < 3.0 * noise / n.sqrt(), "{regime:?}: {m} against {truth}");
        let [lo, hi] = r.ci95.expect("interval");
        assert!(lo < truth && truth < hi, "{regime:?}: [{lo}, {hi}] misses {truth}");
        assert!((r.annualised_return.expect("annual") - 52.0 * m).abs() < SAME);
        let vol = r.annualised_volatility.expect("vol") / 52f64.sqrt();
        assert!((vol - noise).abs() < 0.2 * noise, "{regime:?}: weekly vol {vol}");
        assert!(r.max_drawdown.is_some_and(|d| (-1.0..=0.0).contains(&d)));
        assert!(r.sharpe.is_some(), "{regime:?}: cash is loaded");
    }
    let (expanding, contracting) = (by(LiquidityRegime::Expanding), by(LiquidityRegime::Contracting));
    eprintln!("expanding {expanding:?}\ncontracting {contracting:?}");
    let [exp_lo, _] = expanding.ci95.expect("interval");
    let [_, con_hi] = contracting.ci95.expect("interval");
    // The regime that earns: its interval excludes 0. The other: its interval lies below that.
    assert!(exp_lo > 0.0, "expanding interval starts at {exp_lo}");
    assert!(con_hi < exp_lo, "contracting [.., {con_hi}] against expanding [{exp_lo}, ..]");
    assert!(expanding.sharpe > contracting.sharpe);
    // The drawdown of the regime that loses is the deeper one.
    assert!(contracting.max_drawdown < expanding.max_drawdown);
    // The baseline pools every week.
    assert!(row.all.weeks >= expanding.weeks + contracting.weeks);
}

#[test]
fn the_settings_are_read_from_the_config_and_rerun_only_this_stage() {
    // An older config (no `risk_by_regime`) and a partial one both parse.
    let old: ModelConfig = serde_json::from_str(r#"{"lead_lag": {"max_lag": 8}}"#).expect("old config");
    assert_eq!(old.risk_by_regime, RiskRegimeConfig::default());
    let partial: ModelConfig =
        serde_json::from_str(r#"{"risk_by_regime": {"min_weeks": 5000, "block_len": 4}}"#).expect("config");
    assert_eq!(partial.risk_by_regime.min_weeks, 5000);
    assert_eq!(partial.risk_by_regime.block_len, Some(4));
    assert_eq!(partial.risk_by_regime.replicates, RiskRegimeConfig::default().replicates);
    assert_eq!(partial.risk_by_regime.seed, RiskRegimeConfig::default().seed);

    let base = ModelConfig { as_of: Some(end()), ..ModelConfig::default() };
    let mut stages = Stages::new(dataset(), FlowInputs::default());
    let first = stages.analyze(&base, None).expect("report");
    let strict = ModelConfig { risk_by_regime: partial.risk_by_regime.clone(), ..base.clone() };
    let second = stages.analyze(&strict, None).expect("report");
    assert_eq!(stages.runs("risk_by_regime"), 2);
    for stage in ["cut", "chain", "regimes", "spectrum", "flows"] {
        assert_eq!(stages.runs(stage), 1, "{stage} reran on a risk-by-regime setting");
    }
    // No regime has 5,000 weeks: only the counts are left, and they are the same.
    let (a, b) = (first.risk_by_regime.expect("first"), second.risk_by_regime.expect("second"));
    assert_eq!(b.min_weeks, 5000);
    for (x, y) in a.assets.iter().zip(&b.assets) {
        for (rx, ry) in x.liquidity.iter().zip(&y.liquidity) {
            assert_eq!(rx.weeks, ry.weeks);
            assert!(ry.mean_weekly.is_none() && ry.ci95.is_none() && ry.sharpe.is_none());
        }
    }
    assert_eq!(second.config.risk_by_regime.min_weeks, 5000);
    // What it reads is each week's liquidity regime and quadrant: a chain weight (which moves the
    // monetary and risk regimes only) keeps it, a liquidity threshold reruns it.
    let mut weight = strict.clone();
    weight.chain.weights.insert("VIX".into(), 2.0);
    let weighted = stages.analyze(&weight, None).expect("report");
    assert_eq!((stages.runs("regimes"), stages.runs("risk_by_regime")), (2, 2));
    assert_eq!(weighted.risk_by_regime.as_ref(), Some(&b));
    let mut threshold = weight.clone();
    threshold.regimes.impulse_threshold_pct = 2.0;
    stages.analyze(&threshold, None).expect("report");
    assert_eq!((stages.runs("regimes"), stages.runs("risk_by_regime")), (3, 3));
    // The seed decides the interval, and only the interval.
    let reseeded = ModelConfig {
        risk_by_regime: RiskRegimeConfig { seed: 1, ..RiskRegimeConfig::default() },
        ..base.clone()
    };
    let third = stages.analyze(&reseeded, None).expect("report").risk_by_regime.expect("third");
    let sp = |r: &tideline_core::model::risk_regime::RiskByRegime| {
        r.assets.iter().find(|a| a.tier == "SP500").map(|a| a.liquidity[0].clone()).expect("SP500")
    };
    let (one, other) = (sp(&a), sp(&third));
    assert_eq!((one.weeks, one.mean_weekly, one.sharpe), (other.weeks, other.mean_weekly, other.sharpe));
    assert_ne!(one.ci95, other.ci95);
}
