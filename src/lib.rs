//! vestige: a fast architecture guard that keeps removed code from coming back.
//!
//! The pipeline, one module per stage: `config` reads the rule file, `rules` compiles it,
//! `walk` picks the files, `scan` turns each file into `finding`s, and `report` writes them in
//! the chosen format. `run` wires the stages together; `main.rs` only maps its outcome to an exit
//! code.

pub mod baseline;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod config;
pub mod day;
pub mod finding;
pub mod init;
pub mod matcher;
pub mod own;
pub mod progress;
pub mod ratchet;
pub mod report;
pub mod rules;
pub mod scan;
pub mod suppress;
pub mod variants;
pub mod walk;
pub mod write;

use std::collections::HashSet;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::CommandFactory;
use miette::Diagnostic;

use crate::baseline::{Baseline, Resolved};
use crate::changes::{Changes, Since};
use crate::cli::{CheckArgs, Cli, ColorChoice, Command, ProjectArgs, ReportArgs, ReportFormat};
use crate::config::{ConfigFile, RuleFileErrors};
use crate::day::Day;
use crate::finding::{Finding, Severity, Suppressed, Suppression, visible};
use crate::progress::Progress;
use crate::report::{Report, Style, Summary, plural};
use crate::rules::RuleSet;
use crate::scan::{Scanned, Scanner};
use crate::walk::Walk;

/// How a run ended, short of a fatal error.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Findings of error severity.
    pub errors: usize,
    /// Findings of warning severity.
    pub warnings: usize,
    /// Files or directories that could not be read.
    pub problems: usize,
    /// Which findings fail the run.
    pub gate: Gate,
}

/// Which findings make the exit code 1, from `--exit-zero` and `--deny-warnings`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Gate {
    /// Errors (the default).
    #[default]
    Errors,
    /// Errors and warnings (`--deny-warnings`).
    Warnings,
    /// None (`--exit-zero`).
    Never,
}

impl Outcome {
    /// 2 if part of the tree could not be read, whatever the gate; else 1 if a finding the gate
    /// counts was made; else 0.
    pub fn exit_code(self) -> u8 {
        if self.problems > 0 {
            return 2;
        }
        let failing = match self.gate {
            Gate::Errors => self.errors,
            Gate::Warnings => self.errors + self.warnings,
            Gate::Never => 0,
        };
        u8::from(failing > 0)
    }
}

/// Writing the report failed.
#[derive(Debug, Diagnostic, thiserror::Error)]
#[error("cannot write the report: {0}")]
struct OutputError(#[source] io::Error);

/// Runs the command `cli` describes.
pub fn run(cli: &Cli) -> miette::Result<Outcome> {
    match &cli.command {
        Command::Check(args) => check(cli, args),
        Command::Rules(args) => {
            let project = Project::load(&args.project)?;
            print(&catalog::table(&project.rules, args.expand))
        }
        Command::Explain(args) => {
            let project = Project::load(&args.project)?;
            print(&catalog::explain(&project.rules, &args.rule)?)
        }
        Command::Report(args) => report(args),
        Command::Init(args) => {
            let cwd = std::env::current_dir()
                .map_err(|err| miette::miette!("cannot read the current directory: {err}"))?;
            let (kind, written) = init::write(&cwd, args.force, &config::schema())?;
            let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
            let kind = match kind {
                init::Kind::Laravel => "a Laravel application",
                init::Kind::Generic => "a project",
            };
            let _ = writeln!(
                io::stderr(),
                "vestige: wrote {} for {kind}; run `vestige check`",
                names.join(" and ")
            );
            Ok(Outcome::default())
        }
        Command::Schema => print(&format!("{}\n", config::schema())),
        Command::Completions(args) => {
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut Cli::command(), "vestige", &mut script);
            print(&String::from_utf8_lossy(&script))
        }
        Command::Man(args) => print(&man_page(args.command.as_deref())?),
    }
}

/// The manual page of vestige, or of its subcommand `name` (titled `vestige-NAME`, as vestige(1)
/// refers to it).
fn man_page(name: Option<&str>) -> miette::Result<String> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    let page = match name {
        None => clap_mangen::Man::new(command),
        Some(name) => {
            let Some(sub) = command.find_subcommand(name) else {
                let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
                miette::bail!(
                    help = format!("the subcommands are {}", names.join(", ")),
                    "vestige has no subcommand `{name}`"
                );
            };
            clap_mangen::Man::new(sub.clone())
        }
    };
    let mut roff = Vec::new();
    page.render(&mut roff).map_err(OutputError)?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

