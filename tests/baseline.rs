//! The baseline round trip on a copy of `tests/fixtures/baseline`: record the violations,
//! check (nothing new), add one (exactly it is reported, though every line moved), fix one
//! (its entry is stale, IG903), prune, and the CI guard that never creates or grows it.

mod common;

use common::{copy, importgate, stable_settings, transcript};
use std::fs;
use std::path::Path;

fn fresh_tree() -> tempfile::TempDir {
    let tree = tempfile::tempdir().expect("tempdir");
    copy(&common::fixture("baseline"), tree.path());
    tree
}

fn concise(tree: &Path, extra: &[&str]) -> String {
    let mut args = vec!["check", "--output-format", "concise"];
    args.extend_from_slice(extra);
    transcript(tree, &args)
}

#[test]
fn baseline_round_trip() {
    let tree = fresh_tree();
    let root = tree.path();
    let settings = stable_settings();
    settings.bind(|| {
        insta::assert_snapshot!("baseline_written", transcript(root, &["baseline"]));
        insta::assert_snapshot!(
            "baseline_file",
            fs::read_to_string(root.join("importgate-baseline.json")).expect("written")
        );
        insta::assert_snapshot!("baseline_nothing_new", concise(root, &[]));

        // One new violation, and every old one moves down three lines: only the new one
        // is reported.
        let orders = fs::read_to_string(root.join("app/orders.py")).expect("read");
        fs::write(
            root.join("app/orders.py"),
            format!("\"\"\"Orders.\"\"\"\n\nfrom billing.internal import refund\n{orders}"),
        )
        .expect("write");
        insta::assert_snapshot!("baseline_one_new", concise(root, &[]));
        fs::write(root.join("app/orders.py"), &orders).expect("write");

        // One fixed: its entry is stale (a warning, so the run passes).
        fs::write(root.join("app/cache.py"), "import json\n").expect("write");
        insta::assert_snapshot!("baseline_one_stale", concise(root, &[]));
        // A run on other files does not call the entries of unchecked files stale.
        insta::assert_snapshot!(
            "baseline_stale_out_of_scope",
            concise(root, &["app/orders.py"])
        );

        insta::assert_snapshot!("baseline_pruned", concise(root, &["--prune-baseline"]));
        insta::assert_snapshot!("baseline_after_pruning", concise(root, &[]));
        insta::assert_snapshot!("baseline_ignored", concise(root, &["--no-baseline"]));
    });
    let pruned = fs::read_to_string(root.join("importgate-baseline.json")).expect("read");
    assert!(!pruned.contains("app/cache.py"), "{pruned}");
    assert!(pruned.contains("app/orders.py"), "{pruned}");
}

#[test]
fn ci_never_creates_or_grows_the_baseline() {
    let tree = fresh_tree();
    let root = tree.path();
    let in_ci = |args: &[&str]| {
        let output = importgate(root, args)
            .env("CI", "true")
            .output()
            .expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = in_ci(&["baseline"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("refusing to create the baseline"),
        "{stderr}"
    );
    assert!(!root.join("importgate-baseline.json").exists());
    // `check` in CI with no baseline reports everything and writes nothing.
    let (code, _) = in_ci(&["check"]);
    assert_eq!(code, Some(1));
    assert!(!root.join("importgate-baseline.json").exists());

    assert_eq!(
        importgate(root, &["baseline"])
            .output()
            .expect("runs")
            .status
            .code(),
        Some(0)
    );
    let recorded = fs::read_to_string(root.join("importgate-baseline.json")).expect("read");
    fs::write(root.join("app/extra.py"), "import pickle\n").expect("write");
    let (code, stderr) = in_ci(&["baseline"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("refusing to grow the baseline"), "{stderr}");
    assert_eq!(
        fs::read_to_string(root.join("importgate-baseline.json")).expect("read"),
        recorded
    );
    // Shrinking is fine in CI.
    fs::remove_file(root.join("app/extra.py")).expect("remove");
    fs::write(root.join("app/cache.py"), "import json\n").expect("write");
    let (code, stderr) = in_ci(&["baseline"]);
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn the_baseline_path_comes_from_the_flag_or_the_registry() {
    let tree = fresh_tree();
    let root = tree.path();
    let registry = fs::read_to_string(root.join("rules.toml")).expect("read");
    fs::write(
        root.join("rules.toml"),
        format!("[project]\nbaseline = \"ci/known.json\"\n{registry}"),
    )
    .expect("write");
    fs::create_dir(root.join("ci")).expect("mkdir");
    let run = |args: &[&str]| importgate(root, args).output().expect("runs");
    assert_eq!(run(&["baseline"]).status.code(), Some(0));
    assert!(root.join("ci/known.json").is_file());
    assert_eq!(run(&["check"]).status.code(), Some(0));
    assert_eq!(
        run(&["baseline", "--baseline", "other.json"]).status.code(),
        Some(0)
    );
    assert!(root.join("other.json").is_file());
    // --config works with `baseline` from anywhere.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let config = root.join("rules.toml");
    let output = importgate(
        elsewhere.path(),
        &["baseline", "--config", config.to_str().expect("utf-8")],
    )
    .output()
    .expect("runs");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn a_broken_baseline_is_a_clear_error() {
    let tree = fresh_tree();
    fs::write(
        tree.path().join("importgate-baseline.json"),
        "{\n  \"version\": 1,\n  \"entries\": [ { \"path\": 3 } ]\n}\n",
    )
    .expect("write");
    stable_settings().bind(|| insta::assert_snapshot!(concise(tree.path(), &[])));
}
