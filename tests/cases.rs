//! Fixture trees: every folder of `tests/fixtures/cases` with its own rules.toml is checked,
//! and its concise and JSON reports are snapshotted. A new case is a new folder.

mod common;

use common::{stable_settings, transcript};

#[test]
fn every_case_matches_its_snapshot() {
    let settings = stable_settings();
    settings.bind(|| {
        insta::glob!("fixtures/cases/*/{rules,pyproject}.toml", |rules| {
            // A pyproject.toml is a registry when it has `[tool.importgate]` (a PyO3
            // case's is maturin's).
            let text = std::fs::read_to_string(rules).expect("readable");
            if rules.ends_with("pyproject.toml") && !text.contains("[tool.importgate") {
                return;
            }
            let case = rules.parent().expect("a case folder");
            insta::assert_snapshot!(
                "concise",
                transcript(case, &["check", "--output-format", "concise"])
            );
            insta::assert_snapshot!(
                "json",
                transcript(case, &["check", "--output-format", "json"])
            );
        });
    });
}

/// Pre-commit passes single files: for every file of every case, `check FILE` must report
/// exactly what the full run reports for that file (the modules it imports from are parsed
/// on demand, definitions of registered symbols are collected from the rest of the tree),
/// plus the chains and cycles of the full run that pass through it.
#[test]
fn checking_one_file_reports_what_the_full_run_reports_for_it() {
    let cases = common::fixture("cases");
    for case in std::fs::read_dir(&cases)
        .expect("cases")
        .filter_map(Result::ok)
    {
        let case = case.path();
        let full = diagnostics_by_path(&case, &[]);
        for entry in walk_python_files(&case) {
            let relative = entry
                .strip_prefix(&case)
                .expect("below the case")
                .to_string_lossy()
                .replace('\\', "/");
            let single = diagnostics_by_path(&case, &[&relative]);
            // A chain's message lists every hop as `(path:line)`.
            let through = format!("({relative}:");
            let concerns = |d: &&serde_json::Value| {
                d["path"] == relative.as_str()
                    || (is_graph_check(d)
                        && d["message"].as_str().is_some_and(|m| m.contains(&through)))
            };
            let expected: Vec<&serde_json::Value> = full.iter().filter(concerns).collect();
            let got: Vec<&serde_json::Value> = single.iter().collect();
            assert_eq!(got, expected, "{}: {relative}", case.display());
        }
    }
}

/// pre-commit's `--all-files` passes every file: with PATHS that cover the tree, `check`
/// runs as a full run cut down to them, and must report exactly what the full run reports
/// for those files.
#[test]
fn checking_every_file_reports_what_the_full_run_reports() {
    let cases = common::fixture("cases");
    for case in std::fs::read_dir(&cases)
        .expect("cases")
        .filter_map(Result::ok)
    {
        let case = case.path();
        let relative: Vec<String> = walk_python_files(&case)
            .iter()
            .map(|path| {
                path.strip_prefix(&case)
                    .expect("below the case")
                    .to_string_lossy()
                    .replace('\\', "/")
            })
            .collect();
        let paths: Vec<&str> = relative.iter().map(String::as_str).collect();
        let full = diagnostics_by_path(&case, &[]);
        let expected: Vec<&serde_json::Value> = full
            .iter()
            .filter(|d| paths.contains(&d["path"].as_str().unwrap_or("")))
            .collect();
        let every = diagnostics_by_path(&case, &paths);
        let got: Vec<&serde_json::Value> = every.iter().collect();
        assert_eq!(got, expected, "{}", case.display());
    }
}

