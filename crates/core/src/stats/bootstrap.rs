//! A seeded pseudo-random generator and the circular moving-block bootstrap.
//!
//! # Why blocks
//!
//! Returns are not independent from one day to the next (volatility clusters, and weekly crypto
//! moves spill into Monday's return), so resampling single observations understates the
//! uncertainty of a statistic. The moving-block bootstrap (Künsch 1989) resamples contiguous runs
//! of `block_len` periods, which keeps the dependence inside each run; the circular variant
//! (Politis and Romano 1992) wraps runs past the end back to the start so that every period is
//! drawn equally often. Each replicate concatenates blocks until it holds `n` indices (the last
//! block is cut short), the statistic is evaluated on the resampled indices, and the interval is
//! read from the percentiles of the replicates.
//!
//! # Why a hand-written generator
//!
//! The interval must be reproducible from a seed in the browser and on the command line alike,
//! and the `rand` crate would add weight to the wasm bundle for a few lines of code. SplitMix64
//! (Steele, Lea and Flood 2014; the seeding generator of xoshiro) passes BigCrush, is 64-bit only
//! and is trivially portable. Its period, `2^64`, is far beyond what a bootstrap draws.

use super::descriptive::quantile_sorted;

/// Replicates drawn when the caller has no reason to choose otherwise. The cost is
/// `O(replicates * n)` through [`block_bootstrap_ci`], `O(replicates * n / block_len)` for a
/// statistic on runs ([`block_bootstrap_runs_ci`]); 1000 replicates put the 2.5% and 97.5%
/// percentiles on 25 draws each.
pub const DEFAULT_REPLICATES: usize = 1000;

/// The SplitMix64 generator: a 64-bit state advanced by a constant and scrambled on output.
///
/// Deterministic: the same seed gives the same sequence on every platform.
///
/// # Formula
///
/// `s += 0x9E3779B97F4A7C15; z = s; z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9;
/// z = (z ^ z >> 27) * 0x94D049BB133111EB; output z ^ z >> 31` (wrapping arithmetic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform draw from `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        // 2^-53: the top 53 bits become the mantissa of a double in [0, 1).
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..bound` without modulo bias (Lemire's multiply-and-reject);
    /// 0 when `bound` is 0.
    pub fn below(&mut self, bound: usize) -> usize {
        self.below_with(Below::new(bound))
    }

    /// [`SplitMix64::below`] with the rejection threshold computed once by [`Below::new`]: the same
    /// draws without a 64-bit division per call.
    #[inline]
    pub fn below_with(&mut self, below: Below) -> usize {
        let Below { bound, threshold } = below;
        if bound == 0 {
            return 0;
        }
        loop {
            let product = u128::from(self.next_u64()) * u128::from(bound);
            if (product as u64) >= threshold {
                // The high word is below `bound`, which came from a usize.
                return (product >> 64) as usize;
            }
        }
    }
}

/// The bound of [`SplitMix64::below`] with its rejection threshold, for drawing many times from
/// the same range.
///
/// # Formula
///
/// `threshold = 2^64 mod bound` (computed as `(2^64 - bound) mod bound`): outputs whose low word
/// `(x * bound) mod 2^64` is below it are rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Below {
    bound: u64,
    threshold: u64,
}

impl Below {
    /// The sampler of `0..bound` (always 0 when `bound` is 0).
    pub fn new(bound: usize) -> Below {
        let bound = bound as u64;
        // The high word of x * bound is uniform on 0..bound once the low word is past the
        // 2^64 mod bound values that would over-represent some outcomes.
        let threshold = if bound == 0 { 0 } else { bound.wrapping_neg() % bound };
        Below { bound, threshold }
    }
}

/// The default block length for `n` periods: `n^(1/3)` rounded, at least 2, at most `n`.
///
/// `n^(1/3)` is the rate at which the mean-squared-error-optimal block length grows for variance
/// and distribution estimation (Hall, Horowitz and Jing 1995); the floor of 2 keeps adjacent
/// periods together even in short samples. About 10 for four years of weekly data, 19 for 25 years
/// of daily data.
pub fn default_block_len(n: usize) -> usize {
    let cube_root = (n as f64).cbrt().round() as usize;
    cube_root.max(2).min(n.max(1))
}

/// A percentile interval of `statistic` by the circular moving-block bootstrap.
///
/// Each of `replicates` resamples is a vector of `n` indices into the caller's data (`0..n`) made
/// of blocks of `block_len` consecutive indices starting at uniform positions and wrapping past
/// `n - 1` to 0; `statistic` receives it and returns its value, or `None` when undefined on that
/// resample. The result is `[lo, hi]`, the `(1 - level) / 2` and `(1 + level) / 2` type 7
/// quantiles of the defined values. The same `seed` gives the same interval.
///
/// `None` when `n`, `block_len` or `replicates` is zero, `level` is outside `(0, 1)`, or the
/// statistic is undefined on half of the replicates or more (an interval from the remaining ones
/// would describe a selected subset). `block_len` above `n` is cut to `n`; see
/// [`default_block_len`].
///
/// # Example
///
/// ```
/// use tideline_core::stats::bootstrap::{block_bootstrap_ci, default_block_len};
/// use tideline_core::stats::descriptive::mean;
///
/// let returns = [0.5, -0.2, 0.1, 0.4, -0.3, 0.2, 0.0, 0.3, -0.1, 0.6];
/// let block = default_block_len(returns.len());
/// let resampled_mean = |idx: &[usize]| mean(&idx.iter().map(|&i| returns[i]).collect::<Vec<_>>());
/// let [lo, hi] = block_bootstrap_ci(returns.len(), block, 500, 7, 0.95, resampled_mean).unwrap();
/// assert!(lo < 0.15 && 0.15 < hi);
/// ```
pub fn block_bootstrap_ci(
    n: usize,
    block_len: usize,
    replicates: usize,
    seed: u64,
    level: f64,
    mut statistic: impl FnMut(&[usize]) -> Option<f64>,
) -> Option<[f64; 2]> {
    // Capacity is a hint only; absurd arguments must not abort on allocation up front.
    let mut indices = Vec::with_capacity(n.min(1 << 20));
    block_bootstrap_runs_ci(n, block_len, replicates, seed, level, |runs| {
        indices.clear();
        for &(start, len) in runs {
            indices.extend(start..start + len);
        }
        statistic(&indices)
    })
}

