//! The run record every output starts with (tool version, scenario, file, hash, seed, years,
//! replications, overrides), and the scenario's hash.

use serde::{Deserialize, Serialize};

use crate::scenario::Scenario;

/// A stable 64-bit FNV-1a hash of the scenario's canonical RON, as 16 hex digits.
pub fn scenario_hash(s: &Scenario) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.canonical().bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Who made an output and how: written into every output file (the first line of a CSV, the
/// `run` object of a JSON file, the run records of a report), enough to make it again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct RunRecord {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_file: String,
    /// Hash of the scenario after every override ([`scenario_hash`]).
    pub scenario_hash: String,
    pub seed: u64,
    pub years: u32,
    pub replications: u32,
    /// Every `--set PATH=VALUE` given, in order.
    #[serde(default)]
    pub overrides: Vec<String>,
    /// A sweep's `--vary PATH=V1,V2,...`, in order (empty for other commands).
    #[serde(default)]
    pub vary: Vec<String>,
}

/// How every CSV file starts: this, then the run record as one line of JSON.
pub const RECORD_PREFIX: &str = "# kicsim run record ";

impl RunRecord {
    pub fn new(s: &Scenario, file: &str, replications: u32) -> Self {
        RunRecord {
            tool: "kicsim".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            scenario: s.name.clone(),
            scenario_file: file.into(),
            scenario_hash: scenario_hash(s),
            seed: s.seed,
            years: s.years,
            replications,
            overrides: Vec::new(),
            vary: Vec::new(),
        }
    }

    /// The record with the `--set` overrides that made its scenario.
    pub fn with_overrides(mut self, sets: &[String]) -> Self {
        self.overrides = sets.to_vec();
        self
    }

    /// The first line of every CSV: `# kicsim run record {...}`, the record as JSON on one line
    /// (a name with quotes, commas or line breaks stays on it, and it reads back whole).
    pub fn comment_line(&self) -> String {
        format!("{RECORD_PREFIX}{}", serde_json::to_string(self).unwrap_or_default())
    }

    /// Reads back [`RunRecord::comment_line`].
    pub fn from_comment_line(line: &str) -> Result<RunRecord, String> {
        let json = line.strip_prefix(RECORD_PREFIX).ok_or_else(|| format!("no run record on its first line ({RECORD_PREFIX}{{...}})"))?;
        serde_json::from_str(json).map_err(|e| format!("the run record on its first line cannot be read: {e}"))
    }
}
