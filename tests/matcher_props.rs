//! The matching engine against a naive reference, on random texts and rule sets.
//!
//! The reference states the token semantics directly. Per rule, scanning left to right: at byte
//! `i`, among the rule's tokens that match at `i` (exact bytes, or ASCII case folded when the rule is
//! not case-sensitive) and, in word mode, have no `[A-Za-z0-9_]` byte just before `i` or just after
//! their end (in part mode, start and end on identifier-part boundaries), the longest is reported and the scan resumes at its end; with none, the scan moves on
//! one byte. Texts and tokens are drawn from a tiny alphabet so that tokens collide, overlap, share
//! prefixes, differ only in case, and sit next to word bytes, multi-byte characters and line breaks.
//!
//! The engine has several token paths: the Aho-Corasick automaton (two of them, for a set just too
//! large for one packed prefilter), and, once there are enough distinct identifier tokens in word
//! or part mode, a hash table of identifier runs or parts. The small random rule sets only reach
//! one automaton, so further families of cases add a filler rule: 81 identifier tokens that push
//! every identifier token of a word-mode rule into the word table, 243 that push part-mode ones
//! into the part table, or 70 substring tokens that split the automaton in two.

use proptest::prelude::*;
use proptest::test_runner::Config;
use vestige::matcher::{Bounds, Hit, Matcher, RegexSpec, TokenSpec};

use crate::support::reference::{RuleDef, Span, build, matches_at, reference};

/// Letters in both cases, a digit, `_` (word bytes); `-`, `:`, space, newline (non-word ASCII);
/// `é` and `É`, two-byte characters that differ only in a non-ASCII byte and must never fold.
const ALPHABET: &[char] = &['a', 'b', 'A', 'B', '1', '_', '-', ':', ' ', '\n', 'é', 'É'];

/// The word bytes of `ALPHABET`.
const WORD_CHARS: &[char] = &['a', 'b', 'A', 'B', '1', '_'];

/// A token of 1 to 4 characters, or one in five an identifier of 5 to 11 (the part table keys
/// tokens of 8 bytes or more by their first eight); over half of them identifiers, so that
/// word-mode rules have tokens for the word table.
fn token_text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::collection::vec(prop::sample::select(ALPHABET), 1..=4),
        2 => prop::collection::vec(prop::sample::select(WORD_CHARS), 1..=4),
        1 => prop::collection::vec(prop::sample::select(WORD_CHARS), 5..=11),
    ]
    .prop_map(String::from_iter)
}

/// A word-mode rule of 81 distinct 4-byte identifiers over `x`, `y`, `z`, letters the texts never
/// hold: it matches nothing, but takes the engine past its word-table threshold.
fn filler(case_sensitive: bool) -> RuleDef {
    filler_of(81, 4, case_sensitive)
}

/// A word-mode rule of the first `count` of the `3^len` distinct identifiers of `len` bytes over
/// `x`, `y`, `z`.
fn filler_of(count: usize, len: u32, case_sensitive: bool) -> RuleDef {
    let letters = ['x', 'y', 'z'];
    let tokens = (0..count)
        .map(|n: usize| (0..len).map(|k| letters[n / 3usize.pow(k) % 3]).collect())
        .collect();
    RuleDef {
        tokens,
        bounds: Bounds::Word,
        case_sensitive,
    }
}

/// A `case()` with the rule `make` makes (case-sensitive or not) inserted at a random index.
fn case_with(make: fn(bool) -> RuleDef) -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    (case(), any::<bool>(), 0..=3usize).prop_map(move |((mut rules, text), case_sensitive, at)| {
        rules.insert(at.min(rules.len()), make(case_sensitive));
        (rules, text)
    })
}

/// A `case()` with the filler rule: the word-mode tokens go to the engine's word table.
fn case_with_word_table() -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    case_with(filler)
}

/// The part-mode filler rule: 243 tokens, past the part table's threshold (more than the two
/// automatons of a split hold).
fn part_filler(case_sensitive: bool) -> RuleDef {
    RuleDef {
        bounds: Bounds::Part,
        ..filler_of(243, 5, case_sensitive)
    }
}

/// A `case()` with the part filler rule: every part-mode token made of identifier bytes and `-`
/// goes to the engine's part table.
fn case_with_part_table() -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    case_with(part_filler)
}

/// A substring-mode filler rule of 70 tokens: with the case's own tokens, the automaton holds
/// too many for one packed prefilter, and is split in two.
fn split_filler(case_sensitive: bool) -> RuleDef {
    RuleDef {
        bounds: Bounds::Anywhere,
        ..filler_of(70, 4, case_sensitive)
    }
}

