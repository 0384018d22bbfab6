//! An edit in words, from the plan before and after it: "Training subsidy 0 -> 1,500 USD per
//! trainee", "Moved Song Da Tooling (9.9, 20.0) -> (17.4, 12.0) km", "Added R&D centre 2 at
//! (17.4, 12.0) km". The numeric fields are the registry's, with its labels and units (shares in
//! %, as the sliders show them); facilities are named by name and site. At the bottom of the
//! window's files (it reads only the model): the plan's edit list and status line use it.

use crate::registry::{Access, FIELDS, Field, thousands};
use crate::scenario::{Scenario, Site};

/// What changed from `before` to `after`, one phrase per change, in the order of the file.
/// Empty when nothing the words know of changed (the caller then says what it did).
pub fn describe(before: &Scenario, after: &Scenario) -> Vec<String> {
    let mut out = Vec::new();
    if before.name != after.name {
        out.push(format!("Renamed the plan '{}' -> '{}'", before.name, after.name));
    }
    if before.description != after.description {
        out.push("Changed the plan's description".to_string());
    }
    if before.seed != after.seed {
        out.push(format!("Seed {} -> {}", before.seed, after.seed));
    }
    if before.map.seed != after.map.seed {
        out.push(format!("Map seed {} -> {}", before.map.seed, after.map.seed));
    }
    if before.anchor.site != after.anchor.site {
        out.push(format!("Moved the anchor {} -> {} km", at(before.anchor.site), at(after.anchor.site)));
    }
    if before.anchor.sector != after.anchor.sector {
        out.push(format!("Anchor's sector {:?} -> {:?}", before.anchor.sector, after.anchor.sector));
    }
    if before.anchor.ownership != after.anchor.ownership {
        out.push(format!("Anchor's ownership {} -> {}", before.anchor.ownership.label(), after.anchor.ownership.label()));
    }
    for f in FIELDS {
        if let Access::Scalar { get, .. } = f.access
            && get(before) != get(after)
        {
            out.push(change(f, "", get(before), get(after)));
        }
    }
    out.extend(local_content(&before.incentives.local_content, &after.incentives.local_content));
    for (kind, list) in LISTS {
        out.extend(facilities(before, after, kind, list));
    }
    out
}

/// "Label (whose) a -> b unit": a field's change as the sliders show it (shares in %).
fn change(f: &Field, whose: &str, a: f64, b: f64) -> String {
    let unit = f.shown_unit();
    let unit = if unit.is_empty() { String::new() } else { format!(" {unit}") };
    format!("{}{whose} {} -> {}{unit}", f.label, number(f.shown(a)), number(f.shown(b)))
}

/// A number as the planner reads it: thousands separated, no trailing zeros, at most three
/// decimals ("1,500", "0.25", "12.5").
pub fn number(v: f64) -> String {
    let decimals = (0..3).find(|&d| {
        let p = 10f64.powi(d as i32);
        ((v * p).round() - v * p).abs() < 1e-6
    });
    let s = thousands(v, decimals.unwrap_or(3));
    if s == "-0" { "0".into() } else { s }
}

/// "(9.9, 20.0)": a site to a tenth of a km (the map's grid is finer than a planner reads).
fn at(s: Site) -> String {
    format!("({:.1}, {:.1})", s.x_km, s.y_km)
}

/// The local-content roadmap's steps: changed, added or removed.
fn local_content(before: &[(f64, f64)], after: &[(f64, f64)]) -> Vec<String> {
    let f = &crate::registry::LOCAL_CONTENT_SHARE;
    let step = |(year, share): (f64, f64)| format!("from year {}, {} {}", number(year), number(f.shown(share)), f.shown_unit());
    if before.len() == after.len() {
        return before
            .iter()
            .zip(after)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, (a, b))| format!("Local-content step {}: {} -> {}", i + 1, step(*a), step(*b)))
            .collect();
    }
    match changed_item(before, after) {
        Some(Changed::Added(s)) => vec![format!("Added a local-content step: {}", step(*s))],
        Some(Changed::Removed(s)) => vec![format!("Removed the local-content step {}", step(*s))],
        None => vec![format!("Local-content roadmap: {} -> {} steps", before.len(), after.len())],
    }
}

