//! The browser's copy of every feed and of the user's uploads, in IndexedDB.
//!
//! # Design
//!
//! One database, [`DATABASE`] (`tideline`), with two object stores:
//!
//! - [`FEEDS`], keyed by catalog series id: the last good copy of each feed ([`CachedFeed`]), so the
//!   page can show it at once and keep working when a feed fails or the network is gone. The copy
//!   is the parsed series in the core's compact binary form ([`tideline_core::codec`], versioned),
//!   so a second visit draws without parsing any text;
//! - [`UPLOADS`], keyed by the user's series name: the CSV files the user added ([`StoredUpload`]).
//!
//! Records are plain JavaScript objects (strings, numbers and the series' bytes), written and read field by field
//! through the [`Record`] trait, so a record written by one version of the app stays readable by
//! the next and can be inspected in the browser's developer tools.
//!
//! IndexedDB reports through events. [`EventFuture`] turns "one of these events fired on this
//! target" into a Rust future (its listeners are removed when it is dropped), and [`request`] uses
//! it to turn an `IDBRequest` into a future of its result. A write resolves only when its
//! transaction has committed, not when the request succeeded, so a put that returned `Ok` is on
//! disk.
//!
//! Errors are values ([`CacheError`]), never panics. Where IndexedDB is missing or refused (some
//! private modes, sandboxed frames, a blocked upgrade), [`Cache::open`] returns
//! [`CacheError::Unavailable`] and the callers carry on without a cache.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::FutureExt;
use js_sys::{Array, Object, Reflect};
use tideline_core::catalog::Role;
use tideline_core::parse::{self, Format};
use tideline_core::{Date, ParseError, Series};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Event, EventTarget, IdbDatabase, IdbObjectStoreParameters, IdbRequest, IdbTransactionMode};

/// The database name.
pub const DATABASE: &str = "tideline";
/// The schema version; bump it (and extend [`create_stores`]) to add stores.
const VERSION: u32 = 1;
/// The object store of feed bodies, keyed by series id.
pub const FEEDS: &str = "feeds";
/// The object store of uploads, keyed by series name.
pub const UPLOADS: &str = "uploads";
/// How long [`Cache::open`] waits for the browser before carrying on without a cache.
const OPEN_TIMEOUT_MS: u32 = 5_000;

/// Why the cache could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CacheError {
    /// IndexedDB is missing, refused or blocked; the page works without a cache.
    #[error("browser storage is unavailable ({0}); the page works without a saved copy")]
    Unavailable(String),
    /// A read or write failed (quota exceeded, transaction aborted, ...).
    #[error("browser storage request failed: {0}")]
    Request(String),
    /// A stored record lacks a field or has one of the wrong type.
    #[error("a saved record is unreadable: {0}")]
    Corrupt(String),
}

/// A value stored in one object store under an in-line string key.
pub trait Record: Sized {
    /// The object store.
    const STORE: &'static str;
    /// The key path: the field holding the key.
    const KEY: &'static str;
    /// The record's key.
    fn key(&self) -> &str;
    /// The record as a plain JavaScript object.
    fn to_js(&self) -> Result<JsValue, CacheError>;
    /// Reads a record back.
    fn from_js(value: &JsValue) -> Result<Self, CacheError>;
}

/// The last good copy of a feed.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedFeed {
    /// Catalog series id (the key).
    pub id: String,
    /// Where the body was fetched from (a mirror file or a feed URL).
    pub source: String,
    /// The body's format.
    pub format: Format,
    /// The copy: the parsed series in the core's binary form, or (records saved by versions before
    /// it) the body as text.
    pub saved: SavedCopy,
    /// When it was fetched, Unix milliseconds.
    pub fetched_at_ms: f64,
    /// The date of its last observation.
    pub last_date: Option<Date>,
}

/// What a [`CachedFeed`] holds.
#[derive(Clone, Debug, PartialEq)]
pub enum SavedCopy {
    /// The series as parsed and checked, in canonical units, encoded by
    /// [`tideline_core::codec::encode`] (stored as a `Uint8Array` in the field `series`, with the
    /// layout version in `codec`): read back without parsing text.
    Series(Vec<u8>),
    /// The body as fetched (the field `body`), written by versions before the binary form; still
    /// read, parsed as it was then, and replaced by the binary form on the next good fetch.
    Body(String),
}

