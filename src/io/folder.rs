//! An output folder replaced whole, so that even a process killed with `kill -9` leaves the old
//! set of files or the new one, never a mix.
//!
//! The new files are written into a temporary folder beside the target (`.NAME.kicsim-new-PID`),
//! each synced; the other entries of the old folder (files that are not ours, such as the other
//! shards of a sweep) are carried over as hard links; then one `renameat2(RENAME_EXCHANGE)` swaps
//! the two folders, and the old one is removed. Where the file system cannot swap two folders,
//! the old folder is first renamed aside (`.NAME.kicsim-old-PID`) and the new one renamed in: a
//! kill between the two leaves no folder at the target and the old one aside, which the next
//! write puts back. Every write, and the check of `--out` before any work, first cleans up what
//! a killed write left beside the target. The steps take a lock on the parent folder, so that
//! processes writing into one folder (the shards of a sweep) do not lose each other's files.

use std::fs::File;
use std::path::{Component, Path, PathBuf};

/// The tags of the temporary folders beside a target (`.NAME` + tag + PID).
const NEW_TAG: &str = ".kicsim-new-";
const OLD_TAG: &str = ".kicsim-old-";

/// The most entries an existing output folder may hold: each is carried over on every write.
pub const MAX_ENTRIES: usize = 20_000;

/// The target `out` stands for: absolute, a symlink to a folder followed (the folder it points
/// to is replaced, the link kept), `.` and `..` resolved.
pub fn resolve(out: &Path) -> std::io::Result<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(out) {
        return Ok(real);
    }
    let abs = if out.is_absolute() { out.to_path_buf() } else { std::env::current_dir()?.join(out) };
    // The nearest existing folder, resolved, and the missing rest as given.
    let mut missing = Vec::new();
    let mut p = abs.as_path();
    loop {
        if let Ok(real) = std::fs::canonicalize(p) {
            let mut r = real;
            for part in missing.iter().rev() {
                r.push(part);
            }
            return Ok(r);
        }
        match (p.file_name(), p.parent()) {
            (Some(n), Some(q)) if !p.components().any(|c| c == Component::ParentDir) => {
                missing.push(n.to_os_string());
                p = q;
            }
            _ => return Ok(abs),
        }
    }
}

/// The parent folder and the name of a resolved target.
fn split(target: &Path) -> std::io::Result<(&Path, String)> {
    match (target.parent(), target.file_name()) {
        (Some(p), Some(n)) => Ok((p, n.to_string_lossy().into_owned())),
        _ => Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "the root folder cannot be an output folder")),
    }
}

/// Holds the lock on `dir` (released when dropped, or when the process dies however it dies).
struct Lock(#[allow(dead_code)] File);

fn lock(dir: &Path) -> std::io::Result<Lock> {
    let f = File::open(dir)?;
    f.lock()?;
    Ok(Lock(f))
}

/// Test hook: `KICSIM_TEST_KILL_AT=STEP` makes the process kill itself (SIGKILL, as `kill -9`)
/// when a write reaches that step, so that tests can check what a kill leaves at each moment.
fn kill_point(step: &str) {
    if std::env::var("KICSIM_TEST_KILL_AT").is_ok_and(|s| s == step) {
        // SAFETY: kill(2) on our own process id; it does not return.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
    }
}

/// Removes (or puts back) what a killed write left beside `target`; takes the lock. Returns the
/// paths it removed or put back, to tell the user.
pub fn clean_up(target: &Path) -> std::io::Result<Vec<String>> {
    let (parent, _) = split(target)?;
    if !parent.is_dir() {
        return Ok(Vec::new());
    }
    let _lock = lock(parent)?;
    clean_up_locked(target)
}

fn clean_up_locked(target: &Path) -> std::io::Result<Vec<String>> {
    let (parent, name) = split(target)?;
    let mut done = Vec::new();
    let prefix = format!(".{name}");
    let mut left: Vec<(PathBuf, bool)> = Vec::new();
    for e in std::fs::read_dir(parent)?.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some(rest) = n.strip_prefix(&prefix) {
            let old = rest.starts_with(OLD_TAG);
            if (old || rest.starts_with(NEW_TAG)) && rest[NEW_TAG.len()..].bytes().all(|b| b.is_ascii_digit()) {
                left.push((e.path(), old));
            }
        }
    }
    // Killed between the two renames of the fallback: the old folder goes back.
    if std::fs::symlink_metadata(target).is_err()
        && let Some((old, _)) = left.iter().find(|(_, is_old)| *is_old)
    {
        std::fs::rename(old, target)?;
        done.push(format!("put back {} (a write was interrupted)", target.display()));
    }
    for (p, _) in left {
        if p.exists() {
            std::fs::remove_dir_all(&p)?;
            done.push(format!("removed {} (left by an interrupted write)", p.display()));
        }
    }
    Ok(done)
}

