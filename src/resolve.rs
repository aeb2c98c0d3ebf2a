//! Import -> absolute module. Relative imports are resolved against the importing file's
//! package, exactly as Python does, including the error cases Python raises on; absolute
//! modules are looked up in the [`ModuleIndex`] of the governed tree.

use crate::config::Config;
use crate::model::{Import, SourceFile};
use rustc_hash::FxHashSet;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// The first-party modules of the governed tree: every module file and every package
/// directory (namespace packages included) below the python roots, known from the walk
/// before anything is parsed.
#[derive(Debug, Default)]
pub struct ModuleIndex {
    modules: FxHashSet<String>,
    first_party: FxHashSet<String>,
    /// Last segment -> modules ending in it, for "did you mean" suggestions: built on the
    /// first suggestion, as most runs need none.
    by_last_segment: OnceLock<HashMap<String, Vec<String>>>,
    /// Absolute python roots, for modules the walk does not list (ignored generated code,
    /// compiled extensions, stubs).
    roots: Vec<PathBuf>,
    /// Directory listings read for those lookups.
    listings: Mutex<HashMap<PathBuf, Arc<Vec<String>>>>,
}

impl ModuleIndex {
    /// Indexes the importable files (of the whole tree, not only the selected ones).
    pub fn build(config: &Config, files: &[SourceFile]) -> Self {
        let mut modules = FxHashSet::default();
        let mut found_top_level = FxHashSet::default();
        for file in files.iter().filter(|file| file.importable) {
            let mut prefix = String::with_capacity(file.module.len());
            for (position, segment) in file.module.split('.').enumerate() {
                if position == 0 {
                    if !found_top_level.contains(segment) {
                        found_top_level.insert(segment.to_string());
                    }
                } else {
                    prefix.push('.');
                }
                prefix.push_str(segment);
                // Packages are prefixes of many modules: one allocation each, not one per file.
                if !modules.contains(prefix.as_str()) {
                    modules.insert(prefix.clone());
                }
            }
        }
        let first_party = match &config.first_party {
            Some(names) => names.iter().cloned().collect(),
            None => found_top_level,
        };
        let roots = config
            .python_roots
            .iter()
            .map(|root| config.root.join(root))
            .collect();
        Self {
            modules,
            first_party,
            by_last_segment: OnceLock::new(),
            roots,
            listings: Mutex::new(HashMap::new()),
        }
    }

    /// A fingerprint of what resolution depends on (every module of the tree and the
    /// first-party packages), the same whatever order the files were found in: the import
    /// cache reuses resolved edges only while it is unchanged.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let hash = |tag: u8, text: &str| {
            let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
            tag.hash(&mut hasher);
            text.hash(&mut hasher);
            hasher.finish()
        };
        let modules = self
            .modules
            .iter()
            .fold(0u64, |sum, module| sum.wrapping_add(hash(0, module)));
        let first_party = self
            .first_party
            .iter()
            .fold(0u64, |sum, name| sum.wrapping_add(hash(1, name)));
        modules ^ first_party.rotate_left(1) ^ (self.modules.len() as u64).rotate_left(32)
    }

    /// Whether a dotted module belongs to the repository (its top-level package is
    /// first-party).
    pub fn is_first_party(&self, module: &str) -> bool {
        let top = module.split('.').next().unwrap_or(module);
        self.first_party.contains(top)
    }

    /// Whether the walk found a file or package directory for that module (no disk lookups):
    /// the nodes of the import graph.
    pub fn is_walked(&self, module: &str) -> bool {
        self.modules.contains(module)
    }

    /// Whether a module or package of that name exists: a checked file or directory, or on
    /// disk below a python root a `.py`/`.pyi` file, a directory, or a compiled extension.
    pub fn exists(&self, module: &str) -> bool {
        self.modules.contains(module) || self.exists_on_disk(module)
    }

    fn exists_on_disk(&self, module: &str) -> bool {
        let mut segments: Vec<&str> = module.split('.').collect();
        let Some(stem) = segments.pop() else {
            return false;
        };
        let parent: PathBuf = segments.iter().collect();
        self.roots.iter().any(|root| {
            let listing = self.listing(&root.join(&parent));
            listing.iter().any(|entry| {
                entry == stem
                    || entry.strip_prefix(stem).is_some_and(|rest| {
                        rest == ".py"
                            || rest == ".pyi"
                            // Compiled extensions: `name.so`, `name.cpython-311-x86_64-linux-gnu.so`, `name.pyd`.
                            || (rest.starts_with('.') && (rest.ends_with(".so") || rest.ends_with(".pyd")))
                    })
            })
        })
    }

    /// The entry names of a directory, read once per run (imports of missing modules tend
    /// to repeat).
    fn listing(&self, dir: &std::path::Path) -> Arc<Vec<String>> {
        if let Some(listing) = self
            .listings
            .lock()
            .ok()
            .and_then(|cache| cache.get(dir).cloned())
        {
            return listing;
        }
        let listing: Arc<Vec<String>> = Arc::new(
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|entry| entry.file_name().to_string_lossy().into_owned())
                        .collect()
                })
                .unwrap_or_default(),
        );
        if let Ok(mut cache) = self.listings.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&listing));
        }
        listing
    }

    /// Whether `module` is a directory of the tree that no parsed file stands for: a namespace
    /// package, which binds nothing but its submodules.
    pub fn is_namespace_package(&self, module: &str, is_parsed: impl Fn(&str) -> bool) -> bool {
        self.modules.contains(module) && !is_parsed(module)
    }

    /// Existing modules whose last segment is `module`'s last segment, best first: where a
    /// module that moved probably went.
    pub fn suggestions(&self, module: &str) -> Vec<&str> {
        let last = module.rsplit('.').next().unwrap_or(module);
        let by_last_segment = self.by_last_segment.get_or_init(|| {
            let mut by_last_segment: HashMap<String, Vec<String>> = HashMap::new();
            for module in &self.modules {
                let last = module.rsplit('.').next().unwrap_or(module);
                by_last_segment
                    .entry(last.to_string())
                    .or_default()
                    .push(module.clone());
            }
            for candidates in by_last_segment.values_mut() {
                candidates.sort();
            }
            by_last_segment
        });
        let mut candidates: Vec<&str> = by_last_segment
            .get(last)
            .map(|modules| modules.iter().map(String::as_str).collect())
            .unwrap_or_default();
        candidates.retain(|candidate| *candidate != module);
        candidates.sort_by_cached_key(|candidate| {
            (shared_prefix(candidate, module) == 0, candidate.len())
        });
        candidates.truncate(3);
        candidates
    }
}

