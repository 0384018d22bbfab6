//! The outputs of `kicsim optimize` (after a search or a merge of its shards): the best plan as
//! a scenario file, candidates.csv, the Pareto front (CSV and chart) for several objectives, the
//! progress chart, and a report that explains the winner against the input plan: the levers
//! that changed, the objectives and the chance each requirement holds (with its interval), the
//! fiscal cost per localization point, each incentive's contribution (as breakdown computes
//! it), and which levers the result is sensitive to. When no plan meets the requirements it
//! says so first, and shows the closest plans and what they reach.

use std::path::Path;

use serde_json::json;

use super::{CI_NOTE, Chart, Report, Section, inputs, write_report};
use crate::charts::footer_of;
use crate::charts::optimize::{Front, Progress, front_files, progress_files};
use crate::format::{count_of, fmt_difference, fmt_estimate, fmt_num};
use crate::io::{OutputSet, csv_text};
use crate::run::RunRecord;
use crate::stats::{estimate, estimate_kpi};
use crate::studies::comparison::{Arm, value};
use crate::studies::optimize::result::{Confirmed, LeverEffect, Outcome, Spec, candidates_csv, status};
use crate::studies::optimize::search::{Candidate, Ended};
use crate::studies::optimize::{Evaluation, Problem, wilson};

/// Everything the outputs are made from.
pub struct Findings<'a> {
    pub problem: &'a Problem,
    pub spec: &'a Spec,
    pub record: RunRecord,
    pub candidates: &'a [Candidate],
    pub outcome: &'a Outcome,
    pub ended: Ended,
    /// The winner (all incentives), the input plan, then the winner with each incentive off.
    pub arms: Vec<Arm>,
    pub incentives: Vec<String>,
    pub sensitivity: Vec<LeverEffect>,
}

impl Findings<'_> {
    fn winner(&self) -> Option<&Confirmed> {
        self.outcome.winner.map(|i| &self.outcome.confirmed[i])
    }
}

/// "80% [71%, 87%] of 64 runs": a chance with its 95% interval.
fn chance_text(p: f64, n: usize) -> String {
    let (lo, hi) = wilson(p, n);
    format!("{:.0}% [{:.0}%, {:.0}%] of {n} runs", 100.0 * p, 100.0 * lo, 100.0 * hi)
}

/// The verdict: the winner and its chance, or that the requirements were not reached.
fn verdict(f: &Findings) -> Vec<String> {
    let p = f.problem;
    let o = &p.objectives[0];
    let reqs: Vec<String> = p.requirements.iter().map(|r| r.text()).collect();
    let req_text = if reqs.is_empty() { "no requirement".to_string() } else { reqs.join(" and ") };
    let conf = format!("{:.0}%", 100.0 * p.confidence);
    let est = |e: &Evaluation| fmt_estimate(o.kpi, &estimate_kpi(o.kpi.name, &e.objective_values[0]));
    let mut v = Vec::new();
    match f.winner() {
        Some(w) => {
            v.push(format!(
                "The {} plan found that meets {req_text} in at least {conf} of the runs is candidate {}: {} {} (input plan: {}).",
                if o.sign() > 0.0 { "lowest" } else { "highest" },
                w.candidate,
                o.name(),
                est(&w.eval),
                est(&f.outcome.input.eval)
            ));
            if !p.requirements.is_empty() {
                v.push(format!(
                    "All requirements hold together in {} (input plan: {}).",
                    chance_text(w.eval.joint_chance(p), w.eval.n),
                    chance_text(f.outcome.input.eval.joint_chance(p), f.outcome.input.eval.n)
                ));
            }
        }
        None => {
            v.push(format!("No plan within the bounds meets {req_text} in at least {conf} of the runs: the requirement is not reachable with these levers and bounds."));
            if let Some(c) = f.outcome.confirmed.iter().min_by(|a, b| a.fitness.total_cmp(&b.fitness)) {
                v.push(format!(
                    "The closest plan, candidate {}, meets it in {}; {}.",
                    c.candidate,
                    chance_text(c.eval.joint_chance(p), c.eval.n),
                    reaches(p, &c.eval)
                ));
            }
        }
    }
    v.push("This is the optimum of a stylised model under its stated uncertainty (the seeds, and the parameter draws if any), found by a stochastic search within the bounds given: a plan to discuss, not a budget.".into());
    v
}

