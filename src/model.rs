//! Plain data shared by every stage: source spans, files, and the language-neutral facts a
//! frontend extracts from one source file.

use serde::{Deserialize, Serialize};

/// A range in a decoded source text: byte offsets (for edits and code frames) plus 1-based
/// line and column numbers (for people). Columns count characters, as editors and ruff do.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// 1-based line of `start`.
    pub line: u32,
    /// 1-based character column of `start`.
    pub column: u32,
    /// 1-based line of `end`.
    pub end_line: u32,
    /// 1-based character column of `end`.
    pub end_column: u32,
}

impl Span {
    /// The span that stands for "the whole file" when a problem has no better location.
    pub const FILE_START: Span = Span {
        start: 0,
        end: 0,
        line: 1,
        column: 1,
        end_line: 1,
        end_column: 1,
    };
}

/// Whether a file is production code or test code.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum CodeContext {
    /// Shipped code: boundaries apply in full.
    #[default]
    Production,
    /// Test code, as matched by `[tests] include`.
    Test,
}

impl CodeContext {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeContext::Production => "production",
            CodeContext::Test => "test",
        }
    }
}

/// The language a source file is written in: which frontend reads it, and how its module
/// names are spelled.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// `.py` and `.pyi` files; modules spelled `a.b.c`.
    #[default]
    Python,
    /// `.rs` files of Cargo packages; modules spelled `a::b::c`.
    Rust,
}

impl Language {
    /// The language of a file, by its name; `None` for files no frontend reads.
    pub fn of_path(path: &str) -> Option<Language> {
        Language::of_extension(path.rsplit_once('.')?.1)
    }

    /// The language of files with this extension (`py`, `rs`).
    pub fn of_extension(extension: &str) -> Option<Language> {
        match extension {
            "py" | "pyi" => Some(Language::Python),
            "rs" => Some(Language::Rust),
            _ => None,
        }
    }

    /// What separates the segments of a module name: `.` or `::`.
    pub fn separator(self) -> &'static str {
        match self {
            Language::Python => ".",
            Language::Rust => "::",
        }
    }

    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Python => "python",
            Language::Rust => "rust",
        }
    }
}

/// How a module name or path separates its segments: `::` (Rust), `.` (Python), or `None`
/// when it has one segment.
pub fn separator_of(name: &str) -> Option<&'static str> {
    if name.contains("::") {
        Some("::")
    } else if name.contains('.') {
        Some(".")
    } else {
        None
    }
}

/// The last segment of `module` when it is a direct child of `parent`, in either
/// language's spelling (`b` of `a.b` or `a::b` below `a`).
pub fn child_name<'m>(module: &'m str, parent: &str) -> Option<&'m str> {
    let tail = module.strip_prefix(parent)?;
    let tail = tail.strip_prefix("::").or_else(|| tail.strip_prefix('.'))?;
    (!tail.is_empty() && separator_of(tail).is_none()).then_some(tail)
}

/// The first segment of a module name or path spelled either way (`a` of `a.b`, of `a::b`).
pub fn first_segment(name: &str) -> &str {
    let end = name.find(['.', ':']).unwrap_or(name.len());
    &name[..end]
}

/// `path` split at its last separator, either spelling: (`a.b`, `c`) of `a.b.c`, (`a::b`,
/// `c`) of `a::b::c`; `None` for one segment.
pub fn split_last_segment(path: &str) -> Option<(&str, &str)> {
    match separator_of(path)? {
        "::" => path.rsplit_once("::"),
        _ => path.rsplit_once('.'),
    }
}

/// Whether `path` is `module` or below it, either spelling (`a.b.c` below `a.b`).
pub fn is_same_or_below(path: &str, module: &str) -> bool {
    path == module
        || path
            .strip_prefix(module)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with("::"))
}

