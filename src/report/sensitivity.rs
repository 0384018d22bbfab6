//! The outputs of `kicsim sensitivity` (and of its merge): indices.csv, design.csv, report.md,
//! report.html, report.json and the charts (tornado, mu*-sigma, Sobol' bars, indices over time).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use super::page::{self, Block, from_markdown};
use crate::analysis::{self, Interval};
use crate::charts::studies::{Bar, Chart, rows_height};
use crate::format::fmt_num;
use crate::io::OutputSet;
use crate::registry::kpi_of;
use crate::studies::sensitivity::{
    Analysis, Design, Method, OatRow, Outputs, Settings, Timing, analyse, indices_csv, record_line, short, sobol_rows,
};

fn kpi_label(kpi: &str) -> String {
    kpi_of(kpi)
        .map_or(kpi.to_string(), |k| if k.unit.is_empty() { k.label.to_string() } else { format!("{} ({})", k.label, k.display_unit()) })
}

/// The KPI's value as the report writes it (shares in percent).
fn fmt_kpi(kpi: &str, v: f64) -> String {
    kpi_of(kpi).map_or(fmt_num(v), |k| k.fmt(v))
}

fn fmt_kpi_diff(kpi: &str, v: f64) -> String {
    kpi_of(kpi).map_or(fmt_num(v), |k| k.fmt_diff(v))
}

/// Scale of a KPI's effects in charts: percentage points for shares.
fn chart_scale(kpi: &str) -> (f64, &'static str) {
    match kpi_of(kpi) {
        Some(k) if k.is_percent() => (100.0, "percentage points"),
        Some(k) => (1.0, k.unit),
        None => (1.0, ""),
    }
}

/// The report as it is built: Markdown and the HTML page side by side, and the charts' files
/// written with them.
struct Doc<'a> {
    md: String,
    html: page::Page,
    files: OutputSet,
    out: &'a Path,
    /// The run record, under every chart.
    footer: String,
}

/// One KPI's analysis at the headline year, with what its sections name and scale.
struct KpiView<'a> {
    a: &'a Analysis,
    kname: String,
    /// Effects in charts: percentage points for shares.
    scale: f64,
    unit: &'static str,
    /// The parameters' short names, then the dummy's.
    names: &'a [String],
    settings: &'a Settings,
}

/// Every KPI at every analysed year, KPI by KPI.
fn analyses(settings: &Settings, d: &Design, outputs: &Outputs) -> Vec<Analysis> {
    let mut all = Vec::new();
    for kpi in 0..settings.kpis.len() {
        for year in 0..settings.years.len() {
            all.push(analyse(settings, d, outputs, kpi, year));
        }
    }
    all
}

/// What was run and how to read it: the report's opening paragraph.
fn intro(settings: &Settings, d: &Design, timing: Option<Timing>) -> String {
    let runs = d.points.len() * settings.replications as usize;
    let methods: Vec<String> = settings.methods.iter().map(|m| format!("{m:?}").to_lowercase()).collect();
    let mut intro = format!(
        "{} of the model (`model.*`, each over its plausible range from the registry: uniform, whole numbers equally likely), methods {}, {} per design point with common random numbers; {} design points, {} in all. ",
        crate::format::count_of(settings.params.len() as u64, "parameter"),
        methods.join(", "),
        crate::format::count_of(settings.replications.into(), "replication"),
        d.points.len(),
        crate::format::count_of(runs as u64, "run")
    );
    if settings.methods.contains(&Method::Sobol) {
        write!(
            intro,
            "Sobol': N = {} base samples (scrambled Sobol' sequence), first order by Saltelli 2010, total by Jansen 1999. ",
            settings.sobol_n
        )
        .ok();
    }
    if settings.methods.contains(&Method::Morris) {
        write!(intro, "Morris: {} trajectories on 4 levels. ", settings.morris_r).ok();
    }
    write!(
        intro,
        "Brackets: 95% bootstrap intervals ({} resamples). The dummy parameter changes only the seeds: its index is the noise floor, and an index not clearly above it means nothing. See docs/SENSITIVITY.md for how to read the indices.",
        settings.bootstrap
    )
    .ok();
    if let Some(t) = timing {
        write!(intro, " The runs took {:.1} s ({:.0} runs per second).", t.seconds, t.runs as f64 / t.seconds.max(1e-9)).ok();
    }
    intro
}

