//! `importgate init --from import-linter`: each tree of `tests/fixtures/migrate/import-linter`
//! holds an import-linter configuration (every built-in contract type and option across the
//! trees, in each of its three file forms) and `expected.txt`, import-linter's verdict: per
//! contract, kept or broken, and the import lines it reports (`importer:line`), cycles by
//! package, undeclared layers and unmatched exemptions. The tree is migrated and checked;
//! importgate's verdict must be the same. With `IMPORTGATE_LINT_IMPORTS` (import-linter's
//! `lint-imports`; CI installs it), import-linter itself is run too and must still give
//! `expected.txt` (`UPDATE_EXPECTED=1` rewrites it from that run).

mod common;

use common::{copy, importgate};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(common::fixture("migrate/import-linter"))
        .expect("the migration fixtures")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// `shop/domain/pricing.py` -> `shop.domain.pricing` (the fixtures' python root is the top).
fn module_of(path: &str) -> String {
    let path = path.strip_suffix(".py").unwrap_or(path);
    let path = path.strip_suffix("/__init__").unwrap_or(path);
    path.replace('/', ".")
}

/// The text between the first two backquotes of `message` after `after`.
fn quoted_after<'m>(message: &'m str, after: &str) -> Option<&'m str> {
    let rest = &message[message.find(after)? + after.len()..];
    let start = rest.find('`')? + 1;
    let end = start + rest[start..].find('`')?;
    Some(&rest[start..end])
}

