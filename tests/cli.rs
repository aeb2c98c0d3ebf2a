//! The binary as users and CI scripts run it: every output format on the demo monorepo,
//! exit codes, stderr, and the pre-commit form with explicit paths.

mod common;

use common::{importgate, repo_root, stable_settings, transcript};
use std::fs;

fn demo(args: &[&str]) -> String {
    transcript(&repo_root(), args)
}

#[test]
fn demo_full_report() {
    stable_settings().bind(|| insta::assert_snapshot!(demo(&["check"])));
}

#[test]
fn demo_concise_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "concise"])));
}

#[test]
fn demo_json_report() {
    stable_settings().bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "json"])));
}

#[test]
fn demo_github_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "github"])));
}

#[test]
fn demo_markdown_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "markdown"])));
}

/// A short report shows each file's findings open; a clean one says so.
#[test]
fn markdown_report_of_a_few_files_and_of_none() {
    stable_settings().bind(|| {
        insta::assert_snapshot!(demo(&[
            "check",
            "--output-format",
            "markdown",
            "fixtures/monorepo/auth_service",
            "fixtures/monorepo/analytics_service/pipeline/ingest.py"
        ]));
        insta::assert_snapshot!(demo(&[
            "check",
            "--output-format",
            "markdown",
            "fixtures/monorepo/auth_service/auth_core/__init__.py"
        ]));
    });
}

#[test]
fn explicit_paths_report_only_those_files() {
    stable_settings().bind(|| {
        insta::assert_snapshot!(demo(&[
            "check",
            "--output-format",
            "concise",
            "fixtures/monorepo/netra_backend/app/config.py",
            "fixtures/monorepo/shared",
        ]))
    });
}

/// pre-commit passes every staged file: those the registry does not check are skipped
/// silently, and listed with `--verbose` (which also names the registry).
#[test]
fn excluded_and_non_python_paths_are_skipped_silently_and_listed_with_verbose() {
    let paths = [
        "fixtures/monorepo/backups/old_agent.py",
        "fixtures/monorepo/.gitignore",
    ];
    stable_settings().bind(|| {
        let quiet = demo(&[&["check", "--output-format", "concise"][..], &paths].concat());
        assert!(quiet.ends_with("----- stderr -----\n"), "{quiet}");
        // Without the cache: with it, `--verbose` also says whether the report was replayed,
        // which depends on the runs before.
        insta::assert_snapshot!(demo(
            &[
                &[
                    "check",
                    "--output-format",
                    "concise",
                    "--verbose",
                    "--no-cache"
                ][..],
                &paths
            ]
            .concat()
        ))
    });
}

/// pre-commit passes the files over several runs and prints every run's output: under it
/// (`PRE_COMMIT=1`), each run ends with one summary line, and a clean run prints nothing.
#[test]
fn under_pre_commit_each_run_prints_a_one_line_summary() {
    let run = |paths: &[&str]| {
        let output = importgate(&repo_root(), &[&["check"][..], paths].concat())
            .env("PRE_COMMIT", "1")
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, stdout) = run(&["fixtures/monorepo/auth_service"]);
    assert_eq!(code, Some(1));
    let (diagnostics, summary) = stdout.trim_end().rsplit_once('\n').expect("two parts");
    assert_eq!(
        summary,
        "Found 1 error and 0 warnings in 1 file; 1 fixable with `importgate check --fix`."
    );
    assert!(
        diagnostics
            .trim_end()
            .ends_with("help: write `from auth_service.auth_core.core.token import TokenPayload`"),
        "{stdout}"
    );
    assert!(!stdout.contains("Checked"), "{stdout}");
    let (code, stdout) = run(&["fixtures/monorepo/auth_service/auth_core/__init__.py"]);
    assert_eq!((code, stdout.as_str()), (Some(0), ""));
}

