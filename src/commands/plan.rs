//! `kicsim plan [FILE]` (and `kicsim` alone): the interactive planner window, or a message when
//! this build has no window (feature `gui`).

use std::path::PathBuf;

use clap::Args;

#[derive(Args, Default)]
pub struct PlanArgs {
    /// The scenario to open; a file not there yet is a new plan (the built-in baseline) that Save writes there.
    pub file: Option<PathBuf>,
    /// Run the plan to its horizon, save the window to this PNG (its folder is made if missing) and exit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Scenario files to run beside the plan in the compare view (up to 3).
    #[arg(long)]
    pub compare: Vec<PathBuf>,
    /// Open the compare view in presentation mode (the whole window, large type; Esc leaves it).
    #[arg(long, requires = "compare")]
    pub presentation: bool,
}

/// Opens the planner.
#[cfg(feature = "gui")]
pub fn plan(a: PlanArgs) -> Result<(), String> {
    crate::gui::run(a.file, a.screenshot, a.compare, a.presentation)
}

/// Says that this build has no window.
#[cfg(not(feature = "gui"))]
pub fn plan(_a: PlanArgs) -> Result<(), String> {
    Err("this kicsim was built without the window (feature `gui`); use `kicsim run FILE` or rebuild with default features".into())
}
