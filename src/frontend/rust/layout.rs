//! The Rust side of a governed tree: its Cargo workspaces and packages, read from the
//! manifests the walk listed, each target's crate and module tree, and where each listed
//! `.rs` file sits in them — the module rustc compiles it as (`grep_searcher::searcher::glue`),
//! or none: a file of a package that no `mod` reaches is never compiled.

use super::modules::{module_tree, ModuleProblem, ModuleTree};
use super::workspace::{read_workspace, Dependency, TargetKind, WorkspaceError};
use super::ReadText;
use crate::paths::normalize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One crate: a target of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crate {
    /// The crate's name as code spells it (`-` as `_`): its root module's name.
    pub name: String,
    /// What target it is.
    pub kind: TargetKind,
    /// The package's name.
    pub package: String,
    /// The package's directory.
    pub directory: PathBuf,
    /// The names the crate's code can use for other crates (its package's dependencies,
    /// and its package's library for the package's other targets), with the library
    /// crate each is when it is one of the tree's (an index into [`RustLayout::crates`]).
    pub extern_names: BTreeMap<String, Option<usize>>,
    /// Its modules: path below the crate (`""`, `a::b`) and the file each is in; inline
    /// modules share their file's.
    pub modules: Vec<(String, PathBuf)>,
    /// The 2015 edition: `use` paths start at the crate root.
    pub edition_2015: bool,
    /// Its `#[macro_export]` macros: names of its root module.
    pub exported_macros: Vec<String>,
    /// What its modules' item-level `use` declarations bind (module path below the crate,
    /// binding): the modules it re-exports under other names.
    pub uses: Vec<(String, super::outline::UseBinding)>,
}

impl Crate {
    /// The full name of the module at `path` below the crate (`""`: the crate root).
    pub fn module_name(&self, path: &str) -> String {
        if path.is_empty() {
            self.name.clone()
        } else {
            format!("{}::{path}", self.name)
        }
    }
}

/// Where a listed `.rs` file sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The crate (an index into [`RustLayout::crates`]); the first that reaches the file,
    /// libraries first, when several compile it.
    pub krate: usize,
    /// Its module, spelled Rust's way from the crate's name (`my_crate::a::b`).
    pub module: String,
    /// Test code: an integration test, benchmark or example target.
    pub test: bool,
}

/// What could not be read or followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutProblem {
    /// A manifest that cannot be read or is not valid.
    Workspace(WorkspaceError),
    /// A `mod` declaration that cannot be followed, or a module file that cannot be read.
    Module(ModuleProblem),
    /// Two packages of the tree have libraries of one name: a path starting with it cannot
    /// be told to be either's.
    DuplicateLibrary {
        /// The library's name.
        name: String,
        /// The manifest of the package that has it too.
        manifest: PathBuf,
        /// The manifest of the first package that has it.
        first: PathBuf,
    },
}

/// The Rust crates of a tree and where its `.rs` files sit in them.
#[derive(Debug, Default)]
pub struct RustLayout {
    /// Every crate, packages in directory order, each package's targets in kind order.
    pub crates: Vec<Crate>,
    /// Each reached `.rs` file (normalized path) and its place.
    pub files: HashMap<PathBuf, Placement>,
    /// The listed `.rs` files inside a package that no target reaches (never compiled),
    /// with the package's name.
    pub unreached: Vec<(PathBuf, String)>,
    /// What could not be read or followed.
    pub problems: Vec<LayoutProblem>,
}

impl RustLayout {
    /// Drops what the crates' `use` declarations bind, once the module aliases are made
    /// of it (it is most of a layout's memory).
    pub fn forget_uses(&mut self) {
        for krate in &mut self.crates {
            krate.uses = Vec::new();
        }
    }

    /// The place of a file, by its path.
    pub fn place(&self, path: &Path) -> Option<&Placement> {
        self.files.get(&normalize(path))
    }
}

