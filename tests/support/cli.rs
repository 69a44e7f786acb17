//! Helpers shared by the integration suites that run the `vestige` binary in temporary trees.
#![allow(dead_code)] // each suite uses the helpers it needs

use std::fs;
use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

/// `vestige check` with `args`, run in `dir` without colour and with a timeout, so a hang fails
/// instead of blocking.
pub fn check_in(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("vestige").unwrap();
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .timeout(Duration::from_secs(120))
        .arg("check")
        .args(args);
    cmd
}

/// Runs `cmd`, checks its exit code and that nothing panicked, and returns stdout and stderr.
pub fn run(mut cmd: Command, code: i32) -> (String, String) {
    let output = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (String::from_utf8(output.stdout).unwrap(), stderr)
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
