//! The pipeline every command shares: load and compile the rule file against its project root
//! (`Project::load`), walk the scope and scan its files in parallel (`Project::walk_and_scan`),
//! and what one walk found (`Found`). Commands build on this; nothing here knows the command line
//! beyond where the rule file is.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::changes::{self, Changes};
use crate::day::Day;
use crate::finding::{self, Finding, Suppressed};
use crate::rulefile::{self, RuleFile};
use crate::ruleset::{self, RuleSet};
use crate::scan::{self, FileOutcome, Scanner};
use crate::store::{Findings, Texts};
use crate::walk::{self, Walk};

/// The most walker threads `--threads` gets per CPU: more only contend (the walk's idle threads
/// poll for work), and thousands took minutes on a tree of two files.
pub(crate) const THREADS_PER_CPU: usize = 4;

/// Where a command finds its rule file and project root, and the day its `warn_until` rules
/// are judged on.
#[derive(Debug)]
pub(crate) struct Source<'a> {
    /// The rule file (default: the nearest one from the current directory up).
    pub(crate) rule_file: Option<&'a Path>,
    /// The project root (default: the directory holding the rule file).
    pub(crate) root: Option<&'a Path>,
    /// The day (default: today).
    pub(crate) today: Option<Day>,
    /// Files never scanned besides the rule file and its baseline: the baselines the command
    /// names (relative to the current directory).
    pub(crate) own_files: Vec<&'a Path>,
}

/// A rule file loaded and compiled against its project root.
pub(crate) struct Project {
    pub(crate) cwd: PathBuf,
    /// The project root, every symbolic link resolved.
    pub(crate) root: PathBuf,
    /// The rule file, as found or named, with its text.
    pub(crate) file: RuleFile,
    pub(crate) rules: RuleSet,
}

impl Project {
    /// Finds, reads and compiles the rule file `source` names, or the nearest one.
    pub(crate) fn load(source: &Source<'_>) -> miette::Result<Self> {
        let (config, root) = (source.rule_file, source.root);
        let cwd = std::env::current_dir()
            .map_err(|err| miette::miette!("cannot read the current directory: {err}"))?;
        let config_path = walk::absolute(&cwd, &rulefile::locate(config, &cwd)?);
        let file = RuleFile::read(&config_path, &cwd)?;
        let raw = file.parse()?;
        let root = match root {
            Some(root) => walk::absolute(&cwd, root),
            None => config_path.parent().unwrap_or(&cwd).to_owned(),
        };
        if !root.is_dir() {
            miette::bail!("the project root {} is not a directory", root.display());
        }
        let root = std::fs::canonicalize(&root).map_err(|err| {
            miette::miette!("cannot read the project root {}: {err}", root.display())
        })?;
        let own_files: Vec<PathBuf> = source
            .own_files
            .iter()
            .map(|path| walk::absolute(&cwd, path))
            .collect();
        let today = source.today.unwrap_or_else(Day::today);
        let rules = ruleset::compile_with_own_files(&file, raw, &root, today, &own_files)?;
        Ok(Self {
            cwd,
            root,
            file,
            rules,
        })
    }

    /// `path` (absolute) with its spelling of the project root, through whatever symbolic links,
    /// replaced by the real root; the rest of it is kept as written, so a symbolic link named on
    /// the command line stays that link. A path outside the root gets its parent resolved.
    pub(crate) fn under_root(&self, path: &Path) -> PathBuf {
        if path.starts_with(&self.root) {
            return path.to_owned();
        }
        let is_root = |dir: &Path| std::fs::canonicalize(dir).is_ok_and(|real| real == self.root);
        let mut ancestors = path.ancestors();
        if path.is_symlink() {
            ancestors.next();
        }
        for dir in ancestors {
            if is_root(dir) {
                let rest = path.strip_prefix(dir).unwrap_or(path);
                return self.root.join(rest);
            }
        }
        match (path.parent().map(std::fs::canonicalize), path.file_name()) {
            (Some(Ok(parent)), Some(name)) => parent.join(name),
            _ => path.to_owned(),
        }
    }