/// A source file of the governed tree, classified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// Absolute path on disk.
    pub path: std::path::PathBuf,
    /// Path relative to the governed root, with `/` separators.
    pub relative: String,
    /// Dotted name derived from the path below its python root (`pkg/sub/__init__.py` gives
    /// `pkg.sub`). Scripts such as `tools/my-tool.py` get one too, so that services and rules
    /// still place them.
    pub module: String,
    /// Whether `module` is a name Python can import: every segment an identifier, under a
    /// python root. Relative imports resolve only in importable files.
    pub importable: bool,
    /// Whether the file is a package's `__init__.py` (relative imports then start at the
    /// package itself rather than at its parent).
    pub is_package: bool,
    /// The python root `module` is named below (an index into `python-roots`, the deepest
    /// that contains the file); `None` outside every root.
    pub root: Option<u16>,
    /// Name of the `[[service]]` that owns the module, if any.
    pub service: Option<String>,
    /// Production or test code.
    pub context: CodeContext,
    /// The language it is written in.
    pub language: Language,
    /// Rust: the crate that compiles it (an index into the tree's Rust layout's crates);
    /// `None` for Python files and for Rust files no crate compiles.
    pub crate_index: Option<u32>,
}

/// How an import is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `import a.b` / `import a.b as c`.
    Import,
    /// `from a import b` / `from . import b`.
    From,
    /// `importlib.import_module("a.b")` or `__import__("a.b")` with a literal argument.
    Dynamic,
    /// Rust: a leaf of a `use` tree (`use a::b::C;`, `use a::b::*;`).
    Use,
    /// Rust: `extern crate a (as b);`.
    ExternCrate,
    /// Rust: a path of two or more segments in code (`a::b::f()`, `a::T`, `a::m!()`) that
    /// names another module by itself, not through a `use` of the file.
    Path,
    /// Rust: a path in code through a `use` binding of the file (`am::f()` after
    /// `use base::a as am;`): `module` is what the binding names, resolved (`base::a`),
    /// `name` what the path adds to it (`f`, `sub::f`). The binding's own target is the
    /// `use`'s import, checked and reported there; the path is an import of its own only
    /// where it reaches into a module below that target.
    BoundPath,
}

impl ImportKind {
    /// The language whose statements have this form.
    pub fn language(self) -> Language {
        match self {
            ImportKind::Import | ImportKind::From | ImportKind::Dynamic => Language::Python,
            ImportKind::Use
            | ImportKind::ExternCrate
            | ImportKind::Path
            | ImportKind::BoundPath => Language::Rust,
        }
    }
}

/// Where an import executes, as far as the static text tells.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImportContext {
    /// Inside a function or lambda: runs when called, not when the module is imported.
    pub lazy: bool,
    /// Inside an `if TYPE_CHECKING:` block: never runs.
    pub type_checking: bool,
    /// Inside a `try` whose handlers catch `ImportError` (or a broader class), or under
    /// `contextlib.suppress(ImportError)`: optional by design.
    pub guarded: bool,
    /// Test code inside a file that is not (Rust: in a `#[cfg(test)]` module or item, or a
    /// `#[test]` function).
    pub test: bool,
    /// Rust: the path's first segment may be declared where the file does not say by name
    /// — a glob import or a macro in scope may bring it, or an `extern crate` item in scope
    /// declares it (that item is checked itself) — so it is not reported as undeclared.
    pub declared_elsewhere_maybe: bool,
    /// Rust: the path's first segment is bound by nothing the file names, but a glob
    /// import of its module may bind it: whether it is undeclared is decided once every
    /// module's names are known.
    pub glob_may_declare: bool,
}

impl ImportContext {
    /// The set flags as kebab-case words, for reports.
    pub fn flags(&self) -> Vec<&'static str> {
        let mut flags = Vec::new();
        if self.lazy {
            flags.push("lazy");
        }
        if self.type_checking {
            flags.push("type-checking");
        }
        if self.guarded {
            flags.push("guarded");
        }
        if self.test {
            flags.push("test");
        }
        flags
    }
}

