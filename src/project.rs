//! The facts of the whole tree that project-wide checks need, gathered from each file as it
//! is checked: what every module binds, the `from m import N` imports of first-party
//! modules, and the definitions of watched symbols.
//!
//! They live for the whole run, so they are kept compact: every name, module and path is
//! interned once, a module's names are ranges into one pool of ids, and name imports are
//! fixed-size records. Hundreds of thousands of small allocations made among the syntax
//! trees of the parsing threads would otherwise pin the allocator's pages (peak memory on
//! the benchmark corpus went from 57 MB to 150 MB before this layout).

use crate::config::{Config, DuplicateMode};
use crate::file_text::FileText;
use crate::model::{
    edge_flags, CodeContext, Definition, DefinitionKind, FileFacts, ImportKind, ModuleBindings,
    SourceFile, Span,
};
use crate::resolve::{ModuleIndex, Resolved, ResolvedImport, SearchOrder};
use rustc_hash::FxHashMap;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Strings stored once, named by a `u32`: their bytes one after the other in one buffer,
/// found through a table of ids. One string costs its bytes and about 14 more (an `Arc<str>`
/// per string, in a map and a list, cost about 90: 25 MB on a tree of 200,000 small files).
/// FxHash: these are short identifiers hashed hundreds of thousands of times, where
/// SipHash's flood resistance buys nothing.
#[derive(Debug, Default)]
struct Interner {
    text: String,
    /// Where each string ends in `text` (it begins where the one before it ends).
    ends: Vec<usize>,
    ids: hashbrown::HashTable<u32>,
}

/// The string `id` of an interner's `text` and `ends`.
fn interned<'a>(text: &'a str, ends: &[usize], id: u32) -> &'a str {
    let id = id as usize;
    let start = if id == 0 { 0 } else { ends[id - 1] };
    &text[start..ends[id]]
}

fn hash_of(text: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(text)
}

impl Interner {
    fn intern(&mut self, string: &str) -> u32 {
        let Self { text, ends, ids } = self;
        let entry = ids.entry(
            hash_of(string),
            |id| interned(text, ends, *id) == string,
            |id| hash_of(interned(text, ends, *id)),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(found) => *found.get(),
            hashbrown::hash_table::Entry::Vacant(vacant) => {
                let id = ends.len() as u32;
                text.push_str(string);
                ends.push(text.len());
                vacant.insert(id);
                id
            }
        }
    }

    fn find(&self, string: &str) -> Option<u32> {
        self.ids
            .find(hash_of(string), |id| self.get(*id) == string)
            .copied()
    }

    fn get(&self, id: u32) -> &str {
        interned(&self.text, &self.ends, id)
    }
}

/// A range of ids in the pool.
type IdRange = (u32, u32);

/// What one module binds.
#[derive(Debug, Clone, Default)]
struct ModuleEntry {
    /// Bound names, sorted by text.
    names: IdRange,
    /// Names the module itself defines (class, def, assignment).
    defined: IdRange,
    /// `__all__` entries, if statically known.
    all: Option<IdRange>,
    /// Star imports as written: (level, module id).
    star_imports: Vec<(u32, u32)>,
    /// Rust: (name, absolute path) of each `use` binding.
    targets: Vec<(u32, u32)>,
    /// Names decided at run time.
    dynamic: bool,
    /// The file had syntax errors or could not be read: its names may be incomplete.
    incomplete: bool,
    /// A package's `__init__` (relative star imports start at the package itself).
    is_package: bool,
    /// The module name of the file (several files can claim one name; the module index
    /// says which one Python loads).
    module: u32,
}

/// [`NameImport::rest`] of an import that ends at its name.
const NO_REST: u32 = u32::MAX;

/// A `from m import N` of a first-party module `m` that exists, to be checked against what
/// `m` binds once every module is known.
#[derive(Debug, Clone, Copy)]
pub struct NameImport {
    path: u32,
    module: u32,
    name: u32,
    /// Rust: the segments after the name ([`NO_REST`] when none); for a path whose first
    /// segment may be undeclared, the path as written.
    rest: u32,
    /// Rust: how many of the name and `rest`'s segments a `use` binding wrote.
    bound_segments: u8,
    /// The search order of the importing file.
    pub order: SearchOrder,
    /// The imported name's span.
    pub span: Span,
    /// The first line of the import statement.
    pub statement_line: u32,
    /// Inside a `try` that catches `ImportError`.
    pub guarded: bool,
    /// Production or test.
    pub context: CodeContext,
}

/// One import of a first-party module by a first-party module: an edge of the import graph.
/// Ids are interned module names and paths (see [`ProjectFacts::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportEdge {
    /// The importing module.
    pub from: u32,
    /// The imported module (for `from m import n`: `m.n` when that is a module, else `m`).
    pub to: u32,
    /// The importing file.
    pub path: u32,
    /// The line of the imported item.
    pub line: u32,
    /// Its character column.
    pub column: u32,
    /// [`edge_flags`] bits.
    pub flags: u8,
}

/// A module-level definition of a watched symbol in production code.
#[derive(Debug, Clone)]
pub struct DefinitionSite {
    /// The symbol.
    pub symbol: Box<str>,
    /// Class, function or assignment.
    pub kind: DefinitionKind,
    /// The defining module.
    pub module: String,
    /// The defining file, relative to the root.
    pub path: String,
    /// The name in the defining statement.
    pub span: Span,
}

/// Which symbols' definitions are collected.
pub struct DefinitionFilter {
    registered: HashSet<String>,
    all_public: bool,
}

