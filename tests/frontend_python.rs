//! The Python frontend, snippet by snippet: each source must yield exactly the listed imports
//! (line:column of the imported item, the statement form, and the context flags).

use importgate::frontend::{python::extract, ExtractOptions};
use importgate::model::{FileFacts, ImportKind};

fn render(facts: &FileFacts) -> Vec<String> {
    facts
        .imports
        .iter()
        .map(|import| {
            let mut line = format!("{}:{} ", import.span.line, import.span.column);
            match import.kind {
                ImportKind::Import => line.push_str(&format!("import {}", import.module)),
                ImportKind::From => line.push_str(&format!(
                    "from {} import {}",
                    import.written_module(),
                    import.name.as_deref().unwrap_or("?")
                )),
                ImportKind::Dynamic => {
                    line.push_str(&format!("dynamic {}", import.written_module()))
                }
                other => line.push_str(&format!("{other:?} from the Python frontend")),
            }
            if let Some(alias) = &import.alias {
                line.push_str(&format!(" as {alias}"));
            }
            let flags = import.context.flags();
            if !flags.is_empty() {
                line.push_str(&format!(" [{}]", flags.join(",")));
            }
            line
        })
        .collect()
}

fn imports_of(source: &str) -> Vec<String> {
    render(&extract(source, &ExtractOptions::default()))
}

#[track_caller]
fn assert_imports(source: &str, expected: &[&str]) {
    assert_eq!(imports_of(source), expected, "source:\n{source}");
}

#[test]
fn plain_import_statements() {
    assert_imports("import os\n", &["1:8 import os"]);
    assert_imports("import os.path\n", &["1:8 import os.path"]);
    assert_imports(
        "import a.b as c, d\n",
        &["1:8 import a.b as c", "1:18 import d"],
    );
}

#[test]
fn from_imports_yield_one_import_per_name() {
    assert_imports(
        "from a.b import c, d as e\n",
        &["1:17 from a.b import c", "1:20 from a.b import d as e"],
    );
    assert_imports("from a import *\n", &["1:15 from a import *"]);
}

#[test]
fn multi_line_parenthesised_import_keeps_each_names_line() {
    let source =
        "from auth_service.core import (  # comment\n    SessionManager,\n    Store as S,\n)\n";
    assert_imports(
        source,
        &[
            "2:5 from auth_service.core import SessionManager",
            "3:5 from auth_service.core import Store as S",
        ],
    );
}

#[test]
fn backslash_continued_import() {
    assert_imports("from a.b import \\\n    c\n", &["2:5 from a.b import c"]);
}

#[test]
fn relative_imports_keep_their_level() {
    assert_imports("from . import x\n", &["1:15 from . import x"]);
    assert_imports(
        "from ..pkg.mod import y\n",
        &["1:23 from ..pkg.mod import y"],
    );
    assert_imports("from .... import z\n", &["1:18 from .... import z"]);
}

#[test]
fn imports_inside_functions_are_lazy() {
    let source = "def f():\n    import a\n    class C:\n        from b import c\n";
    assert_imports(
        source,
        &["2:12 import a [lazy]", "4:23 from b import c [lazy]"],
    );
}

#[test]
fn class_bodies_at_module_level_are_not_lazy() {
    assert_imports("class C:\n    import a\n", &["2:12 import a"]);
}

#[test]
fn type_checking_blocks_are_flagged_but_not_their_else_branch() {
    let source =
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\nelse:\n    import b\n";
    assert_imports(
        source,
        &[
            "1:20 from typing import TYPE_CHECKING",
            "3:12 import a [type-checking]",
            "5:12 import b",
        ],
    );
    assert_imports(
        "import typing\nif typing.TYPE_CHECKING:\n    import a\n",
        &["1:8 import typing", "3:12 import a [type-checking]"],
    );
}

/// Regression: an `elif TYPE_CHECKING:` body was taken for a runtime import (false cycles and
/// forbidden imports even with `type-checking = "allow"`).
#[test]
fn elif_type_checking_and_the_else_of_not_type_checking_never_run() {
    assert_imports(
        "import sys\nif sys.version_info < (3, 9):\n    import a\nelif TYPE_CHECKING:\n    import b\nelse:\n    import c\n",
        &[
            "1:8 import sys",
            "3:12 import a",
            "5:12 import b [type-checking]",
            "7:12 import c",
        ],
    );
    assert_imports(
        "if x:\n    import a\nelif typing.TYPE_CHECKING:\n    import b\n",
        &["2:12 import a", "4:12 import b [type-checking]"],
    );
    assert_imports(
        "if not TYPE_CHECKING:\n    import a\nelse:\n    import b\n",
        &["2:12 import a", "4:12 import b [type-checking]"],
    );
    assert_imports(
        "if x:\n    import a\nelif not TYPE_CHECKING:\n    import b\nelif y:\n    import c\nelse:\n    import d\n",
        &[
            "2:12 import a",
            "4:12 import b",
            "6:12 import c [type-checking]",
            "8:12 import d [type-checking]",
        ],
    );
    // The expression walk (dynamic imports) follows the same rule.
    assert_imports(
        "import importlib\nif not TYPE_CHECKING:\n    pass\nelse:\n    importlib.import_module('m')\n",
        &["1:8 import importlib", "5:29 dynamic m [type-checking]"],
    );
}

