//! Golden tests of the feed parsers on small hand-written fixtures (`tests/fixtures/parse/`), one
//! per format variant and one per error kind, each read the way the app and the command line read
//! a file: [`parse::detect`] then [`parse::parse`]. A last test reads the recorded market files of
//! the shared data folder when it is present.

use proptest::prelude::*;
use tideline_core::parse::{self, Format};
use tideline_core::{Date, Location, ParseError, ParseErrorKind, Series};

/// Tolerance for values written in decimal in the fixtures.
const VALUE_TOLERANCE: f64 = 1e-9;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/parse/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read fixture {path}: {e}"))
}

/// Detects the fixture's format, checks it, and parses it.
fn load(name: &str, expected: Format) -> Result<Series, ParseError> {
    let body = fixture(name);
    let format = parse::detect(name, &body)?;
    assert_eq!(format, expected, "{name}: detected format");
    parse::parse(format, name, &body, None)
}

fn series(name: &str, expected: Format) -> Series {
    load(name, expected).unwrap_or_else(|e| panic!("{name}: expected a series, got {e}"))
}

/// Detects and parses a fixture that must fail, and returns where and why.
fn failure(name: &str) -> (Location, ParseErrorKind) {
    let body = fixture(name);
    let result = parse::detect(name, &body).and_then(|format| parse::parse(format, name, &body, None));
    match result {
        Ok(s) => panic!("{name}: expected an error, got {} observations", s.len()),
        Err(e) => {
            assert_eq!(e.source_name, name);
            (e.location, e.kind)
        }
    }
}

fn date(text: &str) -> Date {
    Date::parse_iso(text).unwrap_or_else(|| panic!("bad test date {text}"))
}

fn assert_observations(s: &Series, expected: &[(&str, f64)]) {
    assert_eq!(s.len(), expected.len(), "{}: observations {:?}", s.id, s.iter().collect::<Vec<_>>());
    for ((d, v), (want_date, want_value)) in s.iter().zip(expected) {
        assert_eq!(d, date(want_date), "{}", s.id);
        assert!((v - want_value).abs() <= VALUE_TOLERANCE * want_value.abs().max(1.0), "{}: {d}: {v}", s.id);
    }
}

fn json_path(path: &str) -> Location {
    Location::JsonPath(path.to_string())
}

// ----- format variants -----

#[test]
fn coingecko_daily_dates_each_midnight_snapshot_the_day_before() {
    // A snapshot at 00:00 UTC of D is D - 1's close; the last "now" point (09:15) stays on its day.
    let s = series("coingecko_daily.json", Format::Coingecko);
    assert_eq!(s.id, "coingecko_daily");
    assert_observations(
        &s,
        &[
            ("2023-12-31", 42280.23),
            ("2024-01-01", 44187.14),
            ("2024-01-02", 44961.6),
            ("2024-01-03", 42848.18),
            ("2024-01-04", 43120.5),
        ],
    );
}

#[test]
fn coingecko_hourly_collapses_to_the_last_point_of_each_day() {
    let s = series("coingecko_hourly.json", Format::Coingecko);
    // The point just after midnight closes the day before.
    assert_observations(&s, &[("2023-10-03", 27382.98), ("2023-10-04", 27700.4), ("2023-10-05", 27590.55)]);
}

#[test]
fn binance_klines_give_closes_by_open_day() {
    let s = series("binance_klines.json", Format::Binance);
    assert_eq!(s.id, "binance_klines");
    assert_observations(&s, &[("2024-01-01", 44179.55), ("2024-01-02", 44946.91), ("2024-01-03", 42845.23)]);
}

#[test]
fn defillama_sums_every_peg_in_usd() {
    let s = series("defillama_stablecoins.json", Format::Defillama);
    assert_observations(&s, &[("2021-04-01", 65.3e9), ("2021-04-02", 65.5e9), ("2021-04-03", 66.281e9)]);
}

