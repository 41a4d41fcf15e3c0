//! Gold against real rates (model::gold): the rolling regression, the cumulative residual, the
//! dated break, point in time, and the real data.

use std::path::Path;

use tideline_core::catalog::Catalog;
use tideline_core::dataset::Dataset;
use tideline_core::model::gold::{gold_real_rates, hinge_break, BreakNull, GoldConfig, ResidualPoint};
use tideline_core::model::panel::Panel;
use tideline_core::parse::Format;
use tideline_core::report::public_at;
use tideline_core::Date;

fn d(s: &str) -> Date {
    Date::parse_iso(s).expect("test date")
}

/// Weekly data from Friday 2021-01-01, `weeks + 1` Fridays. The real yield DFII10 is observed on
/// Thursdays (public on the Friday with its 1-day lag): `r_w = 0.5 + Σ_{k<=w} Δr_k` with
/// `Δr_k = 0.1 sin(1.3 k)`. Gold closes on Fridays with weekly log returns
/// `g_w = 0.002 - 0.08 Δr_w + noise(w)`.
fn dataset(weeks: i32, noise: impl Fn(i32) -> f64) -> Dataset {
    let mut gold_body = String::from("observation_date,GOLD\n");
    let mut rate_body = String::from("observation_date,DFII10\n");
    let (mut rate, mut log_gold) = (0.5, 1000f64.ln());
    for w in 0..=weeks {
        let friday = d("2021-01-01").add_days(7 * w);
        if w > 0 {
            let change = 0.1 * (1.3 * f64::from(w)).sin();
            rate += change;
            log_gold += 0.002 - 0.08 * change + noise(w);
        }
        rate_body.push_str(&format!("{},{rate}\n", friday.add_days(-1)));
        gold_body.push_str(&format!("{friday},{}\n", log_gold.exp()));
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_body("GOLD", Format::Fred, "GOLD.csv", &gold_body).expect("gold loads");
    dataset.load_body("DFII10", Format::Fred, "DFII10.csv", &rate_body).expect("DFII10 loads");
    dataset
}

#[test]
fn exact_relation_gives_the_slope_and_a_constant_residual() {
    let data = dataset(140, |_| 0.0);
    let as_of = d("2021-01-01").add_days(7 * 140);
    let panel = Panel::build(&data, Some(as_of)).expect("panel");
    let result = gold_real_rates(&panel, as_of, &GoldConfig::default()).expect("defined");
    let current = result.current.expect("current window");
    // g = 0.002 - 0.08 Δr exactly: slope -0.08, intercept 0.002, R² 1, a zero-width interval.
    assert!((current.slope + 0.08).abs() < 1e-9, "{current:?}");
    assert!((current.intercept - 0.002).abs() < 1e-9);
    assert!((current.r_squared - 1.0).abs() < 1e-9);
    assert!(current.std_error < 1e-7 && (current.ci95[1] - current.ci95[0]) < 1e-6);
    assert_eq!(current.n, 104);
    // The first window with 52 complete weeks ends on week 52 (weeks 1..=52); residuals start the
    // week after, each 0.002 - (-0.08 - (-0.08)) Δr = 0.002, so CR after k weeks is 0.002 k.
    assert_eq!(result.rolling.first().map(|f| f.date), Some(d("2021-01-01").add_days(7 * 52)));
    assert_eq!(result.residuals.len(), 88);
    assert!(result.residuals.iter().all(|p| (p.residual - 0.002).abs() < 1e-9));
    let last = result.residuals.last().expect("residual");
    assert!((last.cumulative - 0.176).abs() < 1e-8, "{}", last.cumulative);
}

#[test]
fn running_sums_agree_with_qr_and_the_interval_is_t_based() {
    let data = dataset(200, |w| 0.01 * (2.1 * f64::from(w)).cos() + 0.004 * (0.37 * f64::from(w * w)).sin());
    let as_of = d("2021-01-01").add_days(7 * 200);
    let panel = Panel::build(&data, Some(as_of)).expect("panel");
    let result = gold_real_rates(&panel, as_of, &GoldConfig::default()).expect("defined");
    let (current, qr) = (result.current.expect("current"), result.current_ols.expect("QR fit"));
    let slope = qr.slope(0).expect("slope");
    assert_eq!(current.n, qr.n);
    assert!((current.slope - slope.estimate).abs() < 1e-9);
    assert!((current.std_error - slope.std_error).abs() < 1e-9);
    assert!((current.intercept - qr.intercept().estimate).abs() < 1e-9);
    assert!((current.r_squared - qr.r_squared).abs() < 1e-9);
    // 104 weeks: t_{0.975, 102} = 1.98350; `ci95` uses the HC3 standard error, `ci95_classical`
    // the classical one.
    let half = (current.ci95_classical[1] - current.ci95_classical[0]) / 2.0;
    assert!((half / current.std_error - 1.983_495).abs() < 1e-5, "{}", half / current.std_error);
    let half = (current.ci95[1] - current.ci95[0]) / 2.0;
    assert!((half / current.hc3_std_error - 1.983_495).abs() < 1e-5);
    assert!((current.hc3_std_error - slope.hc3_std_error.expect("hc3")).abs() < 1e-9);
    assert!(current.ci95[0] < -0.08 && -0.08 < current.ci95[1], "{current:?}");
}

const NO_NULL: BreakNull = BreakNull { replicates: 0, seed: 0 };

#[test]
fn hinge_dates_the_break_by_hand() {
    // CR rises 0.01 a week for 150 weeks, then 0.05 a week: a hinge at week 150. In years a week is
    // 7 / 365.25, so the slopes are 0.01 x 365.25 / 7 = 52.18% and 0.05 x 365.25 / 7 = 260.89% a year.
    let points: Vec<ResidualPoint> = (0..300)
        .map(|w| ResidualPoint {
            date: d("2010-01-01").add_days(7 * w),
            gold_return: 0.0,
            real_rate_change: 0.0,
            slope: 0.0,
            residual: 0.0,
            cumulative: if w < 150 { 0.01 * f64::from(w) } else { 1.5 + 0.05 * f64::from(w - 150) },
        })
        .collect();
    let found = hinge_break(&points, 52, NO_NULL).expect("break");
    assert_eq!(found.date, d("2010-01-01").add_days(7 * 150));
    assert!((found.slope_before_pct_per_year - 100.0 * 0.01 * 365.25 / 7.0).abs() < 1e-6);
    assert!((found.slope_after_pct_per_year - 100.0 * 0.05 * 365.25 / 7.0).abs() < 1e-6);
    assert!(found.sse_two_segment < 1e-9 && found.improvement > 0.999_999);
    // Too short for two 52-week segments.
    assert!(hinge_break(&points[..100], 52, NO_NULL).is_none());
}

#[test]
fn missing_inputs_are_none() {
    let data = dataset(10, |_| 0.0);
    let panel = Panel::build(&data, None).expect("panel");
    let wrong = GoldConfig { gold: "NOT_LOADED".into(), ..GoldConfig::default() };
    assert!(gold_real_rates(&panel, d("2021-03-12"), &wrong).is_none());
    // Ten weeks: no window reaches 52 complete weeks.
    let short = gold_real_rates(&panel, d("2021-03-12"), &GoldConfig::default()).expect("defined");
    assert!(short.current.is_none() && short.residuals.is_empty() && short.trend_break.is_none());
}

#[test]
fn real_data_break_after_2022() {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data"));
    if !dir.join("DFII10.csv").exists() {
        return;
    }
    let mut dataset = Dataset::new(Catalog::builtin());
    dataset.load_from(|name| std::fs::read_to_string(dir.join(name)).ok(), None);
    let as_of = tideline_core::report::default_as_of(&dataset).expect("data");
    let panel = Panel::build(&public_at(&dataset, as_of), Some(as_of)).expect("panel");
    let result = gold_real_rates(&panel, as_of, &GoldConfig::default()).expect("defined");
    let current = result.current.expect("current window");
    println!(
        "gold vs real rates {}..{}: slope {:.4} per pp [{:.4}, {:.4}], R² {:.3}, n {}",
        current.start,
        current.date,
        current.slope,
        current.ci95[0],
        current.ci95[1],
        current.r_squared,
        current.n
    );
    let before_2022 = result.rolling.iter().rev().find(|f| f.date <= d("2021-12-31")).expect("2021 window");
    println!(
        "gold vs real rates window ending {}: slope {:.4} [{:.4}, {:.4}]",
        before_2022.date, before_2022.slope, before_2022.ci95[0], before_2022.ci95[1]
    );
    // Before 2022 gold fell significantly when real yields rose.
    assert!(before_2022.ci95[1] < 0.0);
    let found = result.trend_break.expect("break");
    let full = result.trend_break_full_sample.expect("full-sample break");
    let last = result.residuals.last().expect("residuals");
    println!(
        "gold residual: CR {:.3} at {}; break {} ({:+.1}%/yr -> {:+.1}%/yr, improvement {:.2}); full sample {} ({:+.1} -> {:+.1})",
        last.cumulative,
        last.date,
        found.date,
        found.slope_before_pct_per_year,
        found.slope_after_pct_per_year,
        found.improvement,
        full.date,
        full.slope_before_pct_per_year,
        full.slope_after_pct_per_year
    );
    assert!(found.date >= d("2022-01-01"), "the break should come after 2022, found {}", found.date);
    assert!(found.slope_after_pct_per_year > found.slope_before_pct_per_year);
    // Point in time: the figures for an earlier date do not use later data.
    let early = d("2019-06-28");
    let cut = Panel::build(&public_at(&dataset, early), Some(early)).expect("panel");
    let with_later = gold_real_rates(&panel, early, &GoldConfig::default()).expect("defined");
    let without = gold_real_rates(&cut, early, &GoldConfig::default()).expect("defined");
    assert!(with_later.residuals == without.residuals && with_later.current == without.current);
}
