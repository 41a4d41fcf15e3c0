//! Heatmaps: a grid of cells coloured on a diverging blue, grey, orange scale.
//!
//! Blue and orange stay apart for every common colour-vision deficiency, where green and red do
//! not (UI.md: blue for supportive, orange for restrictive, grey for neutral). The scale
//! interpolates in sRGB between three stops; each cell also carries its value as text and the ink
//! colour that reads on it, so colour is never the only carrier of meaning.

use super::format::{format_thousands, NOT_AVAILABLE};
use super::layout::Rect;

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }

    /// Relative luminance (WCAG), 0 for black to 1 for white.
    pub fn luminance(self) -> f64 {
        let channel = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.040_45 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// The mix `t` of the way from `self` to `other` (`t` clamped to `[0, 1]`).
    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let t = if t.is_finite() { t.clamp(0.0, 1.0) } else { 0.0 };
        let lerp = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(lerp(self.0, other.0), lerp(self.1, other.1), lerp(self.2, other.2))
    }
}

/// The low end of the diverging scale: blue (`#2166ac`).
pub const BLUE: Rgb = Rgb(0x21, 0x66, 0xac);
/// The middle: a light grey (`#e6e6e6`), for "nothing either way".
pub const GREY: Rgb = Rgb(0xe6, 0xe6, 0xe6);
/// The high end: orange (`#e66101`).
pub const ORANGE: Rgb = Rgb(0xe6, 0x61, 0x01);
/// A cell without a value: white, with the text `n/a`.
pub const MISSING: Rgb = Rgb(0xff, 0xff, 0xff);
/// Dark ink, for text on light cells.
pub const INK_DARK: &str = "#1a1a1a";
/// Light ink, for text on dark cells.
pub const INK_LIGHT: &str = "#ffffff";

/// A diverging colour scale: `lo` is blue, `mid` grey, `hi` orange; values beyond the ends take the
/// end colours.
///
/// ```
/// use tideline_core::chart::DivergingScale;
/// let s = DivergingScale::new(-1.0, 0.0, 1.0);
/// assert_eq!(s.colour(-1.0), "#2166ac");
/// assert_eq!(s.colour(0.0), "#e6e6e6");
/// assert_eq!(s.colour(5.0), "#e66101");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DivergingScale {
    lo: f64,
    mid: f64,
    hi: f64,
    /// Orange below the middle and blue above it ([`DivergingScale::higher_is_supportive`]).
    reversed: bool,
}

impl DivergingScale {
    /// A scale from `lo` through `mid` to `hi`. The ends are put in order; a non-finite value
    /// becomes the default `[-1, 0, 1]`, and a `mid` outside `[lo, hi]` is clamped into it.
    pub fn new(lo: f64, mid: f64, hi: f64) -> DivergingScale {
        if !(lo.is_finite() && mid.is_finite() && hi.is_finite()) {
            return DivergingScale { lo: -1.0, mid: 0.0, hi: 1.0, reversed: false };
        }
        let (lo, hi) = (lo.min(hi), lo.max(hi));
        DivergingScale { lo, mid: mid.clamp(lo, hi), hi, reversed: false }
    }

    /// The same scale with blue above the middle and orange below it, for a figure where higher
    /// is better (a Sharpe ratio): blue stays "supportive".
    ///
    /// ```
    /// use tideline_core::chart::DivergingScale;
    /// let s = DivergingScale::new(-1.0, 0.0, 1.0).higher_is_supportive();
    /// assert_eq!(s.colour(1.0), "#2166ac");
    /// assert_eq!(s.colour(-1.0), "#e66101");
    /// assert_eq!(s.colour(0.0), "#e6e6e6");
    /// ```
    pub fn higher_is_supportive(self) -> DivergingScale {
        DivergingScale { reversed: true, ..self }
    }

    /// A scale symmetric around zero reaching the largest magnitude of `values` (at least
    /// `floor`), so that equal magnitudes get equally strong colours on both sides.
    pub fn symmetric(values: impl IntoIterator<Item = f64>, floor: f64) -> DivergingScale {
        let reach = values.into_iter().filter(|v| v.is_finite()).fold(floor.abs(), |m, v| m.max(v.abs()));
        let reach = if reach > 0.0 && reach.is_finite() { reach } else { 1.0 };
        DivergingScale::new(-reach, 0.0, reach)
    }

    /// The scale's `(lo, mid, hi)`.
    pub fn stops(&self) -> (f64, f64, f64) {
        (self.lo, self.mid, self.hi)
    }

    /// The colour of a value ([`MISSING`] when it is not finite).
    pub fn rgb(&self, v: f64) -> Rgb {
        if !v.is_finite() {
            return MISSING;
        }
        let (below, above) = if self.reversed { (ORANGE, BLUE) } else { (BLUE, ORANGE) };
        if v <= self.mid {
            let span = self.mid - self.lo;
            if span <= 0.0 {
                return GREY;
            }
            GREY.mix(below, (self.mid - v) / span)
        } else {
            let span = self.hi - self.mid;
            if span <= 0.0 {
                return GREY;
            }
            GREY.mix(above, (v - self.mid) / span)
        }
    }

    /// The colour of a value as `#rrggbb`.
    pub fn colour(&self, v: f64) -> String {
        self.rgb(v).hex()
    }