impl DefinitionFilter {
    /// From the registry: the `[[canonical]]` symbols, and every public class and function
    /// in `all-public` mode or when `all_public` asks for them.
    pub fn new(config: &Config, all_public: bool) -> Self {
        Self {
            registered: config
                .canonical
                .iter()
                .map(|entry| entry.symbol.clone())
                .collect(),
            all_public: all_public || config.duplicates == DuplicateMode::AllPublic,
        }
    }

    fn keeps(&self, name: &str, kind: DefinitionKind) -> bool {
        self.registered.contains(name)
            || (self.all_public && !name.starts_with('_') && kind != DefinitionKind::Assignment)
    }
}

/// What one checked file gives the project, before interning.
#[derive(Debug, Default)]
pub struct FileContribution {
    /// The file's module and what it binds, and the modules written inside it (Rust's
    /// inline `mod x { .. }`).
    modules: Vec<(String, ModuleParts)>,
    /// For a file no search order loads: its module name and the names it defines (only
    /// for the hint of an import that misses one of them).
    shadowed: Option<(String, Vec<Box<str>>)>,
    path: String,
    context: CodeContext,
    order: SearchOrder,
    name_imports: Vec<PendingName>,
    /// Rust paths whose first segment names no crate unless a glob import of the module
    /// they are written in binds it: that module and the segment.
    undeclared_unless_glob: Vec<PendingName>,
    definitions: Vec<DefinitionSite>,
    /// The imported first-party modules, with the line, column and [`edge_flags`].
    edges: Vec<(String, u32, u32, u8)>,
    /// The importing module of `edges`.
    importer: String,
}

/// A name one file's import needs a module to bind, before it is interned.
#[derive(Debug)]
struct PendingName {
    module: String,
    name: Box<str>,
    /// Rust: the segments after the name, and how many of them and the name a `use`
    /// binding wrote (see [`ResolvedImport::bound_segments`]).
    rest: Option<Box<str>>,
    bound_segments: u8,
    span: Span,
    statement_line: u32,
    context: crate::model::ImportContext,
}

/// A module's bindings taken out of its file's facts.
#[derive(Debug, Default)]
struct ModuleParts {
    bindings: ModuleBindings,
    defined: Vec<Box<str>>,
    incomplete: bool,
    is_package: bool,
    /// A Rust module (entries are keyed by its name, not its file's path).
    rust: bool,
}

impl ModuleParts {
    fn new(
        file: &SourceFile,
        bindings: ModuleBindings,
        definitions: &[Definition],
        incomplete: bool,
    ) -> Self {
        Self {
            bindings,
            defined: defined_names(definitions),
            incomplete,
            is_package: file.is_package,
            rust: file.language == crate::model::Language::Rust,
        }
    }
}

/// The names a file defines, sorted and deduplicated (for binary search in the pool).
fn defined_names(definitions: &[Definition]) -> Vec<Box<str>> {
    let mut defined: Vec<Box<str>> = definitions
        .iter()
        .map(|definition| definition.name.clone())
        .collect();
    defined.sort_unstable();
    defined.dedup();
    defined
}

/// The modules a file gives the project: its own, with `bindings` (taken out of `facts`),
/// and those written inside it (Rust's inline modules), with Rust glob sources absolute.
fn modules_of(
    file: &SourceFile,
    mut bindings: ModuleBindings,
    facts: &FileFacts,
    index: &ModuleIndex,
) -> Vec<(String, ModuleParts)> {
    let incomplete = facts.syntax.is_some() || facts.read.is_some();
    if file.language == crate::model::Language::Rust {
        absolute_rust_paths(&mut bindings, file, index);
    }
    let mut modules = vec![(
        file.module.clone(),
        ModuleParts::new(file, bindings, &facts.definitions, incomplete),
    )];
    for inner in &facts.inner_modules {
        let mut bindings = inner.bindings.clone();
        absolute_rust_paths(&mut bindings, file, index);
        modules.push((
            format!("{}::{}", file.module, inner.path),
            ModuleParts::new(file, bindings, &inner.definitions, incomplete),
        ));
    }
    modules
}

/// Rewrites a Rust module's glob sources and `use` targets (`self`, `super::x`,
/// `crate::a`, as the frontend anchors them) as absolute paths; one that cannot be (too
/// many `super`s, an undeclared crate) is kept as written, so lookups through it stay
/// unknown rather than missing.
fn absolute_rust_paths(bindings: &mut ModuleBindings, file: &SourceFile, index: &ModuleIndex) {
    let paths = bindings
        .star_imports
        .iter_mut()
        .map(|(_, source)| source)
        .chain(bindings.targets.iter_mut().map(|(_, target)| target));
    for path in paths {
        if let Some(absolute) = index.rust().absolute_path(path, file) {
            *path = absolute.into();
        }
    }
}

/// The module of `file` that the text at byte `offset` is written in: the innermost of
/// its inline modules around it, else the file's own.
fn enclosing_module(file: &SourceFile, facts: &FileFacts, offset: u32) -> String {
    facts
        .inner_modules
        .iter()
        .filter(|inner| inner.range.0 <= offset && offset < inner.range.1)
        .max_by_key(|inner| inner.range.0)
        .map_or_else(
            || file.module.clone(),
            |inner| format!("{}::{}", file.module, inner.path),
        )
}

