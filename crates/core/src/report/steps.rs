//! A report's JSON read in steps, so that a caller on a page's main thread can spread the reading
//! over several tasks (the frame's goal: no main-thread task over 50 ms; the lean report is about
//! 1.2 MB on the real catalog, 40-130 ms to read in one go in the page's wasm).
//!
//! [`ReportReader::new`] splits the document into its top-level members without reading them
//! (each kept as raw JSON) and groups them, in the order of [`Report`]'s fields, into steps of
//! about [`STEP_BYTES`] each (a member larger than that is a step alone: the regime timeline is
//! about half the document). Each [`ReportReader::step`] reads one group into its types; the one
//! that reads the last group returns the [`Report`], the very value `serde_json::from_str` gives
//! (a test holds the two equal).

use serde::Deserialize;
use serde_json::value::RawValue;

use super::*;

/// About how many bytes of JSON one step reads.
pub const STEP_BYTES: usize = 200_000;

/// Lists every member of [`Report`] once, with its type: the raw parts, the members read so far,
/// and the assembly (which does not compile when a field of [`Report`] is missing here).
macro_rules! members {
    ($($field:ident: $ty:ty),* $(,)?) => {
        /// The members of the document, unread.
        #[derive(Deserialize)]
        struct Parts {
            $($field: Box<RawValue>,)*
        }

        /// The members read so far.
        #[derive(Default)]
        struct Read {
            $($field: Option<$ty>,)*
        }

        impl Parts {
            /// Each member's name and size in bytes, in the order of [`Report`]'s fields.
            fn sizes(&self) -> Vec<(&'static str, usize)> {
                vec![$((stringify!($field), self.$field.get().len()),)*]
            }

            /// Reads member `name` into `read`.
            fn read(&self, name: &str, read: &mut Read) -> Result<(), serde_json::Error> {
                match name {
                    $(stringify!($field) => read.$field = Some(serde_json::from_str(self.$field.get())?),)*
                    _ => {}
                }
                Ok(())
            }
        }

        impl Read {
            /// The report, once every member has been read.
            fn finish(self) -> Option<Report> {
                Some(Report { $($field: self.$field?,)* })
            }
        }
    };
}

members!(
    schema_version: String,
    as_of: Date,
    detail: Detail,
    config: ModelConfig,
    series: Vec<SeriesInfo>,
    net_liquidity: NetLiquidityReport,
    links: Vec<LinkSummary>,
    indicators: Vec<Indicator>,
    transmission: Vec<Transmission>,
    break_point: Option<String>,
    narrative: String,
    regimes: RegimesReport,
    asymmetry: Vec<AsymmetryResult>,
    lead_lag: Vec<LeadLagResult>,
    stability: Vec<StabilityResult>,
    spectrum: Option<SpectrumResult>,
    risk_by_regime: Option<RiskByRegime>,
    global_liquidity: Option<GlobalLiquidity>,
    policy_divergence: Option<PolicyDivergence>,
    stress: Option<Stress>,
    flows: Option<CryptoFlows>,
    gold_real_rates: Option<GoldRealRates>,
    timing: Timing,
);

/// A report being read, one step at a time.
pub struct ReportReader {
    parts: Parts,
    groups: Vec<Vec<&'static str>>,
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
    /// Splits `json` into its members (the first, cheap, pass: nothing is built). An error when
    /// `json` is not a report's document.
    pub fn new(json: &str) -> Result<ReportReader, serde_json::Error> {
        let parts: Parts = serde_json::from_str(json)?;
        let mut groups: Vec<Vec<&'static str>> = Vec::new();
        let mut bytes = 0;
        for (name, size) in parts.sizes() {
            match groups.last_mut() {
                Some(group) if bytes + size <= STEP_BYTES => group.push(name),
                _ => {
                    groups.push(vec![name]);
                    bytes = 0;
                }
            }
            bytes += size;
        }
        groups.reverse(); // popped from the end
        Ok(ReportReader { parts, groups, read: Read::default() })
    }

    /// The steps left.
    pub fn steps_left(&self) -> usize {
        self.groups.len()
    }

    /// Reads the next group of members; the last step gives the report.
    pub fn step(&mut self) -> Result<Step, serde_json::Error> {
        if let Some(group) = self.groups.pop() {
            for name in group {
                self.parts.read(name, &mut self.read)?;
            }
        }
        if !self.groups.is_empty() {
            return Ok(Step::More);
        }
        let read = std::mem::take(&mut self.read);
        // Every member has been read: `finish` cannot miss one.
        read.finish().map(|r| Step::Done(Box::new(r))).ok_or_else(|| {
            <serde_json::Error as serde::de::Error>::custom("a member of the report was not read")
        })
    }

    /// Every step at once: the same as `serde_json::from_str::<Report>`.
    pub fn read_all(json: &str) -> Result<Report, serde_json::Error> {
        let mut reader = ReportReader::new(json)?;
        loop {
            if let Step::Done(report) = reader.step()? {
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
