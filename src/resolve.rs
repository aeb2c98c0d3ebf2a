//! Import -> absolute module -> the file Python loads for it.
//!
//! Relative imports are resolved against the importing file's package, exactly as Python
//! does, including the error cases Python raises on. Absolute modules are then found the way
//! CPython's path-based finder finds them (`importlib.machinery.PathFinder`): one segment at
//! a time, each python root in `python-roots` order (`sys.path` order) for a top-level name
//! and the parent package's directories below it; in one directory a regular package
//! (`x/__init__.py`) wins over a compiled extension (`x.*.so`), which wins over a module
//! (`x.py`); a directory without `__init__` is a namespace package portion only when no
//! directory of the search path has a package or module of that name.

mod rust;
pub use rust::RustModules;

use crate::config::{pattern::is_identifier, Config};
use crate::model::{Import, SourceFile};
use crate::stamp::Stamp;
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

/// What one path of the tree (without suffix, `/`-separated, relative to the governed root)
/// is, as bits: `x` can be a package, a module and a directory at once (`x/__init__.py`
/// beside `x.py`), and the finder's order decides which one Python loads.
mod entry_kind {
    /// `x/__init__.py` (or a compiled `x/__init__.*.so`).
    pub const PACKAGE: u8 = 1;
    /// `x.py`.
    pub const MODULE: u8 = 2;
    /// `x.*.so` / `x.*.pyd`.
    pub const EXTENSION: u8 = 4;
    /// The directory `x/`.
    pub const DIRECTORY: u8 = 8;
    /// `x.pyi`: a stub, which Python never imports but type checkers and build steps pair
    /// with an extension built later; counted as existing, with unknown names.
    pub const STUB: u8 = 16;
    /// The package's `__init__` is compiled (`x/__init__.*.so`).
    pub const COMPILED_INIT: u8 = 32;
}

/// Which python roots a lookup searches, and in which order: an index into the index's
/// search orders. [`SearchOrder::DEFAULT`] is `python-roots` as written; a service whose
/// own roots hold only its code searches them first, as its own `sys.path` would.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SearchOrder(pub u16);

impl SearchOrder {
    /// `python-roots` as written.
    pub const DEFAULT: SearchOrder = SearchOrder(0);
    /// Rust files: modules are the crates' module trees (see [`RustModules`]).
    pub const RUST: SearchOrder = SearchOrder(u16::MAX);
}

/// What Python loads for a dotted module name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Located {
    /// A checked source file: a module `x.py`, or a regular package's `x/__init__.py`
    /// ([`ModuleIndex::path`] names it).
    File(FileId),
    /// A namespace package: directories without `__init__`, which bind nothing but their
    /// submodules.
    Namespace,
    /// Something the walk did not check: a compiled extension, a stub, an excluded or
    /// ignored file. It exists; what it binds is unknown.
    Unchecked,
    /// Nothing: `ModuleNotFoundError`.
    Missing,
}

/// A checked file of the index (its position among the files it was built from).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FileId(u32);

impl Located {
    /// Whether the import of the module succeeds in finding something.
    pub fn exists(self) -> bool {
        !matches!(self, Located::Missing)
    }
}

/// A path of the tree without suffix: what is there ([`entry_kind`] bits), and the checked
/// files `x.py` and `x/__init__.py` when the walk found them.
#[derive(Clone, Copy, Debug)]
struct Entry {
    kind: u8,
    module: Option<FileId>,
    init: Option<FileId>,
}

/// One step of finding a module: what a name is in the current search path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Found {
    /// A regular package: its directory (the next search path) and its `__init__`.
    Package { directory: String, init: Located },
    /// A module or extension: it has no submodules.
    Module(Located, String),
    /// A namespace package: its portions, in search order.
    Namespace(Vec<String>),
    /// Nothing.
    Missing,
}

/// Why a checked file is never what Python loads under its module name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shadowing {
    /// Another path is what Python loads for the file's module name or a package above it
    /// (`winner`: the file or directory that wins, relative to the governed root).
    By {
        /// The module name (the file's own, or the package above it) that resolves elsewhere.
        module: String,
        /// What Python loads for it instead.
        winner: String,
        /// Whether the winner comes from an earlier python root (else: the same directory).
        earlier_root: bool,
    },
    /// A package above the file is a module (`x.py` beside the directory `x/` without
    /// `__init__`): nothing below it can be imported.
    NotAPackage {
        /// The module that is not a package.
        module: String,
        /// Its file.
        winner: String,
    },
    /// Rust: a file of a package that no `mod` declaration of its crates reaches: rustc
    /// never compiles it.
    NotCompiled {
        /// The package.
        package: String,
    },
}

/// One module name that files of different services claim (every service has its own top-level `tests`
/// package, say): which file each service's search order finds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Collision {
    /// (service, what it loads), sorted by service.
    pub claims: Vec<(String, String)>,
}

