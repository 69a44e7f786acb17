//! vestige: a fast architecture guard that keeps removed code from coming back.
//!
//! The pipeline, one module per stage: `rulefile` reads the rule file, `ruleset` compiles it,
//! `walk` picks the files, `scan` turns each file into `finding`s, `store` holds them packed
//! until `format` writes them in the chosen output format, one file at a time; `project` runs
//! these stages for every command. Each command has its home in `commands`; `run` only
//! dispatches to them, and `main.rs` maps the outcome to an exit code.

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
/// The findings between the scan and the output, packed file by file.
pub mod store;
/// `vestige-ignore` markers in the code.
pub mod suppress;
/// Text made safe to show: control characters visible, no line a CI command.
pub mod text;
/// The naming variants of a token.
pub mod variants;
/// Which files: roots, excludes, ignore files, named paths.
pub mod walk;
/// Every file vestige writes: whole, through a temp file.
pub mod write;

use crate::cli::{Cli, Command};

pub use commands::{Gate, Outcome, is_broken_pipe, render_error};

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
