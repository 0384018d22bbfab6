//! KIC Planner (`kicsim`): the command line, the workshop tools and the planner window, on top
//! of the model in the `kicsim-model` package (re-exported here as `scenario`, `sim`, ...).
//!
//! - [`run`]: replications and the outputs of `kicsim run`.
//! - [`workshop`]: compare, breakdown, sweep and merge; [`charts`]: their charts.
//! - [`sensitivity`], [`calibrate`], [`uncertainty`]: which conclusions hold: sensitivity analysis,
//!   calibration (ABC) and parameter draws, on the estimators of [`analysis`].
//! - [`gui`]: the planner window (feature `gui`).
//! - Shared by the command line and the window: [`stats`] (estimates and confidence intervals),
//!   [`io`] (output files written all or none), [`format`] (numbers and labels), [`style`]
//!   (colours), and the model's [`registry`] of fields and KPIs. The window uses only these.

pub use kicsim_model::{check, io_words, registry, ronpath, scenario, sim};

pub mod analysis;
pub mod calibrate;
pub mod charts;
pub mod format;
#[cfg(feature = "gui")]
pub mod gui;
pub mod io;
pub mod params;
pub mod run;
pub mod sa_charts;
pub mod sensitivity;
pub mod stats;
pub mod style;
pub mod uncertainty;
pub mod workshop;

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
