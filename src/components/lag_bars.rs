//! A cross-correlation by lag as bars in SVG, drawn from the core's chart kit
//! (`tideline_core::chart::lag_bars`: every rectangle, tick and band comes from there; this
//! component only draws and exports).
//!
//! - Its width follows its container, measured in a task of its own (`later`), as a line chart's.
//! - The shared band (the search-adjusted 95% band of "no relation") is a rectangle behind the
//!   bars; a bar outside it is drawn solid and says so in its `<title>`, the rest are faded. The
//!   marked lag (the best one) is outlined.
//! - "Show as table" lists every lag; "CSV" downloads it.

use leptos::prelude::*;
use tideline_core::chart::{csv_of_table, lag_bars, BarOptions, Frame, LagBar};

use super::line_chart::download;

const HEIGHT: f64 = 260.0;
const MIN_WIDTH: f64 = 280.0;

/// Bars of a value by lag, with a shared band.
#[component]
pub fn LagBarsChart(
    /// One bar per lag, ascending by lag.
    bars: Vec<LagBar>,
    /// The band shared by every bar, `(low, high)`, when there is one.
    band: Option<(f64, f64)>,
    /// A lag to outline (the best lag).
    mark: Option<i32>,
    /// What the chart shows (its accessible name and the exported file's title).
    #[prop(into)]
    label: String,
    /// The x axis's title (what a lag means here).
    #[prop(into)]
    x_title: String,
    /// The values' name, for the y axis and the table.
    #[prop(into)]
    unit: String,
) -> impl IntoView {
    let container = NodeRef::<leptos::html::Div>::new();
    let width = RwSignal::new(0.0);
    let measure = move || {
        if let Some(el) = container.get_untracked() {
            let w = f64::from(el.client_width());
            if w > 0.0 {
                let _ = width.try_set(w.max(MIN_WIDTH)); // the chart may have left the page
            }
        }
    };
    super::later::in_own_task(measure);
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    let bars = StoredValue::new(bars);
    let geometry = Memo::new(move |_| {
        let frame = Frame { width: width.get(), height: HEIGHT, ..Frame::default() };
        bars.with_value(|b| lag_bars(b, &BarOptions { frame, band, ..BarOptions::default() }))
    });
    let headers = ["lag".to_string(), unit.clone(), "outside the band".to_string()];
    let rows: Vec<Vec<String>> = bars.with_value(|b| {
        b.iter()
            .map(|bar| {
                let outside =
                    band.map_or("–", |(lo, hi)| if bar.value < lo || bar.value > hi { "yes" } else { "no" });
                vec![bar.lag.to_string(), format!("{:+.3}", bar.value), outside.to_string()]
            })
            .collect()
    });
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let csv = csv_of_table(&header_refs, &rows);
    let file = {
        let stem: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        format!("tideline-{}.csv", stem.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-"))
    };
    let export = move |_| download(&csv, "text/csv", &file);
    let table_open = RwSignal::new(false);
    let y_title = unit.clone();
    let (headers, rows) = (StoredValue::new(headers), StoredValue::new(rows));
    view! {
        <figure class="chart bars-chart">
            <div class="chart-box" node_ref=container>
                <svg class="lag-bars" role="img" aria-label=label.clone()
                    viewBox=move || format!("0 0 {:.0} {HEIGHT}", width.get().max(MIN_WIDTH))>
                    <text class="axis-unit" x="4" y="12">{y_title}</text>
                    {move || (width.get() > 0.0).then(|| {
                        let g = geometry.get();
                        let (left, right, bottom) = (g.plot.x, g.plot.right(), g.plot.bottom());
                        view! {
                            {g.band.map(|b| view! { <rect class="band-rect" x=b.x y=b.y width=b.width height=b.height></rect> })}
                            {g.y_ticks.iter().map(|t| view! {
                                <g class="tick y">
                                    <line x1=left x2=right y1=t.px y2=t.px></line>
                                    <text x=left - 6.0 y=t.px + 4.0 text-anchor="end">{t.label.clone()}</text>
                                </g>
                            }).collect_view()}
                            {g.bars.iter().map(|b| {
                                let title = format!("lag {}: {:+.3}{}", b.lag, b.value,
                                    if b.outside_band { ", outside the band" } else { ", inside the band" });
                                view! {
                                    <rect class="bar" class:outside=b.outside_band class:best=mark == Some(b.lag)
                                        data-lag=b.lag x=b.rect.x y=b.rect.y width=b.rect.width.max(1.0) height=b.rect.height.max(0.5)>
                                        <title>{title}</title>
                                    </rect>
                                }
                            }).collect_view()}
                            <line class="zero" x1=left x2=right y1=g.zero_y y2=g.zero_y></line>
                            {g.x_ticks.iter().map(|(x, t)| view! {
                                <g class="tick x">
                                    <line x1=*x x2=*x y1=bottom y2=bottom + 5.0></line>
                                    <text x=*x y=bottom + 18.0 text-anchor="middle">{t.clone()}</text>
                                </g>
                            }).collect_view()}
                            <text class="axis-title" x=(left + right) / 2.0 y=HEIGHT - 4.0 text-anchor="middle">{x_title.clone()}</text>
                        }
                    })}
                </svg>
            </div>
            <figcaption class="chart-foot">
                <span class="readout">
                    {band.map(|(_, hi)| format!("Shaded: the band ±{hi:.3}; solid bars lie outside it."))}
                </span>
                <span class="chart-exports">
                    <button type="button" on:click=move |_| table_open.update(|o| *o = !*o)
                        aria-expanded=move || table_open.get().to_string()>
                        {move || if table_open.get() { "Hide table" } else { "Show as table" }}
                    </button>
                    <button type="button" on:click=export>"CSV"</button>
                </span>
            </figcaption>
            <Show when=move || table_open.get()>
                <div class="table-wrap chart-table">
                    <table class="data">
                        <caption>"Every lag"</caption>
                        <thead><tr>{headers.with_value(|h| h.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view())}</tr></thead>
                        <tbody>
                            {rows.with_value(|rows| rows.iter().map(|r| view! {
                                <tr>{r.iter().map(|c| view! { <td class="num">{c.clone()}</td> }).collect_view()}</tr>
                            }).collect_view())}
                        </tbody>
                    </table>
                </div>
            </Show>
        </figure>
    }
}
