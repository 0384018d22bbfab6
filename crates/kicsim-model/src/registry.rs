//! The one description of every numeric scenario field and every KPI.
//!
//! Validation ([`crate::check`]) takes its ranges from here, the window's sliders take their
//! ranges, labels and hover text from here, the SCENARIO.md test compares the docs with it, and
//! sensitivity analysis and parameter draws take the plausible ranges of the `model.*`
//! parameters from here. Nothing else keeps a copy.

use crate::scenario::Scenario;

/// How a field is read and written in a scenario.
#[derive(Clone, Copy)]
pub enum Access {
    /// One value, e.g. `incentives.cit_rate`.
    Scalar { get: fn(&Scenario) -> f64, set: fn(&mut Scenario, f64) },
    /// One value per item of a list, e.g. `suppliers[i].capability`.
    Item { len: fn(&Scenario) -> usize, get: fn(&Scenario, usize) -> f64, set: fn(&mut Scenario, usize, f64) },
}

/// One numeric field of the scenario format.
#[derive(Clone, Copy)]
pub struct Field {
    /// The scenario file's name, e.g. `incentives.cit_holiday_years`; list items as `suppliers[i].capability`.
    pub path: &'static str,
    /// The planner's words, e.g. "Corporate income tax holiday".
    pub label: &'static str,
    /// Unit, e.g. "years", "USD million per year", "share 0-1" ("" for an index).
    pub unit: &'static str,
    /// The values a file may hold (validation refuses others; sliders span them).
    pub min: f64,
    pub max: f64,
    /// A whole number (years, counts, quarters).
    pub integer: bool,
    /// What the field does, in one or two sentences.
    pub help: &'static str,
    /// For model parameters: the range of values the literature or the calibration finds
    /// plausible (sensitivity analysis and `--parameter-draws` sample from it), and its source.
    pub plausible: Option<(f64, f64)>,
    pub source: &'static str,
    pub access: Access,
    /// Where more buys nothing (a function of the plan): the window's slider stops there and
    /// warns beyond it. Validation still allows up to `max`.
    pub useful_max: Option<UsefulMax>,
}

/// Where more of a field buys nothing, and why (the window's warning beyond it reads "above
/// 1,500 buys nothing more and still costs").
#[derive(Clone, Copy)]
pub struct UsefulMax {
    pub at: fn(&Scenario) -> f64,
    pub why: &'static str,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field").field("path", &self.path).field("min", &self.min).field("max", &self.max).finish()
    }
}

impl Field {
    /// The value of a scalar field (items: the first item's; `None` when the list is empty).
    pub fn get(&self, s: &Scenario) -> Option<f64> {
        match self.access {
            Access::Scalar { get, .. } => Some(get(s)),
            Access::Item { len, get, .. } => (len(s) > 0).then(|| get(s, 0)),
        }
    }

    /// Sets a scalar field (whole numbers are rounded); items: every item of the list.
    pub fn set(&self, s: &mut Scenario, v: f64) {
        let v = if self.integer { v.round() } else { v };
        match self.access {
            Access::Scalar { set, .. } => set(s, v),
            Access::Item { len, set, .. } => {
                for i in 0..len(s) {
                    set(s, i, v)
                }
            }
        }
    }

    /// The default of the field (items: the default of a new item).
    pub fn default_value(&self) -> f64 {
        let s = Scenario::default().with_one_of_each();
        self.get(&s).expect("every list has one item")
    }

    /// "0-30 years": the range as the docs and messages write it.
    pub fn range_text(&self) -> String {
        if self.unit.is_empty() { format!("{}-{}", self.min, self.max) } else { format!("{}-{} {}", self.min, self.max, self.unit) }
    }

    pub fn is_model_parameter(&self) -> bool {
        self.path.starts_with("model.")
    }

    /// A share or a rate (unit "share ...", "rate 0-1", "extra share ..."): files hold it as 0-1,
    /// people read it in percent (the window's sliders and labels, the reports' tables). Indices
    /// on 0-1 ("0-1", capability, thresholds) are not shares and stay as they are.
    pub fn in_percent(&self) -> bool {
        self.unit.starts_with("share") || self.unit.starts_with("rate") || self.unit.starts_with("extra share")
    }

    /// The unit as people read it: "%" for "share 0-1" and "rate 0-1", "% of output" for "share
    /// of output", "extra % of R&D spending deducted"; other units as the registry has them.
    pub fn shown_unit(&self) -> String {
        if !self.in_percent() {
            return self.unit.to_string();
        }
        let u = self.unit.replacen("share", "%", 1).replacen("rate", "%", 1);
        u.strip_suffix(" 0-1").unwrap_or(&u).to_string()
    }

    /// A value as people read it (x 100 for a share), rounded at the ninth decimal so a share
    /// of 0.07 reads 7, not 7.000000000000001, and [`Self::from_shown`] gives 0.07 back exactly.
    pub fn shown(&self, v: f64) -> f64 {
        if self.in_percent() { (v * 100.0 * 1e9).round() / 1e9 } else { v }
    }

    /// A value read back from how people read it ([`Self::shown`]'s inverse).
    pub fn from_shown(&self, v: f64) -> f64 {
        if self.in_percent() { v / 100.0 } else { v }
    }

    /// "0-50 %" or "0-30 years": [`Self::range_text`] as people read it.
    pub fn shown_range_text(&self) -> String {
        if !self.in_percent() {
            return self.range_text();
        }
        let n = |v: f64| {
            let v = self.shown(v);
            if v.fract() == 0.0 { format!("{}", v as i64) } else { format!("{v}") }
        };
        format!("{}-{} {}", n(self.min), n(self.max), self.shown_unit())
    }
}

macro_rules! scalar {
    ($($p:ident).+ as f64) => {
        Access::Scalar { get: |s: &Scenario| s.$($p).+, set: |s: &mut Scenario, v: f64| s.$($p).+ = v }
    };
    ($($p:ident).+ as u32) => {
        Access::Scalar { get: |s: &Scenario| s.$($p).+ as f64, set: |s: &mut Scenario, v: f64| s.$($p).+ = v.max(0.0) as u32 }
    };
}

macro_rules! item {
    ($list:ident . $($p:ident).+) => {
        Access::Item {
            len: |s: &Scenario| s.$list.len(),
            get: |s: &Scenario, i: usize| s.$list[i].$($p).+,
            set: |s: &mut Scenario, i: usize, v: f64| s.$list[i].$($p).+ = v,
        }
    };
}

