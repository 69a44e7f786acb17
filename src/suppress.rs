//! Suppressions written in the code: `vestige-ignore: RULE[, RULE] -- reason` on the line of a
//! finding, or `vestige-ignore-next-line: RULE -- reason` on the line before. The marker is found
//! as plain text, so any comment syntax works (`//`, `#`, `/* */`, `{{-- --}}`, `<!-- -->`).
//! A marker that suppresses nothing, and (with `require_reason`) one without a reason, become
//! findings of vestige's own rules.

use memchr::memmem;

use crate::finding::Finding;
use crate::rules::Rule;

/// The text every marker starts with.
pub const MARKER: &str = "vestige-ignore";

/// Id of the built-in rule reporting markers that suppress nothing.
pub const UNUSED: &str = "unused-suppression";

/// Id of the built-in rule reporting markers without a reason, under `require_reason`.
pub const NO_REASON: &str = "suppression-without-reason";

/// One marker found in a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Marker {
    /// Byte offset of the marker's first byte.
    pub offset: usize,
    /// 1-based line the marker is on.
    pub line: usize,
    /// 1-based line whose findings it suppresses.
    pub target: usize,
    /// The rule ids it names.
    pub rules: Vec<String>,
    /// Whether a non-empty reason follows `--`.
    pub has_reason: bool,
    /// Length in bytes of the marker's text, up to the end of its line.
    pub len: usize,
}

/// Every marker in `haystack`, in order; `finder` searches for `MARKER`.
pub fn markers(haystack: &[u8], finder: &memmem::Finder<'_>) -> Vec<Marker> {
    let mut found = Vec::new();
    let mut line = 1;
    let mut counted_to = 0;
    for offset in finder.find_iter(haystack) {
        line += memchr::memchr_iter(b'\n', &haystack[counted_to..offset]).count();
        counted_to = offset;
        let line_end =
            memchr::memchr(b'\n', &haystack[offset..]).map_or(haystack.len(), |i| offset + i);
        let bytes = haystack[offset..line_end].trim_ascii_end();
        let text = String::from_utf8_lossy(bytes);
        let rest = &text[MARKER.len()..];
        let (rest, target) = if let Some(rest) = rest.strip_prefix("-next-line:") {
            (rest, line + 1)
        } else if let Some(rest) = rest.strip_prefix(':') {
            (rest, line)
        } else {
            continue;
        };
        let rest = strip_closers(rest);
        let (ids, reason) = rest.split_once("--").unwrap_or((rest, ""));
        found.push(Marker {
            offset,
            line,
            target,
            rules: ids
                .split(',')
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .collect(),
            has_reason: !reason.trim().is_empty(),
            len: bytes.len(),
        });
    }
    found
}

/// The ends of block comments, which may close a marker's line: `*/` (C, PHP, CSS), `--}}`
/// (Blade), `-->` (HTML), `#}` (Twig), `%>` (ERB), `}}`.
const CLOSERS: [&str; 6] = ["--}}", "-->", "*/", "#}", "%>", "}}"];

/// `text` without the block-comment closers and spaces at its end.
fn strip_closers(mut text: &str) -> &str {
    loop {
        text = text.trim_end();
        match CLOSERS.iter().find_map(|closer| text.strip_suffix(closer)) {
            Some(rest) => text = rest,
            None => return text,
        }
    }
}

/// Applies `markers` to `findings` (one file's, sorted by position): removes the findings they
/// suppress and returns, per marker, whether it suppressed anything. A marker suppresses the
/// findings whose first line is its target and whose rule it names, unless that rule is not
/// suppressible.
pub fn apply(markers: &[Marker], findings: &mut Vec<Finding>, rules: &[Rule]) -> Vec<bool> {
    let mut used = vec![false; markers.len()];
    findings.retain(|finding| {
        let rule = &rules[finding.rule];
        if !rule.suppressible {
            return true;
        }
        let by = markers
            .iter()
            .position(|m| m.target == finding.line && m.rules.contains(&rule.id));
        if let Some(i) = by {
            used[i] = true;
        }
        by.is_none()
    });
    used
}

#[cfg(test)]
mod tests {
    use memchr::memmem::Finder;

    use super::{MARKER, markers};

    fn parse(text: &str) -> Vec<(usize, usize, Vec<String>, bool)> {
        markers(text.as_bytes(), &Finder::new(MARKER))
            .into_iter()
            .map(|m| (m.line, m.target, m.rules, m.has_reason))
            .collect()
    }

    #[test]
    fn markers_are_found_in_any_comment_syntax() {
        let text = "a // vestige-ignore: legacy-runs -- kept until phase 4\n\
                    # vestige-ignore-next-line: a, b -- why\n\
                    x\n\
                    {{-- vestige-ignore: legacy --}}\n\
                    /* vestige-ignore: legacy -- reason */\n\
                    <!-- vestige-ignore-next-line: legacy -->\n\
                    vestige-ignored is prose, not a marker\n\
                    Foo /* vestige-ignore: legacy */\n\
                    {# vestige-ignore: a,b #}\r\n\
                    <%# vestige-ignore: legacy -- erb %>\n";
        let rules = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            parse(text),
            [
                (1, 1, rules(&["legacy-runs"]), true),
                (2, 3, rules(&["a", "b"]), true),
                (4, 4, rules(&["legacy"]), false),
                (5, 5, rules(&["legacy"]), true),
                (6, 7, rules(&["legacy"]), false),
                (8, 8, rules(&["legacy"]), false),
                (9, 9, rules(&["a", "b"]), false),
                (10, 10, rules(&["legacy"]), true),
            ]
        );
    }

    #[test]
    fn a_marker_without_rules_names_none() {
        assert_eq!(parse("// vestige-ignore:\n"), [(1, 1, vec![], false)]);
        assert_eq!(
            parse("vestige-ignore: -- only a reason"),
            [(1, 1, vec![], true)]
        );
    }
}
