//! `kicsim optimize FILE`: goal seeking. The options, the checks made before anything runs, the
//! search with its progress bar, checkpoint and Ctrl+C, and the finish (the best candidates
//! confirmed, the winner explained); the search itself is [`crate::studies::optimize`], the
//! outputs [`crate::report::optimize`]. `--shard i/n` runs one independent search stream and
//! `kicsim merge` pools the shards and finishes.

use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Args;

use super::options::{DrawArgs, parse_shard};
use crate::report::optimize::{Findings, write_outputs};
use crate::run::{self, RunRecord};
use crate::studies::comparison::{run_arms, switched_off_variants};
use crate::studies::optimize::Problem;
use crate::studies::optimize::result::{SAVED_FORMAT, Saved, Spec, confirm, lever_sensitivity};
use crate::studies::optimize::search::{Budget, Cache, Candidate, Ended, search};

#[derive(Args, Debug)]
pub struct OptimizeArgs {
    /// The input plan: the search starts from it and the report compares the winner with it.
    pub file: PathBuf,
    /// An objective to minimise: a KPI's name, optionally at a year (`KPI@YEAR`; default: the
    /// horizon), its mean over the runs (repeatable; several objectives give a Pareto front).
    /// Default: cumulative_fiscal_cost_usd_m.
    #[arg(long, value_name = "KPI[@YEAR]")]
    pub minimize: Vec<String>,
    /// An objective to maximise, as --minimize.
    #[arg(long, value_name = "KPI[@YEAR]")]
    pub maximize: Vec<String>,
    /// A requirement, e.g. --require "localization_rate@10 >= 0.5" (or <=; a share may be
    /// written 50%); repeatable; all must hold together in --confidence of the runs.
    #[arg(long = "require", value_name = "KPI@YEAR >= VALUE")]
    pub require: Vec<String>,
    /// Share of the runs (replications, or parameter draws) in which the requirements must hold.
    #[arg(long, default_value_t = 0.8)]
    pub confidence: f64,
    /// The levers, comma-separated scenario paths: incentive fields, roadmap steps
    /// (incentives.local_content[0].share), items (rd_centres[0].budget_usd_m_per_year).
    /// Default: the eight incentive fields (none when only --move is given).
    #[arg(long, value_name = "A,B,...")]
    pub levers: Option<String>,
    /// Narrows a lever's bounds (default: the registry's range), e.g. --bound incentives.cit_holiday_years=0..8 (repeatable).
    #[arg(long = "bound", value_name = "PATH=LO..HI")]
    pub bounds: Vec<String>,
    /// A facility whose site is searched too, on buildable land, e.g. --move rd_centres[0] (repeatable).
    #[arg(long = "move", value_name = "FACILITY")]
    pub moves: Vec<String>,
    /// Candidates evaluated at most (the input plan included; per shard). Default 300, or no
    /// limit when only --time is given.
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(2..=1_000_000))]
    pub evaluations: Option<usize>,
    /// Time budget of the search, e.g. 90s, 10m, 2h (the confirmation runs after it).
    #[arg(long, value_name = "DURATION")]
    pub time: Option<String>,
    /// Replications per candidate (seeds seed, seed+1, ...: the same for every candidate).
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Replications of the confirmation of the best candidates (default: 4 x --replications).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub confirm_replications: Option<u32>,
    /// How many of the best candidates are confirmed before a winner is declared.
    #[arg(long, default_value_t = 5, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub confirm_top: usize,
    /// Seed of replication 0 and of the search (default: the scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in years (default: the scenario's `years`).
    #[arg(long)]
    pub years: Option<u32>,
    /// Override a scenario field, e.g. --set incentives.cit_rate=0.1 (repeatable; as `run`).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Resume from OUT/checkpoint.json (the same question; a larger budget continues the search).
    #[arg(long)]
    pub resume: bool,
    /// Run one of n independent search streams (then `kicsim merge` the shards).
    #[arg(long)]
    pub shard: Option<String>,
    /// Output folder: best.ron, candidates.csv, report.html/md/json, charts, checkpoint.json.
    #[arg(long, default_value = "optimize-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: DrawArgs,
}

/// `90`, `90s`, `10m`, `2h`.
fn parse_time(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => (&t[..i], &t[i..]),
        None => (t, "s"),
    };
    let factor = match unit {
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(format!("--time {s}: a duration such as 90s, 10m or 2h")),
    };
    match num.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v * factor <= 7.0 * 86400.0 => Ok(Duration::from_secs_f64(v * factor)),
        _ => Err(format!("--time {s}: a duration above 0 and at most a week, such as 90s, 10m or 2h")),
    }
}