/// Takes from one file's facts what the project-wide checks need; `bindings` were moved
/// out of the facts (the file's own checks do not use them).
pub fn contribution(
    file: &SourceFile,
    source: &FileText,
    bindings: ModuleBindings,
    facts: &FileFacts,
    imports: &[ResolvedImport<'_>],
    index: &ModuleIndex,
    filter: &DefinitionFilter,
) -> FileContribution {
    let order = index.order_of(file);
    let mut contribution = FileContribution {
        path: file.relative.clone(),
        context: file.context,
        order,
        ..FileContribution::default()
    };
    // A file no search order loads never answers `from m import N`: of its names only
    // what it defines is kept, to say where a missing name went.
    if index.is_loaded_somewhere(file) {
        contribution.modules = modules_of(file, bindings, facts, index);
    } else if file.importable {
        contribution.shadowed = Some((file.module.clone(), defined_names(&facts.definitions)));
    }
    if index.loads(file) {
        contribution.importer = file.module.clone();
        contribution.edges = imports
            .iter()
            .filter_map(|resolved| import_edge(file, order, resolved, index))
            .collect();
    }
    for resolved in imports {
        let import = resolved.import;
        if let Resolved::UndeclaredCrate(name) = &resolved.resolved {
            if import.context.glob_may_declare {
                contribution.undeclared_unless_glob.push(PendingName {
                    module: enclosing_module(file, facts, import.span.start),
                    name: name.as_str().into(),
                    rest: Some(match import.name.as_deref() {
                        Some(last) => format!("{}::{last}", import.module).into(),
                        None => import.module.clone(),
                    }),
                    bound_segments: 0,
                    span: import.span,
                    statement_line: import.statement.line,
                    context: import.context,
                });
            }
            continue;
        }
        let (Some(name), Resolved::Module(module)) = (resolved.name.as_deref(), &resolved.resolved)
        else {
            continue;
        };
        if !index.is_first_party_in(module, order) || !index.locate(module, order).exists() {
            continue;
        }
        contribution.name_imports.push(PendingName {
            module: module.clone(),
            name: name.into(),
            rest: resolved.rest.clone(),
            bound_segments: resolved.bound_segments,
            span: import.span,
            statement_line: import.statement.line,
            context: import.context,
        });
    }
    if file.context == CodeContext::Production && file.importable {
        // The file's module's definitions, and (Rust) those of the modules written inside
        // it that are no test code.
        let modules = std::iter::once((file.module.clone(), &facts.definitions)).chain(
            facts
                .inner_modules
                .iter()
                .filter(|inner| !inner.test)
                .map(|inner| {
                    (
                        format!("{}::{}", file.module, inner.path),
                        &inner.definitions,
                    )
                }),
        );
        contribution.definitions = modules
            .flat_map(|(module, definitions)| {
                definitions
                    .iter()
                    .filter(|definition| filter.keeps(&definition.name, definition.kind))
                    .map(move |definition| DefinitionSite {
                        symbol: definition.name.clone(),
                        kind: definition.kind,
                        module: module.clone(),
                        path: file.relative.clone(),
                        span: crate::frontend::locate(source.text(), definition.range),
                    })
            })
            .collect();
    }
    contribution
}

/// The graph edge of one import: the first-party module it loads (a submodule named by a
/// `from` import, else the module), with its line and flags. Imports of the file's own module
/// (`from . import name` in a package's `__init__`) are no edges.
fn import_edge(
    file: &SourceFile,
    order: SearchOrder,
    resolved: &ResolvedImport<'_>,
    index: &ModuleIndex,
) -> Option<(String, u32, u32, u8)> {
    let target = edge_target(file, order, resolved, index)?;
    let import = resolved.import;
    let context = import.context;
    let mut flags = 0;
    for (set, flag) in [
        (context.lazy, edge_flags::LAZY),
        (context.type_checking, edge_flags::TYPE_CHECKING),
        (context.guarded, edge_flags::GUARDED),
        (import.kind == ImportKind::Dynamic, edge_flags::DYNAMIC),
        (
            file.context == CodeContext::Test || context.test,
            edge_flags::TEST,
        ),
    ] {
        if set {
            flags |= flag;
        }
    }
    Some((
        target.to_string(),
        import.span.line,
        import.span.column,
        flags,
    ))
}

/// The module an import makes a graph edge to (see [`import_edges`]): the first-party
/// module it loads, a submodule named by a `from` import, else the module; with
/// `[graph] external`, the top-level package of a module outside the tree; `None` for an
/// import that is no edge (outside the tree, a first-party module that does not exist, or
/// the file's own module).
pub fn edge_target<'r>(
    file: &SourceFile,
    order: SearchOrder,
    resolved: &'r ResolvedImport<'_>,
    index: &ModuleIndex,
) -> Option<&'r str> {
    let Resolved::Module(module) = &resolved.resolved else {
        return None;
    };
    // A path through a `use` binding that names nothing below the binding's module: the
    // `use` is the edge.
    if resolved.import.kind == ImportKind::BoundPath && resolved.qualified.is_none() {
        return None;
    }
    if !index.is_first_party_in(module, order) {
        // An outside package is one node, as grimp squashes it.
        return index
            .has_external_nodes()
            .then(|| crate::model::first_segment(module));
    }
    let target = match (&resolved.qualified, &resolved.name) {
        (Some(qualified), Some(_)) if index.is_walked(qualified, order) => qualified,
        _ if index.is_walked(module, order) => module,
        _ => return None,
    };
    (*target != file.module).then_some(target.as_str())
}

/// The graph edges of a file's imports: (imported module, line, column, [`edge_flags`]).
/// A file that is not importable, or that Python never loads under its name (IG022), has
/// none: its imports never run as that module's.
pub fn import_edges(
    file: &SourceFile,
    imports: &[crate::model::Import],
    index: &ModuleIndex,
) -> Vec<(String, u32, u32, u8)> {
    if !index.loads(file) {
        return Vec::new();
    }
    let order = index.order_of(file);
    imports
        .iter()
        .filter_map(|import| {
            let resolved = crate::resolve::resolve_import(import, file, index);
            import_edge(file, order, &resolved, index)
        })
        .collect()
}

