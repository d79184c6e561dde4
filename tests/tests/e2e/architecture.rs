//! Architecture invariants checked mechanically: module docs everywhere, and a pure `ordo-core`.

use std::process::Command;

use ordo_tests::{files_with_extension, workspace_root};

#[test]
fn every_rust_source_file_starts_with_a_module_doc_line() {
    let root = workspace_root();
    let mut missing = Vec::new();
    for dir in ["core", "wasm", "gateway", "tests"] {
        for file in files_with_extension(&root.join(dir), "rs") {
            let text = std::fs::read_to_string(&file).unwrap();
            if !text.trim_start().starts_with("//!") {
                missing.push(file.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "files without a `//!` line saying their job: {missing:#?}");
}

#[test]
fn the_store_imports_no_layer_above_it() {
    let root = workspace_root();
    let above =
        ["crate::graphql", "crate::http", "crate::gate", "crate::jobs", "crate::auth", "crate::commands"];
    let mut upward = Vec::new();
    for file in files_with_extension(&root.join("gateway/src/store"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        for layer in above.iter().filter(|layer| text.contains(*layer)) {
            upward.push(format!("{} uses {layer}", file.strip_prefix(&root).unwrap().display()));
        }
    }
    assert!(upward.is_empty(), "the store imports upward: {upward:#?}");
}

#[test]
fn only_the_store_speaks_to_surrealdb() {
    let root = workspace_root();
    let store = root.join("gateway/src/store");
    let mut outside = Vec::new();
    for file in files_with_extension(&root.join("gateway/src"), "rs") {
        let text = std::fs::read_to_string(&file).unwrap();
        if !file.starts_with(&store) && (text.contains(".db()") || text.contains("surrealdb::")) {
            outside.push(file.strip_prefix(&root).unwrap().display().to_string());
        }
    }
    assert!(outside.is_empty(), "SurrealDB used outside gateway/src/store: {outside:#?}");
}

#[test]
fn ordo_core_depends_on_no_io_async_graphql_store_wasm_or_json_crate() {
    let output = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "ordo-core",
            "-e",
            "normal",
            "--all-features",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(workspace_root())
        .output()
        .unwrap();
    assert!(output.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&output.stderr));
    let tree = String::from_utf8(output.stdout).unwrap();
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"chrono"), "cargo tree output looks wrong: {tree}");
    let forbidden = [
        "tokio",
        "async-std",
        "futures",
        "surrealdb",
        "async-graphql",
        "axum",
        "hyper",
        "reqwest",
        "wasm-bindgen",
        "js-sys",
        "web-sys",
        "serde_json",
        "mio",
    ];
    let found: Vec<&&str> = forbidden.iter().filter(|f| crates.contains(f)).collect();
    assert!(found.is_empty(), "ordo-core must stay pure but depends on {found:?}");
}

#[test]
fn the_top_level_holds_only_the_agreed_entries() {
    let allowed = [
        "Cargo.toml",
        "Cargo.lock",
        "core",
        "wasm",
        "gateway",
        "schema",
        "web-demo",
        "tests",
        "README.md",
        "ARCHITECTURE.md",
        "LICENSE",
        ".ci",
        ".gitignore",
        "clippy.toml",
        "rustfmt.toml",
        "rust-toolchain.toml",
        ".git",
        "target",
        "data",
    ];
    let unexpected: Vec<String> = std::fs::read_dir(workspace_root())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| !allowed.contains(&name.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "unexpected top-level entries: {unexpected:?}");
}
