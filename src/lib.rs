//! vestige: a fast architecture guard that keeps removed code from coming back.
//!
//! The pipeline, one module per stage: `rulefile` reads the rule file, `ruleset` compiles it,
//! `walk` picks the files, `scan` turns each file into `finding`s, and `format` writes them in
//! the chosen output format; `project` runs these stages for every command. Each command has its
//! home in `commands`; `run` only dispatches to them, and `main.rs` maps the outcome to an exit
//! code.

/// The baseline: findings tolerated, keyed on content, not line numbers.
pub mod baseline;
/// git: tracked files, changed files and lines for `--since` and `--staged`.
pub mod changes;
/// The command line, as clap definitions.
pub mod cli;
/// One module per command: check, report, rules and explain, init, schema/completions/man.
pub mod commands;
/// Calendar days, for `warn_until`.
pub mod day;
/// The `Finding` every stage after the scan shares.
pub mod finding;
/// `vestige check`'s output formats, one module each behind one trait.
pub mod format;
/// The starter rule file `vestige init` writes.
pub mod init;
/// The engine: one automaton for every token, regexes, part mode.
pub mod matcher;
/// Files never scanned: vestige's own and version-control directories.
pub mod own;
/// What `vestige report` shows: how much of a removal is left.
pub mod progress;
/// The pipeline every command shares: load, compile, walk and scan in parallel.
pub mod project;
/// `baseline-grew`: the baseline against its version at the merge base.
pub mod ratchet;
/// The rule file: discovery, serde structs, diagnostics that point into it, its schema.
pub mod rulefile;
/// The compiled rule set: the matcher, path scopes, the scan scope, built-in rules.
pub mod ruleset;
/// One file in, findings out.
pub mod scan;
/// `vestige-ignore` markers in the code.
pub mod suppress;
/// The naming variants of a token.
pub mod variants;
/// Which files: roots, excludes, ignore files, named paths.
pub mod walk;
/// Every file vestige writes: whole, through a temp file.
pub mod write;

use std::io::{self, IsTerminal};

use miette::Diagnostic;

use crate::cli::{Cli, Command};
use crate::rulefile::RuleFileErrors;

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

/// Runs the command `cli` describes.
pub fn run(cli: &Cli) -> miette::Result<Outcome> {
    match &cli.command {
        Command::Check(args) => commands::check::run(cli, args),
        Command::Rules(args) => commands::rules::run(args),
        Command::Explain(args) => commands::rules::explain(args),
        Command::Report(args) => commands::report::run(args),
        Command::Init(args) => commands::init::run(args),
        Command::Schema => commands::docs::schema(),
        Command::Completions(args) => commands::docs::completions(args),
        Command::Man(args) => commands::docs::man(args),
    }
}

/// Whether `err` is a write to a closed pipe, which ends the run quietly.
pub fn is_broken_pipe(err: &miette::Report) -> bool {
    err.downcast_ref::<commands::OutputError>()
        .is_some_and(|e| e.0.kind() == io::ErrorKind::BrokenPipe)
}

/// `err` drawn as diagnostics for standard error; several rule-file mistakes are drawn one by one.
pub fn render_error(cli: &Cli, err: &miette::Report) -> String {
    let handler = format::handler(commands::style(cli.color, io::stderr().is_terminal()));
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
