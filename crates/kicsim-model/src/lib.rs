//! KIC Planner's model, with no rendering and no command line:
//!
//! - [`scenario`]: the scenario file format (RON): types, defaults, loading with located errors, `--set`.
//! - [`registry`]: every numeric field (unit, range, default, help, plausible range) and every KPI.
//! - [`check`]: validation of a scenario (ranges from the registry, sites on the map) and warnings.
//! - [`sim`]: the model as a Bevy plugin, one plugin per rule; [`sim::Engine`] runs it headless.
//! - [`ronpath`]: finds the line and column of a field in a scenario's text.
//! - [`names`]: "did you mean ...?" for a misspelt name.
//! - [`write`]: a scenario as text for people: a plan file (only what differs from the defaults)
//!   and the commented template.

pub mod check;
pub mod names;
pub mod registry;
pub mod ronpath;
pub mod scenario;
pub mod sim;
pub mod write;

/// A file-system error in the user's words: what went wrong, without the operating system's
/// error number ("No such file or directory (os error 2)" reads as "no such file or folder").
pub fn io_words(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let words = match e.kind() {
        K::NotFound => "no such file or folder",
        K::PermissionDenied => "not allowed (permission denied)",
        K::AlreadyExists => "it already exists",
        K::IsADirectory => "it is a folder, not a file",
        K::NotADirectory => "part of the path is a file, not a folder",
        K::StorageFull => "the disk is full",
        K::ReadOnlyFilesystem => "the disk is read-only",
        K::DirectoryNotEmpty => "the folder is not empty",
        K::InvalidFilename => "the name is not a valid file name",
        K::Interrupted | K::TimedOut | K::WouldBlock => "interrupted; try again",
        K::OutOfMemory => "out of memory",
        _ => "",
    };
    // Errors made by this program (`io::Error::new`) carry their own message; keep it.
    let own = e.raw_os_error().is_none() && e.get_ref().is_some();
    if !words.is_empty() && !own {
        return words.to_string();
    }
    let text = e.to_string();
    match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Error, ErrorKind};

    #[test]
    fn file_errors_are_in_plain_words() {
        let missing = std::fs::read("/no/such/kicsim/file").unwrap_err();
        assert_eq!(super::io_words(&missing), "no such file or folder");
        assert_eq!(super::io_words(&Error::from_raw_os_error(13)), "not allowed (permission denied)");
        // A message of our own is kept; an unknown OS error loses only its number.
        assert_eq!(super::io_words(&Error::new(ErrorKind::IsADirectory, "out is a folder")), "out is a folder");
        let odd = super::io_words(&Error::from_raw_os_error(71));
        assert!(!odd.contains("os error") && !odd.is_empty(), "{odd}");
    }
}
