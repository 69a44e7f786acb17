//! Changed-lines mode: which files and lines changed since a revision (`--since`) or are staged
//! (`--staged`), as git reports them. The file list comes from git's NUL-separated formats, so
//! every name is exact; only those files are scanned (staged ones from their blobs), and only
//! findings on changed lines are kept. The same git context also gives a full scan the tracked
//! files, which are code whatever `.gitignore` says.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use miette::Diagnostic;

use crate::finding::Finding;
use crate::ruleset::RuleSet;
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
    #[diagnostic(help(
        "--since and --staged, and any scan inside a git work tree, need the git command line \
         on the PATH"
    ))]
    Spawn(#[source] std::io::Error),
    /// git found no work tree for the project root; holds the root and git's own words.
    #[error("{} is not inside a git work tree: {}", .0.display(), .1)]
    #[diagnostic(help(
        "--since and --staged compare against git history; run a full scan instead"
    ))]
    NotARepository(PathBuf, String),
    /// git refused to work in the repository that holds the project root.
    #[error("git refuses to read the repository of {}: {}", .0.display(), .1)]
    #[diagnostic(help(
        "vestige asks git which files are tracked; fix what git reports (for example with \
         `git config --global --add safe.directory <dir>`) and run again"
    ))]
    Refused(PathBuf, String),
    /// The project root and git's work tree do not overlap, so git's paths cannot be mapped.
    #[error(
        "the project root {} is outside git's work tree {}",
        .root.display(),
        .top.display()
    )]
    #[diagnostic(help(
        "GIT_DIR and GIT_WORK_TREE, when set, must name the work tree that holds the rule file"
    ))]
    Unmapped {
        /// The project root.
        root: PathBuf,
        /// The top of the work tree git reports.
        top: PathBuf,
    },
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
    /// git's output did not have the expected shape.
    #[error("cannot read the output of `git {command}`: {reason}")]
    Garbled {
        /// The arguments after `git`.
        command: String,
        /// What was wrong with it.
        reason: String,
    },
}

/// Whether the user's environment places the repository (`GIT_DIR`, `GIT_WORK_TREE`): then git
/// must run from the current directory, which those variables are relative to.
fn env_located() -> bool {
    ["GIT_DIR", "GIT_WORK_TREE"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// Whether git should know `root`: the environment names a repository, or a `.git` sits in
/// `root` or above it, below any of `GIT_CEILING_DIRECTORIES` (which git does not look past).
fn git_expected(root: &Path) -> bool {
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|dirs| std::env::split_paths(&dirs).collect())
        .unwrap_or_default();
    let real = std::fs::canonicalize(root).ok();
    let has_git = |dirs: std::path::Ancestors<'_>| {
        dirs.take_while(|dir| !ceilings.iter().any(|c| c == dir))
            .any(|dir| std::fs::symlink_metadata(dir.join(".git")).is_ok())
    };
    env_located() || has_git(root.ancestors()) || real.is_some_and(|r| has_git(r.ancestors()))
}

/// A git work tree as git itself sees it from where vestige runs (with the user's `GIT_*`
/// variables, as in a hook), and how its paths map onto the project root.
#[derive(Debug)]
pub struct Repo {
    /// Where git runs: the current directory when the environment places the repository,
    /// else the project root.
    origin: PathBuf,
    /// How a path relative to the top of the work tree becomes one relative to the root.
    map: Map,
    /// The pathspec that limits git to the project root.
    pathspec: OsString,
}

/// A running `git ls-files` of the tracked files under the project root.
#[derive(Debug)]
pub struct Listing<'r> {
    repo: &'r Repo,
    child: Child,
}

impl Listing<'_> {
    const ARGS: &'static [&'static str] = &["ls-files", "-z", "--cached", "--full-name"];

    /// The tracked files under the project `root`.
    pub fn finish(self, root: &Path) -> Result<walk::TrackedFiles, GitError> {
        let names = finish(Self::ARGS, self.child.wait_with_output())?;
        let (base, strip) = match &self.repo.map {
            Map::Below(dir) if dir.is_empty() => (root.to_owned(), Vec::new()),
            Map::Below(dir) => (root.to_owned(), [dir.as_slice(), b"/"].concat()),
            Map::Above(dir) => (root.join(dir), Vec::new()),
        };
        Ok(walk::TrackedFiles { base, strip, names })
    }
}

