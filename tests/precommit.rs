//! The pre-commit hooks, run by the real pre-commit framework (from PyPI) on temporary git
//! repositories. Each hook is the one `.pre-commit-hooks.yaml` declares, turned into a local hook
//! that runs the built binary instead of installing the crate: `vestige` checks the lines a commit
//! adds, `vestige-files` every file it touches, whole. (`tests/precommit_wheel.rs` installs the
//! same hooks from the wheel, as their users do.)
//!
//! Ignored by default because they need `pre-commit` on the PATH; `.ci/run` installs it and runs
//! `cargo test --test tests precommit:: -- --ignored`.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{git, git_command, printed, write};
use tempfile::TempDir;

/// The hooks of `.pre-commit-hooks.yaml`, each a list of its `key: value` fields in file order.
fn manifest_hooks() -> Vec<Vec<(String, String)>> {
    let manifest =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"))
            .unwrap();
    let mut hooks: Vec<Vec<(String, String)>> = Vec::new();
    for line in manifest.lines() {
        if line.trim_start().starts_with('#') || !line.contains(": ") {
            continue;
        }
        if line.starts_with("- ") {
            hooks.push(Vec::new());
        }
        let (key, value) = line
            .trim_start_matches(['-', ' '])
            .split_once(": ")
            .unwrap();
        hooks
            .last_mut()
            .expect("a field before the first hook")
            .push((key.to_owned(), value.to_owned()));
    }
    hooks
}

/// The fields of the hook `id` in the manifest.
fn manifest_hook(id: &str) -> Vec<(String, String)> {
    let hooks = manifest_hooks();
    let hook = hooks
        .iter()
        .find(|fields| fields.contains(&("id".into(), id.into())))
        .unwrap_or_else(|| panic!("no hook {id} in .pre-commit-hooks.yaml: {hooks:?}"));
    assert!(
        hook.contains(&("language".into(), "rust".into())),
        "{hook:?}"
    );
    hook.clone()
}

/// A `.pre-commit-config.yaml` with the manifest's hook `id` as a local hook on the built binary,
/// plus the extra `key: value` lines a user would add to it.
fn local_config(id: &str, extra: &[&str]) -> String {
    let mut config = String::from("repos:\n  - repo: local\n    hooks:\n");
    let mut first = true;
    for (key, value) in manifest_hook(id) {
        let value = match key.as_str() {
            "language" => "system".to_owned(),
            "entry" => value.replacen("vestige", env!("CARGO_BIN_EXE_vestige"), 1),
            _ => value,
        };
        let bullet = if first { "- " } else { "  " };
        first = false;
        config.push_str(&format!("      {bullet}{key}: {value}\n"));
    }
    for line in extra {
        config.push_str(&format!("        {line}\n"));
    }
    config
}

