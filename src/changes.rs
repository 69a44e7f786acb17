//! Changed-lines mode: which files and lines changed since a revision (`--since`) or are staged
//! (`--staged`), as the git command line reports them. Only those files are walked, and only
//! findings on those lines are kept.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use miette::Diagnostic;

use crate::walk;

/// What counts as changed.
#[derive(Debug, Clone, Copy)]
pub enum Since<'a> {
    /// Lines added or changed since the merge base of this revision and HEAD, staged or not,
    /// and every line of an untracked, not-ignored file.
    Rev(&'a str),
    /// Lines staged for the next commit.
    Staged,
}

/// Why the changed lines could not be found.
#[derive(Debug, Diagnostic, thiserror::Error)]
pub enum GitError {
    /// git could not be started.
    #[error("cannot run git: {0}")]
    #[diagnostic(help("--since and --staged need the git command line on the PATH"))]
    Spawn(#[source] std::io::Error),
    /// The project root is not inside a git work tree.
    #[error("{} is not inside a git work tree", .0.display())]
    #[diagnostic(help(
        "--since and --staged compare against git history; run a full scan instead"
    ))]
    NotARepository(PathBuf),
    /// The revision and HEAD have no common ancestor in the local history.
    #[error("--since {0}: no common ancestor with HEAD in the local history")]
    #[diagnostic(help(
        "a shallow clone lacks it: fetch the full history (actions/checkout with fetch-depth: 0, \
         GIT_DEPTH: 0 on GitLab, or git fetch --unshallow)"
    ))]
    NoMergeBase(String),
    /// The revision given to `--since` does not name a commit.
    #[error("--since {0}: unknown revision")]
    #[diagnostic(help("give a branch, tag or commit, e.g. --since origin/main"))]
    UnknownRevision(String),
    /// A git command failed.
    #[error("`git {command}` failed: {stderr}")]
    Failed {
        /// The arguments after `git`.
        command: String,
        /// What git printed on standard error.
        stderr: String,
    },
}

/// The changed files and lines, keyed by path relative to the project root (as in findings).
#[derive(Debug, Default)]
pub struct Changes {
    files: HashMap<String, Lines>,
    paths: Vec<PathBuf>,
    staged: HashMap<PathBuf, Vec<u8>>,
}

/// The changed lines of one file.
#[derive(Debug, PartialEq, Eq)]
enum Lines {
    /// Every line (an untracked file).
    All,
    /// These 1-based, end-exclusive line ranges.
    Ranges(Vec<Range<usize>>),
}

impl Changes {
    /// Asks git, run in `root`, what changed.
    pub fn read(root: &Path, since: Since<'_>) -> Result<Self, GitError> {
        let inside = git(root, &["rev-parse", "--is-inside-work-tree"]);
        if !matches!(&inside, Ok(out) if out.starts_with(b"true")) {
            return match inside {
                Err(GitError::Spawn(err)) => Err(GitError::Spawn(err)),
                _ => Err(GitError::NotARepository(root.to_owned())),
            };
        }
        let mut diff_args = vec![
            "-c",
            "core.quotePath=false",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--text",
            "--ignore-submodules=all",
            "--unified=0",
            "--relative",
            "--find-renames",
            "--src-prefix=a/",
            "--dst-prefix=b/",
        ];
        let base;
        match since {
            Since::Rev(rev) => {
                let commit = format!("{rev}^{{commit}}");
                if git(root, &["rev-parse", "--verify", "--quiet", &commit]).is_err() {
                    return Err(GitError::UnknownRevision(rev.to_owned()));
                }
                let merge_base =
                    git(root, &["merge-base", rev, "HEAD"]).map_err(|err| match err {
                        GitError::Failed { stderr, .. } if stderr.is_empty() => {
                            GitError::NoMergeBase(rev.to_owned())
                        }
                        other => other,
                    })?;
                base = String::from_utf8_lossy(&merge_base).trim().to_owned();
                diff_args.push(&base);
            }
            Since::Staged => diff_args.push("--cached"),
        }
        diff_args.push("--");
        // Both git commands walk the work tree; they run side by side. The user's global
        // excludes file is switched off, as in a full scan.
        let untracked_args = [
            "-c",
            "core.excludesFile=",
            "ls-files",
            "--others",
            "--exclude-standard",
            "-z",
        ];
        let untracked = match since {
            Since::Rev(_) => Some(
                command(root, &untracked_args)
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .map_err(GitError::Spawn)?,
            ),
            Since::Staged => None,
        };
        let diff = git(root, &diff_args);
        let untracked = untracked
            .map(|child| finish(&untracked_args, child.wait_with_output()))
            .transpose()?;
        let mut changes = Self::default();
        for (path, ranges) in parse_diff(&diff?) {
            if let Since::Staged = since {
                let mut object = std::ffi::OsString::from(":./");
                object.push(path_from_bytes(&path).as_os_str());
                let blob = command(root, &[])
                    .args(["cat-file".as_ref(), "blob".as_ref(), object.as_os_str()])
                    .output();
                if let Ok(blob) = finish(&["cat-file", "blob"], blob) {
                    changes
                        .staged
                        .insert(root.join(path_from_bytes(&path)), blob);
                }
            }
            changes.add(root, &path, Lines::Ranges(ranges));
        }
        for path in untracked.iter().flat_map(|out| out.split(|&b| b == 0)) {
            if !path.is_empty() {
                changes.add(root, path, Lines::All);
            }
        }
        Ok(changes)
    }

