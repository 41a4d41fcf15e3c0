//! Time-series line and area charts with several series and direct labels at the lines' ends.

use crate::date::Date;

use super::downsample::lttb_runs;
use super::layout::{Frame, LabelRoom, Rect};
use super::path::{area_path, svg_path};
use super::scale::{TimeScale, YScale};
use super::ticks::{DateTick, Tick};
use super::window::{y_domain, y_domain_log, Window, Y_PADDING};

/// One series to draw: its label (the direct label at its end) and its points, ascending by date.
/// A non-finite value is a gap in the line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineInput<'a> {
    /// The label drawn at the line's end (the series' short name).
    pub label: &'a str,
    /// The observations, ascending by date.
    pub points: &'a [(Date, f64)],
}

/// How to lay out a line chart.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineOptions {
    /// The chart's size and margins.
    pub frame: Frame,
    /// Room for labels.
    pub room: LabelRoom,
    /// The dates shown; `None` for all the data.
    pub window: Option<Window>,
    /// A log value axis (falls back to linear when a value in the window is not above zero).
    pub log: bool,
    /// The value axis reaches zero (where the sign matters: changes, spreads, net flows).
    pub include_zero: bool,
    /// Also fill each line down to the baseline (zero when shown, else the plot's bottom).
    pub area: bool,
    /// Downsample each line to about one point per pixel of the plot's width (drawing only).
    pub downsample: bool,
}

impl Default for LineOptions {
    fn default() -> LineOptions {
        LineOptions {
            frame: Frame::default(),
            room: LabelRoom::default(),
            window: None,
            log: false,
            include_zero: false,
            area: false,
            downsample: true,
        }
    }
}

/// One drawn series.
#[derive(Clone, Debug, PartialEq)]
pub struct LinePath {
    /// The series' label.
    pub label: String,
    /// The line's SVG path, with a gap wherever the data has one.
    pub path: String,
    /// The filled area's SVG path, when [`LineOptions::area`] is set.
    pub area: Option<String>,
    /// The last drawn point, for a marker on the latest observation.
    pub end: Option<(f64, f64)>,
    /// How many points the path goes through (after downsampling).
    pub points_drawn: usize,
}

/// A direct label at the end of a line, nudged so that labels do not overlap.
#[derive(Clone, Debug, PartialEq)]
pub struct EndLabel {
    /// The index of its series in the input.
    pub series: usize,
    /// The text.
    pub text: String,
    /// The label's x (left edge; text-anchor start).
    pub x: f64,
    /// The label's y (its vertical centre), after nudging.
    pub y: f64,
    /// The y of the line's end, for a leader line when the label moved.
    pub anchor_y: f64,
}

/// Everything a time-series chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct LineChartGeometry {
    /// The plot area.
    pub plot: Rect,
    /// The x scale (for the crosshair and the brush).
    pub x: TimeScale,
    /// The y scale.
    pub y: YScale,
    /// Date ticks, thinned to fit.
    pub x_ticks: Vec<DateTick>,
    /// Value ticks, thinned to fit, with the same decimals.
    pub y_ticks: Vec<Tick>,
    /// The zero line's y, when zero lies in a linear domain.
    pub zero_y: Option<f64>,
    /// The lines, in input order.
    pub lines: Vec<LinePath>,
    /// The direct labels, for the lines that have a point in the window.
    pub end_labels: Vec<EndLabel>,
    /// False when the direct labels cannot all fit the plot's height apart: show a legend instead.
    pub labels_fit: bool,
}

