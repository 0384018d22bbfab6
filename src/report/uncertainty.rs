//! What `--parameter-draws` adds to the outputs: the sections appended to the compare and
//! breakdown reports (each scenario's levels, each difference with its verdict, which incentive
//! buys localization more cheaply), and `kicsim run`'s draws.csv, summary object and lines.

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::Section;
use crate::analysis::quantile;
use crate::format::fmt_num;
use crate::registry::kpi_of;
use crate::run;
use crate::scenario::Scenario;
use crate::studies::draws::{Draws, Finals, ROBUST_SHARE, Spread, final_names, kpi_index, per_draw, run_all, spread, verdict};

/// What parameter draws add to a compare or breakdown report: its sections, in order, and the
/// `parameter_uncertainty` object of report.json.
pub struct Appendix {
    pub sections: Vec<Section>,
    pub json: Value,
}

impl Appendix {
    /// The sections and `{"parameter_uncertainty": ...}` for report.json (`{}` without draws).
    pub fn split(this: Option<Appendix>) -> (Vec<Section>, Value) {
        match this {
            None => (Vec::new(), json!({})),
            Some(a) => (a.sections, json!({ "parameter_uncertainty": a.json })),
        }
    }
}

/// The KPIs the draws' sections report: those of the reports' tables.
pub const SECTION_KPIS: [&str; 6] = crate::studies::comparison::REPORT_KPIS;

fn fmt_level(kpi: &str, s: &Spread) -> String {
    let k = kpi_of(kpi).expect("known KPI");
    format!("{} [{}, {}]", k.fmt(s.mean), k.fmt(s.lo95), k.fmt(s.hi95))
}

fn fmt_diff(kpi: &str, s: &Spread) -> String {
    let k = kpi_of(kpi).expect("known KPI");
    format!("{} [{}, {}]", k.fmt_diff(s.mean), k.fmt_diff(s.lo95), k.fmt_diff(s.hi95))
}

fn params_json(draws: &Draws) -> Value {
    json!(draws.params.iter().map(|p| json!({"path": p.path(), "low": p.lo, "high": p.hi})).collect::<Vec<_>>())
}

fn method_text(draws: &Draws, base_seed: u64) -> String {
    format!(
        "{}; {} per draw; draw d, replication r runs seed {base_seed} + d × {} + r with the same parameters in every scenario (common random numbers). \
         Brackets: 2.5-97.5% of the draws' means, so they include parameter uncertainty. A difference is robust when it keeps its sign in at least {:.0}% of the draws, \
         and depends on assumptions otherwise; 'depends most on' lists the parameters with the largest rank correlation with the paired difference across draws (+: the difference grows with the parameter).",
        draws.source,
        crate::format::count_of(draws.replications.into(), "replication"),
        draws.replications,
        100.0 * ROBUST_SHARE
    )
}

/// Runs the scenarios of a comparison with the draws and builds the section of the report:
/// each scenario's levels, and each scenario's paired difference to the first with its verdict.
pub fn compare_section(draws: Option<Draws>, arms: &[(String, Scenario)], base_seed: u64) -> Result<Option<Appendix>, String> {
    let Some(draws) = draws else { return Ok(None) };
    draws.check(arms)?;
    let finals = run_all(arms, &draws, base_seed);
    Ok(Some(comparison(arms, &draws, &finals, base_seed, Direction::ToFirst)))
}

/// Runs a breakdown's scenarios (all incentives, then each switched off) with the draws: each
/// incentive's contribution with its verdict, and which incentive buys localization more cheaply
/// than which across the draws.
pub fn breakdown_section(
    draws: Option<Draws>,
    arms: &[(String, Scenario)],
    incentives: &[String],
    base_seed: u64,
) -> Result<Option<Appendix>, String> {
    let Some(draws) = draws else { return Ok(None) };
    draws.check(arms)?;
    let finals = run_all(arms, &draws, base_seed);
    let mut section = comparison(arms, &draws, &finals, base_seed, Direction::Contribution);
    let (parts, json) = efficiency_ranking(incentives, &draws, &finals);
    section.sections.extend(parts);
    if let Some(o) = section.json.as_object_mut() {
        o.insert("cost_effectiveness_ranking".into(), json);
    }
    Ok(Some(section))
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    /// Compare: scenario i minus the first.
    ToFirst,
    /// Breakdown: the first (all incentives) minus scenario i (one switched off).
    Contribution,
}