impl FileContribution {
    /// The definitions only.
    pub fn into_definitions(self) -> Vec<DefinitionSite> {
        self.definitions
    }
}

/// Whether a module provides a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameLookup {
    /// It does.
    Bound,
    /// It certainly does not.
    Missing,
    /// It cannot be known statically (`__getattr__`, a star import from a module we cannot
    /// see through, a file we could not parse or did not walk).
    Unknown,
}

/// Attributes every module has.
const MODULE_ATTRIBUTES: &[&str] = &[
    "__name__",
    "__file__",
    "__doc__",
    "__spec__",
    "__loader__",
    "__package__",
    "__path__",
    "__builtins__",
    "__cached__",
    "__dict__",
    "__all__",
];

/// Everything project-wide checks look at.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    strings: Interner,
    pool: Vec<u32>,
    /// What each parsed file binds, by its path.
    modules: FxHashMap<u32, ModuleEntry>,
    /// The module names of the parsed packages' `__init__` files.
    packages: rustc_hash::FxHashSet<u32>,
    /// Module -> the files that claim it but no search order loads, with what they define
    /// (sorted ids).
    shadowed: FxHashMap<u32, Vec<(u32, IdRange)>>,
    /// The paths of those files.
    shadowed_paths: rustc_hash::FxHashSet<u32>,
    /// A Rust file's path -> the modules written in it (Rust entries are keyed by module).
    rust_files: FxHashMap<u32, Vec<u32>>,
    name_imports: Vec<NameImport>,
    /// Rust paths that name no crate unless a glob import binds their first segment: the
    /// module they are written in and that segment.
    undeclared_unless_glob: Vec<NameImport>,
    /// Definitions of watched symbols.
    pub definitions: Vec<DefinitionSite>,
    /// Every import of a walked first-party module by an importable file.
    pub edges: Vec<ImportEdge>,
}

impl ProjectFacts {
    /// Adds one file's contribution.
    pub fn add(&mut self, contribution: FileContribution, index: &ModuleIndex) {
        self.add_edges(
            &contribution.importer,
            &contribution.path,
            contribution
                .edges
                .iter()
                .map(|(target, line, column, flags)| (target.as_str(), *line, *column, *flags)),
        );
        for (module, parts) in contribution.modules {
            self.insert_parts(&module, &contribution.path, parts);
        }
        if let Some((module, defined)) = contribution.shadowed {
            self.insert_shadowed(&module, &contribution.path, defined);
        }
        if !contribution.undeclared_unless_glob.is_empty() || !contribution.name_imports.is_empty()
        {
            let path = self.strings.intern(&contribution.path);
            let (order, context) = (contribution.order, contribution.context);
            for pending in contribution.undeclared_unless_glob {
                let record = self.name_import(path, order, context, pending);
                self.undeclared_unless_glob.push(record);
            }
            for pending in contribution.name_imports {
                // Most imported names are bound by a module merged already: certainly found,
                // nothing to keep (the answer cannot change, nothing reports found names).
                if pending.rest.is_none()
                    && self.binds_already(index, &pending.module, &pending.name, contribution.order)
                {
                    continue;
                }
                let record = self.name_import(path, order, context, pending);
                self.name_imports.push(record);
            }
        }
        self.definitions.extend(contribution.definitions);
    }

    /// Whether the file Python loads for `module` is merged, fully known, and binds `name`
    /// in its own statements.
    fn name_import(
        &mut self,
        path: u32,
        order: SearchOrder,
        context: CodeContext,
        pending: PendingName,
    ) -> NameImport {
        NameImport {
            path,
            module: self.strings.intern(&pending.module),
            name: self.strings.intern(&pending.name),
            rest: pending
                .rest
                .as_deref()
                .map_or(NO_REST, |rest| self.strings.intern(rest)),
            bound_segments: pending.bound_segments,
            order,
            span: pending.span,
            statement_line: pending.statement_line,
            guarded: pending.context.guarded,
            context: if pending.context.test {
                CodeContext::Test
            } else {
                context
            },
        }
    }

    fn binds_already(
        &self,
        index: &ModuleIndex,
        module: &str,
        name: &str,
        order: SearchOrder,
    ) -> bool {
        self.entry_for(index, module, order)
            .is_some_and(|entry| !entry.dynamic && !entry.incomplete && self.binds(entry, name))
    }

    /// The parsed file Python loads for `module` in `order`.
    fn entry_for(
        &self,
        index: &ModuleIndex,
        module: &str,
        order: SearchOrder,
    ) -> Option<&ModuleEntry> {
        let key = if order == SearchOrder::RUST || module.contains("::") {
            module
        } else {
            index.file_of(module, order)?
        };
        self.strings
            .find(key)
            .and_then(|key| self.modules.get(&key))
    }

    /// Whether the file at `path` (relative to the root) has been parsed for its names.
    pub fn has_file(&self, path: &str) -> bool {
        self.strings.find(path).is_some_and(|id| {
            self.modules.contains_key(&id)
                || self.shadowed_paths.contains(&id)
                || self.rust_files.contains_key(&id)
        })
    }

    /// Adds a module parsed only for its bindings (explicit paths: the modules the selected
    /// files import from).
    pub fn add_module(&mut self, file: &SourceFile, mut facts: FileFacts, index: &ModuleIndex) {
        if !index.is_loaded_somewhere(file) {
            let defined = defined_names(&facts.definitions);
            self.insert_shadowed(&file.module, &file.relative, defined);
            return;
        }
        let bindings = std::mem::take(&mut facts.bindings);
        for (module, parts) in modules_of(file, bindings, &facts, index) {
            self.insert_parts(&module, &file.relative, parts);
        }
    }

