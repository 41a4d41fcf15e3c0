//! A dated line chart in SVG, drawn from the core's chart kit (`tideline_core::chart`): every
//! tick, path and pixel comes from `line_chart`; this component only draws, listens and exports.
//!
//! - Its width follows its container (measured on mount and on every resize of the window).
//! - A crosshair follows the pointer or the arrow keys and is shared by every chart of the page
//!   through [`ChartSync`] (by date: each chart marks its own nearest observation); the readout
//!   under the chart gives the date, value and unit of the real observation, not the drawn one.
//! - The window (1y, 3y, 5y, 10y, max) is the page's setting (`range` in the URL) when a
//!   [`ChartSync`] is provided, the chart's own otherwise.
//! - "Show as table" lists the observations in the window; "CSV", "SVG" and "PNG" download them
//!   (the images at the chart's size, with the page's light colours inlined).

use leptos::prelude::*;
use tideline_core::chart::{
    band_rects, crosshair, csv_of_series, format_value, line_chart, rows_of_series, Frame, LineInput,
    LineOptions, Preset, Span, Unit, Window, WindowSpec,
};
use tideline_core::Date;
use wasm_bindgen::JsCast;

const HEIGHT: f64 = 320.0;
/// Below this width the chart keeps its aspect instead of growing thinner.
const MIN_WIDTH: f64 = 280.0;

/// What the charts of a page share: the crosshair's date and the window.
#[derive(Clone, Copy)]
pub struct ChartSync {
    /// The date under the pointer on any chart of the page.
    pub date: RwSignal<Option<Date>>,
    /// The window of the page's charts (`None`: everything).
    pub range: Signal<Option<WindowSpec>>,
    /// Sets the window (a reader's choice: it goes into the URL).
    pub set_range: Callback<Option<WindowSpec>>,
}

