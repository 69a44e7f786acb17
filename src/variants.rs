//! Naming variants: the names one concept takes in a Laravel code base. `InventorySyncRun` is
//! also the `inventorySyncRun` variable, the `inventory_sync_runs` table, the
//! `inventory-sync-runs` route and the `INVENTORY_SYNC_RUN` constant.
//!
//! Words are split by heck: `HTTPClient` is `http` + `client`, `OAuth2Token` is `o` + `auth2` +
//! `token`, and plural acronyms split oddly (`URLs` is `ur` + `ls`), so write those tokens out.
//! The plural applies to the last word: a consonant + `y` becomes `-ies`; `-ss`, `-us`, `-x`,
//! `-z`, `-ch` and `-sh` take `-es`; a word already ending in another single `s` counts as plural
//! and gets no second one; a word ending in a digit gets none; every other word takes `-s`.

use heck::ToSnakeCase;

/// One kind of variant, named in the rule file as in the JSON Schema: lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// `InventorySyncRun`.
    Pascal,
    /// `inventorySyncRun`.
    Camel,
    /// `inventory_sync_run`.
    Snake,
    /// `inventory-sync-run`.
    Kebab,
    /// `INVENTORY_SYNC_RUN`.
    Screaming,
    /// The plural of each of the others.
    Plural,
}

impl Variant {
    /// Every kind, in the order expansions list them.
    pub const ALL: [Self; 6] = [
        Self::Pascal,
        Self::Camel,
        Self::Snake,
        Self::Kebab,
        Self::Screaming,
        Self::Plural,
    ];

    /// The name used in the rule file.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pascal => "pascal",
            Self::Camel => "camel",
            Self::Snake => "snake",
            Self::Kebab => "kebab",
            Self::Screaming => "screaming",
            Self::Plural => "plural",
        }
    }

    /// The kind named `name` in the rule file.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// The variants of `token` of the `wanted` kinds, without `token` itself and without repeats,
