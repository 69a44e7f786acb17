//! Every kind of mistake in a rule file ends the run with exit code 2, prints nothing on standard
//! output, and draws a diagnostic on standard error that points into the file. The diagnostics are
//! locked in as insta snapshots (`tests/snapshots/tests__rule_file_errors__*.snap`): review each
//! one for the right span, a clear message and a useful help line before accepting it.

use std::path::Path;

use crate::support::check_in;
use tempfile::TempDir;

/// A temporary project holding `rules` as `vestige.toml` and an empty `app/` directory.
fn project(rules: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("create a temp dir");
    std::fs::create_dir(dir.path().join("app")).expect("create app/");
    std::fs::write(dir.path().join("vestige.toml"), rules).expect("write vestige.toml");
    dir
}

/// Runs `vestige check` (plus `args`) in `dir` and returns its standard error, after checking that
/// the run failed with exit code 2 and printed nothing on standard output.
fn fail_in(dir: &Path, args: &[&str]) -> String {
    let output = check_in(dir, args)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run vestige");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8 stdout");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(
        output.status.code(),
        Some(2),
        "expected exit code 2\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert_eq!(stdout, "", "nothing may be printed on stdout");
    assert!(!stderr.is_empty(), "the error must be explained on stderr");
    stderr
}

/// Writes `rules` into a fresh project and returns the stderr of the failed check.
fn fail(rules: &str) -> String {
    let dir = project(rules);
    fail_in(dir.path(), &["--config", "vestige.toml"])
}

/// The current-directory form of `dir`, as the binary sees it (the temp dir may be a symlink).
fn canonical(dir: &TempDir) -> String {
    dir.path()
        .canonicalize()
        .expect("canonicalize the temp dir")
        .display()
        .to_string()
}

/// `text` with every run of whitespace (including wrapped-line gutters) reduced to one space.
fn flatten(text: &str) -> String {
    text.split_whitespace()
        .filter(|word| *word != "|")
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn toml_syntax_error() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"
"#,
    );
    insta::assert_snapshot!("toml_syntax_error", stderr);
}

#[test]
fn unterminated_string() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "never closed
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("unterminated_string", stderr);
}

#[test]
fn duplicate_toml_key() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
id = "y"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("duplicate_toml_key", stderr);
}

#[test]
fn unknown_rule_key_suggests_the_nearest() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokns = ["a"]
"#,
    );
    insta::assert_snapshot!("unknown_rule_key", stderr);
}

#[test]
fn unknown_scan_key_suggests_the_nearest() {
    let stderr = fail(
        r#"[scan]
roots = ["app"]
exclud = ["vendor/"]

[[rule]]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("unknown_scan_key", stderr);
}

#[test]
fn unknown_top_level_table() {
    let stderr = fail(
        r#"[rules]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("unknown_top_level_table", stderr);
}

#[test]
fn tokens_of_the_wrong_type() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = "x"
"#,
    );
    insta::assert_snapshot!("tokens_wrong_type", stderr);
}

#[test]
fn token_of_the_wrong_type() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a", 1]
"#,
    );
    insta::assert_snapshot!("token_wrong_type", stderr);
}

#[test]
fn case_sensitive_of_the_wrong_type() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
case_sensitive = "yes"
"#,
    );
    insta::assert_snapshot!("case_sensitive_wrong_type", stderr);
}

#[test]
fn misspelt_severity() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
severity = "eror"
"#,
    );
    insta::assert_snapshot!("misspelt_severity", stderr);
}

#[test]
fn misspelt_match_mode() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
match = "substrng"
"#,
    );
    insta::assert_snapshot!("misspelt_match_mode", stderr);
}

#[test]
fn unknown_match_mode_lists_the_choices() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
match = "regex"
"#,
    );
    insta::assert_snapshot!("unknown_match_mode", stderr);
}

#[test]
fn missing_message() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("missing_message", stderr);
}

#[test]
fn duplicate_rule_ids() {
    let stderr = fail(
        r#"[[rule]]
id = "legacy"
message = "m"
tokens = ["a"]

[[rule]]
id = "legacy"
message = "n"
tokens = ["b"]
"#,
    );
    insta::assert_snapshot!("duplicate_rule_ids", stderr);
}

#[test]
fn empty_rule_id() {
    let stderr = fail(
        r#"[[rule]]
id = ""
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("empty_rule_id", stderr);
}

#[test]
fn empty_token() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a", ""]
"#,
    );
    insta::assert_snapshot!("empty_token", stderr);
}

#[test]
fn rule_without_tokens_or_patterns() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
help = "h"
"#,
    );
    insta::assert_snapshot!("no_tokens_no_patterns", stderr);
}

#[test]
fn invalid_regex() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
patterns = ["foo(bar"]
"#,
    );
    insta::assert_snapshot!("invalid_regex", stderr);
}

#[test]
fn regex_over_the_size_limit_is_a_clean_error() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
patterns = ['\w{1000}{1000}']
"#,
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    insta::assert_snapshot!("regex_size_limit", stderr);
}

#[test]
fn invalid_glob_in_rule_paths() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
paths = ["app/[z"]
"#,
    );
    insta::assert_snapshot!("invalid_glob_in_paths", stderr);
}

#[test]
fn invalid_glob_in_rule_exclude() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]
exclude = ["app/{a,b"]
"#,
    );
    insta::assert_snapshot!("invalid_glob_in_rule_exclude", stderr);
}

