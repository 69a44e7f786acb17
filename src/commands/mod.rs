//! One home per command: each module resolves its flags and runs on the shared pipeline
//! (`crate::project`). `lib.rs` only dispatches to them.

pub mod check;
pub mod docs;
pub mod init;
pub mod report;
pub mod rules;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use miette::Diagnostic;

use crate::cli::{ColorChoice, ProjectArgs};
use crate::format::Style;
use crate::project::{Project, Source};
use crate::{Outcome, walk};

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
