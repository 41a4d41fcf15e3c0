//! Byte-level pieces of the fast CSV readers in [`super::fred`] and [`super::user_csv`].
//!
//! Design: most feed bodies are plain: no quote anywhere, lines ended by `\n` or `\r\n`. Such a
//! body reads line by line with a byte search for the newline and the delimiter, cells borrowed
//! from the body, which is many times faster than the general `csv` reader (a `StringRecord` per
//! row, trimmed into a second one). [`plain_body`] says when that reading is exactly the `csv`
//! crate's; any other body (quoted cells, a lone `\r`, which `csv` takes as a line end) goes to the
//! general reader. Numbers take [`plain_decimal`] first and `str::parse` for anything else, so that
//! every value is bit-identical to `str::parse`.

/// True when reading `body` line by line (split at `\n`, one `\r` before it dropped, cells split
/// at the delimiter) gives the same records as the `csv` crate: no `"` (no quoting rules apply)
/// and every `\r` followed by `\n` (`csv` also ends a record at a lone `\r`).
pub(crate) fn plain_body(body: &str) -> bool {
    let bytes = body.as_bytes();
    if bytes.contains(&b'"') {
        return false;
    }
    if !bytes.contains(&b'\r') {
        return true; // most bodies
    }
    // Each `\r` must be followed by `\n`: one pass from `\r` to `\r`.
    let mut rest = bytes;
    while let Some(at) = rest.iter().position(|&b| b == b'\r') {
        if rest.get(at + 1) != Some(&b'\n') {
            return false;
        }
        rest = &rest[at + 2..];
    }
    true
}

/// The lines of a [`plain_body`]: `(line number from 1, text without its line end, whether the
/// line lacks its `\n`)`. Empty lines are yielded too; the caller skips them as `csv` does.
pub(crate) fn lines(body: &str) -> Lines<'_> {
    Lines { rest: body, number: 0 }
}

/// The iterator of [`lines`].
pub(crate) struct Lines<'b> {
    rest: &'b str,
    number: usize,
}

impl<'b> Lines<'b> {
    /// The text after the lines read so far.
    pub(crate) fn remainder(&self) -> &'b str {
        self.rest
    }
}

impl<'b> Iterator for Lines<'b> {
    type Item = (usize, &'b str, bool);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'b str, bool)> {
        if self.rest.is_empty() {
            return None;
        }
        self.number += 1;
        let (line, cut) = match self.rest.as_bytes().iter().position(|&b| b == b'\n') {
            Some(end) => {
                let (line, rest) = self.rest.split_at(end);
                self.rest = &rest[1..];
                (line, false)
            }
            None => (std::mem::take(&mut self.rest), true),
        };
        // A `\r` before the `\n` (a plain body has no other); ASCII, so a char boundary.
        let line = match line.as_bytes().last() {
            Some(b'\r') => &line[..line.len() - 1],
            _ => line,
        };
        Some((self.number, line, cut))
    }
}

/// `text` split at its first `delimiter` (an ASCII byte), as `str::split_once`; a byte loop,
/// which beats a `memchr` on cells of a few bytes.
pub(crate) fn split_once(text: &str, delimiter: u8) -> Option<(&str, &str)> {
    let at = text.as_bytes().iter().position(|&b| b == delimiter)?;
    Some((&text[..at], &text[at + 1..]))
}

/// `str::trim`, with a shortcut for the usual cell that has nothing to trim.
#[inline]
pub(crate) fn trim(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(&first), Some(&last)) if plain_edge(first) && plain_edge(last) => cell,
        _ => cell.trim(),
    }
}

/// [`trim`] on the bytes of a cell cut from a `str` at ASCII delimiters (so valid UTF-8); `None`
/// only if it is not.
#[inline]
pub(crate) fn trim_bytes(cell: &[u8]) -> Option<&[u8]> {
    match (cell.first(), cell.last()) {
        (Some(&first), Some(&last)) if plain_edge(first) && plain_edge(last) => Some(cell),
        _ => std::str::from_utf8(cell).ok().map(|text| text.trim().as_bytes()),
    }
}

/// A byte that cannot be (part of) whitespace: printable ASCII other than the space.
#[inline]
fn plain_edge(b: u8) -> bool {
    b > b' ' && b < 0x7f
}