/// A field of the file that is not a model parameter.
const fn field(
    path: &'static str,
    label: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    help: &'static str,
    access: Access,
) -> Field {
    Field { path, label, unit, min, max, integer: false, help, plausible: None, source: "", access, useful_max: None }
}

/// A period whose slider stops at the run's horizon: the years after it are in no forecast.
const fn until_horizon(f: Field) -> Field {
    useful(f, |s| s.years as f64, "years runs past the horizon: the years after it are neither costed nor counted")
}

/// A field whose slider stops where more buys nothing ([`UsefulMax`]).
const fn useful(f: Field, at: fn(&Scenario) -> f64, why: &'static str) -> Field {
    Field { useful_max: Some(UsefulMax { at, why }), ..f }
}

const fn whole(f: Field) -> Field {
    Field { integer: true, ..f }
}

/// A model parameter: allowed range, plausible range and source.
#[allow(clippy::too_many_arguments)]
const fn param(
    path: &'static str,
    label: &'static str,
    unit: &'static str,
    min: f64,
    max: f64,
    plausible: (f64, f64),
    source: &'static str,
    help: &'static str,
    access: Access,
) -> Field {
    Field { path, label, unit, min, max, integer: false, help, plausible: Some(plausible), source, access, useful_max: None }
}

/// Cost of training one worker, USD: what the training subsidy is measured against (more buys
/// nothing), what a training centre spends per trainee and what an anchor's trainee commitment
/// costs it (`sim::workforce`, `sim::fiscal`, `sim::exports`, the checks and the window read it
/// here).
pub const TRAINING_COST_USD: f64 = 1_500.0;

