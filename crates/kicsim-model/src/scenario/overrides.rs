//! `--set path=value`: one field of a loaded scenario changed for one run, with the scenario's
//! own names (`incentives.cit_rate=0.1`, `suppliers[0].capability=0.5`,
//! `anchor.sector=Automotive`, `incentives=()`, `anchor=(sector: Automotive)`). The value is
//! read as RON by the field's own type, as in a file: it is put in the field's place in the
//! scenario's one-line RON, and the whole is read again, so an enum variant cannot stand for a
//! struct and a struct's missing fields take their defaults.

use std::fmt::Write as _;

use serde_json::Value;

use super::Scenario;
use super::load::nesting_problem;
use crate::ronpath::Locator;

/// Applies one `path=value` override, e.g. `incentives.cit_rate=0.1`,
/// `suppliers[0].capability=0.5`, `anchor.sector=Automotive`,
/// `incentives.local_content=[(2,0.3),(5,0.5)]`, `anchor=(sector: Automotive)`. The value is read
/// as RON; a text field also takes its text unquoted (`name=Mine`).
pub fn apply_set(scenario: &Scenario, assignment: &str) -> Result<Scenario, String> {
    let (path, raw) =
        assignment.split_once('=').ok_or_else(|| format!("--set {assignment}: expected path=value, e.g. incentives.cit_rate=0.1"))?;
    let path = path.trim();
    // The path is walked on the scenario as data, for messages that name the known fields.
    let root = serde_json::to_value(scenario).map_err(|e| e.to_string())?;
    let segments = parse_path(path).ok_or_else(|| format!("--set {assignment}: cannot read the path `{path}`"))?;
    let mut slot = &root;
    let mut walked = String::new();
    for seg in &segments {
        slot = match seg {
            Seg::Field(name) => {
                let obj = slot.as_object().ok_or_else(|| format!("--set {assignment}: `{walked}` has no fields"))?;
                let Some(next) = obj.get(name) else {
                    return Err(format!(
                        "--set {assignment}: unknown field `{name}`{}: {}",
                        if walked.is_empty() { String::new() } else { format!(" in `{walked}`") },
                        crate::names::hint(name, obj.keys().map(|s| s.as_str()))
                    ));
                };
                if !walked.is_empty() {
                    walked.push('.');
                }
                walked.push_str(name);
                next
            }
            Seg::Index(i) => {
                let arr = slot.as_array().ok_or_else(|| format!("--set {assignment}: `{walked}` is not a list"))?;
                let len = arr.len();
                write!(walked, "[{i}]").ok();
                arr.get(*i).ok_or_else(|| format!("--set {assignment}: `{walked}` does not exist (the list has {len} items)"))?
            }
        };
    }
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("--set {assignment}: no value after `=`"));
    }
    let text = scenario.canonical();
    let at = Locator::for_paths(&text, [walked.as_str()]);
    let (start, end) = at.value_span(&walked).ok_or_else(|| format!("--set {assignment}: cannot find `{walked}` in the scenario"))?;
    let kind = Kind::of(slot, &text[start..end]);
    let value = if kind == Kind::Text && !raw.starts_with('"') && !raw.starts_with("r#") && !raw.starts_with("r\"") {
        // A name or a description: the text itself, quoted as RON.
        ron::ser::to_string(raw).map_err(|e| format!("--set {assignment}: {e}"))?
    } else {
        check_value(raw).map_err(|e| format!("--set {assignment}: {e}"))?;
        raw.to_string()
    };
    // The value in the field's place, on a line of its own (a `//` comment in it ends there).
    let spliced = format!("{}{value}\n{}", &text[..start], &text[end..]);
    ron::Options::default()
        .from_str::<Scenario>(&spliced)
        .map_err(|e| format!("--set {assignment}: `{walked}` takes {}, not `{raw}`: {}", kind.describe(), e.code))
}

/// The value alone: one RON value (nothing after it that could reach into the fields around
/// it), nested no deeper than a scenario, with finite numbers only.
fn check_value(raw: &str) -> Result<(), String> {
    if let Some(p) = nesting_problem(raw) {
        return Err(format!("cannot read the value: {} (column {})", p.message, p.col));
    }
    let value: ron::Value = ron::Options::default().from_str(raw).map_err(|e| {
        // "10%": files and --set write shares as 0-1.
        let percent = raw.trim_end().strip_suffix('%').and_then(|n| n.trim().parse::<f64>().ok());
        match percent {
            Some(p) => format!("cannot read the value: shares are written 0-1, so {raw} is {}", p / 100.0),
            None => format!("cannot read the value: {}", e.code),
        }
    })?;
    if has_non_finite(&value) {
        return Err("the number is not finite".into());
    }
    Ok(())
}

fn has_non_finite(v: &ron::Value) -> bool {
    match v {
        ron::Value::Number(n) => !n.into_f64().is_finite(),
        ron::Value::Option(Some(b)) => has_non_finite(b),
        ron::Value::Seq(items) => items.iter().any(has_non_finite),
        ron::Value::Map(m) => m.iter().any(|(k, v)| has_non_finite(k) || has_non_finite(v)),
        _ => false,
    }
}

/// What a field holds, for the message when a value does not fit it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Struct,
    List,
    Tuple,
    Text,
    Name,
    Whole,
    Number,
    Bool,
}

impl Kind {
    /// From the field's current value as data and as written in the one-line RON.
    fn of(slot: &Value, written: &str) -> Kind {
        match slot {
            Value::Object(_) => Kind::Struct,
            Value::Array(_) if written.starts_with('(') => Kind::Tuple,
            Value::Array(_) => Kind::List,
            Value::String(_) if written.starts_with('"') => Kind::Text,
            Value::String(_) => Kind::Name,
            Value::Number(n) if n.is_u64() || n.is_i64() => Kind::Whole,
            Value::Bool(_) => Kind::Bool,
            _ => Kind::Number,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Struct => {
                "a struct `( ... )` of its fields, whose missing fields take their defaults (e.g. `anchor=(sector: Automotive)`, `incentives=()`)"
            }
            Kind::List => "a list (a sequence `[ ... ]`)",
            Kind::Tuple => "a tuple `( ... , ... )`",
            Kind::Text => "a text",
            Kind::Name => "one of its names (an enum variant)",
            Kind::Whole => "a whole number",
            Kind::Number => "a number",
            Kind::Bool => "`true` or `false`",
        }
    }
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