/// A path at or above the governed root (the demo's root is fixtures/monorepo; `.` is the
/// repository) selects the whole tree: the report is the full run's.
#[test]
fn a_path_above_the_root_selects_the_whole_tree() {
    let report = |args: &[&str]| {
        let output = importgate(&repo_root(), args).output().expect("runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| !line.starts_with("Checked"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let full = report(&["check", "--output-format", "concise"]);
    assert!(full.contains("IG001"));
    assert_eq!(report(&["check", "--output-format", "concise", "."]), full);
    assert_eq!(
        report(&["check", "--output-format", "concise", "fixtures/monorepo"]),
        full
    );
}

#[test]
fn a_missing_path_is_a_usage_error() {
    stable_settings().bind(|| insta::assert_snapshot!(demo(&["check", "no/such/file.py"])));
}

#[test]
fn exit_zero_keeps_the_report_but_exits_0() {
    let output = importgate(
        &repo_root(),
        &["check", "--exit-zero", "--output-format", "concise"],
    )
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("IG001"));
}

#[test]
fn no_registry_found_is_exit_2() {
    let empty = tempfile::tempdir().expect("tempdir");
    let output = importgate(empty.path(), &["check"]).output().expect("runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no rules.toml (or pyproject.toml with [tool.importgate]) found"),
        "{stderr}"
    );
}

#[test]
fn config_flag_reads_another_registry() {
    let case = common::fixture("cases/src-layout");
    stable_settings().bind(|| {
        insta::assert_snapshot!(demo(&[
            "check",
            "--output-format",
            "concise",
            "--config",
            case.join("rules.toml").to_str().expect("utf-8 path"),
        ]))
    });
}

#[test]
fn a_clean_tree_exits_0() {
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n",
    )
    .expect("write");
    fs::write(tree.path().join("ok.py"), "import json\n").expect("write");
    stable_settings().bind(|| insta::assert_snapshot!(transcript(tree.path(), &["check"])));
}

#[test]
fn output_file_receives_the_report() {
    let tree = tempfile::tempdir().expect("tempdir");
    let report = tree.path().join("report.json");
    let output = importgate(
        &repo_root(),
        &[
            "check",
            "--output-format",
            "json",
            "-o",
            report.to_str().expect("utf-8 path"),
        ],
    )
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(&report).expect("report written")).expect("valid JSON");
    assert_eq!(json["version"], 1);
    assert!(json["summary"]["errors"]
        .as_u64()
        .is_some_and(|errors| errors > 0));
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let run = |threads: &str| {
        importgate(
            &repo_root(),
            &["check", "--output-format", "concise", "-j", threads],
        )
        .output()
        .expect("runs")
        .stdout
    };
    let strip_time = |bytes: Vec<u8>| {
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|line| !line.starts_with("Checked "))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let one = strip_time(run("1"));
    assert_eq!(one, strip_time(run("2")));
    assert_eq!(one, strip_time(run("8")));
}

#[test]
fn symlink_loops_do_not_trap_the_walk() {
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n",
    )
    .expect("write");
    fs::create_dir(tree.path().join("pkg")).expect("mkdir");
    fs::write(tree.path().join("pkg/a.py"), "import pickle\n").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(tree.path(), tree.path().join("pkg/loop")).expect("symlink");
        std::os::unix::fs::symlink(tree.path().join("pkg/a.py"), tree.path().join("linked.py"))
            .expect("symlink");
    }
    stable_settings().bind(|| {
        insta::assert_snapshot!(transcript(
            tree.path(),
            &["check", "--output-format", "concise"]
        ))
    });
}

#[test]
fn explain_prints_the_checks_documentation() {
    stable_settings().bind(|| {
        insta::assert_snapshot!(demo(&["explain", "IG001"]));
        insta::assert_snapshot!("explain_by_name", demo(&["explain", "banned-api"]));
        insta::assert_snapshot!("explain_list", demo(&["explain"]));
        insta::assert_snapshot!("explain_unknown", demo(&["explain", "IG999"]));
    });
}

