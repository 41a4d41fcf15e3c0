//! The report computed in stages: a setting change reruns only what reads it.
//!
//! [`Stages`] holds a dataset and its table inputs ([`FlowInputs`]) and keeps each stage's result
//! beside the inputs it was computed from: the as-of date and the part of [`ModelConfig`] the
//! stage reads (and, through its key, the settings of the stages whose outputs it reads). On
//! [`Stages::analyze`] a stage whose key equals the one it was computed with hands back its kept
//! result; any other reruns. The report is the one [`super::analyze_timed`] makes on the same
//! inputs, equal (`==`) and with the same JSON, for any sequence of settings, because every stage
//! is a pure function of its key (the dataset and tables never change inside one `Stages`);
//! [`super::analyze_timed`] itself is `Stages::new(..).analyze(..)`. Only `timing` differs: see
//! [`Stages::analyze`].
//!
//! ```text
//!  dataset, tables (fixed for the life of a Stages)
//!       |
//!       | as_of (config.as_of, or the default as-of date: computed once)
//!       v
//!  [cut] public_at + Panel::build                                      key: as_of
//!       |
//!       +--> [net_liquidity] series list, net liquidity                 key: as_of
//!       +--> [chain]      config.chain                                  key: as_of, chain
//!       |       |
//!       |       +--> [regimes]  config.regimes                          key: .., chain, regimes
//!       |
//!       +--> [asymmetry]  config.asymmetry, config.asymmetry_pairs
//!       +--> [lead_lag]   config.lead_lag             (the five lead-lag pairs)
//!       +--> [stability]  config.asymmetry_pairs      (timed as part of "lead_lag")
//!       +--> [flows]      config.flows          (and the tables)
//!       +--> [global]     config.global
//!       |
//!       +--> [spectrum]   chain + regimes + flows + global outputs, config.rotation
//!       |                 key: as_of, chain, regimes, flows, global, rotation
//!       |                 (also sets global_liquidity.spectrum_sensitivities)
//!       +--> [risk_by_regime] regimes + flows outputs (the tiers, the regime of each week),
//!       |                 config.risk_by_regime
//!       |                 key: as_of, flows, risk_by_regime, and each week's liquidity
//!       |                 regime and cycle quadrant (values, not settings: see below)
//!       +--> [divergence] config.divergence
//!       +--> [stress]     config.stress        (its extreme flag joins the narrative)
//!       +--> [gold]       config.gold
//! ```
//!
//! The risk by regime is the one stage keyed by an upstream *output* rather than the settings
//! behind it: it reads only each week's liquidity regime and cycle quadrant, which no chain
//! setting changes (the chain moves the monetary and risk regimes only), and it is the costliest
//! stage to rerun (a 1,000-replicate bootstrap for each asset and regime). Keyed by
//! `config.chain` it would rerun on every chain weight; keyed by the weekly regimes themselves
//! (one comparison of two short vectors) it reruns exactly when its sample changes. It is still
//! a pure function of its key, so the staged report stays the fresh one.
//!
//! Each key holds the whole sub-config a stage reads (the spectrum reads only
//! `chain.change_weeks` and `chain.threshold` of the chain settings, but also the chain's output,
//! so it is keyed by all of `config.chain`). Settings are compared with `==`: a `NaN` setting
//! never matches and simply reruns. Only the latest result of each stage is kept (one slot per
//! stage), so flipping a setting back and forth reruns that stage each time; the worker's own
//! cache of whole reports answers a view seen before.

use super::{
    asymmetry_section, default_as_of, global_impulse_on, lead_lag_pairs, public_at, risk_by_regime_section,
    spectrum_section, stability_section, AnalyzeError, Detail, ModelConfig, NetLiquidityLatest,
    NetLiquidityReport, RegimesReport, Report, SectionTime, SeriesInfo, Timing, SCHEMA_VERSION,
    STRESS_NARRATIVE,
};
use std::borrow::Cow;

