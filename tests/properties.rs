//! Property tests for the parsers: random Python-like source (and random bytes) through the
//! decoder and the frontend, random registry text through the config loader. None may
//! panic, and every span must lie inside the text, on character boundaries.

use importgate::config::{Config, LoadError};
use importgate::frontend::{python::extract, ExtractOptions};
use importgate::model::Span;
use importgate::source::decode_python;
use proptest::prelude::*;
use ruff_source_file::LineIndex;
use ruff_text_size::TextSize;
use std::path::Path;

/// Fragments that make the frontend's interesting paths likely: imports of every form,
/// the contexts, dynamic imports, watched attributes, broken syntax and odd characters.
const PYTHON_FRAGMENTS: &[&str] = &[
    "import ",
    "from ",
    " import ",
    ".",
    "..",
    "a",
    "b.c",
    "os",
    " as ",
    ", ",
    "(",
    ")",
    "*",
    "\n",
    "\r\n",
    "\r",
    "    ",
    "\t",
    "try:",
    "except ImportError:",
    "except (ValueError, Exception):",
    "else:",
    "finally:",
    "if TYPE_CHECKING:",
    "def f():",
    "class C:",
    "lambda: ",
    "with suppress(ImportError):",
    "importlib.import_module(",
    "__import__(",
    "'x.y'",
    "\"",
    "'",
    "\"\"\"",
    "#",
    "\\\n",
    "os.environ",
    "o.getenv(",
    "[",
    "]",
    "=",
    ":",
    "é",
    "日本",
    "🦀",
    "\0",
    "\u{feff}",
    "pass",
    "return ",
];

fn python_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(PYTHON_FRAGMENTS).prop_map(str::to_string),
            1 => any::<String>(),
        ],
        0..60,
    )
    .prop_map(|parts| parts.concat())
}

/// The spans' line and column must agree with ruff's own `LineIndex` (the frontend finds
/// line starts lazily and must not drift from it).
#[track_caller]
fn assert_position_matches_ruff(source: &str, index: &LineIndex, span: &Span) {
    for (offset, line, column) in [
        (span.start, span.line, span.column),
        (span.end, span.end_line, span.end_column),
    ] {
        let expected = index.line_column(TextSize::from(offset), source);
        assert_eq!(
            (line as usize, column as usize),
            (expected.line.get(), expected.column.get()),
            "offset {offset} in {source:?}"
        );
    }
}

#[track_caller]
fn assert_span_inside(source: &str, span: &Span) {
    let (start, end) = (span.start as usize, span.end as usize);
    assert!(
        start <= end && end <= source.len(),
        "{span:?} outside {} bytes",
        source.len()
    );
    assert!(
        source.is_char_boundary(start) && source.is_char_boundary(end),
        "{span:?} splits a character"
    );
    assert!(
        span.line >= 1 && span.column >= 1 && span.end_line >= span.line,
        "{span:?}"
    );
}

fn check_extraction(source: &str) {
    let options = ExtractOptions::new(["os.environ".to_string(), "os.getenv".to_string()]);
    let facts = extract(source, &options);
    let index = LineIndex::from_source_text(source);
    let mut spans: Vec<&Span> = Vec::new();
    for import in &facts.imports {
        spans.extend([&import.span, &import.statement]);
    }
    spans.extend(facts.attribute_uses.iter().map(|attribute| &attribute.span));
    spans.extend(facts.syntax.iter().map(|syntax| &syntax.span));
    for span in spans {
        assert_span_inside(source, span);
        assert_position_matches_ruff(source, &index, span);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn frontend_never_panics_and_spans_stay_on_char_boundaries(source in python_like()) {
        check_extraction(&source);
    }

    #[test]
    fn any_bytes_decode_and_extract(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let decoded = decode_python(bytes);
        check_extraction(&decoded.text);
    }

    #[test]
    fn config_loading_never_panics_and_errors_point_inside_the_file(text in registry_like()) {
        check_registry_errors("rules.toml", &text)?;
        // The same registry as pyproject.toml's [tool.importgate].
        let pyproject = format!("[project]\nname = \"x\"\n[tool.importgate]\n{text}")
            .replace("\n[[", "\n[[tool.importgate.")
            .replace("\n[project]", "\n[tool.importgate.project]")
            .replace("\n[settings]", "\n[tool.importgate.settings]")
            .replace("\n[tests]", "\n[tool.importgate.tests]")
            .replace("\n[checks]", "\n[tool.importgate.checks]");
        check_registry_errors("pyproject.toml", &pyproject)?;
    }
}

/// Loading a registry never panics, and every error it reports points inside the file.
fn check_registry_errors(file_name: &str, text: &str) -> Result<(), TestCaseError> {
    match Config::from_text(&Path::new("/nonexistent").join(file_name), text.to_string()) {
        Ok(_) => {}
        Err(LoadError::Invalid(errors)) => {
            prop_assert!(!errors.errors.is_empty());
            for error in &errors.errors {
                prop_assert!(error.span.start <= error.span.end && error.span.end <= text.len());
                prop_assert!(
                    text.is_char_boundary(error.span.start)
                        && text.is_char_boundary(error.span.end)
                );
            }
        }
        Err(other) => prop_assert!(false, "unexpected error kind: {other}"),
    }
    Ok(())
}

const REGISTRY_FRAGMENTS: &[&str] = &[
    "[project]\n",
    "[settings]\n",
    "[checks]\n",
    "select = [\"IG0\", \"nope\", \"ALL\"]\n",
    "per-file-ignores = { \"t/**\" = [\"IG020\"], \"!x\" = [1] }\n",
    "ignore-imports = [\"a.* -> b.**\", \"a b\", \" -> \"]\n",
    "allow-in = [\"x/**\"]\n",
    "unmatched-ignore-imports = \"warn\"\n",
    "[tests]\n",
    "[[service]]\n",
    "[[boundary]]\n",
    "[[banned]]\n",
    "[[services]]\n",
    "root = \".\"\n",
    "python-roots = [\".\"]\n",
    "exclude = [\"b/**\", \"[\"]\n",
    "include = \"x\"\n",
    "name = \"svc\"\n",
    "modules = [\"svc\", \"a..b\"]\n",
    "id = \"r\"\n",
    "id = 1\n",
    "from = [\"svc\"]\n",
    "from = [\"nosuch\"]\n",
    "forbid = [\"x.*.y\", \"**\"]\n",
    "allow = []\n",
    "tests = \"warn\"\n",
    "tests = \"nope\"\n",
    "api = [\"os.environ\"]\n",
    "scope = \"tests\"\n",
    "hint = \"é🦀\"\n",
    "severity = \"warning\"\n",
    "version = 1\n",
    "version = 99999999999999999999\n",
    "bogus = true\n",
    "x = [\n",
    "\"unterminated\n",
    "= = =\n",
    "é",
    "\0",
    "\r\n",
    "#comment\n",
];

fn registry_like() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(REGISTRY_FRAGMENTS).prop_map(str::to_string),
            1 => any::<String>(),
        ],
        0..25,
    )
    .prop_map(|parts| parts.concat())
}