    /// Walks the scan scope, narrowed to `paths` unless empty, on `threads` threads (default:
    /// one per CPU, at most `THREADS_PER_CPU` per CPU), and returns the sorted findings, with
    /// what `keep` asks for.
    pub(crate) fn walk_and_scan(
        &self,
        paths: &[PathBuf],
        threads: Option<u16>,
        changes: Option<&Changes>,
        keep: Keep,
    ) -> miette::Result<Found> {
        self.rules.scope.ensure_roots(&self.file)?;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = threads.map_or(cpus, |n| usize::from(n).min(THREADS_PER_CPU * cpus));
        let named: HashSet<&Path> = match changes {
            Some(changes) => changes.paths().iter().map(PathBuf::as_path).collect(),
            None => paths.iter().map(PathBuf::as_path).collect(),
        };
        let scope = &self.rules.scope;
        let forbids = self
            .rules
            .rules
            .iter()
            .any(|r| !r.forbid.written.is_empty());
        let rest = scope.rest_of_project().filter(|_| forbids);
        let repo = match changes {
            None if scope.gitignore => changes::Repo::discover(&self.root)?,
            _ => None,
        };
        // git lists the tracked files once, beside the first walk; the walk of the rest of the
        // project (for `forbid_paths`) gets the same listing.
        let kept: Mutex<Option<walk::TrackedFiles>> = Mutex::new(None);
        let listing = repo.as_ref().map(changes::Repo::tracked).transpose()?;
        let (root, share_listing) = (&self.root, rest.is_some());
        let tracked = listing.map(|listing| -> walk::Tracked<'_, changes::GitError> {
            Box::new(|| {
                let files = listing.finish(root)?;
                if share_listing {
                    *kept.lock().unwrap_or_else(|p| p.into_inner()) = Some(files.clone());
                }
                Ok(files)
            })
        });
        // Every thread hands each file's findings, packed, to this one store.
        let sink = Mutex::new(Findings::new(Arc::new(Texts::of(&self.rules))));
        let mut found = self.visit(scope, paths, threads, changes, tracked, || {
            Collector::new(&self.rules, &self.root, changes, &named, false, keep, &sink)
        })?;
        if let Some(rest) = rest {
            let kept = kept.into_inner().unwrap_or_else(|p| p.into_inner());
            let tracked = kept.map(|files| -> walk::Tracked<'_, changes::GitError> {
                Box::new(move || Ok(files))
            });
            found.absorb(self.visit(&rest, paths, threads, changes, tracked, || {
                Collector::new(&self.rules, &self.root, changes, &named, true, keep, &sink)
            })?);
        }
        found.findings = sink.into_inner().unwrap_or_else(|p| p.into_inner());
        let seen: HashSet<&Path> = found.seen.iter().map(PathBuf::as_path).collect();
        let unseen = paths
            .iter()
            .filter(|p| changes.is_none() && p.is_file() && !seen.contains(p.as_path()));
        for path in unseen {
            found.notes.push(format!(
                "{}: not scanned: outside scan.roots, or excluded by scan.exclude, an ignore \
                 file or the hidden-file rule",
                walk::relative(&self.root, path)
            ));
        }
        let rules = &self.rules.rules;
        found.findings.sort(|r| &rules[r].id);
        found.problems.sort();
        finding::sort(&mut found.suppressed, |s| &s.finding, |r| &rules[r].id);
        found.notes.sort();
        Ok(found)
    }

    /// Walks `scope`, narrowed to `paths` or to the changed files, with one collector from
    /// `make` per thread; inside git, `tracked` lists the tracked files, and those the ignore
    /// rules hid are visited too.
    pub(crate) fn visit<'s>(
        &'s self,
        scope: &'s ruleset::Scope,
        paths: &[PathBuf],
        threads: usize,
        changes: Option<&Changes>,
        tracked: Option<walk::Tracked<'_, changes::GitError>>,
        make: impl Fn() -> Collector<'s> + Sync,
    ) -> miette::Result<Found> {
        let mut walk = Walk::new(scope, paths)
            .map_err(|path| miette::miette!("{}: no such file or directory", path.display()))?;
        if let Some(changes) = changes {
            walk = walk.only(changes.paths());
        }
        let mut found = Found::default();
        for collector in walk.run(threads, make, tracked)? {
            found.absorb(collector.found);
        }
        Ok(found)
    }
}

