//! Feed bodies in the browser: fetching them, keeping the last good copy, and loading a dataset.
//!
//! - [`fetch_text`] fetches one URL as text; [`fetch_with_retry`] adds what a flaky public feed
//!   needs: a per-attempt timeout through an `AbortController`, and retries on 429 and 5xx that
//!   honour `Retry-After` (policy in [`FetchPolicy`], the pure delay rule in [`retry_delay_ms`]).
//! - [`cache`] keeps the last good body of every feed, and the user's uploads, in IndexedDB.
//! - [`loader`] puts them together: cached copy first, then the mirror folder, then (optionally)
//!   the live feeds; every body is validated by `tideline_core` before it may replace anything.
//!
//! Nothing here computes a figure: bodies go to the core, which parses, checks and converts them.

pub mod cache;
pub mod loader;

use std::fmt;

use tideline_core::Date;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestCache, RequestInit, Response};

/// Why a fetch gave no body.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// The server answered 404: the file is not in the mirror.
    #[error("{0}: not found (404)")]
    NotFound(String),
    /// Another HTTP status.
    #[error("{0}: HTTP status {1}")]
    Status(String, u16),
    /// The network failed (offline, CORS, aborted).
    #[error("{0}: network error: {1}")]
    Network(String, String),
    /// No complete answer within the timeout (milliseconds); the request was aborted.
    #[error("{0}: no answer within {1} ms")]
    Timeout(String, u32),
}

/// Where a copy of a series came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// The browser's IndexedDB copy (the last good body of an earlier visit).
    Cache,
    /// The mirror folder on the page's own origin (`data/<ID>.csv`).
    Mirror,
    /// A third-party feed fetched from the browser (CORS-enabled, or FRED through a user's proxy).
    Live,
    /// A CSV the user uploaded.
    Upload,
}

impl Origin {
    /// A short lowercase name: `cache`, `mirror`, `live` or `upload`.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Cache => "cache",
            Origin::Mirror => "mirror",
            Origin::Live => "live",
            Origin::Upload => "upload",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How hard [`fetch_with_retry`] tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Each attempt is aborted after this many milliseconds (headers and body together).
    pub timeout_ms: u32,
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The wait before the second attempt when the server says nothing; doubled each time.
    pub backoff_ms: u32,
    /// The longest wait accepted; a `Retry-After` asking for more ends the retries at once.
    pub max_wait_ms: u32,
}

impl Default for FetchPolicy {
    /// 15 s per attempt, 3 attempts, 1 s then 2 s backoff, waits of at most 30 s.
    fn default() -> Self {
        FetchPolicy { timeout_ms: 15_000, max_attempts: 3, backoff_ms: 1_000, max_wait_ms: 30_000 }
    }
}

/// The sha256 of `body` as lower-case hex, by the browser's native digest (`crypto.subtle`:
/// a megabyte in about a millisecond, and not on the main thread's clock), or by the core's
/// (`tideline_core::manifest::sha256_hex`, 40 ms a megabyte in wasm) where the browser has none
/// (a page served over plain http from another host than localhost).
pub async fn sha256_hex(body: &str) -> String {
    let subtle = web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle());
    if let Some(subtle) = subtle {
        let bytes = js_sys::Uint8Array::from(body.as_bytes());
        if let Ok(promise) = subtle.digest_with_str_and_js_u8_array("SHA-256", &bytes) {
            if let Ok(digest) = JsFuture::from(promise).await {
                let digest = js_sys::Uint8Array::new(&digest).to_vec();
                return digest.iter().map(|b| format!("{b:02x}")).collect();
            }
        }
    }
    tideline_core::manifest::sha256_hex(body.as_bytes())
}

/// Fetches `url` (relative to the page) as text: one attempt, aborted after the default timeout.
pub async fn fetch_text(url: &str) -> Result<String, FetchError> {
    attempt(url, FetchPolicy::default().timeout_ms).await.map(|b| b.text).map_err(|(error, _)| error)
}

/// A body fetched by [`fetch_body`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// The text.
    pub text: String,
    /// Why the service worker gave its last good copy instead of the server's answer (header
    /// `x-tideline-offline-copy`, see `scripts/sw.template.js`): the body is that copy.
    pub offline_copy_of: Option<OfflineReason>,
}

/// Why a body is the service worker's saved copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineReason {
    /// The server answered this status (not 2xx).
    Status(u16),
    /// The server gave no answer within the service worker's timeout.
    Timeout,
}

impl OfflineReason {
    /// Reads the header's value: a status, or `timeout`; `None` for anything else.
    pub fn parse(value: &str) -> Option<OfflineReason> {
        match value.trim() {
            "timeout" => Some(OfflineReason::Timeout),
            v => v.parse().ok().map(OfflineReason::Status),
        }
    }
}