/// Every numeric field of a scenario, in the order of the file. Sites are checked against the
/// map's size and the local-content roadmap step by step in [`crate::check`].
pub static FIELDS: &[Field] = &[
    whole(field("years", "Horizon", "years", 1.0, 100.0, "How many years the model runs; it steps in quarters.", scalar!(years as u32))),
    field("map.size_km", "Map size", "km", 5.0, 200.0, "Side of the square map.", scalar!(map.size_km as f64)),
    field("map.cell_km", "Map cell size", "km", 0.1, 5.0, "Side of one grid cell; at most 400 x 400 cells.", scalar!(map.cell_km as f64)),
    field(
        "map.sea_share",
        "Sea share",
        "share 0-1",
        0.0,
        0.6,
        "Share of the map's width (east) that is sea.",
        scalar!(map.sea_share as f64),
    ),
    field("map.relief_m", "Relief", "m", 0.0, 2000.0, "Height scale of the hills.", scalar!(map.relief_m as f64)),
    whole(field("map.towns", "Towns", "towns", 1.0, 20.0, "Number of towns (labour pools).", scalar!(map.towns as u32))),
    field(
        "anchor.output_usd_m",
        "Anchor's planned output",
        "USD million per year",
        1.0,
        200_000.0,
        "Planned gross output in the first year at a reference site 15 freight-km from the port.",
        scalar!(anchor.output_usd_m as f64),
    ),
    field(
        "anchor.input_share",
        "Bought-in inputs",
        "share of output",
        0.05,
        0.95,
        "Share of the anchor's output value that is bought-in intermediate inputs.",
        scalar!(anchor.input_share as f64),
    ),
    field(
        "anchor.export_share",
        "Exported share",
        "share of output",
        0.0,
        1.0,
        "Share of planned output exported.",
        scalar!(anchor.export_share as f64),
    ),
    field(
        "anchor.commitments.tech_transfer",
        "Technology transfer commitment",
        "0-1",
        0.0,
        1.0,
        "How much the anchor helps its suppliers learn (0 = enclave, 1 = full supplier-development programme).",
        scalar!(anchor.commitments.tech_transfer as f64),
    ),
    field(
        "anchor.commitments.local_sourcing",
        "Local sourcing commitment",
        "share of inputs",
        0.0,
        1.0,
        "Share of inputs the anchor promises to buy locally once suppliers qualify.",
        scalar!(anchor.commitments.local_sourcing as f64),
    ),
    field(
        "anchor.commitments.rd_usd_m_per_year",
        "Anchor's R&D in the complex",
        "USD million per year",
        0.0,
        10_000.0,
        "The anchor's own R&D spending in the complex.",
        scalar!(anchor.commitments.rd_usd_m_per_year as f64),
    ),
    field(
        "anchor.commitments.trainees_per_year",
        "Workers the anchor trains",
        "workers per year",
        0.0,
        100_000.0,
        "Workers the anchor trains for the local labour pool each year.",
        scalar!(anchor.commitments.trainees_per_year as f64),
    ),
    field(
        "suppliers[i].capability",
        "Supplier's capability",
        "0-1",
        0.0,
        1.0,
        "Technological capability (1 = the anchor's frontier).",
        item!(suppliers.capability),
    ),
    field(
        "suppliers[i].capacity_usd_m",
        "Supplier's capacity",
        "USD million per year",
        0.0,
        10_000.0,
        "Production capacity.",
        item!(suppliers.capacity_usd_m),
    ),
    field(
        "rd_centres[i].budget_usd_m_per_year",
        "R&D centre's budget",
        "USD million per year",
        0.0,
        10_000.0,
        "Public R&D budget of the centre; its spillover grows with it.",
        item!(rd_centres.budget_usd_m_per_year),
    ),
    field(
        "training_centres[i].trainees_per_year",
        "Training centre's intake",
        "trainees per year",
        0.0,
        100_000.0,
        "Trainees per year paid from the centre's own budget (the training subsidy adds more).",
        item!(training_centres.trainees_per_year),
    ),
    until_horizon(field(
        "incentives.cit_holiday_years",
        "Corporate income tax holiday",
        "years",
        0.0,
        30.0,
        "Years of full exemption from corporate income tax from the start.",
        scalar!(incentives.cit_holiday_years as f64),
    )),
    field(
        "incentives.cit_rate",
        "Preferential corporate income tax rate",
        "rate 0-1",
        0.0,
        0.5,
        "Tax rate after the holiday (the standard rate is model.standard_cit_rate).",
        scalar!(incentives.cit_rate as f64),
    ),
    field(
        "incentives.land_rent_exemption",
        "Land-rent exemption",
        "share of rent waived",
        0.0,
        1.0,
        "Share of land rent waived while the exemption lasts.",
        scalar!(incentives.land_rent_exemption as f64),
    ),
    until_horizon(field(
        "incentives.land_rent_exemption_years",
        "Land-rent exemption period",
        "years",
        0.0,
        70.0,
        "Years the land-rent exemption lasts.",
        scalar!(incentives.land_rent_exemption_years as f64),
    )),
    useful(
        field(
            "incentives.credit_interest_subsidy_pp",
            "Interest subsidy on supplier loans",
            "percentage points",
            0.0,
            100.0,
            "Interest the state pays on suppliers' loans; at most the lending rate (model.lending_rate_pct).",
            scalar!(incentives.credit_interest_subsidy_pp as f64),
        ),
        |s| s.model.lending_rate_pct,
        "pays more than the whole interest (validation refuses it)",
    ),
    field(
        "incentives.rd_deduction",
        "R&D cost deduction",
        "extra share of R&D spending deducted",
        0.0,
        3.0,
        "Extra deduction of R&D spending from taxable income (1 = 100% extra, i.e. 200% deductible); worth something only to a firm that pays tax.",
        scalar!(incentives.rd_deduction as f64),
    ),
    useful(
        field(
            "incentives.training_subsidy_usd_per_trainee",
            "Training subsidy",
            "USD per trainee",
            0.0,
            100_000.0,
            "Paid per worker trained; training one worker costs USD 1,500, so more buys nothing.",
            scalar!(incentives.training_subsidy_usd_per_trainee as f64),
        ),
        // What training one worker costs.
        |_| TRAINING_COST_USD,
        "buys nothing more and still costs",
    ),
    field(
        "incentives.export_promotion_usd_m_per_year",
        "Export promotion budget",
        "USD million per year",
        0.0,
        10_000.0,
        "Public spending on trade fairs, market information and export credit insurance.",
        scalar!(incentives.export_promotion_usd_m_per_year as f64),
    ),
    param(
        "model.spillover_lambda_km",
        "Spillover decay distance",
        "km",
        0.1,
        100.0,
        (1.5, 6.0),
        "Rosenthal & Strange 2003, 2008: agglomeration effects fall sharply within the first 1-5 miles",
        "Distance over which knowledge spillover falls to 37% (halves at 0.69 of it): S(d) = a exp(-d / lambda).",
        scalar!(model.spillover_lambda_km as f64),
    ),
    param(
        "model.anchor_spillover",
        "Anchor's spillover strength",
        "",
        0.0,
        10.0,
        (0.5, 2.0),
        "set by calibration (docs/MODEL.md); Javorcik 2004, Alfaro-Urena et al. 2022: gains follow actual supply",
        "Spillover of the anchor to a supplier that sells it all its output, times (0.2 + its tech-transfer commitment); a supplier selling it a share of its output gets that share. A tenth of it reaches every firm nearby (demonstration).",
        scalar!(model.anchor_spillover as f64),
    ),
    param(
        "model.rd_spillover",
        "R&D centre's spillover strength",
        "per USD 10 million a year",
        0.0,
        10.0,
        (0.1, 0.6),
        "set by calibration (docs/MODEL.md)",
        "Spillover amplitude of an R&D centre per USD 10 million of yearly budget.",
        scalar!(model.rd_spillover as f64),
    ),
    param(
        "model.tier1_spillover",
        "Tier-1 supplier's spillover strength",
        "",
        0.0,
        10.0,
        (0.0, 0.15),
        "Havranek & Irsova 2011: horizontal spillovers weak",
        "Spillover amplitude of a tier-1 supplier, times its capability.",
        scalar!(model.tier1_spillover as f64),
    ),
    param(
        "model.learning_rate",
        "Learning speed",
        "",
        0.0,
        5.0,
        (0.4, 1.4),
        "set by calibration (docs/MODEL.md)",
        "g in the learning intensity r = g boost absorb S + learning by doing: how fast spillover turns into capability (c closes 1 - exp(-r) of the gap to its potential a quarter).",
        scalar!(model.learning_rate as f64),
    ),
    param(
        "model.learning_by_doing",
        "Learning by doing",
        "per quarter",
        0.0,
        0.5,
        (0.002, 0.012),
        "Alfaro-Urena, Manelici & Vasquez 2022: gains build up over years of supplying",
        "Learning intensity a quarter of a supplier delivering at full capacity to the anchor (adds to r; times its utilisation).",
        scalar!(model.learning_by_doing as f64),
    ),
    param(
        "model.depreciation",
        "Know-how depreciation",
        "per quarter",
        0.0,
        0.5,
        (0.002, 0.008),
        "set by calibration (docs/MODEL.md)",
        "Share of capability (know-how) lost per quarter; the frontier's growth comes on top.",
        scalar!(model.depreciation as f64),
    ),
    param(
        "model.frontier_growth",
        "Frontier growth",
        "per year",
        0.0,
        0.5,
        (0.01, 0.035),
        "OECD 2015, Andrews, Criscuolo & Gal 2016: global frontier manufacturers' productivity grew 2.8-3.5% a year, other firms' about 0.5%",
        "How fast the anchor's technology moves ahead: a supplier that learns nothing falls this far behind a year.",
        scalar!(model.frontier_growth as f64),
    ),
    param(
        "model.catch_up_potential",
        "Catch-up potential",
        "share of the gap",
        0.01,
        0.99,
        (0.3, 0.7),
        "Syverson 2011, Hsieh & Klenow 2009, Bloom & Van Reenen 2007: large, persistent productivity and management gaps within industries",
        "Mean share of its gap to the frontier that a firm can ever close; each entrant draws its own, so not every firm reaches the frontier.",
        scalar!(model.catch_up_potential as f64),
    ),
    param(
        "model.capability_noise",
        "Capability shocks",
        "sd per quarter",
        0.0,
        0.2,
        (0.005, 0.02),
        "set by calibration (docs/MODEL.md)",
        "Standard deviation of a supplier's quarterly capability shock.",
        scalar!(model.capability_noise as f64),
    ),
    param(
        "model.rd_price_elasticity",
        "Price elasticity of R&D",
        "",
        0.0,
        5.0,
        (0.5, 1.5),
        "Hall & Van Reenen 2000; Bloom, Griffith & Van Reenen 2002: long-run elasticity of R&D to its user cost about 1",
        "How much suppliers' R&D rises when a tax deduction lowers its after-tax price by 1%.",
        scalar!(model.rd_price_elasticity as f64),
    ),
    param(
        "model.rd_learning_elasticity",
        "R&D in learning",
        "",
        0.0,
        3.0,
        (0.2, 1.0),
        "set by calibration; Griffith, Redding & Van Reenen 2004: own R&D speeds catch-up to the frontier",
        "Elasticity of a supplier's learning speed with respect to its own R&D spending.",
        scalar!(model.rd_learning_elasticity as f64),
    ),
    param(
        "model.tier2_threshold",
        "Capability for tier-2",
        "0-1",
        0.0,
        1.0,
        (0.38, 0.52),
        "set by calibration: about 4% of firms supply majors (articles)",
        "Capability a supplier needs for tier-2 status (scaled by the sector's input complexity).",
        scalar!(model.tier2_threshold as f64),
    ),
    param(
        "model.tier1_threshold",
        "Capability for tier-1",
        "0-1",
        0.0,
        1.0,
        (0.6, 0.76),
        "set by calibration (docs/MODEL.md)",
        "Capability a supplier needs for tier-1 status (scaled by the sector's input complexity); at least the tier-2 threshold.",
        scalar!(model.tier1_threshold as f64),
    ),
    Field {
        integer: true,
        ..param(
            "model.tier2_quarters",
            "Trial production for tier-2",
            "quarters",
            0.0,
            200.0,
            (2.0, 8.0),
            "articles: audits, trial production and testing take years",
            "Quarters a supplier must hold the tier-2 capability before the anchor qualifies it.",
            scalar!(model.tier2_quarters as u32),
        )
    },
    Field {
        integer: true,
        ..param(
            "model.tier1_quarters",
            "Trial production for tier-1",
            "quarters",
            0.0,
            200.0,
            (4.0, 16.0),
            "articles: becoming a tier-1 vendor cannot be achieved quickly",
            "Quarters a supplier must hold the tier-1 capability before promotion.",
            scalar!(model.tier1_quarters as u32),
        )
    },
    param(
        "model.vendor_audits_per_year",
        "Vendor audits a year",
        "audits per year",
        0.0,
        1000.0,
        (2.0, 10.0),
        "Samsung Vietnam qualified about 8 new Vietnamese tier-1 vendors a year in 2014-2018 (4 to 35), for an anchor over 20 times the baseline's",
        "Qualification audits (promotions to tier-2 or tier-1) the anchor completes a year; candidates wait, the most capable first.",
        scalar!(model.vendor_audits_per_year as f64),
    ),
    param(
        "model.commute_lambda_km",
        "Commuting distance",
        "km",
        0.1,
        200.0,
        (5.0, 15.0),
        "typical commuting radii of industrial zones in Vietnam, 5-15 km",
        "Distance over which a town's workers reach a site (falls to 37% at this distance).",
        scalar!(model.commute_lambda_km as f64),
    ),
    param(
        "model.training_effect",
        "Skill gained per trainee",
        "",
        0.0,
        10.0,
        (0.1, 0.5),
        "set by calibration (docs/MODEL.md)",
        "Skill a town gains per trainee per worker, times (1 - skill).",
        scalar!(model.training_effect as f64),
    ),
    param(
        "model.skill_attrition",
        "Skill attrition",
        "per year",
        0.0,
        1.0,
        (0.01, 0.05),
        "set by calibration (docs/MODEL.md)",
        "Yearly pull of a town's skill back towards its starting level.",
        scalar!(model.skill_attrition as f64),
    ),
    param(
        "model.import_substitution_elasticity",
        "Import substitution elasticity",
        "",
        0.1,
        20.0,
        (1.0, 4.0),
        "Armington elasticity of intermediate inputs: about 1 (macro) to 3-4 (micro), Feenstra, Luck, Obstfeld & Russ 2018",
        "How much the anchor switches between imported and local inputs when their relative price changes: the local/import ratio moves by about this many % for 1% of price.",
        scalar!(model.import_substitution_elasticity as f64),
    ),
    param(
        "model.domestic_nest",
        "Domestic suppliers' nest",
        "0-1",
        0.05,
        1.0,
        (0.3, 0.8),
        "set by calibration; nested logit (McFadden 1978, Berry 1994): domestic firms are closer substitutes for each other than for imports",
        "Nest parameter of domestic suppliers in the sourcing choice: 1 = each new firm adds a product line as distinct as an import; lower = more firms add less.",
        scalar!(model.domestic_nest as f64),
    ),
    param(
        "model.import_cost",
        "Landed cost of imports",
        "index (frontier supplier = 1)",
        0.1,
        10.0,
        (1.05, 1.2),
        "tariffs, shipping and lead-time stock: 5-20% over a local frontier supplier",
        "Landed cost of an imported input at the port, relative to a domestic supplier at the frontier.",
        scalar!(model.import_cost as f64),
    ),
    param(
        "model.local_cost_premium",
        "Cost premium of a weak supplier",
        "index",
        0.0,
        10.0,
        (0.15, 0.35),
        "set by calibration (docs/MODEL.md)",
        "Extra cost of a domestic input at capability 0 (falls to 0 at capability 1).",
        scalar!(model.local_cost_premium as f64),
    ),
    param(
        "model.quality_risk",
        "Quality-risk premium",
        "index",
        0.0,
        10.0,
        (0.08, 0.25),
        "set by calibration (docs/MODEL.md)",
        "Weight of the quality risk the anchor sees in a supplier, times (1 - capability) squared.",
        scalar!(model.quality_risk as f64),
    ),
    param(
        "model.freight_per_km",
        "Freight cost",
        "index per road km",
        0.0,
        1.0,
        (0.001, 0.004),
        "inland trucking costs of Vietnam, about 0.1-0.4% of goods value per km",
        "Freight cost per km of road distance, in cost-index units per unit of goods.",
        scalar!(model.freight_per_km as f64),
    ),
    param(
        "model.hub_discount",
        "Logistics hub discount",
        "share of freight cost",
        0.0,
        1.0,
        (0.2, 0.5),
        "consolidation savings of inland container depots, 20-50%",
        "Discount on freight routed through a logistics hub.",
        scalar!(model.hub_discount as f64),
    ),
    param(
        "model.lcr_fine",
        "Local-content shortfall fine",
        "index per unit of shortfall",
        0.0,
        2.0,
        (0.1, 0.4),
        "set by policy; Hufbauer et al. 2013 on how local-content rules bind",
        "Fine per unit of local-content shortfall the audits find; the anchor pays up to lcr_detection x this to meet the rule, and the fines are fiscal revenue.",
        scalar!(model.lcr_fine as f64),
    ),
    param(
        "model.lcr_detection",
        "Share of a shortfall the audits find",
        "0-1",
        0.0,
        1.0,
        (0.3, 0.8),
        "assumption: customs and origin audits check a sample of declarations (Hufbauer et al. 2013 on weak enforcement of local-content rules)",
        "Share of a local-content shortfall the authorities' audits find and fine.",
        scalar!(model.lcr_detection as f64),
    ),
    param(
        "model.export_elasticity",
        "Price elasticity of exports",
        "",
        0.0,
        20.0,
        (2.0, 5.0),
        "trade elasticities of manufactures, 2-5 (Head & Mayer 2014)",
        "How much exports fall when the anchor's unit cost rises by 1%.",
        scalar!(model.export_elasticity as f64),
    ),
    param(
        "model.output_growth",
        "Output growth",
        "per year",
        -0.5,
        1.0,
        (0.02, 0.08),
        "Vietnam's manufacturing output growth, 2-8% a year in real terms",
        "Yearly real growth of the anchor's output before competitiveness effects.",
        scalar!(model.output_growth as f64),
    ),
    param(
        "model.entry_rate",
        "Supplier entry",
        "firms per year",
        0.0,
        100.0,
        (1.5, 5.0),
        "set by calibration (docs/MODEL.md)",
        "New supplier firms per year at full attractiveness.",
        scalar!(model.entry_rate as f64),
    ),
    param(
        "model.exit_rate",
        "Supplier exit",
        "probability per year",
        0.0,
        1.0,
        (0.06, 0.2),
        "exit rates of young small manufacturers, 6-20% a year",
        "Yearly exit probability of a supplier at capability 0 that sells nothing.",
        scalar!(model.exit_rate as f64),
    ),
    field(
        "model.standard_cit_rate",
        "Standard corporate income tax rate",
        "rate 0-1",
        0.0,
        0.6,
        "Vietnam's standard rate is 20%.",
        scalar!(model.standard_cit_rate as f64),
    ),
    field(
        "model.minimum_tax_rate",
        "Global minimum tax on the anchor",
        "rate 0-1",
        0.0,
        0.6,
        "The rate below which the anchor's effective CIT rate is topped up (the OECD's global minimum tax, Pillar Two: 15%, applied in Vietnam from 2024 to groups with revenue of EUR 750 million or more; the model applies it to an anchor of USD 800 million of planned output or more). 0 = no minimum tax.",
        scalar!(model.minimum_tax_rate as f64),
    ),
    param(
        "model.profit_margin",
        "Profit margin",
        "share of sales",
        0.0,
        0.9,
        (0.04, 0.12),
        "pre-tax margins of manufacturers, 4-12%",
        "Pre-tax profit margin on sales (anchor and suppliers).",
        scalar!(model.profit_margin as f64),
    ),
    field(
        "model.lending_rate_pct",
        "Lending rate",
        "percent per year",
        0.0,
        100.0,
        "Commercial lending rate to suppliers.",
        scalar!(model.lending_rate_pct as f64),
    ),
    param(
        "model.land_rent_usd_m",
        "Land rent of a supplier",
        "USD million per year",
        0.0,
        100.0,
        (0.08, 0.25),
        "industrial-park rents in southern Vietnam",
        "Yearly land rent of a supplier firm at land-price index 1.",
        scalar!(model.land_rent_usd_m as f64),
    ),
    param(
        "model.leverage",
        "Loan-financed share of capacity",
        "share",
        0.0,
        1.0,
        (0.3, 0.7),
        "debt shares of Vietnamese SMEs",
        "Share of a supplier's capacity financed by loans.",
        scalar!(model.leverage as f64),
    ),
    param(
        "model.foreign_entry_rate",
        "Foreign suppliers following the anchor",
        "firms per year",
        0.0,
        20.0,
        (0.1, 0.5),
        "set by calibration: JETRO surveys, Vietnamese-owned firms supply about 15-18% of Japanese affiliates' inputs of the 37-38% bought in Vietnam",
        "Foreign-owned suppliers that locate in the complex a year when the anchor still imports about USD 400 million a year of inputs they could make here, at the baseline's margin.",
        scalar!(model.foreign_entry_rate as f64),
    ),
    param(
        "model.foreign_cost_premium",
        "Foreign supplier's cost premium",
        "index",
        0.0,
        1.0,
        (0.02, 0.12),
        "assumption: expatriate staff, imported materials and a second plant's overheads",
        "Cost premium of a foreign-owned supplier's goods over a domestic firm's at the same capability.",
        scalar!(model.foreign_cost_premium as f64),
    ),
    param(
        "model.foreign_local_inputs",
        "Foreign suppliers' domestic purchases",
        "share of their sales",
        0.0,
        1.0,
        (0.1, 0.3),
        "assumption: foreign suppliers in Vietnam import most of their materials (JETRO surveys: low local procurement from Vietnamese firms)",
        "Share of a foreign-owned supplier's sales it buys from domestic firms in the complex.",
        scalar!(model.foreign_local_inputs as f64),
    ),
    param(
        "model.fdi_tax_semi_elasticity",
        "Investment response to the tax burden",
        "% per pp",
        0.0,
        10.0,
        (1.5, 4.5),
        "de Mooij & Ederveen 2003, 2008: FDI semi-elasticity to the tax rate near -3",
        "How much smaller the anchor invests for each percentage point of tax burden (tax, commitments, rent as a share of profit, over a discounted 20-year appraisal) above its alternative location's.",
        scalar!(model.fdi_tax_semi_elasticity as f64),
    ),
    param(
        "model.rival_tax_burden",
        "Alternative location's tax burden",
        "share of profit",
        0.0,
        1.0,
        (0.12, 0.2),
        "assumption: neighbouring countries' zones also offer holidays, and apply the 15% global minimum tax too (Thailand, Malaysia, Indonesia, Singapore from 2025)",
        "Tax, rent and commitments as a share of profit at the anchor's alternative location.",
        scalar!(model.rival_tax_burden as f64),
    ),
    param(
        "model.relocation_threshold",
        "Cost gap before the anchor moves lines out",
        "share of unit cost",
        0.0,
        1.0,
        (0.02, 0.15),
        "assumption: moving production lines between a multinational's plants costs a few % of unit cost",
        "How far the anchor's unit cost may rise above its alternative location's before it moves production lines out of the country.",
        scalar!(model.relocation_threshold as f64),
    ),
    param(
        "model.relocation_rate",
        "Speed of moving lines out",
        "per year per unit of gap",
        0.0,
        20.0,
        (0.5, 4.0),
        "assumption",
        "Share of the anchor moved out a year per unit of unit-cost gap beyond the threshold.",
        scalar!(model.relocation_rate as f64),
    ),
];

