//! Output files: checked before a run, written as one set (all or none) after it.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Checks, before any work is done, that `out` is a folder or can be made one, and that its
/// nearest existing folder takes files, so that a long run does not fail at its end on a mistyped
/// or read-only `--out` (`flag` names the option in the message). Leaves nothing behind: the
/// probe file it writes is removed at once, and a refused run writes nothing.
pub fn check_out_dir(flag: &str, out: &Path) -> Result<(), String> {
    let writable = |dir: &Path| -> Result<(), String> {
        let probe = dir.join(format!(".kicsim-write-check-{}", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                Ok(())
            }
            Err(e) => Err(format!("{flag} {}: cannot write in {}: {}", out.display(), dir.display(), kicsim_model::io_words(&e))),
        }
    };
    let mut p = out;
    loop {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => return writable(p),
            Ok(_) if p == out => return Err(format!("{flag} {}: this is a file, not a folder", out.display())),
            Ok(_) => return Err(format!("{flag} {}: {} is a file, not a folder", out.display(), p.display())),
            Err(_) => match p.parent() {
                Some(q) if !q.as_os_str().is_empty() => p = q,
                _ => return writable(Path::new(".")),
            },
        }
    }
}

/// Writes a file so that it is either the old or the new content, never half-written.
pub fn write_atomic(path: &Path, content: &[u8]) -> std::io::Result<()> {
    write_all_atomic(&[(path, content)])
}

/// Writes several files as one: each goes to a temporary beside it first, and they are renamed
/// into place only when all were written. A failure while writing (disk full, a folder in the
/// way) leaves every old file as it was and no temporary behind. Each old file is kept under a
/// second name (a hard link) until all renames are done, so a rename failing part-way puts the
/// files already replaced back as they were.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> std::io::Result<()> {
    write_all_atomic_with(files, |from, to| std::fs::rename(from, to))
}

/// [`write_all_atomic`] with the rename to use (tests make it fail part-way).
fn write_all_atomic_with(files: &[(&Path, &[u8])], mut rename: impl FnMut(&Path, &Path) -> std::io::Result<()>) -> std::io::Result<()> {
    let side = |path: &Path, kind: &str| {
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
        dir.join(format!(".{name}.{kind}{}", std::process::id()))
    };
    let temps: Vec<PathBuf> = files.iter().map(|(path, _)| side(path, "tmp")).collect();
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let mut renamed = 0;
    let result = (|| {
        for ((path, content), tmp) in files.iter().zip(&temps) {
            if path.is_dir() {
                return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, format!("{} is a folder", path.display())));
            }
            if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)?;
            }
            let mut f = std::fs::File::create(tmp)?;
            f.write_all(content)?;
            f.sync_all()?;
        }
        // Keep each old file under a second name while the new ones go in; if that is not
        // possible, replace nothing.
        for (path, _) in files {
            let bak = side(path, "bak");
            let _ = std::fs::remove_file(&bak);
            if !path.exists() {
                backups.push(None);
                continue;
            }
            backups.push(Some(bak.clone()));
            std::fs::hard_link(path, &bak).or_else(|_| std::fs::copy(path, &bak).map(|_| ()))?;
        }
        for ((path, _), tmp) in files.iter().zip(&temps) {
            rename(tmp, path)?;
            renamed += 1;
        }
        Ok(())
    })();
    // Put back the old files already replaced; take out the new ones that had none. An old file
    // that cannot be put back (the folder became read-only, say) keeps its second name, and the
    // error says where it is.
    let mut kept: Vec<(&Path, &PathBuf)> = Vec::new();
    if result.is_err() {
        for ((path, _), bak) in files.iter().zip(&backups).take(renamed) {
            match bak {
                Some(b) if rename(b, path).is_err() => kept.push((path, b)),
                Some(_) => {}
                None => {
                    let _ = std::fs::remove_file(path);
                }
            }
        }
    }
    for f in temps[renamed..].iter().chain(backups.iter().flatten()) {
        if !kept.iter().any(|(_, b)| *b == f) {
            let _ = std::fs::remove_file(f);
        }
    }
    match result {
        Err(e) if !kept.is_empty() => {
            let where_ = kept.iter().map(|(path, b)| format!("the previous {} is kept as {}", path.display(), b.display()));
            Err(std::io::Error::new(e.kind(), format!("{e}; {}", where_.collect::<Vec<_>>().join(", "))))
        }
        result => result,
    }
}

