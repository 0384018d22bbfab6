//! The `kicsim` program: parses the command line and runs the command ([`kicsim::commands`]).

use std::process::ExitCode;

use clap::Parser;

use kicsim::commands::{Cli, execute};

fn main() -> ExitCode {
    match execute(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            // Scenario errors already start with "error: file:line:col"; give the rest the same start.
            if msg.starts_with("error") {
                eprintln!("{msg}")
            } else {
                eprintln!("error: {msg}")
            }
            ExitCode::FAILURE
        }
    }
}
