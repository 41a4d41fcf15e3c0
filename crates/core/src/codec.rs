//! A compact binary form of a loaded series, for the browser's saved copies: a second visit reads
//! parsed series back without parsing any text.
//!
//! # Layout (version [`VERSION`])
//!
//! ```text
//! magic "TLSB" | version u8 | id, native units, source: each a varint length + UTF-8
//! | n varint | first date: zigzag varint (days since 1970-01-01)
//! | n - 1 date gaps: varint (each >= 1) | n values: f64 little-endian
//! ```
//!
//! Varints are unsigned LEB128 (7 bits a byte). A daily or weekly series takes one byte a date and
//! eight a value, about 9 bytes an observation against 15 to 25 in CSV text, and is read at memory
//! speed: no number or date is parsed from text.
//!
//! Decoding checks everything a parser would: the magic, the version (a newer or older layout is
//! refused with [`CodecError::Version`], so the caller falls back to the text copy or the
//! network), lengths within the buffer, UTF-8, strictly ascending dates (a gap of 0 is refused),
//! finite values and no trailing bytes. It never panics on any input (a property test and the
//! fuzz-style test feed it arbitrary bytes). The catalog's plausible range is checked by the caller
//! ([`crate::catalog::CatalogEntry::check_canonical`]), as for a parsed body.
//!
//! # Dataset snapshots (version [`DATASET_VERSION`])
//!
//! The page parses the feeds and hands the model's inputs to a Web Worker, once per change of the
//! data: [`encode_dataset`] / [`decode_dataset`] carry a whole [`Dataset`] (every series, the
//! roles of the user's own series, the release timing of series loaded from their vintages), and
//! [`encode_tables`] / [`decode_tables`] the table inputs ([`FlowInputs`]: the spot-ETF flow
//! table, the treasury-company sheet). [`fingerprint`] names a pair of them, so results can be
//! cached per (data, settings).
//!
//! ```text
//! magic "TLDS" | version u8 | n varint | n entries, ids strictly ascending:
//!     id: varint length + UTF-8 | role u8 (0: catalog series, 1..=8: a user series' role)
//!     | series: varint length + one series in the layout above (saved under its own id)
//!     | timing u8 (0: none, 1: loaded from vintages) [| vintage source: varint length + UTF-8
//!       | first release day: zigzag varint | rows - 1 gaps: varint (>= 0, never decreasing)]
//! | checksum: FNV-1a 64 of every byte before it, u64 little-endian
//!
//! magic "TLFT" | version u8 | FlowInputs as JSON (serde) | checksum as above
//! ```
//!
//! The catalog is not in a snapshot: both sides hold [`Catalog::builtin`] (the catalog is data
//! compiled into the crate), and [`decode_dataset_over`] takes another one. The checksum is there
//! because a flipped bit in a value would otherwise decode as a valid, different number: with it,
//! any change of one byte is refused (FNV-1a's step is a bijection of its state), and larger
//! damage is refused but for odds of 2^-64. It is not cryptographic: it guards against accidents,
//! not against someone who forges bytes, which nothing here needs (both ends are the same page).
//!
//! Why a binary layout for the series and JSON for the tables: the series are the bulk (about 9
//! bytes an observation, see above) and have the one shape the series layout already reads; the
//! tables are small, and their types carry serde attributes (an internally tagged enum) that a
//! binary serde format such as bincode cannot read, so JSON bytes are both simplest and safe to
//! put in a worker message as a `Vec<u8>`.

use crate::catalog::{Catalog, Role};
use crate::dataset::{Dataset, LoadedSeries, RealTime};
use crate::date::Date;
use crate::model::flows::FlowInputs;
use crate::series::Series;

/// The four bytes every encoded series starts with.
pub const MAGIC: &[u8; 4] = b"TLSB";

/// The layout version written by [`encode`]; [`decode`] reads only this one.
pub const VERSION: u8 = 1;

/// The largest day number accepted either side of 1970 (about 8,000 years): anything beyond is
/// corrupt, and date arithmetic stays far from overflow.
const MAX_DAY: i32 = 3_000_000;

/// The longest string field accepted (id, units, source), in bytes: anything longer is corrupt.
const MAX_TEXT: usize = 64 * 1024;