#[test]
fn usage_errors_exit_2() {
    let output = importgate(&repo_root(), &["check", "--output-format", "xml"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn windows_style_and_non_utf8_file_names_are_checked() {
    use std::os::unix::ffi::OsStrExt;
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n",
    )
    .expect("write");
    fs::write(tree.path().join("C:\\tools\\legacy.py"), "import pickle\n").expect("write");
    let latin1_name = std::ffi::OsStr::from_bytes(b"caf\xe9.py");
    fs::write(tree.path().join(latin1_name), "import pickle\n").expect("write");
    stable_settings().bind(|| {
        insta::assert_snapshot!(transcript(
            tree.path(),
            &["check", "--output-format", "concise"]
        ))
    });
}

#[test]
fn a_ten_megabyte_generated_file_is_checked_to_its_end() {
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n",
    )
    .expect("write");
    let mut generated = String::with_capacity(10 * 1024 * 1024 + 64);
    let mut line = 0;
    while generated.len() < 10 * 1024 * 1024 {
        generated.push_str(&format!(
            "CONSTANT_{line} = {{'key': [{line}, {line}.5, 'value']}}\n"
        ));
        line += 1;
    }
    generated.push_str("import pickle\n");
    fs::write(tree.path().join("generated.py"), &generated).expect("write");
    let output = importgate(tree.path(), &["check", "--output-format", "concise"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.starts_with(&format!("generated.py:{}:8: IG003", line + 1)),
        "{stdout}"
    );
}

#[test]
fn strict_guarded_reports_optional_imports_as_warnings() {
    let case = common::fixture("cases/missing-names");
    stable_settings().bind(|| {
        insta::assert_snapshot!(transcript(
            &case,
            &["check", "--output-format", "concise", "--strict-guarded"]
        ))
    });
}

#[test]
fn audit_duplicates_lists_every_public_name_defined_twice() {
    let case = common::fixture("cases/ssot-registry");
    stable_settings().bind(|| {
        insta::assert_snapshot!(
            "audit_duplicates_text",
            transcript(&case, &["audit", "duplicates"])
        );
        insta::assert_snapshot!(
            "audit_duplicates_json",
            transcript(&case, &["audit", "duplicates", "--format", "json"])
        );
    });
}

#[test]
fn demo_json_lines_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "json-lines"])));
}

#[test]
fn demo_gitlab_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "gitlab"])));
}

#[test]
fn gitlab_and_sarif_fingerprints_survive_line_moves_and_tell_twins_apart() {
    let tree = tempfile::tempdir().expect("tempdir");
    fs::write(
        tree.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n",
    )
    .expect("write");
    let fingerprints = |source: &str| -> Vec<String> {
        fs::write(tree.path().join("tool.py"), source).expect("write");
        let output = importgate(tree.path(), &["check", "--output-format", "gitlab"])
            .output()
            .expect("runs");
        let issues: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        issues
            .as_array()
            .expect("an array")
            .iter()
            .map(|issue| {
                issue["fingerprint"]
                    .as_str()
                    .expect("a fingerprint")
                    .to_string()
            })
            .collect()
    };
    let sarif_fingerprints = || -> Vec<String> {
        let output = importgate(tree.path(), &["check", "--output-format", "sarif"])
            .output()
            .expect("runs");
        let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        document["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                result["partialFingerprints"]["importgate/v1"]
                    .as_str()
                    .expect("a fingerprint")
                    .to_string()
            })
            .collect()
    };
    let before = fingerprints("import pickle\nimport pickle as p\n");
    let after = fingerprints("\n\n# moved down\nimport pickle\nimport pickle as p\n");
    assert_eq!(before, after);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0], before[1]);
    // SARIF's partialFingerprints are the same fingerprints.
    assert_eq!(sarif_fingerprints(), after);
}

#[test]
fn demo_sarif_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "sarif"])));
}

#[test]
fn demo_junit_report() {
    stable_settings()
        .bind(|| insta::assert_snapshot!(demo(&["check", "--output-format", "junit"])));
}

