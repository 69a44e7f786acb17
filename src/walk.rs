//! Which files are scanned: the scan roots, minus global excludes, ignore files, hidden paths and
//! the rule file itself, optionally narrowed to the paths given on the command line. Explicit paths are a filter on the
//! same walk, never a bypass, so a file passed by a pre-commit hook obeys exactly the rules a full
//! scan does. Inside a git work tree, ignore files hide untracked files only: tracked files the
//! walk did not reach are visited after it, once each. The changed files of `--since`/`--staged`
//! come from git and pass the same scope test instead of a walk.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use crate::ruleset::Scope;

/// Receives the files of a walk, on one of the walk's threads.
pub trait Visitor: Send {
    /// Called for each regular file to scan, with its absolute path.
    fn file(&mut self, path: &Path);
    /// Called when part of the tree could not be read.
    fn error(&mut self, error: ignore::Error);
    /// Called when a symbolic link leads back to one of its ancestors and was not followed.
    fn symlink_loop(&mut self, error: ignore::Error);
    /// Called when an ignore file exists but cannot be read, so its patterns were not applied.
    fn unreadable_ignore_file(&mut self, path: &Path, error: std::io::Error);
}

/// The per-directory ignore files the walk honours.
const IGNORE_FILES: [&str; 2] = [".gitignore", ".ignore"];

/// The paths the command line narrowed the scan to: each one and everything under it.
#[derive(Debug, Default)]
struct Narrowing {
    wanted: HashSet<PathBuf>,
    ancestors: HashSet<PathBuf>,
}

impl Narrowing {
    fn keeps(&self, path: &Path) -> bool {
        self.ancestors.contains(path) || path.ancestors().any(|a| self.wanted.contains(a))
    }
}

/// A walk ready to run: where it starts and what it keeps.
#[derive(Debug)]
pub struct Walk<'a> {
    scope: &'a Scope,
    starts: Vec<PathBuf>,
    narrowing: Option<Narrowing>,
    /// Files visited instead of walking.
    listed: Vec<PathBuf>,
}

impl<'a> Walk<'a> {
    /// A walk over `scope`, narrowed to `paths` (absolute, normalized) unless it is empty.
    /// Fails with the first path that does not exist.
    pub fn new(scope: &'a Scope, paths: &[PathBuf]) -> Result<Self, PathBuf> {
        if paths.is_empty() {
            return Ok(Self {
                scope,
                starts: scope.roots.clone(),
                narrowing: None,
                listed: Vec::new(),
            });
        }
        let mut narrowing = Narrowing::default();
        for path in paths {
            if std::fs::symlink_metadata(path).is_err() {
                return Err(path.clone());
            }
            narrowing
                .ancestors
                .extend(path.ancestors().skip(1).map(Path::to_owned));
            narrowing.wanted.insert(path.clone());
        }
        let starts = scope
            .roots
            .iter()
            .filter(|root| narrowing.keeps(root))
            .cloned()
            .collect();
        Ok(Self {
            scope,
            starts,
            narrowing: Some(narrowing),
            listed: Vec::new(),
        })
    }

    /// Whether the file at the absolute `path` is in the scan scope and the narrowing.
    fn keeps(&self, path: &Path) -> bool {
        in_scope(self.scope, path) && self.narrowing.as_ref().is_none_or(|n| n.keeps(path))
    }

    /// Visits only `files` (absolute, as git listed them) that are in scope, without walking.
    pub fn only(mut self, files: &[PathBuf]) -> Self {
        self.starts.clear();
        self.listed = files
            .iter()
            .filter(|path| self.keeps(path))
            .cloned()
            .collect();
        self
    }

