//! The colour theme: the system's choice (the default), light or dark, kept in this browser.
//!
//! The page's colours are CSS variables (`style/main.css`); the choice is the `data-theme`
//! attribute of `<html>` (absent: follow `prefers-color-scheme`), and `color-scheme` follows it so
//! form controls and scrollbars match.

/// A theme choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    /// Follow the system (`prefers-color-scheme`).
    System,
    /// Light.
    Light,
    /// Dark.
    Dark,
}

const KEY: &str = "tideline-theme";

impl Theme {
    /// Every choice, in the control's order.
    pub const ALL: [Theme; 3] = [Theme::System, Theme::Light, Theme::Dark];

    /// Its stored and attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::System => "system",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// Its name in the control.
    pub fn label(self) -> &'static str {
        match self {
            Theme::System => "System",
            Theme::Light => "Light",
            Theme::Dark => "Dark",
        }
    }

    /// The choice of a stored value; anything else is the system's.
    pub fn parse(text: &str) -> Theme {
        Theme::ALL.into_iter().find(|t| t.as_str() == text).unwrap_or(Theme::System)
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The choice saved in this browser (the system's when none, or when storage is refused).
pub fn stored() -> Theme {
    storage().and_then(|s| s.get_item(KEY).ok().flatten()).map_or(Theme::System, |v| Theme::parse(&v))
}

/// Applies a choice to the document and saves it.
pub fn apply(theme: Theme) {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else {
        return;
    };
    let _ = match theme {
        Theme::System => root.remove_attribute("data-theme"),
        t => root.set_attribute("data-theme", t.as_str()),
    };
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, theme.as_str());
    }
}