    fn add(&mut self, root: &Path, path: &[u8], lines: Lines) {
        let path = root.join(path_from_bytes(path));
        if std::fs::symlink_metadata(&path).is_err() {
            return;
        }
        self.files.insert(walk::relative(root, &path), lines);
        self.paths.push(path);
    }

    /// With `--staged`, the staged contents of the file at the absolute `path`: what the commit
    /// will hold, whatever the work tree says.
    pub fn staged(&self, path: &Path) -> Option<&[u8]> {
        self.staged.get(path).map(Vec::as_slice)
    }

    /// The changed files that exist, as absolute paths.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Whether any of the lines `first..=last` of `path` (relative to the root) changed.
    pub fn touches(&self, path: &str, first: usize, last: usize) -> bool {
        match self.files.get(path) {
            None => false,
            Some(Lines::All) => true,
            Some(Lines::Ranges(ranges)) => ranges.iter().any(|r| r.start <= last && first < r.end),
        }
    }
}

/// `git -C root ARGS`, ready to run.
fn command(root: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(root).args(args).stdin(Stdio::null());
    command
}

/// Runs `git -C root ARGS` and returns its standard output.
fn git(root: &Path, args: &[&str]) -> Result<Vec<u8>, GitError> {
    finish(args, command(root, args).output())
}

/// The standard output of the finished `git ARGS`, or why it failed.
fn finish(args: &[&str], output: std::io::Result<Output>) -> Result<Vec<u8>, GitError> {
    let output = output.map_err(GitError::Spawn)?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(GitError::Failed {
            command: args.join(" "),
            stderr: String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        })
    }
}

/// The new-side line ranges of each file in a `git diff --unified=0` patch, in patch order.
/// Hunk bodies are skipped by their line counts, so an added line that looks like a header
/// (`+++ x`) is never read as one.
fn parse_diff(patch: &[u8]) -> Vec<(Vec<u8>, Vec<Range<usize>>)> {
    let mut files: Vec<(Vec<u8>, Vec<Range<usize>>)> = Vec::new();
    let mut in_file = false;
    let (mut old_left, mut new_left) = (0usize, 0usize);
    for line in patch.split(|&b| b == b'\n') {
        if old_left > 0 || new_left > 0 {
            match line.first() {
                Some(b'-') => old_left = old_left.saturating_sub(1),
                Some(b'+') => new_left = new_left.saturating_sub(1),
                Some(b' ') => {
                    old_left = old_left.saturating_sub(1);
                    new_left = new_left.saturating_sub(1);
                }
                _ => {}
            }
            continue;
        }
        if let Some(names) = line.strip_prefix(b"diff --git ") {
            // A file without hunks (a pure rename, an empty new file) still changed; its name
            // comes from this header, unless a later line states it exactly.
            in_file = true;
            files.push((header_name(names).unwrap_or_default(), Vec::new()));
        } else if let Some(name) = line.strip_prefix(b"rename to ") {
            if let (true, Some(last)) = (in_file, files.last_mut()) {
                last.0 = unquote(name);
            }
        } else if let Some(name) = line.strip_prefix(b"+++ ") {
            let name = unquote(name.strip_suffix(b"\t").unwrap_or(name));
            match (name.strip_prefix(b"b/"), files.last_mut()) {
                (Some(name), Some(last)) if in_file => last.0 = name.to_vec(),
                _ => {
                    if in_file {
                        files.pop();
                    }
                    in_file = false;
                }
            }
        } else if let Some(header) = line.strip_prefix(b"@@ ") {
            let Some((old, new)) = hunk_counts(header) else {
                continue;
            };
            old_left = old.1;
            new_left = new.1;
            if let (true, Some((_, ranges))) = (in_file && new.1 > 0, files.last_mut()) {
                ranges.push(new.0..new.0.saturating_add(new.1));
            }
        }
    }
    files.retain(|(name, _)| !name.is_empty());
    files
}

