//! The root component and the first view: Fed net liquidity.

use leptos::prelude::*;
use tideline_core::catalog::Catalog;
use tideline_core::chart::format_thousands;
use tideline_core::dataset::Dataset;
use tideline_core::liquidity::NetLiquidityPoint;
use tideline_core::parse::Format;
use tideline_core::Date;

use crate::components::series_status::SeriesStatus;
use crate::components::{LineChart, SeriesStatusTable};
use crate::feeds::{fetch_text, FetchError};

/// The mirror folder, relative to the page (same origin: FRED sends no CORS headers).
const DATA_DIR: &str = "data";

/// The series the net-liquidity view needs; WTREGEN only fills weeks WDTGAL lacks.
const NET_LIQUIDITY_INPUTS: [&str; 4] = ["WALCL", "WDTGAL", "WTREGEN", "RRPONTSYD"];

/// What the net-liquidity view shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NetLiquidityView {
    /// Weekly points with their inputs.
    pub points: Vec<NetLiquidityPoint>,
    /// One row per input series.
    pub statuses: Vec<SeriesStatus>,
}

/// Why the view cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ViewError {
    /// What is wrong and what to do.
    pub message: String,
    /// The per-series statuses gathered so far.
    pub statuses: Vec<SeriesStatus>,
}

/// Fetches the inputs from the mirror folder and computes weekly net liquidity in the core.
pub async fn load_net_liquidity() -> Result<NetLiquidityView, ViewError> {
    let bodies = futures::future::join_all(NET_LIQUIDITY_INPUTS.iter().map(|id| async move {
        let url = format!("{DATA_DIR}/{id}.csv");
        (*id, url.clone(), fetch_text(&url).await)
    }))
    .await;
    let mut dataset = Dataset::new(Catalog::builtin());
    let mut statuses = Vec::new();
    for (id, url, body) in bodies {
        let entry = dataset.catalog().get(id).cloned();
        let licence = entry.as_ref().map(|e| e.licence.clone()).unwrap_or_default();
        let canonical = entry.as_ref().map(|e| e.canonical_units.clone()).unwrap_or_default();
        let result = match body {
            Ok(body) => dataset
                .load_body(id, Format::Fred, &url, &body)
                .map(|l| (l.series.len(), l.series.first(), l.series.last(), l.native_units.clone()))
                .map_err(|e| e.to_string()),
            Err(FetchError::NotFound(_)) => Err(format!("{url} is missing from the data folder")),
            Err(e) => Err(e.to_string()),
        };
        statuses.push(match result {
            Ok((rows, first, last, native)) => SeriesStatus {
                id: id.to_string(),
                source: url,
                rows,
                span: first.zip(last).map(|(a, b)| (a.0.to_string(), b.0.to_string())),
                units: format!("{canonical} (native: {native})"),
                licence,
                error: None,
            },
            Err(error) => SeriesStatus {
                id: id.to_string(),
                source: url,
                rows: 0,
                span: None,
                units: canonical,
                licence,
                error: Some(error),
            },
        });
    }
    match dataset.net_liquidity_weekly() {
        Some(points) if !points.is_empty() => Ok(NetLiquidityView { points, statuses }),
        _ => Err(ViewError {
            message: "Net liquidity needs WALCL and a TGA series (WDTGAL or WTREGEN) in the data folder. \
                      Fill it with `tideline mirror --out <site>/data` (see the README)."
                .to_string(),
            statuses,
        }),
    }
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let data = LocalResource::new(load_net_liquidity);
    view! {
        <header class="top">
            <h1>"Tideline"</h1>
            <p class="tagline">"Where is the tide of liquidity, and how far up the risk spectrum does it reach?"</p>
        </header>
        <main>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading data…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <NetLiquidityPanel view=view /> }.into_any(),
                        Err(error) => view! { <LoadFailure error=error /> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

/// The net-liquidity panel: headline figure, chart and the data used.
#[component]
pub fn NetLiquidityPanel(
    /// The computed view.
    view: NetLiquidityView,
) -> impl IntoView {
    let latest = view.points.last().copied();
    let series: Vec<(Date, f64)> = view.points.iter().map(|p| (p.date, p.usd_bn)).collect();
    let statuses = view.statuses;
    view! {
        <section class="panel" aria-labelledby="netliq-title">
            <h2 id="netliq-title">"Fed net liquidity"</h2>
            <p class="definition">"Fed total assets (WALCL) − Treasury General Account − overnight reverse repo, weekly (Wednesday levels), in USD billions."</p>
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
                            p.tga_source.id(),
                            format_thousands(p.rrp, 1),
                        )}
                    </span>
                </p>
            })}
            <LineChart points=series unit="USD bn" label="Fed net liquidity, weekly, USD billions" />
            <SeriesStatusTable rows=statuses />
        </section>
    }
}

/// What the page shows when the data cannot be used: the reason and each series' status.
#[component]
pub fn LoadFailure(
    /// The failure.
    error: ViewError,
) -> impl IntoView {
    view! {
        <section class="panel failure" role="alert">
            <h2>"The data could not be loaded"</h2>
            <p data-testid="load-error">{error.message.clone()}</p>
            <SeriesStatusTable rows=error.statuses />
        </section>
    }
}
