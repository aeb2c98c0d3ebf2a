//! Modules reachable under other names. `pub use crate::internal as alias;` makes
//! `app::alias` the module `app::internal`, and a glob `pub use crate::engine::*;` in
//! `app::api` brings each of `engine`'s modules into `app::api` under its own name. rustc
//! resolves a path through such a name to the module itself, and so does importgate:
//! `app::alias::secret` is `app::internal::secret` for every rule, for the graph and for
//! the names it must find.
//!
//! Read from the crates' item-level `use` declarations
//! ([`crate::frontend::rust::outline`]), whatever their visibility (privacy is rustc's to
//! check). An explicit binding counts when what it names is one of the tree's modules,
//! found by following the module tree, the other bindings and the globs until no binding
//! adds anything; a glob is kept as the module it imports from, and a name is looked up
//! through it when a path needs it, as rustc does: a module's own child module wins over
//! a binding of the same name (rustc: E0255), an explicit binding over a glob's, and a
//! glob's module's own names over what its globs bring. Two bindings of one name to
//! different modules are configurations (`#[cfg(unix)] pub use unix as sys;` beside
//! `#[cfg(windows)] pub use windows as sys;`, a `cfg_if!` whose branches glob different
//! modules): which module the name is cannot be told, so it is none.

use super::Located;
use crate::frontend::rust::layout::{Crate, RustLayout};
use crate::frontend::rust::workspace::TargetKind;
use rustc_hash::{FxHashMap, FxHashSet};

/// Rounds of following bindings through one another: more than any real chain of
/// re-exports needs; the bindings a round can add are finite anyway.
const MAX_ROUNDS: usize = 64;

/// The names under which the tree's modules are reachable other than their own.
#[derive(Debug, Default)]
pub(super) struct ModuleAliases {
    /// Each name an explicit binding gives a module, with the module
    /// (`app::alias` → `app::internal`).
    explicit: FxHashMap<Box<str>, Box<str>>,
    /// Each module with glob imports of the tree's modules, with those modules.
    globs: FxHashMap<Box<str>, Vec<Box<str>>>,
    /// The crates (first segments) that have either: paths into the others go through
    /// none.
    crates: FxHashSet<Box<str>>,
}

/// How far [`ModuleAliases::walk`] went.
pub(super) struct Walked {
    /// The module the path's longest module prefix is.
    pub(super) module: String,
    /// How many of the path's segments that prefix has.
    pub(super) segments: usize,
    /// Whether it went through an alias.
    pub(super) through_alias: bool,
}

/// Where a name may come from, for [`ModuleAliases::walk`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Through {
    /// Explicit bindings alone.
    Explicit,
    /// Explicit bindings, then globs.
    Globs,
}

impl ModuleAliases {
    /// Whether a path starting with `first` (a crate's name) may go through an alias.
    pub(super) fn may_have(&self, first: &str) -> bool {
        self.crates.contains(first)
    }

    /// Follows the absolute path `path` through the tree's modules and these aliases, as
    /// far as it names modules: the module its longest such prefix is, how many segments
    /// that prefix has, and whether it went through an alias. `through(is_last)` says where
    /// a segment's name may come from besides the tree's own modules (`None`: nowhere);
    /// `trace` hears each explicit binding gone through.
    pub(super) fn walk(
        &self,
        located: &FxHashMap<Box<str>, Located>,
        path: &[&str],
        through: impl Fn(bool) -> Option<Through>,
        trace: &mut dyn FnMut(&str),
    ) -> Option<Walked> {
        let (first, rest) = path.split_first()?;
        if !located.contains_key(*first) {
            return None;
        }
        let mut walked = Walked {
            module: first.to_string(),
            segments: 1,
            through_alias: false,
        };
        for (at, segment) in rest.iter().enumerate() {
            let parent_length = walked.module.len();
            walked.module.push_str("::");
            walked.module.push_str(segment);
            if !located.contains_key(walked.module.as_str()) {
                let real = through(at + 1 == rest.len()).and_then(|through| {
                    self.child(located, (&walked.module, parent_length), through, trace)
                });
                let Some(real) = real else {
                    walked.module.truncate(parent_length);
                    break;
                };
                walked.module = real;
                walked.through_alias = true;
            }
            walked.segments += 1;
        }
        Some(walked)
    }

