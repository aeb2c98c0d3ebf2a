//! Hover on an import: what the registry says about it. The boundaries that govern the
//! importing file and what each decides for this import, where the two modules sit in each
//! `[[layers]]`, the canonical module of a registered name, the replacement of a deprecated
//! module, and the findings at the import with the chain of a chain finding.
//!
//! Computed from the editor's buffer and the registry (the buffer is parsed, its relative
//! imports resolved against the file's module; a Rust file's crate, module and the paths it
//! may name come from the tree's listing, which the server's session keeps), and from the
//! findings last published for the buffer's version — never from a check of its own.

use super::document::{Document, Encoding};
use crate::classify::classify;
use crate::config::{Config, ModulePattern};
use crate::diagnostic::Diagnostic;
use crate::engine::Session;
use crate::frontend::{self, ExtractOptions};
use crate::model::{Import, Language, SourceFile};
use crate::resolve::{resolve, Resolved, ResolvedImport};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write as _;
use std::path::Path;

/// Where a hover finds the tree: a Rust file's module and crate come from the tree's
/// listing (its `mod` declarations and manifests), which the server's session keeps.
pub struct Tree<'a> {
    pub session: Option<&'a Session>,
    pub cache_dir: Option<&'a Path>,
}

/// The hover for byte `offset` of `document` (the file at `path`, governed by `config`);
/// `None` when no import is there. `findings` are the buffer's findings when they are of its
/// current version.
pub fn hover(
    config: &Config,
    tree: &Tree<'_>,
    path: &Path,
    document: &Document,
    offset: usize,
    findings: Option<&[Diagnostic]>,
    encoding: Encoding,
) -> Option<Hover> {
    let relative = super::check::relative_path(config, path)?;
    let language = Language::of_path(&relative)?;
    if !config.checks_language(language) {
        return None;
    }
    let facts = frontend::of(language).extract(document.text(), &ExtractOptions::default());
    let import = import_at(&facts.imports, offset)?;
    let text = match language {
        // A Python file's module follows from its path and the registry's roots.
        Language::Python => {
            let file = classify(config, path.to_path_buf(), relative);
            let resolved = ResolvedImport::new(import, resolve(import, &file));
            describe(config, &file, &resolved, findings)
        }
        Language::Rust => crate::engine::with_listed_file(
            config,
            tree.session,
            tree.cache_dir,
            path,
            |file, modules| describe(config, file, &modules.resolve(import, file), findings),
        )?,
    };
    let text = text.trim_end().to_owned();
    if text.is_empty() {
        return None;
    }
    let statement = import.statement;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(document.range(statement.start as usize, statement.end as usize, encoding)),
    })
}

/// The import at `offset`: of the statement there, the imported item under the cursor, else
/// the statement's first.
fn import_at(imports: &[Import], offset: usize) -> Option<&Import> {
    let contains =
        |span: crate::model::Span| (span.start as usize..=span.end as usize).contains(&offset);
    let in_statement: Vec<&Import> = imports
        .iter()
        .filter(|import| contains(import.statement))
        .collect();
    in_statement
        .iter()
        .find(|import| contains(import.span))
        .or(in_statement.first())
        .copied()
}

