//! A crate's module tree, from its `mod` declarations as rustc follows them: `mod x;` in a
//! crate root or a `mod.rs` file loads `x.rs` or `x/mod.rs` beside it; in any other file
//! `a.rs` (the 2018 rule) it loads `a/x.rs` or `a/x/mod.rs`; inline `mod x { ... }` adds `x/`
//! to where its file modules are looked for; `#[path = "..."]` names the file — relative
//! to the declaring file's directory outside inline modules, to the inline modules'
//! directory inside them — and a file loaded by it places its own children as a `mod.rs`
//! does. Both candidates present is rustc's E0761, neither E0583: each is a problem here,
//! and so is a file that cannot be read (its children are unknown). What a file declares
//! comes from its token outline ([`super::outline`]), never from a parse.
//!
//! `tests/rust_modules.rs` compares the files this reaches with the ones rustc reads
//! (`--emit=dep-info`) over generated crates.

use super::outline::{outline, Event, UseBinding};
use super::ReadText;
use std::path::{Path, PathBuf};

/// The modules of one crate and the files they live in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleTree {
    /// Every module, inline ones included, in declaration order from the crate root: its
    /// path below the crate (`""` for the root, `a::b`), and the file its items are in.
    pub modules: Vec<(String, PathBuf)>,
    /// Files spliced in by an item-level `include!("...")` (relative to the including
    /// file's directory), with the module they are spliced into: compiled as part of it.
    pub included: Vec<(String, PathBuf)>,
    /// The crate root's `extern crate name (as alias);` items, as (alias, name): in the
    /// 2018 editions and later they add `alias` to the extern prelude of the whole crate
    /// (`extern crate self as my_crate;` names the crate itself).
    pub root_extern_crates: Vec<(String, String)>,
    /// `#[macro_export] macro_rules! name` anywhere in the crate: `name` is bound at the
    /// crate root.
    pub exported_macros: Vec<String>,
    /// What each module's item-level `use` declarations bind: the module's path below the
    /// crate, and the binding.
    pub uses: Vec<(String, UseBinding)>,
    /// What could not be followed.
    pub problems: Vec<ModuleProblem>,
}

impl ModuleTree {
    /// The files of the crate: each file some module lives in, once, in load order.
    pub fn files(&self) -> Vec<&Path> {
        let mut seen = std::collections::HashSet::new();
        self.modules
            .iter()
            .map(|(_, file)| file.as_path())
            .filter(|file| seen.insert(*file))
            .collect()
    }
}

/// A `mod` declaration the tree cannot follow, or a file it cannot read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleProblem {
    /// Neither candidate file exists (rustc's E0583).
    NotFound {
        /// The module (`a::b`).
        module: String,
        /// The files looked for.
        candidates: Vec<PathBuf>,
        /// The file that declares it, and the declaration's line.
        declared_in: (PathBuf, usize),
    },
    /// Both `x.rs` and `x/mod.rs` exist (rustc's E0761).
    Ambiguous {
        /// The module.
        module: String,
        /// Both files.
        candidates: Vec<PathBuf>,
        /// The file that declares it, and the declaration's line.
        declared_in: (PathBuf, usize),
    },
    /// A file that cannot be read or parsed: its modules are unknown.
    Unreadable {
        /// The file.
        file: PathBuf,
        /// Why, with syn's line and column for a syntax error.
        message: String,
    },
}

/// The module tree of the crate whose root file is `root` (`src/lib.rs`, `src/main.rs`, a
/// test's file...).
pub fn module_tree(root: &Path, read: ReadText<'_>) -> ModuleTree {
    let mut tree = ModuleTree::default();
    let directory = root.parent().unwrap_or(Path::new("")).to_path_buf();
    load(read, root, String::new(), directory, &mut tree, 0);
    tree
}

/// Module files nested deeper than this are not followed (a `#[path]` cycle).
const MAX_DEPTH: usize = 256;

/// Loads `file` as `module`, whose file-module children are looked for in `children`.
fn load(
    read: ReadText<'_>,
    file: &Path,
    module: String,
    children: PathBuf,
    tree: &mut ModuleTree,
    depth: usize,
) {
    tree.modules.push((module.clone(), file.to_path_buf()));
    if depth > MAX_DEPTH {
        return;
    }
    let Some(events) = read_outline(read, file, tree) else {
        return;
    };
    let directory = file.parent().unwrap_or(Path::new(""));
    follow(
        read, &events, file, directory, module, children, tree, depth,
    );
}

/// Reads a module file's outline; a file that cannot be read is a problem.
fn read_outline(read: ReadText<'_>, file: &Path, tree: &mut ModuleTree) -> Option<Vec<Event>> {
    match read(file) {
        Ok(text) => Some(outline(&text)),
        Err(error) => {
            tree.problems.push(ModuleProblem::Unreadable {
                file: file.to_path_buf(),
                message: error.to_string(),
            });
            None
        }
    }
}

/// An inline module being followed: its full path, and where its file modules are.
struct Inline {
    module: String,
    children: PathBuf,
}

