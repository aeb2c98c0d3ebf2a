//! Path -> [`SourceFile`]: module name (Python: through the python roots; Rust: through
//! the crates' module trees), service, and whether the file is production or test code.

use crate::config::{pattern::is_identifier, Config};
use crate::frontend::rust::layout::{layout, RustLayout};
use crate::guarded_io::GovernedRoot;
use crate::model::{CodeContext, Language, SourceFile};
use std::path::PathBuf;

/// The name of Cargo's manifests, which the walk lists beside the source files.
pub const CARGO_MANIFEST: &str = "Cargo.toml";
/// The name of Python's project files, which say which crates maturin builds into modules.
pub const PYPROJECT: &str = "pyproject.toml";

/// The listed files of a tree, classified.
#[derive(Debug, Default)]
pub struct Classified {
    /// The source files, in the order listed: Python files, and the Rust files of the
    /// tree's packages (`.rs` files outside every package are no crate's modules).
    pub files: Vec<SourceFile>,
    /// The tree's Rust crates.
    pub rust: RustLayout,
    /// The Python extension modules its crates are built into, as the relative paths of
    /// their compiled files (see [`crate::frontend::rust::pyo3`]).
    pub extensions: Vec<String>,
}

/// Classifies the files a walk listed (absolute path, `/`-separated relative path): Python
/// files by path, Cargo manifests read for the crates they declare, and Rust files placed in
/// those crates. Only regular files inside the governed root are read.
pub fn classify_listed(config: &Config, listed: Vec<(PathBuf, String)>) -> Classified {
    // The listed files of one name (`Cargo.toml`), wherever they are.
    let named = |name: &str| {
        listed
            .iter()
            .filter(|(_, relative)| relative == name || relative.ends_with(&format!("/{name}")))
            .map(|(path, _)| path.clone())
            .collect::<Vec<PathBuf>>()
    };
    let manifests = named(CARGO_MANIFEST);
    let pyprojects = named(PYPROJECT);
    let rust_files: Vec<PathBuf> = listed
        .iter()
        .filter(|(_, relative)| relative.ends_with(".rs"))
        .map(|(path, _)| path.clone())
        .collect();
    let governed = GovernedRoot::new(&config.root);
    let read = |path: &std::path::Path| {
        if governed.contains(path) {
            crate::frontend::rust::read_regular_text(path)
        } else {
            Err(crate::guarded_io::ReadError::OutsideRoot)
        }
    };
    let rust = if manifests.is_empty() {
        RustLayout::default()
    } else {
        layout(&manifests, &rust_files, &read)
    };
    let extensions = if pyprojects.is_empty() {
        Vec::new()
    } else {
        crate::frontend::rust::pyo3::extension_modules(&pyprojects, &rust, &config.root, &read)
    };
    let unreached: std::collections::HashSet<&PathBuf> =
        rust.unreached.iter().map(|(path, _)| path).collect();
    let files = listed
        .into_iter()
        .filter_map(|(path, relative)| match Language::of_path(&relative) {
            Some(Language::Python) => Some(classify(config, path, relative)),
            Some(Language::Rust) => {
                let placed = rust.place(&path).cloned();
                if placed.is_none() && !unreached.contains(&path) {
                    return None;
                }
                Some(classify_rust(config, path, relative, placed))
            }
            None => None,
        })
        .collect();
    Classified {
        files,
        rust,
        extensions,
    }
}

/// The `[[service]]` that owns a file, and whether it is test code: `[tests] include`
/// matches it, or its language says so (`test`: a Rust test, bench or example target).
fn service_and_context(
    config: &Config,
    module: &str,
    relative: &str,
    test: bool,
) -> (Option<String>, CodeContext) {
    let service = config
        .service_of_file(module, relative)
        .map(|service| service.name.clone());
    let context = if test || config.tests.is_match(relative) {
        CodeContext::Test
    } else {
        CodeContext::Production
    };
    (service, context)
}

/// A Rust file: its module and crate where a crate compiles it; a file of a package that
/// no crate compiles has neither (IG022 reports it).
fn classify_rust(
    config: &Config,
    path: PathBuf,
    relative: String,
    placed: Option<crate::frontend::rust::layout::Placement>,
) -> SourceFile {
    let (module, crate_index, test) = match placed {
        Some(placed) => (placed.module, Some(placed.krate as u32), placed.test),
        None => (String::new(), None, false),
    };
    let (service, context) = service_and_context(config, &module, &relative, test);
    SourceFile {
        path,
        relative,
        importable: crate_index.is_some(),
        module,
        is_package: false,
        root: None,
        service,
        context,
        language: Language::Rust,
        crate_index,
    }
}

/// Classifies a discovered file. `relative` is its `/`-separated path below the root.
pub fn classify(config: &Config, path: PathBuf, relative: String) -> SourceFile {
    let python_root = config
        .python_roots
        .iter()
        .enumerate()
        .filter(|(_, root)| {
            root.is_empty()
                || relative
                    .strip_prefix(root.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(_, root)| root.len());
    let below_root = match python_root {
        Some((_, root)) if !root.is_empty() => &relative[root.len() + 1..],
        _ => relative.as_str(),
    };
    let without_suffix = below_root
        .strip_suffix(".py")
        .or_else(|| below_root.strip_suffix(".pyi"))
        .unwrap_or(below_root);
    let mut segments: Vec<&str> = without_suffix.split('/').collect();
    let is_package = segments.last() == Some(&"__init__");
    if is_package {
        segments.pop();
    }
    let importable = python_root.is_some()
        && !segments.is_empty()
        && segments.iter().all(|segment| is_identifier(segment));
    let module = segments.join(".");
    let (service, context) = service_and_context(config, &module, &relative, false);
    SourceFile {
        path,
        relative,
        module,
        importable,
        is_package,
        root: python_root.map(|(index, _)| index as u16),
        service,
        context,
        language: Language::Python,
        crate_index: None,
    }
}