#[test]
fn csv_with_commas_quotes_and_extra_columns() {
    let s = series("csv_comma.csv", Format::Csv);
    assert_eq!(s.id, "csv_comma");
    // CoinGecko's export (`snapped_at`): each midnight-UTC snapshot is the close of the day before.
    assert_observations(&s, &[("2023-12-31", 42280.23), ("2024-01-01", 44187.14), ("2024-01-03", 42848.18)]);
}

#[test]
fn csv_with_semicolons_decimal_commas_and_dotted_dates() {
    let s = series("csv_semicolon_decimal_comma.csv", Format::Csv);
    assert_eq!(s.id, "Schlusskurs");
    assert_observations(&s, &[("2024-01-02", 1234.5), ("2024-01-03", 1240.75), ("2024-01-05", 1238.1)]);
}

#[test]
fn csv_with_tabs_and_slashed_iso_dates() {
    let s = series("csv_tab.tsv", Format::Csv);
    assert_eq!(s.id, "csv_tab");
    assert_observations(&s, &[("2024-01-02", 100.5), ("2024-01-03", 101.0), ("2024-01-05", 99.5)]);
}

#[test]
fn csv_with_us_dates() {
    let s = series("csv_us_dates.csv", Format::Csv);
    assert_observations(&s, &[("2023-12-29", 100.5), ("2024-01-02", 101.25), ("2024-01-03", 99.75)]);
}

#[test]
fn csv_with_european_dates() {
    let s = series("csv_european_dates.csv", Format::Csv);
    assert_observations(&s, &[("2023-12-29", 100.5), ("2024-01-02", 101.25), ("2024-01-03", 99.75)]);
}

#[test]
fn csv_with_unix_millisecond_dates() {
    let s = series("csv_unix_ms.csv", Format::Csv);
    assert_eq!(s.id, "market_cap");
    assert_observations(&s, &[("2024-01-01", 1.6e12), ("2024-01-02", 1.7e12), ("2024-01-04", 1.65e12)]);
}

#[test]
fn csv_without_header() {
    let s = series("csv_headerless.csv", Format::Csv);
    assert_eq!(s.id, "csv_headerless");
    assert_observations(&s, &[("2024-01-02", 5.25), ("2024-01-03", 5.5), ("2024-01-05", 5.375)]);
}

#[test]
fn an_explicit_id_names_the_series() {
    let body = fixture("csv_unix_ms.csv");
    let s = parse::parse(Format::Csv, "csv_unix_ms.csv", &body, Some("TOTAL_MCAP")).expect("valid");
    assert_eq!(s.id, "TOTAL_MCAP");
}

#[test]
fn detect_tells_fred_from_other_csv() {
    let detect = |body: &str| parse::detect("x.csv", body);
    assert_eq!(detect("observation_date,WALCL\n2024-01-03,7700000\n"), Ok(Format::Fred));
    assert_eq!(detect("\u{feff}DATE,DFF\r\n2024-01-03,5.33\r\n"), Ok(Format::Fred));
    assert_eq!(detect("date,value\n"), Ok(Format::Fred));
    assert_eq!(detect("Date,Close\n01/02/2024,5\n"), Ok(Format::Csv));
    assert_eq!(detect("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,10\n"), Ok(Format::Csv));
    assert_eq!(detect("DATE;DFF\n2024-01-03;5,33\n"), Ok(Format::Csv));
    assert_eq!(detect("2024-01-03,5\n"), Ok(Format::Csv));
    assert_eq!(parse::detect("binance_BTCUSDT.json", "[]"), Ok(Format::Binance));
    assert!(matches!(
        detect("[]"),
        Err(ParseError { location: Location::Body, kind: ParseErrorKind::NoObservations, .. })
    ));
    assert!(matches!(
        detect("[1, 2]"),
        Err(ParseError { kind: ParseErrorKind::BadJson { .. }, location: Location::JsonPath(p), .. }) if p == "$[0]"
    ));
    assert!(matches!(detect("{\"prices\": [[1, 2"), Ok(Format::Coingecko)));
    assert!(matches!(detect("[[1704067200000, \"1\""), Ok(Format::Binance)));
    assert!(matches!(detect("[{\"date\": \"16"), Ok(Format::Defillama)));
    assert!(matches!(detect("[nope"), Err(ParseError { kind: ParseErrorKind::BadJson { .. }, .. })));
}

