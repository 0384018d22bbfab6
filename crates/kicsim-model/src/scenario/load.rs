//! Reading a scenario file: UTF-8 text, RON syntax, then the checks of [`crate::check`]; every
//! problem is located at file:line:col with the offending line.

use std::fmt;
use std::path::Path;

use super::Scenario;
use crate::ronpath;

/// One problem found in a scenario, with the field it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Dotted path of the field, e.g. `suppliers[2].site.x_km`.
    pub path: String,
    pub message: String,
}

/// A scenario that could not be loaded: where and why.
#[derive(Debug)]
pub struct ScenarioError {
    pub file: String,
    pub problems: Vec<LocatedProblem>,
}

#[derive(Debug, Clone)]
pub struct LocatedProblem {
    /// 1-based line and column, when the place is known.
    pub line: usize,
    pub col: usize,
    pub field: String,
    pub message: String,
    /// The source line, for context.
    pub source_line: String,
}

/// How many of a file's problems are printed; the rest are counted (fixing the first ones often
/// fixes many: a thousand overlapping suppliers need not scroll the first ones away).
pub const MAX_SHOWN_PROBLEMS: usize = 20;

/// Longest piece of a source line printed under a problem, in characters.
const MAX_SHOWN_LINE: usize = 160;

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(MAX_SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let field = if p.field.is_empty() { String::new() } else { format!(" field `{}`:", p.field) };
            if p.line == 0 {
                // Not a place in the file (it could not be read at all).
                write!(f, "error: {}:{} {}", self.file, field, p.message)?;
            } else {
                write!(f, "error: {}:{}:{}:{} {}", self.file, p.line, p.col, field, p.message)?;
            }
            if !p.source_line.is_empty() {
                // A very long line (a generated file, or one line of brackets) is shown around the
                // column only.
                let chars: Vec<char> = p.source_line.chars().collect();
                let col = p.col.saturating_sub(1).min(chars.len());
                let (from, to) = if chars.len() <= MAX_SHOWN_LINE {
                    (0, chars.len())
                } else {
                    let from = col.saturating_sub(MAX_SHOWN_LINE / 2).min(chars.len() - MAX_SHOWN_LINE);
                    (from, from + MAX_SHOWN_LINE)
                };
                let (lead, tail) = (if from > 0 { "..." } else { "" }, if to < chars.len() { "..." } else { "" });
                let shown: String = chars[from..to].iter().collect();
                // Tabs stay tabs under the line, so the caret lands where the terminal puts the column.
                let pad: String =
                    lead.chars().map(|_| ' ').chain(chars[from..col].iter().map(|&c| if c == '\t' { '\t' } else { ' ' })).collect();
                write!(f, "\n  {:>4} | {lead}{shown}{tail}\n       | {pad}^", p.line)?;
            }
        }
        let hidden = self.problems.len().saturating_sub(MAX_SHOWN_PROBLEMS);
        if hidden > 0 {
            write!(f, "\nerror: {}: {hidden} more problems not shown ({} in all)", self.file, self.problems.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// A problem with the file as a whole (unreadable, empty), not at a place in it.
    fn whole_file(file: &str, message: String) -> ScenarioError {
        ScenarioError {
            file: file.to_string(),
            problems: vec![LocatedProblem { line: 0, col: 0, field: String::new(), message, source_line: String::new() }],
        }
    }
}

/// The 1-based line and column of the last character before (line, col) that is not blank and
/// not inside a `//` comment.
fn end_of_previous_token(src: &str, line: usize, col: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = src.lines().collect();
    let mut l = line.min(lines.len());
    let mut limit = col.saturating_sub(1);
    while l >= 1 {
        let text = lines[l - 1];
        let chars: Vec<char> = text.chars().collect();
        let upto = limit.min(chars.len());
        // Ignore a line comment (a `//` outside a string).
        let mut code_end = upto;
        let mut in_str = false;
        for i in 0..upto {
            match chars[i] {
                '"' if i == 0 || chars[i - 1] != '\\' => in_str = !in_str,
                '/' if !in_str && i + 1 < chars.len() && chars[i + 1] == '/' => {
                    code_end = i;
                    break;
                }
                _ => {}
            }
        }
        if let Some(i) = chars[..code_end].iter().rposition(|c| !c.is_whitespace()) {
            return Some((l, i + 1));
        }
        l -= 1;
        limit = usize::MAX;
    }
    None
}

/// A file that is not UTF-8 text: where the first byte that is not, so it can be found and fixed.
fn not_utf8(file: &str, bytes: &[u8], valid_up_to: usize) -> ScenarioError {
    let before = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let rest = bytes[valid_up_to..].split(|&b| b == b'\n').next().unwrap_or(&[]);
    let source_line = format!("{}{}", &before[line_start..], String::from_utf8_lossy(rest)).trim_end_matches('\r').to_string();
    ScenarioError {
        file: file.to_string(),
        problems: vec![LocatedProblem {
            line,
            col,
            field: String::new(),
            message: format!(
                "byte 0x{:02x} is not UTF-8 text: save the file as UTF-8 (names with accents such as \"Đức\" are fine in UTF-8)",
                bytes[valid_up_to]
            ),
            source_line,
        }],
    }
}

/// The text without its byte-order mark: Windows editors may start a UTF-8 file with one, and no
/// editor shows it as a column or as part of the first line.
pub fn without_bom(src: &str) -> &str {
    src.strip_prefix('\u{feff}').unwrap_or(src)
}

fn source_line(src: &str, line: usize) -> String {
    src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string()
}

/// The largest file read as a scenario (or as a calibration targets file): 2,000 suppliers, the
/// most a scenario may list, take about 0.3 MiB, so anything near this is not a scenario, and
/// reading a device such as /dev/zero stops here.
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Deepest nesting of brackets a RON file may have: a scenario nests four levels
/// (`incentives: (local_content: [(2, 0.3)])`), and deeper text must be refused before a
/// recursive reader runs out of stack on it.
pub const MAX_NESTING: usize = 64;

/// Reads at most [`MAX_FILE_BYTES`] of a file; a longer file is an error that names the cap.
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            format!(
                "the file is larger than {} MiB, more than any scenario needs (2,000 suppliers take about 0.3 MiB)",
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text (`std::fs::read_to_string` with the cap).
pub fn read_to_string_capped(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_capped(path)?)
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8 text: save it as UTF-8"))
}

/// A problem if the text nests brackets deeper than [`MAX_NESTING`], at the first bracket too
/// deep. Every RON reader checks this before `ron` (or [`crate::ronpath`]) reads the text.
pub fn nesting_problem(src: &str) -> Option<LocatedProblem> {
    let offset = ronpath::too_deep(src, MAX_NESTING)?;
    let before = &src[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    Some(LocatedProblem {
        line,
        col,
        field: String::new(),
        message: format!(
            "brackets nested more than {MAX_NESTING} deep, where a scenario nests four levels \
             (`incentives: (local_content: [(2, 0.3)])`): a bracket is probably never closed"
        ),
        source_line: source_line(src, line),
    })
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load_with_text(path).map(|(s, _)| s)
    }

    /// [`Scenario::load`], also giving the text it read (the planner compares it with the file
    /// when it saves).
    pub fn load_with_text(path: &Path) -> Result<(Scenario, String), ScenarioError> {
        let file = path.display().to_string();
        let bytes =
            read_capped(path).map_err(|e| ScenarioError::whole_file(&file, format!("cannot read the file: {}", crate::io_words(&e))))?;
        let src = String::from_utf8(bytes).map_err(|e| not_utf8(&file, e.as_bytes(), e.utf8_error().valid_up_to()))?;
        Ok((Scenario::parse(&src, &file)?, src))
    }

    /// Parse and validate scenario text; `file` names it in error messages.
    pub fn parse(src: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let src = without_bom(src);
        if src.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with("//")) {
            // ron would point at the end of the last comment and ask for a `(`.
            return Err(ScenarioError::whole_file(
                file,
                "the file is empty (only blank lines and comments): a scenario is one `( ... )`; `()` takes every default, \
                 and `kicsim template` prints a complete one"
                    .into(),
            ));
        }
        if let Some(p) = nesting_problem(src) {
            return Err(ScenarioError { file: file.to_string(), problems: vec![p] });
        }
        let scenario: Scenario = ron::Options::default().from_str(src).map_err(|e| {
            let (mut line, mut col) = (e.span.start.line, e.span.start.col);
            let mut message = match &e.code {
                // ron lists every field or choice; the one meant is more use.
                ron::Error::NoSuchStructField { expected, found, .. } => {
                    format!("unknown field `{found}`: {}", crate::names::hint(found, expected.iter().copied()))
                }
                ron::Error::NoSuchEnumVariant { expected, found, .. } => {
                    format!("unknown choice `{found}`: {}", crate::names::hint(found, expected.iter().copied()))
                }
                code => code.to_string(),
            };
            // ron notices a missing comma at the next field; point at the value it should follow.
            if matches!(e.code, ron::Error::ExpectedComma)
                && let Some((l, c)) = end_of_previous_token(src, line, col)
            {
                (line, col) = (l, c + 1);
                message = "expected `,` after this value (commas separate fields and list items)".into();
            }
            // ron names the field for unknown/missing fields in its message; add the enclosing path.
            let field = ronpath::path_at(src, line, col).unwrap_or_default();
            ScenarioError {
                file: file.to_string(),
                problems: vec![LocatedProblem { line, col, field, message, source_line: source_line(src, line) }],
            }
        })?;
        let problems = scenario.validate();
        if problems.is_empty() {
            return Ok(scenario);
        }
        // The file is read once for all the problems' places (a file may have thousands).
        let at = ronpath::Locator::for_paths(src, problems.iter().map(|p| p.path.as_str()));
        let located = problems
            .into_iter()
            .map(|p| {
                let (line, col) = at.locate(&p.path).unwrap_or((1, 1));
                LocatedProblem { line, col, field: p.path, message: p.message, source_line: at.line_text(line).to_string() }
            })
            .collect();
        Err(ScenarioError { file: file.to_string(), problems: located })
    }

    /// Write the scenario as pretty RON (the same format `load` reads).
    pub fn to_ron(&self) -> String {
        // Laid out like the hand-written files: one line per facility, site or commitment set.
        let cfg = ron::ser::PrettyConfig::new().depth_limit(2).struct_names(false);
        ron::ser::to_string_pretty(self, cfg).expect("a scenario always serialises")
    }

    /// Every field on one line, whatever the layout of [`Self::to_ron`]: what the run record's
    /// scenario hash is taken of, so the hash changes with the content only.
    pub fn canonical(&self) -> String {
        ron::ser::to_string(self).expect("a scenario always serialises")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_comma_points_at_the_value_before_it() {
        let src = "(\n    name: \"x\", // a comment, with \"quotes\"\n    years: 5 // no comma here\n\n    seed: 3,\n)\n";
        let e = Scenario::parse(src, "s.ron").unwrap_err();
        let p = &e.problems[0];
        assert_eq!((p.line, p.col), (3, 13), "{e}");
        assert_eq!(p.field, "years");
        assert!(p.message.contains("expected `,`"), "{e}");
    }

    #[test]
    fn many_problems_show_the_first_twenty_and_the_count() {
        let sites: Vec<String> = (0..25).map(|i| format!("(name: \"S{i}\", site: (x_km: 5.0, y_km: 5.0))")).collect();
        let src = format!("(suppliers: [\n{}\n])\n", sites.join(",\n"));
        let e = Scenario::parse(&src, "many.ron").unwrap_err();
        assert_eq!(e.problems.len(), 24, "every supplier after the first overlaps it: {e}");
        let text = e.to_string();
        assert_eq!(text.matches("overlaps").count(), MAX_SHOWN_PROBLEMS, "{text}");
        assert!(text.starts_with("error: many.ron:3:"), "{text}");
        assert!(text.ends_with("error: many.ron: 4 more problems not shown (24 in all)"), "{text}");
    }

    #[test]
    fn the_caret_keeps_tabs_and_counts_letters_not_bytes() {
        // A tab-indented file with a Vietnamese name before the faulty field.
        let src = "(\n\tname: \"Khu c\u{f4}ng nghi\u{1ec7}p\", years: 500,\n)\n";
        let text = Scenario::parse(src, "viet.ron").unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("error: viet.ron:2:27: field `years`"), "{text}");
        let caret = lines[2].strip_prefix("       | ").unwrap();
        assert_eq!(caret, format!("\t{}^", " ".repeat(25)), "{text}");
        // Under the quoted line, the caret's column is the field's first letter.
        let quoted: Vec<char> = lines[1].split_once(" | ").unwrap().1.chars().collect();
        assert_eq!(quoted[caret.chars().count() - 1], 'y');
    }

    #[test]
    fn an_empty_file_is_called_empty() {
        for src in ["", "\n  \n", "// a comment only\n// and another\n"] {
            let e = Scenario::parse(src, "empty.ron").unwrap_err();
            assert_eq!(e.problems.len(), 1);
            let text = e.to_string();
            assert!(text.starts_with("error: empty.ron: the file is empty"), "{text:?}");
            assert!(text.contains("kicsim template"), "{text}");
        }
        assert!(Scenario::parse("// defaults\n()\n", "unit.ron").is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_file() {
        // Notepad's "UTF-8 with BOM": valid, and its errors count columns as the editor shows them.
        let s = Scenario::parse("\u{feff}(years: 3)\n", "bom.ron").unwrap();
        assert_eq!(s.years, 3);
        let e = Scenario::parse("\u{feff}(years: 0)\n", "bom.ron").unwrap_err();
        assert_eq!((e.problems[0].line, e.problems[0].col), (1, 2), "{e}");
        assert_eq!(e.problems[0].source_line, "(years: 0)");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
        let dir = std::env::temp_dir().join(format!("kicsim-latin1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("latin1.ron");
        // "Café" typed in a Windows-1252 editor: é is the one byte 0xe9, not UTF-8.
        std::fs::write(&path, b"(\n    name: \"Caf\xe9 park\",\n)\n").unwrap();
        let e = Scenario::load(&path).unwrap_err();
        let p = &e.problems[0];
        assert_eq!((p.line, p.col), (2, 15), "{e}");
        assert!(p.message.contains("0xe9") && p.message.contains("save the file as UTF-8"), "{e}");
        assert_eq!(p.source_line, "    name: \"Caf\u{fffd} park\",");
        assert!(e.to_string().starts_with(&format!("error: {}:2:15: byte 0xe9", path.display())), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_long_line_is_shown_around_the_column() {
        let src = format!("(years: 5, name: \"{}\", nope: 1)", "x".repeat(1000));
        let text = Scenario::parse(&src, "long.ron").unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("error: long.ron:1:1022:"), "{text}");
        let (quoted, caret) = (lines[1].split_once(" | ").unwrap().1, lines[2].split_once(" | ").unwrap().1);
        assert!(quoted.starts_with("...x") && quoted.ends_with("nope: 1)") && quoted.chars().count() <= MAX_SHOWN_LINE + 3, "{text}");
        let at = caret.chars().count() - 1;
        assert_eq!(quoted.chars().skip(at).take(4).collect::<String>(), "nope", "{text}");
    }

    #[test]
    fn a_misspelt_field_or_choice_names_the_one_meant() {
        let e = Scenario::parse("(incentives: (cit_holliday_years: 4.0))", "t.ron").unwrap_err().to_string();
        assert!(e.contains("unknown field `cit_holliday_years`: did you mean `cit_holiday_years`?"), "{e}");
        assert!(!e.contains("export_promotion"), "not every field listed: {e}");
        let e = Scenario::parse("(anchor: (sector: Electronic))", "t.ron").unwrap_err().to_string();
        assert!(e.contains("unknown choice `Electronic`: did you mean `Electronics`?"), "{e}");
        // Nothing near: the names to choose from.
        let e = Scenario::parse("(anchor: (sector: Shipbuilding))", "t.ron").unwrap_err().to_string();
        assert!(e.contains("choose from `Electronics`, `Automotive`"), "{e}");
    }

    #[test]
    fn previous_token_skips_blank_lines_and_comments() {
        let src = "a: 1\n// only a comment\n\n  b";
        assert_eq!(end_of_previous_token(src, 4, 3), Some((1, 4)));
        assert_eq!(end_of_previous_token("  x", 1, 1), None);
    }
}