/// The first-party modules of the governed tree and how CPython finds them: every checked
/// file, package directory and compiled extension below the python roots, known from the
/// walk before anything is parsed, with the disk consulted for what the walk does not list.
#[derive(Debug)]
pub struct ModuleIndex<'f> {
    /// Path without suffix -> what is there, from the walk (the keys are slices of the
    /// files' own paths: the index allocates no path).
    entries: FxHashMap<&'f str, Entry>,
    /// The checked files, by [`FileId`].
    files: &'f [SourceFile],
    /// Path without suffix -> the compiled extension's file, for messages.
    extension_files: FxHashMap<&'f str, &'f str>,
    /// First-party top-level names, each with why.
    first_party: FxHashMap<String, FirstParty>,
    /// First-party names listed in the registry (no path makes them so).
    first_party_explicit: bool,
    /// Python roots relative to the governed root (`""`: the root itself), in order.
    roots: Vec<String>,
    /// Root indices in search order; `orders[0]` is `python-roots` as written.
    orders: Vec<Vec<u16>>,
    /// The search order of each service that has roots of its own.
    service_orders: FxHashMap<String, SearchOrder>,
    /// The service that owns each root (all of the service-owned files below it are its).
    root_owners: Vec<Option<String>>,
    /// Top-level names present in more than one root: only their lookups depend on the order.
    multi_root_names: FxHashSet<&'f str>,
    /// Every module of an importable checked file and its packages -> what Python loads for
    /// it in the default order.
    located: FxHashMap<&'f str, Located>,
    /// `[graph] external`: imports of modules outside the tree are graph edges to their
    /// top-level package.
    external_nodes: bool,
    /// Where a service's search order (index = order) finds another answer than the
    /// default one, for the modules of `located`.
    located_by_order: Vec<FxHashMap<&'f str, Located>>,
    /// Last segment -> modules ending in it, for "did you mean" suggestions: built on the
    /// first suggestion, as most runs need none.
    by_last_segment: OnceLock<HashMap<String, Vec<String>>>,
    /// Absolute governed root, for what the walk does not list.
    root: PathBuf,
    /// Directory listings read for those lookups: (name, is a directory).
    listings: Mutex<HashMap<PathBuf, Listing>>,
    /// What those listings depended on (see [`Self::disk_reads`]).
    disk_reads: Mutex<DiskReads>,
    /// What [`Self::find`] answered for modules of no checked file, by search order: the
    /// same missing and third-party imports recur in every file, and each answer walks every
    /// root (with many roots that walk was a quarter of a warm run). SipHash: the names come
    /// from the files' text.
    found: RwLock<HashMap<SearchOrder, HashMap<Box<str>, Located>>>,
    /// The Rust crates and modules of the tree.
    rust: &'f RustModules,
}

/// What a directory holds on disk: [`entry_kind`] bits by name (before the first `.`).
type Listing = Arc<FxHashMap<Box<str>, u8>>;

/// The directories the lookups on disk listed, and every directory between each and the
/// governed root, each with the stamp it had before it was read (`None`: it did not exist).
#[derive(Debug, Default)]
struct DiskReads {
    stamps: FxHashMap<PathBuf, Option<Stamp>>,
    /// A listing followed a symlink, or a directory on the way was one: what the lookups
    /// found then depends on more than these directories' entries.
    beyond_stamps: bool,
}

/// Why a top-level name is first-party.
#[derive(Debug, Default)]
struct FirstParty {
    /// The first path that makes it so (`tests/sphinx/`, `tool.py`); empty when the
    /// registry lists it.
    path: String,
    /// Every checked file of that name is test code.
    only_tests: bool,
}

impl<'f> ModuleIndex<'f> {
    /// Indexes the checked files (of the whole tree, not only the selected ones) and the
    /// compiled extensions the walk found.
    pub fn build(
        config: &Config,
        files: &'f [SourceFile],
        extensions: &'f [String],
        rust: &'f RustModules,
    ) -> Self {
        let mut entries: FxHashMap<&'f str, Entry> = FxHashMap::default();
        let mut mark = |path: &'f str, kind: u8, file: Option<FileId>| {
            let entry = entries.entry(path).or_insert(Entry {
                kind: 0,
                module: None,
                init: None,
            });
            entry.kind |= kind;
            if kind & entry_kind::MODULE != 0 {
                entry.module = entry.module.or(file);
            } else if kind & entry_kind::PACKAGE != 0 && kind & entry_kind::COMPILED_INIT == 0 {
                entry.init = entry.init.or(file);
            }
        };
        for (position, file) in files.iter().enumerate() {
            let id = Some(FileId(position as u32));
            let stem = file.relative.strip_suffix(".py").unwrap_or(&file.relative);
            match stem.strip_suffix("/__init__") {
                Some(package) => mark(package, entry_kind::PACKAGE, id),
                None if stem == "__init__" => {}
                None => mark(stem, entry_kind::MODULE, id),
            }
            for (slash, _) in stem.match_indices('/') {
                mark(&stem[..slash], entry_kind::DIRECTORY, None);
            }
        }
        let mut extension_files = FxHashMap::default();
        for extension in extensions {
            let (directory, name) = match extension.rsplit_once('/') {
                Some((directory, name)) => (Some(directory), name),
                None => (None, extension.as_str()),
            };
            let Some((stem, _)) = name.split_once('.') else {
                continue;
            };
            // `dir/stem`, a slice of the extension's own path.
            let path = &extension[..extension.len() - name.len() + stem.len()];
            if stem == "__init__" {
                if let Some(directory) = directory {
                    mark(
                        directory,
                        entry_kind::PACKAGE | entry_kind::COMPILED_INIT,
                        None,
                    );
                }
            } else {
                mark(path, entry_kind::EXTENSION, None);
                // CPython tries its suffixes in order; the first file listed stands for them.
                extension_files.entry(path).or_insert(extension.as_str());
            }
        }