/// Writes `text` to stdout; a run that only prints succeeds.
fn print(text: &str) -> miette::Result<Outcome> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(OutputError)?;
    Ok(Outcome::default())
}

/// `vestige report`: scans the whole tree and prints the progress of the removal.
fn report(args: &ReportArgs) -> miette::Result<Outcome> {
    let mut project = Project::load(&args.project)?;
    let baseline_path = args
        .baseline
        .as_ref()
        .map(|path| walk::absolute(&project.cwd, path))
        .or_else(|| project.rules.baseline.clone());
    let configured = project.rules.baseline.clone();
    let own = baseline_path.iter().chain(&configured).cloned();
    project.rules.scope.own_files.extend(own);
    let baseline = baseline_path.as_deref().map(Baseline::read).transpose()?;
    let scan = project.scan(&[], args.threads, None)?;
    let baseline = baseline.map(|baseline| {
        let remaining = baseline.remaining(&scan.findings, &project.rules.rules);
        (baseline.len(), remaining)
    });
    let progress = Progress::of(&scan.findings, &project.rules, scan.files, baseline);
    let mut stderr = io::stderr().lock();
    for problem in &scan.problems {
        let _ = writeln!(stderr, "vestige: {}", visible(problem));
    }
    match args.format {
        ReportFormat::Markdown => print(&progress.markdown())?,
        ReportFormat::Json => print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&progress).expect("progress serializes")
        ))?,
    };
    Ok(Outcome {
        problems: scan.problems.len(),
        ..Outcome::default()
    })
}

/// Whether `err` is a write to a closed pipe, which ends the run quietly.
pub fn is_broken_pipe(err: &miette::Report) -> bool {
    err.downcast_ref::<OutputError>()
        .is_some_and(|e| e.0.kind() == io::ErrorKind::BrokenPipe)
}

/// `err` drawn as diagnostics for standard error; several rule-file mistakes are drawn one by one.
pub fn render_error(cli: &Cli, err: &miette::Report) -> String {
    let handler = report::handler(style(cli.color, io::stderr().is_terminal()));
    let mut text = String::new();
    let mut draw = |diagnostic: &dyn Diagnostic| {
        if !text.is_empty() {
            text.push('\n');
        }
        if handler.render_report(&mut text, diagnostic).is_err() {
            text.push_str(&format!("error: {diagnostic}\n"));
        }
    };
    match err.downcast_ref::<RuleFileErrors>() {
        Some(list) => {
            list.errors().iter().for_each(|e| draw(e));
            text.push_str(&format!("\nerror: {list}\n"));
        }
        None => draw(err.as_ref()),
    }
    text
}

/// The most walker threads `--threads` gets per CPU: more only contend (the walk's idle threads
/// poll for work), and thousands took minutes on a tree of two files.
const THREADS_PER_CPU: usize = 4;

/// A rule file loaded and compiled against its project root.
struct Project {
    cwd: PathBuf,
    /// The project root, every symbolic link resolved.
    root: PathBuf,
    /// The rule file, as found or named, with its text.
    file: ConfigFile,
    rules: RuleSet,
}

