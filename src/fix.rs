//! Applying fixes. Per file: the applicable fixes whose edits do not overlap are applied in
//! memory, the result is re-parsed, and a fix that would add a syntax error is dropped.
//! Rounds repeat until no fix applies (a fix can wait for an overlapping one). At the end
//! each changed file is encoded back in its own encoding (with its BOM and line endings);
//! a file whose new text that encoding cannot hold, or whose bytes would not decode back
//! to exactly the planned text, is not fixed and is reported. Writing is
//! [`crate::atomic_file::replace_keeping_identity`]'s job.

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::frontend::{self, Language};
use crate::source::{decode, encode};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Where the files a fix changes are found and read: the run's files
/// ([`crate::engine::TreeFiles`]), never a path made from a diagnostic's text.
pub trait FileSource {
    /// The file shown as `relative`, if exactly one is.
    fn path_of(&self, relative: &str) -> Option<&Path>;
    /// Its bytes now.
    fn read(&self, relative: &str) -> Option<Vec<u8>>;
}

impl FileSource for crate::engine::TreeFiles {
    fn path_of(&self, relative: &str) -> Option<&Path> {
        crate::engine::TreeFiles::path_of(self, relative)
    }

    fn read(&self, relative: &str) -> Option<Vec<u8>> {
        crate::engine::TreeFiles::read(self, relative)
    }
}

/// One file being fixed.
#[derive(Debug, Clone)]
struct FixedFile {
    path: PathBuf,
    /// The file the path resolves to (a symlink's target).
    identity: PathBuf,
    /// The bytes read before the first fix: what the file must still hold when written.
    original: Vec<u8>,
    original_text: String,
    had_bom: bool,
    encoding: Option<&'static str>,
    /// Which frontend reads it (decoding, syntax errors).
    language: Language,
    text: String,
    applied: usize,
}

/// A file's new bytes, ready to be written.
#[derive(Debug, Clone)]
pub struct Change {
    /// The file (as the walk found it).
    pub path: PathBuf,
    /// Its path as reports show it.
    pub shown: String,
    /// The bytes the fixes were planned on.
    pub original: Vec<u8>,
    /// The bytes to write.
    pub bytes: Vec<u8>,
    /// The text before and after, for `--diff`.
    pub before: String,
    /// See `before`.
    pub after: String,
    /// How many fixes it holds.
    pub applied: usize,
}

/// The fixes of a run, round by round.
#[derive(Debug, Default)]
pub struct FixSession {
    files: BTreeMap<String, FixedFile>,
    /// Files with fixes that cannot be applied, with why (shown path -> reason).
    refused: BTreeMap<String, String>,
}

impl FixSession {
    /// Plans one round of fixes for the files of `diagnostics` (texts changed by earlier
    /// rounds are taken from the session); whether any fix was applied.
    pub fn plan_round(
        &mut self,
        files: &dyn FileSource,
        diagnostics: &[Diagnostic],
        include_unsafe: bool,
    ) -> bool {
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
        let mut any = false;
        for (relative, mut fixes) in by_file {
            if self.refused.contains_key(relative) {
                continue;
            }
            if !self.files.contains_key(relative) {
                match open(files, relative) {
                    // A symlink and its target are one file: fixed once, under one name.
                    Ok(file)
                        if self
                            .files
                            .values()
                            .any(|other| other.identity == file.identity) =>
                    {
                        continue;
                    }
                    Ok(file) => {
                        self.files.insert(relative.to_string(), file);
                    }
                    Err(reason) => {
                        self.refused.insert(relative.to_string(), reason);
                        continue;
                    }
                }
            }
            let Some(file) = self.files.get_mut(relative) else {
                continue;
            };
            fixes.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.start).min());
            if let Some((text, applied)) = apply_round(file.language, &file.text, &fixes) {
                file.text = text;
                file.applied += applied;
                any = true;
            }
        }
        any
    }

    /// How many files have fixes applied in memory (some may cancel out).
    pub fn files_fixed(&self) -> usize {
        self.files.len()
    }

    /// The texts of the files changed so far, for the next round's check.
    pub fn overlay(&self) -> HashMap<PathBuf, String> {
        self.files
            .values()
            .map(|file| (file.path.clone(), file.text.clone()))
            .collect()
    }

    /// The files whose bytes the fixes change, and the files with fixes that cannot be
    /// written, with why (by shown path). A file whose fixes cancel out (a rename there and
    /// back) is neither.
    pub fn changes(&self) -> (Vec<Change>, Vec<(String, String)>) {
        let mut refused: Vec<(String, String)> = self
            .refused
            .iter()
            .map(|(shown, reason)| (shown.clone(), reason.clone()))
            .collect();
        let mut changes = Vec::new();
        for (shown, file) in &self.files {
            match encode(file.language, &file.text, file.had_bom, file.encoding) {
                Some(bytes) if bytes == file.original => {}
                Some(bytes) => changes.push(Change {
                    path: file.path.clone(),
                    shown: shown.clone(),
                    original: file.original.clone(),
                    bytes,
                    before: file.original_text.clone(),
                    after: file.text.clone(),
                    applied: file.applied,
                }),
                None => refused.push((
                    shown.clone(),
                    format!(
                        "the fixed text cannot be written in the file's encoding `{}`; not fixed",
                        file.encoding.unwrap_or("utf-8")
                    ),
                )),
            }
        }
        refused.sort();
        (changes, refused)
    }
}

