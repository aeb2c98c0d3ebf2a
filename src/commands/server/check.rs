//! One open document checked from the editor's buffer, and importgate's findings as LSP
//! diagnostics.
//!
//! The run is `importgate check FILE` with the buffer in place of the file on disk (the
//! engine's overlay, the one `--fix` checks its rounds with): the rest of the tree comes
//! from the disk and the caches, the baseline applies, and the same suppressions hold — so
//! the editor shows exactly what the command line would print once the buffer is saved.

use super::document::{Document, Encoding};
use super::uri::uri_of;
use crate::baseline::Baseline;
use crate::codes::CheckCode;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Severity};
use crate::engine::{self, CheckOptions, Session};
use crate::model::Span;
use crate::source::decode_file;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, Range, Uri,
};
use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// What `source` says on every diagnostic.
const SOURCE: &str = "importgate";

/// importgate's own diagnostics for the document at `path`, checked from `document`'s text,
/// with the baseline applied (as `check` applies it).
pub fn check_document(
    config: &Config,
    session: Option<Arc<Session>>,
    path: &Path,
    document: &Document,
) -> Result<Vec<Diagnostic>, String> {
    let options = CheckOptions {
        session,
        paths: vec![path.to_path_buf()],
        overlay: Arc::new(HashMap::from([(
            path.to_path_buf(),
            document.text().to_owned(),
        )])),
        cache_dir: Some(config.cache_dir()),
        ..CheckOptions::default()
    };
    let mut outcome = engine::check(config, &options).map_err(|error| error.to_string())?;
    let shown = config.baseline.display().to_string();
    match Baseline::load(&config.baseline, &shown) {
        Ok(Some(baseline)) => {
            let selection = outcome.selection.as_ref();
            let enabled = &config.checks;
            baseline.apply(&mut outcome.diagnostics, |relative, code| {
                engine::selection_covers(selection, relative)
                    && CheckCode::find(code)
                        .is_none_or(|code| enabled.is_enabled_in(code, relative))
            });
        }
        Ok(None) => {}
        Err(error) => return Err(error.to_string()),
    }
    let relative = relative_path(config, path);
    outcome
        .diagnostics
        .retain(|diagnostic| Some(&diagnostic.path) == relative.as_ref());
    Ok(outcome.diagnostics)
}

/// `path` relative to the governed root, with `/` separators, as diagnostics name files.
pub fn relative_path(config: &Config, path: &Path) -> Option<String> {
    let relative = path.strip_prefix(&config.root).ok()?;
    let parts: Option<Vec<&str>> = relative
        .components()
        .map(|component| component.as_os_str().to_str())
        .collect();
    Some(parts?.join("/"))
}

/// One importgate diagnostic as the editor shows it: its range in the buffer, its code with
/// a link to the check's documentation, the rule and the hint in the message (and in
/// `data`), and as related locations the registry entry that forbids it and every hop of a
/// chain.
pub fn to_lsp(
    diagnostic: &Diagnostic,
    document: &Document,
    encoding: Encoding,
    config: &Config,
) -> lsp_types::Diagnostic {
    let range = range_of(diagnostic.span, document, encoding);
    let mut message = diagnostic.message.clone();
    if let Some(rule) = &diagnostic.rule {
        message.push_str(&format!("\nrule: {}", rule.id));
    }
    if let Some(hint) = &diagnostic.hint {
        message.push_str(&format!("\nhint: {hint}"));
    }
    let mut related = Vec::new();
    if let (Some(rule), Some(registry)) = (&diagnostic.rule, uri_of(&config.path)) {
        let registry_text = Document::new(config.text.to_string(), 0);
        related.push(DiagnosticRelatedInformation {
            location: Location::new(
                registry,
                registry_text.range(rule.span.start, rule.span.end, encoding),
            ),
            message: format!("the registry entry `{}`", rule.id),
        });
    }
    for (at, hop) in diagnostic.chain.iter().enumerate() {
        let path = config.root.join(&hop.path);
        let Some(uri) = uri_of(&path) else { continue };
        let start = if Some(hop.path.as_str()) == Some(diagnostic.path.as_str()) {
            character_position(document, hop.line, hop.column, encoding)
        } else {
            hop_position(&path, hop.line, hop.column, encoding)
        };
        related.push(DiagnosticRelatedInformation {
            location: Location::new(uri, Range::new(start, start)),
            message: format!("{}. {} imports {}", at + 1, hop.from, hop.to),
        });
    }
    let data = serde_json::json!({
        "rule": diagnostic.rule.as_ref().map(|rule| &rule.id),
        "hint": diagnostic.hint,
    });
    lsp_types::Diagnostic {
        range,
        severity: Some(match diagnostic.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(diagnostic.code.code().to_owned())),
        code_description: Uri::from_str(&diagnostic.code.help_uri())
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: Some(data),
    }
}

/// The range of `span` in `document`. A finding about a chain of imports knows its first
/// import by line and character column alone (the import graph keeps no byte offsets): its
/// bytes are [`Span::FILE_START`]'s while its line and column are the import's.
pub(super) fn range_of(span: Span, document: &Document, encoding: Encoding) -> Range {
    let position_only = span.start == 0
        && span.end == 0
        && (span.line, span.column) != (Span::FILE_START.line, Span::FILE_START.column);
    if position_only {
        Range::new(
            character_position(document, span.line, span.column, encoding),
            character_position(document, span.end_line, span.end_column, encoding),
        )
    } else {
        document.range(span.start as usize, span.end as usize, encoding)
    }
}

/// The LSP position of a 1-based line and 1-based character column in `document`.
fn character_position(document: &Document, line: u32, column: u32, encoding: Encoding) -> Position {
    let characters = Position::new(line.saturating_sub(1), column.saturating_sub(1));
    let offset = document.offset(characters, Encoding::Utf32);
    document.position(offset, encoding)
}

/// The same for a file of the tree the editor may not have open: read from the disk (a
/// hop's path is one the walk found below the root) and decoded as its language decodes it; the
/// start of the line when it cannot be read.
fn hop_position(path: &Path, line: u32, column: u32, encoding: Encoding) -> Position {
    match crate::guarded_io::read_regular(path, crate::guarded_io::SOURCE_LIMIT) {
        Ok(bytes) => {
            let text = decode_file(path, bytes).text;
            character_position(&Document::new(text, 0), line, column, encoding)
        }
        Err(_) => Position::new(line.saturating_sub(1), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_known_by_line_and_column_alone_is_placed_by_them() {
        let document = Document::new("use a::b;\nuse é::c::d;\n".to_owned(), 1);
        let at_import = Span {
            line: 2,
            column: 9,
            end_line: 2,
            end_column: 9,
            ..Span::FILE_START
        };
        // Character 9 of `use é::c::d;` is `c`; in UTF-8 `é` takes two bytes.
        assert_eq!(
            range_of(at_import, &document, Encoding::Utf8),
            Range::new(Position::new(1, 9), Position::new(1, 9))
        );
        assert_eq!(
            range_of(at_import, &document, Encoding::Utf16),
            Range::new(Position::new(1, 8), Position::new(1, 8))
        );
        // The start of the file, and a span with its bytes.
        assert_eq!(
            range_of(Span::FILE_START, &document, Encoding::Utf16),
            Range::new(Position::new(0, 0), Position::new(0, 0))
        );
        let bytes = Span {
            start: 4,
            end: 8,
            line: 1,
            column: 5,
            end_line: 1,
            end_column: 9,
        };
        assert_eq!(
            range_of(bytes, &document, Encoding::Utf16),
            Range::new(Position::new(0, 4), Position::new(0, 8))
        );
    }
}
