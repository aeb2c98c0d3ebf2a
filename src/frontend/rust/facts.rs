//! Rust source -> [`FileFacts`]: every path that names another module — each leaf of each
//! `use` tree (groups, globs, renames, `self`, `super`, `crate`, a leading `::`),
//! `extern crate`, and the paths in code that name a module by themselves
//! (`crate::a::b::f()`, `other_crate::Type`, `std::env::var(...)`) — with their spans and
//! whether they are test code; the names each module of the file binds (items, `use`
//! bindings and `pub use` re-exports, glob imports; item-level macro invocations make a
//! module's names unknowable); its `pub` definitions; suppression comments; and syn's
//! error when the file does not parse (syn has no recovery: the facts are then empty).
//!
//! Paths are resolved inside the file as rustc resolves them, as far as the file tells:
//! inline modules (`mod tests { use super::*; }`), names bound by the file's own `use`
//! declarations (in any order, as Rust allows), items and generic parameters in scope, the
//! primitive types and the standard prelude. What comes out is anchored: a path starting
//! with `crate`, `self` (the file's module) or `super` (climbing from it), or with an
//! external crate's name. Where the file cannot tell (a name a macro or a glob import may
//! bring), the import says so ([`ImportContext::declared_elsewhere_maybe`],
//! [`ImportContext::glob_may_declare`]); which crates and modules exist is the resolver's
//! work. A path through one of the file's `use` bindings (`am::f()` after
//! `use base::a as am;`) is an [`ImportKind::BoundPath`]: what it names beyond the binding
//! is checked too.

use super::comments;
use crate::frontend::{ExtractOptions, Locator};
use crate::model::{
    AttributeUse, Definition, DefinitionKind, FileFacts, Import, ImportContext, ImportKind,
    InnerModule, ModuleBindings, Span, SyntaxProblem,
};
use proc_macro2::Span as SynSpan;
use std::collections::HashMap;
use syn::ext::IdentExt as _;
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// A file whose nesting bound (`comments::too_deep`) passes this is refused (IG900) before
/// syn sees it: syn parses by recursion, and a hostile file must not exhaust the parsing
/// thread's stack ([`crate::frontend::nesting::PARSE_STACK_BYTES`]). The costliest
/// construct measured (`&&&...T` types in a debug build) takes 32 KB of stack per level:
/// 4,000 levels stay under half of it. Real code stays far below.
pub const MAX_NESTING: usize = 4_000;

/// How many `use` bindings one path may go through before the chain is taken as a cycle
/// (`use a::b as c; use c::d as a;`: rustc reports such a file; nothing is made of it).
const MAX_USE_CHAIN: usize = 16;

/// Extracts the facts of one Rust source text (decoded, without a BOM).
///
/// ```
/// use importgate::frontend::{rust::facts::extract, ExtractOptions};
///
/// let source = "mod tests {\n    use super::helpers::Builder;\n}\n";
/// let facts = extract(source, &ExtractOptions::default());
/// let import = &facts.imports[0];
/// // `super` of the inline module `tests` is the file's own module.
/// assert_eq!(&*import.module, "self::helpers");
/// assert_eq!(import.name.as_deref(), Some("Builder"));
/// assert_eq!((import.span.line, import.span.column), (2, 9));
/// ```
pub fn extract(source: &str, options: &ExtractOptions) -> FileFacts {
    let mut facts = FileFacts {
        suppressions: comments::suppressions(source),
        ..FileFacts::default()
    };
    let mut locator = Locator::new(source);
    let offset = shebang_length(source);
    let body = &source[offset..];
    if let Some(at) = comments::too_deep(body, MAX_NESTING) {
        let at = (offset + at) as u32;
        facts.syntax = Some(SyntaxProblem {
            message: format!(
                "nested more than {MAX_NESTING} levels deep; importgate does not parse it"
            ),
            span: locator.span(at, at),
            further_errors: 0,
            not_parsed: true,
        });
        return facts;
    }
    match syn::parse_str::<syn::File>(body) {
        Err(error) => {
            let range = error.span().byte_range();
            facts.syntax = Some(SyntaxProblem {
                message: error.to_string(),
                span: locator.span((offset + range.start) as u32, (offset + range.end) as u32),
                further_errors: 0,
                not_parsed: false,
            });
        }
        Ok(file) => {
            let mut extractor = Extractor {
                locator,
                offset: offset as u32,
                options,
                scopes: Vec::new(),
                modules: Vec::new(),
                test: false,
                imports: Vec::new(),
                attribute_uses: Vec::new(),
            };
            let whole = (offset as u32, source.len() as u32);
            extractor.module(Vec::new(), whole, false, &file.items, |this| {
                for attribute in &file.attrs {
                    this.visit_attribute(attribute);
                }
                for item in &file.items {
                    this.visit_item(item);
                }
            });
            let mut modules = extractor.modules.into_iter();
            if let Some(file_module) = modules.next() {
                facts.bindings = file_module.bindings;
                facts.definitions = file_module.definitions;
            }
            facts.inner_modules = modules
                .map(|module| InnerModule {
                    path: module.path.join("::").into(),
                    bindings: module.bindings,
                    definitions: module.definitions,
                    test: module.test,
                    range: module.range,
                })
                .collect();
            facts.imports = extractor.imports;
            facts.attribute_uses = extractor.attribute_uses;
        }
    }
    // proc-macro2 keeps every parsed text of the thread for its spans' positions; they
    // are all read by now.
    proc_macro2::extra::invalidate_current_thread_spans();
    facts
}

/// Parses `source` with syn and does nothing else: the floor the Rust benchmark compares a
/// check with (returns the number of items so the work cannot be optimised away; a file
/// refused for its nesting or that does not parse counts none).
pub fn parse_only(source: &str) -> usize {
    let body = &source[shebang_length(source)..];
    if comments::too_deep(body, MAX_NESTING).is_some() {
        return 0;
    }
    let items = syn::parse_str::<syn::File>(body).map_or(0, |file| file.items.len());
    proc_macro2::extra::invalidate_current_thread_spans();
    items
}

