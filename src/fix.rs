//! Applying fixes. Per file: the applicable fixes whose edits do not overlap are applied in
//! memory, the result is re-parsed, and a fix that would add a syntax error is dropped.
//! Files are written only at the end, atomically (a temporary file in the same directory,
//! then a rename), keeping the file's BOM, line endings and permissions.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::frontend::python::syntax_error_count;
use crate::source::decode_python;
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The new text of one file after one round of fixes.
#[derive(Debug, Clone)]
pub struct FileFixes {
    /// Absolute path.
    pub path: PathBuf,
    /// The text after the fixes (BOM not included).
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
}

/// Computes one round of fixes for the files of `diagnostics`. `current` holds the texts of
/// files changed by earlier rounds; other files are read from disk. Files that are not
/// valid UTF-8 are never fixed (they could not be written back byte for byte).
pub fn plan_round(
    root: &Path,
    diagnostics: &[Diagnostic],
    include_unsafe: bool,
    current: &HashMap<PathBuf, String>,
) -> Vec<FileFixes> {
    let mut by_file: BTreeMap<&str, Vec<&Fix>> = BTreeMap::new();
    for diagnostic in diagnostics {
        if let Some(fix) = &diagnostic.fix {
            if include_unsafe || fix.applicability == Applicability::Safe {
                by_file
                    .entry(diagnostic.path.as_str())
                    .or_default()
                    .push(fix);
            }
        }
    }
    let mut planned = Vec::new();
    for (relative, mut fixes) in by_file {
        let path = root.join(relative);
        let text = match current.get(&path) {
            Some(text) => text.clone(),
            None => match std::fs::read(&path).map(decode_python) {
                // Only UTF-8 is written back: a file in another encoding would come back
                // as UTF-8 under its old cookie.
                Ok(decoded) if decoded.problem.is_none() && decoded.encoding.is_none() => {
                    decoded.text
                }
                _ => continue,
            },
        };
        fixes.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.start).min());
        let chosen = non_overlapping(&fixes, text.len());
        if chosen.is_empty() {
            continue;
        }
        let baseline = syntax_error_count(&text);
        let all_at_once = apply(&text, chosen.iter().flat_map(|fix| &fix.edits));
        let (text, applied) = if syntax_error_count(&all_at_once) <= baseline {
            (all_at_once, chosen.len())
        } else {
            // Some fix breaks the syntax: keep, one by one, those that do not.
            let mut kept: Vec<&Fix> = Vec::new();
            for fix in &chosen {
                let mut trial = kept.clone();
                trial.push(fix);
                if syntax_error_count(&apply(&text, trial.iter().flat_map(|fix| &fix.edits)))
                    <= baseline
                {
                    kept = trial;
                }
            }
            (
                apply(&text, kept.iter().flat_map(|fix| &fix.edits)),
                kept.len(),
            )
        };
        if applied > 0 {
            planned.push(FileFixes {
                path,
                text,
                applied,
            });
        }
    }
    planned
}

/// The fixes, in order, whose edits stay inside the text and conflict with no edit of an
/// earlier chosen fix. Two edits conflict when their ranges overlap or start at the same
/// place (the order of two insertions there would be a guess); the next round gets the rest.
fn non_overlapping<'f>(fixes: &[&'f Fix], length: usize) -> Vec<&'f Fix> {
    let conflict = |a: &Edit, b: &Edit| (a.start < b.end && b.start < a.end) || a.start == b.start;
    let mut taken: Vec<&Edit> = Vec::new();
    let mut chosen = Vec::new();
    for fix in fixes {
        let fits = fix.edits.iter().all(|edit| {
            edit.start <= edit.end
                && edit.end as usize <= length
                && taken.iter().all(|other| !conflict(edit, other))
        });
        if fits {
            taken.extend(&fix.edits);
            chosen.push(*fix);
        }
    }
    chosen
}

