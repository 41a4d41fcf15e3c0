//! Property tests of point-in-time alignment (MODEL.md 1.3): what the model shows for a date never
//! depends on an observation published after it.

use proptest::prelude::*;
use tideline_core::align::{as_of, resample, Bucket, Calendar, Frame, Resample};
use tideline_core::liquidity::net_liquidity_daily;
use tideline_core::{Date, Series};

/// Around 2022; far enough from the ends of the date range to matter nowhere.
const BASE_DAY: i32 = 19_000;

/// One generated input: observations as (gap in days from the previous one, value), and a lag.
#[derive(Clone, Debug)]
struct Input {
    start: i32,
    steps: Vec<(i32, f64)>,
    lag: i32,
}

impl Input {
    fn series(&self, id: &str) -> Series {
        let mut day = BASE_DAY + self.start;
        let mut pairs = Vec::with_capacity(self.steps.len());
        for (gap, value) in &self.steps {
            day += gap;
            pairs.push((Date::from_days(day), *value));
        }
        Series::from_pairs(id, &pairs).unwrap_or_default()
    }
}

fn input() -> impl Strategy<Value = Input> {
    (0..120i32, prop::collection::vec((1..20i32, -1e6..1e6f64), 0..40), 0..70i32)
        .prop_map(|(start, steps, lag)| Input { start, steps, lag })
}

/// A calendar of one of the three kinds over part of the generated span.
fn calendar() -> impl Strategy<Value = Calendar> {
    (0..3u8, 0..150i32, 1..600i32).prop_map(|(kind, start, span)| {
        let first = Date::from_days(BASE_DAY + start);
        let last = first.add_days(span);
        match kind {
            0 => Calendar::daily(first, last),
            1 => Calendar::business_days(first, last),
            _ => Calendar::fridays(first, last),
        }
    })
}

/// The observations of `series` published on or before `cutoff` with `lag`.
fn published_by(series: &Series, lag: i32, cutoff: Date) -> Series {
    let pairs: Vec<(Date, f64)> = series.iter().filter(|(d, _)| d.days() + lag <= cutoff.days()).collect();
    Series::from_pairs(series.id.clone(), &pairs).unwrap_or_default()
}

/// `series` with everything published after `cutoff` replaced by other observations that are also
/// published after it: dates after `cutoff - lag`, new values.
fn altered_after(series: &Series, lag: i32, cutoff: Date, tail: &[(i32, f64)]) -> Series {
    let mut pairs: Vec<(Date, f64)> = published_by(series, lag, cutoff).iter().collect();
    let mut day = pairs.last().map_or(i32::MIN, |(d, _)| d.days()).max(cutoff.days() - lag);
    for (gap, value) in tail {
        day += gap;
        pairs.push((Date::from_days(day), *value));
    }
    Series::from_pairs(series.id.clone(), &pairs).unwrap_or_default()
}

fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// Asserts that two frames on the same calendar agree on every column, at every date `<= until`.
fn assert_frames_agree(a: &Frame, b: &Frame, until: Option<Date>) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.calendar(), b.calendar());
    prop_assert_eq!(a.ids().collect::<Vec<_>>(), b.ids().collect::<Vec<_>>());
    for (id, column) in a.columns() {
        let other = b.column(id).ok_or_else(|| TestCaseError::fail(format!("{id} missing")))?;
        for (i, t) in a.calendar().iter().enumerate() {
            if until.is_some_and(|u| t > u) {
                break;
            }
            prop_assert!(same(column.values[i], other.values[i]), "{id} at {t}: {:?} vs {:?}", column, other);
            prop_assert_eq!(column.obs_dates[i], other.obs_dates[i], "{} at {}", id, t);
        }
    }
    Ok(())
}

/// The frame inputs: each series with its generated lag.
fn triples<'a>(series: &'a [Series], inputs: &[Input]) -> Vec<(&'a str, &'a Series, i32)> {
    series.iter().zip(inputs).map(|(s, input)| (s.id.as_str(), s, input.lag)).collect()
}

const IDS: [&str; 4] = ["a", "b", "c", "d"];

