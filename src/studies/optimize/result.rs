//! After the search: the question as a file (so a checkpoint or a shard can be resumed or merged
//! on another machine), the candidates file, the Pareto front, and the confirmation of the best
//! candidates with more replications before one is declared the winner (so a lucky draw does
//! not win), with how sensitive the winner is to each lever.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::search::{Candidate, Ended, key, scales, weights};
use super::{Evaluation, Move, Problem, problem};
use crate::format::fmt_num;
use crate::io::csv_text;
use crate::scenario::Scenario;
use crate::studies::draws::Draws;

/// The question as given (options and the input plan after `--set` and `--years`), kept in the
/// checkpoint and shard files: a resume or a merge checks it and rebuilds the [`Problem`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Spec {
    pub file: String,
    pub scenario_ron: String,
    pub minimize: Vec<String>,
    pub maximize: Vec<String>,
    pub require: Vec<String>,
    pub confidence: f64,
    pub levers: Option<String>,
    pub bounds: Vec<String>,
    pub moves: Vec<String>,
    pub replications: u32,
    pub confirm_replications: u32,
    pub confirm_top: usize,
    pub parameter_draws: u32,
    pub posterior: Option<String>,
    pub draw_replications: u32,
    pub params: Option<String>,
    pub seed: u64,
    pub overrides: Vec<String>,
}

impl Spec {
    /// The input plan.
    pub fn scenario(&self) -> Result<Scenario, String> {
        Scenario::parse(&self.scenario_ron, &self.file).map_err(|e| e.to_string())
    }

    /// The problem: every option checked against the plan and the registry; all mistakes at once.
    pub fn problem(&self, draws: Option<Draws>) -> Result<Problem, String> {
        let base = self.scenario()?;
        let mut errors = Vec::new();
        let mut objectives = Vec::new();
        for (list, sense) in [(&self.minimize, super::Sense::Minimize), (&self.maximize, super::Sense::Maximize)] {
            let flag = if sense == super::Sense::Minimize { "--minimize" } else { "--maximize" };
            for o in list {
                match problem::parse_kpi_at(flag, o, base.years) {
                    Ok((kpi, year)) => objectives.push(super::Objective { kpi, year, sense }),
                    Err(e) => errors.push(e),
                }
            }
        }
        let requirements: Vec<_> =
            self.require.iter().filter_map(|r| problem::parse_requirement(r, base.years).map_err(|e| errors.push(e)).ok()).collect();
        if !(self.confidence > 0.0 && self.confidence <= 1.0) {
            errors.push(format!("--confidence {}: a share above 0 and at most 1, e.g. 0.8", self.confidence));
        }
        let paths: Vec<String> = match &self.levers {
            Some(l) => l.split(',').map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect(),
            None if self.moves.is_empty() => problem::DEFAULT_LEVERS.iter().map(|p| p.to_string()).collect(),
            None => Vec::new(),
        };
        let mut levers: Vec<problem::Lever> = Vec::new();
        for path in &paths {
            match problem::parse_lever(&base, path) {
                Ok(_) if levers.iter().any(|l| &l.path == path) => errors.push(format!("--levers {path}: listed twice")),
                Ok(l) => levers.push(l),
                Err(e) => errors.push(e),
            }
        }
        let moves = self.parse_moves(&base, &mut levers, &mut errors);
        for b in &self.bounds {
            if let Err(e) = problem::apply_bound(&mut levers, b) {
                errors.push(e);
            }
        }
        if levers.is_empty() && errors.is_empty() {
            errors.push("--levers: no lever to change".into());
        }
        if !errors.is_empty() {
            return Err(errors.join("\n"));
        }
        Ok(Problem { base, levers, moves, objectives, requirements, confidence: self.confidence, draws })
    }

    /// `--move FACILITY`: two site levers (east, north) over the map, and the buildable cells.
    fn parse_moves(&self, base: &Scenario, levers: &mut Vec<problem::Lever>, errors: &mut Vec<String>) -> Vec<Move> {
        let mut facilities = Vec::new();
        for m in &self.moves {
            match problem::parse_facility(base, m) {
                Ok(f) if facilities.contains(&f) => errors.push(format!("--move {m}: given twice")),
                Ok(f) => facilities.push(f),
                Err(e) => errors.push(e),
            }
        }
        let size = base.map.size_km;
        let mut moves = Vec::new();
        for f in &facilities {
            for kind in [super::LeverKind::SiteX(*f), super::LeverKind::SiteY(*f)] {
                let axis = if matches!(kind, super::LeverKind::SiteX(_)) { "x_km" } else { "y_km" };
                levers.push(problem::Lever { path: format!("{}.site.{axis}", f.path()), kind, lo: 0.0, hi: size, integer: false });
            }
            let cells = problem::buildable_cells(base, &facilities);
            if cells.is_empty() {
                errors.push(format!("--move {}: no buildable cell on the map", f.path()));
            }
            moves.push(Move { facility: *f, cells });
        }
        moves
    }

