//! What a facility that is not a firm does, for the inspector: an R&D centre's spillover and the
//! suppliers it reaches, a training centre's trainees and the towns they live in, a logistics
//! hub's freight savings. Computed from the plan and the map as the model's rules do.

use crate::scenario::{Scenario, Site};
use crate::sim::dist;
use crate::sim::geo::{freight_km, road_km};
use crate::sim::map::SiteMap;
use crate::sim::workforce::TRAINING_COST_USD;

/// A supplier counts as reached when it gets at least this share of a source's full spillover.
pub const REACHED_SHARE: f64 = 0.1;

/// The distance at which a source's spillover has fallen to half, and to [`REACHED_SHARE`].
pub fn spillover_reach_km(s: &Scenario) -> (f64, f64) {
    let l = s.model.spillover_lambda_km;
    (l * 2f64.ln(), l * (1.0 / REACHED_SHARE).ln())
}

/// An R&D centre with amplitude `a` at `site`: suppliers reached, and the spillover they get from it.
pub fn rd_effect(s: &Scenario, site: Site, amplitude: f64, suppliers: &[Site]) -> (usize, f64) {
    let l = s.model.spillover_lambda_km;
    let (_, reach) = spillover_reach_km(s);
    let reached = suppliers.iter().filter(|p| dist(**p, site) <= reach).count();
    let given = suppliers.iter().map(|p| amplitude * (-dist(*p, site) / l).exp()).sum();
    (reached, given)
}

/// A training centre's trainees a year (its own plus what the subsidy adds, as the workforce rule
/// counts them) and the share of them living in each town (commuting weights), largest first.
pub fn training_effect(s: &Scenario, map: &SiteMap, site: Site, own: f64) -> (f64, Vec<(String, f64)>) {
    let subsidy_ratio = (s.incentives.training_subsidy_usd_per_trainee / TRAINING_COST_USD).min(1.0);
    let trainees = own * (1.0 + subsidy_ratio);
    let w: Vec<f64> = map.towns.iter().map(|t| t.workers * (-dist(site, t.site) / s.model.commute_lambda_km).exp()).collect();
    let total: f64 = w.iter().sum();
    let mut towns: Vec<(String, f64)> =
        map.towns.iter().zip(&w).map(|(t, wi)| (t.name.clone(), if total > 0.0 { wi / total } else { 0.0 })).collect();
    towns.sort_by(|a, b| b.1.total_cmp(&a.1));
    (trainees, towns)
}

/// A logistics hub's effect: freight km of the anchor's trip to the port without and with the hub
/// (with the other hubs in both), and how many suppliers' cheapest route to the anchor runs through it.
pub fn hub_effect(s: &Scenario, map: &SiteMap, hub: Site, other_hubs: &[Site], suppliers: &[Site]) -> (f64, f64, usize) {
    let d = s.model.hub_discount;
    let with: Vec<Site> = other_hubs.iter().copied().chain([hub]).collect();
    let before = freight_km(map, s.anchor.site, map.port, other_hubs, d);
    let after = freight_km(map, s.anchor.site, map.port, &with, d);
    let routed = suppliers
        .iter()
        .filter(|p| {
            let via = (road_km(map, **p, hub) + road_km(map, hub, s.anchor.site)) * (1.0 - d);
            via < freight_km(map, **p, s.anchor.site, other_hubs, d) - 1e-9
        })
        .count();
    (before, after, routed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::default_scenario;

    #[test]
    fn a_centre_reaches_the_suppliers_near_it() {
        let s = default_scenario();
        let site = s.anchor.site;
        let near = Site { x_km: site.x_km + 1.0, y_km: site.y_km };
        let far = Site { x_km: site.x_km - 14.0, y_km: site.y_km };
        let (reached, given) = rd_effect(&s, site, 1.0, &[near, far]);
        assert_eq!(reached, 1);
        assert!((given - (-1.0 / s.model.spillover_lambda_km).exp() - (-14.0 / s.model.spillover_lambda_km).exp()).abs() < 1e-12);
        let (half, reach) = spillover_reach_km(&s);
        assert!(half < reach);
    }

    #[test]
    fn a_hub_on_the_way_saves_freight_and_a_full_subsidy_doubles_the_intake() {
        let mut s = default_scenario();
        let map = SiteMap::generate(&s.map);
        let between = Site { x_km: (s.anchor.site.x_km + map.port.x_km) / 2.0, y_km: map.port.y_km };
        let (before, after, _) = hub_effect(&s, &map, between, &[], &[]);
        assert!(after < before, "{after} vs {before}");
        s.incentives.training_subsidy_usd_per_trainee = TRAINING_COST_USD;
        let (trainees, towns) = training_effect(&s, &map, s.anchor.site, 500.0);
        assert_eq!(trainees, 1000.0);
        assert!((towns.iter().map(|t| t.1).sum::<f64>() - 1.0).abs() < 1e-9);
        assert!(towns.windows(2).all(|w| w[0].1 >= w[1].1));
    }
}
