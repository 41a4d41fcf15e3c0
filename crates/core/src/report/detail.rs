//! How much of the model's history a written report carries ([`Detail`]), and how it is written
//! ([`JsonStyle`]): the one place the command line and the page both go through, so that
//! `tideline analyze` and the page's "export report" write the same bytes for the same settings.
//!
//! # Why a lean default
//!
//! The model keeps every week (and, for the stress and ETF-flow sections, every day) of each
//! figure it computes. On the real data that is 4.4 MB of JSON (7.1 MB pretty), nine tenths of it
//! histories that nothing on the page draws. [`Detail::Lean`] keeps every reading, summary,
//! interval, test and table of events, plus the histories the page draws, at weekly resolution;
//! [`Detail::Full`] is the model's whole output. The page runs the model and then keeps the lean
//! report: what it draws is in the lean report by construction, and what it exports is the
//! document `tideline analyze` writes by default.
//!
//! What each keeps is listed in the schema reference, [`crate::report`] ("Lean and full").
//!
//! # Why compact JSON by default
//!
//! The report is a document for programs (the page's export, scripts, `jq`), and pretty printing
//! makes it 60% larger and slower to write: [`JsonStyle::Compact`] is the default and
//! [`JsonStyle::Pretty`] is asked for (`tideline analyze --pretty`). Either is streamed through
//! [`Report::write_json`], never built as a second string first.

use std::fmt;
use std::io;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::Report;
use crate::date::Date;

/// How much history a written report carries (module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// Readings, summaries, intervals, tables of events, and the histories the page draws, weekly.
    #[default]
    Lean,
    /// Everything the model computed: every weekly and daily history.
    Full,
}

impl Detail {
    /// The name on the command line and in the report: `lean` or `full`.
    pub fn name(self) -> &'static str {
        match self {
            Detail::Lean => "lean",
            Detail::Full => "full",
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A detail name that is neither `lean` nor `full`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown detail {given:?}: expected `lean` (the default) or `full`")]
pub struct UnknownDetail {
    /// What was given.
    pub given: String,
}

impl FromStr for Detail {
    type Err = UnknownDetail;

    fn from_str(text: &str) -> Result<Detail, UnknownDetail> {
        match text {
            "lean" => Ok(Detail::Lean),
            "full" => Ok(Detail::Full),
            _ => Err(UnknownDetail { given: text.to_string() }),
        }
    }
}

/// How the report's JSON is laid out (module docs).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum JsonStyle {
    /// One line, no spaces: the default.
    #[default]
    Compact,
    /// Indented by two spaces, for reading.
    Pretty,
}

/// The last item of each week ending Friday (the model's week: Saturday to Friday, see
/// [`crate::model::panel`]), in order. `items` must be in ascending date order; a history that is
/// already weekly comes back unchanged, and the last item is always kept.
///
/// # Example
///
/// ```
/// use tideline_core::report::weekly_last;
/// use tideline_core::Date;
///
/// let d = |s| Date::parse_iso(s).unwrap();
/// // Thursday, Friday, Monday, Tuesday: two weeks ending Friday.
/// let days = vec![(d("2024-01-04"), 1.0), (d("2024-01-05"), 2.0), (d("2024-01-08"), 3.0), (d("2024-01-09"), 4.0)];
/// let weeks = weekly_last(days, |p| p.0);
/// assert_eq!(weeks, vec![(d("2024-01-05"), 2.0), (d("2024-01-09"), 4.0)]);
/// ```
pub fn weekly_last<T>(items: Vec<T>, date: impl Fn(&T) -> Date) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    let mut last_week: Option<Date> = None;
    for item in items {
        let week = date(&item).next_friday();
        if last_week == Some(week) {
            out.pop();
        }
        last_week = Some(week);
        out.push(item);
    }
    out
}

impl Report {
    /// This report with `detail`'s histories (module docs): [`Detail::Full`] leaves it as the model
    /// made it, [`Detail::Lean`] thins it. The CLI and the page both call this before writing.
    pub fn with_detail(self, detail: Detail) -> Report {
        match detail {
            Detail::Full => Report { detail, ..self },
            Detail::Lean => self.lean(),
        }
    }

