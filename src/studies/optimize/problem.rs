//! What `kicsim optimize` is asked: objectives (`--minimize KPI@YEAR`), requirements
//! (`--require "KPI@YEAR >= V"` with a confidence) and levers (incentive fields, steps of the
//! local-content roadmap, facility sites) with their bounds, parsed and checked against the
//! registry before anything runs. Every mistake names the option and the value.

use crate::registry::{Access, Field, Kpi, field_of, kpi_of};
use crate::scenario::{Scenario, Site};
use crate::sim::map::SiteMap;
use crate::studies::draws::final_names;

/// Minimise or maximise.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sense {
    Minimize,
    Maximize,
}

/// An objective: a KPI at a year, its mean over the replications (or draws) minimised or maximised.
#[derive(Clone, Debug)]
pub struct Objective {
    pub kpi: &'static Kpi,
    pub year: u32,
    pub sense: Sense,
}

impl Objective {
    /// `cumulative_fiscal_cost_usd_m@10`.
    pub fn name(&self) -> String {
        format!("{}@{}", self.kpi.name, self.year)
    }

    /// +1 to minimise, -1 to maximise: the search minimises `sign * mean`.
    pub fn sign(&self) -> f64 {
        if self.sense == Sense::Minimize { 1.0 } else { -1.0 }
    }
}

/// `>=` or `<=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    AtLeast,
    AtMost,
}

/// A requirement: the KPI at the year meets the threshold in at least `confidence` of the
/// replications (or parameter draws).
#[derive(Clone, Debug)]
pub struct Requirement {
    pub kpi: &'static Kpi,
    pub year: u32,
    pub op: Op,
    pub threshold: f64,
}

impl Requirement {
    /// `localization_rate@10 >= 0.5`.
    pub fn text(&self) -> String {
        format!("{}@{} {} {}", self.kpi.name, self.year, if self.op == Op::AtLeast { ">=" } else { "<=" }, self.threshold)
    }

    pub fn holds(&self, v: f64) -> bool {
        match self.op {
            Op::AtLeast => v >= self.threshold,
            Op::AtMost => v <= self.threshold,
        }
    }

    /// How far `v` falls short of the threshold (0 when it holds), relative to the threshold's size.
    pub fn shortfall(&self, v: f64) -> f64 {
        let scale = self.threshold.abs().max(1e-6);
        let gap = match self.op {
            Op::AtLeast => self.threshold - v,
            Op::AtMost => v - self.threshold,
        };
        if v.is_nan() { 1e3 } else { gap.max(0.0) / scale }
    }
}

/// Which facility a site lever moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FacilityRef {
    Anchor,
    Supplier(usize),
    RdCentre(usize),
    TrainingCentre(usize),
    LogisticsHub(usize),
}

impl FacilityRef {
    pub fn path(&self) -> String {
        match self {
            FacilityRef::Anchor => "anchor".into(),
            FacilityRef::Supplier(i) => format!("suppliers[{i}]"),
            FacilityRef::RdCentre(i) => format!("rd_centres[{i}]"),
            FacilityRef::TrainingCentre(i) => format!("training_centres[{i}]"),
            FacilityRef::LogisticsHub(i) => format!("logistics_hubs[{i}]"),
        }
    }

    pub fn site(&self, s: &Scenario) -> Option<Site> {
        match *self {
            FacilityRef::Anchor => Some(s.anchor.site),
            FacilityRef::Supplier(i) => s.suppliers.get(i).map(|f| f.site),
            FacilityRef::RdCentre(i) => s.rd_centres.get(i).map(|f| f.site),
            FacilityRef::TrainingCentre(i) => s.training_centres.get(i).map(|f| f.site),
            FacilityRef::LogisticsHub(i) => s.logistics_hubs.get(i).map(|f| f.site),
        }
    }

    pub fn set_site(&self, s: &mut Scenario, site: Site) {
        let slot = match *self {
            FacilityRef::Anchor => Some(&mut s.anchor.site),
            FacilityRef::Supplier(i) => s.suppliers.get_mut(i).map(|f| &mut f.site),
            FacilityRef::RdCentre(i) => s.rd_centres.get_mut(i).map(|f| &mut f.site),
            FacilityRef::TrainingCentre(i) => s.training_centres.get_mut(i).map(|f| &mut f.site),
            FacilityRef::LogisticsHub(i) => s.logistics_hubs.get_mut(i).map(|f| &mut f.site),
        };
        if let Some(slot) = slot {
            *slot = site;
        }
    }

