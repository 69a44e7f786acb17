//! `vestige init`: a commented starter rule file for the project in a directory, with the JSON
//! Schema next to it so that editors complete and check it at once.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::write::Target;

/// The rule file `init` writes.
pub const RULE_FILE: &str = "vestige.toml";

/// The schema file `init` writes next to it.
pub const SCHEMA_FILE: &str = "vestige.schema.json";

/// What kind of project a directory holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A Laravel application: `composer.json` requires `laravel/framework`.
    Laravel,
    /// Anything else.
    Generic,
}

impl Kind {
    /// The kind of the project in `dir`.
    pub fn detect(dir: &Path) -> Self {
        let Ok(text) = std::fs::read_to_string(dir.join("composer.json")) else {
            return Self::Generic;
        };
        let Ok(composer) = serde_json::from_str::<serde_json::Value>(&text) else {
            return Self::Generic;
        };
        let requires = |section: &str| composer[section].get("laravel/framework").is_some();
        if requires("require") || requires("require-dev") {
            Self::Laravel
        } else {
            Self::Generic
        }
    }

    /// The scan roots to propose and the directories to exclude.
    fn scope(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Self::Laravel => (
                &["app", "database", "resources", "routes", "config"],
                &[
                    "/vendor/",
                    "/storage/",
                    "/bootstrap/cache/",
                    "/node_modules/",
                    "/public/build/",
                ],
            ),
            Self::Generic => (
                &["."],
                &[
                    "/vendor/",
                    "/node_modules/",
                    "/target/",
                    "/dist/",
                    "/build/",
                ],
            ),
        }
    }
}

/// The starter rule file for a project of `kind` in `dir`: only roots that exist are listed.
pub fn starter(kind: Kind, dir: &Path) -> String {
    let (roots, exclude) = kind.scope();
    let mut roots: Vec<&str> = roots
        .iter()
        .copied()
        .filter(|root| dir.join(root).is_dir())
        .collect();
    if roots.is_empty() {
        roots.push(".");
    }
    let list = |items: &[&str]| {
        items
            .iter()
            .map(|i| format!("\"{i}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut out = String::new();
    let _ = writeln!(out, "#:schema ./{SCHEMA_FILE}");
    out.push_str(
        "# vestige rule file: the names of removed code that must not come back.\n\
         # `vestige check` scans the tree; `vestige rules` and `vestige explain RULE` show the rules.\n",
    );
    if kind == Kind::Laravel {
        out.push_str(
            "# Detected: a Laravel application (composer.json requires laravel/framework).\n",
        );
    }
    out.push_str("\n[scan]\n# Directories to scan, relative to this file.\n");
    let _ = writeln!(out, "roots = [{}]", list(&roots));
    out.push_str(
        "# Never scanned (gitignore syntax, relative to this file; .gitignore is honoured too for\n\
         # files git does not track). A leading `/` anchors a pattern at the project root: `/vendor/`\n\
         # is the top-level directory only, while `vendor/` would skip every directory of that name.\n",
    );
    if kind == Kind::Laravel {
        out.push_str(
            "# Keep them anchored: resources/views/vendor/ holds the views Laravel published into the\n\
             # application, which are its own code.\n",
        );
    }
    let _ = writeln!(out, "exclude = [{}]", list(exclude));
    out.push_str(
        "\n# One [[rule]] per thing being removed. Replace this example with your own.\n\
         [[rule]]\n\
         id = \"legacy-example-runs\"\n\
         message = \"LegacyExampleRun was removed\"\n\
         help = \"Use OperationRun instead.\"\n\
         tokens = [\"LegacyExampleRun\"]\n\
         # \"part\": also inside longer names (LegacyExampleRunResource, $legacyExampleRunId), never\n\
         # in LegacyExampleRunner; \"word\" matches the whole identifier only.\n\
         match = \"part\"\n\
         # Also match legacyExampleRun, legacy_example_runs, legacy-example-runs, ...:\n\
         # variants = true\n\
         # Files that may keep the name until their phase (the class that defines it, old migrations):\n\
         # exclude = [\"app/Models/LegacyExampleRun.php\", \"database/migrations/*_legacy_example_runs_table.php\"]\n",
    );
    out
}

/// Writes the starter rule file and the schema into `dir`, unless one exists and `force` is
/// off; returns the paths written. Nothing is replaced until both files are written in full
/// beside their targets; an existing target must be a regular file (or a link to one, which is
/// kept and its target replaced).
pub fn write(dir: &Path, force: bool, schema: &str) -> miette::Result<(Kind, Vec<PathBuf>)> {
    let targets = [dir.join(RULE_FILE), dir.join(SCHEMA_FILE)];
    let hidden = dir.join(".vestige.toml");
    if hidden.symlink_metadata().is_ok() {
        miette::bail!(
            help = "vestige already reads it; edit it, or remove it first",
            "{} already exists",
            hidden.display()
        );
    }
    if !force {
        let exists = |path: &&PathBuf| path.symlink_metadata().is_ok();
        if let Some(existing) = targets.iter().find(exists) {
            miette::bail!(
                help = "pass --force to overwrite it",
                "{} already exists",
                existing.display()
            );
        }
    }
    let kind = Kind::detect(dir);
    let contents = [starter(kind, dir), format!("{schema}\n")];
    let [rule_file, schema_file] = targets.each_ref().map(|path| Target::of(path));
    let (rule_file, schema_file) = (rule_file?, schema_file?);
    if rule_file.real() == schema_file.real() {
        let why = format!("it is the same file as {}", schema_file.path().display());
        return Err(rule_file
            .refuse(why, "remove one of the two links first")
            .into());
    }
    let pending = [rule_file, schema_file]
        .iter()
        .zip(contents)
        .map(|(target, text)| target.prepare(|out| out.write_all(text.as_bytes())))
        .collect::<Result<Vec<_>, _>>()?;
    for file in pending {
        file.commit()?;
    }
    Ok((kind, targets.to_vec()))
}
