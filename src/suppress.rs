//! Suppressions written in the code: `vestige-ignore: RULE[, RULE] -- reason` on the line of a
//! finding, or `vestige-ignore-next-line: RULE -- reason` on the line before. The marker is found
//! as plain text, so any comment syntax works (`//`, `#`, `/* */`, `{{-- --}}`, `<!-- -->`).
//! A marker's own text (directive, rule ids, reason) is never searched for forbidden references:
//! naming a rule must not break it. A marker that suppresses nothing, a rule id no rule has, and
//! (with `require_reason`) a marker without a reason become findings of vestige's own rules.

use std::ops::Range;

use memchr::memmem;
use rustc_hash::FxHashMap;

use crate::finding::{Finding, Suppressed, Suppression};
use crate::matcher::Hit;
use crate::ruleset::{BuiltIn, MARKER, RuleSet};

/// One marker found in a file.
#[derive(Debug, PartialEq, Eq)]
pub struct Marker {
    /// Byte offset of the marker's first byte.
    pub offset: usize,
    /// Byte offset just past the marker's own text: the end of its line, the start of the next
    /// marker on that line, or the first block-comment closer, without trailing spaces.
    pub end: usize,
    /// 1-based line the marker is on.
    pub line: usize,
    /// 1-based line whose findings it suppresses.
    pub target: usize,
    /// The rule ids it names, each with its byte range in the file.
    pub rules: Vec<(String, Range<usize>)>,
    /// The reason after `--`, trimmed; `None` when there is none or it is blank.
    pub reason: Option<String>,
}

/// Finds markers and applies them; made once per scanner for a rule set.
#[derive(Debug)]
pub struct Suppressor {
    finder: memmem::Finder<'static>,
    /// Every rule id of the rule set (built-in ones too), with the rule's index.
    ids: FxHashMap<String, usize>,
}

impl Suppressor {
    /// A suppressor for the rules of `rules`.
    pub fn new(rules: &RuleSet) -> Self {
        let ids = rules
            .rules
            .iter()
            .enumerate()
            .map(|(i, rule)| (rule.id.clone(), i))
            .collect();
        Self {
            finder: memmem::Finder::new(MARKER),
            ids,
        }
    }

    /// The rule id closest to `unknown`, a rule id no rule has, when one is close enough to be
    /// what the marker meant; of equally close ones, the first rule's.
    pub fn suggest(&self, unknown: &str) -> Option<&str> {
        let mut ids: Vec<(&String, usize)> = self.ids.iter().map(|(id, &i)| (id, i)).collect();
        ids.sort_unstable_by_key(|&(_, i)| i);
        crate::rulefile::did_you_mean(unknown, ids.into_iter().map(|(id, _)| id.as_str()))
    }