/// [`block_bootstrap_ci`] for statistics that can use whole runs at once: each resample is handed
/// over as runs `(start, len)` of consecutive indices `start..start + len` (a block that wraps
/// past `n - 1` is two runs). The draws are the same as [`block_bootstrap_ci`]'s for the same
/// seed, so both give the same interval; a statistic built on prefix sums then costs one step per
/// block instead of one per index.
pub fn block_bootstrap_runs_ci(
    n: usize,
    block_len: usize,
    replicates: usize,
    seed: u64,
    level: f64,
    mut statistic: impl FnMut(&[(usize, usize)]) -> Option<f64>,
) -> Option<[f64; 2]> {
    if n == 0 || block_len == 0 || replicates == 0 || !(level > 0.0 && level < 1.0) {
        return None;
    }
    let block_len = block_len.min(n);
    let mut rng = SplitMix64::new(seed);
    let below_n = Below::new(n);
    // Reused by every replicate and written by index (grown when short): the draw loop is the hot
    // path, and `Vec::push` is not inlined under the size-optimised wasm profile.
    let mut runs: Vec<(usize, usize)> = vec![(0, 0); (2 * (n / block_len) + 2).min(1 << 20)];
    let mut values = Vec::with_capacity(replicates.min(1 << 16));
    for _ in 0..replicates {
        let mut count = 0;
        let mut drawn = 0;
        while drawn < n {
            if count + 2 > runs.len() {
                runs.resize(2 * runs.len() + 2, (0, 0));
            }
            let start = rng.below_with(below_n);
            let take = block_len.min(n - drawn);
            // start < n: the block is `start..start + take`, wrapping once past n - 1.
            let first = take.min(n - start);
            runs[count] = (start, first);
            count += 1;
            if first < take {
                runs[count] = (0, take - first);
                count += 1;
            }
            drawn += take;
        }
        if let Some(value) = statistic(&runs[..count]).filter(|v| v.is_finite()) {
            values.push(value);
        }
    }
    if values.len() < 2 || values.len() * 2 <= replicates {
        return None;
    }
    values.sort_unstable_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Some([quantile_sorted(&values, tail)?, quantile_sorted(&values, 1.0 - tail)?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::descriptive::mean;
    use proptest::prelude::*;

    #[test]
    fn splitmix64_reference_vector() {
        // First outputs for seed 1234567 of the reference C implementation (Vigna, splitmix64.c).
        let mut rng = SplitMix64::new(1_234_567);
        let expected = [
            6457827717110365317,
            3203168211198807973,
            9817491932198370423,
            4593380528125082431,
            16408922859458223821,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn uniform_draws_stay_in_range_and_spread() {
        let mut rng = SplitMix64::new(3);
        let mut counts = [0usize; 7];
        for _ in 0..7000 {
            let draw = rng.below(7);
            counts[draw] += 1;
            let u = rng.next_f64();
            assert!((0.0..1.0).contains(&u));
        }
        // 1000 expected per cell; a fair die stays within ±15% here with overwhelming probability.
        assert!(counts.iter().all(|c| (850..1150).contains(c)), "{counts:?}");
        assert_eq!(rng.below(0), 0);
        assert_eq!(rng.below(1), 0);
    }

    #[test]
    fn block_length_rule() {
        // round(cbrt n), at least 2, at most n.
        assert_eq!(default_block_len(1000), 10);
        assert_eq!(default_block_len(6500), 19);
        assert_eq!(default_block_len(156), 5);
        assert_eq!(default_block_len(5), 2);
        assert_eq!(default_block_len(1), 1);
        assert_eq!(default_block_len(0), 1);
    }

    #[test]
    fn resamples_are_circular_blocks() {
        let (n, block) = (10, 3);
        let mut seen = Vec::new();
        let ci = block_bootstrap_ci(n, block, 50, 11, 0.9, |idx| {
            seen.push(idx.to_vec());
            Some(idx.iter().sum::<usize>() as f64)
        });
        assert!(ci.is_some());
        for idx in &seen {
            assert_eq!(idx.len(), n);
            for chunk in idx.chunks(block) {
                // Consecutive modulo n inside each block.
                assert!(chunk.windows(2).all(|w| w[1] == (w[0] + 1) % n), "{chunk:?}");
            }
        }
        // Over 50 replicates every index appears (circular wrap gives the ends a fair share).
        assert!((0..n).all(|i| seen.iter().flatten().any(|j| *j == i)));
    }

    #[test]
    fn undefined_inputs() {
        let stat = |_: &[usize]| Some(1.0);
        assert_eq!(block_bootstrap_ci(0, 2, 10, 1, 0.95, stat), None);
        assert_eq!(block_bootstrap_ci(10, 0, 10, 1, 0.95, stat), None);
        assert_eq!(block_bootstrap_ci(10, 2, 0, 1, 0.95, stat), None);
        assert_eq!(block_bootstrap_ci(10, 2, 10, 1, 1.0, stat), None);
        assert_eq!(block_bootstrap_ci(10, 2, 10, 1, f64::NAN, stat), None);
        assert_eq!(block_bootstrap_ci(10, 50, 10, 1, 0.95, stat), Some([1.0, 1.0]));
        // Undefined on every other replicate: half is not enough.
        let mut flip = false;
        let half = |_: &[usize]| {
            flip = !flip;
            flip.then_some(1.0)
        };
        assert_eq!(block_bootstrap_ci(10, 2, 10, 1, 0.95, half), None);
        assert_eq!(block_bootstrap_ci(10, 2, 10, 1, 0.95, |_| Some(f64::NAN)), None);
    }

    proptest! {
        #[test]
        fn deterministic_for_a_seed_and_covers_the_mean(
            data in prop::collection::vec(-100i32..100, 20..120),
            seed in any::<u64>(),
        ) {
            let data: Vec<f64> = data.into_iter().map(f64::from).collect();
            let block = default_block_len(data.len());
            let resampled_mean = |idx: &[usize]| mean(&idx.iter().map(|&i| data[i]).collect::<Vec<_>>());
            let first = block_bootstrap_ci(data.len(), block, 200, seed, 0.95, resampled_mean);
            let second = block_bootstrap_ci(data.len(), block, 200, seed, 0.95, resampled_mean);
            prop_assert_eq!(first, second);
            let [lo, hi] = first.expect("the mean is always defined");
            let point = mean(&data).expect("non-empty");
            prop_assert!(lo <= point && point <= hi, "{lo} <= {point} <= {hi}");
        }
    }
}