/// The parameters and their ranges, as a Markdown table.
fn params_table(settings: &Settings) -> String {
    let mut ptable = String::from("| parameter | low | high | source of the range |\n|---|---|---|---|\n");
    for p in &settings.params {
        let src = crate::registry::field_of(&p.path).map_or("", |f| f.source);
        let v = |x: f64| crate::format::fmt_field_value(&p.path, x);
        writeln!(ptable, "| {} | {} | {} | {} |", p.path, v(p.low), v(p.high), src.replace('|', "/")).ok();
    }
    ptable
}

/// Analyses the outputs and writes indices.csv, design.csv, report.md, report.html, report.json
/// and the charts as one set.
pub fn report(
    settings: &Settings,
    d: &Design,
    outputs: &Outputs,
    design_text: String,
    out: &Path,
    timing: Option<Timing>,
) -> Result<(), String> {
    let all = analyses(settings, d, outputs);
    let names: Vec<String> = settings.params.iter().map(|p| short(&p.path).to_string()).chain(["dummy (seeds)".to_string()]).collect();
    let footer = record_line(settings).trim_start_matches("# ").to_string();
    let scen = settings.record["scenario"].as_str().unwrap_or("").to_string();
    let runs = d.points.len() * settings.replications as usize;
    let mut md = format!("# Sensitivity analysis: {scen}\n\n");
    let mut html = page::Page::new(format!("Sensitivity analysis: {scen}"), "");
    let intro = intro(settings, d, timing);
    writeln!(md, "{intro}\n").ok();
    html.push(Block::p(intro.replace('`', "")));
    let ptable = params_table(settings);
    let mut page = Doc { md, html, files: OutputSet::default(), out, footer };
    let mut summary: Vec<String> = Vec::new();
    for kpi in 0..settings.kpis.len() {
        summary.extend(kpi_sections(&mut page, settings, &all, kpi, &names)?);
    }
    let Doc { mut md, mut html, mut files, .. } = page;
    let mut head_md = String::from("## Findings\n\n");
    for f in &summary {
        writeln!(head_md, "- {f}").ok();
    }
    let insert_at = md.find("\n## ").map_or(md.len(), |i| i + 1);
    md.insert_str(insert_at, &format!("{head_md}\n"));
    html.insert_before_first_h2(vec![Block::h2("Findings"), Block::List { items: summary.clone() }]);
    writeln!(md, "## Parameters and ranges\n\n{ptable}\n## Run record\n\n{}\n", record_line(settings).trim_start_matches("# ")).ok();
    html.push(Block::h2("Parameters and ranges"));
    html.extend(from_markdown(&ptable));
    html.push(Block::h2("Run record"));
    html.push(Block::p(record_line(settings).trim_start_matches("# ")));
    let json = json!({
        "run": settings.record,
        "settings": settings,
        "design_points": d.points.len(),
        "runs": runs,
        "timing": timing,
        "findings": summary,
        "analyses": all,
    });
    files.add(out.join("indices.csv"), indices_csv(settings, &all));
    files.add(out.join("design.csv"), design_text);
    files.add(out.join("report.md"), md);
    files.add(out.join("report.html"), html.render()?);
    files.add(out.join("report.json"), serde_json::to_string_pretty(&json).map_err(|e| e.to_string())? + "\n");
    files.write(out)?;
    for f in &summary {
        crate::say!("{f}");
    }
    crate::say!("wrote {}", out.join("report.html").display());
    Ok(())
}

/// One KPI's sections (tornado, Morris, Sobol', over time) at the headline year; returns its
/// findings.
fn kpi_sections(page: &mut Doc, settings: &Settings, all: &[Analysis], kpi: usize, names: &[String]) -> Result<Vec<String>, String> {
    let a = &all[kpi * settings.years.len() + settings.headline_year()];
    let kname = a.kpi.clone();
    let (scale, unit) = chart_scale(&kname);
    let head = format!("{} at year {}", kpi_label(&kname), a.year);
    writeln!(page.md, "## {head}\n").ok();
    page.html.push(Block::h2(head.clone()));
    for n in &a.notes {
        writeln!(page.md, "Note: {n}\n").ok();
        page.html.push(Block::p(format!("Note: {n}")));
    }
    let k = KpiView { a, kname, scale, unit, names, settings };
    let mut findings: Vec<String> = Vec::new();
    if !a.oat.is_empty() {
        oat_section(page, &k)?;
    }
    if let Some(m) = &a.morris {
        morris_section(page, &k, m)?;
    }
    if let Some(s) = &a.sobol {
        findings.push(sobol_section(page, &k, s)?);
    } else if let Some(m) = &a.morris {
        findings.push(morris_finding(&k, m));
    }
    if settings.over_time && settings.years.len() > 1 {
        over_time_section(page, &k, all, kpi)?;
    }
    Ok(findings)
}