fn comparison(arms: &[(String, Scenario)], draws: &Draws, finals: &Finals, base_seed: u64, dir: Direction) -> Appendix {
    let reps = draws.replications;
    let mut header = vec!["KPI".to_string()];
    header.extend(arms.iter().map(|(label, _)| label.clone()));
    let mut rows = Vec::new();
    let mut levels_json = Vec::new();
    for kpi in SECTION_KPIS {
        let k = kpi_index(kpi);
        let mut row = vec![kpi_of(kpi).map_or(kpi, |x| x.label).to_string()];
        let mut cells = Vec::new();
        for (a, (name, _)) in arms.iter().enumerate() {
            let s = spread(&per_draw(&finals[a], k, reps));
            row.push(fmt_level(kpi, &s));
            cells.push(json!({"scenario": name, "level": s}));
        }
        rows.push(row);
        levels_json.push(json!({"kpi": kpi, "values": cells}));
    }
    let levels = Section {
        title: "Parameter uncertainty".into(),
        intro: method_text(draws, base_seed),
        header,
        rows,
        more: "Levels: mean over every run, and 2.5-97.5% of the draws' means.".into(),
        ..Section::default()
    };
    let (title, what) = match dir {
        Direction::ToFirst => ("Parameter uncertainty: differences to the first scenario", "difference"),
        Direction::Contribution => {
            ("Parameter uncertainty: contribution of each incentive (all incentives minus that one switched off)", "contribution")
        }
    };
    let header: Vec<String> =
        ["scenario", "KPI", &format!("{what} [95% over draws]"), "draws with this sign", "verdict", "depends most on"]
            .iter()
            .map(|h| h.to_string())
            .collect();
    let mut rows = Vec::new();
    let mut diffs_json = Vec::new();
    let mut robust_count = (0, 0);
    for (a, (name, _)) in arms.iter().enumerate().skip(1) {
        for kpi in SECTION_KPIS {
            let k = kpi_index(kpi);
            let (x, base) = (per_draw(&finals[a], k, reps), per_draw(&finals[0], k, reps));
            let d: Vec<f64> = match dir {
                Direction::ToFirst => x.iter().zip(&base).map(|(x, b)| x - b).collect(),
                Direction::Contribution => base.iter().zip(&x).map(|(b, x)| b - x).collect(),
            };
            let v = verdict(&d, draws);
            robust_count.1 += 1;
            robust_count.0 += usize::from(v.robust);
            rows.push(vec![
                name.clone(),
                kpi_of(kpi).map_or(kpi, |x| x.label).to_string(),
                fmt_diff(kpi, &v.spread),
                format!("{:.0}%", 100.0 * v.same_sign_share),
                v.words().to_string(),
                v.drivers_text(),
            ]);
            diffs_json.push(json!({"scenario": name, "kpi": kpi, "verdict": v.words(), "difference": v}));
        }
    }
    let diffs = Section {
        title: title.into(),
        intro: String::new(),
        header,
        rows,
        more: format!("{} of {} differences are robust.", robust_count.0, robust_count.1),
        ..Section::default()
    };
    let json = json!({
        "method": draws.source,
        "draws": draws.len(),
        "replications_per_draw": draws.replications,
        "robust_share": ROBUST_SHARE,
        "parameters": params_json(draws),
        "levels": levels_json,
        "differences": diffs_json,
    });
    Appendix { sections: vec![levels, diffs], json }
}