    /// The module `full` (`parent::name`, the parent `parent_length` bytes long; none of
    /// the tree's modules itself) is through an explicit binding or, with
    /// [`Through::Globs`], through the one module the globs of `parent` bring under `name`;
    /// `trace` hears each explicit binding gone through.
    fn child(
        &self,
        located: &FxHashMap<Box<str>, Located>,
        (full, parent_length): (&str, usize),
        through: Through,
        trace: &mut dyn FnMut(&str),
    ) -> Option<String> {
        let (parent, name) = (&full[..parent_length], &full[parent_length + 2..]);
        if let Some(module) = self.explicit.get(full) {
            trace(full);
            return Some(module.to_string());
        }
        if through == Through::Explicit {
            return None;
        }
        let mut found: Option<String> = None;
        let mut visited: Vec<&str> = vec![parent];
        let mut sources: Vec<&str> = self.globs.get(parent)?.iter().map(AsRef::as_ref).collect();
        while let Some(source) = sources.pop() {
            if visited.contains(&source) {
                continue;
            }
            visited.push(source);
            let candidate = format!("{source}::{name}");
            let module = if located.contains_key(candidate.as_str()) {
                Some(candidate)
            } else if let Some(module) = self.explicit.get(candidate.as_str()) {
                trace(&candidate);
                Some(module.to_string())
            } else {
                // What the source's own globs bring (its own names shadow them).
                if let Some(more) = self.globs.get(source) {
                    sources.extend(more.iter().map(AsRef::as_ref));
                }
                None
            };
            match (&found, module) {
                (_, None) => {}
                (None, module) => found = module,
                (Some(first), Some(module)) if *first == module => {}
                // Two globs bring two modules of one name: configurations.
                (Some(_), Some(_)) => return None,
            }
        }
        found
    }

    /// A fingerprint of the aliases, whatever the order.
    pub(super) fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let hash = |value: &dyn Fn(&mut rustc_hash::FxHasher)| {
            let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
            value(&mut hasher);
            hasher.finish()
        };
        let explicit = self.explicit.iter().fold(0u64, |sum, entry| {
            sum.wrapping_add(hash(&|hasher| entry.hash(hasher)))
        });
        let globs = self.globs.iter().fold(0u64, |sum, (module, sources)| {
            let mut sources: Vec<&str> = sources.iter().map(AsRef::as_ref).collect();
            sources.sort_unstable();
            sum.wrapping_add(hash(&|hasher| {
                module.hash(hasher);
                sources.hash(hasher);
            }))
        });
        explicit ^ globs.rotate_left(17)
    }
}

/// The names under which the tree's modules are reachable other than their own.
pub(super) fn module_aliases(
    layout: &RustLayout,
    located: &FxHashMap<Box<str>, Located>,
) -> ModuleAliases {
    if layout.crates.iter().all(|krate| krate.uses.is_empty()) {
        return ModuleAliases::default();
    }
    let mut pending = pending_uses(layout, located);
    // A pass that finds names bound two ways starts again without them when it went
    // through one (a pass adds at least one, and there are finitely many); when it went
    // through none, what it found without them is what it found.
    let mut ambiguous: FxHashSet<Box<str>> = FxHashSet::default();
    loop {
        let mut found = Finder {
            located,
            aliases: ModuleAliases::default(),
            ambiguous: ambiguous.clone(),
            traversed: FxHashSet::default(),
        };
        found.follow_all(layout, &mut pending);
        let new: Vec<Box<str>> = found
            .ambiguous
            .iter()
            .filter(|name| !ambiguous.contains(*name))
            .cloned()
            .collect();
        if new.iter().any(|name| found.traversed.contains(name)) {
            ambiguous = found.ambiguous;
            for use_ in &mut pending {
                use_.progress = Progress::Unresolved;
                use_.target = None;
            }
            continue;
        }
        let mut aliases = found.aliases;
        for name in &new {
            aliases.explicit.remove(name);
        }
        aliases.crates = aliases
            .explicit
            .keys()
            .chain(aliases.globs.keys())
            .map(|module| crate::model::first_segment(module).into())
            .collect();
        return aliases;
    }
}

