//! Golden and property tests of the asymmetry and lead-lag models (MODEL.md 5 and 6): small
//! fixtures worked out by hand, constructed relationships the models must recover, and one run on
//! the real Bitcoin and Nasdaq-100 files when they are present.

use tideline_core::model::asymmetry::{
    asymmetry, paired_log_returns, AsymmetryConfig, AsymmetryResult, ReturnFrequency, Verdict, ZERO_TOLERANCE,
};
use tideline_core::model::leadlag::{
    correlation_stability, lead_lag, ChangeKind, LeadLagConfig, Leg, StabilityLabel,
    DEFAULT_STABILITY_WINDOWS,
};
use tideline_core::stats::bootstrap::SplitMix64;
use tideline_core::{Date, Series};

/// For values computed in a handful of operations from hand-chosen returns (exp then ln).
const GOLDEN: f64 = 1e-9;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= GOLDEN
}

/// `count` business days from `first` (a Monday keeps the arithmetic obvious).
fn business_days(first: &str, count: usize) -> Vec<Date> {
    let mut day = d(first);
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        if day.is_business_day() {
            out.push(day);
        }
        day = day.add_days(1);
    }
    out
}

/// `count` Fridays from `first` (itself a Friday).
fn fridays(first: &str, count: usize) -> Vec<Date> {
    (0..count).map(|k| d(first).add_days(7 * i32::try_from(k).expect("small"))).collect()
}

/// Prices `start * exp(cumulative sum of returns)`, one more price than returns.
fn prices_from_returns(start: f64, returns: &[f64]) -> Vec<f64> {
    let mut level = 0.0;
    let mut out = vec![start];
    for r in returns {
        level += r;
        out.push(start * f64::exp(level));
    }
    out
}

fn series(id: &str, dates: &[Date], values: Vec<f64>) -> Series {
    Series::new(id, dates.to_vec(), values).expect("valid test series")
}

/// Benchmark daily returns: uniform in ±1.5%, seeded.
fn bench_returns(rng: &mut SplitMix64, n: usize) -> Vec<f64> {
    (0..n).map(|_| 0.03 * (rng.next_f64() - 0.5)).collect()
}

fn daily_pair(asset_returns: &[f64], bench_returns: &[f64]) -> (Series, Series) {
    let dates = business_days("2020-01-06", bench_returns.len() + 1);
    (
        series("ASSET", &dates, prices_from_returns(50.0, asset_returns)),
        series("BENCH", &dates, prices_from_returns(100.0, bench_returns)),
    )
}

fn fast_config() -> AsymmetryConfig {
    AsymmetryConfig { replicates: 300, ..AsymmetryConfig::default() }
}