/// The scenario's fields that are not numbers (names, seeds, sites, choices, lists), with what
/// they are: `kicsim template` writes them as comments beside the numeric fields' own (label,
/// unit, range and help from [`FIELDS`]).
pub static OTHER_FIELDS: &[(&str, &str)] = &[
    ("name", "The plan's name, shown in the window, the reports and the compare columns."),
    ("description", "What the plan is for, in a sentence or two."),
    ("seed", "Seed of every random draw of a run (whole number); replication r uses seed + r."),
    ("map", "The terrain: generated from its seed, the sea on the east side."),
    ("map.seed", "Seed of the terrain (kept apart from the run's seed, so replications share one map)."),
    ("anchor", "The anchor enterprise."),
    ("anchor.site", "Where it stands: km from the map's south-west corner (x_km east, y_km north), on buildable land."),
    (
        "anchor.sector",
        "Electronics, Automotive, Machinery, Textiles or Footwear: how much of the inputs can be made locally, and how hard they are.",
    ),
    ("anchor.ownership", "Fdi (wholly foreign-owned), JointVenture or Domestic."),
    ("anchor.commitments", "What the investor commits to in its investment certificate."),
    ("suppliers", "Supplier firms at the start, one per line (at most 2,000)."),
    ("suppliers[i].name", "Shown as \"Supplier N\" when empty."),
    ("suppliers[i].site", "Where it stands (km), on buildable land."),
    ("suppliers[i].tier", "Untiered, Tier2 or Tier1: its tier with the anchor at the start."),
    (
        "suppliers[i].ownership",
        "Domestic, Fdi or JointVenture: a foreign-invested supplier counts in the localization rate, not in the domestic-owned share.",
    ),
    ("rd_centres", "Public R&D centres (at most 2,000)."),
    ("rd_centres[i].name", "Shown as \"R&D centre N\" when empty."),
    ("rd_centres[i].site", "Where it stands (km), on buildable land."),
    ("training_centres", "Training centres (at most 2,000)."),
    ("training_centres[i].name", "Shown as \"Training centre N\" when empty."),
    ("training_centres[i].site", "Where it stands (km), on buildable land."),
    ("logistics_hubs", "Logistics hubs that consolidate freight to the port (at most 2,000)."),
    ("logistics_hubs[i].name", "Shown as \"Logistics hub N\" when empty."),
    ("logistics_hubs[i].site", "Where it stands (km), on buildable land."),
    ("incentives", "The policy settings; the defaults are the standard regime (no incentives)."),
    (
        "incentives.local_content",
        "The local-content roadmap: [(from year, required share of inputs 0-1), ...]; the requirement of a year is the last step at or before it; [] = none.",
    ),
    ("model", "The model's parameters (docs/MODEL.md); leave them out of a plan so the calibrated defaults apply."),
];