/// Fetches `url` as text under `policy`: each attempt has a timeout, and a 429, a 5xx or a network
/// failure is retried after the server's `Retry-After` or an exponential backoff (see
/// [`retry_delay_ms`]). A 404, another 4xx or a timeout is not retried.
pub async fn fetch_with_retry(url: &str, policy: &FetchPolicy) -> Result<String, FetchError> {
    fetch_body(url, policy).await.map(|b| b.text)
}

/// [`fetch_with_retry`], saying also whether the body is the service worker's offline copy.
pub async fn fetch_body(url: &str, policy: &FetchPolicy) -> Result<Body, FetchError> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let (error, retry_after) = match attempt(url, policy.timeout_ms).await {
            Ok(body) => return Ok(body),
            Err(failure) => failure,
        };
        // Offline, a network failure is the browser saying so: waiting to retry only delays the
        // saved copies (45 series times the backoff).
        if matches!(error, FetchError::Network(..)) && browser_offline() {
            return Err(error);
        }
        let retry_after_ms =
            retry_after.as_deref().and_then(|v| parse_retry_after_ms(v, js_sys::Date::now()));
        match retry_delay_ms(policy, attempts, &error, retry_after_ms) {
            Some(wait) => sleep(wait).await,
            None => return Err(error),
        }
    }
}

/// Whether the browser says it has no network (`navigator.onLine` false; "true" proves nothing).
fn browser_offline() -> bool {
    web_sys::window().is_some_and(|w| !w.navigator().on_line())
}

/// The wait before the next attempt after attempt number `attempts` (1-based) failed with `error`,
/// or `None` to give up.
///
/// Retried: 429, 500, 502, 503, 504 and network failures, while `attempts < max_attempts`. The wait
/// is `retry_after_ms` (the server's `Retry-After`, see [`parse_retry_after_ms`]) when given, else
/// `backoff_ms * 2^(attempts - 1)`; a wait above `max_wait_ms` gives up instead of hanging the page.
pub fn retry_delay_ms(
    policy: &FetchPolicy,
    attempts: u32,
    error: &FetchError,
    retry_after_ms: Option<u32>,
) -> Option<u32> {
    let retryable = match error {
        FetchError::Status(_, status) => matches!(status, 429 | 500 | 502 | 503 | 504),
        FetchError::Network(..) => true,
        FetchError::NotFound(_) | FetchError::Timeout(..) => false,
    };
    if !retryable || attempts >= policy.max_attempts.max(1) {
        return None;
    }
    let backoff = || policy.backoff_ms.saturating_mul(1u32 << attempts.saturating_sub(1).min(16));
    let wait = retry_after_ms.unwrap_or_else(backoff);
    (wait <= policy.max_wait_ms).then_some(wait)
}

/// A `Retry-After` header value as milliseconds from `now_ms` (Unix milliseconds): either a number
/// of seconds or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in the past means 0.
/// `None` when the value is neither.
pub fn parse_retry_after_ms(value: &str, now_ms: f64) -> Option<u32> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u32>() {
        return Some(seconds.saturating_mul(1_000));
    }
    // IMF-fixdate, the form RFC 9110 requires senders to use.
    let parts: Vec<&str> = value.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|m| m == month)? as u32 + 1;
    let date = Date::from_ymd(year.parse().ok()?, month, day.parse().ok()?)?;
    let hms: Vec<u32> = time.split(':').map(|t| t.parse().ok()).collect::<Option<_>>()?;
    let [h, m, s] = hms.as_slice() else { return None };
    let at_ms = (f64::from(date.days()) * 86_400.0 + f64::from(h * 3_600 + m * 60 + s)) * 1_000.0;
    Some((at_ms - now_ms).clamp(0.0, f64::from(u32::MAX)) as u32)
}