/// The tornado: each parameter at the low and the high end of its range.
fn oat_section(page: &mut Doc, k: &KpiView) -> Result<(), String> {
    let (md, html, files, out, footer) = (&mut page.md, &mut page.html, &mut page.files, page.out, page.footer.as_str());
    let (a, kname, scale, unit) = (k.a, &k.kname, k.scale, k.unit);
    let base = a.base_value.unwrap_or(f64::NAN);
    let mut t = format!(
        "One at a time, from the file's values (the KPI is {} there): the KPI's change with each parameter at the low and at the high end of its range.\n\n| parameter | low → change [95% CI] | high → change [95% CI] |\n|---|---|---|\n",
        fmt_kpi(kname, base)
    );
    for o in &a.oat {
        let value = |x: f64| if x.is_nan() { "other seeds".to_string() } else { crate::format::fmt_field_value(&o.parameter, x) };
        let (lv, hv) = (value(o.low_value), value(o.high_value));
        writeln!(
            t,
            "| {} | {lv} → {} [{}, {}] | {hv} → {} [{}, {}] |",
            short(&o.parameter),
            fmt_kpi_diff(kname, o.low_effect),
            fmt_kpi_diff(kname, o.low_ci.lo),
            fmt_kpi_diff(kname, o.low_ci.hi),
            fmt_kpi_diff(kname, o.high_effect),
            fmt_kpi_diff(kname, o.high_ci.lo),
            fmt_kpi_diff(kname, o.high_ci.hi)
        )
        .ok();
    }
    let top: Vec<&OatRow> = a.oat.iter().take(15).collect();
    let bar = |e: f64, ci: Interval| (e * scale, ci.lo * scale, ci.hi * scale);
    let low: Vec<Bar> = top
        .iter()
        .map(|o| {
            let (v, l, h) = bar(o.low_effect, o.low_ci);
            (short(&o.parameter).to_string(), v, l, h)
        })
        .collect();
    let high: Vec<Bar> = top
        .iter()
        .map(|o| {
            let (v, l, h) = bar(o.high_effect, o.high_ci);
            (short(&o.parameter).to_string(), v, l, h)
        })
        .collect();
    let chart = Chart::Tornado {
        title: format!("Tornado: {} at year {}", kname, a.year),
        x_label: format!("change from the file's values ({unit})"),
        low,
        high,
    };
    let stem = format!("tornado_{kname}");
    let svg = chart.files(files, out, &stem, (900, rows_height(top.len())), footer)?;
    writeln!(md, "### One at a time (tornado)\n\n{t}\n![tornado]({stem}.png)\n").ok();
    html.push(Block::h3("One at a time (tornado)"));
    html.extend(from_markdown(&t));
    html.push(Block::svg(svg));
    Ok(())
}

/// Morris' mu* and sigma, with the dummy's mu* as the noise floor.
fn morris_section(page: &mut Doc, k: &KpiView, m: &analysis::MorrisResult) -> Result<(), String> {
    let (md, html, files, out, footer) = (&mut page.md, &mut page.html, &mut page.files, page.out, page.footer.as_str());
    let (a, kname, scale, unit, names, settings) = (k.a, &k.kname, k.scale, k.unit, k.names, k.settings);
    let k = settings.params.len();
    let dummy = m.indices[k].mu_star;
    let mut order: Vec<usize> = (0..m.indices.len()).collect();
    order.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
    let mut t = format!(
        "Elementary effects per whole range of each parameter ({} trajectories). mu*: mean absolute effect (importance); sigma: spread of the effects (non-linearity or interactions); the dummy's mu* ({}) is the noise floor.\n\n| parameter | mu* [95% CI] | mu | sigma | above the noise floor |\n|---|---|---|---|---|\n",
        m.r,
        fmt_kpi_diff(kname, dummy).trim_start_matches('+')
    );
    for &i in &order {
        let x = &m.indices[i];
        let above = if i == k {
            "—"
        } else if x.mu_star_ci.lo > dummy {
            "yes"
        } else {
            "no"
        };
        let size = |v: f64| fmt_kpi_diff(kname, v).trim_start_matches('+').to_string();
        writeln!(
            t,
            "| {} | {} [{}, {}] | {} | {} | {above} |",
            names[i],
            size(x.mu_star),
            size(x.mu_star_ci.lo),
            size(x.mu_star_ci.hi),
            fmt_kpi_diff(kname, x.mu),
            size(x.sigma)
        )
        .ok();
    }
    let points = order
        .iter()
        .take(16)
        .chain(std::iter::once(&k).filter(|_| !order.iter().take(16).any(|&i| i == k)))
        .map(|&i| {
            let x = &m.indices[i];
            (names[i].clone(), x.mu_star * scale, x.sigma * scale, x.mu_star_ci.lo * scale, x.mu_star_ci.hi * scale)
        })
        .collect();
    let chart = Chart::MuSigma {
        title: format!("Morris: {} at year {} ({unit} per whole range)", kname, a.year),
        points,
        dummy: Some(names[k].clone()),
    };
    let stem = format!("morris_{kname}");
    let svg = chart.files(files, out, &stem, (900, 620), footer)?;
    writeln!(md, "### Morris elementary effects\n\n{t}\n![mu* and sigma]({stem}.png)\n").ok();
    html.push(Block::h3("Morris elementary effects"));
    html.extend(from_markdown(&t));
    html.push(Block::svg(svg));
    Ok(())
}

