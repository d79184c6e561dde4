//! Helpers shared by Ordo's end-to-end and architecture tests (the tests live in `tests/tests/`).

use std::path::{Path, PathBuf};

/// The workspace root (the folder holding the top-level `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// Every file under `dir` (recursively) whose name ends in `.{ext}`, skipping build output,
/// dependencies and hidden folders.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if path.is_dir() {
                if !(name.starts_with('.')
                    || name == "target"
                    || name == "node_modules"
                    || name.starts_with("pkg"))
                {
                    pending.push(path);
                }
            } else if name.ends_with(&format!(".{ext}")) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}
