//! Numbers as a reader sees them: thousands separators, one number of decimals across an axis,
//! compact labels ("10k") for log axes, and tooltip values with the unit and no 17-digit floats.

use std::fmt;

/// Formats a number with thousands separators and `decimals` decimals (`6,738.2`).
///
/// A value that rounds to zero prints without a minus sign (`-0.04` at one decimal is `0.0`), and a
/// non-finite value prints as `n/a`.
///
/// ```
/// use tideline_core::chart::format_thousands;
/// assert_eq!(format_thousands(6_738_190.44, 1), "6,738,190.4");
/// assert_eq!(format_thousands(-0.04, 1), "0.0");
/// ```
pub fn format_thousands(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::with_capacity(int.len() + int.len() / 3);
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

/// What a tooltip or a table shows for a missing or non-finite value.
pub const NOT_AVAILABLE: &str = "n/a";

/// The decimals that tell ticks `step` apart: 0 for steps of 1 or more, 1 for 0.5, 2 for 0.25.
///
/// Every label of an axis uses the same count, so `0.0, 0.5, 1.0` rather than `0, 0.5, 1`.
///
/// ```
/// use tideline_core::chart::step_decimals;
/// assert_eq!(step_decimals(500.0), 0);
/// assert_eq!(step_decimals(0.5), 1);
/// assert_eq!(step_decimals(0.25), 2);
/// ```
pub fn step_decimals(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    // The fewest decimals at which the step prints exactly (to a relative tolerance), capped so
    // that a step such as 1/3 cannot ask for twenty digits.
    (0..=MAX_DECIMALS)
        .find(|&d| {
            let scaled = step * 10f64.powi(d as i32);
            (scaled - scaled.round()).abs() <= 1e-6 * scaled.max(1.0)
        })
        .unwrap_or(MAX_DECIMALS)
}

/// The most decimals any label here prints.
const MAX_DECIMALS: usize = 6;

/// Labels for evenly spaced axis ticks: thousands separators and the decimals of the step.
///
/// ```
/// use tideline_core::chart::format_ticks;
/// assert_eq!(format_ticks(&[0.0, 0.5, 1.0], 0.5), ["0.0", "0.5", "1.0"]);
/// assert_eq!(format_ticks(&[5_000.0, 7_500.0], 2_500.0), ["5,000", "7,500"]);
/// ```
pub fn format_ticks(ticks: &[f64], step: f64) -> Vec<String> {
    let decimals = step_decimals(step);
    ticks.iter().map(|t| format_thousands(*t, decimals)).collect()
}

/// A compact label for a log axis: `1`, `20`, `500`, `1k`, `20k`, `1M`, `5B`, `0.01`.
///
/// Suffixes: `k` (thousand), `M` (million), `B` (billion), `T` (trillion); a mantissa keeps at most
/// one decimal (`2.5k`).
///
/// ```
/// use tideline_core::chart::format_compact;
/// assert_eq!(format_compact(10_000.0), "10k");
/// assert_eq!(format_compact(2_500.0), "2.5k");
/// assert_eq!(format_compact(0.05), "0.05");
/// ```
pub fn format_compact(value: f64) -> String {
    if !value.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let magnitude = value.abs();
    let (divisor, suffix) = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        .into_iter()
        .find(|(d, _)| magnitude >= *d * (1.0 - 1e-9))
        .unwrap_or((1.0, ""));
    let mantissa = value / divisor;
    let decimals = if suffix.is_empty() && magnitude < 1.0 {
        // Enough decimals for the first significant digit, plus one when it is not round.
        let first = (-magnitude.log10()).ceil().max(0.0) as usize;
        step_decimals(magnitude).min(first + 1)
    } else {
        step_decimals(mantissa.abs()).min(1)
    };
    format!("{}{suffix}", format_thousands(mantissa, decimals))
}

/// The unit of a value, which decides its suffix and its decimals in a tooltip or a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Percent (rates, yields, changes): two decimals and `%`, as in `4.33%`.
    Percent,
    /// Percentage points (a change of a rate): two decimals and ` pp`.
    PercentPoints,
    /// US dollars, billions: one decimal and ` USD bn`, as in `6,738.2 USD bn`.
    UsdBn,
    /// US dollars (prices): two decimals below 1,000, none above, as in `$67,123`.
    Usd,
    /// An index level or a plain number: four significant digits, at most two decimals above 1.
    Number,
}

impl Unit {
    /// The unit of an axis title or a catalog's canonical units (`"%"`, `"percent"`,
    /// `"USD bn"`, `"USD"`); anything else is a plain [`Unit::Number`].
    ///
    /// ```
    /// use tideline_core::chart::Unit;
    /// assert_eq!(Unit::from_label("USD bn"), Unit::UsdBn);
    /// assert_eq!(Unit::from_label("index, 2020-01-03 = 100"), Unit::Number);
    /// ```
    pub fn from_label(label: &str) -> Unit {
        let l = label.trim().to_ascii_lowercase();
        match l.as_str() {
            "%" | "percent" | "pct" => Unit::Percent,
            "pp" | "percentage points" => Unit::PercentPoints,
            "usd bn" | "usd billions" | "billions of usd" => Unit::UsdBn,
            "usd" | "$" => Unit::Usd,
            _ if l.starts_with("percent") => Unit::Percent,
            _ if l.starts_with("usd bn") || l.starts_with("usd billion") => Unit::UsdBn,
            _ => Unit::Number,
        }
    }

