//! `kicsim compare`: several scenario files with the same seeds, differences to the first.

use super::report::{CI_NOTE, Note, Report, band_charts, intro, uncertainty_appendix, write_report};
use super::table::comparison_table;
use super::{CompareArgs, run_arms};
use crate::format::{count_of, unique_labels};
use crate::io::OutputSet;
use crate::run;

pub(crate) fn compare(a: CompareArgs) -> Result<(), String> {
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
    let (appendix, appendix_json) = uncertainty_appendix(crate::uncertainty::compare_section(&a.draws, &pairs, base_seed)?);
    let arms = run_arms(arms, base_seed, a.replications);
    let table = comparison_table(&arms);
    crate::say_raw!("{}", table.text);
    let mut set = OutputSet::default();
    std::fs::create_dir_all(&a.out).map_err(|e| format!("cannot create {}: {}", a.out.display(), crate::io_words(&e)))?;
    let charts = band_charts(&mut set, &a.out, &arms)?;
    let report = Report {
        title: "Scenario comparison".into(),
        verdict: super::verdict::compare(&arms),
        intro: intro(&arms),
        ci_note: CI_NOTE.into(),
        notes,
        table: Some(table.view),
        sections: [vec![super::inputs::descriptions(&arms), super::inputs::differing(&arms), charts], appendix]
            .into_iter()
            .flatten()
            .collect(),
        records: arms.iter().map(|a| a.record.clone()).collect(),
    };
    write_report(set, &a.out, &report, table.json, appendix_json)?;
    crate::say!("wrote {}", a.out.join("report.html").display());
    Ok(())
}
