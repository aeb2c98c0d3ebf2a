//! Rust paths -> the module and item they name, as rustc resolves them across the tree's
//! crates: `crate`, `self` and `super` anchored at the file's module (the frontend has
//! already folded inline modules and the file's own `use` bindings in), an external
//! crate's name looked up in the crate's extern prelude (its dependencies, renames
//! included; its package's library for the package's other targets; `std`, `core`,
//! `alloc`, `proc_macro`, `test`), and a path into one of the tree's crates split at its
//! longest prefix that is a module: what follows it is the name that module must bind.
//! A path through a module re-exported under another name goes on from the module itself
//! ([`reexports`]).

mod reexports;

use super::{FileId, Located, Resolved, ResolvedImport};
use crate::frontend::rust::layout::RustLayout;
use crate::model::{Import, ImportKind, Language, SourceFile};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Crates every crate can name without declaring them.
use crate::frontend::rust::SYSROOT_CRATES as SYSROOT;

/// The tree's Rust crates and modules, for resolving paths.
#[derive(Debug, Default)]
pub struct RustModules {
    crates: Vec<CrateNames>,
    /// Every module of every crate (inline ones included, in their file), by full name.
    /// When two crates have a module of the same name (a package's library and binary share
    /// the package's name), the library's is kept.
    located: FxHashMap<Box<str>, Located>,
    /// The names of the tree's crates: paths starting with one are first-party.
    crate_names: FxHashSet<Box<str>>,
    /// The files of packages that no crate compiles, with their package's name.
    unreached: FxHashMap<PathBuf, String>,
    /// Every file some module is written in (normalized).
    module_files: FxHashSet<PathBuf>,
    /// (crate name, macro) for every `#[macro_export]` macro: bound at the crate root.
    exported_macros: FxHashSet<(Box<str>, Box<str>)>,
    /// Library names two packages of the tree have: paths into them are unknown.
    ambiguous: FxHashSet<Box<str>>,
    /// Names under which modules are re-exported, with the module each is
    /// (`app::alias` → `app::internal`).
    aliases: reexports::ModuleAliases,
}

#[derive(Debug)]
struct CrateNames {
    name: String,
    extern_names: BTreeMap<String, Option<usize>>,
    /// The 2015 edition: a `use` path starts at the crate root.
    edition_2015: bool,
}

impl RustModules {
    /// Indexes the crates of `layout`; `files` are the checked files (their positions are
    /// the [`FileId`]s).
    pub fn build(layout: &RustLayout, files: &[SourceFile]) -> Self {
        let ids: FxHashMap<PathBuf, FileId> = files
            .iter()
            .enumerate()
            .filter(|(_, file)| file.language == Language::Rust)
            .map(|(position, file)| (crate::paths::normalize(&file.path), FileId(position as u32)))
            .collect();
        let mut located = FxHashMap::default();
        // Libraries first: their modules are the ones other crates name.
        let mut order: Vec<usize> = (0..layout.crates.len()).collect();
        order.sort_by_key(|&index| {
            (
                layout.crates[index].kind != crate::frontend::rust::workspace::TargetKind::Lib,
                index,
            )
        });
        for index in order {
            let krate = &layout.crates[index];
            for (module, file) in &krate.modules {
                let name: Box<str> = krate.module_name(module).into();
                let at = ids
                    .get(file)
                    .map_or(Located::Unchecked, |&id| Located::File(id));
                located.entry(name).or_insert(at);
            }
        }
        let aliases = reexports::module_aliases(layout, &located);
        Self {
            aliases,
            ambiguous: layout
                .problems
                .iter()
                .filter_map(|problem| match problem {
                    crate::frontend::rust::layout::LayoutProblem::DuplicateLibrary {
                        name, ..
                    } => Some(name.as_str().into()),
                    _ => None,
                })
                .collect(),
            exported_macros: layout
                .crates
                .iter()
                .flat_map(|krate| {
                    krate
                        .exported_macros
                        .iter()
                        .map(|name| (krate.name.as_str().into(), name.as_str().into()))
                })
                .collect(),
            module_files: layout
                .crates
                .iter()
                .flat_map(|krate| krate.modules.iter().map(|(_, file)| file.clone()))
                .collect(),
            unreached: layout
                .unreached
                .iter()
                .map(|(path, package)| (crate::paths::normalize(path), package.clone()))
                .collect(),
            crate_names: layout
                .crates
                .iter()
                .map(|krate| krate.name.as_str().into())
                .collect(),
            crates: layout
                .crates
                .iter()
                .map(|krate| CrateNames {
                    name: krate.name.clone(),
                    extern_names: krate.extern_names.clone(),
                    edition_2015: krate.edition_2015,
                })
                .collect(),
            located,
        }
    }