        let mut modules: FxHashSet<&'f str> = FxHashSet::default();
        let mut found_top_level: FxHashMap<String, FirstParty> = FxHashMap::default();
        let mut roots_of_top: FxHashMap<&str, FxHashSet<u16>> = FxHashMap::default();
        for file in files.iter().filter(|file| file.importable) {
            let mut end = 0;
            for (position, segment) in file.module.split('.').enumerate() {
                if position == 0 {
                    let is_test = file.context == crate::model::CodeContext::Test;
                    match found_top_level.get_mut(segment) {
                        Some(first_party) => first_party.only_tests &= is_test,
                        None => {
                            found_top_level.insert(
                                segment.to_string(),
                                FirstParty {
                                    path: top_level_path(config, file),
                                    only_tests: is_test,
                                },
                            );
                        }
                    }
                } else {
                    end += 1;
                }
                end += segment.len();
                // A package is a prefix of its modules' names: a slice, no allocation.
                modules.insert(&file.module[..end]);
            }
            if let Some(root) = file.root {
                let top = file.module.split('.').next().unwrap_or(&file.module);
                roots_of_top.entry(top).or_default().insert(root);
            }
        }
        let multi_root_names = roots_of_top
            .into_iter()
            .filter(|(_, roots)| roots.len() > 1)
            .map(|(top, _)| top)
            .collect();
        let (first_party, first_party_explicit) = match &config.first_party {
            Some(names) => (
                names
                    .iter()
                    .map(|name| (name.clone(), FirstParty::default()))
                    .collect(),
                true,
            ),
            None => (found_top_level, false),
        };
        let root_owners = root_owners(config.python_roots.len(), files);
        let mut orders = vec![(0..config.python_roots.len() as u16).collect::<Vec<_>>()];
        let mut service_orders = FxHashMap::default();
        let mut owners: Vec<&String> = root_owners.iter().flatten().collect();
        owners.sort();
        owners.dedup();
        for service in owners {
            let (own, rest): (Vec<u16>, Vec<u16>) = (0..config.python_roots.len() as u16)
                .partition(|&root| root_owners[root as usize].as_ref() == Some(service));
            service_orders.insert(service.clone(), SearchOrder(orders.len() as u16));
            orders.push(own.into_iter().chain(rest).collect());
        }
        let mut index = Self {
            entries,
            files,
            extension_files,
            first_party,
            first_party_explicit,
            roots: config.python_roots.clone(),
            orders,
            service_orders,
            root_owners,
            multi_root_names,
            located: FxHashMap::default(),
            located_by_order: Vec::new(),
            by_last_segment: OnceLock::new(),
            root: config.root.clone(),
            listings: Mutex::new(HashMap::new()),
            disk_reads: Mutex::default(),
            found: RwLock::new(HashMap::new()),
            external_nodes: config.graph_external,
            rust,
        };
        // Parents before children, so that each module is one step from its package.
        let mut with_depth: Vec<(usize, &'f str)> = modules
            .into_iter()
            .map(|module| (memchr::memchr_iter(b'.', module.as_bytes()).count(), module))
            .collect();
        with_depth.sort_unstable();
        let by_depth: Vec<&'f str> = with_depth.into_iter().map(|(_, module)| module).collect();
        index.located = index.locate_all(&by_depth, SearchOrder::DEFAULT);
        let in_several_roots: Vec<&'f str> = by_depth
            .iter()
            .copied()
            .filter(|module| {
                let top = module.split('.').next().unwrap_or(module);
                index.multi_root_names.contains(top)
            })
            .collect();
        index.located_by_order = (0..index.orders.len())
            .map(|order| {
                if order == 0 || in_several_roots.is_empty() {
                    return FxHashMap::default();
                }
                index
                    .locate_all(&in_several_roots, SearchOrder(order as u16))
                    .into_iter()
                    .filter(|(module, located)| index.located.get(module) != Some(located))
                    .collect()
            })
            .collect();
        index
    }