/// A `case()` with the substring filler rule: the case's tokens share two automatons with the
/// filler's, in the first or the second.
fn case_with_two_automatons() -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    case_with(split_filler)
}

/// Any family of cases.
fn any_case() -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    prop_oneof![
        case(),
        case_with_word_table(),
        case_with_part_table(),
        case_with_two_automatons()
    ]
}

/// 1 to 3 rules whose tokens come from one shared pool, so that rules often share tokens and a rule
/// may list the same token twice, and a text built from pool tokens (case flipped or not) and loose
/// characters, so that most cases have hits.
fn case() -> impl Strategy<Value = (Vec<RuleDef>, String)> {
    prop::collection::vec(token_text(), 1..=6).prop_flat_map(|pool| {
        let n = pool.len();
        let rule = (
            prop::collection::vec(0..n, 1..=4),
            prop::sample::select(&[Bounds::Anywhere, Bounds::Word, Bounds::Part][..]),
            any::<bool>(),
        );
        let piece = prop_oneof![
            2 => (0..n, any::<bool>()).prop_map(Some),
            3 => Just(None),
        ];
        let loose = prop::sample::select(ALPHABET);
        let pieces = prop::collection::vec((piece, loose), 0..=24);
        let pool_for_rules = pool.clone();
        (
            prop::collection::vec(rule, 1..=3).prop_map(move |rules| {
                rules
                    .into_iter()
                    .map(|(picks, bounds, case_sensitive)| RuleDef {
                        tokens: picks.iter().map(|&i| pool_for_rules[i].clone()).collect(),
                        bounds,
                        case_sensitive,
                    })
                    .collect::<Vec<_>>()
            }),
            pieces.prop_map(move |pieces| {
                let mut text = String::new();
                for (piece, loose) in pieces {
                    match piece {
                        Some((i, false)) => text.push_str(&pool[i]),
                        Some((i, true)) => text.push_str(&flip_ascii_case(&pool[i])),
                        None => text.push(loose),
                    }
                }
                text
            }),
        )
    })
}

fn flip_ascii_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// The engine's hits, after checking what holds of every hit whatever the reference says: `out` is
/// cleared first, hits come sorted by position, only active rules report, and each hit names a
/// needle of its rule that really matches its span.
fn engine(matcher: &Matcher, text: &[u8], rules: &[RuleDef], active: &[bool]) -> Vec<Hit> {
    let stale = Hit {
        start: usize::MAX,
        end: usize::MAX,
        rule: usize::MAX,
        needle: usize::MAX,
    };
    let mut out = vec![stale];
    matcher.find(text, active, &mut out);
    assert!(
        out.windows(2)
            .all(|w| (w[0].start, w[0].end, w[0].rule) < (w[1].start, w[1].end, w[1].rule)),
        "hits not sorted by position or not unique per rule and span: {out:?}"
    );
    for hit in &out {
        assert!(
            active[hit.rule],
            "inactive rule {} reported {hit:?}",
            hit.rule
        );
        let rule = &rules[hit.rule];
        let token = rule.tokens[hit.needle].as_bytes();
        assert_eq!(
            hit.end - hit.start,
            token.len(),
            "needle length differs: {hit:?}"
        );
        assert!(
            matches_at(text, hit.start, token, rule),
            "needle {} ({:?}) does not match at {hit:?}",
            hit.needle,
            rule.tokens[hit.needle]
        );
    }
    out
}

fn spans(hits: &[Hit]) -> Vec<Span> {
    let mut spans: Vec<Span> = hits.iter().map(|h| (h.start, h.end, h.rule)).collect();
    spans.sort_unstable();
    spans
}

