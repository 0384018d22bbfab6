//! KIC Planner (`kicsim`): a simulator for planning a key industrial complex.
//!
//! - [`scenario`]: the scenario file format (RON) and its validation.
//! - [`sim`]: the model as a Bevy plugin, no rendering.
//! - [`run`]: running scenarios (replications, outputs) for the CLI.

#[cfg(feature = "gui")]
pub mod gui;
pub mod ronpath;
pub mod run;
pub mod scenario;
pub mod sim;
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
