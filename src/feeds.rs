//! Fetching feed bodies in the browser.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

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
}

/// Fetches `url` (relative to the page) as text.
pub async fn fetch_text(url: &str) -> Result<String, FetchError> {
    let net = |e: wasm_bindgen::JsValue| FetchError::Network(url.to_string(), format!("{e:?}"));
    let window = web_sys::window().ok_or_else(|| FetchError::Network(url.to_string(), "no window".into()))?;
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(url, &init).map_err(net)?;
    let response: Response =
        JsFuture::from(window.fetch_with_request(&request)).await.map_err(net)?.dyn_into().map_err(net)?;
    match response.status() {
        200..=299 => {}
        404 => return Err(FetchError::NotFound(url.to_string())),
        s => return Err(FetchError::Status(url.to_string(), s)),
    }
    let text = JsFuture::from(response.text().map_err(net)?).await.map_err(net)?;
    text.as_string().ok_or_else(|| FetchError::Network(url.to_string(), "body is not text".into()))
}
