//! The listing a walk leaves in the cache (`tree-v1.bin`) is used only while it is the
//! walk's answer: after each kind of change that alters what the walk finds, the listing is
//! not used, and once the change is old enough to trust, the new listing is used and equals
//! a fresh walk. (One test in its own binary: it sets `GIT_CONFIG_GLOBAL` for the process.)

use importgate::config::Config;
use importgate::discover::{discover, Discovery};
use importgate::tree_listing::discover_listed;
use importgate::tree_listing::{self, Previous};
use std::fs;
use std::path::PathBuf;
use std::time::Duration;

type Answer = (
    Vec<importgate::discover::Discovered>,
    Vec<String>,
    Vec<importgate::discover::WalkProblem>,
);

fn answer(discovery: Discovery) -> Answer {
    (discovery.files, discovery.extensions, discovery.problems)
}

fn relative_files(answer: &Answer) -> Vec<&str> {
    answer.0.iter().map(|file| file.relative.as_str()).collect()
}

struct Tree {
    outer: PathBuf,
    config: Config,
}

impl Tree {
    fn write(&self, relative: &str, text: &str) {
        let path = self.outer.join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn cache_dir(&self) -> PathBuf {
        self.config.cache_dir()
    }

    fn previous(&self) -> Previous {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| tree_listing::load(&self.config, &self.cache_dir()))
    }

    /// The listing's answer, if it is used without a walk.
    fn listed(&self) -> Option<Answer> {
        match self.previous() {
            Previous::Unchanged(discovery) => Some(answer(discovery)),
            Previous::Changed(_) | Previous::Unusable => None,
        }
    }

    /// What a run does: "unchanged" (no walk), "partial" (a walk down to the changed
    /// directories) or "full".
    fn kind_of_run(&self) -> &'static str {
        match self.previous() {
            Previous::Unchanged(_) => "unchanged",
            Previous::Changed(_) => "partial",
            Previous::Unusable => "full",
        }
    }

    fn run(&self) -> Answer {
        rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .unwrap()
            .install(|| answer(discover_listed(&self.config, 2, Some(&self.cache_dir()))))
    }

    fn walked(&self) -> Answer {
        answer(discover(&self.config, 2))
    }

    /// Waits until every stamp can be trusted, lets a run leave its listing, and checks
    /// that the next run uses it and gets the walk's answer.
    fn settle(&self) -> Answer {
        std::thread::sleep(Duration::from_millis(2_100));
        let by_run = self.run();
        let walked = self.walked();
        assert_eq!(by_run, walked);
        let listed = self.listed().expect("a settled tree's listing is used");
        assert_eq!(listed, walked);
        walked
    }

    /// After a change that alters the walk's answer, a run does what `kind` says and
    /// gets the walk's new answer (a stale listing is never used).
    fn changed(&self, before: &Answer, what: &str, kind: &str) -> Answer {
        let walked = self.walked();
        assert_ne!(&walked, before, "{what}: the change should alter the walk");
        assert_eq!(self.kind_of_run(), kind, "{what}");
        if let Some(listed) = self.listed() {
            assert_eq!(listed, walked, "{what}: a stale listing was used");
        }
        assert_eq!(self.run(), walked, "{what}: the run's answer");
        self.settle()
    }
}

