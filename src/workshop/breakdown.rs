//! `kicsim breakdown`: each incentive of a scenario switched off in turn.

use serde_json::json;

use super::report::{CI_NOTE, Chart, Report, Section, band_charts, intro, uncertainty_appendix, write_report};
use super::table::comparison_table;
use super::verdict::Contribution;
use super::{BreakdownArgs, kpi, run_arms, value};
use crate::charts::bars::bar_files;
use crate::charts::footer_of;
use crate::format::{fmt_difference, shown};
use crate::io::OutputSet;
use crate::scenario::{Incentives, Scenario};
use crate::stats::{Estimate, estimate};

/// Fiscal cost (USD m) per percentage point of localization an incentive adds, from the paired
/// contributions (`loc` as a share). Only where the effect on localization is clearly positive: a
/// 95% CI that excludes zero (with one replication, at least 0.05 points); dividing by an effect
/// that may be zero, or by a loss, gives a number that means nothing.
pub fn cost_per_localization_point(loc: &Estimate, fiscal: &Estimate) -> Result<f64, &'static str> {
    let clear = if loc.n >= 2 { loc.ci95_low > 0.0 || loc.ci95_high < 0.0 } else { loc.mean.abs() > 0.0005 };
    if !clear || !loc.mean.is_finite() {
        Err("effect on localization not distinguishable from zero")
    } else if loc.mean < 0.0 {
        Err("lowers localization")
    } else {
        Ok(fiscal.mean / (100.0 * loc.mean))
    }
}

/// The incentives of a scenario that are switched on, each with the scenario it gives when
/// switched off (set to the no-incentive default). Each is named in the planner's words; the
/// report's table of inputs that differ gives the scenario file's fields.
pub fn switched_off_variants(s: &Scenario) -> Vec<(String, Scenario)> {
    let none = Incentives::default();
    let mut out = Vec::new();
    let inc = &s.incentives;
    let mut push = |name: &str, on: bool, f: &dyn Fn(&mut Incentives)| {
        if on {
            let mut v = s.clone();
            f(&mut v.incentives);
            out.push((name.to_string(), v));
        }
    };
    push("CIT holiday and reduced rate", inc.cit_holiday_years != none.cit_holiday_years || inc.cit_rate != none.cit_rate, &|i| {
        i.cit_holiday_years = none.cit_holiday_years;
        i.cit_rate = none.cit_rate;
    });
    push("land-rent exemption", inc.land_rent_exemption != none.land_rent_exemption && inc.land_rent_exemption_years > 0.0, &|i| {
        i.land_rent_exemption = none.land_rent_exemption;
        i.land_rent_exemption_years = none.land_rent_exemption_years;
    });
    push("credit interest subsidy", inc.credit_interest_subsidy_pp != none.credit_interest_subsidy_pp, &|i| {
        i.credit_interest_subsidy_pp = none.credit_interest_subsidy_pp
    });
    push("R&D cost deduction", inc.rd_deduction != none.rd_deduction, &|i| i.rd_deduction = none.rd_deduction);
    push("training subsidy", inc.training_subsidy_usd_per_trainee != none.training_subsidy_usd_per_trainee, &|i| {
        i.training_subsidy_usd_per_trainee = none.training_subsidy_usd_per_trainee
    });
    push("export promotion", inc.export_promotion_usd_m_per_year != none.export_promotion_usd_m_per_year, &|i| {
        i.export_promotion_usd_m_per_year = none.export_promotion_usd_m_per_year
    });
    push("local-content roadmap", !inc.local_content.is_empty(), &|i| i.local_content.clear());
    out
}

/// The KPIs of the contributions, by name: localization, exports per year, fiscal cost.
pub const BREAKDOWN_KPIS: [&str; 3] = ["localization_rate", "final_year_exports_usd_m", "cumulative_fiscal_cost_usd_m"];

/// "localization (pp)": a KPI's label with the unit of its differences.
fn diff_heading(k: &crate::registry::Kpi) -> String {
    format!("{} ({})", k.label.to_lowercase(), k.diff_unit())
}