// ----- one fixture per error kind -----

#[test]
fn error_non_numeric_value() {
    assert_eq!(
        failure("err_non_numeric.csv"),
        (Location::Line(3), ParseErrorKind::NonNumeric { value: "n.a.".into() })
    );
}

#[test]
fn error_bad_date() {
    let (location, kind) = failure("err_bad_date.csv");
    assert_eq!(location, Location::Line(3));
    assert!(matches!(kind, ParseErrorKind::BadDate { ref value, .. } if value == "2024-02-30"), "{kind:?}");
}

#[test]
fn error_duplicate_date() {
    assert_eq!(
        failure("err_duplicate_date.csv"),
        (Location::Line(4), ParseErrorKind::DuplicateDate { date: date("2024-01-03") })
    );
}

#[test]
fn error_dates_not_ascending() {
    assert_eq!(
        failure("err_not_ascending.csv"),
        (
            Location::Line(3),
            ParseErrorKind::NotAscending { date: date("2024-01-02"), previous: date("2024-01-03") }
        )
    );
}

#[test]
fn error_empty_body() {
    assert_eq!(failure("err_empty.csv"), (Location::Body, ParseErrorKind::Empty));
    for format in [Format::Csv, Format::Coingecko, Format::Binance, Format::Defillama] {
        let e = parse::parse(format, "empty", " \n", None).expect_err("empty");
        assert_eq!((e.location, e.kind), (Location::Body, ParseErrorKind::Empty), "{format:?}");
    }
}

#[test]
fn error_html_page() {
    assert_eq!(
        failure("err_html_page.html"),
        (Location::Line(1), ParseErrorKind::Html { expected: "CSV or JSON" })
    );
    let body = fixture("err_html_page.html");
    for (format, expected) in [
        (Format::Csv, "CSV"),
        (Format::Coingecko, "CoinGecko market_chart JSON"),
        (Format::Binance, "Binance klines JSON"),
        (Format::Defillama, "DefiLlama stablecoin charts JSON"),
    ] {
        let e = parse::parse(format, "page", &body, None).expect_err("html");
        assert_eq!((e.location, e.kind), (Location::Line(1), ParseErrorKind::Html { expected }));
    }
}

#[test]
fn error_truncated_json() {
    let (location, kind) = failure("err_truncated.json");
    assert_eq!(location, Location::Line(1));
    assert!(matches!(kind, ParseErrorKind::Truncated { .. }), "{kind:?}");
}

#[test]
fn error_truncated_csv_last_line() {
    let (location, kind) = failure("err_truncated_last_line.csv");
    assert_eq!(location, Location::Line(4));
    assert!(matches!(kind, ParseErrorKind::Truncated { .. }), "{kind:?}");
}

#[test]
fn error_wrong_column_count() {
    assert_eq!(
        failure("err_wrong_column_count.csv"),
        (Location::Line(3), ParseErrorKind::WrongColumnCount { expected: 3, found: 2 })
    );
}

#[test]
fn error_ambiguous_date() {
    assert_eq!(
        failure("err_ambiguous_date.csv"),
        (Location::Line(2), ParseErrorKind::AmbiguousDate { value: "01/02/2024".into() })
    );
}

#[test]
fn error_rate_limit_json() {
    let (location, kind) = failure("err_rate_limit.json");
    assert_eq!(location, json_path("$"));
    assert!(
        matches!(&kind, ParseErrorKind::BadJson { what } if what.contains("rate limit") && what.contains("429")),
        "{kind:?}"
    );
    // The same through the parser, when the format was given rather than detected.
    let e = parse::parse(Format::Coingecko, "cg", &fixture("err_rate_limit.json"), None).expect_err("429");
    assert_eq!(e.kind, kind);
}