/// Where the project root lies in the work tree.
#[derive(Debug)]
enum Map {
    /// The root is this directory of the work tree (`/`-separated bytes; empty for its top).
    Below(Vec<u8>),
    /// The top of the work tree is this directory of the root.
    Above(PathBuf),
}

impl Repo {
    /// The work tree holding `root`; fails when git knows none, saying why in git's words.
    pub fn open(root: &Path) -> Result<Self, GitError> {
        match Self::find(root)? {
            Ok(repo) => Ok(repo),
            Err(said) if git_expected(root) => Err(GitError::Refused(root.to_owned(), said)),
            Err(said) => Err(GitError::NotARepository(root.to_owned(), said)),
        }
    }

    /// The work tree holding `root`, or `None` when `root` is plainly outside git (no `.git`
    /// in it or above it, no `GIT_DIR`); git missing or refusing where a `.git` is, fails.
    pub fn discover(root: &Path) -> Result<Option<Self>, GitError> {
        match Self::find(root) {
            Ok(Ok(repo)) => Ok(Some(repo)),
            Ok(Err(said)) if git_expected(root) => Err(GitError::Refused(root.to_owned(), said)),
            Err(GitError::Spawn(err))
                if err.kind() == std::io::ErrorKind::NotFound && !git_expected(root) =>
            {
                Ok(None)
            }
            Ok(Err(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Asks git for the top of the work tree; the inner error is git's refusal.
    fn find(root: &Path) -> Result<Result<Self, String>, GitError> {
        let origin = if env_located() {
            std::env::current_dir().map_err(GitError::Spawn)?
        } else {
            root.to_owned()
        };
        let output = git_at(&origin, &["rev-parse", "--show-toplevel"])
            .output()
            .map_err(GitError::Spawn)?;
        let mut top = output.stdout;
        if top.last() == Some(&b'\n') {
            top.pop();
        }
        if !output.status.success() || top.is_empty() {
            let said = String::from_utf8_lossy(&output.stderr).trim().to_owned();
            return Ok(Err(if said.is_empty() {
                "git reports no work tree here".to_owned()
            } else {
                said
            }));
        }
        let garbled = |err: std::io::Error| GitError::Garbled {
            command: "rev-parse --show-toplevel".to_owned(),
            reason: err.to_string(),
        };
        let top = std::fs::canonicalize(path_from_bytes(&top)).map_err(garbled)?;
        let real_root = std::fs::canonicalize(root).map_err(garbled)?;
        let map = if let Ok(below) = real_root.strip_prefix(&top) {
            Map::Below(slashed(below))
        } else if let Ok(above) = top.strip_prefix(&real_root) {
            Map::Above(above.to_owned())
        } else {
            return Err(GitError::Unmapped {
                root: root.to_owned(),
                top,
            });
        };
        let pathspec = match &map {
            Map::Below(dir) if !dir.is_empty() => {
                let mut spec = OsString::from(":(top,literal)");
                spec.push(path_from_bytes(dir).as_os_str());
                spec
            }
            _ => OsString::from(":/"),
        };
        Ok(Ok(Self {
            origin,
            map,
            pathspec,
        }))
    }

    /// A path git printed (relative to the top of the work tree) relative to the project root,
    /// or `None` when it lies outside the root.
    fn relative(&self, path: &[u8]) -> Option<PathBuf> {
        match &self.map {
            Map::Below(dir) if dir.is_empty() => Some(path_from_bytes(path)),
            Map::Below(dir) => Some(path_from_bytes(
                path.strip_prefix(dir.as_slice())?.strip_prefix(b"/")?,
            )),
            Map::Above(dir) => Some(dir.join(path_from_bytes(path))),
        }
    }

    /// `git ARGS`, run where the repository was found, limited to the project root when
    /// `limited`.
    fn command(&self, args: &[&str], limited: bool) -> Command {
        let mut command = git_at(&self.origin, args);
        if limited {
            command.arg("--").arg(&self.pathspec);
        }
        command
    }

    /// Starts `git ARGS` limited to the project root, with its output piped.
    fn spawn(&self, args: &[&str]) -> Result<Child, GitError> {
        self.command(args, true)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)
    }

    /// Runs `git ARGS` (not limited to the root) and returns its standard output.
    fn run(&self, args: &[&str]) -> Result<Vec<u8>, GitError> {
        finish(args, self.command(args, false).output())
    }

    /// Starts listing the tracked files under the project root; the listing runs beside the
    /// walk.
    pub fn tracked(&self) -> Result<Listing<'_>, GitError> {
        Ok(Listing {
            repo: self,
            child: self.spawn(Listing::ARGS)?,
        })
    }

    /// The merge base of `rev` and HEAD.
    fn merge_base(&self, rev: &str) -> Result<String, GitError> {
        let commit = format!("{rev}^{{commit}}");
        if self
            .run(&["rev-parse", "--verify", "--quiet", &commit])
            .is_err()
        {
            return Err(GitError::UnknownRevision(rev.to_owned()));
        }
        let base = self
            .run(&["merge-base", rev, "HEAD"])
            .map_err(|err| match err {
                GitError::Failed { stderr, .. } if stderr.is_empty() => {
                    GitError::NoMergeBase(rev.to_owned())
                }
                other => other,
            })?;
        Ok(String::from_utf8_lossy(&base).trim().to_owned())
    }

    /// The contents of the blobs `wanted`, keyed by their paths, read through one
    /// `git cat-file --batch`.
    fn blobs(&self, wanted: Vec<(PathBuf, String)>) -> Result<HashMap<PathBuf, Vec<u8>>, GitError> {
        const ARGS: &[&str] = &["cat-file", "--batch"];
        let garbled = |reason: String| GitError::Garbled {
            command: ARGS.join(" "),
            reason,
        };
        let mut child = self
            .command(ARGS, false)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)?;
        let mut input = Vec::with_capacity(wanted.len() * 41);
        for (_, oid) in &wanted {
            input.extend_from_slice(oid.as_bytes());
            input.push(b'\n');
        }
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| garbled("no input".into()))?;
        let writer = std::thread::spawn(move || stdin.write_all(&input));
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| garbled("no output".into()))?;
        let mut out = BufReader::new(stdout);
        let mut blobs = HashMap::with_capacity(wanted.len());
        let mut header = Vec::new();
        let read = || -> Result<(), String> {
            for (path, oid) in wanted {
                header.clear();
                out.read_until(b'\n', &mut header)
                    .map_err(|e| e.to_string())?;
                let text = String::from_utf8_lossy(&header);
                let mut fields = text.split_whitespace();
                let size = match (fields.next(), fields.next(), fields.next()) {
                    (Some(id), Some("blob"), Some(size)) if id == oid => size.parse::<usize>().ok(),
                    _ => None,
                }
                .ok_or_else(|| format!("{} for {oid}", text.trim()))?;
                let mut blob = vec![0; size + 1];
                out.read_exact(&mut blob).map_err(|e| e.to_string())?;
                blob.pop();
                blobs.insert(path, blob);
            }
            Ok(())
        };
        let result = read();
        drop(out);
        let written = writer.join();
        let output = child.wait_with_output();
        result.map_err(garbled)?;
        finish(ARGS, output)?;
        match written {
            Ok(Ok(())) => Ok(blobs),
            Ok(Err(err)) => Err(garbled(err.to_string())),
            Err(_) => Err(garbled("the writer stopped".into())),
        }
    }
}

