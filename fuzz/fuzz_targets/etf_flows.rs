//! The spot-ETF flow table (`parse_flow_table`): a parsed table ascends strictly by date, every
//! row has one cell per fund, every total (and its difference from the funds) is finite, the total
//! is the reported one or else the sum of the funds, and `totals` keeps every row with a total.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tideline_core::model::flows::{parse_flow_table, FlowTable, TotalSource};

fuzz_target!(|data: &[u8]| {
    let body = tideline_fuzz::text(data);
    // The default `Total` column, and a named one as the Ether file has (`COL11`).
    for total_column in [None, Some("COL11")] {
        match parse_flow_table("etf_flows.csv", &body, total_column) {
            Ok(table) => check_table(&table),
            Err(error) => tideline_fuzz::check_error(&error, &body),
        }
    }
});

fn check_table(table: &FlowTable) {
    assert!(!table.rows.is_empty(), "a table without rows was accepted");
    for pair in table.rows.windows(2) {
        assert!(
            pair[0].date < pair[1].date,
            "rows not strictly ascending: {} then {}",
            pair[0].date,
            pair[1].date
        );
    }
    for row in &table.rows {
        assert_eq!(row.funds.len(), table.funds.len(), "line {}: cells and funds differ", row.line);
        let cells = row.funds.iter().flatten().chain(&row.reported_total).chain(&row.recomputed_total);
        for value in cells.chain(&row.total) {
            assert!(value.is_finite(), "line {}: a flow is not finite: {value}", row.line);
        }
        assert_eq!(row.total, row.reported_total.or(row.recomputed_total));
        let expected_source = match (row.reported_total, row.recomputed_total) {
            (Some(_), _) => Some(TotalSource::Reported),
            (None, Some(_)) => Some(TotalSource::Recomputed),
            (None, None) => None,
        };
        assert_eq!(row.total_source, expected_source);
    }
    for disagreement in &table.disagreements {
        assert!(disagreement.difference.is_finite(), "{}: the difference is not finite", disagreement.date);
    }
    for pair in table.dropped.windows(2) {
        assert!(pair[0].date <= pair[1].date, "dropped rows not sorted by date");
    }
    let with_total = table.rows.iter().filter(|r| r.total.is_some()).count();
    assert_eq!(table.totals("ETF").len(), with_total, "`totals` lost rows");
    let last = table.rows[table.rows.len() - 1].date;
    let until = table.totals_until(last);
    for pair in until.windows(2) {
        assert!(pair[0].0 <= pair[1].0, "totals_until not sorted");
    }
    let _ = table.notes_until(None);
    let _ = table.notes_until(Some(last));
}
