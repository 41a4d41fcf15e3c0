//! Reusable view pieces, one per file.

pub mod line_chart;
pub mod series_status;

pub use line_chart::LineChart;
pub use series_status::SeriesStatusTable;