/// in a stable order. A token that is not a name (anything but ASCII letters, digits, `_` and
/// `-`, or no letter at all) has none.
pub fn expand(token: &str, wanted: &[Variant]) -> Vec<String> {
    let is_name = token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        && token.bytes().any(|b| b.is_ascii_alphabetic());
    if !is_name {
        return Vec::new();
    }
    let snake = token.to_snake_case();
    let mut stems = vec![snake.clone()];
    if wanted.contains(&Variant::Plural) {
        stems.extend(plural(&snake));
    }
    let mut out: Vec<String> = Vec::new();
    for stem in &stems {
        for kind in wanted {
            let Some(name) = spell(stem, *kind) else {
                continue;
            };
            if name != token && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// The snake-case name `snake` (ASCII lower-case words joined by single `_`, as heck's snake
/// case of a name is) spelled as `kind`: what heck's conversions of it give, built directly from
/// its words, as heck's per-character formatting is most of the cost of 10,000 tokens with
/// variants. `None` for `Plural`, which is not a spelling.
fn spell(snake: &str, kind: Variant) -> Option<String> {
    let capitalized = |word: &str, out: &mut String| {
        let mut bytes = word.bytes();
        if let Some(first) = bytes.next() {
            out.push(char::from(first.to_ascii_uppercase()));
            out.extend(bytes.map(char::from));
        }
    };
    let mut out = String::with_capacity(snake.len());
    match kind {
        Variant::Pascal | Variant::Camel => {
            for (i, word) in snake.split('_').enumerate() {
                if i == 0 && kind == Variant::Camel {
                    out.push_str(word);
                } else {
                    capitalized(word, &mut out);
                }
            }
        }
        Variant::Snake => out.push_str(snake),
        Variant::Kebab => out.extend(snake.chars().map(|c| if c == '_' { '-' } else { c })),
        Variant::Screaming => out.push_str(&snake.to_ascii_uppercase()),
        Variant::Plural => return None,
    }
    Some(out)
}

/// The snake-case name `snake` with its last word made plural, if it is not plural already.
fn plural(snake: &str) -> Option<String> {
    let (head, last) = snake.rsplit_once('_').map_or(("", snake), |(h, l)| (h, l));
    let plural = if let Some(stem) = last.strip_suffix('y').filter(|s| {
        s.chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphabetic() && !"aeiou".contains(c))
    }) {
        format!("{stem}ies")
    } else if last.ends_with("ss") || last.ends_with("us") {
        format!("{last}es")
    } else if last.ends_with('s') {
        return None;
    } else if ["x", "z", "ch", "sh"].iter().any(|end| last.ends_with(end)) {
        format!("{last}es")
    } else if last.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) {
        format!("{last}s")
    } else {
        return None;
    };
    Some(if head.is_empty() {
        plural
    } else {
        format!("{head}_{plural}")
    })
}

#[cfg(test)]
mod tests {
    use super::{Variant, expand, plural, spell};
    use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};

    fn all(token: &str) -> Vec<String> {
        expand(token, &Variant::ALL)
    }

    #[test]
    fn a_class_name_expands_to_every_case_and_its_plural() {
        assert_eq!(
            all("InventorySyncRun"),
            [
                "inventorySyncRun",
                "inventory_sync_run",
                "inventory-sync-run",
                "INVENTORY_SYNC_RUN",
                "InventorySyncRuns",
                "inventorySyncRuns",
                "inventory_sync_runs",
                "inventory-sync-runs",
                "INVENTORY_SYNC_RUNS",
            ]
        );
    }

    #[test]
    fn a_plural_table_name_gets_its_cases_but_no_second_plural() {
        assert_eq!(
            all("entra_group_sync_runs"),
            [
                "EntraGroupSyncRuns",
                "entraGroupSyncRuns",
                "entra-group-sync-runs",
                "ENTRA_GROUP_SYNC_RUNS",
            ]
        );
    }

    #[test]
    fn acronyms_and_digits_split_as_heck_does() {
        assert_eq!(
            expand(
                "HTTPClient",
                &[Variant::Snake, Variant::Camel, Variant::Pascal]
            ),
            ["http_client", "httpClient", "HttpClient"]
        );
        assert_eq!(
            expand("OAuth2Token", &[Variant::Snake, Variant::Kebab]),
            ["o_auth2_token", "o-auth2-token"]
        );
        assert_eq!(expand("URLs", &[Variant::Snake]), ["ur_ls"]);
    }

    #[test]
    fn only_wanted_kinds_are_made() {
        assert_eq!(
            expand("BackupScheduleRun", &[Variant::Snake, Variant::Plural]),
            ["backup_schedule_run", "backup_schedule_runs"]
        );
    }

    #[test]
    fn plurals_follow_the_documented_rules() {
        let cases = [
            ("run", Some("runs")),
            ("policy_entry", Some("policy_entries")),
            ("day", Some("days")),
            ("status", Some("statuses")),
            ("class", Some("classes")),
            ("box", Some("boxes")),
            ("batch", Some("batches")),
            ("runs", None),
            ("v2", None),
        ];
        for (word, expected) in cases {
            assert_eq!(plural(word).as_deref(), expected, "{word}");
        }
    }

    #[test]
    fn things_that_are_not_names_have_no_variants() {
        assert!(all("Http::get").is_empty());
        assert!(all("2026").is_empty());
        assert!(all("a b").is_empty());
    }

    #[test]
    fn spellings_of_a_snake_stem_are_heck_s() {
        let alphabet = ["a", "B", "7", "_", "-", "xy", "HTTP", "Run"];
        let mut tokens: Vec<String> = (0..alphabet.len().pow(4))
            .map(|n| {
                (0..4)
                    .map(|k| alphabet[n / alphabet.len().pow(k) % alphabet.len()])
                    .collect()
            })
            .collect();
        tokens.extend(
            [
                "liability_direction__legacy",
                "OAuth2Token",
                "v2_run",
                "_leading",
                "trailing-",
                "URLs",
            ]
            .map(String::from),
        );
        for token in tokens {
            let snake = token.to_snake_case();
            for stem in std::iter::once(snake.clone()).chain(plural(&snake)) {
                let heck = [
                    stem.to_upper_camel_case(),
                    stem.to_lower_camel_case(),
                    stem.to_snake_case(),
                    stem.to_kebab_case(),
                    stem.to_shouty_snake_case(),
                ];
                for (kind, expected) in Variant::ALL.into_iter().zip(heck) {
                    assert_eq!(spell(&stem, kind), Some(expected), "{kind:?} of {token:?}");
                }
                assert_eq!(spell(&stem, Variant::Plural), None);
            }
        }
    }
}
