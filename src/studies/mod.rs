//! Studies: the model run many times and read with the estimators of [`crate::analysis`], with
//! no command-line options and no files written (the commands read the inputs and
//! [`crate::report`] writes the outputs). The window takes its forecast band from here.
//!
//! - [`params`]: which model parameters vary, over which ranges, and how a unit point becomes a scenario.
//! - [`draws`]: parameter draws (Latin hypercube or a posterior) and the verdicts on differences.
//! - [`forecast`]: a forecast with its band from parameter uncertainty (the window's).
//! - [`comparison`]: scenarios with common random numbers (compare, breakdown).
//! - [`sweep`]: a parameter grid, its results file and its best point.
//! - [`sensitivity`]: the design, its shards and the analysis of one KPI at one year.
//! - [`calibration`]: targets and ABC.
//! - [`optimize`]: goal seeking: CMA-ES over the levers, requirements with a confidence, the winner confirmed.
//! - [`value`]: the one value-for-money measure (extra fiscal cost per extra localization point).

pub mod calibration;
pub mod comparison;
pub mod draws;
pub mod forecast;
pub mod optimize;
pub mod params;
pub mod sensitivity;
pub mod sweep;
pub mod value;
