//! Scenario files: plain serde data read with `ron`.
//!
//! Every field has a default (see `docs/SCENARIO.md`), so a short file works:
//! `(name: "Mine", incentives: (cit_rate: 0.1))` is a valid scenario.
//! Unknown fields are refused, values are range-checked by [`Scenario::validate`],
//! and every error names the file, line, column and field.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::ronpath;

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
            Sector::Machinery => 0.75,
            Sector::Textiles => 0.8,
            Sector::Footwear => 0.8,
        }
    }

    /// How hard the sector's inputs are for a domestic supplier: scales the capability a
    /// supplier needs to qualify (1.0 = electronics/automotive, lower = simpler inputs).
    pub fn input_complexity(self) -> f64 {
        match self {
            Sector::Electronics => 1.0,
            Sector::Automotive => 1.0,
            Sector::Machinery => 0.9,
            Sector::Textiles => 0.75,
            Sector::Footwear => 0.75,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Ownership {
    Fdi,
    Domestic,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnchorSpec {
    pub site: Site,
    pub sector: Sector,
    /// Planned gross output in the first year, USD million, at a reference site (15 freight-km
    /// from the port, all inputs imported, no export promotion); the exported part of it moves
    /// with the site, the input costs and promotion (`sim/exports.rs`).
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
            Tier::Untiered => "none",
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
    /// Spillover amplitude of the anchor (times its tech-transfer commitment, plus a floor).
    pub anchor_spillover: f64,
    /// Spillover amplitude of an R&D centre per USD 10 million of yearly budget.
    pub rd_spillover: f64,
    /// Spillover amplitude of a tier-1 supplier (times its capability).
    pub tier1_spillover: f64,
    /// Learning speed g in dc = g * absorb * S * (1 - c).
    pub learning_rate: f64,
    /// Learning-by-doing per quarter for a supplier that delivers to the anchor.
    pub learning_by_doing: f64,
    /// Capability lost per quarter (depreciation of know-how).
    pub depreciation: f64,
    /// Standard deviation of quarterly capability shocks.
    pub capability_noise: f64,
    /// Capability needed for tier-2 and tier-1 (before sector complexity scaling).
    pub tier2_threshold: f64,
    pub tier1_threshold: f64,
    /// Quarters a supplier must hold the threshold (audits, trial production) before promotion.
    pub tier2_quarters: u32,
    pub tier1_quarters: u32,
    /// Commuting decay of labour pools, km.
    pub commute_lambda_km: f64,
    /// Skill gained per trainee per worker of a town (times 1 - skill).
    pub training_effect: f64,
    /// Yearly loss of skill to attrition and obsolescence.
    pub skill_attrition: f64,
    /// Logit scale of the anchor's sourcing choice (cost units).
    pub sourcing_logit_scale: f64,
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
    /// Fine per unit of local-content shortfall, index units.
    pub lcr_fine: f64,
    /// Price elasticity of exports.
    pub export_elasticity: f64,
    /// Yearly real growth of the anchor's output before competitiveness effects.
    pub output_growth: f64,
    /// Yearly supplier entry rate at full attractiveness (expected new firms per year).
    pub entry_rate: f64,
    /// Yearly exit probability of a supplier at capability 0 that sells nothing.
    pub exit_rate: f64,
    pub standard_cit_rate: f64,
    /// Pre-tax profit margin on sales (anchor and suppliers).
    pub profit_margin: f64,
    /// Commercial lending rate, percent per year.
    pub lending_rate_pct: f64,
    /// Yearly land rent per supplier firm at land-price index 1, USD million.
    pub land_rent_usd_m: f64,
    /// Share of a supplier's capacity financed by loans.
    pub leverage: f64,
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
            spillover_lambda_km: 3.0,
            anchor_spillover: 1.0,
            rd_spillover: 0.3,
            tier1_spillover: 0.05,
            learning_rate: 0.8,
            learning_by_doing: 0.006,
            depreciation: 0.004,
            capability_noise: 0.01,
            tier2_threshold: 0.45,
            tier1_threshold: 0.68,
            tier2_quarters: 4,
            tier1_quarters: 8,
            commute_lambda_km: 8.0,
            training_effect: 0.25,
            skill_attrition: 0.02,
            sourcing_logit_scale: 0.06,
            import_cost: 1.12,
            local_cost_premium: 0.25,
            quality_risk: 0.15,
            freight_per_km: 0.002,
            hub_discount: 0.4,
            lcr_fine: 0.25,
            export_elasticity: 3.0,
            output_growth: 0.05,
            entry_rate: 3.0,
            exit_rate: 0.12,
            standard_cit_rate: 0.20,
            profit_margin: 0.08,
            lending_rate_pct: 9.0,
            land_rent_usd_m: 0.15,
            leverage: 0.5,
        }
    }
}

impl Scenario {
    /// Corporate income tax rate in force in a year (0 during the holiday).
    pub fn effective_cit_rate(&self, year: f64) -> f64 {
        if year < self.incentives.cit_holiday_years { 0.0 } else { self.incentives.cit_rate }
    }

    /// Share of land rent waived in a year.
    pub fn land_rent_exemption_at(&self, year: f64) -> f64 {
        if year < self.incentives.land_rent_exemption_years { self.incentives.land_rent_exemption } else { 0.0 }
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
    Scenario::parse(include_str!("../scenarios/baseline.ron"), "scenarios/baseline.ron")
        .unwrap_or_else(|e| panic!("the built-in baseline scenario must be valid: {e}"))
}

/// The scenario files (`*.ron`) in a folder, in name order.
pub fn ron_files_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(|e| e.ok().map(|e| e.path())).filter(|f| f.extension().is_some_and(|x| x == "ron")).collect();
    files.sort();
    Ok(files)
}

/// One problem found in a scenario, with the field it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Dotted path of the field, e.g. `suppliers[2].site.x_km`.
    pub path: String,
    pub message: String,
}

