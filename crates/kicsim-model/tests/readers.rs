//! Bad input for the readers: scenario files (`Scenario::parse`/`load` and their checks) and
//! `--set` overrides (`apply_set`). Fixed cases are the reproducers of issue 29 (deep nesting, an
//! enum variant for a struct, huge supplier lists, NaN and infinities, a device read as a file);
//! the properties mutate valid input at random and ask for an answer, never a panic or a stack
//! overflow, and errors that point into the file.
//!
//! `cargo test` runs a few cases of each property; for a longer fuzzing run set
//! `PROPTEST_CASES`, e.g. `PROPTEST_CASES=20000 cargo test --release -p kicsim-model --test readers`.
//! How fast the checks are is measured by hand and in benchmarks, not asserted here.

use kicsim_model::check::MAX_PLANNED_SUPPLIERS;
use kicsim_model::registry::{Access, FIELDS};
use kicsim_model::ronpath;
use kicsim_model::scenario::{MAX_FILE_BYTES, MAX_NESTING, Scenario, ScenarioError, apply_set, default_scenario};
use proptest::prelude::*;

const BASELINE: &str = include_str!("../../../scenarios/baseline.ron");

/// Cases per property: a few in the test suite, more on demand.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

/// Every problem of an error points at a line of the text (or at the file as a whole, line 0),
/// and the error prints.
fn assert_located(e: &ScenarioError, src: &str) {
    let lines = src.lines().count().max(1);
    assert!(!e.problems.is_empty());
    for p in &e.problems {
        assert!(p.line <= lines + 1, "line {} of {lines}: {e}", p.line);
        assert!(!p.message.is_empty());
    }
    let text = e.to_string();
    assert!(text.starts_with("error: "), "{text}");
}

/// A scenario text with `n` suppliers on a 0.5 km lattice (valid sites or not, as the map has it).
fn suppliers_text(n: usize) -> String {
    let mut src = String::from("(\n  name: \"many\",\n  suppliers: [\n");
    for i in 0..n {
        let (x, y) = (1.0 + 0.5 * (i % 40) as f64, 1.0 + 0.5 * ((i / 40) % 56) as f64);
        src.push_str(&format!("    (name: \"S{i}\", site: (x_km: {x}, y_km: {y}), capability: 0.3, capacity_usd_m: 5.0),\n"));
    }
    src.push_str("  ],\n)\n");
    src
}

// ---- fixed cases: the reproducers ----

#[test]
fn deep_nesting_is_refused_at_the_first_bracket_too_deep() {
    for open in ["(", "[", "{", "(suppliers: ["] {
        let src = format!("{}{}", open, "(".repeat(100_000));
        let e = Scenario::parse(&src, "deep.ron").unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let p = &e.problems[0];
        assert!(p.message.contains(&format!("nested more than {MAX_NESTING} deep")), "{e}");
        assert_eq!(p.line, 1);
        assert!(e.to_string().starts_with(&format!("error: deep.ron:1:{}:", p.col)), "{e}");
    }
    // Just under the limit, ron's own error (and the field path of it) comes back.
    let src = format!("(suppliers: {}", "[".repeat(MAX_NESTING - 1));
    let e = Scenario::parse(&src, "d.ron").unwrap_err();
    assert!(!e.problems[0].message.contains("nested more than"), "{e}");
    // Brackets inside strings and comments do not count.
    let src = format!("(name: \"{}\", // {}\n)", "(".repeat(1000), "[".repeat(1000));
    assert_eq!(Scenario::parse(&src, "s.ron").unwrap().name, "(".repeat(1000));
}

