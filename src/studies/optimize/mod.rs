//! Goal seeking (`kicsim optimize`): the cheapest plan (or the best on several objectives) whose
//! requirements hold with a stated confidence, found by CMA-ES over the levers, with no options
//! and no files (the command reads them, [`crate::report::optimize`] writes them).
//!
//! - `problem.rs`: objectives, requirements, levers and bounds, parsed against the registry;
//! - this file: a candidate plan run with common random numbers and judged ([`Problem::evaluate`]);
//! - `search.rs`: the CMA-ES search (the `cmaes` crate) with restarts, a budget, a stop flag
//!   and a cache of evaluations that makes a resumed search replay the uninterrupted one;
//! - `result.rs`: the candidates file and checkpoint, the Pareto front, the confirmation of the
//!   best candidates with more replications and the choice of the winner.

use serde::{Deserialize, Serialize};

use crate::run;
use crate::scenario::Scenario;
use crate::studies::draws::Draws;
use crate::studies::sensitivity::kpi_at_year;

pub mod problem;
pub mod result;
pub mod search;

pub use problem::{FacilityRef, Lever, LeverKind, Objective, Op, Requirement, Sense};

/// A site lever's facility and the cells it may be moved to.
#[derive(Clone, Debug)]
pub struct Move {
    pub facility: FacilityRef,
    pub cells: Vec<crate::scenario::Site>,
}

/// The question, checked: the input plan, what may change, what is sought and required.
#[derive(Clone, Debug)]
pub struct Problem {
    pub base: Scenario,
    pub levers: Vec<Lever>,
    pub moves: Vec<Move>,
    pub objectives: Vec<Objective>,
    pub requirements: Vec<Requirement>,
    /// Share of replications (or draws) in which every requirement must hold.
    pub confidence: f64,
    /// Parameter draws: each replication k of a candidate uses draw k / R (R replications a draw).
    pub draws: Option<Draws>,
}

/// What the runs of one candidate gave.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// Runs (replications, or draws x replications).
    pub n: usize,
    /// The mean of each objective.
    pub objectives: Vec<f64>,
    /// Each objective's KPI in each run (paired differences between plans use them).
    pub objective_values: Vec<Vec<f64>>,
    /// Each requirement's KPI in each run.
    pub requirement_values: Vec<Vec<f64>>,
    /// Why the plan could not be run (a site or value the checks refuse), if so.
    pub invalid: Option<String>,
}

impl Evaluation {
    /// The share of runs in which requirement `j` holds.
    pub fn chance(&self, p: &Problem, j: usize) -> f64 {
        let v = &self.requirement_values[j];
        if v.is_empty() { 0.0 } else { v.iter().filter(|x| p.requirements[j].holds(**x)).count() as f64 / v.len() as f64 }
    }

    /// The share of runs in which every requirement holds at once.
    pub fn joint_chance(&self, p: &Problem) -> f64 {
        if p.requirements.is_empty() {
            return if self.invalid.is_none() { 1.0 } else { 0.0 };
        }
        let holds = (0..self.n).filter(|&k| p.requirements.iter().zip(&self.requirement_values).all(|(r, v)| r.holds(v[k]))).count();
        holds as f64 / self.n.max(1) as f64
    }

    /// Meets the requirements with the confidence asked.
    pub fn feasible(&self, p: &Problem) -> bool {
        self.invalid.is_none() && self.joint_chance(p) + 1e-12 >= p.confidence
    }

    /// How far the plan is from meeting its requirements: the shortfall of each requirement's
    /// value at the confidence (the (1 - confidence) quantile of the runs for `>=`), summed.
    pub fn shortfall(&self, p: &Problem) -> f64 {
        p.requirements
            .iter()
            .zip(&self.requirement_values)
            .map(|(r, v)| {
                let mut v = v.clone();
                v.sort_by(|a, b| a.total_cmp(b));
                let q = match r.op {
                    Op::AtLeast => quantile(&v, 1.0 - p.confidence),
                    Op::AtMost => quantile(&v, p.confidence),
                };
                r.shortfall(q)
            })
            .sum()
    }
}

/// The empirical quantile of sorted values (the lower one at ties of rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let k = ((q.clamp(0.0, 1.0) * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[k]
}

/// Fitness above every feasible plan's: infeasible plans rank by their shortfall, invalid ones last.
pub const INFEASIBLE: f64 = 1e12;

impl Problem {
    /// Runs per candidate for `replications` seeds: with draws, each draw takes them all.
    pub fn runs(&self, replications: u32) -> usize {
        match &self.draws {
            Some(d) => d.len() * d.replications as usize,
            None => replications as usize,
        }
    }