/// A scenario that could not be loaded: where and why.
#[derive(Debug)]
pub struct ScenarioError {
    pub file: String,
    pub problems: Vec<LocatedProblem>,
}

#[derive(Debug, Clone)]
pub struct LocatedProblem {
    /// 1-based line and column, when the place is known.
    pub line: usize,
    pub col: usize,
    pub field: String,
    pub message: String,
    /// The source line, for context.
    pub source_line: String,
}

/// How many of a file's problems are printed; the rest are counted (fixing the first ones often
/// fixes many: a thousand overlapping suppliers need not scroll the first ones away).
pub const MAX_SHOWN_PROBLEMS: usize = 20;

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().take(MAX_SHOWN_PROBLEMS).enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let field = if p.field.is_empty() { String::new() } else { format!(" field `{}`:", p.field) };
            if p.line == 0 {
                // Not a place in the file (it could not be read at all).
                write!(f, "error: {}:{} {}", self.file, field, p.message)?;
            } else {
                write!(f, "error: {}:{}:{}:{} {}", self.file, p.line, p.col, field, p.message)?;
            }
            if !p.source_line.is_empty() {
                // Tabs stay tabs under the line, so the caret lands where the terminal puts the column.
                let pad: String = p.source_line.chars().take(p.col.saturating_sub(1)).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                write!(f, "\n  {:>4} | {}\n       | {pad}^", p.line, p.source_line)?;
            }
        }
        let hidden = self.problems.len().saturating_sub(MAX_SHOWN_PROBLEMS);
        if hidden > 0 {
            write!(f, "\nerror: {}: {hidden} more problems not shown ({} in all)", self.file, self.problems.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

impl ScenarioError {
    /// A problem with the file as a whole (unreadable, empty), not at a place in it.
    fn whole_file(file: &str, message: String) -> ScenarioError {
        ScenarioError {
            file: file.to_string(),
            problems: vec![LocatedProblem { line: 0, col: 0, field: String::new(), message, source_line: String::new() }],
        }
    }
}

/// The 1-based line and column of the last character before (line, col) that is not blank and
/// not inside a `//` comment.
fn end_of_previous_token(src: &str, line: usize, col: usize) -> Option<(usize, usize)> {
    let lines: Vec<&str> = src.lines().collect();
    let mut l = line.min(lines.len());
    let mut limit = col.saturating_sub(1);
    while l >= 1 {
        let text = lines[l - 1];
        let chars: Vec<char> = text.chars().collect();
        let upto = limit.min(chars.len());
        // Ignore a line comment (a `//` outside a string).
        let mut code_end = upto;
        let mut in_str = false;
        for i in 0..upto {
            match chars[i] {
                '"' if i == 0 || chars[i - 1] != '\\' => in_str = !in_str,
                '/' if !in_str && i + 1 < chars.len() && chars[i + 1] == '/' => {
                    code_end = i;
                    break;
                }
                _ => {}
            }
        }
        if let Some(i) = chars[..code_end].iter().rposition(|c| !c.is_whitespace()) {
            return Some((l, i + 1));
        }
        l -= 1;
        limit = usize::MAX;
    }
    None
}

/// A file that is not UTF-8 text: where the first byte that is not, so it can be found and fixed.
fn not_utf8(file: &str, bytes: &[u8], valid_up_to: usize) -> ScenarioError {
    let before = String::from_utf8_lossy(&bytes[..valid_up_to]);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    let rest = bytes[valid_up_to..].split(|&b| b == b'\n').next().unwrap_or(&[]);
    let source_line = format!("{}{}", &before[line_start..], String::from_utf8_lossy(rest)).trim_end_matches('\r').to_string();
    ScenarioError {
        file: file.to_string(),
        problems: vec![LocatedProblem {
            line,
            col,
            field: String::new(),
            message: format!(
                "byte 0x{:02x} is not UTF-8 text: save the file as UTF-8 (names with accents such as \"Đức\" are fine in UTF-8)",
                bytes[valid_up_to]
            ),
            source_line,
        }],
    }
}

/// The text without its byte-order mark: Windows editors may start a UTF-8 file with one, and no
/// editor shows it as a column or as part of the first line.
pub fn without_bom(src: &str) -> &str {
    src.strip_prefix('\u{feff}').unwrap_or(src)
}

fn source_line(src: &str, line: usize) -> String {
    src.lines().nth(line.saturating_sub(1)).unwrap_or("").to_string()
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
        Scenario::load_with_text(path).map(|(s, _)| s)
    }

    /// [`Scenario::load`], also giving the text it read (the planner compares it with the file
    /// when it saves).
    pub fn load_with_text(path: &Path) -> Result<(Scenario, String), ScenarioError> {
        let file = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ScenarioError::whole_file(&file, format!("cannot read the file: {e}")))?;
        let src = String::from_utf8(bytes).map_err(|e| not_utf8(&file, e.as_bytes(), e.utf8_error().valid_up_to()))?;
        Ok((Scenario::parse(&src, &file)?, src))
    }

    /// Parse and validate scenario text; `file` names it in error messages.
    pub fn parse(src: &str, file: &str) -> Result<Scenario, ScenarioError> {
        let src = without_bom(src);
        if src.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with("//")) {
            // ron would point at the end of the last comment and ask for a `(`.
            return Err(ScenarioError::whole_file(
                file,
                "the file is empty (only blank lines and comments): a scenario is one `( ... )`; `()` takes every default, \
                 and `kicsim template` prints a complete one"
                    .into(),
            ));
        }
        let scenario: Scenario = ron::Options::default().from_str(src).map_err(|e| {
            let (mut line, mut col) = (e.span.start.line, e.span.start.col);
            let mut message = e.code.to_string();
            // ron notices a missing comma at the next field; point at the value it should follow.
            if matches!(e.code, ron::Error::ExpectedComma)
                && let Some((l, c)) = end_of_previous_token(src, line, col)
            {
                (line, col) = (l, c + 1);
                message = "expected `,` after this value (commas separate fields and list items)".into();
            }
            // ron names the field for unknown/missing fields in its message; add the enclosing path.
            let field = ronpath::path_at(src, line, col).unwrap_or_default();
            ScenarioError {
                file: file.to_string(),
                problems: vec![LocatedProblem { line, col, field, message, source_line: source_line(src, line) }],
            }
        })?;
        let problems = scenario.validate();
        if problems.is_empty() {
            return Ok(scenario);
        }
        let located = problems
            .into_iter()
            .map(|p| {
                let (line, col) = ronpath::locate(src, &p.path).unwrap_or((1, 1));
                LocatedProblem { line, col, field: p.path, message: p.message, source_line: source_line(src, line) }
            })
            .collect();
        Err(ScenarioError { file: file.to_string(), problems: located })
    }

    /// Write the scenario as pretty RON (the same format `load` reads).
    pub fn to_ron(&self) -> String {
        // Laid out like the hand-written files: one line per facility, site or commitment set.
        let cfg = ron::ser::PrettyConfig::new().depth_limit(2).struct_names(false);
        ron::ser::to_string_pretty(self, cfg).expect("a scenario always serialises")
    }

    /// Every field on one line, whatever the layout of [`Self::to_ron`]: what the run record's
    /// scenario hash is taken of, so the hash changes with the content only.
    pub fn canonical(&self) -> String {
        ron::ser::to_string(self).expect("a scenario always serialises")
    }

    /// Range checks that do not need the map. Map-dependent checks (facility in water,
    /// slope, overlap) are in [`crate::sim::map::SiteMap::check_scenario`], called from here.
    pub fn validate(&self) -> Vec<Problem> {
        let mut v = Checker::default();
        v.range("years", self.years as f64, 1.0, 100.0, "years");
        v.range("map.size_km", self.map.size_km, 5.0, 200.0, "km");
        v.range("map.cell_km", self.map.cell_km, 0.1, 5.0, "km");
        if self.map.size_km.is_finite() && self.map.cell_km.is_finite() && self.map.cell_km > 0.0 {
            let cells = (self.map.size_km / self.map.cell_km).ceil();
            if cells > 400.0 {
                v.push(
                    "map.cell_km",
                    format!("the map would have {cells}x{cells} cells; at most 400x400 (raise cell_km or lower size_km)"),
                );
            }
        }
        v.range("map.sea_share", self.map.sea_share, 0.0, 0.6, "share of the width");
        v.range("map.relief_m", self.map.relief_m, 0.0, 2000.0, "m");
        v.range("map.towns", self.map.towns as f64, 1.0, 20.0, "towns");

        let a = &self.anchor;
        v.range("anchor.output_usd_m", a.output_usd_m, 1.0, 200_000.0, "USD million");
        v.range("anchor.input_share", a.input_share, 0.05, 0.95, "share");
        v.range("anchor.export_share", a.export_share, 0.0, 1.0, "share");
        v.range("anchor.commitments.tech_transfer", a.commitments.tech_transfer, 0.0, 1.0, "share");
        v.range("anchor.commitments.local_sourcing", a.commitments.local_sourcing, 0.0, 1.0, "share");
        v.range("anchor.commitments.rd_usd_m_per_year", a.commitments.rd_usd_m_per_year, 0.0, 10_000.0, "USD million");
        v.range("anchor.commitments.trainees_per_year", a.commitments.trainees_per_year, 0.0, 100_000.0, "trainees");
        v.site("anchor.site", &a.site, self.map.size_km);
        for (i, s) in self.suppliers.iter().enumerate() {
            let p = format!("suppliers[{i}]");
            v.site(&format!("{p}.site"), &s.site, self.map.size_km);
            v.range(&format!("{p}.capability"), s.capability, 0.0, 1.0, "0..1");
            v.range(&format!("{p}.capacity_usd_m"), s.capacity_usd_m, 0.0, 10_000.0, "USD million");
        }
        if self.suppliers.len() > 2000 {
            v.push("suppliers", format!("{} suppliers; at most 2000", self.suppliers.len()));
        }
        for (i, r) in self.rd_centres.iter().enumerate() {
            v.site(&format!("rd_centres[{i}].site"), &r.site, self.map.size_km);
            v.range(&format!("rd_centres[{i}].budget_usd_m_per_year"), r.budget_usd_m_per_year, 0.0, 10_000.0, "USD million");
        }
        for (i, t) in self.training_centres.iter().enumerate() {
            v.site(&format!("training_centres[{i}].site"), &t.site, self.map.size_km);
            v.range(&format!("training_centres[{i}].trainees_per_year"), t.trainees_per_year, 0.0, 100_000.0, "trainees");
        }
        for (i, h) in self.logistics_hubs.iter().enumerate() {
            v.site(&format!("logistics_hubs[{i}].site"), &h.site, self.map.size_km);
        }

        let inc = &self.incentives;
        v.range("incentives.cit_holiday_years", inc.cit_holiday_years, 0.0, 30.0, "years");
        v.range("incentives.cit_rate", inc.cit_rate, 0.0, 0.5, "rate");
        v.range("incentives.land_rent_exemption", inc.land_rent_exemption, 0.0, 1.0, "share");
        v.range("incentives.land_rent_exemption_years", inc.land_rent_exemption_years, 0.0, 70.0, "years");
        v.range(
            "incentives.credit_interest_subsidy_pp",
            inc.credit_interest_subsidy_pp,
            0.0,
            self.model.lending_rate_pct.max(0.0),
            "percentage points (at most the lending rate)",
        );
        v.range("incentives.rd_deduction", inc.rd_deduction, 0.0, 3.0, "extra share deductible");
        v.range("incentives.training_subsidy_usd_per_trainee", inc.training_subsidy_usd_per_trainee, 0.0, 100_000.0, "USD");
        v.range("incentives.export_promotion_usd_m_per_year", inc.export_promotion_usd_m_per_year, 0.0, 10_000.0, "USD million");
        for (i, (year, share)) in inc.local_content.iter().enumerate() {
            v.range(&format!("incentives.local_content[{i}]"), *year, 0.0, 100.0, "year");
            v.range(&format!("incentives.local_content[{i}]"), *share, 0.0, 1.0, "share");
        }

        let m = &self.model;
        v.range("model.spillover_lambda_km", m.spillover_lambda_km, 0.1, 100.0, "km");
        v.range("model.anchor_spillover", m.anchor_spillover, 0.0, 10.0, "");
        v.range("model.rd_spillover", m.rd_spillover, 0.0, 10.0, "");
        v.range("model.tier1_spillover", m.tier1_spillover, 0.0, 10.0, "");
        v.range("model.learning_rate", m.learning_rate, 0.0, 5.0, "");
        v.range("model.learning_by_doing", m.learning_by_doing, 0.0, 0.5, "");
        v.range("model.depreciation", m.depreciation, 0.0, 0.5, "");
        v.range("model.capability_noise", m.capability_noise, 0.0, 0.2, "");
        v.range("model.tier2_threshold", m.tier2_threshold, 0.0, 1.0, "");
        v.range("model.tier1_threshold", m.tier1_threshold, 0.0, 1.0, "");
        if m.tier1_threshold < m.tier2_threshold {
            v.push("model.tier1_threshold", "must be at least model.tier2_threshold".into());
        }
        v.range("model.tier2_quarters", m.tier2_quarters as f64, 0.0, 200.0, "quarters");
        v.range("model.tier1_quarters", m.tier1_quarters as f64, 0.0, 200.0, "quarters");
        v.range("model.commute_lambda_km", m.commute_lambda_km, 0.1, 200.0, "km");
        v.range("model.training_effect", m.training_effect, 0.0, 10.0, "");
        v.range("model.skill_attrition", m.skill_attrition, 0.0, 1.0, "");
        v.range("model.sourcing_logit_scale", m.sourcing_logit_scale, 0.001, 10.0, "");
        v.range("model.import_cost", m.import_cost, 0.1, 10.0, "");
        v.range("model.local_cost_premium", m.local_cost_premium, 0.0, 10.0, "");
        v.range("model.quality_risk", m.quality_risk, 0.0, 10.0, "");
        v.range("model.freight_per_km", m.freight_per_km, 0.0, 1.0, "");
        v.range("model.hub_discount", m.hub_discount, 0.0, 1.0, "");
        v.range("model.lcr_fine", m.lcr_fine, 0.0, 10.0, "");
        v.range("model.export_elasticity", m.export_elasticity, 0.0, 20.0, "");
        v.range("model.output_growth", m.output_growth, -0.5, 1.0, "");
        v.range("model.entry_rate", m.entry_rate, 0.0, 100.0, "firms per year");
        v.range("model.exit_rate", m.exit_rate, 0.0, 1.0, "");
        v.range("model.standard_cit_rate", m.standard_cit_rate, 0.0, 0.6, "");
        v.range("model.profit_margin", m.profit_margin, 0.0, 0.9, "");
        v.range("model.lending_rate_pct", m.lending_rate_pct, 0.0, 100.0, "");
        v.range("model.land_rent_usd_m", m.land_rent_usd_m, 0.0, 100.0, "");
        v.range("model.leverage", m.leverage, 0.0, 1.0, "");

        if v.problems.iter().all(|p| !p.path.starts_with("map.")) {
            let map = crate::sim::map::SiteMap::generate(&self.map);
            v.problems.extend(map.check_scenario(self));
        }
        v.problems
    }
}

