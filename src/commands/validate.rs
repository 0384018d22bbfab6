//! `kicsim validate FILE_OR_FOLDER...`: every problem of scenario files with file:line:col, and
//! the warnings of valid files (settings that buy nothing).

use std::path::{Path, PathBuf};

use clap::Args;

use crate::scenario::Scenario;

#[derive(Args)]
pub struct ValidateArgs {
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

/// Checks the files (a folder: the .ron files in it, in name order).
pub fn validate(a: ValidateArgs) -> Result<(), String> {
    let paths = a.files;
    // A folder stands for the .ron files in it, in name order.
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let found = crate::scenario::ron_files_in(&p).map_err(|e| format!("cannot read {}: {}", p.display(), crate::io_words(&e)))?;
            if found.is_empty() {
                return Err(format!("{}: no .ron files in this folder", p.display()));
            }
            files.extend(found);
        } else {
            files.push(p);
        }
    }
    let mut failed = Vec::new();
    for f in &files {
        match Scenario::load(f) {
            Ok(s) => {
                crate::say!(
                    "ok: {} ({}, {}, {})",
                    f.display(),
                    s.name,
                    crate::format::count_of(s.suppliers.len() as u64, "supplier"),
                    crate::format::count_of(s.years.into(), "year")
                );
                print_warnings(f, &s);
            }
            Err(e) => {
                eprintln!("{e}");
                failed.push(f.display().to_string());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} invalid: {}", failed.len(), crate::format::count_of(files.len() as u64, "file"), failed.join(", ")))
    }
}

/// Settings that are valid but buy nothing ([`Scenario::warnings`]), on stderr as
/// `warning: FILE:LINE:COL: field `path`: message`, located in the file as errors are.
pub fn print_warnings(file: &Path, scenario: &Scenario) {
    let warnings = scenario.warnings();
    if warnings.is_empty() {
        return;
    }
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let text = crate::scenario::without_bom(&text);
    for w in warnings {
        let (line, col) = crate::ronpath::locate(text, &w.path).unwrap_or((1, 1));
        eprintln!("warning: {}:{line}:{col}: field `{}`: {}", file.display(), w.path, w.message);
    }
}