/// How many syn errors `source` has: 0 or 1 (syn stops at the first); a refused file
/// counts as worse than any.
pub fn syntax_error_count(source: &str) -> usize {
    let body = &source[shebang_length(source)..];
    if comments::too_deep(body, MAX_NESTING).is_some() {
        return usize::MAX;
    }
    let errors = usize::from(syn::parse_str::<syn::File>(body).is_err());
    proc_macro2::extra::invalidate_current_thread_spans();
    errors
}

/// The length of a `#!` line that is not an inner attribute (`#![...]`), which rustc (and
/// `syn::parse_file`) skip.
fn shebang_length(source: &str) -> usize {
    let Some(rest) = source.strip_prefix("#!") else {
        return 0;
    };
    if comments::skip_trivia(rest).starts_with('[') {
        return 0;
    }
    source.find('\n').unwrap_or(source.len())
}

/// What a name in scope stands for.
#[derive(Clone, Debug)]
enum Bound {
    /// An item of a module (a type, function, ...): `self::<module>::<name>`.
    Item,
    /// A module declared in a module (`mod name;`, `mod name { .. }`): a path through it
    /// names that module.
    Module,
    /// A name no other module can spell: a generic parameter, an item inside a block.
    Local,
    /// A `use` binding or `extern crate`: the path as written, resolved in its scope.
    Use {
        path: Vec<String>,
        leading_colon: bool,
        /// `extern crate`: the crate is declared here, whether or not a dependency.
        extern_crate: bool,
    },
}

/// One scope of names: a module's, a block's, or an item's generic parameters.
struct Scope {
    /// The module it is in (an index into `Extractor::modules`).
    module: usize,
    /// A module's own scope: names are not looked up beyond it.
    is_module: bool,
    names: HashMap<String, Bound>,
    /// It has an item-level macro invocation (or, for a block, a glob import): a name
    /// bound by nothing else may come from one of them, which cannot be told.
    may_bring_names: bool,
    /// A module scope with a glob import: a name bound by nothing else may come from it,
    /// which the names of the module it imports from tell.
    globs: bool,
    /// Identifiers in the arguments of a block's statement macros: items they may make.
    macros_may_make: std::collections::HashSet<String>,
    /// `macro_rules!` names: in the macro namespace, named by a path of one segment
    /// (`use my_macro;`) but never the first segment of a longer one.
    macros: std::collections::HashSet<String>,
}

/// What a path resolves to inside the file.
#[derive(Debug, PartialEq, Eq)]
enum Resolved {
    /// Anchored: `crate::..`, `self::..`, `super::..`, or an external crate's name first.
    Path {
        segments: Vec<String>,
        declared_elsewhere_maybe: bool,
        glob_may_declare: bool,
    },
    /// A local name: a generic parameter, `Self`, an item inside a block, a primitive type.
    Local,
}

/// What the file says about one of its modules.
struct ModuleFacts {
    /// Below the file's module.
    path: Vec<String>,
    /// An inline module's body (braces included); the whole file for the file's module.
    range: (u32, u32),
    bindings: ModuleBindings,
    definitions: Vec<Definition>,
    test: bool,
}

struct Extractor<'o, 's> {
    locator: Locator<'s>,
    /// Where the parsed text starts in the source (after a `#!` line).
    offset: u32,
    options: &'o ExtractOptions,
    scopes: Vec<Scope>,
    modules: Vec<ModuleFacts>,
    /// Inside test code.
    test: bool,
    imports: Vec<Import>,
    attribute_uses: Vec<AttributeUse>,
}

/// The standard prelude's names (2021 edition), with their full paths: what a path starting
/// with one of them means when nothing in scope binds it.
const PRELUDE: &[(&str, &str)] = &[
    ("Box", "std::boxed::Box"),
    ("Option", "std::option::Option"),
    ("Some", "std::option::Option::Some"),
    ("None", "std::option::Option::None"),
    ("Result", "std::result::Result"),
    ("Ok", "std::result::Result::Ok"),
    ("Err", "std::result::Result::Err"),
    ("String", "std::string::String"),
    ("ToString", "std::string::ToString"),
    ("Vec", "std::vec::Vec"),
    ("ToOwned", "std::borrow::ToOwned"),
    ("Clone", "std::clone::Clone"),
    ("Copy", "std::marker::Copy"),
    ("Send", "std::marker::Send"),
    ("Sized", "std::marker::Sized"),
    ("Sync", "std::marker::Sync"),
    ("Unpin", "std::marker::Unpin"),
    ("Drop", "std::ops::Drop"),
    ("Fn", "std::ops::Fn"),
    ("FnMut", "std::ops::FnMut"),
    ("FnOnce", "std::ops::FnOnce"),
    ("drop", "std::mem::drop"),
    ("Default", "std::default::Default"),
    ("Eq", "std::cmp::Eq"),
    ("Ord", "std::cmp::Ord"),
    ("PartialEq", "std::cmp::PartialEq"),
    ("PartialOrd", "std::cmp::PartialOrd"),
    ("AsMut", "std::convert::AsMut"),
    ("AsRef", "std::convert::AsRef"),
    ("From", "std::convert::From"),
    ("Into", "std::convert::Into"),
    ("TryFrom", "std::convert::TryFrom"),
    ("TryInto", "std::convert::TryInto"),
    ("DoubleEndedIterator", "std::iter::DoubleEndedIterator"),
    ("ExactSizeIterator", "std::iter::ExactSizeIterator"),
    ("Extend", "std::iter::Extend"),
    ("FromIterator", "std::iter::FromIterator"),
    ("IntoIterator", "std::iter::IntoIterator"),
    ("Iterator", "std::iter::Iterator"),
];

/// The standard library's macros that expand to an expression or statement, never to an
/// item: invoked as a statement, they declare no name.
const EXPRESSION_MACROS: &[&str] = &[
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "dbg",
    "eprint",
    "eprintln",
    "format",
    "format_args",
    "panic",
    "print",
    "println",
    "todo",
    "unimplemented",
    "unreachable",
    "vec",
    "write",
    "writeln",
    "matches",
    "assert_matches",
    "compile_error",
    "concat",
    "stringify",
    "include_str",
    "include_bytes",
    "env",
    "option_env",
    "cfg",
    "line",
    "column",
    "file",
    "module_path",
    "try",
];

