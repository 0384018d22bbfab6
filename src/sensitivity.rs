//! `kicsim sensitivity FILE`: which of the model's own parameters drive a KPI.
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
//! The design is made from the seed alone, so `--shard i/n` runs every n-th row of it on one
//! machine and `kicsim merge` puts the shards together and writes the report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::analysis::{self, BaseSampling, Interval, MorrisDesign, SaltelliDesign};
use crate::format::fmt_num;
use crate::params::{self, Param};
use crate::registry::kpi_of;
use crate::run::{self, RunRecord};
use crate::sa_charts::{Bar, Chart, Files, chart_files, rows_height};
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;
use crate::uncertainty::{html_escape, md_table_html};

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
    #[arg(long, default_value_t = 256)]
    pub sobol_n: usize,
    /// Morris trajectories r (r (k + 2) design points).
    #[arg(long, default_value_t = 20)]
    pub morris_r: usize,
    /// Replications per design point (common random numbers; the KPI is their mean).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub replications: u32,
    /// Bootstrap resamples for the 95% intervals.
    #[arg(long, default_value_t = 1000)]
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
    fn params(&self) -> Result<Vec<Param>, String> {
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
    fn column(&self, kpi: usize, year: usize) -> usize {
        kpi * self.years.len() + year
    }

    fn columns(&self) -> Vec<String> {
        self.kpis.iter().flat_map(|k| self.years.iter().map(move |y| format!("{k}@y{y}"))).collect()
    }

    /// The year shown in the report's charts: the chosen one, or the last.
    fn headline_year(&self) -> usize {
        self.years.len() - 1
    }
}

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
fn point_scenario(base: &Scenario, params: &[Param], p: &Point) -> Scenario {
    let mut s = base.clone();
    for (q, &u) in params.iter().zip(&p.unit) {
        if !u.is_nan() {
            q.field.set(&mut s, q.value_at(u));
        }
    }
    s
}

/// The seed of replication r of a point with this key.
fn point_seed(seed: u64, key: u64, r: u32) -> u64 {
    run::replication_seed(params::keyed_seed(seed, key), r)
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
    let names = crate::uncertainty::final_names();
    for k in &kpis {
        if !names.contains(&k.as_str()) {
            errors.push(format!("--kpi {k}: unknown KPI; choose from {}", names.join(", ")));
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

fn record_line(settings: &Settings) -> String {
    let r = &settings.record;
    format!(
        "# kicsim {} scenario={} file={} hash={} seed={} years={} replications={}",
        r["version"].as_str().unwrap_or("?"),
        r["scenario"],
        r["scenario_file"].as_str().unwrap_or("?"),
        r["scenario_hash"].as_str().unwrap_or("?"),
        r["seed"],
        r["years"],
        r["replications"]
    )
}

/// The outputs of the runs: `(row, replication) -> values` in [`Settings::columns`] order.
type Outputs = BTreeMap<(usize, u32), Vec<f64>>;

pub fn sensitivity(a: SensitivityArgs) -> Result<(), String> {
    let (settings, scenario) = settings_of(&a)?;
    let shard = match &a.shard {
        Some(s) => crate::workshop::parse_shard(s)?,
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
        crate::io::write_atomic(&name, csv.as_bytes()).map_err(|e| format!("cannot write {}: {}", name.display(), crate::io_words(&e)))?;
        crate::say!("wrote {}", name.display());
        crate::say!("when all {} shards are done: kicsim merge {} --out {}", shard.1, a.out.display(), a.out.display());
        return Ok(());
    }
    let timing = Timing { runs: jobs.len(), seconds: secs };
    report(&settings, &d, &outputs, csv, &a.out, Some(timing))
}

/// How long the runs took (not known after a merge).
#[derive(Clone, Copy, Serialize)]
pub struct Timing {
    pub runs: usize,
    pub seconds: f64,
}

/// The design's rows with the parameters' values and each replication's outputs (a shard file
/// holds every n-th row).
fn design_csv(settings: &Settings, d: &Design, outputs: &Outputs) -> String {
    let mut out = record_line(settings) + "\n";
    writeln!(out, "# sensitivity: {}", serde_json::to_string(settings).expect("settings serialise")).ok();
    let params = settings.params().expect("checked settings");
    let mut header = vec!["row".to_string(), "method".into(), "seed_key".into(), "replication".into()];
    header.extend(params.iter().map(|p| p.path().to_string()));
    header.push("dummy".into());
    header.extend(settings.columns());
    out.push_str(&header.join(","));
    out.push('\n');
    for ((row, r), vals) in outputs {
        let p = &d.points[*row];
        let mut line = vec![row.to_string(), format!("{:?}", p.method).to_lowercase(), p.key.to_string(), r.to_string()];
        line.extend(params.iter().zip(&p.unit).map(|(q, u)| if u.is_nan() { String::new() } else { fmt_num(q.value_at(*u)) }));
        line.push(p.unit.last().filter(|u| !u.is_nan()).map_or(String::new(), |u| fmt_num(*u)));
        // Full precision (shortest exact form): a merge analyses the very numbers a whole run does.
        line.extend(vals.iter().map(|v| format!("{v:?}")));
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

/// The shard files among `inputs` (files, or folders holding `sensitivity-shard-*.csv`); empty
/// when the inputs are not sensitivity shards.
pub fn shard_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    let is_shard = |p: &Path| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("sensitivity-shard-"));
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> =
                std::fs::read_dir(p).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())).filter(|f| is_shard(f)).collect();
            found.sort();
            files.extend(found);
        } else if is_shard(p)
            || std::fs::read_to_string(p).is_ok_and(|t| t.lines().nth(1).is_some_and(|l| l.starts_with("# sensitivity: ")))
        {
            files.push(p.clone());
        }
    }
    files
}

