//! Scenarios run side by side with the same seeds (common random numbers): the arms of compare
//! and breakdown, the KPIs their reports show, and what a breakdown switches off and divides.

use rayon::prelude::*;

use crate::registry::{Kpi, kpi_of};
use crate::run::{self, RunRecord};
use crate::scenario::{Incentives, Scenario};
use crate::sim::QuarterRecord;

/// The KPIs a comparison's table and a sweep's results show, by name; labels, units, bounds and
/// formats come from the registry.
pub const REPORT_KPIS: [&str; 6] = [
    "localization_rate",
    "final_year_exports_usd_m",
    "total_exports_usd_m",
    "tier1_suppliers",
    "domestic_suppliers",
    "cumulative_fiscal_cost_usd_m",
];

/// The registry's entry of a KPI this tool names (every name above and in the other lists is one).
pub fn kpi(name: &str) -> &'static Kpi {
    kpi_of(name).unwrap_or_else(|| panic!("{name} is not a KPI of the registry"))
}

/// A KPI's final value in one run (NaN for a name that is not one).
pub fn value(run: &[QuarterRecord], kpi: &str) -> f64 {
    run::final_values(run).into_iter().find(|(n, _)| n == kpi).map(|(_, v)| v).unwrap_or(f64::NAN)
}

/// One scenario of a comparison with its runs.
pub struct Arm {
    pub label: String,
    pub scenario: Scenario,
    pub record: RunRecord,
    pub runs: Vec<Vec<QuarterRecord>>,
}

/// Runs every scenario with the same seeds (common random numbers).
pub fn run_arms(arms: Vec<(String, Scenario, String)>, base_seed: u64, replications: u32) -> Vec<Arm> {
    let progress = run::Progress::when_slow(arms.len() * replications as usize);
    let arms = arms
        .into_par_iter()
        .map(|(label, mut s, file)| {
            s.seed = base_seed;
            let runs = run::run_replications_with(&s, replications, &progress);
            let record = RunRecord::new(&s, &file, replications);
            Arm { label, scenario: s, record, runs }
        })
        .collect();
    progress.finish();
    arms
}

/// The reference value for money is measured against
/// ([`crate::studies::value::without_public_spending`]), labelled; the plan itself when it has
/// no public spending.
pub fn reference_of(label: &str, s: &Scenario, file: &str) -> (String, Scenario, String) {
    let bare = crate::studies::value::without_public_spending(s);
    if bare == *s {
        (label.to_string(), s.clone(), file.to_string())
    } else {
        (
            format!("{label} {}", crate::studies::value::REFERENCE_WORDS),
            bare,
            format!("{file} with every incentive off and no public R&D or training centre"),
        )
    }
}

/// The budget items of a scenario that are switched on, each with the scenario it gives when
/// switched off: every incentive (set to the no-incentive default) and the public facilities
/// with a budget (the R&D centres, the training centres' own trainees), so the items account for
/// the plan's whole fiscal cost. Each is named in the planner's words; the report's table of
/// inputs that differ gives the scenario file's fields.
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
    if !s.rd_centres.is_empty() {
        out.push(("R&D centres (public budget)".into(), Scenario { rd_centres: Vec::new(), ..s.clone() }));
    }
    if s.training_centres.iter().any(|t| t.trainees_per_year > 0.0) {
        out.push(("training centres (public trainees)".into(), Scenario { training_centres: Vec::new(), ..s.clone() }));
    }
    out
}

/// The KPIs of the contributions, by name: localization, exports per year, fiscal cost.
pub const BREAKDOWN_KPIS: [&str; 3] = ["localization_rate", "final_year_exports_usd_m", "cumulative_fiscal_cost_usd_m"];
