//! Fixture trees: every folder of `tests/fixtures/cases` with its own rules.toml is checked,
//! and its concise and JSON reports are snapshotted. A new case is a new folder.

mod common;

use common::{stable_settings, transcript};

#[test]
fn every_case_matches_its_snapshot() {
    let settings = stable_settings();
    settings.bind(|| {
        insta::glob!("fixtures/cases/*/rules.toml", |rules| {
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
