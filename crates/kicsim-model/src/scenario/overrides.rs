//! `--set path=value`: one field of a loaded scenario changed for one run, with the scenario's
//! own names (`incentives.cit_rate=0.1`, `suppliers[0].capability=0.5`,
//! `anchor.sector=Automotive`, `incentives=()`). The value is read as RON.

use std::fmt::Write as _;

use serde_json::{Map, Value, json};

use super::Scenario;

/// Applies one `path=value` override, e.g. `incentives.cit_rate=0.1`,
/// `suppliers[0].capability=0.5`, `anchor.sector=Automotive`,
/// `incentives.local_content=[(2,0.3),(5,0.5)]`. The value is read as RON.
pub fn apply_set(scenario: &Scenario, assignment: &str) -> Result<Scenario, String> {
    let (path, raw) =
        assignment.split_once('=').ok_or_else(|| format!("--set {assignment}: expected path=value, e.g. incentives.cit_rate=0.1"))?;
    let path = path.trim();
    let mut root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    let segments = parse_path(path).ok_or_else(|| format!("--set {assignment}: cannot read the path `{path}`"))?;
    let mut slot = &mut root;
    let mut walked = String::new();
    for seg in &segments {
        slot = match seg {
            Seg::Field(name) => {
                let obj = slot.as_object_mut().ok_or_else(|| format!("--set {assignment}: `{walked}` has no fields"))?;
                if !obj.contains_key(name) {
                    let known: Vec<&String> = obj.keys().collect();
                    let known: Vec<&str> = known.iter().map(|s| s.as_str()).collect();
                    return Err(format!(
                        "--set {assignment}: unknown field `{name}`{}; known fields: {}",
                        if walked.is_empty() { String::new() } else { format!(" in `{walked}`") },
                        known.join(", ")
                    ));
                }
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(name);
                obj.get_mut(name).expect("checked above")
            }
            Seg::Index(i) => {
                let arr = slot.as_array_mut().ok_or_else(|| format!("--set {assignment}: `{walked}` is not a list"))?;
                let len = arr.len();
                write!(walked, "[{i}]").ok();
                arr.get_mut(*i).ok_or_else(|| format!("--set {assignment}: `{walked}` does not exist (the list has {len} items)"))?
            }
        };
    }
    let raw = raw.trim();
    let is_name =
        !raw.is_empty() && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') && raw.starts_with(|c: char| c.is_ascii_alphabetic());
    *slot = if is_name && raw != "true" && raw != "false" {
        // An enum variant such as `Automotive` or `Tier1`.
        Value::String(raw.to_string())
    } else {
        let value: ron::Value = ron::from_str(raw).map_err(|e| format!("--set {assignment}: cannot read the value: {}", e.code))?;
        ron_to_json(value).map_err(|e| format!("--set {assignment}: {e}"))?
    };
    let out: Scenario = serde_json::from_value(root).map_err(|e| format!("--set {assignment}: {e}"))?;
    Ok(out)
}

enum Seg {
    Field(String),
    Index(usize),
}

fn parse_path(p: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for part in p.split('.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if name.is_empty() && out.is_empty() {
            return None;
        }
        if !name.is_empty() {
            if name.parse::<usize>().is_ok() {
                out.push(Seg::Index(name.parse().ok()?));
            } else {
                out.push(Seg::Field(name.to_string()));
            }
        }
        while let Some(r) = rest.strip_prefix('[') {
            let end = r.find(']')?;
            out.push(Seg::Index(r[..end].parse().ok()?));
            rest = &r[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

fn ron_to_json(v: ron::Value) -> Result<Value, String> {
    Ok(match v {
        ron::Value::Bool(b) => Value::Bool(b),
        ron::Value::Char(c) => Value::String(c.to_string()),
        ron::Value::String(s) => Value::String(s),
        ron::Value::Number(n) => {
            let f = n.into_f64();
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                if f >= 0.0 { json!(f as u64) } else { json!(f as i64) }
            } else {
                serde_json::Number::from_f64(f).map(Value::Number).ok_or("the number is not finite")?
            }
        }
        ron::Value::Option(None) => Value::Null,
        // `()` is a struct with every field at its default, as in a scenario file (the scenario
        // has no optional fields for it to mean `None`).
        ron::Value::Unit => Value::Object(Map::new()),
        ron::Value::Option(Some(b)) => ron_to_json(*b)?,
        ron::Value::Seq(items) => Value::Array(items.into_iter().map(ron_to_json).collect::<Result<_, _>>()?),
        ron::Value::Map(m) => {
            let mut out = Map::new();
            for (k, v) in m.into_iter() {
                let key = match k {
                    ron::Value::String(s) => s,
                    other => return Err(format!("map key {other:?} is not a name")),
                };
                out.insert(key, ron_to_json(v)?);
            }
            Value::Object(out)
        }
        ron::Value::Bytes(_) => return Err("byte strings are not supported".into()),
    })
}