/// The largest integer below which every integer is an exact `f64`.
const EXACT_INTEGER: u64 = 1 << 53;
/// Powers of ten that are exact `f64`s.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
    1e19, 1e20, 1e21, 1e22,
];

/// A plain decimal (`1234.56`, `-0.5`, `7`, `.5`, `5.`) whose digits fit an exact `f64` and whose
/// fraction has at most 22 digits; `None` for anything else (a `+`, an exponent, `inf`, more
/// digits), which the caller hands to `str::parse`.
///
/// Exact: the digits as an integer and the power of ten are both exact `f64`s, so their quotient
/// is the correctly rounded value, which is what `str::parse` returns (Clinger's fast path).
pub(crate) fn plain_decimal(text: &[u8]) -> Option<f64> {
    decimal_prefix(text).filter(|&(_, used)| used == text.len()).map(|(value, _)| value)
}

/// The plain decimal at the start of `text` and the bytes it takes, for scanners that read a
/// number and look for its end in one pass; `None` when the start is not one [`plain_decimal`]
/// reads (no digit, too many digits).
#[inline]
pub(crate) fn decimal_prefix(text: &[u8]) -> Option<(f64, usize)> {
    let (negative, sign) = match text.first() {
        Some(b'-') => (true, 1),
        _ => (false, 0),
    };
    let mut mantissa: u64 = 0;
    let mut at = sign;
    while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
        mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
        at += 1;
    }
    let mut digits = at - sign;
    let mut places = 0;
    if text.get(at) == Some(&b'.') {
        at += 1;
        while let Some(&b) = text.get(at).filter(|b| b.is_ascii_digit()) {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(b - b'0'));
            at += 1;
            places += 1;
        }
        digits += places;
    }
    // Nineteen digits cannot overflow a u64 (10^19 - 1 < 2^64), so the wrapping above never wraps.
    if digits == 0 || digits > 19 || mantissa > EXACT_INTEGER {
        return None;
    }
    let magnitude = mantissa as f64 / *POWERS_OF_TEN.get(places)?;
    Some((if negative { -magnitude } else { magnitude }, at))
}

/// Rows to make room for: the body's length over the mean length of its first lines (a little
/// more, so that a regular file needs no second allocation), not a pass over the whole body.
pub(crate) fn estimated_rows(body: &str) -> usize {
    const SAMPLE: usize = 32;
    let sample: usize = lines(body).take(SAMPLE).map(|(_, line, _)| line.len() + 1).sum();
    let mean = (sample / SAMPLE.min(lines(body).take(SAMPLE).count()).max(1)).max(1);
    body.len() / mean + body.len() / mean / 16 + SAMPLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_equal_str_parse() {
        for text in [
            "0",
            "-0",
            "1234.56",
            "-0.5",
            "7",
            ".5",
            "5.",
            "0.1",
            "0.3",
            "9007199254740992",
            "123456.7891234",
            "0.0000000000000001",
            "00012.5000",
        ] {
            let expected: f64 = text.parse().expect("a number");
            let fast = plain_decimal(text.as_bytes()).unwrap_or_else(|| panic!("{text} takes the fast path"));
            assert_eq!(fast.to_bits(), expected.to_bits(), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "-.",
            "+1",
            "1e5",
            "1.2.3",
            "inf",
            "NaN",
            "1,5",
            "12345678901234567890",
            "9007199254740993",
            "1.7976931348623157",
        ] {
            assert_eq!(plain_decimal(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn plain_bodies_have_no_quote_and_no_lone_cr() {
        assert!(plain_body("a,b\r\n1,2\n"));
        assert!(!plain_body("a,\"b\"\n"));
        assert!(!plain_body("a,b\r1,2\n"));
        assert!(!plain_body("a,b\n1,2\r"));
    }

    #[test]
    fn lines_drop_their_ends_and_say_when_cut() {
        let all: Vec<_> = lines("a\r\n\nb\nc").collect();
        assert_eq!(all, [(1, "a", false), (2, "", false), (3, "b", false), (4, "c", true)]);
        assert_eq!(trim(" \u{a0}x\t"), "x");
    }
}
