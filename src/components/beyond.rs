//! Beyond the Fed: global liquidity, policy divergence, cross-asset stress, crypto flows and gold
//! against real rates, each as a compact table of the report's current readings (the full pages
//! come later). Every figure shown is the report's; definitions are in `tideline_core::model`.

use leptos::prelude::*;
use tideline_core::chart::format_thousands;
use tideline_core::model::divergence::{BalanceSheetDirection, PolicyDivergence};
use tideline_core::model::flows::{AltRegime, CryptoFlows, FlowPhase};
use tideline_core::model::global::GlobalLiquidity;
use tideline_core::model::gold::GoldRealRates;
use tideline_core::model::stress::Stress;
use tideline_core::model::Monetary;
use tideline_core::report::Report;
use tideline_core::stats::correlation::Correlation;

const DASH: &str = "–";

fn pct(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| DASH.to_string(), |v| format!("{v:+.digits$}%"))
}

/// A log change `x` as a percent change, `100 (e^x - 1)`.
fn log_pct(x: Option<f64>) -> String {
    pct(x.map(|x| 100.0 * x.exp_m1()), 1)
}

fn interval(c: &Correlation) -> String {
    format!("{:+.2} [{:+.2}, {:+.2}], n = {}", c.r, c.ci95[0], c.ci95[1], c.n)
}

fn monetary(regime: Option<Monetary>) -> &'static str {
    match regime {
        Some(Monetary::Easing) => "easing",
        Some(Monetary::Neutral) => "neutral",
        Some(Monetary::Tightening) => "tightening",
        None => "unknown",
    }
}

fn direction(d: Option<BalanceSheetDirection>) -> &'static str {
    match d {
        Some(BalanceSheetDirection::Expanding) => "expanding",
        Some(BalanceSheetDirection::Flat) => "flat",
        Some(BalanceSheetDirection::Contracting) => "contracting",
        None => DASH,
    }
}

/// The five sections, each shown only when the report has it.
#[component]
pub fn BeyondTheFed(
    /// The report to show.
    report: std::sync::Arc<Report>,
) -> impl IntoView {
    let trend_weeks = report.config.flows.trend_weeks;
    view! {
        {report.global_liquidity.clone().map(|g| view! { <GlobalPanel global=g /> })}
        {report.policy_divergence.clone().map(|p| view! { <DivergencePanel divergence=p /> })}
        {report.stress.clone().map(|s| view! { <StressPanel stress=s /> })}
        {report.flows.clone().map(|f| view! { <FlowsPanel flows=f trend_weeks=trend_weeks /> })}
        {report.gold_real_rates.clone().map(|g| view! { <GoldPanel gold=g /> })}
    }
}