/// The changed files and lines, keyed by path relative to the project root (as in findings).
#[derive(Debug, Default)]
pub struct Changes {
    files: HashMap<String, Changed>,
    paths: Vec<PathBuf>,
    staged: HashMap<PathBuf, Vec<u8>>,
    /// With `--since`, the repository and the merge base compared with.
    base: Option<(Repo, String)>,
    /// With `--since`, the files git saw renamed since the merge base: old path to new, both
    /// relative to the project root.
    renamed: HashMap<String, String>,
}

/// What changed in one file.
#[derive(Debug)]
struct Changed {
    lines: Lines,
    /// The rules for which every line counts: the file moved here from a path they did not
    /// apply to.
    whole: Vec<usize>,
}

/// The changed lines of one file.
#[derive(Debug, PartialEq, Eq)]
enum Lines {
    /// Every line (an untracked file).
    All,
    /// These 1-based, end-exclusive line ranges.
    Ranges(Vec<Range<usize>>),
}

/// Whether `finding` is on a line `changes` holds, or no changes narrow the run.
pub fn keeps(changes: Option<&Changes>, finding: &Finding) -> bool {
    changes.is_none_or(|c| {
        finding.is_forbidden_path()
            || c.touches(
                finding.rule,
                &finding.path,
                finding.location.start().line,
                finding.location.end().line,
            )
    })
}

/// What the merge base holds of a file (see [`Changes::at_base`]).
#[derive(Debug, PartialEq, Eq)]
pub enum AtBase {
    /// git does not track the file, so there is nothing to compare it with.
    Untracked,
    /// The file is tracked; its contents at the merge base, `None` when it was not there.
    Tracked(Option<Vec<u8>>),
}

