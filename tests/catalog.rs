//! `vestige rules`, `vestige explain`, `vestige report` and naming variants, on the shipped
//! fixture and on temporary trees.

use crate::support::{check_in, json, on_fixture, repo, run, vestige, write};
use tempfile::TempDir;

#[test]
fn rules_lists_every_rule_with_its_scope() {
    let (out, _) = run(on_fixture(&["rules"]), 0);
    insta::assert_snapshot!("rules_table", out);
}

#[test]
fn explain_prints_one_rule_in_full() {
    let (out, _) = run(on_fixture(&["explain", "ui-no-graph-calls"]), 0);
    insta::assert_snapshot!("explain_ui_no_graph_calls", out);
}

#[test]
fn explain_suggests_the_nearest_rule() {
    let (_, stderr) = run(on_fixture(&["explain", "legacy-inventory-sync-run"]), 2);
    assert!(
        stderr.contains("no rule `legacy-inventory-sync-run`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean `legacy-inventory-sync-runs`?"),
        "{stderr}"
    );
}

#[test]
fn report_summarises_the_fixture_for_a_pull_request() {
    let (out, _) = run(on_fixture(&["report"]), 0);
    insta::assert_snapshot!("report_markdown", out);
}

#[test]
fn report_json_counts_agree_with_check() {
    let (out, _) = run(on_fixture(&["report", "--format", "json"]), 0);
    let report = json(&out);
    assert_eq!(report["findings"], 81);
    assert_eq!(report["files_with_findings"], 21);
    let by_rule: u64 = report["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(by_rule, 81);
    let by_dir: u64 = report["directories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["findings"].as_u64().unwrap())
        .sum();
    assert_eq!(by_dir, 81);
    assert_eq!(report["hotspots"].as_array().unwrap().len(), 15);
    assert!(report.get("baseline").is_none());
}

#[test]
fn report_shows_retired_rules_and_what_is_left_of_the_baseline() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    write(
        d,
        "vestige.toml",
        "[baseline]\nfile = \"baseline.toml\"\n\n\
         [[rule]]\nid = \"old\"\nmessage = \"m\"\ntokens = [\"OldRun\"]\n\n\
         [[rule]]\nid = \"gone\"\nmessage = \"m\"\ntokens = [\"GoneRun\"]\n",
    );
    write(d, "app/a.php", "OldRun\nOldRun\n");
    write(d, "app/b.php", "OldRun\n");
    run(check_in(d, &["--write-baseline", "baseline.toml"]), 0);
    write(d, "app/b.php", "\n");
    let mut cmd = vestige(d);
    cmd.args(["report", "--format", "json"]);
    let (out, _) = run(cmd, 0);
    let report = json(&out);
    assert_eq!(report["ready_to_retire"], serde_json::json!(["gone"]));
    assert_eq!(
        report["baseline"],
        serde_json::json!({"entries": 3, "remaining": 2})
    );
    assert_eq!(
        report["directories"],
        serde_json::json!([{"name": "app", "findings": 2}])
    );
}

/// The fixture's inventory rule with only its class name as a token, and every variant.
fn variants_tree(variants: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    let rules = std::fs::read_to_string(repo().join("rules.toml")).unwrap();
    let scan = &rules[rules.find("[scan]").unwrap()..rules.find("[[rule]]").unwrap()];
    write(
        dir.path(),
        "vestige.toml",
        format!(
            "{scan}[[rule]]\nid = \"inventory\"\nmessage = \"legacy inventory sync runs\"\n\
             tokens = [\"InventorySyncRun\"]\nvariants = {variants}\n"
        ),
    );
    dir
}

#[test]
fn variants_find_the_other_spellings_in_the_fixture_and_say_which() {
    let dir = variants_tree("true");
    let root = repo().join("fixtures/tenantatlas");
    let root = root.to_str().unwrap();
    let (out, _) = run(
        check_in(dir.path(), &["--root", root, "--format", "json"]),
        1,
    );
    let findings = json(&out)["findings"].as_array().unwrap().clone();
    let matched = |m: &str| findings.iter().filter(|f| f["match"] == m).count();
    assert!(matched("InventorySyncRun") > 0);
    assert!(matched("inventory_sync_runs") > 0, "the table name");
    assert!(matched("inventory-sync-runs") > 0, "the route name");
    assert_eq!(matched("InventorySyncRunner"), 0, "still whole words");
    for finding in &findings {
        let variant = finding["match"] != "InventorySyncRun";
        assert_eq!(finding.get("variant_of").is_some(), variant, "{finding}");
        if variant {
            assert_eq!(finding["variant_of"], "InventorySyncRun");
        }
    }
    let (human, _) = run(check_in(dir.path(), &["--root", root]), 1);
    assert!(
        human.contains("`inventory_sync_runs`, a variant of `InventorySyncRun`"),
        "{human}"
    );
}

#[test]
fn rules_expand_lists_the_variants() {
    let dir = variants_tree("[\"snake\", \"plural\"]");
    let root = repo().join("fixtures/tenantatlas");
    let mut cmd = vestige(dir.path());
    cmd.args(["rules", "--expand", "--root", root.to_str().unwrap()]);
    let (out, _) = run(cmd, 0);
    assert!(
        out.contains("inventory:\n  InventorySyncRun -> inventory_sync_run, inventory_sync_runs\n"),
        "{out}"
    );
}

#[test]
fn a_bad_variant_list_names_the_allowed_ones() {
    let dir = variants_tree("[\"snake\", \"sentence\"]");
    let (_, stderr) = run(check_in(dir.path(), &["--root", "."]), 2);
    assert!(stderr.contains("unknown naming variant"), "{stderr}");
    assert!(
        stderr.contains("pascal, camel, snake, kebab, screaming, plural"),
        "{stderr}"
    );
}

#[test]
fn rules_and_explain_work_where_the_scan_roots_do_not_exist_and_check_still_fails() {
    let mut rules = vestige(&repo());
    rules.args(["rules", "--config", "rules.toml"]);
    let (out, _) = run(rules, 0);
    assert_eq!(
        out,
        run(on_fixture(&["rules"]), 0).0,
        "the table does not depend on the root"
    );
    let mut explain = vestige(&repo());
    explain.args(["explain", "ui-no-graph-calls", "--config", "rules.toml"]);
    let (out, _) = run(explain, 0);
    assert!(out.contains("Graph/HTTP call in Filament UI code"), "{out}");

    let mut check = vestige(&repo());
    check.args(["check", "--config", "rules.toml"]);
    let (_, err) = run(check, 2);
    assert!(err.contains("scan root `app` is not a directory"), "{err}");
    assert!(err.contains("rules.toml has 4 errors"), "{err}");
}