#[component]
fn GlobalPanel(global: GlobalLiquidity) -> impl IntoView {
    let reading = global.latest.clone();
    let fresh = global.latest_fresh.clone().filter(|f| reading.as_ref().is_some_and(|r| r.date != f.date));
    let fresh_impulses = global.fresh_impulses.clone();
    view! {
        <section class="panel" aria-labelledby="global-title">
            <h2 id="global-title">"Global liquidity"</h2>
            <p class="definition">
                "Fed net liquidity plus the ECB's and the Bank of Japan's total assets, each converted to USD billions "
                "with the exchange rate public that day. The impulse at constant FX holds exchange rates at the window's "
                "start, so a dollar move is not read as easing."
            </p>
            {reading.map(|r| {
                let stale = r.stale_components.clone();
                view! {
                    <p class="headline" data-testid="global-total">
                        <span class="latest-value">{format_thousands(r.total_usd_bn, 0)}</span>
                        {format!(" USD bn on {}", r.date)}
                        {(!stale.is_empty()).then(|| format!(" (stale inputs carried forward: {})", stale.join(", ")))}
                    </p>
                    <div class="table-scroll"><table class="data">
                        <caption>"Components"</caption>
                        <thead><tr>
                            <th scope="col">"Bank"</th>
                            <th scope="col">"Local, bn"</th>
                            <th scope="col">"USD bn"</th>
                            <th scope="col">"Share"</th>
                            <th scope="col">"Balance sheet as of"</th>
                            <th scope="col">"FX rate as of"</th>
                            <th scope="col">"Inputs"</th>
                        </tr></thead>
                        <tbody>
                            {r.components.iter().map(|c| view! {
                                <tr class:stale=c.stale>
                                    <th scope="row">{c.id.clone()}</th>
                                    <td class="num">{format!("{} {}", format_thousands(c.local_bn, 0), c.currency)}</td>
                                    <td class="num">{format_thousands(c.usd_bn, 0)}</td>
                                    <td class="num">{format!("{:.1}%", 100.0 * c.share)}</td>
                                    <td>{c.assets_observed.to_string()}</td>
                                    <td>{c.fx_observed.map_or_else(|| DASH.to_string(), |d| d.to_string())}</td>
                                    <td>{if c.stale { "stale, carried forward" } else { "fresh" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                    {(!r.impulses.is_empty()).then(|| {
                        // An impulse whose window holds a stale component is not a current reading:
                        // the last one whose whole window was fresh is shown instead, with its date.
                        let rows: Vec<_> = r
                            .impulses
                            .iter()
                            .map(|i| {
                                let shown = if i.window_fresh {
                                    Some(*i)
                                } else {
                                    fresh_impulses.iter().find(|f| f.weeks == i.weeks).copied()
                                };
                                (i.weeks, i.window_fresh, shown)
                            })
                            .collect();
                        view! {
                    <div class="table-scroll"><table class="data">
                        <caption>
                            "Impulse"
                            {rows.iter().any(|(_, current, _)| !current).then_some(
                                " (where a window holds a stale component, its change would count as zero: the \
                                 last window with every component fresh is shown, with its end date)"
                            )}
                        </caption>
                        <thead><tr>
                            <th scope="col">"Window"</th>
                            <th scope="col">"Ending"</th>
                            <th scope="col">"In USD"</th>
                            <th scope="col">"At constant FX"</th>
                            <th scope="col">"FX effect"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(weeks, current, shown)| view! {
                                <tr class:stale=!current>
                                    <th scope="row">{format!("{weeks} weeks")}</th>
                                    <td>{shown.map_or_else(
                                        || "no fresh window".to_string(),
                                        |i| if current { i.date.to_string() } else { format!("{} (last fresh)", i.date) },
                                    )}</td>
                                    <td class="num">{pct(shown.map(|i| i.pct_usd), 2)}</td>
                                    <td class="num">{pct(shown.map(|i| i.pct_constant_fx), 2)}</td>
                                    <td class="num">{shown.map_or_else(|| DASH.to_string(), |i| format!("{:+.2} pp", i.fx_effect_pct))}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table></div>
                        }
                    })}
                }
            })}
            {fresh.map(|f| view! {
                <p class="note">{format!(
                    "Last week with every component fresh: {}, {} USD bn.",
                    f.date,
                    format_thousands(f.total_usd_bn, 0)
                )}</p>
            })}
            {(!global.missing.is_empty()).then(|| view! {
                <p class="note">{format!("Not loaded: {}", global.missing.join("; "))}</p>
            })}
        </section>
    }
}

#[component]
fn DivergencePanel(divergence: PolicyDivergence) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="divergence-title">
            <h2 id="divergence-title">"Policy divergence"</h2>
            <p class="narrative" data-testid="divergence-summary">{divergence.summary.clone()}</p>
            <p class="definition">{divergence.rule.clone()}</p>
            <div class="table-scroll"><table class="data">
                <caption>"Stance by economy"</caption>
                <thead><tr>
                    <th scope="col">"Economy"</th>
                    <th scope="col">"Policy rate, %"</th>
                    <th scope="col">"Rate change, pp"</th>
                    <th scope="col">"Balance sheet change"</th>
                    <th scope="col">"Regime"</th>
                </tr></thead>
                <tbody>
                    {divergence.economies.iter().map(|e| {
                        let rate = e.policy_rate.as_ref();
                        let sheet = e.balance_sheet.as_ref();
                        view! {
                            <tr>
                                <th scope="row">{e.name.clone()}</th>
                                <td class="num">{rate.map_or_else(|| "not loaded".to_string(), |r| format!(
                                    "{:.2} ({}{})", r.value, r.observed, if r.stale { ", stale" } else { "" }
                                ))}</td>
                                <td class="num">{rate.and_then(|r| Some(format!("{:+.2} since {}", r.change_pp?, r.base_date))).unwrap_or_else(|| DASH.to_string())}</td>
                                <td>{sheet.map_or_else(|| "not loaded".to_string(), |s| match s.change_pct {
                                    Some(change) => format!(
                                        "{} ({} since {}){}", direction(s.direction), pct(Some(change), 1), s.base_date,
                                        if s.stale { ", stale" } else { "" }
                                    ),
                                    None => format!("no level public at {}", s.base_date),
                                })}</td>
                                <td>{monetary(e.regime)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></div>
        </section>
    }
}

#[component]
fn StressPanel(stress: Stress) -> impl IntoView {
    let current = stress.current.clone();
    let last_episode = stress.episodes.last().cloned();
    let count = stress.episodes.len();
    view! {
        <section class="panel" aria-labelledby="stress-title">
            <h2 id="stress-title">"Cross-asset stress"</h2>
            <p class="definition">{format!(
                "Share of spectrum assets (Treasuries and gold included) that fell over {} and {} business days, and the \
                 average pairwise {}-day correlation of their daily returns, with its percentile in its own history. \
                 Extreme when the {}-day share is at least {:.0}% of at least {} assets with fresh closes and the percentile at \
                 least {:.0}: then everything is being sold.",
                stress.config.short_days,
                stress.config.long_days,
                stress.config.window_days,
                stress.config.long_days,
                100.0 * stress.config.thresholds.share,
                stress.config.thresholds.min_voting,
                100.0 * stress.config.thresholds.percentile,
            )}</p>
            {current.map(|c| view! {
                <p class="headline" data-testid="stress-current">
                    {format!(
                        "{}: {} of {} assets with fresh closes fell over {} days, {} of {} over {}; co-movement {} (percentile {}). {}",
                        c.day.date,
                        c.fell_long.len(),
                        c.day.n_long,
                        stress.config.long_days,
                        c.fell_short.len(),
                        c.day.n_short,
                        if stress.config.short_days == 1 { "1 day".to_string() } else { format!("{} days", stress.config.short_days) },
                        c.day.comovement.map_or_else(|| DASH.to_string(), |v| format!("{v:.2}")),
                        c.day.comovement_pct.map_or_else(|| DASH.to_string(), |p| format!("{:.0}", 100.0 * p)),
                        if stress.current_extreme { "Extreme." } else { "Not extreme." },
                    )}
                </p>
            })}
            <p>
                {format!("{count} extreme episodes in the history")}
                {last_episode.map(|e| format!(
                    "; the latest {}..{}: {}",
                    e.start,
                    e.end,
                    e.moves.iter().map(|m| format!("{} {:+.1}%", m.asset, m.change_pct)).collect::<Vec<_>>().join(", ")
                ))}
                "."
            </p>
        </section>
    }
}

#[component]
fn FlowsPanel(flows: CryptoFlows, trend_weeks: usize) -> impl IntoView {
    let phase = |p: Option<FlowPhase>| match p {
        Some(FlowPhase::Outflows) => "outflows",
        Some(FlowPhase::OutflowsStopped) => "outflows stopped",
        Some(FlowPhase::Inflows) => "inflows",
        None => "unknown",
    };
    view! {
        <section class="panel" aria-labelledby="flows-title">
            <h2 id="flows-title">"Crypto flows"</h2>
            {flows.etf.map(|e| view! {
                <p data-testid="etf-flows">
                    {e.latest.is_none().then(|| format!("No row of the ETF flow table ({}) is public at {}.", e.source, flows.as_of))}
                    {e.latest.map(|l| format!(
                        "Spot BTC ETFs, {}: {} USD mn that day; 5 days {} USD mn, 20 days {} USD mn; phase: {}. ",
                        l.date,
                        format_thousands(l.total, 1),
                        l.sum_short.map_or_else(|| DASH.to_string(), |s| format_thousands(s, 1)),
                        l.sum_long.map_or_else(|| DASH.to_string(), |s| format_thousands(s, 1)),
                        phase(e.phase),
                    ))}
                    {e.phase_windows.map(|w| format!(
                        "The phase compares the last {} days ({} USD mn) with the {} days before them ({} USD mn). ",
                        w.recent_days,
                        format_thousands(w.recent_usd_mn, 1),
                        w.before_days,
                        format_thousands(w.before_usd_mn, 1),
                    ))}
                    {e.same_day.map(|c| format!("Correlation with the same day's BTC return {}; ", interval(&c)))}
                    {e.next_day.map(|c| format!("with the next day's {} (95% intervals).", interval(&c)))}
                    {(e.days_without_btc > 0).then(|| format!(
                        " {} flow days without a Bitcoin close of their own are left out.",
                        e.days_without_btc
                    ))}
                </p>
            })}
            {flows.inside_crypto.map(|i| {
                let shown = i.history.iter().rev().find(|w| w.basket.is_some()).copied();
                view! {
                    <p>
                        {format!("Altcoin basket (equal weight): {}", i.coins.join(", "))}
                        {shown.map(|w| format!(
                            "; {} ({} of them with a fresh close): basket against BTC {} over {trend_weeks} weeks, ETH/BTC {} ({})",
                            w.date,
                            w.coins,
                            log_pct(w.basket_to_btc_trend),
                            log_pct(w.eth_btc_trend),
                            match w.regime {
                                Some(AltRegime::AltSeason) => "alt season by the rule: the basket gains on BTC",
                                Some(AltRegime::AltcoinSilence) => "altcoin silence by the rule: the basket does not gain on BTC",
                                None => "no reading",
                            }
                        ))}
                        "."
                    </p>
                }
            })}
            {(!flows.treasury.is_empty()).then(|| view! {
                <p>
                    {flows.treasury.iter().filter_map(|c| {
                        let l = c.latest.as_ref()?;
                        Some(format!("{} mNAV {:.2} on {}{}", c.company, l.mnav, l.date, if l.below_one { " (below 1)" } else { "" }))
                    }).collect::<Vec<_>>().join("; ")}
                </p>
            })}
        </section>
    }
}

#[component]
fn GoldPanel(gold: GoldRealRates) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="gold-title">
            <h2 id="gold-title">"Gold against real rates"</h2>
            <p class="definition">{format!(
                "Rolling {}-week regression of gold's weekly log return on the weekly change of the 10-year real yield \
                 (DFII10, percentage points), and the best single break in the trend of what real rates leave unexplained.",
                gold.config.window_weeks
            )}</p>
            {gold.current.map(|c| view! {
                <p data-testid="gold-slope">{format!(
                    "{}: slope {:+.3} [{:+.3}, {:+.3}] log return per pp (95%, HC3 robust standard errors; classical \
                     [{:+.3}, {:+.3}]), n = {} weeks, R² {:.2}. Both sides on observation dates (the same week's \
                     yield change).",
                    c.date, c.slope, c.ci95[0], c.ci95[1], c.ci95_classical[0], c.ci95_classical[1], c.n, c.r_squared
                )}</p>
            })}
            {gold.trend_break.map(|b| view! {
                <p>{format!(
                    "Best single break of the unexplained trend: {} (from {} to {} a year); it cuts the squared error of \
                     one straight line by {:.0}%. {}",
                    b.date,
                    log_pct(Some(b.slope_before_pct_per_year / 100.0)),
                    log_pct(Some(b.slope_after_pct_per_year / 100.0)),
                    100.0 * b.improvement,
                    match (b.null_p_value, b.null_ar1) {
                        // At its floor, 1 / (1 + replicates), the p-value means no simulation did as well.
                        (Some(p), Some(phi)) if p * (b.null_replicates + 1) as f64 <= 1.0 + 1e-9 => format!(
                            "None of {} simulated series with no break (a line plus AR(1) noise, φ = {phi:.3}) fits a \
                             break this good (p ≤ {p:.3}): a real change of trend, not a fitted one.",
                            b.null_replicates
                        ),
                        (Some(p), Some(phi)) => format!(
                            "Series with no break (a line plus AR(1) noise, φ = {phi:.3}, {} simulations) fit a break at \
                             least this good with probability {p:.3}{}.",
                            b.null_replicates,
                            if p > 0.05 { ": the break may well be fitted, not real" } else { "" }
                        ),
                        _ => "A fitted split, not a tested one.".to_string(),
                    }
                )}</p>
            })}
        </section>
    }
}
