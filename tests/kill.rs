//! Outputs all or none even under `kill -9`: each command is killed (SIGKILL, through the test
//! hook `KICSIM_TEST_KILL_AT`, at each step of its write) and the output folder must then hold
//! the previous set of files or the new one, never a mix; the next run must leave nothing
//! beside or inside it but its files (and the files that were not kicsim's).
//!
//! Run alone with `cargo test --release --test kill`.

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt as _;
use std::path::Path;
use std::process::Command;

/// Every file under `dir` (relative path -> content); `None` when there is no folder.
fn snapshot(dir: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap());
            }
        }
    }
    if !dir.is_dir() {
        return None;
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    Some(out)
}

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    n.sort();
    n
}

fn kicsim(args: &[String], envs: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kicsim"));
    c.current_dir(env!("CARGO_MANIFEST_DIR")).args(args).env_remove("KICSIM_TEST_KILL_AT").env_remove("KICSIM_TEST_NO_EXCHANGE");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn ok(args: &[String]) {
    let o = kicsim(args, &[]);
    assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
}

/// The steps a write can be killed at (src/io/folder.rs), and whether the file system's swap of
/// two folders is used or the two renames.
const STEPS: [(&str, bool); 7] =
    [("file", false), ("filled", false), ("swapped", false), ("file", true), ("filled", true), ("aside", true), ("swapped", true)];

/// Kills `args(out, seed 2)` at every step over the outputs of `args(out, seed 1)` plus a file of
/// the user's, and checks the folder then, and after a run that is not killed.
fn killed_at_every_step(name: &str, args: impl Fn(&str, &str) -> Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let reference = |seed: &str| {
        let out = tmp.path().join(format!("ref-{seed}"));
        ok(&args(out.to_str().unwrap(), seed));
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        snapshot(&out).unwrap()
    };
    let (old, new) = (reference("1"), reference("2"));
    assert_ne!(old, new, "{name}: the two seeds give two sets");
    for (step, two_renames) in STEPS {
        let parent = tmp.path().join(format!("{step}-{two_renames}"));
        let out = parent.join("out");
        let out_s = out.to_str().unwrap();
        ok(&args(out_s, "1"));
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        let mut envs = vec![("KICSIM_TEST_KILL_AT", step)];
        if two_renames {
            envs.push(("KICSIM_TEST_NO_EXCHANGE", "1"));
        }
        let o = kicsim(&args(out_s, "2"), &envs);
        assert_eq!(o.status.signal(), Some(9), "{name} at {step}: killed ({})", String::from_utf8_lossy(&o.stderr));
        match snapshot(&out) {
            Some(found) => assert!(found == old || found == new, "{name} killed at {step}: a mix of files: {:?}", found.keys()),
            // Killed between the two renames: the old folder is aside, whole.
            None => {
                assert_eq!((step, two_renames), ("aside", true), "{name}: the folder is gone after a kill at {step}");
                let aside = names(&parent).into_iter().find(|n| n.starts_with(".out.kicsim-old-")).expect("the old folder aside");
                assert_eq!(snapshot(&parent.join(aside)).unwrap(), old, "{name}: the old set, whole, aside");
            }
        }
        // The next run cleans up and writes its set; the user's file stays.
        ok(&args(out_s, "2"));
        assert_eq!(snapshot(&out).unwrap(), new, "{name} after a kill at {step}: the new set and the user's file");
        assert_eq!(names(&parent), ["out"], "{name} after a kill at {step}: no temporary or old folder left");
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_run_killed_while_writing_leaves_the_old_or_the_new_files() {
    killed_at_every_step("run", |out, seed| {
        strings(&["run", "scenarios/minimal.ron", "--years", "2", "--replications", "2", "--seed", seed, "--out", out])
    });
}

#[test]
fn compare_killed_while_writing_leaves_the_old_or_the_new_report() {
    killed_at_every_step("compare", |out, seed| {
        strings(&[
            "compare",
            "scenarios/minimal.ron",
            "scenarios/baseline.ron",
            "--years",
            "2",
            "--replications",
            "2",
            "--seed",
            seed,
            "--out",
            out,
        ])
    });
}

/// Shards of a sweep share one folder: a shard killed while writing loses no other shard's file,
/// and a merge into that folder killed while writing leaves the shards as they were.
#[test]
fn sweep_shards_and_merge_killed_while_writing_lose_no_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sweep");
    let out_s = out.to_str().unwrap();
    let shard = |i: &str| {
        strings(&[
            "sweep",
            "scenarios/minimal.ron",
            "--vary",
            "incentives.cit_rate=0.1,0.2",
            "--years",
            "2",
            "--replications",
            "1",
            "--shard",
            i,
            "--out",
            out_s,
        ])
    };
    ok(&shard("2/2"));
    let before = snapshot(&out).unwrap();
    assert_eq!(before.keys().collect::<Vec<_>>(), ["results-shard-2-of-2.csv"]);
    let o = kicsim(&shard("1/2"), &[("KICSIM_TEST_KILL_AT", "filled")]);
    assert_eq!(o.status.signal(), Some(9));
    assert_eq!(snapshot(&out).unwrap(), before, "shard 1 killed: shard 2's file as it was, no half of shard 1");
    ok(&shard("1/2"));
    let shards = snapshot(&out).unwrap();
    assert_eq!(shards.len(), 2);
    let merge = strings(&["merge", out_s, "--out", out_s]);
    let o = kicsim(&merge, &[("KICSIM_TEST_KILL_AT", "file")]);
    assert_eq!(o.status.signal(), Some(9));
    assert_eq!(snapshot(&out).unwrap(), shards, "merge killed: the shards alone");
    ok(&merge);
    let merged = snapshot(&out).unwrap();
    assert!(merged.contains_key("results.csv") && merged.contains_key("report.html"), "{:?}", merged.keys());
    assert!(shards.iter().all(|(k, v)| merged.get(k) == Some(v)), "the shards stay beside the merged results");
    assert_eq!(names(tmp.path()), ["sweep"], "no temporary left");
}

/// A run without `--parameter-draws` after one with them does not leave the first run's draws.csv
/// beside its files.
#[test]
fn a_later_run_drops_the_draws_file_it_does_not_write() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let out_s = out.to_str().unwrap();
    ok(&strings(&["run", "scenarios/minimal.ron", "--years", "2", "--parameter-draws", "4", "--out", out_s]));
    assert!(out.join("draws.csv").exists());
    ok(&strings(&["run", "scenarios/minimal.ron", "--years", "2", "--out", out_s]));
    assert_eq!(names(&out), ["summary.json", "timeseries.csv"]);
}

/// An output folder that is the current folder cannot be replaced whole: refused before any work.
#[test]
fn the_current_folder_is_refused_as_an_output_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/minimal.ron");
    let o = Command::new(env!("CARGO_BIN_EXE_kicsim"))
        .current_dir(tmp.path())
        .args(["run", scenario.to_str().unwrap(), "--out", "."])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("--out .: this is the current folder or holds it"), "{err}");
    assert!(names(tmp.path()).is_empty(), "nothing written");
}