/// `kicsim merge` of sensitivity shards: checks they come from one design and cover it, then
/// analyses and writes the report as an unsharded run would.
pub fn merge(files: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut settings: Option<(Settings, PathBuf)> = None;
    let mut outputs = Outputs::new();
    let mut shard_ids = std::collections::BTreeSet::new();
    let mut shard_n = None;
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {}", f.display(), crate::io_words(&e)))?;
        let (s, rows) = read_shard(&text).map_err(|e| format!("{}: not a sensitivity shard of kicsim: {e}", f.display()))?;
        if let Some((i, n)) = f
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("sensitivity-shard-")?.strip_suffix(".csv")?.split_once("-of-"))
            .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
        {
            if shard_n.is_some_and(|m| m != n) {
                return Err(format!("{}: a shard of {n}, but other files are shards of {}", f.display(), shard_n.unwrap_or(0)));
            }
            shard_n = Some(n);
            shard_ids.insert(i);
        }
        match &settings {
            None => settings = Some((s, f.clone())),
            Some((s0, f0)) if *s0 != s => {
                return Err(format!(
                    "{}: not from the same analysis as {} (scenario, parameters, sizes or seed differ)",
                    f.display(),
                    f0.display()
                ));
            }
            Some(_) => {}
        }
        for (key, v) in rows {
            if outputs.insert(key, v).is_some() {
                return Err(format!("merge: design row {} replication {} appears twice (the same shard given twice?)", key.0, key.1));
            }
        }
    }
    let Some((settings, _)) = settings else { return Err("merge: no sensitivity shard files (sensitivity-shard-*.csv) found".into()) };
    if let Some(n) = shard_n {
        let missing: Vec<usize> = (1..=n).filter(|i| !shard_ids.contains(i)).collect();
        if !missing.is_empty() {
            return Err(format!("merge: missing shard(s) {missing:?} of {n}"));
        }
    }
    let d = design(&settings)?;
    let expected = d.points.len() * settings.replications as usize;
    if outputs.len() != expected {
        let missing = (0..d.points.len()).flat_map(|r| (0..settings.replications).map(move |k| (r, k))).find(|k| !outputs.contains_key(k));
        return Err(format!(
            "merge: {} of the design's {expected} runs are there; missing e.g. row {:?} (a shard not given?)",
            outputs.len(),
            missing.map(|m| m.0)
        ));
    }
    let csv = design_csv(&settings, &d, &outputs);
    report(&settings, &d, &outputs, csv, out, None)?;
    crate::say!("merged {} into {}", crate::format::count_of(files.len() as u64, "shard"), out.join("report.html").display());
    Ok(())
}