/// Sobol' S1 and ST with the convergence check; returns the KPI's finding.
fn sobol_section(page: &mut Doc, k: &KpiView, s: &analysis::SobolResult) -> Result<String, String> {
    let (md, html, files, out, footer) = (&mut page.md, &mut page.html, &mut page.files, page.out, page.footer.as_str());
    let (a, kname, names, settings) = (k.a, &k.kname, k.names, k.settings);
    let k = settings.params.len();
    let floor = s.indices[k].st;
    let floor_hi = s.indices[k].st_ci.hi;
    let rows = sobol_rows(s);
    let mut t = format!(
        "Share of the KPI's variance over the plausible ranges (mean {}, sd {}) that each parameter explains alone (S1) and with its interactions (ST). The dummy's ST ({:.3}) is the part that is luck (the mean of {} replications).\n\n| parameter | S1 [95% CI] | ST [95% CI] | above the noise floor |\n|---|---|---|---|\n",
        fmt_kpi(kname, s.mean),
        fmt_kpi_diff(kname, s.variance.sqrt()).trim_start_matches('+'),
        floor,
        settings.replications
    );
    for (i, x) in &rows {
        let above = if *i == k {
            "—"
        } else if x.st_ci.lo > floor_hi {
            "yes"
        } else {
            "no"
        };
        writeln!(
            t,
            "| {} | {:.3} [{:.3}, {:.3}] | {:.3} [{:.3}, {:.3}] | {above} |",
            names[*i], x.s1, x.s1_ci.lo, x.s1_ci.hi, x.st, x.st_ci.lo, x.st_ci.hi
        )
        .ok();
    }
    let sum_s1: f64 = s.indices[..k].iter().map(|x| x.s1).sum();
    writeln!(t, "\nSum of S1: {sum_s1:.2} (1 for an additive model; the rest is interactions and noise).").ok();
    let top: Vec<&(usize, &analysis::SobolIndex)> = rows.iter().filter(|(i, _)| *i != k).take(15).collect();
    let s1: Vec<Bar> = top.iter().map(|(i, x)| (names[*i].clone(), x.s1, x.s1_ci.lo, x.s1_ci.hi)).collect();
    let st: Vec<Bar> = top.iter().map(|(i, x)| (names[*i].clone(), x.st, x.st_ci.lo, x.st_ci.hi)).collect();
    let chart =
        Chart::IndexBars { title: format!("Sobol' indices: {} at year {} (N = {})", kname, a.year, s.n_base), s1, st, floor: Some(floor) };
    let stem = format!("sobol_{kname}");
    let svg = chart.files(files, out, &stem, (900, rows_height(top.len())), footer)?;
    // Convergence.
    let mut c = String::from("| parameter |");
    for r in &a.convergence {
        write!(c, " ST at N = {} |", r.n_base).ok();
    }
    c.push_str("\n|---|");
    c.push_str(&"---|".repeat(a.convergence.len()));
    c.push('\n');
    for (i, _) in rows.iter().take(8) {
        write!(c, "| {} |", names[*i]).ok();
        for r in &a.convergence {
            let x = &r.indices[*i];
            write!(c, " {:.3} [{:.3}, {:.3}] |", x.st, x.st_ci.lo, x.st_ci.hi).ok();
        }
        c.push('\n');
    }
    let converged = a.convergence.len() == 3
        && rows.iter().take(5).all(|(i, x)| {
            let half = a.convergence[1].indices[*i].st;
            (half - x.st).abs() <= 0.05_f64.max(0.2 * x.st)
        });
    let verdict = if converged {
        "The five largest total indices moved by less than 0.05 (or 20%) from N/2 to N: the ranking is settled at this N."
    } else {
        "The largest total indices still move between N/2 and N: run a larger --sobol-n before trusting the ranking."
    };
    writeln!(md, "### Sobol' indices\n\n{t}\n![Sobol' indices]({stem}.png)\n\nConvergence (the same design's first N/4, N/2 and N base rows):\n\n{c}\n{verdict}\n").ok();
    html.push(Block::h3("Sobol' indices"));
    html.extend(from_markdown(&t));
    html.push(Block::svg(svg));
    html.push(Block::p("Convergence (the same design's first N/4, N/2 and N base rows):"));
    html.extend(from_markdown(&c));
    html.push(Block::p(verdict));
    let named: Vec<String> = rows
        .iter()
        .filter(|(i, x)| *i != k && x.st_ci.lo > floor_hi)
        .take(4)
        .map(|(i, x)| format!("{} (ST {:.2} [{:.2}, {:.2}])", names[*i], x.st, x.st_ci.lo, x.st_ci.hi))
        .collect();
    Ok(if named.is_empty() {
        format!("{kname} at year {}: no parameter stands above the noise floor (dummy ST {floor:.3})", a.year)
    } else {
        format!("{kname} at year {}: {}; noise floor ST {floor:.3}", a.year, named.join(", "))
    })
}

