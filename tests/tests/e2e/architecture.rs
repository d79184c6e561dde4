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

/// The gateway's source files as modules: `app::orders` for `gateway/src/app/orders.rs`,
/// `graphql` for `gateway/src/graphql/mod.rs`, with their text.
fn gateway_modules() -> Vec<(String, String)> {
    let src = workspace_root().join("gateway/src");
    let mut modules: Vec<(String, String)> = files_with_extension(&src, "rs")
        .into_iter()
        .filter_map(|file| {
            let relative = file.strip_prefix(&src).ok()?.with_extension("");
            let path: Vec<String> =
                relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let path = match path.as_slice() {
                [only] if only == "lib" || only == "main" => return None,
                [dirs @ .., last] if last == "mod" => dirs.join("::"),
                all => all.join("::"),
            };
            Some((path, std::fs::read_to_string(&file).ok()?))
        })
        .collect();
    modules.sort();
    modules
}

/// The modules `text` (the source of `module`) names: `crate::a::b…` and `super::…` paths,
/// also inside `{…}` groups, resolved to the longest module that exists.
fn imports(module: &str, text: &str, known: &[String]) -> Vec<String> {
    let is_parent = known.iter().any(|k| k.starts_with(&format!("{module}::")));
    let base = if is_parent {
        module.to_owned()
    } else {
        module.rsplit_once("::").map_or(String::new(), |(b, _)| b.to_owned())
    };
    let mut found = Vec::new();
    let mut resolve = |path: &str| {
        let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
        for k in (1..=parts.len()).rev() {
            let candidate = parts[..k].join("::");
            if candidate != module && known.contains(&candidate) {
                found.push(candidate);
                return;
            }
        }
    };
    let word = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':';
    for (prefix, root) in [("crate::", String::new()), ("super::", base.clone())] {
        let mut rest = text;
        while let Some(at) = rest.find(prefix) {
            let after = &rest[at + prefix.len()..];
            let path: String = after.chars().take_while(|c| word(*c)).collect();
            let joined = if root.is_empty() { path.clone() } else { format!("{root}::{path}") };
            resolve(&joined);
            if let Some(group) = after[path.len()..].strip_prefix('{') {
                for item in group.split('}').next().unwrap_or("").split(',') {
                    let item: String = item.trim().chars().take_while(|c| word(*c)).collect();
                    resolve(&format!("{joined}{item}"));
                }
            }
            rest = after;
        }
    }
    found.sort();
    found.dedup();
    found
}

#[test]
fn each_gateway_layer_imports_only_the_layers_below_it() {
    // edge → graphql → app → store; jobs → app → store. `server` (startup), `seed` (the demo
    // shop) and `cli` (the command line) wire the layers together and sit above them all.
    let may_not_import: [(&str, &[&str]); 5] = [
        ("store", &["app", "edge", "graphql", "jobs", "server", "seed", "cli"]),
        ("app", &["edge", "graphql", "jobs", "server", "seed", "cli"]),
        ("jobs", &["edge", "graphql", "server", "seed", "cli"]),
        ("graphql", &["edge", "store", "jobs", "server", "seed", "cli"]),
        ("edge", &["store", "jobs", "server", "seed", "cli"]),
    ];
    let modules = gateway_modules();
    let known: Vec<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let mut upward = Vec::new();
    for (module, text) in &modules {
        let layer = module.split("::").next().unwrap_or_default();
        let Some((_, forbidden)) = may_not_import.iter().find(|(l, _)| *l == layer) else { continue };
        for import in imports(module, text, &known) {
            let target = import.split("::").next().unwrap_or_default();
            if forbidden.contains(&target) {
                upward.push(format!("{module} imports {import}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports against the layering: {upward:#?}");
}

#[test]
fn the_gateway_has_no_module_cycles() {
    let modules = gateway_modules();
    let known: Vec<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let edges: Vec<Vec<usize>> = modules
        .iter()
        .map(|(m, text)| {
            imports(m, text, &known)
                .iter()
                .filter_map(|i| known.iter().position(|k| k == i))
                // A folder's `mod.rs` declares its children; children using it is not a cycle.
                .filter(|&i| {
                    !m.starts_with(&format!("{}::", known[i])) && !known[i].starts_with(&format!("{m}::"))
                })
                .collect()
        })
        .collect();
    // Depth-first search for a back edge; report the cycle it closes.
    fn visit(v: usize, edges: &[Vec<usize>], state: &mut [u8], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[v] = 1;
        stack.push(v);
        for &w in &edges[v] {
            if state[w] == 1 {
                let from = stack.iter().position(|&s| s == w).unwrap_or(0);
                return Some(stack[from..].to_vec());
            }
            if state[w] == 0
                && let Some(cycle) = visit(w, edges, state, stack)
            {
                return Some(cycle);
            }
        }
        stack.pop();
        state[v] = 2;
        None
    }
    let mut state = vec![0u8; known.len()];
    for v in 0..known.len() {
        if state[v] == 0
            && let Some(cycle) = visit(v, &edges, &mut state, &mut Vec::new())
        {
            let names: Vec<&str> = cycle.iter().map(|&i| known[i].as_str()).collect();
            panic!("a module cycle: {}", names.join(" → "));
        }
    }
}

#[test]
fn only_the_application_and_background_work_reach_the_store() {
    let mut reaching = Vec::new();
    for (module, text) in gateway_modules() {
        let layer = module.split("::").next().unwrap_or_default().to_owned();
        if ["graphql", "edge"].contains(&layer.as_str())
            && (text.contains(".store()") || text.contains("crate::store"))
        {
            reaching.push(module);
        }
    }
    assert!(reaching.is_empty(), "modules above the application that reach the store: {reaching:#?}");
}

#[test]
fn the_edge_decides_nothing_about_orders() {
    // It authenticates, admits and converts; what an order may do is ordo-core's, asked by `app`.
    let deciding: Vec<String> = gateway_modules()
        .into_iter()
        .filter(|(m, text)| {
            m.starts_with("edge")
                && (text.contains("ordo_core::order") || text.contains("crate::app::commands"))
        })
        .map(|(m, _)| m)
        .collect();
    assert!(deciding.is_empty(), "edge modules deciding about orders: {deciding:#?}");
}

#[test]
fn every_error_code_is_named_in_one_place() {
    let modules = gateway_modules();
    let codes_file = modules.iter().find(|(m, _)| m == "graphql::error").expect("graphql/error.rs");
    let codes: Vec<String> = codes_file
        .1
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.len() > 3 && s.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        .map(|s| format!("\"{s}\""))
        .collect();
    assert!(codes.len() >= 25, "graphql/error.rs should name every code: {codes:?}");
    let mut elsewhere = Vec::new();
    for (module, text) in &modules {
        if module == "graphql::error" {
            continue;
        }
        for line in text.lines().filter(|l| !l.trim_start().starts_with("//")) {
            if let Some(code) = codes.iter().find(|c| line.contains(c.as_str())) {
                elsewhere.push(format!("{module}: {code} in `{}`", line.trim()));
            }
        }
    }
    assert!(elsewhere.is_empty(), "error codes named outside graphql/error.rs: {elsewhere:#?}");
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
        ".cargo",
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
