//! Writing a scenario for people to read: a plan file with only what differs from the defaults
//! (what the planner saves), and the commented template (`kicsim template`) with every field
//! and what it is.
//!
//! Both are laid out from the fields of [`Scenario::to_ron`]'s text in the order written
//! ([`ronpath::fields_in_order`]), so every value is written exactly as `ron` writes it and the
//! text reads back to the same scenario (tested on every file in `scenarios/`).

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::scenario::Scenario;
use crate::{registry, ronpath};

/// What a plan file says first: why it holds so few fields.
pub const PLAN_FILE_NOTE: &str = "\
// Only the fields that differ from kicsim's defaults are written here: every other field (the
// model's parameters among them) takes the default of the kicsim that reads this file, so a later
// calibration applies to this plan. `kicsim template` prints every field with what it is.
";

/// Structs whose fields all have defaults (`#[serde(default)]`): a plan file writes only their
/// fields that differ. Sites and list items are written whole.
const OPEN_STRUCTS: [&str; 5] = ["map", "anchor", "anchor.commitments", "incentives", "model"];

/// The fields of one text, in the order written.
struct Fields<'a>(Vec<(String, &'a str)>);

impl<'a> Fields<'a> {
    fn of(text: &'a str) -> Self {
        Fields(ronpath::fields_in_order(text))
    }

    /// The fields right under `parent` ("" for the top level): (name, path, value text).
    fn children<'s>(&'s self, parent: &'s str) -> impl Iterator<Item = (&'s str, &'s str, &'a str)> + 's {
        self.0.iter().filter_map(move |(path, value)| {
            let name = if parent.is_empty() { path.as_str() } else { path.strip_prefix(parent)?.strip_prefix('.')? };
            (!name.contains(['.', '['])).then_some((name, path.as_str(), *value))
        })
    }

    /// The items of the list at `path`, in order.
    fn items<'s>(&'s self, path: &'s str) -> impl Iterator<Item = &'a str> + 's {
        self.0.iter().filter_map(move |(p, value)| {
            let index = p.strip_prefix(path)?.strip_prefix('[')?.strip_suffix(']')?;
            index.bytes().all(|b| b.is_ascii_digit()).then_some(*value)
        })
    }
}

impl Scenario {
    /// The plan as a file that writes only what differs from the defaults (its name always),
    /// opened by [`PLAN_FILE_NOTE`]; it reads back to the same scenario. [`Self::to_ron`] writes
    /// every field.
    pub fn to_plan_file(&self) -> String {
        format!("{PLAN_FILE_NOTE}{}", self.to_plan_body())
    }

    /// [`Self::to_plan_file`] without its opening note (a file's own opening comment may stand
    /// there instead).
    pub fn to_plan_body(&self) -> String {
        let (ours, base) = (self.to_ron(), Scenario::default().to_ron());
        let ours = Fields::of(&ours);
        let base: HashMap<String, &str> = ronpath::fields_in_order(&base).into_iter().collect();
        let differs = |path: &str, value: &str| base.get(path) != Some(&value);
        let mut out = String::from("(\n");
        for (name, path, value) in ours.children("") {
            if path != "name" && !differs(path, value) {
                continue;
            }
            if OPEN_STRUCTS.contains(&path) {
                writeln!(out, "    {name}: (").ok();
                for (name, path, value) in ours.children(path).filter(|(_, p, v)| differs(p, v)) {
                    if OPEN_STRUCTS.contains(&path) {
                        let inner: Vec<String> =
                            ours.children(path).filter(|(_, p, v)| differs(p, v)).map(|(n, _, v)| format!("{n}: {v}")).collect();
                        writeln!(out, "        {name}: ({}),", inner.join(", ")).ok();
                    } else {
                        writeln!(out, "        {name}: {value},").ok();
                    }
                }
                out.push_str("    ),\n");
            } else if value.starts_with('[') && ours.items(path).next().is_some() && path.matches('.').count() == 0 {
                writeln!(out, "    {name}: [").ok();
                for item in ours.items(path) {
                    writeln!(out, "        {item},").ok();
                }
                out.push_str("    ],\n");
            } else {
                writeln!(out, "    {name}: {value},").ok();
            }
        }
        out.push_str(")\n");
        out
    }

    /// Every field of the scenario, each with a comment saying what it is (numeric fields: the
    /// registry's label, help, unit, range and default; the others: [`registry::OTHER_FIELDS`]);
    /// a list's item fields are described once above its items.
    pub fn to_commented_ron(&self) -> String {
        let text = self.to_ron();
        let fields = Fields::of(&text);
        let mut out = String::from("(\n");
        write_commented(&mut out, &fields, "", 1);
        out.push_str(")\n");
        out
    }
}

/// The comment of one field (generic path, `suppliers[i].capability`), or None when neither
/// table has it.
fn comment_of(generic: &str) -> Option<String> {
    if let Some(f) = registry::FIELDS.iter().find(|f| f.path == generic) {
        let default = registry::fmt_default(f.default_value(), f.integer);
        let unit = match (f.unit, f.in_percent()) {
            ("", _) => String::new(),
            (u, true) => format!("{u}, 0.1 = 10%; "),
            (u, false) => format!("{u}; "),
        };
        return Some(format!("{}: {} [{unit}{} to {}; default {default}]", f.label, f.help, f.min, f.max));
    }
    registry::OTHER_FIELDS.iter().find(|(p, _)| *p == generic).map(|(_, help)| help.to_string())
}

