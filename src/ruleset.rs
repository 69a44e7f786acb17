//! Compiles the raw rule file into what the walker and the scanner need: the scan scope, one
//! matcher for all tokens and patterns, and each rule's path scope. All validation that needs more
//! than TOML types (unique ids, empty tokens, regex and glob syntax, roots) happens here, and every
//! mistake points at its span in the rule file.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use regex::bytes::RegexBuilder;
use toml::Spanned;

use crate::day::Day;
use crate::finding::Severity;
use crate::matcher::{Bounds, Matcher, RegexSpec, TokenSpec};
use crate::own::OwnFiles;
use crate::ratchet;
use crate::rulefile::{
    LineIndex, MatchMode, RawRule, RawRuleFile, RuleFile, RuleFileError, RuleFileErrors, TEXT_FILES,
};
use crate::suppress;
use crate::variants::{self, Variant};

/// Everything a scan needs, compiled from one rule file.
#[derive(Debug)]
pub struct RuleSet {
    /// The rules, in file order; `Finding::rule` indexes this.
    pub rules: Vec<Rule>,
    /// One engine for every token and pattern of every rule.
    pub matcher: Matcher,
    /// Which files are scanned.
    pub scope: Scope,
    /// The baseline file the rule file names, if any (absolute).
    pub baseline: Option<PathBuf>,
    /// How suppression markers are checked.
    pub suppressions: Suppressions,
    /// Index of the built-in rule for baseline entries that grew since the merge base.
    pub baseline_grew: usize,
}

impl RuleSet {
    /// The rules of the rule file, without vestige's built-in ones.
    pub fn user_rules(&self) -> &[Rule] {
        &self.rules[..self.suppressions.unused]
    }
}

/// The `[suppressions]` settings and the built-in rules that report markers.
#[derive(Debug)]
pub struct Suppressions {
    /// Whether a marker needs a reason.
    pub require_reason: bool,
    /// Index of the built-in rule for markers that suppress nothing (the first built-in rule).
    pub unused: usize,
    /// Index of the built-in rule for markers without a reason.
    pub no_reason: usize,
}

/// One compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// Unique identifier.
    pub id: String,
    /// What is wrong.
    pub message: String,
    /// What to do instead.
    pub help: Option<String>,
    /// How serious a finding is.
    pub severity: Severity,
    /// The tokens as written, their naming variants, then the patterns; `Finding::needle` names
    /// one of them.
    pub needles: Vec<String>,
    /// How many of `needles` are tokens (the written ones, then their naming variants).
    pub token_count: usize,
    /// For each needle that is a naming variant, the index of the token it was made from.
    pub variant_of: Vec<Option<usize>>,
    /// How tokens must be delimited.
    pub match_mode: MatchMode,
    /// Whether matching is case-sensitive.
    pub case_sensitive: bool,
    /// Which paths the rule applies to.
    pub paths: PathScope,
    /// Whether `vestige-ignore` markers may suppress its findings.
    pub suppressible: bool,
    /// The day from which the rule reports with its own severity rather than as a warning.
    pub warn_until: Option<Day>,
    /// Paths that must not exist.
    pub forbid: Forbid,
}

/// A rule's `forbid_paths`.
#[derive(Debug)]
pub struct Forbid {
    globs: Option<Gitignore>,
    /// The patterns as written.
    pub written: Vec<String>,
}

impl Rule {
    /// The `forbid_paths` pattern that `rel` (relative to the project root) matches, if any.
    pub fn forbids(&self, rel: &Path) -> Option<&str> {
        match self
            .forbid
            .globs
            .as_ref()?
            .matched_path_or_any_parents(rel, false)
        {
            ignore::Match::Ignore(glob) => Some(glob.original()),
            _ => None,
        }
    }
}

/// A rule's `paths` and `exclude` globs.
#[derive(Debug)]
pub struct PathScope {
    include: Option<Gitignore>,
    exclude: Option<Gitignore>,
    /// The `paths` patterns as written.
    pub include_globs: Vec<String>,
    /// The `exclude` patterns as written.
    pub exclude_globs: Vec<String>,
}

