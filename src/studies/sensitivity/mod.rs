//! Sensitivity analysis of the model's own parameters: the design (tornado, Morris and Sobol'
//! points, made from the seed alone so shards of it agree), the seeds of its points, the shard
//! files that carry its outputs, and the analysis of one KPI at one year.
//!
//! Three methods over the `model.*` parameters with a plausible range (or `--params a,b,c`):
//! one-at-a-time (a tornado: each parameter at the low and the high end of its range, the others
//! at the file's values), Morris elementary effects (mu*, sigma) and variance-based Sobol' indices
//! (first order and total; Saltelli sampling on a scrambled Sobol' base, Jansen's total-effect
//! estimator), all from the estimators of [`crate::analysis`]. Every index has a 95% bootstrap
//! interval; Sobol' indices are also given at N/4 and N/2 base rows (convergence).
//!
//! Each design point is run `--replications R` times and the KPI averaged. The seeds are the
//! dummy parameter: a design point's seeds are drawn from its dummy column, so the points that
//! an estimator compares (A with AB_i in Sobol', the steps of a Morris trajectory, the tornado's
//! ends with its base) share their seeds (common random numbers), while the dummy's own step
//! changes only the seeds: its index is what luck alone gives, the noise floor under which no
//! parameter's index means anything.
//!
//! - `design.rs`: the design and each point's scenario and seeds; `shards.rs`: the outputs'
//!   file (design.csv, a shard) written and read back; `analyse.rs`: the analysis and indices.csv.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::{self, Param};
use crate::sim::QuarterRecord;

mod analyse;
mod design;
mod shards;

pub use analyse::{Analysis, OatRow, analyse, indices_csv, short, sobol_rows};
pub use design::{Design, Point, design, point_scenario, point_seed};
pub use shards::{Outputs, Timing, check_shard_rows, design_csv, read_shard, record_line};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Oat,
    Morris,
    Sobol,
}

/// A parameter and its range as the settings store it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParamRange {
    pub path: String,
    pub low: f64,
    pub high: f64,
}

/// Everything the design and the analysis depend on: written into every shard, so that merge
/// can check the shards belong together and analyse them without the scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub methods: Vec<Method>,
    pub params: Vec<ParamRange>,
    pub kpis: Vec<String>,
    /// The years analysed (one, or every year with `--year all`).
    pub years: Vec<u32>,
    pub over_time: bool,
    pub sobol_n: usize,
    pub morris_r: usize,
    pub replications: u32,
    pub bootstrap: usize,
    pub seed: u64,
    /// The run record (scenario, file, hash, seed, years).
    pub record: Value,
}

impl Settings {
    pub fn params(&self) -> Result<Vec<Param>, String> {
        self.params
            .iter()
            .map(|p| {
                let field = crate::registry::FIELDS
                    .iter()
                    .find(|f| f.path == p.path)
                    .ok_or_else(|| format!("unknown parameter `{}` in the settings", p.path))?;
                params::check_range(field, p.low, p.high)?;
                Ok(Param { field, lo: p.low, hi: p.high })
            })
            .collect()
    }

    /// The column of (kpi, year) in a run's outputs.
    pub fn column(&self, kpi: usize, year: usize) -> usize {
        kpi * self.years.len() + year
    }

    pub fn columns(&self) -> Vec<String> {
        self.kpis.iter().flat_map(|k| self.years.iter().map(move |y| format!("{k}@y{y}"))).collect()
    }

    /// The year shown in the report's charts: the chosen one, or the last.
    pub fn headline_year(&self) -> usize {
        self.years.len() - 1
    }
}