/// "localization_rate@10 reaches 41.2% [40.1%, 42.3%] (needs >= 50.0%)" for each requirement.
fn reaches(p: &Problem, e: &Evaluation) -> String {
    p.requirements
        .iter()
        .zip(&e.requirement_values)
        .map(|(r, v)| {
            let op = if r.op == crate::studies::optimize::Op::AtLeast { ">=" } else { "<=" };
            format!(
                "{}@{} reaches {} (needs {op} {})",
                r.kpi.name,
                r.year,
                fmt_estimate(r.kpi, &estimate_kpi(r.kpi.name, v)),
                r.kpi.fmt(r.threshold)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The levers: bounds, the input plan's value and the winner's (or the closest plan's).
fn levers_section(f: &Findings) -> Section {
    let shown = f.winner().or_else(|| f.outcome.confirmed.iter().min_by(|a, b| a.fitness.total_cmp(&b.fitness)));
    let rows = f
        .problem
        .levers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let chosen = shown.map_or("n/a".into(), |c| fmt_num(c.values[i]));
            vec![
                format!("{} ({})", l.label(), l.path),
                format!("{} to {}", fmt_num(l.lo), fmt_num(l.hi)),
                fmt_num(f.outcome.input.values[i]),
                chosen,
            ]
        })
        .collect();
    Section {
        title: "Levers".into(),
        intro: "What the search could change, within which bounds, and where the input plan and the chosen plan set it (the closest plan when none meets the requirements). A moved facility stands on the buildable cell nearest to the point searched.".into(),
        header: vec!["lever".into(), "bounds".into(), "input plan".into(), if f.winner().is_some() { "best plan" } else { "closest plan" }.into()],
        rows,
        text: true,
        ..Section::default()
    }
}

/// Objectives and requirements: the input plan, the winner, the paired difference.
fn results_section(f: &Findings, c: &Confirmed) -> Section {
    let p = f.problem;
    let inp = &f.outcome.input.eval;
    let mut rows = Vec::new();
    for (j, o) in p.objectives.iter().enumerate() {
        let (a, b) = (&inp.objective_values[j], &c.eval.objective_values[j]);
        let diff = estimate(&b.iter().zip(a).map(|(x, y)| x - y).collect::<Vec<f64>>());
        rows.push(vec![
            format!("{} {} (objective)", if o.sign() > 0.0 { "minimise" } else { "maximise" }, o.name()),
            fmt_estimate(o.kpi, &estimate_kpi(o.kpi.name, a)),
            fmt_estimate(o.kpi, &estimate_kpi(o.kpi.name, b)),
            fmt_difference(o.kpi, &diff),
        ]);
    }
    for (j, r) in p.requirements.iter().enumerate() {
        let (a, b) = (&inp.requirement_values[j], &c.eval.requirement_values[j]);
        let diff = estimate(&b.iter().zip(a).map(|(x, y)| x - y).collect::<Vec<f64>>());
        rows.push(vec![
            r.text(),
            fmt_estimate(r.kpi, &estimate_kpi(r.kpi.name, a)),
            fmt_estimate(r.kpi, &estimate_kpi(r.kpi.name, b)),
            fmt_difference(r.kpi, &diff),
        ]);
        rows.push(vec![
            format!("chance that {} holds", r.text()),
            chance_text(inp.chance(p, j), inp.n),
            chance_text(c.eval.chance(p, j), c.eval.n),
            String::new(),
        ]);
    }
    Section {
        title: "The best plan against the input plan".into(),
        intro: format!(
            "Both plans run again with {} (the same seeds for both, more than the search used); a chance is the share of runs in which the requirement holds, with its 95% Wilson interval.",
            count_of(c.eval.n as u64, "run")
        ),
        header: vec!["".into(), "input plan".into(), "best plan".into(), "difference (paired)".into()],
        rows,
        ..Section::default()
    }
}

/// Fiscal cost per localization point of the winner against the input plan, and each incentive's
/// contribution in the winner (as `kicsim breakdown` computes it).
fn contributions_section(f: &Findings) -> Option<Section> {
    let arms = &f.arms;
    if arms.len() < 2 {
        return None;
    }
    let diffs = |a: &Arm, b: &Arm, k: &str| a.runs.iter().zip(&b.runs).map(|(x, y)| value(x, k) - value(y, k)).collect::<Vec<f64>>();
    let diff = |a: &Arm, b: &Arm, k: &str| estimate(&diffs(a, b, k));
    let (loc, fis) =
        (crate::studies::comparison::kpi("localization_rate"), crate::studies::comparison::kpi("cumulative_fiscal_cost_usd_m"));
    let row = |label: String, a: &Arm, b: &Arm| {
        let (l, c) = (diff(a, b, loc.name), diff(a, b, fis.name));
        // The one value-for-money measure (studies::value), with its interval.
        let per = crate::studies::value::value_for_money(&diffs(a, b, loc.name), &diffs(a, b, fis.name)).short();
        vec![label, fmt_difference(loc, &l), fmt_difference(fis, &c), per]
    };
    let mut rows = vec![row("best plan against the input plan".into(), &arms[0], &arms[1])];
    for (name, arm) in f.incentives.iter().zip(&arms[2..]) {
        rows.push(row(format!("{name} (best plan with and without it)"), &arms[0], arm));
    }
    Some(Section {
        title: "Fiscal cost per localization point and each incentive's contribution".into(),
        intro: format!(
            "Final values at year {} over {} (paired); a contribution = the best plan minus the best plan with that incentive switched off, as kicsim breakdown computes it. The cost per point is given only where the gain in localization is clear.",
            f.problem.base.years,
            count_of(arms[0].runs.len() as u64, "replication")
        ),
        header: vec![
            "".into(),
            "localization (pp)".into(),
            "cumulative fiscal cost (USD million)".into(),
            format!("{} (USD million per pp)", crate::registry::VALUE_FOR_MONEY.label.to_lowercase()),
        ],
        rows,
        ..Section::default()
    })
}

/// Each lever moved a tenth of its range each way from the winner.
fn sensitivity_section(f: &Findings, c: &Confirmed) -> Section {
    let p = f.problem;
    let o = &p.objectives[0];
    let base = c.eval.objectives[0];
    let cell = |side: &Option<(f64, Evaluation)>| match side {
        None => "at its bound".to_string(),
        Some((v, e)) if e.invalid.is_some() => format!("{}: not a valid plan", fmt_num(*v)),
        Some((v, e)) => format!(
            "{}: {} {}, all requirements {:.0}%",
            fmt_num(*v),
            o.name(),
            o.kpi.fmt_diff(e.objectives[0] - base),
            100.0 * e.joint_chance(p)
        ),
    };
    Section {
        title: "Which levers the result is sensitive to".into(),
        intro: format!(
            "The best plan with one lever moved a tenth of its range down and up ({} each, the same seeds): the change of the first objective, and the share of runs in which all requirements hold (the best plan: {:.0}%).",
            count_of(c.eval.n as u64, "run"),
            100.0 * c.eval.joint_chance(p)
        ),
        header: vec!["lever".into(), "a tenth down".into(), "a tenth up".into()],
        rows: f.sensitivity.iter().map(|s| vec![s.lever.clone(), cell(&s.down), cell(&s.up)]).collect(),
        text: true,
        ..Section::default()
    }
}

/// The confirmed plans: the winner among them, or the closest ones when none is feasible.
fn confirmed_section(f: &Findings) -> Section {
    let p = f.problem;
    let o = &p.objectives[0];
    let mut rows: Vec<Vec<String>> = f
        .outcome
        .confirmed
        .iter()
        .map(|c| {
            let values: Vec<String> = p.levers.iter().zip(&c.values).map(|(l, v)| format!("{}={}", l.path, fmt_num(*v))).collect();
            let mark = if f.winner().is_some_and(|w| w.candidate == c.candidate) { " (best)" } else { "" };
            vec![
                format!("{}{mark}", c.candidate),
                values.join(", "),
                fmt_estimate(o.kpi, &estimate_kpi(o.kpi.name, &c.eval.objective_values[0])),
                chance_text(c.eval.joint_chance(p), c.eval.n),
                if p.requirements.is_empty() { String::new() } else { reaches(p, &c.eval) },
            ]
        })
        .collect();
    rows.sort_by_key(|r| !r[0].contains("(best)"));
    Section {
        title: if f.winner().is_some() { "The best candidates, confirmed" } else { "The closest plans" }.into(),
        intro: "The candidates with the best search results, run again with more replications before a winner is declared, so a lucky draw does not win.".into(),
        header: vec!["candidate".into(), "levers".into(), o.name(), "chance all requirements hold".into(), "what the requirements reach".into()],
        rows,
        text: true,
        ..Section::default()
    }
}

/// The search in numbers.
fn search_section(f: &Findings) -> Section {
    let restarts = f.candidates.iter().map(|c| c.restart).max().unwrap_or(0) + 1;
    let feasible = f.candidates.iter().filter(|c| c.eval.feasible(f.problem)).count();
    let ended = match f.ended {
        Ended::Evaluations => "the budget of evaluations was used",
        Ended::Time => "the time budget was used",
        Ended::Interrupted => "it was interrupted (Ctrl+C); the results are those found until then",
    };
    Section {
        title: "The search".into(),
        intro: format!(
            "CMA-ES (the cmaes crate) over the levers scaled to their bounds, {} in {} ({} feasible), {} each with common random numbers (seed {} + r for every candidate); it ended because {ended}. candidates.csv lists every candidate.",
            count_of(f.candidates.len() as u64, "candidate"),
            count_of(restarts as u64, "restart"),
            feasible,
            count_of(f.candidates.first().map_or(0, |c| c.eval.n) as u64, "run"),
            f.problem.base.seed
        ),
        ..Section::default()
    }
}

/// The progress chart (and the Pareto chart and pareto.csv with several objectives).
fn charts(set: &mut OutputSet, out: &Path, f: &Findings) -> Result<Section, String> {
    let p = f.problem;
    let o = &p.objectives[0];
    let footer = footer_of(std::iter::once(&f.record));
    let feasible: Vec<&Candidate> = f.candidates.iter().filter(|c| c.eval.feasible(p)).collect();
    let mut best: Vec<(f64, f64)> = Vec::new();
    for c in &feasible {
        let v = c.eval.objectives[0];
        let better = best.last().is_none_or(|(_, b)| o.sign() * v < o.sign() * b);
        best.push((c.id as f64, if better { v } else { best.last().map_or(v, |b| b.1) }));
    }
    let prog = Progress {
        kpi: o.kpi,
        title: format!("Search progress: {} of the feasible candidates", o.name()),
        feasible: feasible.iter().map(|c| (c.id as f64, c.eval.objectives[0])).collect(),
        best,
        input: Some(f.outcome.input.eval.objectives[0]),
    };
    let mut list =
        vec![Chart { title: "Search progress".into(), png: "progress.png".into(), svg: progress_files(set, out, &prog, &footer)? }];
    if p.objectives.len() >= 2 {
        let pt = |c: &Candidate| (c.eval.objectives[0], c.eval.objectives[1]);
        let front = Front {
            kpis: [o.kpi, p.objectives[1].kpi],
            names: [o.name(), p.objectives[1].name()],
            feasible: feasible.iter().map(|c| pt(c)).collect(),
            front: f.outcome.front.iter().map(|&i| pt(&f.candidates[i])).collect(),
            input: Some(pt(&f.candidates[0])),
        };
        list.push(Chart { title: "Pareto front".into(), png: "pareto.png".into(), svg: front_files(set, out, &front, &footer)? });
    }
    Ok(Section { title: "Charts".into(), charts: list, ..Section::default() })
}

/// pareto.csv: the front's candidates with their levers and objectives.
fn pareto_csv(f: &Findings) -> String {
    let p = f.problem;
    let mut header = vec!["candidate".to_string()];
    header.extend(p.levers.iter().map(|l| l.path.clone()));
    header.extend(p.objectives.iter().map(|o| format!("mean_{}", o.name())));
    header.push("chance_all_requirements".into());
    let rows = f.outcome.front.iter().map(|&i| {
        let c = &f.candidates[i];
        let mut row = vec![c.id.to_string()];
        row.extend(c.values.iter().map(|v| fmt_num(*v)));
        row.extend(c.eval.objectives.iter().map(|v| fmt_num(*v)));
        row.push(fmt_num(c.eval.joint_chance(p)));
        row
    });
    csv_text(&f.record.comment_line(), &header, rows)
}

/// The best (or closest) plan as a scenario file `run`, `compare` and the window open.
fn plan_file(f: &Findings) -> Option<(&'static str, String)> {
    let (name, c, what) = match f.winner() {
        Some(w) => ("best.ron", w, "best plan"),
        None => (
            "closest.ron",
            f.outcome.confirmed.iter().min_by(|a, b| a.fitness.total_cmp(&b.fitness))?,
            "closest plan (the requirements are not met)",
        ),
    };
    let mut s = c.scenario.clone();
    s.name = format!("{} (optimised)", f.problem.base.name);
    s.description = format!(
        "kicsim optimize: the {what}, candidate {} of {}, from {}. {}",
        c.candidate,
        f.candidates.len(),
        f.spec.file,
        f.problem.base.description
    );
    let head = format!(
        "// kicsim optimize {}: candidate {} ({what}). Run it with: kicsim run {name} --replications {}\n",
        f.spec.file, c.candidate, c.eval.n
    );
    Some((name, head + &s.to_ron() + "\n"))
}

/// Writes every output as one set: the plan file, candidates.csv, pareto.csv, charts, report.
pub fn write_outputs(out: &Path, f: &Findings) -> Result<Vec<String>, String> {
    let mut set = OutputSet::default();
    let mut names = Vec::new();
    if let Some((name, text)) = plan_file(f) {
        set.add(out.join(name), text);
        names.push(name.to_string());
    }
    set.add(out.join("candidates.csv"), candidates_csv(&f.record.comment_line(), f.problem, f.candidates));
    names.push("candidates.csv".into());
    if f.problem.objectives.len() >= 2 {
        set.add(out.join("pareto.csv"), pareto_csv(f));
        names.push("pareto.csv".into());
    }
    let charts = charts(&mut set, out, f)?;
    let mut sections = vec![levers_section(f)];
    if let Some(w) = f.winner() {
        sections.push(results_section(f, w));
        sections.extend(contributions_section(f));
        sections.push(sensitivity_section(f, w));
    }
    sections.push(confirmed_section(f));
    if f.arms.len() >= 2 {
        let head =
            |a: &Arm, label: &str| Arm { label: label.into(), scenario: a.scenario.clone(), record: a.record.clone(), runs: Vec::new() };
        sections.push(inputs::differing(&[head(&f.arms[1], "input plan"), head(&f.arms[0], "best plan")]));
    }
    sections.extend([search_section(f), charts]);
    let report = Report {
        title: format!("Goal seeking: {}", f.problem.base.name),
        verdict: verdict(f),
        intro: format!("Input plan: {} ({}).", f.spec.file, f.problem.base.name),
        ci_note: CI_NOTE.into(),
        sections,
        records: vec![f.record.clone()],
        ..Report::default()
    };
    write_report(set, out, &report, serde_json::Value::Null, json_of(f))?;
    names.extend(["report.html", "report.md", "report.json"].map(String::from));
    Ok(names)
}

/// report.json's `optimize` part.
fn json_of(f: &Findings) -> serde_json::Value {
    let p = f.problem;
    let plan = |c: &Confirmed| {
        json!({
            "candidate": c.candidate,
            "levers": p.levers.iter().zip(&c.values).map(|(l, v)| (l.path.clone(), json!(v))).collect::<serde_json::Map<_, _>>(),
            "objectives": p.objectives.iter().zip(&c.eval.objective_values).map(|(o, v)| (o.name(), json!(estimate_kpi(o.kpi.name, v)))).collect::<serde_json::Map<_, _>>(),
            "chances": p.requirements.iter().enumerate().map(|(j, r)| {
                let (lo, hi) = wilson(c.eval.chance(p, j), c.eval.n);
                (r.text(), json!({"chance": c.eval.chance(p, j), "ci95_low": lo, "ci95_high": hi, "n": c.eval.n}))
            }).collect::<serde_json::Map<_, _>>(),
            "chance_all_requirements": c.eval.joint_chance(p),
            "runs": c.eval.n,
        })
    };
    json!({"optimize": {
        "reached": f.winner().is_some(),
        "confidence": p.confidence,
        "requirements": p.requirements.iter().map(|r| r.text()).collect::<Vec<_>>(),
        "objectives": p.objectives.iter().map(|o| o.name()).collect::<Vec<_>>(),
        "candidates": f.candidates.len(),
        "ended": f.ended,
        "input_plan": plan(&f.outcome.input),
        "best": f.winner().map(plan),
        "confirmed": f.outcome.confirmed.iter().map(plan).collect::<Vec<_>>(),
        "pareto_front": f.outcome.front,
        "feasible_candidates": f.candidates.iter().filter(|c| status(p, c) == "feasible").count(),
    }})
}