impl PathScope {
    /// Whether a file at `rel` (relative to the project root) is in scope.
    pub fn applies(&self, rel: &Path) -> bool {
        let hit = |g: &Gitignore| g.matched_path_or_any_parents(rel, false).is_ignore();
        self.include.as_ref().is_none_or(hit) && !self.exclude.as_ref().is_some_and(hit)
    }

    /// Whether the rule applies everywhere.
    pub fn is_everywhere(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }
}

/// The `[scan]` settings, resolved against the project root.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The project root, absolute.
    pub root: PathBuf,
    /// Absolute directories to walk, none inside another.
    pub roots: Vec<PathBuf>,
    /// Paths never scanned.
    pub exclude: Gitignore,
    /// vestige's own files, never scanned: the rule file (it names every forbidden token) and
    /// the baselines.
    pub own_files: OwnFiles,
    /// Whether ignore files are honoured.
    pub gitignore: bool,
    /// Whether dot-files are scanned.
    pub hidden: bool,
    /// Whether symbolic links are followed.
    pub follow_symlinks: bool,
    /// Files larger than this many bytes are skipped.
    pub max_filesize: u64,
    /// Files scanned as text even when they hold NUL bytes.
    pub text_files: TextFiles,
    /// The scan roots that are not directories: an error for the commands that scan, not for
    /// those that only list or explain the rules.
    missing_roots: Vec<RuleFileError>,
    /// Directories under the roots that are not walked: the scan roots, when the rest of the
    /// project is walked for `forbid_paths`.
    pub skip: Vec<PathBuf>,
}

impl Scope {
    /// Fails, pointing into `file`, if a scan root is missing.
    pub fn ensure_roots(&self, file: &RuleFile) -> miette::Result<()> {
        if self.missing_roots.is_empty() {
            return Ok(());
        }
        Err(RuleFileErrors::report(file, self.missing_roots.clone()))
    }

    /// The scope of the rest of the project outside the scan roots, with the same excludes,
    /// ignore files and hidden-file rule, where only `forbid_paths` are checked (a file that
    /// must stay deleted is forbidden wherever it is); `None` when a root is the project root.
    pub fn rest_of_project(&self) -> Option<Self> {
        if self.roots.contains(&self.root) {
            return None;
        }
        Some(Self {
            roots: vec![self.root.clone()],
            skip: self.roots.clone(),
            ..self.clone()
        })
    }
}

/// `scan.text_files`: the files scanned as text even when they hold NUL bytes.
#[derive(Debug, Clone)]
pub struct TextFiles {
    names: GlobSet,
    paths: GlobSet,
}

impl TextFiles {
    /// Whether the file at `rel` (relative to the project root, `/`-separated) is always text.
    pub fn contains(&self, rel: &str) -> bool {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        self.names.is_match(name) || self.paths.is_match(rel)
    }
}

/// Compiles the built-in text files and `scan.text_files`: globs without `/` match the file
/// name, others the relative path.
fn text_files(
    file: &RuleFile,
    patterns: &[Spanned<String>],
    errors: &mut Vec<RuleFileError>,
) -> TextFiles {
    let (mut names, mut paths) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    let built_in = TEXT_FILES
        .iter()
        .map(|glob| Spanned::new(0..0, (*glob).to_owned()));
    for pattern in built_in.chain(patterns.iter().cloned()) {
        let text = pattern.get_ref();
        let glob = GlobBuilder::new(text)
            .literal_separator(true)
            .backslash_escape(true)
            .build();
        match glob {
            Ok(glob) if text.contains('/') => {
                paths.add(glob);
            }
            Ok(glob) => {
                names.add(glob);
            }
            Err(err) => errors.push(file.error(
                pattern.span(),
                "invalid file glob",
                "this glob",
                Some(err.kind().to_string()),
            )),
        }
    }
    TextFiles {
        names: names.build().unwrap_or_else(|_| GlobSet::empty()),
        paths: paths.build().unwrap_or_else(|_| GlobSet::empty()),
    }
}

/// Compiles `raw`, read from `file`, for a project rooted at the absolute path `root`; `today`
/// decides which `warn_until` rules still report warnings.
pub fn compile(
    file: &RuleFile,
    raw: RawRuleFile,
    root: &Path,
    today: Day,
) -> miette::Result<RuleSet> {
    compile_with_own_files(file, raw, root, today, &[])
}

