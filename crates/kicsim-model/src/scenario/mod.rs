//! Scenario files: plain serde data read with `ron`.
//!
//! Every field has a default (see `docs/SCENARIO.md`), so a short file works:
//! `(name: "Mine", incentives: (cit_rate: 0.1))` is a valid scenario.
//! Unknown fields are refused, values are range-checked by [`crate::check`] against the
//! ranges of [`crate::registry`], and every error names the file, line, column and field.
//!
//! - this file: the types and their defaults;
//! - `load.rs`: reading a file, errors located at file:line:col;
//! - `overrides.rs`: `--set path=value` on a loaded scenario;
//! - `kicsim_model::write` (above the registry, which it reads): a plan file with only what differs
//!   from the defaults, and the commented template.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

mod load;
mod overrides;

pub use load::{
    LocatedProblem, MAX_FILE_BYTES, MAX_NESTING, MAX_SHOWN_PROBLEMS, Problem, ScenarioError, nesting_problem, read_capped,
    read_to_string_capped, without_bom,
};
pub use overrides::apply_set;

/// Planned output (USD million a year) from which the anchor is in the global minimum tax's scope
/// (groups with revenue of EUR 750 million or more).
pub const MINIMUM_TAX_SCOPE_USD_M: f64 = 800.0;

/// Kilometre coordinates on the map: x grows east, y grows north, origin at the south-west corner.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub x_km: f64,
    pub y_km: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub description: String,
    /// Seed of every random draw of the run (map generation uses `map.seed`).
    pub seed: u64,
    /// Horizon in years; the model steps in quarters.
    pub years: u32,
    pub map: MapSpec,
    pub anchor: AnchorSpec,
    pub suppliers: Vec<SupplierSpec>,
    pub rd_centres: Vec<RdCentreSpec>,
    pub training_centres: Vec<TrainingCentreSpec>,
    pub logistics_hubs: Vec<LogisticsHubSpec>,
    pub incentives: Incentives,
    pub model: ModelParams,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MapSpec {
    /// Seed of the terrain noise (kept apart from the run seed so replications share one map).
    pub seed: u64,
    /// Side of the square map in km.
    pub size_km: f64,
    /// Side of one grid cell in km.
    pub cell_km: f64,
    /// Share of the map's width (from the east edge) that is sea, before noise.
    pub sea_share: f64,
    /// Hill height scale in metres.
    pub relief_m: f64,
    /// Number of towns (labour pools).
    pub towns: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sector {
    Electronics,
    Automotive,
    Machinery,
    Textiles,
    Footwear,
}

impl Sector {
    /// Share of the sector's inputs a domestic supplier can make at all within the horizon
    /// (the rest, e.g. chips, displays or engines, is imported whatever the incentives).
    pub fn localizable_share(self) -> f64 {
        match self {
            Sector::Electronics => 0.65,
            Sector::Automotive => 0.7,
            Sector::Machinery => 0.7,
            Sector::Textiles => 0.72,
            Sector::Footwear => 0.72,
        }
    }

    /// How hard the sector's inputs are for a domestic supplier: scales the capability a
    /// supplier needs to qualify (1.0 = electronics/automotive, lower = simpler inputs).
    pub fn input_complexity(self) -> f64 {
        match self {
            Sector::Electronics => 1.0,
            Sector::Automotive => 1.0,
            Sector::Machinery => 0.98,
            Sector::Textiles => 0.97,
            Sector::Footwear => 0.97,
        }
    }
}

/// Who owns a firm: the anchor or a supplier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ownership {
    /// Wholly foreign-owned (a multinational's affiliate).
    Fdi,
    /// A joint venture of a foreign investor with domestic partners (shared ownership).
    JointVenture,
    /// Domestic-owned.
    Domestic,
}

impl Ownership {
    /// Foreign-invested: wholly foreign-owned or a joint venture (as Vietnam's statistics count
    /// the FDI sector).
    pub fn is_foreign(self) -> bool {
        self != Ownership::Domestic
    }

