//! `tideline mirror` against a canned HTTP server on 127.0.0.1 (never the network): good series
//! land as FRED CSV files, each fault (HTTP 500, an HTML page, a body cut short, a slow response, a
//! rate limit, a feed in the wrong units, a body that is not UTF-8) is reported as an
//! `ERROR <ID>: ...` line and in `manifest.json`, a bad body never replaces the last good copy, and
//! the exit code is non-zero when any series failed. Also `--from DIR`, and the vintages of the
//! revised series: fetched from the ALFRED endpoint only with `FRED_API_KEY` set (the key never
//! shown), written to `vintages/<ID>.csv` and listed in the manifest; without a key nothing is
//! requested and the manifest says so.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// A tiny HTTP/1.1 server: per-path canned replies, every request target recorded.
// ---------------------------------------------------------------------------------------------

/// One canned reply.
#[derive(Clone, Debug)]
enum Reply {
    /// A complete response.
    Full { status: u16, headers: Vec<(&'static str, String)>, body: Vec<u8> },
    /// Declares `declared` bytes of body, sends `body` (fewer), then closes the connection.
    Truncated { declared: usize, body: Vec<u8> },
    /// Waits, then sends the reply (if the client is still there).
    Slow(Duration, Box<Reply>),
}

fn ok(body: impl Into<Vec<u8>>) -> Reply {
    Reply::Full { status: 200, headers: vec![("Content-Type", "text/csv".into())], body: body.into() }
}

fn status(code: u16, headers: Vec<(&'static str, String)>) -> Reply {
    Reply::Full { status: code, headers, body: format!("status {code}\n").into_bytes() }
}

fn html_page() -> Reply {
    Reply::Full {
        status: 200,
        headers: vec![("Content-Type", "text/html".into())],
        body: b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head>\n\
                <body>Please try again later.</body></html>\n"
            .to_vec(),
    }
}

#[derive(Default)]
struct State {
    /// Replies per request target; the n-th request for a target gets the n-th reply (the last
    /// one repeats).
    routes: HashMap<String, Vec<Reply>>,
    /// Every request target, in the order received.
    seen: Vec<String>,
}

struct Server {
    base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start(routes: Vec<(String, Vec<Reply>)>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let base = format!("http://{}", listener.local_addr().expect("bound address"));
        let state = Arc::new(Mutex::new(State { routes: routes.into_iter().collect(), seen: Vec::new() }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shared = Arc::clone(&shared);
                // One thread per connection, so a slow reply does not hold up the next request.
                std::thread::spawn(move || serve(stream, &shared));
            }
        });
        Server { base, state }
    }

    /// Replaces the replies for `target` and forgets how often it was requested.
    fn set(&self, target: &str, replies: Vec<Reply>) {
        let mut state = self.state.lock().expect("server state");
        state.routes.insert(target.to_string(), replies);
        state.seen.retain(|t| t != target);
    }

    fn seen(&self) -> Vec<String> {
        self.state.lock().expect("server state").seen.clone()
    }

    /// How many requests for `target` the server received.
    fn hits(&self, target: &str) -> usize {
        self.seen().iter().filter(|t| *t == target).count()
    }
}

fn serve(mut stream: TcpStream, state: &Mutex<State>) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
    let reply = {
        let mut state = state.lock().expect("server state");
        let n = state.seen.iter().filter(|t| **t == target).count();
        state.seen.push(target.clone());
        match state.routes.get(&target) {
            Some(replies) if !replies.is_empty() => replies[n.min(replies.len() - 1)].clone(),
            _ => status(404, Vec::new()),
        }
    };
    send(&mut stream, &reply);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn send(stream: &mut TcpStream, reply: &Reply) {
    match reply {
        Reply::Full { status, headers, body } => {
            let mut text = format!(
                "HTTP/1.1 {status} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                reason(*status),
                body.len()
            );
            for (name, value) in headers {
                text.push_str(&format!("{name}: {value}\r\n"));
            }
            text.push_str("\r\n");
            let _ = stream.write_all(text.as_bytes());
            let _ = stream.write_all(body);
        }
        Reply::Truncated { declared, body } => {
            let text = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/csv\r\nContent-Length: {declared}\r\n\
                 Connection: close\r\n\r\n"
            );
            let _ = stream.write_all(text.as_bytes());
            let _ = stream.write_all(body);
        }
        Reply::Slow(delay, reply) => {
            std::thread::sleep(*delay);
            send(stream, reply);
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        _ => "Whatever",
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// The request target of a FRED feed (the catalog's URL without its scheme and host).
fn fred_target(id: &str) -> String {
    format!("/graph/fredgraph.csv?id={id}")
}

const BTC_COINGECKO: &str = "/api/v3/coins/bitcoin/market_chart?vs_currency=usd&days=365&interval=daily";
const BTC_BINANCE: &str = "/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=1000";

/// A FRED CSV body.
fn fred(id: &str, rows: &[(&str, &str)]) -> String {
    let mut text = format!("observation_date,{id}\n");
    for (date, value) in rows {
        text.push_str(&format!("{date},{value}\n"));
    }
    text
}

/// Fed funds rate, percent; the `.` (a holiday) is a missing observation.
const DFF_ROWS: &[(&str, &str)] =
    &[("2024-01-02", "5.33"), ("2024-01-03", "5.33"), ("2024-01-04", "."), ("2024-01-05", "5.31")];
/// Fed total assets, USD millions (Wednesday levels).
const WALCL_ROWS: &[(&str, &str)] =
    &[("2024-01-03", "7713809"), ("2024-01-10", "7680013"), ("2024-01-17", "7677512")];
/// Treasury General Account, USD millions.
const WDTGAL_ROWS: &[(&str, &str)] = &[("2024-01-03", "769208"), ("2024-01-10", "749621")];
/// Overnight reverse repo, USD billions.
const RRP_ROWS: &[(&str, &str)] = &[("2024-01-02", "701.641"), ("2024-01-03", "627.456")];
/// 10-year Treasury yield, percent.
const DGS10_ROWS: &[(&str, &str)] = &[("2024-01-02", "3.95"), ("2024-01-03", "3.91"), ("2024-01-04", "3.99")];
/// Fed total assets wrongly in USD billions: 7.7 USD bn is not plausible.
const WALCL_BILLIONS: &[(&str, &str)] = &[("2024-01-03", "7713.809"), ("2024-01-10", "7680.013")];

/// The file the mirror writes: FRED CSV of the native values, missing observations dropped.
fn written(id: &str, rows: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = rows.iter().copied().filter(|(_, v)| *v != ".").collect();
    fred(id, &kept)
}

/// A fresh, empty folder under the target's temporary folder.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("mirror-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `tideline` without a FRED API key, whatever the test's own environment holds.
fn tideline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(args)
        .env_remove("FRED_API_KEY")
        .output()
        .expect("the tideline binary runs")
}

/// Runs `tideline` with `FRED_API_KEY` set to `key`.
fn tideline_with_key(key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tideline"))
        .args(args)
        .env("FRED_API_KEY", key)
        .output()
        .expect("the tideline binary runs")
}

/// Runs `tideline mirror --out OUT --base-url BASE --timeout SECS --only IDS`.
fn mirror_http(out: &Path, base: &str, timeout: u64, only: &[&str]) -> Output {
    let out = out.display().to_string();
    let timeout = timeout.to_string();
    let only = only.join(",");
    tideline(&["mirror", "--out", &out, "--base-url", base, "--timeout", &timeout, "--only", &only])
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The one stdout line about `id`.
fn line_for<'a>(text: &'a str, id: &str) -> &'a str {
    let mut lines = text
        .lines()
        .filter(|l| l.starts_with(&format!("OK {id}: ")) || l.starts_with(&format!("ERROR {id}: ")));
    let line = lines.next().unwrap_or_else(|| panic!("no line about {id} in:\n{text}"));
    assert!(lines.next().is_none(), "several lines about {id} in:\n{text}");
    line
}

fn manifest(out: &Path) -> Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest.json written");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

fn manifest_entry<'a>(manifest: &'a Value, id: &str) -> &'a Value {
    let series = manifest["series"].as_array().expect("manifest.series is an array");
    let mut found = series.iter().filter(|e| e["id"] == id);
    let entry = found.next().unwrap_or_else(|| panic!("{id} not in the manifest: {manifest:#}"));
    assert!(found.next().is_none(), "{id} twice in the manifest");
    entry
}