/// The primitive types, which paths may start with (`u32::MAX`, `str::from_utf8`).
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f16", "f32", "f64", "f128",
];

/// Tools whose attributes (`#[rustfmt::skip]`, `#[clippy::msrv]`) are no crate's paths.
const TOOLS: &[&str] = &[
    "rustfmt",
    "clippy",
    "diagnostic",
    "miri",
    "rust_analyzer",
    "rustdoc",
];

/// Attributes rustc itself gives a meaning to (and tools' namespaces): any other attribute
/// on an item is a procedural macro's.
const BUILTIN_ATTRIBUTES: &[&str] = &[
    "allow",
    "automatically_derived",
    "cfg",
    "cfg_attr",
    "cold",
    "collapse_debuginfo",
    "coverage",
    "crate_name",
    "crate_type",
    "debugger_visualizer",
    "deny",
    "deprecated",
    "derive",
    "diagnostic",
    "doc",
    "expect",
    "export_name",
    "feature",
    "forbid",
    "global_allocator",
    "ignore",
    "inline",
    "instruction_set",
    "link",
    "link_name",
    "link_ordinal",
    "link_section",
    "macro_export",
    "macro_use",
    "must_use",
    "naked",
    "no_builtins",
    "no_implicit_prelude",
    "no_link",
    "no_main",
    "no_mangle",
    "no_std",
    "non_exhaustive",
    "panic_handler",
    "path",
    "proc_macro",
    "proc_macro_attribute",
    "proc_macro_derive",
    "recursion_limit",
    "repr",
    "should_panic",
    "stable",
    "target_feature",
    "test",
    "track_caller",
    "type_length_limit",
    "unsafe",
    "unstable",
    "used",
    "warn",
    "windows_subsystem",
];

/// Whether an item may make items syn cannot see: an item-level macro invocation, or an
/// item under a procedural attribute macro (`#[pin_project(project = Proj)]` defines
/// `Proj`). Derive macros are taken to add impls only, as by convention they do.
fn may_make_items(item: &syn::Item) -> bool {
    if let syn::Item::Macro(invocation) = item {
        return invocation.ident.is_none();
    }
    attributes_of(item).iter().any(|attribute| {
        let path = attribute.path();
        let first = path
            .segments
            .first()
            .map(|segment| segment.ident.to_string())
            .unwrap_or_default();
        if path.segments.len() > 1 {
            return !TOOLS.contains(&first.as_str());
        }
        !(BUILTIN_ATTRIBUTES.contains(&first.as_str()) || first.starts_with("rustc_"))
    })
}

/// The derive macros `#[proc_macro_derive(Name, attributes(..))]` defines.
fn derive_names(attributes: &[syn::Attribute]) -> Vec<String> {
    let mut names = Vec::new();
    for attribute in attributes
        .iter()
        .filter(|attribute| attribute.path().is_ident("proc_macro_derive"))
    {
        let _ = attribute.parse_nested_meta(|meta| {
            if names.is_empty() {
                if let Some(ident) = meta.path.get_ident() {
                    names.push(ident.unraw().to_string());
                }
            }
            // `attributes(..)`: skipped.
            if meta.input.peek(syn::token::Paren) {
                meta.parse_nested_meta(|_| Ok(()))?;
            }
            Ok(())
        });
    }
    names
}

/// Whether attributes make an item test code: `#[cfg(test)]` (also inside `all(...)`),
/// or `#[test]`.
fn is_test(attributes: &[syn::Attribute]) -> bool {
    attributes.iter().any(|attribute| {
        if attribute.path().is_ident("test") {
            return true;
        }
        if !attribute.path().is_ident("cfg") {
            return false;
        }
        let mut test = false;
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("test") {
                test = true;
            } else if meta.path.is_ident("all") {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("test") {
                        test = true;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        });
        test
    })
}