/// A required share of the local-content roadmap (`incentives.local_content`'s steps are
/// (from year, share) pairs, checked step by step in [`crate::check`], so not one of
/// [`FIELDS`]): how the window shows and words it.
pub static LOCAL_CONTENT_SHARE: Field = field(
    "incentives.local_content[i].share",
    "Required local content",
    "share 0-1",
    0.0,
    1.0,
    "Share of the anchor's inputs it must buy from suppliers in the country from the step's year on.",
    Access::Item {
        len: |s: &Scenario| s.incentives.local_content.len(),
        get: |s: &Scenario, i: usize| s.incentives.local_content[i].1,
        set: |s: &mut Scenario, i: usize, v: f64| s.incentives.local_content[i].1 = v,
    },
);

/// The field with this path (`suppliers[3].capability` finds `suppliers[i].capability`).
pub fn field_of(path: &str) -> Option<&'static Field> {
    let generic = generic_path(path);
    FIELDS.iter().find(|f| f.path == generic)
}

/// `suppliers[3].capability` -> `suppliers[i].capability`.
pub fn generic_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[i");
            }
            ']' => {
                in_index = false;
                out.push(']');
            }
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// The model parameters that have a plausible range (what sensitivity analysis varies).
pub fn uncertain_parameters() -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(|f| f.plausible.is_some())
}