#[derive(Default)]
struct Checker {
    problems: Vec<Problem>,
}

impl Checker {
    fn push(&mut self, path: &str, message: String) {
        self.problems.push(Problem { path: path.to_string(), message });
    }
    fn range(&mut self, path: &str, value: f64, lo: f64, hi: f64, unit: &str) {
        if !value.is_finite() {
            self.push(path, format!("{value} is not a finite number"));
        } else if value < lo || value > hi {
            let unit = if unit.is_empty() { String::new() } else { format!(" ({unit})") };
            self.push(path, format!("{value} is out of range: expected {lo} to {hi}{unit}"));
        }
    }
    fn site(&mut self, path: &str, site: &Site, size_km: f64) {
        self.range(&format!("{path}.x_km"), site.x_km, 0.0, size_km, "km from the west edge");
        self.range(&format!("{path}.y_km"), site.y_km, 0.0, size_km, "km from the south edge");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_comma_points_at_the_value_before_it() {
        let src = "(\n    name: \"x\", // a comment, with \"quotes\"\n    years: 5 // no comma here\n\n    seed: 3,\n)\n";
        let e = Scenario::parse(src, "s.ron").unwrap_err();
        let p = &e.problems[0];
        assert_eq!((p.line, p.col), (3, 13), "{e}");
        assert_eq!(p.field, "years");
        assert!(p.message.contains("expected `,`"), "{e}");
    }

    #[test]
    fn many_problems_show_the_first_twenty_and_the_count() {
        let sites: Vec<String> = (0..25).map(|i| format!("(name: \"S{i}\", site: (x_km: 5.0, y_km: 5.0))")).collect();
        let src = format!("(suppliers: [\n{}\n])\n", sites.join(",\n"));
        let e = Scenario::parse(&src, "many.ron").unwrap_err();
        assert_eq!(e.problems.len(), 24, "every supplier after the first overlaps it: {e}");
        let text = e.to_string();
        assert_eq!(text.matches("overlaps").count(), MAX_SHOWN_PROBLEMS, "{text}");
        assert!(text.starts_with("error: many.ron:3:"), "{text}");
        assert!(text.ends_with("error: many.ron: 4 more problems not shown (24 in all)"), "{text}");
    }

    #[test]
    fn the_caret_keeps_tabs_and_counts_letters_not_bytes() {
        // A tab-indented file with a Vietnamese name before the faulty field.
        let src = "(\n\tname: \"Khu c\u{f4}ng nghi\u{1ec7}p\", years: 500,\n)\n";
        let text = Scenario::parse(src, "viet.ron").unwrap_err().to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("error: viet.ron:2:27: field `years`"), "{text}");
        let caret = lines[2].strip_prefix("       | ").unwrap();
        assert_eq!(caret, format!("\t{}^", " ".repeat(25)), "{text}");
        // Under the quoted line, the caret's column is the field's first letter.
        let quoted: Vec<char> = lines[1].split_once(" | ").unwrap().1.chars().collect();
        assert_eq!(quoted[caret.chars().count() - 1], 'y');
    }

