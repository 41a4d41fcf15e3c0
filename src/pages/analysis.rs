//! The analysis pages: overview, chain, rotation, asymmetry, lead-lag, backtest, beyond the Fed.

use std::sync::Arc;

use leptos::prelude::*;
use tideline_core::chart::{format_thousands, spans_of_runs, LagBar, Span};
use tideline_core::report::Report;

use super::{interval, signed, with_report};
use crate::app::Freshness;
use crate::components::overview::ChainOverview;
use crate::components::{BeyondTheFed, LagBarsChart, LineChart};

/// Overview: where the tide is, in one sentence, then the chain and Fed net liquidity.
#[component]
pub fn Overview() -> impl IntoView {
    with_report("Overview", |report: Arc<Report>| {
        let latest = report.net_liquidity.latest.clone();
        let impulse = report.net_liquidity.impulse_13w_pct;
        let history = report.net_liquidity.history.clone();
        let bands = liquidity_bands(&report);
        let answer = tideline_core::report::headline(&report);
        let shared = report.clone();
        view! {
            <h1 class="answer" data-testid="answer">{answer}</h1>
            <Freshness report=report.clone() />
            <ChainOverview report=Signal::derive(move || shared.clone()) />
            <section class="panel" aria-labelledby="netliq-title">
                <h2 id="netliq-title">"Fed net liquidity"</h2>
                <p class="definition">
                    "Fed total assets (WALCL) − Treasury General Account − overnight reverse repo, weekly (Wednesday levels), in USD billions."
                </p>
                {latest.map(|p| view! {
                    <p class="headline">
                        <span class="latest-value" data-testid="latest-value" data-usd-bn=format!("{:.3}", p.usd_bn)>
                            {format_thousands(p.usd_bn, 1)}
                        </span>
                        " USD bn on "
                        <time data-testid="latest-date" datetime=p.date.to_string()>{p.date.to_string()}</time>
                        <span class="inputs">
                            {format!(
                                " = {} assets − {} TGA ({}) − {} RRP",
                                format_thousands(p.walcl, 1),
                                format_thousands(p.tga, 1),
                                p.tga_source,
                                format_thousands(p.rrp, 1),
                            )}
                            {impulse.map(|i| format!("; 13-week change {i:+.1}%"))}
                        </span>
                    </p>
                })}
                <LineChart points=history unit="USD bn" label="Fed net liquidity, weekly, USD billions" id="NETLIQ" bands=bands />
                <p class="band-legend" data-testid="band-legend">
                    <span><span class="swatch band-expanding"></span>"Liquidity expanding"</span>
                    <span><span class="swatch band-contracting"></span>"Liquidity contracting"</span>
                    <span>"(unshaded: flat or unknown; the regime known each week, from the 13-week impulse)"</span>
                </p>
                <p class="source">{format!("Source: FRED (WALCL, WDTGAL or WTREGEN, RRPONTSYD); as of {}.", report.as_of)}</p>
            </section>
        }
    })
}

/// The liquidity regime of each week of the report's timeline, as bands (`band-expanding`,
/// `band-flat`, `band-contracting`; weeks with no regime are `band-unknown`, drawn unshaded).
fn liquidity_bands(report: &Report) -> Vec<Span<&'static str>> {
    use tideline_core::model::LiquidityRegime;
    let timeline = &report.regimes.timeline;
    let dates: Vec<_> = timeline.iter().map(|w| w.date).collect();
    let keys: Vec<&'static str> = timeline
        .iter()
        .map(|w| match w.regimes.liquidity {
            Some(LiquidityRegime::Expanding) => "expanding",
            Some(LiquidityRegime::Flat) => "flat",
            Some(LiquidityRegime::Contracting) => "contracting",
            None => "unknown",
        })
        .collect();
    spans_of_runs(&dates, &keys)
}

