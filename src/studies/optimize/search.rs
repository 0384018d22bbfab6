//! The search: CMA-ES from the `cmaes` crate over the levers scaled to 0..1, with restarts, a
//! budget of evaluations and time, a stop flag (Ctrl+C) checked between generations, and a
//! cache of evaluations keyed by the plan's lever values.
//!
//! What is ours and why: the crate has no bound handling, so a point outside the box is
//! evaluated at the nearest point inside it plus a penalty that grows with the distance
//! (Hansen's repair-and-penalise); its restart helpers (IPOP/BIPOP) run a whole search in one
//! call, which leaves no place for a checkpoint, a budget shared across restarts or Ctrl+C, so
//! the restarts are this loop's (new seed, new start drawn in the box); several objectives are
//! one weighted sum per restart (the crate optimises one value). The cache makes a resumed
//! search replay the uninterrupted one: CMA-ES is deterministic given its seed and the values
//! it is told, so feeding it the checkpoint's values gives back its state exactly.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use cmaes::{CMAESOptions, DVector};
use rand::rngs::ChaCha8Rng;
use rand::{RngExt as _, SeedableRng};
use serde::{Deserialize, Serialize};

use super::{Evaluation, Problem};
use crate::studies::params::keyed_seed;

/// The budget and seeds of a search.
#[derive(Clone, Debug)]
pub struct Budget {
    /// Candidates evaluated at most (the input plan included).
    pub evaluations: usize,
    pub time: Option<Duration>,
    pub replications: u32,
    pub seed: u64,
    /// The stream of restarts (a shard's number; 0 unsharded), so shards search apart.
    pub stream: u64,
}

/// One evaluated candidate plan.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    pub id: usize,
    /// The CMA-ES run it came from (0 = the first; the input plan is restart 0, generation 0).
    pub restart: usize,
    pub generation: usize,
    /// The levers' values (sites after moving to buildable land).
    pub values: Vec<f64>,
    pub eval: Evaluation,
    /// The value minimised (see [`Problem::fitness`]) with the weights of its restart.
    pub fitness: f64,
}

/// Why the search ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ended {
    Evaluations,
    Time,
    Interrupted,
}

/// The evaluations already made, by the bits of the lever values (a checkpoint's, or this run's).
pub type Cache = HashMap<Vec<u64>, Evaluation>;

pub fn key(values: &[f64]) -> Vec<u64> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The weights of restart `k` over `m` objectives: each objective alone first, then even mixes.
pub fn weights(k: usize, m: usize) -> Vec<f64> {
    if m <= 1 {
        return vec![1.0; m];
    }
    if k < m {
        return (0..m).map(|j| if j == k { 1.0 } else { 0.0 }).collect();
    }
    // Then points of a simplex lattice, cycling: (0.5, 0.5), (0.25, 0.75), (0.75, 0.25), ...
    let mut rng = ChaCha8Rng::seed_from_u64(k as u64);
    let raw: Vec<f64> = (0..m).map(|_| 0.05 + 0.95 * rng.random::<f64>()).collect();
    let sum: f64 = raw.iter().sum();
    raw.iter().map(|w| w / sum).collect()
}

/// The scales of the objectives: their size in the input plan (1 where it is near zero).
pub fn scales(input: &Evaluation) -> Vec<f64> {
    input.objectives.iter().map(|v| if v.is_finite() && v.abs() > 1e-6 { v.abs() } else { 1.0 }).collect()
}

/// Evaluates a plan (from the cache if it was evaluated before).
fn evaluate_cached(p: &Problem, values: &[f64], reps: u32, cache: &Mutex<Cache>) -> (Vec<f64>, Evaluation) {
    let s = p.scenario_at(values);
    let values: Vec<f64> = p.levers.iter().map(|l| l.get(&s)).collect();
    let k = key(&values);
    if let Some(e) = cache.lock().ok().and_then(|c| c.get(&k).cloned()) {
        return (values, e);
    }
    let e = p.evaluate(&s, reps);
    if let Ok(mut c) = cache.lock() {
        c.insert(k, e.clone());
    }
    (values, e)
}

/// State shared by the objective function of the running generation.
struct Gen<'a> {
    p: &'a Problem,
    reps: u32,
    cache: &'a Mutex<Cache>,
    found: Mutex<Vec<(Vec<u64>, Vec<f64>, Evaluation, f64)>>,
    weights: Vec<f64>,
    scales: Vec<f64>,
}