/// One imported module or name. A statement `from a import b, c` yields two imports and
/// `import a, b` yields two, so that each can be reported and fixed on its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The statement form.
    pub kind: ImportKind,
    /// The module as written, without leading dots (`""` for `from . import x`).
    pub module: Box<str>,
    /// Number of leading dots of a relative import (0 for absolute imports).
    pub level: u32,
    /// The imported name of a `from` import (`"*"` for a star import).
    pub name: Option<Box<str>>,
    /// The `as` alias, if any (Rust's [`ImportKind::BoundPath`]: the binding's name).
    pub alias: Option<Box<str>>,
    /// The imported item: the alias clause, or the string literal of a dynamic import.
    pub span: Span,
    /// The whole statement (or call expression).
    pub statement: Span,
    /// Byte range of the module as written, leading dots included (`..a.b` in
    /// `from ..a.b import c`, `a.b` in `import a.b as c`, the text inside the quotes of a
    /// dynamic import): what a fix rewrites.
    pub module_range: (u32, u32),
    /// Lazy, `TYPE_CHECKING` or guarded.
    pub context: ImportContext,
}

impl Import {
    /// The module as written, with its leading dots: `..a.b`.
    pub fn written_module(&self) -> String {
        let mut written = ".".repeat(self.level as usize);
        written.push_str(&self.module);
        written
    }
}

/// A use of an attribute of an imported module, such as `os.environ`, resolved through the
/// file's import bindings (`import os as o; o.environ` gives `os.environ`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeUse {
    /// Fully qualified dotted path of the attribute.
    pub path: Box<str>,
    /// The attribute expression.
    pub span: Span,
    /// Where the use executes.
    pub context: ImportContext,
}

/// The first syntax error of a file that did not parse completely.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyntaxProblem {
    /// The parser's message for the first error.
    pub message: String,
    /// Where the first error is.
    pub span: Span,
    /// How many further syntax errors the parser reported.
    pub further_errors: usize,
    /// The file was not parsed at all: nested deeper than CPython accepts.
    pub not_parsed: bool,
}

/// Why a file's text could not be taken as it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReadProblem {
    /// The file could not be read at all.
    Io(String),
    /// The bytes are not valid in the file's encoding; they were replaced to read on.
    Decode {
        /// What is wrong, for people.
        message: String,
        /// 1-based line of the first invalid byte.
        line: u32,
        /// Byte offset of the start of that line.
        line_start: u32,
    },
}

/// What kind of statement defines a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefinitionKind {
    /// `class N:`.
    Class,
    /// `def N(...)` / `async def N(...)`.
    Function,
    /// `N = ...` (also annotated with a value, augmented, or a `type N = ...` alias).
    Assignment,
    /// Rust: `struct N`.
    Struct,
    /// Rust: `enum N`.
    Enum,
    /// Rust: `union N`.
    Union,
    /// Rust: `trait N`.
    Trait,
    /// Rust: `type N = ...;`.
    Type,
    /// Rust: `const N: ...`.
    Const,
    /// Rust: `static N: ...`.
    Static,
}

/// A module-level definition of a name, for the duplicate-definition check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    /// The name defined.
    pub name: Box<str>,
    /// How.
    pub kind: DefinitionKind,
    /// Byte range of the name in the defining statement. Only a few definitions are ever
    /// reported, so their line and column are computed then (`frontend::locate`)
    /// rather than for every definition of every file.
    pub range: (u32, u32),
}

