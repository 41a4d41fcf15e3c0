//! A dated line chart in SVG.

use leptos::prelude::*;
use tideline_core::chart::{date_ticks, format_thousands, nice_ticks, svg_path, LinearScale};
use tideline_core::Date;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 36.0;

/// A line chart of dated values, with a dated x axis, a value axis labelled with its unit, and a
/// marker on the latest point. Scales to its container's width.
#[component]
pub fn LineChart(
    /// The points, ascending by date.
    #[prop(into)]
    points: Signal<Vec<(Date, f64)>>,
    /// The unit of the values, shown on the y axis (e.g. "USD bn").
    #[prop(into)]
    unit: String,
    /// An accessible description of the chart.
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let geometry = Memo::new(move |_| Geometry::of(&points.get()));
    view! {
        <svg
            class="line-chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label=label
            preserveAspectRatio="xMidYMid meet"
        >
            <text class="axis-unit" x="4" y="12">{unit}</text>
            {move || {
                let g = geometry.get();
                let y_ticks = g
                    .y_ticks
                    .into_iter()
                    .map(|(y, text)| {
                        view! {
                            <g class="tick y">
                                <line x1=LEFT x2=WIDTH - RIGHT y1=y y2=y></line>
                                <text x=LEFT - 6.0 y=y + 4.0 text-anchor="end">{text}</text>
                            </g>
                        }
                    })
                    .collect_view();
                let x_ticks = g
                    .x_ticks
                    .into_iter()
                    .map(|(x, text)| {
                        view! {
                            <g class="tick x">
                                <line x1=x x2=x y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM + 5.0></line>
                                <text x=x y=HEIGHT - BOTTOM + 18.0 text-anchor="middle">{text}</text>
                            </g>
                        }
                    })
                    .collect_view();
                view! {
                    {y_ticks}
                    {x_ticks}
                    <line class="axis" x1=LEFT x2=WIDTH - RIGHT y1=HEIGHT - BOTTOM y2=HEIGHT - BOTTOM></line>
                    <path class="series" d=g.path></path>
                    {g.last.map(|(x, y)| view! { <circle class="latest-dot" cx=x cy=y r="4"></circle> })}
                }
            }}
        </svg>
    }
}

/// The chart's pixel geometry, computed from the data by `tideline_core::chart`.
#[derive(Clone, Debug, PartialEq, Default)]
struct Geometry {
    path: String,
    y_ticks: Vec<(f64, String)>,
    x_ticks: Vec<(f64, String)>,
    last: Option<(f64, f64)>,
}

impl Geometry {
    fn of(points: &[(Date, f64)]) -> Geometry {
        let (Some(first), Some(last)) = (points.first(), points.last()) else {
            return Geometry::default();
        };
        let (lo, hi) =
            points.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| (lo.min(p.1), hi.max(p.1)));
        let (ticks, y0, y1) = nice_ticks(lo, hi, 5);
        let ys = LinearScale::new(y0, y1, HEIGHT - BOTTOM, TOP);
        let xs = LinearScale::new(first.0.days() as f64, last.0.days() as f64, LEFT, WIDTH - RIGHT);
        let step = ticks.get(1).zip(ticks.first()).map_or(1.0, |(b, a)| b - a);
        let decimals = if step >= 1.0 { 0 } else { (-step.log10()).ceil() as usize };
        Geometry {
            path: svg_path(points.iter().map(|(d, v)| (xs.map(d.days() as f64), ys.map(*v)))),
            y_ticks: ticks.into_iter().map(|t| (ys.map(t), format_thousands(t, decimals))).collect(),
            x_ticks: date_ticks(first.0, last.0, 6)
                .into_iter()
                .map(|(d, text)| (xs.map(d.days() as f64), text))
                .collect(),
            last: Some((xs.map(last.0.days() as f64), ys.map(last.1))),
        }
    }
}