/// The new-side name in a `diff --git a/NAME b/NAME` header, when both sides are the same
/// unquoted name (a rename's new name comes from its `rename to` line instead).
fn header_name(names: &[u8]) -> Option<Vec<u8>> {
    let half = names.len().checked_sub(1)? / 2;
    let (old, new) = (&names[..half], &names[half + 1..]);
    let same = names.get(half) == Some(&b' ') && old.strip_prefix(b"a/") == new.strip_prefix(b"b/");
    same.then(|| new.strip_prefix(b"b/").map(<[u8]>::to_vec))?
}

/// The `(start, count)` of the old and the new side of a hunk header after `@@ `:
/// `-a[,b] +c[,d] @@ ...`.
fn hunk_counts(header: &[u8]) -> Option<((usize, usize), (usize, usize))> {
    let header = std::str::from_utf8(header.split(|&b| b == b'@').next()?).ok()?;
    let mut sides = header.split_whitespace();
    let side = |text: Option<&str>, sign: char| -> Option<(usize, usize)> {
        let text = text?.strip_prefix(sign)?;
        match text.split_once(',') {
            Some((start, count)) => Some((start.parse().ok()?, count.parse().ok()?)),
            None => Some((text.parse().ok()?, 1)),
        }
    };
    Some((side(sides.next(), '-')?, side(sides.next(), '+')?))
}

/// A path as git prints it in a patch header: as is, or C-quoted (`"a\tb\303\274"`) when it
/// holds special bytes.
fn unquote(name: &[u8]) -> Vec<u8> {
    let Some(inner) = name.strip_prefix(b"\"").and_then(|n| n.strip_suffix(b"\"")) else {
        return name.to_vec();
    };
    let mut out = Vec::with_capacity(inner.len());
    let mut bytes = inner.iter().copied();
    while let Some(byte) = bytes.next() {
        if byte != b'\\' {
            out.push(byte);
            continue;
        }
        let Some(escaped) = bytes.next() else { break };
        out.push(match escaped {
            b'a' => 0x07,
            b'b' => 0x08,
            b't' => b'\t',
            b'n' => b'\n',
            b'v' => 0x0b,
            b'f' => 0x0c,
            b'r' => b'\r',
            b'0'..=b'7' => {
                let digits = [
                    escaped,
                    bytes.next().unwrap_or(b'0'),
                    bytes.next().unwrap_or(b'0'),
                ];
                digits.iter().fold(0u8, |n, d| {
                    n.wrapping_mul(8).wrapping_add(d.wrapping_sub(b'0'))
                })
            }
            other => other,
        });
    }
    out
}

/// Raw path bytes from git as a path (lossily on platforms whose paths are not bytes).
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::{hunk_counts, parse_diff, unquote};

    #[test]
    fn hunk_headers_give_both_sides_with_default_counts() {
        assert_eq!(hunk_counts(b"-3,2 +4,5 @@ fn x()"), Some(((3, 2), (4, 5))));
        assert_eq!(hunk_counts(b"-3 +4 @@"), Some(((3, 1), (4, 1))));
        assert_eq!(hunk_counts(b"-3,2 +0,0 @@"), Some(((3, 2), (0, 0))));
        assert_eq!(hunk_counts(b"garbage"), None);
    }

    #[test]
    fn quoted_names_are_unescaped_to_bytes() {
        assert_eq!(unquote(b"b/plain name.php"), b"b/plain name.php");
        assert_eq!(unquote(br#""b/a\tb\"c\\d""#), b"b/a\tb\"c\\d");
        assert_eq!(unquote(br#""b/\303\274.php""#), "b/ü.php".as_bytes());
        assert_eq!(unquote(br#""b/\377""#), b"b/\xff");
    }

    #[test]
    fn added_lines_that_look_like_headers_stay_in_their_hunk() {
        let patch = b"diff --git a/x.php b/x.php\n\
            --- a/x.php\n\
            +++ b/x.php\n\
            @@ -1,0 +2,2 @@\n\
            +++ b/evil.php\n\
            +@@ -1 +99,9 @@\n\
            @@ -10 +11,0 @@\n\
            -gone\n\
            diff --git a/y b/y\n\
            deleted file mode 100644\n\
            --- a/y\n\
            +++ /dev/null\n\
            @@ -1 +0,0 @@\n\
            -old\n\
            diff --git a/new file.php b/new file.php\n\
            --- /dev/null\n\
            +++ b/new file.php\t\n\
            @@ -0,0 +1 @@\n\
            +new\n";
        let files: Vec<String> = parse_diff(patch)
            .into_iter()
            .map(|(name, ranges)| format!("{} {ranges:?}", String::from_utf8_lossy(&name)))
            .collect();
        assert_eq!(files, ["x.php [2..4]", "new file.php [1..2]"]);
    }
}