    /// The decimals a value of this unit shows.
    pub fn decimals(self, value: f64) -> usize {
        let magnitude = value.abs();
        match self {
            Unit::Percent | Unit::PercentPoints => 2,
            Unit::UsdBn if magnitude < 10.0 => 2,
            Unit::UsdBn => 1,
            Unit::Usd if magnitude >= 1_000.0 => 0,
            Unit::Usd => 2,
            Unit::Number => significant_decimals(magnitude, 4).min(if magnitude >= 1.0 { 2 } else { 6 }),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unit::Percent => "%",
            Unit::PercentPoints => "pp",
            Unit::UsdBn => "USD bn",
            Unit::Usd => "USD",
            Unit::Number => "",
        })
    }
}

/// The decimals that show `significant` significant digits of a value of this magnitude.
fn significant_decimals(magnitude: f64, significant: i32) -> usize {
    if magnitude == 0.0 || !magnitude.is_finite() {
        return 0;
    }
    let digits_before = magnitude.log10().floor() as i32 + 1;
    (significant - digits_before).clamp(0, MAX_DECIMALS as i32) as usize
}

/// A value for a tooltip or a table cell, with its unit: `4.33%`, `6,738.2 USD bn`, `$67,123`,
/// `101.35`; `n/a` when the value is not finite.
///
/// ```
/// use tideline_core::chart::{format_value, Unit};
/// assert_eq!(format_value(4.3333333333, Unit::Percent), "4.33%");
/// assert_eq!(format_value(6_738.19, Unit::UsdBn), "6,738.2 USD bn");
/// assert_eq!(format_value(67_123.456, Unit::Usd), "$67,123");
/// assert_eq!(format_value(0.1 + 0.2, Unit::Number), "0.3");
/// assert_eq!(format_value(f64::NAN, Unit::Percent), "n/a");
/// ```
pub fn format_value(value: f64, unit: Unit) -> String {
    if !value.is_finite() {
        return NOT_AVAILABLE.to_string();
    }
    let number = format_thousands(value, unit.decimals(value));
    match unit {
        Unit::Percent => format!("{number}%"),
        Unit::PercentPoints => format!("{number} pp"),
        Unit::UsdBn => format!("{number} USD bn"),
        Unit::Usd if number.starts_with('-') => format!("-${}", &number[1..]),
        Unit::Usd => format!("${number}"),
        // Trailing zeros of a plain number say nothing: 0.3000 is 0.3.
        Unit::Number if number.contains('.') => {
            number.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Unit::Number => number,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands() {
        assert_eq!(format_thousands(6_738_190.44, 1), "6,738,190.4");
        assert_eq!(format_thousands(-1_234.0, 0), "-1,234");
        assert_eq!(format_thousands(999.0, 0), "999");
        assert_eq!(format_thousands(f64::INFINITY, 0), "n/a");
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(step_decimals(1_000.0), 0);
        assert_eq!(step_decimals(0.1), 1);
        assert_eq!(step_decimals(0.02), 2);
        assert_eq!(step_decimals(0.3 - 0.1), 1);
        assert_eq!(step_decimals(1.0 / 3.0), MAX_DECIMALS);
        assert_eq!(step_decimals(0.0), 0);
        assert_eq!(format_ticks(&[-0.5, 0.0, 0.5], 0.5), ["-0.5", "0.0", "0.5"]);
    }

    #[test]
    fn compact_labels() {
        let labels: Vec<_> = [1.0, 2.0, 5.0, 10.0, 1e3, 2e4, 1e6, 5e9, 1e12, 0.01, 0.2]
            .into_iter()
            .map(format_compact)
            .collect();
        assert_eq!(labels, ["1", "2", "5", "10", "1k", "20k", "1M", "5B", "1T", "0.01", "0.2"]);
    }

    #[test]
    fn tooltip_values() {
        assert_eq!(format_value(-0.254, Unit::PercentPoints), "-0.25 pp");
        assert_eq!(format_value(3.256, Unit::UsdBn), "3.26 USD bn");
        assert_eq!(format_value(-12.5, Unit::Usd), "-$12.50");
        assert_eq!(format_value(101.3456, Unit::Number), "101.3");
        assert_eq!(format_value(0.000123456, Unit::Number), "0.000123");
        assert_eq!(format_value(12_345.678, Unit::Number), "12,346");
        assert_eq!(format_value(100.0, Unit::Number), "100");
        assert_eq!(Unit::from_label("Percent"), Unit::Percent);
        assert_eq!(Unit::from_label("%"), Unit::Percent);
    }
}
