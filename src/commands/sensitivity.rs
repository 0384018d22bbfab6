//! `kicsim sensitivity FILE`: which of the model's own parameters drive a KPI. The options, the
//! settings they make, and the runs; the design and analysis are [`crate::studies::sensitivity`],
//! the outputs [`crate::report::sensitivity`]. `--shard i/n` runs every n-th row of the design
//! on one machine and `kicsim merge` puts the shards together.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use rayon::prelude::*;

use super::options::parse_shard;
use crate::report::sensitivity::report;
use crate::run::{self, RunRecord};
use crate::scenario::Scenario;
use crate::studies::draws::final_names;
use crate::studies::params;
use crate::studies::sensitivity::{
    Method, Outputs, ParamRange, Settings, Timing, design, design_csv, kpi_at_year, point_scenario, point_seed,
};

#[derive(Args, Debug)]
pub struct SensitivityArgs {
    /// The scenario whose parameters are varied (its model block is the base of the tornado).
    pub file: PathBuf,
    /// Methods, comma-separated: oat (tornado), morris, sobol, or all.
    #[arg(long, default_value = "all")]
    pub method: String,
    /// The parameters varied (default: every model.* parameter with a plausible range), e.g.
    /// --params learning_rate,import_cost; `path=LOW..HIGH` gives a range of its own.
    #[arg(long, value_name = "A,B,...")]
    pub params: Option<String>,
    /// The KPI(s) analysed, comma-separated (final values' names, e.g. localization_rate,final_year_exports_usd_m).
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// The year the KPI is taken at (default: the scenario's last), or `all` for indices over time.
    #[arg(long)]
    pub year: Option<String>,
    /// Sobol' base samples N (a power of two; N (k + 3) design points for k parameters).
    /// At most 65,536: with 45 parameters and 4 replications, about a day of CPU.
    #[arg(long, default_value_t = 256, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=65536))]
    pub sobol_n: usize,
    /// Morris trajectories r (r (k + 2) design points).
    /// At most 100,000 (about a day of CPU with every parameter).
    #[arg(long, default_value_t = 20, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000))]
    pub morris_r: usize,
    /// Replications per design point (common random numbers; the KPI is their mean).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: u32,
    /// Bootstrap resamples for the 95% intervals.
    /// At most 100,000.
    #[arg(long, default_value_t = 1000, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100000))]
    pub bootstrap: usize,
    /// Seed of the design and of replication 0 (default: the scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a scenario field, e.g. --set anchor.sector=Footwear (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Run only part i of n of the design (then `kicsim merge` the shards).
    #[arg(long)]
    pub shard: Option<String>,
    /// Output folder: indices.csv, design.csv, report.html, report.md, report.json, charts.
    #[arg(long, default_value = "sensitivity-out")]
    pub out: PathBuf,
}

/// Parses the command's options into settings, and loads the scenario.
fn settings_of(a: &SensitivityArgs) -> Result<(Settings, Scenario), String> {
    let mut errors = Vec::new();
    let scenario = run::load_with_overrides(&a.file, a.seed, None, &a.sets)?;
    let mut methods = Vec::new();
    for m in a.method.split(',').map(str::trim) {
        match m {
            "all" => methods.extend([Method::Oat, Method::Morris, Method::Sobol]),
            "oat" | "tornado" => methods.push(Method::Oat),
            "morris" => methods.push(Method::Morris),
            "sobol" => methods.push(Method::Sobol),
            _ => errors.push(format!("--method {m}: choose oat, morris, sobol or all (comma-separated)")),
        }
    }
    methods.sort_by_key(|m| *m as u8);
    methods.dedup();
    let params = match params::select(a.params.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            errors.push(e);
            Vec::new()
        }
    };
    let kpis: Vec<String> = a.kpi.split(',').map(|k| k.trim().to_string()).filter(|k| !k.is_empty()).collect();
    let names = final_names();
    for k in &kpis {
        if !names.contains(&k.as_str()) {
            errors.push(format!("--kpi {k}: unknown KPI: {}", crate::names::hint(k, names.iter().copied())));
        }
    }
    if kpis.is_empty() {
        errors.push("--kpi: no KPI given".into());
    }
    let (years, over_time) = match a.year.as_deref().map(str::trim) {
        None => (vec![scenario.years], false),
        Some("all") => ((1..=scenario.years).collect(), true),
        Some(y) => match y.parse::<u32>() {
            Ok(y) if (1..=scenario.years).contains(&y) => (vec![y], false),
            _ => {
                errors.push(format!("--year {y}: a year from 1 to {} (the scenario's horizon), or all", scenario.years));
                (vec![scenario.years], false)
            }
        },
    };
    if methods.contains(&Method::Sobol) && (a.sobol_n < 8 || !a.sobol_n.is_power_of_two() || a.sobol_n > 65536) {
        errors.push(format!("--sobol-n {}: a power of two from 8 to 65536 (the convergence check uses N/4 and N/2)", a.sobol_n));
    }
    if methods.contains(&Method::Morris) && a.morris_r < 2 {
        errors.push(format!("--morris-r {}: at least 2 trajectories", a.morris_r));
    }
    if !errors.is_empty() {
        return Err(errors.join("\n"));
    }
    let record = RunRecord::new(&scenario, &a.file.display().to_string(), a.replications);
    let settings = Settings {
        methods,
        params: params.iter().map(|p| ParamRange { path: p.path().into(), low: p.lo, high: p.hi }).collect(),
        kpis,
        years,
        over_time,
        sobol_n: a.sobol_n,
        morris_r: a.morris_r,
        replications: a.replications,
        bootstrap: a.bootstrap,
        seed: scenario.seed,
        record: serde_json::to_value(&record).map_err(|e| e.to_string())?,
    };
    Ok((settings, scenario))
}

