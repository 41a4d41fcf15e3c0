//! Reusable view pieces, one per file.

pub mod beyond;
pub mod lag_bars;
pub mod later;
pub mod line_chart;
pub mod overview;
pub mod series_status;
pub mod upload;

pub use beyond::BeyondTheFed;
pub use lag_bars::LagBarsChart;
pub use line_chart::LineChart;
pub use series_status::SeriesStatusTable;
pub use upload::UploadPanel;