/// 10,000 PATHS (Python files, directories — one of Python files, one of other files, one
/// excluded —, files that are not Python, excluded files, files outside the root), selecting
/// a quarter of the tree and all of it: each run reports what the full run reports for the
/// selected files, and counts them.
#[test]
fn ten_thousand_paths_select_exactly_their_files() {
    let tree = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("tempdir");
    let root = tree.path();
    let mut files: Vec<(String, String)> = vec![
        (
            "rules.toml".to_string(),
            "[settings]\nexclude = [\"vendor/**\"]\n\n[[service]]\nname = \"front\"\n\n\
             [[service]]\nname = \"back\"\n\n[[boundary]]\nid = \"front-not-back-internals\"\n\
             from = [\"front\"]\nforbid = [\"back.internal\"]\n"
                .to_string(),
        ),
        ("front/__init__.py".to_string(), String::new()),
        ("back/__init__.py".to_string(), String::new()),
        ("back/internal/__init__.py".to_string(), String::new()),
    ];
    let mut python = Vec::new();
    for n in 0..1500 {
        let front = format!("front/m{n}.py");
        let imports = if n % 3 == 0 {
            format!("from back.internal.m{n} import value\n")
        } else {
            format!("from back.api import value_{n}\n")
        };
        files.push((front.clone(), imports));
        files.push((format!("back/internal/m{n}.py"), "value = 1\n".to_string()));
        python.push(front);
        python.push(format!("back/internal/m{n}.py"));
    }
    let mut others = Vec::new();
    for n in 0..6250 {
        let data = format!("data/d{n}.txt");
        files.push((data.clone(), "not python\n".to_string()));
        others.push(data);
    }
    for n in 0..1000 {
        let vendored = format!("vendor/v{n}.py");
        files.push((vendored.clone(), "import back.internal.m1\n".to_string()));
        others.push(vendored);
    }
    common::write_files(root, &files);
    for n in 0..2000 {
        let path = outside.path().join(format!("o{n}.py"));
        std::fs::write(&path, "import back.internal.m1\n").expect("write");
        others.push(path.to_string_lossy().into_owned());
    }
    let full = diagnostics_by_path(root, &[]);
    // A quarter of the Python files and 9,250 other paths; every Python file and 7,000.
    let directories = ["back/internal", "data", "vendor"];
    for selected in [&python[..750], &python[..]] {
        let mut paths: Vec<&str> = selected.iter().map(String::as_str).collect();
        paths.extend(directories);
        paths.extend(
            others
                .iter()
                .take(10_000 - selected.len() - directories.len())
                .map(String::as_str),
        );
        // The Python files given, and those below a directory given (`vendor` is excluded).
        let chosen: std::collections::HashSet<&str> = paths
            .iter()
            .copied()
            .filter(|p| p.ends_with(".py"))
            .chain(
                python
                    .iter()
                    .map(String::as_str)
                    .filter(|p| p.starts_with("back/internal/")),
            )
            .collect();
        let mut args = vec!["check", "--output-format", "json"];
        args.extend(&paths);
        let output = common::importgate(root, &args).output().expect("runs");
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let got = document["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let expected: Vec<&serde_json::Value> = full
            .iter()
            .filter(|d| chosen.contains(d["path"].as_str().unwrap_or("")))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(got.iter().collect::<Vec<_>>(), expected);
        // And back/internal/__init__.py, below a directory given.
        let checked = python
            .iter()
            .filter(|p| chosen.contains(p.as_str()))
            .count()
            + 1;
        assert_eq!(document["summary"]["files_checked"], checked);
        assert_eq!(paths.len(), 10_000);
    }
}

/// Runs on many paths recognize the files the walk listed without a system call each; the
/// answer must be the one the system gives. Each run below is compared with the same paths
/// given absolute (never recognized that way): plain paths, `./` and `//`, a path through a
/// symlinked directory, a non-Python file, from the root and from a directory below it, and
/// a file named with a trailing `/` (no such directory: an error either way).
#[test]
fn many_relative_paths_select_what_the_same_paths_absolute_select() {
    let tree = tempfile::tempdir().expect("tempdir");
    let root = tree.path().canonicalize().expect("canonical");
    let mut files = vec![
        (
            "rules.toml".to_string(),
            "[[boundary]]\nid = \"pkg-not-other\"\nfrom = [\"pkg.**\"]\nforbid = [\"other\"]\n"
                .to_string(),
        ),
        ("pkg/__init__.py".to_string(), String::new()),
        ("other/__init__.py".to_string(), String::new()),
        ("pkg/notes.txt".to_string(), "not python\n".to_string()),
    ];
    for n in 0..300 {
        files.push((format!("pkg/m{n}.py"), "import other\n".to_string()));
    }
    common::write_files(&root, &files);
    #[cfg(unix)]
    std::os::unix::fs::symlink(root.join("pkg"), root.join("link")).expect("symlink");

    let run = |cwd: &std::path::Path, paths: &[String]| {
        let mut args = vec!["check", "--output-format", "json", "--verbose"];
        args.extend(paths.iter().map(String::as_str));
        let output = common::importgate(cwd, &args).output().expect("runs");
        let stderr = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|line| line.contains("skipped") || line.contains("no such file"))
            .map(str::to_string)
            .collect::<Vec<_>>();
        let mut document: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or_default();
        if let Some(summary) = document["summary"].as_object_mut() {
            summary.remove("elapsed_ms");
        }
        (output.status.code(), document.to_string(), stderr)
    };
    let absolute = |cwd: &std::path::Path, paths: &[String]| -> Vec<String> {
        paths
            .iter()
            .map(|path| format!("{}/{path}", cwd.display()))
            .collect()
    };
    let mut from_root: Vec<String> = (0..290).map(|n| format!("pkg/m{n}.py")).collect();
    from_root.extend(["./pkg/m290.py", "pkg//m291.py", "pkg/notes.txt"].map(String::from));
    #[cfg(unix)]
    from_root.push("link/m292.py".to_string());
    let below = root.join("pkg");
    let from_below: Vec<String> = (0..300).map(|n| format!("m{n}.py")).collect();
    for (cwd, paths) in [(&root, &from_root), (&below, &from_below)] {
        let relative = run(cwd, paths);
        assert_eq!(relative.0, Some(1), "{}", relative.1);
        assert!(relative.1.contains("pkg/m290.py"));
        // The text file is skipped and said so (with --verbose).
        assert_eq!(
            relative.2.len(),
            usize::from(cwd == &root),
            "{:?}",
            relative.2
        );
        assert_eq!(relative, run(cwd, &absolute(cwd, paths)));
    }
    let mut trailing = from_root.clone();
    trailing.push("pkg/m0.py/".to_string());
    for paths in [trailing.clone(), absolute(&root, &trailing)] {
        let (code, _, stderr) = run(&root, &paths);
        assert_eq!(code, Some(2));
        assert!(stderr[0].ends_with("pkg/m0.py/: no such file or directory"));
    }
}

