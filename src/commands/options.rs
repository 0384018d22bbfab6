//! Options shared by several commands: the parameter draws of run, compare and breakdown
//! (`--parameter-draws`, `--posterior`, ...), and `--shard i/n` of sweep and sensitivity.
//! (`--vary` is the sweep's alone: [`crate::studies::sweep::parse_vary`], which merge also reads
//! back from a run record.)

use std::path::{Path, PathBuf};

use clap::Args;

use crate::studies::draws::{Draws, Posterior};
use crate::studies::params;

/// The options of parameter draws, shared by run, compare and breakdown.
#[derive(Args, Clone, Debug)]
pub struct DrawArgs {
    /// Also draw the model's parameters N times from their plausible ranges (Latin hypercube;
    /// the same N sets for every scenario) and report intervals that include parameter
    /// uncertainty, and whether each difference keeps its sign across the draws.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub parameter_draws: u32,
    /// Draw the parameters from a calibration posterior (posterior.csv of `kicsim calibrate`)
    /// instead; parameters it does not list are still drawn from their plausible ranges.
    #[arg(long, value_name = "FILE")]
    pub posterior: Option<PathBuf>,
    /// Replications (seeds) per parameter draw.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub draw_replications: u32,
    /// The parameters drawn, e.g. --params learning_rate,import_cost (default: every model.*
    /// parameter with a plausible range); `path=LOW..HIGH` gives a range of its own.
    #[arg(long, value_name = "A,B,...")]
    pub params: Option<String>,
}

impl Default for DrawArgs {
    /// No draws (the command-line defaults).
    fn default() -> Self {
        DrawArgs { parameter_draws: 0, posterior: None, draw_replications: 1, params: None }
    }
}

impl DrawArgs {
    pub fn enabled(&self) -> bool {
        self.parameter_draws > 0
    }

    /// Checks the options and builds the draws (`None` when no draws are asked for).
    pub fn draws(&self, seed: u64) -> Result<Option<Draws>, String> {
        if !self.enabled() {
            if self.posterior.is_some() || self.params.is_some() || self.draw_replications != 1 {
                return Err("--posterior, --params and --draw-replications go with --parameter-draws N".into());
            }
            return Ok(None);
        }
        let chosen = params::select(self.params.as_deref())?;
        let n = self.parameter_draws as usize;
        let draws = match &self.posterior {
            None => Draws::latin(chosen, n, self.draw_replications, seed),
            Some(p) => Draws::from_posterior(read_posterior(p)?, &p.display().to_string(), chosen, n, self.draw_replications, seed),
        };
        Ok(Some(draws))
    }
}

/// Reads a posterior file (`posterior.csv` of `kicsim calibrate`); errors name the file, line
/// and column.
pub fn read_posterior(path: &Path) -> Result<Posterior, String> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{file}: cannot read the posterior file: {}", crate::io_words(&e)))?;
    Posterior::parse(&text, &file)
}

/// Parses `i/n` (1-based i).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or_else(|| format!("--shard {s}: expected i/n, e.g. 2/8"))?;
    let i: usize = i.trim().parse().map_err(|_| format!("--shard {s}: i is not a number"))?;
    let n: usize = n.trim().parse().map_err(|_| format!("--shard {s}: n is not a number"))?;
    if n == 0 || i == 0 || i > n {
        return Err(format!("--shard {s}: need 1 <= i <= n"));
    }
    Ok((i, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_options_without_draws_are_refused() {
        let a = DrawArgs { params: Some("learning_rate".into()), ..DrawArgs::default() };
        assert!(a.draws(1).unwrap_err().contains("--parameter-draws"));
        assert!(DrawArgs::default().draws(1).unwrap().is_none());
    }
}
