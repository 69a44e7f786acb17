//! One line per finding, `path:line:column: severity[rule]: message`, for grep and editors.

use std::io::{self, Write};

use super::{Report, Reporter};
use crate::finding::visible;

/// The short reporter.
pub(super) struct Short;

impl Reporter for Short {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        for finding in report.findings {
            let rule = &report.rules[finding.rule];
            writeln!(
                out,
                "{}:{}:{}: {}[{}]: {}",
                visible(&finding.path),
                finding.line,
                finding.column,
                rule.severity,
                rule.id,
                visible(&rule.message)
            )?;
        }
        Ok(())
    }
}
