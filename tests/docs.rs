//! docs/SCENARIO.md is what students write their files from: every field of a scenario must be
//! in its tables, with the default the code really uses and the range `validate` really enforces.

use kicsim::scenario::apply_set;
use kicsim::scenario::{LogisticsHubSpec, RdCentreSpec, Scenario, SupplierSpec, TrainingCentreSpec};
use serde_json::Value;

/// One row of a field table: the field paths it names (list items as `[0]`), the defaults and
/// the range as written.
#[derive(Debug)]
struct Row {
    paths: Vec<String>,
    defaults: Vec<String>,
    range: String,
}

fn rows() -> Vec<Row> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md")).expect("docs/SCENARIO.md");
    let mut prefix = String::new();
    let mut out = Vec::new();
    for line in doc.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            // "## `map`" puts `map.` before the names of its rows; "## Top level" and headings
            // naming several lists put nothing (their rows give whole paths).
            let names: Vec<&str> = heading.split('`').skip(1).step_by(2).collect();
            prefix = if names.len() == 1 { format!("{}.", names[0]) } else { String::new() };
            continue;
        }
        let Some(body) = line.strip_prefix("| `") else { continue };
        let cells: Vec<String> = format!("`{body}").split(" | ").map(|c| c.trim().trim_end_matches('|').trim().to_string()).collect();
        let paths: Vec<String> = cells[0].split('`').skip(1).step_by(2).map(|n| format!("{prefix}{n}").replace("[i]", "[0]")).collect();
        let defaults = if paths.len() > 1 { cells[1].split(", ").map(str::to_string).collect() } else { vec![cells[1].clone()] };
        assert_eq!(
            paths.len(),
            defaults.len(),
            "SCENARIO.md: the row `{line}` names {} fields but gives {} defaults",
            paths.len(),
            defaults.len()
        );
        out.push(Row { paths, defaults, range: cells.get(2).cloned().unwrap_or_default() });
    }
    assert!(out.len() > 50, "SCENARIO.md: found only {} field rows", out.len());
    out
}

/// The scenario every field takes its default in, with one item in each list.
fn all_defaults() -> Scenario {
    let mut s = Scenario::default();
    s.suppliers.push(SupplierSpec::default());
    s.rd_centres.push(RdCentreSpec::default());
    s.training_centres.push(TrainingCentreSpec::default());
    s.logistics_hubs.push(LogisticsHubSpec::default());
    s
}

fn json(s: &Scenario) -> Value {
    serde_json::to_value(s).expect("a scenario serializes")
}

/// Leaf fields that no row gives a default for (a value documented whole, like a site, counts
/// for its parts; a section row such as `model` "calibrated values" does not).
fn undocumented(path: &str, value: &Value, documented: &[String], out: &mut Vec<String>) {
    if !path.is_empty() && documented.iter().any(|d| d == path) {
        return;
    }
    match value {
        Value::Object(fields) => {
            for (name, v) in fields {
                let p = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                undocumented(&p, v, documented, out);
            }
        }
        Value::Array(items) if items.first().is_some_and(Value::is_object) => {
            undocumented(&format!("{path}[0]"), &items[0], documented, out);
        }
        _ => out.push(path.to_string()),
    }
}

#[test]
fn every_field_is_documented_with_its_real_default() {
    let rows = rows();
    let (bare, full) = (Scenario::default(), all_defaults());
    let mut wrong = Vec::new();
    let mut checked = Vec::new();
    for row in &rows {
        for (path, default) in row.paths.iter().zip(&row.defaults) {
            // A list's default is checked on the scenario without items, an item's field on the one with them.
            let base = if json_at(&json(&bare), path).is_some() { &bare } else { &full };
            // Rows of whole sections ("see below", "calibrated values") are checked field by field.
            if json_at(&json(base), path).is_some_and(Value::is_object) && apply_set(base, &format!("{path}={default}")).is_err() {
                continue;
            }
            match apply_set(base, &format!("{path}={default}")) {
                Ok(s) if json(&s) == json(base) => checked.push(path.clone()),
                Ok(_) => wrong.push(format!("{path}: documented default {default}, real {}", json_at(&json(base), path).unwrap())),
                Err(e) => wrong.push(format!("{path}: documented default {default} is not a value of the field: {e}")),
            }
        }
    }
    assert!(wrong.is_empty(), "SCENARIO.md disagrees with the code:\n{}", wrong.join("\n"));
    assert!(checked.len() > 50, "only {} defaults checked", checked.len());

    let mut missing = Vec::new();
    undocumented("", &json(&full), &checked, &mut missing);
    assert!(missing.is_empty(), "fields missing from SCENARIO.md: {missing:?}");
}