/// Why bytes could not be read back as a series.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    /// The bytes do not start with [`MAGIC`].
    #[error("not a saved series (no TLSB header)")]
    Magic,
    /// A layout this version does not read.
    #[error("saved in layout version {found}, this version reads {VERSION}")]
    Version {
        /// The version byte found.
        found: u8,
    },
    /// The bytes end before the field named.
    #[error("cut short while reading {field}")]
    Truncated {
        /// The field being read.
        field: &'static str,
    },
    /// A field has an impossible value.
    #[error("{field} is invalid: {why}")]
    Invalid {
        /// The field.
        field: &'static str,
        /// What is wrong.
        why: String,
    },
}

/// Encodes a loaded series as catalog id `id`, in the layout above.
pub fn encode(id: &str, loaded: &LoadedSeries) -> Vec<u8> {
    let series = &loaded.series;
    let n = series.len();
    let mut out =
        Vec::with_capacity(16 + id.len() + loaded.native_units.len() + loaded.source.len() + n * 10);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    for text in [id, loaded.native_units.as_str(), loaded.source.as_str()] {
        put_text(&mut out, text);
    }
    put_varint(&mut out, n as u64);
    let dates = series.dates();
    if let Some(first) = dates.first() {
        put_varint(&mut out, zigzag(i64::from(first.days())));
    }
    for pair in dates.windows(2) {
        // Strictly ascending (the `Series` invariant), so each gap is at least 1.
        put_varint(
            &mut out,
            u64::try_from(i64::from(pair[1].days()) - i64::from(pair[0].days())).unwrap_or(0),
        );
    }
    for value in series.values() {
        out.extend_from_slice(&value.to_le_bytes());
    }
    out
}

/// Decodes bytes written by [`encode`]: the catalog id they were saved under and the series.
pub fn decode(bytes: &[u8]) -> Result<(String, LoadedSeries), CodecError> {
    let mut reader = Reader { bytes, at: 0 };
    if reader.take(MAGIC.len(), "the header").map_err(|_| CodecError::Magic)? != MAGIC {
        return Err(CodecError::Magic);
    }
    let version = reader.take(1, "the version")?[0];
    if version != VERSION {
        return Err(CodecError::Version { found: version });
    }
    let id = reader.text("the id")?;
    let native_units = reader.text("the native units")?;
    let source = reader.text("the source")?;
    let n = reader.varint("the row count")?;
    // Each row takes at least 9 bytes: refuse a count the buffer cannot hold before allocating.
    let n = usize::try_from(n)
        .ok()
        .filter(|n| n.checked_mul(9).is_some_and(|b| b <= reader.remaining()))
        .ok_or(CodecError::Truncated { field: "the rows" })?;
    let mut dates = Vec::with_capacity(n);
    if n > 0 {
        let first = unzigzag(reader.varint("the first date")?);
        let mut day = i32::try_from(first)
            .ok()
            .filter(|d| d.abs() <= MAX_DAY)
            .ok_or_else(|| invalid("the first date", format!("day {first} is out of range")))?;
        dates.push(Date::from_days(day));
        for _ in 1..n {
            let gap = reader.varint("a date")?;
            if gap == 0 {
                return Err(invalid("the dates", "two rows share a date".into()));
            }
            day = i32::try_from(gap)
                .ok()
                .and_then(|g| day.checked_add(g))
                .filter(|d| *d <= MAX_DAY)
                .ok_or_else(|| invalid("the dates", "a date is out of range".into()))?;
            dates.push(Date::from_days(day));
        }
    }
    let raw = reader.take(n * 8, "the values")?;
    let mut values = Vec::with_capacity(n);
    for chunk in raw.chunks_exact(8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let value = f64::from_le_bytes(word);
        if !value.is_finite() {
            return Err(invalid("the values", format!("row {} is not finite", values.len() + 1)));
        }
        values.push(value);
    }
    if reader.remaining() != 0 {
        return Err(invalid("the end", format!("{} unexpected bytes after the values", reader.remaining())));
    }
    let series = Series::new(id.clone(), dates, values)
        .ok_or_else(|| invalid("the series", "dates not ascending or values not finite".into()))?;
    Ok((id, LoadedSeries { series, native_units, source }))
}

/// The four bytes every dataset snapshot starts with.
pub const DATASET_MAGIC: &[u8; 4] = b"TLDS";

/// The four bytes every table snapshot starts with.
pub const TABLES_MAGIC: &[u8; 4] = b"TLFT";