#[test]
fn eight_weeks_by_hand() {
    // Weekly returns in percent, (benchmark, asset):
    //   (1, 1) (-1, 3) (2, 3) (-2, 1) (0, 5) (3, 2) (-3, -1) (2, 2)
    // Up weeks m = [1, 2, 3, 2], a = [1, 3, 2, 2]: means 2 and 2, dm = [-1, 0, 1, 0],
    //   da = [-1, 1, 0, 0]; Sxy = 1, Smm = 2, Saa = 2: up beta 0.5, up corr 1/2, capture 2/2 = 1.
    // Down weeks m = [-1, -2, -3], a = [3, 1, -1] = 2m + 5: down beta 2, corr 1,
    //   capture mean(a) / mean(m) = 1 / -2 = -0.5.
    // The zero week (asset +5%) is in neither. Asymmetry 2 - 0.5 = 1.5.
    // Decoupling: the asset rose on 2 of the 3 down weeks.
    let m = [0.01, -0.01, 0.02, -0.02, 0.0, 0.03, -0.03, 0.02];
    let a = [0.01, 0.03, 0.03, 0.01, 0.05, 0.02, -0.01, 0.02];
    let dates = fridays("2024-01-05", 9);
    let bench = series("NASDAQ100", &dates, prices_from_returns(100.0, &m));
    let asset = series("CBBTCUSD", &dates, prices_from_returns(50.0, &a));
    let config = AsymmetryConfig {
        replicates: 200,
        rolling_window: Some(4),
        rolling_step: Some(1),
        ..AsymmetryConfig::default()
    };
    let r = asymmetry("CBBTCUSD", &asset, "NASDAQ100", &bench, ReturnFrequency::Weekly, &config)
        .expect("defined");
    assert!(close(r.up_beta, 0.5) && close(r.down_beta, 2.0) && close(r.asymmetry, 1.5), "{r:?}");
    assert!(close(r.up_capture, 1.0) && close(r.down_capture, -0.5));
    assert!(close(r.up_correlation.expect("defined"), 0.5));
    assert!(close(r.down_correlation.expect("defined"), 1.0));
    assert_eq!((r.n, r.n_up, r.n_down), (8, 4, 3));
    assert_eq!((r.first, r.last), (d("2024-01-05"), d("2024-03-01")));
    // Weekly blocks are at least 4 weeks.
    assert_eq!(r.block_len, 4);
    assert_eq!(r.verdict, Verdict::from_interval(r.ci95));

    // Decoupling 2/3; rolling 4-week windows (ends at weeks 4..8):
    //   weeks 1-4: down weeks 2 and 4, both rose: 1.0; weeks 2-5: 1.0; weeks 3-6: week 4 rose: 1.0;
    //   weeks 4-7: week 4 rose, week 7 fell: 0.5; weeks 5-8: week 7 fell: 0.0.
    // The current value 0.0 is at or below 1 of the 5 values: percentile 0.2.
    assert_eq!((r.decoupling.n_down, r.decoupling.n_rose), (3, 2));
    assert!(close(r.decoupling.share.expect("defined"), 2.0 / 3.0));
    let rolling: Vec<f64> = r.rolling.decoupling.iter().map(|v| v.expect("defined")).collect();
    assert_eq!(rolling, vec![1.0, 1.0, 1.0, 0.5, 0.0]);
    assert_eq!(r.rolling.dates.first(), Some(&d("2024-02-02")));
    assert_eq!(r.decoupling.current, Some(0.0));
    assert_eq!(r.decoupling.current_percentile, Some(0.2));
    // Weeks 1-4: up m = [1, 2], a = [1, 3]: beta 2; down m = [-1, -2], a = [3, 1]: beta 2.
    // Weeks 2-5 hold a single up week: undefined.
    assert!(close(r.rolling.up_beta[0].expect("defined"), 2.0));
    assert!(close(r.rolling.down_beta[0].expect("defined"), 2.0));
    assert!(close(r.rolling.asymmetry[0].expect("defined"), 0.0));
    assert_eq!(r.rolling.asymmetry[1], None);
}

/// The interval contains 0, up to the rounding that [`ZERO_TOLERANCE`] absorbs.
fn contains_zero(ci: [f64; 2]) -> bool {
    ci[0] <= ZERO_TOLERANCE && ci[1] >= -ZERO_TOLERANCE
}

#[test]
fn the_square_of_the_benchmark_has_beta_two_both_ways() {
    // price = bench², so every log return is exactly twice the benchmark's (up to rounding).
    let mut rng = SplitMix64::new(1);
    let m = bench_returns(&mut rng, 800);
    let dates = business_days("2020-01-06", m.len() + 1);
    let bench_prices = prices_from_returns(100.0, &m);
    let bench = series("BENCH", &dates, bench_prices.clone());
    let asset = series("ASSET", &dates, bench_prices.iter().map(|p| p * p).collect());
    for frequency in [ReturnFrequency::Daily, ReturnFrequency::Weekly] {
        let r = asymmetry("ASSET", &asset, "BENCH", &bench, frequency, &fast_config()).expect("defined");
        assert!(close(r.up_beta, 2.0) && close(r.down_beta, 2.0), "{frequency}: {r:?}");
        assert!(close(r.asymmetry, 0.0));
        assert!(close(r.up_capture, 2.0) && close(r.down_capture, 2.0));
        let ci = r.ci95.expect("defined");
        assert!(contains_zero(ci), "{ci:?}");
        assert_eq!(r.verdict, Verdict::NoSignificantAsymmetry);
        assert_eq!(r.decoupling.share, Some(0.0));
    }
}

