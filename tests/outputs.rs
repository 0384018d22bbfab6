//! docs/OUTPUTS.md is what users read the output files by: every CSV column and JSON field the
//! commands really write must be in it, nothing it lists may be gone, and the KPI columns must
//! have the names and units of the model's registry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use kicsim::format::column_name;
use kicsim::registry::{KPIS, TOTALS, kpi_of};
use serde_json::Value;

/// The rows of each table of OUTPUTS.md, by the heading above it: name -> unit.
fn doc_tables() -> BTreeMap<String, BTreeMap<String, String>> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/OUTPUTS.md")).expect("docs/OUTPUTS.md");
    let mut tables: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut heading = String::new();
    for line in doc.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            heading = h.to_string();
            continue;
        }
        let Some(body) = line.strip_prefix("| `") else { continue };
        let cells: Vec<&str> = body.split(" | ").collect();
        let name = cells[0].trim_end_matches('`').to_string();
        let unit = cells.get(1).map_or("", |u| u.trim()).to_string();
        assert!(tables.entry(heading.clone()).or_default().insert(name.clone(), unit).is_none(), "OUTPUTS.md, {heading}: {name} twice");
    }
    tables
}

fn table<'a>(tables: &'a BTreeMap<String, BTreeMap<String, String>>, heading: &str) -> &'a BTreeMap<String, String> {
    tables.get(heading).unwrap_or_else(|| panic!("OUTPUTS.md has no section `## {heading}`"))
}

fn names(t: &BTreeMap<String, String>) -> BTreeSet<String> {
    t.keys().cloned().collect()
}