/// The snapshot layout version written by [`encode_dataset`] and [`encode_tables`]; the decoders
/// read only this one.
pub const DATASET_VERSION: u8 = 1;

/// The roles of user series, by their tag in a snapshot (tag = index + 1; 0 is a catalog series).
const ROLES: [Role; 8] = [
    Role::Inflation,
    Role::Rates,
    Role::Liquidity,
    Role::RiskAppetite,
    Role::Growth,
    Role::Asset,
    Role::Global,
    Role::Fx,
];

fn role_tag(role: Role) -> u8 {
    // Exhaustive on purpose: a new role must get a tag here (and in `ROLES`) to be carried.
    match role {
        Role::Inflation => 1,
        Role::Rates => 2,
        Role::Liquidity => 3,
        Role::RiskAppetite => 4,
        Role::Growth => 5,
        Role::Asset => 6,
        Role::Global => 7,
        Role::Fx => 8,
    }
}

/// FNV-1a, 64 bits: a stable, fast, non-cryptographic hash (the same on every platform and
/// version, unlike `std`'s `DefaultHasher`).
#[derive(Clone, Copy, Debug)]
struct Fnv1a(u64);

impl Fnv1a {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;

    fn new() -> Fnv1a {
        Fnv1a(Fnv1a::OFFSET)
    }

    fn write(mut self, bytes: &[u8]) -> Fnv1a {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(Fnv1a::PRIME);
        }
        self
    }
}

/// Encodes everything a [`Dataset`] holds but its catalog, in the snapshot layout (module docs).
/// The same dataset always gives the same bytes.
pub fn encode_dataset(dataset: &Dataset) -> Vec<u8> {
    let rows: usize = dataset.iter().map(|(_, l)| l.series.len()).sum();
    let mut out = Vec::with_capacity(64 + rows * 10);
    out.extend_from_slice(DATASET_MAGIC);
    out.push(DATASET_VERSION);
    let entries: Vec<(&str, &LoadedSeries)> = dataset.iter().collect();
    put_varint(&mut out, entries.len() as u64);
    for (id, loaded) in entries {
        put_text(&mut out, id);
        out.push(dataset.user_role(id).map_or(0, role_tag));
        let series = encode(&loaded.series.id, loaded);
        put_varint(&mut out, series.len() as u64);
        out.extend_from_slice(&series);
        match dataset.real_time(id) {
            None => out.push(0),
            Some(timing) => {
                out.push(1);
                put_text(&mut out, &timing.source);
                if let Some(first) = timing.public_from.first() {
                    put_varint(&mut out, zigzag(i64::from(first.days())));
                }
                for pair in timing.public_from.windows(2) {
                    // Never decreasing (the `RealTime` invariant), so each gap is at least 0.
                    put_varint(
                        &mut out,
                        u64::try_from(i64::from(pair[1].days()) - i64::from(pair[0].days())).unwrap_or(0),
                    );
                }
            }
        }
    }
    seal(out)
}

/// Decodes a snapshot written by [`encode_dataset`] over [`Catalog::builtin`].
pub fn decode_dataset(bytes: &[u8]) -> Result<Dataset, CodecError> {
    decode_dataset_over(bytes, Catalog::builtin())
}

/// Decodes a snapshot written by [`encode_dataset`] over `catalog` (the one the encoding dataset
/// had: a snapshot does not carry it).
pub fn decode_dataset_over(bytes: &[u8], catalog: Catalog) -> Result<Dataset, CodecError> {
    let body = unseal(bytes, DATASET_MAGIC, "not a dataset snapshot (no TLDS header)")?;
    let mut reader = Reader { bytes: body, at: 0 };
    let mut dataset = Dataset::new(catalog);
    let count = reader.varint("the series count")?;
    let mut previous: Option<String> = None;
    for _ in 0..count {
        let id = reader.text("a series id")?;
        if previous.as_ref().is_some_and(|p| *p >= id) {
            return Err(invalid("the series ids", format!("{id} is out of order or repeated")));
        }
        let tag = reader.take(1, "a series role")?[0];
        let role = match tag {
            0 => None,
            _ => Some(
                *ROLES
                    .get(usize::from(tag) - 1)
                    .ok_or_else(|| invalid("a series role", format!("tag {tag} of {id} is not a role")))?,
            ),
        };
        let len = usize::try_from(reader.varint("a series length")?).unwrap_or(usize::MAX);
        let (_, loaded) = decode(reader.take(len, "a series")?)?;
        let real_time = match reader.take(1, "a series' timing")?[0] {
            0 => None,
            1 => Some(read_timing(&mut reader, loaded.series.len())?),
            other => return Err(invalid("a series' timing", format!("tag {other} of {id}"))),
        };
        dataset.restore(&id, loaded, role, real_time);
        previous = Some(id);
    }
    if reader.remaining() != 0 {
        return Err(invalid("the end", format!("{} unexpected bytes after the series", reader.remaining())));
    }
    Ok(dataset)
}

