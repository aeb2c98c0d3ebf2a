//! A crate's module tree, from its `mod` declarations as rustc follows them: `mod x;` in a
//! crate root or a `mod.rs` file loads `x.rs` or `x/mod.rs` beside it; in any other file
//! `a.rs` (the 2018 rule) it loads `a/x.rs` or `a/x/mod.rs`; inline `mod x { ... }` adds `x/`
//! to where its file modules are looked for; `#[path = "..."]` names the file — relative
//! to the declaring file's directory outside inline modules, to the inline modules'
//! directory inside them — and a file loaded by it places its own children as a `mod.rs`
//! does. Both candidates present is rustc's E0761, neither E0583: each is a problem here,
//! and so is a file syn cannot parse (its children are unknown).
//!
//! `tests/rust_modules.rs` compares the files this reaches with the ones rustc reads
//! (`--emit=dep-info`) over generated crates.

use super::ReadText;
use std::path::{Path, PathBuf};
use syn::ext::IdentExt as _;

/// The modules of one crate and the files they live in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleTree {
    /// Every module, inline ones included, in declaration order from the crate root: its
    /// path below the crate (`""` for the root, `a::b`), and the file its items are in.
    pub modules: Vec<(String, PathBuf)>,
    /// Files spliced in by an item-level `include!("...")`, relative to the including
    /// file's directory: compiled too, though no module is theirs.
    pub included: Vec<PathBuf>,
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
    // proc-macro2 keeps every parsed text of the thread for its spans' positions; they
    // are all read by now.
    proc_macro2::extra::invalidate_current_thread_spans();
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
    let text = match read(file) {
        Ok(text) => text,
        Err(error) => {
            tree.problems.push(ModuleProblem::Unreadable {
                file: file.to_path_buf(),
                message: error.to_string(),
            });
            return;
        }
    };
    // A file syn's recursion could not parse on the thread's stack is not parsed at all.
    if super::comments::too_deep(&text, super::facts::MAX_NESTING).is_some() {
        tree.problems.push(ModuleProblem::Unreadable {
            file: file.to_path_buf(),
            message: format!(
                "nested more than {} levels deep; importgate does not parse it",
                super::facts::MAX_NESTING
            ),
        });
        return;
    }
    let parsed = match syn::parse_file(&text) {
        Ok(parsed) => parsed,
        Err(error) => {
            let start = error.span().start();
            tree.problems.push(ModuleProblem::Unreadable {
                file: file.to_path_buf(),
                message: format!("{}:{}: {error}", start.line, start.column + 1),
            });
            return;
        }
    };
    let place = Place {
        file,
        file_directory: file.parent().unwrap_or(Path::new("")),
        inline: false,
    };
    items(read, &parsed.items, &module, &children, place, tree, depth);
}

/// Where items are declared.
#[derive(Clone, Copy)]
struct Place<'p> {
    file: &'p Path,
    /// The declaring file's own directory (where an outer `#[path]` is relative to).
    file_directory: &'p Path,
    /// Inside an inline module.
    inline: bool,
}

fn items(
    read: ReadText<'_>,
    items: &[syn::Item],
    module: &str,
    children: &Path,
    place: Place<'_>,
    tree: &mut ModuleTree,
    depth: usize,
) {
    for item in items {
        if let Some(included) = included_file(item, place.file_directory) {
            tree.included.push(included);
            continue;
        }
        let syn::Item::Mod(declaration) = item else {
            continue;
        };
        let name = declaration.ident.unraw().to_string();
        let child = if module.is_empty() {
            name.clone()
        } else {
            format!("{module}::{name}")
        };
        let path_attribute = path_attribute(&declaration.attrs);
        match &declaration.content {
            Some((_, inner)) => {
                tree.modules.push((child.clone(), place.file.to_path_buf()));
                let directory = children.join(path_attribute.as_deref().unwrap_or(&name));
                let inner_place = Place {
                    inline: true,
                    ..place
                };
                self::items(read, inner, &child, &directory, inner_place, tree, depth);
            }
            None => {
                let line = declaration.ident.span().start().line;
                let declared_in = (place.file.to_path_buf(), line);
                if let Some(path) = path_attribute {
                    let base = if place.inline {
                        children
                    } else {
                        place.file_directory
                    };
                    let file = base.join(path);
                    // A file named by `#[path]` places its children as a mod.rs does.
                    let directory = file.parent().unwrap_or(Path::new("")).to_path_buf();
                    load(read, &file, child, directory, tree, depth + 1);
                    continue;
                }
                let flat = children.join(format!("{name}.rs"));
                let nested = children.join(&name).join("mod.rs");
                match (flat.is_file(), nested.is_file()) {
                    (true, false) => {
                        let directory = children.join(&name);
                        load(read, &flat, child, directory, tree, depth + 1);
                    }
                    (false, true) => {
                        let directory = children.join(&name);
                        load(read, &nested, child, directory, tree, depth + 1);
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

/// The file of an item-level `include!("literal")`, if the item is one.
fn included_file(item: &syn::Item, directory: &Path) -> Option<PathBuf> {
    let syn::Item::Macro(call) = item else {
        return None;
    };
    if !call.mac.path.is_ident("include") {
        return None;
    }
    let literal: syn::LitStr = call.mac.parse_body().ok()?;
    Some(directory.join(literal.value()))
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
                .chain(tree.included.iter().cloned())
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

/// The value of a `#[path = "..."]` attribute.
fn path_attribute(attributes: &[syn::Attribute]) -> Option<String> {
    attributes.iter().find_map(|attribute| {
        if !attribute.path().is_ident("path") {
            return None;
        }
        match &attribute.meta {
            syn::Meta::NameValue(syn::MetaNameValue {
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) => Some(text.value()),
            _ => None,
        }
    })
}