/// The table of `model.*` parameters in docs/SCENARIO.md, written from this registry (the docs
/// test checks the file holds exactly this; `UPDATE_DOCS=1 cargo test --test docs` rewrites it).
pub fn model_table_markdown() -> String {
    let mut out = String::from(
        "| field | default | range | plausible range | unit | meaning | source of the plausible range |\n|---|---|---|---|---|---|---|\n",
    );
    for f in FIELDS.iter().filter(|f| f.is_model_parameter()) {
        let name = f.path.trim_start_matches("model.");
        let default = fmt_default(f.default_value(), f.integer);
        let plausible = f.plausible.map_or("fixed (policy or institution)".to_string(), |(lo, hi)| format!("{lo}-{hi}"));
        let source = if f.source.is_empty() { "" } else { f.source };
        out.push_str(&format!("| `{name}` | {default} | {}-{} | {plausible} | {} | {} | {source} |\n", f.min, f.max, f.unit, f.help));
    }
    out
}

/// A default as the docs write it: `3.0`, `0.006`, `4` (whole numbers of integer fields).
pub fn fmt_default(v: f64, integer: bool) -> String {
    if integer { format!("{}", v as i64) } else { format!("{v:?}") }
}

/// How a KPI's values are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A share 0..1 written as a percentage ("33.1%"); differences in percentage points ("pp").
    Percent,
    /// A count of firms or people: no decimals.
    Count,
    /// Money in USD million: one decimal.
    UsdM,
    /// An index or a mean 0..1: three decimals.
    Index,
}

/// One KPI of the outputs.
#[derive(Clone, Copy, Debug)]
pub struct Kpi {
    /// Column name in the CSV/JSON outputs.
    pub name: &'static str,
    /// The planner's words.
    pub label: &'static str,
    pub unit: &'static str,
    /// Values the KPI can take: a confidence interval is cut to them.
    pub min: f64,
    pub max: f64,
    pub format: Format,
    /// Flows per quarter in the time series (summed over four quarters for a yearly figure).
    pub quarterly_flow: bool,
    /// Which way is better for the plan: every difference a report, a card or a verdict colours
    /// reads it here (more fiscal cost is worse, more localization better).
    pub better: Better,
    pub help: &'static str,
}

/// Which way a KPI's difference is better.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither is better in itself (the count of foreign suppliers, the requirement in force).
    Neither,
}

