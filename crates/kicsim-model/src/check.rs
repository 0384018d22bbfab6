//! Checking a scenario: every numeric field against its range in [`crate::registry`], the few
//! rules that tie two fields together, and the checks that need the map (facilities on
//! buildable land, not on top of each other). The map comes from the shared map cache, so a
//! check costs no map generation when the scenario is then run.
//!
//! Problems are errors (the scenario is refused); warnings are settings that are valid but buy
//! nothing (they are printed, and the scenario runs).

use crate::registry::TRAINING_COST_USD;
use crate::registry::{Access, FIELDS};
use crate::scenario::{Problem, Scenario, Site};
use crate::sim::dist;
use crate::sim::facilities::plan_facilities;
use crate::sim::map::{MIN_FACILITY_SPACING_KM, SiteMap};

/// Most suppliers a file may list.
pub const MAX_PLANNED_SUPPLIERS: usize = 2000;
/// Most R&D centres, training centres or logistics hubs a file may list (each).
pub const MAX_PLANNED_CENTRES: usize = 2000;
/// Most cells per side of the map.
pub const MAX_MAP_CELLS: f64 = 400.0;
/// Listed suppliers' capacity above this many times the anchor's purchases of localizable inputs
/// is warned about (the baseline's is half of them).
pub const TINY_ANCHOR_RATIO: f64 = 5.0;

/// Every problem of a scenario (empty: the scenario is valid).
pub fn problems(s: &Scenario) -> Vec<Problem> {
    // A list longer than allowed is the one problem given: checking each of 100,000 items
    // against every other would keep the user waiting for an answer that is already known.
    let lists = [
        ("suppliers", s.suppliers.len(), MAX_PLANNED_SUPPLIERS),
        ("rd_centres", s.rd_centres.len(), MAX_PLANNED_CENTRES),
        ("training_centres", s.training_centres.len(), MAX_PLANNED_CENTRES),
        ("logistics_hubs", s.logistics_hubs.len(), MAX_PLANNED_CENTRES),
    ];
    let too_long: Vec<Problem> = lists
        .iter()
        .filter(|(_, n, max)| n > max)
        .map(|(path, n, max)| Problem {
            path: path.to_string(),
            message: format!("{n} {}; at most {max} (the other checks wait until the list is shorter)", path.replace('_', " ")),
        })
        .collect();
    if !too_long.is_empty() {
        return too_long;
    }
    let mut v = Checker::default();
    for f in FIELDS {
        match f.access {
            Access::Scalar { get, .. } => v.range(f.path, get(s), f.min, f.max, f.unit),
            Access::Item { len, get, .. } => {
                for i in 0..len(s) {
                    v.range(&f.path.replace("[i]", &format!("[{i}]")), get(s, i), f.min, f.max, f.unit);
                }
            }
        }
    }
    if s.map.size_km.is_finite() && s.map.cell_km.is_finite() && s.map.cell_km > 0.0 {
        let cells = (s.map.size_km / s.map.cell_km).ceil();
        if cells > MAX_MAP_CELLS {
            v.push("map.cell_km", format!("the map would have {cells}x{cells} cells; at most 400x400 (raise cell_km or lower size_km)"));
        }
    }
    for (path, site) in sites(s) {
        v.site(&path, &site, s.map.size_km);
    }
    if s.incentives.credit_interest_subsidy_pp > s.model.lending_rate_pct.max(0.0) && v.ok("incentives.credit_interest_subsidy_pp") {
        v.push(
            "incentives.credit_interest_subsidy_pp",
            format!(
                "{} is out of range: expected 0 to {} (percentage points (at most the lending rate))",
                s.incentives.credit_interest_subsidy_pp, s.model.lending_rate_pct
            ),
        );
    }
    for (i, (year, share)) in s.incentives.local_content.iter().enumerate() {
        v.range(&format!("incentives.local_content[{i}]"), *year, 0.0, 100.0, "year");
        v.range(&format!("incentives.local_content[{i}]"), *share, 0.0, 1.0, "share");
    }
    if s.model.tier1_threshold < s.model.tier2_threshold {
        v.push("model.tier1_threshold", "must be at least model.tier2_threshold".into());
    }
    if v.problems.iter().all(|p| !p.path.starts_with("map.")) {
        let map = SiteMap::generate(&s.map);
        v.problems.extend(site_problems(&map, s));
    }
    v.problems
}

