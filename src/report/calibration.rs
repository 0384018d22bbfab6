//! The outputs of `kicsim calibrate`: posterior.csv (usable by `--parameter-draws N
//! --posterior`), calibration.json, report.md, report.html and a prior-vs-posterior chart per
//! parameter, with which parameters the targets constrain (posterior sd / prior sd well below 1)
//! and which they do not (near 1), and with `--synthetic` how well known values are recovered.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::page::{self, Block, from_markdown};
use crate::analysis::{self, AbcResult};
use crate::charts::studies::Chart;
use crate::format::fmt_num;
use crate::io::OutputSet;
use crate::registry::kpi_of;
use crate::run::RunRecord;
use crate::scenario::Scenario;
use crate::studies::calibration::{Sampler, Targets, constraint, list, weighted_corr};
use crate::studies::params::Param;

/// What the outputs say about how they were made: the output folder, the targets file and the
/// replications per target scenario.
pub struct Inputs<'a> {
    pub out: &'a Path,
    pub targets: &'a Path,
    pub replications: u32,
}

/// Writes posterior.csv, calibration.json, report.md, report.html and the charts as one set, and
/// says on the terminal what the targets constrain.
#[allow(clippy::too_many_arguments)]
pub fn write_outputs(
    a: &Inputs,
    base: &Scenario,
    params: &[Param],
    targets: &Targets,
    result: &AbcResult,
    truth: Option<&[f64]>,
    record: &RunRecord,
    sampler: &Sampler,
    (runs, secs): (usize, f64),
) -> Result<(), String> {
    let out = &a.out;
    let footer = record.comment_line().trim_start_matches("# ").to_string();
    let method = match sampler {
        Sampler::Rejection(_) => "rejection ABC",
        Sampler::Smc(_) => "ABC-SMC",
    };
    let overall_share = result.samples.len() as f64 / result.n_simulations.max(1) as f64;
    let csv = posterior_csv(a, params, targets, result, truth, record, method);
    let mut files = OutputSet::default();
    let mut order: Vec<usize> = (0..params.len()).collect();
    order.sort_by(|&x, &y| result.summary[x].sd_ratio.total_cmp(&result.summary[y].sd_ratio));
    let (ptable, pjson, svgs, md_charts) = parameters_part(&mut files, out, &footer, base, params, result, truth, &order)?;
    let (ttable, tjson) = targets_part(targets, result);
    let gtable = generations_table(result);
    let (ctable, cjson) = tradeoffs(params, result);
    let unconstrained: Vec<&str> = order.iter().filter(|&&j| result.summary[j].sd_ratio >= 0.85).map(|&j| params[j].short()).collect();
    let constrained: Vec<&str> = order.iter().filter(|&&j| result.summary[j].sd_ratio < 0.5).map(|&j| params[j].short()).collect();
    let intro = intro(a, method, params, targets, result, truth, (runs, secs), overall_share);
    let mut md = format!("# Calibration: {}\n\n{intro}\n\n", base.name);
    writeln!(md, "Constrained by the targets (sd ratio below 0.5): {}.\n\nNot constrained (sd ratio 0.85 or more: the targets say little about them): {}.\n", list(&constrained), list(&unconstrained)).ok();
    let (rtable, recovery_json) = recovery(params, result, truth, &order);
    if truth.is_some() {
        md.push_str(&format!("## Identifiability: recovery of known values\n\n{rtable}\n"));
    }
    writeln!(md, "## Parameters\n\n{ptable}\n## Trade-offs\n\n{ctable}\n## Targets\n\n{ttable}\n## Generations\n\n{gtable}\n## Prior and posterior\n\n{md_charts}\n## Run record\n\n{footer}\n").ok();
    let mut html = page::Page::new(format!("Calibration: {}", base.name), "svg{max-width:48%}\n");
    html.push(Block::p(intro.clone()));
    html.push(Block::p(format!("Constrained by the targets (sd ratio below 0.5): {}.", list(&constrained))));
    html.push(Block::p(format!("Not constrained (sd ratio 0.85 or more): {}.", list(&unconstrained))));
    if !rtable.is_empty() {
        html.push(Block::h2("Identifiability: recovery of known values"));
        html.extend(from_markdown(&rtable));
    }
    for (title, md_part) in [("Parameters", &ptable), ("Trade-offs", &ctable), ("Targets", &ttable), ("Generations", &gtable)] {
        html.push(Block::h2(title));
        html.extend(from_markdown(md_part));
    }
    html.push(Block::h2("Prior and posterior"));
    html.push(Block::svg(svgs));
    html.push(Block::h2("Run record"));
    html.push(Block::p(footer.clone()));
    let json = json!({
        "run": record,
        "method": method,
        "sampler": sampler,
        "targets_file": a.targets.display().to_string(),
        "synthetic": truth.is_some(),
        "replications": a.replications,
        "simulations": result.n_simulations,
        "runs": runs,
        "seconds": secs,
        "accepted_share": result.accepted_share,
        "accepted_share_of_all_simulations": overall_share,
        "tolerance": if result.tolerance.is_finite() { json!(result.tolerance) } else { json!(null) },
        "stop_reason": result.stop_reason,
        "generations": result.generations,
        "parameters": pjson,
        "posterior_correlations": cjson,
        "targets": tjson,
        "recovery": recovery_json,
    });
    files.add(out.join("posterior.csv"), csv);
    files.add(out.join("calibration.json"), serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n");
    files.add(out.join("report.md"), md);
    files.add(out.join("report.html"), html.render()?);
    files.write(out)?;
    crate::say!("{intro}");
    crate::say!("constrained: {}; not constrained: {}", list(&constrained), list(&unconstrained));
    if let Some(r) = &recovery_json {
        crate::say!("synthetic: {} of {} true values in their 95% posterior interval", r["covered"], params.len());
    }
    crate::say!("wrote {} and {}", out.join("posterior.csv").display(), out.join("report.html").display());
    Ok(())
}

/// posterior.csv: the run record, how the samples were made, then a row per sample (weight,
/// distance, parameters, each target's simulated value).
fn posterior_csv(
    a: &Inputs,
    params: &[Param],
    targets: &Targets,
    result: &AbcResult,
    truth: Option<&[f64]>,
    record: &RunRecord,
    method: &str,
) -> String {
    let quote = |s: &str| if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
    let mut csv = record.comment_line() + "\n";
    writeln!(
        csv,
        "# posterior: {method} over {}, targets {}{}, {} samples, accepted share {:.4}, tolerance {}",
        crate::format::count_of(params.len() as u64, "parameter"),
        a.targets.display(),
        if truth.is_some() { " (synthetic observations)" } else { "" },
        result.samples.len(),
        result.accepted_share,
        fmt_num(result.tolerance)
    )
    .ok();
    let mut header = vec!["sample".to_string(), "weight".into(), "distance".into()];
    header.extend(params.iter().map(|p| p.path().to_string()));
    header.extend(targets.targets.iter().map(|t| quote(&format!("sim:{}", t.name))));
    csv.push_str(&header.join(","));
    csv.push('\n');
    for (i, theta) in result.samples.iter().enumerate() {
        let mut row = vec![i.to_string(), fmt_num(result.weights[i]), fmt_num(result.distances[i])];
        row.extend(params.iter().zip(theta).map(|(p, v)| fmt_num(if p.field.integer { v.round() } else { *v })));
        row.extend(result.stats[i].iter().map(|v| fmt_num(*v)));
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    csv
}

/// The parameters' table (best constrained first), their JSON, and each one's prior-vs-posterior
/// chart (its SVG for the HTML, its PNG's link for the Markdown).
fn parameters_part(
    files: &mut OutputSet,
    out: &Path,
    footer: &str,
    base: &Scenario,
    params: &[Param],
    result: &AbcResult,
    truth: Option<&[f64]>,
    order: &[usize],
) -> Result<(String, Vec<serde_json::Value>, String, String), String> {
    let mut ptable = String::from(
        "| parameter | prior range | FILE's value | posterior mean | sd | 95% interval | sd / prior sd | the targets |\n|---|---|---|---|---|---|---|---|\n",
    );
    let mut pjson = Vec::new();
    let mut svgs = String::new();
    let mut md_charts = String::new();
    for &j in order {
        let (p, s) = (&params[j], &result.summary[j]);
        let centre = p.field.get(base).unwrap_or(f64::NAN);
        writeln!(
            ptable,
            "| {} | {}..{} | {} | {} | {} | {} .. {} | {:.2} | {} |",
            p.short(),
            fmt_num(p.lo),
            fmt_num(p.hi),
            fmt_num(centre),
            fmt_num(s.mean),
            fmt_num(s.sd),
            fmt_num(s.q025),
            fmt_num(s.q975),
            s.sd_ratio,
            constraint(s.sd_ratio)
        )
        .ok();
        pjson.push(
            json!({"parameter": p.path(), "prior": [p.lo, p.hi], "file_value": centre, "posterior": s, "verdict": constraint(s.sd_ratio)}),
        );
        let samples: Vec<f64> = result.samples.iter().map(|t| t[j]).collect();
        let chart = Chart::Histogram {
            title: format!("{}: prior and posterior (sd ratio {:.2})", p.short(), s.sd_ratio),
            range: (p.lo, p.hi),
            samples,
            weights: result.weights.clone(),
            truth: truth.map(|t| t[j]),
            centre: Some(centre),
        };
        let stem = format!("posterior_{}", p.short());
        svgs.push_str(&chart.files(files, out, &stem, (640, 380), footer)?);
        writeln!(md_charts, "![{}]({stem}.png)", p.short()).ok();
    }
    Ok((ptable, pjson, svgs, md_charts))
}

/// The targets' table: observed, and the posterior's predictions.
fn targets_part(targets: &Targets, result: &AbcResult) -> (String, Vec<serde_json::Value>) {
    let mut ttable = String::from(
        "| target | scenario | KPI, year | observed | posterior predictive mean [95%] | source |\n|---|---|---|---|---|---|\n",
    );
    let mut tjson = Vec::new();
    for (i, t) in targets.targets.iter().enumerate() {
        let k = kpi_of(&t.kpi).expect("checked KPI");
        let xs: Vec<f64> = result.stats.iter().map(|s| s[i]).collect();
        let m: f64 = xs.iter().zip(&result.weights).map(|(x, w)| x * w).sum();
        let (lo, hi) = (analysis::weighted_quantile(&xs, &result.weights, 0.025), analysis::weighted_quantile(&xs, &result.weights, 0.975));
        let obs = if t.target.lo == t.target.hi {
            format!("{} (sd {})", k.fmt(t.target.lo), k.fmt_diff(t.target.sd).trim_start_matches('+'))
        } else {
            format!("{} to {}", k.fmt(t.target.lo), k.fmt(t.target.hi))
        };
        writeln!(
            ttable,
            "| {} | {} | {}, year {} | {obs} | {} [{}, {}] | {} |",
            t.name.replace('|', "/"),
            targets.scenarios[t.scenario].0.replace('|', "/"),
            t.kpi,
            t.year,
            k.fmt(m),
            k.fmt(lo),
            k.fmt(hi),
            t.source.replace('|', "/")
        )
        .ok();
        tjson.push(json!({"name": t.name, "scenario": targets.scenarios[t.scenario].0, "kpi": t.kpi, "year": t.year, "observed": t.target, "posterior_predictive": {"mean": m, "q025": lo, "q975": hi}, "source": t.source}));
    }
    (ttable, tjson)
}

/// The sampler's generations: tolerance, simulations, acceptance, effective sample size.
fn generations_table(result: &AbcResult) -> String {
    let mut gtable = String::from(
        "| generation | tolerance | simulations | accepted | acceptance rate | effective sample size |\n|---|---|---|---|---|---|\n",
    );
    for g in &result.generations {
        writeln!(
            gtable,
            "| {} | {} | {} | {} | {:.3} | {:.0} |",
            g.generation,
            if g.tolerance.is_finite() { format!("{:.3}", g.tolerance) } else { "∞".into() },
            g.n_simulations,
            g.n_accepted,
            g.acceptance_rate,
            g.ess
        )
        .ok();
    }
    gtable
}

/// The pairs of parameters the targets tie together (posterior correlations above chance).
fn tradeoffs(params: &[Param], result: &AbcResult) -> (String, Vec<serde_json::Value>) {
    // Targets can pin down a combination of parameters while leaving each one free: the
    // posterior correlations show such trade-offs (the prior's are 0).
    let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
    for x in 0..params.len() {
        for y in x + 1..params.len() {
            let r = weighted_corr(&result.samples, x, y, &result.weights);
            if r.is_finite() {
                pairs.push((x, y, r));
            }
        }
    }
    pairs.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()));
    let noise = 2.0 / (result.samples.len() as f64).sqrt();
    let mut ctable = String::from("| parameters | posterior correlation |\n|---|---|\n");
    let mut cjson = Vec::new();
    for (x, y, r) in pairs.iter().take(8).filter(|p| p.2.abs() > noise) {
        writeln!(ctable, "| {} and {} | {r:+.2} |", params[*x].short(), params[*y].short()).ok();
        cjson.push(json!({"a": params[*x].path(), "b": params[*y].path(), "correlation": r}));
    }
    if cjson.is_empty() {
        ctable =
            format!("No pair of parameters has a posterior correlation above {noise:.2} (what chance gives with this many samples).\n");
    } else {
        ctable = format!(
            "Pairs the targets tie together (the prior has none; above {noise:.2}, what chance gives): the targets fix a combination of the two rather than each one (a negative correlation between two parameters that both raise a KPI: more of one goes with less of the other).\n\n{ctable}"
        );
    }
    (ctable, cjson)
}

