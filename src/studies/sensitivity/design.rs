//! The design: the tornado's points, Morris' trajectories and Sobol's Saltelli rows, made from
//! the seed alone, and the scenario and seeds of each point.

use std::collections::BTreeMap;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;

use super::{Method, Settings};
use crate::analysis::{self, BaseSampling, MorrisDesign, SaltelliDesign};
use crate::run;
use crate::scenario::Scenario;
use crate::studies::params::{self, Param};

/// One design point: unit values of the k parameters and the dummy (NaN = the file's value),
/// and the key its seeds are drawn from.
#[derive(Clone, Debug)]
pub struct Point {
    pub method: Method,
    pub unit: Vec<f64>,
    pub key: u64,
}

/// The whole design: the tornado's points, then Morris', then Sobol's.
pub struct Design {
    pub points: Vec<Point>,
    pub morris: Option<MorrisDesign>,
    pub sobol: Option<SaltelliDesign>,
    /// First row of each method's points.
    pub start: BTreeMap<&'static str, usize>,
}

/// Builds the design of the settings (the same for the same settings, on any machine).
pub fn design(settings: &Settings) -> Result<Design, String> {
    let k = settings.params.len();
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed ^ 0x5e05_1717_0000_0000);
    let mut points = Vec::new();
    let mut start = BTreeMap::new();
    let (mut morris, mut sobol) = (None, None);
    if settings.methods.contains(&Method::Oat) {
        start.insert("oat", points.len());
        let nan = vec![f64::NAN; k + 1];
        points.push(Point { method: Method::Oat, unit: nan.clone(), key: 0 });
        for i in 0..=k {
            for (end, u) in [0.0, 1.0].into_iter().enumerate() {
                let mut unit = nan.clone();
                // The dummy's ends are the base point with other seeds.
                let key = if i == k { 1 + end as u64 } else { 0 };
                if i < k {
                    unit[i] = u;
                }
                points.push(Point { method: Method::Oat, unit, key });
            }
        }
    }
    if settings.methods.contains(&Method::Morris) {
        start.insert("morris", points.len());
        let d = analysis::morris_design(k + 1, settings.morris_r, &mut rng).map_err(|e| format!("--morris-r: {e}"))?;
        let levels = (d.levels - 1) as f64;
        for (row, unit) in d.rows.iter().enumerate() {
            let t = row / (k + 2);
            let level = (unit[k] * levels).round() as u64;
            let key = params::splitmix64(0x4d4f_5252_0000_0000 ^ ((t as u64) << 8) ^ level);
            points.push(Point { method: Method::Morris, unit: unit.clone(), key });
        }
        morris = Some(d);
    }
    if settings.methods.contains(&Method::Sobol) {
        start.insert("sobol", points.len());
        let d = analysis::saltelli_design(settings.sobol_n, k, true, BaseSampling::ScrambledSobol, &mut rng)
            .map_err(|e| format!("--sobol-n: {e}"))?;
        for unit in &d.rows {
            let key = params::splitmix64(0x534f_424f_4c00_0000 ^ unit[k].to_bits());
            points.push(Point { method: Method::Sobol, unit: unit.clone(), key });
        }
        sobol = Some(d);
    }
    Ok(Design { points, morris, sobol, start })
}

/// The scenario of a design point (its seed is set per replication).
pub fn point_scenario(base: &Scenario, params: &[Param], p: &Point) -> Scenario {
    let mut s = base.clone();
    for (q, &u) in params.iter().zip(&p.unit) {
        if !u.is_nan() {
            q.field.set(&mut s, q.value_at(u));
        }
    }
    s
}

/// The seed of replication r of a point with this key.
pub fn point_seed(seed: u64, key: u64, r: u32) -> u64 {
    run::replication_seed(params::keyed_seed(seed, key), r)
}