/// Asserts `id` was written with exactly `expected` and the manifest describes that file.
fn assert_good(out: &Path, manifest: &Value, id: &str, expected: &str, source: &str, units: &str) {
    let path = out.join(format!("{id}.csv"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(String::from_utf8_lossy(&bytes), expected, "{id}.csv");
    let rows: Vec<&str> = expected.lines().skip(1).collect();
    let entry = manifest_entry(manifest, id);
    assert_eq!(entry["error"], Value::Null, "{id}: {entry:#}");
    assert_eq!(entry["rows"], rows.len(), "{id}: {entry:#}");
    assert_eq!(entry["first"], rows[0].split(',').next().expect("date"), "{id}");
    assert_eq!(entry["last"], rows[rows.len() - 1].split(',').next().expect("date"), "{id}");
    assert_eq!(entry["source"], source, "{id}");
    assert_eq!(entry["native_units"], units, "{id}");
    assert_eq!(entry["sha256"], format!("{:x}", Sha256::digest(&bytes)), "{id}: sha256 of the file");
}

/// Asserts `id` failed: an `ERROR <id>: ...` line containing each of `what`, an error in the
/// manifest, and a file description only when an earlier good file was kept. Returns the error.
fn assert_failed(out: &Path, manifest: &Value, text: &str, id: &str, what: &[&str]) -> String {
    let line = line_for(text, id);
    assert!(line.starts_with(&format!("ERROR {id}: ")), "{line}");
    for w in what {
        assert!(line.contains(w), "{id}: expected {w:?} in {line:?}");
    }
    let entry = manifest_entry(manifest, id);
    let error = entry["error"].as_str().unwrap_or_else(|| panic!("{id}: no error in {entry:#}")).to_string();
    assert_eq!(line, format!("ERROR {id}: {error}"), "the manifest records the same error");
    match std::fs::read(out.join(format!("{id}.csv"))) {
        Ok(kept) => {
            assert_eq!(entry["sha256"], format!("{:x}", Sha256::digest(&kept)), "{id}: the kept file");
            assert!(entry["rows"].as_u64().is_some_and(|r| r > 0), "{id}: rows of the kept file");
            assert!(entry["source"].as_str().is_some_and(|s| s.contains("kept from an earlier run")));
        }
        Err(_) => assert_eq!(
            (&entry["rows"], &entry["sha256"], &entry["source"]),
            (&Value::from(0), &Value::Null, &Value::Null)
        ),
    }
    error
}

/// No temporary file is left behind.
/// DFF, served whole by `server`, landed in `out` as written.
fn assert_dff_good(out: &Path, manifest: &Value, server: &Server) {
    let source = format!("{}{}", server.base, fred_target("DFF"));
    assert_good(out, manifest, "DFF", &written("DFF", DFF_ROWS), &source, "percent");
}

fn assert_no_tmp(out: &Path) {
    for entry in std::fs::read_dir(out).expect("out folder") {
        let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "left behind: {name}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn good_series_land_and_each_fault_is_reported() {
    let mut latin1 = fred("T10YIE", &[("2024-01-02", "2.17")]).into_bytes();
    latin1.extend_from_slice(b"2024-01-03,2\xb018\n");
    let server = Server::start(vec![
        (fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))]),
        (fred_target("WDTGAL"), vec![ok(fred("WDTGAL", WDTGAL_ROWS))]),
        (fred_target("RRPONTSYD"), vec![ok(fred("RRPONTSYD", RRP_ROWS))]),
        // Rate limited once, with Retry-After: 0, then good.
        (
            fred_target("DGS10"),
            vec![status(429, vec![("Retry-After", "0".into())]), ok(fred("DGS10", DGS10_ROWS))],
        ),
        // A server error every time.
        (fred_target("DGS2"), vec![status(500, Vec::new())]),
        // An error page with status 200.
        (fred_target("T10Y2Y"), vec![html_page()]),
        // WALCL in billions instead of millions.
        (fred_target("WALCL"), vec![ok(fred("WALCL", WALCL_BILLIONS))]),
        // A byte that is not UTF-8 (Latin-1 degree sign) on line 3.
        (fred_target("T10YIE"), vec![ok(latin1)]),
        // FRED does not have it (404, not retried): the CoinGecko feed does.
        (
            BTC_COINGECKO.to_string(),
            vec![ok(
                r#"{"prices":[[1704067200000,42280.23],[1704153600000,44187.14],[1704240000000,44961.6]]}"#,
            )],
        ),
    ]);
    let out = fresh_dir("faults");
    let ids = ["DFF", "WDTGAL", "RRPONTSYD", "DGS10", "DGS2", "T10Y2Y", "WALCL", "T10YIE", "CBBTCUSD"];
    let output = mirror_http(&out, &server.base, 5, &ids);
    let text = stdout(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(1), "some series failed:\n{text}{stderr}");
    assert_eq!(text.lines().count(), ids.len(), "one line per series:\n{text}");

    let base = &server.base;
    let manifest = manifest(&out);
    assert_eq!(manifest["series"].as_array().map(Vec::len), Some(ids.len()), "{manifest:#}");
    assert!(manifest["generated_at"].as_u64().is_some_and(|t| t > 1_600_000_000));
    assert_eq!(manifest["catalog_version"], 1);

    // The good ones, with their rows, span and source.
    let fred_url = |id: &str| format!("{base}{}", fred_target(id));
    assert_eq!(
        line_for(&text, "DFF"),
        format!("OK DFF: 3 rows, 2024-01-02..2024-01-05 from {}", fred_url("DFF"))
    );
    assert_good(&out, &manifest, "DFF", &written("DFF", DFF_ROWS), &fred_url("DFF"), "percent");
    assert_good(
        &out,
        &manifest,
        "WDTGAL",
        &written("WDTGAL", WDTGAL_ROWS),
        &fred_url("WDTGAL"),
        "USD millions",
    );
    assert_good(
        &out,
        &manifest,
        "RRPONTSYD",
        &written("RRPONTSYD", RRP_ROWS),
        &fred_url("RRPONTSYD"),
        "USD billions",
    );
    assert_eq!(
        line_for(&text, "DGS10"),
        format!("OK DGS10: 3 rows, 2024-01-02..2024-01-04 from {}", fred_url("DGS10"))
    );
    assert_good(&out, &manifest, "DGS10", &written("DGS10", DGS10_ROWS), &fred_url("DGS10"), "percent");
    assert_good(
        &out,
        &manifest,
        "CBBTCUSD",
        // CoinGecko's midnight snapshots are the closes of the days before (tideline_core::dating).
        "observation_date,CBBTCUSD\n2023-12-31,42280.23\n2024-01-01,44187.14\n2024-01-02,44961.6\n",
        &format!("{base}{BTC_COINGECKO}"),
        "USD",
    );

    // The faults: each reported, each without a file.
    assert_failed(&out, &manifest, &text, "DGS2", &["HTTP status 500", "(after 4 attempts)"]);
    assert_failed(&out, &manifest, &text, "T10Y2Y", &["an HTML page where FRED CSV was expected"]);
    assert_failed(
        &out,
        &manifest,
        &text,
        "WALCL",
        &["outside the plausible range 300..20000 USD bn", "2024-01-03"],
    );
    assert_failed(&out, &manifest, &text, "T10YIE", &["line 3: not UTF-8 text (byte 52)"]);
    for id in ["DGS2", "T10Y2Y", "WALCL", "T10YIE"] {
        assert!(!out.join(format!("{id}.csv")).exists(), "{id}.csv written from a bad body");
    }
    assert_no_tmp(&out);

    // Every request went to this server, each as often as the retry policy says.
    let expected = [
        (fred_target("DFF"), 1),
        (fred_target("WDTGAL"), 1),
        (fred_target("RRPONTSYD"), 1),
        (fred_target("DGS10"), 2),
        (fred_target("DGS2"), 4),
        (fred_target("T10Y2Y"), 1),
        (fred_target("WALCL"), 1),
        (fred_target("T10YIE"), 1),
        (fred_target("CBBTCUSD"), 1),
        (BTC_COINGECKO.to_string(), 1),
        (BTC_BINANCE.to_string(), 0),
    ];
    for (target, times) in &expected {
        assert_eq!(server.hits(target), *times, "requests for {target}: {:?}", server.seen());
    }
    assert_eq!(server.seen().len(), expected.iter().map(|(_, n)| n).sum::<usize>(), "{:?}", server.seen());
}