#[test]
fn a_down_beta_of_two_and_an_up_beta_of_half_follows_the_decline() {
    let mut rng = SplitMix64::new(2);
    let m = bench_returns(&mut rng, 1000);
    let noise = |rng: &mut SplitMix64| 0.004 * (rng.next_f64() - 0.5);
    let a: Vec<f64> = m.iter().map(|m| if *m < 0.0 { 2.0 * m } else { 0.5 * m } + noise(&mut rng)).collect();
    let (asset, bench) = daily_pair(&a, &m);
    let r =
        asymmetry("ASSET", &asset, "BENCH", &bench, ReturnFrequency::Daily, &fast_config()).expect("defined");
    assert!((r.down_beta - 2.0).abs() < 0.05 && (r.up_beta - 0.5).abs() < 0.05, "{r:?}");
    let [lo, hi] = r.ci95.expect("defined");
    assert!(0.0 < lo && lo <= r.asymmetry && r.asymmetry <= hi, "{lo} {} {hi}", r.asymmetry);
    assert_eq!(r.verdict, Verdict::FollowsDecline);
    let json = serde_json::to_value(&r).expect("serialises");
    assert_eq!(json["verdict"], "follows the decline more than the rise");
    assert_eq!(json["frequency"], "daily");

    // The mirror image: up beta 2, down beta 0.5.
    let mirrored: Vec<f64> =
        m.iter().map(|m| if *m > 0.0 { 2.0 * m } else { 0.5 * m } + noise(&mut rng)).collect();
    let (asset, bench) = daily_pair(&mirrored, &m);
    let r =
        asymmetry("ASSET", &asset, "BENCH", &bench, ReturnFrequency::Daily, &fast_config()).expect("defined");
    assert!(r.ci95.expect("defined")[1] < 0.0);
    assert_eq!(r.verdict, Verdict::FollowsRise);
}

#[test]
fn a_weekend_crypto_move_lands_in_mondays_return() {
    // The benchmark trades Fri 5, Mon 8, Tue 9 January 2024; the asset every day.
    let bench =
        series("NASDAQ100", &[d("2024-01-05"), d("2024-01-08"), d("2024-01-09")], vec![100.0, 101.0, 102.0]);
    let asset_dates: Vec<Date> = (5..=9).map(|day| Date::from_ymd(2024, 1, day).expect("valid")).collect();
    let asset = series("CBBTCUSD", &asset_dates, vec![40.0, 44.0, 48.0, 48.0, 50.0]);
    let r = paired_log_returns(&asset, &bench, ReturnFrequency::Daily);
    assert_eq!(r.dates, vec![d("2024-01-08"), d("2024-01-09")]);
    // Monday's return runs from Friday's 40 to Monday's 48: the weekend's +20% is in it.
    assert!(close(r.asset[0], (48.0f64 / 40.0).ln()));
    assert!(close(r.asset[1], (50.0f64 / 48.0).ln()));
    assert!(close(r.bench[0], (1.01f64).ln()));
    assert_eq!(r.first_price, Some(d("2024-01-05")));
    assert_eq!(r.asset_last_observation, Some(d("2024-01-09")));

    // Weekly: Friday closes, each series' last observation at or before the Friday.
    let weekly = paired_log_returns(
        &series("A", &[d("2024-01-05"), d("2024-01-13"), d("2024-01-19")], vec![10.0, 20.0, 40.0]),
        &series("B", &[d("2024-01-05"), d("2024-01-11"), d("2024-01-19")], vec![1.0, 2.0, 4.0]),
        ReturnFrequency::Weekly,
    );
    // Friday the 12th: the asset's 10 (the 13th is after it), the benchmark's Thursday 2.
    assert_eq!(weekly.dates, vec![d("2024-01-12"), d("2024-01-19")]);
    assert!(close(weekly.asset[0], 0.0) && close(weekly.asset[1], 4f64.ln()));
    assert!(close(weekly.bench[0], 2f64.ln()) && close(weekly.bench[1], 2f64.ln()));
}