    /// The lean report (module docs): every reading and summary, the drawn histories weekly, the
    /// other histories empty.
    fn lean(mut self) -> Report {
        self.detail = Detail::Lean;
        self.net_liquidity.history = weekly_last(std::mem::take(&mut self.net_liquidity.history), |p| p.0);
        // The pages draw the regime timeline (bands behind the charts), the rolling betas and the
        // weekly scatter of the asymmetry, and the rolling best lag: those stay whole. What no
        // page draws yet is left out. `risk_by_regime` is a small table with no history (the
        // Rotation page draws it): whole, so it has no line here.
        for result in &mut self.asymmetry {
            if result.frequency == crate::model::asymmetry::ReturnFrequency::Daily {
                result.points.clear();
            }
        }
        if let Some(spectrum) = &mut self.spectrum {
            for sensitivity in &mut spectrum.sensitivities {
                sensitivity.rolling.clear();
            }
            spectrum.overflow.history.clear();
            spectrum.concentration.history.clear();
            spectrum.inside_crypto.history.clear();
        }
        if let Some(global) = &mut self.global_liquidity {
            global.history.clear();
            for result in &mut global.lead_lag {
                result.rolling_best_lag.clear();
            }
            for sensitivity in &mut global.spectrum_sensitivities {
                sensitivity.rolling.clear();
            }
        }
        if let Some(stress) = &mut self.stress {
            stress.history.clear();
        }
        if let Some(flows) = &mut self.flows {
            if let Some(etf) = &mut flows.etf {
                etf.days.clear();
            }
            for company in &mut flows.treasury {
                company.history.clear();
            }
            if let Some(inside) = &mut flows.inside_crypto {
                inside.history = weekly_last(std::mem::take(&mut inside.history), |w| w.date);
            }
        }
        if let Some(gold) = &mut self.gold_real_rates {
            gold.rolling.clear();
            gold.residuals.clear();
        }
        self
    }

    /// Writes the report as JSON in `style` to `out`, followed by a line break, streamed (no
    /// string of the whole document is built). Wrap a file or stdout in a [`io::BufWriter`]:
    /// serde writes many small pieces.
    pub fn write_json<W: io::Write>(&self, mut out: W, style: JsonStyle) -> serde_json::Result<()> {
        match style {
            JsonStyle::Compact => serde_json::to_writer(&mut out, self)?,
            JsonStyle::Pretty => serde_json::to_writer_pretty(&mut out, self)?,
        }
        out.write_all(b"\n").map_err(serde_json::Error::io)
    }

    /// The bytes of [`Report::write_json`] as a string (for the page's download, which needs one).
    pub fn to_json(&self, style: JsonStyle) -> serde_json::Result<String> {
        let mut bytes = Vec::with_capacity(1 << 19);
        self.write_json(&mut bytes, style)?;
        // Invariant: serde_json writes UTF-8 only, and the line break is ASCII.
        Ok(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("date")
    }

    #[test]
    fn detail_names_round_trip_and_a_bad_name_says_what_is_expected() {
        for detail in [Detail::Lean, Detail::Full] {
            assert_eq!(detail.name().parse::<Detail>(), Ok(detail));
            assert_eq!(serde_json::to_value(detail).expect("json"), detail.name());
        }
        assert_eq!(Detail::default(), Detail::Lean);
        let err = "weekly".parse::<Detail>().expect_err("unknown");
        assert_eq!(err.to_string(), "unknown detail \"weekly\": expected `lean` (the default) or `full`");
    }

    #[test]
    fn weekly_last_keeps_the_last_day_of_each_week_ending_friday() {
        // Saturday 2024-01-06 and Sunday 01-07 belong to the week ending Friday 01-12.
        let days: Vec<Date> = (0..20).map(|i| d("2024-01-01").add_days(i)).collect();
        let weeks = weekly_last(days.clone(), |d| *d);
        assert_eq!(weeks, [d("2024-01-05"), d("2024-01-12"), d("2024-01-19"), d("2024-01-20")]);
        assert_eq!(weeks.last(), days.last());
        let fridays: Vec<Date> = (0..5).map(|i| d("2024-01-05").add_days(7 * i)).collect();
        assert_eq!(weekly_last(fridays.clone(), |d| *d), fridays);
        assert!(weekly_last(Vec::<Date>::new(), |d| *d).is_empty());
    }
}