#[test]
fn imports_guarded_by_import_error_handlers() {
    let guarded = |handler: &str| {
        imports_of(&format!(
            "try:\n    import a\nexcept {handler}:\n    import b\n"
        ))
    };
    for handler in [
        "ImportError",
        "ModuleNotFoundError",
        "Exception",
        "(ValueError, ImportError)",
        "builtins.ImportError",
    ] {
        assert_eq!(
            guarded(handler),
            ["2:12 import a [guarded]", "4:12 import b"],
            "{handler}"
        );
    }
    assert_eq!(guarded("ValueError"), ["2:12 import a", "4:12 import b"]);
    assert_imports(
        "try:\n    import a\nexcept:\n    pass\n",
        &["2:12 import a [guarded]"],
    );
    assert_imports(
        "try:\n    import a\nexcept ImportError:\n    pass\nelse:\n    import c\nfinally:\n    import d\n",
        &["2:12 import a [guarded]", "6:12 import c", "8:12 import d"],
    );
}

#[test]
fn contextlib_suppress_import_error_guards() {
    assert_imports(
        "import contextlib\nwith contextlib.suppress(ImportError):\n    import a\n",
        &["1:8 import contextlib", "3:12 import a [guarded]"],
    );
}

#[test]
fn dynamic_imports_with_literal_names() {
    assert_imports(
        "import importlib\nm = importlib.import_module(\"a.b\")\n",
        &["1:8 import importlib", "2:29 dynamic a.b"],
    );
    assert_imports(
        "from importlib import import_module as im\ndef f():\n    im(\"x.y\")\n",
        &[
            "1:23 from importlib import import_module as im",
            "3:8 dynamic x.y [lazy]",
        ],
    );
    assert_imports("m = __import__('pkg.mod')\n", &["1:16 dynamic pkg.mod"]);
    assert_imports(
        "import importlib as il\nil.import_module(name='k')\n",
        &["1:8 import importlib as il", "2:23 dynamic k"],
    );
}

#[test]
fn relative_dynamic_import_needs_a_package() {
    assert_imports(
        "import importlib\nimportlib.import_module('.sib', package=__package__)\nimportlib.import_module('.nope')\n",
        &["1:8 import importlib", "2:25 dynamic .sib"],
    );
    assert_imports(
        "import importlib\nimportlib.import_module('..sib', __spec__.parent)\n",
        &["1:8 import importlib", "2:25 dynamic ..sib"],
    );
    // A literal package makes the name absolute, as `importlib.util.resolve_name` does.
    assert_imports(
        "import importlib\nimportlib.import_module('.x', 'a.b')\nimportlib.import_module('..y', package='a.b')\nimportlib.import_module('...z', 'a.b')\n",
        &["1:8 import importlib", "2:25 dynamic a.b.x", "3:25 dynamic a.y"],
    );
}

/// Regression: Django's `import_module(".management", app_config.name)` names a package
/// known only at run time; it was resolved against the calling file (a false IG020).
#[test]
fn relative_dynamic_import_of_a_run_time_package_is_unknown() {
    assert_imports(
        "from importlib import import_module\nimport_module('.management', app_config.name)\nimport_module('.x', package=name)\n",
        &["1:23 from importlib import import_module"],
    );
}

/// `__import__` takes its level as the fifth argument; with a level, the name is relative
/// to the caller.
#[test]
fn dunder_import_with_a_level_is_relative() {
    assert_imports(
        "__import__('x', globals(), locals(), [], 1)\n__import__('y', level=2)\n__import__('z', globals(), None, [], n)\n__import__('w', globals(), None, [], 0)\n",
        &["1:12 dynamic .x", "2:12 dynamic ..y", "4:12 dynamic w"],
    );
}

#[test]
fn non_literal_and_unrelated_calls_are_not_imports() {
    assert_imports(
        "import importlib\nimportlib.import_module(name_var)\n",
        &["1:8 import importlib"],
    );
    assert_imports("def import_module(x): pass\nimport_module('a')\n", &[]);
    assert_imports("x = '__import__(\"os\")'\n# import os\n", &[]);
}

#[test]
fn lambdas_are_lazy() {
    assert_imports("f = lambda: __import__('a')\n", &["1:24 dynamic a [lazy]"]);
}

#[test]
fn syntax_errors_keep_recovered_imports() {
    let facts = extract(
        "import a\nprint 'x'\nfrom b import c\n",
        &ExtractOptions::default(),
    );
    assert_eq!(render(&facts), ["1:8 import a", "3:15 from b import c"]);
    let syntax = facts.syntax.expect("a syntax problem");
    assert_eq!((syntax.span.line, syntax.span.column), (2, 7));
}

