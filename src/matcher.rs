//! The matching engine. Every token of every rule goes into one Aho-Corasick automaton, so a file is
//! read and searched once whatever the number of rules and tokens; each rule's regexes run beside
//! it. The engine sees bytes and rule numbers only: it knows nothing of files, lines or output.

use aho_corasick::{AhoCorasick, MatchKind};
use regex::bytes::Regex;

/// A literal token of one rule.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    /// Index of the owning rule.
    pub rule: usize,
    /// Index of the token among the rule's needles (tokens, then patterns).
    pub needle: usize,
    /// The token's bytes; never empty.
    pub token: String,
    /// Whether the token must stand between non-word bytes.
    pub word: bool,
    /// Whether case must match exactly (otherwise ASCII case is folded).
    pub case_sensitive: bool,
}

/// A regular expression of one rule.
#[derive(Debug, Clone)]
pub struct RegexSpec {
    /// Index of the owning rule.
    pub rule: usize,
    /// Index of the pattern among the rule's needles (tokens, then patterns).
    pub needle: usize,
    /// The compiled expression.
    pub regex: Regex,
}

/// One match of one rule: a byte range of the haystack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    /// First matched byte.
    pub start: usize,
    /// One past the last matched byte.
    pub end: usize,
    /// Index of the rule.
    pub rule: usize,
    /// Index of the needle (token or pattern) of the rule that matched.
    pub needle: usize,
}

/// Who uses one distinct token string, and how.
#[derive(Debug, Clone, Copy)]
struct Owner {
    rule: usize,
    needle: usize,
    word: bool,
    case_sensitive: bool,
}

/// All tokens and regexes of a rule set, ready to search any haystack.
#[derive(Debug)]
pub struct Matcher {
    automaton: Option<AhoCorasick>,
    folds_case: bool,
    /// The distinct token strings, indexed by automaton pattern id.
    tokens: Vec<Box<[u8]>>,
    /// The users of each distinct token string, indexed by automaton pattern id.
    owners: Vec<Vec<Owner>>,
    regexes: Vec<RegexSpec>,
}

impl Matcher {
    /// Builds the automaton over all tokens; identical tokens of several rules share one pattern.
    pub fn new(
        tokens: Vec<TokenSpec>,
        regexes: Vec<RegexSpec>,
    ) -> Result<Self, aho_corasick::BuildError> {
        let folds_case = tokens.iter().any(|t| !t.case_sensitive);
        let mut index = std::collections::HashMap::new();
        let mut distinct: Vec<Box<[u8]>> = Vec::new();
        let mut owners: Vec<Vec<Owner>> = Vec::new();
        for spec in tokens {
            let id = *index.entry(spec.token.clone()).or_insert_with(|| {
                distinct.push(spec.token.as_bytes().into());
                owners.push(Vec::new());
                distinct.len() - 1
            });
            owners[id].push(Owner {
                rule: spec.rule,
                needle: spec.needle,
                word: spec.word,
                case_sensitive: spec.case_sensitive,
            });
        }
        let automaton = if distinct.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .ascii_case_insensitive(folds_case)
                    .build(&distinct)?,
            )
        };
        Ok(Self {
            automaton,
            folds_case,
            tokens: distinct,
            owners,
            regexes,
        })
    }

    /// Fills `out` with every hit in `haystack` of the rules for which `active[rule]` is true,
    /// sorted by position, with one hit per rule and span.
    pub fn find(&self, haystack: &[u8], active: &[bool], out: &mut Vec<Hit>) {
        out.clear();
        if let Some(automaton) = &self.automaton {
            for m in automaton.find_overlapping_iter(haystack) {
                let id = m.pattern().as_usize();
                for owner in &self.owners[id] {
                    if !active[owner.rule]
                        || (owner.case_sensitive
                            && self.folds_case
                            && haystack[m.range()] != *self.tokens[id])
                        || (owner.word && !is_word_bounded(haystack, m.start(), m.end()))
                    {
                        continue;
                    }
                    out.push(Hit {
                        start: m.start(),
                        end: m.end(),
                        rule: owner.rule,
                        needle: owner.needle,
                    });
                }
            }
            keep_longest_leftmost(out);
            out.retain(|hit| hit.end != 0);
        }
        for spec in &self.regexes {
            if !active[spec.rule] {
                continue;
            }
            out.extend(
                spec.regex
                    .find_iter(haystack)
                    .filter(|m| !m.is_empty())
                    .map(|m| Hit {
                        start: m.start(),
                        end: m.end(),
                        rule: spec.rule,
                        needle: spec.needle,
                    }),
            );
        }
        out.sort_unstable_by_key(|h| (h.start, h.end, h.rule, h.needle));
        out.dedup_by_key(|h| (h.start, h.end, h.rule));
    }
}

/// Per rule, left to right: keeps the longest candidate at each position and skips the candidates
/// that start inside it. Discarded candidates are marked with `end == 0`.
fn keep_longest_leftmost(candidates: &mut [Hit]) {
    candidates.sort_unstable_by(|a, b| {
        (a.rule, a.start, b.end, a.needle).cmp(&(b.rule, b.start, a.end, b.needle))
    });
    let mut rule = usize::MAX;
    let mut resume = 0;
    for hit in candidates {
        if hit.rule != rule {
            rule = hit.rule;
            resume = 0;
        }
        if hit.start >= resume {
            resume = hit.end;
        } else {
            hit.end = 0;
        }
    }
}