impl Record for CachedFeed {
    const STORE: &'static str = FEEDS;
    const KEY: &'static str = "id";

    fn key(&self) -> &str {
        &self.id
    }

    fn to_js(&self) -> Result<JsValue, CacheError> {
        let object = Object::new();
        set(&object, "id", &self.id.as_str().into())?;
        set(&object, "source", &self.source.as_str().into())?;
        set(&object, "format", &self.format.name().into())?;
        match &self.saved {
            SavedCopy::Series(bytes) => {
                set(&object, "series", &js_sys::Uint8Array::from(bytes.as_slice()).into())?;
                set(&object, "codec", &f64::from(tideline_core::codec::VERSION).into())?;
            }
            SavedCopy::Body(body) => set(&object, "body", &body.as_str().into())?,
        }
        set(&object, "fetched_at", &self.fetched_at_ms.into())?;
        let last = self.last_date.map_or(JsValue::NULL, |d| d.to_string().into());
        set(&object, "last_date", &last)?;
        Ok(object.into())
    }

    fn from_js(value: &JsValue) -> Result<Self, CacheError> {
        let format = get_string(value, "format")?;
        let series = get(value, "series")?;
        let saved = if let Some(bytes) = series.dyn_ref::<js_sys::Uint8Array>() {
            SavedCopy::Series(bytes.to_vec())
        } else {
            SavedCopy::Body(get_string(value, "body")?)
        };
        Ok(CachedFeed {
            id: get_string(value, "id")?,
            source: get_string(value, "source")?,
            format: Format::from_name(&format)
                .ok_or_else(|| CacheError::Corrupt(format!("unknown format {format:?}")))?,
            saved,
            fetched_at_ms: get_number(value, "fetched_at")?,
            last_date: get(value, "last_date")?.as_string().and_then(|s| Date::parse_iso(&s)),
        })
    }
}

pub use tideline_core::model::flows::TableKind;

/// A CSV the user added: a series of their own, or a table.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredUpload {
    /// The series name the user chose (the key); a table's [`TableKind::file_name`].
    pub name: String,
    /// The part of the model a series feeds (ignored for a table).
    pub role: Role,
    /// `Some` when the upload is a table, not a series.
    pub table: Option<TableKind>,
    /// The uploaded file's name.
    pub file_name: String,
    /// The file's text.
    pub body: String,
    /// When it was added, Unix milliseconds.
    pub added_at_ms: f64,
}

impl StoredUpload {
    /// Parses the body with the core's user-CSV parser, as series `name`.
    pub fn series(&self) -> Result<Series, ParseError> {
        parse::parse(Format::Csv, &self.file_name, &self.body, Some(&self.name))
    }
}

impl Record for StoredUpload {
    const STORE: &'static str = UPLOADS;
    const KEY: &'static str = "name";

    fn key(&self) -> &str {
        &self.name
    }

    fn to_js(&self) -> Result<JsValue, CacheError> {
        let object = Object::new();
        set(&object, "name", &self.name.as_str().into())?;
        set(&object, "role", &role_name(self.role).into())?;
        set(&object, "file_name", &self.file_name.as_str().into())?;
        set(&object, "body", &self.body.as_str().into())?;
        set(&object, "added_at", &self.added_at_ms.into())?;
        if let Some(kind) = self.table {
            set(&object, "table", &kind.file_name().into())?;
        }
        Ok(object.into())
    }

    fn from_js(value: &JsValue) -> Result<Self, CacheError> {
        let role = get_string(value, "role")?;
        Ok(StoredUpload {
            name: get_string(value, "name")?,
            role: role_from_name(&role)
                .ok_or_else(|| CacheError::Corrupt(format!("unknown role {role:?}")))?,
            file_name: get_string(value, "file_name")?,
            body: get_string(value, "body")?,
            added_at_ms: get_number(value, "added_at")?,
            // Absent in uploads saved before tables existed: a series.
            table: get(value, "table")?.as_string().as_deref().and_then(TableKind::of_file_name),
        })
    }
}

/// The last good copy of a table input of the mirror folder (the spot-ETF flow table, the
/// treasury-company sheet), kept in [`FEEDS`] under the key `table:<file name>` (no catalog id
/// has a colon). The body is kept as text: a table is small and parsed in well under a
/// millisecond.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedTable {
    /// `table:<file name>`, the key.
    pub key: String,
    /// Where the body was fetched from.
    pub source: String,
    /// The body.
    pub body: String,
    /// When it was fetched, Unix milliseconds.
    pub fetched_at_ms: f64,
}