/// `compile`, with `own_files` (absolute: the baselines a command names) never scanned, besides
/// the rule file and the baseline it names.
pub fn compile_with_own_files(
    file: &RuleFile,
    mut raw: RawRuleFile,
    root: &Path,
    today: Day,
    own_files: &[PathBuf],
) -> miette::Result<RuleSet> {
    let mut errors = std::mem::take(&mut raw.errors);
    let baseline = raw.baseline.file.as_ref().map(|path| root.join(path));
    let own_files: Vec<&PathBuf> = own_files.iter().chain(&baseline).collect();
    let scope = compile_scope(file, &raw, root, &own_files, &mut errors);
    let mut rules: Vec<Rule> = Vec::new();
    let mut tokens = Vec::new();
    let mut regexes = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut lines = None;
    for raw_rule in raw.rule {
        let span = raw_rule.span();
        let raw_rule = raw_rule.into_inner();
        let index = rules.len();
        if let Some(&first) = ids.get(raw_rule.id.get_ref()) {
            let lines = lines.get_or_insert_with(|| LineIndex::new(&file.source));
            errors.push(file.error(
                raw_rule.id.span(),
                format!("duplicate rule id `{}`", raw_rule.id.get_ref()),
                "defined again here",
                Some(format!(
                    "every rule needs its own id; this one is first used on line {}",
                    lines.line_of(first)
                )),
            ));
        }
        if [suppress::UNUSED, suppress::NO_REASON, ratchet::GREW]
            .contains(&raw_rule.id.get_ref().as_str())
        {
            errors.push(file.error(
                raw_rule.id.span(),
                format!("rule id `{}` is reserved", raw_rule.id.get_ref()),
                "vestige's own rule",
                Some("vestige reports its own findings under this id; choose another".to_owned()),
            ));
        }
        ids.entry(raw_rule.id.get_ref().clone())
            .or_insert(raw_rule.id.span().start);
        if raw_rule.id.get_ref().is_empty() {
            errors.push(file.error(raw_rule.id.span(), "empty rule id", "here", None));
        }
        if raw_rule.id.get_ref().chars().any(char::is_control) {
            errors.push(
                file.error(
                    raw_rule.id.span(),
                    "rule id holds a control character",
                    "here",
                    Some(
                        "the id is printed in every report, where a control character could drive \
                     the terminal or start a line of its own; use letters, digits, `-` and `_`"
                            .to_owned(),
                    ),
                ),
            );
        }
        if raw_rule.tokens.is_empty()
            && raw_rule.patterns.is_empty()
            && raw_rule.forbid_paths.is_empty()
        {
            errors.push(file.error(
                span,
                format!(
                    "rule `{}` has no tokens, patterns or forbid_paths",
                    raw_rule.id.get_ref()
                ),
                "this rule can never match",
                Some(
                    "add `tokens = [...]`, `patterns = [...]` or `forbid_paths = [...]`".to_owned(),
                ),
            ));
        }
        let warn_until = raw_rule.warn_until.as_ref().and_then(|when| {
            let day = match (when.get_ref().date, when.get_ref().time) {
                (Some(date), None) => Day::new(i32::from(date.year), date.month, date.day),
                _ => None,
            };
            if day.is_none() {
                errors.push(
                    file.error(
                        when.span(),
                        "warn_until must be a date",
                        "not a plain date",
                        Some(
                            "write a TOML date without quotes or time: warn_until = 2026-03-01"
                                .to_owned(),
                        ),
                    ),
                );
            }
            day
        });
        let bounds = match raw_rule.match_mode {
            MatchMode::Word => Bounds::Word,
            MatchMode::Part => Bounds::Part,
            MatchMode::Substring => Bounds::Anywhere,
        };
        let kinds = variant_kinds(file, raw_rule.variants.as_ref(), &mut errors);
        let mut variants: Vec<(String, usize)> = Vec::new();
        if !kinds.is_empty() {
            let mut known: HashSet<String> = raw_rule
                .tokens
                .iter()
                .map(|t| t.get_ref().clone())
                .collect();
            for (i, token) in raw_rule.tokens.iter().enumerate() {
                for variant in variants::expand(token.get_ref(), &kinds) {
                    if known.insert(variant.clone()) {
                        variants.push((variant, i));
                    }
                }
            }
        }
        let written = raw_rule.tokens.iter().map(Spanned::get_ref);
        for (needle, token) in written.chain(variants.iter().map(|(v, _)| v)).enumerate() {
            if token.is_empty() {
                let span = raw_rule.tokens[needle].span();
                errors.push(file.error(span, "empty token", "matches nothing", None));
                continue;
            }
            tokens.push(TokenSpec {
                rule: index,
                needle,
                token: token.clone(),
                bounds,
                case_sensitive: raw_rule.case_sensitive,
            });
        }
        for (i, pattern) in raw_rule.patterns.iter().enumerate() {
            let built = RegexBuilder::new(pattern.get_ref())
                .multi_line(true)
                .crlf(true)
                .case_insensitive(!raw_rule.case_sensitive)
                .build();
            match built {
                Ok(regex) => regexes.push(RegexSpec {
                    rule: index,
                    needle: raw_rule.tokens.len() + variants.len() + i,
                    regex,
                }),
                Err(err) => errors.push(file.error(
                    pattern.span(),
                    "invalid regular expression",
                    "this pattern",
                    Some(err.to_string()),
                )),
            }
        }
        let written = |patterns: &[Spanned<String>]| -> Vec<String> {
            patterns.iter().map(|p| p.get_ref().clone()).collect()
        };
        let paths = PathScope {
            include: globs(file, root, &raw_rule.paths, &mut errors),
            exclude: globs(file, root, &raw_rule.exclude, &mut errors),
            include_globs: written(&raw_rule.paths),
            exclude_globs: written(&raw_rule.exclude),
        };
        let forbid = Forbid {
            globs: globs(file, root, &raw_rule.forbid_paths, &mut errors),
            written: written(&raw_rule.forbid_paths),
        };
        let mut rule = into_rule(raw_rule, variants, paths, forbid);
        if let Some(day) = warn_until {
            rule.warn_until = Some(day);
            if today < day {
                rule.severity = rule.severity.max(Severity::Warning);
                rule.message = format!("{} (a warning until {day}, then an error)", rule.message);
            }
        }
        rules.push(rule);
    }
    let suppressions = Suppressions {
        require_reason: raw.suppressions.require_reason,
        unused: rules.len(),
        no_reason: rules.len() + 1,
    };
    rules.push(builtin(
        suppress::UNUSED,
        "this vestige-ignore suppresses nothing",
        "remove it: the finding it named is gone, or the rule id is wrong, or the rule is not \
         suppressible",
        Severity::Warning,
    ));
    rules.push(builtin(
        suppress::NO_REASON,
        "this vestige-ignore gives no reason",
        "say why the reference stays: `vestige-ignore: RULE -- reason` ([suppressions] \
         require_reason is on)",
        Severity::Error,
    ));
    let baseline_grew = rules.len();
    rules.push(builtin(
        ratchet::GREW,
        "the baseline tolerates more of this reference than it did at the merge base",
        "fix the new reference rather than baselining it: take the baseline back from the target \
         branch; a baseline only shrinks (`vestige check --prune-baseline`)",
        Severity::Error,
    ));
    let matcher = Matcher::new(tokens, regexes);
    match (scope, matcher) {
        (Some(scope), Ok(matcher)) if errors.is_empty() => Ok(RuleSet {
            rules,
            matcher,
            scope,
            baseline,
            suppressions,
            baseline_grew,
        }),
        (_, Err(err)) if errors.is_empty() => Err(miette::miette!(
            "cannot build the token automaton for {}: {err}",
            file.name
        )),
        (scope, _) => {
            errors.extend(scope.into_iter().flat_map(|scope| scope.missing_roots));
            Err(RuleFileErrors::report(file, errors))
        }
    }
}

