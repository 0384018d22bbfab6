//! KIC Planner (`kicsim`): a simulator for planning a key industrial complex.
//!
//! - [`scenario`]: the scenario file format (RON) and its validation.
//! - [`sim`]: the model as a Bevy plugin, no rendering.
//! - [`run`]: running scenarios (replications, outputs) for the CLI.

pub mod ronpath;
pub mod run;
pub mod scenario;
pub mod sim;
pub mod workshop;
#[cfg(feature = "gui")]
pub mod gui;