/// Reads a shard (or design.csv): its settings and its rows' outputs.
fn read_shard(text: &str) -> Result<(Settings, Vec<((usize, u32), Vec<f64>)>), String> {
    let mut lines = text.lines();
    if !lines.next().is_some_and(|l| l.starts_with("# kicsim ")) {
        return Err("no run record on its first line (# kicsim ...)".into());
    }
    let settings: Settings = lines
        .next()
        .and_then(|l| l.strip_prefix("# sensitivity: "))
        .ok_or("no `# sensitivity:` line")
        .and_then(|l| serde_json::from_str(l).map_err(|_| "its `# sensitivity:` line cannot be read"))?;
    let body: String = lines.collect::<Vec<_>>().join("\n");
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(body.as_bytes());
    let header: Vec<String> = rdr.headers().map_err(|e| e.to_string())?.iter().map(String::from).collect();
    let cols = settings.columns();
    if header.len() < cols.len() || header[header.len() - cols.len()..] != cols[..] {
        return Err(format!("its last columns must be {}", cols.join(",")));
    }
    let first = header.len() - cols.len();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| e.to_string())?;
        let bad = || format!("line {}: not row, method, seed key, replication, parameters and numbers", i + 4);
        let row: usize = rec.get(0).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let r: u32 = rec.get(3).and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let vals: Vec<f64> =
            (first..header.len()).map(|c| rec.get(c).and_then(|v| v.parse().ok())).collect::<Option<_>>().ok_or_else(bad)?;
        rows.push(((row, r), vals));
    }
    Ok((settings, rows))
}

/// One parameter's tornado entry.
#[derive(Clone, Debug, Serialize)]
pub struct OatRow {
    pub parameter: String,
    pub low_value: f64,
    pub high_value: f64,
    pub low_effect: f64,
    pub low_ci: Interval,
    pub high_effect: f64,
    pub high_ci: Interval,
    pub swing: f64,
}

/// The analysis of one KPI at one year.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    pub kpi: String,
    pub year: u32,
    pub base_value: Option<f64>,
    pub oat: Vec<OatRow>,
    pub morris: Option<analysis::MorrisResult>,
    pub sobol: Option<analysis::SobolResult>,
    /// Sobol' indices at N/4, N/2 and N base rows.
    pub convergence: Vec<analysis::SobolResult>,
    /// Why a method gave no indices (e.g. the KPI does not vary at all).
    pub notes: Vec<String>,
}

fn analyse(settings: &Settings, d: &Design, outputs: &Outputs, kpi: usize, year: usize) -> Analysis {
    let col = settings.column(kpi, year);
    let reps = settings.replications;
    let k = settings.params.len();
    let names: Vec<String> = settings.params.iter().map(|p| p.path.clone()).chain(["dummy (seeds)".to_string()]).collect();
    let value = |row: usize, r: u32| outputs[&(row, r)][col];
    let mean = |row: usize| (0..reps).map(|r| value(row, r)).sum::<f64>() / reps as f64;
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed ^ 0xb007_0000 ^ ((kpi as u64) << 16) ^ year as u64);
    let mut a = Analysis {
        kpi: settings.kpis[kpi].clone(),
        year: settings.years[year],
        base_value: None,
        oat: Vec::new(),
        morris: None,
        sobol: None,
        convergence: Vec::new(),
        notes: Vec::new(),
    };
    if let Some(&s) = d.start.get("oat") {
        a.base_value = Some(mean(s));
        let params = settings.params().expect("checked settings");
        for i in 0..=k {
            let (lo_row, hi_row) = (s + 1 + 2 * i, s + 2 + 2 * i);
            let diffs = |row: usize| -> Vec<f64> { (0..reps).map(|r| value(row, r) - value(s, r)).collect() };
            let (dl, dh) = (diffs(lo_row), diffs(hi_row));
            let m = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
            let ci = analysis::bootstrap_ci(reps as usize, settings.bootstrap, 0.95, &mut rng, |idx| {
                vec![idx.iter().map(|&j| dl[j]).sum::<f64>() / idx.len() as f64, idx.iter().map(|&j| dh[j]).sum::<f64>() / idx.len() as f64]
            });
            let (le, he) = (m(&dl), m(&dh));
            let point = |e: f64| Interval { lo: e, hi: e };
            let (lv, hv) = if i < k { (params[i].value_at(0.0), params[i].value_at(1.0)) } else { (f64::NAN, f64::NAN) };
            a.oat.push(OatRow {
                parameter: names[i].clone(),
                low_value: lv,
                high_value: hv,
                low_effect: le,
                low_ci: ci.first().copied().filter(|_| reps > 1).unwrap_or(point(le)),
                high_effect: he,
                high_ci: ci.get(1).copied().filter(|_| reps > 1).unwrap_or(point(he)),
                swing: (he - le).abs().max(he.abs()).max(le.abs()),
            });
        }
        a.oat.sort_by(|x, y| y.swing.total_cmp(&x.swing));
    }
    if let (Some(md), Some(&s)) = (&d.morris, d.start.get("morris")) {
        let y: Vec<f64> = (0..md.rows.len()).map(|i| mean(s + i)).collect();
        match analysis::morris_analyze(md, &y, settings.bootstrap, &mut rng) {
            Ok(r) => a.morris = Some(r),
            Err(e) => a.notes.push(format!("Morris: {e}")),
        }
    }
    if let (Some(sd), Some(&s)) = (&d.sobol, d.start.get("sobol")) {
        let y: Vec<f64> = (0..sd.rows.len()).map(|i| mean(s + i)).collect();
        match analysis::sobol_analyze(sd, &y, settings.bootstrap, &mut rng) {
            Ok(r) => {
                a.sobol = Some(r);
                a.convergence = analysis::sobol_convergence(sd, &y, settings.bootstrap, &mut rng).unwrap_or_default();
            }
            Err(e) => a.notes.push(format!("Sobol': {e}")),
        }
    }
    a
}