const fn kpi(name: &'static str, label: &'static str, unit: &'static str, min: f64, max: f64, format: Format, help: &'static str) -> Kpi {
    Kpi { name, label, unit, min, max, format, quarterly_flow: false, better: Better::Higher, help }
}

const fn flow(k: Kpi) -> Kpi {
    Kpi { quarterly_flow: true, ..k }
}

const fn lower_is_better(k: Kpi) -> Kpi {
    Kpi { better: Better::Lower, ..k }
}

const fn neither_is_better(k: Kpi) -> Kpi {
    Kpi { better: Better::Neither, ..k }
}

/// The one value-for-money measure of every output (window cards, compare, breakdown, sweep,
/// optimize, reports): the extra fiscal cost of a plan per extra point of localization it buys,
/// against a stated reference (the plan without incentives, or the plan without the item a
/// breakdown switches off). Not a column of the time series: it is a ratio of two paired
/// differences, computed by `studies::value`. Lower is better.
pub static VALUE_FOR_MONEY: Kpi = Kpi {
    name: "extra_cost_per_extra_localization_point",
    label: "Extra fiscal cost per extra localization point",
    unit: "USD million per pp",
    min: -INF,
    max: INF,
    format: Format::UsdM,
    quarterly_flow: false,
    better: Better::Lower,
    help: "The plan's extra cumulative fiscal cost over the reference, divided by the extra localization it reaches over the reference in percentage points (both paired over the same seeds). Only given where the gain is clear; a plan that gains at no extra cost is better value than any ratio.",
};

const INF: f64 = f64::INFINITY;

/// The KPI columns of `timeseries.csv`, in output order (every numeric column but quarter and year).
pub static KPIS: &[Kpi] = &[
    kpi(
        "localization_rate",
        "Localization",
        "share of the anchor's inputs",
        0.0,
        1.0,
        Format::Percent,
        "Share of the anchor's inputs bought from suppliers located in the country, domestic- or foreign-owned (as local-content rules and surveys count it).",
    ),
    kpi(
        "domestic_sourcing_share",
        "From domestic-owned firms",
        "share of the anchor's inputs",
        0.0,
        1.0,
        Format::Percent,
        "Share of the anchor's inputs bought from domestic-owned suppliers (part of the localization rate).",
    ),
    flow(kpi(
        "exports_usd_m",
        "Exports",
        "USD million per quarter",
        0.0,
        INF,
        Format::UsdM,
        "Exports of the anchor and its suppliers in the quarter.",
    )),
    kpi("domestic_suppliers", "Domestic suppliers", "firms", 0.0, INF, Format::Count, "Domestic-owned supplier firms in the complex."),
    neither_is_better(kpi(
        "foreign_suppliers",
        "Foreign-owned suppliers",
        "firms",
        0.0,
        INF,
        Format::Count,
        "Foreign-owned suppliers and joint ventures located in the complex.",
    )),
    kpi(
        "tier1_suppliers",
        "Domestic tier-1 suppliers",
        "firms",
        0.0,
        INF,
        Format::Count,
        "Domestic-owned suppliers the anchor has qualified as tier-1.",
    ),
    kpi(
        "tier2_suppliers",
        "Tier-2 suppliers",
        "firms",
        0.0,
        INF,
        Format::Count,
        "Domestic-owned suppliers the anchor has qualified as tier-2.",
    ),
    kpi(
        "mean_supplier_capability",
        "Mean supplier capability",
        "0-1",
        0.0,
        1.0,
        Format::Index,
        "Mean capability of the domestic-owned suppliers (1 = the anchor's frontier).",
    ),
    kpi("employment", "Employment", "jobs", 0.0, INF, Format::Count, "Jobs at the anchor and its suppliers."),
    lower_is_better(flow(kpi(
        "fiscal_cost_usd_m",
        "Fiscal cost",
        "USD million per quarter",
        -INF,
        INF,
        Format::UsdM,
        "Forgone tax and subsidies paid in the quarter, less the local-content fines collected (negative when a preferential rate is above the standard one, or fines exceed the incentives).",
    ))),
    lower_is_better(kpi(
        "cumulative_fiscal_cost_usd_m",
        "Cumulative fiscal cost",
        "USD million",
        -INF,
        INF,
        Format::UsdM,
        "Fiscal cost since the start.",
    )),
    neither_is_better(kpi(
        "local_content_required",
        "Local content required",
        "share of inputs",
        0.0,
        1.0,
        Format::Percent,
        "Local-content requirement in force.",
    )),
    lower_is_better(kpi(
        "anchor_unit_cost_index",
        "Anchor's unit cost",
        "index",
        0.0,
        INF,
        Format::Index,
        "Unit cost of the anchor's output (1 = all value added, no inputs).",
    )),
    kpi(
        "anchor_output_usd_m",
        "Anchor's output",
        "USD million per year",
        0.0,
        INF,
        Format::UsdM,
        "The anchor's output at this quarter's yearly rate.",
    ),
    kpi("mean_worker_skill", "Mean worker skill", "0-1", 0.0, 1.0, Format::Index, "Mean skill of the towns' labour pools."),
    neither_is_better(flow(kpi(
        "supplier_entries",
        "Supplier entries",
        "firms per quarter",
        0.0,
        INF,
        Format::Count,
        "New supplier firms in the quarter.",
    ))),
    lower_is_better(flow(kpi(
        "supplier_exits",
        "Supplier exits",
        "firms per quarter",
        0.0,
        INF,
        Format::Count,
        "Supplier firms that closed in the quarter.",
    ))),
];

/// Totals over a run, written beside the final values of the KPIs.
pub static TOTALS: &[Kpi] = &[
    kpi("total_exports_usd_m", "Exports over the horizon", "USD million", 0.0, INF, Format::UsdM, "Exports summed over the whole run."),
    kpi(
        "final_year_exports_usd_m",
        "Exports per year",
        "USD million per year",
        0.0,
        INF,
        Format::UsdM,
        "Exports in the last four quarters.",
    ),
];

/// The KPI or total with this name.
pub fn kpi_of(name: &str) -> Option<&'static Kpi> {
    KPIS.iter().chain(TOTALS).find(|k| k.name == name)
}