/// The variant kinds a rule's `variants` asks for: `true` for all, `false` for none, or a list
/// of names.
fn variant_kinds(
    file: &RuleFile,
    raw: Option<&Spanned<toml::Value>>,
    errors: &mut Vec<RuleFileError>,
) -> Vec<Variant> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    let names = || {
        Variant::ALL
            .iter()
            .map(|v| v.name())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match raw.get_ref() {
        toml::Value::Boolean(true) => Variant::ALL.to_vec(),
        toml::Value::Boolean(false) => Vec::new(),
        toml::Value::Array(items) => {
            let kinds: Option<Vec<Variant>> = items
                .iter()
                .map(|item| item.as_str().and_then(Variant::from_name))
                .collect();
            kinds.unwrap_or_else(|| {
                errors.push(file.error(
                    raw.span(),
                    "unknown naming variant",
                    "in this list",
                    Some(format!("the variants are: {}", names())),
                ));
                Vec::new()
            })
        }
        _ => {
            errors.push(file.error(
                raw.span(),
                "variants must be true, false or a list of variant names",
                "here",
                Some(format!("e.g. variants = true, or variants = [\"snake\", \"plural\"]; the variants are: {}", names())),
            ));
            Vec::new()
        }
    }
}

fn into_rule(
    raw: RawRule,
    variants: Vec<(String, usize)>,
    paths: PathScope,
    forbid: Forbid,
) -> Rule {
    let token_count = raw.tokens.len() + variants.len();
    let mut variant_of = vec![None; raw.tokens.len()];
    variant_of.extend(variants.iter().map(|&(_, of)| Some(of)));
    variant_of.extend(raw.patterns.iter().map(|_| None));
    let needles = raw
        .tokens
        .into_iter()
        .map(Spanned::into_inner)
        .chain(variants.into_iter().map(|(v, _)| v))
        .chain(raw.patterns.into_iter().map(Spanned::into_inner))
        .collect();
    Rule {
        id: raw.id.into_inner(),
        message: raw.message,
        help: raw.help,
        severity: raw.severity,
        needles,
        token_count,
        variant_of,
        match_mode: raw.match_mode,
        case_sensitive: raw.case_sensitive,
        paths,
        suppressible: raw.suppressible,
        warn_until: None,
        forbid,
    }
}

