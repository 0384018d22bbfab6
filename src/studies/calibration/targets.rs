//! The targets file of `kicsim calibrate`: observed facts, each with the scenario it is
//! observed in, a KPI, a year and a value with its sd or an interval; read with every mistake
//! located at file:line:col, as a scenario file's are.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::analysis::Target;
use crate::ronpath;
use crate::scenario::{LocatedProblem, Scenario, ScenarioError, apply_set};
use crate::studies::draws::final_names;

/// A targets file as written.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsFile {
    pub targets: Vec<TargetSpec>,
}

/// One observed fact.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    pub name: String,
    /// The scenario file it is observed in, relative to the targets file.
    pub scenario: String,
    /// Overrides as with --set, e.g. ["anchor.sector=Footwear"].
    #[serde(default)]
    pub set: Vec<String>,
    /// A KPI of the final values (e.g. localization_rate, final_year_exports_usd_m).
    pub kpi: String,
    /// The year it is observed at (default: the scenario's last).
    #[serde(default)]
    pub year: Option<u32>,
    /// An observed value (with `sd`), or an interval (with an optional `sd`: the scale of a gap
    /// outside it, by default a quarter of its width).
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub sd: Option<f64>,
    #[serde(default)]
    pub interval: Option<(f64, f64)>,
    /// Where the fact comes from.
    #[serde(default)]
    pub source: String,
}

/// A target ready to use: its scenario (FILE's model block in), KPI, year and distance term.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub name: String,
    pub source: String,
    /// Index into the distinct scenarios.
    pub scenario: usize,
    pub kpi: String,
    pub year: u32,
    pub target: Target,
}

/// The distinct scenarios of a targets file and its targets.
#[derive(Debug)]
pub struct Targets {
    pub scenarios: Vec<(String, Scenario)>,
    pub targets: Vec<Resolved>,
}

fn problem(src: &str, path: &str, message: String) -> LocatedProblem {
    let (line, col) = ronpath::locate(src, path).unwrap_or((1, 1));
    LocatedProblem {
        line,
        col,
        field: path.to_string(),
        message,
        source_line: src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string(),
    }
}

pub fn parse_targets(text: &str, file: &str, dir: &Path, model: &crate::scenario::ModelParams) -> Result<Targets, String> {
    let src = crate::scenario::without_bom(text);
    let err = |problems: Vec<LocatedProblem>| ScenarioError { file: file.to_string(), problems }.to_string();
    crate::scenario::nesting_problem(src).map_or(Ok(()), |p| Err(err(vec![p])))?;
    let opts = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let parsed: TargetsFile = opts.from_str(src).map_err(|e| {
        let (line, col) = (e.span.start.line, e.span.start.col);
        err(vec![LocatedProblem {
            line,
            col,
            field: ronpath::path_at(src, line, col).unwrap_or_default(),
            message: e.code.to_string(),
            source_line: src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string(),
        }])
    })?;
    let mut problems = Vec::new();
    if parsed.targets.is_empty() {
        problems.push(problem(src, "targets", "no targets: list at least one observed fact".into()));
    }
    let mut scenarios: Vec<(String, Scenario)> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut targets = Vec::new();
    let names = final_names();
    for (i, t) in parsed.targets.iter().enumerate() {
        let at = |f: &str| if f.is_empty() { format!("targets[{i}]") } else { format!("targets[{i}].{f}") };
        let scen_path = dir.join(&t.scenario);
        let mut scenario = match Scenario::load(&scen_path) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(problem(src, &at("scenario"), format!("the scenario {} cannot be used:\n{e}", scen_path.display())));
                None
            }
        };
        if let Some(s) = scenario.as_mut() {
            s.model = model.clone();
            for a in &t.set {
                match apply_set(s, a) {
                    Ok(n) => *s = n,
                    Err(e) => problems.push(problem(src, &at("set"), e.replace("--set ", ""))),
                }
            }
            if let Some(p) = s.validate().first() {
                problems.push(problem(src, &at("set"), format!("with these overrides, field `{}`: {}", p.path, p.message)));
            }
        }
        if !names.contains(&t.kpi.as_str()) {
            problems.push(problem(
                src,
                &at("kpi"),
                format!("unknown KPI `{}`: {}", t.kpi, crate::names::hint(&t.kpi, names.iter().copied())),
            ));
        }
        let horizon = scenario.as_ref().map_or(u32::MAX, |s| s.years);
        let year = t.year.unwrap_or(horizon);
        if year == 0 || year > horizon {
            problems.push(problem(src, &at("year"), format!("year {year}: the scenario runs years 1 to {horizon}")));
        }
        let target = match (t.value, t.interval, t.sd) {
            (Some(_), Some(_), _) => {
                problems.push(problem(src, &at(""), "give a value with its sd, or an interval, not both".into()));
                None
            }
            (None, None, _) => {
                problems.push(problem(src, &at(""), "no observation: give `value` with `sd`, or `interval: (low, high)`".into()));
                None
            }
            (Some(_), None, None) => {
                problems.push(problem(src, &at("value"), "a value needs its `sd` (the uncertainty of the observation)".into()));
                None
            }
            (_, _, Some(sd)) if !(sd.is_finite() && sd > 0.0) => {
                problems.push(problem(src, &at("sd"), format!("sd {sd} must be above 0")));
                None
            }
            (Some(v), None, Some(sd)) if v.is_finite() => Some(Target::value(v, sd)),
            (None, Some((lo, hi)), sd) if lo.is_finite() && hi.is_finite() && lo < hi => {
                Some(sd.map_or(Target::interval(lo, hi), |s| Target::interval_with_scale(lo, hi, s)))
            }
            (None, Some((lo, hi)), _) => {
                problems.push(problem(
                    src,
                    &at("interval"),
                    format!("interval ({lo}, {hi}) is empty: the low end must be below the high end"),
                ));
                None
            }
            _ => {
                problems.push(problem(src, &at("value"), "the value is not a finite number".into()));
                None
            }
        };
        if let (Some(s), Some(target)) = (scenario, target) {
            let key = format!("{}|{}", scen_path.display(), t.set.join("|"));
            let idx = keys.iter().position(|k| *k == key).unwrap_or_else(|| {
                keys.push(key);
                let label = if t.set.is_empty() { t.scenario.clone() } else { format!("{} with {}", t.scenario, t.set.join(", ")) };
                scenarios.push((label, s));
                scenarios.len() - 1
            });
            targets.push(Resolved { name: t.name.clone(), source: t.source.clone(), scenario: idx, kpi: t.kpi.clone(), year, target });
        }
    }
    if problems.is_empty() { Ok(Targets { scenarios, targets }) } else { Err(err(problems)) }
}

/// Targets grouped by scenario, for messages.
pub fn describe(t: &Targets) -> BTreeMap<String, Vec<String>> {
    let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in &t.targets {
        m.entry(t.scenarios[g.scenario].0.clone()).or_default().push(format!("{} at year {}", g.kpi, g.year));
    }
    m
}