    /// A fingerprint of what resolving Rust paths depends on (the crates, the names each
    /// uses for the others, every module and what it is), whatever the order.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let hash = |value: &dyn Fn(&mut rustc_hash::FxHasher)| {
            let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
            value(&mut hasher);
            hasher.finish()
        };
        let crates = self.crates.iter().fold(0u64, |sum, krate| {
            sum.wrapping_add(hash(&|hasher| {
                krate.name.hash(hasher);
                krate.extern_names.hash(hasher);
            }))
        });
        let modules = self.located.iter().fold(0u64, |sum, (module, located)| {
            sum.wrapping_add(hash(&|hasher| {
                module.hash(hasher);
                format!("{located:?}").hash(hasher);
            }))
        });
        let aliases = self.aliases.fingerprint();
        crates ^ modules.rotate_left(7) ^ aliases.rotate_left(13) ^ (self.located.len() as u64)
    }

    /// Whether paths starting with `module`'s first segment name a library two packages
    /// of the tree have: what they name cannot be told.
    pub fn is_ambiguous(&self, module: &str) -> bool {
        !self.ambiguous.is_empty() && self.ambiguous.contains(crate::model::first_segment(module))
    }

    /// Whether `module` is a crate root that binds `name` through a `#[macro_export]`
    /// macro defined anywhere in the crate.
    pub fn exports_macro(&self, module: &str, name: &str) -> bool {
        self.exported_macros
            .contains(&(Box::from(module), Box::from(name)))
    }

    /// Whether `path` is the file of some module (not a file spliced in by `include!`).
    pub fn is_module_file(&self, path: &std::path::Path) -> bool {
        self.module_files.contains(&crate::paths::normalize(path))
    }

    /// The package of a file no crate compiles, if `path` is one.
    pub fn uncompiled_package(&self, path: &std::path::Path) -> Option<&str> {
        self.unreached
            .get(&crate::paths::normalize(path))
            .map(String::as_str)
    }

    /// What `module` (`app::a::b`) is.
    pub fn locate(&self, module: &str) -> Located {
        self.located
            .get(module)
            .copied()
            .unwrap_or(Located::Missing)
    }

    /// How code of `file` spells the absolute path `path` (`app_core::engine`): through
    /// `crate` in its own crate, through the name its crate's dependencies give the other
    /// crate (`core::engine` for a renamed dependency), else not at all (`None`: the
    /// file's crate cannot name it, or its 2015 edition spells paths otherwise).
    pub fn spelled_from(&self, file: &SourceFile, path: &str) -> Option<String> {
        let index = file.crate_index? as usize;
        let krate = self.crates.get(index)?;
        if krate.edition_2015 {
            return None;
        }
        let (first, rest) = path
            .split_once("::")
            .map_or((path, None), |(first, rest)| (first, Some(rest)));
        // Another crate by its extern name first: a binary named like its package's
        // library reaches the library's modules by that name, not through `crate`.
        let head = krate
            .extern_names
            .iter()
            .find(|(_, target)| {
                target.is_some_and(|target| target != index && self.crates[target].name == first)
            })
            .map(|(alias, _)| alias.as_str())
            .or_else(|| (krate.name == first).then_some("crate"))?;
        Some(match rest {
            Some(rest) => format!("{head}::{rest}"),
            None => head.to_string(),
        })
    }

    /// Whether `path` starts with the name of one of the tree's crates.
    pub fn is_first_party(&self, path: &str) -> bool {
        self.crate_names.contains(crate::model::first_segment(path))
    }

    /// Every module, by full name.
    pub fn modules(&self) -> impl Iterator<Item = &str> {
        self.located.keys().map(AsRef::as_ref)
    }

    /// Resolves one import of a Rust file.
    pub fn resolve<'a>(&self, import: &'a Import, file: &SourceFile) -> ResolvedImport<'a> {
        let unresolved = |resolved: Resolved| ResolvedImport::unresolved(import, resolved);
        let mut written: Vec<&str> = import.module.split("::").collect();
        let glob = import.name.as_deref() == Some("*");
        if let Some(name) = import.name.as_deref().filter(|_| !glob) {
            written.extend(name.split("::"));
        }
        // A path through a `use` binding: how many of its segments the binding wrote.
        let binding =
            (import.kind == ImportKind::BoundPath).then(|| import.module.split("::").count());
        let Some(krate) = file
            .crate_index
            .and_then(|index| self.crates.get(index as usize))
        else {
            // A file no crate compiles (IG022 says so): what its paths name cannot be
            // told — `crate`, `super` and its dependencies are no crate's — so they are
            // not checked against the tree, though bans still match them as written.
            return ResolvedImport {
                qualified: Some(written.join("::")),
                ..ResolvedImport::unresolved(import, Resolved::Unknown)
            };
        };
        // A binding named like a crate the extern prelude has (`use zerovec::zerovec;`
        // imports a macro, and the crate stays `zerovec` for paths): which the path means
        // depends on namespaces and privacy the source does not show.
        if binding.is_some()
            && import.alias.as_deref().is_some_and(|name| {
                krate.extern_names.contains_key(name) || SYSROOT.contains(&name)
            })
        {
            return unresolved(Resolved::Unknown);
        }
        // In the 2015 edition a `use` path is relative to the crate root (where its
        // `extern crate` items and the injected `std` are names of their own).
        if krate.edition_2015
            && import.kind == ImportKind::Use
            && written.first().is_some_and(|first| {
                !matches!(*first, "crate" | "self" | "super")
                    && !krate.extern_names.contains_key(*first)
                    && !SYSROOT.contains(first)
            })
        {
            written.insert(0, "crate");
        }
        match self.absolute(krate, &written, &file.module) {
            Ok((absolute, first_party)) => {
                // Anchoring rewrote the binding's first segments only.
                let binding = binding.map(|length| {
                    (length + absolute.len())
                        .saturating_sub(written.len())
                        .max(1)
                });
                // The path's last segment names a module only in a `use` (in code it is
                // an item; a glob's path is modules throughout).
                let last = match import.kind {
                    _ if glob => LastSegment::Module,
                    ImportKind::Use => LastSegment::Named,
                    _ => LastSegment::Item,
                };
                match self.through_reexports(&absolute, last) {
                    Some((module, consumed)) if first_party => {
                        let canonical: Vec<&str> = module
                            .split("::")
                            .chain(absolute[consumed..].iter().copied())
                            .collect();
                        let written_length = module.split("::").count();
                        // A binding that wrote the whole rewritten prefix wrote the module
                        // it became; one that wrote less than it, a module above the
                        // re-export: the path goes on past it, an import of its own.
                        let binding = binding.map(|length| {
                            if length >= consumed {
                                length - consumed + written_length
                            } else {
                                length.min(written_length.saturating_sub(1)).max(1)
                            }
                        });
                        self.split(import, canonical, first_party, glob, binding)
                    }
                    _ => self.split(import, absolute, first_party, glob, binding),
                }
            }
            // The binding's own path does not resolve: its `use` is reported.
            Err(_) if binding.is_some() => unresolved(Resolved::Unknown),
            // A name a glob import may bring: nothing can be said of it.
            Err(Resolved::UndeclaredCrate(_)) if import.context.declared_elsewhere_maybe => {
                unresolved(Resolved::Unknown)
            }
            Err(resolved) => unresolved(resolved),
        }
    }

    /// A path anchored as the frontend writes it (`crate::..`, `self::..`, `super::..`, an
    /// external crate's name first), from a file of module `module`, as an absolute path:
    /// its first segment is a crate's name. With it, whether that crate is one of the
    /// tree's (a dependency outside it may share a name with a tree's binary or example,
    /// which no other crate can name).
    fn absolute<'p>(
        &'p self,
        krate: &'p CrateNames,
        written: &[&'p str],
        module: &'p str,
    ) -> Result<(Vec<&'p str>, bool), Resolved> {
        let Some((&first, rest)) = written.split_first() else {
            return Err(Resolved::Module(String::new()));
        };
        let mut absolute: Vec<&str> = Vec::with_capacity(written.len() + 4);
        let mut in_tree = true;
        match first {
            "crate" => {
                absolute.push(&krate.name);
                absolute.extend_from_slice(rest);
            }
            "self" | "super" => {
                let climbs = written
                    .iter()
                    .take_while(|segment| **segment == "super")
                    .count();
                let module: Vec<&str> = module.split("::").collect();
                // The crate root has no parent (E0433: too many leading `super` keywords).
                if climbs >= module.len() {
                    return Err(Resolved::BeyondTopLevel);
                }
                absolute.extend_from_slice(&module[..module.len() - climbs]);
                let skipped = if first == "self" { 1 } else { climbs };
                absolute.extend_from_slice(&written[skipped..]);
            }
            name => match krate.extern_names.get(name) {
                Some(Some(library)) => {
                    absolute.push(&self.crates[*library].name);
                    absolute.extend_from_slice(rest);
                }
                Some(None) => {
                    in_tree = false;
                    absolute.extend_from_slice(written);
                }
                None if SYSROOT.contains(&name) => {
                    in_tree = false;
                    absolute.extend_from_slice(written);
                }
                // E0433 (in a path) / E0432 (in a `use`) / E0463 (`extern crate`).
                None => return Err(Resolved::UndeclaredCrate(name.to_string())),
            },
        }
        Ok((absolute, in_tree))
    }

    /// When the absolute `path` goes through a module re-exported under another name: the
    /// module its longest module prefix is, and how many segments that prefix has. `last`
    /// says what the last segment may be.
    fn through_reexports(&self, path: &[&str], last: LastSegment) -> Option<(String, usize)> {
        if !self.aliases.may_have(path.first()?) {
            return None;
        }
        let through = |is_last: bool| match last {
            _ if !is_last => Some(reexports::Through::Globs),
            LastSegment::Module => Some(reexports::Through::Globs),
            LastSegment::Named => Some(reexports::Through::Explicit),
            LastSegment::Item => None,
        };
        self.aliases
            .walk(&self.located, path, through, &mut |_| {})
            .filter(|walked| walked.through_alias)
            .map(|walked| (walked.module, walked.segments))
    }

    /// The module the absolute path `path` (`app::alias`) is when it goes through a module
    /// re-exported under another name, and names a module.
    pub fn reexported_module(&self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split("::").collect();
        self.through_reexports(&segments, LastSegment::Module)
            .filter(|(_, consumed)| *consumed == segments.len())
            .map(|(module, _)| module)
    }

    /// A path of a file as the frontend anchors it (`self`, `super::x`, `crate::a`, an
    /// external crate's name first) as an absolute path, when it can be one.
    pub fn absolute_path(&self, written: &str, file: &SourceFile) -> Option<String> {
        let krate = self.crates.get(file.crate_index? as usize)?;
        let written: Vec<&str> = written.split("::").collect();
        let (absolute, _) = self.absolute(krate, &written, &file.module).ok()?;
        Some(absolute.join("::"))
    }

    /// Splits an absolute path into the module it names and the name that module must
    /// bind: at its longest prefix that is one of the tree's modules, or for another
    /// crate's path, before its last segment. `binding`: for a path through a `use`
    /// binding, how many of its first segments the binding wrote — what they name is the
    /// `use`'s import (checked there), and the path is an import of its own only below it.
    fn split<'a>(
        &self,
        import: &'a Import,
        path: Vec<&str>,
        first_party: bool,
        glob: bool,
        binding: Option<usize>,
    ) -> ResolvedImport<'a> {
        if path
            .first()
            .is_some_and(|first| self.ambiguous.contains(*first))
        {
            return ResolvedImport::unresolved(import, Resolved::Unknown);
        }
        // A crate outside the tree whose name one of the tree's binaries, tests or
        // examples has (which no other crate can name): its modules are not the tree's,
        // though bans still match the path.
        if !first_party
            && path
                .first()
                .is_some_and(|first| self.crate_names.contains(*first))
        {
            return ResolvedImport {
                qualified: Some(path.join("::")),
                ..ResolvedImport::unresolved(import, Resolved::Unknown)
            };
        }
        let module_length = if first_party {
            let longest = if glob { path.len() } else { path.len() - 1 };
            (1..=longest)
                .rev()
                .find(|&length| {
                    self.located
                        .contains_key(path[..length].join("::").as_str())
                })
                .unwrap_or(1)
        } else if glob || path.len() == 1 {
            path.len()
        } else {
            path.len() - 1
        };
        // Of what follows the module, the segments a `use` binding wrote: when it wrote
        // them all, the path names nothing its `use` does not.
        let bound_segments = binding.map_or(0, |binding| binding.saturating_sub(module_length));
        if bound_segments > 0 && bound_segments >= path.len() - module_length {
            return ResolvedImport::unresolved(import, Resolved::Unknown);
        }
        let own_import = binding.is_none_or(|binding| module_length > binding);
        let module = path[..module_length].join("::");
        let name = path.get(module_length).map(|name| name.to_string());
        // A macro (`m!`) is bound where `#[macro_export]` puts it (the crate root) or where
        // textual scope carries it, neither of which module bindings say: its name is
        // not checked.
        let checked_name = name.clone().filter(|name| !name.ends_with('!'));
        let qualified = match &name {
            Some(name) => format!("{module}::{name}"),
            None => module.clone(),
        };
        // In the tree's crates, what follows the name is followed through re-exports and
        // globs once every module's bindings are known.
        let rest = (first_party && path.len() > module_length + 1)
            .then(|| path[module_length + 1..].join("::").into());
        ResolvedImport {
            import,
            resolved: Resolved::Module(module),
            qualified: own_import.then_some(qualified),
            name: checked_name.map(Into::into),
            rest,
            bound_segments: bound_segments.min(usize::from(u8::MAX)) as u8,
        }
    }
}

/// What the last segment of a path may name, for following it through re-exports.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LastSegment {
    /// A module: a glob's path.
    Module,
    /// Anything a `use` can name: a module when an explicit re-export names one (a name a
    /// glob brings may be another namespace's item: `libc::fcntl` is a function on one
    /// platform and a module another's glob brings).
    Named,
    /// An item: a path in code.
    Item,
}

/// Whether `import` is one of Rust's forms.
pub fn is_rust(import: &Import) -> bool {
    matches!(
        import.kind,
        ImportKind::Use | ImportKind::ExternCrate | ImportKind::Path | ImportKind::BoundPath
    )
}