impl Project {
    /// Finds, reads and compiles the rule file named by `--config`, or the nearest one.
    fn load(args: &ProjectArgs) -> miette::Result<Self> {
        let (config, root) = (args.config.as_deref(), args.root.as_deref());
        let cwd = std::env::current_dir()
            .map_err(|err| miette::miette!("cannot read the current directory: {err}"))?;
        let config_path = walk::absolute(&cwd, &config::locate(config, &cwd)?);
        let file = ConfigFile::read(&config_path, &cwd)?;
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
        let rules = rules::compile(&file, raw, &root, args.today.unwrap_or_else(Day::today))?;
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
    fn under_root(&self, path: &Path) -> PathBuf {
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
    /// one per CPU, at most `THREADS_PER_CPU` per CPU), and returns the sorted findings.
    fn scan(
        &self,
        paths: &[PathBuf],
        threads: Option<u16>,
        changes: Option<&Changes>,
    ) -> miette::Result<Scan> {
        self.rules.scope.ensure_roots(&self.file)?;
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        let threads = threads.map_or(cpus, |n| usize::from(n).min(THREADS_PER_CPU * cpus));
        let named: HashSet<&Path> = match changes {
            Some(changes) => changes.paths().iter().map(PathBuf::as_path).collect(),
            None => paths.iter().map(PathBuf::as_path).collect(),
        };
        let scope = &self.rules.scope;
        let mut scan = self.visit(scope, paths, threads, changes, || {
            Collector::new(&self.rules, &self.root, changes, &named, false)
        })?;
        let forbids = self
            .rules
            .rules
            .iter()
            .any(|r| !r.forbid.written.is_empty());
        if let Some(rest) = scope.rest_of_project().filter(|_| forbids) {
            let rest = self.visit(&rest, paths, threads, changes, || {
                Collector::new(&self.rules, &self.root, changes, &named, true)
            })?;
            scan.findings.extend(rest.findings);
            scan.problems.extend(rest.problems);
            scan.notes.extend(rest.notes);
        }
        let seen: HashSet<&Path> = scan.seen.iter().map(PathBuf::as_path).collect();
        let unseen = paths
            .iter()
            .filter(|p| p.is_file() && !seen.contains(p.as_path()));
        for path in unseen.take_while(|_| changes.is_none()) {
            scan.notes.push(format!(
                "{}: not scanned: outside scan.roots, or excluded by scan.exclude, an ignore \
                 file or the hidden-file rule",
                walk::relative(&self.root, path)
            ));
        }
        sort(&mut scan.findings, &self.rules);
        scan.problems.sort();
        let rules = &self.rules.rules;
        scan.suppressed
            .sort_unstable_by(|a, b| report::order(&a.finding, &b.finding, rules));
        scan.notes.sort();
        Ok(scan)
    }

    /// Walks `scope`, narrowed to `paths` or to the changed files, with one collector from
    /// `make` per thread; inside git, the tracked files the ignore rules hid are visited too.
    fn visit<'s>(
        &'s self,
        scope: &'s rules::ScanScope,
        paths: &[PathBuf],
        threads: usize,
        changes: Option<&Changes>,
        make: impl Fn() -> Collector<'s> + Sync,
    ) -> miette::Result<Scan> {
        let mut walk = Walk::new(scope, paths)
            .map_err(|path| miette::miette!("{}: no such file or directory", path.display()))?;
        let repo = match changes {
            Some(changes) => {
                walk = walk.only(changes.paths());
                None
            }
            None if scope.gitignore => changes::Repo::discover(&self.root)?,
            None => None,
        };
        let listing = repo.as_ref().map(changes::Repo::tracked).transpose()?;
        let root = &self.root;
        let tracked = listing.map(|listing| -> walk::Tracked<'_, changes::GitError> {
            Box::new(move || listing.finish(root))
        });
        let mut scan = Scan::default();
        for mut collector in walk.run(threads, make, tracked)? {
            collector.found.suppressed = collector.scanner.take_suppressed();
            scan.absorb(collector.found);
        }
        Ok(scan)
    }
}

/// What one walk of the tree found.
#[derive(Debug, Default)]
struct Scan {
    findings: Vec<Finding>,
    /// The findings markers in the code suppressed.
    suppressed: Vec<Suppressed>,
    problems: Vec<String>,
    notes: Vec<String>,
    /// Files in scope that could not be read or were too large, relative to the root.
    unread: Vec<String>,
    files: u64,
    bytes: u64,
    /// Files skipped as binary.
    binary: u64,
    /// The named files the walk reached.
    seen: Vec<PathBuf>,
}

impl Scan {
    /// Adds what another walker thread found.
    fn absorb(&mut self, other: Scan) {
        self.files += other.files;
        self.bytes += other.bytes;
        self.binary += other.binary;
        self.seen.extend(other.seen);
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.problems.extend(other.problems);
        self.notes.extend(other.notes);
        self.unread.extend(other.unread);
    }
}

