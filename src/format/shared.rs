//! Helpers shared by the machine formats: every finding with the suppressed ones and one stable
//! fingerprint each, serialized one file at a time (SARIF, GitLab), and XML escaping (JUnit,
//! Checkstyle).

use std::borrow::Cow;
use std::collections::HashMap;

use serde::ser::{SerializeSeq, Serializer};

use super::Results;
use crate::finding::{self, Finding, Suppression};
use crate::ruleset::Rule;

/// Every finding of `results`, reported, suppressed and baselined, one file at a time in report
/// order: `each` gets the findings of a file, each with what suppressed it (`None` for the
/// findings reported as such).
fn each_file<E>(
    results: &Results<'_>,
    mut each: impl FnMut(&[(&Finding, Option<&Suppression>)]) -> Result<(), E>,
) -> Result<(), E> {
    let files = results
        .findings
        .files_with(results.suppressed, |s| &s.finding.path);
    for (reported, suppressed) in files {
        let reported = reported.iter().map(|finding| (finding, None));
        let suppressed = suppressed.iter().map(|s| (&s.finding, Some(&s.by)));
        each(&finding::merge(
            reported.collect(),
            suppressed.collect(),
            |&(finding, _)| finding,
            |r| &results.rules[r].id,
        ))?;
    }
    Ok(())
}

/// Serializes as one sequence every finding of `results`, reported, suppressed and baselined,
/// one file at a time (see `each_file`): `element` gets each with what suppressed it and its
/// fingerprint, and adds what it makes of it to the sequence, if anything.
pub(super) fn serialize_each<S: Serializer>(
    results: &Results<'_>,
    serializer: S,
    mut element: impl FnMut(
        &mut S::SerializeSeq,
        &Finding,
        Option<&Suppression>,
        String,
    ) -> Result<(), S::Error>,
) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(None)?;
    each_file(results, |file| {
        let fingerprints = fingerprints(file.iter().map(|&(f, _)| f), results.rules);
        for (&(finding, by), fingerprint) in file.iter().zip(fingerprints) {
            element(&mut seq, finding, by, fingerprint)?;
        }
        Ok(())
    })?;
    seq.end()
}

/// One fingerprint per finding, in the order of `findings`: the findings of one file, sorted
/// and, so that a finding's fingerprint does not change when a twin is suppressed, with the
/// suppressed ones (see `each_file`). The path is part of what is counted, so the fingerprints
/// of a file do not depend on the other files.
///
/// Scheme, version 1: the 128-bit FNV-1a hash, as 32 lowercase hex digits, of four fields:
/// the rule id, the path, the matched text, and the occurrence index, which counts the earlier
/// findings in the list with the same rule, path and matched text (0 for the first). Each text
/// field is preceded by its length in bytes and the index is written as a number, all as 8
/// little-endian bytes, so that no two different field lists give the same input.
///
/// Line and column are left out on purpose: a finding keeps its fingerprint when lines are added
/// or removed above it, so code-scanning services see the same alert rather than a closed one and
/// a new one. The occurrence index keeps two identical matches in one file apart, so the
/// fingerprints of one run are unique.
fn fingerprints<'f>(
    findings: impl IntoIterator<Item = &'f Finding>,
    rules: &[Rule],
) -> Vec<String> {
    let mut seen: HashMap<(usize, &str, Cow<'_, str>), u64> = HashMap::new();
    findings
        .into_iter()
        .map(|finding| {
            let matched = finding.matched();
            let count = seen
                .entry((finding.rule, &*finding.path, matched.clone()))
                .or_insert(0);
            let index = *count;
            *count += 1;
            let mut hash = Fnv1a128::new();
            for field in [rules[finding.rule].id.as_str(), &finding.path, &matched] {
                hash.number(field.len() as u64);
                hash.bytes(field.as_bytes());
            }
            hash.number(index);
            format!("{:032x}", hash.0)
        })
        .collect()
}

/// The FNV-1a hash with 128 bits of state: tiny, and the same on every platform and release.
struct Fnv1a128(u128);

impl Fnv1a128 {
    const OFFSET_BASIS: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn new() -> Self {
        Self(Self::OFFSET_BASIS)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ u128::from(byte)).wrapping_mul(Self::PRIME);
        }
    }

    fn number(&mut self, n: u64) {
        self.bytes(&n.to_le_bytes());
    }
}

/// `text` escaped for an XML 1.0 attribute value in double or single quotes.
pub(super) fn xml_attr(text: &str) -> Cow<'_, str> {
    xml_escape(text, true)
}

/// `text` escaped for XML 1.0 character data between tags.
pub(super) fn xml_text(text: &str) -> Cow<'_, str> {
    xml_escape(text, false)
}

/// Escapes the five markup characters and replaces every character XML 1.0 does not allow (C0
/// controls other than tab, newline and carriage return; U+FFFE and U+FFFF) by U+FFFD. A carriage
/// return is written as `&#13;` so that the parser's line-end normalisation keeps it; in an
/// attribute, tab and newline are written as character references too, so that attribute-value
/// normalisation does not turn them into spaces.
fn xml_escape(text: &str, attr: bool) -> Cow<'_, str> {
    let plain = |c: char| {
        !matches!(
            c,
            '&' | '<' | '>' | '"' | '\'' | '\r' | '\u{FFFE}' | '\u{FFFF}'
        ) && (c >= ' ' || (!attr && matches!(c, '\t' | '\n')))
    };
    if text.chars().all(plain) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' if attr => out.push_str(if c == '\t' { "&#9;" } else { "&#10;" }),
            '\t' | '\n' => out.push(c),
            '\0'..='\u{1f}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::{Fnv1a128, xml_attr, xml_text};

    #[test]
    fn markup_characters_are_escaped_everywhere() {
        assert_eq!(
            xml_attr(r#"a<b>&"c"'d'"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(
            xml_text(r#"a<b>&"c"'d'"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(xml_text("]]>"), "]]&gt;");
        assert_eq!(xml_text("&amp;"), "&amp;amp;");
    }

    #[test]
    fn plain_text_is_borrowed() {
        let text = "app/Jobs/Ümlaut Job.php: line 1\u{10FFFF}";
        assert!(matches!(xml_attr(text), std::borrow::Cow::Borrowed(_)));
        assert!(matches!(xml_text("a\tb\nc"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn whitespace_survives_normalisation() {
        assert_eq!(xml_attr("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
        assert_eq!(xml_text("a\tb\nc\rd"), "a\tb\nc&#13;d");
    }

    #[test]
    fn characters_xml_forbids_become_the_replacement_character() {
        for c in (0u32..0x20).filter_map(char::from_u32) {
            let expected: &str = match c {
                '\t' => "&#9;",
                '\n' => "&#10;",
                '\r' => "&#13;",
                _ => "\u{FFFD}",
            };
            assert_eq!(xml_attr(&c.to_string()), expected, "{c:?}");
        }
        assert_eq!(xml_text("a\0b\x1bc\x0bd"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert_eq!(xml_text("\u{FFFE}\u{FFFF}"), "\u{FFFD}\u{FFFD}");
        assert_eq!(xml_text("del\x7f c1\u{85}"), "del\x7f c1\u{85}");
    }

    #[test]
    fn fnv1a_128_matches_the_published_test_vectors() {
        let hash = |s: &str| {
            let mut h = Fnv1a128::new();
            h.bytes(s.as_bytes());
            h.0
        };
        assert_eq!(hash(""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(hash("a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }
}
