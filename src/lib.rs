//! The Tideline page: a thin Leptos shell over `tideline_core`.
//!
//! Components render; they never compute a statistic. Data flows one way: [`feeds`] fetches the
//! mirror's files from the page's own origin, `tideline_core` parses them and runs the model, and
//! the components in [`components`] draw the result.

#![warn(missing_docs)]

pub mod app;
pub mod components;
pub mod feeds;
pub mod pages;
pub mod perf;
pub mod state;
pub mod theme;
pub mod worker;

pub use app::App;