/// One facility of a list as the words need it.
struct Item {
    name: String,
    site: Site,
    /// Other settings that are not registry fields (a supplier's tier and owner).
    extra: Vec<(&'static str, String)>,
}

type Items = fn(&Scenario) -> Vec<Item>;

/// The plan's lists of facilities: the kind's words, and the items.
const LISTS: [(&str, Items); 4] = [
    ("supplier", |s| {
        let extra = |f: &crate::scenario::SupplierSpec| {
            vec![("Starting tier", f.tier.label().to_string()), ("Owner", f.ownership.label().to_string())]
        };
        s.suppliers.iter().map(|f| Item { name: f.name.clone(), site: f.site, extra: extra(f) }).collect()
    }),
    ("R&D centre", |s| s.rd_centres.iter().map(|f| Item { name: f.name.clone(), site: f.site, extra: vec![] }).collect()),
    ("training centre", |s| s.training_centres.iter().map(|f| Item { name: f.name.clone(), site: f.site, extra: vec![] }).collect()),
    ("logistics hub", |s| s.logistics_hubs.iter().map(|f| Item { name: f.name.clone(), site: f.site, extra: vec![] }).collect()),
];

/// The registry's list path of a kind ("suppliers" for its `suppliers[i].capability`).
fn list_path(kind: &str) -> &'static str {
    match kind {
        "supplier" => "suppliers[",
        "R&D centre" => "rd_centres[",
        "training centre" => "training_centres[",
        _ => "logistics_hubs[",
    }
}

/// A facility by its name ("Song Da Tooling"), or "R&D centre #3" for one with no name.
fn named(kind: &str, name: &str, i: usize) -> String {
    if name.is_empty() { format!("{kind} #{}", i + 1) } else { name.to_string() }
}

/// With its kind, for what is added or removed ("supplier Song Da Tooling", "R&D centre 2").
fn kind_and_name(kind: &str, name: &str, i: usize) -> String {
    let named = named(kind, name, i);
    if named.to_lowercase().starts_with(&kind.to_lowercase()) { named } else { format!("{kind} {named}") }
}

