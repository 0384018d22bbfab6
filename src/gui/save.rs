//! How the planner writes a plan's file: through a symlink to the file it points to (the link
//! is kept), with the file's permissions kept, synced (the file, then its folder), and the
//! previous versions kept as FILE.bak, FILE.bak.1, ... (the newest first, at most
//! [`BACKUPS`]), so a second save does not lose the first backup.

use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Backups kept of a file: FILE.bak and FILE.bak.1 to FILE.bak.4.
pub const BACKUPS: usize = 5;

/// The file a save writes: `path`, or the file a symlink there points to (followed through
/// every link, even to a file not there yet).
pub fn real_target(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::read_link(&p) {
            Ok(to) => p = if to.is_absolute() { to } else { p.parent().unwrap_or(Path::new(".")).join(to) },
            Err(_) => return p,
        }
    }
    p
}

/// Writes `content` to the file at `path` (or the file its symlink points to): a temporary
/// beside it with its permissions, synced, renamed over it, then the folder synced. Never half
/// written, and on a failure the file is as it was.
pub fn write_plan_file(path: &Path, content: &[u8]) -> std::io::Result<()> {
    let target = real_target(path);
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "plan.ron".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        if let Ok(m) = std::fs::metadata(&target) {
            f.set_permissions(m.permissions())?;
        }
        f.write_all(content)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &target)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The n-th backup of `path`: FILE.bak, then FILE.bak.1, ...
pub fn backup_at(path: &Path, n: usize) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".bak");
    if n > 0 {
        name.push(format!(".{n}"));
    }
    path.with_file_name(name)
}

/// Keeps `content` as the newest backup of `path` (FILE.bak), the older ones moved down one
/// (FILE.bak to FILE.bak.1, ...; the oldest of [`BACKUPS`] goes). Returns FILE.bak.
pub fn keep_backup(path: &Path, content: &[u8]) -> std::io::Result<PathBuf> {
    let newest = backup_at(path, 0);
    if std::fs::read(&newest).is_ok_and(|b| b == content) {
        return Ok(newest);
    }
    for n in (0..BACKUPS - 1).rev() {
        let from = backup_at(path, n);
        if from.exists() {
            std::fs::rename(&from, backup_at(path, n + 1))?;
        }
    }
    crate::io::write_atomic(&newest, content)?;
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    #[test]
    fn a_save_keeps_the_permissions_and_writes_through_a_symlink() {
        let tmp = tempfile::tempdir().unwrap();
        let real = tmp.path().join("real.ron");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = tmp.path().join("plan.ron");
        std::os::unix::fs::symlink("real.ron", &link).unwrap();
        write_plan_file(&link, b"new").unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "the link is kept");
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new", "the file it points to is written");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640, "its permissions are kept");
        let mut names: Vec<String> =
            std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, ["plan.ron", "real.ron"], "no temporary left");
    }

    #[test]
    fn backups_are_kept_newest_first_and_at_most_five() {
        let tmp = tempfile::tempdir().unwrap();
        let plan = tmp.path().join("plan.ron");
        for v in 0..7 {
            keep_backup(&plan, format!("v{v}").as_bytes()).unwrap();
        }
        // The same content again makes no new backup.
        keep_backup(&plan, b"v6").unwrap();
        let read = |n| std::fs::read_to_string(backup_at(&plan, n)).unwrap();
        assert_eq!((read(0), read(1), read(4)), ("v6".into(), "v5".into(), "v2".into()));
        assert!(!backup_at(&plan, 5).exists());
    }
}