/// The geometry of a line chart of `series` (see [`LineOptions`]). An empty input gives a chart
/// with axes over a default domain and no lines.
///
/// ```
/// use tideline_core::{chart::{line_chart, LineInput, LineOptions}, Date};
/// let a: Vec<(Date, f64)> = (0..100).map(|i| (Date::from_days(i), i as f64)).collect();
/// let b: Vec<(Date, f64)> = (0..100).map(|i| (Date::from_days(i), 99.0 - i as f64 * 0.99)).collect();
/// let g = line_chart(&[LineInput { label: "A", points: &a }, LineInput { label: "B", points: &b }],
///                    &LineOptions::default());
/// assert_eq!(g.lines.len(), 2);
/// assert!(g.labels_fit);
/// assert!((g.end_labels[0].y - g.end_labels[1].y).abs() >= 14.0);
/// ```
pub fn line_chart(series: &[LineInput], options: &LineOptions) -> LineChartGeometry {
    let plot = options.frame.plot();
    let data = Window::union_of(series.iter().map(|s| s.points));
    let window = match (options.window, data) {
        (Some(w), _) => w,
        (None, Some(d)) => d,
        (None, None) => Window::new(Date::from_days(0), Date::from_days(1)),
    };
    let visible: Vec<&[(Date, f64)]> = series.iter().map(|s| window.slice(s.points)).collect();
    let values = || visible.iter().flat_map(|s| s.iter().map(|p| p.1));
    let log_domain = if options.log { y_domain_log(values(), Y_PADDING) } else { None };
    let (lo, hi) =
        log_domain.or_else(|| y_domain(values(), Y_PADDING, options.include_zero)).unwrap_or((0.0, 1.0));
    // A log axis cannot show a value at or below zero: fall back to linear when one is visible.
    let log = log_domain.is_some() && values().filter(|v| v.is_finite()).all(|v| v > 0.0);
    let x = TimeScale::new(window.first, window.last, plot.x, plot.right());
    let y = YScale::new(lo, hi, plot.bottom(), plot.y, log);
    let zero_y = y.zero_px();
    let baseline = zero_y.unwrap_or(plot.bottom());
    let target = if options.downsample { plot.width.round().max(2.0) as usize } else { usize::MAX };

    let mut lines = Vec::with_capacity(series.len());
    let mut ends = Vec::new();
    for (i, (input, points)) in series.iter().zip(&visible).enumerate() {
        let px: Vec<(f64, f64)> = points.iter().map(|(d, v)| (x.map(*d), y.map(*v))).collect();
        let runs = lttb_runs(&px, target);
        let mut path = String::new();
        let mut area = options.area.then(String::new);
        for run in &runs {
            let drawn: Vec<(f64, f64)> = run.iter().map(|k| px[*k]).collect();
            path.push_str(&svg_path(drawn.iter().copied()));
            if let Some(a) = area.as_mut() {
                a.push_str(&area_path(&drawn, baseline));
            }
        }
        let end = runs.last().and_then(|r| r.last()).map(|k| px[*k]);
        if let Some((_, end_y)) = end {
            ends.push((i, end_y));
        }
        lines.push(LinePath {
            label: input.label.to_string(),
            path,
            area,
            end,
            points_drawn: runs.iter().map(Vec::len).sum(),
        });
    }
    let (end_labels, labels_fit) = end_labels(series, &ends, plot, options.room.end_label_px);
    LineChartGeometry {
        plot,
        x,
        y,
        x_ticks: x.ticks(options.room.x_label_px),
        y_ticks: y.ticks(options.room.y_gap_px),
        zero_y,
        lines,
        end_labels,
        labels_fit,
    }
}

/// Direct labels at the right of the plot for the lines' ends `(series index, y)`.
pub(crate) fn end_labels(
    series: &[LineInput],
    ends: &[(usize, f64)],
    plot: Rect,
    label_px: f64,
) -> (Vec<EndLabel>, bool) {
    let ys: Vec<f64> = ends.iter().map(|e| e.1).collect();
    let nudged = nudge_apart(&ys, label_px, plot.y, plot.bottom());
    let fits = label_px * ends.len().saturating_sub(1) as f64 <= plot.height;
    let labels = ends
        .iter()
        .zip(nudged)
        .map(|(&(i, anchor_y), y)| EndLabel {
            series: i,
            text: series.get(i).map_or_else(String::new, |s| s.label.to_string()),
            x: plot.right() + 4.0,
            y,
            anchor_y,
        })
        .collect();
    (labels, fits)
}

