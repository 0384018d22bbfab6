//! The `kicsim` program: parses the command line and runs the command ([`kicsim::commands`]).

use std::process::ExitCode;

use clap::Parser;

use kicsim::commands::{Cli, execute};

fn main() -> ExitCode {
    // Every user error exits 1, bad arguments too (clap's own default is 2); --help and
    // --version exit 0.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
        }
    };
    match execute(cli.command) {
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