    /// Walks on `threads` threads, each with its own visitor from `make`, and returns the
    /// visitors. Inside a git work tree, `tracked` gives the tracked files (absolute) once the
    /// walk is done: those in scope that the walk did not visit, because an ignore file hid
    /// them, are visited then, as tracked files are code.
    pub fn run<V, F, E>(
        self,
        threads: usize,
        make: F,
        tracked: Option<Tracked<'_, E>>,
    ) -> Result<Vec<V>, E>
    where
        V: Visitor,
        F: Fn() -> V + Sync,
        E: Send,
    {
        let mut visitors = visit_list(&self.listed, threads, &make);
        let all_starts = self.starts.clone();
        let mut starts = self.starts;
        let refused = refuse_odd_starts(&mut starts, self.scope.gitignore);
        let unreadable = Arc::new(Mutex::new(Vec::new()));
        let narrowing = self.narrowing.map(Arc::new);
        let seen = Mutex::new(Vec::new());
        let fingerprints = tracked.as_ref().map(|_| RandomState::new());
        let (done, tracked) = if starts.is_empty() {
            (Vec::new(), None)
        } else {
            let in_git = tracked.is_some();
            let mut walker = walker(self.scope, &starts, narrowing.clone(), in_git, &unreadable);
            let finished = Mutex::new(Vec::new());
            let mut spawner = Spawner {
                make: &make,
                done: &finished,
                seen: &seen,
                fingerprints: fingerprints.as_ref(),
            };
            // git lists the tracked files, and their fingerprints are taken, while the walk
            // runs.
            let tracked = std::thread::scope(|side| {
                let tracked = tracked.zip(fingerprints.as_ref()).map(|(tracked, state)| {
                    let starts = &all_starts;
                    side.spawn(move || {
                        tracked().map(|files| TrackedIndex::new(files, starts, state))
                    })
                });
                walker.threads(threads).build_parallel().visit(&mut spawner);
                tracked.map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
            });
            (
                finished.into_inner().unwrap_or_else(|p| p.into_inner()),
                tracked,
            )
        };
        visitors.extend(done);
        let unreadable = std::mem::take(&mut *lock(&unreadable));
        report_problems(&mut visitors, refused, unreadable, &make);
        if let Some(tracked) = tracked {
            let scope = self.scope;
            let hidden: Vec<PathBuf> = tracked?
                .missed(&lock(&seen))
                .into_iter()
                .filter(|path| {
                    in_scope(scope, path)
                        && narrowing.as_ref().is_none_or(|n| n.keeps(path))
                        && is_scannable(scope, path)
                })
                .collect();
            visitors.extend(visit_list(&hidden, threads, &make));
        }
        Ok(visitors)
    }
}

/// Leaves out of `starts` those with an ignore file that is not a regular file in them or
/// above them, and returns those files. The walker reads ignore files through symbolic links
/// and blocks on FIFOs; below the starts this is not checked, as it would cost a system call
/// in every directory.
fn refuse_odd_starts(starts: &mut Vec<PathBuf>, gitignore: bool) -> Vec<PathBuf> {
    let mut refused = Vec::new();
    if gitignore {
        starts.retain(|start| match start.ancestors().find_map(odd_ignore_file) {
            Some(file) => {
                refused.push(file);
                false
            }
            None => true,
        });
    }
    refused
}

/// The walker over `starts` (not empty) that keeps what `scope` and `narrowing` keep; the ignore
/// files it cannot read are put in `unreadable`.
fn walker(
    scope: &Scope,
    starts: &[PathBuf],
    narrowing: Option<Arc<Narrowing>>,
    in_git: bool,
    unreadable: &Arc<Mutex<Vec<(PathBuf, std::io::Error)>>>,
) -> WalkBuilder {
    let mut builder = WalkBuilder::new(&starts[0]);
    for start in &starts[1..] {
        builder.add(start);
    }
    let exclude = scope.exclude.clone();
    let own_files = scope.own_files.clone();
    let skip = scope.skip.clone();
    let (hidden, gitignore) = (scope.hidden, scope.gitignore);
    let unread = Arc::clone(unreadable);
    builder
        .hidden(false)
        .parents(gitignore)
        .ignore(gitignore)
        .git_ignore(gitignore)
        .git_exclude(gitignore)
        .git_global(false)
        // Inside git, as in git, a `.gitignore` above the work tree hides nothing; outside git,
        // ignore files apply wherever they are.
        .require_git(in_git)
        .follow_links(scope.follow_symlinks)
        .filter_entry(move |entry| {
            let name = entry.file_name().as_encoded_bytes();
            if entry.depth() > 0 && name.first() == Some(&b'.') {
                // Hidden entries are skipped here rather than by the walker, so that the
                // ignore files are seen: the walker passes over one it cannot read.
                if gitignore && IGNORE_FILES.iter().any(|n| n.as_bytes() == name) {
                    if let Err(err) = open_nonblocking(entry.path()) {
                        lock(&unread).push((entry.path().to_owned(), err));
                    }
                }
                if !hidden {
                    return false;
                }
            }
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            !own_files.skips(entry)
                && !skip.iter().any(|dir| dir == entry.path())
                && !exclude.matched(entry.path(), is_dir).is_ignore()
                && narrowing.as_ref().is_none_or(|n| n.keeps(entry.path()))
        });
    builder
}