    /// A legend of `count` stops (at least 3: the ends and the middle), evenly spaced on each side
    /// of the middle, labelled with `decimals` decimals.
    pub fn legend(&self, count: usize, decimals: usize) -> Vec<LegendStop> {
        let per_side = count.max(3).saturating_sub(1) / 2;
        let below = (0..per_side).map(|k| self.lo + (self.mid - self.lo) * k as f64 / per_side as f64);
        let above = (1..=per_side).map(|k| self.mid + (self.hi - self.mid) * k as f64 / per_side as f64);
        below
            .chain(std::iter::once(self.mid))
            .chain(above)
            .map(|value| LegendStop {
                value,
                colour: self.colour(value),
                label: format_thousands(value, decimals),
            })
            .collect()
    }
}

/// A stop of a colour legend.
#[derive(Clone, Debug, PartialEq)]
pub struct LegendStop {
    /// The value at the stop.
    pub value: f64,
    /// Its colour, `#rrggbb`.
    pub colour: String,
    /// Its label.
    pub label: String,
}

/// One cell of a heatmap.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatCell {
    /// Row index.
    pub row: usize,
    /// Column index.
    pub col: usize,
    /// The cell's rectangle.
    pub rect: Rect,
    /// The value (NaN where the row had none).
    pub value: f64,
    /// Fill colour, `#rrggbb`.
    pub fill: String,
    /// Ink for the value's text on this fill.
    pub ink: &'static str,
    /// The value as text (`n/a` when missing).
    pub text: String,
}

/// The cells of a `rows × cols` grid filling `plot`, coloured by `scale`, with values shown to
/// `decimals` decimals. Ragged rows are padded with missing cells to the longest row.
///
/// ```
/// use tideline_core::chart::{heatmap, DivergingScale, Rect};
/// let cells = heatmap(&[vec![-1.0, 0.0], vec![1.0]], Rect::new(0.0, 0.0, 100.0, 50.0),
///                     &DivergingScale::new(-1.0, 0.0, 1.0), 2);
/// assert_eq!(cells.len(), 4);
/// assert_eq!((cells[1].rect.x, cells[1].rect.width), (50.0, 50.0));
/// assert_eq!(cells[0].ink, "#ffffff");
/// assert_eq!(cells[3].text, "n/a");
/// ```
pub fn heatmap(values: &[Vec<f64>], plot: Rect, scale: &DivergingScale, decimals: usize) -> Vec<HeatCell> {
    let rows = values.len();
    let cols = values.iter().map(Vec::len).max().unwrap_or(0);
    if rows == 0 || cols == 0 {
        return Vec::new();
    }
    let (w, h) = (plot.width / cols as f64, plot.height / rows as f64);
    let mut cells = Vec::with_capacity(rows * cols);
    for (row, line) in values.iter().enumerate() {
        for col in 0..cols {
            let value = line.get(col).copied().unwrap_or(f64::NAN);
            let rgb = scale.rgb(value);
            cells.push(HeatCell {
                row,
                col,
                rect: Rect::new(plot.x + w * col as f64, plot.y + h * row as f64, w, h),
                value,
                fill: rgb.hex(),
                // WCAG: white text reads on fills darker than about 0.18 luminance.
                ink: if rgb.luminance() < 0.18 { INK_LIGHT } else { INK_DARK },
                text: if value.is_finite() {
                    format_thousands(value, decimals)
                } else {
                    NOT_AVAILABLE.to_string()
                },
            });
        }
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_at_ends_and_middle() {
        let s = DivergingScale::new(-0.5, 0.0, 0.5);
        assert_eq!(s.colour(-0.5), BLUE.hex());
        assert_eq!(s.colour(0.0), GREY.hex());
        assert_eq!(s.colour(0.5), ORANGE.hex());
        assert_eq!(s.colour(-9.0), BLUE.hex());
        assert_eq!(s.colour(f64::NAN), MISSING.hex());
        // Halfway to orange: each channel halfway between grey and orange.
        assert_eq!(s.rgb(0.25), Rgb(0xe6, 0xa4, 0x74));
        // An off-centre middle still maps the ends to the end colours.
        let s = DivergingScale::new(0.0, 0.8, 1.0);
        assert_eq!((s.colour(0.0), s.colour(0.8), s.colour(1.0)), (BLUE.hex(), GREY.hex(), ORANGE.hex()));
        let degenerate = DivergingScale::new(1.0, 1.0, 1.0);
        assert_eq!(degenerate.colour(1.0), GREY.hex());
        assert_eq!(DivergingScale::new(f64::NAN, 0.0, 1.0).stops(), (-1.0, 0.0, 1.0));
    }

    #[test]
    fn legends_and_symmetry() {
        let s = DivergingScale::symmetric([0.2, -0.6, f64::NAN], 0.1);
        assert_eq!(s.stops(), (-0.6, 0.0, 0.6));
        let legend = s.legend(5, 1);
        assert_eq!(
            legend.iter().map(|l| l.label.as_str()).collect::<Vec<_>>(),
            ["-0.6", "-0.3", "0.0", "0.3", "0.6"]
        );
        assert_eq!(legend[0].colour, BLUE.hex());
        assert_eq!(legend[4].colour, ORANGE.hex());
        assert_eq!(s.legend(0, 1).len(), 3);
        assert_eq!(DivergingScale::symmetric([], 0.0).stops(), (-1.0, 0.0, 1.0));
        assert!(heatmap(&[], Rect::default(), &s, 1).is_empty());
        assert!(heatmap(&[vec![]], Rect::default(), &s, 1).is_empty());
    }
}
