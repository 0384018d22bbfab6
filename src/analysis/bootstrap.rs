//! Quantiles, percentile bootstrap intervals and small descriptive statistics.
//!
//! The bootstrap here is Efron's nonparametric bootstrap with *percentile*
//! intervals (Efron & Tibshirani 1993, "An Introduction to the Bootstrap",
//! ch. 13): resample the `n` independent units (trajectories, base rows, ...)
//! with replacement `n_boot` times, recompute the statistic on each resample,
//! and report the `(1 - level)/2` and `(1 + level)/2` quantiles of the
//! replicates.

use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// A closed interval `[lo, hi]`, used for confidence and credible intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// `true` when `lo <= x <= hi`.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    /// `hi - lo`.
    pub fn width(&self) -> f64 {
        self.hi - self.lo
    }
}

/// Arithmetic mean; NaN for an empty slice.
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        return f64::NAN;
    }
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation with the `n - 1` denominator; NaN when `n < 2`.
pub fn sample_sd(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return f64::NAN;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Quantile `q` in `[0, 1]` of an already sorted slice, by linear
/// interpolation between order statistics (Hyndman & Fan 1996, type 7, the
/// default of R and NumPy). NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let q = q.clamp(0.0, 1.0);
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Quantile `q` of unsorted data (type 7, see [`quantile_sorted`]); NaN values are ignored.
pub fn quantile(x: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = x.iter().copied().filter(|v| !v.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

/// Weighted quantile `q` of `x` with non-negative weights `w`: the inverse
/// of the weighted empirical distribution function, i.e. the smallest `x_i`
/// whose cumulative normalised weight (values sorted ascending) is `>= q`
/// (`q = 0` gives the smallest value with positive weight). With equal
/// weights this is the Hyndman & Fan type 1 quantile. Points with zero
/// weight or NaN value are ignored; NaN if nothing is left.
///
/// # Panics
/// If `x` and `w` differ in length.
pub fn weighted_quantile(x: &[f64], w: &[f64], q: f64) -> f64 {
    assert_eq!(x.len(), w.len(), "weighted_quantile: x and w differ in length");
    let mut idx: Vec<usize> = (0..x.len()).filter(|&i| w[i] > 0.0 && !x[i].is_nan()).collect();
    if idx.is_empty() {
        return f64::NAN;
    }
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let total: f64 = idx.iter().map(|&i| w[i]).sum();
    let target = q.clamp(0.0, 1.0) * total;
    let mut cum = 0.0;
    for &i in &idx {
        cum += w[i];
        if cum >= target {
            return x[i];
        }
    }
    x[*idx.last().unwrap()]
}

/// Percentile bootstrap intervals for a vector-valued statistic.
///
/// `statistic` receives the resampled unit indices (length `n`, drawn with
/// replacement from `0..n`) and returns one value per component. The result
/// holds, for each component, the `(1 - level)/2` and `(1 + level)/2`
/// quantiles of the `n_boot` replicates (non-finite replicates are dropped;
/// an interval with no finite replicate is `[NaN, NaN]`). Drawing the indices
/// uses `rng` sequentially, so the result is reproducible from its seed.
pub fn bootstrap_ci<R, F>(n: usize, n_boot: usize, level: f64, rng: &mut R, mut statistic: F) -> Vec<Interval>
where
    R: Rng + ?Sized,
    F: FnMut(&[usize]) -> Vec<f64>,
{
    let mut reps: Vec<Vec<f64>> = Vec::new();
    let mut idx = vec![0usize; n];
    for _ in 0..n_boot {
        for v in idx.iter_mut() {
            *v = rng.random_range(0..n);
        }
        let s = statistic(&idx);
        if reps.is_empty() {
            reps = vec![Vec::with_capacity(n_boot); s.len()];
        }
        for (c, v) in s.into_iter().enumerate() {
            if v.is_finite() {
                reps[c].push(v);
            }
        }
    }
    let a = (1.0 - level) / 2.0;
    reps.into_iter()
        .map(|mut r| {
            r.sort_by(f64::total_cmp);
            Interval { lo: quantile_sorted(&r, a), hi: quantile_sorted(&r, 1.0 - a) }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn quantile_type7_matches_numpy() {
        // numpy.quantile([1,2,3,4], [0, .25, .5, .9, 1]) = [1, 1.75, 2.5, 3.7, 4]
        let x = [4.0, 1.0, 3.0, 2.0];
        let expect = [(0.0, 1.0), (0.25, 1.75), (0.5, 2.5), (0.9, 3.7), (1.0, 4.0)];
        for (q, e) in expect {
            assert!((quantile(&x, q) - e).abs() < 1e-12, "q={q}");
        }
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn weighted_quantile_equal_weights_and_point_mass() {
        let x = [4.0, 1.0, 3.0, 2.0];
        let w = [1.0; 4];
        // inverse ECDF (type 1): cumulative weights 0.25, 0.5, 0.75, 1 at 1, 2, 3, 4
        assert_eq!(weighted_quantile(&x, &w, 0.0), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.25), 1.0);
        assert_eq!(weighted_quantile(&x, &w, 0.3), 2.0);
        assert_eq!(weighted_quantile(&x, &w, 0.5), 2.0);
        assert_eq!(weighted_quantile(&x, &w, 0.9), 4.0);
        assert_eq!(weighted_quantile(&x, &w, 1.0), 4.0);
        // almost all weight on 3.0
        let w2 = [1e-9, 1e-9, 1.0, 1e-9];
        assert_eq!(weighted_quantile(&x, &w2, 0.1), 3.0);
        assert_eq!(weighted_quantile(&x, &w2, 0.9), 3.0);
        // unequal weights: P(x <= 1) = 0.1, P(x <= 2) = 0.8
        let w3 = [0.2, 0.1, 0.0, 0.7]; // weights of 4, 1, 3, 2
        assert_eq!(weighted_quantile(&x, &w3, 0.05), 1.0);
        assert_eq!(weighted_quantile(&x, &w3, 0.5), 2.0);
        assert_eq!(weighted_quantile(&x, &w3, 0.85), 4.0);
        // zero weights are ignored
        let w4 = [0.0, 1.0, 0.0, 0.0];
        assert_eq!(weighted_quantile(&x, &w4, 0.99), 1.0);
        assert!(weighted_quantile(&x, &[0.0; 4], 0.5).is_nan());
    }

    #[test]
    fn mean_and_sd() {
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!((mean(&x) - 5.0).abs() < 1e-12);
        // sum of squares 32, n-1 = 7
        assert!((sample_sd(&x) - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
    }

    #[test]
    fn bootstrap_ci_of_mean_has_expected_width_and_coverage() {
        // 400 values from U(0,1): the sd of the mean is 1/sqrt(12*400) = 0.0144,
        // so a 95% interval is about 2*1.96*0.0144 = 0.057 wide.
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let x: Vec<f64> = (0..400).map(|_| rng.random::<f64>()).collect();
        let ci = bootstrap_ci(x.len(), 2000, 0.95, &mut rng, |idx| vec![idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64]);
        assert_eq!(ci.len(), 1);
        let ci = ci[0];
        assert!(ci.contains(mean(&x)));
        assert!(ci.contains(0.5), "{ci:?}");
        assert!((ci.width() - 0.057).abs() < 0.012, "width {}", ci.width());
    }

    #[test]
    fn bootstrap_is_deterministic() {
        let x: Vec<f64> = (0..50).map(|i| (i as f64).sin()).collect();
        let stat = |idx: &[usize]| vec![idx.iter().map(|&i| x[i]).sum::<f64>()];
        let a = bootstrap_ci(50, 100, 0.9, &mut ChaCha8Rng::seed_from_u64(9), stat);
        let b = bootstrap_ci(50, 100, 0.9, &mut ChaCha8Rng::seed_from_u64(9), stat);
        assert_eq!(a, b);
    }
}