fn config() -> Config {
    Config {
        cases: 512,
        // A failure is reported with its minimal input; no regression file is written.
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn engine_agrees_with_the_reference((rules, text) in case()) {
        let matcher = build(&rules);
        let hits = engine(&matcher, text.as_bytes(), &rules, &vec![true; rules.len()]);
        prop_assert_eq!(spans(&hits), reference(text.as_bytes(), &rules), "text {:?}", text);
    }

    #[test]
    fn engine_with_a_word_table_agrees_with_the_reference((rules, text) in case_with_word_table()) {
        let matcher = build(&rules);
        let hits = engine(&matcher, text.as_bytes(), &rules, &vec![true; rules.len()]);
        prop_assert_eq!(spans(&hits), reference(text.as_bytes(), &rules), "text {:?}", text);
    }

    #[test]
    fn engine_with_a_part_table_agrees_with_the_reference((rules, text) in case_with_part_table()) {
        let matcher = build(&rules);
        let hits = engine(&matcher, text.as_bytes(), &rules, &vec![true; rules.len()]);
        prop_assert_eq!(spans(&hits), reference(text.as_bytes(), &rules), "text {:?}", text);
    }

    #[test]
    fn engine_with_two_automatons_agrees_with_the_reference(
        (rules, text) in case_with_two_automatons(),
    ) {
        let matcher = build(&rules);
        let hits = engine(&matcher, text.as_bytes(), &rules, &vec![true; rules.len()]);
        prop_assert_eq!(spans(&hits), reference(text.as_bytes(), &rules), "text {:?}", text);
    }

    #[test]
    fn inactive_rules_report_nothing_and_change_nothing(
        (rules, text) in any_case(),
        mask in prop::collection::vec(any::<bool>(), 4),
    ) {
        let active = &mask[..rules.len()];
        let matcher = build(&rules);
        let all = engine(&matcher, text.as_bytes(), &rules, &vec![true; rules.len()]);
        let some = engine(&matcher, text.as_bytes(), &rules, active);
        let expected: Vec<Hit> = all.iter().copied().filter(|h| active[h.rule]).collect();
        prop_assert_eq!(&some, &expected);
        let reference: Vec<Span> = reference(text.as_bytes(), &rules)
            .into_iter()
            .filter(|&(_, _, r)| active[r])
            .collect();
        prop_assert_eq!(spans(&some), reference);
    }
}

// Deterministic cases for the corners the property leans on.

fn rule(tokens: &[&str], word: bool, case_sensitive: bool) -> RuleDef {
    let bounds = if word { Bounds::Word } else { Bounds::Anywhere };
    RuleDef {
        tokens: tokens.iter().map(|t| (*t).to_owned()).collect(),
        bounds,
        case_sensitive,
    }
}

fn check(rules: &[RuleDef], text: &str, expected: &[Span]) {
    let matcher = build(rules);
    let hits = engine(&matcher, text.as_bytes(), rules, &vec![true; rules.len()]);
    assert_eq!(spans(&hits), expected, "engine on {text:?}");
    assert_eq!(
        reference(text.as_bytes(), rules),
        expected,
        "reference on {text:?}"
    );
}

#[test]
fn greedy_scan_does_not_report_overlaps() {
    check(&[rule(&["aa"], false, true)], "aaa", &[(0, 2, 0)]);
    check(
        &[rule(&["aa", "a"], false, true)],
        "aaa",
        &[(0, 2, 0), (2, 3, 0)],
    );
    check(&[rule(&["a-b", "b-a"], false, true)], "a-b-a", &[(0, 3, 0)]);
}

#[test]
fn a_longer_token_that_fails_its_boundary_yields_to_a_shorter_one() {
    check(&[rule(&["a", "a-b"], true, true)], "a-bb", &[(0, 1, 0)]);
    check(&[rule(&["a", "a-b"], true, true)], "a-b b", &[(0, 3, 0)]);
}

#[test]
fn a_shared_token_follows_each_rule_own_case_and_mode() {
    let rules = [
        rule(&["ab"], true, true),
        rule(&["ab"], true, false),
        rule(&["ab"], false, false),
    ];
    check(
        &rules,
        "AB ab xab",
        &[
            (0, 2, 1),
            (0, 2, 2),
            (3, 5, 0),
            (3, 5, 1),
            (3, 5, 2),
            (7, 9, 2),
        ],
    );
}

#[test]
fn tokens_differing_only_in_case_in_one_folding_rule_give_one_hit() {
    check(
        &[rule(&["ab", "AB", "Ab"], false, false)],
        "aB",
        &[(0, 2, 0)],
    );
}

#[test]
fn the_same_token_twice_in_a_rule_gives_one_hit() {
    check(
        &[rule(&["a", "a"], true, true)],
        "a a",
        &[(0, 1, 0), (2, 3, 0)],
    );
}

#[test]
fn non_ascii_bytes_never_fold_and_are_not_word_bytes() {
    check(&[rule(&["é"], false, false)], "É é", &[(3, 5, 0)]);
    check(&[rule(&["a"], true, true)], "éaé", &[(2, 3, 0)]);
    check(&[rule(&["éa"], true, false)], "ÉA éA", &[(4, 7, 0)]);
}

#[test]
fn digits_and_underscores_are_word_bytes() {
    check(
        &[rule(&["a"], true, true)],
        "1a a_ a:a\na",
        &[(6, 7, 0), (8, 9, 0), (10, 11, 0)],
    );
}

#[test]
fn case_sensitive_rule_is_exact_even_when_another_rule_folds() {
    let rules = [rule(&["Ab"], false, true), rule(&["b"], false, false)];
    check(
        &rules,
        "ab AB Ab",
        &[(1, 2, 1), (4, 5, 1), (6, 8, 0), (7, 8, 1)],
    );
}

#[test]
fn a_token_and_a_regex_on_the_same_span_report_once() {
    let regex = RegexSpec {
        rule: 0,
        needle: 1,
        regex: regex::bytes::Regex::new("a+").expect("valid regex"),
    };
    let token = TokenSpec {
        rule: 0,
        needle: 0,
        token: "a".to_owned(),
        bounds: Bounds::Word,
        case_sensitive: true,
    };
    let matcher = Matcher::new(vec![token], vec![regex]).expect("the automaton builds");
    let mut out = Vec::new();
    matcher.find(b"a aa", &[true], &mut out);
    let got: Vec<_> = out.iter().map(|h| (h.start, h.end, h.needle)).collect();
    assert_eq!(got, [(0, 1, 0), (2, 4, 1)]);
}

#[test]
fn the_filler_rule_takes_the_engine_onto_its_word_table() {
    let filler = filler(true);
    let distinct: std::collections::HashSet<&String> = filler.tokens.iter().collect();
    assert_eq!(distinct.len(), 81);
    let rules = [rule(&["ab", "a-b"], true, true), filler];
    let matcher = build(&rules);
    // The only window on which path the engine took; if this breaks, check that the word-table
    // property still reaches the table.
    assert!(
        format!("{matcher:?}").contains("words: Some"),
        "the filler no longer reaches the word table: {matcher:?}"
    );
    check(&rules, "ab a-b ab_ Ab", &[(0, 2, 0), (3, 6, 0)]);
}

#[test]
fn the_split_filler_takes_the_engine_onto_two_automatons() {
    let rules = [rule(&["ab", "a-b", "b"], false, true), split_filler(false)];
    let matcher = build(&rules);
    // As above: if this breaks, check that the two-automaton property still splits.
    assert_eq!(
        format!("{matcher:?}").matches("folds_case:").count(),
        2,
        "the filler no longer splits the automaton: {matcher:?}"
    );
    check(&rules, "ab a-b XYZX", &[(0, 2, 0), (3, 6, 0), (7, 11, 1)]);
}

#[test]
fn the_part_filler_takes_the_engine_onto_its_part_table() {
    let filler = part_filler(true);
    let part = RuleDef {
        bounds: Bounds::Part,
        ..rule(&["ab", "a-b", "Ab"], false, true)
    };
    let matcher = build(&[part.clone(), filler.clone()]);
    assert!(
        format!("{matcher:?}").contains("parts: Some"),
        "the filler no longer reaches the part table: {matcher:?}"
    );
    check(
        &[part, filler],
        "ab a-b ab_ xAb a-bAb ab1",
        &[
            (0, 2, 0),
            (3, 6, 0),
            (7, 9, 0),
            (12, 14, 0),
            (15, 18, 0),
            (18, 20, 0),
        ],
    );
}

#[test]
fn word_table_and_automaton_hits_of_one_rule_are_merged_longest_first() {
    // `a` goes to the word table, `a-b` and `-b` to the automaton.
    let rules = [rule(&["a", "a-b", "-b"], true, false), filler(false)];
    check(
        &rules,
        "a-b A-B a-bc a",
        &[(0, 3, 0), (4, 7, 0), (8, 9, 0), (13, 14, 0)],
    );
}

#[test]
fn part_mode_splits_identifiers_where_case_and_separators_do() {
    let part = |tokens: &[&str], case_sensitive| RuleDef {
        bounds: Bounds::Part,
        ..rule(tokens, false, case_sensitive)
    };
    check(
        &[part(&["Ab"], true)],
        "aAbB1Ab_Ab-AbAB",
        &[(1, 3, 0), (5, 7, 0), (8, 10, 0), (11, 13, 0)],
    );
    check(&[part(&["ab"], false)], "AB abC", &[(0, 2, 0), (3, 5, 0)]);
    check(&[part(&["AB", "B"], true)], "ABBa", &[(0, 2, 0)]);
}