    /// Every facility of the plan, in file order.
    pub fn all(s: &Scenario) -> Vec<FacilityRef> {
        let mut v = vec![FacilityRef::Anchor];
        v.extend((0..s.suppliers.len()).map(FacilityRef::Supplier));
        v.extend((0..s.rd_centres.len()).map(FacilityRef::RdCentre));
        v.extend((0..s.training_centres.len()).map(FacilityRef::TrainingCentre));
        v.extend((0..s.logistics_hubs.len()).map(FacilityRef::LogisticsHub));
        v
    }
}

/// What a lever changes.
#[derive(Clone, Debug)]
pub enum LeverKind {
    /// A numeric field of the registry (an item of a list with its index).
    Field {
        field: &'static Field,
        index: Option<usize>,
    },
    /// Step `i` of the local-content roadmap: its year, or its share.
    RoadmapYear(usize),
    RoadmapShare(usize),
    /// A facility's site, east (x) or north (y) coordinate; moved to buildable land afterwards.
    SiteX(FacilityRef),
    SiteY(FacilityRef),
}

/// One dimension of the search: a scenario value between two bounds.
#[derive(Clone, Debug)]
pub struct Lever {
    pub path: String,
    pub kind: LeverKind,
    pub lo: f64,
    pub hi: f64,
    pub integer: bool,
}

impl Lever {
    /// The value at `u` in 0..1 (clamped; whole numbers rounded).
    pub fn value_at(&self, u: f64) -> f64 {
        let v = self.lo + u.clamp(0.0, 1.0) * (self.hi - self.lo);
        if self.integer { v.round().clamp(self.lo.ceil(), self.hi.floor()) } else { v }
    }

    /// Where `v` lies between the bounds, 0..1.
    pub fn unit_of(&self, v: f64) -> f64 {
        if self.hi > self.lo { ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0) } else { 0.0 }
    }

    pub fn get(&self, s: &Scenario) -> f64 {
        match &self.kind {
            LeverKind::Field { field, index } => match (field.access, index) {
                (Access::Item { get, len, .. }, Some(i)) if *i < len(s) => get(s, *i),
                _ => field.get(s).unwrap_or(f64::NAN),
            },
            LeverKind::RoadmapYear(i) => s.incentives.local_content.get(*i).map_or(f64::NAN, |p| p.0),
            LeverKind::RoadmapShare(i) => s.incentives.local_content.get(*i).map_or(f64::NAN, |p| p.1),
            LeverKind::SiteX(f) => f.site(s).map_or(f64::NAN, |p| p.x_km),
            LeverKind::SiteY(f) => f.site(s).map_or(f64::NAN, |p| p.y_km),
        }
    }

    pub fn set(&self, s: &mut Scenario, v: f64) {
        match &self.kind {
            LeverKind::Field { field, index } => match (field.access, index) {
                (Access::Item { set, len, .. }, Some(i)) if *i < len(s) => set(s, *i, v),
                _ => field.set(s, v),
            },
            LeverKind::RoadmapYear(i) => {
                if let Some(p) = s.incentives.local_content.get_mut(*i) {
                    p.0 = v
                }
            }
            LeverKind::RoadmapShare(i) => {
                if let Some(p) = s.incentives.local_content.get_mut(*i) {
                    p.1 = v
                }
            }
            LeverKind::SiteX(f) => {
                let y = f.site(s).map_or(0.0, |p| p.y_km);
                f.set_site(s, Site { x_km: v, y_km: y });
            }
            LeverKind::SiteY(f) => {
                let x = f.site(s).map_or(0.0, |p| p.x_km);
                f.set_site(s, Site { x_km: x, y_km: v });
            }
        }
    }

    /// The lever's name in the planner's words.
    pub fn label(&self) -> String {
        match &self.kind {
            LeverKind::Field { field, .. } => field.label.to_string(),
            LeverKind::RoadmapYear(i) => format!("Local-content step {} year", i + 1),
            LeverKind::RoadmapShare(i) => format!("Local-content step {} share", i + 1),
            LeverKind::SiteX(f) => format!("{} site, east (km)", f.path()),
            LeverKind::SiteY(f) => format!("{} site, north (km)", f.path()),
        }
    }

    pub fn is_site(&self) -> bool {
        matches!(self.kind, LeverKind::SiteX(_) | LeverKind::SiteY(_))
    }
}