/// Applies non-overlapping edits (from the end, so offsets stay valid).
fn apply<'e>(text: &str, edits: impl Iterator<Item = &'e Edit>) -> String {
    let mut edits: Vec<&Edit> = edits.collect();
    edits.sort_by_key(|edit| std::cmp::Reverse((edit.start, edit.end)));
    let mut result = text.to_string();
    for edit in edits {
        let (start, end) = (edit.start as usize, edit.end as usize);
        if result.is_char_boundary(start)
            && result.is_char_boundary(end)
            && start <= end
            && end <= result.len()
        {
            result.replace_range(start..end, &edit.replacement);
        }
    }
    result
}

/// Writes `text` to `path` atomically, with the BOM the file had and its permissions.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let mut start = Vec::with_capacity(BOM.len());
    std::io::Read::read_to_end(
        &mut std::io::Read::take(std::fs::File::open(path)?, BOM.len() as u64),
        &mut start,
    )?;
    let bom: &[u8] = if start == BOM { BOM } else { b"" };
    let permissions = std::fs::metadata(path)?.permissions();
    replace_atomically(path, &[bom, text.as_bytes()], Some(permissions))
}

/// Replaces (or creates) `path` with `parts`, written to a temporary file beside it and
/// renamed over it: a reader sees the old file or the new one, never half of one.
pub fn replace_atomically(
    path: &Path,
    parts: &[&[u8]],
    permissions: Option<std::fs::Permissions>,
) -> std::io::Result<()> {
    let directory = path.parent().unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(directory)?;
    for part in parts {
        temporary.write_all(part)?;
    }
    temporary.as_file().sync_all()?;
    if let Some(permissions) = permissions {
        std::fs::set_permissions(temporary.path(), permissions)?;
    }
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// A unified diff of one file, with paths as the user sees them.
pub fn unified_diff(shown_path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown_path}"), &format!("b/{shown_path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::CheckCode;
    use crate::model::{CodeContext, Span};

    fn diagnostic_with(edits: Vec<Edit>) -> Diagnostic {
        Diagnostic {
            fix: Some(Fix {
                applicability: Applicability::Safe,
                description: String::new(),
                edits,
                requires: None,
            }),
            ..Diagnostic::new(
                CheckCode::RelativeImport,
                crate::diagnostic::Severity::Error,
                "module.py".into(),
                Span::FILE_START,
                String::new(),
                CodeContext::Production,
            )
        }
    }

    fn edit(start: u32, end: u32, replacement: &str) -> Edit {
        Edit {
            start,
            end,
            replacement: replacement.into(),
        }
    }

    #[test]
    fn a_fix_that_would_break_the_syntax_is_dropped_and_the_others_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("module.py"), "import os\nimport sys\n").expect("write");
        let diagnostics = [
            diagnostic_with(vec![edit(7, 9, "(")]),
            diagnostic_with(vec![edit(17, 20, "json")]),
        ];
        let planned = plan_round(dir.path(), &diagnostics, false, &HashMap::new());
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].text, "import os\nimport json\n");
        assert_eq!(planned[0].applied, 1);
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("module.py"), "import os\n").expect("write");
        let diagnostics = [
            diagnostic_with(vec![edit(7, 9, "json")]),
            diagnostic_with(vec![edit(8, 9, "x")]),
            diagnostic_with(vec![edit(7, 7, "a")]),
        ];
        let planned = plan_round(dir.path(), &diagnostics, false, &HashMap::new());
        assert_eq!(planned[0].text, "import json\n");
        assert_eq!(planned[0].applied, 1);
    }

    #[test]
    fn unsafe_fixes_need_to_be_asked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("module.py"), "import os\n").expect("write");
        let mut diagnostic = diagnostic_with(vec![edit(7, 9, "json")]);
        if let Some(fix) = &mut diagnostic.fix {
            fix.applicability = Applicability::Unsafe;
        }
        assert!(plan_round(
            dir.path(),
            std::slice::from_ref(&diagnostic),
            false,
            &HashMap::new()
        )
        .is_empty());
        assert_eq!(
            plan_round(dir.path(), &[diagnostic], true, &HashMap::new()).len(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_the_bom_and_the_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tool.py");
        std::fs::write(&path, b"\xEF\xBB\xBFimport os\r\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        write_atomically(&path, "import json\r\n").expect("written");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            b"\xEF\xBB\xBFimport json\r\n"
        );
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            1,
            "no temporary file left"
        );
    }
}
