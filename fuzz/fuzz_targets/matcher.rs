//! Arbitrary rules and text: the engine must agree with the naive reference, on each of its
//! token paths (the automaton, and the word and part tables past their threshold).
#![no_main]

use libfuzzer_sys::fuzz_target;
use vestige::matcher::Bounds;

#[path = "../../tests/support/reference.rs"]
mod reference;
use reference::{RuleDef, build, reference};

/// Decodes `data` as `text \0 rule \0 rule ...`, each rule `flags token\x01token...`, where
/// bit 0 of `flags` is word mode, bit 1 case sensitivity and bit 2 part mode (over word mode).
fn decode(data: &[u8]) -> Option<(Vec<RuleDef>, String)> {
    let data = std::str::from_utf8(data).ok()?;
    let mut parts = data.split('\0');
    let text = parts.next()?.to_owned();
    let rules: Vec<RuleDef> = parts
        .take(8)
        .filter_map(|part| {
            let mut chars = part.chars();
            let flags = chars.next()? as u32;
            let tokens: Vec<String> = chars
                .as_str()
                .split('\u{1}')
                .filter(|t| !t.is_empty())
                .take(64)
                .map(str::to_owned)
                .collect();
            (!tokens.is_empty()).then_some(RuleDef {
                tokens,
                bounds: match (flags & 4 == 4, flags & 1 == 1) {
                    (true, _) => Bounds::Part,
                    (false, true) => Bounds::Word,
                    (false, false) => Bounds::Anywhere,
                },
                case_sensitive: flags & 2 == 2,
            })
        })
        .collect();
    (!rules.is_empty()).then_some((rules, text))
}

/// A word-mode rule of identifier tokens made of `\u{1}`-free letters the text may not hold,
/// pushing the engine past its word-table threshold.
fn filler(case_sensitive: bool) -> RuleDef {
    RuleDef {
        tokens: (0..100).map(|i| format!("Zq{i}Filler")).collect(),
        bounds: Bounds::Word,
        case_sensitive,
    }
}

fn check(rules: &[RuleDef], text: &str) {
    let matcher = build(rules);
    let mut hits = Vec::new();
    matcher.find(text.as_bytes(), &vec![true; rules.len()], &mut hits);
    let mut got: Vec<_> = hits.iter().map(|h| (h.start, h.end, h.rule)).collect();
    got.sort_unstable();
    assert_eq!(
        got,
        reference(text.as_bytes(), rules),
        "{rules:?} on {text:?}"
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((mut rules, text)) = decode(data) else {
        return;
    };
    check(&rules, &text);
    rules.push(filler(data.len() % 2 == 0));
    check(&rules, &text);
    let last = rules.len() - 1;
    rules[last].bounds = Bounds::Part;
    check(&rules, &text);
});
