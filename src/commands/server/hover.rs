//! Hover on an import: what the registry says about it. The boundaries that govern the
//! importing file and what each decides for this import, where the two modules sit in each
//! `[[layers]]`, the canonical module of a registered name, the replacement of a deprecated
//! module, and the findings at the import with the chain of a chain finding.
//!
//! Computed from the editor's buffer and the registry alone (the buffer is parsed, its
//! relative imports resolved against the file's module), and from the findings last
//! published for the buffer's version — never from a check of its own.

use super::document::{Document, Encoding};
use crate::classify::classify;
use crate::config::{Config, ModulePattern};
use crate::diagnostic::Diagnostic;
use crate::frontend::{self, ExtractOptions};
use crate::model::{Import, SourceFile};
use crate::resolve::{resolve, Resolved};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind};
use std::fmt::Write as _;
use std::path::Path;

/// The hover for byte `offset` of `document` (the file at `path`, governed by `config`);
/// `None` when no import is there. `findings` are the buffer's findings when they are of its
/// current version.
pub fn hover(
    config: &Config,
    path: &Path,
    document: &Document,
    offset: usize,
    findings: Option<&[Diagnostic]>,
    encoding: Encoding,
) -> Option<Hover> {
    let relative = super::check::relative_path(config, path)?;
    // Hovers describe Python imports (Rust ones are not described yet).
    if crate::model::Language::of_path(&relative) != Some(crate::model::Language::Python) {
        return None;
    }
    let file = classify(config, path.to_path_buf(), relative);
    let facts = frontend::of(file.language).extract(document.text(), &ExtractOptions::default());
    let import = import_at(&facts.imports, offset)?;
    let text = describe(config, &file, import, findings);
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

/// The hover's Markdown.
fn describe(
    config: &Config,
    file: &SourceFile,
    import: &Import,
    findings: Option<&[Diagnostic]>,
) -> String {
    let mut text = String::new();
    let module = match resolve(import, file) {
        Resolved::Module(module) => module,
        Resolved::BeyondTopLevel => {
            let _ = writeln!(
                text,
                "`{}`: climbs above the top-level package",
                import.written_module()
            );
            return text;
        }
        Resolved::NoParentPackage => {
            let _ = writeln!(
                text,
                "`{}`: a relative import in a file that is in no package",
                import.written_module()
            );
            return text;
        }
        Resolved::Unknown => return text,
        Resolved::UndeclaredCrate(name) => {
            let _ = writeln!(text, "`{name}`: no crate of that name can be used here");
            return text;
        }
    };
    // `from m import n`: `n` may be a submodule or a name of `m`; rules match `m.n`.
    let qualified = match import.name.as_deref() {
        Some(name) if name != "*" && !module.is_empty() => format!("{module}.{name}"),
        Some(name) if name != "*" => name.to_owned(),
        _ => module.clone(),
    };
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
                    pattern.matches(&qualified) || pattern.matches(&module)
                } else {
                    pattern.matches_whole(&qualified) || pattern.matches_whole(&module)
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
        let (Some(from), Some(to)) = (place(&file.module), place(&module)) else {
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

    if let Some(name) = import.name.as_deref() {
        for entry in config.canonical.iter().filter(|entry| entry.symbol == name) {
            let status = if entry.module == module {
                "imported from it".to_owned()
            } else if entry.compatible.contains(&module) {
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
        .filter(|entry| entry.module.pattern.matches(&module))
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
        let path = config.root.join(relative);
        let document = Document::new(text.to_owned(), 1);
        let offset = text.find(at).expect("the cursor's text");
        let hover = hover(config, &path, &document, offset, None, Encoding::Utf16)?;
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
}
