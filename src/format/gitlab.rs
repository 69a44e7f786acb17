//! GitLab Code Quality: one JSON array with one issue per finding, for merge-request widgets.
//!
//! Severities: `error` becomes `major`, `warning` becomes `minor` and `note` becomes `info`.
//! GitLab's scale runs info, minor, major, critical, blocker; a leftover reference fails the
//! gate but is not a crash or a security hole, so errors take the middle of the scale and the
//! top two stay free for tools that find those.

use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use super::shared::serialize_each;
use super::{Format, Results};
use crate::finding::Severity;

/// The GitLab Code Quality reporter.
pub(super) struct Gitlab;

/// The issues, each made as it is written, one file at a time.
struct Issues<'a, 'r>(&'a Results<'r>);

impl Serialize for Issues<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let results = self.0;
        serialize_each(results, serializer, |seq, finding, by, fingerprint| {
            if by.is_some() {
                return Ok(());
            }
            let rule = &results.rules[finding.rule];
            seq.serialize_element(&Issue {
                description: format!("{}: {}", finding.subject(), rule.message),
                check_name: &rule.id,
                fingerprint,
                severity: match rule.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                location: Location {
                    path: &finding.path,
                    lines: Lines {
                        begin: finding.location.start().line,
                    },
                },
            })
        })
    }
}

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

impl Format for Gitlab {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &Issues(results))?;
        writeln!(out)
    }

    /// Kept: their twins count in the fingerprints of the findings shown.
    fn shows_suppressed(&self) -> bool {
        true
    }
}
