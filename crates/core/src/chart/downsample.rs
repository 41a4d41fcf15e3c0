//! Downsampling for drawing only: largest-triangle-three-buckets (LTTB) that keeps the extremes.
//!
//! A daily series since 1954 has some 18,000 points for a chart 700 pixels wide. LTTB (Steinarsson,
//! 2013) keeps the points that shape the line: it splits the points between the first and the last
//! into buckets and keeps, from each, the point that makes the largest triangle with the point kept
//! before it and the average of the next bucket. Two changes make it trustworthy for these charts:
//!
//! - the global minimum and maximum are always kept (the bucket that holds one keeps it instead of
//!   its triangle point), so a crash or a peak is never smoothed away;
//! - non-finite values are gaps: the line is split into runs of finite points, each downsampled on
//!   its own share of the budget, so that the drawn line keeps its gaps.
//!
//! The tooltip and the exports read the real observations, never these.
//!
//! # Bound
//!
//! For a run of `n` finite points and a budget `t`: all `n` points when `n <= t`; otherwise at most
//! `max(t + 1, 4)` points (the first, the last, one per bucket, and one more when the minimum and
//! the maximum fall in the same bucket; with `t < 3`, just the first, the last, the minimum and the
//! maximum) and never more than `n`. With several runs the budget is shared in proportion to their
//! lengths (each share rounded down), so the total is at most `target + 4 × runs`, and at most
//! `max(target + 1, 4)` for a line without gaps.

use std::ops::Range;

use super::path::finite_runs;

/// LTTB of a line given as `(x, y)` points in x order, to about `target` points: the kept indices
/// of each run of finite points (see the module docs for the bound), each ascending, runs in order.
///
/// ```
/// use tideline_core::chart::lttb_runs;
/// let mut pts: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, (i as f64 / 7.0).sin())).collect();
/// pts[50].1 = f64::NAN;
/// let runs = lttb_runs(&pts, 20);
/// assert_eq!(runs.len(), 2);
/// assert_eq!(runs[0].first(), Some(&0));
/// assert_eq!(runs[1].last(), Some(&99));
/// ```
pub fn lttb_runs(points: &[(f64, f64)], target: usize) -> Vec<Vec<usize>> {
    let runs = finite_runs(points);
    let finite: usize = runs.iter().map(Range::len).sum();
    runs.into_iter()
        .map(|run| {
            let share = if finite <= target { run.len() } else { target * run.len() / finite };
            let offset = run.start;
            lttb_run(&points[run], share).into_iter().map(|i| i + offset).collect()
        })
        .collect()
}

/// [`lttb_runs`] flattened: the kept indices of finite points, ascending. Where the input had a gap
/// the kept indices jump over it; draw from [`lttb_runs`] to keep the gap visible.
///
/// ```
/// use tideline_core::chart::lttb;
/// let pts: Vec<(f64, f64)> = (0..1_000).map(|i| (i as f64, if i == 500 { 9.0 } else { 0.0 })).collect();
/// let kept = lttb(&pts, 50);
/// assert!(kept.len() <= 51 && kept.contains(&500) && kept[0] == 0 && kept[kept.len() - 1] == 999);
/// assert_eq!(lttb(&pts[..10], 50), (0..10).collect::<Vec<_>>());
/// ```
pub fn lttb(points: &[(f64, f64)], target: usize) -> Vec<usize> {
    lttb_runs(points, target).into_iter().flatten().collect()
}

/// LTTB of one run of finite points; indices into `run`.
fn lttb_run(run: &[(f64, f64)], target: usize) -> Vec<usize> {
    let n = run.len();
    if n <= target {
        return (0..n).collect();
    }
    let (min, max) = extremes(run);
    if target < 3 {
        let mut kept = vec![0, min, max, n - 1];
        kept.sort_unstable();
        kept.dedup();
        return kept;
    }
    let buckets = target - 2;
    // Integer bounds, so that the buckets tile the n - 2 interior points exactly (a float width
    // can drop the last interior point by rounding); n > target, so none is empty.
    let bounds = |b: usize| -> Range<usize> { b * (n - 2) / buckets + 1..(b + 1) * (n - 2) / buckets + 1 };
    let mut kept = Vec::with_capacity(target + 1);
    kept.push(0);
    let mut previous = 0;
    for b in 0..buckets {
        let bucket = bounds(b);
        let forced: Vec<usize> = [min, max].into_iter().filter(|i| bucket.contains(i)).collect();
        let chosen = match forced.as_slice() {
            [] => {
                let next = if b + 1 < buckets { bounds(b + 1) } else { n - 1..n };
                let (cx, cy) = mean(&run[next]);
                let (ax, ay) = run[previous];
                let area = |i: &usize| {
                    let (bx, by) = run[*i];
                    ((ax - cx) * (by - ay) - (ax - bx) * (cy - ay)).abs()
                };
                // The first of the largest, so that ties keep the earlier point.
                bucket.clone().fold(bucket.start, |best, i| if area(&i) > area(&best) { i } else { best })
            }
            [only] => *only,
            [one, other, ..] => {
                kept.push((*one).min(*other));
                (*one).max(*other)
            }
        };
        kept.push(chosen);
        previous = chosen;
    }
    kept.push(n - 1);
    kept.dedup();
    kept
}