/// The `use` bindings that may name a module, to be followed.
fn pending_uses<'l>(
    layout: &'l RustLayout,
    located: &'l FxHashMap<Box<str>, Located>,
) -> Vec<Pending<'l>> {
    // A binary named like its package's library shares its module names: the library's
    // modules are the ones other crates name.
    let libraries: FxHashSet<&str> = layout
        .crates
        .iter()
        .filter(|krate| krate.kind == TargetKind::Lib)
        .map(|krate| krate.name.as_str())
        .collect();
    let crates: Vec<&Crate> = layout
        .crates
        .iter()
        .filter(|krate| krate.kind == TargetKind::Lib || !libraries.contains(krate.name.as_str()))
        .collect();
    // A binding's path names a module only when its last segment is a module's or a
    // crate's name, or a name another such binding binds: the others (most: items) are
    // never followed.
    let mut module_names: FxHashSet<&str> = located
        .keys()
        .map(|module| module.rsplit("::").next().unwrap_or_default())
        .chain(["crate", "self", "super"])
        .chain(
            crates
                .iter()
                .flat_map(|krate| krate.extern_names.keys().map(String::as_str)),
        )
        .collect();
    let last_segment = |path: &'l str| path.rsplit("::").next().unwrap_or_default();
    loop {
        let before = module_names.len();
        for krate in &crates {
            for (_, binding) in &krate.uses {
                if let Some(name) = binding
                    .name
                    .as_deref()
                    .filter(|_| module_names.contains(last_segment(&binding.path)))
                {
                    module_names.insert(name);
                }
            }
        }
        if module_names.len() == before {
            break;
        }
    }
    crates
        .iter()
        .flat_map(|krate| {
            krate
                .uses
                .iter()
                .filter(|(_, binding)| {
                    binding.name.is_none() || module_names.contains(last_segment(&binding.path))
                })
                .map(|(module_path, binding)| Pending {
                    krate,
                    module: krate.module_name(module_path),
                    path: binding.path.split("::").collect(),
                    name: binding.name.as_deref(),
                    target: None,
                    progress: Progress::Unresolved,
                })
        })
        .collect()
}

/// One `use` binding being followed.
struct Pending<'u> {
    krate: &'u Crate,
    /// The module it is written in.
    module: String,
    /// Its path's segments.
    path: Vec<&'u str>,
    /// The name it binds; `None` for a glob.
    name: Option<&'u str>,
    /// Its path as an absolute one, once anchored.
    target: Option<String>,
    progress: Progress,
}

/// How far a `use` binding has been followed.
#[derive(PartialEq, Eq)]
enum Progress {
    /// What it names is not known to be a module (yet).
    Unresolved,
    /// It is an alias, or a glob's module.
    Followed,
}

/// The aliases found so far, and what finding more needs.
struct Finder<'l> {
    located: &'l FxHashMap<Box<str>, Located>,
    aliases: ModuleAliases,
    /// Names two explicit bindings bind to different modules: bound to none.
    ambiguous: FxHashSet<Box<str>>,
    /// The explicit bindings aliases were found through.
    traversed: FxHashSet<Box<str>>,
}

