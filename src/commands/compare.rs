//! `kicsim compare`: several scenario files with the same seeds, differences to the first.

use std::path::PathBuf;

use clap::Args;

use super::options::DrawArgs;
use crate::format::{count_of, unique_labels};
use crate::io::OutputSet;
use crate::report::comparison::{band_charts, intro};
use crate::report::table::{comparison_table, value_row};
use crate::report::uncertainty::{Appendix, compare_section};
use crate::report::{CI_NOTE, Note, Report, inputs, verdict, write_report};
use crate::run;
use crate::scenario::Scenario;
use crate::studies::comparison::{Arm, run_arms};

#[derive(Args)]
pub struct CompareArgs {
    /// Scenario files; differences are given to the first.
    #[arg(required = true, num_args = 2..)]
    pub files: Vec<PathBuf>,
    /// Replications per file (the same seeds for every file).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub replications: u32,
    /// Seed of replication 0, shared by all files (default: the first file's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Horizon in years for every file (default: each file's own `years`; files with different
    /// horizons are compared at different dates, and compare says so).
    #[arg(long)]
    pub years: Option<u32>,
    /// Output folder: report.html, report.md, report.json, charts.
    #[arg(long, default_value = "compare-out")]
    pub out: PathBuf,
    #[command(flatten)]
    pub draws: DrawArgs,
}

/// `kicsim compare`: checks every file, runs them with the same seeds, writes the report.
pub fn compare(a: CompareArgs) -> Result<(), String> {
    // Every file is checked before anything runs, and every bad one is reported at once (a
    // workshop's teams fix their files in parallel).
    let mut arms = Vec::new();
    let mut errors = Vec::new();
    for f in &a.files {
        match run::load_with_overrides(f, None, a.years, &[]) {
            Ok(s) => arms.push((s.name.clone(), s, f.display().to_string())),
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() {
        return Err(format!(
            "{}\n{} of {} invalid; nothing was run",
            errors.join("\n"),
            errors.len(),
            count_of(a.files.len() as u64, "file")
        ));
    }
    let labels = unique_labels(&arms.iter().map(|(name, _, file)| (name.clone(), file.clone())).collect::<Vec<_>>());
    for (arm, label) in arms.iter_mut().zip(labels) {
        arm.0 = label;
    }
    // Final values of a 5-year and a 10-year plan are not comparable: say so where it shows.
    let mut notes = Vec::new();
    if arms.iter().any(|(_, s, _)| s.years != arms[0].1.years) {
        let horizons: Vec<String> = arms.iter().map(|(label, s, _)| format!("{label}, {}", count_of(s.years.into(), "year"))).collect();
        let note = format!(
            "The files run for different horizons ({}), so their final and cumulative values are at different dates; --years N runs every file for N years.",
            horizons.join("; ")
        );
        eprintln!("note: {note}");
        notes.push(Note { heading: "Note".into(), text: note });
    }
    let base_seed = a.seed.unwrap_or(arms[0].1.seed);
    let pairs: Vec<(String, crate::scenario::Scenario)> = arms.iter().map(|(l, s, _)| (l.clone(), s.clone())).collect();
    let (appendix, appendix_json) = Appendix::split(compare_section(a.draws.draws(base_seed)?, &pairs, base_seed)?);
    // Value for money: each plan against itself without public spending. Plans that differ only in
    // their public spending (the usual team plans) share that reference, run once, so the file
    // named first decides nothing; plans whose layouts differ each get their own.
    let n = arms.len();
    let mut references_in: Vec<(String, Scenario, String)> =
        arms.iter().map(|(l, s, f)| crate::studies::comparison::reference_of(l, s, f)).collect();
    let shared = references_in.iter().all(|r| crate::studies::value::same_reference(&r.1, &references_in[0].1));
    if shared {
        references_in.truncate(1);
        references_in[0].0 = format!("every plan {} (the same for all)", crate::studies::value::REFERENCE_WORDS);
    }
    let mut arms = run_arms([arms, references_in].concat(), base_seed, a.replications);
    let references_run = arms.split_off(n);
    let references: Vec<&Arm> = if shared { vec![&references_run[0]; n] } else { references_run.iter().collect() };
    let mut table = comparison_table(&arms);
    let (row, row_json) = value_row(&arms, &references);
    crate::say_raw!("{}", table.text);
    crate::say!("{}", row.label);
    let width = arms.iter().map(|a| a.label.chars().count()).max().unwrap_or(0).clamp(12, 48);
    for (arm, c) in arms.iter().zip(&row.cells) {
        crate::say!("  {:<width$} {} {}", crate::format::shorten(&arm.label, width), c.value, c.ci);
    }
    table.view.rows.push(row);
    if let serde_json::Value::Array(rows) = &mut table.json {
        rows.push(row_json);
    }
    let mut set = OutputSet::default();
    let charts = band_charts(&mut set, &a.out, &arms)?;
    let report = Report {
        title: "Scenario comparison".into(),
        verdict: verdict::compare(&arms, &references),
        intro: intro(&arms),
        ci_note: CI_NOTE.into(),
        notes,
        table: Some(table.view),
        sections: [vec![inputs::descriptions(&arms), inputs::differing(&arms), charts], appendix].into_iter().flatten().collect(),
        records: arms.iter().map(|a| a.record.clone()).collect(),
    };
    write_report(set, &a.out, &report, table.json, appendix_json)?;
    crate::say!("wrote {}", a.out.join("report.html").display());
    Ok(())
}