/// The question from the options (the input plan after `--set`, `--years`, `--seed`).
fn spec_of(a: &OptimizeArgs) -> Result<Spec, String> {
    let base = run::load_with_overrides(&a.file, a.seed, a.years, &a.sets)?;
    let minimize =
        if a.minimize.is_empty() && a.maximize.is_empty() { vec!["cumulative_fiscal_cost_usd_m".into()] } else { a.minimize.clone() };
    Ok(Spec {
        file: a.file.display().to_string(),
        scenario_ron: base.to_ron(),
        minimize,
        maximize: a.maximize.clone(),
        require: a.require.clone(),
        confidence: a.confidence,
        levers: a.levers.clone(),
        bounds: a.bounds.clone(),
        moves: a.moves.clone(),
        replications: a.replications,
        confirm_replications: a.confirm_replications.unwrap_or((4 * a.replications).min(10_000)),
        confirm_top: a.confirm_top,
        parameter_draws: a.draws.parameter_draws,
        posterior: a.draws.posterior.as_ref().map(|p| p.display().to_string()),
        draw_replications: a.draws.draw_replications,
        params: a.draws.params.clone(),
        seed: base.seed,
        overrides: a.sets.clone(),
    })
}

/// The problem of a question, with its parameter draws (`factor` times the draw replications,
/// for the confirmation).
fn problem_of(spec: &Spec, factor: u32) -> Result<Problem, String> {
    let draws = DrawArgs {
        parameter_draws: spec.parameter_draws,
        posterior: spec.posterior.as_ref().map(PathBuf::from),
        draw_replications: spec.draw_replications * if spec.parameter_draws > 0 { factor } else { 1 },
        params: spec.params.clone(),
    }
    .draws(spec.seed)?;
    let p = spec.problem(draws)?;
    if let Some(d) = &p.draws {
        d.check(&[(spec.file.clone(), p.base.clone())])?;
    }
    Ok(p)
}

/// Ctrl+C sets this; the search stops after the generation it is in and keeps what it found.
static STOP: AtomicBool = AtomicBool::new(false);

/// `kicsim optimize`.
pub fn optimize(a: OptimizeArgs) -> Result<(), String> {
    let spec = spec_of(&a)?;
    let time = a.time.as_deref().map(parse_time).transpose()?;
    let problem = problem_of(&spec, 1)?;
    let (shard_i, shard_n) = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (1, 1),
    };
    let checkpoint =
        a.out.join(if shard_n > 1 { format!("checkpoint-shard-{shard_i}-of-{shard_n}.json") } else { "checkpoint.json".into() });
    let cache = if a.resume { resume_cache(&checkpoint, &spec)? } else { Cache::new() };
    let evaluations = a.evaluations.unwrap_or(if time.is_some() { 1_000_000 } else { 300 });
    let budget = Budget {
        evaluations,
        time,
        replications: spec.replications,
        seed: spec.seed,
        stream: if shard_n > 1 { shard_i as u64 } else { 0 },
    };
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {}", a.out.display(), crate::io_words(&e)))?;
    let _ = ctrlc::set_handler(|| STOP.store(true, Ordering::Relaxed));
    eprintln!(
        "optimize: {} over {}, {} per candidate, at most {} candidates{}",
        crate::format::count_of(problem.levers.len() as u64, "lever"),
        if shard_n > 1 { format!("shard {shard_i} of {shard_n}") } else { "one search".into() },
        crate::format::count_of(problem.runs(spec.replications) as u64, "run"),
        evaluations,
        time.map_or(String::new(), |t| format!(" or {:.0} s", t.as_secs_f64()))
    );
    let started = Instant::now();
    let (candidates, ended) = run_search(&problem, &spec, &budget, cache, &checkpoint, (shard_i, shard_n))?;
    eprintln!("searched {} in {:.1} s", crate::format::count_of(candidates.len() as u64, "candidate"), started.elapsed().as_secs_f64());
    if shard_n > 1 {
        let name = a.out.join(format!("optimize-shard-{shard_i}-of-{shard_n}.json"));
        let saved = Saved { kicsim_optimize: SAVED_FORMAT.into(), spec, shard: (shard_i, shard_n), ended: Some(ended), candidates };
        crate::io::write_atomic(&name, saved.to_json().as_bytes())
            .map_err(|e| format!("cannot write {}: {}", name.display(), crate::io_words(&e)))?;
        crate::say!("wrote {}", name.display());
        crate::say!("when all {shard_n} shards are done: kicsim merge {} --out {}", a.out.display(), a.out.display());
        return Ok(());
    }
    finish(&a.out, &spec, &problem, &candidates, ended)
}

