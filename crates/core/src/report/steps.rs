//! A report's JSON read in steps, so that a caller on a page's main thread can spread the reading
//! over several tasks (the frame's goal: no main-thread task over 50 ms; the lean report is about
//! 1.2 MB on the real catalog, 40-130 ms to read in one go in the page's wasm).
//!
//! A report travels as [`Piece`]s ([`pieces`], made where the report is: the worker): each
//! top-level member's JSON, except that a list longer than [`STEP_BYTES`] (the asymmetry results,
//! the regime timeline, about half the document) is cut into runs of its elements, each a JSON
//! array of its own. [`ReportReader::from_pieces`] groups them, in order, into steps of about
//! [`STEP_BYTES`]; each [`ReportReader::step`] reads one group into its types, and the one that
//! reads the last returns the [`Report`], the very value `serde_json::from_str` gives on the whole
//! document (a test holds the two equal). No pass over the whole document is left for the page.
//!
//! [`ReportReader::new`] does the same from a whole document (one piece per member; splitting
//! it is itself a pass over every byte).
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::*;

/// About how many bytes of JSON one step reads.
pub const STEP_BYTES: usize = 200_000;

/// One piece of a report's JSON: a top-level member's value, or a run of a long list member's
/// elements as a JSON array (`member` is then the list's name, or `regimes.timeline`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    /// The member it belongs to.
    pub member: String,
    /// Its JSON.
    pub json: String,
}