    #[test]
    fn an_empty_file_is_called_empty() {
        for src in ["", "\n  \n", "// a comment only\n// and another\n"] {
            let e = Scenario::parse(src, "empty.ron").unwrap_err();
            assert_eq!(e.problems.len(), 1);
            let text = e.to_string();
            assert!(text.starts_with("error: empty.ron: the file is empty"), "{text:?}");
            assert!(text.contains("kicsim template"), "{text}");
        }
        assert!(Scenario::parse("// defaults\n()\n", "unit.ron").is_ok());
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_file() {
        // Notepad's "UTF-8 with BOM": valid, and its errors count columns as the editor shows them.
        let s = Scenario::parse("\u{feff}(years: 3)\n", "bom.ron").unwrap();
        assert_eq!(s.years, 3);
        let e = Scenario::parse("\u{feff}(years: 0)\n", "bom.ron").unwrap_err();
        assert_eq!((e.problems[0].line, e.problems[0].col), (1, 2), "{e}");
        assert_eq!(e.problems[0].source_line, "(years: 0)");
    }

    #[test]
    fn a_file_that_is_not_utf8_is_refused_at_its_first_bad_byte() {
        let dir = std::env::temp_dir().join(format!("kicsim-latin1-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("latin1.ron");
        // "Café" typed in a Windows-1252 editor: é is the one byte 0xe9, not UTF-8.
        std::fs::write(&path, b"(\n    name: \"Caf\xe9 park\",\n)\n").unwrap();
        let e = Scenario::load(&path).unwrap_err();
        let p = &e.problems[0];
        assert_eq!((p.line, p.col), (2, 15), "{e}");
        assert!(p.message.contains("0xe9") && p.message.contains("save the file as UTF-8"), "{e}");
        assert_eq!(p.source_line, "    name: \"Caf\u{fffd} park\",");
        assert!(e.to_string().starts_with(&format!("error: {}:2:15: byte 0xe9", path.display())), "{e}");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn previous_token_skips_blank_lines_and_comments() {
        let src = "a: 1\n// only a comment\n\n  b";
        assert_eq!(end_of_previous_token(src, 4, 3), Some((1, 4)));
        assert_eq!(end_of_previous_token("  x", 1, 1), None);
    }
}