/// What a walk keeps of what it finds, beyond each finding's rule, place and matched text: only
/// what the run's output or baseline uses, since a run may find hundreds of thousands.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Keep {
    /// The findings markers suppressed, rather than only their count.
    pub(crate) suppressed: bool,
    /// Each finding's source lines (`Span::snippet`), for a format that shows them or a baseline
    /// that keys on them.
    pub(crate) source: bool,
}

/// What one walk of the tree found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// The findings, packed, in path order.
    pub(crate) findings: Findings,
    /// The findings markers in the code suppressed, when they are kept (see
    /// [`Project::walk_and_scan`]).
    pub(crate) suppressed: Vec<Suppressed>,
    /// How many findings on the changed lines markers suppressed that were counted, not kept.
    pub(crate) suppressed_not_kept: usize,
    pub(crate) problems: Vec<String>,
    pub(crate) notes: Vec<String>,
    /// Files in scope that could not be read or were too large, relative to the root.
    pub(crate) unread: Vec<String>,
    pub(crate) files: u64,
    pub(crate) bytes: u64,
    /// Files skipped as binary.
    pub(crate) binary: u64,
    /// The named files the walk reached.
    pub(crate) seen: Vec<PathBuf>,
}

impl Found {
    /// Adds what another walker thread found.
    pub(crate) fn absorb(&mut self, other: Found) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.seen.extend(other.seen);
        self.findings.append(other.findings);
        join(&mut self.suppressed, other.suppressed);
        self.suppressed_not_kept += other.suppressed_not_kept;
        self.problems.extend(other.problems);
        self.notes.extend(other.notes);
        self.unread.extend(other.unread);
    }
}

/// Adds `other` to `list`, in any order (findings are sorted once the walk is done): the shorter
/// list is copied into the longer, whose buffer is kept, so that no more than the shorter is
/// held twice.
fn join<T>(list: &mut Vec<T>, mut other: Vec<T>) {
    if other.len() > list.len() {
        std::mem::swap(list, &mut other);
    }
    list.append(&mut other);
}

/// Sorts findings into `finding::order`: path (byte order), line, column, then rule id.
pub(crate) fn sort(findings: &mut [Finding], rules: &RuleSet) {
    finding::sort(findings, |f| f, |r| &rules.rules[r].id);
}

/// One walker thread's scanner and everything it found.
pub(crate) struct Collector<'r> {
    rules: &'r RuleSet,
    scanner: Scanner<'r>,
    root: &'r Path,
    changes: Option<&'r Changes>,
    /// The files and directories named on the command line or changed.
    named: &'r HashSet<&'r Path>,
    /// Whether only `forbid_paths` are checked (outside the scan roots), the files not read.
    forbid_only: bool,
    /// Whether the findings markers suppressed are kept, or only counted.
    keep_suppressed: bool,
    /// The findings of the file being visited.
    file_findings: Vec<Finding>,
    /// The numbered texts of the sink, and where the file's findings are packed with them.
    texts: Arc<Texts>,
    scratch: Vec<u8>,
    /// The walk's findings, which each file's join, packed.
    sink: &'r Mutex<Findings>,
    found: Found,
}

impl<'r> Collector<'r> {
    fn new(
        rules: &'r RuleSet,
        root: &'r Path,
        changes: Option<&'r Changes>,
        named: &'r HashSet<&'r Path>,
        forbid_only: bool,
        keep: Keep,
        sink: &'r Mutex<Findings>,
    ) -> Self {
        Self {
            rules,
            scanner: Scanner::new(rules, keep.source),
            root,
            changes,
            named,
            forbid_only,
            keep_suppressed: keep.suppressed,
            file_findings: Vec::new(),
            texts: Arc::clone(sink.lock().unwrap_or_else(|p| p.into_inner()).texts()),
            scratch: Vec::new(),
            sink,
            found: Found::default(),
        }
    }

    /// Packs the findings of the file just visited and hands them to the walk's one store,
    /// so that no finding is held unpacked beyond its file.
    fn flush(&mut self) {
        if !self.file_findings.is_empty() {
            let rules = &self.rules.rules;
            finding::sort(&mut self.file_findings, |f| f, |r| &rules[r].id);
            self.texts.pack(&self.file_findings, &mut self.scratch);
            let mut all = self.sink.lock().unwrap_or_else(|p| p.into_inner());
            all.add_packed(&self.scratch, &self.file_findings);
            drop(all);
            self.file_findings.clear();
        }
    }
}