/// The release days of a series of `rows` observations.
fn read_timing(reader: &mut Reader<'_>, rows: usize) -> Result<RealTime, CodecError> {
    let source = reader.text("a vintage source")?;
    // Each day takes at least a byte: refuse a count the buffer cannot hold before allocating.
    if rows > reader.remaining() {
        return Err(CodecError::Truncated { field: "the release days" });
    }
    let mut public_from = Vec::with_capacity(rows);
    if rows > 0 {
        let first = unzigzag(reader.varint("the first release day")?);
        let mut day = i32::try_from(first)
            .ok()
            .filter(|d| d.abs() <= MAX_DAY)
            .ok_or_else(|| invalid("the release days", format!("day {first} is out of range")))?;
        public_from.push(Date::from_days(day));
        for _ in 1..rows {
            let gap = reader.varint("a release day")?;
            day = i32::try_from(gap)
                .ok()
                .and_then(|g| day.checked_add(g))
                .filter(|d| *d <= MAX_DAY)
                .ok_or_else(|| invalid("the release days", "a day is out of range".into()))?;
            public_from.push(Date::from_days(day));
        }
    }
    Ok(RealTime { public_from, source })
}

/// Encodes the table inputs (module docs: JSON between a header and a checksum). The same inputs
/// always give the same bytes.
pub fn encode_tables(inputs: &FlowInputs) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(TABLES_MAGIC);
    out.push(DATASET_VERSION);
    // Invariant: the table types are plain data (strings, numbers, dates as text, enums), which
    // serde_json always writes; a NaN would be written `null` and read back as an error.
    serde_json::to_writer(&mut out, inputs).expect("the table inputs serialise");
    seal(out)
}

/// Decodes the table inputs written by [`encode_tables`].
pub fn decode_tables(bytes: &[u8]) -> Result<FlowInputs, CodecError> {
    let body = unseal(bytes, TABLES_MAGIC, "not a table snapshot (no TLFT header)")?;
    serde_json::from_slice(body).map_err(|e| invalid("the tables", e.to_string()))
}

/// A content fingerprint of the model's inputs: equal data gives an equal number, on every
/// platform and version of this layout, so a result can be cached under (fingerprint, settings).
/// FNV-1a 64 over both snapshots ([`fingerprint_of`]). Not cryptographic: two different data sets
/// share a fingerprint with odds of about 2^-64, and anyone could make them collide on purpose;
/// it names data, it does not authenticate it.
pub fn fingerprint(dataset: &Dataset, inputs: &FlowInputs) -> u64 {
    fingerprint_of(&encode_dataset(dataset), &encode_tables(inputs))
}

/// [`fingerprint`] from snapshots already encoded ([`encode_dataset`], [`encode_tables`]): what
/// the page computes before sending them, and the worker checks on receipt.
pub fn fingerprint_of(dataset: &[u8], tables: &[u8]) -> u64 {
    // The first length keeps (ab, c) and (a, bc) apart.
    Fnv1a::new().write(&(dataset.len() as u64).to_le_bytes()).write(dataset).write(tables).0
}