/// Settings that are valid but buy nothing, or are far outside what the model was checked on:
/// the scenario runs, and the user is told why the setting is wasted.
pub fn warnings(s: &Scenario) -> Vec<Problem> {
    let mut w = Vec::new();
    let inc = &s.incentives;
    if inc.training_subsidy_usd_per_trainee > TRAINING_COST_USD {
        w.push(Problem {
            path: "incentives.training_subsidy_usd_per_trainee".into(),
            message: format!(
                "{} USD per trainee is more than training one worker costs (USD {TRAINING_COST_USD}): the part above it costs the budget and trains no one",
                inc.training_subsidy_usd_per_trainee
            ),
        });
    }
    let open = s.anchor.sector.localizable_share();
    for (i, (year, share)) in inc.local_content.iter().enumerate() {
        if *share > open + 1e-9 {
            w.push(Problem {
                path: format!("incentives.local_content[{i}]"),
                message: format!(
                    "the requirement of {:.0}% from year {year} is above the {:.0}% of the inputs of an anchor in {:?} that domestic firms can make at all: it can never be met, and the anchor pays the shortfall fine every quarter",
                    100.0 * share,
                    100.0 * open,
                    s.anchor.sector
                ),
            });
        }
    }
    if s.anchor.commitments.local_sourcing > open + 1e-9 {
        w.push(Problem {
            path: "anchor.commitments.local_sourcing".into(),
            message: format!(
                "a commitment of {:.0}% is above the {:.0}% of the inputs of an anchor in {:?} that domestic firms can make at all: it can never be met",
                100.0 * s.anchor.commitments.local_sourcing,
                100.0 * open,
                s.anchor.sector
            ),
        });
    }
    if s.model.lcr_fine <= 0.0 {
        let rule = inc.local_content.iter().position(|(_, share)| *share > 0.0);
        let path = match rule {
            Some(i) => Some(format!("incentives.local_content[{i}]")),
            None if s.anchor.commitments.local_sourcing > 0.0 => Some("anchor.commitments.local_sourcing".to_string()),
            None => None,
        };
        if let Some(path) = path {
            w.push(Problem {
                path,
                message: "with model.lcr_fine = 0 a local-content requirement costs the anchor nothing to ignore: it changes no purchase and draws no supplier".into(),
            });
        }
    }
    if inc.rd_deduction > 0.0 && (inc.cit_holiday_years >= s.years as f64 || inc.cit_rate <= 0.0) {
        let why = if inc.cit_rate <= 0.0 {
            "the corporate income tax rate is 0".to_string()
        } else {
            format!("the {}-year tax holiday covers the whole {}-year horizon", inc.cit_holiday_years, s.years)
        };
        w.push(Problem {
            path: "incentives.rd_deduction".into(),
            message: format!(
                "a deduction from taxable income is worth something only to a firm that pays tax, and {why}: it induces no R&D and costs nothing"
            ),
        });
    }
    let purchases = crate::sim::spillover::localizable_purchases(s, s.anchor.output_usd_m);
    let listed: f64 = s.suppliers.iter().map(|sp| sp.capacity_usd_m).sum();
    if listed > TINY_ANCHOR_RATIO * purchases && !s.suppliers.is_empty() {
        w.push(Problem {
            path: "anchor.output_usd_m".into(),
            message: format!(
                "a USD {} million anchor buys about USD {:.1} million a year of inputs domestic firms could make, and the {} listed suppliers have USD {:.0} million of capacity: most of them can never sell to it (few firms will enter, and those that sell nothing close over the years)",
                s.anchor.output_usd_m,
                purchases,
                s.suppliers.len(),
                listed
            ),
        });
    }
    let scale = crate::sim::exports::investment_scale(s);
    if scale < 0.5 {
        w.push(Problem {
            path: "anchor.commitments".into(),
            message: format!(
                "the anchor's tax, rent and commitments take {:.0}% of its profit against {:.0}% at its alternative location: it invests only {:.0}% of its plan (commitments are not free, see docs/MODEL.md)",
                100.0 * crate::sim::exports::tax_burden(s),
                100.0 * s.model.rival_tax_burden,
                100.0 * scale
            ),
        });
    }
    let growth = (1.0 + s.model.output_growth).powf(s.years as f64);
    if growth > 100.0 {
        w.push(Problem {
            path: "model.output_growth".into(),
            message: format!(
                "{:.0}% a year for {} years multiplies output by {growth:.1e}: far outside what the model was checked on (at most 100 times)",
                100.0 * s.model.output_growth,
                s.years
            ),
        });
    }
    w
}

