//! `--fix` on fixture trees: every `tests/fixtures/fixes/<case>/before` tree, fixed, must
//! equal `<case>/after` byte for byte (CRLF and BOM included); a second `--fix` changes
//! nothing; `--diff` shows the same change without making it.

mod common;

use common::{copy, importgate, tree};
use std::fs;
use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(common::fixture("fixes"))
        .expect("fixes")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    cases.sort();
    cases
}

#[track_caller]
fn assert_same_tree(got: &Path, expected: &Path) {
    let (got, expected) = (tree(got), tree(expected));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &expected {
        assert_eq!(
            String::from_utf8_lossy(&got[path]),
            String::from_utf8_lossy(bytes),
            "{}",
            path.display()
        );
        assert_eq!(&got[path], bytes, "{} differs in bytes", path.display());
    }
}

#[test]
fn fix_turns_every_before_tree_into_its_after_tree_and_is_idempotent() {
    for case in cases() {
        let work = tempfile::tempdir().expect("tempdir");
        copy(&case.join("before"), work.path());
        importgate(
            work.path(),
            &["check", "--fix", "--output-format", "concise"],
        )
        .output()
        .expect("runs");
        assert_same_tree(work.path(), &case.join("after"));

        let again = importgate(
            work.path(),
            &["check", "--fix", "--output-format", "concise"],
        )
        .output()
        .expect("runs");
        assert!(
            !String::from_utf8_lossy(&again.stdout).contains("Fixed "),
            "{}: second --fix changed something",
            case.display()
        );
        assert_same_tree(work.path(), &case.join("after"));
    }
}

#[test]
fn diff_shows_the_fixes_and_changes_nothing() {
    for case in cases() {
        let work = tempfile::tempdir().expect("tempdir");
        copy(&case.join("before"), work.path());
        let output = importgate(work.path(), &["check", "--diff"])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(1), "{}", case.display());
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("+++ b/"),
            "{}",
            case.display()
        );
        assert_same_tree(work.path(), &case.join("before"));
    }
}

#[test]
fn unfixable_imports_keep_their_diagnostic_and_hint() {
    let work = tempfile::tempdir().expect("tempdir");
    copy(&common::fixture("fixes/deprecated/before"), work.path());
    let output = importgate(work.path(), &["check", "--fix", "--output-format", "json"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let remaining: Vec<(&str, bool)> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["message"].as_str().unwrap_or(""),
                diagnostic["hint"].is_string(),
            )
        })
        .collect();
    assert_eq!(
        remaining,
        [
            // `import app.old_sessions as sessions`: `sessions.LEGACY_ONLY` and
            // `sessions.OldManager` would break, so its fix is unsafe.
            ("import of the deprecated module `app.old_sessions`", true),
            ("import of the deprecated module `app.old_sessions`", true),
            (
                "import of `LEGACY_ONLY` from the deprecated module `app.old_sessions`",
                true
            ),
        ]
    );
    assert_eq!(json["summary"]["fixed"], 2);
}

#[test]
fn json_describes_each_fix() {
    let case = common::fixture("fixes/canonical/before");
    let output = importgate(&case, &["check", "--output-format", "json"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let first = &json["diagnostics"][0];
    insta::assert_json_snapshot!(first["fix"], @r#"
    {
      "applicability": "safe",
      "description": "import `SessionManager` from `app.db.session_manager`",
      "edits": [
        {
          "content": "app.db.session_manager",
          "end": {
            "column": 34,
            "line": 1
          },
          "start": {
            "column": 6,
            "line": 1
          }
        }
      ]
    }
    "#);
}

/// `--diff` shows exactly the change `--fix` writes: the same files, and for each the
/// unified diff of its text before and after as `--fix` leaves it on disk (decoded in the
/// file's own encoding, so a cp1252 or Shift-JIS file reads as it will in Python).
#[test]
fn diff_shows_exactly_what_fix_writes() {
    for case in cases() {
        let work = tempfile::tempdir().expect("tempdir");
        copy(&case.join("before"), work.path());
        let diff = importgate(work.path(), &["check", "--diff"])
            .output()
            .expect("runs");
        let diff = String::from_utf8(diff.stdout).expect("UTF-8");
        let before = tree(work.path());
        importgate(work.path(), &["check", "--fix"])
            .output()
            .expect("runs");
        let after = tree(work.path());
        let mut expected = String::new();
        for (path, old) in &before {
            let new = &after[path];
            if old == new {
                continue;
            }
            let shown = path.to_string_lossy().replace('\\', "/");
            let text = |bytes: &Vec<u8>| importgate::source::decode_python(bytes.clone()).text;
            expected.push_str(&importgate::fix::unified_diff(
                &shown,
                &text(old),
                &text(new),
            ));
        }
        assert_eq!(diff, expected, "{}", case.display());
    }
}