/// Whether a byte can be part of an identifier: `[A-Za-z0-9_]`.
pub fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether `haystack[start..end]` has no word byte on either side.
fn is_word_bounded(haystack: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| haystack[i]);
    let after = haystack.get(end).copied();
    !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(rule: usize, needle: usize, token: &str) -> TokenSpec {
        TokenSpec {
            rule,
            needle,
            token: token.to_owned(),
            word: true,
            case_sensitive: true,
        }
    }

    fn spans(matcher: &Matcher, text: &str, rules: usize) -> Vec<(usize, usize, usize)> {
        let mut out = Vec::new();
        matcher.find(text.as_bytes(), &vec![true; rules], &mut out);
        out.iter().map(|h| (h.start, h.end, h.rule)).collect()
    }

    fn words(tokens: &[&str]) -> Matcher {
        let specs = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| token(0, i, t))
            .collect();
        Matcher::new(specs, Vec::new()).unwrap()
    }

    #[test]
    fn word_mode_requires_non_word_neighbours() {
        let m = words(&["InventorySyncRun"]);
        assert_eq!(
            spans(&m, r"use App\Models\InventorySyncRun;", 1),
            [(15, 31, 0)]
        );
        assert_eq!(spans(&m, "InventorySyncRun::query()", 1), [(0, 16, 0)]);
        assert!(spans(&m, "new InventorySyncRunner()", 1).is_empty());
        assert!(spans(&m, "$legacyInventorySyncRun = 1;", 1).is_empty());
        assert!(spans(&m, "_InventorySyncRun", 1).is_empty());
        assert!(spans(&m, "InventorySyncRun9", 1).is_empty());
    }

    #[test]
    fn token_at_the_very_start_and_end_of_the_haystack() {
        let m = words(&["Foo"]);
        assert_eq!(spans(&m, "Foo", 1), [(0, 3, 0)]);
        assert_eq!(spans(&m, "Foo x Foo", 1), [(0, 3, 0), (6, 9, 0)]);
    }

    #[test]
    fn longest_token_wins_and_falls_back_when_its_boundary_fails() {
        let m = words(&["Foo", "Foo::bar"]);
        assert_eq!(spans(&m, "Foo::bar()", 1), [(0, 8, 0)]);
        assert_eq!(spans(&m, "Foo::barX", 1), [(0, 3, 0)]);
    }

    #[test]
    fn scan_resumes_after_the_reported_token() {
        let mut specs = vec![token(0, 0, "a-b"), token(0, 1, "b-c")];
        specs.iter_mut().for_each(|s| s.word = false);
        let m = Matcher::new(specs, Vec::new()).unwrap();
        assert_eq!(spans(&m, "a-b-c", 1), [(0, 3, 0)]);
    }

    #[test]
    fn substring_mode_ignores_neighbours() {
        let mut spec = token(0, 0, "SyncRun");
        spec.word = false;
        let m = Matcher::new(vec![spec], Vec::new()).unwrap();
        assert_eq!(spans(&m, "InventorySyncRunner", 1), [(9, 16, 0)]);
    }

    #[test]
    fn case_folding_is_per_rule() {
        let mut folded = token(1, 0, "legacy_runs");
        folded.case_sensitive = false;
        let m = Matcher::new(vec![token(0, 0, "legacy_runs"), folded], Vec::new()).unwrap();
        assert_eq!(
            spans(&m, "LEGACY_RUNS legacy_runs", 2),
            [(0, 11, 1), (12, 23, 0), (12, 23, 1)]
        );
    }

    #[test]
    fn two_rules_on_the_same_text_give_two_hits() {
        let m = Matcher::new(vec![token(0, 0, "Foo"), token(1, 0, "Foo")], Vec::new()).unwrap();
        assert_eq!(spans(&m, "Foo", 2), [(0, 3, 0), (0, 3, 1)]);
    }

    #[test]
    fn inactive_rules_report_nothing() {
        let m = Matcher::new(vec![token(0, 0, "Foo"), token(1, 0, "Foo")], Vec::new()).unwrap();
        let mut out = Vec::new();
        m.find(b"Foo", &[false, true], &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].rule, 1);
    }

    #[test]
    fn a_token_and_a_pattern_on_the_same_span_give_one_hit() {
        let regex = RegexSpec {
            rule: 0,
            needle: 1,
            regex: Regex::new(r"\bFoo\b").unwrap(),
        };
        let m = Matcher::new(vec![token(0, 0, "Foo")], vec![regex]).unwrap();
        let mut out = Vec::new();
        m.find(b"Foo Foo", &[true], &mut out);
        assert_eq!(out.len(), 2);
        assert!(out.iter().all(|h| h.needle == 0));
    }

    #[test]
    fn empty_regex_matches_are_dropped() {
        let regex = RegexSpec {
            rule: 0,
            needle: 0,
            regex: Regex::new("x*").unwrap(),
        };
        let m = Matcher::new(Vec::new(), vec![regex]).unwrap();
        let mut out = Vec::new();
        m.find(b"a xx b", &[true], &mut out);
        assert_eq!(
            out.iter().map(|h| (h.start, h.end)).collect::<Vec<_>>(),
            [(2, 4)]
        );
    }

    #[test]
    fn crlf_and_multibyte_text_match_on_bytes() {
        let m = words(&["Run"]);
        assert_eq!(spans(&m, "ä Run\r\nRun", 1), [(3, 6, 0), (8, 11, 0)]);
    }
}