proptest! {
    /// The frame cut off at D equals the frame of the data that was public at D: on every calendar
    /// date up to D, and in fact on every date (after D both carry the values public at D).
    #[test]
    fn cutoff_equals_deleting_later_publications(
        inputs in prop::collection::vec(input(), 1..5),
        calendar in calendar(),
        cutoff_offset in -20..700i32,
    ) {
        let cutoff = Date::from_days(BASE_DAY + cutoff_offset);
        let all: Vec<Series> = inputs.iter().zip(IDS).map(|(input, id)| input.series(id)).collect();
        let public: Vec<Series> =
            all.iter().zip(&inputs).map(|(s, input)| published_by(s, input.lag, cutoff)).collect();
        let cut = Frame::new(calendar.clone(), &triples(&all, &inputs), Some(cutoff));
        let deleted = Frame::new(calendar.clone(), &triples(&public, &inputs), None);
        assert_frames_agree(&cut, &deleted, Some(cutoff))?;
        assert_frames_agree(&cut, &deleted, None)?;
        // Without a cutoff, the full data agrees with both up to D.
        let full = Frame::new(calendar, &triples(&all, &inputs), None);
        assert_frames_agree(&full, &cut, Some(cutoff))?;
    }

    /// Appending or altering observations published after D never changes a value at a date <= D,
    /// nor which observation it used.
    #[test]
    fn later_publications_never_change_the_past(
        inputs in prop::collection::vec(input(), 1..5),
        tails in prop::collection::vec(prop::collection::vec((1..15i32, -1e6..1e6f64), 0..10), 4),
        calendar in calendar(),
        cutoff_offset in -20..700i32,
    ) {
        let cutoff = Date::from_days(BASE_DAY + cutoff_offset);
        let all: Vec<Series> = inputs.iter().zip(IDS).map(|(input, id)| input.series(id)).collect();
        let altered: Vec<Series> = all
            .iter()
            .zip(&inputs)
            .zip(&tails)
            .map(|((s, input), tail)| altered_after(s, input.lag, cutoff, tail))
            .collect();
        let before = Frame::new(calendar.clone(), &triples(&all, &inputs), None);
        let after = Frame::new(calendar.clone(), &triples(&altered, &inputs), None);
        assert_frames_agree(&before, &after, Some(cutoff))?;
        // As of D the two data sets are the same data set.
        let before_cut = Frame::new(calendar.clone(), &triples(&all, &inputs), Some(cutoff));
        let after_cut = Frame::new(calendar.clone(), &triples(&altered, &inputs), Some(cutoff));
        assert_frames_agree(&before_cut, &after_cut, None)?;

        // Buckets dated at their end, joined with the series' lag, keep the same promise.
        for ((s, a), input) in all.iter().zip(&altered).zip(&inputs) {
            for bucket in [Bucket::Week, Bucket::Month] {
                for how in [Resample::Mean, Resample::Last, Resample::Sum] {
                    let x = as_of(&resample(s, bucket, how), input.lag, &calendar);
                    let y = as_of(&resample(a, bucket, how), input.lag, &calendar);
                    for (i, t) in calendar.iter().enumerate() {
                        if t > cutoff {
                            break;
                        }
                        prop_assert!(same(x.values[i], y.values[i]), "{bucket:?} {how:?} at {t}");
                    }
                }
            }
        }

        // Daily net liquidity too.
        if let [walcl, tga, rrp, ..] = altered.as_slice() {
            let [w, g, r] = [&all[0], &all[1], &all[2]];
            let lag = |k: usize| inputs[k].lag;
            let x = net_liquidity_daily(&calendar, (w, lag(0)), Some((g, lag(1))), None, Some((r, lag(2))));
            let y = net_liquidity_daily(
                &calendar,
                (walcl, lag(0)),
                Some((tga, lag(1))),
                None,
                Some((rrp, lag(2))),
            );
            for (i, t) in calendar.iter().enumerate() {
                if t > cutoff {
                    break;
                }
                prop_assert!(same(x.usd_bn[i], y.usd_bn[i]), "net liquidity at {t}");
                prop_assert_eq!(x.rrp_dates[i], y.rrp_dates[i]);
            }
        }
    }

    /// Every value used at t was observed on a date d with d + lag <= t, and is the newest such.
    #[test]
    fn uses_the_newest_public_observation(input in input(), calendar in calendar()) {
        let series = input.series("x");
        let joined = as_of(&series, input.lag, &calendar);
        prop_assert_eq!(joined.len(), calendar.len());
        for (i, t) in calendar.iter().enumerate() {
            let expected = series.at_or_before(t.add_days(-input.lag));
            prop_assert_eq!(joined.get(i).map(|(v, d)| (d, v)), expected);
        }
    }
}