/// Appends the checksum of everything in `out`.
fn seal(mut out: Vec<u8>) -> Vec<u8> {
    let sum = Fnv1a::new().write(&out).0;
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// The bytes between a snapshot's header (`magic`, version) and its checksum, once both are
/// checked.
fn unseal<'a>(bytes: &'a [u8], magic: &[u8; 4], not_magic: &str) -> Result<&'a [u8], CodecError> {
    if bytes.get(..magic.len()) != Some(&magic[..]) {
        return Err(invalid("the header", not_magic.to_string()));
    }
    let version = *bytes.get(magic.len()).ok_or(CodecError::Truncated { field: "the version" })?;
    if version != DATASET_VERSION {
        return Err(CodecError::Version { found: version });
    }
    let split = bytes.len().checked_sub(8).filter(|s| *s > magic.len());
    let split = split.ok_or(CodecError::Truncated { field: "the checksum" })?;
    let (sealed, sum) = bytes.split_at(split);
    let mut word = [0u8; 8];
    word.copy_from_slice(sum);
    if Fnv1a::new().write(sealed).0 != u64::from_le_bytes(word) {
        return Err(invalid("the checksum", "the bytes were damaged (cut short or changed)".into()));
    }
    Ok(&sealed[magic.len() + 1..])
}

fn put_text(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}

fn invalid(field: &'static str, why: String) -> CodecError {
    CodecError::Invalid { field, why }
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, len: usize, field: &'static str) -> Result<&'a [u8], CodecError> {
        let end = self.at.checked_add(len).filter(|e| *e <= self.bytes.len());
        let end = end.ok_or(CodecError::Truncated { field })?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn varint(&mut self, field: &'static str) -> Result<u64, CodecError> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1, field)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(invalid(field, "a number longer than 64 bits".into()))
    }

    fn text(&mut self, field: &'static str) -> Result<String, CodecError> {
        let len = usize::try_from(self.varint(field)?).unwrap_or(usize::MAX);
        if len > MAX_TEXT {
            return Err(invalid(field, format!("{len} bytes long")));
        }
        let raw = self.take(len, field)?;
        String::from_utf8(raw.to_vec()).map_err(|_| invalid(field, "not UTF-8".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(pairs: &[(i32, f64)]) -> LoadedSeries {
        let dates = pairs.iter().map(|p| Date::from_days(p.0)).collect();
        let values = pairs.iter().map(|p| p.1).collect();
        LoadedSeries {
            series: Series::new("WALCL", dates, values).expect("valid"),
            native_units: "millions of USD".into(),
            source: "data/WALCL.csv".into(),
        }
    }

    #[test]
    fn round_trips_and_is_compact() {
        let weekly: Vec<(i32, f64)> =
            (0..1_000).map(|i| (-3_000 + 7 * i, 1.0e6 + f64::from(i) * 0.25)).collect();
        let original = loaded(&weekly);
        let bytes = encode("WALCL", &original);
        assert!(bytes.len() < 16 + 40 + 9 * 1_000, "{} bytes", bytes.len());
        assert_eq!(decode(&bytes), Ok(("WALCL".to_string(), original)));
        let empty = LoadedSeries { series: Series::new("X", vec![], vec![]).expect("empty"), ..loaded(&[]) };
        assert_eq!(decode(&encode("X", &empty)).map(|(_, l)| l.series.len()), Ok(0));
    }

    #[test]
    fn refuses_every_kind_of_damage() {
        let bytes = encode("WALCL", &loaded(&[(10, 1.0), (17, 2.0), (24, 3.0)]));
        assert_eq!(decode(b"date,value\n"), Err(CodecError::Magic));
        let mut newer = bytes.clone();
        newer[4] = 2;
        assert_eq!(decode(&newer), Err(CodecError::Version { found: 2 }));
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(decode(&longer), Err(CodecError::Invalid { field: "the end", .. })));
        let mut nan = bytes.clone();
        let at = nan.len() - 8;
        nan[at..].copy_from_slice(&f64::NAN.to_le_bytes());
        assert!(matches!(decode(&nan), Err(CodecError::Invalid { field: "the values", .. })));
        // A gap of 0 (two rows on one day): the byte after the first date.
        let gap_at = bytes.len() - 3 * 8 - 2;
        let mut same_day = bytes.clone();
        same_day[gap_at] = 0;
        assert!(matches!(decode(&same_day), Err(CodecError::Invalid { field: "the dates", .. })));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let good = encode("DGS10", &loaded(&[(0, 1.5), (1, 1.6), (4, 1.7)]));
        for round in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bytes = good.clone();
            let flips = 1 + (state % 4) as usize;
            for k in 0..flips {
                let at = ((state >> (8 * k)) as usize) % bytes.len();
                bytes[at] ^= (state >> (16 + k)) as u8 | 1;
            }
            if round % 3 == 0 {
                bytes.truncate((state as usize) % (bytes.len() + 1));
            }
            let _ = decode(&bytes);
        }
    }
}
