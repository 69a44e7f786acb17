//! One line per finding, `path:line:column: severity[rule]: subject: message`, for grep and
//! editors; the subject names what matched (see `Finding::subject`). A
//! path that starts with `::` gets a zero-width space before it, so that a CI runner does not read
//! the line as a workflow command.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Format, Results};
use crate::finding::visible;
use crate::text::no_command;

/// The short reporter.
pub(super) struct Short;

impl Format for Short {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        // Each rule's part of the line is made once; the line's buffer is reused.
        let labels: Vec<String> = results
            .rules
            .iter()
            .map(|rule| format!("{}[{}]", rule.severity, rule.id))
            .collect();
        let messages: Vec<_> = results.rules.iter().map(|r| visible(&r.message)).collect();
        let mut line = String::new();
        // The findings of one file are together, and its path is made visible once.
        for file in results.findings.files() {
            let path = visible(&file[0].path);
            for finding in &file {
                let start = finding.location.start();
                line.clear();
                // Writing into a String cannot fail.
                let _ = write!(
                    line,
                    "{}:{}:{}: {}: {}: {}",
                    path,
                    start.line,
                    start.column,
                    labels[finding.rule],
                    visible(&finding.subject()),
                    messages[finding.rule]
                );
                out.write_all(no_command(&line).as_bytes())?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}
