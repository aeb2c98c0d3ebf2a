//! The edits of import fixes: rewrite the module a statement imports from, or move one name
//! of a statement that imports several into a statement of its own. Whatever is not
//! touched (other names, comments, parentheses, line endings) stays as it is.

use super::{FileInput, ResolvedImport};
use crate::diagnostic::{Applicability, Edit};
use crate::model::{Import, ImportKind};

/// The edits that make `import` import from `new_module`, the name becoming `new_name`
/// (aliased to its old local name, so every use stays valid). `None` where no rewrite keeps
/// the program valid: `import a.b` without an alias (its uses spell `a.b.x`), a dynamic
/// import whose literal is not a plain string, a statement sharing its line with others.
pub(crate) fn reimport(
    input: &FileInput<'_>,
    import: &ResolvedImport<'_>,
    new_module: &str,
    new_name: Option<&str>,
) -> Option<Vec<Edit>> {
    let import = import.import;
    let (start, end) = import.module_range;
    match import.kind {
        ImportKind::Dynamic | ImportKind::Import => {
            let keeps_uses = import.kind == ImportKind::Dynamic || import.alias.is_some();
            (keeps_uses && start < end && new_name.is_none())
                .then(|| vec![replace(start, end, new_module)])
        }
        ImportKind::From => {
            let name = import.name.as_deref()?;
            if name == "*" && new_name.is_some() {
                return None;
            }
            let siblings: Vec<&Import> = input
                .facts
                .imports
                .iter()
                .filter(|other| {
                    other.statement == import.statement && other.kind == ImportKind::From
                })
                .collect();
            let clause = name_clause(import, name, new_name);
            if siblings.len() == 1 {
                let mut edits = vec![replace(start, end, new_module)];
                if clause
                    != input
                        .source
                        .text()
                        .get(import.span.start as usize..import.span.end as usize)?
                {
                    edits.push(replace(import.span.start, import.span.end, &clause));
                }
                return Some(edits);
            }
            let position = siblings
                .iter()
                .position(|other| std::ptr::eq(*other, import))?;
            let source = input.source.text();
            let removal = remove_name(source, &siblings, position)?;
            let insertion = insert_statement(
                source,
                import,
                &format!("from {new_module} import {clause}"),
            )?;
            Some(vec![removal, insertion])
        }
        ImportKind::Use | ImportKind::Path => rust_path(input, import, new_module, new_name),
        // `extern crate` names a crate; a path through a `use` binding is that `use`'s.
        ImportKind::ExternCrate | ImportKind::BoundPath => None,
    }
}

/// The edit that makes a Rust `use` leaf or path in code name `new_module` (and in it
/// `new_name`), spelled as the file's crate spells it: `use old::f;` becomes
/// `use new::g as f;` (uses of `f` stay valid), `old::f()` becomes `new::g()`. `None` for a
/// leaf of a group (`use a::{b, c};`: one tree), a path with generic arguments or spaces,
/// or a module the file's crate cannot name.
fn rust_path(
    input: &FileInput<'_>,
    import: &Import,
    new_module: &str,
    new_name: Option<&str>,
) -> Option<Vec<Edit>> {
    let source = input.source.text();
    let written = source.get(import.span.start as usize..import.span.end as usize)?;
    let name = import.name.as_deref()?;
    let spelled = input.index.rust().spelled_from(input.file, new_module)?;
    let imported = new_name.unwrap_or(name);
    let text = match import.kind {
        ImportKind::Use => {
            let statement =
                source.get(import.statement.start as usize..import.statement.end as usize)?;
            if statement.contains('{') {
                return None;
            }
            if name == "*" {
                format!("{spelled}::*")
            } else {
                let local = import.alias.as_deref().unwrap_or(name);
                if imported == local {
                    format!("{spelled}::{imported}")
                } else {
                    format!("{spelled}::{imported} as {local}")
                }
            }
        }
        _ => {
            let plain = written.chars().all(|character| {
                character.is_alphanumeric() || matches!(character, '_' | ':' | '#')
            });
            if !plain {
                return None;
            }
            // A macro's path names it without its `!`, which follows the path.
            format!("{spelled}::{}", imported.trim_end_matches('!'))
        }
    };
    Some(vec![replace(import.span.start, import.span.end, &text)])
}