#[test]
fn crlf_line_endings_count_lines_once() {
    assert_imports(
        "import a\r\n\r\nfrom b import c\r\n",
        &["1:8 import a", "3:15 from b import c"],
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    assert_imports("s = 'é'; import a\n", &["1:17 import a"]);
}

#[test]
fn nul_bytes_do_not_crash_the_parser() {
    let facts = extract("import a\n\0\0\nimport b\n", &ExtractOptions::default());
    assert!(render(&facts).contains(&"1:8 import a".to_string()));
}

#[test]
fn watched_attributes_resolve_through_aliases() {
    let options = ExtractOptions::new(["os.environ".to_string(), "os.getenv".to_string()]);
    let facts = extract(
        "import os\nimport os as o\nfrom os import path\nos.environ['A']\no.getenv('B')\nos.environ.get('C')\nos.path.join('x')\n",
        &options,
    );
    let uses: Vec<String> = facts
        .attribute_uses
        .iter()
        .map(|attribute| {
            format!(
                "{}:{} {}",
                attribute.span.line, attribute.span.column, attribute.path
            )
        })
        .collect();
    assert_eq!(uses, ["4:1 os.environ", "5:1 os.getenv", "6:1 os.environ"]);
}

#[test]
fn attributes_of_unimported_names_are_not_uses() {
    let options = ExtractOptions::new(["os.environ".to_string()]);
    let facts = extract("os.environ['A']\nself.os.environ\n", &options);
    assert!(facts.attribute_uses.is_empty());
}

fn bound_names(source: &str) -> Vec<String> {
    extract(source, &ExtractOptions::default())
        .bindings
        .names
        .iter()
        .map(|name| name.to_string())
        .collect()
}

#[test]
fn module_level_bindings_follow_python_semantics() {
    let source = "\
import os.path
import a.b as ab
from x import y, z as zz
from q import *
A = 1
B: int = 2
C: int
D += 1
E, (F, *G) = 1, (2, 3)
obj.attr = 4
items[0] = 5
type H = int
for I in range(3):
    J = I
with open('f') as K:
    pass
if FLAG:
    L = 1
try:
    M = 1
except ImportError:
    N = None
def f():
    local = 1
    global O
    O = 2
class P:
    inner = 1
";
    assert_eq!(
        bound_names(source),
        [
            "A", "B", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "ab", "f",
            "os", "y", "zz"
        ]
    );
    let bindings = extract(source, &ExtractOptions::default()).bindings;
    assert_eq!(bindings.star_imports, [(0, "q".into())]);
    assert!(!bindings.dynamic);
}

#[test]
fn dunder_all_is_read_from_literals_and_their_extensions() {
    let all = |source: &str| {
        extract(source, &ExtractOptions::default())
            .bindings
            .all
            .map(|all| all.iter().map(|name| name.to_string()).collect::<Vec<_>>())
    };
    assert_eq!(
        all("__all__ = ['a', 'b']\n"),
        Some(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        all("__all__ = ('a',)\n__all__ += ['b']\n__all__.append('c')\n__all__.extend(['d'])\n"),
        Some(vec!["a".into(), "b".into(), "c".into(), "d".into()])
    );
    assert_eq!(all("__all__ = [name for name in dir()]\n"), None);
}

#[test]
fn run_time_namespaces_make_a_module_dynamic() {
    let dynamic = |source: &str| extract(source, &ExtractOptions::default()).bindings.dynamic;
    assert!(dynamic(
        "def __getattr__(name):\n    raise AttributeError(name)\n"
    ));
    assert!(dynamic("globals()['X'] = 1\n"));
    assert!(dynamic("globals().update(X=1)\n"));
    assert!(dynamic("import sys\nsys.modules[__name__] = object()\n"));
    // Regression: lazy_loader's pattern (napari, scikit-image, networkx) binds `__getattr__`
    // by assignment; it gave false IG021s.
    assert!(dynamic(
        "import lazy_loader as lazy\n__getattr__, __dir__, __all__ = lazy.attach(__name__, submodules=['a'])\n"
    ));
    assert!(dynamic("from ._lazy import __getattr__\n"));
    assert!(!dynamic("def f():\n    __getattr__ = 1\n"));
    assert!(!dynamic(
        "class C:\n    def __getattr__(self, name):\n        pass\n"
    ));
}

#[test]
fn definitions_record_kind_and_location_at_module_level_only() {
    let source = "class SessionManager:\n    pass\n\ndef make():\n    Inner = 1\nSessionManager2 = SessionManager\n";
    let facts = extract(source, &ExtractOptions::default());
    let definitions: Vec<String> = facts
        .definitions
        .iter()
        .map(|definition| {
            let span = importgate::frontend::locate(source, definition.range);
            format!(
                "{}:{} {:?} {}",
                span.line, span.column, definition.kind, definition.name
            )
        })
        .collect();
    assert_eq!(
        definitions,
        [
            "1:7 Class SessionManager",
            "4:5 Function make",
            "6:1 Assignment SessionManager2"
        ]
    );
}
