//! Page state that lives in the URL query, so a link reproduces a view (MODEL.md 8).
//!
//! Keys: `as_of=YYYY-MM-DD` (the analysis date; absent = the default as-of of the core).

use tideline_core::Date;

/// The settings read from and written to the URL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UrlState {
    /// The as-of date.
    pub as_of: Option<Date>,
}

impl UrlState {
    /// Parses a query string such as `?as_of=2024-06-28`. Unknown keys are ignored; a malformed
    /// date is ignored (the page then uses the default).
    pub fn from_query(query: &str) -> UrlState {
        let mut state = UrlState::default();
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key == "as_of" {
                state.as_of = Date::parse_iso(value);
            }
        }
        state
    }

    /// The query string of this state (`?as_of=...`, or empty).
    pub fn to_query(&self) -> String {
        match self.as_of {
            Some(d) => format!("?as_of={d}"),
            None => String::new(),
        }
    }

    /// The state of the current page URL.
    pub fn current() -> UrlState {
        let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
        UrlState::from_query(&search)
    }

    /// Writes this state into the address bar without reloading.
    pub fn push(&self) {
        let Some(window) = web_sys::window() else { return };
        let path = window.location().pathname().unwrap_or_default();
        if let Ok(history) = window.history() {
            let url = format!("{path}{}", self.to_query());
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_query() {
        let state = UrlState::from_query("?x=1&as_of=2024-06-28");
        assert_eq!(state.as_of.map(|d| d.to_string()).as_deref(), Some("2024-06-28"));
        assert_eq!(state.to_query(), "?as_of=2024-06-28");
        assert_eq!(UrlState::from_query("?as_of=junk"), UrlState::default());
        assert_eq!(UrlState::default().to_query(), "");
    }
}