/// The finding of a KPI with Morris indices and no Sobol' ones: its four largest mu*.
fn morris_finding(k: &KpiView, m: &analysis::MorrisResult) -> String {
    let (a, kname, names, settings) = (k.a, &k.kname, k.names, k.settings);
    let k = settings.params.len();
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
    let named: Vec<String> = order.iter().take(4).map(|&i| format!("{} (mu* {})", names[i], fmt_num(m.indices[i].mu_star))).collect();
    format!("{kname} at year {}: {}", a.year, named.join(", "))
}

/// The indices over the years (`--year all`): Sobol' ST, or else Morris mu*.
fn over_time_section(page: &mut Doc, k: &KpiView, all: &[Analysis], kpi: usize) -> Result<(), String> {
    let (md, html, files, out, footer) = (&mut page.md, &mut page.html, &mut page.files, page.out, page.footer.as_str());
    let (a, kname, names, settings) = (k.a, &k.kname, k.names, k.settings);
    let series_of =
        |pick: &dyn Fn(&Analysis, usize) -> Option<(f64, f64, f64)>, top: &[usize]| -> Vec<(String, Vec<(f64, f64, f64, f64)>)> {
            top.iter()
                .map(|&i| {
                    let pts = (0..settings.years.len())
                        .filter_map(|y| {
                            let an = &all[kpi * settings.years.len() + y];
                            pick(an, i).map(|(v, l, h)| (an.year as f64, v, l, h))
                        })
                        .collect();
                    (names[i].clone(), pts)
                })
                .collect()
        };
    let k = settings.params.len();
    let (title, y_label, series) = if let Some(s) = &a.sobol {
        let mut top: Vec<usize> = sobol_rows(s).iter().map(|(i, _)| *i).filter(|&i| i != k).take(6).collect();
        top.push(k);
        let pick = |an: &Analysis, i: usize| an.sobol.as_ref().map(|s| (s.indices[i].st, s.indices[i].st_ci.lo, s.indices[i].st_ci.hi));
        ("Sobol' total index over time", "ST", series_of(&pick, &top))
    } else if let Some(m) = &a.morris {
        let mut top: Vec<usize> = (0..k).collect();
        top.sort_by(|&x, &y| m.indices[y].mu_star.total_cmp(&m.indices[x].mu_star));
        top.truncate(6);
        top.push(k);
        let pick = |an: &Analysis, i: usize| {
            an.morris.as_ref().map(|m| (m.indices[i].mu_star, m.indices[i].mu_star_ci.lo, m.indices[i].mu_star_ci.hi))
        };
        ("Morris mu* over time", "mu*", series_of(&pick, &top))
    } else {
        ("", "", Vec::new())
    };
    if !series.is_empty() {
        let chart = Chart::Lines { title: format!("{title}: {kname} (bands: 95% CI)"), y_label: y_label.into(), series };
        let stem = format!("over_time_{kname}");
        let svg = chart.files(files, out, &stem, (900, 520), footer)?;
        writeln!(md, "### Over time\n\n![{title}]({stem}.png)\n\nEvery year's indices are in indices.csv.\n").ok();
        html.push(Block::h3("Over time"));
        html.push(Block::svg(svg));
        html.push(Block::p("Every year's indices are in indices.csv."));
    }
    Ok(())
}
