//! `kicsim breakdown`: each incentive of a scenario switched off in turn, its contribution to
//! localization, exports and fiscal cost, and the fiscal cost per localization point.

use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use super::options::DrawArgs;
use crate::charts::bars::{Bar, bar_files};
use crate::charts::footer_of;
use crate::format::{fmt_difference, shown};
use crate::io::OutputSet;
use crate::report::comparison::{band_charts, intro};
use crate::report::table::comparison_table;
use crate::report::uncertainty::{Appendix, breakdown_section};
use crate::report::verdict::{self, Contribution};
use crate::report::{CI_NOTE, Chart, Report, Section, inputs, write_report};
use crate::scenario::Scenario;
use crate::stats::{Estimate, estimate};
use crate::studies::comparison::{Arm, BREAKDOWN_KPIS, cost_per_localization_point, kpi, run_arms, switched_off_variants, value};

#[derive(Args)]
pub struct BreakdownArgs {
    /// The scenario whose incentives are switched off one at a time.
    pub file: PathBuf,
    /// Replications per run (paired: the same seeds with and without each incentive).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Output folder: report, breakdown charts, breakdown.json.
    #[arg(long, default_value = "breakdown-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: DrawArgs,
}

/// "localization (pp)": a KPI's label with the unit of its differences.
fn diff_heading(k: &crate::registry::Kpi) -> String {
    format!("{} ({})", k.label.to_lowercase(), k.diff_unit())
}

/// `kicsim breakdown`: the scenario with all its incentives and with each switched off, paired.
pub fn breakdown(a: BreakdownArgs) -> Result<(), String> {
    let s = Scenario::load(&a.file).map_err(|e| e.to_string())?;
    let file = a.file.display().to_string();
    let variants = switched_off_variants(&s);
    if variants.is_empty() {
        return Err(format!("{file}: no incentive is switched on, so there is nothing to break down"));
    }
    let mut arms_in = vec![(format!("{} (all incentives)", s.name), s.clone(), file.clone())];
    for (name, v) in &variants {
        arms_in.push((format!("without {name}"), v.clone(), format!("{file} with {name} off")));
    }
    let pairs: Vec<(String, Scenario)> = arms_in.iter().map(|(l, s, _)| (l.clone(), s.clone())).collect();
    let names: Vec<String> = variants.iter().map(|(n, _)| n.clone()).collect();
    let (appendix, appendix_json) = Appendix::split(breakdown_section(a.draws.draws(s.seed)?, &pairs, &names, s.seed)?);
    let arms = run_arms(arms_in, s.seed, a.replications);
    let table = comparison_table(&arms);
    crate::say_raw!("{}", table.text);
    let found = contributions(&arms, &variants);
    let list: Vec<Contribution> = found
        .found
        .iter()
        .map(|(incentive, [l, e, f], c)| Contribution { incentive, localization: l, exports: e, fiscal: f, cost_per_point: *c })
        .collect();
    let verdict = verdict::breakdown(&list);
    let mut set = OutputSet::default();
    let contribution_section = contribution_section(&mut set, &a.out, &arms, found)?;
    let charts = band_charts(&mut set, &a.out, &arms)?;
    let report = Report {
        title: format!("Policy breakdown: {}", s.name),
        verdict,
        intro: intro(&arms),
        ci_note: CI_NOTE.into(),
        table: Some(table.view),
        sections: [vec![contribution_section, inputs::descriptions(&arms[..1]), inputs::differing(&arms), charts], appendix]
            .into_iter()
            .flatten()
            .collect(),
        records: arms.iter().map(|a| a.record.clone()).collect(),
        ..Report::default()
    };
    write_report(set, &a.out, &report, table.json, appendix_json)?;
    crate::say!("wrote {}", a.out.join("report.html").display());
    Ok(())
}

/// Each incentive's paired contributions: the report's cells, the charts' bars (localization,
/// exports, fiscal cost), breakdown.json's rows and the estimates the verdict reads. Prints a
/// line per incentive.
struct Found {
    header: Vec<String>,
    cells: Vec<Vec<String>>,
    bars: [Vec<Bar>; 3],
    rows: Vec<serde_json::Value>,
    found: Vec<(String, [Estimate; 3], Option<f64>)>,
}