/// A file name the per-file writes of earlier versions left when killed (`.NAME.tmpPID`,
/// `.NAME.bakPID`), or a write probe of a dead process: not carried over.
fn is_leftover(name: &str) -> bool {
    let Some(rest) = name.strip_prefix('.') else { return false };
    let numbered = |tag: &str| {
        rest.rfind(tag).is_some_and(|i| i > 0 && rest.len() > i + tag.len() && rest[i + tag.len()..].bytes().all(|b| b.is_ascii_digit()))
    };
    if let Some(pid) = rest.strip_prefix("kicsim-write-check-") {
        return pid.parse::<u32>().is_ok_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists());
    }
    numbered(".tmp") || numbered(".bak")
}

/// Counts the entries under `dir`, stopping past `limit`.
pub fn count_entries(dir: &Path, limit: usize) -> std::io::Result<usize> {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            n += 1;
            if n > limit {
                return Ok(n);
            }
            if e.file_type()?.is_dir() {
                stack.push(e.path());
            }
        }
    }
    Ok(n)
}

/// Links every entry of `from` into `to` (folders made anew), but the paths in `ours` (relative)
/// and the leftovers of killed writes.
fn carry_over(from: &Path, to: &Path, rel: &Path, ours: &[&Path]) -> std::io::Result<()> {
    for e in std::fs::read_dir(from.join(rel))? {
        let e = e?;
        let r = rel.join(e.file_name());
        if ours.contains(&r.as_path()) || is_leftover(&e.file_name().to_string_lossy()) {
            continue;
        }
        let dest = to.join(&r);
        if e.file_type()?.is_dir() {
            if !dest.is_dir() {
                std::fs::create_dir(&dest)?;
                std::fs::set_permissions(&dest, e.metadata()?.permissions())?;
            }
            carry_over(from, to, &r, ours)?;
        } else if !dest.exists() {
            std::fs::hard_link(e.path(), &dest).or_else(|_| std::fs::copy(e.path(), &dest).map(|_| ()))?;
        }
    }
    Ok(())
}

/// Moves into `to` what is in `from` and not in `to` (a file another program wrote into the old
/// folder while the new one was made), so that removing `from` loses nothing; but the paths in
/// `skip` (relative: our files, and the old ones dropped) and the leftovers of killed writes.
fn rescue(from: &Path, to: &Path, rel: &Path, skip: &[&Path]) -> std::io::Result<()> {
    for e in std::fs::read_dir(from.join(rel))?.flatten() {
        let r = rel.join(e.file_name());
        if skip.contains(&r.as_path()) || is_leftover(&e.file_name().to_string_lossy()) {
            continue;
        }
        let dest = to.join(&r);
        if std::fs::symlink_metadata(&dest).is_err() {
            std::fs::rename(e.path(), &dest)?;
        } else if e.file_type()?.is_dir() && dest.is_dir() {
            rescue(from, to, &r, skip)?;
        }
    }
    Ok(())
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Swaps two folders in one step; `Ok(false)` when the file system (or the system: Linux only)
/// cannot.
#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Swaps two folders in one step; `Ok(false)` when the file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    if std::env::var_os("KICSIM_TEST_NO_EXCHANGE").is_some() {
        return Ok(false);
    }
    use std::os::unix::ffi::OsStrExt as _;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (ca, cb) = (c(a)?, c(b)?);
    // SAFETY: two NUL-terminated paths that live through the call.
    let r = unsafe { libc::renameat2(libc::AT_FDCWD, ca.as_ptr(), libc::AT_FDCWD, cb.as_ptr(), libc::RENAME_EXCHANGE) };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL) | Some(libc::ENOSYS) | Some(libc::EOPNOTSUPP) => Ok(false),
        _ => Err(e),
    }
}

