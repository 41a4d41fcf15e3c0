//! The careful reader of delimited text: RFC 4180 records (quotes, doubled quotes, embedded
//! delimiters and line breaks, `\n`, `\r` or `\r\n` line ends) read by `csv-core`'s state machine,
//! cells trimmed of Unicode white space, rows of any width, empty lines skipped, each record with
//! the 1-based line the `csv` crate's `Position::line` gives it.
//!
//! It is what `csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(Trim::All)` reads
//! from a `&str` (a test holds the two to the same records and lines), without what that reader
//! costs per body: building `csv-core`'s transition table anew (here it is built once per
//! delimiter and thread, then reset between bodies) and an 8 KiB buffer to copy a body that is already in memory. For the
//! short bodies of the live feeds, of uploads and of the fuzz targets, that building was most of
//! the time a parse took.

use std::cell::RefCell;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// One record: its cells, trimmed, in one buffer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    text: String,
    /// The end of each cell in `text` (a cell starts where the one before it ends).
    ends: Vec<usize>,
}

impl Record {
    /// The number of cells.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the record has no cell (never, for a record the reader returns).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The cell at `index`, if the record has one.
    pub fn get(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)?;
        // `index - 1` is in range since `index` is; every end is where a `push_str` stopped, so
        // both bounds are char boundaries of `text`.
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        Some(&self.text[start..end])
    }

    /// The cells in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }
}

thread_local! {
    /// The state machines built so far, one per delimiter (a handful: `,`, `;`, tab).
    static MACHINES: RefCell<Vec<(u8, Reader)>> = const { RefCell::new(Vec::new()) };
}

/// Runs `read` with a state machine for `delimiter`, fresh from [`Reader::reset`]: the one built
/// for it earlier on this thread, else a new one, kept afterwards. (A machine is reused, never
/// cloned: `csv-core`'s `Clone` copies only part of the transition table.)
fn with_machine<T>(delimiter: u8, read: impl FnOnce(&mut Reader) -> T) -> T {
    let kept = MACHINES.with(|m| {
        let mut machines = m.borrow_mut();
        let at = machines.iter().position(|(d, _)| *d == delimiter)?;
        Some(machines.swap_remove(at).1)
    });
    let mut reader = kept.unwrap_or_else(|| ReaderBuilder::new().delimiter(delimiter).build());
    reader.reset();
    let out = read(&mut reader);
    MACHINES.with(|m| {
        let mut machines = m.borrow_mut();
        if machines.len() < 8 {
            machines.push((delimiter, reader));
        }
    });
    out
}

/// Every record of `body` with the line it starts on (as the `csv` crate counts: the line the
/// reader was on when the record before it ended, so blank lines before a record count towards
/// the record before it).
pub fn records(body: &str, delimiter: u8) -> Vec<(usize, Record)> {
    with_machine(delimiter, |reader| read_all(reader, body))
}

fn read_all(reader: &mut Reader, body: &str) -> Vec<(usize, Record)> {
    let mut input = body.as_bytes();
    let mut out = Vec::new();
    // Scratch buffers, grown as `csv-core` asks; a cell's bytes never outgrow the body's.
    let mut bytes = vec![0u8; body.len().clamp(64, 1 << 16)];
    let mut ends = vec![0usize; 16];
    loop {
        let line = reader.line() as usize;
        let (mut n_out, mut n_ends) = (0, 0);
        loop {
            let (result, n_in, wrote, ended) =
                reader.read_record(input, &mut bytes[n_out..], &mut ends[n_ends..]);
            input = &input[n_in..];
            n_out += wrote;
            n_ends += ended;
            match result {
                // Input ran out: the next call, with nothing, tells the machine the body ended.
                ReadRecordResult::InputEmpty => continue,
                ReadRecordResult::OutputFull => bytes.resize(bytes.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => ends.resize(ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    out.push((line, record(&bytes[..n_out], &ends[..n_ends])));
                    break;
                }
                ReadRecordResult::End => return out,
            }
        }
    }
}

/// The record of the cells `bytes` split at `ends`, each trimmed as `str::trim` trims.
fn record(bytes: &[u8], ends: &[usize]) -> Record {
    let mut record =
        Record { text: String::with_capacity(bytes.len()), ends: Vec::with_capacity(ends.len()) };
    let mut start = 0;
    for &end in ends {
        // Cells are cut at ASCII bytes of text that was UTF-8, and unquoting only drops ASCII
        // quotes, so a cell is UTF-8; the lossy reading is never needed, but costs nothing.
        let cell = String::from_utf8_lossy(&bytes[start..end]);
        record.text.push_str(cell.trim());
        record.ends.push(record.text.len());
        start = end;
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `csv` crate reads from `body`, configured as the parsers once configured it.
    fn reference(body: &str, delimiter: u8) -> Vec<(usize, Vec<String>)> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .delimiter(delimiter)
            .from_reader(body.as_bytes());
        reader
            .records()
            .map(|r| {
                let r = r.expect("a str body reads");
                (r.position().map_or(0, |p| p.line() as usize), r.iter().map(str::to_string).collect())
            })
            .collect()
    }

    fn ours(body: &str, delimiter: u8) -> Vec<(usize, Vec<String>)> {
        records(body, delimiter)
            .into_iter()
            .map(|(line, r)| (line, r.iter().map(str::to_string).collect()))
            .collect()
    }

    #[test]
    fn same_records_and_lines_as_the_csv_crate() {
        let bodies = [
            "",
            "\n\n",
            "a,b\n1,2\n",
            "a,b\r\n1,2\r\n\r\n3,4",
            "a,b\r1,2\r",
            " a , b \n\n\n 1 ,\t2\u{a0}\n",
            "\"q,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n3,4\n",
            "\"unterminated,1\n2,3\n",
            "x\n,\n,,\n  \n1\n",
            "\u{feff}date,value\n2020-01-01,1\n",
            "a;b\n1,5;2,5\n",
            "a\tb\n1\t2\n",
            "only",
            "é,ü\n\"é\"\"\",\u{3000}x\u{3000}\n",
        ];
        for body in bodies {
            for delimiter in [b',', b';', b'\t', b'|'] {
                assert_eq!(
                    ours(body, delimiter),
                    reference(body, delimiter),
                    "{body:?} split at {delimiter}"
                );
            }
        }
    }

    #[test]
    fn long_cells_and_many_cells_grow_the_buffers() {
        let long = "x".repeat(200_000);
        let wide = vec!["c"; 100].join(",");
        let body = format!("{long},1\n{wide}\n");
        assert_eq!(ours(&body, b','), reference(&body, b','));
    }

    #[test]
    fn record_accessors() {
        let all = records("a, b ,\n", b',');
        let (line, record) = &all[0];
        assert_eq!(*line, 1);
        assert_eq!(record.len(), 3);
        assert!(!record.is_empty());
        assert_eq!(record.get(1), Some("b"));
        assert_eq!(record.get(2), Some(""));
        assert_eq!(record.get(3), None);
        assert_eq!(record.iter().collect::<Vec<_>>(), ["a", "b", ""]);
    }
}