#[test]
fn a_truncated_body_is_retried_then_refused() {
    let full = fred("VIXCLS", &[("2024-01-02", "13.20"), ("2024-01-03", "14.04"), ("2024-01-04", "14.13")]);
    let cut = full.as_bytes()[..full.len() - 9].to_vec();
    let server = Server::start(vec![
        (fred_target("VIXCLS"), vec![Reply::Truncated { declared: full.len(), body: cut }]),
        (fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))]),
    ]);
    let out = fresh_dir("truncated");
    let output = mirror_http(&out, &server.base, 5, &["VIXCLS", "DFF"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let manifest = manifest(&out);
    assert_failed(&out, &manifest, &text, "VIXCLS", &["reading the body failed", "(after 4 attempts)"]);
    assert!(!out.join("VIXCLS.csv").exists());
    assert_dff_good(&out, &manifest, &server);
    assert_eq!(server.hits(&fred_target("VIXCLS")), 4, "{:?}", server.seen());
    assert_no_tmp(&out);
}

#[test]
fn a_response_slower_than_the_timeout_is_abandoned() {
    let nfci = fred("NFCI", &[("2024-01-05", "-0.47"), ("2024-01-12", "-0.49")]);
    let server = Server::start(vec![
        (fred_target("NFCI"), vec![Reply::Slow(Duration::from_secs(3), Box::new(ok(nfci)))]),
        (fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))]),
    ]);
    let out = fresh_dir("slow");
    let started = Instant::now();
    let output = mirror_http(&out, &server.base, 1, &["NFCI", "DFF"]);
    let elapsed = started.elapsed();
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let manifest = manifest(&out);
    assert_failed(&out, &manifest, &text, "NFCI", &["timed out", "(after 4 attempts)"]);
    assert!(!out.join("NFCI.csv").exists());
    assert_dff_good(&out, &manifest, &server);
    assert_eq!(server.hits(&fred_target("NFCI")), 4, "{:?}", server.seen());
    // Four one-second attempts and 0.5 + 1 + 2 s of backoff (about 7.5 s); a generous bound, as the
    // request count above already shows no attempt waited for the slow reply.
    assert!(elapsed < Duration::from_secs(20), "took {elapsed:?}");
}