/// Fragments that make fixable imports likely: relative imports, names of registered and
/// deprecated modules, multi-line lists, comments, line endings.
const IMPORT_FRAGMENTS: &[&str] = &[
    "from ",
    "import ",
    " import ",
    ".",
    "..",
    "pkg",
    "pkg.old",
    "pkg.legacy",
    "pkg.new",
    "Manager",
    "Thing",
    "Old",
    ", ",
    " as ",
    "M",
    "(",
    ")",
    "\n",
    "\r\n",
    "    ",
    "# note",
    "\\\n",
    "def f():\n    ",
    "if x:\n    ",
    ";",
    "é",
    "importlib.import_module('pkg.old')",
    "'",
    "\"",
];

fn import_heavy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(IMPORT_FRAGMENTS).prop_map(str::to_string),
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn fixes_never_panic_and_never_break_the_syntax(source in import_heavy()) {
        let tree = tempfile::tempdir().expect("tempdir");
        let root = tree.path();
        std::fs::create_dir_all(root.join("pkg/sub")).expect("mkdir");
        for (path, text) in [
            ("pkg/__init__.py", ""),
            ("pkg/sub/__init__.py", ""),
            ("pkg/new.py", "class Manager:\n    pass\nThing = 1\n"),
            ("pkg/old.py", "from pkg.new import Manager as Old\nThing = 2\n"),
            ("pkg/legacy.py", "Manager = 3\n"),
            ("pkg/sub/mod.py", &source),
        ] {
            std::fs::write(root.join(path), text).expect("write");
        }
        let rules = root.join("rules.toml");
        let registry = "[project]\nban-relative-imports = true\n\n[[canonical]]\nsymbol = \"Manager\"\nmodule = \"pkg.new\"\n\n[[deprecated]]\nmodule = \"pkg.old\"\nreplacement = \"pkg.new\"\nnames = { Old = \"Manager\" }\n";
        std::fs::write(&rules, registry).expect("write");
        let config = Config::load(&rules).expect("valid registry");
        let outcome = importgate::engine::check(&config, &Default::default()).expect("checked");
        for diagnostic in outcome.diagnostics.iter().filter(|diagnostic| diagnostic.path == "pkg/sub/mod.py") {
            if diagnostic.code != importgate::checks::CheckCode::UnreadableFile {
                assert_span_inside(&source, &diagnostic.span);
            }
        }
        let mut session = importgate::fix::FixSession::default();
        session.plan_round(&outcome.files, &outcome.diagnostics, true);
        let (changes, _) = session.changes();
        for change in changes {
            let before = std::fs::read_to_string(&change.path).expect("readable");
            prop_assert_eq!(&change.before, &before);
            prop_assert!(
                importgate::frontend::python::syntax_error_count(&change.after)
                    <= importgate::frontend::python::syntax_error_count(&before),
                "a fix broke the syntax:\n{before:?}\n->\n{:?}", change.after
            );
        }
    }
}
