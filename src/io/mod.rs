//! Output files: checked before a run, written as one set (all or none, even under `kill -9`)
//! after it: the output folder is replaced whole ([`folder`]).

pub mod folder;

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Checks, before any work is done, that `out` is a folder or can be made one, that it and the
/// folder beside it take files (the new outputs are made beside it, then swapped in), and that
/// it can be replaced whole (not the current folder or one holding it, not a mount point, not
/// over [`folder::MAX_ENTRIES`] entries), so that a long run does not fail at its end on a
/// mistyped or read-only `--out` (`flag` names the option in the message). Then cleans up what
/// a killed write left beside it (told on stderr). Leaves nothing behind: the probe file it
/// writes is removed at once, and a refused run writes nothing.
pub fn check_out_dir(flag: &str, out: &Path) -> Result<(), String> {
    check_folder(flag, out)?;
    let shown = out.display();
    let target = folder::resolve(out).map_err(|e| format!("{flag} {shown}: {}", crate::io_words(&e)))?;
    let Some(parent) = target.parent() else { return Err(format!("{flag} {shown}: the root folder cannot be an output folder")) };
    let whole = "kicsim replaces its output folder whole on each write; give a folder of its own";
    if std::env::current_dir().and_then(std::fs::canonicalize).is_ok_and(|cwd| cwd.starts_with(&target)) {
        return Err(format!("{flag} {shown}: this is the current folder or holds it ({whole}, e.g. {flag} out)"));
    }
    if target.is_dir() {
        use std::os::unix::fs::MetadataExt as _;
        let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
        if dev(&target) != dev(parent) {
            return Err(format!("{flag} {shown}: this is a mount point ({whole}, e.g. {flag} {shown}/out)"));
        }
        probe(flag, out, &target)?;
        probe(flag, out, parent)?;
        let n = folder::count_entries(&target, folder::MAX_ENTRIES)
            .map_err(|e| format!("{flag} {shown}: cannot read the folder: {}", crate::io_words(&e)))?;
        if n > folder::MAX_ENTRIES {
            return Err(format!("{flag} {shown}: holds over {} files and folders ({whole})", folder::MAX_ENTRIES));
        }
    }
    let cleaned =
        folder::clean_up(&target).map_err(|e| format!("{flag} {shown}: cannot clean up an interrupted write: {}", crate::io_words(&e)))?;
    for line in cleaned {
        eprintln!("kicsim: {line}");
    }
    Ok(())
}

/// Checks that `out` is a folder or can be made one (no file on the way), and that its nearest
/// existing folder takes files.
pub fn check_folder(flag: &str, out: &Path) -> Result<(), String> {
    let shown = out.display();
    let mut p = out;
    loop {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() => return probe(flag, out, p),
            Ok(_) if p == out => return Err(format!("{flag} {shown}: this is a file, not a folder")),
            Ok(_) => return Err(format!("{flag} {shown}: {} is a file, not a folder", p.display())),
            Err(_) => match p.parent() {
                Some(q) if !q.as_os_str().is_empty() => p = q,
                _ => return probe(flag, out, Path::new(".")),
            },
        }
    }
}

/// Writes and removes a probe file in `dir`: an error naming `flag` and `out` if it cannot.
fn probe(flag: &str, out: &Path, dir: &Path) -> Result<(), String> {
    let probe = dir.join(format!(".kicsim-write-check-{}", std::process::id()));
    match std::fs::OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => Err(format!("{flag} {}: cannot write in {}: {}", out.display(), dir.display(), kicsim_model::io_words(&e))),
    }
}

/// Writes a file so that it is either the old or the new content, never half-written: a
/// temporary beside it, synced, renamed over it, and the folder synced.
pub fn write_atomic(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The files of one command's outputs, written together at the end: the output folder replaced
/// whole ([`folder::replace_folder`]), so a report never sits beside charts of another run, even
/// when the process is killed part-way.
#[derive(Default)]
pub struct OutputSet(Vec<(PathBuf, Vec<u8>)>, Vec<PathBuf>);

impl OutputSet {
    pub fn add(&mut self, path: PathBuf, content: impl Into<Vec<u8>>) {
        self.0.push((path, content.into()));
    }

    /// A file of an earlier set of this command that this one does not write (so it does not
    /// stay beside the new files): removed with the write.
    pub fn drop_old(&mut self, path: PathBuf) {
        self.1.push(path);
    }

    /// The files of the set, to add to another.
    pub fn into_files(self) -> Vec<(PathBuf, Vec<u8>)> {
        self.0
    }

    /// Writes every file of the set into the folder `dir` (each path is inside it), or none.
    pub fn write(&self, dir: &Path) -> Result<(), String> {
        let mut files: Vec<(&Path, &[u8])> = Vec::new();
        for (p, c) in &self.0 {
            let rel =
                p.strip_prefix(dir).map_err(|_| format!("cannot write {}: not in the output folder {}", p.display(), dir.display()))?;
            files.push((rel, c.as_slice()));
        }
        let dropped: Vec<&Path> = self.1.iter().filter_map(|p| p.strip_prefix(dir).ok()).collect();
        folder::replace_folder(dir, &files, &dropped)
            .map_err(|e| format!("cannot write the outputs in {}: {}", dir.display(), crate::io_words(&e)))
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