fn check(cli: &Cli, args: &CheckArgs) -> miette::Result<Outcome> {
    let mut project = Project::load(&args.project)?;
    let cwd = project.cwd.clone();
    let baseline_path = match (&args.baseline, args.no_baseline) {
        (_, true) => None,
        (Some(path), false) => Some(walk::absolute(&cwd, path)),
        (None, false) => project.rules.baseline.clone(),
    };
    let written_path = match &args.write_baseline {
        None => None,
        Some(Some(path)) => Some(walk::absolute(&cwd, path)),
        Some(None) => Some(project.rules.baseline.clone().ok_or_else(|| {
            miette::miette!(
                help = "name the file, `--write-baseline=vestige-baseline.toml`, or set it in the \
                        rule file: [baseline] file = \"vestige-baseline.toml\"",
                "--write-baseline without a file needs `file` in the rule file's [baseline] table"
            )
        })?),
    };
    let configured = project.rules.baseline.clone();
    let own = baseline_path.iter().chain(&written_path).chain(&configured);
    project.rules.scope.own_files.extend(own.cloned());
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .map(|p| project.under_root(&walk::absolute(&cwd, p)))
        .collect();
    let (root, rules) = (&project.root, &project.rules);
    let changes = match (&args.since, &args.ratchet, args.staged) {
        (Some(rev), _, _) => Some(Changes::read(root, rules, Since::Rev(rev))?),
        (None, Some(rev), _) => {
            Some(Changes::read(root, rules, Since::Rev(rev)).map_err(ratchet::said_of_ratchet)?)
        }
        (None, None, true) => Some(Changes::read(root, rules, Since::Staged)?),
        (None, None, false) => None,
    };
    let full_scan = paths.is_empty() && changes.is_none();
    if !full_scan && (written_path.is_some() || args.prune_baseline) {
        miette::bail!(
            "--write-baseline and --prune-baseline need a scan of the whole tree, \
             without PATHS, --since or --staged"
        );
    }
    let baseline = match &baseline_path {
        Some(path) if written_path.is_none() => Some(Baseline::read(path)?),
        _ if args.prune_baseline => miette::bail!(
            "--prune-baseline needs a baseline: --baseline FILE, or `file` in the rule file's \
             [baseline] table"
        ),
        _ => None,
    };
    let write_target = match (&written_path, args.prune_baseline, &baseline_path) {
        (Some(path), _, _) | (None, true, Some(path)) => {
            Some(baseline::target(path, &project.file.path)?)
        }
        _ => None,
    };
    if let Some(missing) = paths.iter().find(|p| std::fs::symlink_metadata(p).is_err()) {
        miette::bail!("{}: no such file or directory", missing.display());
    }
    if let Some(outside) = paths.iter().find(|p| !p.starts_with(root)) {
        miette::bail!(
            help = "vestige checks only files under the project root; run it from the other \
                    project, or give that project's rule file with --config",
            "{}: outside the project root {}",
            outside.display(),
            root.display()
        );
    }

    if args.ratchet.is_some() && baseline_path.is_none() {
        miette::bail!(
            "--ratchet needs a baseline: --baseline FILE, or `file` in the rule file's [baseline] \
             table"
        );
    }
    let started = Instant::now();
    let mut scan = match args.ratchet {
        Some(_) => Scan::default(),
        None => project.scan(&paths, args.threads, changes.as_ref())?,
    };
    let mut summary = Summary {
        files_scanned: scan.files,
        bytes_scanned: scan.bytes,
        binary_skipped: scan.binary,
        ..Summary::default()
    };
    let mut stderr = io::stderr().lock();
    if let Some(target) = write_target.as_ref().filter(|_| !scan.problems.is_empty()) {
        let _ = writeln!(
            stderr,
            "vestige: not writing the baseline {}: part of the tree could not be read, and a \
             baseline is written only from a complete scan",
            visible(&target.path().display().to_string())
        );
    }
    let write_target = write_target.filter(|_| scan.problems.is_empty());
    if let (Some(path), Some(target)) = (&written_path, &write_target) {
        let written = Baseline::of(&scan.findings, &rules.rules);
        written.write(target)?;
        if !args.quiet {
            let _ = writeln!(
                stderr,
                "vestige: wrote {} to the baseline {}",
                plural(written.len(), "finding"),
                visible(&path.display().to_string())
            );
        }
        scan.findings.clear();
    }
    let changed = |f: &Finding| {
        changes
            .as_ref()
            .is_none_or(|c| f.is_forbidden_path() || c.touches(f.rule, &f.path, f.line, f.end_line))
    };
    let mut resolved = Vec::new();
    if let Some(baseline) = baseline {
        let unread: std::collections::HashSet<&str> =
            scan.unread.iter().map(String::as_str).collect();
        let mut applied = baseline.apply(
            &mut scan.findings,
            &rules.rules,
            |f| !changed(f),
            |path| unread.contains(path),
        );
        summary.baselined = applied.hidden.len();
        let hidden = std::mem::take(&mut applied.hidden).into_iter();
        let hidden = hidden.filter(|f| changed(f));
        scan.suppressed.extend(hidden.map(|finding| Suppressed {
            finding,
            by: Suppression::Baseline,
        }));
        let rules = &rules.rules;
        scan.suppressed
            .sort_by(|a, b| report::order(&a.finding, &b.finding, rules));
        if let (true, Some(target)) = (args.prune_baseline, &write_target) {
            if !applied.resolved.is_empty() {
                applied.kept.write(target)?;
            }
        }
        if full_scan {
            summary.baseline_resolved = applied.resolved_findings();
            resolved = applied.resolved;
        }
    }
    scan.findings.retain(|f| changed(f));
    scan.suppressed.retain(|s| changed(&s.finding));
    summary.suppressed = scan
        .suppressed
        .iter()
        .filter(|s| matches!(s.by, Suppression::Marker(_)))
        .count();
    if let (Some(changes), Some(path)) = (&changes, &baseline_path) {
        let path = project.under_root(path);
        let grew = ratchet::compare(changes, &path, root, rules, args.ratchet.is_some())?;
        scan.findings.extend(grew.findings);
        scan.notes.extend(grew.note);
        sort(&mut scan.findings, rules);
    }
    summary.tally(&scan.findings, &rules.rules);
    summary.elapsed = started.elapsed();

    if !args.quiet && written_path.is_none() {
        let report = Report {
            rules: &rules.rules,
            findings: &scan.findings,
            suppressed: &scan.suppressed,
            baseline: baseline_path.is_some(),
            summary: &summary,
            warnings_fail: args.deny_warnings,
        };
        let stdout = io::stdout();
        let style = style(cli.color, stdout.is_terminal());
        let mut out = io::BufWriter::new(stdout.lock());
        let reporter = if args.files_with_matches {
            report::files_with_matches()
        } else {
            report::reporter(args.format, style)
        };
        reporter
            .write(&report, &mut out)
            .and_then(|()| out.flush())
            .map_err(OutputError)?;
    }
    for problem in &scan.problems {
        let _ = writeln!(stderr, "vestige: {}", visible(problem));
    }
    if !args.quiet {
        for note in scan.notes.iter().chain(&resolved_notes(
            &resolved,
            summary.baseline_resolved,
            args.prune_baseline,
            baseline_path.as_deref(),
        )) {
            let _ = writeln!(stderr, "vestige: note: {}", visible(note));
        }
    }
    let summary_line = args.format.has_summary() && !args.files_with_matches;
    if !args.quiet && summary_line && written_path.is_none() {
        let _ = writeln!(stderr, "{}", summary.line());
    }
    if args.statistics && !args.quiet {
        let _ = write!(
            stderr,
            "{}",
            statistics(&summary, &scan.findings, &rules.rules)
        );
    }
    let gate = if args.exit_zero {
        Gate::Never
    } else if args.deny_warnings {
        Gate::Warnings
    } else {
        Gate::Errors
    };
    Ok(Outcome {
        errors: summary.count(Severity::Error),
        warnings: summary.count(Severity::Warning),
        problems: scan.problems.len(),
        gate,
    })
}

