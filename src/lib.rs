//! KIC Planner (`kicsim`): the command line, the workshop tools and the planner window, on top
//! of the model in the `kicsim-model` package (re-exported here as `scenario`, `sim`, ...).
//!
//! The modules in layers; each imports only from the layers below it (and `tests/modules.rs`
//! fails on any import circle between modules):
//!
//! 1. The model: [`scenario`], [`registry`] (the one list of fields and KPIs), [`sim`], [`check`].
//! 2. Shared by everything above: [`stats`] (estimates, 95% CIs), [`format`] (numbers and
//!    labels), [`style`] (colours), [`io`] (output files written all or none, [`io::OutputSet`]),
//!    [`run`] (replications, the run record, the progress bar, `run`'s outputs).
//! 3. [`analysis`]: the estimators (LHS, OAT, Morris, Sobol', bootstrap, ABC), with no knowledge
//!    of the model; [`charts`]: every chart of the reports (plotters, one font, one palette).
//! 4. [`studies`]: the model run many times and read by the estimators, with no options and no
//!    files: parameter draws and verdicts, the forecast band, comparisons with common random
//!    numbers, sweeps, sensitivity designs and analysis, calibration.
//! 5. [`report`]: the one report layer (report, sections, tables, charts; minijinja templates and
//!    one stylesheet), with a section builder per study.
//! 6. [`commands`]: one file per subcommand (its clap options and its steps); `main.rs` parses
//!    and calls [`commands::execute`]. [`gui`]: the planner window (feature `gui`), which imports
//!    the model, layer 2 and [`studies::forecast`], never a command or a report.

pub use kicsim_model::{check, io_words, names, registry, ronpath, scenario, sim, write};

pub mod analysis;
pub mod charts;
pub mod commands;
pub mod format;
#[cfg(feature = "gui")]
pub mod gui;
pub mod io;
pub mod report;
pub mod run;
pub mod stats;
pub mod studies;
pub mod style;

/// `println!` that does not panic when stdout is closed early (`kicsim compare ... | head`).
#[macro_export]
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `print!` without the newline, with the same tolerance.
#[macro_export]
macro_rules! say_raw {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}
