//! Golden files: the baseline's first four years, byte for byte. A change to the model shows up
//! here as a diff to review; when the change is intended, regenerate with
//! `UPDATE_GOLDEN=1 cargo test --test golden` and commit the new file with the change.

use kicsim::run::{RunRecord, timeseries_csv};
use kicsim::scenario::Scenario;
use kicsim::sim::run_to_end;

#[test]
fn baseline_first_four_years_match_the_golden_file() {
    let mut s = Scenario::load(std::path::Path::new("scenarios/baseline.ron")).unwrap();
    s.years = 4;
    let runs = vec![run_to_end(&s)];
    let mut record = RunRecord::new(&s, "scenarios/baseline.ron", 1);
    record.version = "golden".into();
    let csv = timeseries_csv(&runs, &record);
    let path = "tests/golden/baseline_4y.csv";
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &csv).unwrap();
    }
    let golden = std::fs::read_to_string(path).expect("golden file missing: run with UPDATE_GOLDEN=1");
    if golden != csv {
        let first = golden.lines().zip(csv.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "the baseline run changed (first difference on line {}):\n golden: {}\n now:    {}\nIf the model change is intended: UPDATE_GOLDEN=1 cargo test --test golden",
            first + 1,
            golden.lines().nth(first).unwrap_or(""),
            csv.lines().nth(first).unwrap_or("")
        );
    }
}