    /// A fingerprint of what resolution depends on (every path of the tree with what it is,
    /// the search orders and the first-party packages), the same whatever order the files
    /// were found in: the import cache reuses resolved edges only while it is unchanged.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let hash = |tag: u8, text: &str, extra: u64| {
            let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
            tag.hash(&mut hasher);
            text.hash(&mut hasher);
            extra.hash(&mut hasher);
            hasher.finish()
        };
        let entries = self.entries.iter().fold(0u64, |sum, (path, entry)| {
            sum.wrapping_add(hash(0, path, u64::from(entry.kind)))
        });
        let first_party = self
            .first_party
            .keys()
            .fold(0u64, |sum, name| sum.wrapping_add(hash(1, name, 0)));
        let orders = self
            .orders
            .iter()
            .enumerate()
            .fold(0u64, |sum, (n, order)| {
                let roots: Vec<&str> = order
                    .iter()
                    .map(|&root| self.roots[root as usize].as_str())
                    .collect();
                sum.wrapping_add(hash(2, &roots.join("\n"), n as u64))
            });
        let services = self
            .service_orders
            .iter()
            .fold(0u64, |sum, (service, order)| {
                sum.wrapping_add(hash(3, service, u64::from(order.0)))
            });
        let external = if self.external_nodes {
            0x9e37_79b9_7f4a_7c15
        } else {
            0
        };
        entries
            ^ external
            ^ first_party.rotate_left(1)
            ^ orders.rotate_left(2)
            ^ services.rotate_left(3)
            ^ self.rust.fingerprint().rotate_left(4)
            ^ (self.entries.len() as u64).rotate_left(32)
    }

    /// Whether imports of modules outside the tree are graph edges (to their top-level
    /// package), as `[graph] external` asks.
    pub fn has_external_nodes(&self) -> bool {
        self.external_nodes
    }

    /// Whether a dotted module belongs to the repository (its top-level package is
    /// first-party).
    pub fn is_first_party(&self, module: &str) -> bool {
        if module.contains("::") {
            return self.rust.is_first_party(module);
        }
        let top = module.split('.').next().unwrap_or(module);
        self.first_party.contains_key(top)
    }

    /// [`Self::is_first_party`] for an import of a file searching in `order`: a Rust
    /// file's one-segment names are crates (`use crate::X` is in the crate root), not
    /// Python packages.
    pub fn is_first_party_in(&self, module: &str, order: SearchOrder) -> bool {
        if order == SearchOrder::RUST {
            self.rust.is_first_party(module)
        } else {
            self.is_first_party(module)
        }
    }

    /// Why `module`'s top-level name counts as first-party, when that can surprise: the
    /// only files that make it so are test files, or it is a namespace directory (a
    /// `tests/sphinx/` under a python root makes `import sphinx.domains` first-party).
    pub fn first_party_surprise(&self, module: &str) -> Option<String> {
        if self.first_party_explicit {
            return None;
        }
        let top = module.split('.').next().unwrap_or(module);
        let first_party = self.first_party.get(top)?;
        let namespace = matches!(self.located.get(top), Some(Located::Namespace));
        (namespace || first_party.only_tests)
            .then(|| format!("`{top}` is first-party because of `{}`", first_party.path))
    }

    /// The search order of a file's imports: its service's (or, for a file of no service,
    /// that of the service that owns its python root) when that service has roots of its
    /// own, else `python-roots` as written.
    pub fn order_of(&self, file: &SourceFile) -> SearchOrder {
        if file.language == crate::model::Language::Rust {
            return SearchOrder::RUST;
        }
        file.service
            .as_ref()
            .or_else(|| {
                file.root
                    .and_then(|root| self.root_owners.get(root as usize))
                    .and_then(Option::as_ref)
            })
            .and_then(|service| self.service_orders.get(service))
            .copied()
            .unwrap_or(SearchOrder::DEFAULT)
    }

    /// What Python loads for `module` with the roots searched in `order`.
    pub fn locate(&self, module: &str, order: SearchOrder) -> Located {
        if order == SearchOrder::RUST || module.contains("::") {
            return self.rust.locate(module);
        }
        if let Some(located) = self.known(module, order) {
            return located;
        }
        let remembered = self.found.read().ok().and_then(|found| {
            found
                .get(&order)
                .and_then(|modules| modules.get(module))
                .copied()
        });
        if let Some(located) = remembered {
            return located;
        }
        let located = self.find(module, order);
        if let Ok(mut found) = self.found.write() {
            found
                .entry(order)
                .or_default()
                .insert(module.into(), located);
        }
        located
    }

    /// What Python loads for a module of a checked file (no disk lookups); `None` for any
    /// other name.
    fn known(&self, module: &str, order: SearchOrder) -> Option<Located> {
        if order == SearchOrder::RUST || module.contains("::") {
            return Some(self.rust.locate(module)).filter(|located| located.exists());
        }
        if order != SearchOrder::DEFAULT {
            if let Some(&located) = self
                .located_by_order
                .get(order.0 as usize)
                .filter(|differences| !differences.is_empty())
                .and_then(|differences| differences.get(module))
            {
                return Some(located);
            }
        }
        self.located.get(module).copied()
    }

    /// The path of a checked file, relative to the governed root.
    pub fn path(&self, file: FileId) -> &str {
        &self.files[file.0 as usize].relative
    }

    /// The checked file Python loads for `module`, if it is one.
    pub fn file_of(&self, module: &str, order: SearchOrder) -> Option<&str> {
        match self.locate(module, order) {
            Located::File(file) => Some(self.path(file)),
            _ => None,
        }
    }

    /// Whether some module or package of a checked file matches `matches` (for registry
    /// patterns with wildcards).
    pub fn any_module(&self, matches: impl Fn(&str) -> bool) -> bool {
        self.modules().any(matches)
    }

    /// Every module and package of the tree (of checked files, or package directories), in
    /// no particular order: grimp's `modules`.
    pub fn modules(&self) -> impl Iterator<Item = &'f str> + '_ {
        self.located.keys().copied().chain(self.rust.modules())
    }

    /// Every module and package matched whole by `pattern`, sorted (the `within` of a
    /// sibling-cycle rule may use wildcards).
    pub fn matching_whole(&self, pattern: &crate::config::ModulePattern) -> Vec<&'f str> {
        let mut matched: Vec<&'f str> = self
            .modules()
            .filter(|module| pattern.matches_whole(module))
            .collect();
        matched.sort_unstable();
        matched
    }

    /// Whether a module or package of that name exists (in the default order).
    pub fn exists(&self, module: &str) -> bool {
        self.locate(module, SearchOrder::DEFAULT).exists()
    }

    /// Whether `module` is a checked file or a package directory of the tree (no disk
    /// lookups): the nodes of the import graph.
    pub fn is_walked(&self, module: &str, order: SearchOrder) -> bool {
        matches!(
            self.known(module, order),
            Some(Located::File(_) | Located::Namespace)
        )
    }

    /// The tree's Rust crates and modules.
    pub fn rust(&self) -> &'f RustModules {
        self.rust
    }

    /// Whether `module` is a regular package (its `__init__` is what Python loads).
    pub fn is_package(&self, module: &str) -> bool {
        self.file_of(module, SearchOrder::DEFAULT)
            .is_some_and(|path| path.ends_with("__init__.py"))
    }

    /// Whether some search order loads this file for its module name: the files whose
    /// bindings can answer an import (the others are dead code, IG022).
    pub fn is_loaded_somewhere(&self, file: &SourceFile) -> bool {
        if file.language == crate::model::Language::Rust {
            return self.loads(file);
        }
        let loads =
            |order: SearchOrder| self.file_of(&file.module, order) == Some(file.relative.as_str());
        file.importable
            && (loads(self.order_of(file))
                || (0..self.orders.len()).any(|order| loads(SearchOrder(order as u16))))
    }

    /// Whether Python loads this file under its module name (in its own search order):
    /// the files whose imports are edges of the import graph.
    pub fn loads(&self, file: &SourceFile) -> bool {
        // Rust: every file of a module is compiled under some configuration (the
        // alternatives of `#[cfg_attr(.., path = ..)]` each are), not an included one.
        if file.language == crate::model::Language::Rust {
            return file.importable && self.rust.is_module_file(&file.path);
        }
        file.importable
            && self.file_of(&file.module, self.order_of(file)) == Some(file.relative.as_str())
    }

    /// Why a checked file is not what Python loads under its module name, if it is not.
    pub fn shadowing(&self, file: &SourceFile) -> Option<Shadowing> {
        if file.language == crate::model::Language::Rust {
            let package = self.rust.uncompiled_package(&file.path)?;
            return Some(Shadowing::NotCompiled {
                package: package.to_string(),
            });
        }
        if !file.importable || self.loads(file) {
            return None;
        }
        let order = self.order_of(file);
        // Find the first package above (or the module itself) that resolves elsewhere.
        let own_root = &self.roots[file.root? as usize];
        let segments: Vec<&str> = file.module.split('.').collect();
        let mut module = String::new();
        let mut own_directory = own_root.clone();
        for (position, segment) in segments.iter().enumerate() {
            if position > 0 {
                module.push('.');
            }
            module.push_str(segment);
            own_directory = join(&own_directory, segment);
            let last = position + 1 == segments.len();
            let located = self.locate(&module, order);
            let owns = match located {
                Located::File(found) if last => self.path(found) == file.relative,
                Located::File(found) => self
                    .path(found)
                    .strip_suffix("/__init__.py")
                    .is_some_and(|directory| directory == own_directory),
                Located::Namespace => {
                    !last && self.namespace_includes(&module, order, &own_directory)
                }
                _ => false,
            };
            if owns {
                continue;
            }
            let winner = match located {
                Located::File(found) => self.path(found).to_string(),
                _ => self.winner_path(&module, order).unwrap_or_default(),
            };
            let is_module = matches!(located, Located::File(_)) && !winner.ends_with("__init__.py");
            if !last && is_module {
                return Some(Shadowing::NotAPackage { module, winner });
            }
            let own_parent = own_directory
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent);
            let winner_parent = winner
                .strip_suffix("/__init__.py")
                .unwrap_or(&winner)
                .rsplit_once('/')
                .map_or("", |(parent, _)| parent);
            return Some(Shadowing::By {
                earlier_root: own_parent != winner_parent,
                module,
                winner,
            });
        }
        None
    }

    /// Whether a namespace package's portions, in `order`, include `directory`.
    fn namespace_includes(&self, module: &str, order: SearchOrder, directory: &str) -> bool {
        match self.walk(module, order) {
            Found::Package {
                directory: found, ..
            } => found == directory,
            Found::Namespace(portions) => portions.iter().any(|portion| portion == directory),
            _ => false,
        }
    }

    /// A path that stands for what `module` resolves to when it is no checked file: the
    /// stub, extension or directory that wins.
    fn winner_path(&self, module: &str, order: SearchOrder) -> Option<String> {
        match self.walk(module, order) {
            Found::Package { directory, .. } => Some(format!("{directory}/")),
            Found::Namespace(portions) => portions.first().map(|portion| format!("{portion}/")),
            Found::Module(_, path) => Some(path),
            Found::Missing => None,
        }
    }

    /// For an import of `module` from a file searched in `order`: when files of different
    /// services claim the module and `order` belongs to no service, which file each
    /// service's order loads. `None` when the answer does not depend on the service.
    pub fn collision(&self, module: &str, order: SearchOrder) -> Option<Collision> {
        if !self.collisions_possible(order) {
            return None;
        }
        let top = module.split('.').next().unwrap_or(module);
        if !self.multi_root_names.contains(top) {
            return None;
        }
        let mut claims: Vec<(String, String)> = self
            .service_orders
            .iter()
            .filter_map(|(service, &order)| {
                let path = match self.file_of(module, order) {
                    Some(path) => path.to_string(),
                    None => self.winner_path(module, order)?,
                };
                Some((service.clone(), path))
            })
            .collect();
        claims.sort();
        let mut paths: Vec<&str> = claims.iter().map(|(_, path)| path.as_str()).collect();
        paths.sort_unstable();
        paths.dedup();
        if paths.len() < 2 {
            return None;
        }
        // Only the services whose own roots hold a claim make it a collision; the others
        // see one of those by the fallback order.
        let claimed_by_own = |service: &str, path: &str| {
            self.roots.iter().enumerate().any(|(root, prefix)| {
                self.root_owners[root].as_deref() == Some(service)
                    && (prefix.is_empty() || path.starts_with(&format!("{prefix}/")))
            })
        };
        claims.retain(|(service, path)| claimed_by_own(service, path));
        let distinct: FxHashSet<&str> = claims.iter().map(|(_, path)| path.as_str()).collect();
        (distinct.len() > 1).then_some(Collision { claims })
    }

    /// Whether an import from a file searched in `order` can meet a collision: only a file
    /// of no service, when services have python roots of their own.
    pub fn collisions_possible(&self, order: SearchOrder) -> bool {
        order == SearchOrder::DEFAULT && !self.service_orders.is_empty()
    }

    fn search_roots(&self, order: SearchOrder) -> Vec<String> {
        self.orders
            .get(order.0 as usize)
            .unwrap_or(&self.orders[0])
            .iter()
            .map(|&root| self.roots[root as usize].clone())
            .collect()
    }

    /// [`ModuleIndex::find`] for many modules at once: `modules` lists every package before
    /// its submodules (each package of a module is in the list), so each is found in its
    /// package's search path with one step.
    fn locate_all(&self, modules: &[&'f str], order: SearchOrder) -> FxHashMap<&'f str, Located> {
        let roots = self.search_roots(order);
        let mut search_paths: FxHashMap<&str, Vec<String>> = FxHashMap::default();
        let mut located = FxHashMap::default();
        for &module in modules {
            let (locations, name) = match module.rsplit_once('.') {
                None => (&roots, module),
                Some((package, name)) => match search_paths.get(package) {
                    Some(locations) => (locations, name),
                    None => {
                        located.insert(module, Located::Missing);
                        continue;
                    }
                },
            };
            let (found, below) = match self.find_in(locations, name) {
                Found::Package { directory, init } => (init, Some(vec![directory])),
                Found::Namespace(portions) => (Located::Namespace, Some(portions)),
                Found::Module(found, _) => (found, None),
                Found::Missing => (Located::Missing, None),
            };
            if let Some(below) = below {
                search_paths.insert(module, below);
            }
            located.insert(module, found);
        }
        located
    }

    /// CPython's path-based finder, one segment at a time.
    fn find(&self, module: &str, order: SearchOrder) -> Located {
        match self.walk(module, order) {
            Found::Package { init, .. } => init,
            Found::Namespace(_) => Located::Namespace,
            Found::Module(located, _) => located,
            Found::Missing => Located::Missing,
        }
    }

    /// What the last segment of `module` is, found segment by segment from the roots in
    /// `order`. A module above it ends the walk: `import a.b` where `a` is a module fails
    /// ("'a' is not a package"), so the answer is that module's path, [`Located::Missing`].
    fn walk(&self, module: &str, order: SearchOrder) -> Found {
        let mut locations = self.search_roots(order);
        let mut segments = module.split('.').peekable();
        while let Some(segment) = segments.next() {
            let found = self.find_in(&locations, segment);
            if segments.peek().is_none() {
                return found;
            }
            locations = match found {
                Found::Package { directory, .. } => vec![directory],
                Found::Namespace(portions) => portions,
                Found::Module(_, path) => return Found::Module(Located::Missing, path),
                Found::Missing => return Found::Missing,
            };
        }
        Found::Missing
    }

    /// `FileFinder.find_spec` for `name` in each location in turn (`PathFinder._get_spec`).
    fn find_in(&self, locations: &[String], name: &str) -> Found {
        let mut portions = Vec::new();
        let mut stub = None;
        for location in locations {
            let path = join(location, name);
            let walked = self.entries.get(path.as_str()).copied();
            let kind = match walked {
                Some(entry) => entry.kind,
                None => self.kind_on_disk(location, name),
            };
            // What the disk alone shows is no checked file: its names are unknown.
            let checked = |file: Option<Option<FileId>>| match file.flatten() {
                Some(file) => Located::File(file),
                None => Located::Unchecked,
            };
            if kind & entry_kind::PACKAGE != 0 {
                let init = if kind & entry_kind::COMPILED_INIT != 0 {
                    Located::Unchecked
                } else {
                    checked(walked.map(|entry| entry.init))
                };
                return Found::Package {
                    directory: path,
                    init,
                };
            }
            if kind & entry_kind::EXTENSION != 0 {
                let file = self
                    .extension_files
                    .get(path.as_str())
                    .map_or_else(|| format!("{path}.so"), |file| file.to_string());
                return Found::Module(Located::Unchecked, file);
            }
            if kind & entry_kind::MODULE != 0 {
                return Found::Module(
                    checked(walked.map(|entry| entry.module)),
                    format!("{path}.py"),
                );
            }
            if kind & entry_kind::DIRECTORY != 0 {
                portions.push(path);
            } else if kind & entry_kind::STUB != 0 && stub.is_none() {
                stub = Some(format!("{path}.pyi"));
            }
        }
        match (portions.is_empty(), stub) {
            (false, _) => Found::Namespace(portions),
            // Python never imports a stub; it is kept as "exists" (see [`entry_kind::STUB`])
            // only when nothing else of the name exists anywhere on the search path.
            (true, Some(stub)) => Found::Module(Located::Unchecked, stub),
            (true, None) => Found::Missing,
        }
    }

    /// What `location/name` is on disk, for what the walk did not list (ignored generated
    /// code, compiled extensions, stubs, directories without Python files).
    fn kind_on_disk(&self, location: &str, name: &str) -> u8 {
        let directory = self.root.join(location);
        let mut kind = self.listing(&directory).get(name).copied().unwrap_or(0);
        if kind & entry_kind::DIRECTORY != 0 {
            let init = self
                .listing(&directory.join(name))
                .get("__init__")
                .copied()
                .unwrap_or(0);
            if init & entry_kind::MODULE != 0 {
                kind |= entry_kind::PACKAGE;
            } else if init & entry_kind::EXTENSION != 0 {
                kind |= entry_kind::PACKAGE | entry_kind::COMPILED_INIT;
            }
        }
        // The disk's `x.py` and `x/__init__.py` are not checked files: `find_in` reports
        // them as [`Located::Unchecked`].
        kind
    }

    /// What each name of a directory is on disk ([`entry_kind`] bits by the name before the
    /// first `.`: `x` for the directory `x/`, `x.py`, `x.pyi`, `x.cpython-311-....so`), read
    /// once per run (imports of missing modules tend to repeat).
    fn listing(&self, dir: &std::path::Path) -> Listing {
        if let Some(listing) = self
            .listings
            .lock()
            .ok()
            .and_then(|cache| cache.get(dir).cloned())
        {
            return listing;
        }
        self.stamp_directories(dir);
        let mut kinds: FxHashMap<Box<str>, u8> = FxHashMap::default();
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            // The directory entry's own type (no stat), except for a symlink.
            let is_directory = match entry.file_type() {
                Ok(kind) if kind.is_symlink() => {
                    if let Ok(mut reads) = self.disk_reads.lock() {
                        reads.beyond_stamps = true;
                    }
                    entry.path().is_dir()
                }
                Ok(kind) => kind.is_dir(),
                Err(_) => false,
            };
            let (stem, kind) = if is_directory {
                (name.as_str(), entry_kind::DIRECTORY)
            } else {
                let Some((stem, suffix)) = name.split_once('.') else {
                    continue;
                };
                let kind = match suffix {
                    "py" => entry_kind::MODULE,
                    "pyi" => entry_kind::STUB,
                    _ if is_extension_name(&name) => entry_kind::EXTENSION,
                    _ => continue,
                };
                (stem, kind)
            };
            *kinds.entry(stem.into()).or_default() |= kind;
        }
        let listing = Arc::new(kinds);
        if let Ok(mut cache) = self.listings.lock() {
            cache.insert(dir.to_path_buf(), Arc::clone(&listing));
        }
        listing
    }

    /// Stamps `dir` and the directories above it up to the governed root, before `dir` is
    /// listed: an entry added, removed or replaced in any of them changes its stamp.
    fn stamp_directories(&self, dir: &std::path::Path) {
        let Ok(mut reads) = self.disk_reads.lock() else {
            return;
        };
        if !dir.starts_with(&self.root) {
            reads.beyond_stamps = true;
            return;
        }
        for directory in dir.ancestors() {
            if reads.stamps.contains_key(directory) {
                break;
            }
            let stamp = match std::fs::symlink_metadata(directory) {
                Ok(metadata) if metadata.file_type().is_symlink() => {
                    reads.beyond_stamps = true;
                    None
                }
                Ok(metadata) => Some(Stamp::of(&metadata)),
                Err(_) => None,
            };
            reads.stamps.insert(directory.to_path_buf(), stamp);
            if directory == self.root {
                break;
            }
        }
    }

    /// What the lookups on disk (for what the walk did not list) depended on: each
    /// directory they listed and every directory from it up to the governed root, with the
    /// stamp it had before it was read, sorted; `None` when a listing followed a symlink
    /// (what it found then depends on more than directories' entries). While every stamp is
    /// unchanged, the same lookups find the same.
    pub fn disk_reads(&self) -> Option<Vec<(PathBuf, Option<Stamp>)>> {
        let reads = self.disk_reads.lock().ok()?;
        if reads.beyond_stamps {
            return None;
        }
        let mut stamps: Vec<(PathBuf, Option<Stamp>)> = reads
            .stamps
            .iter()
            .map(|(path, stamp)| (path.clone(), *stamp))
            .collect();
        stamps.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Some(stamps)
    }

    /// Whether `module` is a namespace package, which binds nothing but its submodules.
    pub fn is_namespace_package(&self, module: &str, order: SearchOrder) -> bool {
        self.locate(module, order) == Located::Namespace
    }

    /// Existing modules whose last segment is `module`'s last segment, best first: where a
    /// module that moved probably went.
    pub fn suggestions(&self, module: &str) -> Vec<&str> {
        let last = module.rsplit('.').next().unwrap_or(module);
        let by_last_segment = self.by_last_segment.get_or_init(|| {
            let mut by_last_segment: HashMap<String, Vec<String>> = HashMap::new();
            for module in self.located.keys() {
                let last = module.rsplit('.').next().unwrap_or(module);
                by_last_segment
                    .entry(last.to_string())
                    .or_default()
                    .push(module.to_string());
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

/// `location/name`, or `name` at the governed root.
fn join(location: &str, name: &str) -> String {
    if location.is_empty() {
        name.to_string()
    } else {
        format!("{location}/{name}")
    }
}

/// `.so`, `.cpython-311-x86_64-linux-gnu.so`, `.abi3.so`, `.pyd`, `.cp311-win_amd64.pyd`.
pub(crate) fn is_extension_name(name: &str) -> bool {
    name.ends_with(".so") || name.ends_with(".pyd")
}

/// The path that makes a file's top-level name first-party: `tests/sphinx/` for
/// `tests/sphinx/x.py` under the root `tests`, `tool.py` for a top-level module.
fn top_level_path(config: &Config, file: &SourceFile) -> String {
    let root = file
        .root
        .and_then(|root| config.python_roots.get(root as usize))
        .map_or("", String::as_str);
    let top = file.module.split('.').next().unwrap_or(&file.module);
    let is_directory = file.module.contains('.') || file.is_package;
    let name = if is_directory {
        format!("{top}/")
    } else {
        file.relative
            .rsplit('/')
            .next()
            .unwrap_or(&file.relative)
            .to_string()
    };
    join(root, &name)
}

/// The service that owns each python root: the one service whose files are all the
/// service-owned files named below that root (a `svc_a/` root that holds `svc_a` and the
/// service's own `tests` package). A root with files of several services, or of none, is
/// shared.
fn root_owners(roots: usize, files: &[SourceFile]) -> Vec<Option<String>> {
    let mut owners: Vec<Option<Option<&str>>> = vec![None; roots];
    let mut shared = vec![false; roots];
    for file in files {
        let (Some(root), Some(service)) = (file.root, file.service.as_deref()) else {
            continue;
        };
        let root = root as usize;
        match owners[root] {
            None => owners[root] = Some(Some(service)),
            Some(Some(owner)) if owner != service => shared[root] = true,
            _ => {}
        }
    }
    owners
        .into_iter()
        .zip(shared)
        .map(|(owner, shared)| match (owner, shared) {
            (Some(Some(service)), false) => Some(service.to_string()),
            _ => None,
        })
        .collect()
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
    /// Rust: a path whose first segment is no crate the file's crate can name (rustc's
    /// E0433 "use of undeclared crate or module", E0432 in a `use`).
    UndeclaredCrate(String),
    /// Rust: a path whose first segment a glob import, a macro or an `extern crate` item
    /// may declare: what it names cannot be told from the source.
    Unknown,
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
    /// The name the import needs its module to provide: a `from` import's name (not `*`),
    /// a Rust path's first segment after its longest module prefix.
    pub name: Option<Box<str>>,
    /// Rust: the segments the path goes on with after `name` (`f` in `lib::alias::f`, where
    /// `alias` may be a re-export of a module or a module a glob brings): checked once
    /// every module's bindings are known.
    pub rest: Option<Box<str>>,
    /// Rust: how many of `name` and `rest`'s segments a `use` binding wrote, for a path
    /// through one (what they name is the `use`'s import, reported there).
    pub bound_segments: u8,
}

impl<'a> ResolvedImport<'a> {
    /// Pairs an import with its resolution.
    pub fn new(import: &'a Import, resolved: Resolved) -> Self {
        let qualified = match &resolved {
            Resolved::Module(module) => Some(match import.name.as_deref() {
                Some(name) if name != "*" => {
                    format!("{module}{}{name}", import.kind.language().separator())
                }
                _ => module.clone(),
            }),
            _ => None,
        };
        let name = match import.kind {
            crate::model::ImportKind::From => import.name.clone().filter(|name| &**name != "*"),
            _ => None,
        };
        Self {
            import,
            resolved,
            qualified,
            name,
            rest: None,
            bound_segments: 0,
        }
    }

    /// An import that resolves to no module (`resolved` says why), or to one it names
    /// nothing of its own in.
    pub fn unresolved(import: &'a Import, resolved: Resolved) -> Self {
        Self {
            import,
            resolved,
            qualified: None,
            name: None,
            rest: None,
            bound_segments: 0,
        }
    }

    /// The symbol the import takes from its module, as `[[canonical]]` entries name
    /// symbols: a `from` import's name, or the item a Rust `use` or path ends at (`None`
    /// when the path goes on inside the item).
    pub fn imported_name(&self) -> Option<&str> {
        match self.import.kind {
            crate::model::ImportKind::From => {
                self.import.name.as_deref().filter(|name| *name != "*")
            }
            crate::model::ImportKind::Use
            | crate::model::ImportKind::Path
            | crate::model::ImportKind::BoundPath
                if self.rest.is_none() =>
            {
                self.name.as_deref()
            }
            _ => None,
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

/// Resolves one import of `file`, in either language.
pub fn resolve_import<'a>(
    import: &'a Import,
    file: &SourceFile,
    index: &ModuleIndex<'_>,
) -> ResolvedImport<'a> {
    if rust::is_rust(import) {
        index.rust.resolve(import, file)
    } else {
        ResolvedImport::new(import, resolve(import, file))
    }
}

/// Resolves one Python import of `file`.
pub fn resolve(import: &Import, file: &SourceFile) -> Resolved {
    if import.level == 0 {
        return Resolved::Module(import.module.to_string());
    }
    if !file.importable && !in_importable_package(file) {
        return Resolved::NoParentPackage;
    }
    resolve_relative(&file.module, file.is_package, import.level, &import.module)
}

/// A file whose own name is no identifier but whose package is importable
/// (`app/migrations/0002_auto.py`, which Django loads with `importlib.import_module`): its
/// `__package__` is that package, so its relative imports resolve against it.
fn in_importable_package(file: &SourceFile) -> bool {
    if file.root.is_none() || file.is_package {
        return false;
    }
    match file.module.rsplit_once('.') {
        Some((package, _)) => package.split('.').all(is_identifier),
        None => false,
    }
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
            root: Some(0),
            service: None,
            context: CodeContext::Production,
            language: crate::model::Language::Python,
            crate_index: None,
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