/// Reads the workspaces and packages whose manifests (`Cargo.toml`) the walk listed, and
/// places the listed `.rs` files (absolute paths) in their crates.
pub fn layout(manifests: &[PathBuf], rust_files: &[PathBuf], read: ReadText<'_>) -> RustLayout {
    let mut result = RustLayout::default();
    // Workspace roots first: their members are not read again as packages of their own.
    let mut roots: Vec<&PathBuf> = Vec::new();
    let mut packages_only: Vec<&PathBuf> = Vec::new();
    for manifest in manifests {
        match read(manifest)
            .ok()
            .and_then(|text| text.parse::<toml::Table>().ok())
        {
            Some(table) if table.contains_key("workspace") => roots.push(manifest),
            Some(table) if table.contains_key("package") => packages_only.push(manifest),
            // Not valid TOML: read_workspace says why.
            None => packages_only.push(manifest),
            Some(_) => {}
        }
    }
    let mut packages = BTreeMap::new();
    for manifest in roots.into_iter().chain(packages_only) {
        let directory = normalize(manifest.parent().unwrap_or(Path::new("")));
        if packages.contains_key(&directory) {
            continue;
        }
        match read_workspace(manifest, read) {
            Ok(workspace) => {
                for package in workspace.packages {
                    packages
                        .entry(normalize(&package.directory))
                        .or_insert(package);
                }
            }
            Err(error) => result.problems.push(LayoutProblem::Workspace(error)),
        }
    }
    // Each package's library, by package name: what its dependents' code names.
    let mut library_of_package: HashMap<String, usize> = HashMap::new();
    // Each library name with the manifest that first has it.
    let mut libraries: HashMap<String, PathBuf> = HashMap::new();
    let mut crate_of_target = Vec::new();
    for package in packages.values() {
        for target in &package.targets {
            let index = result.crates.len();
            if target.kind == TargetKind::Lib {
                library_of_package.insert(package.name.clone(), index);
                let manifest = package.directory.join("Cargo.toml");
                let name = target.name.replace('-', "_");
                match libraries.get(&name) {
                    Some(first) => result.problems.push(LayoutProblem::DuplicateLibrary {
                        name,
                        manifest,
                        first: first.clone(),
                    }),
                    None => {
                        libraries.insert(name, manifest);
                    }
                }
            }
            crate_of_target.push((index, package, target));
            result.crates.push(Crate {
                name: target.name.replace('-', "_"),
                kind: target.kind,
                package: package.name.clone(),
                directory: normalize(&package.directory),
                extern_names: BTreeMap::new(),
                modules: Vec::new(),
                edition_2015: package.edition == "2015",
                exported_macros: Vec::new(),
                uses: Vec::new(),
            });
        }
    }
    let extern_names = |dependencies: &[Dependency], own: Option<(&str, usize)>| {
        let mut names: BTreeMap<String, Option<usize>> = dependencies
            .iter()
            .map(|dependency| {
                let library = library_of_package.get(&dependency.package).copied();
                (dependency.extern_name.clone(), library)
            })
            .collect();
        if let Some((name, library)) = own {
            names.entry(name.to_string()).or_insert(Some(library));
        }
        names
    };
    // A package's other targets use its library by the library's name.
    let own_library = |index: usize, package: &str| {
        library_of_package
            .get(package)
            .filter(|library| **library != index)
            .map(|library| (result.crates[*library].name.as_str(), *library))
    };
    // Every target's module tree and the names its code gives other crates, in parallel:
    // each reads its crate's module files and scans their tokens (a loop with a bounded
    // depth, no parse: any thread's stack does).
    let followed: Vec<(ModuleTree, BTreeMap<String, Option<usize>>)> = {
        use rayon::prelude::*;
        crate_of_target
            .par_iter()
            .map(|(index, package, target)| {
                let mut tree = module_tree(&target.root, read);
                let mut names =
                    extern_names(&package.dependencies, own_library(*index, &package.name));
                // `extern crate x as y;` at the crate root: `y` is `x` everywhere in the
                // crate.
                for (alias, name) in &tree.root_extern_crates {
                    let crate_itself = (name == "self").then_some(*index);
                    let target = crate_itself.or_else(|| names.get(name).copied().flatten());
                    names.insert(alias.clone(), target);
                }
                // Only what may name the tree's modules is kept: `use std::..` and paths
                // into crates outside the tree re-export none of them.
                tree.uses.retain(|(_, binding)| {
                    let first = binding.path.split("::").next().unwrap_or_default();
                    match names.get(first) {
                        Some(library) => library.is_some(),
                        None => !super::SYSROOT_CRATES.contains(&first),
                    }
                });
                (tree, names)
            })
            .collect()
    };
    let mut trees = Vec::new();
    for ((index, _, _), (mut tree, names)) in crate_of_target.iter().zip(followed) {
        result.crates[*index].exported_macros = tree.exported_macros.clone();
        result.crates[*index].uses = std::mem::take(&mut tree.uses);
        result.crates[*index].extern_names = names;
        result.crates[*index].modules = tree
            .modules
            .iter()
            .map(|(module, file)| (module.clone(), normalize(file)))
            .collect();
        result
            .problems
            .extend(tree.problems.iter().cloned().map(LayoutProblem::Module));
        trees.push((*index, tree));
    }
    // Libraries first, so that a file two crates compile is placed in the library.
    trees.sort_by_key(|(index, _)| (result.crates[*index].kind != TargetKind::Lib, *index));
    for (index, tree) in &trees {
        let krate = &result.crates[*index];
        let test = matches!(
            krate.kind,
            TargetKind::Test | TargetKind::Bench | TargetKind::Example
        );
        // An included file is part of the module it is spliced into.
        for (module, file) in tree.modules.iter().chain(&tree.included) {
            let module = krate.module_name(module);
            result
                .files
                .entry(normalize(file))
                .or_insert_with(|| Placement {
                    krate: *index,
                    module,
                    test,
                });
        }
    }
    // Where a package's library and binaries have their roots (`src/`): a `.rs` file there
    // that no `mod` reaches is left behind. Elsewhere (`tests/ui/`, `tests/expand/`) `.rs`
    // files are as often fixtures other tools compile (trybuild, macrotest) as forgotten.
    let source_directories: Vec<(PathBuf, &str)> = packages
        .values()
        .flat_map(|package| {
            package
                .targets
                .iter()
                .filter(|target| matches!(target.kind, TargetKind::Lib | TargetKind::Bin))
                .filter_map(|target| target.root.parent())
                .map(move |directory| (normalize(directory), package.name.as_str()))
        })
        .collect();
    result.unreached = rust_files
        .iter()
        .filter(|file| !result.files.contains_key(&normalize(file)))
        .filter_map(|file| {
            // The deepest package holding the file decides.
            let (directory, package) = packages
                .iter()
                .filter(|(directory, _)| file.starts_with(directory))
                .max_by_key(|(directory, _)| directory.as_os_str().len())?;
            let in_sources = source_directories.iter().any(|(sources, owner)| {
                *owner == package.name
                    && sources.starts_with(directory)
                    && file.starts_with(sources)
            });
            in_sources.then(|| (file.clone(), package.name.clone()))
        })
        .collect();
    result
}