/// The OASIS SARIF 2.1.0 schema as a validator.
fn sarif_validator() -> jsonschema::Validator {
    // The official schema's `language` patterns have a lone `]`, which ECMA-262 (Annex B)
    // reads as a literal but this crate's meta-schema check rejects as a regex: escaping it
    // keeps the meaning. The copy on disk stays the official file.
    let official =
        fs::read_to_string(common::repo_root().join("tests/schemas/sarif-schema-2.1.0.json"))
            .expect("the schema is in the repository");
    let lone_bracket = r#"[a-zA-Z]{2}]?$"#;
    assert_eq!(official.matches(lone_bracket).count(), 2);
    let schema: serde_json::Value =
        serde_json::from_str(&official.replace(lone_bracket, r#"[a-zA-Z]{2}\\]?$"#))
            .expect("the schema is JSON");
    jsonschema::draft7::options()
        .build(&schema)
        .expect("a valid draft-07 schema")
}

/// In a git repository whose rules.toml is in a subdirectory, SARIF URIs and `github`
/// annotation paths are relative to the repository's top level (`%SRCROOT%` is set to it),
/// whatever the working directory; each registry rule is a SARIF rule of its own
/// (`IG003/no-pickle`), related to its check, which has its summary as full description and
/// its README row as `helpUri`; the document still conforms to the schema.
#[test]
fn sarif_and_github_paths_are_relative_to_the_repository_and_rules_are_sarif_rules() {
    let repository = tempfile::tempdir().expect("tempdir");
    common::write_files(
        repository.path(),
        &[
            (".git/HEAD", "ref: refs/heads/main\n".to_string()),
            (
                "backend/rules.toml",
                "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\n".to_string(),
            ),
            (
                "backend/app/store.py",
                "import pickle\nfrom . import x\n".to_string(),
            ),
            ("backend/app/__init__.py", String::new()),
        ],
    );
    let run = |cwd: &std::path::Path, format: &str| {
        let config = repository.path().join("backend/rules.toml");
        let output = importgate(
            cwd,
            &[
                "check",
                "--config",
                config.to_str().expect("utf-8"),
                "--output-format",
                format,
            ],
        )
        .output()
        .expect("runs");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    for cwd in [
        repository.path().to_path_buf(),
        repository.path().join("backend/app"),
    ] {
        let github = run(&cwd, "github");
        assert!(
            github.contains("::error file=backend/app/store.py,line=1,"),
            "{github}"
        );
        let document: serde_json::Value =
            serde_json::from_str(&run(&cwd, "sarif")).expect("SARIF is JSON");
        let errors: Vec<String> = sarif_validator()
            .iter_errors(&document)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        let run = &document["runs"][0];
        let top = format!(
            "file://{}/",
            std::fs::canonicalize(repository.path())
                .expect("path")
                .display()
        );
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], top.as_str());
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "IG003/no-pickle");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "backend/app/store.py"
        );
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let rule = &rules[result["ruleIndex"].as_u64().expect("index") as usize];
        assert_eq!(rule["id"], "IG003/no-pickle");
        assert_eq!(rule["properties"]["check"], "IG003");
        assert_eq!(rule["properties"]["registryRule"], "no-pickle");
        assert_eq!(rule["properties"]["registrySection"], "banned");
        let check = &rule["relationships"][0]["target"];
        assert_eq!(check["id"], "IG003");
        let check = &rules[check["index"].as_u64().expect("index") as usize];
        assert_eq!(check["id"], "IG003");
        assert_eq!(
            check["fullDescription"]["text"],
            "Use of a module or attribute that a `[[banned]]` entry bans"
        );
        assert!(check["helpUri"]
            .as_str()
            .expect("helpUri")
            .ends_with("/README.md#ig003"));
    }
}

/// The SARIF of the demo (which has fixes, hints, warnings and every kind of location) and
/// of a tree with an awkward file name conforms to the OASIS SARIF 2.1.0 schema.
#[test]
fn sarif_output_conforms_to_the_oasis_schema() {
    let validator = sarif_validator();
    let odd = tempfile::tempdir().expect("tempdir");
    fs::write(
        odd.path().join("rules.toml"),
        "[[banned]]\nid = \"no-pickle\"\napi = [\"pickle\"]\nhint = \"use <json> & \\\"friends\\\"\"\n",
    )
    .expect("write");
    fs::write(odd.path().join("my tool ü.py"), "import pickle\n").expect("write");
    for cwd in [repo_root(), odd.path().to_path_buf()] {
        let output = importgate(&cwd, &["check", "--output-format", "sarif"])
            .output()
            .expect("runs");
        let document: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&document)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}", errors.join("\n"));
        assert!(!document["runs"][0]["results"]
            .as_array()
            .expect("results")
            .is_empty());
        // The validator does reject a document that breaks the schema.
        let mut broken = document.clone();
        broken["runs"][0]["results"][0]["level"] = serde_json::json!("fatal");
        assert!(!validator.is_valid(&broken));
    }
}