#[test]
fn invalid_glob_in_scan_exclude() {
    let stderr = fail(
        r#"[scan]
exclude = ["vendor/", "app/[z"]

[[rule]]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("invalid_glob_in_scan_exclude", stderr);
}

#[test]
fn scan_root_that_does_not_exist() {
    let dir = project(
        r#"[scan]
roots = ["app", "src"]

[[rule]]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    let stderr = fail_in(dir.path(), &["--config", "vestige.toml"]);
    let root = canonical(&dir);
    assert!(flatten(&stderr).contains(&format!("relative to the project root {root}")));
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&regex::escape(&root), "[ROOT]");
    settings.bind(|| insta::assert_snapshot!("scan_root_missing", stderr));
}

#[test]
fn scan_root_outside_the_project() {
    let stderr = fail(
        r#"[scan]
roots = ["app", "../elsewhere"]

[[rule]]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("scan_root_with_parent_dir", stderr);
}

/// Six mistakes spread over `[scan]` and two rules: each is drawn in file order, then the count.
#[test]
fn several_errors_are_drawn_one_after_another() {
    let stderr = fail(
        r#"[scan]
roots = ["../up"]
exclude = ["app/[z"]

[[rule]]
id = "x"
message = "m"
tokens = ["a", ""]
patterns = ["("]

[[rule]]
id = "x"
message = "m"
tokens = ["b"]
paths = ["app/{a"]
"#,
    );
    assert!(
        stderr.ends_with("\nerror: vestige.toml has 6 errors\n"),
        "{stderr}"
    );
    insta::assert_snapshot!("several_errors", stderr);
}

#[test]
fn no_rule_file_anywhere() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    let stderr = fail_in(dir.path(), &[]);
    let flat = flatten(&stderr);
    let root = canonical(&dir);
    assert!(
        flat.contains(&format!(
            "no rule file found: looked for vestige.toml and .vestige.toml in {root} and every \
             directory above it"
        )),
        "{stderr}"
    );
    assert!(flat.contains("--config FILE"), "{stderr}");
    assert!(flat.contains("run `vestige init`"), "{stderr}");
}

#[test]
fn missing_explicit_rule_file() {
    let dir = tempfile::tempdir().expect("create a temp dir");
    let stderr = fail_in(dir.path(), &["--config", "nope.toml"]);
    assert!(
        stderr.contains("cannot read rule file nope.toml"),
        "{stderr}"
    );
}

#[test]
fn several_errors_are_drawn_in_file_order() {
    let stderr = fail(
        r#"[[rule]]
id = "x"
message = "m"
tokens = ["a"]

[[rule]]
id = "x"
message = "m"

[scan]
roots = ["nope"]
"#,
    );
    let at = |needle: &str| {
        stderr
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {stderr}"))
    };
    assert!(at("vestige.toml:6:1") < at("vestige.toml:7:6"), "{stderr}");
    assert!(
        at("vestige.toml:7:6") < at("vestige.toml:11:10"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: vestige.toml has 3 errors\n"),
        "{stderr}"
    );
}

#[test]
fn rule_written_as_a_single_table() {
    let stderr = fail(
        r#"[rule]
id = "x"
message = "m"
tokens = ["a"]
"#,
    );
    insta::assert_snapshot!("rule_single_brackets", stderr);
}

#[test]
fn path_patterns_that_can_never_match_are_errors_with_the_right_spelling() {
    let stderr = fail(
        r##"[scan]
exclude = ["./vendor", ""]

[[rule]]
id = "x"
message = "m"
tokens = ["a"]
paths = ["./app/**", "app/../routes/*.php"]
exclude = ['app\Legacy\*.php', "#tmp"]
forbid_paths = ["app/./Models/Old.php", "   "]
"##,
    );
    insta::assert_snapshot!("path_patterns_that_never_match", stderr);
}

#[test]
fn an_absolute_path_pattern_is_an_error_that_gives_the_relative_one() {
    let dir = project("");
    let root = canonical(&dir);
    std::fs::write(
        dir.path().join("vestige.toml"),
        format!(
            "[[rule]]\nid = \"x\"\nmessage = \"m\"\ntokens = [\"a\"]\nforbid_paths = [\"{root}/app/Old.php\"]\n"
        ),
    )
    .unwrap();
    let stderr = flatten(&fail_in(dir.path(), &[]));
    assert!(stderr.contains("can never match"), "{stderr}");
    assert!(stderr.contains("write `/app/Old.php`"), "{stderr}");
}

#[test]
fn type_errors_and_compile_errors_are_all_reported_in_one_run() {
    let stderr = fail(
        r#"[scan]
hidden = "no"

[[rule]]
id = "a"
message = "m"
severity = "fatal"
tokens = ["X"]

[[rule]]
id = "b"
message = "m"
tokens = ["Y"]
warn_until = "2026-03-01"

[[rule]]
id = "c"
message = "m"
tokens = ["Z"]
paths = ["app/[z"]
"#,
    );
    insta::assert_snapshot!("type_and_compile_errors_at_once", stderr);
}

#[test]
fn every_mistake_of_one_rule_is_reported_in_one_run() {
    let stderr = flatten(&fail(
        r#"[[rule]]
id = "a"
message = "m"
severity = "fatal"
tokens = ["X"]
warn_until = "2026-03-01"
match = "wrod"
paths = ["app/[z"]

[[rule]]
id = "b"
tokens = 3
"#,
    ));
    for expected in [
        "unknown variant `fatal`",
        "write `warn_until = 2026-03-01`",
        "unknown variant `wrod`",
        "invalid path pattern",
        "invalid type: integer `3`, expected an array",
        "missing field `message`",
        "vestige.toml has 6 errors",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    assert!(!stderr.contains("no tokens"), "{stderr}");
}
