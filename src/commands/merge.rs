//! `kicsim merge`: the shard files of a sweep into one results.csv (refusing missing shards,
//! shards of another sweep and shards given twice), or the shards of a sensitivity analysis into
//! its report, or the shards of a goal search into its outputs, as an unsharded run would have
//! written them.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::format::count_of;
use crate::io::csv_text;
use crate::report::sensitivity::report;
use crate::report::sweep::finish_sweep;
use crate::run::RunRecord;
use crate::studies::sensitivity::{Outputs, Settings, check_shard_rows, design, design_csv, read_shard};
use crate::studies::sweep::{SWEEP_KPIS, Vary, check_sweep_file, grid_size, parse_vary, point_at, read_sweep_csv};

#[derive(Args)]
pub struct MergeArgs {
    /// Shard CSV files, or directories holding them.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The KPI coloured in the heatmap.
    #[arg(long, default_value = "localization_rate")]
    pub kpi: String,
    /// Output folder: the merged results.csv, the chart, report.html and report.md.
    #[arg(long, default_value = "sweep-out")]
    pub out: PathBuf,
}

/// `kicsim merge`: sensitivity shards when the inputs are those, else a sweep's.
pub fn merge(a: MergeArgs) -> Result<(), String> {
    let optimize = optimize_shard_files(&a.inputs);
    if !optimize.is_empty() {
        return super::optimize::merge_shards(&optimize, &a.out);
    }
    match shard_files(&a.inputs) {
        shards if !shards.is_empty() => merge_sensitivity(&shards, &a.out),
        _ => merge_sweep(&a),
    }
}

/// Merges the shards of a sweep into results.csv, its chart and report.
fn merge_sweep(a: &MergeArgs) -> Result<(), String> {
    if !SWEEP_KPIS.contains(&a.kpi.as_str()) {
        return Err(format!("--kpi {}: unknown KPI: {}", a.kpi, crate::names::hint(&a.kpi, SWEEP_KPIS.iter().copied())));
    }
    let mut files = Vec::new();
    for p in &a.inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| format!("cannot read {}: {}", p.display(), crate::io_words(&e)))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.file_name().map(|n| n.to_string_lossy().starts_with("results-shard-")).unwrap_or(false))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    if files.is_empty() {
        return Err("merge: no shard files (results-shard-*.csv) found".into());
    }
    let mut first: Option<(Vec<String>, Vec<String>, RunRecord)> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut shards = std::collections::BTreeSet::new();
    let mut expected_n = None;
    for f in &files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {}", f.display(), crate::io_words(&e)))?;
        let (comments, header, r) = read_sweep_csv(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        let record =
            check_sweep_file(&comments, &header, &r).map_err(|e| format!("{}: not a sweep result file of kicsim: {e}", f.display()))?;
        if let Some(name) = f.file_name().map(|n| n.to_string_lossy().to_string())
            && let Some(rest) = name.strip_prefix("results-shard-").and_then(|r| r.strip_suffix(".csv"))
            && let Some((i, n)) = rest.split_once("-of-")
        {
            let (i, n): (usize, usize) = (i.parse().unwrap_or(0), n.parse().unwrap_or(0));
            if expected_n.is_some_and(|m| m != n) {
                return Err(format!("{}: shard of {n}, but other files are shards of {}", f.display(), expected_n.unwrap_or(0)));
            }
            expected_n = Some(n);
            shards.insert(i);
        }
        match &first {
            None => first = Some((comments, header, record)),
            Some((c0, h0, _)) => {
                if *h0 != header || c0 != &comments {
                    return Err(format!(
                        "{}: not from the same sweep as {} (run record, grid or columns differ)",
                        f.display(),
                        files[0].display()
                    ));
                }
            }
        }
        rows.extend(r);
    }
    if let Some(n) = expected_n {
        let missing: Vec<usize> = (1..=n).filter(|i| !shards.contains(i)).collect();
        if !missing.is_empty() {
            return Err(format!("merge: missing shard(s) {missing:?} of {n}"));
        }
    }
    let (comments, header, record) = first.expect("at least one file");
    // The same grid point and replication twice: a shard given twice under two names.
    let rep = header.iter().position(|h| h == "replication").unwrap_or(1);
    let mut seen = std::collections::BTreeSet::new();
    for r in &rows {
        if !seen.insert((r[0].clone(), r[rep].clone())) {
            return Err(format!("merge: grid point {} replication {} appears twice (the same shard given twice?)", r[0], r[rep]));
        }
    }
    // Every point of the grid its run record names, each with every replication: a shard file
    // left out of a list of files is missing too.
    let varies = record.vary.iter().map(|v| parse_vary(v)).collect::<Result<Vec<_>, _>>()?;
    let size = grid_size(&varies).map_err(|e| format!("merge: the run record's sweep: {e}"))?;
    check_rows(&rows, &header, &varies, size, record.replications)?;
    let expected = size * record.replications as usize;
    if rows.len() != expected {
        return Err(format!(
            "merge: the sweep has {} x {} = {expected} rows, but the files hold {} (a shard missing?)",
            count_of(size as u64, "grid point"),
            count_of(record.replications.into(), "replication"),
            rows.len()
        ));
    }
    rows.sort_by_key(|r| {
        (
            r[0].parse::<usize>().unwrap_or(0),
            r.get(header.len().saturating_sub(SWEEP_KPIS.len() + 1)).and_then(|x| x.parse::<u32>().ok()).unwrap_or(0),
        )
    });
    let out = csv_text(&comments.join("\n"), &header, rows.iter().cloned());
    let written = finish_sweep(&a.out, out, &a.kpi)?;
    crate::say!(
        "merged {}, {} into {}",
        count_of(files.len() as u64, "file"),
        count_of(rows.len() as u64, "row"),
        a.out.join("results.csv").display()
    );
    for path in written.iter().skip(1) {
        crate::say!("wrote {}", path.display());
    }
    Ok(())
}