/// Follows the outline of `file` (in directory `file_directory`), the items of `module`
/// whose file-module children are looked for in `children`.
#[allow(clippy::too_many_arguments)]
fn follow(
    read: ReadText<'_>,
    events: &[Event],
    file: &Path,
    file_directory: &Path,
    module: String,
    children: PathBuf,
    tree: &mut ModuleTree,
    depth: usize,
) {
    // The file's own module, then the inline modules open at this point.
    let mut open = vec![Inline { module, children }];
    for event in events {
        let inline = open.len() > 1;
        let Some(current) = open.last() else {
            return;
        };
        let (module, children) = (current.module.clone(), current.children.clone());
        let child_of = |name: &str| {
            if module.is_empty() {
                name.to_string()
            } else {
                format!("{module}::{name}")
            }
        };
        match event {
            Event::ExternCrate { name, alias } => {
                if module.is_empty() {
                    tree.root_extern_crates.push((alias.clone(), name.clone()));
                }
            }
            Event::ExportedMacro(name) => tree.exported_macros.push(name.clone()),
            Event::Use(bindings) => tree.uses.extend(
                bindings
                    .iter()
                    .map(|binding| (module.clone(), binding.clone())),
            ),
            Event::Include(relative) => {
                let included = file_directory.join(relative);
                tree.included.push((module.clone(), included.clone()));
                // Its items are the including module's; its `mod` declarations are looked
                // for beside it, as a mod.rs's are.
                if depth < MAX_DEPTH {
                    if let Some(inner) = read_outline(read, &included, tree) {
                        let directory = included.parent().unwrap_or(Path::new("")).to_path_buf();
                        follow(
                            read,
                            &inner,
                            &included,
                            &directory.clone(),
                            module.clone(),
                            directory,
                            tree,
                            depth + 1,
                        );
                    }
                }
            }
            Event::InlineStart { name, path } => {
                let child = child_of(name);
                tree.modules.push((child.clone(), file.to_path_buf()));
                let directory = children.join(path.as_deref().unwrap_or(name));
                open.push(Inline {
                    module: child,
                    children: directory,
                });
            }
            Event::InlineEnd => {
                if open.len() > 1 {
                    open.pop();
                }
            }
            Event::Declared {
                name,
                path,
                conditional,
                line,
            } => {
                let child = child_of(name);
                let declared_in = (file.to_path_buf(), *line);
                // Outside inline modules a `#[path]` is relative to the declaring file's
                // directory, inside them to the inline modules' directory.
                let base = if inline {
                    children.as_path()
                } else {
                    file_directory
                };
                if let Some(path) = path {
                    let file = base.join(path);
                    // A file named by `#[path]` places its children as a mod.rs does.
                    let directory = file.parent().unwrap_or(Path::new("")).to_path_buf();
                    load(read, &file, child, directory, tree, depth + 1);
                    continue;
                }
                let flat = children.join(format!("{name}.rs"));
                let nested = children.join(name).join("mod.rs");
                if !conditional.is_empty() {
                    // Each configuration's file that exists is compiled under it; where none
                    // names one, `mod x;` looks where it always does.
                    let mut candidates: Vec<PathBuf> =
                        conditional.iter().map(|path| base.join(path)).collect();
                    candidates.extend([flat.clone(), nested.clone()]);
                    let existing: Vec<PathBuf> = candidates
                        .iter()
                        .filter(|file| file.is_file())
                        .cloned()
                        .collect();
                    if existing.is_empty() {
                        tree.problems.push(ModuleProblem::NotFound {
                            module: child,
                            candidates,
                            declared_in,
                        });
                        continue;
                    }
                    for file in &existing {
                        let directory = if *file == flat {
                            children.join(name)
                        } else {
                            file.parent().unwrap_or(Path::new("")).to_path_buf()
                        };
                        load(read, file, child.clone(), directory, tree, depth + 1);
                    }
                    continue;
                }
                match (flat.is_file(), nested.is_file()) {
                    (true, false) => {
                        load(read, &flat, child, children.join(name), tree, depth + 1);
                    }
                    (false, true) => {
                        load(read, &nested, child, children.join(name), tree, depth + 1);
                    }
                    (true, true) => tree.problems.push(ModuleProblem::Ambiguous {
                        module: child,
                        candidates: vec![flat, nested],
                        declared_in,
                    }),
                    (false, false) => tree.problems.push(ModuleProblem::NotFound {
                        module: child,
                        candidates: vec![flat, nested],
                        declared_in,
                    }),
                }
            }
        }
    }
}

/// The `.rs` files below `directory` that no tree reaches, sorted: never compiled, so
/// nothing in them is checked by rustc. Nested packages (a directory with its own
/// Cargo.toml), `target/` and hidden directories are not looked in.
pub fn unreached_files(directory: &Path, trees: &[ModuleTree]) -> Vec<PathBuf> {
    let reached: std::collections::HashSet<PathBuf> = trees
        .iter()
        .flat_map(|tree| {
            tree.files()
                .into_iter()
                .map(Path::to_path_buf)
                .chain(tree.included.iter().map(|(_, file)| file.clone()))
        })
        .map(|file| file.canonicalize().unwrap_or(file))
        .collect();
    let mut unreached: Vec<PathBuf> = walkdir::WalkDir::new(directory)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            entry.depth() == 0
                || !entry.file_type().is_dir()
                || !(entry.file_name() == "target"
                    || entry.file_name().to_string_lossy().starts_with('.')
                    || entry.path().join("Cargo.toml").is_file())
        })
        .filter_map(Result::ok)
        .filter(|entry| {
            entry.file_type().is_file()
                && entry
                    .path()
                    .extension()
                    .is_some_and(|extension| extension == "rs")
        })
        .map(|entry| entry.into_path())
        .filter(|file| {
            let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
            !reached.contains(&canonical)
        })
        .collect();
    unreached.sort();
    unreached
}
