//! vestige's integration tests, built as one binary: a module per area, all sharing `support`.
//! Most run the built `vestige` binary on the shipped fixture and on temporary trees and git
//! repositories; `matcher_props` checks the library's matcher against a naive reference.
//!
//! A new area is a file under `tests/` declared here: `autotests` is off in `Cargo.toml`, so a
//! file not declared here is not compiled. Run one area with `cargo test --test tests AREA::`.

mod support;

mod catalog;
mod changes;
mod cli;
mod formats;
mod git_scope;
mod hostile;
mod matcher_props;
mod precommit;
mod precommit_wheel;
mod ratchet;
mod rule_file_errors;
mod setup;
mod staged_removal;
mod writes;

/// Every file beside this one is declared above, so none is silently left out of the build.
#[test]
fn every_test_file_is_a_module_of_this_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let declared = include_str!("tests.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(area) = name.strip_suffix(".rs").filter(|area| *area != "tests") else {
            continue;
        };
        assert!(
            declared.contains(&format!("\nmod {area};\n")),
            "tests/{name} is not declared in tests/tests.rs, so it is never compiled"
        );
    }
}
