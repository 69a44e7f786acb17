//! vestige: a fast architecture guard that keeps removed code from coming back.
//!
//! The pipeline, one module per stage: `config` reads the rule file, `rules` compiles it,
//! `walk` picks the files, `scan` turns each file into `finding`s, and `report` writes them in
//! the chosen format. `run` wires the stages together; `main.rs` only maps its outcome to an exit
//! code.

pub mod cli;
pub mod config;
pub mod finding;
pub mod matcher;
pub mod report;
pub mod rules;
pub mod scan;
pub mod walk;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use miette::Diagnostic;

use crate::cli::{CheckArgs, Cli, ColorChoice, Command};
use crate::config::{ConfigFile, RuleFileErrors};
use crate::finding::{Finding, Severity, visible};
use crate::report::{Report, Style, Summary};
use crate::rules::RuleSet;
use crate::scan::{Scanned, Scanner};
use crate::walk::Walk;

/// How a run ended, short of a fatal error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    }
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

fn check(cli: &Cli, args: &CheckArgs) -> miette::Result<Outcome> {
    let cwd = std::env::current_dir()
        .map_err(|err| miette::miette!("cannot read the current directory: {err}"))?;
    let config_path = walk::absolute(&cwd, &config::locate(args.config.as_deref(), &cwd)?);
    let file = ConfigFile::read(&config_path, &cwd)?;
    let raw = file.parse()?;
    let root = match &args.root {
        Some(root) => walk::absolute(&cwd, root),
        None => config_path.parent().unwrap_or(&cwd).to_owned(),
    };
    if !root.is_dir() {
        miette::bail!("the project root {} is not a directory", root.display());
    }
    let rules = rules::compile(&file, raw, &root)?;
    let paths: Vec<PathBuf> = args.paths.iter().map(|p| walk::absolute(&cwd, p)).collect();
    let walk = Walk::new(&rules.scope, &paths)
        .map_err(|path| miette::miette!("{}: no such file or directory", path.display()))?;

    let started = Instant::now();
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, usize::from),
        usize::from,
    );
    let collectors = walk.run(threads, || Collector::new(&rules, &root));
    let mut summary = Summary::default();
    let mut findings = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for collector in collectors {
        summary.files_scanned += collector.files;
        summary.bytes_scanned += collector.bytes;
        findings.extend(collector.findings);
        problems.extend(collector.problems);
        notes.extend(collector.notes);
    }
    sort(&mut findings, &rules);
    problems.sort();
    notes.sort();
    summary.tally(&findings, &rules.rules);
    summary.elapsed = started.elapsed();

    if !args.quiet {
        let report = Report {
            rules: &rules.rules,
            findings: &findings,
            summary: &summary,
        };
        let stdout = io::stdout();
        let style = style(cli.color, stdout.is_terminal());
        let mut out = io::BufWriter::new(stdout.lock());
        report::reporter(args.format, style)
            .write(&report, &mut out)
            .and_then(|()| out.flush())
            .map_err(OutputError)?;
    }
    let mut stderr = io::stderr().lock();
    for problem in &problems {
        let _ = writeln!(stderr, "vestige: {}", visible(problem));
    }
    if !args.quiet {
        for note in &notes {
            let _ = writeln!(stderr, "vestige: note: {}", visible(note));
        }
    }
    if !args.quiet && args.format.has_summary() {
        let _ = writeln!(stderr, "{}", summary.line());
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
        problems: problems.len(),
        gate,
    })
}

/// Sorts findings by path (byte order), line, column, then rule id.
fn sort(findings: &mut [Finding], rules: &RuleSet) {
    findings.sort_unstable_by(|a, b| {
        (
            &a.path,
            a.line,
            a.column,
            &rules.rules[a.rule].id,
            a.byte_offset,
            a.end_column,
        )
            .cmp(&(
                &b.path,
                b.line,
                b.column,
                &rules.rules[b.rule].id,
                b.byte_offset,
                b.end_column,
            ))
    });
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
    findings: Vec<Finding>,
    problems: Vec<String>,
    notes: Vec<String>,
    files: u64,
    bytes: u64,
}

impl<'r> Collector<'r> {
    fn new(rules: &'r RuleSet, root: &'r Path) -> Self {
        Self {
            scanner: Scanner::new(rules),
            root,
            findings: Vec::new(),
            problems: Vec::new(),
            notes: Vec::new(),
            files: 0,
            bytes: 0,
        }
    }
}

impl walk::Visitor for Collector<'_> {
    fn file(&mut self, path: &Path) {
        match self.scanner.scan(path, self.root, &mut self.findings) {
            Ok(Scanned::Text(bytes)) => {
                self.files += 1;
                self.bytes += bytes;
            }
            Ok(Scanned::TooLarge(len)) => {
                let max = self.scanner.max_filesize();
                let rel = walk::relative(self.root, path);
                self.notes.push(format!(
                    "{rel}: skipped, {len} bytes is over scan.max_filesize ({max} bytes)"
                ));
            }
            Ok(Scanned::Binary | Scanned::OutOfScope | Scanned::NotAFile) => {}
            Err(err) => {
                let rel = walk::relative(self.root, path);
                self.problems.push(format!("{rel}: {err}"));
            }
        }
    }

    fn error(&mut self, error: ignore::Error) {
        self.problems.push(error.to_string());
    }

    fn symlink_loop(&mut self, error: ignore::Error) {
        self.notes.push(format!("{error}; not followed"));
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