/// `why`: a chain between services, a 5-hop chain between modules, no path (exit 1), and a
/// name that is nothing (exit 2); `--config` from another directory.
#[test]
fn why_prints_the_shortest_chain_or_no_path() {
    let case = common::fixture("cases/import-graph");
    let config = case.join("rules.toml");
    let config = config.to_str().expect("utf-8 path");
    let runs: Vec<String> = [
        vec!["why", "web", "auth"],
        vec!["why", "web.reports", "auth.internal.keys"],
        vec!["why", "auth", "web"],
        vec!["why", "nosuch", "web"],
    ]
    .into_iter()
    .map(|args| transcript(&case, &args))
    .chain(std::iter::once(transcript(
        &repo_root(),
        &["why", "--config", config, "lib.a", "lib.b"],
    )))
    .collect();
    stable_settings().bind(|| insta::assert_snapshot!(runs.join("\n")));
}

/// Regression: `why app app.db` found nothing (the start set held B's own modules, so no
/// chain could reach a new one), and a module that imports nothing was "no module" (exit 2).
#[test]
fn why_takes_overlapping_names_as_sets_and_modules_without_imports_as_modules() {
    let case = common::fixture("cases/why-overlap");
    let runs: Vec<String> = [
        vec!["why", "app", "app.db"],
        vec!["why", "app.lonely", "app.db"],
        vec!["why", "app.db", "app"],
    ]
    .into_iter()
    .map(|args| transcript(&case, &args))
    .collect();
    assert!(runs[0].starts_with("exit code: 0"), "{}", runs[0]);
    assert!(runs[1].starts_with("exit code: 1"), "{}", runs[1]);
    stable_settings().bind(|| insta::assert_snapshot!(runs.join("\n")));
}

/// `--select`, `--extend-select` and `--ignore` apply on top of `[checks]`, as ruff's flags
/// do; an unknown selector is a usage error naming it.
#[test]
fn command_line_selectors_apply_on_top_of_the_registry() {
    let case = common::fixture("cases/check-selection");
    stable_settings().bind(|| {
        insta::assert_snapshot!(
            "cli_selectors_select_afresh",
            transcript(
                &case,
                &[
                    "check",
                    "--output-format",
                    "concise",
                    "--select",
                    "IG0",
                    "--ignore",
                    "IG001,IG02",
                    "--extend-select",
                    "IG9"
                ]
            )
        );
        insta::assert_snapshot!(
            "cli_selectors_ignore_on_top",
            transcript(
                &case,
                &[
                    "check",
                    "--output-format",
                    "concise",
                    "--ignore",
                    "banned-api",
                    "--extend-select",
                    "IG004"
                ]
            )
        );
        insta::assert_snapshot!(
            "cli_selectors_unknown",
            transcript(&case, &["check", "--select", "IG001,forbiden-import"])
        );
    });
}