/// The incentive levers searched when `--levers` is not given.
pub const DEFAULT_LEVERS: [&str; 8] = [
    "incentives.cit_holiday_years",
    "incentives.cit_rate",
    "incentives.land_rent_exemption",
    "incentives.land_rent_exemption_years",
    "incentives.credit_interest_subsidy_pp",
    "incentives.rd_deduction",
    "incentives.training_subsidy_usd_per_trainee",
    "incentives.export_promotion_usd_m_per_year",
];

/// `KPI` or `KPI@YEAR` (the year from 1 to the run's horizon; default: the horizon).
pub fn parse_kpi_at(flag: &str, s: &str, years: u32) -> Result<(&'static Kpi, u32), String> {
    let (name, year) = match s.trim().split_once('@') {
        Some((n, y)) => (n.trim(), Some(y.trim())),
        None => (s.trim(), None),
    };
    let kpi = kpi_of(name).ok_or_else(|| format!("{flag} {s}: unknown KPI `{name}`: {}", crate::names::hint(name, final_names())))?;
    let year = match year {
        None => years,
        Some(y) => match y.parse::<u32>() {
            Ok(y) if (1..=years).contains(&y) => y,
            Ok(y) if y > years => {
                return Err(format!("{flag} {s}: year {y} is past the run's horizon of {years} years (--years N runs longer)"));
            }
            _ => return Err(format!("{flag} {s}: `{y}` is not a year from 1 to {years}")),
        },
    };
    Ok((kpi, year))
}

/// Parses `KPI@YEAR >= V` (or `<=`; V a number, or a percentage for a share: `50%`).
pub fn parse_requirement(s: &str, years: u32) -> Result<Requirement, String> {
    let shape = "expected KPI@YEAR >= VALUE or KPI@YEAR <= VALUE, e.g. \"localization_rate@10 >= 0.5\"";
    let (lhs, op, rhs) = if let Some((l, r)) = s.split_once(">=") {
        (l, Op::AtLeast, r)
    } else if let Some((l, r)) = s.split_once("<=") {
        (l, Op::AtMost, r)
    } else {
        return Err(format!("--require {s}: {shape}"));
    };
    if lhs.trim().is_empty() || rhs.trim().is_empty() || rhs.contains(['<', '>', '=']) {
        return Err(format!("--require {s}: {shape}"));
    }
    let (kpi, year) = parse_kpi_at("--require", lhs, years)?;
    let rhs = rhs.trim();
    let threshold = match rhs.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => rhs.parse::<f64>(),
    }
    .ok()
    .filter(|v| v.is_finite())
    .ok_or_else(|| format!("--require {s}: the threshold `{rhs}` is not a number"))?;
    Ok(Requirement { kpi, year, op, threshold })
}

/// `[3]` at the end of a list name: the index.
fn list_index(s: &str) -> Option<(&str, usize)> {
    let (name, rest) = s.split_once('[')?;
    let i = rest.strip_suffix(']')?.trim().parse().ok()?;
    Some((name.trim(), i))
}

/// A facility named as in the file: `anchor`, `rd_centres[0]`, `suppliers[3]`, ...
pub fn parse_facility(s: &Scenario, text: &str) -> Result<FacilityRef, String> {
    let t = text.trim().trim_end_matches(".site");
    let f = if t == "anchor" {
        FacilityRef::Anchor
    } else {
        let (list, i) =
            list_index(t).ok_or_else(|| format!("--move {text}: name a facility as in the file: anchor, suppliers[i], rd_centres[i], training_centres[i] or logistics_hubs[i]"))?;
        match list {
            "suppliers" => FacilityRef::Supplier(i),
            "rd_centres" => FacilityRef::RdCentre(i),
            "training_centres" => FacilityRef::TrainingCentre(i),
            "logistics_hubs" => FacilityRef::LogisticsHub(i),
            _ => {
                return Err(format!(
                    "--move {text}: `{list}` is not a list of facilities (suppliers, rd_centres, training_centres, logistics_hubs)"
                ));
            }
        }
    };
    if f.site(s).is_none() {
        return Err(format!("--move {text}: the plan has no {}", f.path()));
    }
    Ok(f)
}