#[test]
fn a_bad_body_never_replaces_the_last_good_copy() {
    let server = Server::start(vec![
        (fred_target("WALCL"), vec![ok(fred("WALCL", WALCL_ROWS))]),
        (fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))]),
    ]);
    let out = fresh_dir("last-good-copy");
    let first = mirror_http(&out, &server.base, 5, &["WALCL", "DFF"]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let walcl = std::fs::read(out.join("WALCL.csv")).expect("WALCL.csv");
    let dff = std::fs::read(out.join("DFF.csv")).expect("DFF.csv");
    assert_eq!(String::from_utf8_lossy(&walcl), written("WALCL", WALCL_ROWS));
    let first_manifest = manifest(&out);
    let walcl_url = format!("{}{}", server.base, fred_target("WALCL"));
    assert_good(&out, &first_manifest, "WALCL", &written("WALCL", WALCL_ROWS), &walcl_url, "USD millions");

    // The same feeds now send an error page and garbage.
    server.set(&fred_target("WALCL"), vec![html_page()]);
    server.set(&fred_target("DFF"), vec![ok("observation_date,DFF\n2024-01-02,5.33\n2024-01-03,#N/A\n")]);
    let second = mirror_http(&out, &server.base, 5, &["WALCL", "DFF"]);
    let text = stdout(&second);
    assert_eq!(second.status.code(), Some(1), "{text}");
    assert_eq!(std::fs::read(out.join("WALCL.csv")).expect("WALCL.csv kept"), walcl, "WALCL.csv changed");
    assert_eq!(std::fs::read(out.join("DFF.csv")).expect("DFF.csv kept"), dff, "DFF.csv changed");
    let manifest = manifest(&out);
    assert_failed(&out, &manifest, &text, "WALCL", &["an HTML page"]);
    assert_failed(&out, &manifest, &text, "DFF", &["line 3: non-numeric value \"#N/A\""]);
    assert_eq!((server.hits(&fred_target("WALCL")), server.hits(&fred_target("DFF"))), (1, 1));
    assert_no_tmp(&out);
}

