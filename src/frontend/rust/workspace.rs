//! Cargo workspaces, read from their manifests as Cargo reads them — never by running
//! cargo or a build script: the members (`[workspace] members` globs, `exclude`, the root
//! package, path dependencies inside the workspace), each package's targets as Cargo's
//! target auto-discovery finds them (the library, `src/main.rs`, `src/bin/`, `tests/`,
//! `benches/`, `examples/`, `build.rs`, and `[lib]`/`[[bin]]`/`[[test]]`/`[[bench]]`/
//! `[[example]]` entries), and the names dependencies go by in code (`foo = { package =
//! "bar" }`, `workspace = true`).
//!
//! `tests/rust_workspace.rs` compares what this reads with `cargo metadata --no-deps` over
//! generated workspaces.

use super::ReadText;
use crate::paths::normalize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A Cargo workspace: its root manifest and its member packages, in manifest order of
/// discovery (sorted by directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    /// The directory of the root manifest.
    pub root: PathBuf,
    /// The member packages, sorted by directory.
    pub packages: Vec<Package>,
}

/// One member package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// `[package] name`.
    pub name: String,
    /// The package's directory (where its Cargo.toml is).
    pub directory: PathBuf,
    /// Its targets, sorted by kind then name.
    pub targets: Vec<Target>,
    /// Its dependencies of every kind, sorted by the name code uses.
    pub dependencies: Vec<Dependency>,
    /// `package.edition` (`2015` when absent, as Cargo has it; inherited from
    /// `[workspace.package]` with `edition.workspace = true`).
    pub edition: String,
}

/// What a target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    /// The library (`src/lib.rs` or `[lib] path`).
    Lib,
    /// A binary.
    Bin,
    /// An integration test (`tests/`).
    Test,
    /// A benchmark (`benches/`).
    Bench,
    /// An example (`examples/`).
    Example,
    /// The build script (`build.rs` or `package.build`).
    Build,
}

/// One crate a package compiles.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    /// What it is.
    pub kind: TargetKind,
    /// Its name as Cargo has it (a library's with `-` as `_`).
    pub name: String,
    /// Its root source file.
    pub root: PathBuf,
}

/// A dependency as code names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dependency {
    /// The name in `use` paths and `extern crate` (the key, `-` as `_`).
    pub extern_name: String,
    /// The package it is (`package = "..."`, else the key).
    pub package: String,
    /// The directory of a `path` dependency.
    pub path: Option<PathBuf>,
}

/// Why a workspace could not be read.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum WorkspaceError {
    /// A manifest could not be read.
    #[error("{}: cannot read: {message}", .path.display())]
    Read {
        /// The manifest.
        path: PathBuf,
        /// The system's message.
        message: String,
    },
    /// A manifest is not valid TOML, or not what Cargo accepts where it matters here.
    #[error("{}: {message}", .path.display())]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// What is wrong, with its line where the TOML parser gives one.
        message: String,
    },
}