/// Stages everything and commits, pre-commit's hook running with its home in the repository;
/// returns whether the commit was made and what was printed.
fn commit(dir: &Path, message: &str) -> (bool, String) {
    git(dir, &["add", "-A"]);
    let output = git_command(dir)
        .args(["commit", "-m", message])
        .env("PRE_COMMIT_HOME", dir.join(".git/pre-commit-home"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (output.status.success(), printed(&output))
}

/// A git repository with a rule file forbidding `LegacyRun` under `app/`, a committed file
/// `app/Old.php` that still holds one on line 2, and the hook `id` installed by pre-commit.
fn repository(id: &str, extra: &[&str]) -> TempDir {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "vestige.toml",
        "[scan]\nroots = [\"app\"]\nexclude = [\"vendor/\"]\n\n[[rule]]\nid = \"legacy-runs\"\n\
         message = \"legacy run table\"\nhelp = \"use OperationRun\"\ntokens = [\"LegacyRun\"]\n",
    );
    write(d, "app/Old.php", "<?php\nLegacyRun::query();\n");
    let (made, output) = commit(d, "before the hook");
    assert!(made, "{output}");

    write(d, ".pre-commit-config.yaml", local_config(id, extra));
    let install = Command::new("pre-commit")
        .current_dir(d)
        .arg("install")
        .env("PRE_COMMIT_HOME", d.join(".git/pre-commit-home"))
        .output()
        .expect("pre-commit is not on the PATH (pip install pre-commit)");
    assert!(install.status.success(), "{install:?}");
    dir
}

/// Commits a file without a reference and checks that the hook named `label` passed it.
fn commit_clean_file(d: &Path, label: &str) {
    write(d, "app/Ok.php", "<?php\nOperationRun::query();\n");
    let (made, output) = commit(d, "clean");
    assert!(made, "a clean commit must pass:\n{output}");
    assert!(
        output.contains(label) && output.contains("Passed"),
        "{output}"
    );
}

/// Commits a line added to `app/Old.php` below its committed old reference; whether the commit
/// was made, and pre-commit's output.
fn commit_old_reference(d: &Path) -> (bool, String) {
    write(
        d,
        "app/Old.php",
        "<?php\nLegacyRun::query();\nOperationRun::query();\n",
    );
    commit(d, "touch a file with an old reference")
}

#[test]
#[ignore = "needs pre-commit on the PATH (pip install pre-commit); .ci/run runs it"]
fn the_default_hook_checks_only_the_lines_a_commit_adds() {
    let dir = repository("vestige", &[]);
    let d = dir.path();

    commit_clean_file(d, "vestige (staged lines)");
    let (made, output) = commit_old_reference(d);
    assert!(
        made,
        "an old reference on a line the commit does not add must not block it:\n{output}"
    );

    write(d, "app/Bad.php", "<?php\n\nLegacyRun::query();\n");
    write(
        d,
        "app/Old.php",
        "<?php\nLegacyRun::query();\nOperationRun::query();\nLegacyRun::first();\n",
    );
    let (made, output) = commit(d, "bad");
    assert!(
        !made,
        "an added forbidden token must refuse the commit:\n{output}"
    );
    assert!(output.contains("Failed"), "{output}");
    assert!(output.contains("legacy run table"), "{output}");
    assert!(output.contains("app/Bad.php:3:1"), "{output}");
    assert!(output.contains("app/Old.php:4:1"), "{output}");
    assert!(
        !output.contains("app/Old.php:2:"),
        "the line the commit does not add is not reported:\n{output}"
    );

    fs::remove_file(d.join("app/Bad.php")).unwrap();
    write(d, "app/Old.php", "<?php\nLegacyRun::query();\n");
    write(d, "vendor/lib/Old.php", "<?php LegacyRun::query();\n");
    let (made, output) = commit(d, "vendor only");
    assert!(made, "a vendor/ file must be skipped:\n{output}");
}

#[test]
#[ignore = "needs pre-commit on the PATH (pip install pre-commit); .ci/run runs it"]
fn the_default_hook_checks_only_the_files_pre_commit_passes() {
    let dir = repository("vestige", &["exclude: ^app/Generated/"]);
    let d = dir.path();

    write(d, "app/Generated/Stub.php", "<?php\nLegacyRun::query();\n");
    let (made, output) = commit(d, "a file the user's config excludes");
    assert!(
        made,
        "a file pre-commit does not pass must not be checked:\n{output}"
    );

    write(d, "app/Generated/Stub.php", "<?php\nLegacyRun::first();\n");
    write(d, "app/New.php", "<?php\nLegacyRun::query();\n");
    let (made, output) = commit(d, "both");
    assert!(!made, "{output}");
    assert!(output.contains("app/New.php:2:1"), "{output}");
    assert!(!output.contains("app/Generated/Stub.php"), "{output}");
}

#[test]
#[ignore = "needs pre-commit on the PATH (pip install pre-commit); .ci/run runs it"]
fn the_files_hook_checks_every_touched_file_whole() {
    let dir = repository("vestige-files", &[]);
    let d = dir.path();

    commit_clean_file(d, "vestige (whole files)");
    let (made, output) = commit_old_reference(d);
    assert!(
        !made,
        "an old reference in a touched file refuses the commit:\n{output}"
    );
    assert!(output.contains("Failed"), "{output}");
    assert!(output.contains("app/Old.php:2:1"), "{output}");

    write(d, "app/Old.php", "<?php\nLegacyRun::query();\n");
    write(d, "vendor/lib/Old.php", "<?php LegacyRun::query();\n");
    let (made, output) = commit(d, "vendor only");
    assert!(made, "a vendor/ file must be skipped:\n{output}");
}
