//! Global sensitivity analysis and approximate Bayesian computation (ABC): the estimators
//! behind `kicsim sensitivity`, `kicsim calibrate` and `--parameter-draws`.
//!
//! A small, dependency-light toolbox (brought in from the sa-dev library with its tests; the
//! Ishigami tests in [`sobol`] state the agreement with the analytic indices). Every routine that needs randomness takes the caller's random
//! number generator (normally a seeded [`rand::rngs::ChaCha8Rng`]), so every
//! result is reproducible from a seed. Parallel work (model evaluation in
//! [`evaluate_parallel`] and in the ABC samplers) draws every random number
//! *before* the parallel section and collects results in input order, so the
//! output does not depend on the number of threads.
//!
//! Modules:
//! - [`mod@lhs`]: Latin hypercube sampling on the unit cube and mapping to ranges.
//! - [`oat`]: one-at-a-time (tornado) design and effects.
//! - [`morris`]: Morris elementary effects (mu, mu*, sigma, bootstrap CI of mu*).
//! - [`sobol`]: Sobol' first-order and total indices with Saltelli sampling.
//! - [`abc`]: rejection ABC and ABC-SMC (population Monte Carlo).
//! - [`bootstrap`]: quantiles, percentile bootstrap intervals, small statistics helpers.
//!
//! Designs are generated in the unit cube `[0, 1]^k`; map them to parameter
//! ranges with [`lhs::scale_point`] / [`lhs::scale_to_ranges`]. Analysis
//! functions take the model outputs in the same row order as the design.
//!
//! ```
//! use rand::SeedableRng;
//! use rand::rngs::ChaCha8Rng;
//! use kicsim::analysis::*;
//!
//! let mut rng = ChaCha8Rng::seed_from_u64(42);
//! let ranges = [(0.0, 1.0), (0.0, 2.0)];
//!
//! // Sobol' indices of y = x0 + x1 on the ranges above, with a dummy column.
//! let design = saltelli_design(256, 2, true, BaseSampling::ScrambledSobol, &mut rng)?;
//! let model = |u: &[f64], _seed: u64| {
//!     let x = scale_point(&u[..2], &ranges); // drop the dummy, map to ranges
//!     x[0] + x[1]
//! };
//! let y = evaluate_parallel(&design.rows, &model, &mut rng, &no_progress);
//! let sobol = sobol_analyze(&design, &y, 200, &mut rng)?;
//! assert!(sobol.indices[1].st > sobol.indices[0].st); // x1 has the wider range
//! assert_eq!(sobol.dummy().unwrap().st, 0.0);
//!
//! // Rejection ABC: which (a, b) give a + b = 1 (target sd 0.05)?
//! let sim = |theta: &[f64], _seed: u64| vec![theta[0] + theta[1]];
//! let cfg = RejectionConfig { n_simulations: 5000, tolerance: Tolerance::Quantile(0.05) };
//! let post = abc_rejection(&sim, &[Target::value(1.0, 0.05)], &ranges, &cfg, &mut rng, &no_progress)?;
//! assert_eq!(post.samples.len(), 250);
//! assert!(post.summary[0].sd_ratio < 1.0);
//! # Ok::<(), kicsim::analysis::SaError>(())
//! ```

pub mod abc;
pub mod bootstrap;
pub mod lhs;
pub mod morris;
pub mod oat;
pub mod sobol;

pub use abc::{
    AbcResult, GenerationInfo, ParamSummary, RejectionConfig, SmcConfig, StopReason, Target, Tolerance, abc_rejection, abc_smc, distance,
};
pub use bootstrap::{Interval, bootstrap_ci, mean, quantile, sample_sd, weighted_quantile};
pub use lhs::{lhs, scale_point, scale_to_ranges};
pub use morris::{MorrisDesign, MorrisIndex, MorrisResult, morris_analyze, morris_design, morris_design_with_levels};
pub use oat::{OatEffect, oat_analyze, oat_design};
pub use sobol::{BaseSampling, SaltelliDesign, SobolIndex, SobolResult, saltelli_design, sobol_analyze, sobol_convergence};

use rand::Rng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Errors reported for invalid inputs (sizes, ranges, non-finite outputs, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum SaError {
    /// An argument is out of its allowed domain; the message says which and why.
    InvalidInput(String),
    /// A run could not produce a result (e.g. the simulation budget ran out
    /// before the first ABC generation was complete).
    Failed(String),
}

impl std::fmt::Display for SaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SaError::InvalidInput(m) => write!(f, "invalid input: {m}"),
            SaError::Failed(m) => write!(f, "failed: {m}"),
        }
    }
}

impl std::error::Error for SaError {}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, SaError>;

pub(crate) fn invalid<T>(msg: impl Into<String>) -> Result<T> {
    Err(SaError::InvalidInput(msg.into()))
}