/// The map's checks of every facility (on the map, on land, not too steep, not overlapping an
/// earlier one), as [`SiteMap::check_site`] makes them against all the facilities before it, but
/// with the earlier ones looked up in a grid of cells of the least spacing: only the 3x3 cells
/// around a site can hold one that close, so 2,000 suppliers take 2,000 short looks, not two
/// million distances.
pub fn site_problems(map: &SiteMap, s: &Scenario) -> Vec<Problem> {
    use std::collections::HashMap;
    let facilities = plan_facilities(s);
    let cell = |site: &Site| ((site.x_km / MIN_FACILITY_SPACING_KM).floor() as i64, (site.y_km / MIN_FACILITY_SPACING_KM).floor() as i64);
    let mut grid: HashMap<(i64, i64), Vec<usize>> = HashMap::new();
    let mut problems = Vec::new();
    for (k, (r, label, site)) in facilities.iter().enumerate() {
        let finite = site.x_km.is_finite() && site.y_km.is_finite();
        let (cx, cy) = cell(site);
        // The first earlier facility (in plan order) closer than the spacing, as check_site finds it.
        let mut first: Option<usize> = None;
        if finite {
            for dx in -1..=1i64 {
                for dy in -1..=1i64 {
                    let key = (cx.saturating_add(dx), cy.saturating_add(dy));
                    let near = grid.get(&key).and_then(|ids| ids.iter().find(|&&j| dist(*site, facilities[j].2) < MIN_FACILITY_SPACING_KM));
                    if let Some(&j) = near {
                        first = Some(first.map_or(j, |f| f.min(j)));
                    }
                }
            }
        }
        let other = first.map(|j| (facilities[j].1.as_str(), facilities[j].2));
        if let Err(e) = map.check_site(*site, other) {
            problems.push(Problem {
                path: format!("{}.site", r.path()),
                message: format!("{label} at ({:.2}, {:.2}) km: {e}", site.x_km, site.y_km),
            });
        }
        if finite {
            grid.entry((cx, cy)).or_default().push(k);
        }
    }
    problems
}

/// The sites of a scenario with their paths, in file order.
fn sites(s: &Scenario) -> Vec<(String, Site)> {
    let mut v = vec![("anchor.site".to_string(), s.anchor.site)];
    v.extend(s.suppliers.iter().enumerate().map(|(i, f)| (format!("suppliers[{i}].site"), f.site)));
    v.extend(s.rd_centres.iter().enumerate().map(|(i, f)| (format!("rd_centres[{i}].site"), f.site)));
    v.extend(s.training_centres.iter().enumerate().map(|(i, f)| (format!("training_centres[{i}].site"), f.site)));
    v.extend(s.logistics_hubs.iter().enumerate().map(|(i, f)| (format!("logistics_hubs[{i}].site"), f.site)));
    v
}

impl Scenario {
    /// Every problem of the scenario ([`problems`]).
    pub fn validate(&self) -> Vec<Problem> {
        problems(self)
    }

