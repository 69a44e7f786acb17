//! First contact: `vestige init`, `vestige schema` (validated against the shipped rule files),
//! shell completions and the man page.

use std::fs;

use crate::support::{check_in, repo, run, vestige, write};
use serde_json::Value;
use tempfile::TempDir;

/// A Laravel-shaped directory: composer.json requiring laravel/framework, and four of the five
/// usual roots (no `config/`).
fn laravel() -> TempDir {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "composer.json",
        r#"{"require": {"php": "^8.2", "laravel/framework": "^11.0"}}"#,
    );
    for root in ["app", "database", "resources", "routes"] {
        fs::create_dir(dir.path().join(root)).unwrap();
    }
    dir
}

fn init(dir: &std::path::Path, args: &[&str], code: i32) -> String {
    let mut cmd = vestige(dir);
    cmd.arg("init").args(args);
    run(cmd, code).1
}

#[test]
fn init_writes_a_laravel_starter_that_passes_check_at_once() {
    let dir = laravel();
    let stderr = init(dir.path(), &[], 0);
    assert!(stderr.contains("for a Laravel application"), "{stderr}");
    let written = fs::read_to_string(dir.path().join("vestige.toml")).unwrap();
    insta::assert_snapshot!("init_laravel", written);
    run(check_in(dir.path(), &[]), 0);
    write(dir.path(), "app/Old.php", "<?php new LegacyExampleRun();\n");
    write(
        dir.path(),
        "vendor/x/Old.php",
        "<?php new LegacyExampleRun();\n",
    );
    write(
        dir.path(),
        "resources/views/vendor/mail/html/layout.blade.php",
        "{{ LegacyExampleRun::count() }}\n",
    );
    let (out, _) = run(check_in(dir.path(), &["--format", "short"]), 1);
    let paths: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        paths,
        [
            "app/Old.php",
            "resources/views/vendor/mail/html/layout.blade.php"
        ],
        "published vendor views are the app's own code; Composer's vendor/ is not"
    );
}

#[test]
fn init_never_overwrites_without_force() {
    let dir = laravel();
    write(dir.path(), "vestige.toml", "# mine\n");
    let stderr = init(dir.path(), &[], 2);
    assert!(stderr.contains("vestige.toml already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        fs::read_to_string(dir.path().join("vestige.toml")).unwrap(),
        "# mine\n"
    );
    init(dir.path(), &["--force"], 0);
    assert!(
        fs::read_to_string(dir.path().join("vestige.toml"))
            .unwrap()
            .starts_with("#:schema")
    );
}

#[test]
fn init_elsewhere_scans_the_whole_directory() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "composer.json",
        r#"{"require": {"symfony/console": "^7"}}"#,
    );
    init(dir.path(), &[], 0);
    let written = fs::read_to_string(dir.path().join("vestige.toml")).unwrap();
    assert!(written.contains("roots = [\".\"]"), "{written}");
    assert!(!written.contains("Laravel"), "{written}");
    run(check_in(dir.path(), &[]), 0);
}

/// A TOML document as the JSON an editor validates: dates become strings.
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

fn schema() -> jsonschema::Validator {
    let mut cmd = vestige(&repo());
    cmd.arg("schema");
    let (out, _) = run(cmd, 0);
    let schema: Value = serde_json::from_str(&out).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn errors(validator: &jsonschema::Validator, toml_text: &str) -> Vec<String> {
    let document = toml_to_json(toml::from_str(toml_text).unwrap());
    validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn the_schema_accepts_the_shipped_and_generated_rule_files() {
    let validator = schema();
    let shipped = fs::read_to_string(repo().join("rules.toml")).unwrap();
    assert_eq!(errors(&validator, &shipped), Vec::<String>::new());
    let dir = laravel();
    init(dir.path(), &[], 0);
    let started = fs::read_to_string(dir.path().join("vestige.toml")).unwrap();
    assert_eq!(errors(&validator, &started), Vec::<String>::new());
    let every_key = "[scan]\nroots = [\"app\"]\nexclude = [\"vendor/\"]\ngitignore = true\n\
        hidden = false\nfollow_symlinks = false\nmax_filesize = 1000\n\
        [baseline]\nfile = \"b.toml\"\n[suppressions]\nrequire_reason = true\n\
        [[rule]]\nid = \"a\"\nmessage = \"m\"\nhelp = \"h\"\nseverity = \"warning\"\n\
        tokens = [\"X\"]\npatterns = [\"y\"]\nmatch = \"substring\"\ncase_sensitive = false\n\
        paths = [\"app/**\"]\nexclude = [\"a.php\"]\nsuppressible = false\n\
        warn_until = 2026-03-01\nforbid_paths = [\"b.php\"]\nvariants = [\"snake\", \"plural\"]\n\
        [[rule]]\nid = \"b\"\nmessage = \"m\"\ntokens = [\"Y\"]\nvariants = true\n";
    assert_eq!(errors(&validator, every_key), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = schema();
    for bad in [
        "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokns = [\"X\"]\n",
        "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"X\"]\nseverity = \"fatal\"\n",
        "[[rule]]\nid = \"a\"\nmessage = \"m\"\ntokens = [\"X\"]\nvariants = [\"sentence\"]\n",
        "[[rule]]\nmessage = \"m\"\ntokens = [\"X\"]\n",
        "[scan]\nroot = [\"app\"]\n",
    ] {
        assert!(!errors(&validator, bad).is_empty(), "accepted: {bad}");
    }
}

#[test]
fn completions_generate_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let mut cmd = vestige(&repo());
        cmd.args(["completions", shell]);
        let (out, _) = run(cmd, 0);
        assert!(
            out.contains("since") && out.contains("explain"),
            "{shell}: {out}"
        );
    }
}

#[test]
fn the_man_page_documents_every_subcommand() {
    let mut cmd = vestige(&repo());
    cmd.arg("man");
    let (out, _) = run(cmd, 0);
    assert!(out.starts_with(".ie") || out.starts_with(".TH"), "{out}");
    assert!(out.contains(".TH vestige 1"), "{out}");
    for sub in [
        "check",
        "rules",
        "explain",
        "report",
        "init",
        "schema",
        "completions",
    ] {
        assert!(out.contains(sub), "{sub}");
        let mut page = vestige(&repo());
        page.args(["man", sub]);
        let (page, _) = run(page, 0);
        assert!(
            page.contains(&format!(".TH vestige-{sub} 1")),
            "{sub}: {page}"
        );
    }
    let mut check = vestige(&repo());
    check.args(["man", "check"]);
    let (check, _) = run(check, 0);
    for flag in [
        "since",
        "staged",
        "write\\-baseline",
        "format",
        "EXIT STATUS",
    ] {
        assert!(check.contains(flag), "vestige-check(1) lacks {flag}");
    }
    let mut unknown = vestige(&repo());
    unknown.args(["man", "nope"]);
    let (_, err) = run(unknown, 2);
    assert!(err.contains("no subcommand `nope`"), "{err}");
}