fn attributes_of(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Const(item) => &item.attrs,
        syn::Item::Enum(item) => &item.attrs,
        syn::Item::ExternCrate(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::ForeignMod(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Static(item) => &item.attrs,
        syn::Item::Struct(item) => &item.attrs,
        syn::Item::Trait(item) => &item.attrs,
        syn::Item::TraitAlias(item) => &item.attrs,
        syn::Item::Type(item) => &item.attrs,
        syn::Item::Union(item) => &item.attrs,
        syn::Item::Use(item) => &item.attrs,
        _ => &[],
    }
}

/// The name an item binds, with its definition kind when it is a definition.
fn item_name(item: &syn::Item) -> Option<(&syn::Ident, Option<DefinitionKind>)> {
    Some(match item {
        syn::Item::Const(item) => (&item.ident, Some(DefinitionKind::Const)),
        syn::Item::Enum(item) => (&item.ident, Some(DefinitionKind::Enum)),
        syn::Item::Fn(item) => (&item.sig.ident, Some(DefinitionKind::Function)),
        syn::Item::Mod(item) => (&item.ident, None),
        syn::Item::Static(item) => (&item.ident, Some(DefinitionKind::Static)),
        syn::Item::Struct(item) => (&item.ident, Some(DefinitionKind::Struct)),
        syn::Item::Trait(item) => (&item.ident, Some(DefinitionKind::Trait)),
        syn::Item::TraitAlias(item) => (&item.ident, Some(DefinitionKind::Trait)),
        syn::Item::Type(item) => (&item.ident, Some(DefinitionKind::Type)),
        syn::Item::Union(item) => (&item.ident, Some(DefinitionKind::Union)),
        _ => return None,
    })
}

fn is_public(item: &syn::Item) -> bool {
    let visibility = match item {
        syn::Item::Const(item) => &item.vis,
        syn::Item::Enum(item) => &item.vis,
        syn::Item::Fn(item) => &item.vis,
        syn::Item::Static(item) => &item.vis,
        syn::Item::Struct(item) => &item.vis,
        syn::Item::Trait(item) => &item.vis,
        syn::Item::TraitAlias(item) => &item.vis,
        syn::Item::Type(item) => &item.vis,
        syn::Item::Union(item) => &item.vis,
        _ => return false,
    };
    matches!(visibility, syn::Visibility::Public(_))
}

/// One leaf of a `use` tree: its path as written, what it binds, and where it is.
struct UseLeaf {
    path: Vec<String>,
    /// `as name`; `_` binds nothing.
    alias: Option<String>,
    glob: bool,
    /// The first segment's span (of the whole tree) and the leaf's last token.
    first: SynSpan,
    last: SynSpan,
    /// Where the written path of this leaf starts when a group brace cut it.
    module_start: SynSpan,
}

fn use_leaves(tree: &syn::UseTree) -> Vec<UseLeaf> {
    fn walk(
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        first: Option<SynSpan>,
        module_start: Option<SynSpan>,
        leaves: &mut Vec<UseLeaf>,
    ) {
        let leaf = |path: Vec<String>, alias, glob, last: SynSpan| UseLeaf {
            path,
            alias,
            glob,
            first: first.unwrap_or(last),
            last,
            module_start: module_start.unwrap_or(last),
        };
        match tree {
            syn::UseTree::Path(path) => {
                let first = first.or(Some(path.ident.span()));
                let module_start = module_start.or(Some(path.ident.span()));
                prefix.push(path.ident.unraw().to_string());
                walk(&path.tree, prefix, first, module_start, leaves);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let mut path = prefix.clone();
                path.push(name.ident.unraw().to_string());
                leaves.push(leaf(path, None, false, name.ident.span()));
            }
            syn::UseTree::Rename(rename) => {
                let mut path = prefix.clone();
                path.push(rename.ident.unraw().to_string());
                let alias = Some(rename.rename.unraw().to_string());
                leaves.push(leaf(path, alias, false, rename.rename.span()));
            }
            syn::UseTree::Glob(glob) => {
                leaves.push(leaf(prefix.clone(), None, true, glob.star_token.span));
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    walk(tree, prefix, first, None, leaves);
                }
            }
        }
    }
    let mut leaves = Vec::new();
    walk(tree, &mut Vec::new(), None, None, &mut leaves);
    leaves
}

/// What a `use` leaf binds: its alias, else its last segment (`self` in a group binds the
/// module before it); nothing for `as _` and globs.
fn bound_name(leaf: &UseLeaf) -> Option<String> {
    if leaf.glob {
        return None;
    }
    match leaf.alias.as_deref() {
        Some("_") => None,
        Some(alias) => Some(alias.to_string()),
        None => {
            let path = leaf
                .path
                .strip_suffix(&["self".to_string()])
                .unwrap_or(&leaf.path);
            path.last().cloned()
        }
    }
}

impl Extractor<'_, '_> {
    /// A syn span's byte range in the source.
    fn range(&self, span: SynSpan) -> (u32, u32) {
        let range = span.byte_range();
        (
            self.offset + range.start as u32,
            self.offset + range.end as u32,
        )
    }

    fn span(&mut self, from: SynSpan, to: SynSpan) -> Span {
        let (start, _) = self.range(from);
        let (_, end) = self.range(to);
        self.locator.span(start, end.max(start))
    }

    /// Visits a module's items in a scope of their names.
    fn module(
        &mut self,
        path: Vec<String>,
        range: (u32, u32),
        test: bool,
        items: &[syn::Item],
        visit: impl FnOnce(&mut Self),
    ) {
        let index = self.modules.len();
        self.modules.push(ModuleFacts {
            path,
            range,
            bindings: ModuleBindings::default(),
            definitions: Vec::new(),
            test,
        });
        let scope = self.scope_of(index, true, items);
        let module = &mut self.modules[index];
        for name in scope.names.keys().chain(&scope.macros) {
            module.bindings.names.push(name.as_str().into());
        }
        module.bindings.names.sort_unstable();
        module.bindings.names.dedup();
        for item in items {
            // `lazy_static! { .. }`, `include!(..)`, `#[pin_project(project = Proj)]`:
            // items syn cannot see.
            module.bindings.dynamic |= may_make_items(item);
            match item {
                syn::Item::Macro(_) => {}
                item if is_public(item) => {
                    if let Some((ident, Some(kind))) = item_name(item) {
                        let range = ident.span().byte_range();
                        module.definitions.push(Definition {
                            name: ident.unraw().to_string().into(),
                            kind,
                            range: (
                                self.offset + range.start as u32,
                                self.offset + range.end as u32,
                            ),
                        });
                    }
                }
                _ => {}
            }
        }
        self.scopes.push(scope);
        let at = self.scopes.len() - 1;
        let outer = std::mem::replace(&mut self.test, test);
        visit(self);
        // The modules glob imports bring names from, resolved in the module's scope.
        let mut star_imports = Vec::new();
        for item in items {
            let syn::Item::Use(declaration) = item else {
                continue;
            };
            for leaf in use_leaves(&declaration.tree) {
                if !leaf.glob {
                    continue;
                }
                let leading_colon = declaration.leading_colon.is_some();
                if let Resolved::Path { segments, .. } =
                    self.resolve(&leaf.path, leading_colon, at, None)
                {
                    star_imports.push((0, segments.join("::").into()));
                }
            }
        }
        self.modules[index].bindings.star_imports = star_imports;
        // What each `use` binding names, resolved in the module's scope (not seeing itself).
        let mut uses: Vec<(String, Vec<String>, bool)> = self.scopes[at]
            .names
            .iter()
            .filter_map(|(name, bound)| match bound {
                Bound::Use {
                    path,
                    leading_colon,
                    ..
                } => Some((name.clone(), path.clone(), *leading_colon)),
                _ => None,
            })
            .collect();
        uses.sort_unstable();
        let targets = uses
            .into_iter()
            .filter_map(|(name, path, leading_colon)| {
                match self.resolve(&path, leading_colon, at, Some((at, name.as_str()))) {
                    Resolved::Path { segments, .. } => {
                        Some((name.into(), segments.join("::").into()))
                    }
                    Resolved::Local => None,
                }
            })
            .collect();
        self.modules[index].bindings.targets = targets;
        self.test = outer;
        self.scopes.pop();
    }

