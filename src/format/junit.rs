//! JUnit XML, for CI systems that show test reports: one `<testsuite>` per rule, one
//! `<testcase>` per finding, named `path:line:column`.
//!
//! A finding that fails the run (an error; a warning too under `--deny-warnings`) is a test case
//! with a `<failure>`. Any other finding (a warning, a note) is a passing test case whose
//! diagnostic is in its `<system-out>`, as test runners report warnings: a dashboard stays green
//! when the run passed, and the warning is still there to read.
//!
//! Every rule gets a suite, not only the rules with findings: a rule with none holds one passing
//! test case, so the report shows what the gate checked and passed, and a clean run is a report
//! of passed tests rather than an empty one (which some CI plugins treat as a broken report).

use std::io::{self, Write};

use super::shared::{xml_attr, xml_text};
use super::{Format, Results};
use crate::finding::{Finding, Location, Position, Severity};
use crate::ruleset::Rule;

/// The JUnit reporter.
pub(super) struct Junit;

impl Format for Junit {
    /// Each test case's body holds the source lines of its finding.
    fn shows_source(&self) -> bool {
        true
    }

    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        let all = results.findings.to_vec();
        let mut by_rule: Vec<Vec<&Finding>> = vec![Vec::new(); results.rules.len()];
        for finding in &all {
            by_rule[finding.rule].push(finding);
        }
        let fails = |rule: &Rule| match rule.severity {
            Severity::Error => true,
            Severity::Warning => results.warnings_fail,
            Severity::Note => false,
        };
        let failing = |rule: &Rule, findings: &[&Finding]| {
            if fails(rule) { findings.len() } else { 0 }
        };
        let tests: usize = by_rule.iter().map(|f| f.len().max(1)).sum();
        let failures: usize = results
            .rules
            .iter()
            .zip(&by_rule)
            .map(|(rule, findings)| failing(rule, findings))
            .sum();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="vestige" tests="{tests}" failures="{failures}">"#
        )?;
        for (rule, findings) in results.rules.iter().zip(&by_rule) {
            let id = xml_attr(&rule.id);
            writeln!(
                out,
                r#"  <testsuite name="{id}" tests="{}" failures="{}">"#,
                findings.len().max(1),
                failing(rule, findings)
            )?;
            if findings.is_empty() {
                writeln!(
                    out,
                    r#"    <testcase name="no findings" classname="vestige.{id}"/>"#
                )?;
            }
            for finding in findings {
                testcase(out, finding, rule, fails(rule))?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

/// The `<testcase>` of `finding` of `rule`: a `<failure>` when it `fails` the run, otherwise
/// its diagnostic in `<system-out>`.
fn testcase(out: &mut dyn Write, finding: &Finding, rule: &Rule, fails: bool) -> io::Result<()> {
    let path = xml_attr(&finding.path);
    let id = xml_attr(&rule.id);
    let Position { line, column } = finding.location.start();
    writeln!(
        out,
        r#"    <testcase name="{path}:{line}:{column}" classname="vestige.{id}" file="{path}" line="{line}">"#
    )?;
    let message = format!("{}: {}", finding.subject(), rule.message);
    let close = if fails {
        write!(
            out,
            r#"      <failure message="{}" type="{}">"#,
            xml_attr(&message),
            rule.severity
        )?;
        "</failure>"
    } else {
        write!(out, "      <system-out>")?;
        "</system-out>"
    };
    let mut body = format!(
        "{}:{line}:{column}: {}[{}]: {message}\nmatch: {}\n",
        finding.path,
        rule.severity,
        rule.id,
        finding.matched()
    );
    let (source, first_line) = match &finding.location {
        Location::Span(span) => (span.snippet().text.as_str(), span.snippet().first_line),
        // A whole file has no source line: an empty one stands at its line 1.
        Location::File => ("", Position::FILE.line),
    };
    for (i, text) in source.split('\n').enumerate() {
        body.push_str(&format!("{} | {text}\n", first_line + i));
    }
    if let Some(help) = &rule.help {
        body.push_str(&format!("help: {help}\n"));
    }
    writeln!(out, "{}{close}", xml_text(&body))?;
    writeln!(out, "    </testcase>")
}