/// How many leading segments two dotted names share.
fn shared_prefix(a: &str, b: &str) -> usize {
    a.split('.')
        .zip(b.split('.'))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Where an import points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The absolute dotted module (for `from m import n`: `m`).
    Module(String),
    /// A relative import that climbs above the top-level package
    /// (`ImportError: attempted relative import beyond top-level package`).
    BeyondTopLevel,
    /// A relative import in a file that is not inside a package (a top-level module or a
    /// script): Python raises `ImportError: attempted relative import with no known parent
    /// package`.
    NoParentPackage,
}

/// One import together with the absolute module it resolves to.
pub struct ResolvedImport<'a> {
    /// The import as written.
    pub import: &'a Import,
    /// Where it points.
    pub resolved: Resolved,
    /// The absolute dotted path the import brings in: `a.b` for `import a.b`, `a.b.c` for
    /// `from a.b import c` (a submodule or a name: rules match either the same way). `None`
    /// for relative imports that cannot be resolved. Computed once, matched by every rule.
    pub qualified: Option<String>,
}

impl<'a> ResolvedImport<'a> {
    /// Pairs an import with its resolution.
    pub fn new(import: &'a Import, resolved: Resolved) -> Self {
        let qualified = match &resolved {
            Resolved::Module(module) => Some(match import.name.as_deref() {
                Some(name) if name != "*" => format!("{module}.{name}"),
                _ => module.clone(),
            }),
            _ => None,
        };
        Self {
            import,
            resolved,
            qualified,
        }
    }

    /// The resolved module, if any.
    pub fn module(&self) -> Option<&str> {
        match &self.resolved {
            Resolved::Module(module) => Some(module),
            _ => None,
        }
    }
}

/// Resolves one import of `file`.
pub fn resolve(import: &Import, file: &SourceFile) -> Resolved {
    if import.level == 0 {
        return Resolved::Module(import.module.to_string());
    }
    if !file.importable {
        return Resolved::NoParentPackage;
    }
    resolve_relative(&file.module, file.is_package, import.level, &import.module)
}

/// Resolves `from <level dots><module> import ...` written in the module `importer`
/// (a package's `__init__` when `is_package`).
pub fn resolve_relative(importer: &str, is_package: bool, level: u32, module: &str) -> Resolved {
    if level == 0 {
        return Resolved::Module(module.to_string());
    }
    let mut package: Vec<&str> = importer.split('.').collect();
    if !is_package {
        package.pop();
    }
    if package.is_empty() {
        return Resolved::NoParentPackage;
    }
    let climb = level as usize - 1;
    if climb >= package.len() {
        return Resolved::BeyondTopLevel;
    }
    package.truncate(package.len() - climb);
    let mut resolved = package.join(".");
    if !module.is_empty() {
        resolved.push('.');
        resolved.push_str(module);
    }
    Resolved::Module(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CodeContext, ImportContext, ImportKind, Span};

    fn file(module: &str, is_package: bool) -> SourceFile {
        SourceFile {
            path: "x.py".into(),
            relative: "x.py".into(),
            module: module.into(),
            importable: true,
            is_package,
            service: None,
            context: CodeContext::Production,
        }
    }

    fn relative(level: u32, module: &str) -> Import {
        Import {
            kind: ImportKind::From,
            module: module.into(),
            level,
            name: Some("x".into()),
            alias: None,
            span: Span::FILE_START,
            statement: Span::FILE_START,
            module_range: (0, 0),
            context: ImportContext::default(),
        }
    }

    #[test]
    fn one_dot_is_the_package_of_a_module() {
        let resolved = resolve(&relative(1, "c"), &file("a.b.m", false));
        assert_eq!(resolved, Resolved::Module("a.b.c".into()));
    }

    #[test]
    fn one_dot_in_an_init_is_the_package_itself() {
        let resolved = resolve(&relative(1, ""), &file("a.b", true));
        assert_eq!(resolved, Resolved::Module("a.b".into()));
    }

    #[test]
    fn each_further_dot_climbs_one_package() {
        let resolved = resolve(&relative(3, "z"), &file("a.b.c.m", false));
        assert_eq!(resolved, Resolved::Module("a.z".into()));
    }

    #[test]
    fn climbing_above_the_top_level_package_is_an_error() {
        assert_eq!(
            resolve(&relative(3, "z"), &file("a.b.m", false)),
            Resolved::BeyondTopLevel
        );
    }

    #[test]
    fn a_top_level_module_has_no_parent_package() {
        assert_eq!(
            resolve(&relative(1, "z"), &file("m", false)),
            Resolved::NoParentPackage
        );
    }
}
