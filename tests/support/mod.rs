//! Helpers shared by the integration tests' areas: running the `vestige` binary in temporary
//! trees and git repositories, and reading what it printed. `reference` is the naive matcher the
//! property tests (and the fuzz target, by path) compare the engine with.

pub mod reference;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

/// The shipped fixture, relative to the repository root.
pub const FIXTURE: &str = "fixtures/tenantatlas";

/// A rule file with one rule, `legacy`, forbidding the token `Foo`.
pub const RULE: &str = "[[rule]]\nid = \"legacy\"\nmessage = \"legacy run\"\ntokens = [\"Foo\"]\n";

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `vestige` binary, run in `dir` without colour and with a timeout, so a hang fails instead
/// of blocking. The fixture is a project of its own: git does not look past `fixtures/` into
/// vestige's repository, whose index tracks the files the fixture's `.gitignore` ignores.
pub fn vestige(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vestige").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("GIT_CEILING_DIRECTORIES", repo().join("fixtures"))
        .timeout(Duration::from_secs(120));
    cmd
}

/// `vestige check` with `args`, run in `dir`.
pub fn check_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = vestige(dir);
    cmd.arg("check").args(args);
    cmd
}

/// `vestige ARGS` (a subcommand and its arguments) with the shipped rules on the fixture, run
/// from the repository root.
pub fn on_fixture(args: &[&str]) -> Command {
    let mut cmd = vestige(&repo());
    cmd.args(args)
        .args(["--config", "rules.toml", "--root", FIXTURE]);
    cmd
}

/// `vestige check` on the fixture with the shipped rules, then `args`.
pub fn check_fixture(args: &[&str]) -> Command {
    let mut cmd = on_fixture(&["check"]);
    cmd.args(args);
    cmd
}

/// A temporary project: `vestige.toml` holding `config`, and `files` as (path, contents).
pub fn tree(config: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "vestige.toml", config);
    for (path, contents) in files {
        write(dir.path(), path, contents);
    }
    dir
}

/// `tree(config, files)` as a git repository on `main`, everything committed as `base`.
pub fn git_repo(config: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = tree(config, files);
    git(dir.path(), &["init", "-q", "-b", "main"]);
    commit_all(dir.path(), "base");
    dir
}

/// `git` run in `dir`, isolated from the machine's git configuration, with a fixed identity.
pub fn git_command(dir: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com");
    cmd
}

/// Runs git in `dir` and checks that it succeeded.
pub fn git(dir: &Path, args: &[&str]) {
    let output = git_command(dir).args(args).output().unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Stages everything in `dir` and commits it with `message`.
pub fn commit_all(dir: &Path, message: &str) {
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", message]);
}

/// What the process of `output` printed: its stdout, then its stderr, as text.
pub fn printed(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr)
}

/// Whether this process runs as root, which permission checks do not stop.
#[cfg(unix)]
pub fn running_as_root() -> bool {
    let out = std::process::Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs `cmd`, checks its exit code and that nothing panicked, and returns stdout and stderr.
pub fn run(mut cmd: Command, code: i32) -> (String, String) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
}

/// `rule path:line` of every finding of a JSON report.
pub fn findings(out: &str) -> Vec<String> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"]
            )
        })
        .collect()
}

/// Writes `contents` to `dir/rel`, creating parent directories.
pub fn write(dir: &Path, rel: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// `out` parsed as JSON, with the text in the message when it is not.
pub fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|err| panic!("invalid JSON ({err}): {out}"))
}