use crate::align::is_stale;
use crate::dataset::Dataset;
use crate::date::Date;
use crate::liquidity::{self, NetLiquidityPoint};
use crate::model::asymmetry::{AsymmetryConfig, AsymmetryResult};
use crate::model::chain::{self, Chain, ChainConfig};
use crate::model::divergence::{policy_divergence, DivergenceConfig, PolicyDivergence};
use crate::model::flows::{crypto_flows, CryptoFlows, FlowInputs, FlowsConfig};
use crate::model::global::{global_liquidity, GlobalConfig, GlobalLiquidity};
use crate::model::gold::{gold_real_rates, GoldConfig, GoldRealRates};
use crate::model::leadlag::{LeadLagConfig, LeadLagResult, StabilityResult};
use crate::model::panel::Panel;
use crate::model::regime::{self, RegimeConfig, RegimeWeek};
use crate::model::risk_regime::{RiskByRegime, RiskRegimeConfig};
use crate::model::spectrum::{self, RotationTable, SpectrumResult};
use crate::model::stress::{cross_asset_stress, Stress, StressConfig};
use crate::model::{LiquidityRegime, Quadrant};
use crate::series::Series;

/// The names of the stages, in the order they run ([`Stages::runs`] counts by these).
pub const STAGES: [&str; 16] = [
    "cut",
    "net_liquidity",
    "chain",
    "regimes",
    "asymmetry",
    "lead_lag",
    "stability",
    "flows",
    "global_liquidity",
    "spectrum",
    "risk_by_regime",
    "policy_divergence",
    "stress",
    "gold",
    "default_as_of",
    "report",
];

/// The as-of cut and the panel.
#[derive(Clone, Debug)]
struct Cut {
    data: Dataset,
    panel: Panel,
}

/// The report's series list and net liquidity (and net liquidity as a series, for the lead-lag).
type NetLiquidity = (Vec<SeriesInfo>, NetLiquidityReport, Series);

/// One stage's kept result and the key it was computed from.
type Slot<K, V> = Option<(K, V)>;

/// `config.asymmetry_pairs`.
type Pairs = Vec<(String, String)>;

type SpectrumKey = (Date, ChainConfig, RegimeConfig, FlowsConfig, GlobalConfig, RotationTable);

/// The weekly regimes the risk by regime reads, in calendar order.
type RegimesRead = Vec<(Option<LiquidityRegime>, Option<Quadrant>)>;

type RiskByRegimeKey = (Date, FlowsConfig, RiskRegimeConfig, RegimesRead);

/// The report in stages (module docs).
#[derive(Clone, Debug)]
pub struct Stages<'a> {
    dataset: Cow<'a, Dataset>,
    inputs: Cow<'a, FlowInputs>,
    /// The default as-of date, once asked for (it reads only the dataset).
    default_as_of: Option<Option<Date>>,
    cut: Slot<Date, Cut>,
    net_liquidity: Slot<Date, NetLiquidity>,
    chain: Slot<(Date, ChainConfig), Chain>,
    regimes: Slot<(Date, ChainConfig, RegimeConfig), Vec<RegimeWeek>>,
    asymmetry: Slot<(Date, AsymmetryConfig, Pairs), Vec<AsymmetryResult>>,
    lead_lag: Slot<(Date, LeadLagConfig), Vec<LeadLagResult>>,
    stability: Slot<(Date, Pairs), Vec<StabilityResult>>,
    flows: Slot<(Date, FlowsConfig), Option<CryptoFlows>>,
    global: Slot<(Date, GlobalConfig), Option<GlobalLiquidity>>,
    spectrum: Slot<SpectrumKey, Option<(SpectrumResult, Vec<spectrum::Sensitivity>)>>,
    risk_by_regime: Slot<RiskByRegimeKey, Option<RiskByRegime>>,
    divergence: Slot<(Date, DivergenceConfig), Option<PolicyDivergence>>,
    stress: Slot<(Date, StressConfig), Option<Stress>>,
    gold: Slot<(Date, GoldConfig), Option<GoldRealRates>>,
    runs: [u64; STAGES.len()],
}