/// vestige's own rule `id`, reported at suppression markers or baseline entries.
fn builtin(id: &str, message: &str, help: &str, severity: Severity) -> Rule {
    Rule {
        id: id.to_owned(),
        message: message.to_owned(),
        help: Some(help.to_owned()),
        severity,
        needles: vec![suppress::MARKER.to_owned()],
        token_count: 0,
        variant_of: vec![None],
        match_mode: MatchMode::Substring,
        case_sensitive: true,
        paths: PathScope {
            include: None,
            exclude: None,
            include_globs: Vec::new(),
            exclude_globs: Vec::new(),
        },
        suppressible: false,
        warn_until: None,
        forbid: Forbid {
            globs: None,
            written: Vec::new(),
        },
    }
}

fn compile_scope(
    file: &RuleFile,
    raw: &RawRuleFile,
    root: &Path,
    own_files: &[&PathBuf],
    errors: &mut Vec<RuleFileError>,
) -> Option<Scope> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut missing_roots = Vec::new();
    for dir in &raw.scan.roots {
        let Some(relative) = inside_root(dir.get_ref()) else {
            errors.push(file.error(
                dir.span(),
                format!("scan root `{}` is not a plain relative path", dir.get_ref()),
                "absolute or uses `..`",
                Some("roots are relative to the project root, without `..`".to_owned()),
            ));
            continue;
        };
        let absolute: PathBuf = root.join(relative).components().collect();
        if !absolute.is_dir() {
            missing_roots.push(file.error(
                dir.span(),
                format!("scan root `{}` is not a directory", dir.get_ref()),
                "no such directory",
                Some(format!(
                    "roots are relative to the project root {}",
                    root.display()
                )),
            ));
            continue;
        }
        roots.push(absolute);
    }
    roots.sort();
    roots.dedup_by(|inner, outer| inner.starts_with(outer));
    let exclude = globs(file, root, &raw.scan.exclude, errors).unwrap_or_else(Gitignore::empty);
    Some(Scope {
        root: root.to_owned(),
        roots,
        exclude,
        own_files: OwnFiles::of(&file.path, own_files),
        gitignore: raw.scan.gitignore,
        hidden: raw.scan.hidden,
        follow_symlinks: raw.scan.follow_symlinks,
        max_filesize: raw.scan.max_filesize,
        text_files: text_files(file, &raw.scan.text_files, errors),
        missing_roots,
        skip: Vec::new(),
    })
}