impl CachedTable {
    /// The key of the table file `name`.
    pub fn key_of(name: &str) -> String {
        format!("table:{name}")
    }
}

impl Record for CachedTable {
    const STORE: &'static str = FEEDS;
    const KEY: &'static str = "id";

    fn key(&self) -> &str {
        &self.key
    }

    fn to_js(&self) -> Result<JsValue, CacheError> {
        let object = Object::new();
        set(&object, "id", &self.key.as_str().into())?;
        set(&object, "source", &self.source.as_str().into())?;
        set(&object, "body", &self.body.as_str().into())?;
        set(&object, "fetched_at", &self.fetched_at_ms.into())?;
        Ok(object.into())
    }

    fn from_js(value: &JsValue) -> Result<Self, CacheError> {
        Ok(CachedTable {
            key: get_string(value, "id")?,
            source: get_string(value, "source")?,
            body: get_string(value, "body")?,
            fetched_at_ms: get_number(value, "fetched_at")?,
        })
    }
}

/// The role's name as the catalog file spells it (`risk_appetite`).
pub fn role_name(role: Role) -> String {
    // Serialising a unit enum variant to a JSON value cannot fail.
    serde_json::to_value(role).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The role with this catalog name.
pub fn role_from_name(name: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// An open connection to the database. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Cache {
    db: IdbDatabase,
    /// Closes this connection when another tab upgrades the schema, so it never blocks them.
    _on_version_change: Rc<Closure<dyn FnMut()>>,
}

impl Cache {
    /// Opens (and on first use creates) the `tideline` database.
    pub async fn open() -> Result<Cache, CacheError> {
        Cache::open_named(DATABASE).await
    }

    /// Opens (and on first use creates) a database of this name with Tideline's stores; the tests
    /// use their own name so they never touch the page's data.
    pub async fn open_named(name: &str) -> Result<Cache, CacheError> {
        let unavailable = |e: &JsValue| CacheError::Unavailable(describe(e));
        let window = web_sys::window().ok_or_else(|| CacheError::Unavailable("no window".into()))?;
        let factory = window
            .indexed_db()
            .map_err(|e| unavailable(&e))?
            .ok_or_else(|| CacheError::Unavailable("IndexedDB is not supported".into()))?;
        let open = factory.open_with_u32(name, VERSION).map_err(|e| unavailable(&e))?;
        let upgrade = Closure::<dyn FnMut()>::new({
            let open = open.clone();
            move || {
                if let Ok(db) = open.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
                    create_stores(&db);
                }
            }
        });
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let opened = EventFuture::new(&open, "success", &["error", "blocked"]);
        let timeout = std::pin::pin!(super::sleep(OPEN_TIMEOUT_MS));
        let outcome = match futures::future::select(opened, timeout).await {
            futures::future::Either::Left((outcome, _)) => outcome,
            futures::future::Either::Right(_) => Err("the browser did not answer".to_string()),
        };
        open.set_onupgradeneeded(None);
        drop(upgrade);
        if let Err(event) = outcome {
            let reason = request_error(&open).unwrap_or(event);
            return Err(CacheError::Unavailable(reason));
        }
        let db: IdbDatabase =
            open.result().map_err(|e| unavailable(&e))?.dyn_into().map_err(|e: JsValue| unavailable(&e))?;
        let on_version_change = Closure::<dyn FnMut()>::new({
            let db = db.clone();
            move || db.close()
        });
        db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
        Ok(Cache { db, _on_version_change: Rc::new(on_version_change) })
    }

    /// The record stored under `key`, if any.
    pub async fn get<R: Record>(&self, key: &str) -> Result<Option<R>, CacheError> {
        let store = self.store(R::STORE, IdbTransactionMode::Readonly)?.1;
        let value = request(&store.get(&key.into()).map_err(failed)?).await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        R::from_js(&value).map(Some)
    }

    /// Stores `record` under its key, replacing what was there; resolves once committed.
    pub async fn put<R: Record>(&self, record: &R) -> Result<(), CacheError> {
        let value = record.to_js()?;
        let (transaction, store) = self.store(R::STORE, IdbTransactionMode::Readwrite)?;
        let committed = EventFuture::new(&transaction, "complete", &["error", "abort"]);
        request(&store.put(&value).map_err(failed)?).await?;
        committed.await.map_err(|event| CacheError::Request(transaction_error(&transaction).unwrap_or(event)))
    }

    /// Removes the record stored under `key` (nothing happens when there is none).
    pub async fn delete<R: Record>(&self, key: &str) -> Result<(), CacheError> {
        let (transaction, store) = self.store(R::STORE, IdbTransactionMode::Readwrite)?;
        let committed = EventFuture::new(&transaction, "complete", &["error", "abort"]);
        request(&store.delete(&key.into()).map_err(failed)?).await?;
        committed.await.map_err(|event| CacheError::Request(transaction_error(&transaction).unwrap_or(event)))
    }

    /// Removes every record of store `name` ([`FEEDS`] or [`UPLOADS`]); resolves once committed.
    pub async fn clear(&self, name: &str) -> Result<(), CacheError> {
        let (transaction, store) = self.store(name, IdbTransactionMode::Readwrite)?;
        let committed = EventFuture::new(&transaction, "complete", &["error", "abort"]);
        request(&store.clear().map_err(failed)?).await?;
        committed.await.map_err(|event| CacheError::Request(transaction_error(&transaction).unwrap_or(event)))
    }

    /// Every readable record of the store, by key. Records that cannot be read (written by another
    /// version of the app) are left out.
    pub async fn list<R: Record>(&self) -> Result<Vec<R>, CacheError> {
        let store = self.store(R::STORE, IdbTransactionMode::Readonly)?.1;
        let all = request(&store.get_all().map_err(failed)?).await?;
        let all: Array =
            all.dyn_into().map_err(|_| CacheError::Corrupt("getAll did not return an array".into()))?;
        Ok(all.iter().filter_map(|value| R::from_js(&value).ok()).collect())
    }

    /// Closes the connection (the other clones stop working too).
    pub fn close(&self) {
        self.db.close();
    }

    fn store(
        &self,
        name: &str,
        mode: IdbTransactionMode,
    ) -> Result<(web_sys::IdbTransaction, web_sys::IdbObjectStore), CacheError> {
        let transaction = self.db.transaction_with_str_and_mode(name, mode).map_err(failed)?;
        let store = transaction.object_store(name).map_err(failed)?;
        Ok((transaction, store))
    }
}