/// The hover's Markdown (empty when there is nothing to say).
fn describe(
    config: &Config,
    file: &SourceFile,
    resolved: &ResolvedImport<'_>,
    findings: Option<&[Diagnostic]>,
) -> String {
    let mut text = String::new();
    let import = resolved.import;
    let rust = import.kind.language() == Language::Rust;
    let written = written(import);
    let (module, qualified) = match (&resolved.resolved, &resolved.qualified) {
        (Resolved::Module(module), Some(qualified)) => (module.as_str(), qualified.as_str()),
        (Resolved::Module(_), None) => return text,
        (Resolved::BeyondTopLevel, _) if rust => {
            let _ = writeln!(text, "`{written}`: `super` climbs above the crate root");
            return text;
        }
        (Resolved::BeyondTopLevel, _) => {
            let _ = writeln!(text, "`{written}`: climbs above the top-level package");
            return text;
        }
        (Resolved::NoParentPackage, _) => {
            let _ = writeln!(
                text,
                "`{written}`: a relative import in a file that is in no package"
            );
            return text;
        }
        (Resolved::UndeclaredCrate(name), _) => {
            let _ = writeln!(text, "`{name}`: no crate of that name can be used here");
            return text;
        }
        (Resolved::Unknown, _) if rust && file.crate_index.is_none() => {
            let _ = writeln!(
                text,
                "`{written}`: no crate compiles this file, so what it names cannot be told"
            );
            return text;
        }
        (Resolved::Unknown, _) => {
            let first = written.split("::").next().unwrap_or_default();
            let _ = writeln!(
                text,
                "`{written}`: a glob import, a macro or an `extern crate` may declare `{first}`; what it names cannot be told from the source"
            );
            return text;
        }
    };
    let name = resolved.imported_name();
    let importer = file.service.as_deref().unwrap_or(&file.module);
    let _ = write!(text, "**`{qualified}`**, imported by `{}`", file.module);
    if let Some(service) = &file.service {
        let _ = write!(text, " (service `{service}`)");
    }
    let _ = writeln!(text, "\n");

    let governing: Vec<_> = config
        .boundaries
        .iter()
        .filter(|boundary| crate::checks::boundary_governs(boundary, file))
        .collect();
    if !governing.is_empty() {
        let _ = writeln!(text, "Boundaries of `{importer}`:");
        for boundary in governing {
            let names = |pattern: &ModulePattern| {
                if boundary.as_packages {
                    pattern.matches(qualified) || pattern.matches(module)
                } else {
                    pattern.matches_whole(qualified) || pattern.matches_whole(module)
                }
            };
            let forbidding = boundary.forbid.iter().find(|entry| names(&entry.pattern));
            let allowing = boundary.allow.iter().find(|entry| names(&entry.pattern));
            let verdict = match (forbidding, allowing) {
                (Some(forbid), Some(allow)) => format!(
                    "forbids `{}`, but allows `{}`: allowed",
                    forbid.pattern, allow.pattern
                ),
                (Some(forbid), None) => format!("**forbids** it (`{}`)", forbid.pattern),
                (None, _) => format!("forbids {}: not this", list(&boundary.forbid)),
            };
            let _ = writeln!(text, "- `{}` {verdict}", boundary.id);
        }
        text.push('\n');
    }

    for rule in &config.layers {
        let place = |name: &str| {
            rule.stacks.iter().enumerate().find_map(|(stack, layers)| {
                layers.iter().enumerate().find_map(|(level, layer)| {
                    layer
                        .siblings
                        .iter()
                        .find(|group| group.contains(name))
                        .map(|group| (stack, level, group.label.as_str()))
                })
            })
        };
        let (Some(from), Some(to)) = (place(&file.module), place(module)) else {
            continue;
        };
        let same_stack = from.0 == to.0;
        let verdict = match to.1.cmp(&from.1) {
            std::cmp::Ordering::Equal if same_stack && from.2 != to.2 => "siblings on one layer",
            std::cmp::Ordering::Less if same_stack => {
                "**upward**: a lower layer must not import a higher one"
            }
            std::cmp::Ordering::Greater if same_stack => "downward: allowed",
            _ => "the same layer",
        };
        let _ = writeln!(
            text,
            "Layers `{}`: `{}` is on `{}`, `{}` on `{}` — {verdict}\n",
            rule.id, file.module, from.2, module, to.2
        );
    }

    if let Some(name) = name {
        for entry in config.canonical.iter().filter(|entry| entry.symbol == name) {
            let status = if entry.module == module {
                "imported from it".to_owned()
            } else if entry
                .compatible
                .iter()
                .any(|compatible| compatible == module)
            {
                format!("`{module}` is a compatible path (a warning)")
            } else {
                "**not** imported from it".to_owned()
            };
            let _ = writeln!(
                text,
                "Canonical (`{}`): `{name}` lives in `{}` — {status}\n",
                entry.id, entry.module
            );
        }
    }

    for entry in config
        .deprecated
        .iter()
        .filter(|entry| entry.module.pattern.matches(qualified))
    {
        let instead = entry
            .replacement
            .as_deref()
            .map(|replacement| format!("; import `{replacement}` instead"))
            .unwrap_or_default();
        let _ = writeln!(
            text,
            "Deprecated (`{}`): `{}` is deprecated{instead}",
            entry.id, entry.module.pattern
        );
        for (old, new) in &entry.names {
            let _ = writeln!(text, "- `{old}` is now `{new}`");
        }
        text.push('\n');
    }

    let at_import: Vec<&Diagnostic> = findings
        .unwrap_or_default()
        .iter()
        .filter(|diagnostic| {
            diagnostic.span.start < import.statement.end
                && import.statement.start < diagnostic.span.end.max(diagnostic.span.start + 1)
        })
        .collect();
    for diagnostic in at_import {
        let _ = writeln!(
            text,
            "**{}** {}",
            diagnostic.code.code(),
            diagnostic.message
        );
        if !diagnostic.chain.is_empty() {
            let mut chain = vec![diagnostic.chain[0].from.as_str()];
            chain.extend(diagnostic.chain.iter().map(|hop| hop.to.as_str()));
            let _ = writeln!(text, "\nchain: `{}`", chain.join("` → `"));
        }
        text.push('\n');
    }
    text.trim_end().to_owned()
}