#[test]
fn an_observation_dated_in_the_future_is_refused_and_the_last_good_copy_kept() {
    let server = Server::start(vec![(fred_target("WALCL"), vec![ok(fred("WALCL", WALCL_ROWS))])]);
    let out = fresh_dir("future-date");
    let first = mirror_http(&out, &server.base, 5, &["WALCL"]);
    assert_eq!(first.status.code(), Some(0), "{}", stdout(&first));
    let walcl = std::fs::read(out.join("WALCL.csv")).expect("WALCL.csv");
    // A feed that stamps an observation in 2099: kept, no later file could ever replace it.
    let mut future = WALCL_ROWS.to_vec();
    future.push(("2099-01-07", "7600000"));
    server.set(&fred_target("WALCL"), vec![ok(fred("WALCL", &future))]);
    let second = mirror_http(&out, &server.base, 5, &["WALCL"]);
    let text = stdout(&second);
    assert_eq!(second.status.code(), Some(1), "{text}");
    assert_eq!(std::fs::read(out.join("WALCL.csv")).expect("kept"), walcl, "WALCL.csv changed");
    assert_failed(&out, &manifest(&out), &text, "WALCL", &["dated 2099-01-07", "after today"]);
}

#[test]
fn from_a_folder_reads_local_files_without_the_network() {
    let from = fresh_dir("from-src");
    std::fs::write(from.join("WALCL.csv"), fred("WALCL", WALCL_ROWS)).expect("fixture");
    std::fs::write(from.join("DFF.csv"), "observation_date,DFF\n2024-01-02,5.33\n2024-01-03,abc\n")
        .expect("fixture");
    std::fs::write(from.join("RRPONTSYD.csv"), "<html><body>429 Too Many Requests</body></html>\n")
        .expect("fixture");
    std::fs::write(from.join("DGS10.csv"), b"observation_date,DGS10\n2024-01-02,3\xe995\n").expect("fixture");
    let out = fresh_dir("from-out");
    let from_arg = from.display().to_string();
    let out_arg = out.display().to_string();
    // --base-url points nowhere: the network must not be used.
    let output = tideline(&[
        "mirror",
        "--out",
        &out_arg,
        "--from",
        &from_arg,
        "--base-url",
        "http://127.0.0.1:9",
        "--only",
        "WALCL,DFF,RRPONTSYD,DGS10,DGS2",
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert_eq!(text.lines().count(), 5, "{text}");
    let walcl_source = from.join("WALCL.csv").display().to_string();
    assert_eq!(
        line_for(&text, "WALCL"),
        format!("OK WALCL: 3 rows, 2024-01-03..2024-01-17 from {walcl_source}")
    );
    let manifest = manifest(&out);
    assert_good(&out, &manifest, "WALCL", &written("WALCL", WALCL_ROWS), &walcl_source, "USD millions");
    let dff = from.join("DFF.csv").display().to_string();
    assert_failed(&out, &manifest, &text, "DFF", &[&format!("{dff}: line 3: non-numeric value \"abc\"")]);
    assert_failed(&out, &manifest, &text, "RRPONTSYD", &["line 1: an HTML page"]);
    // A file that is there but not UTF-8 is reported as such, not as missing.
    let dgs10 = from.join("DGS10.csv").display().to_string();
    assert_failed(&out, &manifest, &text, "DGS10", &[&format!("{dgs10}: line 2: not UTF-8 text (byte 35)")]);
    assert_failed(
        &out,
        &manifest,
        &text,
        "DGS2",
        &[&format!("no DGS2.csv (nor another known file of it) in {from_arg}")],
    );
    for id in ["DFF", "RRPONTSYD", "DGS10", "DGS2"] {
        assert!(!out.join(format!("{id}.csv")).exists(), "{id}.csv");
    }
    assert_no_tmp(&out);

    // All good: exit 0.
    let output = tideline(&["mirror", "--out", &out_arg, "--from", &from_arg, "--only", "WALCL"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
}

#[test]
fn an_unknown_only_id_is_an_error_not_an_empty_success() {
    let server = Server::start(vec![(fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))])]);
    let out = fresh_dir("unknown-id");
    let output = mirror_http(&out, &server.base, 5, &["DFF", "NOSUCHSERIES"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let manifest = manifest(&out);
    assert_failed(&out, &manifest, &text, "NOSUCHSERIES", &["not in the catalog"]);
    assert!(line_for(&text, "DFF").starts_with("OK DFF: 3 rows"), "{text}");
    assert_eq!(server.seen(), vec![fred_target("DFF")]);
}

fn mirror_from(out: &Path, from: &Path) -> Output {
    tideline(&["mirror", "--out", &out.display().to_string(), "--from", &from.display().to_string()])
}

/// The table inputs: copied from `--from` when they parse (verbatim, under the folder's name, with
/// a manifest entry); a bad one is reported and the good copy already in the folder kept.
#[test]
fn tables_are_copied_validated_and_kept() {
    let from = fresh_dir("tables-from");
    let out = fresh_dir("tables-out");
    std::fs::create_dir_all(from.join("market")).expect("market dir");
    let table = "Date,IBIT,GBTC,Total\n11 Jan 2024,111.7,(95.1),16.6\n12 Jan 2024,386.0,(484.1),-98.1\n";
    std::fs::write(from.join("market/farside_btc_etf_flows.csv"), table).expect("write");
    let output = mirror_from(&out, &from);
    let text = stdout(&output);
    assert!(text.contains("OK table etf_flows.csv: 2 rows, 2024-01-11..2024-01-12"), "{text}");
    assert_eq!(std::fs::read_to_string(out.join("etf_flows.csv")).expect("copied"), table);
    let entry = manifest(&out)["tables"][0].clone();
    assert_eq!(entry["id"], "etf_flows.csv");
    assert_eq!(entry["rows"], 2);
    assert!(entry["sha256"].is_string() && entry["error"].is_null(), "{entry}");
    // No treasury sheet anywhere: no entry, no error line.
    assert!(!text.contains("treasury_companies.csv"), "{text}");

    // A bad table in the source: the error is reported and the copy in the folder kept.
    std::fs::write(from.join("etf_flows.csv"), "Date,IBIT,Total\n2024-01-11,abc,1\n").expect("write");
    let output = mirror_from(&out, &from);
    let text = stdout(&output);
    assert!(!output.status.success());
    let error = text.lines().find(|l| l.starts_with("ERROR table etf_flows.csv")).expect("error line");
    assert!(error.contains("line 2"), "{error}");
    assert_eq!(std::fs::read_to_string(out.join("etf_flows.csv")).expect("kept"), table);
    let entry = manifest(&out)["tables"][0].clone();
    assert!(entry["source"].as_str().is_some_and(|s| s.contains("kept from an earlier run")), "{entry}");
    assert!(entry["error"].as_str().is_some_and(|e| e.contains("line 2")), "{entry}");
    assert_eq!(entry["rows"], 2);
}

// ---------------------------------------------------------------------------------------------
// Vintages of the revised series
// ---------------------------------------------------------------------------------------------

/// The request target of the ALFRED vintages of `id` (the catalog's `vintages_url` without its
/// scheme and host).
fn alfred_target(id: &str, key: &str) -> String {
    format!(
        "/fred/series/observations?series_id={id}&realtime_start=1776-07-04&realtime_end=9999-12-31\
         &file_type=json&api_key={key}"
    )
}

const KEY: &str = "0123456789abcdef0123456789abcdef";

/// CPI, latest vintage: January as revised.
const CPI_ROWS: &[(&str, &str)] = &[("2023-12-01", "306.746"), ("2024-01-01", "308.417")];
/// Unemployment rate, latest vintage.
const UNRATE_ROWS: &[(&str, &str)] = &[("2023-12-01", "3.7"), ("2024-01-01", "3.7")];

/// ALFRED's answer for CPI, hand-written: December in the earliest vintage; January first released
/// as 308.417 on 2024-02-13 and revised on 2024-02-16 (to 308.956, the seasonal-factor update);
/// a vintage where February was still missing.
const CPI_ALFRED: &str = r#"{"realtime_start":"1776-07-04","realtime_end":"9999-12-31",
"observation_start":"1600-01-01","observation_end":"9999-12-31","units":"lin","output_type":1,
"file_type":"json","order_by":"observation_date","sort_order":"asc","count":4,"offset":0,"limit":100000,
"observations":[
{"realtime_start":"2024-01-11","realtime_end":"9999-12-31","date":"2023-12-01","value":"306.746"},
{"realtime_start":"2024-02-13","realtime_end":"2024-02-15","date":"2024-01-01","value":"308.417"},
{"realtime_start":"2024-02-16","realtime_end":"9999-12-31","date":"2024-01-01","value":"308.956"},
{"realtime_start":"2024-02-16","realtime_end":"9999-12-31","date":"2024-02-01","value":"."}]}"#;

/// The vintage file the mirror writes from [`CPI_ALFRED`].
const CPI_VINTAGES: &str = "date,realtime_start,value\n2023-12-01,2024-01-11,306.746\n\
                            2024-01-01,2024-02-13,308.417\n2024-01-01,2024-02-16,308.956\n";

fn vintage_entry<'a>(manifest: &'a Value, id: &str) -> Option<&'a Value> {
    manifest["vintages"]["files"].as_array().expect("manifest.vintages.files").iter().find(|e| e["id"] == id)
}