/// The kept result when `key` is the one it was computed from, else `run`'s (kept with `key`);
/// and whether it ran.
fn stage<K: PartialEq, V>(slot: &mut Slot<K, V>, key: K, run: impl FnOnce() -> V) -> (&V, bool) {
    let ran = slot.as_ref().is_none_or(|(k, _)| *k != key);
    if ran {
        *slot = Some((key, run()));
    }
    // Invariant: the slot was just filled, or held a value.
    let (_, value) = slot.as_ref().expect("a filled stage");
    (value, ran)
}

impl Stages<'static> {
    /// Stages that own `dataset` and `inputs` (the worker's), with nothing computed yet.
    pub fn new(dataset: Dataset, inputs: FlowInputs) -> Stages<'static> {
        Stages::with(Cow::Owned(dataset), Cow::Owned(inputs))
    }
}

impl<'a> Stages<'a> {
    /// Stages over a borrowed `dataset` and `inputs` (no copy: what [`super::analyze_timed`]
    /// uses), with nothing computed yet.
    pub fn borrowed(dataset: &'a Dataset, inputs: &'a FlowInputs) -> Stages<'a> {
        Stages::with(Cow::Borrowed(dataset), Cow::Borrowed(inputs))
    }

    fn with(dataset: Cow<'a, Dataset>, inputs: Cow<'a, FlowInputs>) -> Stages<'a> {
        Stages {
            dataset,
            inputs,
            default_as_of: None,
            cut: None,
            net_liquidity: None,
            chain: None,
            regimes: None,
            asymmetry: None,
            lead_lag: None,
            stability: None,
            flows: None,
            global: None,
            spectrum: None,
            risk_by_regime: None,
            divergence: None,
            stress: None,
            gold: None,
            runs: [0; STAGES.len()],
        }
    }

    /// The dataset the stages read.
    pub fn dataset(&self) -> &Dataset {
        &self.dataset
    }

    /// The table inputs the stages read.
    pub fn inputs(&self) -> &FlowInputs {
        &self.inputs
    }

    /// How many times the stage named `stage` (one of [`STAGES`]) has run; 0 for an unknown name.
    pub fn runs(&self, stage: &str) -> u64 {
        STAGES.iter().position(|s| *s == stage).map_or(0, |i| self.runs[i])
    }

    fn count(&mut self, stage: &str, ran: bool) {
        if let (true, Some(i)) = (ran, STAGES.iter().position(|s| *s == stage)) {
            self.runs[i] += 1;
        }
    }

    /// The report for `config`, rerunning only the stages whose key changed (module docs).
    ///
    /// `timing.sections` (with a `clock`) lists only the sections that ran in this call, in the
    /// order of [`super::SectionTime`]'s names; a section whose result was kept gets no entry (its
    /// cost is the time it took when it ran). A first call, or [`super::analyze_timed`], lists all
    /// fourteen. `as_of_cut` and `panel` are the two parts of the cut stage,
    /// and `lead_lag` is there when the lead-lag pairs or the correlation stability (which reads
    /// the asymmetry pairs) ran. `timing.model_ms` is 0, as from [`super::analyze_timed`].
    pub fn analyze(
        &mut self,
        config: &ModelConfig,
        clock: Option<&dyn Fn() -> f64>,
    ) -> Result<Report, AnalyzeError> {
        let mut sections = Vec::new();
        let mut last = clock.map_or(0.0, |now| now());
        let mut lap = |section: &'static str, ran: bool| {
            if let Some(now) = clock {
                let t = now();
                if ran {
                    sections.push(SectionTime { section: section.to_string(), ms: t - last });
                }
                last = t;
            }
        };
        let as_of = match config.as_of {
            Some(as_of) => as_of,
            None => {
                if self.default_as_of.is_none() {
                    self.default_as_of = Some(default_as_of(&self.dataset));
                    self.count("default_as_of", true);
                }
                self.default_as_of.flatten().ok_or(AnalyzeError::NoData { as_of: None })?
            }
        };

        // The cut: timed in its three parts, as `analyze_timed` always was.
        let cut_ran = self.cut.as_ref().is_none_or(|(k, _)| *k != as_of);
        if cut_ran {
            self.cut = None;
            let data = public_at(&self.dataset, as_of);
            lap("as_of_cut", true);
            let panel =
                Panel::build(&data, Some(as_of)).ok_or(AnalyzeError::NoData { as_of: Some(as_of) })?;
            lap("panel", true);
            self.cut = Some((as_of, Cut { data, panel }));
            self.count("cut", true);
        } else {
            lap("as_of_cut", false);
            lap("panel", false);
        }
        // Invariant: the cut was just filled or kept.
        let (_, cut) = self.cut.as_ref().expect("the as-of cut");
        let (data, panel) = (&cut.data, &cut.panel);

        let (chain, chain_ran) =
            stage(&mut self.chain, (as_of, config.chain.clone()), || chain::chain(panel, &config.chain));
        lap("chain", chain_ran);
        let regimes_key = (as_of, config.chain.clone(), config.regimes.clone());
        let (timeline, regimes_ran) =
            stage(&mut self.regimes, regimes_key, || regime::regimes(panel, chain, &config.regimes));
        lap("regimes", regimes_ran);
        let (netliq, netliq_ran) =
            stage(&mut self.net_liquidity, as_of, || series_and_net_liquidity(data, as_of));
        lap("net_liquidity", netliq_ran);
        let (series, net_liquidity, netliq_series) = netliq;
        let asymmetry_key = (as_of, config.asymmetry.clone(), config.asymmetry_pairs.clone());
        let (asymmetry, asymmetry_ran) =
            stage(&mut self.asymmetry, asymmetry_key, || asymmetry_section(data, config));
        lap("asymmetry", asymmetry_ran);
        let (lead_lag, lead_lag_ran) = stage(&mut self.lead_lag, (as_of, config.lead_lag.clone()), || {
            lead_lag_pairs(data, netliq_series, config)
        });
        let (stability, stability_ran) =
            stage(&mut self.stability, (as_of, config.asymmetry_pairs.clone()), || {
                stability_section(data, config)
            });
        lap("lead_lag", lead_lag_ran || stability_ran);
        let inputs = &self.inputs;
        let (flows, flows_ran) = stage(&mut self.flows, (as_of, config.flows.clone()), || {
            crypto_flows(data, as_of, inputs, &config.flows)
        });
        lap("flows", flows_ran);
        let (global, global_ran) = stage(&mut self.global, (as_of, config.global.clone()), || {
            global_liquidity(data, as_of, &config.global)
        });
        lap("global_liquidity", global_ran);
        let spectrum_key = (
            as_of,
            config.chain.clone(),
            config.regimes.clone(),
            config.flows.clone(),
            config.global.clone(),
            config.rotation.clone(),
        );
        let (spectrum_out, spectrum_ran) = stage(&mut self.spectrum, spectrum_key, || {
            let global_impulse =
                global.as_ref().map(|g| global_impulse_on(&panel.calendar, g, config.chain.change_weeks));
            spectrum_section(panel, chain, timeline, flows.as_ref(), global_impulse.as_deref(), config)
        });
        lap("spectrum", spectrum_ran);
        // The regimes it reads, not the settings that made them (module docs).
        let regimes_read: RegimesRead =
            timeline.iter().map(|w| (w.regimes.liquidity, w.regimes.cycle)).collect();
        let risk_key = (as_of, config.flows.clone(), config.risk_by_regime.clone(), regimes_read);
        let (risk_by_regime, risk_ran) = stage(&mut self.risk_by_regime, risk_key, || {
            risk_by_regime_section(panel, timeline, flows.as_ref(), &config.risk_by_regime)
        });
        lap("risk_by_regime", risk_ran);
        let (divergence, divergence_ran) =
            stage(&mut self.divergence, (as_of, config.divergence.clone()), || {
                policy_divergence(data, as_of, &config.divergence)
            });
        lap("policy_divergence", divergence_ran);
        let (stress, stress_ran) = stage(&mut self.stress, (as_of, config.stress.clone()), || {
            cross_asset_stress(data, as_of, &config.stress)
        });
        lap("stress", stress_ran);
        let (gold, gold_ran) = stage(&mut self.gold, (as_of, config.gold.clone()), || {
            gold_real_rates(panel, as_of, &config.gold)
        });
        lap("gold", gold_ran);

        let (spectrum, global_sensitivities) = spectrum_out.clone().unzip();
        let mut global_liquidity = global.clone();
        if let (Some(g), Some(s)) = (global_liquidity.as_mut(), global_sensitivities) {
            g.spectrum_sensitivities = s;
        }
        let chain = chain.clone();
        let mut narrative = chain.narrative;
        if stress.as_ref().is_some_and(|s| s.current_extreme) {
            narrative = format!("{narrative} {STRESS_NARRATIVE}");
        }
        let report = Report {
            schema_version: SCHEMA_VERSION.to_string(),
            as_of,
            detail: Detail::Full,
            config: config.clone(),
            series: series.clone(),
            net_liquidity: net_liquidity.clone(),
            links: chain.links,
            indicators: chain.indicators,
            transmission: chain.transmission,
            break_point: chain.break_point,
            narrative,
            regimes: RegimesReport { current: timeline.last().cloned(), timeline: timeline.clone() },
            asymmetry: asymmetry.clone(),
            lead_lag: lead_lag.clone(),
            stability: stability.clone(),
            spectrum,
            risk_by_regime: risk_by_regime.clone(),
            global_liquidity,
            policy_divergence: divergence.clone(),
            stress: stress.clone(),
            flows: flows.clone(),
            gold_real_rates: gold.clone(),
            timing: Timing { model_ms: 0.0, sections },
        };
        for (name, ran) in [
            ("net_liquidity", netliq_ran),
            ("chain", chain_ran),
            ("regimes", regimes_ran),
            ("asymmetry", asymmetry_ran),
            ("lead_lag", lead_lag_ran),
            ("stability", stability_ran),
            ("flows", flows_ran),
            ("global_liquidity", global_ran),
            ("spectrum", spectrum_ran),
            ("risk_by_regime", risk_ran),
            ("policy_divergence", divergence_ran),
            ("stress", stress_ran),
            ("gold", gold_ran),
            ("report", true),
        ] {
            self.count(name, ran);
        }
        Ok(report)
    }
}