/// How safe a rewrite of `import` is: a dynamic import's string may be built or used
/// elsewhere in ways the rewrite cannot see, so changing it is unsafe; statements are safe.
pub(crate) fn rewrite_applicability(import: &Import) -> Applicability {
    if import.kind == ImportKind::Dynamic {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

/// The rewrite of a relative module to its absolute name, for every import form.
pub(crate) fn absolute_module(import: &Import, module: &str) -> Option<Vec<Edit>> {
    let (start, end) = import.module_range;
    (start < end).then(|| vec![replace(start, end, module)])
}

fn replace(start: u32, end: u32, text: &str) -> Edit {
    Edit {
        start,
        end,
        replacement: text.to_string(),
    }
}

/// `Name`, `Name as Alias`, or `NewName as Name` when the name changes.
fn name_clause(import: &Import, name: &str, new_name: Option<&str>) -> String {
    let local = import.alias.as_deref().unwrap_or(name);
    let imported = new_name.unwrap_or(name);
    if imported == local {
        imported.to_string()
    } else {
        format!("{imported} as {local}")
    }
}

/// Deletes the `position`-th name of a statement that imports several, with the comma that
/// separates it, keeping comments: a name alone on its line takes the line with it.
fn remove_name(source: &str, siblings: &[&Import], position: usize) -> Option<Edit> {
    let this = siblings[position];
    let (start, end) = (this.span.start as usize, this.span.end as usize);
    if let Some(next) = siblings.get(position + 1) {
        // Up to the comma and the blanks after it.
        let after = &source[end..next.span.start as usize];
        let comma = after.find(',')?;
        let mut cut = end + comma + 1;
        cut += source[cut..].len() - source[cut..].trim_start_matches([' ', '\t']).len();
        let line_start = source[..start].rfind('\n').map_or(0, |newline| newline + 1);
        let alone_on_line = source[line_start..start].trim().is_empty();
        let line_ends_here = source[cut..].starts_with('\n') || source[cut..].starts_with("\r\n");
        if alone_on_line && line_ends_here {
            let newline = source[cut..].find('\n')? + cut + 1;
            return Some(replace(line_start as u32, newline as u32, ""));
        }
        return Some(replace(start as u32, cut as u32, ""));
    }
    let previous = siblings[position.checked_sub(1)?];
    let between = &source[previous.span.end as usize..start];
    if !between.contains('#') {
        return Some(replace(previous.span.end, this.span.end, ""));
    }
    // A comment between the two names stays: delete this name's line instead.
    let line_start = source[..start].rfind('\n')? + 1;
    if !source[line_start..start].trim().is_empty() {
        return None;
    }
    let rest = &source[end..];
    let comma = rest.trim_start_matches([' ', '\t']).starts_with(',');
    let mut cut = end + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    if comma {
        cut += 1;
    }
    let line_end = source[cut..]
        .find('\n')
        .map_or(source.len(), |newline| cut + newline + 1);
    source[cut..line_end]
        .trim()
        .is_empty()
        .then(|| replace(line_start as u32, line_end as u32, ""))
}

/// Inserts `statement` on a new line after `import`'s statement, with its indentation and
/// line ending. `None` when the statement does not start its line (`if x: from a import b`).
fn insert_statement(source: &str, import: &Import, statement: &str) -> Option<Edit> {
    let start = import.statement.start as usize;
    let line_start = source[..start].rfind('\n').map_or(0, |newline| newline + 1);
    let indentation = &source[line_start..start];
    if !indentation.trim().is_empty() {
        return None;
    }
    let end = import.statement.end as usize;
    let newline = match source[end..].find('\n') {
        Some(offset) if source[..end + offset].ends_with('\r') => "\r\n",
        Some(_) => "\n",
        None if source.contains("\r\n") => "\r\n",
        None => "\n",
    };
    Some(Edit {
        start: end as u32,
        end: end as u32,
        replacement: format!("{newline}{indentation}{statement}"),
    })
}
