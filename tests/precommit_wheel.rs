//! The `language: python` pre-commit hooks as their users get them: `pre-commit/stage.sh` writes
//! the vestige-pre-commit hook repository, the real pre-commit framework installs it, and pip
//! resolves the vestige wheel from a local directory only (`PIP_FIND_LINKS`, `PIP_NO_INDEX`),
//! with no `cargo` on the `PATH`. Both hook ids then run on a temporary repository.
//!
//! Ignored by default: it needs `pre-commit` on the PATH and `VESTIGE_WHEEL_DIR`, a directory
//! holding the vestige wheel and a setuptools wheel. `.ci/packaging/check.sh` builds them and runs
//! `cargo test --test tests precommit_wheel:: -- --ignored`.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{git, printed, repo, write};
use tempfile::TempDir;

/// The `PATH` of this process without any directory that holds a `cargo` executable.
fn path_without_cargo() -> OsString {
    let path = env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = env::split_paths(&path)
        .filter(|dir| !dir.join("cargo").exists())
        .collect();
    env::join_paths(kept).unwrap()
}

/// `pre-commit ARGS` in `dir`, with the wheel directory as pip's only source and no cargo on the
/// PATH; returns whether it succeeded and what it printed.
fn pre_commit(dir: &Path, home: &Path, args: &[&str]) -> (bool, String) {
    let wheels = env::var_os("VESTIGE_WHEEL_DIR")
        .expect("VESTIGE_WHEEL_DIR must name the directory that holds the vestige wheel");
    let output = Command::new("pre-commit")
        .current_dir(dir)
        .args(args)
        .env("PATH", path_without_cargo())
        .env("PRE_COMMIT_HOME", home)
        .env("PIP_FIND_LINKS", wheels)
        .env("PIP_NO_INDEX", "1")
        .env("NO_COLOR", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("pre-commit is not on the PATH (pip install pre-commit)");
    (output.status.success(), printed(&output))
}

#[test]
#[ignore = "needs pre-commit and VESTIGE_WHEEL_DIR; .ci/packaging/check.sh runs it"]
fn the_python_hooks_install_the_wheel_without_cargo_and_check_as_documented() {
    let no_cargo = Command::new("sh")
        .args(["-c", "command -v cargo"])
        .env("PATH", path_without_cargo())
        .output()
        .unwrap();
    assert!(!no_cargo.status.success(), "cargo is still on the PATH");

    let work = TempDir::new().unwrap();
    let hooks = work.path().join("vestige-pre-commit");
    let staged = Command::new("bash")
        .arg(repo().join("pre-commit/stage.sh"))
        .arg(&hooks)
        .output()
        .unwrap();
    assert!(staged.status.success(), "{staged:?}");
    let tag = format!("v{}", env!("CARGO_PKG_VERSION"));
    git(&hooks, &["init", "-q", "-b", "main"]);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    git(&hooks, &["tag", &tag]);

    let project = work.path().join("project");
    let d = project.as_path();
    let home = work.path().join("pre-commit-home");
    std::fs::create_dir(d).unwrap();
    git(d, &["init", "-q", "-b", "main"]);
    write(
        d,
        "vestige.toml",
        "[scan]\nroots = [\"app\"]\n\n[[rule]]\nid = \"legacy-runs\"\n\
         message = \"legacy run table\"\ntokens = [\"LegacyRun\"]\n",
    );
    write(d, "app/Old.php", "<?php\nLegacyRun::query();\n");
    write(
        d,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: {}\n    rev: {tag}\n    hooks:\n      - id: vestige\n      \
             - id: vestige-files\n",
            hooks.display()
        ),
    );
    git(d, &["add", "-A"]);
    git(d, &["commit", "-q", "-m", "start"]);

    let (installed, output) = pre_commit(d, &home, &["install-hooks"]);
    assert!(installed, "{output}");

    // A clean change to a file that still holds an old reference.
    write(
        d,
        "app/Old.php",
        "<?php\nLegacyRun::query();\nOperationRun::query();\n",
    );
    git(d, &["add", "-A"]);
    let (passed, output) = pre_commit(d, &home, &["run", "vestige"]);
    assert!(passed, "no added line holds a reference:\n{output}");
    assert!(output.contains("vestige (staged lines)"), "{output}");
    let (passed, output) = pre_commit(d, &home, &["run", "vestige-files"]);
    assert!(!passed, "the touched file holds a reference:\n{output}");
    assert!(output.contains("app/Old.php:2:1"), "{output}");

    // An added reference fails both.
    write(d, "app/New.php", "<?php\n\nLegacyRun::query();\n");
    git(d, &["add", "-A"]);
    let (passed, output) = pre_commit(d, &home, &["run", "vestige"]);
    assert!(!passed, "{output}");
    assert!(output.contains("legacy run table"), "{output}");
    assert!(output.contains("app/New.php:3:1"), "{output}");
    assert!(!output.contains("app/Old.php:2:"), "{output}");

    // The README's other recipe: a local `language: python` hook over the same wheel.
    write(
        d,
        ".pre-commit-config.yaml",
        format!(
            "repos:\n  - repo: local\n    hooks:\n      - id: vestige\n        \
             name: vestige (staged lines)\n        entry: vestige check --staged\n        \
             language: python\n        additional_dependencies: [vestige=={}]\n        \
             require_serial: true\n",
            env!("CARGO_PKG_VERSION")
        ),
    );
    git(d, &["add", "-A"]);
    let (passed, output) = pre_commit(d, &home, &["run", "vestige"]);
    assert!(!passed, "{output}");
    assert!(output.contains("app/New.php:3:1"), "{output}");
    assert!(!output.contains("app/Old.php:2:"), "{output}");
}
