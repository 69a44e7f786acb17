//! Checkstyle XML, which reviewdog and many CI plugins read: one `<file>` per file with findings,
//! one `<error>` per finding, its `source` being `vestige.RULE`.

use std::io::{self, Write};

use super::shared::xml_attr;
use super::{Format, Results};
use crate::finding::Severity;

/// The Checkstyle reporter.
pub(super) struct Checkstyle;

impl Format for Checkstyle {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(out, r#"<checkstyle version="4.3">"#)?;
        for file in results.findings.files() {
            writeln!(out, r#"  <file name="{}">"#, xml_attr(&file[0].path))?;
            for finding in &file {
                let rule = &results.rules[finding.rule];
                let severity = match rule.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "info",
                };
                writeln!(
                    out,
                    r#"    <error line="{}" column="{}" severity="{severity}" message="{}" source="vestige.{}"/>"#,
                    finding.location.start().line,
                    finding.location.start().column,
                    xml_attr(&format!("{}: {}", finding.subject(), rule.message)),
                    xml_attr(&rule.id)
                )?;
            }
            writeln!(out, "  </file>")?;
        }
        writeln!(out, "</checkstyle>")
    }
}