    fn insert_shadowed(&mut self, module: &str, path: &str, defined: Vec<Box<str>>) {
        let module = self.strings.intern(module);
        let path = self.strings.intern(path);
        if !self.shadowed_paths.insert(path) {
            return;
        }
        let defined = self.pool_ids(defined.iter().map(|name| &**name));
        self.shadowed
            .entry(module)
            .or_default()
            .push((path, defined));
    }

    /// The first file (by path) that claims `module` but is never loaded and defines `name`:
    /// where a name went that a consolidation left behind.
    pub fn shadowed_definer(&self, module: &str, name: &str) -> Option<&str> {
        let files = self.shadowed.get(&self.strings.find(module)?)?;
        files
            .iter()
            .filter(|(_, defined)| self.sorted_contains(*defined, name))
            .map(|(path, _)| self.text(*path))
            .min()
    }

    fn insert_parts(&mut self, module: &str, path: &str, mut parts: ModuleParts) {
        // A Rust file can hold several modules (inline ones): Rust modules are keyed by
        // name, which no relative path can be (those end in `.py` or `.rs`).
        let key = if parts.rust { module } else { path };
        let module = self.strings.intern(module);
        let path_id = self.strings.intern(key);
        if parts.rust {
            // A Rust module with modules below it is a package of the graph's views: the
            // modules above this one are.
            let mut above = key;
            while let Some((parent, _)) = crate::model::split_last_segment(above) {
                let id = self.strings.intern(parent);
                self.packages.insert(id);
                above = parent;
            }
            let file = self.strings.intern(path);
            let modules = self.rust_files.entry(file).or_default();
            if !modules.contains(&path_id) {
                modules.push(path_id);
            }
        }
        // One Rust module written in several files (`#[cfg_attr(unix, path = "unix.rs")]`
        // beside `#[cfg_attr(windows, path = "windows.rs")]`): a name any of them binds
        // may be bound.
        if let Some(existing) = self.modules.get(&path_id).filter(|_| parts.rust) {
            let texts = |range: IdRange| -> Vec<Box<str>> {
                self.ids(range)
                    .iter()
                    .map(|&id| Box::from(self.text(id)))
                    .collect()
            };
            parts.bindings.names.extend(texts(existing.names));
            parts.bindings.names.sort_unstable();
            parts.bindings.names.dedup();
            parts.defined.extend(texts(existing.defined));
            parts.defined.sort_unstable();
            parts.defined.dedup();
            let stars: Vec<(u32, Box<str>)> = existing
                .star_imports
                .iter()
                .map(|(level, star)| (*level, Box::from(self.text(*star))))
                .collect();
            parts.bindings.star_imports.extend(stars);
            let targets: Vec<(Box<str>, Box<str>)> = existing
                .targets
                .iter()
                .map(|(name, target)| (Box::from(self.text(*name)), Box::from(self.text(*target))))
                .collect();
            parts.bindings.targets.extend(targets);
            parts.bindings.dynamic |= existing.dynamic;
            parts.incomplete |= existing.incomplete;
        }
        if parts.is_package {
            self.packages.insert(module);
        }
        // The frontend sorts `names`; ids are pooled in that order for binary search.
        let names = self.pool_ids(parts.bindings.names.iter().map(|name| &**name));
        // `defined_names` sorted them: ids are pooled in that order for binary search.
        let defined = self.pool_ids(parts.defined.iter().map(|name| &**name));
        let all = parts
            .bindings
            .all
            .as_ref()
            .map(|all| self.pool_ids(all.iter().map(|name| &**name)));
        let star_imports = parts
            .bindings
            .star_imports
            .iter()
            .map(|(level, star)| (*level, self.strings.intern(star)))
            .collect();
        let targets = parts
            .bindings
            .targets
            .iter()
            .map(|(name, target)| (self.strings.intern(name), self.strings.intern(target)))
            .collect();
        self.modules.insert(
            path_id,
            ModuleEntry {
                names,
                defined,
                all,
                star_imports,
                targets,
                dynamic: parts.bindings.dynamic,
                incomplete: parts.incomplete,
                is_package: parts.is_package,
                module,
            },
        );
    }

