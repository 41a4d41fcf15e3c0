//! Scatter plots with fitted lines: points, plus one segment per fitted `(intercept, slope)` over its
//! own x range (the down-market and the up-market beta of an asset against its benchmark).

use super::layout::{Frame, LabelRoom, Rect};
use super::scale::LinearScale;
use super::ticks::Tick;
use super::window::{y_domain, Y_PADDING};

/// A fitted line `y = intercept + slope × x`, drawn over `x_range`.
#[derive(Clone, Debug, PartialEq)]
pub struct Fit {
    /// Its label (`down beta 1.32`).
    pub label: String,
    /// The intercept.
    pub intercept: f64,
    /// The slope.
    pub slope: f64,
    /// The x values it was fitted over `(from, to)` (the down-market half: below zero).
    pub x_range: (f64, f64),
}

/// How to lay out a scatter plot.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ScatterOptions {
    /// The chart's size and margins.
    pub frame: Frame,
    /// Room for labels (`x_label_px` spaces the x ticks, `y_gap_px` the y ticks).
    pub room: LabelRoom,
    /// Both axes reach zero (returns against returns: the quadrants matter).
    pub include_zero: bool,
}

/// A fitted line's drawn segment, clipped to the plot.
#[derive(Clone, Debug, PartialEq)]
pub struct FitSegment {
    /// The fit's label.
    pub label: String,
    /// Start x in pixels.
    pub x1: f64,
    /// Start y in pixels.
    pub y1: f64,
    /// End x in pixels.
    pub x2: f64,
    /// End y in pixels.
    pub y2: f64,
}

/// Everything a scatter plot draws.
#[derive(Clone, Debug, PartialEq)]
pub struct ScatterGeometry {
    /// The plot area.
    pub plot: Rect,
    /// The x scale.
    pub x: LinearScale,
    /// The y scale.
    pub y: LinearScale,
    /// X ticks.
    pub x_ticks: Vec<Tick>,
    /// Y ticks.
    pub y_ticks: Vec<Tick>,
    /// The points with both coordinates finite, in pixels.
    pub points: Vec<(f64, f64)>,
    /// The index in the input of each drawn point (for its tooltip).
    pub indices: Vec<usize>,
    /// The fitted lines that cross the plot.
    pub fits: Vec<FitSegment>,
    /// The x of the vertical zero line, when zero lies in the x domain.
    pub zero_x: Option<f64>,
    /// The y of the horizontal zero line, when zero lies in the y domain.
    pub zero_y: Option<f64>,
}