pub(crate) fn breakdown(a: BreakdownArgs) -> Result<(), String> {
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
    let (appendix, appendix_json) = uncertainty_appendix(crate::uncertainty::breakdown_section(&a.draws, &pairs, &names, s.seed)?);
    let arms = run_arms(arms_in, s.seed, a.replications);
    let table = comparison_table(&arms);
    crate::say_raw!("{}", table.text);
    // Contribution of an incentive = full scenario - scenario without it (paired).
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
    let mut bars_loc = Vec::new();
    let mut bars_exp = Vec::new();
    let mut bars_fis = Vec::new();
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
        bars_loc.push(bar(k_loc, &loc));
        bars_exp.push(bar(k_exp, &exp));
        bars_fis.push(bar(k_fis, &fis));
        rows.push(json!({
            "incentive": name,
            k_loc.name: loc,
            k_exp.name: exp,
            k_fis.name: fis,
            "fiscal_cost_per_localization_point_usd_m": cost_per_point.ok(),
        }));
        found.push((name.as_str(), [loc, exp, fis], cost_per_point.ok()));
    }
    let contributions: Vec<Contribution> = found
        .iter()
        .map(|(incentive, [l, e, f], c)| Contribution { incentive, localization: l, exports: e, fiscal: f, cost_per_point: *c })
        .collect();
    let verdict = super::verdict::breakdown(&contributions);
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {}", a.out.display(), crate::io_words(&e)))?;
    let footer = footer_of(std::iter::once(&arms[0].record));
    let mut set = OutputSet::default();
    let s1 = bar_files(
        &mut set,
        &a.out,
        "breakdown_localization",
        &format!("Contribution to {}; lines: 95% CI", diff_heading(k_loc)),
        &bars_loc,
        &footer,
    )?;
    let s2 = bar_files(
        &mut set,
        &a.out,
        "breakdown_exports",
        &format!("Contribution to {}; lines: 95% CI", diff_heading(k_exp)),
        &bars_exp,
        &footer,
    )?;
    let s3 = bar_files(
        &mut set,
        &a.out,
        "breakdown_fiscal",
        &format!("Contribution to {}; lines: 95% CI", diff_heading(k_fis)),
        &bars_fis,
        &footer,
    )?;
    let doc = json!({
        "run": &arms[0].record,
        "method": "contribution = outcome with all incentives - outcome with that one switched off, paired replications; in the units of the KPI columns (localization_rate as a share 0-1)",
        "contributions": rows,
    });
    set.add(a.out.join("breakdown.json"), serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n");
    let chart = |stem: &str, svg: String, k: &crate::registry::Kpi| Chart {
        title: format!("Contribution to {}", diff_heading(k)),
        png: format!("{stem}.png"),
        svg,
    };
    let contribution_section = Section {
        title: "Contribution of each incentive".into(),
        intro: "Contribution of each incentive = outcome with all incentives - outcome with that one switched off (paired replications). A fiscal cost with little localization or export effect is largely redundant spending.".into(),
        header,
        rows: cells,
        charts: vec![chart("breakdown_localization", s1, k_loc), chart("breakdown_exports", s2, k_exp), chart("breakdown_fiscal", s3, k_fis)],
        ..Section::default()
    };
    let charts = band_charts(&mut set, &a.out, &arms)?;
    let report = Report {
        title: format!("Policy breakdown: {}", s.name),
        verdict,
        intro: intro(&arms),
        ci_note: CI_NOTE.into(),
        table: Some(table.view),
        sections: [vec![contribution_section, super::inputs::descriptions(&arms[..1]), super::inputs::differing(&arms), charts], appendix]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_per_point_only_for_a_clear_gain() {
        let fiscal = estimate(&[100.0, 110.0, 90.0]);
        // +2 points, clearly: 100 / 2 = 50 USD m a point.
        let gain = estimate(&[0.019, 0.020, 0.021]);
        assert!((cost_per_localization_point(&gain, &fiscal).unwrap() - 50.0).abs() < 1e-9);
        // A mean of +0.1 points with a CI across zero: no figure.
        let noise = estimate(&[0.004, -0.003, 0.002]);
        assert!(noise.ci95_low < 0.0 && noise.mean > 0.0);
        assert_eq!(cost_per_localization_point(&noise, &fiscal), Err("effect on localization not distinguishable from zero"));
        assert_eq!(cost_per_localization_point(&estimate(&[-0.02, -0.021, -0.019]), &fiscal), Err("lowers localization"));
        // One replication: no CI, so only a visible effect counts.
        assert!(cost_per_localization_point(&estimate(&[0.01]), &fiscal).is_ok());
        assert!(cost_per_localization_point(&estimate(&[0.0001]), &fiscal).is_err());
    }
}