/// The names a module binds at module level: what `from module import N` can find.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleBindings {
    /// Every bound name: definitions, assignments, `for`/`with` targets, import aliases,
    /// `global` names assigned in functions. Sorted and deduplicated.
    pub names: Vec<Box<str>>,
    /// The literal entries of `__all__`, when it is a list or tuple of strings (possibly
    /// extended with `+=`, `.append` or `.extend`).
    pub all: Option<Vec<Box<str>>>,
    /// Modules star-imported at module level, as written (`level`, `module`).
    pub star_imports: Vec<(u32, Box<str>)>,
    /// The module computes its names at run time (`__getattr__`, `globals()` writes,
    /// `sys.modules[__name__] = ...`): which names it has cannot be known statically.
    pub dynamic: bool,
    /// Rust: what each `use` (and `extern crate`) binding of the module names, as
    /// (name, path), the path anchored as the frontend writes it (absolute once the
    /// project reads it): how a path through a re-export (`lib::alias::f`) goes on.
    pub targets: Vec<(Box<str>, Box<str>)>,
}

impl ModuleBindings {
    /// Whether the module binds `name` itself (not through star imports).
    pub fn binds(&self, name: &str) -> bool {
        self.names
            .binary_search_by(|bound| bound.as_ref().cmp(name))
            .is_ok()
            || self
                .all
                .as_ref()
                .is_some_and(|all| all.iter().any(|entry| entry.as_ref() == name))
    }
}

/// What a suppression comment covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuppressionScope {
    /// `# importgate: ignore[...]`: its own line, or the next one when it stands alone.
    Line,
    /// `# importgate: ignore-file[...]`: the whole file.
    File,
}

/// A `# importgate: ignore[CODE, ...] -- reason` comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    /// Line or file.
    pub scope: SuppressionScope,
    /// The comment's line.
    pub line: u32,
    /// The comment stands alone on its line (then it covers the next line too).
    pub own_line: bool,
    /// The codes or names listed; empty: every check.
    pub codes: Vec<Box<str>>,
    /// The text after `--`.
    pub reason: Option<Box<str>>,
    /// The comment.
    pub span: Span,
    /// Why the comment is not a valid suppression, if it is not.
    pub malformed: Option<String>,
}

/// Everything the checks need to know about one source file, extracted in one pass.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    /// Every import, in source order.
    pub imports: Vec<Import>,
    /// Uses of watched module attributes (see `frontend::ExtractOptions`).
    pub attribute_uses: Vec<AttributeUse>,
    /// Set when the parser had to recover from syntax errors.
    pub syntax: Option<SyntaxProblem>,
    /// Set when the file could not be read or decoded as it is.
    pub read: Option<ReadProblem>,
    /// The codec a PEP 263 cookie declares, when it is not UTF-8 (`shift_jis`). (The facts
    /// cache keeps it by name: see `source::codec_name`.)
    #[serde(skip)]
    pub encoding: Option<&'static str>,
    /// The names the module binds at module level.
    pub bindings: ModuleBindings,
    /// Module-level class, function and assignment definitions.
    pub definitions: Vec<Definition>,
    /// `# importgate: ignore[...]` comments.
    pub suppressions: Vec<Suppression>,
    /// Modules the file defines inside itself (Rust's inline `mod name { ... }`), with what
    /// each binds.
    pub inner_modules: Vec<InnerModule>,
}

/// A module written inside a file rather than in a file of its own (Rust: `mod name { ... }`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InnerModule {
    /// Its path below the file's module, in the file's spelling (`tests`, `a::b`).
    pub path: Box<str>,
    /// What it binds.
    pub bindings: ModuleBindings,
    /// Its module-level definitions.
    pub definitions: Vec<Definition>,
    /// It is test code (`#[cfg(test)]`).
    pub test: bool,
    /// The byte range of its body, braces included: the imports written inside it.
    pub range: (u32, u32),
}

/// How an import edge executes, as bits: what the graph filters on.
pub mod edge_flags {
    /// Inside a function: runs when called, not at import time.
    pub const LAZY: u8 = 1;
    /// Inside `if TYPE_CHECKING:`: never runs.
    pub const TYPE_CHECKING: u8 = 2;
    /// Inside a `try` that catches `ImportError`.
    pub const GUARDED: u8 = 4;
    /// `importlib.import_module("...")`.
    pub const DYNAMIC: u8 = 8;
    /// In a test file.
    pub const TEST: u8 = 16;
}