/// The README promises identical output whatever the number of threads. Regression: with one
/// package in two python roots, which root's file answered `from pkg import N` depended on
/// which thread merged first (10 of 20 runs with `-j 2` disagreed). Every case, many runs at
/// several thread counts, byte for byte.
#[test]
fn output_is_identical_whatever_the_thread_count_and_the_run() {
    let cases = common::fixture("cases");
    let mut names: Vec<_> = std::fs::read_dir(&cases)
        .expect("cases")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    names.sort();
    for case in names {
        // The layouts where several files claim one module name are run most.
        let runs = if ["two-roots", "per-service-tests", "module-beside-package"]
            .iter()
            .any(|name| case.ends_with(name))
        {
            10
        } else {
            2
        };
        let mut first: Option<Vec<u8>> = None;
        for threads in ["1", "2", "3", "8"] {
            for _ in 0..runs {
                let output = common::importgate(
                    &case,
                    &[
                        "check",
                        "--output-format",
                        "json-lines",
                        "--no-cache",
                        "-j",
                        threads,
                    ],
                )
                .output()
                .expect("runs");
                match &first {
                    None => first = Some(output.stdout),
                    Some(expected) => assert!(
                        *expected == output.stdout,
                        "{}: -j {threads} gave\n{}\ninstead of\n{}",
                        case.display(),
                        String::from_utf8_lossy(&output.stdout),
                        String::from_utf8_lossy(expected)
                    ),
                }
            }
        }
    }
}

/// The tree that made the thread race visible: one package in two roots, the later root's
/// copy binding the imported name, and hundreds of importers on both sides of it in walk
/// order. Python loads `a_root/pkg`, so every import is an IG021 — in every run.
#[test]
fn a_package_in_two_roots_resolves_the_same_in_every_run() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let root = scratch.path();
    let write = |relative: &str, text: &str| {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    write(
        "rules.toml",
        "version = 1\n[project]\npython-roots = [\"a_root\", \"b_root\"]\n",
    );
    write("a_root/pkg/__init__.py", "FROM_FIRST = 1\n");
    write("b_root/pkg/__init__.py", "FROM_SECOND = 2\n");
    write("a_root/app/__init__.py", "");
    write("b_root/zapp/__init__.py", "");
    for n in 0..300 {
        write(
            &format!("a_root/app/m{n}.py"),
            "from pkg import FROM_SECOND\n",
        );
        write(
            &format!("b_root/zapp/m{n}.py"),
            "from pkg import FROM_SECOND\n",
        );
    }
    let run = |threads: &str| {
        common::importgate(
            root,
            &["check", "--output-format", "json-lines", "-j", threads],
        )
        .output()
        .expect("runs")
        .stdout
    };
    let expected = run("1");
    let missing = String::from_utf8_lossy(&expected)
        .lines()
        .filter(|line| line.contains("\"IG021\""))
        .count();
    assert_eq!(missing, 600, "every import of FROM_SECOND misses");
    for threads in ["2", "2", "2", "2", "2", "2", "2", "2", "2", "2", "4", "8"] {
        assert!(run(threads) == expected, "-j {threads} differs");
    }
}

