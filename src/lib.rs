//! vestige: a fast architecture guard that keeps removed code from coming back.
//!
//! The pipeline, one module per stage: `config` reads the rule file, `rules` compiles it,
//! `walk` picks the files, `scan` turns each file into `finding`s, and `report` writes them in
//! the chosen format; `project` runs the stages for every command. Each command has its home in
//! `commands`; `run` only dispatches to them, and `main.rs` maps the outcome to an exit code.

pub mod baseline;
pub mod catalog;
pub mod changes;
pub mod cli;
pub mod commands;
pub mod config;
pub mod day;
pub mod finding;
pub mod init;
pub mod matcher;
pub mod own;
pub mod progress;
pub mod project;
pub mod ratchet;
pub mod report;
pub mod rules;
pub mod scan;
pub mod suppress;
pub mod variants;
pub mod walk;
pub mod write;

use std::io::{self, IsTerminal};

use miette::Diagnostic;

use crate::cli::{Cli, Command};
use crate::config::RuleFileErrors;
use crate::project::Project;

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
        Command::Rules(args) => {
            let project = Project::load(&args.project)?;
            commands::print(&catalog::table(&project.rules, args.expand))
        }
        Command::Explain(args) => {
            let project = Project::load(&args.project)?;
            commands::print(&catalog::explain(&project.rules, &args.rule)?)
        }
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
    let handler = report::handler(commands::style(cli.color, io::stderr().is_terminal()));
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
