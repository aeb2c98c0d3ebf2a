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
    let Some(parsed) = parse(read, file, tree) else {
        return;
    };
    let place = Place {
        file,
        file_directory: file.parent().unwrap_or(Path::new("")),
        inline: false,
    };
    items(read, &parsed.items, &module, &children, place, tree, depth);
}

/// Reads and parses a module file; what cannot be read or parsed is a problem.
fn parse(read: ReadText<'_>, file: &Path, tree: &mut ModuleTree) -> Option<syn::File> {
    let text = match read(file) {
        Ok(text) => text,
        Err(error) => {
            tree.problems.push(ModuleProblem::Unreadable {
                file: file.to_path_buf(),
                message: error.to_string(),
            });
            return None;
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
        return None;
    }
    match syn::parse_file(&text) {
        Ok(parsed) => Some(parsed),
        Err(error) => {
            let start = error.span().start();
            tree.problems.push(ModuleProblem::Unreadable {
                file: file.to_path_buf(),
                message: format!("{}:{}: {error}", start.line, start.column + 1),
            });
            None
        }
    }
}

/// The items written inside an item-level macro invocation (`cfg_if! { if #[cfg(unix)] {
/// mod unix; } }`): its body, or each brace group of it, that parses as items. rustc
/// declares the modules such items declare once the macro expands; which branch of a
/// `cfg_if!` is compiled depends on the target, so every branch's modules are followed.
fn items_in_macro(tokens: &proc_macro2::TokenStream) -> Vec<syn::Item> {
    if let Ok(file) = syn::parse2::<syn::File>(tokens.clone()) {
        if !file.items.is_empty() {
            return file.items;
        }
    }
    let mut found = Vec::new();
    for tree in tokens.clone() {
        if let proc_macro2::TokenTree::Group(group) = tree {
            if group.delimiter() == proc_macro2::Delimiter::Brace {
                found.extend(items_in_macro(&group.stream()));
            }
        }
    }
    found
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
        if let (true, syn::Item::ExternCrate(declaration)) = (module.is_empty(), item) {
            let name = declaration.ident.unraw().to_string();
            let alias = declaration
                .rename
                .as_ref()
                .map_or_else(|| name.clone(), |(_, alias)| alias.unraw().to_string());
            if alias != "_" {
                tree.root_extern_crates.push((alias, name));
            }
            continue;
        }
        if let Some(included) = included_file(item, place.file_directory) {
            tree.included.push((module.to_string(), included.clone()));
            // Its items are the including module's; its `mod` declarations are looked for
            // beside it, as a mod.rs's are.
            if depth < MAX_DEPTH {
                if let Some(parsed) = parse(read, &included, tree) {
                    let directory = included.parent().unwrap_or(Path::new("")).to_path_buf();
                    let place = Place {
                        file: &included,
                        file_directory: &directory,
                        inline: false,
                    };
                    self::items(
                        read,
                        &parsed.items,
                        module,
                        &directory,
                        place,
                        tree,
                        depth + 1,
                    );
                }
            }
            continue;
        }
        if let syn::Item::Macro(invocation) = item {
            if let Some(name) = &invocation.ident {
                let exported = invocation
                    .attrs
                    .iter()
                    .any(|attribute| attribute.path().is_ident("macro_export"));
                if exported {
                    tree.exported_macros.push(name.unraw().to_string());
                }
            }
            if invocation.ident.is_none() {
                let inside = items_in_macro(&invocation.mac.tokens);
                self::items(read, &inside, module, children, place, tree, depth + 1);
            }
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
                let conditional = conditional_paths(&declaration.attrs);
                if !conditional.is_empty() {
                    // Each configuration's file that exists is compiled under it; where none
                    // names one, `mod x;` looks where it always does.
                    let base = if place.inline {
                        children
                    } else {
                        place.file_directory
                    };
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
                            children.join(&name)
                        } else {
                            file.parent().unwrap_or(Path::new("")).to_path_buf()
                        };
                        load(read, file, child.clone(), directory, tree, depth + 1);
                    }
                    continue;
                }
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

/// The value of a `#[path = "..."]` attribute.
/// The files `#[cfg_attr(predicate, path = "...")]` attributes name: under some
/// configurations the module is there instead of where `mod x;` alone would look.
fn conditional_paths(attributes: &[syn::Attribute]) -> Vec<String> {
    let mut paths = Vec::new();
    for attribute in attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("cfg_attr"))
    {
        let parsed = attribute.parse_args_with(
            syn::punctuated::Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated,
        );
        let Ok(metas) = parsed else {
            continue;
        };
        for meta in metas.iter().skip(1) {
            if let syn::Meta::NameValue(syn::MetaNameValue {
                path,
                value:
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }),
                ..
            }) = meta
            {
                if path.is_ident("path") {
                    paths.push(text.value());
                }
            }
        }
    }
    paths
}

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