/// The indices of the first minimum and the first maximum (the run is finite and not empty).
fn extremes(run: &[(f64, f64)]) -> (usize, usize) {
    let mut min = 0;
    let mut max = 0;
    for (i, (_, y)) in run.iter().enumerate() {
        if *y < run[min].1 {
            min = i;
        }
        if *y > run[max].1 {
            max = i;
        }
    }
    (min, max)
}

/// The average point of a non-empty slice.
fn mean(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len().max(1) as f64;
    let (sx, sy) = points.iter().fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x, sy + y));
    (sx / n, sy / n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn small_and_empty_inputs() {
        assert!(lttb(&[], 10).is_empty());
        assert_eq!(lttb(&[(0.0, 1.0)], 0), [0]);
        assert_eq!(lttb(&[(0.0, 1.0), (1.0, 2.0)], 1), [0, 1]);
        assert_eq!(lttb(&[(0.0, f64::NAN)], 10), Vec::<usize>::new());
        let pts: Vec<(f64, f64)> = (0..10).map(|i| (i as f64, (i * 7 % 10) as f64)).collect();
        // target 0: first, last, minimum (index 0, value 0) and maximum (index 7, value 9).
        assert_eq!(lttb(&pts, 0), [0, 7, 9]);
    }

    #[test]
    fn keeps_both_extremes_in_one_bucket() {
        let mut pts: Vec<(f64, f64)> = (0..100).map(|i| (i as f64, 0.0)).collect();
        pts[40].1 = -5.0;
        pts[41].1 = 5.0;
        let kept = lttb(&pts, 5);
        assert!(kept.contains(&40) && kept.contains(&41));
        assert!(kept.len() <= 6);
    }

    #[test]
    fn gaps_share_the_budget() {
        let mut pts: Vec<(f64, f64)> = (0..1_000).map(|i| (i as f64, (i as f64).sqrt())).collect();
        pts[250].1 = f64::NAN;
        let runs = lttb_runs(&pts, 100);
        assert_eq!(runs.len(), 2);
        assert!(runs[0].iter().all(|i| *i < 250) && runs[1].iter().all(|i| *i > 250));
        assert!(runs[0].len() <= 26 && runs[1].len() <= 76);
    }

    /// A line of up to 300 points, some of them NaN.
    fn line() -> impl Strategy<Value = Vec<(f64, f64)>> {
        prop::collection::vec(prop_oneof![9 => -1e3..1e3f64, 1 => Just(f64::NAN)], 0..300)
            .prop_map(|ys| ys.into_iter().enumerate().map(|(i, y)| (i as f64, y)).collect())
    }

    proptest! {
        #[test]
        fn lttb_contract(points in line(), target in 0usize..120) {
            let runs = lttb_runs(&points, target);
            let finite = finite_runs(&points);
            prop_assert_eq!(runs.len(), finite.len());
            let flat: Vec<usize> = runs.iter().flatten().copied().collect();
            prop_assert!(flat.windows(2).all(|w| w[0] < w[1]), "not ascending");
            prop_assert!(flat.iter().all(|i| points[*i].1.is_finite()));
            let total_finite: usize = finite.iter().map(Range::len).sum();
            if total_finite <= target {
                prop_assert_eq!(flat.len(), total_finite);
            } else {
                prop_assert!(flat.len() <= target + 4 * finite.len());
                if finite.len() == 1 {
                    prop_assert!(flat.len() <= (target + 1).max(4));
                }
            }
            for (kept, run) in runs.iter().zip(&finite) {
                prop_assert_eq!(kept.first(), Some(&run.start));
                prop_assert_eq!(kept.last(), Some(&(run.end - 1)));
                let ys: Vec<f64> = points[run.clone()].iter().map(|p| p.1).collect();
                let lo = ys.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = ys.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(kept.iter().any(|i| points[*i].1 == lo), "minimum lost");
                prop_assert!(kept.iter().any(|i| points[*i].1 == hi), "maximum lost");
            }
        }
    }
}
