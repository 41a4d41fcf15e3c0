//! The chart kit: every number, tick, path and pixel position the app's charts draw.
//!
//! # Design
//!
//! The app's Leptos components only draw: they hand this module their data and their pixel box
//! and receive plain structs of pixel coordinates, SVG path strings and label text, which they
//! turn into `<path>`, `<rect>` and `<text>` elements. Keeping the geometry here, with no web
//! dependency, means it compiles and is tested natively in seconds (scales round-trip, ticks never
//! overlap, downsampling keeps the extremes), that every chart shares one set of conventions
//! (`/work/shared/UI.md`: thousands separators, one number of decimals per axis, dates as `2026` or
//! `Jul 2026`, colour-blind-safe colours, a zero line where the sign matters), and that nothing
//! here can panic on the data: empty series, single points, degenerate domains and non-finite
//! values all give an empty or a widened result, and a non-finite value is a gap in a line.
//!
//! One concern per file:
//! - [`scale`]: [`LinearScale`], [`LogScale`], [`TimeScale`], and [`YScale`] over the first two.
//! - [`ticks`]: round value ticks, 1-2-5 log ticks and calendar date ticks chosen for the pixels
//!   available, so that they thin out rather than overlap.
//! - [`format`](mod@format): thousands separators, axis decimals from the step, compact log labels, tooltip
//!   values with their [`Unit`].
//! - [`path`]: SVG path data with gaps, areas and bands.
//! - [`downsample`]: LTTB for drawing only, keeping the first, last, minimum and maximum points.
//! - [`window`]: the viewport ([`Window`], [`Preset`] `1y`..`max`, zoom, brush) and [`y_domain`].
//! - [`crosshair`](mod@crosshair): the nearest observation to a pixel or a shared date.
//! - [`layout`]: [`Frame`] (size and margins), [`Rect`], [`LabelRoom`].
//! - Geometry of each chart type, ready for SVG: [`line`](mod@line) (several series, gaps, areas, direct
//!   labels nudged apart), [`stack`] (stacked areas on mismatched date grids), [`bands`] (regime
//!   bands), [`bars`] (bars by lag with an interval band or error bars), [`scatter`] (points and
//!   fitted lines), [`heatmap`](mod@heatmap) (cells on a blue, grey, orange scale, with a legend).
//! - [`csv`]: RFC 4180 CSV of a table or of series, for "show as table" and "export CSV".
//!
//! Pixel coordinates follow SVG: x grows rightwards, y grows downwards, so a value axis maps its
//! domain's low end to the plot's bottom.

pub mod bands;
pub mod bars;
pub mod crosshair;
pub mod csv;
pub mod downsample;
pub mod format;
pub mod heatmap;
pub mod layout;
pub mod line;
pub mod path;
pub mod scale;
pub mod scatter;
pub mod stack;
pub mod ticks;
pub mod window;

pub use bands::{band_rects, spans_of_runs, BandRect, Span, MIN_BAND_PX};
pub use bars::{lag_bars, BarChartGeometry, BarOptions, BarRect, LagBar};
pub use crosshair::{crosshair, nearest_at_px, nearest_by, nearest_index, nearest_point, Crosshair};
pub use csv::{csv_of_series, csv_of_table, rows_of_series};
pub use downsample::{lttb, lttb_runs};

pub use format::{
    format_compact, format_thousands, format_ticks, format_value, step_decimals, Unit, NOT_AVAILABLE,
};
pub use heatmap::{
    heatmap, DivergingScale, HeatCell, LegendStop, Rgb, BLUE, GREY, INK_DARK, INK_LIGHT, MISSING, ORANGE,
};
pub use layout::{Frame, LabelRoom, Rect};
pub use line::{line_chart, nudge_apart, EndLabel, LineChartGeometry, LineInput, LineOptions, LinePath};
pub use path::{area_path, band_path, finite_runs, svg_path};
pub use scale::{LinearScale, LogScale, ScaleError, TimeScale, YScale};
pub use scatter::{scatter_chart, Fit, FitSegment, ScatterGeometry, ScatterOptions};
pub use stack::{stack_on_union, stacked_area_chart, StackBand, Stacked, StackedAreaGeometry};
pub use ticks::{
    date_ticks, date_ticks_for_width, linear_ticks, log_ticks, month_day, month_year, nice_step, nice_ticks,
    DateTick, Tick,
};
pub use window::{
    y_domain, y_domain_log, Preset, Window, WindowSpec, MIN_BRUSH_PX, MIN_WINDOW_DAYS, Y_PADDING,
};