    /// The names `items` bind in a scope of module `module`.
    fn scope_of<'i>(
        &self,
        module: usize,
        is_module: bool,
        items: impl IntoIterator<Item = &'i syn::Item>,
    ) -> Scope {
        let mut scope = Scope {
            module,
            is_module,
            names: HashMap::new(),
            may_bring_names: false,
            globs: false,
            macros: std::collections::HashSet::new(),
            macros_may_make: std::collections::HashSet::new(),
        };
        let item_binding = || if is_module { Bound::Item } else { Bound::Local };
        // `use` bindings after every item: a name both bind is the item's in the type
        // namespace (`mod complete;` beside `pub use complete::complete;`, which binds the
        // function), and a path's first segment is looked up there.
        let items: Vec<&syn::Item> = items.into_iter().collect();
        let mut type_items: std::collections::HashSet<String> = std::collections::HashSet::new();
        for item in &items {
            if let Some((ident, _)) = item_name(item) {
                if !matches!(
                    item,
                    syn::Item::Fn(_) | syn::Item::Const(_) | syn::Item::Static(_)
                ) {
                    type_items.insert(ident.unraw().to_string());
                }
            }
        }
        let ordered = items
            .iter()
            .filter(|item| !matches!(item, syn::Item::Use(_)))
            .chain(
                items
                    .iter()
                    .filter(|item| matches!(item, syn::Item::Use(_))),
            );
        for item in ordered {
            let item = *item;
            scope.may_bring_names |= may_make_items(item);
            match item {
                syn::Item::Use(declaration) => {
                    for leaf in use_leaves(&declaration.tree) {
                        if is_module {
                            scope.globs |= leaf.glob;
                        } else {
                            scope.may_bring_names |= leaf.glob;
                        }
                        if let Some(name) =
                            bound_name(&leaf).filter(|name| !type_items.contains(name))
                        {
                            // `use my_macro;` of a `macro_rules!` in scope binds a macro.
                            let of_macro = matches!(leaf.path.as_slice(), [only]
                                if scope.macros.contains(only) && !scope.names.contains_key(only));
                            if of_macro {
                                scope.macros.insert(name);
                                continue;
                            }
                            let mut path = leaf.path;
                            if path.last().is_some_and(|last| last == "self") {
                                path.pop();
                            }
                            scope.names.insert(
                                name,
                                Bound::Use {
                                    path,
                                    leading_colon: declaration.leading_colon.is_some(),
                                    extern_crate: false,
                                },
                            );
                        }
                    }
                }
                syn::Item::ExternCrate(declaration) => {
                    let name = declaration.ident.unraw().to_string();
                    let bound = match &declaration.rename {
                        Some((_, rename)) => rename.unraw().to_string(),
                        None => name.clone(),
                    };
                    let path = if name == "self" {
                        vec!["crate".to_string()]
                    } else {
                        vec![name]
                    };
                    if bound != "_" {
                        scope.names.insert(
                            bound,
                            Bound::Use {
                                path,
                                leading_colon: declaration.ident != "self",
                                extern_crate: true,
                            },
                        );
                    }
                }
                syn::Item::ForeignMod(foreign) => {
                    for item in &foreign.items {
                        let ident = match item {
                            syn::ForeignItem::Fn(item) => &item.sig.ident,
                            syn::ForeignItem::Static(item) => &item.ident,
                            syn::ForeignItem::Type(item) => &item.ident,
                            _ => continue,
                        };
                        scope
                            .names
                            .insert(ident.unraw().to_string(), item_binding());
                    }
                }
                // A `macro_rules!` name lives in a textual scope, but `use` and paths can
                // name it (`pub(crate) use my_macro;`); an invocation may define any item.
                syn::Item::Macro(definition) => {
                    if let Some(name) = &definition.ident {
                        scope.macros.insert(name.unraw().to_string());
                    }
                }
                item => {
                    if let Some((ident, _)) = item_name(item) {
                        let bound = match item {
                            syn::Item::Mod(_) if is_module => Bound::Module,
                            _ => item_binding(),
                        };
                        scope.names.insert(ident.unraw().to_string(), bound);
                    }
                    // A proc-macro crate's derive is named by its attribute, not its function.
                    if let syn::Item::Fn(function) = item {
                        for name in derive_names(&function.attrs) {
                            scope.names.insert(name, item_binding());
                        }
                    }
                }
            }
        }
        scope
    }

    /// Resolves a written path in the scope `at` (an index into `scopes`). `resolving`: the
    /// `use` binding being resolved, which its own path does not see.
    fn resolve(
        &self,
        path: &[String],
        leading_colon: bool,
        at: usize,
        resolving: Option<(usize, &str)>,
    ) -> Resolved {
        self.resolve_within(path, leading_colon, at, resolving, 0)
    }

    fn resolve_within(
        &self,
        path: &[String],
        leading_colon: bool,
        at: usize,
        resolving: Option<(usize, &str)>,
        chain: usize,
    ) -> Resolved {
        let Some(first) = path.first() else {
            return Resolved::Local;
        };
        let module_path = &self.modules[self.scopes[at].module].path;
        let anchored = |segments: Vec<String>| Resolved::Path {
            segments,
            declared_elsewhere_maybe: false,
            glob_may_declare: false,
        };
        if leading_colon {
            return anchored(path.to_vec());
        }
        match first.as_str() {
            "crate" => return anchored(path.to_vec()),
            "self" => {
                let mut segments = vec!["self".to_string()];
                segments.extend(module_path.iter().cloned());
                segments.extend(path[1..].iter().cloned());
                return anchored(segments);
            }
            "super" => {
                let climbs = path
                    .iter()
                    .take_while(|segment| *segment == "super")
                    .count();
                let mut segments = Vec::new();
                if climbs <= module_path.len() {
                    segments.push("self".to_string());
                    segments.extend(module_path[..module_path.len() - climbs].iter().cloned());
                } else {
                    segments.extend(std::iter::repeat_n(
                        "super".to_string(),
                        climbs - module_path.len(),
                    ));
                }
                segments.extend(path[climbs..].iter().cloned());
                return anchored(segments);
            }
            "Self" => return Resolved::Local,
            _ => {}
        }
        let mut declared_elsewhere_maybe = false;
        let mut glob_may_declare = false;
        for index in (0..=at).rev() {
            let scope = &self.scopes[index];
            // A `use` does not see its own binding (an item of the same name it does). A
            // binding named like the crate it imports from (`use memchr::{memchr, memmem};`
            // binds the function `memchr`) is in the value or macro namespace, where a
            // path's first segment is not looked up: `memchr::memmem` is the crate's.
            let bound = scope.names.get(first.as_str()).filter(|bound| {
                starts_paths(bound, first)
                    && !(matches!(bound, Bound::Use { .. })
                        && resolving == Some((index, first.as_str())))
            });
            match bound {
                Some(Bound::Item | Bound::Module) => {
                    let mut segments = vec!["self".to_string()];
                    segments.extend(self.modules[scope.module].path.iter().cloned());
                    segments.extend(path.iter().cloned());
                    return anchored(segments);
                }
                Some(Bound::Local) => return Resolved::Local,
                Some(Bound::Use {
                    path: target,
                    leading_colon,
                    extern_crate,
                }) => {
                    if chain >= MAX_USE_CHAIN {
                        return Resolved::Local;
                    }
                    let resolved = self.resolve_within(
                        target,
                        *leading_colon,
                        index,
                        Some((index, first.as_str())),
                        chain + 1,
                    );
                    return match resolved {
                        Resolved::Path {
                            mut segments,
                            declared_elsewhere_maybe,
                            glob_may_declare,
                        } => {
                            segments.extend(path[1..].iter().cloned());
                            Resolved::Path {
                                segments,
                                declared_elsewhere_maybe: declared_elsewhere_maybe || *extern_crate,
                                glob_may_declare,
                            }
                        }
                        Resolved::Local => Resolved::Local,
                    };
                }
                None if path.len() == 1 && scope.macros.contains(first.as_str()) => {
                    let mut segments = vec!["self".to_string()];
                    segments.extend(self.modules[scope.module].path.iter().cloned());
                    segments.push(first.clone());
                    return anchored(segments);
                }
                None => {}
            }
            declared_elsewhere_maybe |=
                scope.may_bring_names || scope.macros_may_make.contains(first.as_str());
            glob_may_declare |= scope.globs;
            if scope.is_module {
                break;
            }
        }
        if PRIMITIVES.contains(&first.as_str()) {
            return Resolved::Local;
        }
        if let Some((_, full)) = PRELUDE.iter().find(|(name, _)| name == first) {
            let mut segments: Vec<String> = full.split("::").map(str::to_string).collect();
            segments.extend(path[1..].iter().cloned());
            return anchored(segments);
        }
        Resolved::Path {
            segments: path.to_vec(),
            declared_elsewhere_maybe,
            // A macro may bring it whatever the globs bring.
            glob_may_declare: glob_may_declare && !declared_elsewhere_maybe,
        }
    }

    fn context(&self, declared_elsewhere_maybe: bool, glob_may_declare: bool) -> ImportContext {
        ImportContext {
            test: self.test,
            declared_elsewhere_maybe,
            glob_may_declare,
            ..ImportContext::default()
        }
    }

    fn with_test(&mut self, attributes: &[syn::Attribute], visit: impl FnOnce(&mut Self)) {
        let outer = self.test;
        self.test = outer || is_test(attributes);
        visit(self);
        self.test = outer;
    }

    /// Visits what is inside a scope of local names (generic parameters, a block's items).
    fn local_scope<'i>(
        &mut self,
        names: Vec<String>,
        items: impl IntoIterator<Item = &'i syn::Item>,
        visit: impl FnOnce(&mut Self),
    ) {
        let module = self.scopes.last().map_or(0, |scope| scope.module);
        let mut scope = self.scope_of(module, false, items);
        for name in names {
            scope.names.entry(name).or_insert(Bound::Local);
        }
        self.scopes.push(scope);
        visit(self);
        self.scopes.pop();
    }

    fn generics_scope(&mut self, generics: &syn::Generics, visit: impl FnOnce(&mut Self)) {
        let names: Vec<String> = generics
            .params
            .iter()
            .filter_map(|parameter| match parameter {
                syn::GenericParam::Type(parameter) => Some(parameter.ident.unraw().to_string()),
                syn::GenericParam::Const(parameter) => Some(parameter.ident.unraw().to_string()),
                syn::GenericParam::Lifetime(_) => None,
            })
            .collect();
        if names.is_empty() {
            visit(self);
        } else {
            self.local_scope(names, std::iter::empty(), visit);
        }
    }

    fn use_declaration(&mut self, declaration: &syn::ItemUse) {
        let at = self.scopes.len() - 1;
        let whole = syn::spanned::Spanned::span(declaration);
        let statement = self.span(whole, whole);
        for leaf in use_leaves(&declaration.tree) {
            let mut path = leaf.path.clone();
            if !leaf.glob && path.last().is_some_and(|last| last == "self") {
                path.pop();
            }
            let resolving = bound_name(&leaf).map(|name| (at, name));
            let resolved = self.resolve(
                &path,
                declaration.leading_colon.is_some(),
                at,
                resolving
                    .as_ref()
                    .map(|(index, name)| (*index, name.as_str())),
            );
            let Resolved::Path {
                segments,
                declared_elsewhere_maybe,
                glob_may_declare,
            } = resolved
            else {
                continue;
            };
            let (module, name) = if leaf.glob {
                (segments.join("::"), Some("*".into()))
            } else {
                split_last(&segments)
            };
            let first = if declaration.leading_colon.is_some() {
                declaration
                    .leading_colon
                    .map_or(leaf.first, |colons| colons.spans[0])
            } else {
                leaf.first
            };
            let span = self.span(first, leaf.last);
            let module_range = {
                let (start, _) = self.range(leaf.module_start);
                (start, span.end)
            };
            self.imports.push(Import {
                kind: ImportKind::Use,
                module: module.into(),
                level: 0,
                name,
                alias: leaf.alias.clone().map(Into::into),
                span,
                statement,
                module_range,
                context: self.context(declared_elsewhere_maybe, glob_may_declare),
            });
        }
    }

    /// A path in code: an import when it names another module by itself; a watched use
    /// when it is a watched API's.
    fn code_path(&mut self, path: &syn::Path, is_macro: bool) {
        let segments: Vec<String> = path
            .segments
            .iter()
            .map(|segment| segment.ident.unraw().to_string())
            .collect();
        let Some(first) = segments.first() else {
            return;
        };
        let at = self.scopes.len() - 1;
        let resolved = self.resolve(&segments, path.leading_colon.is_some(), at, None);
        let Resolved::Path {
            segments: resolved,
            declared_elsewhere_maybe,
            glob_may_declare,
        } = resolved
        else {
            return;
        };
        let start = path
            .leading_colon
            .map_or_else(|| path.segments[0].ident.span(), |colons| colons.spans[0]);
        let end = path
            .segments
            .last()
            .map_or(start, |segment| segment.ident.span());
        // Named by itself: anchored as written, through a module the module declares, or
        // an external crate's name that nothing in scope binds (through a name the file
        // binds, its `use` is the import; another item of the module is no other module;
        // prelude names are no imports).
        let names_by_itself = segments.len() >= 2
            && (path.leading_colon.is_some()
                || matches!(first.as_str(), "crate" | "self" | "super")
                || matches!(binding_of(&self.scopes, at, first), Some(Bound::Module))
                || (resolved.first() == Some(first)
                    && binding_of(&self.scopes, at, first).is_none()));
        let through_binding = segments.len() >= 2
            && !names_by_itself
            && matches!(binding_of(&self.scopes, at, first), Some(Bound::Use { .. }));
        if through_binding {
            // The binding wrote all but the segments after the first.
            let bound = resolved.len() + 1 - segments.len();
            let mut name = resolved[bound..].join("::");
            if is_macro {
                name.push('!');
            }
            let span = self.span(start, end);
            self.imports.push(Import {
                kind: ImportKind::BoundPath,
                module: resolved[..bound].join("::").into(),
                level: 0,
                name: Some(name.into()),
                // The binding's name: where it is also a crate's, which one the path means
                // depends on namespaces the file does not show.
                alias: Some(first.as_str().into()),
                span,
                statement: span,
                module_range: (span.start, span.end),
                context: self.context(declared_elsewhere_maybe, glob_may_declare),
            });
        }
        if names_by_itself {
            let span = self.span(start, end);
            let (module, mut name) = split_last(&resolved);
            if is_macro {
                name = name.map(|name| format!("{name}!").into());
            }
            self.imports.push(Import {
                kind: ImportKind::Path,
                module: module.into(),
                level: 0,
                name,
                alias: None,
                span,
                statement: span,
                module_range: (span.start, span.end),
                context: self.context(declared_elsewhere_maybe, glob_may_declare),
            });
        }
        // A path that is an import by itself is matched as one (its qualified path); a
        // path through the file's bindings is a use of what they import.
        if !names_by_itself
            && !self.options.watched_attributes.is_empty()
            && !matches!(resolved[0].as_str(), "crate" | "self" | "super")
        {
            let watched = (2..=resolved.len()).any(|length| {
                self.options
                    .watched_attributes
                    .contains(&resolved[..length].join("::"))
            });
            if watched {
                let span = self.span(start, end);
                self.attribute_uses.push(AttributeUse {
                    path: resolved.join("::").into(),
                    span,
                    context: self.context(false, false),
                });
            }
        }
    }
}

