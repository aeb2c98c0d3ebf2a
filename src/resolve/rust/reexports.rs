//! Modules reachable under other names. `pub use crate::internal as alias;` makes
//! `app::alias` the module `app::internal`, and a glob `pub use crate::engine::*;` in
//! `app::api` makes each of `engine`'s modules a module of `app::api` too. rustc resolves a
//! path through such a name to the module itself, and so does importgate:
//! `app::alias::secret` is `app::internal::secret` for every rule, for the graph and for
//! the names it must find.
//!
//! Read from the crates' item-level `use` declarations
//! ([`crate::frontend::rust::outline`]), whatever their visibility (privacy is rustc's to
//! check). A binding counts when what it names is one of the tree's modules, found by
//! following the module tree and the other bindings, until no binding adds anything. A
//! module's own child module wins over a binding of the same name (rustc: E0255), an
//! explicit binding over a glob's. Two bindings of one name to different modules are
//! configurations (`#[cfg(unix)] pub use unix as sys;` beside `#[cfg(windows)] pub use
//! windows as sys;`, a `cfg_if!` whose branches glob different modules): which module the
//! name is cannot be told, so it is none, and what was found through it is found again
//! without it.

use super::Located;
use crate::frontend::rust::layout::{Crate, RustLayout};
use crate::frontend::rust::workspace::TargetKind;
use rustc_hash::{FxHashMap, FxHashSet};

/// Rounds of following bindings through one another: more than any real chain of
/// re-exports needs; the bindings a round can add are finite anyway.
const MAX_ROUNDS: usize = 64;

/// Every name under which a module of the tree is reachable other than its own.
#[derive(Debug, Default)]
pub(super) struct ModuleAliases {
    /// Each name with the module it is (`app::alias` → `app::internal`).
    pub(super) modules: FxHashMap<Box<str>, Box<str>>,
    /// The names only a glob binds. A glob brings every name of its module, and which of
    /// a name's namespaces a path means the outline cannot tell: `libc::fcntl` may be the
    /// function one configuration's module defines and the module another's glob brings.
    pub(super) from_glob: FxHashSet<Box<str>>,
    /// The last segment of every name: a path with none of them goes through none.
    pub(super) last_segments: FxHashSet<Box<str>>,
}

/// The names under which the tree's modules are reachable other than their own.
pub(super) fn module_aliases(
    layout: &RustLayout,
    located: &FxHashMap<Box<str>, Located>,
) -> ModuleAliases {
    if layout.crates.iter().all(|krate| krate.uses.is_empty()) {
        return ModuleAliases::default();
    }
    // Each pass that finds names bound two ways starts again without them (a pass adds
    // at least one, and there are finitely many).
    let mut ambiguous = FxHashSet::default();
    loop {
        let aliases = one_pass(layout, located, ambiguous.clone());
        if aliases.ambiguous.len() == ambiguous.len() {
            return ModuleAliases {
                last_segments: aliases
                    .map
                    .keys()
                    .filter_map(|alias| alias.rsplit("::").next())
                    .map(Box::from)
                    .collect(),
                modules: aliases.map,
                from_glob: aliases.from_glob,
            };
        }
        ambiguous = aliases.ambiguous;
    }
}