impl Kpi {
    pub fn bounds(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// A level, e.g. "33.1%", "1,234.5", "12".
    pub fn fmt(&self, v: f64) -> String {
        if !v.is_finite() {
            return "n/a".into();
        }
        match self.format {
            Format::Percent => format!("{:.1}%", 100.0 * v),
            Format::Count => thousands(v, 0),
            Format::UsdM => thousands(v, 1),
            Format::Index => format!("{v:.3}"),
        }
    }

    /// A mean over replications and its interval's ends: as [`Kpi::fmt`], but a count keeps one
    /// decimal where it is not whole ("0.6 [0.1, 1.1]", not "1 [0, 1]").
    pub fn fmt_mean(&self, v: f64) -> String {
        if self.format == Format::Count && v.is_finite() && v.fract() != 0.0 { thousands(v, 1) } else { self.fmt(v) }
    }

    /// A difference, e.g. "+2.4 pp", "-12.0".
    pub fn fmt_diff(&self, d: f64) -> String {
        if !d.is_finite() {
            return "n/a".into();
        }
        let sign = if d > 0.0 { "+" } else { "" };
        match self.format {
            Format::Percent => format!("{sign}{:.1} pp", 100.0 * d),
            Format::Count => format!("{sign}{}", thousands(d, 1)),
            Format::UsdM => format!("{sign}{}", thousands(d, 1)),
            Format::Index => format!("{sign}{d:.3}"),
        }
    }

    /// The unit of a level as a report writes it ("%" for a share written as a percentage).
    pub fn display_unit(&self) -> &'static str {
        if self.format == Format::Percent { "%" } else { self.unit }
    }

    /// The unit of a difference ("pp" for a share written as a percentage).
    pub fn diff_unit(&self) -> &'static str {
        if self.format == Format::Percent { "pp" } else { self.unit }
    }

    pub fn is_percent(&self) -> bool {
        self.format == Format::Percent
    }

    /// Whether a difference `d` (plan minus reference) is better for the plan; None where it is
    /// zero or neither way is better.
    pub fn is_better(&self, d: f64) -> Option<bool> {
        match self.better {
            _ if d == 0.0 || !d.is_finite() => None,
            Better::Higher => Some(d > 0.0),
            Better::Lower => Some(d < 0.0),
            Better::Neither => None,
        }
    }
}

/// 1234567.8 -> "1,234,567.8".
pub fn thousands(v: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    let negative = v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The training subsidy's useful maximum is what training one worker costs, as the model
    /// has it (the registry cannot import the model's rules: they import the registry).
    #[test]
    fn the_training_subsidy_buys_nothing_above_the_training_cost() {
        let f = field_of("incentives.training_subsidy_usd_per_trainee").unwrap();
        let s = Scenario::default();
        assert_eq!(f.useful_max.map(|u| (u.at)(&s)), Some(TRAINING_COST_USD));
        let credit = field_of("incentives.credit_interest_subsidy_pp").unwrap();
        assert_eq!(credit.useful_max.map(|u| (u.at)(&s)), Some(s.model.lending_rate_pct));
        let holiday = field_of("incentives.cit_holiday_years").unwrap();
        assert_eq!(holiday.useful_max.map(|u| (u.at)(&s)), Some(s.years as f64), "a holiday past the horizon is in no forecast");
        assert!(FIELDS.iter().filter(|f| f.useful_max.is_some()).count() == 4);
    }

    #[test]
    fn every_field_reads_and_writes_its_own_value() {
        let mut s = Scenario::default().with_one_of_each();
        for f in FIELDS {
            let v = if f.integer { (f.min + 1.0).min(f.max) } else { f.min + 0.37 * (f.max - f.min) };
            f.set(&mut s, v);
            assert_eq!(f.get(&s), Some(v), "{}", f.path);
        }
    }

    #[test]
    fn paths_are_unique_and_ranges_ordered() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(f.min < f.max, "{}", f.path);
            assert!(FIELDS[..i].iter().all(|g| g.path != f.path), "{} twice", f.path);
            if let Some((lo, hi)) = f.plausible {
                assert!(f.min <= lo && lo < hi && hi <= f.max, "{}: plausible range outside the allowed one", f.path);
                assert!(!f.source.is_empty(), "{}: a plausible range needs a source", f.path);
                let d = f.default_value();
                assert!(lo <= d && d <= hi, "{}: default {d} outside its plausible range {lo}-{hi}", f.path);
            }
        }
    }

    #[test]
    fn shares_are_shown_in_percent_and_read_back_exactly() {
        let f = |p| field_of(p).unwrap();
        assert_eq!((f("incentives.cit_rate").shown_unit(), f("incentives.cit_rate").shown_range_text()), ("%".into(), "0-50 %".into()));
        assert_eq!(f("anchor.input_share").shown_unit(), "% of output");
        assert_eq!(f("incentives.rd_deduction").shown_unit(), "extra % of R&D spending deducted");
        // Indices on 0-1 and other units are not shares.
        for p in ["suppliers[i].capability", "model.tier2_threshold", "years", "incentives.training_subsidy_usd_per_trainee"] {
            assert!(!f(p).in_percent(), "{p}");
            assert_eq!((f(p).shown(0.37), f(p).from_shown(0.37), f(p).shown_unit()), (0.37, 0.37, f(p).unit.to_string()));
        }
        // Every two-decimal share reads as a whole percent and comes back as the same number.
        let cit = f("incentives.cit_rate");
        for i in 0..=50 {
            let v = i as f64 / 100.0;
            assert_eq!(cit.shown(v), i as f64, "{v}");
            assert_eq!(cit.from_shown(cit.shown(v)), v, "{v}");
        }
        assert_eq!(cit.from_shown(cit.shown(0.07)), 0.07);
        assert_eq!(cit.shown(0.125), 12.5);
    }

    #[test]
    fn indexed_paths_find_their_field() {
        assert_eq!(generic_path("suppliers[12].capability"), "suppliers[i].capability");
        assert_eq!(field_of("suppliers[3].capacity_usd_m").unwrap().path, "suppliers[i].capacity_usd_m");
        assert!(field_of("incentives.nope").is_none());
    }

    #[test]
    fn kpis_format_shares_as_percent_and_differences_in_points() {
        let loc = kpi_of("localization_rate").unwrap();
        assert_eq!(loc.fmt(0.331), "33.1%");
        assert_eq!(loc.fmt_diff(0.024), "+2.4 pp");
        assert_eq!(loc.fmt_diff(-0.024), "-2.4 pp");
        let x = kpi_of("final_year_exports_usd_m").unwrap();
        assert_eq!(x.fmt(1234567.85), "1,234,567.9");
        assert_eq!(x.fmt_diff(-1234.0), "-1,234.0");
        assert_eq!(thousands(-0.04, 1), "0.0");
        assert_eq!(kpi_of("tier1_suppliers").unwrap().fmt(12.0), "12");
    }
}