/// Label positions near `ys`, at least `min_gap` apart and inside `[top, bottom]` when they fit,
/// keeping their order and moving each as little as a simple two-pass sweep allows. The result is
/// parallel to `ys`; a non-finite position is placed at `top`.
///
/// When the labels cannot fit (`min_gap × (n − 1) > bottom − top`) they are spread evenly over the
/// whole range instead, and overlap; show a legend then.
///
/// ```
/// use tideline_core::chart::nudge_apart;
/// assert_eq!(nudge_apart(&[50.0, 52.0, 200.0], 14.0, 0.0, 300.0), [44.0, 58.0, 200.0]);
/// ```
pub fn nudge_apart(ys: &[f64], min_gap: f64, top: f64, bottom: f64) -> Vec<f64> {
    let n = ys.len();
    let (top, bottom) = (top.min(bottom), top.max(bottom));
    let gap = if min_gap.is_finite() { min_gap.max(0.0) } else { 0.0 };
    let mut order: Vec<usize> = (0..n).collect();
    let at = |i: usize| if ys[i].is_finite() { ys[i].clamp(top, bottom) } else { top };
    order.sort_by(|a, b| at(*a).total_cmp(&at(*b)));
    let mut placed: Vec<f64> = order.iter().map(|i| at(*i)).collect();
    if n > 1 && gap * (n - 1) as f64 > bottom - top {
        let step = (bottom - top) / (n - 1) as f64;
        placed = (0..n).map(|k| top + step * k as f64).collect();
    } else if n > 1 {
        // Centre each cluster of overlapping labels on its lines, then push down, then up.
        let mut clusters: Vec<(usize, usize)> = Vec::new();
        for k in 0..n {
            match clusters.last_mut() {
                Some((_, end)) if placed[k] - placed[*end] < gap => *end = k,
                _ => clusters.push((k, k)),
            }
        }
        for (start, end) in clusters {
            let mean = placed[start..=end].iter().sum::<f64>() / (end - start + 1) as f64;
            let first = mean - gap * (end - start) as f64 / 2.0;
            for (offset, y) in placed[start..=end].iter_mut().enumerate() {
                *y = first + gap * offset as f64;
            }
        }
        placed[0] = placed[0].max(top);
        for k in 1..n {
            placed[k] = placed[k].max(placed[k - 1] + gap);
        }
        placed[n - 1] = placed[n - 1].min(bottom);
        for k in (0..n - 1).rev() {
            placed[k] = placed[k].min(placed[k + 1] - gap);
        }
    }
    let mut out = vec![0.0; n];
    for (k, i) in order.into_iter().enumerate() {
        out[i] = placed[k];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn empty_and_single_point() {
        let g = line_chart(&[], &LineOptions::default());
        assert!(g.lines.is_empty() && g.end_labels.is_empty());
        let one = [(Date::from_days(5), 3.0)];
        let g = line_chart(&[LineInput { label: "x", points: &one }], &LineOptions::default());
        assert_eq!(g.lines[0].points_drawn, 1);
        assert!(g.lines[0].end.is_some_and(|(x, y)| x.is_finite() && y.is_finite()));
    }

    #[test]
    fn gaps_log_fallback_and_area() {
        let mut pts: Vec<(Date, f64)> = (0..50).map(|i| (Date::from_days(i), 1.0 + i as f64)).collect();
        pts[20].1 = f64::NAN;
        let opts = LineOptions { log: true, area: true, ..LineOptions::default() };
        let g = line_chart(&[LineInput { label: "x", points: &pts }], &opts);
        assert!(matches!(g.y, YScale::Log(_)));
        assert_eq!(g.lines[0].path.matches('M').count(), 2);
        assert_eq!(g.lines[0].area.as_deref().map(|a| a.matches('Z').count()), Some(2));
        pts[30].1 = -1.0;
        let g = line_chart(&[LineInput { label: "x", points: &pts }], &opts);
        assert!(matches!(g.y, YScale::Linear(_)));
    }

    #[test]
    fn window_and_downsampling() {
        let pts: Vec<(Date, f64)> = (0..20_000).map(|i| (Date::from_days(i), (i as f64).sin())).collect();
        let window = Window::new(Date::from_days(1_000), Date::from_days(9_000));
        let opts = LineOptions { window: Some(window), include_zero: true, ..LineOptions::default() };
        let g = line_chart(&[LineInput { label: "x", points: &pts }], &opts);
        assert!(g.lines[0].points_drawn <= 641);
        assert!(g.zero_y.is_some());
        assert!(g.x_ticks.iter().all(|t| window.contains(t.date)));
    }

    #[test]
    fn labels_that_cannot_fit() {
        let ys = [10.0; 30];
        let placed = nudge_apart(&ys, 14.0, 0.0, 100.0);
        assert!(placed.iter().all(|y| (0.0..=100.0).contains(y)));
        assert!(nudge_apart(&[], 14.0, 0.0, 100.0).is_empty());
        assert_eq!(nudge_apart(&[f64::NAN], 14.0, 0.0, 100.0), [0.0]);
    }

    proptest! {
        #[test]
        fn nudged_labels_do_not_overlap(ys in prop::collection::vec(0.0..300.0f64, 0..12), gap in 5.0..20.0f64) {
            let placed = nudge_apart(&ys, gap, 0.0, 300.0);
            let mut sorted = placed.clone();
            sorted.sort_by(f64::total_cmp);
            for w in sorted.windows(2) {
                prop_assert!(w[1] - w[0] >= gap - 1e-9, "{placed:?}");
            }
            prop_assert!(placed.iter().all(|y| (-1e-9..=300.0 + 1e-9).contains(y)));
            // Order is kept: a line above another keeps its label above.
            for i in 0..ys.len() {
                for j in 0..ys.len() {
                    if ys[i] < ys[j] {
                        prop_assert!(placed[i] <= placed[j]);
                    }
                }
            }
        }
    }
}