/// The default bounds of a field lever: the registry's range, but a preferential tax rate no
/// higher than the standard one and an interest subsidy no higher than the lending rate (above
/// them a plan is refused or is not an incentive).
pub fn default_bounds(field: &Field, s: &Scenario) -> (f64, f64) {
    match field.path {
        "incentives.cit_rate" => (field.min, field.max.min(s.model.standard_cit_rate)),
        "incentives.credit_interest_subsidy_pp" => (field.min, field.max.min(s.model.lending_rate_pct)),
        _ => (field.min, field.max),
    }
}

/// One `--levers` path as a lever with its default bounds.
pub fn parse_lever(s: &Scenario, path: &str) -> Result<Lever, String> {
    let path = path.trim();
    if let Some(rest) = path.strip_prefix("incentives.local_content") {
        let steps = s.incentives.local_content.len();
        let (idx, part) = rest.split_once('.').unwrap_or((rest, ""));
        let i = list_index(&format!("x{idx}")).map(|(_, i)| i);
        let Some(i) = i else {
            return Err(format!(
                "--levers {path}: the roadmap is not a number; name a step's year or share, e.g. incentives.local_content[0].share"
            ));
        };
        if i >= steps {
            return Err(format!("--levers {path}: the plan's roadmap has {steps} steps; add the step to the file first"));
        }
        let kind = match part {
            "share" => LeverKind::RoadmapShare(i),
            "year" => LeverKind::RoadmapYear(i),
            _ => return Err(format!("--levers {path}: a roadmap step has a `year` and a `share`")),
        };
        let hi = if part == "share" { 1.0 } else { s.years as f64 };
        return Ok(Lever { path: path.into(), kind, lo: 0.0, hi, integer: false });
    }
    let Some(field) = field_of(path) else {
        // A field of the scenario that is not a number, or no field at all (a typo).
        let unknown = crate::scenario::apply_set(s, &format!("{path}=0")).is_err_and(|e| e.contains("unknown field"));
        if !unknown {
            return Err(format!(
                "--levers {path}: not a number (only numbers can be levers; a name such as a sector or a tier cannot); levers are numeric fields such as {}",
                DEFAULT_LEVERS.join(", ")
            ));
        }
        if let Some(near) = crate::names::nearest(path, crate::registry::FIELDS.iter().map(|f| f.path)) {
            return Err(format!("--levers {path}: unknown lever: did you mean `{near}`?"));
        }
        return Err(format!("--levers {path}: unknown lever; levers are numeric fields such as {}", DEFAULT_LEVERS.join(", ")));
    };
    if field.is_model_parameter() || path == "years" || path.starts_with("map.") {
        return Err(format!(
            "--levers {path}: not a policy lever (a model parameter or the map is an assumption; --parameter-draws varies the parameters)"
        ));
    }
    let index = match field.access {
        Access::Scalar { .. } => None,
        Access::Item { len, .. } => {
            let Some((_, i)) = path.split_once('.').and_then(|(head, _)| list_index(head)) else {
                return Err(format!("--levers {path}: name the item, e.g. {}", field.path.replace("[i]", "[0]")));
            };
            if i >= len(s) {
                return Err(format!("--levers {path}: the plan has no item {i} in that list"));
            }
            Some(i)
        }
    };
    let (lo, hi) = default_bounds(field, s);
    Ok(Lever { path: path.into(), kind: LeverKind::Field { field, index }, lo, hi, integer: field.integer })
}