/// A KPI at the end of year `year` of a run: a level at the year's last quarter; a flow per
/// quarter at that quarter; `final_year_exports_usd_m` the exports of that year and
/// `total_exports_usd_m` the exports up to its end.
pub fn kpi_at_year(run: &[QuarterRecord], kpi: &str, year: u32) -> f64 {
    let end = ((year as usize) * 4).min(run.len());
    if end == 0 {
        return f64::NAN;
    }
    match kpi {
        "final_year_exports_usd_m" => run[end.saturating_sub(4)..end].iter().map(|q| q.exports_usd_m).sum(),
        "total_exports_usd_m" => run[..end].iter().map(|q| q.exports_usd_m).sum(),
        _ => run[end - 1].kpi(kpi).unwrap_or(f64::NAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run;
    use serde_json::json;

    fn settings(methods: Vec<Method>, params: &str) -> Settings {
        let ps = params::select(Some(params)).unwrap();
        Settings {
            methods,
            params: ps.iter().map(|p| ParamRange { path: p.path().into(), low: p.lo, high: p.hi }).collect(),
            kpis: vec!["localization_rate".into()],
            years: vec![2],
            over_time: false,
            sobol_n: 8,
            morris_r: 3,
            replications: 2,
            bootstrap: 50,
            seed: 9,
            record: json!({}),
        }
    }

    #[test]
    fn the_design_pairs_seeds_where_the_estimators_compare_points() {
        let s = settings(vec![Method::Oat, Method::Morris, Method::Sobol], "learning_rate,import_cost");
        let d = design(&s).unwrap();
        let (k, n) = (2, 8);
        assert_eq!(d.points.len(), (1 + 2 * (k + 1)) + 3 * (k + 2) + n * (k + 3));
        // Tornado: every point but the dummy's ends keeps the file's seeds (key 0).
        let oat = &d.points[..1 + 2 * (k + 1)];
        assert!(oat[..oat.len() - 2].iter().all(|p| p.key == 0));
        assert_eq!((oat[oat.len() - 2].key, oat[oat.len() - 1].key), (1, 2));
        // Sobol': A_j and AB_i,j share the seeds, AB_dummy,j has B_j's.
        let sd = d.sobol.as_ref().unwrap();
        let at = d.start["sobol"];
        for j in 0..n {
            let a = &d.points[at + sd.index_a(j)];
            for i in 0..k {
                assert_eq!(d.points[at + sd.index_ab(i, j)].key, a.key);
            }
            assert_eq!(d.points[at + sd.index_ab(k, j)].key, d.points[at + sd.index_b(j)].key);
            assert_ne!(a.key, d.points[at + sd.index_b(j)].key);
        }
        // Morris: a step of a real parameter keeps the seeds; the dummy's step changes them.
        let md = d.morris.as_ref().unwrap();
        let at = d.start["morris"];
        for (t, order) in md.changed.iter().enumerate() {
            for (step, &i) in order.iter().enumerate() {
                let row = t * (k + 2) + step;
                let same = d.points[at + row].key == d.points[at + row + 1].key;
                assert_eq!(same, i != k, "trajectory {t} step {step} moves factor {i}");
            }
        }
        // The same settings give the same design.
        let again = design(&s).unwrap();
        assert!(
            d.points
                .iter()
                .zip(&again.points)
                .all(|(a, b)| a.key == b.key && a.unit.iter().zip(&b.unit).all(|(x, y)| x.to_bits() == y.to_bits()))
        );
    }

    #[test]
    fn kpis_at_a_year_take_levels_flows_and_totals() {
        let mut s = crate::scenario::default_scenario();
        s.years = 3;
        let h = crate::sim::run_to_end(&s);
        assert_eq!(kpi_at_year(&h, "localization_rate", 3), h[11].localization_rate);
        assert_eq!(kpi_at_year(&h, "localization_rate", 1), h[3].localization_rate);
        let y2: f64 = h[4..8].iter().map(|q| q.exports_usd_m).sum();
        assert!((kpi_at_year(&h, "final_year_exports_usd_m", 2) - y2).abs() < 1e-9);
        let fin = run::final_values(&h);
        let total = fin.iter().find(|(n, _)| n == "total_exports_usd_m").unwrap().1;
        assert!((kpi_at_year(&h, "total_exports_usd_m", 3) - total).abs() < 1e-9);
    }

    #[test]
    fn settings_survive_the_shard_line() {
        let s = settings(vec![Method::Sobol], "learning_rate");
        let text = serde_json::to_string(&s).unwrap();
        let back: Settings = serde_json::from_str(&text).unwrap();
        assert_eq!(s, back);
    }
}