impl Gen<'_> {
    /// The value CMA-ES is told for an internal point `x`: the fitness at the nearest point of
    /// the box plus a penalty for the distance outside it.
    fn value(&self, x: &DVector<f64>) -> f64 {
        let u: Vec<f64> = x.iter().map(|v| v.clamp(0.0, 1.0)).collect();
        let outside: f64 = x.iter().zip(&u).map(|(a, b)| (a - b).powi(2)).sum();
        let wanted: Vec<f64> = self.p.levers.iter().zip(&u).map(|(l, u)| l.value_at(*u)).collect();
        let (values, e) = evaluate_cached(self.p, &wanted, self.reps, self.cache);
        let f = self.p.fitness(&e, &self.weights, &self.scales);
        if let Ok(mut found) = self.found.lock() {
            found.push((x.iter().map(|v| v.to_bits()).collect(), values, e, f));
        }
        f + (f.abs() + 1.0) * outside
    }
}

/// Runs the search; `each` sees the candidates after every generation (to checkpoint and draw
/// progress). The first candidate is the input plan.
pub fn search(
    p: &Problem,
    b: &Budget,
    cache: Cache,
    stop: &AtomicBool,
    mut each: impl FnMut(&[Candidate], &Mutex<Cache>),
) -> (Vec<Candidate>, Ended) {
    let started = Instant::now();
    let cache = Mutex::new(cache);
    let (input_values, input) = evaluate_cached(p, &p.input_values(), b.replications, &cache);
    let m = p.objectives.len();
    let scales = scales(&input);
    let w0 = weights(0, m);
    let fit = p.fitness(&input, &w0, &scales);
    let mut all = vec![Candidate { id: 0, restart: 0, generation: 0, values: input_values, eval: input, fitness: fit }];
    each(&all, &cache);
    let dim = p.levers.len();
    let per_restart = if m > 1 { (b.evaluations / (m + 2)).max(4 + 3 * dim) } else { usize::MAX };
    let mut restart = 0usize;
    loop {
        let mean: Vec<f64> = if restart == 0 {
            p.levers.iter().zip(&all[0].values).map(|(l, v)| l.unit_of(*v)).collect()
        } else {
            let mut rng = ChaCha8Rng::seed_from_u64(keyed_seed(b.seed, (b.stream << 32) + restart as u64));
            (0..dim).map(|_| rng.random::<f64>()).collect()
        };
        let stage = Gen {
            p,
            reps: b.replications,
            cache: &cache,
            found: Mutex::new(Vec::new()),
            weights: weights(restart, m),
            scales: scales.clone(),
        };
        let seed = keyed_seed(b.seed ^ 0x0c3a_e500, (b.stream << 32) + restart as u64);
        let Ok(mut cma) = CMAESOptions::new(mean, 0.3).seed(seed).build(|x: &DVector<f64>| stage.value(x)) else {
            return (all, Ended::Evaluations);
        };
        let lambda = cma.parameters().lambda();
        let mut used = 0usize;
        let mut generation = 0usize;
        loop {
            if all.len() + lambda > b.evaluations {
                return (all, Ended::Evaluations);
            }
            if b.time.is_some_and(|t| started.elapsed() >= t) {
                return (all, Ended::Time);
            }
            if stop.load(Ordering::Relaxed) {
                return (all, Ended::Interrupted);
            }
            generation += 1;
            let done = cma.next_parallel();
            let mut found = std::mem::take(&mut *stage.found.lock().unwrap_or_else(|e| e.into_inner()));
            // The order of the generation's points, whatever thread evaluated which.
            found.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, values, eval, fitness) in found {
                all.push(Candidate { id: all.len(), restart, generation, values, eval, fitness });
            }
            used += lambda;
            each(&all, &cache);
            if done.is_some() || used >= per_restart {
                break;
            }
        }
        restart += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restarts_weigh_each_objective_alone_then_mixes() {
        assert_eq!(weights(0, 1), [1.0]);
        assert_eq!(weights(0, 2), [1.0, 0.0]);
        assert_eq!(weights(1, 2), [0.0, 1.0]);
        let w = weights(5, 3);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12 && w.iter().all(|v| *v > 0.0));
        assert_eq!(weights(5, 3), w, "seeded");
    }
}
