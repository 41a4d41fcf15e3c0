//! Stacked areas: several non-negative series on top of one another (global liquidity by central
//! bank), on the union of their dates.
//!
//! The series rarely share a calendar (the Fed is weekly, the ECB weekly on another day, the BoJ
//! monthly), so each is stepped forward: on every date of the union a layer holds its latest
//! observation on or before that date. The stack starts on the first date on which every layer
//! has an observation, because a total that jumps when a bank's series begins would read as a
//! liquidity surge that never happened.

use crate::date::Date;

use super::downsample::lttb;
use super::layout::Rect;
use super::line::{end_labels, EndLabel, LineInput, LineOptions};
use super::path::band_path;
use super::scale::{TimeScale, YScale};
use super::ticks::{DateTick, Tick};
use super::window::{y_domain, Window, Y_PADDING};

/// Series stacked on the union of their dates.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Stacked {
    /// The union of the series' dates, from the first on which every series has an observation.
    pub dates: Vec<Date>,
    /// Per layer, the cumulative top on each date (layer `k`'s top is the sum of layers `0..=k`;
    /// its bottom is layer `k - 1`'s top, or zero).
    pub tops: Vec<Vec<f64>>,
    /// Observations below zero, drawn as zero (a stacked area cannot show them; say so on the page).
    pub clamped: usize,
}

impl Stacked {
    /// Layer `k`'s value (its own, not cumulative) on date index `i`.
    pub fn value(&self, k: usize, i: usize) -> Option<f64> {
        let top = *self.tops.get(k)?.get(i)?;
        let below = if k == 0 { 0.0 } else { *self.tops.get(k - 1)?.get(i)? };
        Some(top - below)
    }
}

/// Stacks ascending `series` on the union of their dates, each stepped forward (see the module
/// docs). Non-finite observations are skipped (the layer keeps its previous value); negative ones
/// count as zero and are counted in [`Stacked::clamped`]. Empty when any series has no finite
/// observation.
///
/// ```
/// use tideline_core::{chart::stack_on_union, Date};
/// let d = Date::from_days;
/// let weekly = [(d(0), 1.0), (d(7), 2.0), (d(14), 3.0)];
/// let monthly = [(d(3), 10.0), (d(14), 20.0)];
/// let s = stack_on_union(&[&weekly, &monthly]);
/// assert_eq!(s.dates, [d(3), d(7), d(14)]);
/// assert_eq!(s.tops[1], [11.0, 12.0, 23.0]);
/// ```
pub fn stack_on_union(series: &[&[(Date, f64)]]) -> Stacked {
    let finite: Vec<Vec<(Date, f64)>> =
        series.iter().map(|s| s.iter().copied().filter(|p| p.1.is_finite()).collect()).collect();
    let Some(start) = finite.iter().map(|s| s.first().map(|p| p.0)).collect::<Option<Vec<Date>>>() else {
        return Stacked::default();
    };
    let Some(start) = start.into_iter().max() else { return Stacked::default() };
    let mut dates: Vec<Date> = finite.iter().flatten().map(|p| p.0).filter(|d| *d >= start).collect();
    dates.sort_unstable();
    dates.dedup();
    let mut clamped = 0;
    let mut tops: Vec<Vec<f64>> = Vec::with_capacity(finite.len());
    for layer in &finite {
        clamped += layer.iter().filter(|p| p.1 < 0.0).count();
        let mut next = 0;
        let mut current = 0.0;
        let below = tops.last().cloned();
        let top: Vec<f64> = dates
            .iter()
            .enumerate()
            .map(|(i, date)| {
                while next < layer.len() && layer[next].0 <= *date {
                    current = layer[next].1.max(0.0);
                    next += 1;
                }
                current + below.as_ref().map_or(0.0, |b| b[i])
            })
            .collect();
        tops.push(top);
    }
    Stacked { dates, tops, clamped }
}

/// One drawn layer of a stacked area.
#[derive(Clone, Debug, PartialEq)]
pub struct StackBand {
    /// The layer's label.
    pub label: String,
    /// Its closed SVG path, between its bottom and its top.
    pub path: String,
}

/// Everything a stacked area chart draws.
#[derive(Clone, Debug, PartialEq)]
pub struct StackedAreaGeometry {
    /// The plot area.
    pub plot: Rect,
    /// The x scale.
    pub x: TimeScale,
    /// The y scale (linear, from zero).
    pub y: YScale,
    /// Date ticks.
    pub x_ticks: Vec<DateTick>,
    /// Value ticks.
    pub y_ticks: Vec<Tick>,
    /// The layers, bottom first (input order).
    pub bands: Vec<StackBand>,
    /// Direct labels at the middle of each layer's right end.
    pub end_labels: Vec<EndLabel>,
    /// False when the direct labels do not fit: show a legend instead.
    pub labels_fit: bool,
    /// The stacked data (for the tooltip: the real stepped values on each date of the union).
    pub stacked: Stacked,
}