/// The import's path as written: `..a.b`, `crate::a::b`.
fn written(import: &Import) -> String {
    if import.kind.language() == Language::Python {
        return import.written_module();
    }
    match import.name.as_deref() {
        Some(name) if import.module.is_empty() => name.to_owned(),
        Some(name) => format!("{}::{name}", import.module),
        None => import.module.to_string(),
    }
}

/// Patterns as a short list: `` `a`, `b` ``.
fn list(entries: &[crate::config::PatternEntry]) -> String {
    entries
        .iter()
        .map(|entry| format!("`{}`", entry.pattern))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(text: &str) -> (tempfile::TempDir, Config) {
        let directory = tempfile::tempdir().unwrap();
        let root = directory.path().canonicalize().unwrap();
        std::fs::write(root.join("rules.toml"), text).unwrap();
        let config = Config::load(&root.join("rules.toml")).unwrap();
        (directory, config)
    }

    fn hover_text(config: &Config, relative: &str, text: &str, at: &str) -> Option<String> {
        let tree = Tree {
            session: None,
            cache_dir: None,
        };
        hover_in(config, &tree, relative, text, at)
    }

    fn hover_in(
        config: &Config,
        tree: &Tree<'_>,
        relative: &str,
        text: &str,
        at: &str,
    ) -> Option<String> {
        let path = config.root.join(relative);
        let document = Document::new(text.to_owned(), 1);
        let offset = text.find(at).expect("the cursor's text");
        let hover = hover(
            config,
            tree,
            &path,
            &document,
            offset,
            None,
            Encoding::Utf16,
        )?;
        match hover.contents {
            HoverContents::Markup(markup) => Some(markup.value),
            _ => None,
        }
    }

    #[test]
    fn a_forbidden_import_names_its_boundary_and_a_plain_line_has_no_hover() {
        let (_directory, config) = registry(
            "[[boundary]]\nid = \"api-not-db\"\nfrom = [\"app.api\"]\nforbid = [\"app.db\"]\nallow = [\"app.db.models\"]\n",
        );
        let text = "import os\nfrom app.db.engine import connect\nfrom app.db import models\n";
        let forbidden = hover_text(&config, "app/api/views.py", text, "connect").unwrap();
        assert!(forbidden.contains("**`app.db.engine.connect`**, imported by `app.api.views`"));
        assert!(
            forbidden.contains("`api-not-db` **forbids** it (`app.db`)"),
            "{forbidden}"
        );
        let allowed = hover_text(&config, "app/api/views.py", text, "models").unwrap();
        assert!(
            allowed.contains("but allows `app.db.models`: allowed"),
            "{allowed}"
        );
        let other = hover_text(&config, "app/api/views.py", text, "os").unwrap();
        assert!(other.contains("forbids `app.db`: not this"), "{other}");
        assert_eq!(
            hover_text(&config, "app/api/views.py", "x = 1\n", "x"),
            None
        );
    }

    #[test]
    fn layers_canonical_names_and_deprecated_modules_are_described() {
        let (_directory, config) = registry(concat!(
            "[[layers]]\nid = \"app-layers\"\nlayers = [\"app.api\", \"app.domain\"]\n",
            "[[canonical]]\nsymbol = \"Session\"\nmodule = \"app.domain.session\"\n",
            "[[deprecated]]\nmodule = \"app.legacy\"\nreplacement = \"app.domain\"\n",
        ));
        let text = "from app.api.routes import Session\nfrom ..legacy import helpers\n";
        let upward = hover_text(&config, "app/domain/models.py", text, "Session").unwrap();
        assert!(
            upward.contains("`app.domain.models` is on `app.domain`, `app.api.routes` on `app.api` — **upward**"),
            "{upward}"
        );
        assert!(
            upward.contains("`Session` lives in `app.domain.session` — **not** imported from it"),
            "{upward}"
        );
        // The relative import is resolved against the file's module.
        let deprecated = hover_text(&config, "app/domain/models.py", text, "helpers").unwrap();
        assert!(
            deprecated.contains("`app.legacy` is deprecated; import `app.domain` instead"),
            "{deprecated}"
        );
    }

    /// A workspace of two crates: `api` depends on `app-core` under the name `core`.
    fn rust_workspace(rules: &str) -> (tempfile::TempDir, Config) {
        let (directory, config) = registry(rules);
        let root = &config.root;
        let files = [
            ("Cargo.toml", "[workspace]\nmembers = [\"core\", \"api\"]\n"),
            ("core/Cargo.toml", "[package]\nname = \"app-core\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
            ("core/src/lib.rs", "pub mod engine;\npub mod internal;\n"),
            ("core/src/engine.rs", "pub fn run() {}\n"),
            ("core/src/internal.rs", "pub fn secret() {}\n"),
            (
                "api/Cargo.toml",
                "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ncore = { package = \"app-core\", path = \"../core\" }\n",
            ),
            ("api/src/lib.rs", ""),
        ];
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        (directory, config)
    }

    #[test]
    fn a_rust_use_and_path_are_described_by_their_crate_and_module() {
        let (_directory, config) = rust_workspace(concat!(
            "[project]\nlanguages = [\"rust\"]\n",
            "[[boundary]]\nid = \"core-internals\"\nfrom = [\"api::**\"]\nforbid = [\"app_core::internal\"]\n",
            "[[layers]]\nid = \"crates\"\nlayers = [\"api\", \"app_core\"]\n",
            "[[canonical]]\nsymbol = \"run\"\nmodule = \"app_core::engine\"\n",
        ));
        let text = concat!(
            "use core::internal::secret;\n",
            "use undeclared::Thing;\n",
            "pub fn go() {\n    core::engine::run();\n    super::up();\n}\n",
        );
        // With the tree listed into a session, and with a listing of the hover's own.
        let session = Session::new();
        for session in [Some(&session), None] {
            let tree = Tree {
                session,
                cache_dir: None,
            };
            let at = |cursor| hover_in(&config, &tree, "api/src/lib.rs", text, cursor);
            let forbidden = at("secret").unwrap();
            assert!(
                forbidden.contains("**`app_core::internal::secret`**, imported by `api`"),
                "{forbidden}"
            );
            assert!(
                forbidden.contains("`core-internals` **forbids** it (`app_core::internal`)"),
                "{forbidden}"
            );
            assert!(
                forbidden.contains(
                    "`api` is on `api`, `app_core::internal` on `app_core` — downward: allowed"
                ),
                "{forbidden}"
            );
            let path = at("engine::run").unwrap();
            assert!(path.contains("**`app_core::engine::run`**"), "{path}");
            assert!(
                path.contains("`run` lives in `app_core::engine` — imported from it"),
                "{path}"
            );
            assert_eq!(
                at("undeclared").as_deref(),
                Some("`undeclared`: no crate of that name can be used here")
            );
            assert_eq!(
                at("super").as_deref(),
                Some("`super::up`: `super` climbs above the crate root")
            );
            assert_eq!(at("pub fn"), None);
        }
        // A file no crate compiles names nothing that can be told.
        std::fs::write(config.root.join("api/src/stray.rs"), text).unwrap();
        let stray = hover_text(&config, "api/src/stray.rs", text, "secret").unwrap();
        assert!(stray.contains("no crate compiles this file"), "{stray}");
    }

    #[test]
    fn a_rust_file_under_a_registry_of_python_alone_has_no_hover() {
        let (_directory, config) = rust_workspace(
            "[[boundary]]\nid = \"b\"\nfrom = [\"api.**\"]\nforbid = [\"app_core\"]\n",
        );
        let text = "use core::internal::secret;\n";
        assert_eq!(hover_text(&config, "api/src/lib.rs", text, "secret"), None);
    }
}
