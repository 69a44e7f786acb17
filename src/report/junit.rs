//! JUnit XML, for CI systems that show test reports: one `<testsuite>` per rule, one failing
//! `<testcase>` per finding, named `path:line:column`.
//!
//! Every rule gets a suite, not only the rules with findings: a rule with none holds one passing
//! test case, so the report shows what the gate checked and passed, and a clean run is a report
//! of passed tests rather than an empty one (which some CI plugins treat as a broken report).

use std::io::{self, Write};

use super::shared::{xml_attr, xml_text};
use super::{Report, Reporter};
use crate::finding::Finding;

/// The JUnit reporter.
pub(super) struct Junit;

impl Reporter for Junit {
    fn write(&self, report: &Report<'_>, out: &mut dyn Write) -> io::Result<()> {
        let mut by_rule: Vec<Vec<&Finding>> = vec![Vec::new(); report.rules.len()];
        for finding in report.findings {
            by_rule[finding.rule].push(finding);
        }
        let tests: usize = by_rule.iter().map(|f| f.len().max(1)).sum();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="vestige" tests="{tests}" failures="{}">"#,
            report.findings.len()
        )?;
        for (rule, findings) in report.rules.iter().zip(&by_rule) {
            let id = xml_attr(&rule.id);
            writeln!(
                out,
                r#"  <testsuite name="{id}" tests="{}" failures="{}">"#,
                findings.len().max(1),
                findings.len()
            )?;
            if findings.is_empty() {
                writeln!(
                    out,
                    r#"    <testcase name="no findings" classname="vestige.{id}"/>"#
                )?;
            }
            for finding in findings {
                let path = xml_attr(&finding.path);
                let (line, column) = (finding.line, finding.column);
                writeln!(
                    out,
                    r#"    <testcase name="{path}:{line}:{column}" classname="vestige.{id}" file="{path}" line="{line}">"#
                )?;
                write!(
                    out,
                    r#"      <failure message="{}" type="{}">"#,
                    xml_attr(&rule.message),
                    rule.severity
                )?;
                let mut body = format!(
                    "{}:{line}:{column}: {}[{}]: {}\nmatch: {}\n",
                    finding.path, rule.severity, rule.id, rule.message, finding.matched
                );
                for (i, text) in finding.snippet.text.split('\n').enumerate() {
                    body.push_str(&format!("{} | {text}\n", finding.snippet.first_line + i));
                }
                if let Some(help) = &rule.help {
                    body.push_str(&format!("help: {help}\n"));
                }
                writeln!(out, "{}</failure>", xml_text(&body))?;
                writeln!(out, "    </testcase>")?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}