#[test]
fn the_listing_is_used_only_while_it_is_the_walks_answer() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().canonicalize().unwrap().join("outer");
    let repo = outer.join("repo");
    fs::create_dir_all(repo.join(".git").join("info")).unwrap();
    let global_ignore = dir.path().join("global-ignore");
    fs::write(&global_ignore, "").unwrap();
    let git_config = dir.path().join("gitconfig");
    fs::write(
        &git_config,
        format!("[core]\n\texcludesFile = {}\n", global_ignore.display()),
    )
    .unwrap();
    // Safe: this binary's only test, set before any thread reads the environment.
    std::env::set_var("GIT_CONFIG_GLOBAL", &git_config);
    fs::write(repo.join("rules.toml"), "").unwrap();
    let tree = Tree {
        outer: outer.clone(),
        config: Config::load(&repo.join("rules.toml")).unwrap(),
    };
    tree.write(".gitignore", "# parent of the root\n");
    tree.write("repo/a/b/one.py", "");
    tree.write("repo/a/.gitignore", "skipped/\n");
    tree.write("repo/a/skipped/two.py", "");
    tree.write("repo/c/x.py", "");
    tree.write("repo/d/y.py", "");
    tree.write("repo/e/z.py", "");
    tree.write("repo/f/w.py", "");
    tree.write("repo/g/native.cpython-312-x86_64-linux-gnu.so", "");
    tree.write("outside.py", "");
    std::os::unix::fs::symlink(outer.join("outside.py"), repo.join("link.py")).unwrap();
    tree.write("repo/t/target.py", "");
    std::os::unix::fs::symlink("../t/target.py", repo.join("g/inner.py")).unwrap();
    // importgate's own cache is never walked.
    tree.write("repo/.importgate_cache/stray.py", "");

    let mut answer = tree.settle();
    let files = relative_files(&answer);
    assert!(files.contains(&"a/b/one.py") && !files.contains(&"a/skipped/two.py"));
    assert!(files.contains(&"g/inner.py"));
    assert!(!files
        .iter()
        .any(|file| file.starts_with(".importgate_cache")));
    assert_eq!(answer.1, ["g/native.cpython-312-x86_64-linux-gnu.so"]);
    assert!(answer.2.iter().any(|problem| problem.relative == "link.py"));

    tree.write("repo/a/b/new.py", "");
    answer = tree.changed(&answer, "a new file in a deep directory", "partial");
    fs::remove_file(repo.join("a/b/new.py")).unwrap();
    answer = tree.changed(&answer, "a removed file", "partial");
    tree.write("repo/a/b/fresh/deeper/new.py", "");
    answer = tree.changed(&answer, "a new directory tree", "partial");
    fs::remove_dir_all(repo.join("a/b/fresh")).unwrap();
    answer = tree.changed(&answer, "a removed directory tree", "partial");
    // g is not read again in these partial walks; its symlink is still examined.
    fs::remove_file(repo.join("t/target.py")).unwrap();
    answer = tree.changed(
        &answer,
        "the target of a symlink in an unread directory removed",
        "partial",
    );
    assert!(!relative_files(&answer).contains(&"g/inner.py"));
    tree.write("repo/a/.gitignore", "b/\n");
    answer = tree.changed(&answer, "a .gitignore edited in place", "full");
    tree.write("repo/c/.gitignore", "x.py\n");
    answer = tree.changed(&answer, "a new .gitignore", "full");
    tree.write(".gitignore", "repo/d/\n");
    answer = tree.changed(&answer, "the .gitignore of the root's parent", "full");
    tree.write("repo/.git/info/exclude", "e/\n");
    answer = tree.changed(&answer, "a new .git/info/exclude", "full");
    fs::write(&global_ignore, "*.so\n").unwrap();
    answer = tree.changed(&answer, "the global excludes file", "full");
    fs::remove_file(outer.join("outside.py")).unwrap();
    answer = tree.changed(
        &answer,
        "a symlink's target outside the root removed",
        "unchanged",
    );
    fs::rename(repo.join("f"), repo.join("h")).unwrap();
    answer = tree.changed(&answer, "a renamed directory", "partial");
    assert!(relative_files(&answer).contains(&"h/w.py"));
    // An editor's save: a new file renamed over the old one, in a directory whose
    // subdirectories are not read again.
    tree.write("repo/h/sub/deep.py", "");
    answer = tree.settle();
    tree.write("repo/h/.w.py.swp", "");
    fs::rename(repo.join("h/.w.py.swp"), repo.join("h/v.py")).unwrap();
    answer = tree.changed(&answer, "a file saved by rename", "partial");
    assert!(relative_files(&answer).contains(&"h/sub/deep.py"));

    // The registry's `exclude` is part of the listing's fingerprint.
    fs::write(repo.join("rules.toml"), "[project]\nexclude = [\"h/**\"]\n").unwrap();
    let tree = Tree {
        config: Config::load(&repo.join("rules.toml")).unwrap(),
        ..tree
    };
    assert!(tree.listed().is_none(), "another exclude, another listing");
    let excluded = tree.settle();
    assert!(!relative_files(&excluded).contains(&"h/w.py"));
}
