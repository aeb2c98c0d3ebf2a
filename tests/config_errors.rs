//! Registry errors: each folder of `tests/fixtures/config` holds a broken rules.toml; the
//! rendered errors (every one, with a label on the offending key or value) and exit code 2
//! are snapshotted.

mod common;

use common::{stable_settings, transcript};
use importgate::config::{Config, LoadError};

#[test]
fn every_broken_registry_is_reported_with_labels() {
    stable_settings().bind(|| {
        insta::glob!("fixtures/config/*/{rules,pyproject}.toml", |rules| {
            let case = rules.parent().expect("a case folder");
            insta::assert_snapshot!(transcript(case, &["check"]));
        });
    });
}

#[test]
fn all_errors_are_collected_before_failing() {
    let path = common::fixture("config/many-errors/rules.toml");
    let Err(LoadError::Invalid(errors)) = Config::load(&path) else {
        panic!("many-errors must not load");
    };
    let messages: Vec<&str> = errors
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "unsupported registry version 2",
            "the governed root `does-not-exist` is not a directory",
            "unknown key `services` in the top level",
            "[[boundary]] is missing the required key `id`",
            "invalid module pattern `a..b`",
            "invalid module pattern `c-d`",
            "`tests` must be one of \"allow\", \"warn\", \"error\"",
            "`scope` must be one of \"all\", \"production\", \"tests\"",
        ]
    );
}

#[test]
fn the_reference_registry_is_valid() {
    let config = Config::load(&common::repo_root().join("rules.toml")).expect("rules.toml loads");
    assert_eq!(config.boundaries.len(), 3);
    assert_eq!(config.banned.len(), 4);
    assert!(config.root.ends_with("fixtures/monorepo"));
}

/// A registry comes with the pull request: it cannot point the baseline (which
/// `--prune-baseline` rewrites) at a file elsewhere on the machine.
#[test]
fn a_baseline_outside_the_root_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rules.toml");
    for (baseline, accepted) in [
        ("/etc/passwd", false),
        ("../outside.json", false),
        ("sub/../../outside.json", false),
        ("ci/importgate-baseline.json", true),
    ] {
        let text = format!("[project]\nbaseline = \"{baseline}\"\n");
        let result = Config::from_text(&path, text);
        assert_eq!(result.is_ok(), accepted, "{baseline}");
        if let Err(LoadError::Invalid(errors)) = result {
            assert!(errors.errors[0]
                .message
                .contains("`baseline` must be a file next to"));
        }
    }
}
