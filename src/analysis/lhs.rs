//! Latin hypercube sampling (McKay, Beckman & Conover 1979) on the unit cube,
//! and the uniform mapping of unit values to parameter ranges.
//!
//! For `n` points in `k` dimensions, each axis is cut into `n` equal strata
//! `[j/n, (j+1)/n)`; every column gets an independent random permutation of
//! the strata, and each point is placed uniformly at random inside its
//! stratum. Hence every column has exactly one point in each stratum.

use rand::seq::SliceRandom;
use rand::{Rng, RngExt};

/// Latin hypercube sample of `n` points in `[0, 1)^k`, as `n` rows of `k` values.
///
/// Row `i`, column `c` is `(perm_c[i] + u) / n` with `perm_c` a random
/// permutation of `0..n` (independent per column) and `u ~ U[0, 1)`.
/// Returns an empty vector when `n == 0`.
pub fn lhs<R: Rng + ?Sized>(n: usize, k: usize, rng: &mut R) -> Vec<Vec<f64>> {
    let mut rows = vec![vec![0.0; k]; n];
    let mut perm: Vec<usize> = (0..n).collect();
    for c in 0..k {
        perm.shuffle(rng);
        for (i, row) in rows.iter_mut().enumerate() {
            let u: f64 = rng.random();
            // (perm + u)/n < 1 always holds in floating point for u < 1, but
            // guard against rounding up to exactly 1.0.
            let v = (perm[i] as f64 + u) / n as f64;
            row[c] = v.min(1.0 - f64::EPSILON / 2.0);
        }
    }
    rows
}

/// Map one point of the unit cube to the box `ranges` (uniform scaling):
/// `x_c = lo_c + u_c * (hi_c - lo_c)`.
///
/// # Panics
/// If `u.len() != ranges.len()`.
pub fn scale_point(u: &[f64], ranges: &[(f64, f64)]) -> Vec<f64> {
    assert_eq!(u.len(), ranges.len(), "scale_point: point and ranges differ in length");
    u.iter().zip(ranges).map(|(&u, &(lo, hi))| lo + u * (hi - lo)).collect()
}

/// Map every row of a unit-cube design to the box `ranges` (see [`scale_point`]).
///
/// # Panics
/// If a row's length differs from `ranges.len()`.
pub fn scale_to_ranges(unit: &[Vec<f64>], ranges: &[(f64, f64)]) -> Vec<Vec<f64>> {
    unit.iter().map(|row| scale_point(row, ranges)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn exactly_one_point_per_stratum_per_column() {
        for &(n, k) in &[(1usize, 3usize), (7, 2), (100, 5), (1000, 3)] {
            let mut rng = ChaCha8Rng::seed_from_u64(n as u64);
            let x = lhs(n, k, &mut rng);
            assert_eq!(x.len(), n);
            for c in 0..k {
                let mut seen = vec![0u32; n];
                for row in &x {
                    assert_eq!(row.len(), k);
                    assert!((0.0..1.0).contains(&row[c]));
                    seen[(row[c] * n as f64).floor() as usize] += 1;
                }
                assert!(seen.iter().all(|&s| s == 1), "n={n} column {c}: {seen:?}");
            }
        }
    }

    #[test]
    fn columns_are_not_identical_permutations() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let x = lhs(50, 2, &mut rng);
        let same = x.iter().filter(|r| (r[0] * 50.0).floor() == (r[1] * 50.0).floor()).count();
        assert!(same < 50);
    }

    #[test]
    fn empty_and_deterministic() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(lhs(0, 3, &mut rng).is_empty());
        let a = lhs(20, 4, &mut ChaCha8Rng::seed_from_u64(42));
        let b = lhs(20, 4, &mut ChaCha8Rng::seed_from_u64(42));
        let c = lhs(20, 4, &mut ChaCha8Rng::seed_from_u64(43));
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn scaling_to_ranges() {
        let ranges = [(0.0, 10.0), (-1.0, 1.0), (100.0, 101.0)];
        assert_eq!(scale_point(&[0.0, 0.5, 1.0], &ranges), vec![0.0, 0.0, 101.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let x = scale_to_ranges(&lhs(30, 3, &mut rng), &ranges);
        for row in &x {
            for (v, &(lo, hi)) in row.iter().zip(&ranges) {
                assert!(*v >= lo && *v < hi);
            }
        }
        // stratification survives the affine map: one point per tenth of [0, 10)
        let mut seen = [0u32; 30];
        for row in &x {
            seen[(row[0] / 10.0 * 30.0).floor() as usize] += 1;
        }
        assert!(seen.iter().all(|&s| s == 1));
    }
}