    /// Valid settings that buy nothing ([`warnings`]).
    pub fn warnings(&self) -> Vec<Problem> {
        warnings(self)
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, path: &str, message: String) {
        self.problems.push(Problem { path: path.to_string(), message });
    }
    /// No problem with this field so far.
    fn ok(&self, path: &str) -> bool {
        self.problems.iter().all(|p| p.path != path)
    }
    fn range(&mut self, path: &str, value: f64, lo: f64, hi: f64, unit: &str) {
        if !value.is_finite() {
            self.push(path, format!("{value} is not a finite number"));
        } else if value < lo || value > hi {
            let unit = if unit.is_empty() { String::new() } else { format!(" ({unit})") };
            self.push(path, format!("{value} is out of range: expected {lo} to {hi}{unit}"));
        }
    }
    fn site(&mut self, path: &str, site: &Site, size_km: f64) {
        self.range(&format!("{path}.x_km"), site.x_km, 0.0, size_km, "km from the west edge");
        self.range(&format!("{path}.y_km"), site.y_km, 0.0, size_km, "km from the south edge");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn every_registry_range_is_enforced_at_both_ends() {
        let base = default_scenario();
        assert!(problems(&base).is_empty());
        for f in FIELDS.iter().filter(|f| matches!(f.access, Access::Scalar { .. })) {
            let step = if f.integer { 1.0 } else { 1e-6 * f.max.abs().max(1.0) };
            for (v, ok) in [(f.min, true), (f.max, true), (f.min - step, false), (f.max + step, false)] {
                if f.integer && v < 0.0 {
                    continue; // a whole number below 0 cannot be written
                }
                let mut s = base.clone();
                // Ranges that depend on another field: make room for the value tested.
                s.model.lending_rate_pct = 100.0;
                s.model.tier1_threshold = 1.0;
                if f.path == "model.lending_rate_pct" {
                    s.incentives.credit_interest_subsidy_pp = 0.0;
                }
                if f.path == "model.tier2_threshold" {
                    s.model.tier1_threshold = 1.0;
                }
                if f.path == "model.tier1_threshold" {
                    s.model.tier2_threshold = 0.0;
                }
                if f.path.starts_with("map.") || f.path == "years" {
                    continue; // checked with the map below (a map's size moves the sites)
                }
                f.set(&mut s, v);
                let refused = problems(&s).iter().any(|p| p.path == f.path);
                assert_eq!(refused, !ok, "{} = {v}: {:?}", f.path, problems(&s));
            }
        }
    }

    #[test]
    fn a_subsidy_above_the_cost_of_training_and_an_unreachable_rule_are_warned_not_refused() {
        let mut s = default_scenario();
        assert!(warnings(&s).is_empty(), "{:?}", warnings(&s));
        s.incentives.training_subsidy_usd_per_trainee = 5_000.0;
        s.incentives.local_content = vec![(2.0, 0.3), (5.0, 0.9)];
        assert!(problems(&s).is_empty());
        let w = warnings(&s);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].message.contains("trains no one"), "{w:?}");
        assert_eq!(w[1].path, "incentives.local_content[1]");
        assert!(w[1].message.contains("can never be met"), "{w:?}");
    }

    #[test]
    fn a_rule_with_no_fine_a_deduction_no_one_can_use_and_a_tiny_anchor_are_warned() {
        let paths = |s: &Scenario| warnings(s).into_iter().map(|p| p.path).collect::<Vec<_>>();
        let mut s = default_scenario();
        s.model.lcr_fine = 0.0;
        assert!(paths(&s).is_empty(), "no rule, nothing to warn about");
        s.incentives.local_content = vec![(0.0, 0.0), (3.0, 0.4)];
        assert_eq!(paths(&s), ["incentives.local_content[1]"]);

        let mut s = default_scenario();
        s.incentives.rd_deduction = 1.0;
        s.incentives.cit_holiday_years = s.years as f64;
        assert_eq!(paths(&s), ["incentives.rd_deduction"]);
        s.incentives.cit_holiday_years = 0.0;
        s.incentives.cit_rate = 0.0;
        assert_eq!(paths(&s), ["incentives.rd_deduction"]);

        let mut s = default_scenario();
        s.anchor.output_usd_m = 20.0;
        // A USD 20 m anchor also pays more in rent and commitments than it earns.
        assert_eq!(paths(&s), ["anchor.output_usd_m", "anchor.commitments"]);
        s.anchor.output_usd_m = 2_000.0;
        s.anchor.commitments.rd_usd_m_per_year = 500.0;
        assert_eq!(paths(&s), ["anchor.commitments"]);
        s.anchor.output_usd_m = 20.0;
        s.anchor.commitments.rd_usd_m_per_year = 0.0;
        s.suppliers.clear();
        assert_eq!(paths(&s), ["anchor.commitments"], "no listed suppliers to strand");
        assert!(problems(&s).is_empty(), "warnings are not errors");
    }
}