fn json_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = root;
    for part in path.split('.') {
        let (name, index) = match part.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (part, None),
        };
        v = v.get(name)?;
        if let Some(i) = index {
            v = v.get(i)?;
        }
    }
    Some(v)
}

/// A range cell written `lo-hi` (with an optional unit after it), e.g. `0-0.5`, `-0.5-1`,
/// `0-100 firms per year`, `0-1, tier1 >= tier2`.
fn numeric_range(cell: &str) -> Option<(f64, f64)> {
    let first = cell.split([' ', ',']).next()?;
    let split = first.char_indices().skip(1).find(|&(_, c)| c == '-')?.0;
    Some((first[..split].parse().ok()?, first[split + 1..].parse().ok()?))
}

fn out_of_range(s: &Scenario, path: &str) -> bool {
    s.validate().iter().any(|p| p.path == path && p.message.contains("out of range"))
}

#[test]
fn every_documented_range_is_the_one_validate_enforces() {
    let base = Scenario::load(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/rd_training_cluster.ron").as_ref()).expect("valid");
    assert!(base.validate().is_empty());
    assert!(!base.suppliers.is_empty() && !base.rd_centres.is_empty() && !base.training_centres.is_empty());
    let mut wrong = Vec::new();
    let mut checked = 0;
    for row in rows() {
        let Some((lo, hi)) = numeric_range(&row.range) else { continue };
        for path in &row.paths {
            let integer = json_at(&json(&base), path).is_some_and(|v| v.is_u64());
            let step = if integer { 1.0 } else { 1e-6 * hi.abs().max(1.0) };
            for (value, allowed) in [(lo, true), (hi, true), (lo - step, false), (hi + step, false)] {
                let set = if integer { format!("{path}={}", value as i64) } else { format!("{path}={value:?}") };
                let refused = match apply_set(&base, &set) {
                    Ok(s) => out_of_range(&s, path),
                    Err(_) => true, // e.g. -1 for a whole number: not even readable
                };
                if refused == allowed {
                    wrong.push(format!(
                        "{set}: documented range {} but validate {}",
                        row.range,
                        if refused { "refuses it" } else { "accepts it" }
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "SCENARIO.md's ranges disagree with validate:\n{}", wrong.join("\n"));
    assert!(checked > 40, "only {checked} ranges checked");
}

/// The `model` table of SCENARIO.md is written from the registry (ranges, plausible ranges,
/// units, sources): the file must hold exactly what the registry says.
#[test]
fn the_model_table_is_the_registry() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/SCENARIO.md");
    let doc = std::fs::read_to_string(path).expect("docs/SCENARIO.md");
    let start = doc.find("| field | default | range | plausible range |").expect("SCENARIO.md: the model table's header");
    let end = doc[start..].find("\n\n").map_or(doc.len(), |i| start + i + 1);
    let table = kicsim::registry::model_table_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, format!("{}{}{}", &doc[..start], table, &doc[end..])).unwrap();
        return;
    }
    assert_eq!(&doc[start..end], table, "SCENARIO.md's model table is not the registry's: run UPDATE_DOCS=1 cargo test --test docs");
}

/// Every numeric field of the registry has a row in SCENARIO.md.
#[test]
fn every_registry_field_has_a_row() {
    let documented: Vec<String> = rows().into_iter().flat_map(|r| r.paths).collect();
    for f in kicsim::registry::FIELDS {
        let path = f.path.replace("[i]", "[0]");
        assert!(documented.contains(&path), "{} is in the registry but not in SCENARIO.md", f.path);
    }
}
