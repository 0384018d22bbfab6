//! The analysis of one KPI at one year (tornado, Morris, Sobol' with its convergence) and
//! indices.csv.

use std::fmt::Write as _;

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use serde::Serialize;

use super::{Design, Outputs, Settings, record_line};
use crate::analysis::{self, Interval};
use crate::format::fmt_num;

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