    /// The plan with the levers at `values` (sites moved to the nearest buildable cell).
    pub fn scenario_at(&self, values: &[f64]) -> Scenario {
        let mut s = self.base.clone();
        for (l, v) in self.levers.iter().zip(values) {
            l.set(&mut s, *v);
        }
        for m in &self.moves {
            if let Some(p) = m.facility.site(&s).and_then(|p| problem::nearest_cell(&m.cells, p)) {
                m.facility.set_site(&mut s, p);
            }
        }
        s
    }

    /// The levers' values in the input plan.
    pub fn input_values(&self) -> Vec<f64> {
        self.levers.iter().map(|l| l.get(&self.base)).collect()
    }

    /// Runs a plan `replications` times (or over the draws) with the common seeds of every
    /// candidate, and reads its objectives and requirements.
    pub fn evaluate(&self, s: &Scenario, replications: u32) -> Evaluation {
        use rayon::prelude::*;
        let n = self.runs(replications);
        if let Some(p) = s.validate().first() {
            return Evaluation {
                n: 0,
                objectives: vec![f64::NAN; self.objectives.len()],
                objective_values: vec![Vec::new(); self.objectives.len()],
                requirement_values: vec![Vec::new(); self.requirements.len()],
                invalid: Some(format!("field `{}`: {}", p.path, p.message)),
            };
        }
        let runs: Vec<Vec<f64>> = (0..n)
            .into_par_iter()
            .map(|k| {
                let mut sk = match &self.draws {
                    Some(d) => d.scenario(s, k / d.replications as usize),
                    None => s.clone(),
                };
                sk.seed = match &self.draws {
                    Some(d) => d.seed(self.base.seed, k / d.replications as usize, (k % d.replications as usize) as u32),
                    None => run::replication_seed(self.base.seed, k as u32),
                };
                let h = crate::sim::run_to_end(&sk);
                let objs = self.objectives.iter().map(|o| kpi_at_year(&h, o.kpi.name, o.year));
                objs.chain(self.requirements.iter().map(|r| kpi_at_year(&h, r.kpi.name, r.year))).collect()
            })
            .collect();
        let m = self.objectives.len();
        let objective_values: Vec<Vec<f64>> = (0..m).map(|j| runs.iter().map(|r| r[j]).collect()).collect();
        let objectives = objective_values.iter().map(|v| v.iter().sum::<f64>() / n.max(1) as f64).collect();
        let requirement_values = (0..self.requirements.len()).map(|j| runs.iter().map(|r| r[m + j]).collect()).collect();
        Evaluation { n, objectives, objective_values, requirement_values, invalid: None }
    }

    /// The value the search minimises: the weighted objectives (each as a share of its size in
    /// the input plan) of a feasible plan; above [`INFEASIBLE`] by the shortfall otherwise.
    pub fn fitness(&self, e: &Evaluation, weights: &[f64], scales: &[f64]) -> f64 {
        if e.invalid.is_some() {
            return INFEASIBLE * 1e3;
        }
        let objective: f64 =
            self.objectives.iter().zip(&e.objectives).zip(weights.iter().zip(scales)).map(|((o, v), (w, s))| w * o.sign() * v / s).sum();
        if !e.feasible(self) {
            // Nearer the requirement first; at the same distance, the better objective.
            let objective = if objective.is_finite() { objective.clamp(-1e6, 1e6) } else { 1e6 };
            return INFEASIBLE * (1.0 + e.shortfall(self)) + (1.0 - e.joint_chance(self)) * INFEASIBLE * 1e-3 + objective;
        }
        objective
    }
}

/// The 95% Wilson score interval of a share `k / n` (the chance a requirement holds).
pub fn wilson(p: f64, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (z, n) = (1.959_964, n as f64);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wilson_interval_stays_in_zero_one_and_covers_the_share() {
        let (lo, hi) = wilson(0.8, 64);
        assert!(lo < 0.8 && hi > 0.8 && lo > 0.65 && hi < 0.9, "{lo} {hi}");
        assert_eq!(wilson(1.0, 16).1, 1.0);
        assert!(wilson(0.0, 16).0 == 0.0 && wilson(0.0, 16).1 > 0.1);
    }

    #[test]
    fn a_quantile_at_the_confidence_is_what_must_clear_the_threshold() {
        let v = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
        // 80% of the runs at or above 0.3: the 20% quantile.
        assert_eq!(quantile(&v, 0.2), 0.2);
        assert_eq!(quantile(&v, 0.21), 0.3);
        assert_eq!(quantile(&v, 1.0), 1.0);
        assert_eq!(quantile(&v, 0.0), 0.1);
    }
}
