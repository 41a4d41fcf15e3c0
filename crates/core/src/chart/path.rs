//! SVG path data: lines with gaps, areas closed to a baseline, bands between two lines.
//!
//! A point whose coordinate is not finite (a missing observation, a non-positive value on a log
//! axis) is a gap: the line stops before it and starts again after it with a new `M`. Coordinates
//! are rounded to 0.1 px, which is finer than any screen and keeps the path text short.

use std::fmt::Write;
use std::ops::Range;

/// The runs of consecutive points whose coordinates are both finite, as index ranges, ascending.
///
/// ```
/// use tideline_core::chart::finite_runs;
/// let pts = [(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0), (3.0, 4.0)];
/// assert_eq!(finite_runs(&pts), [0..1, 2..4]);
/// ```
pub fn finite_runs(points: &[(f64, f64)]) -> Vec<Range<usize>> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, (x, y)) in points.iter().enumerate() {
        match (x.is_finite() && y.is_finite(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push(s..i);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push(s..points.len());
    }
    runs
}

/// Appends `M x y` or `L x y`.
fn push_point(path: &mut String, command: char, (x, y): (f64, f64)) {
    // Writing to a String cannot fail.
    let _ = write!(path, "{command}{x:.1} {y:.1}");
}

/// An SVG path (`M x y L x y ...`) through the points, rounded to 0.1 px; a non-finite point
/// breaks the line, which starts again at the next finite point.
///
/// A run of a single point draws nothing in a stroked path; mark such points with a dot when they
/// matter.
///
/// ```
/// use tideline_core::chart::svg_path;
/// assert_eq!(svg_path([(0.0, 1.0), (2.26, 3.0)]), "M0.0 1.0L2.3 3.0");
/// assert_eq!(svg_path([(0.0, 1.0), (1.0, f64::NAN), (2.0, 3.0)]), "M0.0 1.0M2.0 3.0");
/// ```
pub fn svg_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut path = String::new();
    let mut pen_down = false;
    for (x, y) in points {
        if !x.is_finite() || !y.is_finite() {
            pen_down = false;
            continue;
        }
        push_point(&mut path, if pen_down { 'L' } else { 'M' }, (x, y));
        pen_down = true;
    }
    path
}

/// A filled area: each finite run of the line closed down (or up) to the pixel row `baseline_y`,
/// one closed subpath per run so that gaps stay empty.
///
/// ```
/// use tideline_core::chart::area_path;
/// assert_eq!(area_path(&[(0.0, 1.0), (2.0, 3.0)], 10.0), "M0.0 10.0L0.0 1.0L2.0 3.0L2.0 10.0Z");
/// ```
pub fn area_path(points: &[(f64, f64)], baseline_y: f64) -> String {
    let mut path = String::new();
    if !baseline_y.is_finite() {
        return path;
    }
    for run in finite_runs(points) {
        let run = &points[run];
        let (Some(first), Some(last)) = (run.first(), run.last()) else { continue };
        push_point(&mut path, 'M', (first.0, baseline_y));
        for p in run {
            push_point(&mut path, 'L', *p);
        }
        push_point(&mut path, 'L', (last.0, baseline_y));
        path.push('Z');
    }
    path
}

/// A band between an upper and a lower line over the same x positions (one layer of a stacked
/// area, or an interval band around a line): along the upper line, back along the lower one,
/// closed. Points where either line is not finite split the band.
///
/// ```
/// use tideline_core::chart::band_path;
/// assert_eq!(band_path(&[0.0, 1.0], &[5.0, 4.0], &[9.0, 9.0]), "M0.0 5.0L1.0 4.0L1.0 9.0L0.0 9.0Z");
/// ```
pub fn band_path(xs: &[f64], upper: &[f64], lower: &[f64]) -> String {
    let n = xs.len().min(upper.len()).min(lower.len());
    let both: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            if lower[i].is_finite() && upper[i].is_finite() {
                (xs[i], upper[i])
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect();
    let mut path = String::new();
    for run in finite_runs(&both) {
        for (k, i) in run.clone().enumerate() {
            push_point(&mut path, if k == 0 { 'M' } else { 'L' }, (xs[i], upper[i]));
        }
        for i in run.rev() {
            push_point(&mut path, 'L', (xs[i], lower[i]));
        }
        path.push('Z');
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_all_missing() {
        assert_eq!(svg_path(std::iter::empty()), "");
        assert_eq!(svg_path([(f64::NAN, 1.0)]), "");
        assert!(finite_runs(&[]).is_empty());
        assert_eq!(area_path(&[(f64::NAN, 1.0)], 0.0), "");
        assert_eq!(area_path(&[(0.0, 1.0)], f64::NAN), "");
        assert_eq!(band_path(&[], &[], &[]), "");
    }

    #[test]
    fn gaps_split_areas_and_bands() {
        let pts = [(0.0, 1.0), (1.0, 2.0), (2.0, f64::INFINITY), (3.0, 4.0)];
        assert_eq!(area_path(&pts, 9.0).matches('Z').count(), 2);
        assert_eq!(
            band_path(&[0.0, 1.0, 2.0], &[1.0, f64::NAN, 1.0], &[2.0, 2.0, 2.0]).matches('Z').count(),
            2
        );
    }
}
