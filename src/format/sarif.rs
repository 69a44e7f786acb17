//! SARIF 2.1.0: one run whose tool lists every rule, and one result per finding, for code-scanning
//! services such as GitHub's. Locations are relative URIs against `%SRCROOT%`; no absolute path
//! of the machine is written. Suppressed findings are results too, so that dashboards show the
//! ratchet: a marker's with an `inSource` suppression (its reason as the justification), the
//! baseline's with an `external` one and `baselineState: "unchanged"`; with a baseline in use,
//! every other result is `baselineState: "new"`.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::{SerializeSeq, Serializer};

use super::shared::serialize_each;
use super::{Format, Results};
use crate::finding::{Finding, Severity, Suppression};
use crate::ruleset::Rule;

/// The SARIF reporter.
pub(super) struct Sarif;

#[derive(Serialize)]
struct Log<'a, 'r> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a, 'r>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a, 'r> {
    tool: Tool<'a>,
    /// Columns count Unicode scalar values, as everywhere in vestige, not UTF-16 code units
    /// (SARIF's default).
    column_kind: &'static str,
    results: Each<'a, 'r>,
}

/// The results, each made as it is written, one file at a time.
struct Each<'a, 'r>(&'a Results<'r>);

impl Serialize for Each<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let results = self.0;
        serialize_each(results, serializer, |seq, finding, by, fingerprint| {
            let rule = &results.rules[finding.rule];
            let baseline_state = match by {
                Some(Suppression::Baseline) => Some("unchanged"),
                _ if results.baseline => Some("new"),
                _ => None,
            };
            seq.serialize_element(&SarifResult {
                rule_id: &rule.id,
                rule_index: finding.rule,
                level: level(rule.severity),
                message: Text {
                    text: rule.message.as_str().into(),
                },
                locations: [location(finding)],
                partial_fingerprints: Fingerprints {
                    vestige_match: fingerprint,
                },
                baseline_state,
                suppressions: by.map(|by| [suppression(by)]),
            })
        })
    }
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<Descriptor<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor<'a> {
    id: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text<'a>>,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text<'a> {
    text: Cow<'a, str>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[SarifSuppression<'a>; 1]>,
}

#[derive(Serialize)]
struct SarifSuppression<'a> {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    justification: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation,
    region: Region<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    /// Exclusive, as in SARIF.
    end_column: usize,
    snippet: Text<'a>,
}

/// The key names the scheme of `shared::fingerprints`; a new scheme gets a new version.
#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "vestigeMatch/v1")]
    vestige_match: String,
}

impl Format for Sarif {
    fn write(&self, results: &Results<'_>, out: &mut dyn Write) -> io::Result<()> {
        let rules = results.rules.iter().map(descriptor).collect();
        let log = Log {
            schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
            version: "2.1.0",
            runs: [Run {
                tool: Tool {
                    driver: Driver {
                        name: "vestige",
                        version: env!("CARGO_PKG_VERSION"),
                        rules,
                    },
                },
                column_kind: "unicodeCodePoints",
                results: Each(results),
            }],
        };
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }

    /// Kept: SARIF lists them, with how each was suppressed.
    fn shows_suppressed(&self) -> bool {
        true
    }
}

/// The `reportingDescriptor` of `rule`.
fn descriptor(rule: &Rule) -> Descriptor<'_> {
    Descriptor {
        id: &rule.id,
        short_description: Text {
            text: rule.message.as_str().into(),
        },
        full_description: Text {
            text: rule.help.as_deref().unwrap_or(&rule.message).into(),
        },
        help: rule.help.as_deref().map(|text| Text { text: text.into() }),
        default_configuration: Configuration {
            level: level(rule.severity),
        },
    }
}

/// Where `finding` is: its file, and the region of the match (line 1, column 1 for a whole
/// file).
fn location(finding: &Finding) -> Location<'_> {
    let (start, end) = (finding.location.start(), finding.location.end());
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: uri_path(&finding.path),
                uri_base_id: "%SRCROOT%",
            },
            region: Region {
                start_line: start.line,
                start_column: start.column,
                end_line: end.line,
                end_column: end.column,
                snippet: Text {
                    text: finding.matched(),
                },
            },
        },
    }
}

/// The SARIF suppression for what suppressed a finding.
fn suppression(by: &Suppression) -> SarifSuppression<'_> {
    match by {
        Suppression::Marker(reason) => SarifSuppression {
            kind: "inSource",
            justification: reason.as_deref(),
        },
        Suppression::Baseline => SarifSuppression {
            kind: "external",
            justification: Some("tolerated by the baseline"),
        },
    }
}

/// SARIF's name for a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A relative, `/`-separated path as a relative URI reference: unreserved characters, `/` and
/// the sub-delimiters `!$&'()*+,;=` and `@` stay; every other byte of the UTF-8 text (including
/// `%`, `:`, `\`, `#`, `?`, spaces, controls and non-ASCII) is percent-encoded. `:` is always
/// encoded so that a first segment such as `c:` cannot be read as a URI scheme.
fn uri_path(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for &byte in path.as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=@".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::uri_path;

    #[test]
    fn paths_become_relative_uri_references() {
        assert_eq!(uri_path("app/Models/Run.php"), "app/Models/Run.php");
        assert_eq!(uri_path("a b/c#d?e%f.php"), "a%20b/c%23d%3Fe%25f.php");
        assert_eq!(uri_path("c:/x\\y"), "c%3A/x%5Cy");
        assert_eq!(uri_path("Übergang.php"), "%C3%9Cbergang.php");
        assert_eq!(uri_path("a\nb\u{1b}"), "a%0Ab%1B");
        assert_eq!(
            uri_path("x[1]{2}<3>\"|^`"),
            "x%5B1%5D%7B2%7D%3C3%3E%22%7C%5E%60"
        );
        assert_eq!(uri_path("keep-._~!$&'()*+,;=@"), "keep-._~!$&'()*+,;=@");
    }
}