/// Every row of the shards names a point of the grid with that point's values, a replication the
/// run record has, and finite results (a file edited by hand, or damaged, is refused).
fn check_rows(rows: &[Vec<String>], header: &[String], varies: &[Vary], size: usize, replications: u32) -> Result<(), String> {
    let rep = header.iter().position(|h| h == "replication").unwrap_or(1);
    for (n, r) in rows.iter().enumerate() {
        let bad = |what: String| Err(format!("merge: row {} of the shards ({}): {what}", n + 1, r.join(",")));
        let Some(k) = r[0].parse::<usize>().ok().filter(|&k| k < size) else {
            return bad(format!("point {} is not a point of the grid (0 to {})", r[0], size - 1));
        };
        let p = point_at(varies, k);
        for (j, v) in varies.iter().enumerate() {
            if r.get(1 + j) != Some(&v.values[p[j]]) {
                return bad(format!("{} is {}, but grid point {k} has {}", v.path, r.get(1 + j).map_or("", |s| s), v.values[p[j]]));
            }
        }
        if !r[rep].parse::<u32>().is_ok_and(|x| x < replications) {
            return bad(format!("replication {} is not one of the run's {replications}", r[rep]));
        }
        for (h, x) in header.iter().zip(r).skip(rep + 1) {
            if !x.parse::<f64>().is_ok_and(|v| v.is_finite() && v.abs() < 1e15) {
                return bad(format!("{h} = {x} is not a finite result"));
            }
        }
    }
    Ok(())
}