#[test]
fn the_field_finder_survives_any_depth() {
    // ronpath reads text ron refused (to name the field of an error): it must not recurse
    // once per bracket.
    let deep = "(".repeat(200_000) + &")".repeat(10);
    assert_eq!(ronpath::locate(&deep, "a.b"), None);
    let _ = ronpath::path_at(&deep, 1, 100_000);
    let deep = format!("(a: {}1{})", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(ronpath::locate(&deep, "a"), Some((1, 2)));
    assert_eq!(ronpath::too_deep(&deep, 64), Some(4 + 63));
}

#[cfg(unix)]
#[test]
fn a_device_is_read_up_to_the_cap_only() {
    let e = Scenario::load(std::path::Path::new("/dev/zero")).unwrap_err();
    let text = e.to_string();
    assert!(text.contains(&format!("larger than {} MiB", MAX_FILE_BYTES >> 20)), "{text}");
}

#[test]
fn a_file_above_the_cap_is_refused_and_one_below_is_read() {
    let dir = std::env::temp_dir().join(format!("kicsim-readers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = dir.join("big.ron");
    let mut text = String::from("// padding\n");
    text.push_str(&"/".repeat(MAX_FILE_BYTES as usize));
    text.push_str("\n()\n");
    std::fs::write(&big, &text).unwrap();
    let e = Scenario::load(&big).unwrap_err();
    assert!(e.to_string().contains("MiB"), "{e}");
    let small = dir.join("small.ron");
    std::fs::write(&small, "(years: 4)\n").unwrap();
    assert_eq!(Scenario::load(&small).unwrap().years, 4);
    assert_eq!(kicsim_model::scenario::read_to_string_capped(&small).unwrap(), "(years: 4)\n");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_enum_variant_cannot_stand_for_a_struct() {
    let s = default_scenario();
    for a in ["incentives=Some(Tier1)", "map=Some(Tier1)", "anchor=Tier1", "incentives=Tier1", "anchor.commitments=Automotive"] {
        let e = apply_set(&s, a).unwrap_err();
        assert!(e.starts_with(&format!("--set {a}: ")) && e.contains("takes a struct"), "{a}: {e}");
    }
    // The other way round too: a struct for a variant, a list for a number, a text for a list.
    for (a, want) in [
        ("anchor.sector=(x: 1)", "one of its names"),
        ("anchor.sector=Tier1", "one of its names"),
        ("incentives.cit_rate=[1]", "a number"),
        ("years=2.5", "a whole number"),
        ("years=-1", "a whole number"),
        ("suppliers=()", "sequence"),
        ("incentives.local_content=\"x\"", "sequence"),
        ("incentives.local_content[0]=[1, 2]", "tuple"),
    ] {
        let mut s = Scenario::default();
        s.incentives.local_content = vec![(2.0, 0.3)];
        let e = apply_set(&s, a).unwrap_err();
        assert!(e.contains(want), "{a}: {e}");
    }
}

#[test]
fn a_whole_part_takes_a_struct_whose_missing_fields_take_their_defaults() {
    let busy = default_scenario();
    let t = apply_set(&busy, "anchor=(sector: Automotive)").unwrap();
    assert_eq!(t.anchor.sector, kicsim_model::scenario::Sector::Automotive);
    let defaults = Scenario::default().anchor;
    assert_eq!(t.anchor.site, defaults.site);
    assert_eq!(t.anchor.output_usd_m, defaults.output_usd_m);
    assert_eq!(t.anchor.commitments, defaults.commitments);
    // Everything else is the scenario's own.
    assert_eq!(
        (t.suppliers.clone(), t.incentives.clone(), t.model.clone()),
        (busy.suppliers.clone(), busy.incentives.clone(), busy.model.clone())
    );
    let t = apply_set(&busy, "incentives=(cit_rate: 0.1, local_content: [(2, 0.3)])").unwrap();
    assert_eq!((t.incentives.cit_rate, t.incentives.local_content.clone()), (0.1, vec![(2.0, 0.3)]));
    assert_eq!(t.incentives.cit_holiday_years, 0.0);
    assert_eq!(apply_set(&busy, "incentives=()").unwrap().incentives, Scenario::default().incentives);
    // A named struct, a variant, a text with or without quotes, a `None` tier.
    assert_eq!(apply_set(&busy, "map=MapSpec(towns: 2)").unwrap().map.towns, 2);
    assert_eq!(apply_set(&busy, "anchor.ownership=Domestic").unwrap().anchor.ownership, kicsim_model::scenario::Ownership::Domestic);
    assert_eq!(apply_set(&busy, "name=My plan").unwrap().name, "My plan");
    assert_eq!(apply_set(&busy, "name=\"Quoted (x)\"").unwrap().name, "Quoted (x)");
    assert_eq!(apply_set(&busy, "name=a\" , years: 7 //").unwrap().years, busy.years, "a text field's value is its text");
    assert_eq!(apply_set(&busy, "suppliers[0].tier=None").unwrap().suppliers[0].tier, kicsim_model::scenario::Tier::Untiered);
    assert_eq!(apply_set(&busy, "incentives.cit_holiday_years=4").unwrap().incentives.cit_holiday_years, 4.0);
    assert_eq!(apply_set(&busy, "incentives.cit_rate=0.1 // a comment").unwrap().incentives.cit_rate, 0.1);
}

#[test]
fn a_value_cannot_reach_beyond_its_field() {
    let s = default_scenario();
    for a in [
        "incentives.cit_rate=0.1), years: (5",
        "incentives.cit_rate=0.1, years: 5",
        "incentives=(cit_rate: 0.1)), years: (5",
        "incentives.cit_rate=0.1 /*",
        "incentives.cit_rate=",
        "years=3 4",
    ] {
        let e = apply_set(&s, a).unwrap_err();
        assert!(e.starts_with(&format!("--set {a}: ")), "{a}: {e}");
    }
    let deep = format!("incentives={}", "(".repeat(100_000));
    let e = apply_set(&s, &deep).unwrap_err();
    assert!(e.contains("nested more than"), "{}", &e[e.len() - 200..]);
}

#[test]
fn nan_and_infinities_are_refused() {
    let s = default_scenario();
    for v in ["NaN", "inf", "-inf", "1e999"] {
        let e = apply_set(&s, &format!("incentives.cit_rate={v}")).unwrap_err();
        assert!(e.contains("not finite"), "{v}: {e}");
        let e = apply_set(&s, &format!("incentives.local_content=[(2, {v})]")).unwrap_err();
        assert!(e.contains("not finite"), "{v}: {e}");
        let src = format!("(incentives: (cit_rate: {v}))");
        let e = Scenario::parse(&src, "nan.ron").unwrap_err();
        assert!(e.problems.iter().any(|p| p.field == "incentives.cit_rate" && p.message.contains("not a finite number")), "{v}: {e}");
        assert_eq!((e.problems[0].line, e.problems[0].col), (1, 15), "{e}");
        let src = format!("(suppliers: [(site: (x_km: {v}, y_km: 3.0))])");
        let e = Scenario::parse(&src, "nan.ron").unwrap_err();
        assert!(e.problems.iter().any(|p| p.field == "suppliers[0].site.x_km"), "{v}: {e}");
    }
}

#[test]
fn a_list_beyond_the_supplier_limit_is_refused_at_once() {
    for n in [MAX_PLANNED_SUPPLIERS + 1, 10_000, 100_000] {
        let src = suppliers_text(n);
        let e = Scenario::parse(&src, "many.ron").unwrap_err();
        assert_eq!(e.problems.len(), 1, "{n}: {e}");
        assert_eq!(e.problems[0].field, "suppliers");
        assert!(e.problems[0].message.starts_with(&format!("{n} suppliers; at most {MAX_PLANNED_SUPPLIERS}")), "{e}");
        assert_eq!((e.problems[0].line, e.problems[0].col), (3, 3));
    }
    let s = Scenario { logistics_hubs: vec![Default::default(); 5000], ..Default::default() };
    assert!(s.validate()[0].message.starts_with("5000 logistics hubs; at most"), "{:?}", s.validate()[0]);
}

#[test]
fn the_allowed_two_thousand_suppliers_are_checked_and_every_problem_located() {
    let src = suppliers_text(MAX_PLANNED_SUPPLIERS);
    let r = Scenario::parse(&src, "many.ron");
    // Sites on water or steep land are refused, each at its own supplier's line.
    if let Err(e) = r {
        for p in &e.problems {
            let i: usize = p.field.strip_prefix("suppliers[").and_then(|f| f.split(']').next()).and_then(|i| i.parse().ok()).unwrap();
            assert_eq!(p.line, 4 + i, "{}: {}", p.field, p.message);
        }
    }
    // All at one place: each overlaps the first supplier, the first facility before it that
    // is too close, as the check of each against every earlier facility finds it.
    let one = "    (name: \"S\", site: (x_km: 10.0, y_km: 10.0)),\n".repeat(MAX_PLANNED_SUPPLIERS);
    let src = format!("(suppliers: [\n{one}])\n");
    let e = Scenario::parse(&src, "same.ron").unwrap_err();
    assert_eq!(e.problems.len(), MAX_PLANNED_SUPPLIERS - 1);
    assert!(e.problems.iter().all(|p| p.message.contains("overlaps supplier 'S' (0.00 km apart")), "{}", e.problems[0].message);
    assert_eq!(e.problems[1998].line, 2001);
}

/// The grid lookup finds the overlaps the plain check finds: the same problems, in the same
/// order, with the same "overlaps ..." facility named.
#[test]
fn the_grid_overlap_check_agrees_with_the_plain_one() {
    let map = kicsim_model::sim::map::SiteMap::generate(&default_scenario().map);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig { cases: cases(), ..ProptestConfig::default() });
    let sites = proptest::collection::vec((0.0..30.0f64, 0.0..30.0f64, 0usize..4), 0..60);
    runner
        .run(&(sites, 0.2..6.0f64), |(sites, scale)| {
            let mut s = default_scenario();
            s.suppliers.clear();
            s.rd_centres.clear();
            s.training_centres.clear();
            s.logistics_hubs.clear();
            for (i, (x, y, kind)) in sites.into_iter().enumerate() {
                // Crowd them so overlaps are common.
                let site = kicsim_model::scenario::Site { x_km: 10.0 + x / scale, y_km: 10.0 + y / scale };
                let name = format!("F{i}");
                match kind {
                    0 => s.suppliers.push(kicsim_model::scenario::SupplierSpec { name, site, ..Default::default() }),
                    1 => s.rd_centres.push(kicsim_model::scenario::RdCentreSpec { name, site, ..Default::default() }),
                    2 => s.training_centres.push(kicsim_model::scenario::TrainingCentreSpec { name, site, ..Default::default() }),
                    _ => s.logistics_hubs.push(kicsim_model::scenario::LogisticsHubSpec { name, site }),
                }
            }
            // Each facility against every earlier one, in plan order.
            let facilities = kicsim_model::sim::facilities::plan_facilities(&s);
            let plain: Vec<(String, String)> = facilities
                .iter()
                .enumerate()
                .filter_map(|(k, (r, label, site))| {
                    let earlier = facilities[..k].iter().map(|(_, n, s)| (n.as_str(), *s));
                    map.check_site(*site, earlier)
                        .err()
                        .map(|e| (format!("{}.site", r.path()), format!("{label} at ({:.2}, {:.2}) km: {e}", site.x_km, site.y_km)))
                })
                .collect();
            let grid: Vec<(String, String)> =
                kicsim_model::check::site_problems(&map, &s).into_iter().map(|p| (p.path, p.message)).collect();
            prop_assert_eq!(grid, plain);
            Ok(())
        })
        .unwrap();
}

// ---- properties ----

/// One edit of a text: replace, insert or delete a byte range with a token a careless hand or
/// an attacker might type.
fn edit() -> impl Strategy<Value = (f64, usize, String)> {
    let token = prop_oneof![
        Just("(".to_string()),
        Just(")".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just(":".to_string()),
        Just("\"".to_string()),
        Just("//".to_string()),
        Just("/*".to_string()),
        Just("NaN".to_string()),
        Just("inf".to_string()),
        Just("-1e308".to_string()),
        Just("Some(Tier1)".to_string()),
        Just("Tier1".to_string()),
        Just("18446744073709551616".to_string()),
        Just("\u{feff}".to_string()),
        Just("é".to_string()),
        Just("\t".to_string()),
        Just("\r\n".to_string()),
        (1usize..300).prop_map(|n| "(".repeat(n)),
        (1usize..300).prop_map(|n| "[".repeat(n)),
        "[a-z_]{1,12}",
        any::<String>(),
    ];
    (0.0..1.0f64, 0usize..40, token)
}

fn apply_edits(src: &str, edits: &[(f64, usize, String)]) -> String {
    let mut text = src.to_string();
    for (at, cut, token) in edits {
        let mut i = ((*at * text.len() as f64) as usize).min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        let mut j = (i + cut % 8).min(text.len());
        while !text.is_char_boundary(j) {
            j += 1;
        }
        text.replace_range(i..j, token);
    }
    text
}

/// A `--set` path: a real one, or one near it.
fn set_path() -> impl Strategy<Value = String> {
    let mut real: Vec<String> = FIELDS.iter().map(|f| f.path.replace("[i]", "[0]")).collect();
    real.extend(
        ["name", "seed", "years", "map", "anchor", "anchor.sector", "anchor.site", "anchor.commitments", "suppliers", "suppliers[0]"]
            .iter()
            .map(|s| s.to_string()),
    );
    real.extend(
        ["suppliers[0].tier", "suppliers[0].name", "incentives", "incentives.local_content", "incentives.local_content[0]"]
            .iter()
            .map(|s| s.to_string()),
    );
    real.extend(
        ["model", "rd_centres", "logistics_hubs[0]", "incentives.local_content[0][1]", "suppliers[99]", "anchor.nope", "a..b", "x[", ""]
            .iter()
            .map(|s| s.to_string()),
    );
    proptest::sample::select(real)
}

/// A `--set` value: numbers, names, structs, lists, junk.
fn set_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<f64>().prop_map(|v| v.to_string()),
        any::<i64>().prop_map(|v| v.to_string()),
        Just("()".to_string()),
        Just("Some(Tier1)".to_string()),
        Just("Tier1".to_string()),
        Just("Automotive".to_string()),
        Just("None".to_string()),
        Just("true".to_string()),
        Just("(sector: Automotive)".to_string()),
        Just("(cit_rate: 0.1, nope: 1)".to_string()),
        Just("[(2, 0.3), (5, 0.5)]".to_string()),
        Just("(2, 0.3)".to_string()),
        Just("[]".to_string()),
        Just("\"text\"".to_string()),
        (1usize..200).prop_map(|n| "[".repeat(n)),
        "[ -~]{0,30}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, .. ProptestConfig::default() })]

    /// A mutated scenario file is read or refused with errors located in it; never a panic.
    #[test]
    fn mutated_files_are_read_or_refused_with_a_place(edits in proptest::collection::vec(edit(), 1..6)) {
        let src = apply_edits(BASELINE, &edits);
        match Scenario::parse(&src, "m.ron") {
            Ok(s) => {
                prop_assert!(s.validate().is_empty());
                // What was read reads back the same.
                prop_assert_eq!(Scenario::parse(&s.to_ron(), "again.ron").unwrap(), s);
            }
            Err(e) => assert_located(&e, &src),
        }
    }

    /// Any text at all, including deep brackets.
    #[test]
    fn any_text_is_read_or_refused(src in prop_oneof![any::<String>(), "[\\[\\]\\(\\)\\{\\}:,a-z0-9 \"/*]{0,400}"]) {
        match Scenario::parse(&src, "t.ron") {
            Ok(s) => prop_assert!(s.validate().is_empty()),
            Err(e) => assert_located(&e, &src),
        }
        let _ = ronpath::path_at(&src, 1, 3);
        let _ = ronpath::locate(&src, "suppliers[0].site");
    }

    /// Any `--set` gives a scenario that reads back, or an error that names the assignment.
    #[test]
    fn any_set_is_applied_or_refused(path in set_path(), value in set_value()) {
        let mut s = default_scenario().with_one_of_each();
        s.incentives.local_content = vec![(2.0, 0.3)];
        let a = format!("{path}={value}");
        match apply_set(&s, &a) {
            Ok(t) => {
                // The one-line form reads back the same (nothing the override let in is lost).
                let again: Scenario = ron::from_str(&t.canonical()).unwrap();
                prop_assert_eq!(&again, &t);
                // Only the field set (and what is under it) changed.
                let top = path.split(['.', '[']).next().unwrap();
                let mut back = t.clone();
                match top {
                    "name" => back.name = s.name.clone(),
                    "seed" => back.seed = s.seed,
                    "years" => back.years = s.years,
                    "map" => back.map = s.map.clone(),
                    "anchor" => back.anchor = s.anchor.clone(),
                    "suppliers" => back.suppliers = s.suppliers.clone(),
                    "rd_centres" => back.rd_centres = s.rd_centres.clone(),
                    "training_centres" => back.training_centres = s.training_centres.clone(),
                    "logistics_hubs" => back.logistics_hubs = s.logistics_hubs.clone(),
                    "incentives" => back.incentives = s.incentives.clone(),
                    "model" => back.model = s.model.clone(),
                    _ => {}
                }
                prop_assert_eq!(back, s);
            }
            Err(e) => prop_assert!(e.starts_with(&format!("--set {a}")), "{}", e),
        }
    }

    /// Every numeric field takes a number written as a file would have it, and only that field
    /// changes.
    #[test]
    fn every_numeric_field_takes_a_number(k in 0..FIELDS.len(), t in 0.0..=1.0f64) {
        let f = &FIELDS[k];
        let s = default_scenario().with_one_of_each();
        let v = f.min + t * (f.max - f.min);
        let v = if f.integer { v.round() } else { v };
        let written = if f.integer { format!("{}", v as i64) } else { format!("{v:?}") };
        let path = f.path.replace("[i]", "[0]");
        let out = apply_set(&s, &format!("{path}={written}")).unwrap();
        let mut want = s.clone();
        match f.access {
            Access::Scalar { set, .. } => set(&mut want, v),
            Access::Item { set, .. } => set(&mut want, 0, v),
        }
        prop_assert_eq!(out, want);
    }

    /// A part set to its own value (as RON) is the same scenario.
    #[test]
    fn a_part_set_to_itself_changes_nothing(part in proptest::sample::select(vec!["map", "anchor", "incentives", "model", "suppliers", "anchor.commitments"])) {
        let s = default_scenario();
        let written = match part {
            "map" => ron::to_string(&s.map),
            "anchor" => ron::to_string(&s.anchor),
            "incentives" => ron::to_string(&s.incentives),
            "model" => ron::to_string(&s.model),
            "suppliers" => ron::to_string(&s.suppliers),
            _ => ron::to_string(&s.anchor.commitments),
        }
        .unwrap();
        prop_assert_eq!(apply_set(&s, &format!("{part}={written}")).unwrap(), s);
    }
}
