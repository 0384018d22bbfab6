//! Helpers shared by the command-line and workshop tests.

use std::path::{Path, PathBuf};

/// A folder for one test's outputs, `name` inside a temporary folder that is removed when the
/// test ends (tempfile).
pub struct Tmp {
    _root: tempfile::TempDir,
    path: PathBuf,
}

impl std::ops::Deref for Tmp {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for Tmp {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

/// `name` inside a new temporary folder, not made yet (a command makes its --out, and a refused
/// one must not).
pub fn tmp_path(prefix: &str, name: &str) -> Tmp {
    let root = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
    Tmp { path: root.path().join(name), _root: root }
}