/// The bindings found with the names in `ambiguous` left unbound.
fn one_pass<'l>(
    layout: &RustLayout,
    located: &'l FxHashMap<Box<str>, Located>,
    ambiguous: FxHashSet<Box<str>>,
) -> Aliases<'l> {
    let mut aliases = Aliases {
        located,
        map: FxHashMap::default(),
        from_glob: FxHashSet::default(),
        children: FxHashMap::default(),
        ambiguous,
    };
    for module in located.keys() {
        if let Some((parent, name)) = module.rsplit_once("::") {
            aliases
                .children
                .entry(parent.into())
                .or_default()
                .push(name.into());
        }
    }
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
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for krate in &crates {
            for (module_path, binding) in &krate.uses {
                let module = krate.module_name(module_path);
                let path: Vec<&str> = binding.path.split("::").collect();
                let Some(target) = aliases.anchor(layout, krate, &module, &path) else {
                    continue;
                };
                let Some(real) = aliases.module_at(&target) else {
                    continue;
                };
                match &binding.name {
                    Some(name) => changed |= aliases.bind(&module, name, real, false),
                    None => {
                        let names = aliases.children.get(real.as_str()).cloned();
                        for name in names.unwrap_or_default() {
                            let Some(child) = aliases.module_at(&[real.clone(), name.to_string()])
                            else {
                                continue;
                            };
                            changed |= aliases.bind(&module, &name, child, true);
                        }
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    aliases
}

/// The bindings found so far, and what finding more needs.
struct Aliases<'l> {
    located: &'l FxHashMap<Box<str>, Located>,
    map: FxHashMap<Box<str>, Box<str>>,
    /// The names only a glob binds (an explicit binding replaces them).
    from_glob: FxHashSet<Box<str>>,
    /// The names of each module's children: its modules and the modules it binds.
    children: FxHashMap<Box<str>, Vec<Box<str>>>,
    /// Names two bindings of one kind bind to different modules: bound to none.
    ambiguous: FxHashSet<Box<str>>,
}

impl Aliases<'_> {
    /// `module`'s `use` path `path` as an absolute path (a crate's name first), when it
    /// names something of the tree's crates.
    fn anchor(
        &self,
        layout: &RustLayout,
        krate: &Crate,
        module: &str,
        path: &[&str],
    ) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        let owned = |segments: &[&str]| -> Vec<String> {
            segments.iter().map(|segment| segment.to_string()).collect()
        };
        let from = |head: &str, segments: &[&str]| -> Vec<String> {
            let mut absolute: Vec<String> = head.split("::").map(str::to_string).collect();
            absolute.extend(owned(segments));
            absolute
        };
        let library = |name: &str, rest: &[&str]| -> Option<Vec<String>> {
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
                let segments: Vec<&str> = module.split("::").collect();
                // Above the crate root: rustc's error, nothing to follow.
                let kept = segments
                    .len()
                    .checked_sub(climbs)
                    .filter(|kept| *kept > 0)?;
                let mut absolute = owned(&segments[..kept]);
                absolute.extend(owned(&path[climbs..]));
                Some(absolute)
            }
            // A leading `::`: a crate of the extern prelude.
            "" => library(rest.first()?, &rest[1..]),
            // 2015: a `use` path starts at the crate root, where `extern crate` items are.
            name if krate.edition_2015 && !krate.extern_names.contains_key(name) => {
                Some(from(&krate.name, path))
            }
            // 2018: a name of the module, else a crate of the extern prelude.
            name => {
                let own = format!("{module}::{name}");
                if self.located.contains_key(own.as_str()) || self.map.contains_key(own.as_str()) {
                    Some(from(module, path))
                } else {
                    library(name, rest)
                }
            }
        }
    }

    /// The module the absolute path `path` names, through modules and the bindings found
    /// so far; `None` when it names none (an item, another crate's module).
    fn module_at(&self, path: &[String]) -> Option<String> {
        let (first, rest) = path.split_first()?;
        let mut module = first.clone();
        if !self.located.contains_key(module.as_str()) {
            return None;
        }
        for segment in rest {
            let next = format!("{module}::{segment}");
            module = if self.located.contains_key(next.as_str()) {
                next
            } else {
                self.map.get(next.as_str())?.to_string()
            };
        }
        Some(module)
    }

    /// Binds `name` in `module` to the module `real`; whether that changed anything.
    fn bind(&mut self, module: &str, name: &str, real: String, glob: bool) -> bool {
        let alias = format!("{module}::{name}");
        if self.located.contains_key(alias.as_str())
            || alias == real
            || self.ambiguous.contains(alias.as_str())
        {
            return false;
        }
        match self.map.get(alias.as_str()) {
            Some(existing) if **existing == *real => return false,
            // A glob never replaces an explicit binding.
            Some(_) if glob && !self.from_glob.contains(alias.as_str()) => return false,
            // Two of one kind: configurations.
            Some(_) if glob == self.from_glob.contains(alias.as_str()) => {
                self.ambiguous.insert(alias.into_boxed_str());
                return false;
            }
            _ => {}
        }
        if glob {
            self.from_glob.insert(alias.as_str().into());
        } else {
            self.from_glob.remove(alias.as_str());
        }
        if self
            .map
            .insert(alias.into_boxed_str(), real.into_boxed_str())
            .is_none()
        {
            self.children
                .entry(module.into())
                .or_default()
                .push(name.into());
        }
        true
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

    fn aliases_of(crates: Vec<Crate>) -> Vec<(String, String)> {
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
        let mut found: Vec<(String, String)> = aliases
            .modules
            .into_iter()
            .map(|(alias, module)| {
                let glob = if aliases.from_glob.contains(&alias) {
                    " (glob)"
                } else {
                    ""
                };
                (format!("{alias}{glob}"), module.to_string())
            })
            .collect();
        found.sort();
        found
    }

    fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
        expected
            .iter()
            .map(|(alias, module)| (alias.to_string(), module.to_string()))
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
        assert_eq!(
            aliases_of(vec![core, user]),
            pairs(&[
                ("core_lib::api::again", "core_lib::internal"),
                ("core_lib::api::glue (glob)", "core_lib::engine::glue"),
                ("core_lib::hidden", "core_lib::internal"),
                ("core_lib::twice", "core_lib::internal"),
                ("user::internals", "core_lib::internal"),
                ("user::motor", "core_lib::engine"),
            ])
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
        assert_eq!(
            aliases_of(vec![library]),
            pairs(&[("libc::only_unix (glob)", "libc::unix::only_unix")])
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
        assert_eq!(
            aliases_of(vec![library, binary]),
            pairs(&[
                ("tool::d::a (glob)", "tool::c::a"),
                ("tool::d::only_c (glob)", "tool::c::only_c"),
                ("tool::d::x", "tool::b"),
                ("tool::only_c (glob)", "tool::c::only_c"),
                ("tool::x (glob)", "tool::c::x"),
            ])
        );
    }
}
