//! One JSON document: every finding, then the summary. Version 1 of the schema.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::{Serialize, Serializer};

use super::{Format, Results};
use crate::finding::{Finding, Severity};
use crate::ruleset::Rule;
use crate::store;

/// The JSON reporter.
pub(super) struct Json;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Findings<'a>,
    summary: JsonSummary,
}

/// The findings, each unpacked and made into its JSON object only as it is written, so that the
/// document never holds them all.
struct Findings<'a> {
    findings: &'a store::Findings,
    rules: &'a [Rule],
}

impl Serialize for Findings<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let each = |finding| Each {
            finding,
            rules: self.rules,
        };
        serializer.collect_seq(self.findings.iter().map(each))
    }
}

/// One finding, serialized as its JSON object.
struct Each<'a> {
    finding: Finding,
    rules: &'a [Rule],
}

impl Serialize for Each<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let f = &self.finding;
        let rule = &self.rules[f.rule];
        JsonFinding {
            rule: &rule.id,
            severity: rule.severity,
            path: &f.path,
            line: f.location.start().line,
            column: f.location.start().column,
            end_line: f.location.end().line,
            end_column: f.location.end().column,
            byte_offset: f.location.bytes().start,
            matched: f.matched(),
            needle: &f.needle,
            variant_of: f.variant_of.as_deref(),
            message: &rule.message,
            note: f.note.as_deref(),
        }
        .serialize(serializer)
    }
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    byte_offset: usize,
    #[serde(rename = "match")]
    matched: Cow<'a, str>,
    needle: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant_of: Option<&'a str>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonSummary {
    files_scanned: u64,
    bytes_scanned: u64,
    files_with_findings: usize,
    findings: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
    suppressed: usize,
    baselined: usize,
    baseline_resolved: usize,
}

impl Format for Json {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        let summary = results.summary;
        let document = Document {
            version: 1,
            findings: Findings {
                findings: results.findings,
                rules: results.rules,
            },
            summary: JsonSummary {
                files_scanned: summary.files_scanned,
                bytes_scanned: summary.bytes_scanned,
                files_with_findings: summary.files_with_findings,
                findings: summary.findings(),
                errors: summary.count(Severity::Error),
                warnings: summary.count(Severity::Warning),
                notes: summary.count(Severity::Note),
                suppressed: summary.suppressed,
                baselined: summary.baselined,
                baseline_resolved: summary.baseline_resolved,
            },
        };
        serde_json::to_writer_pretty(&mut *out, &document)?;
        writeln!(out)
    }
}