/// The geometry of a stacked area chart of `series`, bottom layer first. The value axis starts at
/// zero; [`LineOptions::log`], `include_zero` and `area` are ignored. Downsampling picks the dates
/// by the total's shape and draws every layer on those same dates, so layers never cross.
pub fn stacked_area_chart(series: &[LineInput], options: &LineOptions) -> StackedAreaGeometry {
    let plot = options.frame.plot();
    let inputs: Vec<&[(Date, f64)]> = series.iter().map(|s| s.points).collect();
    let all = stack_on_union(&inputs);
    let window = options
        .window
        .or_else(|| Window::of_dates(&all.dates))
        .unwrap_or_else(|| Window::new(Date::from_days(0), Date::from_days(1)));
    let range = window.index_range(&all.dates, |d| *d);
    let total: &[f64] = all.tops.last().map_or(&[], |t| &t[range.clone()]);
    let (_, hi) = y_domain(total.iter().copied(), Y_PADDING, true).unwrap_or((0.0, 1.0));
    let x = TimeScale::new(window.first, window.last, plot.x, plot.right());
    let y = YScale::new(0.0, hi, plot.bottom(), plot.y, false);
    let xs_all: Vec<f64> = all.dates[range.clone()].iter().map(|d| x.map(*d)).collect();
    let keep = if options.downsample {
        let top_px: Vec<(f64, f64)> = xs_all.iter().zip(total).map(|(px, v)| (*px, y.map(*v))).collect();
        lttb(&top_px, plot.width.round().max(2.0) as usize)
    } else {
        (0..xs_all.len()).collect()
    };
    let xs: Vec<f64> = keep.iter().map(|k| xs_all[*k]).collect();
    let layer_px = |k: usize| -> Vec<f64> {
        all.tops.get(k).map_or_else(Vec::new, |t| keep.iter().map(|i| y.map(t[range.start + i])).collect())
    };
    let baseline = vec![y.map(0.0); xs.len()];
    let mut bands = Vec::with_capacity(series.len());
    let mut ends = Vec::new();
    let mut below = baseline;
    for (k, input) in series.iter().enumerate() {
        let top = layer_px(k);
        bands.push(StackBand { label: input.label.to_string(), path: band_path(&xs, &top, &below) });
        if let (Some(t), Some(b)) = (top.last(), below.last()) {
            ends.push((k, (t + b) / 2.0));
        }
        below = top;
    }
    let (end_labels, labels_fit) = end_labels(series, &ends, plot, options.room.end_label_px);
    StackedAreaGeometry {
        plot,
        x,
        y,
        x_ticks: x.ticks(options.room.x_label_px),
        y_ticks: y.ticks(options.room.y_gap_px),
        bands,
        end_labels,
        labels_fit,
        stacked: all,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(days: i32) -> Date {
        Date::from_days(days)
    }

    #[test]
    fn mismatched_grids_step_forward() {
        // Weekly from day 0, monthly from day 10, daily from day 12 to 15.
        let weekly: Vec<(Date, f64)> = (0..5).map(|i| (d(i * 7), 100.0 + i as f64)).collect();
        let monthly = [(d(10), 50.0), (d(40), 60.0)];
        let daily: Vec<(Date, f64)> = (12..16).map(|i| (d(i), 1.0)).collect();
        let s = stack_on_union(&[&weekly, &monthly, &daily]);
        assert_eq!(s.dates, [d(12), d(13), d(14), d(15), d(21), d(28), d(40)]);
        assert_eq!(s.value(0, 0), Some(101.0)); // weekly stepped from day 7
        assert_eq!(s.value(0, 2), Some(102.0)); // weekly's own day 14
        assert_eq!(s.value(1, 5), Some(50.0)); // monthly stepped from day 10
        assert_eq!(s.value(1, 6), Some(60.0));
        assert_eq!(s.value(2, 5), Some(1.0)); // daily stepped from its last day
        assert_eq!(s.tops[2][2], 153.0);
        assert_eq!(s.clamped, 0);
    }

    #[test]
    fn negatives_gaps_and_empties() {
        let a = [(d(0), 5.0), (d(1), -2.0), (d(2), f64::NAN), (d(3), 4.0)];
        let s = stack_on_union(&[&a]);
        assert_eq!(s.tops[0], [5.0, 0.0, 4.0]);
        assert_eq!(s.clamped, 1);
        assert_eq!(stack_on_union(&[&a, &[]]), Stacked::default());
        assert_eq!(stack_on_union(&[]), Stacked::default());
        assert_eq!(s.value(3, 0), None);
    }

    #[test]
    fn chart_layers_share_dates() {
        let a: Vec<(Date, f64)> = (0..3_000).map(|i| (d(i), 10.0 + (i % 17) as f64)).collect();
        let b: Vec<(Date, f64)> = (0..300).map(|i| (d(i * 10 + 5), 5.0)).collect();
        let series = [LineInput { label: "Fed", points: &a }, LineInput { label: "ECB", points: &b }];
        let g = stacked_area_chart(&series, &LineOptions::default());
        assert_eq!(g.bands.len(), 2);
        let count = |p: &str| p.matches('L').count();
        assert_eq!(count(&g.bands[0].path), count(&g.bands[1].path));
        assert!(g.bands[0].path.ends_with('Z'));
        assert_eq!(g.end_labels.len(), 2);
        let empty = stacked_area_chart(&[], &LineOptions::default());
        assert!(empty.bands.is_empty());
    }
}