/// Localization points per USD 100 million of fiscal cost, per draw, of each incentive
/// (breakdown arms 1.. are the incentives switched off), and for each pair the share of draws in
/// which the one ranked higher buys more localization per dollar.
fn efficiency_ranking(incentives: &[String], draws: &Draws, finals: &Finals) -> (Vec<Section>, Value) {
    let reps = draws.replications;
    let (loc, fis) = (kpi_index("localization_rate"), kpi_index("cumulative_fiscal_cost_usd_m"));
    let full_loc = per_draw(&finals[0], loc, reps);
    let full_fis = per_draw(&finals[0], fis, reps);
    let eff: Vec<Vec<f64>> = (1..finals.len())
        .map(|a| {
            let (l, f) = (per_draw(&finals[a], loc, reps), per_draw(&finals[a], fis, reps));
            (0..full_loc.len())
                .map(|d| {
                    let (dl, df) = (100.0 * (full_loc[d] - l[d]), full_fis[d] - f[d]);
                    if df > 1e-9 {
                        100.0 * dl / df
                    } else if dl > 0.0 {
                        f64::INFINITY
                    } else {
                        f64::NEG_INFINITY
                    }
                })
                .collect()
        })
        .collect();
    let medians: Vec<f64> = eff.iter().map(|e| quantile(&e.iter().map(|v| v.clamp(-1e12, 1e12)).collect::<Vec<_>>(), 0.5)).collect();
    let mut order: Vec<usize> = (0..eff.len()).collect();
    order.sort_by(|&a, &b| medians[b].total_cmp(&medians[a]));
    let mut rows = Vec::new();
    let mut ranked = Vec::new();
    let f = |v: f64| if v.abs() >= 1e12 { "unbounded (no fiscal cost)".to_string() } else { format!("{v:.2}") };
    for &i in &order {
        let e: Vec<f64> = eff[i].iter().map(|v| v.clamp(-1e12, 1e12)).collect();
        let (lo, hi) = (quantile(&e, 0.025), quantile(&e, 0.975));
        ranked.push(vec![incentives[i].clone(), f(medians[i]), format!("{} .. {}", f(lo), f(hi))]);
        rows.push(json!({"incentive": incentives[i], "points_per_usd_100m_median": num(medians[i]), "low95": num(lo), "high95": num(hi)}));
    }
    let mut pair_rows = Vec::new();
    let mut pairs = Vec::new();
    for (x, &i) in order.iter().enumerate() {
        for &j in &order[x + 1..] {
            let agree = eff[i].iter().zip(&eff[j]).filter(|(a, b)| a > b).count() as f64 / eff[i].len().max(1) as f64;
            let words = if agree >= ROBUST_SHARE { "robust" } else { "depends on assumptions" };
            pair_rows.push(vec![
                format!("{} cheaper per point than {}", incentives[i], incentives[j]),
                format!("{:.0}%", 100.0 * agree),
                words.to_string(),
            ]);
            pairs.push(json!({"better": incentives[i], "worse": incentives[j], "share_of_draws": agree, "verdict": words}));
        }
    }
    let cost = Section {
        title: "Parameter uncertainty: which incentive buys localization more cheaply".into(),
        intro: "Localization points per USD 100 million of fiscal cost, per draw (median over draws), best first.".into(),
        header: vec!["incentive".into(), "points per USD 100 m (median)".into(), "2.5-97.5% over draws".into()],
        rows: ranked,
        ..Section::default()
    };
    let ranking = Section {
        title: "Parameter uncertainty: rankings of the incentives".into(),
        intro: "Each pair: the share of draws in which the first buys more localization per dollar than the second.".into(),
        header: vec!["ranking".into(), "draws that agree".into(), "verdict".into()],
        rows: pair_rows,
        ..Section::default()
    };
    (vec![cost, ranking], json!({"incentives": rows, "pairs": pairs}))
}

fn num(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

/// What `kicsim run --parameter-draws N` adds: the draws' CSV and the `parameter_uncertainty`
/// object of summary.json (each KPI's mean and 95% range over the draws, beside the seed-only
/// interval the summary already gives).
pub fn run_outputs(scenario: &Scenario, draws: &Draws, record: &run::RunRecord) -> (String, Value) {
    let arms = [(scenario.name.clone(), scenario.clone())];
    let finals = run_all(&arms, draws, scenario.seed);
    let names = final_names();
    let mut csv = format!("{}\n# parameter draws: {}\n", record.comment_line(), draws.source);
    let mut header = vec!["draw".to_string(), "replication".into(), "seed".into()];
    header.extend(draws.params.iter().map(|p| p.path().to_string()));
    header.extend(names.iter().map(|n| n.to_string()));
    csv.push_str(&header.join(","));
    csv.push('\n');
    for d in 0..draws.len() {
        for r in 0..draws.replications {
            let mut row = vec![d.to_string(), r.to_string(), draws.seed(scenario.seed, d, r).to_string()];
            row.extend(draws.values[d].iter().map(|v| fmt_num(*v)));
            row.extend(finals[0][d * draws.replications as usize + r as usize].iter().map(|v| fmt_num(*v)));
            csv.push_str(&row.join(","));
            csv.push('\n');
        }
    }
    let mut kpis = serde_json::Map::new();
    for (k, name) in names.iter().enumerate() {
        let s = spread(&per_draw(&finals[0], k, draws.replications));
        kpis.insert(name.to_string(), json!({"mean": num(s.mean), "low95": num(s.lo95), "high95": num(s.hi95)}));
    }
    let json = json!({
        "method": draws.source,
        "interval": "2.5-97.5% of the draws' means: includes parameter uncertainty (the `final` intervals are from the seeds only)",
        "draws": draws.len(),
        "replications_per_draw": draws.replications,
        "parameters": params_json(draws),
        "draws_file": "draws.csv",
        "final": Value::Object(kpis),
    });
    (csv, json)
}

/// The terminal lines of `run --parameter-draws`: the shown KPIs with their range over draws.
pub fn run_table(json: &Value) -> String {
    let mut out = String::from("with parameter uncertainty (95% of the draws' means):\n");
    for name in ["localization_rate", "final_year_exports_usd_m", "tier1_suppliers", "cumulative_fiscal_cost_usd_m"] {
        let v = &json["final"][name];
        let (Some(m), Some(lo), Some(hi)) = (v["mean"].as_f64(), v["low95"].as_f64(), v["high95"].as_f64()) else { continue };
        let k = kpi_of(name).expect("known KPI");
        writeln!(out, "{:<30} {:>14} {:>12} .. {:<12}", name, k.fmt_mean(m), k.fmt_mean(lo), k.fmt_mean(hi)).ok();
    }
    out
}