/// The parameter's short name (without `model.`).
fn short(p: &str) -> &str {
    p.trim_start_matches("model.")
}

fn indices_csv(settings: &Settings, all: &[Analysis]) -> String {
    let mut out = record_line(settings) + "\n";
    out.push_str("method,kpi,year,parameter,index,value,ci95_low,ci95_high,base_rows\n");
    let names: Vec<String> = settings.params.iter().map(|p| p.path.clone()).chain(["dummy".to_string()]).collect();
    let mut line = |m: &str, a: &Analysis, p: &str, idx: &str, v: f64, ci: Interval, n: usize| {
        let f = |x: f64| if x.is_nan() { String::new() } else { fmt_num(x) };
        writeln!(out, "{m},{},{},{p},{idx},{},{},{},{n}", a.kpi, a.year, f(v), f(ci.lo), f(ci.hi)).ok();
    };
    for a in all {
        for o in &a.oat {
            let p = if o.parameter.starts_with("dummy") { "dummy" } else { &o.parameter };
            line("oat", a, p, "low_effect", o.low_effect, o.low_ci, 0);
            line("oat", a, p, "high_effect", o.high_effect, o.high_ci, 0);
        }
        if let Some(m) = &a.morris {
            for (i, x) in m.indices.iter().enumerate() {
                line("morris", a, &names[i], "mu_star", x.mu_star, x.mu_star_ci, m.r);
                line("morris", a, &names[i], "mu", x.mu, Interval { lo: f64::NAN, hi: f64::NAN }, m.r);
                line("morris", a, &names[i], "sigma", x.sigma, Interval { lo: f64::NAN, hi: f64::NAN }, m.r);
            }
        }
        for (c, s) in a.sobol.iter().chain(&a.convergence).enumerate() {
            let m = if c == 0 { "sobol" } else { "sobol_convergence" };
            for (i, x) in s.indices.iter().enumerate() {
                line(m, a, &names[i], "S1", x.s1, x.s1_ci, s.n_base);
                line(m, a, &names[i], "ST", x.st, x.st_ci, s.n_base);
            }
        }
    }
    out
}

fn kpi_label(kpi: &str) -> String {
    kpi_of(kpi)
        .map_or(kpi.to_string(), |k| if k.unit.is_empty() { k.label.to_string() } else { format!("{} ({})", k.label, k.display_unit()) })
}

/// The KPI's value as the report writes it (shares in percent).
fn fmt_kpi(kpi: &str, v: f64) -> String {
    kpi_of(kpi).map_or(fmt_num(v), |k| k.fmt(v))
}

fn fmt_kpi_diff(kpi: &str, v: f64) -> String {
    kpi_of(kpi).map_or(fmt_num(v), |k| k.fmt_diff(v))
}

/// Scale of a KPI's effects in charts: percentage points for shares.
fn chart_scale(kpi: &str) -> (f64, &'static str) {
    match kpi_of(kpi) {
        Some(k) if k.is_percent() => (100.0, "percentage points"),
        Some(k) => (1.0, k.unit),
        None => (1.0, ""),
    }
}

/// Ranks Sobol's parameters by ST, and tells which stand above the dummy's.
fn sobol_rows(s: &analysis::SobolResult) -> Vec<(usize, &analysis::SobolIndex)> {
    let mut v: Vec<(usize, &analysis::SobolIndex)> = s.indices.iter().enumerate().collect();
    v.sort_by(|a, b| b.1.st.total_cmp(&a.1.st));
    v
}