/// The report's series list and net liquidity: read from the as-of cut alone.
fn series_and_net_liquidity(data: &Dataset, as_of: Date) -> (Vec<SeriesInfo>, NetLiquidityReport, Series) {
    let series = data
        .iter()
        .filter_map(|(id, loaded)| {
            let entry = data.entry(id)?;
            let last = loaded.series.last().map(|l| l.0);
            Some(SeriesInfo {
                id: id.to_string(),
                name: entry.name.clone(),
                first: loaded.series.first().map(|f| f.0),
                last,
                rows: loaded.series.len(),
                stale: last.is_none_or(|d| is_stale(d, as_of, entry.frequency, entry.publication_lag_days)),
                source: loaded.source.clone(),
                native_units: loaded.native_units.clone(),
                canonical_units: entry.canonical_units.clone(),
                licence: entry.licence.clone(),
                vintage: data.vintage_use(id),
                vintage_note: data.vintage_use(id).map(|v| v.note().to_string()),
            })
        })
        .collect();
    let points: Vec<NetLiquidityPoint> = data.net_liquidity_weekly().unwrap_or_default();
    let netliq_series = liquidity::as_series(&points);
    let impulse = points.last().and_then(|last| {
        let before = netliq_series.at_or_before(last.date.add_days(-7 * 13))?;
        (before.1 != 0.0).then(|| 100.0 * (last.usd_bn / before.1 - 1.0))
    });
    let net_liquidity = NetLiquidityReport {
        latest: points.last().map(|p| NetLiquidityLatest {
            date: p.date,
            usd_bn: p.usd_bn,
            walcl: p.walcl,
            tga: p.tga,
            tga_source: p.tga_source.id().to_string(),
            rrp: p.rrp,
        }),
        impulse_13w_pct: impulse,
        history: points.iter().map(|p| (p.date, p.usd_bn)).collect(),
    };
    (series, net_liquidity, netliq_series)
}