#[test]
fn error_binance_invalid_symbol() {
    let body = fixture("err_binance_invalid_symbol.json");
    let e = parse::parse(Format::Binance, "klines", &body, None).expect_err("error object");
    assert_eq!(e.location, json_path("$"));
    assert!(
        matches!(&e.kind, ParseErrorKind::BadJson { what } if what.contains("-1121") && what.contains("Invalid symbol.")),
        "{:?}",
        e.kind
    );
    assert_eq!(failure("err_binance_invalid_symbol.json").1, e.kind);
}

// ----- robustness -----

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// No input makes a parser panic: each returns a series or an error.
    #[test]
    fn parsers_never_panic(body in "[0-9a-zA-Z,;\t\n\r\"./: \\-\\[\\]{}é€]{0,120}") {
        let _ = parse::detect("p", &body);
        for format in [Format::Fred, Format::Csv, Format::Coingecko, Format::Binance, Format::Defillama] {
            let _ = parse::parse(format, "p", &body, None);
        }
    }

    /// Nor does a well-formed file cut at any byte: it parses (to the cut) or says why not.
    #[test]
    fn cut_fixtures_never_panic(cut in 0usize..400, pick in 0usize..6) {
        let names = [
            "coingecko_hourly.json", "binance_klines.json", "defillama_stablecoins.json",
            "csv_comma.csv", "csv_semicolon_decimal_comma.csv", "csv_us_dates.csv",
        ];
        let body = fixture(names[pick]);
        let end = (0..=cut.min(body.len())).rev().find(|&i| body.is_char_boundary(i)).unwrap_or(0);
        let cut_body = &body[..end];
        if let Ok(format) = parse::detect("p", cut_body) {
            let _ = parse::parse(format, "p", cut_body, None);
        }
    }
}

// ----- recorded market files -----

/// Reads the real recorded feed bodies of the shared data folder (never copied into the project);
/// skipped when the folder is absent.
#[test]
fn recorded_market_files() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/market");
    if !std::path::Path::new(dir).is_dir() {
        eprintln!("skipped: {dir} is absent");
        return;
    }
    // (file, format, fewest observations, plausible range of the last value)
    let cases: [(&str, Format, usize, std::ops::RangeInclusive<f64>); 6] = [
        ("coingecko_bitcoin_market_chart.json", Format::Coingecko, 1800, 20_000.0..=60_000.0),
        ("binance_BTCUSDT_1d.json", Format::Binance, 1000, 30_000.0..=200_000.0),
        ("coingecko_btc-usd-max.csv", Format::Csv, 4000, 30_000.0..=200_000.0),
        ("defillama_stablecoin_supply_total.csv", Format::Csv, 3000, 1.0e11..=1.0e12),
        ("lbma_gold_pm_usd.csv", Format::Csv, 9000, 1_000.0..=10_000.0),
        ("yahoo_BTC-USD.csv", Format::Csv, 4000, 30_000.0..=200_000.0),
    ];
    for (name, expected, fewest, plausible) in cases {
        let path = format!("{dir}/{name}");
        let body = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let format = parse::detect(&path, &body).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(format, expected, "{name}");
        let s = parse::parse(format, &path, &body, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (last_date, last_value) = s.last().unwrap_or_else(|| panic!("{name}: empty"));
        assert!(s.len() >= fewest, "{name}: {} observations", s.len());
        assert!(plausible.contains(&last_value), "{name}: last value {last_value} on {last_date}");
    }
    // Every other recorded file goes through detection and parsing without a panic (whether it
    // parses is the feed's business; the six above must).
    let entries = std::fs::read_dir(dir).map(|d| d.flatten().map(|e| e.path()).collect::<Vec<_>>());
    for path in entries.unwrap_or_default() {
        let Ok(body) = std::fs::read_to_string(&path) else { continue };
        let name = path.display().to_string();
        if let Ok(format) = parse::detect(&name, &body) {
            let _ = parse::parse(format, &name, &body, None);
        }
    }
}