/// importgate's verdict on a migrated tree, as `expected.txt` writes import-linter's.
fn importgate_verdict(tree: &Path, contracts: &[String]) -> BTreeSet<String> {
    let output = importgate(tree, &["check", "--output-format", "json"])
        .output()
        .expect("check runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    let mut verdict = BTreeSet::new();
    let mut broken = BTreeSet::new();
    for diagnostic in report["diagnostics"].as_array().expect("diagnostics") {
        let rule = diagnostic["rule"].as_str().unwrap_or_default();
        // acyclic_siblings with several ancestors becomes one rule per ancestor.
        let contract = rule.split(':').next().unwrap_or(rule).to_string();
        let message = diagnostic["message"].as_str().unwrap_or_default();
        match diagnostic["code"].as_str().unwrap_or_default() {
            "IG904" => {
                let entry = quoted_after(message, "entry").unwrap_or_default();
                verdict.insert(format!("{contract} unmatched {entry}"));
                continue;
            }
            "IG030" => {
                let package = quoted_after(message, "children of").unwrap_or_default();
                verdict.insert(format!("{contract} cycle in {package}"));
            }
            "IG031" if message.contains("on no layer") => {
                let child = quoted_after(message, "").unwrap_or_default();
                verdict.insert(format!("{contract} undeclared layer {child}"));
            }
            _ => {
                let chain = diagnostic["chain"].as_array().cloned().unwrap_or_default();
                if chain.is_empty() {
                    let importer = module_of(diagnostic["path"].as_str().unwrap_or_default());
                    verdict.insert(format!(
                        "{contract} import {importer}:{}",
                        diagnostic["line"]
                    ));
                }
                for hop in chain {
                    verdict.insert(format!(
                        "{contract} import {}:{}",
                        hop["from"].as_str().unwrap_or_default(),
                        hop["line"]
                    ));
                }
            }
        }
        broken.insert(contract);
    }
    for contract in contracts {
        let state = if broken.contains(contract) {
            "BROKEN"
        } else {
            "KEPT"
        };
        verdict.insert(format!("{contract} {state}"));
    }
    verdict
}

/// import-linter's verdict, from `lint-imports`' output.
fn import_linter_verdict(output: &str) -> BTreeSet<String> {
    let mut verdict = BTreeSet::new();
    let lines: Vec<&str> = output.lines().collect();
    let mut contract = String::new();
    let mut undeclared = false;
    for (position, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        // `name KEPT`, `name BROKEN (1 ignored import, 1 warning)`.
        let state_line = trimmed.split(" (").next().unwrap_or(trimmed);
        if let Some(name) = state_line
            .strip_suffix(" KEPT")
            .or_else(|| state_line.strip_suffix(" BROKEN"))
        {
            verdict.insert(format!("{name} {}", &state_line[name.len() + 1..]));
            continue;
        }
        // A section title is a line underlined with dashes.
        if lines
            .get(position + 1)
            .is_some_and(|next| !next.is_empty() && next.chars().all(|c| c == '-'))
            && !trimmed.is_empty()
        {
            contract = trimmed.to_string();
            undeclared = false;
            continue;
        }
        if let Some(expression) = trimmed
            .strip_prefix("- No matches for ignored import ")
            .and_then(|rest| rest.strip_suffix('.'))
        {
            verdict.insert(format!("{contract} unmatched {expression}"));
        } else if let Some(package) = trimmed
            .strip_prefix("No cycles are allowed in ")
            .and_then(|rest| rest.strip_suffix('.'))
        {
            verdict.insert(format!("{contract} cycle in {package}"));
        } else if trimmed.starts_with("The following modules are not listed as layers") {
            undeclared = true;
        } else if undeclared && trimmed.starts_with("- ") {
            verdict.insert(format!(
                "{contract} undeclared layer {}",
                trimmed.trim_start_matches("- ")
            ));
        } else if let (Some(arrow), Some(open)) = (trimmed.find(" -> "), trimmed.rfind("(l.")) {
            let importer = trimmed[..arrow].trim_start_matches(['-', ' ']);
            let numbers = trimmed[open + 1..].trim_end_matches(')');
            for number in numbers.split(", ") {
                let number = number.trim_start_matches("l.");
                verdict.insert(format!("{contract} import {importer}:{number}"));
            }
        }
    }
    verdict
}

/// Compares a verdict from the tool itself with `expected.txt` (rewritten first with
/// `UPDATE_EXPECTED=1`).
fn assert_live_verdict_is_expected(expected_path: &Path, live: BTreeSet<String>, tool: &str) {
    let live: Vec<String> = live.into_iter().collect();
    let live = format!("{}\n", live.join("\n"));
    if std::env::var_os("UPDATE_EXPECTED").is_some() {
        std::fs::write(expected_path, &live).expect("write expected.txt");
    }
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    assert_eq!(
        live,
        expected,
        "{}: {tool}'s own verdict",
        expected_path.display()
    );
}

fn contracts_of(expected: &BTreeSet<String>) -> Vec<String> {
    expected
        .iter()
        .filter_map(|line| {
            line.strip_suffix(" KEPT")
                .or_else(|| line.strip_suffix(" BROKEN"))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn migrated_import_linter_contracts_give_import_linters_verdict() {
    let lint_imports = std::env::var_os("IMPORTGATE_LINT_IMPORTS").map(PathBuf::from);
    assert!(
        lint_imports.is_some() || std::env::var_os("CI").is_none(),
        "CI must compare with import-linter itself: set IMPORTGATE_LINT_IMPORTS"
    );
    for case in cases() {
        let expected_path = case.join("expected.txt");
        if let Some(lint_imports) = &lint_imports {
            let run = tempfile::tempdir().expect("tempdir");
            copy(&case, run.path());
            let output = Command::new(lint_imports)
                .arg("--no-cache")
                .current_dir(run.path())
                .env("PYTHONPATH", run.path())
                .output()
                .expect("lint-imports runs");
            let live = import_linter_verdict(&String::from_utf8_lossy(&output.stdout));
            let live: Vec<&str> = live.iter().map(String::as_str).collect();
            let live = format!("{}\n", live.join("\n"));
            if std::env::var_os("UPDATE_EXPECTED").is_some() {
                std::fs::write(&expected_path, &live).expect("write expected.txt");
            }
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            assert_eq!(
                live,
                expected,
                "{}: import-linter's own verdict",
                case.display()
            );
        }
        let expected: BTreeSet<String> = std::fs::read_to_string(&expected_path)
            .expect("expected.txt")
            .lines()
            .map(str::to_string)
            .collect();
        let tree = tempfile::tempdir().expect("tempdir");
        copy(&case, tree.path());
        let init = importgate(tree.path(), &["init", "--from", "import-linter"])
            .output()
            .expect("init runs");
        assert!(init.status.success(), "{}: {init:?}", case.display());
        let got = importgate_verdict(tree.path(), &contracts_of(&expected));
        assert_eq!(got, expected, "{}", case.display());
    }
}

/// What has no importgate equivalent is listed in the registry and on stderr, never
/// dropped: a custom contract type, an unknown option, a root package not in the tree.
#[test]
fn what_cannot_be_migrated_is_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write_files(
        dir.path(),
        &[
            ("app/__init__.py", ""),
            (
                ".importlinter",
                "[importlinter]\nroot_packages =\n    app\n    gone\ncontract_types =\n    custom: app.contracts.Custom\n\n\
                 [importlinter:contract:mine]\nname = Mine\ntype = custom\n\n\
                 [importlinter:contract:f]\nname = F\ntype = forbidden\nsource_modules = app\nforbidden_modules = os\nsurprise = 1\n",
            ),
        ],
    );
    let init = importgate(dir.path(), &["init", "--from", "import-linter"])
        .output()
        .expect("init runs");
    assert!(init.status.success(), "{init:?}");
    let stderr = String::from_utf8_lossy(&init.stderr);
    let registry = std::fs::read_to_string(dir.path().join("rules.toml")).expect("written");
    for item in [
        "root package `gone` is not in the tree",
        "custom contract types (custom: app.contracts.Custom)",
        "contract `mine` (Mine): its type `custom` has no importgate equivalent",
        "the option `surprise` of contract `f` (forbidden)",
    ] {
        assert!(stderr.contains(item), "stderr lacks {item}:\n{stderr}");
        assert!(
            registry.contains(item),
            "the registry lacks {item}:\n{registry}"
        );
    }
    let check = importgate(dir.path(), &["check"])
        .output()
        .expect("check runs");
    assert!(
        check.status.code() != Some(2),
        "the registry loads: {check:?}"
    );
}

/// tach's verdict, from `tach check`'s output: `FAIL path:line` and `WARN path:line`.
fn tach_verdict(output: &str) -> BTreeSet<String> {
    output
        .lines()
        .filter_map(|line| {
            let (state, rest) = if let Some(rest) = line.strip_prefix("[FAIL] ") {
                ("FAIL", rest)
            } else {
                ("WARN", line.strip_prefix("[WARN] ")?)
            };
            let mut parts = rest.splitn(3, ':');
            let path = parts.next()?;
            let line = parts.next()?;
            Some(format!("{state} {path}:{line}"))
        })
        .collect()
}

/// importgate's verdict on a tree migrated from tach, written as `tach_verdict`.
fn importgate_tach_verdict(tree: &Path) -> BTreeSet<String> {
    let output = importgate(tree, &["check", "--output-format", "json"])
        .output()
        .expect("check runs");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|diagnostic| {
            let state = if diagnostic["severity"] == "warning" {
                "WARN"
            } else {
                "FAIL"
            };
            format!(
                "{state} {}:{}",
                diagnostic["path"].as_str().unwrap_or_default(),
                diagnostic["line"]
            )
        })
        .collect()
}

/// `importgate init --from tach`: each tree of `tests/fixtures/migrate/tach` holds a tach
/// configuration and `expected.txt`, tach's verdict (the import lines it fails and warns
/// about). With `IMPORTGATE_TACH` (tach's command; CI installs it), tach itself runs too.
#[test]
fn migrated_tach_modules_give_tachs_verdict() {
    let tach = std::env::var_os("IMPORTGATE_TACH").map(PathBuf::from);
    assert!(
        tach.is_some() || std::env::var_os("CI").is_none(),
        "CI must compare with tach itself: set IMPORTGATE_TACH"
    );
    let mut cases: Vec<PathBuf> = std::fs::read_dir(common::fixture("migrate/tach"))
        .expect("the tach fixtures")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 2);
    for case in cases {
        let expected_path = case.join("expected.txt");
        if let Some(tach) = &tach {
            let run = tempfile::tempdir().expect("tempdir");
            copy(&case, run.path());
            let output = Command::new(tach)
                .arg("check")
                .current_dir(run.path())
                .output()
                .expect("tach runs");
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert_live_verdict_is_expected(&expected_path, tach_verdict(&text), "tach");
        }
        let expected: BTreeSet<String> = std::fs::read_to_string(&expected_path)
            .expect("expected.txt")
            .lines()
            .map(str::to_string)
            .collect();
        let tree = tempfile::tempdir().expect("tempdir");
        copy(&case, tree.path());
        let init = importgate(tree.path(), &["init", "--from", "tach"])
            .output()
            .expect("init runs");
        assert!(init.status.success(), "{}: {init:?}", case.display());
        assert_eq!(
            importgate_tach_verdict(tree.path()),
            expected,
            "{}",
            case.display()
        );
    }
}

/// tach's declared dependencies that are circular, an expose pattern importgate's module
/// patterns cannot say, an interface's data types and `# tach-ignore` comments are listed.
#[test]
fn tach_settings_without_an_equivalent_are_listed() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::write_files(
        dir.path(),
        &[
            ("a/__init__.py", ""),
            ("a/x.py", "import b  # tach-ignore(legacy) b\n"),
            ("b/__init__.py", ""),
            (
                "tach.toml",
                "forbid_circular_dependencies = true\nexact = true\ndisable_logging = true\n\n[[modules]]\npath = \"a\"\ndepends_on = [\"b\"]\n\n\
                 [[modules]]\npath = \"b\"\ndepends_on = [\"a\"]\n\n[[interfaces]]\nexpose = [\"(api|v2)\"]\nfrom = [\"a\"]\ndata_types = \"primitive\"\n",
            ),
        ],
    );
    let init = importgate(dir.path(), &["init", "--from", "tach"])
        .output()
        .expect("init runs");
    assert!(init.status.success(), "{init:?}");
    let stderr = String::from_utf8_lossy(&init.stderr);
    for item in [
        "the declared dependencies are circular (a -> b -> a)",
        "the expose pattern `(api|v2)` of `a`'s interface is a regular expression",
        "data_types = \"primitive\" of [[interfaces]] #1",
        "tach's `exact` setting",
        "1 `# tach-ignore` comment(s) (a/x.py:1)",
    ] {
        assert!(stderr.contains(item), "stderr lacks {item}:\n{stderr}");
    }
    // A setting that changes how tach runs, not its verdict, is no loss.
    assert!(!stderr.contains("disable_logging"), "{stderr}");
}
