//! Bars with an interval: a cross-correlation by lag, one bar per lag, with the ±band of
//! insignificance as a rectangle behind them or an error bar on each.

use super::format::format_ticks;
use super::layout::{Frame, LabelRoom, Rect};
use super::scale::{LinearScale, YScale};
use super::ticks::{nice_step, Tick};
use super::window::{y_domain, Y_PADDING};

/// One bar: a lag (in periods) and its value, with its own interval when it has one.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LagBar {
    /// The lag (negative: the first series leads).
    pub lag: i32,
    /// The value (a correlation).
    pub value: f64,
    /// The bar's interval `(low, high)`, drawn as an error bar.
    pub interval: Option<(f64, f64)>,
}

/// How to lay out a bar chart.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct BarOptions {
    /// The chart's size and margins.
    pub frame: Frame,
    /// Room for labels (`x_label_px` is the room an x label needs).
    pub room: LabelRoom,
    /// A band `(low, high)` shared by every bar (the ±1.96/√n of a correlation under no relation).
    pub band: Option<(f64, f64)>,
}

/// A drawn bar.
#[derive(Clone, Debug, PartialEq)]
pub struct BarRect {
    /// The bar's lag.
    pub lag: i32,
    /// Its value.
    pub value: f64,
    /// The rectangle, from the zero line to the value.
    pub rect: Rect,
    /// The bar's centre x (for its label and its error bar).
    pub x: f64,
    /// The error bar's ends in pixels `(y of low, y of high)`, when the bar has an interval.
    pub error: Option<(f64, f64)>,
    /// True when the value lies outside the shared band (mark it with a word or a symbol as well
    /// as a colour).
    pub outside_band: bool,
}

/// Everything a bar chart by lag draws.
#[derive(Clone, Debug, PartialEq)]
pub struct BarChartGeometry {
    /// The plot area.
    pub plot: Rect,
    /// The value scale (linear, including zero).
    pub y: YScale,
    /// Value ticks.
    pub y_ticks: Vec<Tick>,
    /// Lag ticks `(x, label)`, thinned to fit (every lag, or every 2nd, 5th, 10th... one).
    pub x_ticks: Vec<(f64, String)>,
    /// The zero line's y.
    pub zero_y: f64,
    /// The bars with a finite value, in input order.
    pub bars: Vec<BarRect>,
    /// The shared band as a rectangle across the plot.
    pub band: Option<Rect>,
}

/// The share of a bar's slot its rectangle fills.
const BAR_FILL: f64 = 0.7;

/// The geometry of `bars` in equal slots, in input order.
///
/// ```
/// use tideline_core::chart::{lag_bars, BarOptions, LagBar};
/// let bars: Vec<LagBar> = (-4..=4).map(|lag| LagBar { lag, value: lag as f64 / 10.0, interval: None }).collect();
/// let g = lag_bars(&bars, &BarOptions { band: Some((-0.2, 0.2)), ..BarOptions::default() });
/// assert_eq!(g.bars.len(), 9);
/// assert_eq!(g.bars.iter().filter(|b| b.outside_band).count(), 4);
/// assert!(g.band.is_some());
/// ```
pub fn lag_bars(bars: &[LagBar], options: &BarOptions) -> BarChartGeometry {
    let plot = options.frame.plot();
    let band = options.band.filter(|(lo, hi)| lo.is_finite() && hi.is_finite());
    let values = bars
        .iter()
        .flat_map(|b| {
            let (lo, hi) = b.interval.unwrap_or((b.value, b.value));
            [b.value, lo, hi]
        })
        .chain(band.into_iter().flat_map(|(lo, hi)| [lo, hi]));
    let (lo, hi) = y_domain(values, Y_PADDING, true).unwrap_or((-1.0, 1.0));
    let y = YScale::Linear(LinearScale::new(lo, hi, plot.bottom(), plot.y));
    let zero_y = y.map(0.0);
    let slot = plot.width / bars.len().max(1) as f64;
    let centre = |i: usize| plot.x + slot * (i as f64 + 0.5);
    let drawn = bars
        .iter()
        .enumerate()
        .filter(|(_, b)| b.value.is_finite())
        .map(|(i, b)| {
            let top = y.map(b.value);
            let x = centre(i);
            BarRect {
                lag: b.lag,
                value: b.value,
                rect: Rect::spanning(x - slot * BAR_FILL / 2.0, x + slot * BAR_FILL / 2.0, zero_y, top),
                x,
                error: b
                    .interval
                    .filter(|(l, h)| l.is_finite() && h.is_finite())
                    .map(|(l, h)| (y.map(l), y.map(h))),
                outside_band: band.is_some_and(|(l, h)| b.value < l.min(h) || b.value > l.max(h)),
            }
        })
        .collect();
    // Every k-th lag, k a 1-2-5 step, so that the labels keep their room.
    let every = nice_step(options.room.x_label_px.max(1.0) / slot.max(f64::MIN_POSITIVE)).max(1.0) as i64;
    let x_ticks = bars
        .iter()
        .enumerate()
        .filter(|(_, b)| i64::from(b.lag).rem_euclid(every) == 0)
        .map(|(i, b)| (centre(i), format_ticks(&[f64::from(b.lag)], 1.0).concat()))
        .collect();
    BarChartGeometry {
        plot,
        y,
        y_ticks: y.ticks(options.room.y_gap_px),
        x_ticks,
        zero_y,
        bars: drawn,
        band: band.map(|(l, h)| Rect::spanning(plot.x, plot.right(), y.map(l), y.map(h))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_non_finite() {
        let g = lag_bars(&[], &BarOptions::default());
        assert!(g.bars.is_empty() && g.x_ticks.is_empty());
        let bars = [LagBar { lag: 0, value: f64::NAN, interval: None }];
        assert!(lag_bars(&bars, &BarOptions::default()).bars.is_empty());
    }

    #[test]
    fn error_bars_and_thinned_lags() {
        let bars: Vec<LagBar> =
            (-52..=52).map(|lag| LagBar { lag, value: 0.1, interval: Some((-0.1, 0.3)) }).collect();
        let g = lag_bars(&bars, &BarOptions::default());
        let b = &g.bars[0];
        let (low, high) = b.error.unwrap_or((0.0, 0.0));
        assert!(low > g.zero_y && high < b.rect.y, "error bar spans the bar's top");
        assert!((b.rect.bottom() - g.zero_y).abs() < 1e-9);
        // 105 lags on 640 px, 6.1 px each: labels every 20 lags.
        let labels: Vec<&str> = g.x_ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["-40", "-20", "0", "20", "40"]);
        assert!(g.x_ticks.windows(2).all(|w| w[1].0 - w[0].0 >= LabelRoom::default().x_label_px));
    }
}