impl Finder<'_> {
    /// Follows every binding until no round finds anything more.
    fn follow_all(&mut self, layout: &RustLayout, pending: &mut [Pending<'_>]) {
        for _ in 0..MAX_ROUNDS {
            let mut changed = false;
            for use_ in pending.iter_mut() {
                if use_.progress == Progress::Unresolved {
                    changed |= self.follow(layout, use_);
                }
            }
            if !changed {
                break;
            }
        }
    }

    /// Follows `use_` as far as the aliases found so far let it; whether it added one.
    fn follow(&mut self, layout: &RustLayout, use_: &mut Pending<'_>) -> bool {
        if use_.target.is_none() {
            use_.target = self.anchor(layout, use_.krate, &use_.module, &use_.path);
        }
        let Some(real) = use_
            .target
            .as_deref()
            .and_then(|target| self.module_at(target))
        else {
            return false;
        };
        use_.progress = Progress::Followed;
        match use_.name {
            Some(name) => self.bind(&use_.module, name, real),
            None => {
                let sources = self
                    .aliases
                    .globs
                    .entry(use_.module.as_str().into())
                    .or_default();
                if sources.iter().any(|source| **source == *real) || use_.module == real {
                    return false;
                }
                sources.push(real.into_boxed_str());
                true
            }
        }
    }

    /// `module`'s `use` path `path` as an absolute path (a crate's name first), when it
    /// names something of the tree's crates.
    fn anchor(
        &mut self,
        layout: &RustLayout,
        krate: &Crate,
        module: &str,
        path: &[&str],
    ) -> Option<String> {
        let (first, rest) = path.split_first()?;
        let from = |head: &str, segments: &[&str]| -> String {
            let mut absolute = head.to_string();
            for segment in segments {
                absolute.push_str("::");
                absolute.push_str(segment);
            }
            absolute
        };
        let library = |name: &str, rest: &[&str]| -> Option<String> {
            let library = (*krate.extern_names.get(name)?)?;
            Some(from(&layout.crates.get(library)?.name, rest))
        };
        match *first {
            "crate" => Some(from(&krate.name, rest)),
            "self" => Some(from(module, rest)),
            "super" => {
                let climbs = path
                    .iter()
                    .take_while(|segment| **segment == "super")
                    .count();
                // Above the crate root: rustc's error, nothing to follow.
                let mut head = module;
                for _ in 0..climbs {
                    head = head.rsplit_once("::")?.0;
                }
                Some(from(head, &path[climbs..]))
            }
            // A leading `::`: a crate of the extern prelude.
            "" => library(rest.first()?, &rest[1..]),
            // 2015: a `use` path starts at the crate root, where `extern crate` items are.
            name if krate.edition_2015 && !krate.extern_names.contains_key(name) => {
                Some(from(&krate.name, path))
            }
            // 2018: a name of the module, else a crate of the extern prelude.
            name => {
                if self.module_at(&format!("{module}::{name}")).is_some() {
                    Some(from(module, path))
                } else {
                    library(name, rest)
                }
            }
        }
    }

    /// The module the absolute path `path` names, through modules and the aliases found
    /// so far; `None` when it names none (an item, another crate's module).
    fn module_at(&mut self, path: &str) -> Option<String> {
        let segments: Vec<&str> = path.split("::").collect();
        let traversed = &mut self.traversed;
        self.aliases
            .walk(
                self.located,
                &segments,
                |_| Some(Through::Globs),
                &mut |alias| {
                    traversed.insert(alias.into());
                },
            )
            .filter(|walked| walked.segments == segments.len())
            .map(|walked| walked.module)
    }

    /// Binds `name` in `module` to the module `real` explicitly; whether that added it.
    fn bind(&mut self, module: &str, name: &str, real: String) -> bool {
        let alias = format!("{module}::{name}");
        if self.located.contains_key(alias.as_str())
            || alias == real
            || self.ambiguous.contains(alias.as_str())
        {
            return false;
        }
        match self.aliases.explicit.get(alias.as_str()) {
            Some(existing) if **existing == *real => false,
            // Two bindings of one name: configurations.
            Some(_) => {
                self.ambiguous.insert(alias.into_boxed_str());
                false
            }
            None => {
                self.aliases
                    .explicit
                    .insert(alias.into_boxed_str(), real.into_boxed_str());
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend::rust::outline::{outline, Event};
    use std::collections::BTreeMap;

    /// A crate named `name` of `kind` whose modules (path below the crate, source) are
    /// `modules`; `extern_names` are the other crates it names (index into the layout).
    fn krate(
        name: &str,
        kind: TargetKind,
        modules: &[(&str, &str)],
        extern_names: &[(&str, usize)],
    ) -> Crate {
        let uses = modules
            .iter()
            .flat_map(|(module, source)| {
                outline(source)
                    .into_iter()
                    .flat_map(move |event| match event {
                        Event::Use(bindings) => bindings
                            .into_iter()
                            .map(|binding| (module.to_string(), binding))
                            .collect(),
                        _ => Vec::new(),
                    })
            })
            .collect();
        Crate {
            name: name.to_string(),
            kind,
            package: name.to_string(),
            directory: std::path::PathBuf::new(),
            extern_names: extern_names
                .iter()
                .map(|(alias, index)| (alias.to_string(), Some(*index)))
                .chain([("serde".to_string(), None)])
                .collect::<BTreeMap<_, _>>(),
            modules: modules
                .iter()
                .map(|(module, _)| (module.to_string(), std::path::PathBuf::new()))
                .collect(),
            edition_2015: false,
            exported_macros: Vec::new(),
            uses,
        }
    }

    /// What each of `names` is, once the aliases of `crates` are found: the module it
    /// names through them, or `None`.
    fn lookups(crates: Vec<Crate>, names: &[&str]) -> Vec<(String, Option<String>)> {
        let mut located = FxHashMap::default();
        for krate in crates.iter().filter(|krate| krate.kind == TargetKind::Lib) {
            for (module, _) in &krate.modules {
                located.insert(krate.module_name(module).into(), Located::Unchecked);
            }
        }
        let layout = RustLayout {
            crates,
            ..RustLayout::default()
        };
        let aliases = module_aliases(&layout, &located);
        let lookup = |path: &str| -> Option<String> {
            let segments: Vec<&str> = path.split("::").collect();
            aliases
                .walk(&located, &segments, |_| Some(Through::Globs), &mut |_| {})
                .filter(|walked| walked.segments == segments.len())
                .map(|walked| walked.module)
        };
        names
            .iter()
            .map(|name| (name.to_string(), lookup(name)))
            .collect()
    }

    fn expected(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        pairs
            .iter()
            .map(|(name, module)| (name.to_string(), module.map(str::to_string)))
            .collect()
    }

    #[test]
    fn renamed_modules_chains_and_globs_are_the_modules_they_name() {
        let core = krate(
            "core_lib",
            TargetKind::Lib,
            &[
                (
                    "",
                    "mod internal;\npub mod engine;\npub mod api;\npub use crate::internal as hidden;\npub use api::again as twice;\nuse serde::de;\npub use self::run_fn as run;\n",
                ),
                ("internal", "pub fn secret() {}\n"),
                ("engine", "pub mod glue;\n"),
                ("engine::glue", ""),
                // A chain written before what it goes through; a glob of the engine.
                ("api", "pub use super::hidden as again;\npub use crate::engine::*;\n"),
            ],
            &[],
        );
        let user = krate(
            "user",
            TargetKind::Lib,
            &[(
                "",
                "pub use core::hidden as internals;\nuse ::core::engine::{self as motor};\n",
            )],
            &[("core", 0)],
        );
        let names = [
            ("core_lib::api::again", Some("core_lib::internal")),
            ("core_lib::api::glue", Some("core_lib::engine::glue")),
            ("core_lib::hidden", Some("core_lib::internal")),
            ("core_lib::twice", Some("core_lib::internal")),
            ("core_lib::twice::deeper", None),
            ("core_lib::de", None),
            ("user::internals", Some("core_lib::internal")),
            ("user::motor::glue", Some("core_lib::engine::glue")),
        ];
        assert_eq!(
            lookups(vec![core, user], &names.map(|(name, _)| name)),
            expected(&names)
        );
    }

    #[test]
    fn a_name_bound_to_two_modules_is_neither() {
        let library = krate(
            "libc",
            TargetKind::Lib,
            &[
                (
                    "",
                    concat!(
                        "mod unix;\nmod windows;\n",
                        "#[cfg(unix)] pub use unix as sys;\n#[cfg(windows)] pub use windows as sys;\n",
                        "pub use sys::net as network;\n",
                        "cfg_if! { if #[cfg(a)] { pub use unix::*; } else { pub use windows::*; } }\n",
                    ),
                ),
                ("unix", "pub mod net;\npub mod only_unix;\n"),
                ("unix::net", ""),
                ("unix::only_unix", ""),
                ("windows", "pub mod net;\n"),
                ("windows::net", ""),
            ],
            &[],
        );
        let names = [
            ("libc::sys", None),
            ("libc::network", None),
            ("libc::net", None),
            ("libc::only_unix", Some("libc::unix::only_unix")),
        ];
        assert_eq!(
            lookups(vec![library], &names.map(|(name, _)| name)),
            expected(&names)
        );
    }

    #[test]
    fn own_modules_and_explicit_bindings_win_and_a_binary_like_its_library_adds_nothing() {
        let library = krate(
            "tool",
            TargetKind::Lib,
            &[
                (
                    "",
                    "pub mod a;\npub mod b;\npub mod c;\npub use c::*;\npub use b as a;\n",
                ),
                ("a", ""),
                ("b", ""),
                ("c", "pub mod a;\npub mod only_c;\npub mod x;\n"),
                ("c::a", ""),
                ("c::only_c", ""),
                ("c::x", ""),
                ("d", "pub use super::c::*;\npub use crate::b as x;\n"),
            ],
            &[],
        );
        let binary = krate(
            "tool",
            TargetKind::Bin,
            &[("", "pub use crate::b as from_binary;\n")],
            &[],
        );
        let names = [
            ("tool::a", Some("tool::a")),
            ("tool::d::a", Some("tool::c::a")),
            ("tool::d::only_c", Some("tool::c::only_c")),
            ("tool::d::x", Some("tool::b")),
            ("tool::only_c", Some("tool::c::only_c")),
            ("tool::x", Some("tool::c::x")),
            ("tool::from_binary", None),
        ];
        assert_eq!(
            lookups(vec![library, binary], &names.map(|(name, _)| name)),
            expected(&names)
        );
    }
}
