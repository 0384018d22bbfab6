//! Morris elementary effects screening.
//!
//! Design (Morris 1991, "Factorial sampling plans for preliminary
//! computational experiments", Technometrics 33(2)): the unit cube is
//! replaced by a grid of `p` levels `{0, 1/(p-1), ..., 1}` per factor. A
//! *trajectory* is a random start point on the grid followed by `k` steps;
//! each step moves one factor (in random order, each factor exactly once) by
//! `±delta` with `delta = p / (2 (p - 1))` (2/3 for the default `p = 4`).
//! This uses `k + 1` model runs per trajectory, `r (k + 1)` in total.
//!
//! Elementary effect of factor `i` in a trajectory: the output change of its
//! step divided by the input change, `EE_i = (y(after) - y(before)) / (±delta)`,
//! in unit-cube units (i.e. per whole range of the factor).
//!
//! Measures over the `r` trajectories: `mu` = mean of EE (Morris 1991),
//! `mu*` = mean of |EE| (Campolongo, Cariboni & Saltelli 2007, "An effective
//! screening design for sensitivity analysis of large models", Environ.
//! Model. Softw. 22: mu* avoids cancellation of effects of opposite sign and
//! is a good proxy of the total index), `sigma` = sample standard deviation
//! of EE (denominator `r - 1`; large sigma = non-linear effect or
//! interactions). A 95% percentile bootstrap interval of mu* is obtained by
//! resampling whole trajectories with replacement.
//!
//! Not implemented: Campolongo's "optimised trajectories" (choosing `r` of
//! many candidate trajectories to maximise their spread) and radial designs.

use super::bootstrap::{Interval, bootstrap_ci};
use super::{Result, check_finite, invalid};
use rand::seq::SliceRandom;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

/// Default number of grid levels.
pub const DEFAULT_LEVELS: usize = 4;

/// A Morris trajectory design in the unit cube.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisDesign {
    /// Number of factors.
    pub k: usize,
    /// Number of trajectories.
    pub r: usize,
    /// Number of grid levels `p`.
    pub levels: usize,
    /// Step size `p / (2 (p - 1))`.
    pub delta: f64,
    /// `r (k + 1)` points; trajectory `t` is rows `t (k + 1) ..= t (k + 1) + k`.
    pub rows: Vec<Vec<f64>>,
    /// `changed[t][s]`: the factor moved between rows `s` and `s + 1` of trajectory `t`.
    pub changed: Vec<Vec<usize>>,
}

impl MorrisDesign {
    /// The `k + 1` points of trajectory `t`.
    pub fn trajectory(&self, t: usize) -> &[Vec<f64>] {
        &self.rows[t * (self.k + 1)..(t + 1) * (self.k + 1)]
    }
}

/// Morris measures of one factor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisIndex {
    /// Mean elementary effect.
    pub mu: f64,
    /// Mean absolute elementary effect (Campolongo et al. 2007).
    pub mu_star: f64,
    /// Sample standard deviation of the elementary effects (`r - 1` denominator).
    pub sigma: f64,
    /// 95% percentile bootstrap interval of `mu_star` (trajectories resampled).
    pub mu_star_ci: Interval,
}

/// Result of [`morris_analyze`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MorrisResult {
    /// One entry per factor, in factor order.
    pub indices: Vec<MorrisIndex>,
    /// Elementary effects, `effects[i][t]` for factor `i`, trajectory `t`.
    pub effects: Vec<Vec<f64>>,
    /// Number of trajectories used.
    pub r: usize,
    /// Number of bootstrap resamples.
    pub n_boot: usize,
}

/// Morris design with the default `p = 4` levels (delta = 2/3).
pub fn morris_design<R: Rng + ?Sized>(k: usize, r: usize, rng: &mut R) -> Result<MorrisDesign> {
    morris_design_with_levels(k, r, DEFAULT_LEVELS, rng)
}

