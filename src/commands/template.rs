//! `kicsim template`: the built-in baseline scenario with every field, each with a comment saying
//! what it is, its range in the file and its default: a starting point for a file.

/// What the template says first.
const TEMPLATE_NOTE: &str = "\
// A KIC Planner scenario with every field written: the built-in baseline, each field under what
// it is, the range a file may hold and the default it takes when left out (the baseline's own
// values differ from some defaults; docs/SCENARIO.md says more). Shares are written
// 0-1 (0.1 = 10%). A plan needs only the fields it changes: delete the others and they take their
// defaults, so a later calibration of the model's parameters still applies (`()` is a valid
// scenario).
";

/// Prints the commented scenario.
pub fn template() -> Result<(), String> {
    crate::say_raw!("{TEMPLATE_NOTE}{}", crate::scenario::default_scenario().to_commented_ron());
    Ok(())
}