/// Progress callback type: called with `(done, total)`, possibly from worker threads.
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Sync);

/// A progress callback that does nothing; pass `&no_progress` when no report is wanted.
pub fn no_progress(_done: usize, _total: usize) {}

/// Evaluate `model` on every row of a design, in parallel (rayon), and return
/// the outputs in row order.
///
/// Each row gets its own seed, drawn sequentially from `rng` before the
/// parallel section, so the result is the same for any number of threads.
/// (Rows therefore use *independent* random streams: for a stochastic model
/// the Sobol "dummy" parameter then shows the noise floor; see [`sobol`].)
/// `progress(done, rows.len())` is called after each evaluation.
pub fn evaluate_parallel<T, F, R>(rows: &[Vec<f64>], model: &F, rng: &mut R, progress: Progress<'_>) -> Vec<T>
where
    T: Send,
    F: Fn(&[f64], u64) -> T + Sync,
    R: Rng + ?Sized,
{
    let seeds: Vec<u64> = rows.iter().map(|_| rng.next_u64()).collect();
    let total = rows.len();
    let done = AtomicUsize::new(0);
    rows.par_iter()
        .zip(seeds.par_iter())
        .map(|(row, &seed)| {
            let y = model(row, seed);
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            progress(d, total);
            y
        })
        .collect()
}

/// Check that a list of `(lo, hi)` ranges is finite and has `lo < hi`.
pub(crate) fn check_ranges(ranges: &[(f64, f64)]) -> Result<()> {
    for (i, &(lo, hi)) in ranges.iter().enumerate() {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return invalid(format!("range {i} = ({lo}, {hi}) must be finite with lo < hi"));
        }
    }
    Ok(())
}

/// Check that all outputs are finite.
pub(crate) fn check_finite(name: &str, values: &[f64]) -> Result<()> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return invalid(format!("{name}[{i}] = {} is not finite", values[i]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::ChaCha8Rng;

    #[test]
    fn evaluate_parallel_is_ordered_and_thread_independent() {
        let rows: Vec<Vec<f64>> = (0..200).map(|i| vec![i as f64]).collect();
        let model = |x: &[f64], seed: u64| x[0] * 1000.0 + (seed % 7) as f64;
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            pool.install(|| {
                let mut rng = ChaCha8Rng::seed_from_u64(5);
                evaluate_parallel(&rows, &model, &mut rng, &no_progress)
            })
        };
        let a = run(1);
        let b = run(2);
        assert_eq!(a, b);
        for (i, y) in a.iter().enumerate() {
            assert!((y - i as f64 * 1000.0).abs() < 7.0);
        }
    }

    #[test]
    fn results_round_trip_through_json() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // Sobol
        let d = saltelli_design(64, 2, true, BaseSampling::ScrambledSobol, &mut rng).unwrap();
        let y: Vec<f64> = d.rows.iter().map(|x| x[0] + x[1] * x[1]).collect();
        let s = sobol_analyze(&d, &y, 50, &mut rng).unwrap();
        let back: SobolResult = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(s, back);
        // Morris
        let m = morris_design(2, 5, &mut rng).unwrap();
        let y: Vec<f64> = m.rows.iter().map(|x| x[0] * x[1]).collect();
        let r = morris_analyze(&m, &y, 50, &mut rng).unwrap();
        let back: MorrisResult = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(r, back);
        // ABC with an infinite tolerance in generation 0 (written as null)
        let sim = |t: &[f64], _s: u64| vec![t[0]];
        let cfg = SmcConfig { n_particles: 20, max_generations: 2, ..SmcConfig::default() };
        let a = abc_smc(&sim, &[Target::value(0.5, 0.1)], &[(0.0, 1.0)], &cfg, &mut rng, &no_progress).unwrap();
        assert!(a.generations[0].tolerance.is_infinite());
        let json = serde_json::to_string(&a).unwrap();
        let back: AbcResult = serde_json::from_str(&json).unwrap();
        assert_eq!(a, back);
        let c: SmcConfig = serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
        assert_eq!(c, cfg);
        // OAT
        let e = oat_analyze(1.0, &[0.0, 2.0]);
        let back: Vec<OatEffect> = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(e, back);
    }

    #[test]
    fn evaluate_parallel_reports_progress() {
        let rows: Vec<Vec<f64>> = (0..50).map(|i| vec![i as f64]).collect();
        let max_seen = AtomicUsize::new(0);
        let cb = |d: usize, t: usize| {
            assert_eq!(t, 50);
            max_seen.fetch_max(d, Ordering::Relaxed);
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let _ = evaluate_parallel(&rows, &|x: &[f64], _s: u64| x[0], &mut rng, &cb);
        assert_eq!(max_seen.load(Ordering::Relaxed), 50);
    }
}