/// `list` cut into runs of elements of at most about [`STEP_BYTES`] of JSON each (one run when it
/// is shorter; an element longer than that is a run alone), each a JSON array: the elements'
/// compact JSON between `[`, `,` and `]`, as `serde_json` writes a list.
fn runs_of<T: Serialize>(member: &str, list: &[T]) -> Result<Vec<Piece>, serde_json::Error> {
    let mut runs: Vec<Piece> = Vec::new();
    let mut current = String::from("[");
    for element in list {
        let json = serde_json::to_string(element)?;
        if current.len() > 1 && current.len() + json.len() + 1 > STEP_BYTES {
            current.push(']');
            runs.push(Piece {
                member: member.to_string(),
                json: std::mem::replace(&mut current, "[".into()),
            });
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    if current.len() > 1 || runs.is_empty() {
        current.push(']');
        runs.push(Piece { member: member.to_string(), json: current });
    }
    Ok(runs)
}

/// What one member of [`Report`] is made of, for [`pieces`] and [`ReportReader::step`].
macro_rules! piece_kind {
    (one, $member:expr, $value:expr, $out:expr) => {
        $out.push(Piece { member: $member.to_string(), json: serde_json::to_string($value)? })
    };
    (list, $member:expr, $value:expr, $out:expr) => {
        $out.extend(runs_of($member, ($value).as_slice())?)
    };
    // The regimes: whole from a document, or the head of [`pieces`] (its timeline follows in runs).
    (read regimes_kind, $slot:expr, $json:expr) => {
        $slot = Some(serde_json::from_str($json)?)
    };
    (read one, $slot:expr, $json:expr) => {
        $slot = Some(serde_json::from_str($json)?)
    };
    (read list, $slot:expr, $json:expr) => {{
        let more: Vec<_> = serde_json::from_str($json)?;
        match $slot.as_mut() {
            Some(list) => list.extend(more),
            None => $slot = Some(more),
        }
    }};
}

/// Lists every member of [`Report`] once, with its type and kind (`one` value, or a `list` that
/// may come in runs): the raw parts of a whole document, the pieces of a report, the members read
/// so far, and the assembly (which does not compile when a field of [`Report`] is missing here).
/// The regime timeline is apart (`regimes` is read as its `current` week, then its timeline in
/// runs).
macro_rules! members {
    ($($field:ident: $kind:ident $ty:ty),* $(,)?) => {
        /// The members of a whole document, unread.
        #[derive(Deserialize)]
        struct Parts {
            $($field: Box<RawValue>,)*
        }

        impl Parts {
            /// One piece per member, in the order of [`Report`]'s fields.
            fn into_pieces(self) -> Vec<Piece> {
                vec![$(Piece { member: stringify!($field).to_string(), json: self.$field.get().to_string() },)*]
            }
        }

        /// The members read so far.
        #[derive(Default)]
        struct Read {
            $($field: Option<$ty>,)*
        }

        impl Read {
            /// Reads one piece of member `name` into its slot.
            fn piece(&mut self, name: &str, json: &str) -> Result<(), serde_json::Error> {
                match name {
                    $(stringify!($field) => piece_kind!(read $kind, self.$field, json),)*
                    "regimes.timeline" => {
                        let more: Vec<RegimeWeek> = serde_json::from_str(json)?;
                        match self.regimes.as_mut() {
                            Some(regimes) => regimes.timeline.extend(more),
                            None => return Err(<serde_json::Error as serde::de::Error>::custom(
                                "a piece of the regime timeline came before the regimes",
                            )),
                        }
                    }
                    other => return Err(<serde_json::Error as serde::de::Error>::custom(
                        format!("{other:?} is not a member of the report"),
                    )),
                }
                Ok(())
            }

            /// The report, once every member has been read.
            fn finish(self) -> Option<Report> {
                Some(Report { $($field: self.$field?,)* })
            }
        }

        /// The report's pieces (module docs): what the worker sends, read by
        /// [`ReportReader::from_pieces`].
        pub fn pieces(report: &Report) -> Result<Vec<Piece>, serde_json::Error> {
            let mut out = Vec::with_capacity(64);
            $(members!(@piece $kind, $field, report, out);)*
            Ok(out)
        }
    };
    (@piece regimes_kind, $field:ident, $report:expr, $out:expr) => {{
        let head = RegimesReport { current: $report.regimes.current.clone(), timeline: Vec::new() };
        $out.push(Piece { member: "regimes".to_string(), json: serde_json::to_string(&head)? });
        $out.extend(runs_of("regimes.timeline", &$report.regimes.timeline)?);
    }};
    (@piece $kind:ident, $field:ident, $report:expr, $out:expr) => {
        piece_kind!($kind, stringify!($field), &$report.$field, $out)
    };
}

members!(
    schema_version: one String,
    as_of: one Date,
    detail: one Detail,
    config: one ModelConfig,
    series: list Vec<SeriesInfo>,
    net_liquidity: one NetLiquidityReport,
    links: list Vec<LinkSummary>,
    indicators: list Vec<Indicator>,
    transmission: list Vec<Transmission>,
    break_point: one Option<String>,
    narrative: one String,
    regimes: regimes_kind RegimesReport,
    asymmetry: list Vec<AsymmetryResult>,
    lead_lag: list Vec<LeadLagResult>,
    stability: list Vec<StabilityResult>,
    spectrum: one Option<SpectrumResult>,
    risk_by_regime: one Option<RiskByRegime>,
    global_liquidity: one Option<GlobalLiquidity>,
    policy_divergence: one Option<PolicyDivergence>,
    stress: one Option<Stress>,
    flows: one Option<CryptoFlows>,
    gold_real_rates: one Option<GoldRealRates>,
    timing: one Timing,
);

/// A report being read, one step at a time.
pub struct ReportReader {
    /// The pieces, and the steps as runs of them, popped from the end.
    pieces: Vec<Piece>,
    steps: Vec<std::ops::Range<usize>>,
    read: Read,
}

/// What a step gave.
pub enum Step {
    /// More steps remain.
    More,
    /// The report, whole.
    Done(Box<Report>),
}

impl ReportReader {
    /// Splits a whole document `json` into its members (a first pass over every byte; nothing is
    /// built). An error when `json` is not a report's document.
    pub fn new(json: &str) -> Result<ReportReader, serde_json::Error> {
        let parts: Parts = serde_json::from_str(json)?;
        Ok(ReportReader::from_pieces(parts.into_pieces()))
    }

    /// A reader of the report's [`pieces`] (no pass over them: each is read in its step).
    pub fn from_pieces(pieces: Vec<Piece>) -> ReportReader {
        let mut steps: Vec<std::ops::Range<usize>> = Vec::new();
        let mut bytes = 0;
        for (k, piece) in pieces.iter().enumerate() {
            match steps.last_mut() {
                Some(step) if bytes + piece.json.len() <= STEP_BYTES => step.end = k + 1,
                _ => {
                    steps.push(k..k + 1);
                    bytes = 0;
                }
            }
            bytes += piece.json.len();
        }
        steps.reverse(); // popped from the end
        ReportReader { pieces, steps, read: Read::default() }
    }

    /// The steps left.
    pub fn steps_left(&self) -> usize {
        self.steps.len()
    }

    /// Reads the next group of pieces; the last step gives the report.
    pub fn step(&mut self) -> Result<Step, serde_json::Error> {
        if let Some(step) = self.steps.pop() {
            for piece in self.pieces.get(step).unwrap_or_default() {
                self.read.piece(&piece.member, &piece.json)?;
            }
        }
        if !self.steps.is_empty() {
            return Ok(Step::More);
        }
        let read = std::mem::take(&mut self.read);
        read.finish().map(|r| Step::Done(Box::new(r))).ok_or_else(|| {
            <serde_json::Error as serde::de::Error>::custom("a member of the report is missing")
        })
    }

    /// Every step at once: the same as `serde_json::from_str::<Report>`.
    pub fn read_all(json: &str) -> Result<Report, serde_json::Error> {
        ReportReader::new(json)?.finish()
    }

    /// Every step left at once.
    pub fn finish(mut self) -> Result<Report, serde_json::Error> {
        loop {
            if let Step::Done(report) = self.step()? {
                return Ok(*report);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_give_the_report_serde_gives() {
        let dataset = crate::synthetic::catalog(3, Date::parse_iso("2024-06-28").expect("date"), 7);
        let report = analyze_with(&dataset, &ModelConfig::default(), &FlowInputs::default())
            .expect("report")
            .with_detail(Detail::Lean);
        let json = report.to_json(JsonStyle::Compact).expect("json");
        let direct: Report = serde_json::from_str(&json).expect("direct");
        let mut reader = ReportReader::new(&json).expect("parts");
        let steps = reader.steps_left();
        assert!(steps >= 2, "{} bytes in {steps} steps", json.len());
        let mut taken = 0;
        let stepped = loop {
            taken += 1;
            if let Step::Done(report) = reader.step().expect("step") {
                break *report;
            }
        };
        assert_eq!(taken, steps);
        assert_eq!(stepped, direct);
        assert_eq!(ReportReader::read_all(&json).expect("all"), direct);
    }

    #[test]
    fn pieces_give_the_report_back_with_long_lists_in_runs() {
        let dataset = crate::synthetic::catalog(20, Date::parse_iso("2024-06-28").expect("date"), 5);
        let report = analyze_with(&dataset, &ModelConfig::default(), &FlowInputs::default())
            .expect("report")
            .with_detail(Detail::Lean);
        let json = report.to_json(JsonStyle::Compact).expect("json");
        let direct: Report = serde_json::from_str(&json).expect("direct");
        let pieces = pieces(&report).expect("pieces");
        // The regime timeline is longer than a step: it comes in runs, after its head.
        let timeline: Vec<&Piece> = pieces.iter().filter(|p| p.member == "regimes.timeline").collect();
        assert!(timeline.len() >= 2, "{} runs", timeline.len());
        let head = pieces.iter().position(|p| p.member == "regimes").expect("the head");
        assert!(pieces.iter().position(|p| p.member == "regimes.timeline").is_some_and(|k| k > head));
        // A run of the timeline is at most a step's bytes (its weeks are small); a longer
        // piece of a list is a single element (a list is cut between elements, never inside).
        for piece in &pieces {
            if piece.member == "regimes.timeline" {
                assert!(piece.json.len() <= STEP_BYTES, "a run of {} bytes", piece.json.len());
            } else if piece.json.len() > STEP_BYTES && piece.json.starts_with('[') {
                let elements: Vec<serde_json::Value> = serde_json::from_str(&piece.json).expect("an array");
                assert_eq!(elements.len(), 1, "{}: {} bytes", piece.member, piece.json.len());
            }
        }
        let mut reader = ReportReader::from_pieces(pieces.clone());
        assert!(reader.steps_left() >= 3);
        let stepped = loop {
            if let Step::Done(report) = reader.step().expect("step") {
                break *report;
            }
        };
        assert_eq!(stepped, direct);
        // Pieces out of order are an error, not a panic.
        let mut shuffled = pieces;
        let first_run = shuffled.iter().position(|p| p.member == "regimes.timeline").expect("a run");
        let run = shuffled.remove(first_run);
        shuffled.insert(0, run);
        assert!(ReportReader::from_pieces(shuffled).finish().is_err());
        assert!(ReportReader::from_pieces(Vec::new()).finish().is_err());
        let unknown = vec![Piece { member: "nope".into(), json: "1".into() }];
        assert!(ReportReader::from_pieces(unknown).finish().is_err());
    }

    #[test]
    fn a_bad_document_is_an_error_not_a_panic() {
        assert!(ReportReader::new("{}").is_err());
        assert!(ReportReader::new("[1,2]").is_err());
        let dataset = crate::synthetic::catalog(1, Date::parse_iso("2024-06-28").expect("date"), 2);
        let json = analyze_with(&dataset, &ModelConfig::default(), &FlowInputs::default())
            .expect("report")
            .to_json(JsonStyle::Compact)
            .expect("json");
        // A member of the wrong shape fails its step.
        let broken = json.replacen("\"narrative\":\"", "\"narrative\":[\"", 1).replacen(
            "\",\"regimes\"",
            "\"],\"regimes\"",
            1,
        );
        assert!(ReportReader::read_all(&broken).is_err());
    }
}