/// Every identifier in `tokens`, nested groups included (iteratively: a token tree can be
/// as deep as the file).
fn identifiers_in(tokens: proc_macro2::TokenStream, found: &mut std::collections::HashSet<String>) {
    let mut pending = vec![tokens];
    while let Some(stream) = pending.pop() {
        for tree in stream {
            match tree {
                proc_macro2::TokenTree::Ident(ident) => {
                    found.insert(ident.unraw().to_string());
                }
                proc_macro2::TokenTree::Group(group) => pending.push(group.stream()),
                _ => {}
            }
        }
    }
}

/// Whether `bound`, the binding of `name`, is what a path starting with `name` goes
/// through: not a `use` binding named like the crate it imports from (see
/// `resolve_within`).
fn starts_paths(bound: &Bound, name: &str) -> bool {
    match bound {
        Bound::Use { path, .. } => !(path.len() > 1 && path[0] == name),
        _ => true,
    }
}

/// What binds `name`, as a path's first segment, in the scopes from `at` out to its
/// module's (not a `use` binding named like the crate it imports from: see
/// `resolve_within`).
fn binding_of<'s>(scopes: &'s [Scope], at: usize, name: &str) -> Option<&'s Bound> {
    for scope in scopes[..=at].iter().rev() {
        if let Some(bound) = scope
            .names
            .get(name)
            .filter(|bound| starts_paths(bound, name))
        {
            return Some(bound);
        }
        if scope.is_module {
            break;
        }
    }
    None
}