/// Reads the workspace whose root manifest is `manifest` (a `[workspace]` table, a
/// `[package]`, or both).
pub fn read_workspace(manifest: &Path, read: ReadText<'_>) -> Result<Workspace, WorkspaceError> {
    let root = manifest.parent().unwrap_or(Path::new(".")).to_path_buf();
    let table = read_manifest(manifest, read)?;
    let workspace = table.get("workspace").and_then(toml::Value::as_table);
    let strings = |key: &str| -> Vec<String> {
        workspace
            .and_then(|workspace| workspace.get(key))
            .and_then(toml::Value::as_array)
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|entry| entry.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let excluded: Vec<PathBuf> = strings("exclude")
        .iter()
        .map(|path| normalize(&root.join(path)))
        .collect();
    let inherited = workspace
        .and_then(|workspace| workspace.get("dependencies"))
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let workspace_edition = workspace
        .and_then(|workspace| workspace.get("package"))
        .and_then(|package| package.get("edition"))
        .and_then(toml::Value::as_str);
    let mut directories: Vec<PathBuf> = Vec::new();
    if table.get("package").is_some() {
        directories.push(root.clone());
    }
    for pattern in strings("members") {
        for directory in member_directories(&root, &pattern, manifest)? {
            if !excluded
                .iter()
                .any(|excluded| directory.starts_with(excluded))
            {
                directories.push(directory);
            }
        }
    }
    // Path dependencies inside the workspace are members too, transitively.
    let mut packages: BTreeMap<PathBuf, Package> = BTreeMap::new();
    while let Some(directory) = directories.pop() {
        let directory = normalize(&directory);
        if packages.contains_key(&directory) {
            continue;
        }
        let package_manifest = directory.join("Cargo.toml");
        let package_table = if directory == root {
            table.clone()
        } else {
            read_manifest(&package_manifest, read)?
        };
        let package = read_package(
            &directory,
            &package_manifest,
            &package_table,
            (&root, &inherited, workspace_edition),
        )?;
        for dependency in &package.dependencies {
            if let Some(path) = &dependency.path {
                let path = normalize(path);
                if path.starts_with(&root)
                    && !excluded.iter().any(|excluded| path.starts_with(excluded))
                {
                    directories.push(path);
                }
            }
        }
        packages.insert(directory, package);
    }
    Ok(Workspace {
        root,
        packages: packages.into_values().collect(),
    })
}

fn read_manifest(path: &Path, read: ReadText<'_>) -> Result<toml::Table, WorkspaceError> {
    let text = read(path).map_err(|error| WorkspaceError::Read {
        path: path.to_path_buf(),
        message: error.to_string(),
    })?;
    text.parse::<toml::Table>()
        .map_err(|error| WorkspaceError::Invalid {
            path: path.to_path_buf(),
            message: error.to_string().trim_end().to_string(),
        })
}

/// The directories a `members` entry names: a path, or a glob of paths (`crates/*`) whose
/// matches are the directories holding a Cargo.toml.
fn member_directories(
    root: &Path,
    pattern: &str,
    manifest: &Path,
) -> Result<Vec<PathBuf>, WorkspaceError> {
    if !pattern.contains(['*', '?', '[']) {
        return Ok(vec![root.join(pattern)]);
    }
    let glob = globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|error| WorkspaceError::Invalid {
            path: manifest.to_path_buf(),
            message: format!("workspace.members: {error}"),
        })?
        .compile_matcher();
    // The glob's fixed leading directories bound the search.
    let fixed: PathBuf = pattern
        .split('/')
        .take_while(|part| !part.contains(['*', '?', '[']))
        .collect();
    let depth = pattern.split('/').count() - fixed.components().count();
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(root.join(&fixed))
        .min_depth(1)
        .max_depth(if pattern.contains("**") {
            usize::MAX
        } else {
            depth
        })
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_dir())
    {
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let relative = relative.to_string_lossy().replace('\\', "/");
        if glob.is_match(&relative) && entry.path().join("Cargo.toml").is_file() {
            found.push(entry.path().to_path_buf());
        }
    }
    Ok(found)
}