/// Reads a file to fix: only one whose bytes decode without a problem and encode back to
/// exactly themselves.
fn open(files: &dyn FileSource, relative: &str) -> Result<FixedFile, String> {
    let path = files
        .path_of(relative)
        .ok_or("two files are shown under this name; not fixed")?
        .to_path_buf();
    let original = files
        .read(relative)
        .ok_or("it cannot be read again; not fixed")?;
    let language = path
        .extension()
        .and_then(|extension| extension.to_str())
        .and_then(Language::of_extension)
        .unwrap_or_default();
    let decoded = decode(language, original.clone());
    if decoded.problem.is_some() {
        return Err("its bytes are not valid in its encoding; not fixed".to_string());
    }
    if encode(language, &decoded.text, decoded.had_bom, decoded.encoding).as_deref()
        != Some(&original[..])
    {
        return Err(format!(
            "its encoding `{}` does not give back its bytes; not fixed",
            decoded.encoding.unwrap_or("utf-8")
        ));
    }
    Ok(FixedFile {
        identity: path.canonicalize().unwrap_or_else(|_| path.clone()),
        path,
        original,
        original_text: decoded.text.clone(),
        had_bom: decoded.had_bom,
        encoding: decoded.encoding,
        language,
        text: decoded.text,
        applied: 0,
    })
}