    fn pool_ids<'n>(&mut self, names: impl Iterator<Item = &'n str>) -> IdRange {
        let start = self.pool.len() as u32;
        for name in names {
            let id = self.strings.intern(name);
            self.pool.push(id);
        }
        (start, self.pool.len() as u32)
    }

    fn ids(&self, range: IdRange) -> &[u32] {
        &self.pool[range.0 as usize..range.1 as usize]
    }

    /// The imports of one file, `importer` (its module) at `path`: (imported module, line,
    /// column, [`edge_flags`]) each.
    pub fn add_edges<'e>(
        &mut self,
        importer: &str,
        path: &str,
        edges: impl IntoIterator<Item = (&'e str, u32, u32, u8)>,
    ) {
        let mut edges = edges.into_iter().peekable();
        if edges.peek().is_none() {
            return;
        }
        let from = self.strings.intern(importer);
        let path = self.strings.intern(path);
        for (target, line, column, flags) in edges {
            let to = self.strings.intern(target);
            self.edges.push(ImportEdge {
                from,
                to,
                path,
                line,
                column,
                flags,
            });
        }
    }

    /// An import edge as a hop of a reported chain.
    pub fn hop(&self, edge: &ImportEdge) -> crate::diagnostic::Hop {
        crate::diagnostic::Hop {
            from: self.text(edge.from).to_string(),
            to: self.text(edge.to).to_string(),
            path: self.text(edge.path).to_string(),
            line: edge.line,
            column: edge.column,
        }
    }

    /// Whether some parsed file is the module `name` or lies below the package `name`.
    pub fn has_module_or_package(&self, name: &str) -> bool {
        self.modules.values().any(|entry| {
            let module = self.text(entry.module);
            module == name
                || module
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    }

    /// Whether a parsed file of that module name is a package (its `__init__`).
    pub fn is_package(&self, module: &str) -> bool {
        self.strings
            .find(module)
            .is_some_and(|id| self.packages.contains(&id))
    }

    /// The text of an interned id.
    pub fn text(&self, id: u32) -> &str {
        self.strings.get(id)
    }

    /// The `from m import N` imports of existing first-party modules.
    pub fn name_imports(&self) -> &[NameImport] {
        &self.name_imports
    }

    /// Rust paths whose first segment names no crate, each with whether a glob import of
    /// the module they are written in binds it ([`NameLookup::Missing`]: it is undeclared).
    pub fn undeclared_unless_glob(&self, index: &ModuleIndex) -> Vec<(&NameImport, NameLookup)> {
        self.undeclared_unless_glob
            .iter()
            .map(|import| {
                let lookup = self.lookup_name(
                    index,
                    self.module_of(import),
                    self.name_of(import),
                    import.order,
                );
                (import, lookup)
            })
            .collect()
    }

    /// The path as written of a record of [`Self::undeclared_unless_glob`].
    pub fn written_of(&self, import: &NameImport) -> &str {
        if import.rest == NO_REST {
            self.name_of(import)
        } else {
            self.text(import.rest)
        }
    }

    /// The importing file of a name import.
    pub fn path_of(&self, import: &NameImport) -> &str {
        self.text(import.path)
    }

    /// The module a name import imports from.
    pub fn module_of(&self, import: &NameImport) -> &str {
        self.text(import.module)
    }

    /// The imported name.
    pub fn name_of(&self, import: &NameImport) -> &str {
        self.text(import.name)
    }

    /// The star imports of the parsed file at `path`, resolved, for the modules they pull in.
    pub fn star_targets(&self, path: &str) -> Vec<String> {
        let Some(id) = self.strings.find(path) else {
            return Vec::new();
        };
        // A Rust file's modules: their glob sources are absolute already.
        if let Some(modules) = self.rust_files.get(&id) {
            return modules
                .iter()
                .flat_map(|module| self.rust_star_targets(*module))
                .collect();
        }
        let Some(entry) = self.modules.get(&id) else {
            return Vec::new();
        };
        let module = self.text(entry.module);
        entry
            .star_imports
            .iter()
            .filter_map(|(level, star)| {
                match crate::resolve::resolve_relative(
                    module,
                    entry.is_package,
                    *level,
                    self.text(*star),
                ) {
                    Resolved::Module(target) => Some(target),
                    _ => None,
                }
            })
            .collect()
    }

    /// The glob sources of the Rust module with key `module` (absolute module names).
    fn rust_star_targets(&self, module: u32) -> Vec<String> {
        self.modules.get(&module).map_or_else(Vec::new, |entry| {
            entry
                .star_imports
                .iter()
                .map(|(_, star)| self.text(*star).to_string())
                .collect()
        })
    }

    fn sorted_contains(&self, range: IdRange, name: &str) -> bool {
        self.ids(range)
            .binary_search_by(|&id| self.text(id).cmp(name))
            .is_ok()
    }

    fn binds(&self, entry: &ModuleEntry, name: &str) -> bool {
        self.sorted_contains(entry.names, name)
            || entry
                .all
                .is_some_and(|all| self.ids(all).iter().any(|&id| self.text(id) == name))
    }

    fn exports(&self, entry: &ModuleEntry, name: &str) -> bool {
        match entry.all {
            Some(all) => self.ids(all).iter().any(|&id| self.text(id) == name),
            None => !name.starts_with('_') && self.sorted_contains(entry.names, name),
        }
    }

    /// For each of `names`, the parsed modules that define it (not merely import it),
    /// sorted: one pass over every module, only when something is missing.
    pub fn modules_defining(&self, names: &HashSet<&str>) -> HashMap<String, Vec<String>> {
        let mut definers: HashMap<String, Vec<String>> = HashMap::new();
        for entry in self.modules.values() {
            for name in names {
                if self.sorted_contains(entry.defined, name) {
                    definers
                        .entry(name.to_string())
                        .or_default()
                        .push(self.text(entry.module).to_string());
                }
            }
        }
        for modules in definers.values_mut() {
            modules.sort();
            modules.dedup();
        }
        definers
    }

    /// The names of `from m import N` imports that `m` certainly lacks.
    pub fn missing_names(&self, index: &ModuleIndex) -> HashSet<&str> {
        self.name_imports
            .iter()
            .zip(self.name_import_lookups(index))
            .filter(|(_, lookup)| *lookup == NameLookup::Missing)
            .map(|(import, _)| self.missing_at(index, import).1)
            .collect()
    }

    /// The modules the paths of name imports (Rust's, going on after their name) cannot
    /// be followed through because their files were not read: what a run on some files
    /// reads next.
    pub fn modules_paths_need(&self, index: &ModuleIndex) -> Vec<(String, SearchOrder)> {
        let mut needed = Vec::new();
        for import in &self.name_imports {
            if import.rest == NO_REST {
                continue;
            }
            let (answer, module, _) = self.walk(index, import);
            if answer != NameLookup::Unknown {
                continue;
            }
            // Unknown for want of the module's file, or of its globs' sources'.
            match self
                .strings
                .find(&module)
                .filter(|id| self.modules.contains_key(id))
            {
                None => needed.push((module, import.order)),
                Some(id) => needed.extend(
                    self.rust_star_targets(id)
                        .into_iter()
                        .map(|star| (star, import.order)),
                ),
            }
        }
        // A first segment a glob of the path's own module may bind: that glob's sources.
        for import in &self.undeclared_unless_glob {
            needed.extend(
                self.rust_star_targets(import.module)
                    .into_iter()
                    .map(|star| (star, import.order)),
            );
        }
        needed
    }

    /// Where the path of a name import that is missing fails: the module and the name it
    /// lacks (the import's own, or a segment after it).
    pub fn missing_at<'s>(&'s self, index: &ModuleIndex, import: &NameImport) -> (String, &'s str) {
        let (_, module, name) = self.walk(index, import);
        (module, name)
    }

    /// Follows the path of a name import: its name in its module, then each segment after
    /// it in the module the previous one leads to (a module of the tree, a `use` binding
    /// of one, one a glob import brings). It ends well at an item (what follows is the
    /// item's own: variants, associated items) or a macro. Returns the answer with the
    /// module and name it ended at.
    fn walk<'s>(
        &'s self,
        index: &ModuleIndex,
        import: &NameImport,
    ) -> (NameLookup, String, &'s str) {
        let name = self.name_of(import);
        let mut module = self.module_of(import).to_string();
        let rest = (import.rest != NO_REST).then(|| self.text(import.rest));
        let mut segments = std::iter::once(name)
            .chain(rest.into_iter().flat_map(|rest| rest.split("::")))
            .enumerate()
            .peekable();
        while let Some((position, segment)) = segments.next() {
            if segment.ends_with('!') {
                return (NameLookup::Bound, module, segment);
            }
            match self.lookup_name(index, &module, segment, import.order) {
                NameLookup::Bound => {}
                // What the `use` binding wrote is reported at the `use`.
                NameLookup::Missing if position < usize::from(import.bound_segments) => {
                    return (NameLookup::Unknown, module, segment)
                }
                answer => return (answer, module, segment),
            }
            if segments.peek().is_none() {
                return (NameLookup::Bound, module, segment);
            }
            match self.module_behind(index, &module, segment, import.order, &mut HashSet::new()) {
                Some(next) => module = next,
                None => return (NameLookup::Bound, module, segment),
            }
        }
        (NameLookup::Bound, module, name)
    }

    /// The module `module::name` is, when it is one: a module of the tree, a `use`
    /// binding of one (a re-export, followed through further re-exports), or one a glob
    /// import brings. `None` for an item, or what cannot be followed. `visited`: the
    /// modules asked already (re-exports can go in circles: `pub use a::*` in `b`,
    /// `pub use b::*` in `a`).
    fn module_behind(
        &self,
        index: &ModuleIndex,
        module: &str,
        name: &str,
        order: SearchOrder,
        visited: &mut HashSet<String>,
    ) -> Option<String> {
        if !visited.insert(module.to_string()) {
            return None;
        }
        let direct = format!("{module}::{name}");
        if index.locate(&direct, order).exists() {
            return Some(direct);
        }
        let entry = self.entry_for(index, module, order)?;
        if let Some(&(_, target)) = entry
            .targets
            .iter()
            .find(|(bound, _)| self.text(*bound) == name)
        {
            let target = self.text(target);
            if index.locate(target, order).exists() {
                return Some(target.to_string());
            }
            let (parent, last) = crate::model::split_last_segment(target)?;
            return self.module_behind(index, parent, last, order, visited);
        }
        if self.binds(entry, name) {
            return None;
        }
        for &(_, star) in &entry.star_imports {
            let star = self.text(star);
            let brings = index.is_first_party_in(star, order)
                && !visited.contains(star)
                && self.lookup(index, star, name, order, true, &mut HashSet::new())
                    == NameLookup::Bound;
            if brings {
                if let Some(found) = self.module_behind(index, star, name, order, visited) {
                    return Some(found);
                }
            }
        }
        None
    }

    /// What each of [`Self::name_imports`] finds, in their order. The same
    /// `from m import N` recurs across many files: each (module, name, search order) is
    /// looked up once, keyed by interned ids (a tree of 200,000 files has a million name
    /// imports; hashing their texts was a quarter of a warm run).
    pub fn name_import_lookups(&self, index: &ModuleIndex) -> Vec<NameLookup> {
        type Key = (u32, u32, u32, u8, SearchOrder);
        let mut answers: FxHashMap<Key, NameLookup> = FxHashMap::default();
        self.name_imports
            .iter()
            .map(|import| {
                let key = (
                    import.module,
                    import.name,
                    import.rest,
                    import.bound_segments,
                    import.order,
                );
                *answers.entry(key).or_insert_with(|| {
                    if import.rest == NO_REST {
                        self.lookup_name(
                            index,
                            self.module_of(import),
                            self.name_of(import),
                            import.order,
                        )
                    } else {
                        self.walk(index, import).0
                    }
                })
            })
            .collect()
    }

    /// Whether `from module import name` finds `name`: a binding of the module, an `__all__`
    /// entry, a submodule, or a name brought in by a star import of a first-party module.
    /// `order` is the search order of the importing file.
    pub fn lookup_name(
        &self,
        index: &ModuleIndex,
        module: &str,
        name: &str,
        order: SearchOrder,
    ) -> NameLookup {
        // Filled only when a star import is followed: most lookups end at the module's own
        // bindings, and a set per lookup was an allocation per name import.
        let mut visited = HashSet::new();
        self.lookup(index, module, name, order, false, &mut visited)
    }

    fn lookup(
        &self,
        index: &ModuleIndex,
        module: &str,
        name: &str,
        order: SearchOrder,
        through_star: bool,
        visited: &mut HashSet<String>,
    ) -> NameLookup {
        if !through_star && MODULE_ATTRIBUTES.contains(&name) {
            return NameLookup::Bound;
        }
        if order == SearchOrder::RUST {
            if index.rust().exports_macro(module, name) {
                return NameLookup::Bound;
            }
            if index.rust().is_ambiguous(module) {
                return NameLookup::Unknown;
            }
        }
        // The module's own bindings first: most imported names are bound there, and looking
        // for a submodule can mean asking the disk.
        let entry = self.entry_for(index, module, order);
        if entry.is_some_and(|entry| !through_star && self.binds(entry, name)) {
            return NameLookup::Bound;
        }
        let separator = if order == SearchOrder::RUST {
            "::"
        } else {
            "."
        };
        if !through_star
            && index
                .locate(&format!("{module}{separator}{name}"), order)
                .exists()
        {
            return NameLookup::Bound;
        }
        let Some(entry) = entry else {
            // A directory without `__init__.py` binds nothing but its submodules; anything
            // else we did not parse (an excluded file, a stub, an extension) is unknown.
            return if index.is_namespace_package(module, order) {
                NameLookup::Missing
            } else {
                NameLookup::Unknown
            };
        };
        if entry.dynamic || entry.incomplete {
            return NameLookup::Unknown;
        }
        // A Rust glob brings every name (privacy aside); Python's star what it exports.
        let brought = if order == SearchOrder::RUST {
            self.binds(entry, name)
        } else {
            self.exports(entry, name)
        };
        if through_star && brought {
            return NameLookup::Bound;
        }
        let mut unknown = false;
        if visited.is_empty() && !entry.star_imports.is_empty() {
            visited.insert(module.to_string());
        }
        for (level, star) in &entry.star_imports {
            match crate::resolve::resolve_relative(
                module,
                entry.is_package,
                *level,
                self.text(*star),
            ) {
                Resolved::Module(target) if index.is_first_party_in(&target, order) => {
                    if !visited.insert(target.clone()) {
                        continue;
                    }
                    match self.lookup(index, &target, name, order, true, visited) {
                        NameLookup::Bound => return NameLookup::Bound,
                        NameLookup::Unknown => unknown = true,
                        NameLookup::Missing => {}
                    }
                }
                _ => unknown = true,
            }
        }
        if unknown {
            NameLookup::Unknown
        } else {
            NameLookup::Missing
        }
    }

    /// The names `module` gives `from module import *` (`star`: its `__all__`, else its
    /// public names, its star imports' included), or every name it binds (for
    /// `alias.NAME`); `None` when they cannot be known statically: a module not parsed,
    /// with dynamic names or syntax errors, a star import that cannot be followed, or,
    /// for every name, a package (its submodules are attributes too).
    pub fn names_of(
        &self,
        index: &ModuleIndex,
        module: &str,
        order: SearchOrder,
        star: bool,
    ) -> Option<BTreeSet<String>> {
        let mut visited = HashSet::from([module.to_string()]);
        self.collect_names(index, module, order, star, &mut visited)
    }

    fn collect_names(
        &self,
        index: &ModuleIndex,
        module: &str,
        order: SearchOrder,
        star: bool,
        visited: &mut HashSet<String>,
    ) -> Option<BTreeSet<String>> {
        let entry = self.entry_for(index, module, order)?;
        if entry.dynamic || entry.incomplete || (!star && entry.is_package) {
            return None;
        }
        if star {
            if let Some(all) = entry.all {
                return Some(
                    self.ids(all)
                        .iter()
                        .map(|&id| self.text(id).to_string())
                        .collect(),
                );
            }
        }
        let mut names: BTreeSet<String> = self
            .ids(entry.names)
            .iter()
            .map(|&id| self.text(id))
            .filter(|name| !star || !name.starts_with('_'))
            .map(str::to_string)
            .collect();
        if let Some(all) = entry.all.filter(|_| !star) {
            names.extend(self.ids(all).iter().map(|&id| self.text(id).to_string()));
        }
        for (level, target) in &entry.star_imports {
            match crate::resolve::resolve_relative(
                module,
                entry.is_package,
                *level,
                self.text(*target),
            ) {
                Resolved::Module(target) if index.is_first_party_in(&target, order) => {
                    if visited.insert(target.clone()) {
                        names.extend(self.collect_names(index, &target, order, true, visited)?);
                    }
                }
                _ => return None,
            }
        }
        Some(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interner_names_each_string_once_and_gives_it_back() {
        let mut interner = Interner::default();
        // The empty string, repeats, prefixes of one another, and enough strings for the
        // buffer and the table to grow many times.
        let strings: Vec<String> = ["", "a", "ab", "a", "", "a.b.c", "ab"]
            .into_iter()
            .map(String::from)
            .chain((0..50_000).map(|n| format!("pkg{}.mod{}", n % 977, n)))
            .collect();
        let ids: Vec<u32> = strings.iter().map(|text| interner.intern(text)).collect();
        let mut first: HashMap<&str, u32> = HashMap::new();
        for (text, id) in strings.iter().zip(&ids) {
            assert_eq!(
                *first.entry(text).or_insert(*id),
                *id,
                "{text:?} named twice"
            );
            assert_eq!(interner.get(*id), text);
            assert_eq!(interner.find(text), Some(*id));
        }
        assert_eq!(interner.ends.len(), first.len());
        assert_eq!(interner.find("pkg1.mod0"), None);
    }
}