    pub fn label(self) -> &'static str {
        match self {
            Ownership::Fdi => "foreign-owned",
            Ownership::JointVenture => "joint venture",
            Ownership::Domestic => "domestic-owned",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorSpec {
    pub site: Site,
    pub sector: Sector,
    /// Planned gross output in the first year, USD million, at a reference site (15 km from the
    /// port, all inputs imported, no export promotion, freight at the calibrated rate); the
    /// exported part of it moves with the site, the input costs and promotion (`sim/exports.rs`).
    pub output_usd_m: f64,
    /// Share of output value that is bought-in intermediate inputs.
    pub input_share: f64,
    /// Share of planned output exported.
    pub export_share: f64,
    pub ownership: Ownership,
    pub commitments: Commitments,
}

/// What the anchor investor commits to in its investment certificate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Commitments {
    /// Intensity of technology transfer to local suppliers, 0..1 (0 = "enclave").
    pub tech_transfer: f64,
    /// Share of inputs the anchor promises to buy locally once suppliers qualify, 0..1.
    pub local_sourcing: f64,
    /// Anchor's own R&D spending in the complex, USD million per year.
    pub rd_usd_m_per_year: f64,
    /// Workers the anchor trains for the local labour pool each year.
    pub trainees_per_year: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tier {
    /// Not (yet) qualified by the anchor. `None` is accepted too.
    #[serde(alias = "None")]
    Untiered,
    Tier2,
    Tier1,
}

impl Tier {
    pub fn label(self) -> &'static str {
        match self {
            Tier::Untiered => "no tier",
            Tier::Tier2 => "tier-2",
            Tier::Tier1 => "tier-1",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupplierSpec {
    pub name: String,
    pub site: Site,
    /// Technological capability, 0..1 (1 = the anchor's frontier).
    pub capability: f64,
    /// Production capacity, USD million per year.
    pub capacity_usd_m: f64,
    pub tier: Tier,
    /// Domestic-owned (the default), or a foreign-owned supplier or joint venture that located in
    /// the complex to supply the anchor (`Fdi`, `JointVenture`): it counts in the localization
    /// rate, not in the domestic sourcing share.
    pub ownership: Ownership,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdCentreSpec {
    pub name: String,
    pub site: Site,
    /// Public R&D budget, USD million per year.
    pub budget_usd_m_per_year: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingCentreSpec {
    pub name: String,
    pub site: Site,
    /// Trainees per year paid from the centre's own budget (the subsidy adds more).
    pub trainees_per_year: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogisticsHubSpec {
    pub name: String,
    pub site: Site,
}

/// Incentive settings. The names are fixed: they are the names planners and students use.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Incentives {
    /// Years of full corporate income tax exemption from the start.
    pub cit_holiday_years: f64,
    /// Preferential CIT rate after the holiday (standard rate is `model.standard_cit_rate`).
    pub cit_rate: f64,
    /// Share of land rent waived, 0..1.
    pub land_rent_exemption: f64,
    pub land_rent_exemption_years: f64,
    /// Interest subsidy on supplier loans, percentage points.
    pub credit_interest_subsidy_pp: f64,
    /// Extra deduction of R&D spending from taxable income (1.0 = 100% extra, i.e. 200% deductible).
    pub rd_deduction: f64,
    pub training_subsidy_usd_per_trainee: f64,
    pub export_promotion_usd_m_per_year: f64,
    /// Local-content roadmap: (year, minimum share of the anchor's inputs bought domestically).
    /// The requirement of a year is the last step at or before it.
    pub local_content: Vec<(f64, f64)>,
}

/// Parameters of the model. Defaults are the calibrated values (docs/MODEL.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelParams {
    /// Distance decay of spillovers, km: S(d) = a * exp(-d / lambda).
    pub spillover_lambda_km: f64,
    /// Spillover amplitude of the anchor's supply link to a supplier that sells it all its output
    /// (times a floor plus its tech-transfer commitment); a tenth reaches firms nearby.
    pub anchor_spillover: f64,
    /// Spillover amplitude of an R&D centre per USD 10 million of yearly budget.
    pub rd_spillover: f64,
    /// Spillover amplitude of a tier-1 supplier (times its capability).
    pub tier1_spillover: f64,
    /// Learning speed g in the learning intensity r = g * boost * absorb * S + learning by doing.
    pub learning_rate: f64,
    /// Learning intensity per quarter of a supplier delivering at full capacity to the anchor.
    pub learning_by_doing: f64,
    /// Capability lost per quarter (depreciation of know-how).
    pub depreciation: f64,
    /// Yearly growth of the anchor's technology frontier: capability is measured against it, so
    /// a firm that learns nothing falls behind by this much a year.
    pub frontier_growth: f64,
    /// Mean share of its gap to the frontier that a new firm can ever close (management,
    /// finance, scale); each entrant draws its own, so not every firm can reach the frontier.
    pub catch_up_potential: f64,
    /// Standard deviation of quarterly capability shocks.
    pub capability_noise: f64,
    /// Price elasticity of suppliers' R&D spending (minus): R&D x (after-tax price ratio)^-elasticity.
    pub rd_price_elasticity: f64,
    /// Elasticity of a supplier's learning speed with respect to its own R&D spending.
    pub rd_learning_elasticity: f64,
    /// Capability needed for tier-2 and tier-1 (before sector complexity scaling).
    pub tier2_threshold: f64,
    pub tier1_threshold: f64,
    /// Quarters a supplier must hold the threshold (audits, trial production) before promotion.
    pub tier2_quarters: u32,
    pub tier1_quarters: u32,
    /// Qualification audits (tier-2 or tier-1 promotions) the anchor completes a year.
    pub vendor_audits_per_year: f64,
    /// Commuting decay of labour pools, km.
    pub commute_lambda_km: f64,
    /// Skill gained per trainee per worker of a town (times 1 - skill).
    pub training_effect: f64,
    /// Yearly loss of skill to attrition and obsolescence.
    pub skill_attrition: f64,
    /// Elasticity of substitution between imported and locally made inputs (Armington): the
    /// ratio of local to imported purchases rises by about this many % for a 1% rise in the
    /// import price. Sets the logit scale of the choice between the local and import nests,
    /// mu = import_cost / elasticity.
    pub import_substitution_elasticity: f64,
    /// Nest parameter of the domestic suppliers in the sourcing choice, 0..1: 1 = every domestic
    /// firm is as distinct from the others as from imports (each new firm adds a product line),
    /// lower = domestic firms are closer substitutes for each other.
    pub domestic_nest: f64,
    /// Landed cost of an imported input at the port (price, tariff, shipping, lead-time stock),
    /// index where a domestic supplier at the frontier (c = 1) costs 1.
    pub import_cost: f64,
    /// Cost premium of a domestic input at capability 0 (falls linearly to 0 at capability 1).
    pub local_cost_premium: f64,
    /// Quality-risk premium weight (times 1 - capability).
    pub quality_risk: f64,
    /// Freight cost per km of road distance, index units per unit of input.
    pub freight_per_km: f64,
    /// Discount on freight routed through a logistics hub, 0..1.
    pub hub_discount: f64,
    /// Fine per unit of local-content shortfall that is found, index units (a share of the value
    /// of the inputs missing from the requirement).
    pub lcr_fine: f64,
    /// Share of a shortfall that the authorities' compliance audits find and fine, 0..1.
    pub lcr_detection: f64,
    /// Price elasticity of exports.
    pub export_elasticity: f64,
    /// Yearly real growth of the anchor's output before competitiveness effects.
    pub output_growth: f64,
    /// Yearly supplier entry rate at full attractiveness (expected new firms per year).
    pub entry_rate: f64,
    /// Yearly exit probability of a supplier at capability 0 that sells nothing.
    pub exit_rate: f64,
    pub standard_cit_rate: f64,
    /// Global minimum tax (Pillar Two): the anchor's effective CIT rate is topped up to this rate
    /// when its planned output is at least `MINIMUM_TAX_SCOPE_USD_M`; 0 = none.
    pub minimum_tax_rate: f64,
    /// Pre-tax profit margin on sales (anchor and suppliers).
    pub profit_margin: f64,
    /// Commercial lending rate, percent per year.
    pub lending_rate_pct: f64,
    /// Yearly land rent per supplier firm at land-price index 1, USD million.
    pub land_rent_usd_m: f64,
    /// Share of a supplier's capacity financed by loans.
    pub leverage: f64,
    /// Foreign-owned suppliers that locate in the complex a year when the anchor's imports of
    /// localizable inputs are at the baseline's level and a follower would win them at the
    /// baseline's margin ("follow sourcing").
    pub foreign_entry_rate: f64,
    /// Cost premium of a foreign-owned supplier's goods over a domestic frontier firm's
    /// (expatriate staff, imported materials, a second plant's overheads), index.
    pub foreign_cost_premium: f64,
    /// Share of a foreign-owned supplier's sales it buys from domestic firms in the complex.
    pub foreign_local_inputs: f64,
    /// Semi-elasticity of the anchor's investment with respect to its tax burden (minus): a
    /// burden 1 pp above its alternative location's shrinks the anchor by about this many %.
    pub fdi_tax_semi_elasticity: f64,
    /// The tax burden (effective tax rate plus commitments and rent as a share of profit) at the
    /// anchor's alternative location, 0..1.
    pub rival_tax_burden: f64,
    /// The anchor's unit cost above its alternative location's (share) beyond which it starts to
    /// move production lines out.
    pub relocation_threshold: f64,
    /// Share of the anchor moved out a year per unit of unit-cost gap beyond the threshold.
    pub relocation_rate: f64,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "Unnamed scenario".into(),
            description: String::new(),
            seed: 1,
            years: 10,
            map: MapSpec::default(),
            anchor: AnchorSpec::default(),
            suppliers: Vec::new(),
            rd_centres: Vec::new(),
            training_centres: Vec::new(),
            logistics_hubs: Vec::new(),
            incentives: Incentives::default(),
            model: ModelParams::default(),
        }
    }
}

impl Default for MapSpec {
    fn default() -> Self {
        MapSpec { seed: 7, size_km: 30.0, cell_km: 0.5, sea_share: 0.18, relief_m: 120.0, towns: 4 }
    }
}

impl Default for AnchorSpec {
    fn default() -> Self {
        AnchorSpec {
            site: Site { x_km: 15.0, y_km: 15.0 },
            sector: Sector::Electronics,
            output_usd_m: 2000.0,
            input_share: 0.6,
            export_share: 0.8,
            ownership: Ownership::Fdi,
            commitments: Commitments::default(),
        }
    }
}

impl Default for Commitments {
    fn default() -> Self {
        Commitments { tech_transfer: 0.3, local_sourcing: 0.0, rd_usd_m_per_year: 0.0, trainees_per_year: 0.0 }
    }
}

impl Default for SupplierSpec {
    fn default() -> Self {
        SupplierSpec {
            name: String::new(),
            site: Site { x_km: 10.0, y_km: 10.0 },
            capability: 0.3,
            capacity_usd_m: 20.0,
            tier: Tier::Untiered,
            ownership: Ownership::Domestic,
        }
    }
}

impl Default for RdCentreSpec {
    fn default() -> Self {
        RdCentreSpec { name: String::new(), site: Site { x_km: 12.0, y_km: 14.0 }, budget_usd_m_per_year: 10.0 }
    }
}

impl Default for TrainingCentreSpec {
    fn default() -> Self {
        TrainingCentreSpec { name: String::new(), site: Site { x_km: 12.0, y_km: 16.0 }, trainees_per_year: 500.0 }
    }
}

impl Default for LogisticsHubSpec {
    fn default() -> Self {
        LogisticsHubSpec { name: String::new(), site: Site { x_km: 18.0, y_km: 15.0 } }
    }
}

impl Default for Incentives {
    /// No incentives at all: the standard regime.
    fn default() -> Self {
        Incentives {
            cit_holiday_years: 0.0,
            cit_rate: 0.20,
            land_rent_exemption: 0.0,
            land_rent_exemption_years: 0.0,
            credit_interest_subsidy_pp: 0.0,
            rd_deduction: 0.0,
            training_subsidy_usd_per_trainee: 0.0,
            export_promotion_usd_m_per_year: 0.0,
            local_content: Vec::new(),
        }
    }
}

impl Default for ModelParams {
    fn default() -> Self {
        ModelParams {
            spillover_lambda_km: 4.0,
            anchor_spillover: 1.0,
            rd_spillover: 0.3,
            tier1_spillover: 0.05,
            learning_rate: 1.0,
            learning_by_doing: 0.01,
            depreciation: 0.002,
            frontier_growth: 0.02,
            catch_up_potential: 0.5,
            capability_noise: 0.01,
            rd_price_elasticity: 1.0,
            rd_learning_elasticity: 0.5,
            tier2_threshold: 0.5,
            tier1_threshold: 0.68,
            tier2_quarters: 4,
            tier1_quarters: 8,
            vendor_audits_per_year: 6.0,
            commute_lambda_km: 8.0,
            training_effect: 0.25,
            skill_attrition: 0.02,
            import_substitution_elasticity: 2.5,
            domestic_nest: 0.7,
            import_cost: 1.15,
            local_cost_premium: 0.25,
            quality_risk: 0.15,
            freight_per_km: 0.002,
            hub_discount: 0.4,
            lcr_fine: 0.25,
            lcr_detection: 0.6,
            export_elasticity: 3.0,
            output_growth: 0.05,
            entry_rate: 3.0,
            exit_rate: 0.12,
            standard_cit_rate: 0.20,
            minimum_tax_rate: 0.15,
            profit_margin: 0.08,
            lending_rate_pct: 9.0,
            land_rent_usd_m: 0.15,
            leverage: 0.5,
            foreign_entry_rate: 0.2,
            foreign_cost_premium: 0.06,
            foreign_local_inputs: 0.1,
            fdi_tax_semi_elasticity: 2.5,
            rival_tax_burden: 0.15,
            relocation_threshold: 0.05,
            relocation_rate: 2.0,
        }
    }
}

impl Scenario {
    /// Corporate income tax rate in force in a year (0 during the holiday).
    pub fn effective_cit_rate(&self, year: f64) -> f64 {
        if year < self.incentives.cit_holiday_years { 0.0 } else { self.incentives.cit_rate }
    }

    /// The CIT rate the anchor pays in a year: the rate in force, topped up to the global minimum
    /// tax when the anchor is large enough to be in its scope.
    pub fn anchor_cit_rate(&self, year: f64) -> f64 {
        let rate = self.effective_cit_rate(year);
        if self.anchor.output_usd_m >= MINIMUM_TAX_SCOPE_USD_M { rate.max(self.model.minimum_tax_rate) } else { rate }
    }

    /// Share of land rent waived in a year.
    pub fn land_rent_exemption_at(&self, year: f64) -> f64 {
        if year < self.incentives.land_rent_exemption_years { self.incentives.land_rent_exemption } else { 0.0 }
    }

    /// Capability a supplier needs for tier-2 and tier-1 in the anchor's sector: the thresholds
    /// scaled by the sector's input complexity.
    pub fn tier_thresholds(&self) -> (f64, f64) {
        let k = self.anchor.sector.input_complexity();
        (self.model.tier2_threshold * k, self.model.tier1_threshold * k)
    }

    /// The scenario with one default item in each list (the registry's item defaults and the
    /// docs test read them).
    pub fn with_one_of_each(mut self) -> Scenario {
        self.suppliers.push(SupplierSpec::default());
        self.rd_centres.push(RdCentreSpec::default());
        self.training_centres.push(TrainingCentreSpec::default());
        self.logistics_hubs.push(LogisticsHubSpec::default());
        self
    }

    /// The interest subsidy as a share of the lending rate, 0..1.
    pub fn credit_subsidy_share(&self) -> f64 {
        if self.model.lending_rate_pct > 0.0 {
            (self.incentives.credit_interest_subsidy_pp / self.model.lending_rate_pct).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

impl Incentives {
    /// The local-content requirement in force in (fractional) year `year` since the start.
    pub fn local_content_at(&self, year: f64) -> f64 {
        let mut req = 0.0;
        let mut steps: Vec<&(f64, f64)> = self.local_content.iter().collect();
        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (y, share) in steps {
            if *y <= year + 1e-9 {
                req = *share;
            }
        }
        req
    }
}

/// The built-in default scenario (the window opens on it): `scenarios/baseline.ron`.
pub fn default_scenario() -> Scenario {
    Scenario::parse(include_str!("../../../../scenarios/baseline.ron"), "scenarios/baseline.ron")
        .unwrap_or_else(|e| panic!("the built-in baseline scenario must be valid: {e}"))
}

/// The scenario files (`*.ron`) in a folder, in name order.
pub fn ron_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|f| f.extension().is_some_and(|x| x == "ron")).collect();
    files.sort();
    Ok(files)
}
