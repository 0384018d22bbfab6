//! Labour: towns are labour pools with a skill level. Training (centres, the anchor's
//! commitment, and in-house training the subsidy pays for) raises the skill of nearby towns;
//! attrition pulls it back towards the town's starting level. A supplier's workers have the
//! commuting-weighted skill of the towns around it.
//!
//! Rule: ds_town = training_effect * trainees_reaching_town / workers * (1 - s)
//!                 - skill_attrition * (s - s0), per year (applied per quarter).

use bevy::prelude::*;

use super::facilities::{Facility, Supplier, TrainingCentre};
use super::map::SiteMap;
use super::{ActiveScenario, SimSet, SimStep, dist};
use crate::scenario::Site;

pub use crate::registry::TRAINING_COST_USD;
/// In-house trainees per USD million of supplier capacity per year when training is fully subsidised.
pub const IN_HOUSE_TRAINEES_PER_USD_M: f64 = 3.0;

#[derive(Resource, Clone, Debug, Default)]
pub struct LabourPools {
    /// Current skill of each town of the map, in map order.
    pub skill: Vec<f64>,
    /// Trainees this year (at this quarter's rate): centres' own, subsidy-induced and the anchor's.
    pub trainees_per_year: f64,
    /// Of which paid by training centres' own budgets.
    pub centre_trainees_per_year: f64,
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(SimStep, train_and_hire.in_set(SimSet::Workforce));
}

pub(super) fn reset(world: &mut World) {
    let skill = world.resource::<SiteMap>().towns.iter().map(|t| t.skill).collect();
    world.insert_resource(LabourPools { skill, ..Default::default() });
}

/// Commuting weights of the towns for a site.
fn weights(map: &SiteMap, site: Site, lambda: f64) -> Vec<f64> {
    map.towns.iter().map(|t| t.workers * (-dist(site, t.site) / lambda).exp()).collect()
}

/// Skill of the workers a firm at `site` can hire.
pub fn worker_skill(map: &SiteMap, skill: &[f64], site: Site, lambda: f64) -> f64 {
    let w = weights(map, site, lambda);
    let total: f64 = w.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    w.iter().zip(skill).map(|(w, s)| w * s).sum::<f64>() / total
}

fn train_and_hire(
    scenario: Res<ActiveScenario>,
    map: Res<SiteMap>,
    mut pools: ResMut<LabourPools>,
    centres: Query<(&Facility, &TrainingCentre)>,
    anchor: Query<&Facility, Without<Supplier>>,
    mut suppliers: Query<(&Facility, &mut Supplier)>,
) {
    let s = &scenario.0;
    let m = &s.model;
    let subsidy_ratio = (s.incentives.training_subsidy_usd_per_trainee / TRAINING_COST_USD).min(1.0);
    // (site, trainees per year) of every source of training, in id order.
    let mut sources: Vec<(u32, Site, f64)> = Vec::new();
    let mut centre_trainees = 0.0;
    for (f, c) in &centres {
        // A subsidy equal to the cost of training doubles a centre's intake.
        sources.push((f.id, f.site, c.trainees_per_year * (1.0 + subsidy_ratio)));
        centre_trainees += c.trainees_per_year;
    }
    if let Some(a) = anchor.iter().find(|f| f.kind == super::FacilityKind::Anchor) {
        sources.push((a.id, a.site, s.anchor.commitments.trainees_per_year));
    }
    for (f, sp) in &suppliers {
        let t = IN_HOUSE_TRAINEES_PER_USD_M * sp.capacity_usd_m * subsidy_ratio;
        if t > 0.0 {
            sources.push((f.id, f.site, t));
        }
    }
    sources.sort_by_key(|(id, _, _)| *id);
    let mut reaching = vec![0.0; map.towns.len()];
    let mut total = 0.0;
    for (_, site, trainees) in &sources {
        total += trainees;
        let w = weights(&map, *site, m.commute_lambda_km);
        let sum: f64 = w.iter().sum();
        if sum > 0.0 {
            for (r, wi) in reaching.iter_mut().zip(&w) {
                *r += trainees * wi / sum;
            }
        }
    }
    for (i, town) in map.towns.iter().enumerate() {
        let sk = pools.skill[i];
        let gain = m.training_effect * reaching[i] / town.workers * (1.0 - sk);
        let loss = m.skill_attrition * (sk - town.skill);
        pools.skill[i] = (sk + (gain - loss) / 4.0).clamp(0.0, 1.0);
    }
    pools.trainees_per_year = total;
    pools.centre_trainees_per_year = centre_trainees;
    for (f, mut sp) in &mut suppliers {
        sp.worker_skill = worker_skill(&map, &pools.skill, f.site, m.commute_lambda_km);
    }
}