/// "Clear saved data": removes the last good copies of every feed and table from IndexedDB and
/// the service worker's copies of the data folder and the live feeds
/// (`window.tidelineClearOfflineData`, `public/sw-register.js`). The reader's uploads and the app
/// shell stay. The error says what could not be removed.
pub async fn clear_saved_data() -> Result<(), CacheError> {
    let cache = Cache::open().await?;
    let cleared = cache.clear(FEEDS).await;
    cache.close();
    cleared?;
    let Some(window) = web_sys::window() else { return Ok(()) };
    let clear = Reflect::get(&window, &"tidelineClearOfflineData".into()).map_err(failed)?;
    if let Some(clear) = clear.dyn_ref::<js_sys::Function>() {
        let promise = clear.call0(&window).map_err(failed)?;
        if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
            wasm_bindgen_futures::JsFuture::from(promise).await.map_err(failed)?;
        }
    }
    Ok(())
}

/// Deletes a whole database (the tests use it to start clean).
pub async fn delete_database(name: &str) -> Result<(), CacheError> {
    let window = web_sys::window().ok_or_else(|| CacheError::Unavailable("no window".into()))?;
    let factory = window
        .indexed_db()
        .map_err(|e| CacheError::Unavailable(describe(&e)))?
        .ok_or_else(|| CacheError::Unavailable("IndexedDB is not supported".into()))?;
    let deletion = factory.delete_database(name).map_err(failed)?;
    request(&deletion).await.map(|_| ())
}

/// Creates the object stores a database of this version lacks (inside `upgradeneeded`).
fn create_stores(db: &IdbDatabase) {
    for (store, key) in [(FEEDS, CachedFeed::KEY), (UPLOADS, StoredUpload::KEY)] {
        if !db.object_store_names().contains(store) {
            let parameters = IdbObjectStoreParameters::new();
            parameters.set_key_path(&key.into());
            // A failure here aborts the upgrade, and `open` then reports the store as unavailable.
            let _ = db.create_object_store_with_optional_parameters(store, &parameters);
        }
    }
}

