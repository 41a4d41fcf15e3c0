//! Regimes read only fresh inputs: a stopped net-liquidity feed leaves the liquidity regime
//! unknown instead of reading its carried-forward level as "flat" (issue: stale inputs in windows).

use tideline_core::dataset::LoadedSeries;
use tideline_core::model::LiquidityRegime;
use tideline_core::report::{analyze, ModelConfig};
use tideline_core::{synthetic, Date};

#[test]
fn the_liquidity_regime_is_unknown_while_net_liquidity_is_stale() {
    let end = Date::from_ymd(2024, 12, 27).expect("a date");
    let mut dataset = synthetic::catalog(12, end, 7);
    // The Fed's balance sheet stops a year before the end.
    let stop = Date::from_ymd(2023, 12, 29).expect("a date");
    let walcl = dataset.loaded("WALCL").expect("synthetic WALCL").clone();
    let cut = LoadedSeries { series: walcl.series.truncated_after(stop), ..walcl };
    dataset.insert("WALCL", cut);

    let config = ModelConfig { as_of: Some(end), ..ModelConfig::default() };
    let report = analyze(&dataset, &config).expect("report");
    let timeline = &report.regimes.timeline;
    let at = |date: Date| timeline.iter().find(|w| w.date == date).expect("a Friday of the timeline");

    // Inside the data the regime is known; carried forward for a year it is not, though the
    // carried level's 13-week change would be 0% ("flat").
    let before = at(Date::from_ymd(2023, 12, 1).expect("a date"));
    assert!(before.regimes.liquidity.is_some() && before.impulse_pct.is_some());
    let last = timeline.last().expect("weeks");
    assert_eq!(last.date, end);
    assert_eq!(last.regimes.liquidity, None::<LiquidityRegime>, "{last:?}");
    assert_eq!(last.impulse_pct, None);
    let stale_weeks = timeline.iter().filter(|w| w.date > Date::from_ymd(2024, 3, 1).expect("date"));
    assert!(stale_weeks.clone().count() > 40);
    assert!(stale_weeks.into_iter().all(|w| w.regimes.liquidity.is_none()));
}
