//! `--files-with-matches`: the paths of the files with findings, one per line, each once, in the
//! findings' order (sorted by path), like `rg -l`; for piping into other tools.

use std::io::{self, Write};

use super::{Format, Results};
use crate::finding::visible;
use crate::text::no_command;

/// The reporter of `--files-with-matches`.
pub(super) struct Files;

impl Format for Files {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        for file in results.findings.files() {
            writeln!(out, "{}", no_command(&visible(&file[0].path)))?;
        }
        Ok(())
    }
}