/// `text` as `//` lines at `indent` levels, wrapped at 100 columns.
fn push_comment(out: &mut String, text: &str, indent: usize) {
    let pad = "    ".repeat(indent);
    let width = 100usize.saturating_sub(pad.len() + 3).max(40);
    // Lines break at spaces only ("tier-2" stays whole).
    let options = textwrap::Options::new(width).word_splitter(textwrap::WordSplitter::NoHyphenation);
    for line in textwrap::wrap(text, options) {
        writeln!(out, "{pad}// {line}").ok();
    }
}

fn write_commented(out: &mut String, fields: &Fields, parent: &str, indent: usize) {
    let pad = "    ".repeat(indent);
    for (name, path, value) in fields.children(parent) {
        let generic = registry::generic_path(path);
        if let Some(c) = comment_of(&generic) {
            push_comment(out, &c, indent);
        }
        if OPEN_STRUCTS.contains(&path) {
            writeln!(out, "{pad}{name}: (").ok();
            write_commented(out, fields, path, indent + 1);
            writeln!(out, "{pad}),").ok();
        } else if value.starts_with('[') && !path.contains('.') {
            // The item fields once, named as a default item writes them (an empty list too).
            let sample = Scenario::default().with_one_of_each().to_ron();
            let first = format!("{path}[0]");
            for (item_field, _, _) in Fields::of(&sample).children(&first) {
                if let Some(c) = comment_of(&format!("{generic}[i].{item_field}")) {
                    push_comment(out, &format!("- {item_field}: {c}"), indent);
                }
            }
            if fields.items(path).next().is_none() {
                writeln!(out, "{pad}{name}: [],").ok();
                continue;
            }
            writeln!(out, "{pad}{name}: [").ok();
            for item in fields.items(path) {
                writeln!(out, "{pad}    {item},").ok();
            }
            writeln!(out, "{pad}],").ok();
        } else {
            writeln!(out, "{pad}{name}: {value},").ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario_files() -> Vec<(std::path::PathBuf, Scenario)> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
        let files = crate::scenario::ron_files_in(&dir).unwrap();
        assert!(files.len() >= 3, "{}", dir.display());
        files.into_iter().map(|f| (f.clone(), Scenario::load(&f).unwrap())).collect()
    }

    #[test]
    fn a_plan_file_reads_back_to_the_same_plan() {
        for (file, s) in scenario_files() {
            let text = s.to_plan_file();
            let back = Scenario::parse(&text, "plan.ron").unwrap_or_else(|e| panic!("{}: {e}\n{text}", file.display()));
            assert_eq!(back, s, "{}:\n{text}", file.display());
            assert!(text.starts_with(PLAN_FILE_NOTE));
        }
    }

    #[test]
    fn a_plan_file_writes_only_what_differs_from_the_defaults() {
        let mut s = Scenario { name: "Team A".into(), ..Scenario::default() };
        s.incentives.training_subsidy_usd_per_trainee = 1500.0;
        s.anchor.commitments.trainees_per_year = 200.0;
        s.model.import_cost = 1.1;
        let text = s.to_plan_body();
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        assert_eq!(
            lines,
            [
                "(",
                "name: \"Team A\",",
                "anchor: (",
                "commitments: (trainees_per_year: 200.0),",
                "),",
                "incentives: (",
                "training_subsidy_usd_per_trainee: 1500.0,",
                "),",
                "model: (",
                "import_cost: 1.1,",
                "),",
                ")"
            ],
            "{text}"
        );
        assert_eq!(Scenario::parse(&text, "t.ron").unwrap(), s);
        // A plan with the default model writes no model parameter: a later calibration applies.
        let mut t = s.clone();
        t.model = Default::default();
        let text = t.to_plan_file();
        assert!(!text.contains("model") || text.lines().all(|l| l.starts_with("//") || !l.contains("model")), "{text}");
        let mut recalibrated = Scenario::parse(&text, "t.ron").unwrap();
        assert_eq!(recalibrated.model, crate::scenario::ModelParams::default());
        recalibrated.model.import_cost = 1.3;
        assert_ne!(recalibrated, t, "the parameter is the reader's default, not frozen in the file");
    }

    #[test]
    fn the_template_comments_every_field_and_reads_back() {
        let s = crate::scenario::default_scenario();
        let text = s.to_commented_ron();
        assert_eq!(Scenario::parse(&text, "template.ron").unwrap(), s, "{text}");
        // Every field of both tables is described (list items' fields once, above the list, an
        // empty list's too: the baseline has no R&D centre).
        assert!(s.rd_centres.is_empty());
        let comments: String = text.lines().filter_map(|l| l.trim_start().strip_prefix("// ")).collect::<Vec<_>>().join(" ");
        for f in registry::FIELDS {
            assert!(comments.contains(&format!("{}: {}", f.label, f.help)), "{} is not described:\n{text}", f.path);
        }
        for (path, help) in registry::OTHER_FIELDS {
            assert!(comments.contains(help), "{path} is not described");
        }
        let comment_lines = text.lines().filter(|l| l.trim_start().starts_with("//"));
        assert!(comment_lines.clone().all(|l| l.chars().count() <= 100), "comments wrapped at 100 columns");
        // A comment sits right above its field.
        let at = text.find("\n        cit_rate: ").unwrap();
        let above: Vec<&str> = text[..at].lines().rev().take_while(|l| l.trim_start().starts_with("//")).collect();
        let label = registry::field_of("incentives.cit_rate").unwrap().label;
        assert!(above.iter().any(|l| l.contains(label)), "{above:?}");
    }
}
