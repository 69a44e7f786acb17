//! The naive reference matcher, shared by the property tests and the fuzz target: it states the
//! token semantics directly, position by position.

use vestige::matcher::{Bounds, Matcher, TokenSpec};

/// One rule as the property sees it.
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// The tokens, in order.
    pub tokens: Vec<String>,
    /// Where tokens may start and end.
    pub bounds: Bounds,
    /// Whether case must match exactly.
    pub case_sensitive: bool,
}

/// A (start, end, rule) triple, the part of a hit the reference decides.
pub type Span = (usize, usize, usize);

/// `[A-Za-z0-9_]`.
pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Whether `token` matches `text` at `at` under `rule`'s case and delimiting rules.
pub fn matches_at(text: &[u8], at: usize, token: &[u8], rule: &RuleDef) -> bool {
    let end = at + token.len();
    let Some(found) = text.get(at..end) else {
        return false;
    };
    let same = if rule.case_sensitive {
        found == token
    } else {
        found.eq_ignore_ascii_case(token)
    };
    let bounded = match rule.bounds {
        Bounds::Anywhere => true,
        Bounds::Word => {
            (at == 0 || !is_word_byte(text[at - 1]))
                && text.get(end).is_none_or(|&b| !is_word_byte(b))
        }
        Bounds::Part => part_boundary(text, at) && part_boundary(text, end),
    };
    same && bounded
}

/// The class of a byte, for part boundaries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Other,
}

fn class(text: &[u8], i: usize) -> Class {
    match text.get(i) {
        Some(b'A'..=b'Z') => Class::Upper,
        Some(b'a'..=b'z') => Class::Lower,
        Some(b'0'..=b'9') => Class::Digit,
        _ => Class::Other,
    }
}

/// Whether an identifier splits at `at`: text ends and non-alphanumeric bytes, lower or digit
/// then upper (`fooBar`, `v2Run`), and upper then upper-lower (`HTTP|Client`).
pub fn part_boundary(text: &[u8], at: usize) -> bool {
    if at == 0 || at >= text.len() {
        return true;
    }
    let (before, after, next) = (class(text, at - 1), class(text, at), class(text, at + 1));
    before == Class::Other
        || after == Class::Other
        || matches!(
            (before, after, next),
            (Class::Lower | Class::Digit, Class::Upper, _)
                | (Class::Upper, Class::Upper, Class::Lower)
        )
}

/// The naive reference: per rule, leftmost-longest, non-overlapping, position by position.
pub fn reference(text: &[u8], rules: &[RuleDef]) -> Vec<Span> {
    let mut out = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let mut i = 0;
        while i < text.len() {
            let longest = rule
                .tokens
                .iter()
                .map(String::as_bytes)
                .filter(|t| matches_at(text, i, t, rule))
                .map(<[u8]>::len)
                .max();
            match longest {
                Some(len) => {
                    out.push((i, i + len, r));
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    out.sort_unstable();
    out
}

/// The engine built from `rules`, every needle numbered within its rule.
pub fn build(rules: &[RuleDef]) -> Matcher {
    let specs = rules
        .iter()
        .enumerate()
        .flat_map(|(r, rule)| {
            rule.tokens
                .iter()
                .enumerate()
                .map(move |(needle, token)| TokenSpec {
                    rule: r,
                    needle,
                    token: token.clone(),
                    bounds: rule.bounds,
                    case_sensitive: rule.case_sensitive,
                })
        })
        .collect();
    Matcher::new(specs, Vec::new()).expect("the automaton builds")
}