impl walk::Visitor for Collector<'_> {
    fn file(&mut self, path: &Path) {
        if self.forbid_only {
            self.scanner
                .forbidden_at(path, self.root, &mut self.file_findings);
            self.flush();
            return;
        }
        let named = !self.named.is_empty() && self.named.contains(path);
        if named {
            self.found.seen.push(path.to_owned());
        }
        let staged = self.changes.and_then(|changes| changes.staged(path));
        let outcome = self
            .scanner
            .scan(path, self.root, staged, &mut self.file_findings);
        self.flush();
        let suppressed = self.scanner.take_suppressed();
        if self.keep_suppressed {
            self.found.suppressed.extend(suppressed);
        } else {
            let changes = self.changes;
            let on_changed_lines = suppressed
                .iter()
                .filter(|s| changes::keeps(changes, &s.finding));
            self.found.suppressed_not_kept += on_changed_lines.count();
        }
        match outcome {
            Ok(FileOutcome::Text(bytes)) => {
                self.found.files += 1;
                self.found.bytes += bytes;
            }
            Ok(FileOutcome::TooLarge(len)) => {
                let max = self.scanner.max_filesize();
                let rel = walk::relative(self.root, path);
                self.found.notes.push(format!(
                    "{rel}: skipped, {len} bytes is over scan.max_filesize ({max} bytes)"
                ));
                self.found.unread.push(rel);
            }
            Ok(FileOutcome::Binary) => {
                self.found.binary += 1;
                if named {
                    let rel = walk::relative(self.root, path);
                    self.found.notes.push(format!(
                        "{rel}: skipped as binary (a NUL byte in its first {} KiB); \
                         add it to scan.text_files to scan it",
                        scan::BINARY_PROBE / 1024
                    ));
                }
            }
            Ok(FileOutcome::OutOfScope | FileOutcome::NotAFile) => {}
            Err(err) => {
                let rel = walk::relative(self.root, path);
                self.found.problems.push(format!("{rel}: {err}"));
                self.found.unread.push(rel);
            }
        }
    }

    fn error(&mut self, error: ignore::Error) {
        self.found.problems.push(walk_error(self.root, &error));
    }

    fn symlink_loop(&mut self, error: ignore::Error) {
        let error = walk_error(self.root, &error);
        self.found.notes.push(format!("{error}; not followed"));
    }

    fn unreadable_ignore_file(&mut self, path: &Path, error: io::Error) {
        let rel = walk::relative(self.root, path);
        self.found.notes.push(format!(
            "{rel}: cannot be read ({error}); its ignore patterns were not applied"
        ));
    }
}

/// A walk error in words, its paths relative to the project `root` like every other path.
fn walk_error(root: &Path, error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, err } => {
            let rel = walk::relative(root, path);
            let rel = if rel.is_empty() { "." } else { &rel };
            format!("{rel}: {}", walk_error(root, err))
        }
        ignore::Error::WithDepth { err, .. } => walk_error(root, err),
        ignore::Error::Loop { ancestor, child } => format!(
            "File system loop found: {} points to an ancestor {}",
            walk::relative(root, child),
            walk::relative(root, ancestor)
        ),
        ignore::Error::Partial(errors) => errors
            .iter()
            .map(|e| walk_error(root, e))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{Project, Source};
    use crate::walk;

    #[test]
    fn the_baselines_are_own_files_as_soon_as_the_rule_set_is_compiled() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let rule_file = root.join("vestige.toml");
        std::fs::write(
            &rule_file,
            "[baseline]\nfile = \"configured.toml\"\n\n[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"Legacy\"]\n",
        )
        .unwrap();
        for name in ["configured.toml", "named.toml", "code.php"] {
            std::fs::write(root.join(name), "Legacy\n").unwrap();
        }
        let named = root.join("named.toml");
        let project = Project::load(&Source {
            rule_file: Some(&rule_file),
            root: None,
            today: None,
            own_files: vec![named.as_path()],
        })
        .unwrap();
        let in_scope = |name: &str| walk::in_scope(&project.rules.scope, &root.join(name));
        assert!(in_scope("code.php"));
        for own in ["vestige.toml", "configured.toml", "named.toml"] {
            assert!(!in_scope(own), "{own} is vestige's own");
        }
    }
}