/// One file pair of `git diff --raw -z`.
#[derive(Debug, PartialEq, Eq)]
struct Entry {
    /// The status letter (`A`, `M`, `R`, ...).
    status: u8,
    /// The new side's mode, octal.
    mode: String,
    /// The new side's object id (zeros for a work-tree file).
    oid: String,
    /// The old path of a rename or copy.
    old: Option<Vec<u8>>,
    /// The new path.
    path: Vec<u8>,
}

impl Changes {
    /// Asks git what changed under the project `root` whose rules are `rules`.
    pub fn read(root: &Path, rules: &RuleSet, since: Since<'_>) -> Result<Self, GitError> {
        let repo = Repo::open(root)?;
        let base = match since {
            Since::Rev(rev) => Some(repo.merge_base(rev)?),
            Since::Staged => None,
        };
        let Diff {
            entries,
            mut hunks,
            untracked,
        } = diff(&repo, base.as_deref(), rules, since)?;
        let mut changes = Self::default();
        let mut blobs = Vec::new();
        for entry in entries {
            let Some(rel) = repo.relative(&entry.path) else {
                continue;
            };
            if let (b'R', Some(old)) = (entry.status, entry.old.as_deref()) {
                if let Some(old) = repo.relative(old) {
                    changes.renamed.insert(
                        walk::relative(root, &root.join(old)),
                        walk::relative(root, &root.join(&rel)),
                    );
                }
            }
            let path = root.join(&rel);
            let lines = match (entry.status, since) {
                (b'D', _) | (b'U', Since::Staged) => continue,
                (b'U', Since::Rev(_)) => Lines::All,
                _ => Lines::Ranges(hunks.remove(&entry.path).unwrap_or_default()),
            };
            match since {
                // What the commit will hold: a regular file's blob, whatever the work tree
                // holds at that path now. Symbolic links and submodules hold no code.
                Since::Staged if matches!(entry.mode.as_str(), "100644" | "100755") => {
                    blobs.push((path.clone(), entry.oid));
                }
                Since::Rev(_) if walk::is_scannable(&rules.scope, &path) => {}
                _ => continue,
            }
            let whole = match &entry.old {
                Some(old) => moved_into(root, rules, repo.relative(old)),
                None => Vec::new(),
            };
            changes.add(root, path, Changed { lines, whole });
        }
        for name in untracked.iter().flat_map(|out| names(out)) {
            let Some(rel) = repo.relative(name) else {
                continue;
            };
            let path = root.join(rel);
            if walk::is_scannable(&rules.scope, &path) {
                let lines = Lines::All;
                changes.add(
                    root,
                    path,
                    Changed {
                        lines,
                        whole: Vec::new(),
                    },
                );
            }
        }
        if !blobs.is_empty() {
            changes.staged = repo.blobs(blobs)?;
        }
        changes.base = base.map(|base| (repo, base));
        Ok(changes)
    }

    /// With `--since`, the path (relative to the project root) that the file at `old` at the
    /// merge base has now: where git saw it renamed to, else `old` itself.
    pub fn renamed<'a>(&'a self, old: &'a str) -> &'a str {
        self.renamed.get(old).map_or(old, String::as_str)
    }

    /// What the merge base holds at the place of the file `path` (absolute): `Tracked(None)`
    /// when the file is tracked but absent at the merge base, `Untracked` when git does not track
    /// it now (or it lies outside the work tree); `None` without `--since`.
    pub fn at_base(&self, path: &Path) -> Result<Option<AtBase>, GitError> {
        let Some((repo, base)) = &self.base else {
            return Ok(None);
        };
        base_version(repo, base, path).map(Some)
    }

    fn add(&mut self, root: &Path, path: PathBuf, changed: Changed) {
        self.files.insert(walk::relative(root, &path), changed);
        self.paths.push(path);
    }

    /// With `--staged`, the staged contents of the file at the absolute `path`: what the commit
    /// will hold, whatever the work tree says.
    pub fn staged(&self, path: &Path) -> Option<&[u8]> {
        self.staged.get(path).map(Vec::as_slice)
    }