/// A check that is switched off leaves its baseline entries alone: they are neither matched
/// nor reported as stale (IG903), and turning the check back on finds them again.
#[test]
fn baseline_entries_of_a_switched_off_check_are_not_stale() {
    let dir = tempfile::tempdir().expect("tempdir");
    common::copy(&common::fixture("cases/check-selection"), dir.path());
    let recorded = importgate(dir.path(), &["baseline"])
        .output()
        .expect("baseline runs");
    assert!(recorded.status.success(), "{recorded:?}");
    let quiet = importgate(
        dir.path(),
        &[
            "check",
            "--output-format",
            "concise",
            "--ignore",
            "IG001,IG020",
        ],
    )
    .output()
    .expect("check runs");
    let stdout = String::from_utf8_lossy(&quiet.stdout);
    assert!(quiet.status.success(), "{stdout}");
    assert!(!stdout.contains("IG903"), "{stdout}");
    let pruned = importgate(
        dir.path(),
        &["check", "--ignore", "IG001", "--prune-baseline"],
    )
    .output()
    .expect("check runs");
    assert!(
        String::from_utf8_lossy(&pruned.stderr).contains("Pruned 0 stale violations"),
        "{pruned:?}"
    );
}

/// Discovery walks up from the working directory; in each directory rules.toml wins over
/// pyproject.toml, and a pyproject.toml without `[tool.importgate]` is passed over.
#[test]
fn the_registry_is_found_in_rules_toml_or_a_pyproject_with_tool_importgate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let banning = |id: &str, api: &str| format!("[[banned]]\nid = \"{id}\"\napi = [\"{api}\"]\n");
    common::write_files(
        dir.path(),
        &[
            ("rules.toml", banning("outer-rules", "pickle")),
            (
                "inner/pyproject.toml",
                "[project]\nname = \"inner\"\n[tool.ruff]\nline-length = 99\n".to_string(),
            ),
            ("inner/app/__init__.py", String::new()),
            (
                "inner/app/uses.py",
                "import pickle\nimport marshal\nimport shelve\n".to_string(),
            ),
            ("both/rules.toml", banning("both-rules", "marshal")),
            (
                "both/pyproject.toml",
                format!(
                    "[tool.importgate]\n{}",
                    banning("both-pyproject", "shelve")
                        .replace("[[banned]]", "[[tool.importgate.banned]]")
                ),
            ),
            (
                "both/uses.py",
                "import pickle\nimport marshal\nimport shelve\n".to_string(),
            ),
            (
                "near/pyproject.toml",
                banning("near-pyproject", "shelve")
                    .replace("[[banned]]", "[[tool.importgate.banned]]"),
            ),
            (
                "near/uses.py",
                "import pickle\nimport marshal\nimport shelve\n".to_string(),
            ),
        ],
    );
    let rules_fired = |cwd: &std::path::Path| {
        let output = importgate(cwd, &["check", "--output-format", "concise"])
            .output()
            .expect("check runs");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        [
            "outer-rules",
            "both-rules",
            "both-pyproject",
            "near-pyproject",
        ]
        .into_iter()
        .filter(|id| stdout.contains(&format!("[{id}]")))
        .collect::<Vec<_>>()
    };
    assert_eq!(rules_fired(&dir.path().join("inner/app")), ["outer-rules"]);
    assert_eq!(rules_fired(&dir.path().join("both")), ["both-rules"]);
    assert_eq!(rules_fired(&dir.path().join("near")), ["near-pyproject"]);

    let without_table = importgate(dir.path(), &["check", "--config", "inner/pyproject.toml"])
        .output()
        .expect("check runs");
    assert_eq!(without_table.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&without_table.stderr)
            .contains("pyproject.toml has no [tool.importgate] table"),
        "{without_table:?}"
    );
}

/// `[settings]` and its alias `[project]` mean the same, with no warning.
#[test]
fn settings_and_its_project_alias_read_the_same() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tree = |table: &str| {
        vec![
            (
                "rules.toml".to_string(),
                format!("[{table}]\nban-relative-imports = true\nexclude = [\"skipped/**\"]\n"),
            ),
            (
                "pkg/__init__.py".to_string(),
                "from . import mod\n".to_string(),
            ),
            ("pkg/mod.py".to_string(), String::new()),
            (
                "skipped/bad.py".to_string(),
                "from . import x\n".to_string(),
            ),
        ]
    };
    common::write_files(&dir.path().join("settings"), &tree("settings"));
    common::write_files(&dir.path().join("project"), &tree("project"));
    let run = |case: &str| {
        let output = importgate(
            &dir.path().join(case),
            &["check", "--output-format", "json"],
        )
        .output()
        .expect("check runs");
        assert!(output.stderr.is_empty(), "{output:?}");
        let mut report: serde_json::Value =
            serde_json::from_slice(&output.stdout).expect("a JSON report");
        report["summary"]["elapsed_ms"] = serde_json::Value::Null;
        report
    };
    let settings = run("settings");
    assert_eq!(settings, run("project"));
    assert_eq!(settings["summary"]["errors"], 1, "{settings}");
}