/// An item added to or removed from a list (the rest in order), found where the lists first differ.
enum Changed<'a, T> {
    Added(&'a T),
    Removed(&'a T),
}

fn changed_item<'a, T: PartialEq>(before: &'a [T], after: &'a [T]) -> Option<Changed<'a, T>> {
    let first = before.iter().zip(after).position(|(a, b)| a != b).unwrap_or(before.len().min(after.len()));
    if after.len() == before.len() + 1 && before[first..] == after[first + 1..] {
        Some(Changed::Added(&after[first]))
    } else if before.len() == after.len() + 1 && before[first + 1..] == after[first..] {
        Some(Changed::Removed(&before[first]))
    } else {
        None
    }
}

/// The changes to one list of facilities: added, removed, moved, renamed or set otherwise.
fn facilities(before: &Scenario, after: &Scenario, kind: &str, list: Items) -> Vec<String> {
    let (a, b) = (list(before), list(after));
    if a.len() != b.len() {
        let key = |v: &[Item]| v.iter().map(|i| (i.name.clone(), i.site.x_km, i.site.y_km)).collect::<Vec<_>>();
        let (ka, kb) = (key(&a), key(&b));
        let item = |k: &(String, f64, f64), i: usize| (kind_and_name(kind, &k.0, i), at(Site { x_km: k.1, y_km: k.2 }));
        return match changed_item(&ka, &kb) {
            Some(Changed::Added(k)) => {
                let (name, site) = item(k, kb.iter().position(|x| x == k).unwrap_or(0));
                vec![format!("Added {name} at {site} km")]
            }
            Some(Changed::Removed(k)) => {
                let (name, site) = item(k, ka.iter().position(|x| x == k).unwrap_or(0));
                vec![format!("Removed {name} at {site} km")]
            }
            None => vec![format!("{} {kind}s -> {}", a.len(), b.len())],
        };
    }
    let mut out = Vec::new();
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let name = named(kind, &x.name, i);
        if x.name != y.name {
            out.push(format!("Renamed {name} -> '{}'", y.name));
        }
        if x.site != y.site {
            out.push(format!("Moved {name} {} -> {} km", at(x.site), at(y.site)));
        }
        for ((what, u), (_, v)) in x.extra.iter().zip(&y.extra) {
            if u != v {
                out.push(format!("{what} ({name}) {u} -> {v}"));
            }
        }
        for f in FIELDS.iter().filter(|f| f.path.starts_with(list_path(kind))) {
            if let Access::Item { get, .. } = f.access
                && get(before, i) != get(after, i)
            {
                out.push(change(f, &format!(" ({name})"), get(before, i), get(after, i)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{RdCentreSpec, default_scenario};

    #[test]
    fn a_slider_change_reads_as_the_slider_with_its_unit() {
        let before = default_scenario();
        let mut after = before.clone();
        after.incentives.training_subsidy_usd_per_trainee = 1_500.0;
        assert_eq!(
            describe(&before, &after),
            [format!("Training subsidy {} -> 1,500 USD per trainee", number(before.incentives.training_subsidy_usd_per_trainee))]
        );
        // A share reads in %, as its slider shows it; files keep 0-1.
        let mut after = before.clone();
        after.incentives.cit_rate = 0.05;
        after.incentives.local_content = vec![(2.0, 0.3)];
        let words = describe(&before, &after);
        assert_eq!(words, ["Preferential corporate income tax rate 10 -> 5 %", "Added a local-content step: from year 2, 30 %"]);
    }

    #[test]
    fn a_move_names_the_facility_and_both_sites() {
        let before = default_scenario();
        let mut after = before.clone();
        let name = after.suppliers[0].name.clone();
        let from = after.suppliers[0].site;
        after.suppliers[0].site = Site { x_km: 17.4, y_km: 12.0 };
        assert_eq!(describe(&before, &after), [format!("Moved {name} ({:.1}, {:.1}) -> (17.4, 12.0) km", from.x_km, from.y_km)]);
        let mut anchor = before.clone();
        anchor.anchor.site = Site { x_km: 16.0, y_km: 12.0 };
        assert_eq!(describe(&before, &anchor), [format!("Moved the anchor {} -> (16.0, 12.0) km", at(before.anchor.site))]);
    }

    #[test]
    fn an_add_and_a_remove_name_the_facility_and_its_site() {
        let before = default_scenario();
        let mut after = before.clone();
        after.rd_centres.push(RdCentreSpec { name: "R&D centre 2".into(), site: Site { x_km: 17.4, y_km: 12.0 }, ..Default::default() });
        assert_eq!(describe(&before, &after), ["Added R&D centre 2 at (17.4, 12.0) km"]);
        assert_eq!(describe(&after, &before), ["Removed R&D centre 2 at (17.4, 12.0) km"]);
        // A supplier taken out of the middle of the list is the one named, not the last.
        let mut fewer = before.clone();
        let gone = fewer.suppliers.remove(1);
        assert_eq!(describe(&before, &fewer), [format!("Removed supplier {} at {} km", gone.name, at(gone.site))]);
        // A facility's own settings name it.
        let mut richer = before.clone();
        richer.suppliers[1].capacity_usd_m = 123.0;
        let words = describe(&before, &richer);
        assert_eq!(words.len(), 1);
        assert_eq!(words, [format!("Supplier's capacity ({}) 16 -> 123 USD million per year", gone.name)]);
    }

    #[test]
    fn a_rename_and_nothing_at_all() {
        let before = default_scenario();
        assert!(describe(&before, &before).is_empty());
        let after = Scenario { name: "Team A".into(), ..before.clone() };
        assert_eq!(describe(&before, &after), [format!("Renamed the plan '{}' -> 'Team A'", before.name)]);
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(
            [number(1500.0), number(0.25), number(12.5), number(100_000.0), number(-0.0), number(0.1234)],
            ["1,500", "0.25", "12.5", "100,000", "0", "0.123"]
        );
    }
}