/// A line chart of dated values, with a dated x axis, a value axis labelled with its unit, a
/// crosshair, window presets, a table alternative and exports.
#[component]
pub fn LineChart(
    /// The points, ascending by date.
    #[prop(into)]
    points: Signal<Vec<(Date, f64)>>,
    /// The unit of the values, shown on the y axis (e.g. "USD bn").
    #[prop(into)]
    unit: String,
    /// An accessible description of the chart (also the exported file's title).
    #[prop(into)]
    label: String,
    /// The series id, for the CSV column.
    #[prop(optional, into)]
    id: Option<String>,
    /// Regime bands behind the line: spans of dates, each with its CSS class suffix
    /// (`band-expanding`), tiling the axis (`tideline_core::chart::spans_of_runs`).
    #[prop(optional)]
    bands: Vec<Span<&'static str>>,
    /// A base-10 log value axis (growth curves; every value must be above 0).
    #[prop(optional)]
    log: bool,
    /// Fill the first series down to the baseline (a share over time: exposure).
    #[prop(optional)]
    area: bool,
    /// More series drawn on the same axes, each `(name, points)` (equity curves against their
    /// benchmarks); the chart then has a legend, the readout gives every series' value at the
    /// crosshair, and the table and CSV have one column per series.
    #[prop(optional)]
    more: Vec<(String, Vec<(Date, f64)>)>,
    /// The first series' name in the legend (with `more`).
    #[prop(optional, into)]
    name: Option<String>,
) -> impl IntoView {
    let more = StoredValue::new(more);
    let sync = use_context::<ChartSync>();
    let local_date = RwSignal::new(None::<Date>);
    let local_range = RwSignal::new(None::<WindowSpec>);
    let hover = sync.map_or(local_date, |s| s.date);
    let range = Signal::derive(move || match sync {
        Some(s) => s.range.get(),
        None => local_range.get(),
    });
    let set_range = move |r: Option<WindowSpec>| match sync {
        Some(s) => s.set_range.run(r),
        None => local_range.set(r),
    };
    let container = NodeRef::<leptos::html::Div>::new();
    let width = RwSignal::new(720.0);
    let measure = move || {
        if let Some(el) = container.get_untracked() {
            let w = f64::from(el.client_width());
            if w > 0.0 {
                let _ = width.try_set(w.max(MIN_WIDTH)); // the chart may have left the page
            }
        }
    };
    let _ = window_event_listener(leptos::ev::resize, move |_| measure());
    let unit_kind = Unit::from_label(&unit);
    let data_window =
        Memo::new(move |_| points.with(|p| Window::of_dates(&p.iter().map(|x| x.0).collect::<Vec<_>>())));
    let shown_window = Memo::new(move |_| {
        let data = data_window.get()?;
        Some(range.get().map_or(data, |spec| spec.resolve(data)))
    });
    // Measured and drawn in a task of its own (`later`): a page of several charts draws them one
    // per task, and each forced layout (`clientWidth`) is in its chart's task, not all of them in
    // the task that mounts the page.
    let drawn = RwSignal::new(false);
    super::later::in_own_task(move || {
        measure();
        let _ = drawn.try_set(true); // the chart may have left the page meanwhile
    });
    let geometry = Memo::new(move |_| {
        let frame = Frame { width: width.get(), height: HEIGHT, ..Frame::default() };
        // An area is read from zero: its axis always reaches it.
        let options = LineOptions {
            frame,
            window: shown_window.get(),
            log,
            area,
            include_zero: area,
            ..LineOptions::default()
        };
        points.with(|p| {
            more.with_value(|more| {
                let inputs: Vec<LineInput> = std::iter::once(LineInput { label: "", points: p })
                    .chain(more.iter().map(|(label, points)| LineInput { label, points }))
                    .collect();
                line_chart(&inputs, &options)
            })
        })
    });
    let in_window = Memo::new(move |_| {
        let w = shown_window.get();
        points.with(|p| match w {
            Some(w) => w.slice(p).to_vec(),
            None => p.clone(),
        })
    });
    let mark = Memo::new(move |_| {
        let date = hover.get()?;
        if !drawn.get() {
            return None;
        }
        let g = geometry.get();
        in_window.with(|p| crosshair(p, date, 31, &g.x, &g.y))
    });
    let name_first = name.clone().unwrap_or_else(|| label.clone());
    let readout = {
        let unit = unit.clone();
        let name_first = name_first.clone();
        move || {
            let point =
                mark.get().map(|c| (c.date, c.value)).or_else(|| in_window.with(|p| p.last().copied()));
            let Some((d, v)) = point else { return String::new() };
            let first = format!("{} {}", format_value(v, unit_kind), unit_suffix(unit_kind, &unit));
            let others = more.with_value(|more| {
                if more.is_empty() {
                    return String::new();
                }
                let g = geometry.get();
                more.iter()
                    .map(|(name, points)| {
                        let value = crosshair(
                            shown_window.get().map_or(points, |w| w.slice(points)),
                            d,
                            31,
                            &g.x,
                            &g.y,
                        )
                        .map_or_else(|| "–".to_string(), |c| format_value(c.value, unit_kind));
                        format!("; {name} {value}")
                    })
                    .collect::<String>()
            });
            let first_name = if others.is_empty() { String::new() } else { name_first.clone() + " " };
            format!("{d}: {first_name}{}{others}", first.trim_end())
        }
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let g = geometry.get_untracked();
        let Some(svg) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
            return;
        };
        let rect = svg.get_bounding_client_rect();
        if rect.width() <= 0.0 {
            return;
        }
        // Pointer position in the SVG's own coordinates (its viewBox is its pixel width).
        let x = (f64::from(ev.client_x()) - rect.left()) * width.get_untracked() / rect.width();
        if x >= g.plot.x && x <= g.plot.x + g.plot.width {
            hover.set(Some(g.x.invert(x)));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let step = match ev.key().as_str() {
            "ArrowLeft" => -1,
            "ArrowRight" => 1,
            "Escape" => {
                hover.set(None);
                return;
            }
            _ => return,
        };
        ev.prevent_default();
        in_window.with_untracked(|p| {
            if p.is_empty() {
                return;
            }
            let at = mark.get_untracked().map_or(p.len() - 1, |c| c.index);
            let next = (at as i64 + step).clamp(0, p.len() as i64 - 1) as usize;
            hover.set(Some(p[next].0));
        });
    };
    let svg_ref = NodeRef::<leptos::svg::Svg>::new();
    let title = label.clone();
    let csv_id = id.clone().unwrap_or_else(|| "value".to_string());
    let export_csv = move |_| {
        let window = shown_window.get_untracked();
        let text = in_window.with_untracked(|p| {
            more.with_value(|more| {
                let columns: Vec<(&str, &[(Date, f64)])> = std::iter::once((csv_id.as_str(), p.as_slice()))
                    .chain(more.iter().map(|(name, points)| {
                        (name.as_str(), window.map_or(points.as_slice(), |w| w.slice(points)))
                    }))
                    .collect();
                csv_of_series(&columns)
            })
        });
        download(&text, "text/csv", &format!("{}.csv", file_stem(&title)));
    };
    // The chart as a document of its own: the page's CSS does not travel with it.
    let standalone = move || {
        svg_ref.get_untracked().map(|svg| {
            let svg_tag = format!("<svg xmlns=\"http://www.w3.org/2000/svg\" {EXPORT_STYLE_ATTR} ");
            svg.outer_html().replacen("<svg ", &svg_tag, 1).replacen('>', &format!(">{EXPORT_STYLE}"), 1)
        })
    };
    let title_svg = label.clone();
    let export_svg = move |_| {
        if let Some(text) = standalone() {
            download(&text, "image/svg+xml", &format!("{}.svg", file_stem(&title_svg)));
        }
    };
    let title_png = label.clone();
    let export_png = move |_| {
        if let Some(text) = standalone() {
            png_download(&text, width.get_untracked(), HEIGHT, &format!("{}.png", file_stem(&title_png)));
        }
    };
    let table_open = RwSignal::new(false);
    let unit_header = unit.clone();
    let name_table = name_first.clone();
    view! {
        <figure class="chart">
            <div class="chart-tools" role="group" aria-label="Chart window">
                {Preset::ALL.into_iter().map(|p| {
                    let pressed = move || range.get().unwrap_or(WindowSpec::Preset(Preset::Max)) == WindowSpec::Preset(p);
                    view! {
                        <button type="button" class="preset" aria-pressed=move || pressed().to_string()
                            on:click=move |_| set_range(if p == Preset::Max { None } else { Some(WindowSpec::Preset(p)) })>
                            {p.as_str()}
                        </button>
                    }
                }).collect_view()}
            </div>
            <div class="chart-box" node_ref=container>
                <svg
                    class="line-chart"
                    node_ref=svg_ref
                    viewBox=move || format!("0 0 {:.0} {HEIGHT}", width.get())
                    role="img"
                    aria-label=label.clone()
                    tabindex="0"
                    preserveAspectRatio="xMidYMid meet"
                    on:pointermove=on_move
                    on:pointerleave=move |_| hover.set(None)
                    on:keydown=on_key
                >
                    <text class="axis-unit" x="4" y="12">{unit.clone()}</text>
                    {move || drawn.get().then(|| {
                        let g = geometry.get();
                        let bottom = g.plot.y + g.plot.height;
                        let (left, right) = (g.plot.x, g.plot.x + g.plot.width);
                        let y_ticks = g.y_ticks.iter().map(|t| view! {
                            <g class="tick y">
                                <line x1=left x2=right y1=t.px y2=t.px></line>
                                <text x=left - 6.0 y=t.px + 4.0 text-anchor="end">{t.label.clone()}</text>
                            </g>
                        }).collect_view();
                        let x_ticks = g.x_ticks.iter().map(|t| view! {
                            <g class="tick x">
                                <line x1=t.px x2=t.px y1=bottom y2=bottom + 5.0></line>
                                <text x=t.px y=bottom + 18.0 text-anchor="middle">{t.label.clone()}</text>
                            </g>
                        }).collect_view();
                        let line = g.lines.first().cloned();
                        let others: Vec<_> = g.lines.iter().skip(1).cloned().collect();
                        let bands = band_rects(&bands, &g.x).into_iter().map(|b| view! {
                            <rect class=format!("band band-{}", b.key) x=b.x y=g.plot.y width=b.width height=g.plot.height></rect>
                        }).collect_view();
                        view! {
                            <g class="bands">{bands}</g>
                            {y_ticks}
                            {x_ticks}
                            {g.zero_y.map(|y| view! { <line class="zero" x1=left x2=right y1=y y2=y></line> })}
                            <line class="axis" x1=left x2=right y1=bottom y2=bottom></line>
                            {others.into_iter().enumerate().rev().map(|(k, l)| view! {
                                <path class=format!("series other s{}", k + 1) d=l.path></path>
                            }).collect_view()}
                            {line.as_ref().and_then(|l| l.area.clone()).map(|a| view! { <path class="series-area" d=a></path> })}
                            <path class="series" d=line.as_ref().map(|l| l.path.clone()).unwrap_or_default()></path>
                            {line.and_then(|l| l.end).map(|(x, y)| view! { <circle class="latest-dot" cx=x cy=y r="4"></circle> })}
                        }
                    })}
                    {move || mark.get().map(|c| {
                        let g = geometry.get();
                        view! {
                            <g class="crosshair" data-date=c.date.to_string()>
                                <line x1=c.x x2=c.x y1=g.plot.y y2=g.plot.y + g.plot.height></line>
                                <circle cx=c.x cy=c.y r="4"></circle>
                            </g>
                        }
                    })}
                </svg>
            </div>
            {more.with_value(|m| (!m.is_empty()).then(|| view! {
                <ul class="chart-legend">
                    <li><span class="key s0"></span>{name_first.clone()}</li>
                    {m.iter().enumerate().map(|(k, (n, _))| view! {
                        <li><span class=format!("key s{}", k + 1)></span>{n.clone()}</li>
                    }).collect_view()}
                </ul>
            }))}
            <figcaption class="chart-foot">
                <span class="readout" aria-live="polite" data-testid="chart-readout">{readout}</span>
                <span class="chart-exports">
                    <button type="button" on:click=move |_| table_open.update(|o| *o = !*o)
                        aria-expanded=move || table_open.get().to_string()>
                        {move || if table_open.get() { "Hide table" } else { "Show as table" }}
                    </button>
                    <button type="button" on:click=export_csv>"CSV"</button>
                    <button type="button" on:click=export_svg>"SVG"</button>
                    <button type="button" on:click=export_png>"PNG"</button>
                </span>
            </figcaption>
            <Show when=move || table_open.get()>
                <div class="table-wrap chart-table">
                    <table class="data">
                        <caption>"The observations in the window (newest first)"</caption>
                        <thead><tr>
                            <th scope="col">"Date"</th>
                            {more.with_value(|m| m.is_empty()).then(|| view! { <th scope="col" class="num">{unit_header.clone()}</th> })}
                            {more.with_value(|m| (!m.is_empty()).then(|| {
                                std::iter::once(name_table.clone()).chain(m.iter().map(|(n, _)| n.clone()))
                                    .map(|n| view! { <th scope="col" class="num">{format!("{n} ({unit_header})")}</th> })
                                    .collect_view()
                            }))}
                        </tr></thead>
                        <tbody>
                            {move || in_window.with(|p| {
                                let window = shown_window.get();
                                more.with_value(|m| {
                                    let columns: Vec<(&str, &[(Date, f64)])> = std::iter::once(("", p.as_slice()))
                                        .chain(m.iter().map(|(n, pts)| (n.as_str(), window.map_or(pts.as_slice(), |w| w.slice(pts)))))
                                        .collect();
                                    rows_of_series(&columns).into_iter().rev().map(|(d, values)| view! {
                                        <tr><td>{d.to_string()}</td>{values.into_iter().map(|v| view! {
                                            <td class="num">{v.map_or_else(|| "–".to_string(), |v| format_value(v, unit_kind))}</td>
                                        }).collect_view()}</tr>
                                    }).collect_view()
                                })
                            })}
                        </tbody>
                    </table>
                </div>
            </Show>
        </figure>
    }
}