fn is_graph_check(diagnostic: &serde_json::Value) -> bool {
    ["IG002", "IG030", "IG031", "IG032"].contains(&diagnostic["code"].as_str().unwrap_or(""))
}

fn diagnostics_by_path(case: &std::path::Path, paths: &[&str]) -> Vec<serde_json::Value> {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend(paths);
    let output = common::importgate(case, &args).output().expect("runs");
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    document["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// The source files of a case: Python and Rust.
fn walk_python_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)
        .expect("readable")
        .filter_map(Result::ok)
    {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk_python_files(&path));
        } else if path
            .extension()
            .is_some_and(|ext| ext == "py" || ext == "rs")
        {
            files.push(path);
        }
    }
    files
}

/// A run on PATHS reads the other files' imports from `.importgate_cache`: cold, warm, after
/// an edit that removes a cycle and after one that adds a chain, it must report what a run
/// without the cache reports.
#[test]
fn the_import_cache_never_changes_what_a_paths_run_reports() {
    let scratch = tempfile::tempdir().expect("tempdir");
    let case = scratch.path();
    common::copy(&common::fixture("cases/import-graph"), case);
    let check = |path: &str, cache: bool| {
        let mut args = vec!["check", "--output-format", "json", path];
        if !cache {
            args.push("--no-cache");
        }
        let output = common::importgate(case, &args).output().expect("runs");
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        document["diagnostics"].clone()
    };
    let codes = |diagnostics: &serde_json::Value| -> Vec<String> {
        diagnostics
            .as_array()
            .expect("a list")
            .iter()
            .map(|d| d["code"].as_str().expect("a code").to_string())
            .collect()
    };
    let cold = check("auth/internal/tokens.py", true);
    assert!(case.join(".importgate_cache/.gitignore").exists());
    assert!(
        codes(&cold).contains(&"IG030".to_string()),
        "the service cycle"
    );
    assert_eq!(check("auth/internal/tokens.py", true), cold, "warm");
    assert_eq!(check("auth/internal/tokens.py", false), cold, "no cache");

    // pay no longer imports auth: the cycle is gone, although pay/ledger.py is not given.
    std::fs::write(case.join("pay/ledger.py"), "def charge():\n    return 1\n").expect("edit");
    let after = check("auth/internal/tokens.py", true);
    assert!(!codes(&after).contains(&"IG030".to_string()), "{after:#}");
    assert_eq!(after, check("auth/internal/tokens.py", false));

    // The import back: the cycle is found again from the cache's fresh entry.
    std::fs::write(case.join("pay/ledger.py"), "from auth.api import login\n").expect("edit");
    let again = check("auth/internal/tokens.py", true);
    assert!(codes(&again).contains(&"IG030".to_string()), "{again:#}");
    assert_eq!(again, check("auth/internal/tokens.py", false));
    assert_eq!(again, check("auth/internal/tokens.py", true), "warm again");

    // An unchanged file (its time trusted) whose import resolves differently once the tree
    // gains a module: `from auth import newmod` is an edge to `auth`, then to `auth.newmod`.
    let ledger = case.join("pay/ledger.py");
    std::fs::write(&ledger, "from auth import newmod\n").expect("edit");
    std::fs::File::options()
        .write(true)
        .open(&ledger)
        .and_then(|file| {
            file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(60))
        })
        .expect("an old time");
    let before = check("auth/internal/tokens.py", true);
    assert_eq!(
        before,
        check("auth/internal/tokens.py", true),
        "cached edges"
    );
    assert_eq!(before, check("auth/internal/tokens.py", false));
    std::fs::write(case.join("auth/newmod.py"), "x = 1\n").expect("a new module");
    let after = check("auth/internal/tokens.py", true);
    assert_eq!(after, check("auth/internal/tokens.py", false));
    let messages = |diagnostics: &serde_json::Value| diagnostics.to_string();
    assert!(!messages(&before).contains("auth.newmod"), "{before:#}");
    assert!(messages(&after).contains("auth.newmod"), "{after:#}");
}