/// Morris design with `r` trajectories on a `p`-level grid (`p` even, `>= 2`).
///
/// For each trajectory and factor, the lower of the two grid values visited
/// is drawn uniformly from `{0, ..., 1 - delta}` and the direction (up or
/// down) with probability 1/2; the factors are moved in a random order. This
/// is the distribution of Morris' randomized orientation matrix `B*`, so all
/// `p` levels are equally likely to be visited.
pub fn morris_design_with_levels<R: Rng + ?Sized>(k: usize, r: usize, p: usize, rng: &mut R) -> Result<MorrisDesign> {
    if k == 0 {
        return invalid("morris: need at least one factor");
    }
    if r < 2 {
        return invalid("morris: need at least 2 trajectories (sigma uses r - 1)");
    }
    if p < 2 || !p.is_multiple_of(2) {
        return invalid(format!("morris: levels p = {p} must be even and >= 2"));
    }
    let step = p / 2; // delta in grid steps: p / (2 (p - 1)) * (p - 1)
    let delta = p as f64 / (2.0 * (p as f64 - 1.0));
    let grid = |l: usize| l as f64 / (p - 1) as f64;
    let mut rows = Vec::with_capacity(r * (k + 1));
    let mut changed = Vec::with_capacity(r);
    for _ in 0..r {
        // current grid index per factor, and its target after the move
        let mut cur = vec![0usize; k];
        let mut target = vec![0usize; k];
        for i in 0..k {
            let lower = rng.random_range(0..p - step); // 0 ..= p-1-step
            if rng.random::<bool>() {
                cur[i] = lower;
                target[i] = lower + step;
            } else {
                cur[i] = lower + step;
                target[i] = lower;
            }
        }
        let mut order: Vec<usize> = (0..k).collect();
        order.shuffle(rng);
        rows.push(cur.iter().map(|&l| grid(l)).collect());
        for &i in &order {
            cur[i] = target[i];
            rows.push(cur.iter().map(|&l| grid(l)).collect());
        }
        changed.push(order);
    }
    Ok(MorrisDesign { k, r, levels: p, delta, rows, changed })
}