#[test]
fn breakdown_killed_while_writing_leaves_the_old_or_the_new_report() {
    // Breakdown has no --seed: the two sets are one and two replications.
    killed_at_every_step("breakdown", |out, seed| strings(&["breakdown", "scenarios/minimal.ron", "--replications", seed, "--out", out]));
}

/// Sensitivity and calibration reports give their run time, so a new set is never the same
/// twice: a kill before the swap (the new files written, or the old folder renamed aside) must
/// leave the old set exactly, and the next run its own set with nothing left over.
#[test]
fn sensitivity_and_calibrate_killed_before_the_swap_leave_the_old_files() {
    let sensitivity = |out: &str, seed: &str| {
        let args = ["sensitivity", "scenarios/baseline.ron", "--set", "years=2", "--params", "learning_rate,import_cost"];
        let more = ["--sobol-n", "8", "--morris-r", "2", "--replications", "1", "--bootstrap", "20", "--seed", seed, "--out", out];
        strings(&[&args[..], &more[..]].concat())
    };
    let calibrate = |out: &str, seed: &str| {
        let args = ["calibrate", "scenarios/baseline.ron", "--targets", "calibration/targets.ron", "--params", "import_cost"];
        let more =
            ["--method", "rejection", "--particles", "5", "--simulations", "20", "--replications", "1", "--seed", seed, "--out", out];
        strings(&[&args[..], &more[..]].concat())
    };
    let commands: [(&str, &dyn Fn(&str, &str) -> Vec<String>); 2] = [("sensitivity", &sensitivity), ("calibrate", &calibrate)];
    for (name, args) in commands {
        for (step, two_renames) in [("filled", false), ("aside", true)] {
            let tmp = tempfile::tempdir().unwrap();
            let out = tmp.path().join("out");
            let out_s = out.to_str().unwrap();
            ok(&args(out_s, "1"));
            let old = snapshot(&out).unwrap();
            let mut envs = vec![("KICSIM_TEST_KILL_AT", step)];
            if two_renames {
                envs.push(("KICSIM_TEST_NO_EXCHANGE", "1"));
            }
            let o = kicsim(&args(out_s, "2"), &envs);
            assert_eq!(o.status.signal(), Some(9), "{name} at {step}: killed ({})", String::from_utf8_lossy(&o.stderr));
            let found = snapshot(&out).or_else(|| {
                let aside = names(tmp.path()).into_iter().find(|n| n.starts_with(".out.kicsim-old-"))?;
                snapshot(&tmp.path().join(aside))
            });
            assert_eq!(found.as_ref(), Some(&old), "{name} killed at {step}: the old set, whole");
            ok(&args(out_s, "2"));
            let new = snapshot(&out).unwrap();
            assert_eq!(new.keys().collect::<Vec<_>>(), old.keys().collect::<Vec<_>>(), "{name}: the same files");
            assert_ne!(new, old, "{name}: the new set");
            assert_eq!(names(tmp.path()), ["out"], "{name} after a kill at {step}: nothing left over");
        }
    }
}

/// A symlink given as --out: the folder it points to gets the files, the link stays a link.
#[test]
fn an_out_that_is_a_symlink_writes_into_the_folder_it_points_to() {
    let tmp = tempfile::tempdir().unwrap();
    let real = tmp.path().join("real");
    std::fs::create_dir(&real).unwrap();
    std::fs::write(real.join("notes.txt"), "mine").unwrap();
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink("real", &link).unwrap();
    ok(&strings(&["run", "scenarios/minimal.ron", "--years", "2", "--out", link.to_str().unwrap()]));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
    assert_eq!(names(&real), ["notes.txt", "summary.json", "timeseries.csv"]);
    assert_eq!(names(tmp.path()), ["link", "real"], "nothing left beside");
}