/// The files among `inputs` whose name starts with `prefix`, or that `is_one` recognises by their
/// content; a folder gives its files whose name starts with `prefix`, in name order.
fn shards_among(inputs: &[PathBuf], prefix: &str, is_one: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let named = |p: &Path| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(prefix));
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> =
                std::fs::read_dir(p).into_iter().flatten().filter_map(|e| e.ok().map(|e| e.path())).filter(|f| named(f)).collect();
            found.sort();
            files.extend(found);
        } else if named(p) || is_one(p) {
            files.push(p.clone());
        }
    }
    files
}

/// The shard files among `inputs` (files, or folders holding `sensitivity-shard-*.csv`); empty
/// when the inputs are not sensitivity shards.
fn shard_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    shards_among(inputs, "sensitivity-shard-", |p| {
        std::fs::read_to_string(p).is_ok_and(|t| t.lines().nth(1).is_some_and(|l| l.starts_with("# sensitivity: ")))
    })
}

/// The shard files of `kicsim optimize` among the inputs (optimize-shard-I-of-N.json, or in folders).
fn optimize_shard_files(inputs: &[PathBuf]) -> Vec<PathBuf> {
    shards_among(inputs, "optimize-shard-", |_| false)
}

/// `kicsim merge` of sensitivity shards: checks they come from one design and cover it, then
/// analyses and writes the report as an unsharded run would.
fn merge_sensitivity(files: &[PathBuf], out: &Path) -> Result<(), String> {
    let mut settings: Option<(Settings, PathBuf)> = None;
    let mut outputs = Outputs::new();
    let mut shard_ids = std::collections::BTreeSet::new();
    let mut shard_n = None;
    let mut texts = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {}", f.display(), crate::io_words(&e)))?;
        let (s, rows) = read_shard(&text).map_err(|e| format!("{}: not a sensitivity shard of kicsim: {e}", f.display()))?;
        if let Some((i, n)) = f
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("sensitivity-shard-")?.strip_suffix(".csv")?.split_once("-of-"))
            .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)))
        {
            if shard_n.is_some_and(|m| m != n) {
                return Err(format!("{}: a shard of {n}, but other files are shards of {}", f.display(), shard_n.unwrap_or(0)));
            }
            shard_n = Some(n);
            shard_ids.insert(i);
        }
        match &settings {
            None => settings = Some((s, f.clone())),
            Some((s0, f0)) if *s0 != s => {
                return Err(format!(
                    "{}: not from the same analysis as {} (scenario, parameters, sizes or seed differ)",
                    f.display(),
                    f0.display()
                ));
            }
            Some(_) => {}
        }
        for (key, v) in rows {
            if outputs.insert(key, v).is_some() {
                return Err(format!("merge: design row {} replication {} appears twice (the same shard given twice?)", key.0, key.1));
            }
        }
        texts.push((f, text));
    }
    let Some((settings, _)) = settings else { return Err("merge: no sensitivity shard files (sensitivity-shard-*.csv) found".into()) };
    if let Some(n) = shard_n {
        let missing: Vec<usize> = (1..=n).filter(|i| !shard_ids.contains(i)).collect();
        if !missing.is_empty() {
            return Err(format!("merge: missing shard(s) {missing:?} of {n}"));
        }
    }
    let d = design(&settings)?;
    for (f, text) in &texts {
        check_shard_rows(&settings, &d, text).map_err(|e| format!("merge: {}: {e}", f.display()))?;
    }
    let expected = d.points.len() * settings.replications as usize;
    if outputs.len() != expected {
        let missing = (0..d.points.len()).flat_map(|r| (0..settings.replications).map(move |k| (r, k))).find(|k| !outputs.contains_key(k));
        return Err(format!(
            "merge: {} of the design's {expected} runs are there; missing e.g. row {:?} (a shard not given?)",
            outputs.len(),
            missing.map(|m| m.0)
        ));
    }
    let csv = design_csv(&settings, &d, &outputs);
    report(&settings, &d, &outputs, csv, out, None)?;
    crate::say!("merged {} into {}", crate::format::count_of(files.len() as u64, "shard"), out.join("report.html").display());
    Ok(())
}
