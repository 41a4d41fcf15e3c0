//! The chain overview: the one-sentence narrative, each link's state, the regimes.

use leptos::prelude::*;
use tideline_core::model::State;
use tideline_core::report::Report;

fn state_name(state: Option<State>) -> &'static str {
    match state {
        Some(State::Supportive) => "supportive",
        Some(State::Neutral) => "neutral",
        Some(State::Restrictive) => "restrictive",
        None => "unknown",
    }
}

fn label(name: &str) -> String {
    let mut text = name.replace('_', " ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + text.get(1..).unwrap_or("");
    }
    text
}

fn debug_name<T: std::fmt::Debug>(value: Option<T>) -> String {
    value.map_or_else(|| "unknown".to_string(), |v| format!("{v:?}").to_lowercase())
}

/// The chain at the as-of date: narrative, links (score, state, direction, what was left out),
/// break point and regimes. Everything shown comes from the report.
#[component]
pub fn ChainOverview(
    /// The report to show.
    #[prop(into)]
    report: Signal<std::sync::Arc<Report>>,
) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="chain-title">
            <h2 id="chain-title">"The chain"</h2>
            <p class="narrative" data-testid="narrative">{move || report.with(|r| r.narrative.clone())}</p>
            <p class="definition">
                "Each link's score is the mean of its indicators' oriented z-scores (3-year window, clipped to ±3); "
                "supportive above +0.5, restrictive below −0.5; direction is the 13-week change. Stale inputs are left out."
            </p>
            <table class="links">
                <thead>
                    <tr>
                        <th scope="col">"Link"</th>
                        <th scope="col">"Score"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"13-week direction"</th>
                        <th scope="col">"Left out (stale or missing)"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || report.with(|r| r.links.clone()) key=|l| l.name.clone() let:link>
                        <tr data-link=link.name.clone() class=state_name(link.state)>
                            <th scope="row">{label(&link.name)}</th>
                            <td class="num">{link.score.map_or_else(|| "–".to_string(), |s| format!("{s:+.2}"))}</td>
                            <td>{state_name(link.state)}</td>
                            <td>{link.direction.clone().unwrap_or_else(|| "–".into())}</td>
                            <td class="left-out">{link.indicators_left_out.join(", ")}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
            <p class="break-point">
                {move || report.with(|r| match &r.break_point {
                    Some(link) => format!("The chain breaks at {}.", link.replace('_', " ")),
                    None => "No break in the chain.".to_string(),
                })}
            </p>
            <dl class="regimes">
                {move || report.with(|r| {
                    let current = r.regimes.current.clone();
                    let regimes = current.as_ref().map(|c| c.regimes);
                    let rows = [
                        ("Cycle", debug_name(regimes.and_then(|g| g.cycle))),
                        ("Monetary", debug_name(regimes.and_then(|g| g.monetary))),
                        ("Liquidity", debug_name(regimes.and_then(|g| g.liquidity))),
                        ("Risk", debug_name(regimes.and_then(|g| g.risk)).replace("riskon", "risk-on").replace("riskoff", "risk-off")),
                    ];
                    rows.into_iter()
                        .map(|(k, v)| view! { <div><dt>{k}</dt><dd data-regime=k>{v}</dd></div> })
                        .collect_view()
                })}
            </dl>
        </section>
    }
}