/// `a::b::c` as the module `a::b` and the name `c`; one segment is a module alone.
fn split_last(segments: &[String]) -> (String, Option<Box<str>>) {
    match segments.split_last() {
        Some((last, rest)) if !rest.is_empty() => (rest.join("::"), Some(last.as_str().into())),
        _ => (segments.join("::"), None),
    }
}

impl<'ast> Visit<'ast> for Extractor<'_, '_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attributes = attributes_of(item);
        self.with_test(attributes, |this| syn::visit::visit_item(this, item));
    }

    fn visit_item_mod(&mut self, module: &'ast syn::ItemMod) {
        let Some((braces, items)) = &module.content else {
            return;
        };
        let range = (
            self.range(braces.span.open()).0,
            self.range(braces.span.close()).1,
        );
        let mut path = self
            .scopes
            .last()
            .map(|scope| self.modules[scope.module].path.clone())
            .unwrap_or_default();
        path.push(module.ident.unraw().to_string());
        let test = self.test;
        self.module(path, range, test, items, |this| {
            for attribute in &module.attrs {
                this.visit_attribute(attribute);
            }
            for item in items {
                this.visit_item(item);
            }
        });
    }

    fn visit_item_use(&mut self, declaration: &'ast syn::ItemUse) {
        self.use_declaration(declaration);
    }

    fn visit_item_extern_crate(&mut self, declaration: &'ast syn::ItemExternCrate) {
        if declaration.ident == "self" {
            return;
        }
        let span = self.span(declaration.ident.span(), declaration.ident.span());
        let statement = self.span(declaration.extern_token.span, declaration.semi_token.span);
        self.imports.push(Import {
            kind: ImportKind::ExternCrate,
            module: declaration.ident.unraw().to_string().into(),
            level: 0,
            name: None,
            alias: declaration
                .rename
                .as_ref()
                .map(|(_, alias)| alias.unraw().to_string().into()),
            span,
            statement,
            module_range: (span.start, span.end),
            context: self.context(false, false),
        });
    }

    fn visit_item_fn(&mut self, function: &'ast syn::ItemFn) {
        self.generics_scope(&function.sig.generics, |this| {
            syn::visit::visit_item_fn(this, function)
        });
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.with_test(&function.attrs, |this| {
            this.generics_scope(&function.sig.generics, |this| {
                syn::visit::visit_impl_item_fn(this, function)
            })
        });
    }

    fn visit_trait_item_fn(&mut self, function: &'ast syn::TraitItemFn) {
        self.generics_scope(&function.sig.generics, |this| {
            syn::visit::visit_trait_item_fn(this, function)
        });
    }

    fn visit_item_impl(&mut self, block: &'ast syn::ItemImpl) {
        self.generics_scope(&block.generics, |this| {
            syn::visit::visit_item_impl(this, block)
        });
    }

    fn visit_item_trait(&mut self, definition: &'ast syn::ItemTrait) {
        self.generics_scope(&definition.generics, |this| {
            syn::visit::visit_item_trait(this, definition)
        });
    }

    fn visit_item_struct(&mut self, definition: &'ast syn::ItemStruct) {
        self.generics_scope(&definition.generics, |this| {
            syn::visit::visit_item_struct(this, definition)
        });
    }

    fn visit_item_enum(&mut self, definition: &'ast syn::ItemEnum) {
        self.generics_scope(&definition.generics, |this| {
            syn::visit::visit_item_enum(this, definition)
        });
    }

    fn visit_item_union(&mut self, definition: &'ast syn::ItemUnion) {
        self.generics_scope(&definition.generics, |this| {
            syn::visit::visit_item_union(this, definition)
        });
    }

    fn visit_item_type(&mut self, definition: &'ast syn::ItemType) {
        self.generics_scope(&definition.generics, |this| {
            syn::visit::visit_item_type(this, definition)
        });
    }

    fn visit_block(&mut self, block: &'ast syn::Block) {
        let items = block.stmts.iter().filter_map(|statement| match statement {
            syn::Stmt::Item(item) => Some(item),
            _ => None,
        });
        // A statement macro may make items, as item macros do (`bitflags! { .. }`,
        // `define_class!(struct Custom; ..);`), named by identifiers in its arguments —
        // but not the standard library's macros of expressions (`println!(..)`,
        // `assert_eq!(..)`, `vec![..]`). A logging macro's arguments name no new item.
        let mut made = std::collections::HashSet::new();
        for statement in &block.stmts {
            let syn::Stmt::Macro(invocation) = statement else {
                continue;
            };
            let named = |name: &str| invocation.mac.path.is_ident(name);
            if !EXPRESSION_MACROS.iter().any(|name| named(name)) {
                identifiers_in(invocation.mac.tokens.clone(), &mut made);
            }
        }
        self.local_scope(Vec::new(), items, |this| {
            if let Some(scope) = this.scopes.last_mut() {
                scope.macros_may_make = made;
            }
            syn::visit::visit_block(this, block)
        });
    }

    fn visit_item_macro(&mut self, invocation: &'ast syn::ItemMacro) {
        // A `macro_rules!` body is a template, not code.
        if invocation.ident.is_none() {
            self.visit_macro(&invocation.mac);
        }
    }

    fn visit_macro(&mut self, invocation: &'ast syn::Macro) {
        self.code_path(&invocation.path, true);
        // Arguments that are expressions (`format!`, `assert_eq!`, `vec![..]`) are code;
        // anything else (`matches!` patterns, DSLs) is left unread, and so are the tokens
        // a quoting macro (`quote!`, `parse_quote!`) outputs rather than runs.
        let quoting = invocation
            .path
            .segments
            .last()
            .is_some_and(|segment| segment.ident.to_string().contains("quote"));
        if quoting {
            return;
        }
        let arguments =
            invocation.parse_body_with(Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated);
        if let Ok(arguments) = arguments {
            for argument in &arguments {
                self.visit_expr(argument);
            }
        }
    }

    fn visit_attribute(&mut self, attribute: &'ast syn::Attribute) {
        let path = attribute.path();
        let tool = path
            .segments
            .first()
            .is_some_and(|first| TOOLS.iter().any(|tool| first.ident == tool));
        if path.segments.len() >= 2 && !tool {
            self.code_path(path, false);
        }
    }

    fn visit_vis_restricted(&mut self, _: &'ast syn::VisRestricted) {
        // `pub(in crate::a)` names where an item is visible, not a use of `crate::a`.
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.code_path(path, false);
        // Generic arguments hold paths of their own (`Vec<crate::a::B>`).
        syn::visit::visit_path(self, path);
    }
}