/// The import cache keeps resolved edges only while resolution is unchanged: turning
/// `[graph] external` on must not reuse edges cached without the outside packages.
/// Regression: the cache's fingerprint did not cover it.
#[test]
fn graph_external_invalidates_cached_edges() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = |external: bool| {
        format!(
            "[graph]\nexternal = {external}\n\n[[boundary]]\nid = \"no-http\"\nfrom = [\"app.domain\"]\nforbid = [\"requests\"]\ntransitive = true\n"
        )
    };
    common::write_files(
        dir.path(),
        &[
            ("rules.toml", rules(false)),
            ("app/__init__.py", String::new()),
            ("app/domain.py", "from app import http\n".to_string()),
            ("app/http.py", "import requests\n".to_string()),
        ],
    );
    let chains = || {
        let output = importgate(
            dir.path(),
            &["check", "--output-format", "concise", "app/domain.py"],
        )
        .output()
        .expect("check runs");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|line| line.starts_with("app/") && line.contains("IG002"))
            .count()
    };
    assert_eq!(chains(), 0);
    fs::write(dir.path().join("rules.toml"), rules(true)).expect("write rules.toml");
    assert_eq!(chains(), 1);
}

/// `--show-settings`: where the registry was read from, roots, services with their files,
/// which checks run, and every rule with its checks, a rule whose checks are all off said so.
#[test]
fn show_settings_prints_the_resolved_registry() {
    stable_settings().bind(|| {
        insta::assert_snapshot!(
            "show_settings_demo",
            demo(&["check", "--show-settings", "--ignore", "IG01"])
        );
        insta::assert_snapshot!(
            "show_settings_check_selection",
            transcript(
                &common::fixture("cases/check-selection"),
                &["check", "--show-settings"]
            )
        );
    });
}

/// `--show-files`: the files a run checks, with production/test and service.
#[test]
fn show_files_lists_the_checked_files() {
    stable_settings().bind(|| {
        insta::assert_snapshot!(demo(&["check", "--show-files"]));
    });
}

/// `--statistics`: counts per check (most first, fixable ones marked) and per rule, text or
/// JSON, with the run's exit code.
#[test]
fn statistics_count_per_check_and_rule() {
    stable_settings().bind(|| {
        insta::assert_snapshot!("statistics_text", demo(&["check", "--statistics"]));
        insta::assert_snapshot!(
            "statistics_json",
            demo(&["check", "--statistics", "--output-format", "json"])
        );
    });
}

/// `--quiet`: the diagnostics and nothing else.
#[test]
fn quiet_prints_only_the_diagnostics() {
    let quiet = demo(&["check", "--quiet", "--output-format", "concise"]);
    let full = demo(&["check", "--output-format", "concise"]);
    let diagnostics: Vec<&str> = full
        .lines()
        .filter(|line| line.starts_with("fixtures/"))
        .collect();
    let printed: Vec<&str> = quiet
        .split("----- stdout -----\n")
        .nth(1)
        .and_then(|rest| rest.split("----- stderr -----").next())
        .expect("stdout")
        .lines()
        .collect();
    assert_eq!(printed, diagnostics);
    assert!(quiet.starts_with("exit code: 1"), "{quiet}");
}

/// `importgate completions SHELL` prints a script for each shell clap_complete knows.
#[test]
fn completions_are_printed_for_every_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = importgate(&repo_root(), &["completions", shell])
            .output()
            .expect("runs");
        assert!(output.status.success(), "{shell}: {output:?}");
        let script = String::from_utf8_lossy(&output.stdout);
        for word in ["importgate", "check", "show-settings", "extend-select"] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
}