    /// The note for `finding`, an `unused-suppression` finding of one of `markers` (sorted by
    /// offset) or of an unknown rule id in one: the known rule ids its unknown ones probably
    /// meant, e.g. ``did you mean `legacy-runs`?``.
    pub fn note(&self, markers: &[Marker], finding: &Finding) -> Option<String> {
        let matched = finding.matched();
        let offset = finding.location.bytes().start;
        let unknown: Vec<&str> = match markers.binary_search_by_key(&offset, |m| m.offset) {
            Ok(at) => markers[at]
                .rules
                .iter()
                .map(|(id, _)| id.as_str())
                .filter(|id| !self.ids.contains_key(*id))
                .collect(),
            Err(_) => vec![&matched],
        };
        let meant: Vec<(&str, &str)> = unknown
            .iter()
            .filter_map(|&id| self.suggest(id).map(|known| (id, known)))
            .collect();
        match meant.as_slice() {
            [] => None,
            [(_, known)] if unknown.len() == 1 => Some(format!("did you mean `{known}`?")),
            _ => Some(
                meant
                    .iter()
                    .map(|(id, known)| format!("`{id}`: did you mean `{known}`?"))
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        }
    }

    /// Every marker in `haystack`, in order. Linear in the size of `haystack`, however many
    /// markers one line holds.
    pub fn markers(&self, haystack: &[u8]) -> Vec<Marker> {
        let starts: Vec<(usize, bool)> = self
            .finder
            .find_iter(haystack)
            .filter_map(|at| directive(&haystack[at + MARKER.len()..]).map(|next| (at, next)))
            .collect();
        let mut found = Vec::with_capacity(starts.len());
        let mut line = 1;
        let mut counted_to = 0;
        let mut line_end = 0;
        for (i, &(offset, next_line)) in starts.iter().enumerate() {
            line += memchr::memchr_iter(b'\n', &haystack[counted_to..offset]).count();
            counted_to = offset;
            if offset >= line_end {
                line_end = memchr::memchr(b'\n', &haystack[offset..])
                    .map_or(haystack.len(), |i| offset + i);
            }
            let end = starts
                .get(i + 1)
                .map_or(line_end, |&(next, _)| next.min(line_end));
            let body_start = offset
                + MARKER.len()
                + if next_line {
                    NEXT_LINE.len()
                } else {
                    SAME_LINE.len()
                };
            let body = &haystack[body_start..end];
            let body = body[..first_closer(body)].trim_ascii_end();
            let (ids, reason) = match memmem::find(body, b"--") {
                Some(at) => (&body[..at], &body[at + 2..]),
                None => (body, &[][..]),
            };
            let mut rules = Vec::new();
            let mut id_start = body_start;
            for id in ids.split(|&b| b == b',') {
                let lead = id.len() - id.trim_ascii_start().len();
                let trimmed = id.trim_ascii();
                if !trimmed.is_empty() {
                    let start = id_start + lead;
                    rules.push((
                        String::from_utf8_lossy(trimmed).into_owned(),
                        start..start + trimmed.len(),
                    ));
                }
                id_start += id.len() + 1;
            }
            found.push(Marker {
                offset,
                end: body_start + body.len(),
                line,
                target: if next_line { line + 1 } else { line },
                rules,
                reason: Some(reason.trim_ascii())
                    .filter(|reason| !reason.is_empty())
                    .map(|reason| String::from_utf8_lossy(reason).into_owned()),
            });
        }
        found
    }

    /// Applies `markers` to `findings` (one file's, sorted by position): moves the findings they
    /// suppress to `suppressed`, with the marker's reason, and adds to `out`, in order, a hit of
    /// vestige's own rules for each marker that suppresses nothing, each rule id no rule has (in
    /// a marker that does suppress something), and (under `require_reason`) each marker without
    /// a reason. A marker suppresses
    /// the findings whose first line is its target and whose rule it names, unless that rule is
    /// not suppressible; of two markers naming a rule for one line, the first is used.
    pub fn apply(
        &self,
        markers: &[Marker],
        findings: &mut Vec<Finding>,
        rules: &RuleSet,
        out: &mut Vec<Hit>,
        suppressed: &mut Vec<Suppressed>,
    ) {
        let mut by_target: FxHashMap<(usize, usize), usize> = FxHashMap::default();
        for (i, marker) in markers.iter().enumerate() {
            for (id, _) in &marker.rules {
                if let Some(&rule) = self.ids.get(id) {
                    by_target.entry((marker.target, rule)).or_insert(i);
                }
            }
        }
        let mut used = vec![false; markers.len()];
        let mut kept = Vec::with_capacity(findings.len());
        for finding in findings.drain(..) {
            let line = finding.location.start().line;
            let marker = match by_target.get(&(line, finding.rule)) {
                Some(&i) if rules.rules[finding.rule].suppressible => i,
                _ => {
                    kept.push(finding);
                    continue;
                }
            };
            used[marker] = true;
            suppressed.push(Suppressed {
                finding,
                by: Suppression::Marker(markers[marker].reason.clone()),
            });
        }
        *findings = kept;
        let (unused, no_reason) = (
            BuiltIn::UnusedSuppression,
            BuiltIn::SuppressionWithoutReason,
        );
        for (marker, used) in markers.iter().zip(used) {
            if !used {
                out.push(rules.marker_hit(unused, marker.offset..marker.end));
            }
            if rules.suppressions.require_reason && marker.reason.is_none() {
                out.push(rules.marker_hit(no_reason, marker.offset..marker.end));
            }
            if used {
                let unknown = marker
                    .rules
                    .iter()
                    .filter(|(id, _)| !self.ids.contains_key(id));
                out.extend(unknown.map(|(_, span)| rules.marker_hit(unused, span.clone())));
            }
        }
    }
}

/// Removes from `hits` (sorted by start) those that start inside the text of one of `markers`
/// (sorted by offset): a marker's directive, rule ids and reason are never findings.
pub fn unmatch(markers: &[Marker], hits: &mut Vec<Hit>) {
    let mut markers = markers.iter().peekable();
    hits.retain(|hit| {
        while markers.next_if(|m| m.end <= hit.start).is_some() {}
        markers
            .peek()
            .is_none_or(|m| hit.start < m.offset || hit.start >= m.end)
    });
}

/// What follows `MARKER` in a marker that suppresses the next line.
const NEXT_LINE: &str = "-next-line:";

/// What follows `MARKER` in a marker that suppresses its own line.
const SAME_LINE: &str = ":";

/// Whether `rest`, the text after an occurrence of `MARKER`, makes it a marker: `Some(true)` for
/// one that suppresses the next line, `Some(false)` for its own line, `None` for prose.
fn directive(rest: &[u8]) -> Option<bool> {
    if rest.starts_with(NEXT_LINE.as_bytes()) {
        Some(true)
    } else if rest.starts_with(SAME_LINE.as_bytes()) {
        Some(false)
    } else {
        None
    }
}

/// The ends of block comments, which close a marker's text: `*/` (C, PHP, CSS), `--}}` (Blade),
/// `-->` (HTML), `#}` (Twig), `%>` (ERB), `}}`.
const CLOSERS: [&str; 6] = ["--}}", "-->", "*/", "#}", "%>", "}}"];

/// The offset of the first block-comment closer in `text`, or its length when there is none.
fn first_closer(text: &[u8]) -> usize {
    CLOSERS
        .iter()
        .filter_map(|closer| memmem::find(text, closer.as_bytes()))
        .min()
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::{Marker, Suppressor, unmatch};
    use crate::matcher::Hit;
    use crate::ruleset::RuleSet;

    fn rules() -> RuleSet {
        crate::ruleset::from_toml("[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"A\"]\n")
    }

    fn markers(text: &str) -> Vec<Marker> {
        Suppressor::new(&rules()).markers(text.as_bytes())
    }

    fn parse(text: &str) -> Vec<(usize, usize, Vec<String>, bool)> {
        markers(text)
            .into_iter()
            .map(|m| {
                let ids = m.rules.into_iter().map(|(id, _)| id).collect();
                (m.line, m.target, ids, m.reason.is_some())
            })
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
    fn a_marker_keeps_its_reason_trimmed() {
        let reasons: Vec<Option<String>> = markers(
            "// vestige-ignore: a --  kept until phase 4  \n\
             {{-- vestige-ignore: a -- blade --}}\n\
             # vestige-ignore: a --   \n\
             # vestige-ignore: a\n",
        )
        .into_iter()
        .map(|m| m.reason)
        .collect();
        assert_eq!(
            reasons,
            [
                Some("kept until phase 4".to_owned()),
                Some("blade".to_owned()),
                None,
                None
            ]
        );
    }

    #[test]
    fn an_unknown_rule_id_gets_the_nearest_known_one() {
        let suppressor = Suppressor::new(&rules());
        assert_eq!(
            suppressor.suggest("unused-supression"),
            Some("unused-suppression")
        );
        assert_eq!(suppressor.suggest("legacy-inventory"), None);
    }

    #[test]
    fn a_marker_without_rules_names_none() {
        assert_eq!(parse("// vestige-ignore:\n"), [(1, 1, vec![], false)]);
        assert_eq!(
            parse("vestige-ignore: -- only a reason"),
            [(1, 1, vec![], true)]
        );
    }

    #[test]
    fn a_marker_ends_at_a_closer_or_the_next_marker_and_knows_where_its_ids_are() {
        let text = "/* vestige-ignore: a ,  bb -- why */ Code(); vestige-ignore: c\n";
        let found = markers(text);
        assert_eq!(found.len(), 2);
        let span = |m: &Marker| &text[m.offset..m.end];
        assert_eq!(span(&found[0]), "vestige-ignore: a ,  bb -- why");
        assert_eq!(span(&found[1]), "vestige-ignore: c");
        let ids: Vec<&str> = found[0]
            .rules
            .iter()
            .map(|(_, r)| &text[r.clone()])
            .collect();
        assert_eq!(ids, ["a", "bb"]);
        let twice = "x // vestige-ignore: a -- see vestige-ignore docs vestige-ignore: b\n";
        let found = markers(twice);
        assert_eq!(
            found
                .iter()
                .map(|m| &twice[m.offset..m.end])
                .collect::<Vec<_>>(),
            [
                "vestige-ignore: a -- see vestige-ignore docs",
                "vestige-ignore: b"
            ]
        );
    }

    #[test]
    fn hits_inside_a_marker_are_dropped_and_others_kept() {
        let text = "Foo // vestige-ignore: Foo -- Foo stays */ Foo\nFoo";
        let found = markers(text);
        let hit = |start: usize| Hit {
            start,
            end: start + 3,
            rule: 0,
            needle: 0,
        };
        let mut hits: Vec<Hit> = text.match_indices("Foo").map(|(at, _)| hit(at)).collect();
        unmatch(&found, &mut hits);
        let kept: Vec<usize> = hits.iter().map(|h| h.start).collect();
        assert_eq!(kept, [0, 43, 47]);
    }
}
