//! The facts of the whole tree that project-wide checks need, gathered from each file's
//! facts after the parallel pass: what every module binds, the `from m import N` imports of
//! first-party modules, and the definitions of watched symbols. Kept compact, because it
//! lives for the whole run.

use crate::config::{Config, DuplicateMode};
use crate::model::{
    CodeContext, DefinitionKind, FileFacts, ImportKind, ModuleBindings, SourceFile, Span,
};
use crate::resolve::{ModuleIndex, Resolved, ResolvedImport};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// What one module binds, compactly.
#[derive(Debug, Clone, Default)]
pub struct ModuleEntry {
    /// Bound names, sorted and concatenated; `name_ends[i]` is where name `i` ends.
    names: Box<str>,
    name_ends: Box<[u32]>,
    /// Names the module itself defines (class, def, assignment), joined by `\n`.
    defined: Box<str>,
    /// `__all__` entries joined by `\n`, if statically known.
    all: Option<Box<str>>,
    /// Star imports as written: (level, module).
    pub star_imports: Vec<(u32, Box<str>)>,
    /// Names decided at run time.
    pub dynamic: bool,
    /// The file had syntax errors or could not be read: its names may be incomplete.
    pub incomplete: bool,
    /// A package's `__init__` (relative star imports start at the package itself).
    pub is_package: bool,
}

impl ModuleEntry {
    /// The entry of a parsed file.
    pub fn from_facts(file: &SourceFile, facts: &FileFacts) -> Self {
        let mut defined: Vec<&str> = facts
            .definitions
            .iter()
            .map(|definition| &*definition.name)
            .collect();
        defined.sort_unstable();
        defined.dedup();
        Self::new(
            &facts.bindings,
            defined.join("\n").into(),
            facts.syntax.is_some() || facts.read.is_some(),
            file.is_package,
        )
    }

    fn new(
        bindings: &ModuleBindings,
        defined: Box<str>,
        incomplete: bool,
        is_package: bool,
    ) -> Self {
        // `bindings.names` is sorted and deduplicated by the frontend.
        let mut ends = Vec::with_capacity(bindings.names.len());
        let mut end = 0u32;
        for name in &bindings.names {
            end += name.len() as u32;
            ends.push(end);
        }
        Self {
            names: bindings.names.concat().into(),
            name_ends: ends.into(),
            defined,
            all: bindings.all.as_ref().map(|all| all.join("\n").into()),
            star_imports: bindings.star_imports.clone(),
            dynamic: bindings.dynamic,
            incomplete,
            is_package,
        }
    }

    /// The `index`-th bound name.
    fn name_at(&self, index: usize) -> &str {
        let start = if index == 0 {
            0
        } else {
            self.name_ends[index - 1] as usize
        };
        &self.names[start..self.name_ends[index] as usize]
    }

    /// Whether the module binds `name` in its own statements (binary search).
    fn binds_directly(&self, name: &str) -> bool {
        let (mut low, mut high) = (0, self.name_ends.len());
        while low < high {
            let middle = (low + high) / 2;
            match self.name_at(middle).cmp(name) {
                std::cmp::Ordering::Less => low = middle + 1,
                std::cmp::Ordering::Greater => high = middle,
                std::cmp::Ordering::Equal => return true,
            }
        }
        false
    }

    /// Whether the module binds `name` itself (a definition, assignment, import alias or
    /// `__all__` entry).
    pub fn binds(&self, name: &str) -> bool {
        self.binds_directly(name)
            || self
                .all
                .as_ref()
                .is_some_and(|all| all.split('\n').any(|entry| entry == name))
    }

    /// Whether the module itself defines `name` (not merely imports it).
    pub fn defines(&self, name: &str) -> bool {
        self.defined.split('\n').any(|defined| defined == name)
    }

    /// What `from module import *` brings in: `__all__` when there is one, else every bound
    /// name not starting with `_`.
    pub fn exports(&self, name: &str) -> bool {
        match &self.all {
            Some(all) => all.split('\n').any(|entry| entry == name),
            None => !name.starts_with('_') && self.binds_directly(name),
        }
    }
}

/// A `from m import N` of a first-party module `m` that exists, to be checked against what
/// `m` binds once every module is known.
#[derive(Debug, Clone)]
pub struct NameImport {
    /// The importing file, relative to the root (shared by the file's imports).
    pub path: Arc<str>,
    /// Production or test.
    pub context: CodeContext,
    /// The absolute module imported from.
    pub module: String,
    /// The imported name.
    pub name: Box<str>,
    /// The imported name's span.
    pub span: Span,
    /// The first line of the import statement.
    pub statement_line: u32,
    /// Inside a `try` that catches `ImportError`.
    pub guarded: bool,
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

/// Everything project-wide checks look at.
#[derive(Debug, Default)]
pub struct ProjectFacts {
    /// Module -> what it binds (importable files only).
    pub modules: HashMap<String, ModuleEntry>,
    /// `from m import N` of existing first-party modules.
    pub name_imports: Vec<NameImport>,
    /// Definitions of watched symbols.
    pub definitions: Vec<DefinitionSite>,
}

/// Which symbols' definitions are collected.
pub struct DefinitionFilter {
    registered: HashSet<String>,
    all_public: bool,
}

impl DefinitionFilter {
    /// From the registry: the `[[canonical]]` symbols, or every public class and function
    /// in `all-public` mode.
    pub fn new(config: &Config) -> Self {
        Self {
            registered: config
                .canonical
                .iter()
                .map(|entry| entry.symbol.clone())
                .collect(),
            all_public: config.duplicates == DuplicateMode::AllPublic,
        }
    }