/// The package in `directory`; `inherited` is the workspace's `[workspace.dependencies]`,
/// written in the manifest of `workspace_root`.
fn read_package(
    directory: &Path,
    manifest: &Path,
    table: &toml::Table,
    (workspace_root, inherited, workspace_edition): (&Path, &toml::Table, Option<&str>),
) -> Result<Package, WorkspaceError> {
    let invalid = |message: String| WorkspaceError::Invalid {
        path: manifest.to_path_buf(),
        message,
    };
    let package = table
        .get("package")
        .and_then(toml::Value::as_table)
        .ok_or_else(|| invalid("no [package] table".to_string()))?;
    let name = package
        .get("name")
        .and_then(toml::Value::as_str)
        .ok_or_else(|| invalid("package.name is missing".to_string()))?
        .to_string();
    let edition = match package.get("edition") {
        Some(toml::Value::String(edition)) => edition.as_str(),
        Some(toml::Value::Table(inherit))
            if inherit.get("workspace").and_then(toml::Value::as_bool) == Some(true) =>
        {
            workspace_edition.unwrap_or("2015")
        }
        _ => "2015",
    };
    let flag = |key: &str, declared: &str| -> bool {
        package
            .get(key)
            .and_then(toml::Value::as_bool)
            // Edition 2015 turns discovery off for a kind once one target of it is declared.
            .unwrap_or(!(edition == "2015" && table.get(declared).is_some()))
    };
    let mut targets = Vec::new();
    let lib = table.get("lib").and_then(toml::Value::as_table);
    let lib_path = lib
        .and_then(|lib| lib.get("path"))
        .and_then(toml::Value::as_str)
        .map(|path| directory.join(path))
        .or_else(|| Some(directory.join("src/lib.rs")).filter(|path| path.is_file()));
    if let Some(root) = lib_path {
        let lib_name = lib
            .and_then(|lib| lib.get("name"))
            .and_then(toml::Value::as_str)
            .map_or_else(|| name.replace('-', "_"), str::to_string);
        targets.push(Target {
            kind: TargetKind::Lib,
            name: lib_name,
            root: normalize(&root),
        });
    }
    let kinds = [
        (TargetKind::Bin, "bin", "autobins", "src/bin"),
        (TargetKind::Test, "test", "autotests", "tests"),
        (TargetKind::Bench, "bench", "autobenches", "benches"),
        (TargetKind::Example, "example", "autoexamples", "examples"),
    ];
    for (kind, key, auto_key, folder) in kinds {
        let mut found: BTreeMap<String, PathBuf> = BTreeMap::new();
        if flag(auto_key, key) {
            if kind == TargetKind::Bin && directory.join("src/main.rs").is_file() {
                found.insert(name.clone(), directory.join("src/main.rs"));
            }
            for (target, root) in discovered(&directory.join(folder)) {
                found.entry(target).or_insert(root);
            }
        }
        let declared = table
            .get(key)
            .and_then(toml::Value::as_array)
            .cloned()
            .unwrap_or_default();
        for entry in declared.iter().filter_map(toml::Value::as_table) {
            let Some(target) = entry.get("name").and_then(toml::Value::as_str) else {
                return Err(invalid(format!("a [[{key}]] entry has no name")));
            };
            let root = match entry.get("path").and_then(toml::Value::as_str) {
                Some(path) => directory.join(path),
                None => inferred_root(directory, kind, folder, target, &name).ok_or_else(|| {
                    invalid(format!(
                        "[[{key}]] `{target}` has no path and none is found"
                    ))
                })?,
            };
            found.insert(target.to_string(), root);
        }
        targets.extend(found.into_iter().map(|(name, root)| Target {
            kind,
            name,
            root: normalize(&root),
        }));
    }
    let build = match package.get("build") {
        Some(toml::Value::String(path)) => Some(directory.join(path)),
        Some(toml::Value::Boolean(false)) => None,
        _ => Some(directory.join("build.rs")).filter(|path| path.is_file()),
    };
    if let Some(root) = build {
        // Cargo names it after its file: `build-script-build` for build.rs.
        let stem = root
            .file_stem()
            .map_or_else(|| "build".into(), |stem| stem.to_string_lossy());
        targets.push(Target {
            kind: TargetKind::Build,
            name: format!("build-script-{stem}"),
            root: normalize(&root),
        });
    }
    targets.sort();
    let mut dependencies = Vec::new();
    let mut tables: Vec<&toml::Table> = ["dependencies", "dev-dependencies", "build-dependencies"]
        .iter()
        .filter_map(|key| table.get(*key).and_then(toml::Value::as_table))
        .collect();
    if let Some(platforms) = table.get("target").and_then(toml::Value::as_table) {
        for platform in platforms.values().filter_map(toml::Value::as_table) {
            tables.extend(
                ["dependencies", "dev-dependencies", "build-dependencies"]
                    .iter()
                    .filter_map(|key| platform.get(*key).and_then(toml::Value::as_table)),
            );
        }
    }
    for dependencies_table in tables {
        for (key, value) in dependencies_table {
            let own = value.as_table();
            let from_workspace = own
                .and_then(|own| own.get("workspace"))
                .and_then(toml::Value::as_bool)
                .unwrap_or(false);
            let source = if from_workspace {
                inherited.get(key).and_then(toml::Value::as_table)
            } else {
                own
            };
            let package = own
                .and_then(|own| own.get("package"))
                .or_else(|| source.and_then(|source| source.get("package")))
                .and_then(toml::Value::as_str)
                .unwrap_or(key);
            // An inherited path is relative to the workspace root, where it is written.
            let path = source
                .and_then(|source| source.get("path"))
                .and_then(toml::Value::as_str)
                .map(|path| {
                    if from_workspace {
                        workspace_root.join(path)
                    } else {
                        directory.join(path)
                    }
                });
            dependencies.push(Dependency {
                extern_name: key.replace('-', "_"),
                package: package.to_string(),
                path,
            });
        }
    }
    dependencies.sort();
    dependencies.dedup();
    Ok(Package {
        name,
        directory: directory.to_path_buf(),
        targets,
        dependencies,
        edition: edition.to_string(),
    })
}

/// Targets found in `folder`: `x.rs` and `x/main.rs`, by name.
fn discovered(folder: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<(String, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let path = entry.path();
            let name = path.file_name()?.to_str()?.to_string();
            if path.is_dir() {
                let main = path.join("main.rs");
                main.is_file().then_some((name, main))
            } else {
                let stem = name.strip_suffix(".rs")?;
                Some((stem.to_string(), path))
            }
        })
        .collect();
    found.sort();
    found
}

/// Where Cargo looks for a declared target without a `path`.
fn inferred_root(
    directory: &Path,
    kind: TargetKind,
    folder: &str,
    target: &str,
    package: &str,
) -> Option<PathBuf> {
    let mut candidates = vec![
        directory.join(folder).join(format!("{target}.rs")),
        directory.join(folder).join(target).join("main.rs"),
    ];
    if kind == TargetKind::Bin && target == package {
        candidates.insert(0, directory.join("src/main.rs"));
    }
    candidates.into_iter().find(|path| path.is_file())
}