/// The result of an `IDBRequest`, once its `success` event fires; its error when `error` fires.
///
/// The listeners are attached before this returns, so call it right after issuing the request.
pub fn request(request: &IdbRequest) -> impl Future<Output = Result<JsValue, CacheError>> {
    let done = EventFuture::new(request, "success", &["error"]);
    let request = request.clone();
    async move {
        match done.await {
            Ok(()) => request.result().map_err(failed),
            Err(event) => Err(CacheError::Request(request_error(&request).unwrap_or(event))),
        }
    }
}

/// An event listener kept alive while it is attached.
type Listener = Closure<dyn FnMut(Event)>;

/// A future that resolves when `target` fires its success event (`Ok`) or one of its failure
/// events (`Err` with the event's type). Its listeners are removed when it is dropped.
pub struct EventFuture {
    target: EventTarget,
    listeners: Vec<(&'static str, Listener)>,
    receiver: oneshot::Receiver<Result<(), String>>,
}

impl EventFuture {
    /// Starts listening on `target` at once.
    pub fn new(target: &EventTarget, success: &'static str, failures: &[&'static str]) -> EventFuture {
        let (sender, receiver) = oneshot::channel();
        let sender = Rc::new(RefCell::new(Some(sender)));
        let listeners: Vec<_> = std::iter::once((success, true))
            .chain(failures.iter().map(|f| (*f, false)))
            .map(|(kind, ok)| {
                let sender = sender.clone();
                let listener = Listener::new(move |_: Event| {
                    if let Some(sender) = sender.borrow_mut().take() {
                        let _ = sender.send(if ok { Ok(()) } else { Err(kind.to_string()) });
                    }
                });
                // Adding a listener to a live target does not fail.
                let _ = target.add_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
                (kind, listener)
            })
            .collect();
        EventFuture { target: target.clone(), listeners, receiver }
    }
}

impl Future for EventFuture {
    type Output = Result<(), String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.receiver.poll_unpin(cx).map(|r| r.unwrap_or_else(|_| Err("cancelled".to_string())))
    }
}

impl Drop for EventFuture {
    fn drop(&mut self) {
        for (kind, listener) in &self.listeners {
            let _ = self.target.remove_event_listener_with_callback(kind, listener.as_ref().unchecked_ref());
        }
    }
}

fn request_error(request: &IdbRequest) -> Option<String> {
    request.error().ok().flatten().map(|e| format!("{}: {}", e.name(), e.message()))
}

fn transaction_error(transaction: &web_sys::IdbTransaction) -> Option<String> {
    transaction.error().map(|e| format!("{}: {}", e.name(), e.message()))
}

fn failed(error: JsValue) -> CacheError {
    CacheError::Request(describe(&error))
}

/// A readable text for a thrown JavaScript value (a `DOMException`, an `Error` or anything else).
fn describe(error: &JsValue) -> String {
    if let Some(e) = error.dyn_ref::<web_sys::DomException>() {
        format!("{}: {}", e.name(), e.message())
    } else if let Some(e) = error.dyn_ref::<js_sys::Error>() {
        String::from(e.message())
    } else {
        error.as_string().unwrap_or_else(|| format!("{error:?}"))
    }
}

fn set(object: &Object, key: &str, value: &JsValue) -> Result<(), CacheError> {
    Reflect::set(object, &key.into(), value).map(|_| ()).map_err(|e| CacheError::Corrupt(describe(&e)))
}

fn get(value: &JsValue, key: &str) -> Result<JsValue, CacheError> {
    Reflect::get(value, &key.into()).map_err(|e| CacheError::Corrupt(format!("{key}: {}", describe(&e))))
}

fn get_string(value: &JsValue, key: &str) -> Result<String, CacheError> {
    get(value, key)?.as_string().ok_or_else(|| CacheError::Corrupt(format!("field {key} is not text")))
}

fn get_number(value: &JsValue, key: &str) -> Result<f64, CacheError> {
    get(value, key)?.as_f64().ok_or_else(|| CacheError::Corrupt(format!("field {key} is not a number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_follow_the_catalog_spelling() {
        assert_eq!(role_name(Role::RiskAppetite), "risk_appetite");
        assert_eq!(role_from_name("risk_appetite"), Some(Role::RiskAppetite));
        assert_eq!(role_from_name(&role_name(Role::Asset)), Some(Role::Asset));
        assert_eq!(role_from_name("weather"), None);
    }
}