/// One GET of `url`, aborted after `timeout_ms`. On failure, also returns the `Retry-After` header
/// when the server sent one (a cross-origin server must expose it for the page to see it).
async fn attempt(url: &str, timeout_ms: u32) -> Result<Body, (FetchError, Option<String>)> {
    let fail = |e: FetchError| (e, None);
    let window =
        web_sys::window().ok_or_else(|| fail(FetchError::Network(url.to_string(), "no window".into())))?;
    let controller = AbortController::new().map_err(|e| fail(network(url, &e)))?;
    let init = RequestInit::new();
    init.set_method("GET");
    // Revalidate with the server: the mirror's files change daily under the same name.
    init.set_cache(RequestCache::NoCache);
    init.set_signal(Some(&controller.signal()));
    // A relative URL (`data/WALCL.csv`) is under the app's root, whatever the route's path.
    let absolute = crate::state::app_url(url);
    let request = Request::new_with_str_and_init(&absolute, &init).map_err(|e| fail(network(url, &e)))?;
    let _timer = AbortTimer::start(&window, controller.clone(), timeout_ms);
    let aborted = |e: JsValue| {
        if controller.signal().aborted() {
            fail(FetchError::Timeout(url.to_string(), timeout_ms))
        } else {
            fail(network(url, &e))
        }
    };
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(aborted)?
        .dyn_into()
        .map_err(|e| fail(network(url, &e)))?;
    match response.status() {
        200..=299 => {}
        404 => return Err(fail(FetchError::NotFound(url.to_string()))),
        status => {
            let retry_after = response.headers().get("Retry-After").ok().flatten();
            return Err((FetchError::Status(url.to_string(), status), retry_after));
        }
    }
    let offline_copy_of = response
        .headers()
        .get("x-tideline-offline-copy")
        .ok()
        .flatten()
        .and_then(|s| OfflineReason::parse(&s));
    let text = JsFuture::from(response.text().map_err(|e| fail(network(url, &e)))?).await.map_err(aborted)?;
    let text = text
        .as_string()
        .ok_or_else(|| fail(FetchError::Network(url.to_string(), "body is not text".into())))?;
    Ok(Body { text, offline_copy_of })
}

fn network(url: &str, error: &JsValue) -> FetchError {
    let text = error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| format!("{error:?}"));
    FetchError::Network(url.to_string(), text)
}

/// Aborts a request after a delay unless dropped first (dropping clears the browser timer).
struct AbortTimer {
    window: web_sys::Window,
    handle: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

impl AbortTimer {
    fn start(window: &web_sys::Window, controller: AbortController, timeout_ms: u32) -> AbortTimer {
        let callback = Closure::<dyn FnMut()>::new(move || controller.abort());
        let handle = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                i32::try_from(timeout_ms).unwrap_or(i32::MAX),
            )
            .ok();
        AbortTimer { window: window.clone(), handle, _callback: callback }
    }
}

impl Drop for AbortTimer {
    fn drop(&mut self) {
        if let Some(handle) = self.handle {
            self.window.clear_timeout_with_handle(handle);
        }
    }
}

/// Resolves after `ms` milliseconds (at once when there is no window).
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let scheduled = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                i32::try_from(ms).unwrap_or(i32::MAX),
            )
            .ok()
        });
        if scheduled.is_none() {
            let _ = resolve.call0(&JsValue::UNDEFINED);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Today's date (UTC) by the browser's clock (the system's in native unit tests, where there is
/// no browser).
pub fn today() -> Date {
    #[cfg(target_arch = "wasm32")]
    let now_ms = js_sys::Date::now() as i64;
    #[cfg(not(target_arch = "wasm32"))]
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    // A finite number of milliseconds; the cast cannot overflow before year 275760.
    Date::from_unix_millis(now_ms).unwrap_or(Date::from_days(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_rate_limits_and_server_errors_with_backoff_or_retry_after() {
        let policy = FetchPolicy::default();
        let limited = FetchError::Status("u".into(), 429);
        assert_eq!(retry_delay_ms(&policy, 1, &limited, None), Some(1_000));
        assert_eq!(retry_delay_ms(&policy, 2, &limited, None), Some(2_000));
        assert_eq!(retry_delay_ms(&policy, 3, &limited, None), None, "3 attempts at most");
        assert_eq!(retry_delay_ms(&policy, 1, &limited, Some(7_000)), Some(7_000));
        assert_eq!(retry_delay_ms(&policy, 1, &limited, Some(120_000)), None, "too long a wait gives up");
        assert_eq!(retry_delay_ms(&policy, 1, &FetchError::Status("u".into(), 503), None), Some(1_000));
        assert_eq!(
            retry_delay_ms(&policy, 1, &FetchError::Network("u".into(), "x".into()), None),
            Some(1_000)
        );
        assert_eq!(retry_delay_ms(&policy, 1, &FetchError::NotFound("u".into()), None), None);
        assert_eq!(retry_delay_ms(&policy, 1, &FetchError::Status("u".into(), 403), None), None);
        assert_eq!(retry_delay_ms(&policy, 1, &FetchError::Timeout("u".into(), 15_000), None), None);
    }

    #[test]
    fn reads_retry_after_seconds_and_http_dates() {
        assert_eq!(parse_retry_after_ms("12", 0.0), Some(12_000));
        // 2015-10-21 07:28:00 UTC is 1445412480 s after the epoch.
        let at = 1_445_412_480_000.0;
        assert_eq!(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", at - 5_000.0), Some(5_000));
        assert_eq!(parse_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", at + 5_000.0), Some(0));
        assert_eq!(parse_retry_after_ms("soon", 0.0), None);
        assert_eq!(parse_retry_after_ms("Wed, 32 Oct 2015 07:28:00 GMT", 0.0), None);
    }
}