/// The `--statistics` lines: what was scanned, how long it took, and the findings of each rule.
fn statistics(summary: &Summary, findings: &[Finding], rules: &[rules::Rule]) -> String {
    let mut per_rule = vec![0usize; rules.len()];
    for finding in findings {
        per_rule[finding.rule] += 1;
    }
    let mut out = format!(
        "statistics: {} scanned, {} bytes, {} skipped as binary, {} ms; {} findings, {} suppressed, \
         {} baselined\n",
        plural(summary.files_scanned as usize, "file"),
        summary.bytes_scanned,
        summary.binary_skipped,
        summary.elapsed.as_millis(),
        summary.findings(),
        summary.suppressed,
        summary.baselined
    );
    let width = rules.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for (rule, count) in rules.iter().zip(per_rule) {
        out.push_str(&format!(
            "statistics:   {:<width$}  {count}\n",
            visible(&rule.id)
        ));
    }
    out
}

/// How many baselined findings to list one by one before summing up the rest.
const RESOLVED_LISTED: usize = 10;

/// Notes on the baseline entries the code no longer has (`total` findings), with what to do
/// about them.
fn resolved_notes(
    resolved: &[Resolved],
    total: usize,
    pruned: bool,
    baseline: Option<&Path>,
) -> Vec<String> {
    let Some(baseline) = baseline.filter(|_| !resolved.is_empty()) else {
        return Vec::new();
    };
    let mut notes: Vec<String> = resolved
        .iter()
        .take(RESOLVED_LISTED)
        .map(|r| {
            let times = if r.count > 1 {
                format!("{}x ", r.count)
            } else {
                String::new()
            };
            format!(
                "resolved: {times}`{}` [{}] in {} is gone from the code",
                r.matched, r.rule, r.path
            )
        })
        .collect();
    if resolved.len() > RESOLVED_LISTED {
        notes.push(format!(
            "resolved: ... and {} more baseline entries",
            resolved.len() - RESOLVED_LISTED
        ));
    }
    let findings = plural(total, "resolved finding");
    notes.push(if pruned {
        format!(
            "removed {findings} from the baseline {}",
            baseline.display()
        )
    } else {
        format!(
            "run `vestige check --prune-baseline` to drop {findings} from the baseline {}",
            baseline.display()
        )
    });
    notes
}

