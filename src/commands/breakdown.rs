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
use crate::studies::comparison::{Arm, BREAKDOWN_KPIS, kpi, run_arms, switched_off_variants, value};
use crate::studies::value::{Value, value_for_money};

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
        return Err(format!("{file}: no incentive or public facility budget is switched on, so there is nothing to break down"));
    }
    let mut arms_in = vec![(format!("{} (all items)", s.name), s.clone(), file.clone())];
    for (name, v) in &variants {
        arms_in.push((format!("without {name}"), v.clone(), format!("{file} with {name} off")));
    }
    let pairs: Vec<(String, Scenario)> = arms_in.iter().map(|(l, s, _)| (l.clone(), s.clone())).collect();
    let names: Vec<String> = variants.iter().map(|(n, _)| n.clone()).collect();
    let (appendix, appendix_json) = Appendix::split(breakdown_section(a.draws.draws(s.seed)?, &pairs, &names, s.seed)?);
    let reference_in = crate::studies::comparison::reference_of(&arms_in[0].0, &s, &file);
    let mut arms = run_arms([arms_in, vec![reference_in]].concat(), s.seed, a.replications);
    let reference = arms.pop().expect("the reference arm");
    // The terminal gets the contributions (what each item adds), not the table of levels, whose
    // "without X: -5.8 pp" reads as the opposite of "X adds +5.8 pp".
    let mut table = comparison_table(&arms);
    let (row, row_json) = crate::report::table::value_row(&arms, &vec![&reference; arms.len()]);
    table.view.rows.push(row);
    if let serde_json::Value::Array(rows) = &mut table.json {
        rows.push(row_json);
    }
    let found = contributions(&arms, &variants);
    let list: Vec<Contribution> = found
        .found
        .iter()
        .map(|(incentive, [l, e, f], v, pairs)| Contribution {
            incentive,
            localization: l,
            exports: e,
            fiscal: f,
            value: *v,
            pairs: pairs.clone(),
        })
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

/// Each item's paired contributions: the report's cells, the charts' bars (localization,
/// exports, fiscal cost), breakdown.json's rows and the estimates the verdict reads. Prints a
/// line per item, and the total the items account for.
struct Found {
    header: Vec<String>,
    cells: Vec<Vec<String>>,
    bars: [Vec<Bar>; 3],
    rows: Vec<serde_json::Value>,
    /// Per item: its contributions, its value for money, and its paired (localization, cost)
    /// differences replication by replication (for the verdict's ranking).
    found: Vec<(String, [Estimate; 3], Value, (Vec<f64>, Vec<f64>))>,
    /// The plan's cumulative fiscal cost, and the part no single item accounts for (interactions).
    total: (Estimate, Estimate),
}

/// Contribution of an item = full scenario - scenario without it (paired).
fn contributions(arms: &[Arm], variants: &[(String, Scenario)]) -> Found {
    let diffs = |kpi: &str, i: usize| -> Vec<f64> { crate::report::table::paired_differences(&arms[0], &arms[i], kpi) };
    let [k_loc, k_exp, k_fis] = BREAKDOWN_KPIS.map(kpi);
    let header = vec![
        "item".to_string(),
        diff_heading(k_loc),
        diff_heading(k_exp),
        diff_heading(k_fis),
        format!("{} (against the plan without the item)", crate::registry::VALUE_FOR_MONEY.label.to_lowercase()),
    ];
    let mut cells = Vec::new();
    let mut bars: [Vec<Bar>; 3] = Default::default();
    let mut rows = Vec::new();
    let mut found = Vec::new();
    crate::say!("contribution of each item = the plan with all items - the plan with that one switched off (paired)");
    for (i, (name, _)) in variants.iter().enumerate() {
        let [loc, exp, fis] = BREAKDOWN_KPIS.map(|k| estimate(&diffs(k, i + 1)));
        let pairs = (diffs(BREAKDOWN_KPIS[0], i + 1), diffs(BREAKDOWN_KPIS[2], i + 1));
        let v = value_for_money(&pairs.0, &pairs.1);
        cells.push(vec![name.clone(), fmt_difference(k_loc, &loc), fmt_difference(k_exp, &exp), fmt_difference(k_fis, &fis), v.short()]);
        crate::say!(
            "{name:<36} adds {} localization, {} USD m/yr exports, {} USD m fiscal cost; {}",
            k_loc.fmt_diff(loc.mean),
            k_exp.fmt_diff(exp.mean),
            k_fis.fmt_diff(fis.mean),
            v.words()
        );
        let bar = |k, e: &Estimate| (name.clone(), shown(k, e.mean), shown(k, e.ci95_low), shown(k, e.ci95_high));
        bars[0].push(bar(k_loc, &loc));
        bars[1].push(bar(k_exp, &exp));
        bars[2].push(bar(k_fis, &fis));
        rows.push(json!({
            "item": name,
            k_loc.name: loc,
            k_exp.name: exp,
            k_fis.name: fis,
            crate::registry::VALUE_FOR_MONEY.name: v.per_point(),
            "value_for_money": v.words(),
        }));
        found.push((name.clone(), [loc, exp, fis], v, pairs));
    }
    // The items' fiscal contributions and what interactions leave over add up to the plan's cost.
    let total_runs: Vec<f64> = arms[0].runs.iter().map(|r| value(r, BREAKDOWN_KPIS[2])).collect();
    let rest: Vec<f64> = (0..total_runs.len())
        .map(|r| {
            total_runs[r]
                - (1..arms.len())
                    .map(|i| value(&arms[0].runs[r], BREAKDOWN_KPIS[2]) - value(&arms[i].runs[r], BREAKDOWN_KPIS[2]))
                    .sum::<f64>()
        })
        .collect();
    let (total, rest) = (estimate(&total_runs), estimate(&rest));
    // The fiscal chart's bars add up to the plan's cost too.
    bars[2].push(("interactions and the rest".into(), shown(k_fis, rest.mean), shown(k_fis, rest.ci95_low), shown(k_fis, rest.ci95_high)));
    let blank = || String::new();
    cells.push(vec!["interactions and cost no single item removes".into(), blank(), blank(), fmt_difference(k_fis, &rest), blank()]);
    cells.push(vec!["the plan's fiscal cost (sum of the rows)".into(), blank(), blank(), k_fis.fmt(total.mean), blank()]);
    crate::say!(
        "{:<36} {} USD m; the plan's fiscal cost {} USD m",
        "interactions and the rest",
        k_fis.fmt_diff(rest.mean),
        k_fis.fmt(total.mean)
    );
    Found { header, cells, bars, rows, found, total: (total, rest) }
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
        "fiscal_cost_total": found.total.0,
        "fiscal_cost_interactions": found.total.1,
    });
    set.add(out.join("breakdown.json"), serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n");
    let chart = |(stem, svg, k): (&str, String, &crate::registry::Kpi)| Chart {
        title: format!("Contribution to {}", diff_heading(k)),
        png: format!("{stem}.png"),
        svg,
    };
    Ok(Section {
        title: "Contribution of each budget item".into(),
        intro: "Contribution of each item (every incentive, and the public facilities with a budget) = outcome with all items - outcome with that one switched off (paired replications). The fiscal column adds up to the plan's fiscal cost: the items, the part no single item removes (items interact: a tax holiday forgoes more tax on a larger output), and the total. Value for money is the one measure of every output: the item's extra fiscal cost per extra localization point, against the plan without that item. A fiscal cost with little localization or export effect is largely redundant spending.".into(),
        header: found.header,
        rows: found.cells,
        charts: charts.into_iter().map(chart).collect(),
        ..Section::default()
    })
}
