//! `importgate init` on differently shaped trees (`tests/fixtures/init/<shape>`): the
//! registry it writes is snapshotted, `importgate check` accepts the tree with it (exit 0),
//! and a new import between services is then caught.

mod common;

use common::{copy, importgate, stable_settings};
use std::path::Path;

fn copy_of(shape: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&common::fixture(&format!("init/{shape}")), dir.path());
    dir
}

fn run(cwd: &Path, args: &[&str]) -> std::process::Output {
    importgate(cwd, args).output().expect("importgate runs")
}

#[test]
fn init_writes_a_registry_that_holds_on_every_shape_of_tree() {
    for shape in ["flat", "src-layout", "per-service"] {
        let dir = copy_of(shape);
        let init = run(dir.path(), &["init"]);
        assert!(init.status.success(), "{shape}: {init:?}");
        let registry = std::fs::read_to_string(dir.path().join("rules.toml")).expect("written");
        stable_settings().bind(|| {
            insta::assert_snapshot!(format!("init_{shape}"), registry);
        });
        let check = run(dir.path(), &["check", "--output-format", "concise"]);
        assert_eq!(
            check.status.code(),
            Some(0),
            "{shape}: {}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
}

/// The boundaries stop new dependencies: an import between two services that did not
/// import each other when the registry was written is an IG001.
#[test]
fn a_new_import_between_services_is_caught_after_init() {
    let dir = copy_of("per-service");
    assert!(run(dir.path(), &["init"]).status.success());
    std::fs::write(
        dir.path().join("services/orders/orders/api.py"),
        "from common.money import AMOUNT\nfrom billing_core import invoice\n",
    )
    .expect("write");
    let check = run(dir.path(), &["check", "--output-format", "concise"]);
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(check.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "IG001 [orders-boundary] `orders` must not import `invoice` from `billing_core`"
        ),
        "{stdout}"
    );
}

/// init never overwrites a registry: neither a rules.toml nor a pyproject.toml that has
/// `[tool.importgate]`.
#[test]
fn init_never_overwrites_a_registry() {
    let dir = copy_of("flat");
    std::fs::write(dir.path().join("rules.toml"), "# mine\n").expect("write");
    let refused = run(dir.path(), &["init"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds a registry"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules.toml")).expect("read"),
        "# mine\n"
    );

    let dir = copy_of("flat");
    let pyproject = "[project]\nname = \"flat\"\n\n[tool.importgate.settings]\nexclude = []\n";
    std::fs::write(dir.path().join("pyproject.toml"), pyproject).expect("write");
    let refused = run(dir.path(), &["init", "--pyproject"]);
    assert_eq!(refused.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("pyproject.toml")).expect("read"),
        pyproject
    );
    assert!(!dir.path().join("rules.toml").exists());
}

/// `--pyproject` adds `[tool.importgate]` to the project's pyproject.toml and leaves the
/// rest of it as it was; `check` then finds the registry there.
#[test]
fn init_pyproject_adds_the_registry_to_pyproject_toml() {
    let dir = copy_of("src-layout");
    let before =
        "[project]\nname = \"shop\"\nversion = \"1.0\"\n\n[tool.ruff]\nline-length = 100\n";
    std::fs::write(dir.path().join("pyproject.toml"), before).expect("write");
    let init = run(dir.path(), &["init", "--pyproject"]);
    assert!(init.status.success(), "{init:?}");
    let after = std::fs::read_to_string(dir.path().join("pyproject.toml")).expect("read");
    assert!(after.starts_with(before), "{after}");
    assert!(after.contains("[tool.importgate.settings]\n"), "{after}");
    assert!(after.contains("[[tool.importgate.boundary]]\n"), "{after}");
    assert!(!dir.path().join("rules.toml").exists());
    let check = run(dir.path(), &["check", "--output-format", "concise"]);
    assert_eq!(check.status.code(), Some(0), "{check:?}");
}

/// `--baseline` records what the other checks find today, so that `check` passes at once.
#[test]
fn init_baseline_records_the_other_findings() {
    let dir = copy_of("flat");
    std::fs::write(
        dir.path().join("orders/broken.py"),
        "import users.missing_module\n",
    )
    .expect("write");
    let without = run(dir.path(), &["init"]);
    assert!(without.status.success());
    assert!(
        String::from_utf8_lossy(&without.stderr).contains("finds 1 error"),
        "{without:?}"
    );
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(1));

    std::fs::remove_file(dir.path().join("rules.toml")).expect("remove");
    let with = run(dir.path(), &["init", "--baseline"]);
    assert!(with.status.success(), "{with:?}");
    assert!(dir.path().join("importgate-baseline.json").exists());
    assert_eq!(run(dir.path(), &["check"]).status.code(), Some(0));
}

/// A registry whose python roots miss the tree's packages gets one clear hint first, with
/// the roots the layout suggests, instead of silence or a flood.
#[test]
fn wrong_python_roots_get_one_hint_with_the_roots_to_set() {
    let dir = copy_of("per-service");
    std::fs::write(dir.path().join("rules.toml"), "").expect("write");
    let check = run(dir.path(), &["check", "--output-format", "concise"]);
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert_eq!(
        stderr.trim_end(),
        "warning: most first-party imports do not resolve (5 imports of packages of the tree \
         that the python roots do not reach (common, orders, billing_core), taken for \
         third-party ones; 0 resolve): set `python-roots` in [settings], probably to \
         [\"libs\", \"services/billing/src\", \"services/orders\"]"
    );
    // With the roots it suggests, there is no hint.
    std::fs::write(
        dir.path().join("rules.toml"),
        "[settings]\npython-roots = [\"libs\", \"services/billing/src\", \"services/orders\"]\n",
    )
    .expect("write");
    let check = run(dir.path(), &["check", "--output-format", "concise"]);
    assert!(check.stderr.is_empty(), "{check:?}");
    assert_eq!(check.status.code(), Some(0));
}
