//! One line per finding, `path:line:column: severity[rule]: subject: message`, for grep and
//! editors; the subject names what matched (see `Finding::subject`). A
//! path that starts with `::` gets a zero-width space before it, so that a CI runner does not read
//! the line as a workflow command.

use std::io::{self, Write};

use super::{Format, Results};
use crate::finding::visible;
use crate::text::no_command;

/// The short reporter.
pub(super) struct Short;

impl Format for Short {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        for finding in results.findings {
            let rule = &results.rules[finding.rule];
            let line = format!(
                "{}:{}:{}: {}[{}]: {}: {}",
                visible(&finding.path),
                finding.location.start().line,
                finding.location.start().column,
                rule.severity,
                rule.id,
                visible(&finding.subject()),
                visible(&rule.message)
            );
            writeln!(out, "{}", no_command(&line))?;
        }
        Ok(())
    }
}
