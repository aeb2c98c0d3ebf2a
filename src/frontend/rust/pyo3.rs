//! The Python modules a tree's Rust crates become: a PyO3 crate that maturin builds is an
//! extension module Python imports (`fastcalc._fastcalc`) though no file of it is in the
//! tree until it is built. Read from each `pyproject.toml` whose build backend is maturin
//! (or that has a `[tool.maturin]` table): its `manifest-path` (default: the `Cargo.toml`
//! beside it) names the crate, `module-name` the module (default: the crate's library
//! name), `python-source` where the Python package is (default: beside the pyproject).
//! Each such module counts as a compiled extension: it exists, with names no source says.

use super::layout::RustLayout;
use super::workspace::TargetKind;
use super::ReadText;
use crate::paths::normalize;
use std::path::{Path, PathBuf};

/// The extension modules maturin builds, as the relative paths their compiled files would
/// have (`python/fastcalc/_fastcalc.so`), for the module index; `pyprojects` are the
/// listed `pyproject.toml` files (absolute), `root` the governed root.
pub fn extension_modules(
    pyprojects: &[PathBuf],
    layout: &RustLayout,
    root: &Path,
    read: ReadText<'_>,
) -> Vec<String> {
    let mut modules = Vec::new();
    for pyproject in pyprojects {
        let Some(table) = read(pyproject)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
        else {
            continue;
        };
        let maturin = table
            .get("tool")
            .and_then(|tool| tool.get("maturin"))
            .and_then(toml::Value::as_table);
        let backend = table
            .get("build-system")
            .and_then(|system| system.get("build-backend"))
            .and_then(toml::Value::as_str);
        if maturin.is_none() && backend != Some("maturin") {
            continue;
        }
        let setting = |key: &str| {
            maturin
                .and_then(|maturin| maturin.get(key))
                .and_then(toml::Value::as_str)
        };
        let directory = pyproject.parent().unwrap_or(Path::new(""));
        let manifest = directory.join(setting("manifest-path").unwrap_or("Cargo.toml"));
        let package = normalize(manifest.parent().unwrap_or(Path::new("")));
        let library = layout
            .crates
            .iter()
            .find(|krate| krate.kind == TargetKind::Lib && krate.directory == package);
        let Some(module) = setting("module-name")
            .map(str::to_string)
            .or_else(|| library.map(|krate| krate.name.clone()))
        else {
            continue;
        };
        let source = directory.join(setting("python-source").unwrap_or(""));
        let file = normalize(&source.join(format!("{}.so", module.replace('.', "/"))));
        if let Some(relative) = crate::paths::relative_path(&normalize(root), &file) {
            modules.push(relative);
        }
    }
    modules.sort_unstable();
    modules.dedup();
    modules
}