/// Lists the tracked files of a git work tree; runs beside the walk.
pub type Tracked<'a, E> = Box<dyn FnOnce() -> Result<TrackedFiles, E> + Send + 'a>;

/// Tracked files as git lists them (`git ls-files -z`), kept as one buffer: each name with
/// `strip` removed from its front is a path below `base`. Names without that prefix lie
/// outside `base` and are left out.
#[derive(Debug, Clone)]
pub struct TrackedFiles {
    /// The directory the names are relative to, once stripped.
    pub base: PathBuf,
    /// The prefix (`dir/`) to remove from each name; empty for none.
    pub strip: Vec<u8>,
    /// The NUL-separated names.
    pub names: Vec<u8>,
}

impl TrackedFiles {
    /// The names below `base`, relative to it, `/`-separated, each with its offset in `names`.
    fn names_at(&self) -> impl Iterator<Item = (usize, &[u8])> {
        let mut next = 0;
        self.names.split(|&b| b == 0).filter_map(move |name| {
            let at = next + self.strip.len();
            next += name.len() + 1;
            let rel = name.strip_prefix(self.strip.as_slice())?;
            (!rel.is_empty()).then_some((at, rel))
        })
    }

    /// The absolute path of the name `rel`.
    fn path(&self, rel: &[u8]) -> PathBuf {
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            self.base.join(std::ffi::OsStr::from_bytes(rel))
        }
        #[cfg(not(unix))]
        {
            let mut path = self.base.clone();
            path.extend(String::from_utf8_lossy(rel).split('/'));
            path
        }
    }

    /// The fingerprint of the path of the name `rel`, as [`fingerprint`] takes it, without
    /// building the path.
    fn fingerprint(&self, state: &RandomState, rel: &[u8]) -> u64 {
        #[cfg(unix)]
        {
            let base = self.base.as_os_str().as_encoded_bytes();
            let mut hasher = state.build_hasher();
            hasher.write(base);
            if base.last() != Some(&b'/') {
                hasher.write(b"/");
            }
            hasher.write(rel);
            hasher.finish()
        }
        #[cfg(not(unix))]
        {
            fingerprint(state, &self.path(rel))
        }
    }
}

/// The tracked files below the walk's starts, ordered by fingerprint, to tell which ones the
/// walk did not visit.
struct TrackedIndex {
    files: TrackedFiles,
    /// Each name's fingerprint and where the name lies in `files.names`, sorted; a path listed
    /// again (an unmerged one, once per stage) is there once.
    entries: Vec<(u64, usize, usize)>,
}

impl TrackedIndex {
    /// Indexes the names in `files` that lie below `starts`.
    fn new(files: TrackedFiles, starts: &[PathBuf], state: &RandomState) -> Self {
        let starts = Prefixes::new(starts, &files.base);
        let mut entries: Vec<_> = files
            .names_at()
            .filter(|&(_, rel)| starts.hold(rel))
            .map(|(at, rel)| (files.fingerprint(state, rel), at, at + rel.len()))
            .collect();
        entries.sort_unstable();
        entries.dedup_by_key(|entry| entry.0);
        Self { files, entries }
    }

    /// The absolute paths of the tracked files whose fingerprints none of the `visited` lists
    /// (each sorted) holds.
    fn missed(&self, visited: &[Vec<u64>]) -> Vec<PathBuf> {
        let mut found = vec![false; self.entries.len()];
        for list in visited {
            let mut at = 0;
            for &print in list {
                while self.entries.get(at).is_some_and(|entry| entry.0 < print) {
                    at += 1;
                }
                if self.entries.get(at).is_some_and(|entry| entry.0 == print) {
                    found[at] = true;
                }
            }
        }
        self.entries
            .iter()
            .zip(found)
            .filter(|(_, found)| !found)
            .map(|(&(_, from, to), _)| self.files.path(&self.files.names[from..to]))
            .collect()
    }
}

/// The walk's starts as `/`-separated prefixes of the names in a tracked-file listing.
enum Prefixes {
    /// A start holds the whole listing.
    All,
    /// Each start below the listing's base, relative to it.
    Some(Vec<Vec<u8>>),
}

impl Prefixes {
    /// The `starts` (absolute) as prefixes of names relative to `base`.
    fn new(starts: &[PathBuf], base: &Path) -> Self {
        if starts.iter().any(|start| base.starts_with(start)) {
            return Self::All;
        }
        let below = starts
            .iter()
            .filter_map(|start| start.strip_prefix(base).ok());
        Self::Some(
            below
                .map(|rel| {
                    let parts = rel.components().map(|c| c.as_os_str().as_encoded_bytes());
                    parts.collect::<Vec<_>>().join(&b'/')
                })
                .collect(),
        )
    }

