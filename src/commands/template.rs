//! `kicsim template`: the built-in default scenario as RON, a starting point for a file.

/// Prints the default scenario.
pub fn template() -> Result<(), String> {
    crate::say_raw!("{}", crate::scenario::default_scenario().to_ron());
    Ok(())
}
