//! Chart geometry: scales, "nice" ticks and SVG paths, kept apart from any UI so that it is tested
//! natively and every chart of the app shares it.

use crate::date::Date;

/// A linear map from a data domain to a pixel range.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinearScale {
    /// Domain start.
    pub d0: f64,
    /// Domain end.
    pub d1: f64,
    /// Range start (pixels).
    pub r0: f64,
    /// Range end (pixels).
    pub r1: f64,
}

impl LinearScale {
    /// A scale; a degenerate domain is widened so that mapping stays finite.
    pub fn new(d0: f64, d1: f64, r0: f64, r1: f64) -> LinearScale {
        let (d0, d1) =
            if (d1 - d0).abs() < f64::EPSILON * d0.abs().max(1.0) { (d0 - 1.0, d1 + 1.0) } else { (d0, d1) };
        LinearScale { d0, d1, r0, r1 }
    }

    /// Maps a domain value to pixels.
    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// About `target` round tick values (steps of 1, 2 or 5 times a power of ten) covering `[lo, hi]`,
/// and the widened domain that starts and ends on a tick.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (Vec::new(), 0.0, 1.0);
    }
    let (lo, hi) = if hi - lo <= 0.0 { (lo - 1.0, hi + 1.0) } else { (lo, hi) };
    let raw = (hi - lo) / target.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power);
    let start = (lo / step).floor() * step;
    let end = (hi / step).ceil() * step;
    let n = ((end - start) / step).round() as usize;
    let ticks = (0..=n).map(|i| start + i as f64 * step).collect();
    (ticks, start, end)
}

/// Date ticks for a span: 1 January of years (every 1, 2, 5 or 10 years) for long spans, first days
/// of months (every 1, 3 or 6 months) for shorter ones. Each tick has its label.
pub fn date_ticks(first: Date, last: Date, target: usize) -> Vec<(Date, String)> {
    let span_days = (last.days() - first.days()).max(1) as f64;
    let years = span_days / 365.25;
    let target = target.max(2) as f64;
    if years / target >= 0.75 {
        let step = [1, 2, 5, 10, 20, 50].into_iter().find(|s| years / *s as f64 <= target).unwrap_or(100);
        let (y0, y1) = (first.year(), last.year());
        (y0..=y1 + 1)
            .filter(|y| y.rem_euclid(step) == 0)
            .filter_map(|y| Date::from_ymd(y, 1, 1))
            .filter(|d| *d >= first && *d <= last)
            .map(|d| (d, d.year().to_string()))
            .collect()
    } else {
        let months = span_days / 30.44;
        let step = [1, 2, 3, 6].into_iter().find(|s| months / *s as f64 <= target).unwrap_or(12);
        let mut out = Vec::new();
        let mut d = first.month_start();
        while d <= last {
            let (y, m, _) = d.ymd();
            if (m as i32 - 1) % step == 0 && d >= first {
                const NAMES: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                out.push((d, format!("{} {y}", NAMES[(m - 1) as usize])));
            }
            d = d.add_months(1);
        }
        out
    }
}

/// An SVG path (`M x y L x y ...`) through the points, rounded to 0.1 px.
pub fn svg_path(points: impl IntoIterator<Item = (f64, f64)>) -> String {
    let mut path = String::new();
    for (i, (x, y)) in points.into_iter().enumerate() {
        if !x.is_finite() || !y.is_finite() {
            continue;
        }
        let cmd = if i == 0 || path.is_empty() { 'M' } else { 'L' };
        path.push_str(&format!("{cmd}{:.1} {:.1}", x, y));
    }
    path
}

/// Formats a number with thousands separators and `decimals` decimals (`6,738.2`).
pub fn format_thousands(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_ticks_are_round_and_cover() {
        let (t, lo, hi) = nice_ticks(5_312.0, 6_987.0, 5);
        assert_eq!(t, vec![5_000.0, 5_500.0, 6_000.0, 6_500.0, 7_000.0]);
        assert_eq!((lo, hi), (5_000.0, 7_000.0));
        let (t, _, _) = nice_ticks(3.0, 3.0, 4);
        assert!(t.len() >= 2);
    }

    #[test]
    fn date_ticks_pick_years_or_months() {
        let d = |s: &str| Date::parse_iso(s).expect("date");
        let years = date_ticks(d("2015-03-04"), d("2026-07-29"), 6);
        assert_eq!(
            years.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
            ["2016", "2018", "2020", "2022", "2024", "2026"]
        );
        let months = date_ticks(d("2026-01-15"), d("2026-07-29"), 6);
        assert_eq!(months.first().map(|t| t.1.as_str()), Some("Mar 2026"));
    }

    #[test]
    fn paths_and_numbers() {
        assert_eq!(svg_path([(0.0, 1.0), (2.26, 3.0)]), "M0.0 1.0L2.3 3.0");
        assert_eq!(format_thousands(6_738_190.44, 1), "6,738,190.4");
        assert_eq!(format_thousands(-1_234.0, 0), "-1,234");
        assert_eq!(format_thousands(999.0, 0), "999");
        let s = LinearScale::new(0.0, 10.0, 100.0, 0.0);
        assert_eq!(s.map(5.0), 50.0);
    }
}