/// `dir` as a relative path without `..`, if it stays inside the root.
fn inside_root(dir: &str) -> Option<PathBuf> {
    let path = Path::new(dir);
    path.components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        .then(|| path.to_owned())
}

/// Compiles gitignore-style `patterns` relative to `root`; `None` when there are none.
fn globs(
    file: &RuleFile,
    root: &Path,
    patterns: &[Spanned<String>],
    errors: &mut Vec<RuleFileError>,
) -> Option<Gitignore> {
    if patterns.is_empty() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(root);
    builder.allow_unclosed_class(false);
    for pattern in patterns {
        if let Some((label, help)) = never_matches(pattern.get_ref(), root) {
            errors.push(file.error(
                pattern.span(),
                format!("path pattern `{}` can never match", pattern.get_ref()),
                label,
                Some(help),
            ));
            continue;
        }
        if let Err(err) = builder.add_line(None, pattern.get_ref()) {
            errors.push(glob_error(file, pattern.span(), &err));
        }
    }
    match builder.build() {
        Ok(gitignore) => Some(gitignore),
        Err(err) => {
            errors.push(glob_error(file, patterns[0].span(), &err));
            None
        }
    }
}

/// Why the gitignore-style `pattern` can match no path under `root`, with the spelling that
/// would (a label and a help text), or `None` for a pattern that can match.
fn never_matches(pattern: &str, root: &Path) -> Option<(&'static str, String)> {
    const RELATIVE: &str = "patterns are relative to the project root";
    let trimmed = pattern.trim();
    if trimmed.is_empty() {
        return Some(("empty", "remove the empty pattern".to_owned()));
    }
    if pattern.starts_with('#') {
        return Some((
            "a comment in gitignore syntax",
            format!("escape the `#` to match a name that starts with it: `\\{pattern}`"),
        ));
    }
    let (negation, body) = match pattern.strip_prefix('!') {
        Some(body) => ("!", body),
        None => ("", pattern),
    };
    let spellings = [Some(root.to_owned()), root.canonicalize().ok()];
    for spelling in spellings.iter().flatten() {
        let prefix = format!("{}/", spelling.to_string_lossy().trim_end_matches('/'));
        if let Some(inside) = body.strip_prefix(prefix.as_str()) {
            return Some((
                "an absolute path",
                format!("{RELATIVE}; write `{negation}/{inside}`"),
            ));
        }
    }
    let bytes = body.as_bytes();
    if bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Some(("an absolute Windows path", format!("{RELATIVE}, with `/`")));
    }
    if body.starts_with('~') {
        return Some(("a home-directory path", RELATIVE.to_owned()));
    }
    if let Some(backslash) = windows_separator(body) {
        return Some((
            "a backslash, which escapes the next character",
            format!("separate directories with `/`: `{negation}{backslash}`"),
        ));
    }
    let parts: Vec<&str> = body.split('/').collect();
    if parts.contains(&"..") {
        return Some((
            "leaves the project root",
            format!("{RELATIVE} and cannot use `..`"),
        ));
    }
    if parts.contains(&".") {
        let kept: Vec<&str> = parts.iter().copied().filter(|p| *p != ".").collect();
        let mut fixed = kept.join("/");
        if body.starts_with("./") && !fixed.trim_end_matches('/').contains('/') {
            fixed.insert(0, '/');
        }
        return Some((
            "`.` is not a directory name in gitignore syntax",
            format!("write `{negation}{fixed}`"),
        ));
    }
    None
}

/// `pattern` with backslashes used as directory separators turned into `/`, if it has any: a
/// backslash before a letter, digit, `.` or `-` escapes nothing a glob needs escaped.
fn windows_separator(pattern: &str) -> Option<String> {
    let bytes = pattern.as_bytes();
    let separator = bytes.windows(2).any(|pair| {
        pair[0] == b'\\'
            && (pair[1].is_ascii_alphanumeric() || matches!(pair[1], b'.' | b'-' | b'_'))
    });
    separator.then(|| pattern.replace('\\', "/"))
}

fn glob_error(file: &RuleFile, span: Range<usize>, err: &ignore::Error) -> RuleFileError {
    file.error(
        span,
        "invalid path pattern",
        "this pattern",
        Some(err.to_string()),
    )
}
