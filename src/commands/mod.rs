//! One home per command: each module resolves its flags and runs on the shared pipeline
//! (`crate::project`). `lib.rs` only dispatches to them. Here too: how a run ends (`Outcome`),
//! and how a failed run is drawn for `main.rs`.

pub mod check;
pub mod docs;
pub mod init;
pub mod report;
pub mod rules;

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::cli::{Cli, ColorChoice, ProjectArgs};
use crate::format::{self, Style};
use crate::project::{Project, Source};
use crate::rulefile::RuleFileErrors;
use crate::walk;

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

/// Whether `err` is a write to a closed pipe, which ends the run quietly.
pub fn is_broken_pipe(err: &miette::Report) -> bool {
    err.downcast_ref::<OutputError>()
        .is_some_and(|e| e.0.kind() == io::ErrorKind::BrokenPipe)
}

/// `err` drawn as diagnostics for standard error; several rule-file mistakes are drawn one by one.
pub fn render_error(cli: &Cli, err: &miette::Report) -> String {
    let handler = format::handler(style(cli.color, io::stderr().is_terminal()));
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

/// Writing the report failed.
#[derive(Debug, Diagnostic, thiserror::Error)]
#[error("cannot write the report: {0}")]
pub(crate) struct OutputError(#[source] pub(crate) io::Error);

/// Writes `text` to stdout; a run that only prints succeeds.
pub(crate) fn print(text: &str) -> miette::Result<Outcome> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(OutputError)?;
    Ok(Outcome::default())
}

/// How to draw human output on a stream that is or is not a terminal.
pub(crate) fn style(choice: ColorChoice, terminal: bool) -> Style {
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

/// Loads and compiles the rule file `--config`, `--root` and `--today` describe; `own_files`
/// (baselines named on the command line) are never scanned.
pub(crate) fn load(args: &ProjectArgs, own_files: Vec<&Path>) -> miette::Result<Project> {
    Project::load(&Source {
        rule_file: args.config.as_deref(),
        root: args.root.as_deref(),
        today: args.today,
        own_files,
    })
}

/// The baseline file a run uses: the one `flag` names, relative to the current directory, else
/// the rule file's `[baseline] file`.
pub(crate) fn baseline_path(project: &Project, flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(|path| walk::absolute(&project.cwd, path))
        .or_else(|| project.rules.baseline.clone())
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