/// The unit after a value the formatter did not already mark (`%` is part of the number).
fn unit_suffix(kind: Unit, unit: &str) -> String {
    match kind {
        Unit::Percent | Unit::UsdBn => String::new(),
        _ => unit.to_string(),
    }
}

/// A file name from a chart's label.
fn file_stem(label: &str) -> String {
    let stem: String =
        label.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = stem.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    format!("tideline-{stem}")
}

/// An exported SVG stands alone: the page's CSS does not travel with it, so its look is inlined.
const EXPORT_STYLE_ATTR: &str = "style=\"background:#ffffff;font-family:system-ui,sans-serif\"";
const EXPORT_STYLE: &str = "<style>.series{fill:none;stroke:#1f78b4;stroke-width:1.8}.latest-dot{fill:#1f78b4}\
.series.s1{stroke:#d95f02}.series.s2{stroke:#7570b3}.series.s3{stroke:#1b9e77}.series.s4{stroke:#e7298a}.series.s5{stroke:#66a61e}.series.s6{stroke:#a6761d}\
.tick line{stroke:#d8e0e6}.axis,.zero{stroke:#5b6b78}text{fill:#5b6b78;font-size:11px}.axis-unit{font-weight:600}\
.crosshair{display:none}.band{opacity:0.14}.band-expanding{fill:#1a9850}.band-contracting{fill:#d73027}.band-flat,.band-unknown{fill:none}</style>";