#[test]
fn results_are_deterministic_for_a_seed() {
    let mut rng = SplitMix64::new(3);
    let m = bench_returns(&mut rng, 600);
    let a: Vec<f64> = m.iter().map(|m| 1.3 * m + 0.01 * (rng.next_f64() - 0.5)).collect();
    let (asset, bench) = daily_pair(&a, &m);
    let run = |seed| {
        let config = AsymmetryConfig { seed, ..fast_config() };
        asymmetry("ASSET", &asset, "BENCH", &bench, ReturnFrequency::Daily, &config).expect("defined")
    };
    let (first, again, other): (AsymmetryResult, AsymmetryResult, AsymmetryResult) = (run(7), run(7), run(8));
    assert_eq!(first, again);
    assert_eq!(
        serde_json::to_string(&first).expect("serialises"),
        serde_json::to_string(&again).expect("serialises")
    );
    assert_ne!(first.ci95, other.ci95);
    assert_eq!(first.asymmetry, other.asymmetry);
}

#[test]
fn rolling_betas_follow_a_change_of_regime() {
    // Two years that follow the decline (down 2, up 0.5), then two symmetric years (beta 1).
    let mut rng = SplitMix64::new(4);
    let m = bench_returns(&mut rng, 1008);
    let a: Vec<f64> = m
        .iter()
        .enumerate()
        .map(|(t, m)| {
            let beta = if t >= 504 {
                1.0
            } else if *m < 0.0 {
                2.0
            } else {
                0.5
            };
            beta * m + 0.002 * (rng.next_f64() - 0.5)
        })
        .collect();
    let (asset, bench) = daily_pair(&a, &m);
    let r =
        asymmetry("ASSET", &asset, "BENCH", &bench, ReturnFrequency::Daily, &fast_config()).expect("defined");
    assert_eq!((r.rolling.window, r.rolling.step), (252, 5));
    // Windows end every 5 days back from the last return: (1008 - 252) / 5 + 1 = 152 windows.
    assert_eq!(r.rolling.dates.len(), 152);
    assert_eq!(r.rolling.dates.last(), Some(&r.last));
    let first = r.rolling.asymmetry.first().copied().flatten().expect("defined");
    let last = r.rolling.asymmetry.last().copied().flatten().expect("defined");
    assert!((first - 1.5).abs() < 0.1, "{first}");
    assert!(last.abs() < 0.1, "{last}");
    assert!(r.rolling.up_beta.iter().chain(&r.rolling.down_beta).all(Option::is_some));
}

/// Weekly levels from weekly log changes, on Fridays from 2015-01-02.
fn weekly_levels(id: &str, changes: &[f64], skip: usize) -> Series {
    let dates = fridays("2015-01-02", changes.len() + 1);
    let levels = prices_from_returns(1000.0, changes);
    series(id, &dates[skip..], levels[skip..].to_vec())
}