/// Applies `--bound path=lo..hi`: within the registry's range (and the lever's own), lo < hi.
pub fn apply_bound(levers: &mut [Lever], text: &str) -> Result<(), String> {
    let (path, range) = text.split_once('=').ok_or_else(|| format!("--bound {text}: expected path=lo..hi"))?;
    let path = path.trim();
    let (lo, hi) = range.split_once("..").ok_or_else(|| format!("--bound {text}: expected path=lo..hi"))?;
    let num = |v: &str| v.trim().parse::<f64>().ok().filter(|x| x.is_finite());
    let (Some(lo), Some(hi)) = (num(lo), num(hi)) else {
        return Err(format!("--bound {text}: the bounds must be numbers"));
    };
    let lever = levers
        .iter_mut()
        .find(|l| l.path == path)
        .ok_or_else(|| format!("--bound {text}: {path} is not one of the levers (add it to --levers)"))?;
    let (min, max) = match &lever.kind {
        LeverKind::Field { field, .. } => (field.min, field.max),
        _ => (lever.lo, lever.hi),
    };
    if lo < min || hi > max {
        return Err(format!("--bound {text}: outside the range {path} may take ({min} to {max})"));
    }
    if lo >= hi {
        return Err(format!("--bound {text}: the lower bound must be below the upper one"));
    }
    lever.lo = lo;
    lever.hi = hi;
    Ok(())
}

/// The buildable cells of the map where a moved facility may stand: on land, not too steep, not
/// on top of a facility that is not moved (the window's checks, [`SiteMap::check_site`]).
pub fn buildable_cells(s: &Scenario, moved: &[FacilityRef]) -> Vec<Site> {
    let map = SiteMap::generate(&s.map);
    let fixed: Vec<(String, Site)> =
        FacilityRef::all(s).into_iter().filter(|f| !moved.contains(f)).filter_map(|f| f.site(s).map(|site| (f.path(), site))).collect();
    (0..map.n * map.n)
        .map(|i| map.cell_centre(i))
        .filter(|c| map.check_site(*c, fixed.iter().map(|(n, p)| (n.as_str(), *p))).is_ok())
        .collect()
}

/// The buildable cell nearest to `p` (ties: the first in cell order).
pub fn nearest_cell(cells: &[Site], p: Site) -> Option<Site> {
    cells.iter().copied().min_by(|a, b| crate::sim::dist(*a, p).total_cmp(&crate::sim::dist(*b, p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_parse_and_malformed_ones_are_named() {
        let r = parse_requirement("localization_rate@10 >= 0.5", 10).unwrap();
        assert_eq!((r.kpi.name, r.year, r.op, r.threshold), ("localization_rate", 10, Op::AtLeast, 0.5));
        assert_eq!(parse_requirement("localization_rate@5>=50%", 10).unwrap().threshold, 0.5);
        assert!(parse_requirement("localization_rate@10 => 0.5", 10).unwrap_err().contains("expected KPI@YEAR"));
        assert!(parse_requirement("localization_rate@10 >= half", 10).unwrap_err().contains("`half` is not a number"));
        assert!(parse_requirement("localisation@10 >= 0.5", 10).unwrap_err().contains("unknown KPI `localisation`"));
        assert!(parse_requirement("localization_rate@12 >= 0.5", 10).unwrap_err().contains("past the run's horizon"));
        assert!(parse_requirement("localization_rate@10 >= 0.5 >= 0.6", 10).is_err());
    }

    #[test]
    fn levers_take_the_registry_ranges_and_bounds_stay_inside_them() {
        let s = crate::scenario::default_scenario();
        let mut levers = vec![parse_lever(&s, "incentives.cit_holiday_years").unwrap()];
        assert_eq!((levers[0].lo, levers[0].hi), (0.0, 30.0));
        apply_bound(&mut levers, "incentives.cit_holiday_years=0..8").unwrap();
        assert_eq!((levers[0].lo, levers[0].hi), (0.0, 8.0));
        assert!(apply_bound(&mut levers, "incentives.cit_holiday_years=0..40").unwrap_err().contains("outside the range"));
        assert!(apply_bound(&mut levers, "incentives.cit_holiday_years=a..4").unwrap_err().contains("numbers"));
        let e = parse_lever(&s, "incentives.cit_holidays").unwrap_err();
        assert!(e.contains("unknown lever") && e.contains("did you mean `incentives.cit_holiday_years`?"), "{e}");
        assert!(parse_lever(&s, "anchor.sector").unwrap_err().contains("not a number"));
        assert!(parse_lever(&s, "incentives.local_content").unwrap_err().contains("not a number"));
        assert!(parse_lever(&s, "model.learning_rate").unwrap_err().contains("not a policy lever"));
        let cit = parse_lever(&s, "incentives.cit_rate").unwrap();
        assert_eq!(cit.hi, s.model.standard_cit_rate, "a preferential rate stays at or below the standard one");
    }
}