/// Draws a standalone SVG document on a canvas of the chart's size and offers it as a PNG.
fn png_download(svg: &str, width: f64, height: f64, name: &str) {
    use wasm_bindgen::closure::Closure;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let Ok(image) = web_sys::HtmlImageElement::new() else { return };
    let Ok(canvas) = document.create_element("canvas") else { return };
    let Ok(canvas) = canvas.dyn_into::<web_sys::HtmlCanvasElement>() else { return };
    canvas.set_width(width.round() as u32);
    canvas.set_height(height.round() as u32);
    let name = name.to_string();
    let loaded = image.clone();
    let src = url.clone();
    let onload = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
        let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
        else {
            return;
        };
        let _ = context.draw_image_with_html_image_element(&loaded, 0.0, 0.0);
        if let Ok(data_url) = canvas.to_data_url_with_type("image/png") {
            if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                if let Ok(anchor) = document.create_element("a") {
                    let _ = anchor.set_attribute("href", &data_url);
                    let _ = anchor.set_attribute("download", &name);
                    if let Some(anchor) = anchor.dyn_ref::<web_sys::HtmlElement>() {
                        anchor.click();
                    }
                }
            }
        }
    });
    image.set_onload(Some(onload.unchecked_ref()));
    image.set_src(&src);
}

/// Offers `text` as a download named `name`.
pub fn download(text: &str, mime: &str, name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    if let Ok(anchor) = document.create_element("a") {
        let _ = anchor.set_attribute("href", &url);
        let _ = anchor.set_attribute("download", name);
        if let Some(anchor) = anchor.dyn_ref::<web_sys::HtmlElement>() {
            anchor.click();
        }
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