fn analyze_series(data: &Path, as_of: &str, id: &str) -> Value {
    let output = tideline(&["analyze", "--data", &data.display().to_string(), "--as-of", as_of]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let series = report["series"].as_array().expect("series");
    series.iter().find(|s| s["id"] == id).cloned().unwrap_or_else(|| panic!("{id} not in the report"))
}

#[test]
fn with_a_key_vintages_are_fetched_written_and_listed() {
    let cpi_alfred = alfred_target("CPIAUCSL", KEY);
    let unrate_alfred = alfred_target("UNRATE", KEY);
    let server = Server::start(vec![
        (fred_target("CPIAUCSL"), vec![ok(fred("CPIAUCSL", CPI_ROWS))]),
        (fred_target("UNRATE"), vec![ok(fred("UNRATE", UNRATE_ROWS))]),
        // Rate limited once, then the answer: the series' retry rules apply.
        (cpi_alfred.clone(), vec![status(429, vec![("Retry-After", "0".into())]), ok(CPI_ALFRED)]),
        (unrate_alfred.clone(), vec![html_page()]),
    ]);
    let out = fresh_dir("vintages-key");
    let out_arg = out.display().to_string();
    let args = [
        "mirror",
        "--out",
        &out_arg,
        "--base-url",
        &server.base,
        "--timeout",
        "5",
        "--only",
        "CPIAUCSL,UNRATE",
    ];
    let output = tideline_with_key(KEY, &args);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "UNRATE's vintages failed:\n{text}");
    assert_eq!(server.hits(&cpi_alfred), 2, "retried after the 429");
    assert!(!text.contains(KEY), "the key is never shown:\n{text}");
    let shown = format!("{}{}", server.base, alfred_target("CPIAUCSL", "REDACTED"));
    assert!(
        text.lines()
            .any(|l| l == format!("OK vintages/CPIAUCSL.csv: 3 rows, 2023-12-01..2024-01-01 from {shown}")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("ERROR vintages/UNRATE.csv: ") && l.contains("an HTML page")),
        "{text}"
    );
    assert!(!text.contains("NOTE"), "{text}");
    // The series themselves landed as usual.
    assert!(line_for(&text, "CPIAUCSL").starts_with("OK CPIAUCSL: 2 rows"), "{text}");
    assert!(line_for(&text, "UNRATE").starts_with("OK UNRATE: 2 rows"), "{text}");

    let written = std::fs::read_to_string(out.join("vintages/CPIAUCSL.csv")).expect("vintage file written");
    assert_eq!(written, CPI_VINTAGES);
    assert!(!out.join("vintages/UNRATE.csv").exists(), "a bad answer writes nothing");
    let manifest_text = std::fs::read_to_string(out.join("manifest.json")).expect("manifest");
    assert!(!manifest_text.contains(KEY), "the key is not in the manifest");
    let listed = manifest(&out);
    assert_eq!(listed["vintages"]["api_key"], true);
    assert_eq!(listed["vintages"]["note"], Value::Null);
    let cpi = vintage_entry(&listed, "CPIAUCSL").expect("CPI vintages listed");
    assert_eq!(
        (&cpi["rows"], &cpi["first"], &cpi["last"]),
        (&Value::from(3), &Value::from("2023-12-01"), &Value::from("2024-01-01"))
    );
    assert_eq!(cpi["source"], shown);
    assert_eq!(cpi["native_units"], "index 1982-84=100");
    assert_eq!(cpi["sha256"], format!("{:x}", Sha256::digest(written.as_bytes())));
    assert_eq!(cpi["error"], Value::Null);
    let unrate = vintage_entry(&listed, "UNRATE").expect("UNRATE's failure listed");
    assert!(unrate["error"].as_str().is_some_and(|e| e.contains("an HTML page")), "{unrate}");
    assert_eq!(unrate["sha256"], Value::Null);
    assert_no_tmp(&out.join("vintages"));

    // `analyze` loads the vintage file (the first-release values themselves are checked in
    // crates/core/tests/vintages.rs); UNRATE, without one, says it used the latest vintage.
    let series = analyze_series(&out, "2024-03-01", "CPIAUCSL");
    assert_eq!(
        (&series["vintage"], &series["vintage_note"]),
        (&Value::from("real_time"), &Value::from("real-time vintages"))
    );
    assert!(series["source"].as_str().is_some_and(|s| s.ends_with("vintages/CPIAUCSL.csv")), "{series}");
    assert_eq!(series["last"], "2024-01-01");
    let series = analyze_series(&out, "2024-03-01", "UNRATE");
    assert_eq!(series["vintage"], "latest");

    // An error object from the API (a key it does not know) never replaces the good file.
    server.set(
        &cpi_alfred,
        vec![Reply::Full {
            status: 200,
            headers: vec![("Content-Type", "application/json".into())],
            body: br#"{"error_code":400,"error_message":"Bad Request.  The value for variable api_key is not registered."}"#.to_vec(),
        }],
    );
    let output = tideline_with_key(KEY, &args);
    let text = stdout(&output);
    assert!(
        text.lines().any(|l| l.starts_with("ERROR vintages/CPIAUCSL.csv: ") && l.contains("code 400")),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(out.join("vintages/CPIAUCSL.csv")).expect("kept"), CPI_VINTAGES);
    let listed = manifest(&out);
    let cpi = vintage_entry(&listed, "CPIAUCSL").expect("CPI vintages listed");
    assert!(cpi["source"].as_str().is_some_and(|s| s.contains("kept from an earlier run")), "{cpi}");
    assert!(cpi["error"].as_str().is_some_and(|e| e.contains("code 400")), "{cpi}");
    assert_eq!(cpi["rows"], 3);
}

