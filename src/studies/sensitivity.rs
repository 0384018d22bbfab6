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

use std::collections::BTreeMap;
use std::fmt::Write as _;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::params::{self, Param};
use crate::analysis::{self, BaseSampling, Interval, MorrisDesign, SaltelliDesign};
use crate::format::fmt_num;
use crate::run;
use crate::scenario::Scenario;
use crate::sim::QuarterRecord;

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

pub fn record_line(settings: &Settings) -> String {
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
pub type Outputs = BTreeMap<(usize, u32), Vec<f64>>;

/// How long the runs took (not known after a merge).
#[derive(Clone, Copy, Serialize)]
pub struct Timing {
    pub runs: usize,
    pub seconds: f64,
}

/// The design's rows with the parameters' values and each replication's outputs (a shard file
/// holds every n-th row).
pub fn design_csv(settings: &Settings, d: &Design, outputs: &Outputs) -> String {
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

/// Reads a shard (or design.csv): its settings and its rows' outputs.
pub fn read_shard(text: &str) -> Result<(Settings, Vec<((usize, u32), Vec<f64>)>), String> {
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

pub fn analyse(settings: &Settings, d: &Design, outputs: &Outputs, kpi: usize, year: usize) -> Analysis {
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
pub fn short(p: &str) -> &str {
    p.trim_start_matches("model.")
}

pub fn indices_csv(settings: &Settings, all: &[Analysis]) -> String {
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

/// Ranks Sobol's parameters by ST, and tells which stand above the dummy's.
pub fn sobol_rows(s: &analysis::SobolResult) -> Vec<(usize, &analysis::SobolIndex)> {
    let mut v: Vec<(usize, &analysis::SobolIndex)> = s.indices.iter().enumerate().collect();
    v.sort_by(|a, b| b.1.st.total_cmp(&a.1.st));
    v
}

#[cfg(test)]
mod tests {
    use super::*;
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
