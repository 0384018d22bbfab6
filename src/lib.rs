//! KIC Planner (`kicsim`): the command line, the workshop tools and the planner window, on top
//! of the model in the `kicsim-model` package (re-exported here as `scenario`, `sim`, ...).
//!
//! - [`run`]: replications and the outputs of `kicsim run`.
//! - [`workshop`]: compare, breakdown, sweep and merge.
//! - [`sensitivity`], [`calibrate`], [`uncertainty`]: which conclusions hold: sensitivity analysis,
//!   calibration (ABC) and parameter draws, on the estimators of [`analysis`].
//! - [`gui`]: the planner window (feature `gui`).

pub use kicsim_model::{check, registry, ronpath, scenario, sim};

pub mod analysis;
pub mod calibrate;
#[cfg(feature = "gui")]
pub mod gui;
pub mod params;
pub mod run;
pub mod sa_charts;
pub mod sensitivity;
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