/// Sorts findings by path (byte order), line, column, then rule id.
fn sort(findings: &mut [Finding], rules: &RuleSet) {
    findings.sort_unstable_by(|a, b| report::order(a, b, &rules.rules));
}

/// How to draw human output on a stream that is or is not a terminal.
fn style(choice: ColorChoice, terminal: bool) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    Style {
        color,
        unicode: terminal,
    }
}

/// One walker thread's scanner and everything it found.
struct Collector<'r> {
    scanner: Scanner<'r>,
    root: &'r Path,
    changes: Option<&'r Changes>,
    /// The files and directories named on the command line or changed.
    named: &'r HashSet<&'r Path>,
    /// Whether only `forbid_paths` are checked (outside the scan roots), the files not read.
    forbid_only: bool,
    found: Scan,
}

impl<'r> Collector<'r> {
    fn new(
        rules: &'r RuleSet,
        root: &'r Path,
        changes: Option<&'r Changes>,
        named: &'r HashSet<&'r Path>,
        forbid_only: bool,
    ) -> Self {
        Self {
            scanner: Scanner::new(rules),
            root,
            changes,
            named,
            forbid_only,
            found: Scan::default(),
        }
    }
}

impl walk::Visitor for Collector<'_> {
    fn file(&mut self, path: &Path) {
        if self.forbid_only {
            self.scanner
                .forbidden_at(path, self.root, &mut self.found.findings);
            return;
        }
        let named = !self.named.is_empty() && self.named.contains(path);
        if named {
            self.found.seen.push(path.to_owned());
        }
        let staged = self.changes.and_then(|changes| changes.staged(path));
        match self
            .scanner
            .scan(path, self.root, staged, &mut self.found.findings)
        {
            Ok(Scanned::Text(bytes)) => {
                self.found.files += 1;
                self.found.bytes += bytes;
            }
            Ok(Scanned::TooLarge(len)) => {
                let max = self.scanner.max_filesize();
                let rel = walk::relative(self.root, path);
                self.found.notes.push(format!(
                    "{rel}: skipped, {len} bytes is over scan.max_filesize ({max} bytes)"
                ));
                self.found.unread.push(rel);
            }
            Ok(Scanned::Binary) => {
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
            Ok(Scanned::OutOfScope | Scanned::NotAFile) => {}
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
    use super::{Gate, Outcome};

    fn code(errors: usize, warnings: usize, problems: usize, gate: Gate) -> u8 {
        Outcome {
            errors,
            warnings,
            problems,
            gate,
        }
        .exit_code()
    }

    #[test]
    fn findings_and_failures_never_share_an_exit_code() {
        for gate in [Gate::Errors, Gate::Warnings, Gate::Never] {
            assert_eq!(code(0, 0, 0, gate), 0);
            assert_eq!(code(3, 2, 1, gate), 2);
            assert_eq!(code(0, 0, 1, gate), 2);
        }
        assert_eq!(code(1, 0, 0, Gate::Errors), 1);
        assert_eq!(code(0, 1, 0, Gate::Errors), 0);
        assert_eq!(code(1, 0, 0, Gate::Warnings), 1);
        assert_eq!(code(0, 1, 0, Gate::Warnings), 1);
        assert_eq!(code(1, 1, 0, Gate::Never), 0);
    }
}