/// What was run, in one paragraph.
#[allow(clippy::too_many_arguments)]
fn intro(
    a: &Inputs,
    method: &str,
    params: &[Param],
    targets: &Targets,
    result: &AbcResult,
    truth: Option<&[f64]>,
    (runs, secs): (usize, f64),
    overall_share: f64,
) -> String {
    let mut intro = format!(
        "{method} over {} (uniform priors over their plausible ranges), {} targets, {} of each target scenario per simulation. {} simulations ({} model runs) in {secs:.0} s; {} posterior samples; accepted share {:.3} of the final step ({:.4} of all simulations); final tolerance {}; stopped: {:?}.",
        crate::format::count_of(params.len() as u64, "parameter"),
        targets.targets.len(),
        crate::format::count_of(a.replications.into(), "replication"),
        result.n_simulations,
        runs,
        result.samples.len(),
        result.accepted_share,
        overall_share,
        fmt_num(result.tolerance),
        result.stop_reason
    );
    if truth.is_some() {
        intro.push_str(" The observations are synthetic: a run with known parameter values (below), with each target's own uncertainty.");
    }
    intro
}

/// With `--synthetic`: each true value against its posterior (the table, and its JSON).
fn recovery(params: &[Param], result: &AbcResult, truth: Option<&[f64]>, order: &[usize]) -> (String, Option<serde_json::Value>) {
    let mut recovery_json = None;
    let mut rtable = String::new();
    if let Some(truth) = truth {
        rtable.push_str("| parameter | true value | posterior mean | 95% interval | covered | error / prior sd | sd ratio |\n|---|---|---|---|---|---|---|\n");
        let mut rows = Vec::new();
        let mut covered = 0;
        for &j in order {
            let (p, s) = (&params[j], &result.summary[j]);
            let hit = s.q025 <= truth[j] && truth[j] <= s.q975;
            covered += usize::from(hit);
            let err = (s.mean - truth[j]) / s.prior_sd;
            writeln!(
                rtable,
                "| {} | {} | {} | {} .. {} | {} | {err:+.2} | {:.2} |",
                p.short(),
                fmt_num(truth[j]),
                fmt_num(s.mean),
                fmt_num(s.q025),
                fmt_num(s.q975),
                if hit { "yes" } else { "no" },
                s.sd_ratio
            )
            .ok();
            rows.push(json!({"parameter": p.path(), "truth": truth[j], "posterior_mean": s.mean, "q025": s.q025, "q975": s.q975, "covered": hit, "error_in_prior_sd": err, "sd_ratio": s.sd_ratio}));
        }
        writeln!(rtable, "\n{covered} of {} true values lie in their 95% posterior interval.", params.len()).ok();
        recovery_json = Some(json!({"covered": covered, "parameters": rows}));
    }
    (rtable, recovery_json)
}