    /// The same question, budget and checkpoint aside (what a resume must match).
    pub fn same_question(&self, other: &Spec) -> Result<(), String> {
        let a = serde_json::to_value(self).map_err(|e| e.to_string())?;
        let b = serde_json::to_value(other).map_err(|e| e.to_string())?;
        if let (Some(a), Some(b)) = (a.as_object(), b.as_object()) {
            for (k, v) in a {
                if b.get(k) != Some(v) {
                    return Err(format!(
                        "`{k}` differs (the checkpoint's: {}, now: {v})",
                        b.get(k).map_or("none".into(), |x| x.to_string())
                    ));
                }
            }
        }
        Ok(())
    }
}

/// What a checkpoint, a shard file or a finished search holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Saved {
    pub kicsim_optimize: String,
    pub spec: Spec,
    /// `[i, n]` for a shard, `[1, 1]` otherwise.
    pub shard: (usize, usize),
    pub ended: Option<Ended>,
    pub candidates: Vec<Candidate>,
}

pub const SAVED_FORMAT: &str = "1";

impl Saved {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a search serialises") + "\n"
    }

    pub fn from_json(text: &str) -> Result<Saved, String> {
        let s: Saved = serde_json::from_str(text).map_err(|e| format!("not a checkpoint of kicsim optimize: {e}"))?;
        if s.kicsim_optimize != SAVED_FORMAT {
            return Err(format!("a checkpoint of format {}, this kicsim reads format {SAVED_FORMAT}", s.kicsim_optimize));
        }
        Ok(s)
    }

    /// The evaluations it holds, to resume from.
    pub fn cache(&self) -> super::search::Cache {
        self.candidates.iter().map(|c| (key(&c.values), c.eval.clone())).collect()
    }
}

/// A candidate's status word: the input plan, feasible, infeasible or invalid.
pub fn status(p: &Problem, c: &Candidate) -> &'static str {
    match (&c.eval.invalid, c.id, c.eval.feasible(p)) {
        (Some(_), _, _) => "invalid",
        (None, 0, _) => "input plan",
        (None, _, true) => "feasible",
        (None, _, false) => "infeasible",
    }
}

/// candidates.csv: a row per evaluated candidate.
pub fn candidates_csv(record: &str, p: &Problem, candidates: &[Candidate]) -> String {
    let mut header: Vec<String> = ["candidate", "restart", "generation"].map(String::from).to_vec();
    header.extend(p.levers.iter().map(|l| l.path.clone()));
    header.extend(["runs", "status", "fitness"].map(String::from));
    header.extend(p.objectives.iter().map(|o| format!("mean_{}", o.name())));
    header.extend(p.requirements.iter().map(|r| format!("chance_{}@{}", r.kpi.name, r.year)));
    header.push("chance_all_requirements".into());
    let rows = candidates.iter().map(|c| {
        let mut row = vec![c.id.to_string(), c.restart.to_string(), c.generation.to_string()];
        row.extend(c.values.iter().map(|v| fmt_num(*v)));
        row.extend([c.eval.n.to_string(), status(p, c).to_string(), format!("{:e}", c.fitness)]);
        row.extend(c.eval.objectives.iter().map(|v| fmt_num(*v)));
        row.extend((0..p.requirements.len()).map(|j| fmt_num(c.eval.chance(p, j))));
        row.push(fmt_num(c.eval.joint_chance(p)));
        row
    });
    csv_text(record, &header, rows)
}

/// The feasible candidates no other feasible candidate beats on every objective (one per plan).
pub fn pareto_front(p: &Problem, candidates: &[Candidate]) -> Vec<usize> {
    let mut seen = HashSet::new();
    let feasible: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.eval.feasible(p) && c.eval.objectives.iter().all(|v| v.is_finite()))
        .filter(|c| seen.insert(key(&c.values)))
        .collect();
    let signed = |c: &Candidate| -> Vec<f64> { p.objectives.iter().zip(&c.eval.objectives).map(|(o, v)| o.sign() * v).collect() };
    let dominates = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x <= y) && a.iter().zip(b).any(|(x, y)| x < y);
    let points: Vec<Vec<f64>> = feasible.iter().map(|c| signed(c)).collect();
    let mut front: Vec<usize> =
        feasible.iter().enumerate().filter(|(i, _)| !points.iter().any(|q| dominates(q, &points[*i]))).map(|(_, c)| c.id).collect();
    front.sort_by(|a, b| candidates[*a].eval.objectives[0].total_cmp(&candidates[*b].eval.objectives[0]).then(a.cmp(b)));
    front
}

/// A plan run again with the confirmation replications.
#[derive(Clone, Debug, Serialize)]
pub struct Confirmed {
    /// The candidate it is (0: the input plan).
    pub candidate: usize,
    pub values: Vec<f64>,
    #[serde(skip)]
    pub scenario: Scenario,
    pub eval: Evaluation,
    pub fitness: f64,
}

/// The end of a search: the input plan and the best candidates confirmed, the winner.
pub struct Outcome {
    pub input: Confirmed,
    pub confirmed: Vec<Confirmed>,
    /// Index into `confirmed` of the best feasible plan (none: the requirement was not reached).
    pub winner: Option<usize>,
    pub front: Vec<usize>,
}

