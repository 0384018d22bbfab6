//! KIC Planner's model, with no rendering and no command line:
//!
//! - [`scenario`]: the scenario file format (RON): types, defaults, loading with located errors, `--set`.
//! - [`registry`]: every numeric field (unit, range, default, help, plausible range) and every KPI.
//! - [`check`]: validation of a scenario (ranges from the registry, sites on the map) and warnings.
//! - [`sim`]: the model as a Bevy plugin, one plugin per rule; [`sim::Engine`] runs it headless.
//! - [`ronpath`]: finds the line and column of a field in a scenario's text.

pub mod check;
pub mod registry;
pub mod ronpath;
pub mod scenario;
pub mod sim;