/// Contribution of an incentive = full scenario - scenario without it (paired).
fn contributions(arms: &[Arm], variants: &[(String, Scenario)]) -> Found {
    let contrib = |kpi: &str, i: usize| -> Estimate {
        let d: Vec<f64> = arms[0].runs.iter().zip(&arms[i].runs).map(|(f, o)| value(f, kpi) - value(o, kpi)).collect();
        estimate(&d)
    };
    let [k_loc, k_exp, k_fis] = BREAKDOWN_KPIS.map(kpi);
    let header = vec![
        "incentive".to_string(),
        diff_heading(k_loc),
        diff_heading(k_exp),
        diff_heading(k_fis),
        "fiscal cost per localization point (USD million per pp)".to_string(),
    ];
    let mut cells = Vec::new();
    let mut bars: [Vec<Bar>; 3] = Default::default();
    let mut rows = Vec::new();
    let mut found = Vec::new();
    for (i, (name, _)) in variants.iter().enumerate() {
        let [loc, exp, fis] = BREAKDOWN_KPIS.map(|k| contrib(k, i + 1));
        let cost_per_point = cost_per_localization_point(&loc, &fis);
        let per_point = match cost_per_point {
            Ok(c) => format!("{c:.1}"),
            Err(why) => format!("n/a ({why})"),
        };
        cells.push(vec![
            name.clone(),
            fmt_difference(k_loc, &loc),
            fmt_difference(k_exp, &exp),
            fmt_difference(k_fis, &fis),
            per_point.clone(),
        ]);
        crate::say!(
            "{name:<36} {} {}, {} {}, {} {}, per point: {per_point}",
            k_loc.label.to_lowercase(),
            k_loc.fmt_diff(loc.mean),
            k_exp.label.to_lowercase(),
            k_exp.fmt_diff(exp.mean),
            k_fis.label.to_lowercase(),
            k_fis.fmt_diff(fis.mean)
        );
        let bar = |k, e: &Estimate| (name.clone(), shown(k, e.mean), shown(k, e.ci95_low), shown(k, e.ci95_high));
        bars[0].push(bar(k_loc, &loc));
        bars[1].push(bar(k_exp, &exp));
        bars[2].push(bar(k_fis, &fis));
        rows.push(json!({
            "incentive": name,
            k_loc.name: loc,
            k_exp.name: exp,
            k_fis.name: fis,
            "fiscal_cost_per_localization_point_usd_m": cost_per_point.ok(),
        }));
        found.push((name.clone(), [loc, exp, fis], cost_per_point.ok()));
    }
    Found { header, cells, bars, rows, found }
}

/// The contribution charts and breakdown.json (added to `set`), and the report's section.
fn contribution_section(set: &mut OutputSet, out: &Path, arms: &[Arm], found: Found) -> Result<Section, String> {
    let footer = footer_of(std::iter::once(&arms[0].record));
    let kpis = BREAKDOWN_KPIS.map(kpi);
    let mut charts = Vec::new();
    for ((stem, k), bars) in ["breakdown_localization", "breakdown_exports", "breakdown_fiscal"].into_iter().zip(kpis).zip(&found.bars) {
        let svg = bar_files(set, out, stem, &format!("Contribution to {}; lines: 95% CI", diff_heading(k)), bars, &footer)?;
        charts.push((stem, svg, k));
    }
    let doc = json!({
        "run": &arms[0].record,
        "method": "contribution = outcome with all incentives - outcome with that one switched off, paired replications; in the units of the KPI columns (localization_rate as a share 0-1)",
        "contributions": found.rows,
    });
    set.add(out.join("breakdown.json"), serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n");
    let chart = |(stem, svg, k): (&str, String, &crate::registry::Kpi)| Chart {
        title: format!("Contribution to {}", diff_heading(k)),
        png: format!("{stem}.png"),
        svg,
    };
    Ok(Section {
        title: "Contribution of each incentive".into(),
        intro: "Contribution of each incentive = outcome with all incentives - outcome with that one switched off (paired replications). A fiscal cost with little localization or export effect is largely redundant spending.".into(),
        header: found.header,
        rows: found.cells,
        charts: charts.into_iter().map(chart).collect(),
        ..Section::default()
    })
}