    fn keeps(&self, name: &str, kind: DefinitionKind) -> bool {
        self.registered.contains(name)
            || (self.all_public && !name.starts_with('_') && kind != DefinitionKind::Assignment)
    }
}

/// One file's contribution to the project facts.
#[derive(Debug, Default)]
pub struct FileContribution {
    module: Option<(String, ModuleEntry)>,
    name_imports: Vec<NameImport>,
    definitions: Vec<DefinitionSite>,
}

/// Takes from one file's facts what the project-wide checks need.
pub fn contribution(
    file: &SourceFile,
    facts: &FileFacts,
    imports: &[ResolvedImport<'_>],
    index: &ModuleIndex,
    filter: &DefinitionFilter,
) -> FileContribution {
    let mut contribution = FileContribution::default();
    let path: Arc<str> = file.relative.as_str().into();
    if file.importable {
        contribution.module = Some((file.module.clone(), ModuleEntry::from_facts(file, facts)));
    }
    for resolved in imports {
        let import = resolved.import;
        let (ImportKind::From, Some(name), Resolved::Module(module)) =
            (import.kind, import.name.as_deref(), &resolved.resolved)
        else {
            continue;
        };
        if name == "*" || !index.is_first_party(module) || !index.exists(module) {
            continue;
        }
        contribution.name_imports.push(NameImport {
            path: Arc::clone(&path),
            context: file.context,
            module: module.clone(),
            name: name.into(),
            span: import.span,
            statement_line: import.statement.line,
            guarded: import.context.guarded,
        });
    }
    if file.context == CodeContext::Production && file.importable {
        contribution.definitions = facts
            .definitions
            .iter()
            .filter(|definition| filter.keeps(&definition.name, definition.kind))
            .map(|definition| DefinitionSite {
                symbol: definition.name.clone(),
                kind: definition.kind,
                module: file.module.clone(),
                path: file.relative.clone(),
                span: definition.span,
            })
            .collect();
    }
    contribution
}

impl FileContribution {
    /// The definitions only.
    pub fn into_definitions(self) -> Vec<DefinitionSite> {
        self.definitions
    }
}

impl ProjectFacts {
    /// Adds one file's contribution.
    pub fn add(&mut self, contribution: FileContribution) {
        if let Some((module, entry)) = contribution.module {
            self.modules.insert(module, entry);
        }
        self.name_imports.extend(contribution.name_imports);
        self.definitions.extend(contribution.definitions);
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

impl ProjectFacts {
    /// The names of `from m import N` imports that `m` certainly lacks.
    pub fn missing_names(&self, index: &ModuleIndex) -> HashSet<&str> {
        self.name_imports
            .iter()
            .filter(|import| {
                self.lookup_name(index, &import.module, &import.name) == NameLookup::Missing
            })
            .map(|import| &*import.name)
            .collect()
    }

    /// Whether `from module import name` finds `name`: a binding of the module, an `__all__`
    /// entry, a submodule, or a name brought in by a star import of a first-party module.
    pub fn lookup_name(&self, index: &ModuleIndex, module: &str, name: &str) -> NameLookup {
        let mut visited = HashSet::from([module.to_string()]);
        self.lookup(index, module, name, false, &mut visited)
    }

    fn lookup(
        &self,
        index: &ModuleIndex,
        module: &str,
        name: &str,
        through_star: bool,
        visited: &mut HashSet<String>,
    ) -> NameLookup {
        if !through_star && MODULE_ATTRIBUTES.contains(&name) {
            return NameLookup::Bound;
        }
        // The module's own bindings first: most imported names are bound there, and looking
        // for a submodule can mean asking the disk.
        let entry = self.modules.get(module);
        if entry.is_some_and(|entry| !through_star && entry.binds(name)) {
            return NameLookup::Bound;
        }
        if !through_star && index.exists(&format!("{module}.{name}")) {
            return NameLookup::Bound;
        }
        let Some(entry) = entry else {
            // A directory without `__init__.py` binds nothing but its submodules; anything
            // else we did not parse (an excluded file, a stub, an extension) is unknown.
            return if index.is_namespace_package(module, &self.modules) {
                NameLookup::Missing
            } else {
                NameLookup::Unknown
            };
        };
        if entry.dynamic || entry.incomplete {
            return NameLookup::Unknown;
        }
        let found = if through_star {
            entry.exports(name)
        } else {
            entry.binds(name)
        };
        if found {
            return NameLookup::Bound;
        }
        let mut unknown = false;
        for (level, star) in &entry.star_imports {
            match crate::resolve::resolve_relative(module, entry.is_package, *level, star) {
                Resolved::Module(target) if index.is_first_party(&target) => {
                    if !visited.insert(target.clone()) {
                        continue;
                    }
                    match self.lookup(index, &target, name, true, visited) {
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
}
