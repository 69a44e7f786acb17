//! Files the walk never scans because they are not code: vestige's own (the rule file names every
//! forbidden token, a baseline repeats every finding, a temporary file holds a baseline being
//! written, another project's rule file nested in the tree) and version control's (`.git` and
//! the like). Own files are recognised by identity (device and inode), so that no spelling of
//! their path through a symbolic link, and no link to them, gets them scanned.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use ignore::DirEntry;

use crate::rulefile::FILE_NAMES;

/// The start of the name of every temporary file vestige writes.
pub const TEMP_PREFIX: &str = ".vestige-";

/// The end of the name of every temporary file vestige writes.
pub const TEMP_SUFFIX: &str = ".tmp";

/// Other version-control systems' directories, which hold copies of the code (`.svn` keeps a
/// pristine copy of every file), never scanned; `.git` is skipped whether a directory or a file.
const VCS_DIRS: [&str; 3] = [".hg", ".svn", ".jj"];

/// vestige's own files, never scanned.
#[derive(Debug, Clone, Default)]
pub struct OwnFiles {
    /// Device and inode of each own file and of each link naming one.
    #[cfg(unix)]
    ids: Vec<(u64, u64)>,
    /// Each own file as named and as resolved.
    #[cfg(not(unix))]
    paths: Vec<PathBuf>,
}

impl OwnFiles {
    /// The own files of a project whose rule file is `rule_file` and whose baselines are
    /// `baselines`.
    pub fn of(rule_file: &Path, baselines: &[&PathBuf]) -> Self {
        let mut own = Self::default();
        own.add(rule_file);
        for path in baselines {
            own.add(path);
        }
        own
    }

    /// Adds the file at `path`, and the file a link there leads to; a path that does not exist
    /// yet adds nothing.
    pub fn add(&mut self, path: &Path) {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            for meta in [std::fs::symlink_metadata(path), std::fs::metadata(path)]
                .into_iter()
                .flatten()
            {
                let id = (meta.dev(), meta.ino());
                if !self.ids.contains(&id) {
                    self.ids.push(id);
                }
            }
        }
        #[cfg(not(unix))]
        {
            self.paths.push(path.to_owned());
            self.paths.extend(std::fs::canonicalize(path));
        }
    }

    /// Whether the walk skips `entry`: an own file, a vestige temporary file, a rule file of a
    /// nested project, or a version-control directory (`.git`, `.hg`, `.svn`, `.jj`).
    pub fn skips(&self, entry: &DirEntry) -> bool {
        let name = entry.file_name();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        name == ".git"
            || (is_dir && VCS_DIRS.iter().any(|n| name == *n))
            || (!is_dir && (is_temp(name) || FILE_NAMES.iter().any(|n| name == *n)))
            || self.is_own(entry)
    }

    /// Whether a scan never reads the file at `path` (relative to `root`): as `skips` for the
    /// file and each directory between `root` and it. For paths git lists, not met on a walk.
    pub fn skips_path(&self, root: &Path, path: &Path) -> bool {
        let rel = path.strip_prefix(root).unwrap_or(path);
        let mut dirs = rel.parent().into_iter().flat_map(Path::components);
        let name = rel.file_name().unwrap_or_default();
        dirs.any(|dir| {
            let dir = dir.as_os_str();
            dir == ".git" || VCS_DIRS.iter().any(|n| dir == *n)
        }) || name == ".git"
            || is_temp(name)
            || FILE_NAMES.iter().any(|n| name == *n)
            || self.is_own_path(path)
    }

    #[cfg(unix)]
    fn is_own_path(&self, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt;
        [std::fs::symlink_metadata(path), std::fs::metadata(path)]
            .into_iter()
            .flatten()
            .any(|meta| self.ids.contains(&(meta.dev(), meta.ino())))
    }

    #[cfg(not(unix))]
    fn is_own_path(&self, path: &Path) -> bool {
        self.paths.iter().any(|own| own == path)
    }

    #[cfg(unix)]
    fn is_own(&self, entry: &DirEntry) -> bool {
        use std::os::unix::fs::MetadataExt;
        let Some(ino) = entry.ino() else {
            return false;
        };
        if !self.ids.iter().any(|&(_, own)| own == ino) {
            return false;
        }
        [
            std::fs::symlink_metadata(entry.path()),
            std::fs::metadata(entry.path()),
        ]
        .into_iter()
        .flatten()
        .any(|meta| self.ids.contains(&(meta.dev(), meta.ino())))
    }

    #[cfg(not(unix))]
    fn is_own(&self, entry: &DirEntry) -> bool {
        self.paths.iter().any(|own| own == entry.path())
    }
}

/// Whether `name` is the name of a vestige temporary file.
pub fn is_temp(name: &OsStr) -> bool {
    let name = name.as_encoded_bytes();
    name.starts_with(TEMP_PREFIX.as_bytes()) && name.ends_with(TEMP_SUFFIX.as_bytes())
}

/// Whether `a` and `b` are the same existing file, however each is spelled.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert!(is_temp(OsStr::new(".vestige-bl.toml.a1B2c3.tmp")));
        assert!(!is_temp(OsStr::new("bl.toml.123.tmp")));
        assert!(!is_temp(OsStr::new(".vestige-notes.md")));
    }
}