/// Near-duplicates (a converged search samples the same plan many times): within a thousandth
/// of every lever's range.
fn near(p: &Problem, a: &[f64], b: &[f64]) -> bool {
    p.levers.iter().zip(a.iter().zip(b)).all(|(l, (x, y))| (l.unit_of(*x) - l.unit_of(*y)).abs() < 1e-3)
}

/// The next `top` candidates to confirm in round `round`: the best distinct ones by the first
/// objective whose search chance clears the confidence by `round` more runs (a plan that met
/// the requirement in just enough of the search's runs is the one a lucky draw favours, so
/// each round asks for more margin); with no feasible candidate, the closest infeasible ones.
fn shortlist(p: &Problem, candidates: &[Candidate], top: usize, round: usize, done: &[Vec<f64>]) -> Vec<usize> {
    let w = weights(0, p.objectives.len());
    let sc = scales(&candidates[0].eval);
    let any_feasible = candidates.iter().any(|c| c.id != 0 && c.eval.feasible(p));
    let margin = |c: &Candidate| c.eval.joint_chance(p) + 1e-12 >= p.confidence + round as f64 / c.eval.n.max(1) as f64;
    let mut order: Vec<(f64, usize)> = candidates
        .iter()
        .filter(|c| c.id != 0 && c.eval.invalid.is_none())
        .filter(|c| !any_feasible || (c.eval.feasible(p) && margin(c)))
        .map(|c| (p.fitness(&c.eval, &w, &sc), c.id))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut taken: Vec<Vec<f64>> = done.to_vec();
    let mut out = Vec::new();
    for (_, id) in order {
        let v = &candidates[id].values;
        if out.len() < top && !taken.iter().any(|t| near(p, t, v)) {
            taken.push(v.clone());
            out.push(id);
        }
    }
    out
}

/// Rounds of confirmation at most (each asks one more run of margin).
const CONFIRM_ROUNDS: usize = 6;

/// Runs the input plan and the shortlisted candidates with `reps` replications (the same seeds
/// for all, more than the search's) and picks the winner: the best first objective among the
/// plans that still meet the requirements. While none of a round's plans does, the next round
/// confirms plans with more margin.
pub fn confirm(p: &Problem, candidates: &[Candidate], reps: u32, top: usize) -> Outcome {
    let w = weights(0, p.objectives.len());
    let input_eval = p.evaluate(&p.base, reps);
    let sc = scales(&input_eval);
    let make = |id: usize, values: &[f64], eval: Evaluation, scenario: Scenario| {
        let fitness = p.fitness(&eval, &w, &sc);
        Confirmed { candidate: id, values: values.to_vec(), scenario, eval, fitness }
    };
    let input = make(0, &candidates[0].values, input_eval, p.base.clone());
    let mut confirmed: Vec<Confirmed> = Vec::new();
    for round in 0..CONFIRM_ROUNDS {
        let done: Vec<Vec<f64>> = confirmed.iter().map(|c| c.values.clone()).collect();
        let list = shortlist(p, candidates, top, round, &done);
        if list.is_empty() {
            break;
        }
        for id in list {
            let s = p.scenario_at(&candidates[id].values);
            let e = p.evaluate(&s, reps);
            confirmed.push(make(id, &candidates[id].values, e, s));
        }
        if confirmed.iter().any(|c| c.eval.feasible(p)) {
            break;
        }
    }
    let winner = confirmed
        .iter()
        .enumerate()
        .filter(|(_, c)| c.eval.feasible(p))
        .min_by(|a, b| a.1.fitness.total_cmp(&b.1.fitness).then(a.1.candidate.cmp(&b.1.candidate)))
        .map(|(i, _)| i);
    Outcome { input, confirmed, winner, front: pareto_front(p, candidates) }
}

/// The winner with one lever moved by a tenth of its range each way (kept in bounds): how much
/// the first objective and the chance of the requirements move.
#[derive(Clone, Debug, Serialize)]
pub struct LeverEffect {
    pub lever: String,
    pub down: Option<(f64, Evaluation)>,
    pub up: Option<(f64, Evaluation)>,
}

pub fn lever_sensitivity(p: &Problem, values: &[f64], reps: u32) -> Vec<LeverEffect> {
    p.levers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let step = 0.1 * (l.hi - l.lo);
            let at = |v: f64| -> Option<(f64, Evaluation)> {
                let v = if l.integer { v.round() } else { v };
                if v < l.lo - 1e-12 || v > l.hi + 1e-12 || (v - values[i]).abs() < 1e-12 {
                    return None;
                }
                let mut vs = values.to_vec();
                vs[i] = v;
                let s = p.scenario_at(&vs);
                Some((l.get(&s), p.evaluate(&s, reps)))
            };
            let step = if l.integer { step.max(1.0) } else { step };
            LeverEffect { lever: l.path.clone(), down: at((values[i] - step).max(l.lo)), up: at((values[i] + step).min(l.hi)) }
        })
        .collect()
}