/// The files of one command's outputs, written together at the end ([`write_all_atomic`]):
/// all replaced, or (on a failed write) none, so a report never sits beside charts of another run.
#[derive(Default)]
pub struct OutputSet(Vec<(PathBuf, Vec<u8>)>);

impl OutputSet {
    pub fn add(&mut self, path: PathBuf, content: impl Into<Vec<u8>>) {
        self.0.push((path, content.into()));
    }

    /// The files of the set, to add to another.
    pub fn into_files(self) -> Vec<(PathBuf, Vec<u8>)> {
        self.0
    }

    /// Writes every file of the set, or none (`dir` names the folder in the error).
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let files: Vec<(&Path, &[u8])> = self.0.iter().map(|(p, c)| (p.as_path(), c.as_slice())).collect();
        write_all_atomic(&files).map_err(|e| format!("cannot write the outputs in {}: {}", dir.display(), crate::io_words(&e)))
    }
}

/// A CSV file's text: the comment line (the run record), then the header and the rows, written
/// by `csv::Writer` (a field with a comma, a quote or a line break is quoted, so names survive).
pub fn csv_text(comment: &str, header: &[String], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    // Writing to memory cannot fail; a row of another length would be a bug caught by the tests.
    w.write_record(header).expect("a CSV header");
    for row in rows {
        w.write_record(&row).expect("a CSV row as long as the header");
    }
    let body = String::from_utf8(w.into_inner().expect("CSV in memory")).expect("UTF-8 fields give UTF-8");
    format!("{comment}\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_rename_failing_part_way_puts_the_replaced_files_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (a, b, c) = (dir.join("a.csv"), dir.join("b.json"), dir.join("c.md"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        // c.md does not exist yet: the failed write must not leave a new one behind.
        let mut calls = 0;
        let err = write_all_atomic_with(&[(&a, b"new a"), (&c, b"new c"), (&b, b"new b")], |from, to| {
            calls += 1;
            if calls == 3 { Err(std::io::Error::other("injected")) } else { std::fs::rename(from, to) }
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "injected");
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "old a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(listing(dir), ["a.csv", "b.json"], "no new file, temporary or backup left behind");

        write_all_atomic(&[(&a, b"new a"), (&c, b"new c"), (&b, b"new b")]).unwrap();
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new b");
        assert_eq!(std::fs::read_to_string(&c).unwrap(), "new c");
        assert_eq!(listing(dir), ["a.csv", "b.json", "c.md"]);
    }

    #[test]
    fn an_old_file_that_cannot_be_put_back_is_kept_and_the_error_says_where() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let (a, b) = (dir.join("a.csv"), dir.join("b.json"));
        std::fs::write(&a, "old a").unwrap();
        std::fs::write(&b, "old b").unwrap();
        // The second rename fails, and so does putting a.csv back (the third call).
        let mut calls = 0;
        let err = write_all_atomic_with(&[(&a, b"new a"), (&b, b"new b")], |from, to| {
            calls += 1;
            if calls >= 2 { Err(std::io::Error::other("injected")) } else { std::fs::rename(from, to) }
        })
        .unwrap_err();
        assert_eq!(calls, 3, "one rename put back");
        let bak = dir.join(format!(".a.csv.bak{}", std::process::id()));
        assert_eq!(err.to_string(), format!("injected; the previous {} is kept as {}", a.display(), bak.display()));
        assert_eq!(std::fs::read_to_string(&bak).unwrap(), "old a", "the old content is where the error says");
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
        assert_eq!(listing(dir), [format!(".a.csv.bak{}", std::process::id()), "a.csv".into(), "b.json".into()], "no temporary left");
    }

    #[test]
    fn csv_fields_with_commas_quotes_and_bars_survive() {
        let name = "Team \"A\", B | C";
        let text = csv_text("# record", &["name".into(), "v".into()], [vec![name.to_string(), "1".into()]]);
        assert_eq!(text, "# record\nname,v\n\"Team \"\"A\"\", B | C\",1\n");
        let mut r = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[0], name);
    }
}