/// Chain: each link's state, its indicators, and whether one link carries into the next.
#[component]
pub fn ChainPage() -> impl IntoView {
    with_report("Chain", |report: Arc<Report>| {
        let answer = match &report.break_point {
            Some(link) => format!("The chain breaks at {}.", link.replace('_', " ")),
            None => "No break in the chain at this date.".to_string(),
        };
        let indicators = report.indicators.clone();
        let transmission = report.transmission.clone();
        let no_transmission = transmission.is_empty();
        let shared = report.clone();
        view! {
            <h1 class="answer" data-testid="answer">{answer}</h1>
            <Freshness report=report.clone() />
            <ChainOverview report=Signal::derive(move || shared.clone()) />
            <section class="panel" aria-labelledby="transmission-title">
                <h2 id="transmission-title">"Transmission between links"</h2>
                <p class="definition">
                    "The correlation of each link's score with the next link's at the best lag (weeks), over a 3-year window. "
                    "The adjusted interval accounts for the search over lags; a link carries only when it excludes 0."
                </p>
                <div class="table-wrap">
                <table class="data">
                    <caption>"Link-to-link correlation at the best lag"</caption>
                    <thead><tr>
                        <th scope="col">"From → to"</th><th scope="col" class="num">"Best lag (weeks)"</th>
                        <th scope="col" class="num">"ρ"</th><th scope="col" class="num">"95% interval, search-adjusted"</th>
                        <th scope="col" class="num">"n"</th><th scope="col">"Carries?"</th>
                    </tr></thead>
                    <tbody>
                        {transmission.into_iter().map(|t| view! {
                            <tr>
                                <th scope="row">{format!("{} → {}", t.from.replace('_', " "), t.to.replace('_', " "))}</th>
                                <td class="num">{t.best_lag_weeks}</td>
                                <td class="num">{signed(Some(t.rho), 2)}</td>
                                <td class="num">{interval(t.ci95_adjusted, 2)}</td>
                                <td class="num">{t.n}</td>
                                <td>{if t.significant { "yes" } else { "no significant link" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
                {no_transmission.then(|| view! { <p class="note">"No link could be measured against the next: too few weeks of scored links at this date."</p> })}
            </section>
            <section class="panel" aria-labelledby="indicators-title">
                <h2 id="indicators-title">"Indicators"</h2>
                <div class="table-wrap">
                <table class="data">
                    <caption>"Every indicator at the as-of date: its value, its z-score and its oriented score"</caption>
                    <thead><tr>
                        <th scope="col">"Indicator"</th><th scope="col">"Link"</th><th scope="col" class="num">"Value"</th>
                        <th scope="col" class="num">"z"</th><th scope="col" class="num">"Score"</th><th scope="col">"Observed"</th>
                    </tr></thead>
                    <tbody>
                        {indicators.into_iter().map(|i| {
                            // The asset link's indicators share a name: say whose return it is.
                            let name = if i.link == tideline_core::model::chain::Link::AssetResponse {
                                format!("{}, {}", i.inputs.join(", "), i.name)
                            } else {
                                i.name.clone()
                            };
                            view! {
                            <tr class:stale=i.stale>
                                <th scope="row" title=i.id.clone()>{name}</th>
                                <td>{i.link.name().replace('_', " ")}</td>
                                <td class="num">{i.value.map_or_else(|| "–".to_string(), |v| format_thousands(v, 2))}</td>
                                <td class="num">{signed(i.z, 2)}</td>
                                <td class="num">{signed(i.score, 2)}</td>
                                <td>{i.observed.map(|d| d.to_string()).unwrap_or_default()}{i.stale.then_some(" (stale)")}</td>
                            </tr>
                        }}).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        }
    })
}

/// Rotation: how far up the risk spectrum the tide reaches.
#[component]
pub fn RotationPage() -> impl IntoView {
    with_report("Rotation", |report: Arc<Report>| {
        let spectrum = report.spectrum.clone();
        let answer = spectrum.as_ref().and_then(|s| s.overflow.current.as_ref()).map_or_else(
            || "Not enough data to say how far the tide reaches.".to_string(),
            |now| {
                let name = |id: &str| {
                    spectrum
                        .as_ref()
                        .and_then(|s| s.tiers.iter().find(|t| t.id == id))
                        .map_or(id.to_string(), |t| t.name.clone())
                };
                match &now.stage_tier {
                    Some(tier) => format!("The tide reaches {} (week of {}).", name(tier), now.date),
                    None => format!("The tide reaches no tier of the spectrum (week of {}).", now.date),
                }
            },
        );
        let rows = spectrum
            .as_ref()
            .and_then(|s| s.overflow.current.clone())
            .map(|now| now.tiers)
            .unwrap_or_default();
        let names = spectrum.map(|s| s.tiers).unwrap_or_default();
        view! {
            <h1 class="answer" data-testid="answer">{answer}</h1>
            <Freshness report=report.clone() />
            <section class="panel" aria-labelledby="tiers-title">
                <h2 id="tiers-title">"The risk spectrum, safe to risky"</h2>
                <p class="definition">
                    "A tier is reached when its 13-week return is positive and it gains on the tier below (relative strength)."
                </p>
                <div class="table-wrap">
                <table class="data">
                    <caption>"Each tier's 13-week momentum and relative strength"</caption>
                    <thead><tr>
                        <th scope="col">"Tier"</th><th scope="col" class="num">"13-week return (log, %)"</th>
                        <th scope="col" class="num">"Against the tier below (log, %)"</th><th scope="col">"Reached"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|t| {
                            let name = names.iter().find(|n| n.id == t.tier).map_or(t.tier.clone(), |n| n.name.clone());
                            view! {
                                <tr>
                                    <th scope="row">{name}</th>
                                    <td class="num">{signed(t.momentum_13w.map(|m| 100.0 * m), 1)}</td>
                                    <td class="num">{signed(t.relative_strength_13w.map(|m| 100.0 * m), 1)}</td>
                                    <td>{match t.reached { Some(true) => "yes", Some(false) => "no", None => "unknown" }}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
            {report.risk_by_regime.clone().map(|risk| view! { <RiskByRegimePanel risk=risk /> })}
        }
    })
}

/// Risk by regime (`report.risk_by_regime`, defined in `tideline_core::model::risk_regime`): each
/// spectrum asset's next-week return, volatility, Sharpe ratio and drawdown in each liquidity
/// regime and cycle quadrant known at the start of the week, with the bootstrap interval of the
/// mean; a mean is called "above 0" or "below 0" only when its interval excludes 0.
#[component]
fn RiskByRegimePanel(risk: tideline_core::model::risk_regime::RiskByRegime) -> impl IntoView {
    use tideline_core::model::risk_regime::RegimeRisk;
    fn row<R>(name: &str, regime: String, risk: &RegimeRisk<R>, first: bool, span: usize) -> impl IntoView {
        let regime = if regime == "all" { "every week".to_string() } else { regime.replace('_', " ") };
        let pct = |v: Option<f64>, d: usize| signed(v.map(|v| 100.0 * v), d);
        let verdict = match risk.ci95 {
            Some([lo, _]) if lo > 0.0 => "above 0",
            Some([_, hi]) if hi < 0.0 => "below 0",
            Some(_) => "spans 0",
            None => "too few weeks",
        };
        let ci = risk.ci95.map(|[lo, hi]| [100.0 * lo, 100.0 * hi]);
        view! {
            <tr class:first-of-asset=first>
                {first.then(|| view! { <th scope="rowgroup" rowspan=span>{name.to_string()}</th> })}
                <td>{regime}</td>
                <td class="num">{risk.weeks}</td>
                <td class="num">{pct(risk.mean_weekly, 2)}</td>
                <td class="num">{interval(ci, 2)}</td>
                <td>{verdict}</td>
                <td class="num">{pct(risk.annualised_return, 1)}</td>
                <td class="num">{risk.annualised_volatility.map_or("–".to_string(), |v| format!("{:.1}", 100.0 * v))}</td>
                <td class="num">{signed(risk.sharpe, 2)}</td>
                <td class="num">{pct(risk.max_drawdown, 1)}</td>
            </tr>
        }
    }
    let table = |grouping: &'static str, caption: &'static str| {
        let rows = risk
            .assets
            .iter()
            .flat_map(|a| {
                let mut out = Vec::new();
                if grouping == "liquidity" {
                    let span = a.liquidity.len() + 1;
                    out.push(row(&a.name, a.all.regime_name(), &a.all, true, span).into_any());
                    out.extend(
                        a.liquidity.iter().map(|r| row(&a.name, r.regime_name(), r, false, span).into_any()),
                    );
                } else {
                    let span = a.cycle.len();
                    out.extend(
                        a.cycle
                            .iter()
                            .enumerate()
                            .map(|(i, r)| row(&a.name, r.regime_name(), r, i == 0, span).into_any()),
                    );
                }
                out
            })
            .collect_view();
        view! {
            <div class="table-wrap">
            <table class="data risk-regime" data-testid=format!("risk-by-{grouping}")>
                <caption>{caption}</caption>
                <thead><tr>
                    <th scope="col">"Asset"</th><th scope="col">"Regime"</th><th scope="col" class="num">"Weeks"</th>
                    <th scope="col" class="num">"Mean weekly return (log, %)"</th><th scope="col" class="num">"95% interval"</th>
                    <th scope="col">"Mean"</th><th scope="col" class="num">"Annualised (log, %)"</th>
                    <th scope="col" class="num">"Volatility (%/yr)"</th><th scope="col" class="num">"Sharpe"</th>
                    <th scope="col" class="num">"Max drawdown (%)"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            </div>
        }
    };
    let by_liquidity = table("liquidity", "By liquidity regime (first row of each asset: every week)");
    let by_quadrant = table("quadrant", "By cycle quadrant (growth and inflation momentum)");
    let csv = risk.to_csv();
    let export =
        move |_| crate::components::line_chart::download(&csv, "text/csv", "tideline-risk-by-regime.csv");
    let as_of = risk.as_of.map_or_else(|| "no week".to_string(), |d| d.to_string());
    let cash = risk.risk_free.clone().unwrap_or_else(|| "none loaded: no Sharpe ratio".to_string());
    view! {
        <section class="panel" aria-labelledby="risk-regime-title">
            <h2 id="risk-regime-title">"Risk by regime"</h2>
            <p class="definition">
                {format!(
                    "Each asset's log return over the week after each Friday, grouped by the regime known that Friday (point in time), up to {as_of}. \
                     The interval is a 95% moving-block bootstrap of the mean; a regime with fewer than {} weeks has no figures. \
                     Sharpe over cash ({cash}); drawdown of the regime's weeks compounded in order.",
                    risk.min_weeks,
                )}
            </p>
            <div class="table-tools"><button type="button" class="button" on:click=export>"CSV"</button></div>
            {by_liquidity}
            {by_quadrant}
        </section>
    }
}

/// Asymmetry: does crypto follow the decline of US stocks but not the rise?
#[component]
pub fn AsymmetryPage() -> impl IntoView {
    with_report("Asymmetry", |report: Arc<Report>| {
        let results = report.asymmetry.clone();
        let answer = results.first().map_or_else(
            || "No asymmetry could be measured with the loaded data.".to_string(),
            |r| {
                format!(
                    "{} against {} ({}): {}.",
                    r.asset,
                    r.benchmark,
                    r.frequency.as_str(),
                    r.verdict.as_str()
                )
            },
        );
        view! {
            <h1 class="answer" data-testid="answer">{answer}</h1>
            <Freshness report=report.clone() />
            <section class="panel" aria-labelledby="asym-title">
                <h2 id="asym-title">"Down-market and up-market betas"</h2>
                <p class="definition">
                    "Asymmetry = beta on the benchmark's down periods − beta on its up periods, with a block-bootstrap 95% interval. "
                    "A verdict appears only when the interval excludes 0."
                </p>
                <div class="table-wrap">
                <table class="data">
                    <caption>"Each pair and return frequency"</caption>
                    <thead><tr>
                        <th scope="col">"Pair"</th><th scope="col">"Returns"</th><th scope="col" class="num">"n"</th>
                        <th scope="col" class="num">"Down beta"</th><th scope="col" class="num">"Up beta"</th>
                        <th scope="col" class="num">"Asymmetry [95%]"</th><th scope="col">"Verdict"</th>
                    </tr></thead>
                    <tbody>
                        {results.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{format!("{} / {}", r.asset, r.benchmark)}</th>
                                <td>{r.frequency.as_str()}</td>
                                <td class="num">{r.n}</td>
                                <td class="num">{format!("{:.2}", r.down_beta)}</td>
                                <td class="num">{format!("{:.2}", r.up_beta)}</td>
                                <td class="num">{format!("{:+.2} {}", r.asymmetry, interval(r.ci95, 2))}</td>
                                <td>{r.verdict.as_str()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
        }
    })
}

/// Lead-lag: which indicators lead which.
#[component]
pub fn LeadLagPage() -> impl IntoView {
    with_report("Lead-lag", |report: Arc<Report>| {
        let results = report.lead_lag.clone();
        // Each pair's cross-correlation, one bar per lag, against its search-adjusted band.
        let charts: Vec<_> = results
            .iter()
            .map(|r| {
                let bars: Vec<LagBar> =
                    r.cross.iter().map(|c| LagBar { lag: c.lag, value: c.rho, interval: None }).collect();
                let band = r.search.as_ref().map(|s| (-s.band, s.band));
                (r.clone(), bars, band)
            })
            .collect();
        let leads: Vec<String> = results
            .iter()
            .filter(|r| r.significant)
            .map(|r| {
                let sign = if r.rho < 0.0 { " (inversely)" } else { "" };
                match r.best_lag_weeks {
                    0 => format!("{} moves with {}{sign}", r.x, r.y),
                    1 => format!("{} leads {} by 1 week{sign}", r.x, r.y),
                    n => format!("{} leads {} by {n} weeks{sign}", r.x, r.y),
                }
            })
            .collect();
        let answer = if leads.is_empty() {
            "No significant lead at the best lag once the search over lags is accounted for.".to_string()
        } else {
            format!("{}.", leads.join("; "))
        };
        view! {
            <h1 class="answer" data-testid="answer">{answer}</h1>
            <Freshness report=report.clone() />
            <section class="panel" aria-labelledby="ll-title">
                <h2 id="ll-title">"Best lag of each pair"</h2>
                <p class="definition">
                    "Cross-correlation of weekly changes at lags up to the window; the band is the 95% band adjusted for the search over lags."
                </p>
                <div class="table-wrap">
                <table class="data">
                    <caption>"Each pair's best lag and its correlation"</caption>
                    <thead><tr>
                        <th scope="col">"Leader → follower"</th><th scope="col" class="num">"Best lag (weeks)"</th>
                        <th scope="col" class="num">"ρ"</th><th scope="col" class="num">"Band (±, search-adjusted)"</th>
                        <th scope="col" class="num">"Weeks"</th><th scope="col">"Significant"</th>
                    </tr></thead>
                    <tbody>
                        {results.into_iter().map(|r| view! {
                            <tr>
                                <th scope="row">{format!("{} → {}", r.x, r.y)}</th>
                                <td class="num">{r.best_lag_weeks}</td>
                                <td class="num">{signed(Some(r.rho), 3)}</td>
                                <td class="num">{format!("{:.3}", r.search.as_ref().map_or(r.band, |s| s.band))}</td>
                                <td class="num">{r.weeks}</td>
                                <td>{if r.significant { "yes" } else { "no" }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                </div>
            </section>
            {charts.into_iter().map(|(r, bars, band)| {
                let pair = format!("{} → {}", r.x, r.y);
                let rolling: Vec<(tideline_core::Date, f64)> =
                    r.rolling_best_lag.iter().map(|(d, lag, _)| (*d, f64::from(*lag))).collect();
                let weeks = if r.best_lag_weeks == 1 { "week" } else { "weeks" };
                let verdict = if r.significant {
                    format!("best lag {} {weeks}, ρ {:+.2}: outside the search-adjusted band", r.best_lag_weeks, r.rho)
                } else {
                    format!(
                        "best lag {} {weeks}, ρ {:+.2}: inside the search-adjusted band, no lead shown",
                        r.best_lag_weeks, r.rho
                    )
                };
                view! {
                    <section class="panel" aria-label=format!("Cross-correlation of {pair}")>
                        <h2>{pair.clone()}</h2>
                        <p class="definition">{format!(
                            "ρ(k) = corr({x}ₜ, {y}ₜ₊ₖ) of weekly changes over {weeks} weeks; k > 0: {x} leads. \
                             The shaded band is the 95% level of the largest |ρ| over the lags searched (search-adjusted); \
                             {verdict}.",
                            x = r.x, y = r.y, weeks = r.weeks
                        )}</p>
                        <LagBarsChart bars=bars band=band mark=Some(r.best_lag_weeks)
                            label=format!("Cross-correlation of {pair} by lag, weeks")
                            x_title=format!("lag k, weeks (k > 0: {} leads)", r.x) unit="ρ" />
                        {(!rolling.is_empty()).then(|| view! {
                            <h3 class="chart-title">{format!("{pair}: best lag in each rolling window")}</h3>
                            <LineChart points=rolling unit="weeks of lead"
                                label=format!("{pair}: the best lag of each rolling window, weeks") id=format!("{}_{}_best_lag", r.x, r.y) />
                        })}
                    </section>
                }
            }).collect_view()}
        }
    })
}

/// Beyond the Fed: global liquidity, policy divergence, stress, crypto flows, gold.
#[component]
pub fn BeyondPage() -> impl IntoView {
    with_report("Beyond the Fed", |report: Arc<Report>| {
        view! {
            <h1 class="answer">"Beyond the Fed: other central banks, stress, crypto flows and gold"</h1>
            <Freshness report=report.clone() />
            <BeyondTheFed report=report />
        }
    })
}