#[test]
fn a_three_week_shift_is_a_three_week_lead() {
    // y's level on Friday t is x's level on Friday t - 3: y's changes are x's, three weeks later,
    // so rho(3) = corr(x_t, y_{t+3}) = corr(x_t, x_t) = 1 exactly (up to rounding).
    let mut rng = SplitMix64::new(5);
    let x_changes: Vec<f64> = (0..300).map(|_| 0.02 * (rng.next_f64() - 0.5)).collect();
    let x = weekly_levels("NET_LIQUIDITY", &x_changes, 0);
    let y_dates = fridays("2015-01-02", 301);
    let y_levels: Vec<f64> = (3..301).map(|t| x.values()[t - 3]).collect();
    let y = series("CBBTCUSD", &y_dates[3..], y_levels);
    let r = lead_lag(
        Leg::new(&x, ChangeKind::LogChange),
        Leg::new(&y, ChangeKind::LogChange),
        &LeadLagConfig::default(),
    )
    .expect("defined");
    assert_eq!(r.best_lag_weeks, 3);
    assert!((r.rho - 1.0).abs() < GOLDEN, "{}", r.rho);
    // Common Fridays: weeks 3..=300, 297 changes; 294 pairs at lag 3.
    assert_eq!((r.weeks, r.n), (297, 294));
    assert!(close(r.band, 1.959_963_984_540_054 / 294f64.sqrt()));
    assert!(r.significant);
    assert_eq!(r.cross.len(), 53);
    assert_eq!(r.cross.first().map(|c| c.lag), Some(-26));
    // (297 - 156) / 4 + 1 = 36 windows of three years, every one with the same lead.
    assert_eq!(r.rolling_best_lag.len(), 36);
    assert!(r.rolling_best_lag.iter().all(|(_, lag, rho)| *lag == 3 && (rho - 1.0).abs() < GOLDEN));
    assert_eq!(r.rolling_best_lag.last().map(|p| p.0), Some(r.last));
    assert_eq!(r.lag_stability, Some(1.0));
    let json = serde_json::to_value(&r).expect("serialises");
    for key in ["x", "y", "best_lag_weeks", "rho", "band"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!((json["x"].as_str(), json["y"].as_str()), (Some("NET_LIQUIDITY"), Some("CBBTCUSD")));
}

#[test]
fn granger_sees_the_lead_and_not_the_reverse() {
    // y_t = 0.8 x_{t-3} + noise (changes); yields in percent, differenced.
    let mut rng = SplitMix64::new(6);
    let n = 400;
    let x_changes: Vec<f64> = (0..n).map(|_| rng.next_f64() - 0.5).collect();
    let y_changes: Vec<f64> = (0..n)
        .map(|t| if t >= 3 { 0.8 * x_changes[t - 3] } else { 0.0 } + 0.3 * (rng.next_f64() - 0.5))
        .collect();
    let dates = fridays("2015-01-02", n + 1);
    let cumulative = |changes: &[f64]| {
        let mut level = 2.0;
        let mut out = vec![level];
        for c in changes {
            level += c;
            out.push(level);
        }
        out
    };
    let x = series("DFII10", &dates, cumulative(&x_changes));
    let y = series("GOLD", &dates, cumulative(&y_changes));
    let (x_leg, y_leg) = (Leg::new(&x, ChangeKind::Difference), Leg::new(&y, ChangeKind::Difference));
    let r = lead_lag(x_leg, y_leg, &LeadLagConfig::default()).expect("defined");
    assert_eq!(r.best_lag_weeks, 3);
    assert!(r.rho > 0.8, "{}", r.rho);
    assert_eq!(r.granger.iter().map(|g| g.lag).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>());
    // Lags 1 and 2 cannot see a three-week lead; from 3 on, x's past explains most of y.
    assert!(r.granger.iter().filter(|g| g.lag >= 3).all(|g| g.p_value < 1e-12));
    let reverse = lead_lag(y_leg, x_leg, &LeadLagConfig::default()).expect("defined");
    assert!(reverse.granger.iter().all(|g| g.p_value > 0.001), "{:?}", reverse.granger);
}

#[test]
fn correlation_stability_tells_steady_from_flipping() {
    let mut rng = SplitMix64::new(7);
    let m = bench_returns(&mut rng, 1000);
    // Steady: beta 1 with noise, positive in every window.
    let steady: Vec<f64> = m.iter().map(|m| m + 0.01 * (rng.next_f64() - 0.5)).collect();
    let (asset, bench) = daily_pair(&steady, &m);
    let out = correlation_stability(&asset, &bench, &DEFAULT_STABILITY_WINDOWS);
    assert_eq!(out.iter().map(|s| s.window).collect::<Vec<_>>(), vec![90, 180]);
    for s in &out {
        assert_eq!(
            (s.sign, s.share_same_sign, s.stable, s.label),
            (1, Some(1.0), true, Some(StabilityLabel::Stable))
        );
        let dist = s.distribution.expect("defined");
        assert!(0.0 < dist.min && dist.min <= dist.q1 && dist.q1 <= dist.median);
        assert!(dist.median <= dist.q3 && dist.q3 <= dist.max && dist.max <= 1.0);
        // (1000 - 90) / 5 + 1 = 183 and (1000 - 180) / 5 + 1 = 165 windows.
        assert_eq!(s.n_windows, if s.window == 90 { 183 } else { 165 });
        assert_eq!(s.n, 1000);
    }

    // Flipping: the sign of the relationship alternates every 250 days, twice each way.
    let flipping: Vec<f64> = m
        .iter()
        .enumerate()
        .map(
            |(t, m)| if (t / 250).is_multiple_of(2) { 1.0 } else { -1.0 } * m + 0.01 * (rng.next_f64() - 0.5),
        )
        .collect();
    let (asset, bench) = daily_pair(&flipping, &m);
    let out = correlation_stability(&asset, &bench, &[90]);
    let s = &out[0];
    let share = s.share_same_sign.expect("defined");
    assert!((0.3..0.6).contains(&share), "{share}");
    assert_eq!((s.stable, s.label), (false, Some(StabilityLabel::Unstable)));
    let dist = s.distribution.expect("defined");
    assert!(dist.min < -0.5 && dist.max > 0.5, "{dist:?}");
}

fn real_series(name: &str) -> Option<Series> {
    let path = format!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/{}.csv"), name);
    let body = std::fs::read_to_string(&path).ok()?;
    match tideline_core::parse::fred::parse(&path, &body, None) {
        Ok(series) => Some(series),
        Err(e) => panic!("{path} does not parse: {e}"),
    }
}

#[test]
fn bitcoin_against_the_nasdaq_100_on_real_data() {
    let (Some(btc), Some(ndx)) = (real_series("CBBTCUSD"), real_series("NASDAQ100")) else {
        eprintln!("real data absent: skipped");
        return;
    };
    let config = AsymmetryConfig::default();
    for frequency in [ReturnFrequency::Daily, ReturnFrequency::Weekly] {
        let r = asymmetry("CBBTCUSD", &btc, "NASDAQ100", &ndx, frequency, &config).expect("defined");
        let [lo, hi] = r.ci95.expect("an interval");
        eprintln!(
            "{frequency} {}..{} n={} (up {}, down {}), block {}: up beta {:.3}, down beta {:.3}, \
             asymmetry {:.3} [{:.3}, {:.3}], capture up {:.3} down {:.3}, corr up {:.3} down {:.3}; \
             {}; decoupling {:.3} (current {:.3}, percentile {:.2}); latest rolling asymmetry {:?}",
            r.first,
            r.last,
            r.n,
            r.n_up,
            r.n_down,
            r.block_len,
            r.up_beta,
            r.down_beta,
            r.asymmetry,
            lo,
            hi,
            r.up_capture,
            r.down_capture,
            r.up_correlation.unwrap_or(f64::NAN),
            r.down_correlation.unwrap_or(f64::NAN),
            r.verdict,
            r.decoupling.share.unwrap_or(f64::NAN),
            r.decoupling.current.unwrap_or(f64::NAN),
            r.decoupling.current_percentile.unwrap_or(f64::NAN),
            r.rolling.asymmetry.last().copied().flatten(),
        );
        assert!(r.n_up > 100 && r.n_down > 100);
        assert!(lo.is_finite() && hi.is_finite());
        assert!(lo <= r.asymmetry && r.asymmetry <= hi);
        assert_eq!(r.verdict, Verdict::from_interval(r.ci95));
    }

    let r = lead_lag(
        Leg::new(&ndx, ChangeKind::LogChange),
        Leg::new(&btc, ChangeKind::LogChange),
        &LeadLagConfig::default(),
    )
    .expect("defined");
    eprintln!(
        "lead-lag NASDAQ100 -> CBBTCUSD: best lag {} weeks, rho {:.3}, band {:.3}, n {}, lag stability {:?}",
        r.best_lag_weeks, r.rho, r.band, r.n, r.lag_stability
    );
    for s in correlation_stability(&btc, &ndx, &DEFAULT_STABILITY_WINDOWS) {
        eprintln!(
            "stability {}d: full {:?}, share same sign {:?}, label {:?}, distribution {:?}",
            s.window, s.full_sample, s.share_same_sign, s.label, s.distribution
        );
    }
}