    /// The changed files, as absolute paths: work-tree files that are regular files, and with
    /// `--staged`, every staged regular file whatever the work tree holds.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Whether a finding of rule `rule` on the lines `first..=last` of `path` (relative to the
    /// root) is on changed lines, or in a file that moved here from where `rule` did not apply.
    pub fn touches(&self, rule: usize, path: &str, first: usize, last: usize) -> bool {
        let Some(changed) = self.files.get(path) else {
            return false;
        };
        changed.whole.contains(&rule)
            || match &changed.lines {
                Lines::All => true,
                Lines::Ranges(ranges) => ranges.iter().any(|r| r.start <= last && first < r.end),
            }
    }
}

/// What the commit `base` of `repo` holds at the place of the file `path` (absolute).
fn base_version(repo: &Repo, base: &str, path: &Path) -> Result<AtBase, GitError> {
    let mut list = repo.command(&["ls-files", "-z", "--full-name", "--"], false);
    list.arg(path).env("GIT_LITERAL_PATHSPECS", "1");
    let Ok(listed) = finish(&["ls-files", "--full-name"], list.output()) else {
        return Ok(AtBase::Untracked);
    };
    let Some(name) = names(&listed).next() else {
        return Ok(AtBase::Untracked);
    };
    let mut object = OsString::from(format!("{base}:"));
    object.push(path_from_bytes(name).as_os_str());
    let mut exists = repo.command(&["cat-file", "-e"], false);
    exists.arg(&object);
    if !exists.output().map_err(GitError::Spawn)?.status.success() {
        return Ok(AtBase::Tracked(None));
    }
    let mut show = repo.command(&["cat-file", "blob"], false);
    show.arg(&object);
    Ok(AtBase::Tracked(Some(finish(
        &["cat-file", "blob"],
        show.output(),
    )?)))
}

/// The rules that did not apply at a moved file's old path (`None`: outside the project root),
/// so every line of the file counts for them now.
fn moved_into(root: &Path, rules: &RuleSet, old: Option<PathBuf>) -> Vec<usize> {
    let old = old.filter(|rel| walk::in_scope(&rules.scope, &root.join(rel)));
    (0..rules.rules.len())
        .filter(|&rule| {
            old.as_ref()
                .is_none_or(|rel| !rules.rules[rule].paths.applies(rel))
        })
        .collect()
}

/// `git -C dir ARGS`, ready to run, with the user's environment.
fn git_at(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("git");
    command.arg("-C").arg(dir).args(args).stdin(Stdio::null());
    command
}

/// What git says changed (see [`diff`]).
struct Diff {
    /// The file pairs of `git diff --raw`.
    entries: Vec<Entry>,
    /// The changed line ranges of each new path the patch names.
    hunks: HashMap<Vec<u8>, Vec<Range<usize>>>,
    /// With `--since`, the untracked files, NUL separated.
    untracked: Option<Vec<u8>>,
}

