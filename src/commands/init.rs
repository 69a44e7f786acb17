//! `vestige init`: write the starter rule file and its schema for the project in the current
//! directory.

use std::io::{self, Write};

use super::Outcome;
use crate::cli::InitArgs;
use crate::{init, rulefile};

/// Writes the starter files and says what it wrote.
pub fn run(args: &InitArgs) -> miette::Result<Outcome> {
    let cwd = std::env::current_dir()
        .map_err(|err| miette::miette!("cannot read the current directory: {err}"))?;
    let (kind, written) = init::write(&cwd, args.force, &rulefile::schema())?;
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