fn kicsim(args: &[&str]) {
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim")).args(args).output().unwrap();
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// A KPI column name (a registry KPI or total, flows with their `_per_quarter`).
fn is_kpi_column(name: &str) -> bool {
    KPIS.iter().chain(TOTALS).any(|k| column_name(k) == name)
}

/// The documented names of a JSON file's fields: array items as `[]`, KPI keys as `<KPI>`, and
/// run records and estimates as one field each (their own tables list their fields).
fn json_fields(path: &str, v: &Value, out: &mut BTreeSet<String>) {
    let is_estimate = |m: &serde_json::Map<String, Value>| m.contains_key("mean") && m.contains_key("ci95_low");
    match v {
        Value::Object(m) if path != "run" && path != "runs[]" && !is_estimate(m) => {
            for (k, v) in m {
                let k = if is_kpi_column(k) { "<KPI>" } else { k.as_str() };
                json_fields(&if path.is_empty() { k.to_string() } else { format!("{path}.{k}") }, v, out);
            }
        }
        Value::Array(items) if path != "runs[]" => {
            for item in items {
                json_fields(&format!("{path}[]"), item, out);
            }
            if items.is_empty() {
                out.insert(format!("{path}[]"));
            }
        }
        _ => {
            out.insert(path.to_string());
        }
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// The header of a CSV file written by kicsim, after its one comment line.
fn csv_header(p: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut lines = text.lines();
    assert!(lines.next().unwrap().starts_with("# kicsim run record {"), "{}: the run record first", p.display());
    lines.next().unwrap().split(',').map(str::to_string).collect()
}

#[test]
fn kpi_columns_are_the_registrys_with_its_units() {
    let tables = doc_tables();
    let doc = table(&tables, "KPI columns");
    for k in KPIS.iter().chain(TOTALS) {
        let col = column_name(k);
        assert_eq!(doc.get(&col), Some(&k.unit.to_string()), "OUTPUTS.md: KPI column `{col}` with unit {}", k.unit);
    }
    let registry: BTreeSet<String> = KPIS.iter().chain(TOTALS).map(column_name).collect();
    assert_eq!(names(doc), registry, "OUTPUTS.md lists KPI columns the registry does not have");
    // A flow per quarter says so in its name; so does no level.
    for k in KPIS.iter().chain(TOTALS) {
        assert_eq!(column_name(k).ends_with("_per_quarter"), k.unit.ends_with("per quarter"), "{}", k.name);
        assert!(kpi_of(k.name).is_some());
    }
}

#[test]
fn every_column_and_field_written_is_documented_and_nothing_else() {
    let tables = doc_tables();
    let dir = tempfile::tempdir().unwrap();
    let d = |s: &str| dir.path().join(s).to_str().unwrap().to_string();
    kicsim(&["run", "scenarios/baseline.ron", "--years", "2", "--out", &d("one")]);
    kicsim(&[
        "run",
        "scenarios/baseline.ron",
        "--years",
        "2",
        "--replications",
        "2",
        "--set",
        "incentives.cit_rate=0.1",
        "--out",
        &d("two"),
    ]);
    kicsim(&[
        "sweep",
        "scenarios/minimal.ron",
        "--years",
        "2",
        "--vary",
        "incentives.cit_rate=0,0.1",
        "--replications",
        "2",
        "--out",
        &d("sweep"),
    ]);
    kicsim(&[
        "compare",
        "scenarios/baseline.ron",
        "scenarios/strong_lcr.ron",
        "--years",
        "2",
        "--replications",
        "2",
        "--out",
        &d("compare"),
    ]);
    kicsim(&["breakdown", "scenarios/baseline.ron", "--replications", "2", "--out", &d("breakdown")]);
    kicsim(&[
        "optimize",
        "scenarios/baseline.ron",
        "--years",
        "2",
        "--levers",
        "incentives.rd_deduction",
        "--maximize",
        "localization_rate",
        "--require",
        "domestic_suppliers@2 >= 1",
        "--replications",
        "2",
        "--evaluations",
        "10",
        "--out",
        &d("optimize"),
    ]);
    let out = dir.path();

    // The run record and the estimate: their fields as serialized.
    let summary = read_json(&out.join("two/summary.json"));
    let record: BTreeSet<String> = summary["run"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(record, names(table(&tables, "Run record")));
    assert_eq!(summary["run"]["overrides"], serde_json::json!(["incentives.cit_rate=0.1"]), "the record lists every --set");
    let estimate: BTreeSet<String> = summary["final"]["localization_rate"].as_object().unwrap().keys().cloned().collect();
    let mut documented = names(table(&tables, "Estimate"));
    documented.remove("n");
    assert_eq!(estimate, documented, "summary.json's estimates (n is the replications of the run record)");
    let report = read_json(&out.join("compare/report.json"));
    let with_n: BTreeSet<String> = report["table"][0]["values"][0]["estimate"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(with_n, names(table(&tables, "Estimate")));

    // CSV headers, KPI columns as <KPI> and varied parameters as <parameter>.
    let csv = |file: &str, heading: &str, params: &[&str]| {
        let header = csv_header(&out.join(file));
        let found: BTreeSet<String> = header
            .iter()
            .map(|c| {
                if is_kpi_column(c) {
                    "<KPI>".to_string()
                } else if params.contains(&c.as_str()) {
                    "<parameter>".into()
                } else {
                    c.clone()
                }
            })
            .collect();
        assert_eq!(found, names(table(&tables, heading)), "{file}: {header:?}");
        for c in header.iter().filter(|c| is_kpi_column(c)) {
            assert!(table(&tables, "KPI columns").contains_key(c), "{file}: {c}");
        }
    };
    csv("two/timeseries.csv", "`kicsim run`: `timeseries.csv`", &[]);
    csv("sweep/results.csv", "`kicsim sweep` and `kicsim merge`: `results.csv`", &["incentives.cit_rate"]);
    assert!(!csv_header(&out.join("one/timeseries.csv")).contains(&"replication".to_string()));
    let optimize: BTreeSet<String> = csv_header(&out.join("optimize/candidates.csv"))
        .iter()
        .map(|c| match c.as_str() {
            "incentives.rd_deduction" => "<lever>".to_string(),
            c if c.starts_with("mean_") => "mean_<objective>".into(),
            c if c.starts_with("chance_") && c.contains('@') => "chance_<requirement>".into(),
            c => c.to_string(),
        })
        .collect();
    assert_eq!(optimize, names(table(&tables, "`kicsim optimize`: `candidates.csv`")));

    // JSON fields.
    for (file, heading) in [
        ("one/summary.json", "`kicsim run`: `summary.json`"),
        ("two/summary.json", "`kicsim run`: `summary.json`"),
        ("compare/report.json", "`kicsim compare` and `kicsim breakdown`: `report.json`"),
        ("breakdown/report.json", "`kicsim compare` and `kicsim breakdown`: `report.json`"),
        ("breakdown/breakdown.json", "`kicsim breakdown`: `breakdown.json`"),
    ] {
        let mut found = BTreeSet::new();
        json_fields("", &read_json(&out.join(file)), &mut found);
        assert_eq!(found, names(table(&tables, heading)), "{file}");
    }
    // summary.json's final values are the KPI columns, totals included.
    let finals: BTreeSet<String> = summary["final"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(finals, names(table(&tables, "KPI columns")));
}
