//! The pre-commit hook, run by the real pre-commit framework (from PyPI) on a temporary git
//! repository. The hook is the one `.pre-commit-hooks.yaml` declares, turned into a local hook
//! that runs the built binary instead of installing the crate.
//!
//! Ignored by default because it needs `pre-commit` on the PATH; `.ci/run` installs it and runs
//! `cargo test --test precommit -- --ignored`.

#[path = "support/cli.rs"]
mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use support::{git_command, write};
use tempfile::TempDir;

/// The fields of the vestige hook in `.pre-commit-hooks.yaml` (a flat list of `key: value`).
fn manifest_hook() -> Vec<(String, String)> {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    let fields: Vec<(String, String)> = manifest
        .lines()
        .filter(|line| !line.trim_start().starts_with('#') && line.contains(": "))
        .map(|line| {
            let (key, value) = line
                .trim_start_matches(['-', ' '])
                .split_once(": ")
                .unwrap();
            (key.to_owned(), value.to_owned())
        })
        .collect();
    assert!(
        fields.contains(&("id".into(), "vestige".into())),
        "{fields:?}"
    );
    assert!(
        fields.contains(&("language".into(), "rust".into())),
        "{fields:?}"
    );
    fields
}

/// A `.pre-commit-config.yaml` with the manifest's hook as a local hook on the built binary.
fn local_config() -> String {
    let mut config = String::from("repos:\n  - repo: local\n    hooks:\n");
    let mut first = true;
    for (key, value) in manifest_hook() {
        let value = match key.as_str() {
            "language" => "system".to_owned(),
            "entry" => value.replacen("vestige", env!("CARGO_BIN_EXE_vestige"), 1),
            _ => value,
        };
        let bullet = if first { "- " } else { "  " };
        first = false;
        config.push_str(&format!("      {bullet}{key}: {value}\n"));
    }
    config
}

fn git(dir: &Path, args: &[&str]) -> Output {
    git_command(dir)
        .args(args)
        .env("PRE_COMMIT_HOME", dir.join(".git/pre-commit-home"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Stages everything and commits; returns whether the commit was made and what was printed.
fn commit(dir: &Path, message: &str) -> (bool, String) {
    assert!(git(dir, &["add", "-A"]).status.success());
    let output = git(dir, &["commit", "-m", message]);
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
#[ignore = "needs pre-commit on the PATH (pip install pre-commit); .ci/run runs it"]
fn the_hook_refuses_a_forbidden_token_and_passes_clean_commits() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    assert!(git(d, &["init", "-q", "-b", "main"]).status.success());
    write(
        d,
        "vestige.toml",
        "[scan]\nroots = [\"app\"]\nexclude = [\"vendor/\"]\n\n[[rule]]\nid = \"legacy-runs\"\n\
         message = \"legacy run table\"\nhelp = \"use OperationRun\"\ntokens = [\"LegacyRun\"]\n",
    );
    write(d, ".pre-commit-config.yaml", local_config());
    let install = Command::new("pre-commit")
        .current_dir(d)
        .arg("install")
        .env("PRE_COMMIT_HOME", d.join(".git/pre-commit-home"))
        .output()
        .expect("pre-commit is not on the PATH (pip install pre-commit)");
    assert!(install.status.success(), "{install:?}");

    write(d, "app/Ok.php", "<?php\nOperationRun::query();\n");
    let (made, output) = commit(d, "clean");
    assert!(made, "a clean commit must pass:\n{output}");
    assert!(
        output.contains("vestige") && output.contains("Passed"),
        "{output}"
    );

    write(d, "app/Bad.php", "<?php\n\nLegacyRun::query();\n");
    let (made, output) = commit(d, "bad");
    assert!(!made, "a forbidden token must refuse the commit:\n{output}");
    assert!(output.contains("Failed"), "{output}");
    assert!(output.contains("legacy run table"), "{output}");
    assert!(output.contains("app/Bad.php:3:1"), "{output}");

    fs::remove_file(d.join("app/Bad.php")).unwrap();
    write(d, "vendor/lib/Old.php", "<?php LegacyRun::query();\n");
    let (made, output) = commit(d, "vendor only");
    assert!(made, "a vendor/ file must be skipped:\n{output}");
}