/// `kicsim sensitivity`: runs the design (or one shard of it) and writes the report (or the shard).
pub fn sensitivity(a: SensitivityArgs) -> Result<(), String> {
    let (settings, scenario) = settings_of(&a)?;
    let shard = match &a.shard {
        Some(s) => parse_shard(s)?,
        None => (1, 1),
    };
    let params = settings.params()?;
    let d = design(&settings)?;
    // Every point's parameters are checked before anything runs.
    let bad = d.points.par_iter().enumerate().find_map_first(|(i, p)| {
        params::model_problems(&point_scenario(&scenario, &params, p)).into_iter().next().map(|m| format!("design point {i}: {m}"))
    });
    if let Some(b) = bad {
        return Err(b);
    }
    let rows: Vec<usize> = (0..d.points.len()).filter(|r| r % shard.1 == shard.0 - 1).collect();
    let jobs: Vec<(usize, u32)> = rows.iter().flat_map(|&r| (0..settings.replications).map(move |k| (r, k))).collect();
    eprintln!(
        "sensitivity: {} x {} ({} design points{}), {}",
        crate::format::count_of(params.len() as u64, "parameter"),
        crate::format::count_of(settings.replications.into(), "replication"),
        d.points.len(),
        if shard.1 > 1 { format!(", this shard runs {} of them", rows.len()) } else { String::new() },
        crate::format::count_of(jobs.len() as u64, "run")
    );
    let started = Instant::now();
    let progress = run::Progress::new(jobs.len());
    let results: Vec<((usize, u32), Vec<f64>)> = jobs
        .par_iter()
        .map(|&(row, r)| {
            let mut s = point_scenario(&scenario, &params, &d.points[row]);
            s.seed = point_seed(settings.seed, d.points[row].key, r);
            let h = crate::sim::run_to_end(&s);
            let v = settings.kpis.iter().flat_map(|k| settings.years.iter().map(|&y| kpi_at_year(&h, k, y))).collect();
            progress.tick();
            ((row, r), v)
        })
        .collect();
    progress.finish();
    let secs = started.elapsed().as_secs_f64();
    let rate = jobs.len() as f64 / secs.max(1e-9);
    eprintln!("ran {} in {secs:.1} s ({rate:.0} runs/s)", crate::format::count_of(jobs.len() as u64, "run"));
    let outputs: Outputs = results.into_iter().collect();
    let csv = design_csv(&settings, &d, &outputs);
    if shard.1 > 1 {
        let name = a.out.join(format!("sensitivity-shard-{}-of-{}.csv", shard.0, shard.1));
        let mut set = crate::io::OutputSet::default();
        set.add(name.clone(), csv);
        set.write(&a.out)?;
        crate::say!("wrote {}", name.display());
        crate::say!("when all {} shards are done: kicsim merge {} --out {}", shard.1, a.out.display(), a.out.display());
        return Ok(());
    }
    let timing = Timing { runs: jobs.len(), seconds: secs };
    report(&settings, &d, &outputs, csv, &a.out, Some(timing))
}