fn report(
    settings: &Settings,
    d: &Design,
    outputs: &Outputs,
    design_text: String,
    out: &Path,
    timing: Option<Timing>,
) -> Result<(), String> {
    let mut all = Vec::new();
    for kpi in 0..settings.kpis.len() {
        for year in 0..settings.years.len() {
            all.push(analyse(settings, d, outputs, kpi, year));
        }
    }
    let names: Vec<String> = settings.params.iter().map(|p| short(&p.path).to_string()).chain(["dummy (seeds)".to_string()]).collect();
    let footer = record_line(settings).trim_start_matches("# ").to_string();
    let mut files = Files::default();
    let scen = settings.record["scenario"].as_str().unwrap_or("").to_string();
    let runs = d.points.len() * settings.replications as usize;
    let mut md = format!("# Sensitivity analysis: {scen}\n\n");
    let mut html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Sensitivity analysis: {t}</title>\n<style>body{{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}}table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:4px 8px;text-align:right}}th{{background:#eee}}td:first-child,th:first-child{{text-align:left}}svg{{max-width:100%;height:auto}}</style></head><body>\n<h1>Sensitivity analysis: {t}</h1>\n",
        t = html_escape(&scen)
    );
    let methods: Vec<String> = settings.methods.iter().map(|m| format!("{m:?}").to_lowercase()).collect();
    let mut intro = format!(
        "{} of the model (`model.*`, each over its plausible range from the registry: uniform, whole numbers equally likely), methods {}, {} per design point with common random numbers; {} design points, {} in all. ",
        crate::format::count_of(settings.params.len() as u64, "parameter"),
        methods.join(", "),
        crate::format::count_of(settings.replications.into(), "replication"),
        d.points.len(),
        crate::format::count_of(runs as u64, "run")
    );
    if settings.methods.contains(&Method::Sobol) {
        write!(
            intro,
            "Sobol': N = {} base samples (scrambled Sobol' sequence), first order by Saltelli 2010, total by Jansen 1999. ",
            settings.sobol_n
        )
        .ok();
    }
    if settings.methods.contains(&Method::Morris) {
        write!(intro, "Morris: {} trajectories on 4 levels. ", settings.morris_r).ok();
    }
    write!(
        intro,
        "Brackets: 95% bootstrap intervals ({} resamples). The dummy parameter changes only the seeds: its index is the noise floor, and an index not clearly above it means nothing. See docs/SENSITIVITY.md for how to read the indices.",
        settings.bootstrap
    )
    .ok();
    if let Some(t) = timing {
        write!(intro, " The runs took {:.1} s ({:.0} runs per second).", t.seconds, t.runs as f64 / t.seconds.max(1e-9)).ok();
    }
    writeln!(md, "{intro}\n").ok();
    writeln!(html, "<p>{}</p>", html_escape(&intro.replace('`', ""))).ok();
    // Parameters and ranges.
    let mut ptable = String::from("| parameter | low | high | source of the range |\n|---|---|---|---|\n");
    for p in &settings.params {
        let src = crate::registry::field_of(&p.path).map_or("", |f| f.source);
        writeln!(ptable, "| {} | {} | {} | {} |", p.path, fmt_num(p.low), fmt_num(p.high), src.replace('|', "/")).ok();
    }
    let mut summary: Vec<String> = Vec::new();
    for kpi in 0..settings.kpis.len() {
        let a = &all[kpi * settings.years.len() + settings.headline_year()];
        let kname = a.kpi.clone();
        let (scale, unit) = chart_scale(&kname);
        let head = format!("{} at year {}", kpi_label(&kname), a.year);
        writeln!(md, "## {head}\n").ok();
        writeln!(html, "<h2>{}</h2>", html_escape(&head)).ok();
        for n in &a.notes {
            writeln!(md, "Note: {n}\n").ok();
            writeln!(html, "<p>Note: {}</p>", html_escape(n)).ok();
        }
        let mut findings: Vec<String> = Vec::new();
        if !a.oat.is_empty() {
            let base = a.base_value.unwrap_or(f64::NAN);
            let mut t = format!(
                "One at a time, from the file's values (the KPI is {} there): the KPI's change with each parameter at the low and at the high end of its range.\n\n| parameter | low → change [95% CI] | high → change [95% CI] |\n|---|---|---|\n",
                fmt_kpi(&kname, base)
            );
            for o in &a.oat {
                let lv = if o.low_value.is_nan() { "other seeds".to_string() } else { fmt_num(o.low_value) };
                let hv = if o.high_value.is_nan() { "other seeds".to_string() } else { fmt_num(o.high_value) };
                writeln!(
                    t,
                    "| {} | {lv} → {} [{}, {}] | {hv} → {} [{}, {}] |",
                    short(&o.parameter),
                    fmt_kpi_diff(&kname, o.low_effect),
                    fmt_kpi_diff(&kname, o.low_ci.lo),
                    fmt_kpi_diff(&kname, o.low_ci.hi),
                    fmt_kpi_diff(&kname, o.high_effect),
                    fmt_kpi_diff(&kname, o.high_ci.lo),
                    fmt_kpi_diff(&kname, o.high_ci.hi)
                )
                .ok();
            }
            let top: Vec<&OatRow> = a.oat.iter().take(15).collect();
            let bar = |e: f64, ci: Interval| (e * scale, ci.lo * scale, ci.hi * scale);
            let low: Vec<Bar> = top
                .iter()
                .map(|o| {
                    let (v, l, h) = bar(o.low_effect, o.low_ci);
                    (short(&o.parameter).to_string(), v, l, h)
                })
                .collect();
            let high: Vec<Bar> = top
                .iter()
                .map(|o| {
                    let (v, l, h) = bar(o.high_effect, o.high_ci);
                    (short(&o.parameter).to_string(), v, l, h)
                })
                .collect();
            let chart = Chart::Tornado {
                title: format!("Tornado: {} at year {}", kname, a.year),
                x_label: format!("change from the file's values ({unit})"),
                low,
                high,
            };
            let stem = format!("tornado_{kname}");
            let svg = chart_files(&mut files, out, &stem, (900, rows_height(top.len())), &chart, &footer)?;
            writeln!(md, "### One at a time (tornado)\n\n{t}\n![tornado]({stem}.png)\n").ok();
            writeln!(html, "<h3>One at a time (tornado)</h3>\n{}{svg}", md_table_html(&t)).ok();
        }
        if let Some(m) = &a.morris {
            let k = settings.params.len();
            let dummy = m.indices[k].mu_star;
            let mut order: Vec<usize> = (0..m.indices.len()).collect();
            order.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
            let mut t = format!(
                "Elementary effects per whole range of each parameter ({} trajectories). mu*: mean absolute effect (importance); sigma: spread of the effects (non-linearity or interactions); the dummy's mu* ({}) is the noise floor.\n\n| parameter | mu* [95% CI] | mu | sigma | above the noise floor |\n|---|---|---|---|---|\n",
                m.r,
                fmt_kpi_diff(&kname, dummy).trim_start_matches('+')
            );
            for &i in &order {
                let x = &m.indices[i];
                let above = if i == k {
                    "—"
                } else if x.mu_star_ci.lo > dummy {
                    "yes"
                } else {
                    "no"
                };
                let size = |v: f64| fmt_kpi_diff(&kname, v).trim_start_matches('+').to_string();
                writeln!(
                    t,
                    "| {} | {} [{}, {}] | {} | {} | {above} |",
                    names[i],
                    size(x.mu_star),
                    size(x.mu_star_ci.lo),
                    size(x.mu_star_ci.hi),
                    fmt_kpi_diff(&kname, x.mu),
                    size(x.sigma)
                )
                .ok();
            }
            let points = order
                .iter()
                .take(16)
                .chain(std::iter::once(&k).filter(|_| !order.iter().take(16).any(|&i| i == k)))
                .map(|&i| {
                    let x = &m.indices[i];
                    (names[i].clone(), x.mu_star * scale, x.sigma * scale, x.mu_star_ci.lo * scale, x.mu_star_ci.hi * scale)
                })
                .collect();
            let chart = Chart::MuSigma {
                title: format!("Morris: {} at year {} ({unit} per whole range)", kname, a.year),
                points,
                dummy: Some(names[k].clone()),
            };
            let stem = format!("morris_{kname}");
            let svg = chart_files(&mut files, out, &stem, (900, 620), &chart, &footer)?;
            writeln!(md, "### Morris elementary effects\n\n{t}\n![mu* and sigma]({stem}.png)\n").ok();
            writeln!(html, "<h3>Morris elementary effects</h3>\n{}{svg}", md_table_html(&t)).ok();
        }
        if let Some(s) = &a.sobol {
            let k = settings.params.len();
            let floor = s.indices[k].st;
            let floor_hi = s.indices[k].st_ci.hi;
            let rows = sobol_rows(s);
            let mut t = format!(
                "Share of the KPI's variance over the plausible ranges (mean {}, sd {}) that each parameter explains alone (S1) and with its interactions (ST). The dummy's ST ({:.3}) is the part that is luck (the mean of {} replications).\n\n| parameter | S1 [95% CI] | ST [95% CI] | above the noise floor |\n|---|---|---|---|\n",
                fmt_kpi(&kname, s.mean),
                fmt_kpi_diff(&kname, s.variance.sqrt()).trim_start_matches('+'),
                floor,
                settings.replications
            );
            for (i, x) in &rows {
                let above = if *i == k {
                    "—"
                } else if x.st_ci.lo > floor_hi {
                    "yes"
                } else {
                    "no"
                };
                writeln!(
                    t,
                    "| {} | {:.3} [{:.3}, {:.3}] | {:.3} [{:.3}, {:.3}] | {above} |",
                    names[*i], x.s1, x.s1_ci.lo, x.s1_ci.hi, x.st, x.st_ci.lo, x.st_ci.hi
                )
                .ok();
            }
            let sum_s1: f64 = s.indices[..k].iter().map(|x| x.s1).sum();
            writeln!(t, "\nSum of S1: {sum_s1:.2} (1 for an additive model; the rest is interactions and noise).").ok();
            let top: Vec<&(usize, &analysis::SobolIndex)> = rows.iter().filter(|(i, _)| *i != k).take(15).collect();
            let s1: Vec<Bar> = top.iter().map(|(i, x)| (names[*i].clone(), x.s1, x.s1_ci.lo, x.s1_ci.hi)).collect();
            let st: Vec<Bar> = top.iter().map(|(i, x)| (names[*i].clone(), x.st, x.st_ci.lo, x.st_ci.hi)).collect();
            let chart = Chart::IndexBars {
                title: format!("Sobol' indices: {} at year {} (N = {})", kname, a.year, s.n_base),
                s1,
                st,
                floor: Some(floor),
            };
            let stem = format!("sobol_{kname}");
            let svg = chart_files(&mut files, out, &stem, (900, rows_height(top.len())), &chart, &footer)?;
            // Convergence.
            let mut c = String::from("| parameter |");
            for r in &a.convergence {
                write!(c, " ST at N = {} |", r.n_base).ok();
            }
            c.push_str("\n|---|");
            c.push_str(&"---|".repeat(a.convergence.len()));
            c.push('\n');
            for (i, _) in rows.iter().take(8) {
                write!(c, "| {} |", names[*i]).ok();
                for r in &a.convergence {
                    let x = &r.indices[*i];
                    write!(c, " {:.3} [{:.3}, {:.3}] |", x.st, x.st_ci.lo, x.st_ci.hi).ok();
                }
                c.push('\n');
            }
            let converged = a.convergence.len() == 3
                && rows.iter().take(5).all(|(i, x)| {
                    let half = a.convergence[1].indices[*i].st;
                    (half - x.st).abs() <= 0.05_f64.max(0.2 * x.st)
                });
            let verdict = if converged {
                "The five largest total indices moved by less than 0.05 (or 20%) from N/2 to N: the ranking is settled at this N."
            } else {
                "The largest total indices still move between N/2 and N: run a larger --sobol-n before trusting the ranking."
            };
            writeln!(md, "### Sobol' indices\n\n{t}\n![Sobol' indices]({stem}.png)\n\nConvergence (the same design's first N/4, N/2 and N base rows):\n\n{c}\n{verdict}\n").ok();
            writeln!(
                html,
                "<h3>Sobol' indices</h3>\n{}{svg}<p>Convergence (the same design's first N/4, N/2 and N base rows):</p>\n{}<p>{}</p>",
                md_table_html(&t),
                md_table_html(&c),
                html_escape(verdict)
            )
            .ok();
            let named: Vec<String> = rows
                .iter()
                .filter(|(i, x)| *i != k && x.st_ci.lo > floor_hi)
                .take(4)
                .map(|(i, x)| format!("{} (ST {:.2} [{:.2}, {:.2}])", names[*i], x.st, x.st_ci.lo, x.st_ci.hi))
                .collect();
            findings.push(if named.is_empty() {
                format!("{kname} at year {}: no parameter stands above the noise floor (dummy ST {floor:.3})", a.year)
            } else {
                format!("{kname} at year {}: {}; noise floor ST {floor:.3}", a.year, named.join(", "))
            });
        } else if let Some(m) = &a.morris {
            let k = settings.params.len();
            let mut order: Vec<usize> = (0..k).collect();
            order.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
            let named: Vec<String> =
                order.iter().take(4).map(|&i| format!("{} (mu* {})", names[i], fmt_num(m.indices[i].mu_star))).collect();
            findings.push(format!("{kname} at year {}: {}", a.year, named.join(", ")));
        }
        // Indices over time.
        if settings.over_time && settings.years.len() > 1 {
            let series_of =
                |pick: &dyn Fn(&Analysis, usize) -> Option<(f64, f64, f64)>, top: &[usize]| -> Vec<(String, Vec<(f64, f64, f64, f64)>)> {
                    top.iter()
                        .map(|&i| {
                            let pts = (0..settings.years.len())
                                .filter_map(|y| {
                                    let an = &all[kpi * settings.years.len() + y];
                                    pick(an, i).map(|(v, l, h)| (an.year as f64, v, l, h))
                                })
                                .collect();
                            (names[i].clone(), pts)
                        })
                        .collect()
                };
            let k = settings.params.len();
            let (title, y_label, series) = if let Some(s) = &a.sobol {
                let mut top: Vec<usize> = sobol_rows(s).iter().map(|(i, _)| *i).filter(|&i| i != k).take(6).collect();
                top.push(k);
                let pick =
                    |an: &Analysis, i: usize| an.sobol.as_ref().map(|s| (s.indices[i].st, s.indices[i].st_ci.lo, s.indices[i].st_ci.hi));
                ("Sobol' total index over time", "ST", series_of(&pick, &top))
            } else if let Some(m) = &a.morris {
                let mut top: Vec<usize> = (0..k).collect();
                top.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
                top.truncate(6);
                top.push(k);
                let pick = |an: &Analysis, i: usize| {
                    an.morris.as_ref().map(|m| (m.indices[i].mu_star, m.indices[i].mu_star_ci.lo, m.indices[i].mu_star_ci.hi))
                };
                ("Morris mu* over time", "mu*", series_of(&pick, &top))
            } else {
                ("", "", Vec::new())
            };
            if !series.is_empty() {
                let chart = Chart::Lines { title: format!("{title}: {kname} (bands: 95% CI)"), y_label: y_label.into(), series };
                let stem = format!("over_time_{kname}");
                let svg = chart_files(&mut files, out, &stem, (900, 520), &chart, &footer)?;
                writeln!(md, "### Over time\n\n![{title}]({stem}.png)\n\nEvery year's indices are in indices.csv.\n").ok();
                writeln!(html, "<h3>Over time</h3>\n{svg}<p>Every year's indices are in indices.csv.</p>").ok();
            }
        }
        summary.extend(findings);
    }
    let mut head_md = String::from("## Findings\n\n");
    for f in &summary {
        writeln!(head_md, "- {f}").ok();
    }
    let insert_at = md.find("\n## ").map_or(md.len(), |i| i + 1);
    md.insert_str(insert_at, &format!("{head_md}\n"));
    let html_findings =
        format!("<h2>Findings</h2>\n<ul>{}</ul>\n", summary.iter().map(|f| format!("<li>{}</li>", html_escape(f))).collect::<String>());
    let insert_at = html.find("<h2>").unwrap_or(html.len());
    html.insert_str(insert_at, &html_findings);
    writeln!(md, "## Parameters and ranges\n\n{ptable}\n## Run record\n\n{}\n", record_line(settings).trim_start_matches("# ")).ok();
    writeln!(
        html,
        "<h2>Parameters and ranges</h2>\n{}<h2>Run record</h2>\n<p>{}</p>\n</body></html>",
        md_table_html(&ptable),
        html_escape(record_line(settings).trim_start_matches("# "))
    )
    .ok();
    let json = json!({
        "run": settings.record,
        "settings": settings,
        "design_points": d.points.len(),
        "runs": runs,
        "timing": timing,
        "findings": summary,
        "analyses": all,
    });
    files.add(out.join("indices.csv"), indices_csv(settings, &all));
    files.add(out.join("design.csv"), design_text);
    files.add(out.join("report.md"), md);
    files.add(out.join("report.html"), html);
    files.add(out.join("report.json"), serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n");
    files.write(out)?;
    for f in &summary {
        crate::say!("{f}");
    }
    crate::say!("wrote {}", out.join("report.html").display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