/// Replaces the folder `out` by one holding `files` (paths relative to it) and the entries of
/// the old folder that are not among them: all at once, even under `kill -9`.
/// `dropped` (relative) are old files not carried over.
pub fn replace_folder(out: &Path, files: &[(&Path, &[u8])], dropped: &[&Path]) -> std::io::Result<()> {
    let target = resolve(out)?;
    let (parent, name) = split(&target)?;
    std::fs::create_dir_all(parent)?;
    let _lock = lock(parent)?;
    clean_up_locked(&target)?;
    let new = parent.join(format!(".{name}{NEW_TAG}{}", std::process::id()));
    if let Err(e) = fill(&target, &new, files, dropped) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(e);
    }
    let skip: Vec<&Path> = files.iter().map(|(p, _)| *p).chain(dropped.iter().copied()).collect();
    swap_in(&target, &new, parent, &name, &skip)
}

/// Makes the new folder: our files, synced, then the old folder's other entries.
fn fill(target: &Path, new: &Path, files: &[(&Path, &[u8])], dropped: &[&Path]) -> std::io::Result<()> {
    for (rel, _) in files {
        let path = target.join(rel);
        if path.is_dir() {
            return Err(std::io::Error::new(std::io::ErrorKind::IsADirectory, format!("{} is a folder", path.display())));
        }
    }
    std::fs::create_dir(new)?;
    let old = std::fs::metadata(target).ok().filter(|m| m.is_dir());
    if let Some(m) = &old {
        std::fs::set_permissions(new, m.permissions())?;
    }
    for (i, (rel, content)) in files.iter().enumerate() {
        let path = new.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut f = File::create(&path)?;
        std::io::Write::write_all(&mut f, content)?;
        f.sync_all()?;
        if i == 0 {
            kill_point("file");
        }
    }
    if old.is_some() {
        let skip: Vec<&Path> = files.iter().map(|(p, _)| *p).chain(dropped.iter().copied()).collect();
        carry_over(target, new, Path::new(""), &skip)?;
    }
    sync_dir(new)?;
    kill_point("filled");
    Ok(())
}

/// Puts the full new folder at the target, and removes the old one.
fn swap_in(target: &Path, new: &Path, parent: &Path, name: &str, skip: &[&Path]) -> std::io::Result<()> {
    if std::fs::symlink_metadata(target).is_err() {
        if let Err(e) = std::fs::rename(new, target) {
            let _ = std::fs::remove_dir_all(new);
            return Err(e);
        }
        return sync_dir(parent);
    }
    let swapped = exchange(new, target).inspect_err(|_| {
        let _ = std::fs::remove_dir_all(new);
    })?;
    let old = if swapped {
        // `new` now names the old folder.
        sync_dir(parent)?;
        new.to_path_buf()
    } else {
        let aside = parent.join(format!(".{name}{OLD_TAG}{}", std::process::id()));
        if let Err(e) = std::fs::rename(target, &aside) {
            let _ = std::fs::remove_dir_all(new);
            return Err(e);
        }
        kill_point("aside");
        if let Err(e) = std::fs::rename(new, target) {
            // The old folder goes back; the new one is dropped.
            std::fs::rename(&aside, target)?;
            let _ = std::fs::remove_dir_all(new);
            return Err(e);
        }
        sync_dir(parent)?;
        aside
    };
    kill_point("swapped");
    rescue(&old, target, Path::new(""), skip)?;
    std::fs::remove_dir_all(&old)
}