/// Applies the non-overlapping fixes of one round to `text`, dropping any that would add a
/// syntax error; the new text and how many applied, if any did.
fn apply_round(language: Language, text: &str, fixes: &[&Fix]) -> Option<(String, usize)> {
    let syntax_error_count = |text: &str| frontend::of(language).syntax_error_count(text);
    let chosen = non_overlapping(fixes, text.len());
    if chosen.is_empty() {
        return None;
    }
    let baseline = syntax_error_count(text);
    let all_at_once = apply(text, chosen.iter().flat_map(|fix| &fix.edits));
    let (text, applied) = if syntax_error_count(&all_at_once) <= baseline {
        (all_at_once, chosen.len())
    } else {
        // Some fix breaks the syntax: keep, one by one, those that do not.
        let mut kept: Vec<&Fix> = Vec::new();
        for fix in &chosen {
            let mut trial = kept.clone();
            trial.push(fix);
            if syntax_error_count(&apply(text, trial.iter().flat_map(|fix| &fix.edits))) <= baseline
            {
                kept = trial;
            }
        }
        (
            apply(text, kept.iter().flat_map(|fix| &fix.edits)),
            kept.len(),
        )
    };
    (applied > 0).then_some((text, applied))
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
    use crate::codes::CheckCode;
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

    /// One file on disk, shown as `module.py`.
    struct OneFile(PathBuf);

    impl FileSource for OneFile {
        fn path_of(&self, relative: &str) -> Option<&Path> {
            (relative == "module.py").then_some(self.0.as_path())
        }

        fn read(&self, relative: &str) -> Option<Vec<u8>> {
            std::fs::read(self.path_of(relative)?).ok()
        }
    }

    fn one_file(dir: &tempfile::TempDir, bytes: &[u8]) -> OneFile {
        let path = dir.path().join("module.py");
        std::fs::write(&path, bytes).expect("write");
        OneFile(path)
    }

    #[test]
    fn a_fix_that_would_break_the_syntax_is_dropped_and_the_others_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"import os\nimport sys\n");
        let diagnostics = [
            diagnostic_with(vec![edit(7, 9, "(")]),
            diagnostic_with(vec![edit(17, 20, "json")]),
        ];
        let mut session = FixSession::default();
        assert!(session.plan_round(&files, &diagnostics, false));
        let (changes, refused) = session.changes();
        assert!(refused.is_empty());
        assert_eq!(changes[0].after, "import os\nimport json\n");
        assert_eq!(changes[0].applied, 1);
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_round() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"import os\n");
        let diagnostics = [
            diagnostic_with(vec![edit(7, 9, "json")]),
            diagnostic_with(vec![edit(8, 9, "x")]),
            diagnostic_with(vec![edit(7, 7, "a")]),
        ];
        let mut session = FixSession::default();
        session.plan_round(&files, &diagnostics, false);
        let (changes, _) = session.changes();
        assert_eq!(changes[0].after, "import json\n");
        assert_eq!(changes[0].applied, 1);
    }

    #[test]
    fn unsafe_fixes_need_to_be_asked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"import os\n");
        let mut diagnostic = diagnostic_with(vec![edit(7, 9, "json")]);
        if let Some(fix) = &mut diagnostic.fix {
            fix.applicability = Applicability::Unsafe;
        }
        let mut session = FixSession::default();
        assert!(!session.plan_round(&files, std::slice::from_ref(&diagnostic), false));
        assert!(session.plan_round(&files, &[diagnostic], true));
    }

    #[test]
    fn the_bom_and_the_line_endings_are_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"\xEF\xBB\xBFimport os\r\n");
        let mut session = FixSession::default();
        session.plan_round(&files, &[diagnostic_with(vec![edit(7, 9, "json")])], false);
        let (changes, _) = session.changes();
        assert_eq!(changes[0].bytes, b"\xEF\xBB\xBFimport json\r\n");
    }

    #[test]
    fn a_file_is_written_back_in_its_own_encoding() {
        let dir = tempfile::tempdir().expect("tempdir");
        let source = b"# -*- coding: cp1252 -*-\nimport os  # \x80 caf\xe9\n";
        let files = one_file(&dir, source);
        let mut session = FixSession::default();
        session.plan_round(
            &files,
            &[diagnostic_with(vec![edit(32, 34, "json")])],
            false,
        );
        let (changes, refused) = session.changes();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(
            changes[0].bytes,
            b"# -*- coding: cp1252 -*-\nimport json  # \x80 caf\xe9\n"
        );
    }

    #[test]
    fn a_fix_the_encoding_cannot_hold_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"# -*- coding: latin-1 -*-\nimport os\n");
        let mut session = FixSession::default();
        session.plan_round(
            &files,
            &[diagnostic_with(vec![edit(33, 35, "\u{65e5}")])],
            false,
        );
        let (changes, refused) = session.changes();
        assert!(changes.is_empty());
        assert!(refused[0].1.contains("`latin_1`"), "{refused:?}");
    }

    #[test]
    fn fixes_that_cancel_out_change_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let files = one_file(&dir, b"import os\n");
        let mut session = FixSession::default();
        session.plan_round(&files, &[diagnostic_with(vec![edit(7, 9, "json")])], false);
        let mut back = diagnostic_with(vec![edit(7, 11, "os")]);
        back.path = "module.py".into();
        session.plan_round(&files, &[back], false);
        let (changes, refused) = session.changes();
        assert!(changes.is_empty() && refused.is_empty());
    }
}