/// The geometry of a scatter plot of `points` `(x, y)` with `fits`.
///
/// ```
/// use tideline_core::chart::{scatter_chart, Fit, ScatterOptions};
/// let pts: Vec<(f64, f64)> = (-10..=10).map(|i| (i as f64, if i < 0 { 1.5 * i as f64 } else { 0.5 * i as f64 })).collect();
/// let fits = [
///     Fit { label: "down".into(), intercept: 0.0, slope: 1.5, x_range: (-10.0, 0.0) },
///     Fit { label: "up".into(), intercept: 0.0, slope: 0.5, x_range: (0.0, 10.0) },
/// ];
/// let g = scatter_chart(&pts, &fits, &ScatterOptions { include_zero: true, ..ScatterOptions::default() });
/// assert_eq!(g.points.len(), 21);
/// assert_eq!(g.fits.len(), 2);
/// assert_eq!(g.fits[0].x2, g.zero_x.expect("zero in domain"));
/// ```
pub fn scatter_chart(points: &[(f64, f64)], fits: &[Fit], options: &ScatterOptions) -> ScatterGeometry {
    let plot = options.frame.plot();
    let finite: Vec<usize> =
        (0..points.len()).filter(|i| points[*i].0.is_finite() && points[*i].1.is_finite()).collect();
    let (x0, x1) =
        y_domain(finite.iter().map(|i| points[*i].0), Y_PADDING, options.include_zero).unwrap_or((-1.0, 1.0));
    let (y0, y1) =
        y_domain(finite.iter().map(|i| points[*i].1), Y_PADDING, options.include_zero).unwrap_or((-1.0, 1.0));
    let x = LinearScale::new(x0, x1, plot.x, plot.right());
    let y = LinearScale::new(y0, y1, plot.bottom(), plot.y);
    let inside = |s: &LinearScale, v: f64| s.d0.min(s.d1) <= v && v <= s.d0.max(s.d1);
    let fits = fits
        .iter()
        .filter_map(|f| {
            let ((ax, ay), (bx, by)) = clip_line(f, (x.d0, x.d1), (y.d0, y.d1))?;
            Some(FitSegment {
                label: f.label.clone(),
                x1: x.map(ax),
                y1: y.map(ay),
                x2: x.map(bx),
                y2: y.map(by),
            })
        })
        .collect();
    ScatterGeometry {
        plot,
        x,
        y,
        x_ticks: x.ticks(options.room.x_label_px),
        y_ticks: y.ticks(options.room.y_gap_px),
        points: finite.iter().map(|i| (x.map(points[*i].0), y.map(points[*i].1))).collect(),
        indices: finite,
        fits,
        zero_x: inside(&x, 0.0).then(|| x.map(0.0)),
        zero_y: inside(&y, 0.0).then(|| y.map(0.0)),
    }
}

/// The part of the fit over its x range that lies in the box `xs × ys` (data units), or `None`.
fn clip_line(fit: &Fit, xs: (f64, f64), ys: (f64, f64)) -> Option<((f64, f64), (f64, f64))> {
    let (a, b) = (fit.intercept, fit.slope);
    if !(a.is_finite() && b.is_finite()) {
        return None;
    }
    let (r0, r1) = fit.x_range;
    let mut lo = r0.min(r1).max(xs.0.min(xs.1));
    let mut hi = r0.max(r1).min(xs.0.max(xs.1));
    // Where the line is inside the y box: a ≤ a + b·x ≤ … solved for x.
    let (y_lo, y_hi) = (ys.0.min(ys.1), ys.0.max(ys.1));
    if b != 0.0 {
        let (p, q) = ((y_lo - a) / b, (y_hi - a) / b);
        lo = lo.max(p.min(q));
        hi = hi.min(p.max(q));
    } else if !(y_lo..=y_hi).contains(&a) {
        return None;
    }
    (lo.is_finite() && hi.is_finite() && lo <= hi).then_some(((lo, a + b * lo), (hi, a + b * hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fit(intercept: f64, slope: f64, x_range: (f64, f64)) -> Fit {
        Fit { label: String::new(), intercept, slope, x_range }
    }

    #[test]
    fn lines_are_clipped_to_the_box() {
        let clipped = clip_line(&fit(0.0, 10.0, (-5.0, 5.0)), (-5.0, 5.0), (-1.0, 1.0));
        assert_eq!(clipped, Some(((-0.1, -1.0), (0.1, 1.0))));
        assert_eq!(clip_line(&fit(5.0, 0.0, (0.0, 1.0)), (0.0, 1.0), (-1.0, 1.0)), None);
        assert_eq!(clip_line(&fit(0.0, 1.0, (3.0, 4.0)), (0.0, 1.0), (-1.0, 1.0)), None);
        assert_eq!(clip_line(&fit(f64::NAN, 1.0, (0.0, 1.0)), (0.0, 1.0), (-1.0, 1.0)), None);
    }

    #[test]
    fn empty_and_non_finite_points() {
        let g = scatter_chart(&[(f64::NAN, 1.0), (1.0, 2.0)], &[], &ScatterOptions::default());
        assert_eq!(g.indices, [1]);
        let g = scatter_chart(&[], &[], &ScatterOptions::default());
        assert!(g.points.is_empty() && g.zero_x.is_some());
    }
}