    /// Whether the name `rel` is a start or lies below one.
    fn hold(&self, rel: &[u8]) -> bool {
        match self {
            Self::All => true,
            Self::Some(prefixes) => prefixes.iter().any(|prefix| {
                rel.strip_prefix(prefix.as_slice())
                    .is_some_and(|rest| rest.is_empty() || rest[0] == b'/')
            }),
        }
    }
}

/// `mutex` locked, even if a thread panicked while holding it.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// A keyed hash of `path`, to tell which files the walk visited without keeping their paths.
fn fingerprint(state: &RandomState, path: &Path) -> u64 {
    let mut hasher = state.build_hasher();
    hasher.write(path.as_os_str().as_encoded_bytes());
    hasher.finish()
}

/// The ignore file in `dir` that exists but is not a regular file (a symbolic link, a FIFO),
/// if any.
fn odd_ignore_file(dir: &Path) -> Option<PathBuf> {
    IGNORE_FILES
        .iter()
        .map(|name| dir.join(name))
        .find(|file| std::fs::symlink_metadata(file).is_ok_and(|meta| !meta.file_type().is_file()))
}

/// Hands each ignore file that kept a start from being walked, and each one that could not be
/// read, to a visitor.
fn report_problems<V: Visitor>(
    visitors: &mut Vec<V>,
    refused: Vec<PathBuf>,
    unreadable: Vec<(PathBuf, std::io::Error)>,
    make: &impl Fn() -> V,
) {
    if refused.is_empty() && unreadable.is_empty() {
        return;
    }
    if visitors.is_empty() {
        visitors.push(make());
    }
    for file in refused {
        let reason = std::io::Error::other(
            "an ignore file that is not a regular file is not read, and \
             nothing in its directory was scanned",
        );
        visitors[0].error(ignore::Error::WithPath {
            path: file,
            err: Box::new(ignore::Error::Io(reason)),
        });
    }
    for (path, err) in unreadable {
        visitors[0].unreadable_ignore_file(&path, err);
    }
}

/// Opens `path` for reading without ever blocking (a FIFO named like an ignore file).
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    options.open(path)
}

/// Visits `files` on up to `threads` threads, each with its own visitor from `make`.
fn visit_list<V, F>(files: &[PathBuf], threads: usize, make: &F) -> Vec<V>
where
    V: Visitor,
    F: Fn() -> V + Sync,
{
    if files.is_empty() {
        return Vec::new();
    }
    let chunk = files.len().div_ceil(threads.max(1));
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| {
                scope.spawn(move || {
                    let mut visitor = make();
                    for path in chunk {
                        visitor.file(path);
                    }
                    visitor
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// Whether the file at the absolute `path` is in the scan scope as the walk sees it: under a
/// scan root, not excluded (nor any directory above it), not hidden unless `scan.hidden`, and
/// not one of vestige's own files. Ignore files play no part: git decides those.
pub fn in_scope(scope: &Scope, path: &Path) -> bool {
    let Some(start) = scope.roots.iter().find(|root| path.starts_with(root)) else {
        return false;
    };
    if scope.skip.iter().any(|dir| path.starts_with(dir)) {
        return false;
    }
    let hidden = || {
        path.strip_prefix(start).is_ok_and(|rel| {
            rel.components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
        })
    };
    // The own-file test asks the file system, so it comes last.
    (scope.hidden || !hidden())
        && !scope
            .exclude
            .matched_path_or_any_parents(path, false)
            .is_ignore()
        && !scope.own_files.skips_path(&scope.root, path)
}

/// Whether the work-tree `path` is a file the walk would scan: a regular file, or a link to
/// one when symbolic links are followed.
pub fn is_scannable(scope: &Scope, path: &Path) -> bool {
    let meta = if scope.follow_symlinks {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    meta.is_ok_and(|meta| meta.is_file())
}

/// Makes one visitor per walker thread.
struct Spawner<'s, V, F> {
    make: &'s F,
    done: &'s Mutex<Vec<V>>,
    seen: &'s Mutex<Vec<Vec<u64>>>,
    fingerprints: Option<&'s RandomState>,
}

impl<'s, V: Visitor + 's, F: Fn() -> V + Sync> ParallelVisitorBuilder<'s> for Spawner<'s, V, F> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Worker {
            visitor: Some((self.make)()),
            done: self.done,
            seen: self.seen,
            fingerprints: self.fingerprints,
            visited: Vec::new(),
        })
    }
}

/// One walker thread's visitor; hands it back when the thread ends.
struct Worker<'s, V> {
    visitor: Option<V>,
    done: &'s Mutex<Vec<V>>,
    seen: &'s Mutex<Vec<Vec<u64>>>,
    /// Set when the visited files must be told apart from tracked ones the walk missed.
    fingerprints: Option<&'s RandomState>,
    visited: Vec<u64>,
}

