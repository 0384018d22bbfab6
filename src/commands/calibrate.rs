//! `kicsim calibrate FILE --targets T.ron`: which values of the model's parameters reproduce the
//! observed facts. The options, the targets file read, the sampler chosen and checked, and the
//! run; the targets and ABC are [`crate::studies::calibration`], the outputs
//! [`crate::report::calibration`]. `--synthetic a=v,...` replaces the observations by a run with
//! known parameter values (identifiability).

use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;

use crate::analysis::{RejectionConfig, SmcConfig, Target, Tolerance};
use crate::report::calibration::{Inputs, write_outputs};
use crate::run::{self, RunRecord};
use crate::studies::calibration::{Sampler, Targets, parse_synthetic, parse_targets, run_abc, simulate};
use crate::studies::params;

#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// The scenario whose model block is the model (and the prior's centre); the targets name
    /// the scenarios they are observed in.
    pub file: PathBuf,
    /// The targets file (RON; see calibration/targets.ron and docs/SENSITIVITY.md).
    #[arg(long)]
    pub targets: PathBuf,
    /// The parameters calibrated (default: every model.* parameter with a plausible range);
    /// `path=LOW..HIGH` gives a prior range of its own.
    #[arg(long, value_name = "A,B,...")]
    pub params: Option<String>,
    /// smc (ABC-SMC, adaptive tolerances) or rejection.
    #[arg(long, default_value = "smc")]
    pub method: String,
    /// Particles per generation (smc) or samples kept (rejection: the best of --simulations).
    /// At most 100,000.
    #[arg(long, default_value_t = 200, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000))]
    pub particles: usize,
    /// Most generations (smc).
    #[arg(long, default_value_t = 6, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100))]
    pub generations: usize,
    /// Simulations: the budget of smc, the prior draws of rejection (default: 20 x particles).
    /// At most 5,000,000 (about a day of CPU with the shipped targets).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=5000000))]
    pub simulations: Option<usize>,
    /// Replications of each target scenario per simulation (their mean is compared).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: u32,
    /// Seed of the sampler (default: FILE's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Identifiability check: observations from a run with these parameter values (FILE's values
    /// for the rest), e.g. --synthetic learning_rate=1.1,import_cost=1.15; `file` takes FILE's values.
    #[arg(long, value_name = "A=V,...")]
    pub synthetic: Option<String>,
    /// Output folder: posterior.csv, calibration.json, report.html, report.md, charts.
    #[arg(long, default_value = "calibrate-out")]
    pub out: PathBuf,
}

/// Reads a targets file; every problem is located at file:line:col, as a scenario file's are.
/// `model` is FILE's model block, put into each target scenario before its overrides.
pub fn read_targets(path: &Path, model: &crate::scenario::ModelParams) -> Result<Targets, String> {
    let file = path.display().to_string();
    let text = crate::scenario::read_to_string_capped(path).map_err(|e| format!("error: {file}: cannot read the targets file: {e}"))?;
    parse_targets(&text, &file, path.parent().unwrap_or(Path::new(".")), model)
}

/// `kicsim calibrate`: checks the options and the targets, runs ABC and writes the outputs.
pub fn calibrate(a: CalibrateArgs) -> Result<(), String> {
    let base = run::load_with_overrides(&a.file, a.seed, None, &[])?;
    let params = params::select(a.params.as_deref())?;
    let mut targets = read_targets(&a.targets, &base.model)?;
    let seed = base.seed;
    let budget = a.simulations.unwrap_or(20 * a.particles);
    let sampler = match a.method.as_str() {
        "rejection" => {
            if a.particles == 0 || a.particles > budget {
                return Err(format!("--particles {}: from 1 to --simulations ({budget})", a.particles));
            }
            Sampler::Rejection(RejectionConfig {
                n_simulations: budget,
                tolerance: Tolerance::Quantile(a.particles as f64 / budget as f64),
            })
        }
        "smc" => {
            if a.particles < 2 || budget < a.particles || a.generations == 0 {
                return Err(format!(
                    "--particles {} --generations {} --simulations {budget}: need at least 2 particles, 1 generation and a budget of at least the particles",
                    a.particles, a.generations
                ));
            }
            Sampler::Smc(SmcConfig {
                n_particles: a.particles,
                max_generations: a.generations,
                max_simulations: budget,
                ..SmcConfig::default()
            })
        }
        m => return Err(format!("--method {m}: choose smc or rejection")),
    };
    for (label, s) in &targets.scenarios {
        for corner in [0.0, 1.0] {
            let theta: Vec<f64> = params.iter().map(|p| p.value_at(corner)).collect();
            if let Some(p) = params::model_problems(&params::apply(s, &params, &theta)).first() {
                return Err(format!(
                    "{label} with every parameter at the {} end of its range: {p}",
                    if corner == 0.0 { "low" } else { "high" }
                ));
            }
        }
    }
    let truth = match &a.synthetic {
        Some(spec) => {
            let truth = parse_synthetic(spec, &params, &base)?;
            // Observations from other seeds than the sampler's, with the targets' uncertainty kept.
            let obs = simulate(&targets, &params, &truth, seed.wrapping_add(1_000_003), a.replications.max(8));
            for (g, o) in targets.targets.iter_mut().zip(obs) {
                let sd = if g.target.lo == g.target.hi { g.target.sd } else { (g.target.hi - g.target.lo) / 4.0 };
                g.target = Target::value(o, sd.max(1e-9));
            }
            Some(truth)
        }
        None => None,
    };
    crate::io::check_out_dir("--out", &a.out)?;
    let per_sim: usize = targets.scenarios.len() * a.replications as usize;
    eprintln!(
        "calibrate: {} over {}, {} ({} runs each), up to {} simulations",
        crate::format::count_of(params.len() as u64, "parameter"),
        crate::format::count_of(targets.targets.len() as u64, "target"),
        crate::format::count_of(targets.scenarios.len() as u64, "scenario"),
        per_sim,
        budget
    );
    let started = Instant::now();
    let progress = run::Progress::new(budget);
    let result = run_abc(&targets, &params, &sampler, a.replications, seed, &progress)?;
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let record = RunRecord::new(&base, &a.file.display().to_string(), a.replications);
    let timing = (result.n_simulations * per_sim, secs);
    eprintln!("ran {} simulations ({} runs) in {secs:.1} s", result.n_simulations, timing.0);
    let inputs = Inputs { out: &a.out, targets: &a.targets, replications: a.replications };
    write_outputs(&inputs, &base, &params, &targets, &result, truth.as_deref(), &record, &sampler, timing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_targets_file_reads() {
        let model = crate::scenario::default_scenario().model;
        let t = read_targets(&Path::new(env!("CARGO_MANIFEST_DIR")).join("calibration/targets.ron"), &model).unwrap();
        assert_eq!(t.targets.len(), 9);
        assert_eq!(t.scenarios.len(), 6, "baseline, its footwear and machinery variants, and three policy scenarios");
        assert!(t.targets.iter().all(|g| !g.source.is_empty()), "every target says where it comes from");
    }
}
