//! Where the page is and what the reader chose: the app's root URL, the page (the route) and the
//! settings (the query), so that a link reproduces a view (MODEL.md 8).
//!
//! The settings' parse and print live in the core ([`tideline_core::settings::Settings`], tested
//! natively and by property); this module only connects them to the router: [`use_settings`]
//! reads the query, [`SettingsWriter::set`] writes it (a user's change pushes a history entry, so
//! back and forward restore the view; a correction by the page replaces the entry).
//!
//! **Root URL.** `index.html` carries `<base data-trunk-public-url />`, which Trunk fills with the
//! public URL (`/` or `/tideline/` on GitHub Pages). Every fetch of the data folder resolves
//! against it ([`app_url`]), never against the current route's path, and the router's base is its
//! path without the trailing slash.

use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_navigate};
use leptos_router::NavigateOptions;
use tideline_core::settings::{Notice, Settings};

/// The app's root URL (the document's base URI, e.g. `https://x.github.io/tideline/`). Read once:
/// the `<base>` does not change while the page lives, and every link and fetch asks for it.
pub fn app_root() -> String {
    thread_local! {
        static ROOT: String = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.base_uri().ok().flatten())
            .unwrap_or_else(|| "/".to_string());
    }
    ROOT.with(String::clone)
}

/// `path` (e.g. `data/WALCL.csv`) as an absolute URL under the app's root.
pub fn app_url(path: &str) -> String {
    web_sys::Url::new_with_base(path, &app_root()).map(|u| u.href()).unwrap_or_else(|_| path.to_string())
}

/// The router's base: the root's path without its trailing slash (`""` or `/tideline`).
pub fn router_base() -> String {
    let root = app_root();
    let path = web_sys::Url::new(&root).map(|u| u.pathname()).unwrap_or_default();
    path.trim_end_matches('/').to_string()
}

/// One page of the app: its route, its name in the navigation, and the question it answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    /// Where the tide is and how far up the spectrum it reaches.
    Overview,
    /// Each link of the chain, its indicators and the transmission between links.
    Chain,
    /// The risk spectrum: which tiers the tide reaches.
    Rotation,
    /// Does crypto follow the decline of US stocks but not the rise?
    Asymmetry,
    /// Which indicators lead which.
    LeadLag,
    /// Rotation strategies, point in time and out of sample.
    Backtest,
    /// Global liquidity, policy divergence, stress, crypto flows, gold.
    Beyond,
    /// Any loaded series, charted.
    Explore,
    /// What was loaded, from where, and how fresh; the reader's own files.
    Data,
}

impl Page {
    /// Every page, in the navigation's order.
    pub const ALL: [Page; 9] = [
        Page::Overview,
        Page::Chain,
        Page::Rotation,
        Page::Asymmetry,
        Page::LeadLag,
        Page::Backtest,
        Page::Beyond,
        Page::Explore,
        Page::Data,
    ];

    /// The route's path segment (`""` for the overview).
    pub fn slug(self) -> &'static str {
        match self {
            Page::Overview => "",
            Page::Chain => "chain",
            Page::Rotation => "rotation",
            Page::Asymmetry => "asymmetry",
            Page::LeadLag => "lead-lag",
            Page::Backtest => "backtest",
            Page::Beyond => "beyond",
            Page::Explore => "explore",
            Page::Data => "data",
        }
    }

    /// Its name in the navigation.
    pub fn title(self) -> &'static str {
        match self {
            Page::Overview => "Overview",
            Page::Chain => "Chain",
            Page::Rotation => "Rotation",
            Page::Asymmetry => "Asymmetry",
            Page::LeadLag => "Lead-lag",
            Page::Backtest => "Backtest",
            Page::Beyond => "Beyond the Fed",
            Page::Explore => "Explore",
            Page::Data => "Data",
        }
    }

    /// The page of a router path (with the base already removed); `None` for an unknown path.
    pub fn of_path(path: &str) -> Option<Page> {
        let slug = path.trim_matches('/');
        Page::ALL.into_iter().find(|p| p.slug() == slug)
    }

    /// The absolute path of this page under `base`, with a query (`/tideline/chain?lag=13`).
    pub fn href(self, base: &str, query: &str) -> String {
        match self.slug() {
            "" => format!("{base}/{query}"),
            slug => format!("{base}/{slug}{query}"),
        }
    }
}

/// The settings of the current URL, parsed once per change of the query.
#[derive(Clone, Copy)]
pub struct UrlSettings {
    /// The settings and the notices of the parameters that could not be used.
    pub parsed: Memo<(Settings, Vec<Notice>)>,
}

/// Reads the settings from the router's query.
pub fn use_settings() -> UrlSettings {
    let location = use_location();
    UrlSettings { parsed: Memo::new(move |_| location.search.with(|q| Settings::from_query(q))) }
}

/// The router's navigate function, kept so writes can happen outside a component's setup.
type Navigate = std::sync::Arc<dyn Fn(&str, NavigateOptions) + Send + Sync>;

/// Writes settings into the URL.
#[derive(Clone)]
pub struct SettingsWriter {
    base: String,
    location: leptos_router::location::Location,
    navigate: Navigate,
}

impl SettingsWriter {
    /// A writer for the current router.
    pub fn new() -> SettingsWriter {
        SettingsWriter {
            base: router_base(),
            location: use_location(),
            navigate: std::sync::Arc::new(use_navigate()),
        }
    }

    /// Navigates to the current page with `settings`. `push`: a reader's change (a new history
    /// entry); otherwise the page's own correction (replaces the entry).
    pub fn set(&self, settings: &Settings, push: bool) {
        let path = self.location.pathname.get_untracked();
        let url = format!("{path}{}", settings.to_query());
        if url == format!("{path}{}", self.location.search.get_untracked()) {
            return;
        }
        (self.navigate)(
            &url,
            NavigateOptions { resolve: false, replace: !push, scroll: false, ..Default::default() },
        );
    }

    /// Changes the current settings with `f` (a reader's change: pushes a history entry).
    pub fn update(&self, current: &Settings, f: impl FnOnce(&mut Settings)) {
        let mut next = current.clone();
        f(&mut next);
        self.set(&next, true);
    }

    /// The router's base path.
    pub fn base(&self) -> &str {
        &self.base
    }
}

impl Default for SettingsWriter {
    fn default() -> Self {
        SettingsWriter::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_their_paths() {
        for page in Page::ALL {
            assert_eq!(Page::of_path(page.slug()), Some(page));
            assert_eq!(Page::of_path(&format!("/{}/", page.slug())), Some(page));
        }
        assert_eq!(Page::of_path("/nope"), None);
        assert_eq!(Page::Chain.href("/tideline", "?lag=13"), "/tideline/chain?lag=13");
        assert_eq!(Page::Overview.href("", ""), "/");
    }
}