impl<V: Visitor> ParallelVisitor for Worker<'_, V> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        let Some(visitor) = self.visitor.as_mut() else {
            return WalkState::Quit;
        };
        match entry {
            Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                if let Some(state) = self.fingerprints {
                    self.visited.push(fingerprint(state, entry.path()));
                }
                visitor.file(entry.path());
            }
            Ok(_) => {}
            Err(err) if is_loop(&err) => visitor.symlink_loop(err),
            Err(err) => visitor.error(err),
        }
        WalkState::Continue
    }
}

impl<V> Drop for Worker<'_, V> {
    fn drop(&mut self) {
        if let Some(visitor) = self.visitor.take() {
            lock(self.done).push(visitor);
        }
        if self.fingerprints.is_some() {
            self.visited.sort_unstable();
            lock(self.seen).push(std::mem::take(&mut self.visited));
        }
    }
}

/// Whether `error` is a symbolic link loop, however it is wrapped.
fn is_loop(error: &ignore::Error) -> bool {
    match error {
        ignore::Error::Loop { .. } => true,
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
        _ => false,
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// `path` relative to `root`, `/`-separated; non-UTF-8 bytes are shown as U+FFFD.
pub fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    if std::path::MAIN_SEPARATOR == '/' {
        return rel.to_string_lossy().into_owned();
    }
    let mut out = String::new();
    for component in rel.components() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(&component.as_os_str().to_string_lossy());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_resolves_dots_lexically() {
        let cwd = Path::new("/repo/app");
        assert_eq!(
            absolute(cwd, Path::new("../routes/./web.php")),
            Path::new("/repo/routes/web.php")
        );
        assert_eq!(absolute(cwd, Path::new("/abs/x")), Path::new("/abs/x"));
        assert_eq!(absolute(cwd, Path::new(".")), Path::new("/repo/app"));
    }

    #[test]
    fn relative_uses_forward_slashes() {
        let rel = relative(Path::new("/repo"), Path::new("/repo/app/Models/X.php"));
        assert_eq!(rel, "app/Models/X.php");
    }

    #[test]
    fn tracked_index_finds_the_files_the_walk_missed_below_its_starts() {
        let state = RandomState::new();
        let files = TrackedFiles {
            base: PathBuf::from("/r"),
            strip: Vec::new(),
            names: b"app/A.php\0app/B.php\0app/B.php\0appx/C.php\0routes/web.php\0app\0".to_vec(),
        };
        let starts = [PathBuf::from("/r/app"), PathBuf::from("/r/routes/web.php")];
        let index = TrackedIndex::new(files, &starts, &state);
        let mut visited = vec![fingerprint(&state, Path::new("/r/app/A.php"))];
        visited.sort_unstable();
        let missed = index.missed(&[visited]);
        let mut missed: Vec<_> = missed.iter().map(|p| p.to_str().unwrap()).collect();
        missed.sort_unstable();
        assert_eq!(missed, ["/r/app", "/r/app/B.php", "/r/routes/web.php"]);
        let all = TrackedIndex::new(index.files, &[PathBuf::from("/")], &state);
        assert_eq!(all.missed(&[]).len(), 5);
    }

    #[test]
    fn narrowing_keeps_ancestors_and_descendants_only() {
        let mut n = Narrowing::default();
        let wanted = PathBuf::from("/r/app/Jobs");
        n.ancestors
            .extend(wanted.ancestors().skip(1).map(Path::to_owned));
        n.wanted.insert(wanted);
        assert!(n.keeps(Path::new("/r/app")));
        assert!(n.keeps(Path::new("/r/app/Jobs")));
        assert!(n.keeps(Path::new("/r/app/Jobs/A.php")));
        assert!(!n.keeps(Path::new("/r/app/Models")));
        assert!(!n.keeps(Path::new("/r/app/JobsOld/A.php")));
    }
}