/// The evaluations of the checkpoint to resume from, if it asks the same question.
fn resume_cache(path: &Path, spec: &Spec) -> Result<Cache, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("--resume: cannot read the checkpoint {}: {}", path.display(), crate::io_words(&e)))?;
    let saved = Saved::from_json(&text).map_err(|e| format!("--resume: {}: {e}", path.display()))?;
    spec.same_question(&saved.spec).map_err(|e| format!("--resume: {} was made for another question: {e}", path.display()))?;
    eprintln!("resuming from {} ({} evaluated)", path.display(), crate::format::count_of(saved.candidates.len() as u64, "candidate"));
    Ok(saved.cache())
}

/// The search with its progress bar (on a terminal only) and its checkpoint (every two seconds
/// and at the end).
fn run_search(
    p: &Problem,
    spec: &Spec,
    b: &Budget,
    cache: Cache,
    checkpoint: &Path,
    shard: (usize, usize),
) -> Result<(Vec<Candidate>, Ended), String> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(b.evaluations.min(1_000_000) as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("[{bar:30}] {pos}/{len} candidates ({elapsed}) {msg}") {
            bar.set_style(style.progress_chars("#>-"));
        }
        bar
    });
    let last = Mutex::new(Instant::now());
    let save = |all: &[Candidate], ended: Option<Ended>| {
        let saved = Saved { kicsim_optimize: SAVED_FORMAT.into(), spec: spec.clone(), shard, ended, candidates: all.to_vec() };
        crate::io::write_atomic(checkpoint, saved.to_json().as_bytes())
            .map_err(|e| format!("cannot write the checkpoint {}: {}", checkpoint.display(), crate::io_words(&e)))
    };
    let mut failed = None;
    let (all, ended) = search(p, b, cache, &STOP, |all, _| {
        if let Some(bar) = &bar {
            bar.set_position(all.len() as u64);
            bar.set_message(best_so_far(p, all));
        }
        let mut t = last.lock().unwrap_or_else(|e| e.into_inner());
        if t.elapsed() >= Duration::from_secs(2) {
            *t = Instant::now();
            if let Err(e) = save(all, None) {
                failed = Some(e);
            }
        }
    });
    if let Some(bar) = &bar {
        bar.finish();
    }
    if let Some(e) = failed {
        return Err(e);
    }
    save(&all, Some(ended))?;
    if ended == Ended::Interrupted {
        eprintln!("interrupted: keeping the {} evaluated so far", crate::format::count_of(all.len() as u64, "candidate"));
    }
    Ok((all, ended))
}

/// "best so far: cumulative_fiscal_cost_usd_m@10 = 1,234.5" for the progress bar.
fn best_so_far(p: &Problem, all: &[Candidate]) -> String {
    let o = &p.objectives[0];
    let best =
        all.iter().filter(|c| c.eval.feasible(p)).map(|c| c.eval.objectives[0]).min_by(|a, b| (o.sign() * a).total_cmp(&(o.sign() * b)));
    match best {
        Some(v) => format!("best so far: {} = {}", o.name(), o.kpi.fmt(v)),
        None => "no feasible plan yet".into(),
    }
}