/// Morris measures (mu, mu*, sigma, bootstrap CI of mu*) from the outputs of
/// a [`MorrisDesign`] (`outputs[j]` is the model output at `design.rows[j]`).
///
/// `n_boot` bootstrap resamples of the trajectories (e.g. 1000) give the 95%
/// percentile interval of mu*; with `n_boot == 0` the interval is `[mu*, mu*]`.
pub fn morris_analyze<R: Rng + ?Sized>(design: &MorrisDesign, outputs: &[f64], n_boot: usize, rng: &mut R) -> Result<MorrisResult> {
    let (k, r) = (design.k, design.r);
    if outputs.len() != design.rows.len() {
        return invalid(format!("morris: {} outputs for {} design rows", outputs.len(), design.rows.len()));
    }
    check_finite("outputs", outputs)?;
    let mut effects = vec![vec![0.0; r]; k];
    for (t, order) in design.changed.iter().enumerate() {
        let base = t * (k + 1);
        for (s, &i) in order.iter().enumerate() {
            let (before, after) = (&design.rows[base + s], &design.rows[base + s + 1]);
            let dx = after[i] - before[i];
            effects[i][t] = (outputs[base + s + 1] - outputs[base + s]) / dx;
        }
    }
    let mu_star_of = |ee: &[f64], idx: &[usize]| -> f64 { idx.iter().map(|&t| ee[t].abs()).sum::<f64>() / idx.len() as f64 };
    let cis = if n_boot > 0 {
        bootstrap_ci(r, n_boot, 0.95, rng, |idx| effects.iter().map(|ee| mu_star_of(ee, idx)).collect())
    } else {
        Vec::new()
    };
    let all: Vec<usize> = (0..r).collect();
    let indices = effects
        .iter()
        .enumerate()
        .map(|(i, ee)| {
            let mu = ee.iter().sum::<f64>() / r as f64;
            let mu_star = mu_star_of(ee, &all);
            let sigma = (ee.iter().map(|e| (e - mu) * (e - mu)).sum::<f64>() / (r - 1) as f64).sqrt();
            let mu_star_ci = cis.get(i).copied().unwrap_or(Interval { lo: mu_star, hi: mu_star });
            MorrisIndex { mu, mu_star, sigma, mu_star_ci }
        })
        .collect();
    Ok(MorrisResult { indices, effects, r, n_boot })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    fn run(k: usize, r: usize, seed: u64, f: impl Fn(&[f64]) -> f64) -> MorrisResult {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let d = morris_design(k, r, &mut rng).unwrap();
        let y: Vec<f64> = d.rows.iter().map(|x| f(x)).collect();
        morris_analyze(&d, &y, 500, &mut rng).unwrap()
    }

    #[test]
    fn design_is_a_valid_set_of_trajectories() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (k, r) = (6, 40);
        let d = morris_design(k, r, &mut rng).unwrap();
        assert_eq!(d.rows.len(), r * (k + 1));
        assert!((d.delta - 2.0 / 3.0).abs() < 1e-15);
        let mut level_count = [0usize; 4];
        for t in 0..r {
            let tr = d.trajectory(t);
            let mut moved = vec![false; k];
            for s in 0..k {
                let diff: Vec<usize> = (0..k).filter(|&i| tr[s][i] != tr[s + 1][i]).collect();
                assert_eq!(diff.len(), 1, "exactly one factor moves per step");
                let i = diff[0];
                assert_eq!(i, d.changed[t][s]);
                assert!(((tr[s + 1][i] - tr[s][i]).abs() - d.delta).abs() < 1e-12);
                assert!(!moved[i], "each factor moves once");
                moved[i] = true;
            }
            for x in tr {
                for &v in x {
                    let l = v * 3.0;
                    assert!((l - l.round()).abs() < 1e-12 && (0.0..=1.0).contains(&v));
                    level_count[l.round() as usize] += 1;
                }
            }
        }
        // all 4 levels are used, roughly equally (expected 6*40*7/4 = 420 each)
        for c in level_count {
            assert!(c > 300 && c < 540, "{level_count:?}");
        }
    }

    #[test]
    fn invalid_arguments() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(morris_design(0, 10, &mut rng).is_err());
        assert!(morris_design(3, 1, &mut rng).is_err());
        assert!(morris_design_with_levels(3, 10, 5, &mut rng).is_err());
        let d = morris_design(3, 10, &mut rng).unwrap();
        assert!(morris_analyze(&d, &[1.0; 5], 10, &mut rng).is_err());
        let mut y = vec![1.0; 40];
        y[3] = f64::NAN;
        assert!(morris_analyze(&d, &y, 10, &mut rng).is_err());
    }

    #[test]
    fn linear_function_gives_coefficients_and_zero_sigma() {
        // y = 5 x1 + 1 x2 + 0 x3: every EE equals the coefficient
        let res = run(3, 20, 1, |x| 5.0 * x[0] + x[1] + 0.0 * x[2]);
        let want = [5.0, 1.0, 0.0];
        for (m, w) in res.indices.iter().zip(want) {
            assert!((m.mu_star - w).abs() < 1e-9, "{m:?}");
            assert!((m.mu - w).abs() < 1e-9);
            assert!(m.sigma < 1e-9);
            assert!(m.mu_star_ci.lo <= m.mu_star + 1e-9 && m.mu_star_ci.hi >= m.mu_star - 1e-9);
            assert!(m.mu_star_ci.width() < 1e-9);
        }
        // negative coefficient: mu negative, mu* positive
        let res = run(2, 10, 2, |x| -3.0 * x[0] + x[1]);
        assert!((res.indices[0].mu + 3.0).abs() < 1e-9);
        assert!((res.indices[0].mu_star - 3.0).abs() < 1e-9);
    }

    #[test]
    fn interaction_gives_positive_sigma_and_correct_ranking() {
        // y = x1 + 4 x2 x3 + 0 x4: EE of x2 is 4 x3 (and vice versa), so
        // mu* of x2, x3 is 4 E[x3] = 2 and their sigma > 0; x1 is linear.
        let res = run(4, 100, 3, |x| x[0] + 4.0 * x[1] * x[2]);
        let m = &res.indices;
        assert!((m[0].mu_star - 1.0).abs() < 1e-9 && m[0].sigma < 1e-9);
        for i in [1, 2] {
            assert!((m[i].mu_star - 2.0).abs() < 0.3, "{:?}", m[i]);
            assert!(m[i].sigma > 0.8, "{:?}", m[i]);
            assert!(m[i].mu_star_ci.contains(m[i].mu_star));
            assert!(m[i].mu_star_ci.lo > m[0].mu_star, "x2, x3 rank above x1");
            assert!(m[i].mu_star_ci.width() > 0.0);
        }
        assert!(m[3].mu_star == 0.0 && m[3].sigma == 0.0);
    }

    #[test]
    fn mu_star_avoids_cancellation_of_opposite_signs() {
        // y = (x1 - 0.5)^2 + 0.3 x2. On the p = 4 grid (delta = 2/3) x1 moves
        // between 0 <-> 2/3 (EE = -1/3) or 1/3 <-> 1 (EE = +1/3), each with
        // probability 1/2: mu* = 1/3 exactly, mu ~ 0, sigma ~ 1/3.
        let res = run(2, 60, 4, |x| (x[0] - 0.5).powi(2) + 0.3 * x[1]);
        let m = &res.indices[0];
        assert!((m.mu_star - 1.0 / 3.0).abs() < 1e-9, "{m:?}");
        assert!(m.mu.abs() < 0.15, "{m:?}");
        assert!((m.sigma - 1.0 / 3.0).abs() < 0.05, "{m:?}");
        assert!((res.indices[1].mu_star - 0.3).abs() < 1e-9);
    }

    #[test]
    fn deterministic_given_seed() {
        let f = |x: &[f64]| x[0] * x[1] + x[2].powi(2);
        let a = run(3, 15, 77, f);
        let b = run(3, 15, 77, f);
        let c = run(3, 15, 78, f);
        assert_eq!(a, b);
        assert_ne!(a, c);
    }
}
