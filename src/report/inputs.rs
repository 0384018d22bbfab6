//! What the scenarios of a report are: their descriptions, and the inputs that differ between
//! them, named as the planner names them (the registry's labels and units).

use serde_json::Value;

use super::Section;
use crate::format::fmt_num;
use crate::registry::field_of;
use crate::studies::comparison::Arm;

/// At most this many rows of differing inputs; the rest are counted.
const MAX_ROWS: usize = 40;

/// The scenarios' labels, files and descriptions.
pub fn descriptions(arms: &[Arm]) -> Section {
    Section {
        title: "The scenarios".into(),
        header: vec!["scenario".into(), "file".into(), "description".into()],
        rows: arms
            .iter()
            .map(|a| {
                let d = a.scenario.description.trim();
                vec![
                    a.label.clone(),
                    a.record.scenario_file.clone(),
                    if d.is_empty() { "(no description in the file)".into() } else { d.to_string() },
                ]
            })
            .collect(),
        text: true,
        ..Section::default()
    }
}

/// Every input whose value is not the same in all scenarios (their names and descriptions
/// aside), by path: anchor, incentives, map, model, the lists.
pub fn differing(arms: &[Arm]) -> Section {
    let flat: Vec<Vec<(String, String)>> = arms
        .iter()
        .map(|a| {
            let mut out = Vec::new();
            flatten("", &serde_json::to_value(&a.scenario).unwrap_or(Value::Null), &mut out);
            out.retain(|(p, _)| p != "name" && p != "description");
            out
        })
        .collect();
    // The union of the paths, in the order they first appear.
    let mut paths: Vec<&str> = Vec::new();
    for f in &flat {
        for (p, _) in f {
            if !paths.contains(&p.as_str()) {
                paths.push(p);
            }
        }
    }
    // As people read them: shares in % (the registry says which), the rest as in the file.
    let shown = |p: &str, v: &str| v.parse::<f64>().map_or_else(|_| v.to_string(), |x| crate::format::fmt_field_value(p, x));
    let value = |i: usize, p: &str| flat[i].iter().find(|(q, _)| q == p).map_or_else(|| "—".to_string(), |(_, v)| shown(p, v));
    let mut rows = Vec::new();
    for p in paths {
        let values: Vec<String> = (0..arms.len()).map(|i| value(i, p)).collect();
        if values.iter().all(|v| *v == values[0]) {
            continue;
        }
        let mut row = vec![input_label(p), p.to_string()];
        row.extend(values);
        rows.push(row);
    }
    let total = rows.len();
    rows.truncate(MAX_ROWS);
    let mut header = vec!["input".to_string(), "in the file".to_string()];
    header.extend(arms.iter().map(|a| a.label.clone()));
    Section {
        title: "Inputs that differ".into(),
        intro: if total == 0 { "The scenarios have the same inputs.".into() } else { String::new() },
        header: if total == 0 { Vec::new() } else { header },
        rows,
        text: true,
        more: if total > MAX_ROWS { format!("{} more inputs differ; see the files.", total - MAX_ROWS) } else { String::new() },
        ..Section::default()
    }
}

/// The lists of records of a scenario, with what a report calls their items.
const LISTS: [(&str, &str); 4] = [
    ("suppliers", "planned suppliers"),
    ("rd_centres", "R&D centres"),
    ("training_centres", "training centres"),
    ("logistics_hubs", "logistics hubs"),
];

/// "Corporate income tax holiday (years)": the registry's label and unit of a path, or the path.
fn input_label(path: &str) -> String {
    let count = path.strip_suffix(" (count)");
    match (count, field_of(path)) {
        (Some(list), _) => format!("Number of {}", LISTS.iter().find(|(l, _)| *l == list).map_or(list, |(_, words)| words)),
        (None, Some(f)) if f.unit.is_empty() => f.label.to_string(),
        (None, Some(f)) => format!("{} ({})", f.label, f.shown_unit()),
        (None, None) => path.to_string(),
    }
}

/// The leaves of a scenario as (path, text): lists of records item by item (with their count),
/// a site as "(x, y) km", a list of numbers or pairs as one value.
fn flatten(path: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) if m.len() == 2 && m.contains_key("x_km") && m.contains_key("y_km") => {
            out.push((path.to_string(), format!("({}, {}) km", text(&m["x_km"]), text(&m["y_km"]))));
        }
        Value::Object(m) => {
            for (k, v) in m {
                flatten(&if path.is_empty() { k.clone() } else { format!("{path}.{k}") }, v, out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) || LISTS.iter().any(|(l, _)| *l == path) => {
            out.push((format!("{path} (count)"), items.len().to_string()));
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, out);
            }
        }
        v => out.push((path.to_string(), text(v))),
    }
}

/// A value as a scenario file writes it: numbers as the outputs do, pairs as `(2, 0.3)`.
fn text(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), fmt_num),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Array(items) if items.iter().all(|i| !i.is_array()) && path_is_pair(items) => {
            format!("({})", items.iter().map(text).collect::<Vec<_>>().join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(text).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!("({})", m.iter().map(|(k, v)| format!("{k}: {}", text(v))).collect::<Vec<_>>().join(", ")),
    }
}

/// A two-number array inside a list is a pair of the file (`(year, share)`).
fn path_is_pair(items: &[Value]) -> bool {
    items.len() == 2 && items.iter().all(Value::is_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_flattened_as_the_file_writes_them() {
        let mut s = crate::scenario::default_scenario();
        s.incentives.local_content = vec![(2.0, 0.3), (5.0, 0.5)];
        let mut out = Vec::new();
        flatten("", &serde_json::to_value(&s).unwrap(), &mut out);
        let get = |p: &str| out.iter().find(|(q, _)| q == p).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("{p} missing"));
        assert_eq!(get("incentives.local_content"), "[(2, 0.3), (5, 0.5)]");
        assert!(get("anchor.site").ends_with(") km"), "{}", get("anchor.site"));
        assert_eq!(get("suppliers (count)"), s.suppliers.len().to_string());
        assert_eq!(get("suppliers[0].capability"), fmt_num(s.suppliers[0].capability));
        assert_eq!(input_label("incentives.cit_holiday_years"), "Corporate income tax holiday (years)");
        assert_eq!(input_label("incentives.cit_rate"), "Preferential corporate income tax rate (%)");
        assert_eq!(input_label("suppliers[2].capability"), "Supplier's capability (0-1)");
        assert_eq!(input_label("suppliers (count)"), "Number of planned suppliers");
        assert_eq!(input_label("rd_centres (count)"), "Number of R&D centres");
        assert_eq!(input_label("anchor.sector"), "anchor.sector");
    }
}