#[test]
fn without_a_key_nothing_is_fetched_and_the_manifest_says_so() {
    let server = Server::start(vec![
        (fred_target("CPIAUCSL"), vec![ok(fred("CPIAUCSL", CPI_ROWS))]),
        (alfred_target("CPIAUCSL", KEY), vec![ok(CPI_ALFRED)]),
    ]);
    let out = fresh_dir("vintages-no-key");
    let output = mirror_http(&out, &server.base, 5, &["CPIAUCSL"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_eq!(server.seen(), vec![fred_target("CPIAUCSL")], "only the series was requested");
    assert!(
        text.lines()
            .any(|l| l == "NOTE FRED_API_KEY not set: latest vintages only, revisions not accounted for"),
        "{text}"
    );
    assert!(!out.join("vintages").exists(), "nothing written");
    let manifest = manifest(&out);
    assert_eq!(manifest["vintages"]["api_key"], false);
    assert_eq!(
        manifest["vintages"]["note"],
        "FRED_API_KEY not set: latest vintages only, revisions not accounted for"
    );
    assert_eq!(manifest["vintages"]["files"], Value::Array(Vec::new()));
    let series = analyze_series(&out, "2024-03-01", "CPIAUCSL");
    assert_eq!(
        (&series["vintage"], &series["vintage_note"]),
        (&Value::from("latest"), &Value::from("latest vintage: revisions not accounted for"))
    );

    // A series that is not revised asks for no vintages and says nothing about them.
    let server = Server::start(vec![(fred_target("DFF"), vec![ok(fred("DFF", DFF_ROWS))])]);
    let output = tideline_with_key(
        KEY,
        &["mirror", "--out", &out.display().to_string(), "--base-url", &server.base, "--only", "DFF"],
    );
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
    assert_eq!(server.seen(), vec![fred_target("DFF")]);
}

#[test]
fn from_a_folder_valid_vintage_files_are_copied() {
    let from = fresh_dir("vintages-from-src");
    std::fs::create_dir_all(from.join("vintages")).expect("vintages dir");
    std::fs::write(from.join("CPIAUCSL.csv"), fred("CPIAUCSL", CPI_ROWS)).expect("fixture");
    std::fs::write(from.join("UNRATE.csv"), fred("UNRATE", UNRATE_ROWS)).expect("fixture");
    std::fs::write(from.join("vintages/CPIAUCSL.csv"), CPI_VINTAGES).expect("fixture");
    std::fs::write(
        from.join("vintages/UNRATE.csv"),
        "date,realtime_start,value\n2024-01-01,2024-02-02,3.7\n2024-01-01,2024-02-02,3.8\n",
    )
    .expect("fixture");
    let out = fresh_dir("vintages-from-out");
    let output = tideline(&[
        "mirror",
        "--out",
        &out.display().to_string(),
        "--from",
        &from.display().to_string(),
        "--only",
        "CPIAUCSL,UNRATE,INDPRO",
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert_eq!(std::fs::read_to_string(out.join("vintages/CPIAUCSL.csv")).expect("copied"), CPI_VINTAGES);
    let unrate_source = from.join("vintages/UNRATE.csv").display().to_string();
    assert!(
        text.lines().any(|l| l
            == format!(
            "ERROR vintages/UNRATE.csv: {unrate_source}: line 3: duplicate vintage: observation 2024-01-01 \
                 with realtime_start 2024-02-02 appears twice"
        )),
        "{text}"
    );
    assert!(!out.join("vintages/UNRATE.csv").exists());
    let manifest = manifest(&out);
    assert_eq!(manifest["vintages"]["note"], Value::Null, "one file was copied");
    let cpi = vintage_entry(&manifest, "CPIAUCSL").expect("listed");
    assert_eq!(cpi["source"], from.join("vintages/CPIAUCSL.csv").display().to_string());
    assert!(vintage_entry(&manifest, "INDPRO").is_none(), "no file, no entry");
}
