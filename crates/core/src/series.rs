//! A dated series of observations.

use serde::{Deserialize, Serialize};

use crate::date::Date;

/// A time series: strictly ascending dates with one finite value each.
///
/// Stored as two parallel vectors (structure of arrays) because the model scans values far more
/// often than it looks at single observations. The constructor [`Series::new`] checks the invariant;
/// the parsers build series through [`crate::parse`], which report violations with their position.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// The series id (a FRED id such as `WALCL`, or a user-chosen name).
    pub id: String,
    dates: Vec<Date>,
    values: Vec<f64>,
}

impl Series {
    /// A series from parallel dates and values.
    ///
    /// Returns `None` when the lengths differ, a date does not strictly follow the one before it, or
    /// a value is not finite.
    pub fn new(id: impl Into<String>, dates: Vec<Date>, values: Vec<f64>) -> Option<Series> {
        let ok = dates.len() == values.len()
            && dates.windows(2).all(|w| w[0] < w[1])
            && values.iter().all(|v| v.is_finite());
        ok.then(|| Series { id: id.into(), dates, values })
    }

    /// A series from `(date, value)` pairs; the same checks as [`Series::new`].
    pub fn from_pairs(id: impl Into<String>, pairs: &[(Date, f64)]) -> Option<Series> {
        let (dates, values) = pairs.iter().copied().unzip();
        Series::new(id, dates, values)
    }

    /// The observation dates, ascending.
    pub fn dates(&self) -> &[Date] {
        &self.dates
    }

    /// The values, parallel to [`Series::dates`].
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.dates.len()
    }

    /// True when the series has no observation.
    pub fn is_empty(&self) -> bool {
        self.dates.is_empty()
    }

    /// The first observation.
    pub fn first(&self) -> Option<(Date, f64)> {
        Some((*self.dates.first()?, *self.values.first()?))
    }

    /// The last observation.
    pub fn last(&self) -> Option<(Date, f64)> {
        Some((*self.dates.last()?, *self.values.last()?))
    }

    /// Iterates over `(date, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (Date, f64)> + '_ {
        self.dates.iter().copied().zip(self.values.iter().copied())
    }

    /// Index of the last observation dated on or before `date`.
    pub fn index_at_or_before(&self, date: Date) -> Option<usize> {
        self.dates.partition_point(|d| *d <= date).checked_sub(1)
    }

    /// The last observation dated on or before `date`.
    pub fn at_or_before(&self, date: Date) -> Option<(Date, f64)> {
        let i = self.index_at_or_before(date)?;
        Some((self.dates[i], self.values[i]))
    }

    /// The value observed exactly on `date`.
    pub fn on(&self, date: Date) -> Option<f64> {
        self.dates.binary_search(&date).ok().map(|i| self.values[i])
    }

    /// The same series with every value multiplied by `factor`.
    pub fn scaled(&self, factor: f64) -> Series {
        Series {
            id: self.id.clone(),
            dates: self.dates.clone(),
            values: self.values.iter().map(|v| v * factor).collect(),
        }
    }

    /// The observations dated on or before `date` (what existed by then, before publication lags).
    pub fn truncated_after(&self, date: Date) -> Series {
        let n = self.dates.partition_point(|d| *d <= date);
        Series { id: self.id.clone(), dates: self.dates[..n].to_vec(), values: self.values[..n].to_vec() }
    }

    /// The same observations under another id.
    pub fn renamed(mut self, id: impl Into<String>) -> Series {
        self.id = id.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).expect("test date")
    }

    #[test]
    fn rejects_unsorted_or_non_finite() {
        assert!(Series::new("x", vec![d("2020-01-02"), d("2020-01-01")], vec![1.0, 2.0]).is_none());
        assert!(Series::new("x", vec![d("2020-01-01")], vec![f64::NAN]).is_none());
        assert!(Series::new("x", vec![d("2020-01-01")], vec![]).is_none());
    }

    #[test]
    fn looks_up_as_of() {
        let s = Series::from_pairs("x", &[(d("2020-01-01"), 1.0), (d("2020-01-08"), 2.0)]).expect("valid");
        assert_eq!(s.at_or_before(d("2019-12-31")), None);
        assert_eq!(s.at_or_before(d("2020-01-07")), Some((d("2020-01-01"), 1.0)));
        assert_eq!(s.at_or_before(d("2020-01-08")), Some((d("2020-01-08"), 2.0)));
        assert_eq!(s.truncated_after(d("2020-01-07")).len(), 1);
    }
}