/// After the search (or a merge): the best candidates confirmed with more replications, the
/// winner's contributions and sensitivity, and every output written.
pub fn finish(out: &Path, spec: &Spec, problem: &Problem, candidates: &[Candidate], ended: Ended) -> Result<(), String> {
    let confirm_problem = problem_of(spec, 4)?;
    let reps = spec.confirm_replications;
    eprintln!(
        "confirming the best {} with {} each",
        crate::format::count_of(spec.confirm_top as u64, "candidate"),
        crate::format::count_of(confirm_problem.runs(reps) as u64, "run")
    );
    let outcome = confirm(&confirm_problem, candidates, reps, spec.confirm_top);
    let (arms, incentives, sensitivity) = match outcome.winner.map(|i| &outcome.confirmed[i]) {
        Some(w) => {
            let variants = switched_off_variants(&w.scenario);
            let mut arms_in = vec![
                ("best plan".to_string(), w.scenario.clone(), "best.ron".to_string()),
                ("input plan".into(), problem.base.clone(), spec.file.clone()),
            ];
            arms_in.extend(variants.iter().map(|(n, s)| (format!("without {n}"), s.clone(), format!("best.ron with {n} off"))));
            let arms = run_arms(arms_in, problem.base.seed, reps);
            (arms, variants.into_iter().map(|(n, _)| n).collect(), lever_sensitivity(&confirm_problem, &w.values, reps))
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let record = RunRecord::new(&problem.base, &spec.file, spec.replications).with_overrides(&spec.overrides);
    let findings =
        Findings { problem: &confirm_problem, spec, record, candidates, outcome: &outcome, ended, arms, incentives, sensitivity };
    let written = write_outputs(out, &findings)?;
    say_result(&findings);
    for name in written {
        crate::say!("wrote {}", out.join(name).display());
    }
    Ok(())
}

/// The winner (or that there is none) on the terminal.
fn say_result(f: &Findings) {
    let p = f.problem;
    let o = &p.objectives[0];
    match f.outcome.winner.map(|i| &f.outcome.confirmed[i]) {
        Some(w) => {
            crate::say!("best plan: candidate {} ({} runs)", w.candidate, w.eval.n);
            for (l, v) in p.levers.iter().zip(&w.values) {
                crate::say!("  {} = {}", l.path, crate::format::fmt_num(*v));
            }
            crate::say!(
                "  {} = {} (input plan: {})",
                o.name(),
                o.kpi.fmt(w.eval.objectives[0]),
                o.kpi.fmt(f.outcome.input.eval.objectives[0])
            );
            if !p.requirements.is_empty() {
                crate::say!(
                    "  all requirements hold in {:.1}% of the runs (asked: at least {:.0}%)",
                    100.0 * w.eval.joint_chance(p),
                    100.0 * p.confidence
                );
            }
        }
        None => {
            crate::say!("requirement not reached: no plan within the bounds meets it in at least {:.0}% of the runs", 100.0 * p.confidence);
            if let Some(c) = f.outcome.confirmed.iter().min_by(|a, b| a.fitness.total_cmp(&b.fitness)) {
                crate::say!(
                    "  closest: candidate {}, all requirements hold in {:.1}% of the runs",
                    c.candidate,
                    100.0 * c.eval.joint_chance(p)
                );
            }
        }
    }
}

/// `kicsim merge` of optimize shards: every shard of one question, pooled, then finished as an
/// unsharded search would be.
pub fn merge_shards(files: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut shards: Vec<Saved> = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {}", f.display(), crate::io_words(&e)))?;
        let s = Saved::from_json(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        if let Some(first) = shards.first() {
            first.spec.same_question(&s.spec).map_err(|e| format!("{}: a shard of another search: {e}", f.display()))?;
            if s.shard.1 != first.shard.1 {
                return Err(format!("{}: shard of {}, but other files are shards of {}", f.display(), s.shard.1, first.shard.1));
            }
        }
        if shards.iter().any(|t| t.shard == s.shard) {
            return Err(format!("{}: shard {} of {} is given twice", f.display(), s.shard.0, s.shard.1));
        }
        shards.push(s);
    }
    let n = shards.first().map_or(0, |s| s.shard.1);
    if shards.len() != n {
        let missing: Vec<String> = (1..=n).filter(|i| !shards.iter().any(|s| s.shard.0 == *i)).map(|i| i.to_string()).collect();
        return Err(format!("merge: missing optimize shards {} of {n}", missing.join(", ")));
    }
    shards.sort_by_key(|s| s.shard.0);
    let mut pooled: Vec<Candidate> = Vec::new();
    for s in &shards {
        let offset = pooled.iter().map(|c| c.restart + 1).max().unwrap_or(0);
        let first = pooled.is_empty();
        for c in s.candidates.iter().filter(|c| first || c.id != 0) {
            pooled.push(Candidate { id: pooled.len(), restart: c.restart + offset, ..c.clone() });
        }
    }
    let spec = shards[0].spec.clone();
    let problem = problem_of(&spec, 1)?;
    let ended = shards.iter().filter_map(|s| s.ended).find(|e| *e != Ended::Evaluations).unwrap_or(Ended::Evaluations);
    finish(out, &spec, &problem, &pooled, ended)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(parse_time("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_time("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_time("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_time("2h").unwrap(), Duration::from_secs(7200));
        assert!(parse_time("soon").is_err() && parse_time("0s").is_err() && parse_time("5d").is_err());
    }
}