/// What git says changed since `base` (the index without one); the git commands run side by
/// side.
fn diff(
    repo: &Repo,
    base: Option<&str>,
    rules: &RuleSet,
    since: Since<'_>,
) -> Result<Diff, GitError> {
    let mut diff = vec![
        "-c",
        "core.quotePath=false",
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--text",
        "--ignore-submodules=all",
        "--find-renames",
        "--no-relative",
        base.unwrap_or("--cached"),
    ];
    // One diff gives both the names, NUL-separated, and the changed lines: git compares the
    // work tree with the index once.
    diff.extend([
        "--raw",
        "-z",
        "--no-abbrev",
        "--patch",
        "--unified=0",
        "--src-prefix=a/",
        "--dst-prefix=b/",
    ]);
    // Untracked files are listed as the walk would see them: the user's global excludes file
    // is switched off.
    let mut untracked_args = vec![
        "-c",
        "core.excludesFile=",
        "ls-files",
        "-z",
        "--others",
        "--full-name",
    ];
    if rules.scope.gitignore {
        untracked_args.push("--exclude-standard");
    }
    let out = repo.spawn(&diff)?;
    let untracked = match since {
        Since::Rev(_) => Some(repo.spawn(&untracked_args)?),
        Since::Staged => None,
    };
    let out = finish(&diff, out.wait_with_output())?;
    let untracked = untracked
        .map(|child| finish(&untracked_args, child.wait_with_output()))
        .transpose()?;

    let (entries, patch) = parse_raw(&out).ok_or_else(|| GitError::Garbled {
        command: diff.join(" "),
        reason: "not a NUL-separated raw diff".to_owned(),
    })?;
    let mut hunks: HashMap<Vec<u8>, Vec<Range<usize>>> = HashMap::new();
    for (name, ranges) in parse_diff(patch) {
        hunks.entry(name).or_default().extend(ranges);
    }
    let listed: HashSet<&[u8]> = entries.iter().map(|e| e.path.as_slice()).collect();
    if let Some(name) = hunks.keys().find(|name| !listed.contains(name.as_slice())) {
        return Err(GitError::Garbled {
            command: diff.join(" "),
            reason: format!(
                "the patch changes {}, which the raw part of the diff does not list",
                String::from_utf8_lossy(name)
            ),
        });
    }
    Ok(Diff {
        entries,
        hunks,
        untracked,
    })
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

/// The names in a NUL-separated listing (`git ls-files -z`).
fn names(out: &[u8]) -> impl Iterator<Item = &[u8]> {
    out.split(|&b| b == 0).filter(|name| !name.is_empty())
}

/// The file pairs of `git diff --raw -z --no-abbrev --patch`: `:MODE MODE OID OID STATUS\0PATH\0`,
/// with two paths for renames and copies, and the patch after the empty field that ends them.
/// `None` if the output has another shape.
fn parse_raw(out: &[u8]) -> Option<(Vec<Entry>, &[u8])> {
    let mut rest = out;
    let mut entries = Vec::new();
    while let Some(&first) = rest.first() {
        if first == 0 {
            rest = &rest[1..];
            break;
        }
        let meta = field(&mut rest)?;
        let meta = std::str::from_utf8(meta.strip_prefix(b":")?).ok()?;
        let parts: Vec<&str> = meta.split(' ').collect();
        let [_, mode, _, oid, status] = parts[..] else {
            return None;
        };
        let status = *status.as_bytes().first()?;
        let first = field(&mut rest)?.to_vec();
        let (old, path) = match status {
            b'R' | b'C' => (Some(first), field(&mut rest)?.to_vec()),
            _ => (None, first),
        };
        entries.push(Entry {
            status,
            mode: mode.to_owned(),
            oid: oid.to_owned(),
            old,
            path,
        });
    }
    Some((entries, rest))
}

/// The NUL-terminated field at the front of `rest`, which moves past it.
fn field<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let end = memchr::memchr(0, rest)?;
    let (field, after) = rest.split_at(end);
    *rest = &after[1..];
    Some(field)
}

/// The new-side line ranges of each file with hunks in a `git diff --unified=0` patch, by the
/// name on its `+++ b/` line. Hunk bodies are skipped by their line counts, so an added line
/// that looks like a header (`+++ x`) is never read as one. The list of changed files comes
/// from `git diff --raw -z`, never from this text.
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
        if line.starts_with(b"diff --git ") {
            in_file = false;
        } else if let Some(name) = line.strip_prefix(b"+++ ") {
            let name = unquote(name.strip_suffix(b"\t").unwrap_or(name));
            in_file = match name.strip_prefix(b"b/") {
                Some(name) => {
                    files.push((name.to_vec(), Vec::new()));
                    true
                }
                None => false,
            };
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
    files
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

/// A relative path as git prints it: `/`-separated bytes.
fn slashed(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for component in path.components() {
        if !out.is_empty() {
            out.push(b'/');
        }
        #[cfg(unix)]
        out.extend_from_slice(std::os::unix::ffi::OsStrExt::as_bytes(
            component.as_os_str(),
        ));
        #[cfg(not(unix))]
        out.extend_from_slice(component.as_os_str().to_string_lossy().as_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Entry, hunk_counts, parse_diff, parse_raw, unquote};

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

    #[test]
    fn raw_records_keep_names_byte_for_byte() {
        let zeros = "0".repeat(40);
        let blob = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391";
        let out = format!(
            ":000000 100644 {zeros} {blob} A\0we\"ird\n\t.php\0\
             :100644 100644 {blob} {blob} R100\0old\\x\0new\"x\0\0diff --git a/x b/x\n\0bytes"
        );
        let (entries, patch) = parse_raw(out.as_bytes()).unwrap();
        assert_eq!(patch, b"diff --git a/x b/x\n\0bytes");
        assert_eq!(
            entries,
            [
                Entry {
                    status: b'A',
                    mode: "100644".into(),
                    oid: blob.into(),
                    old: None,
                    path: b"we\"ird\n\t.php".to_vec(),
                },
                Entry {
                    status: b'R',
                    mode: "100644".into(),
                    oid: blob.into(),
                    old: Some(b"old\\x".to_vec()),
                    path: b"new\"x".to_vec(),
                },
            ]
        );
        assert_eq!(parse_raw(b"diff --git a/x b/x\n"), None);
    }
}
