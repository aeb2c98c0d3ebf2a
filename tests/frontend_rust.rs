//! The Rust frontend, snippet by snippet: each source must yield exactly the listed imports
//! (line:column of the path, its kind, the path resolved inside the file, the alias, and
//! the context flags), bindings and definitions.

use importgate::frontend::{rust::facts::extract, ExtractOptions};
use importgate::model::{FileFacts, ImportKind};

fn render(facts: &FileFacts) -> Vec<String> {
    facts
        .imports
        .iter()
        .map(|import| {
            let kind = match import.kind {
                ImportKind::Use => "use",
                ImportKind::ExternCrate => "extern",
                ImportKind::Path => "path",
                ImportKind::BoundPath => "bound",
                other => panic!("{other:?} from the Rust frontend"),
            };
            let mut line = format!(
                "{}:{} {kind} {}",
                import.span.line, import.span.column, import.module
            );
            if let Some(name) = &import.name {
                line.push_str(&format!(" :: {name}"));
            }
            if let Some(alias) = &import.alias {
                line.push_str(&format!(" as {alias}"));
            }
            let flags = import.context.flags();
            if !flags.is_empty() {
                line.push_str(&format!(" [{}]", flags.join(",")));
            }
            if import.context.declared_elsewhere_maybe {
                line.push_str(" [maybe-glob-or-macro]");
            }
            if import.context.glob_may_declare {
                line.push_str(" [maybe-glob]");
            }
            line
        })
        .collect()
}

fn facts_of(source: &str) -> FileFacts {
    extract(source, &ExtractOptions::default())
}

#[track_caller]
fn assert_imports(source: &str, expected: &[&str]) {
    assert_eq!(render(&facts_of(source)), expected, "source:\n{source}");
}

#[test]
fn every_leaf_of_a_use_tree() {
    assert_imports(
        "use crate::a::{b, c::{self, D as E}, f::*};\nuse super::g;\nuse self::h::I;\nuse ::ext::J;\nuse r#type::r#match;\n",
        &[
            "1:5 use crate::a :: b",
            "1:5 use crate::a :: c",
            "1:5 use crate::a::c :: D as E",
            "1:5 use crate::a::f :: *",
            "2:5 use super :: g",
            "3:5 use self::h :: I",
            "4:5 use ext :: J",
            // `type` may come from the glob import of the same module.
            "5:5 use type :: match [maybe-glob]",
        ],
    );
}

#[test]
fn re_exports_extern_crates_and_underscore_imports() {
    assert_imports(
        "pub use inner::Api;\npub(crate) use inner::Helper;\nextern crate serde as sd;\nuse std::io::Write as _;\nmod inner {}\n",
        &[
            "1:9 use self::inner :: Api",
            "2:16 use self::inner :: Helper",
            "3:14 extern serde as sd",
            "4:5 use std::io :: Write as _",
        ],
    );
    let facts = facts_of("pub use inner::Api;\nuse std::io::Write as _;\nmod inner {}\n");
    let names: Vec<&str> = facts.bindings.names.iter().map(|name| &**name).collect();
    assert_eq!(names, ["Api", "inner"]);
}

#[test]
fn use_paths_resolve_through_the_files_own_bindings_in_any_order() {
    // `collections` is bound by the second `use`: the first resolves through it.
    assert_imports(
        "use collections::HashMap;\nuse std::collections;\nuse serde;\nuse serde::de::Error;\n",
        &[
            "1:5 use std::collections :: HashMap",
            "2:5 use std :: collections",
            "3:5 use serde",
            "4:5 use serde::de :: Error",
        ],
    );
    // A cycle of `use` bindings resolves to nothing rather than looping.
    assert_imports("use a::b as c;\nuse c::d as a;\n", &[]);
}

#[test]
fn self_and_super_inside_inline_modules_are_anchored_at_the_files_module() {
    assert_imports(
        "mod outer {\n    mod inner {\n        use super::x;\n        use super::super::y;\n        use super::super::super::z;\n        use self::w;\n    }\n}\n",
        &[
            "3:13 use self::outer :: x",
            "4:13 use self :: y",
            "5:13 use super :: z",
            "6:13 use self::outer::inner :: w",
        ],
    );
}

#[test]
fn paths_in_code_that_name_a_module_by_themselves() {
    let source = concat!(
        "use std::env;\n",
        "enum Local { A }\n",
        "fn f<T: Default>() -> Vec<crate::model::Item> {\n",
        "    let key = std::env::var(\"K\");\n",
        "    let other = env::var(\"K\");\n",
        "    let zero = T::default();\n",
        "    let max = u32::MAX;\n",
        "    let local = Local::A;\n",
        "    let made = Vec::<u8>::new();\n",
        "    other_crate::Type::new();\n",
        "    ::abs::f();\n",
        "    Self::g();\n",
        "    crate::m!();\n",
        "}\n",
    );
    assert_imports(
        source,
        &[
            "1:5 use std :: env",
            "3:27 path crate::model :: Item",
            "4:15 path std::env :: var",
            "5:17 bound std::env :: var as env",
            "10:5 path other_crate::Type :: new",
            "11:5 path abs :: f",
            "13:5 path crate :: m!",
        ],
    );
}

/// A path through a `use` binding: the binding's target, then what the path adds, and
/// (as its alias) the binding's name.
#[test]
fn paths_through_use_bindings_say_what_the_binding_wrote() {
    let source = concat!(
        "use crate::engine as core;\n",
        "use other::Config;\n",
        "extern crate serde as s;\n",
        "fn f() {\n",
        "    core::internal::run();\n",
        "    Config::load();\n",
        "    s::de::value::Error::custom();\n",
        "    core::m!();\n",
        "    core();\n",
        "}\n",
        "mod inner {\n    use super::core;\n    fn g() { core::f(); super::core::h(); }\n}\n",
    );
    assert_imports(
        source,
        &[
            "1:5 use crate :: engine as core",
            "2:5 use other :: Config",
            "3:14 extern serde as s",
            "5:5 bound crate::engine :: internal::run as core",
            "6:5 bound other::Config :: load as Config",
            "7:5 bound serde :: de::value::Error::custom as s [maybe-glob-or-macro]",
            "8:5 bound crate::engine :: m! as core",
            "12:9 use self :: core",
            // `super::core` is the file's binding: followed once the project's bindings
            // are known (its target is in the bindings below).
            "13:14 bound self::core :: f as core",
            "13:25 path self::core :: h",
        ],
    );
    // What each binding of a module names, anchored as the file writes paths.
    let facts = facts_of(source);
    let targets: Vec<(&str, &str)> = facts
        .bindings
        .targets
        .iter()
        .map(|(name, target)| (&**name, &**target))
        .collect();
    assert_eq!(
        targets,
        [
            ("Config", "other::Config"),
            ("core", "crate::engine"),
            ("s", "serde")
        ]
    );
    assert_eq!(
        facts.inner_modules[0].bindings.targets,
        [("core".into(), "self::core".into())]
    );
}

/// What a statement macro may make is named among its arguments (`define!(struct
/// Custom;)`); the standard library's expression macros and a logging macro's message
/// make nothing.
#[test]
fn statement_macros_may_make_the_items_their_arguments_name() {
    let source = concat!(
        "fn f() {\n",
        "    define!(struct Custom;);\n",
        "    log::info!(\"start\");\n",
        "    println!(\"{}\", Printed::NAME);\n",
        "    Custom::new();\n",
        "    other::go();\n",
        "}\n",
    );
    assert_imports(
        source,
        &[
            "3:5 path log :: info!",
            "4:20 path Printed :: NAME",
            "5:5 path Custom :: new [maybe-glob-or-macro]",
            "6:5 path other :: go",
        ],
    );
}

/// A module and a `use` of the function inside it can share a name (`mod complete;`,
/// `pub use complete::complete;`): a path's first segment is the module. A `macro_rules!`
/// name can be `use`d, but starts no path.
#[test]
fn names_in_two_namespaces_resolve_where_paths_look() {
    assert_imports(
        "mod complete;\npub use complete::complete;\nfn f() { complete::run(); }\n",
        &[
            "2:9 use self::complete :: complete",
            "3:10 path self::complete :: run",
        ],
    );
    assert_imports(
        "macro_rules! regex { () => {} }\npub(crate) use regex;\nuse regex::Regex;\n",
        &["2:16 use self :: regex", "3:5 use regex :: Regex"],
    );
    // A binding named like the crate it comes from (the function `memchr`) is no module:
    // `memchr::memmem` is the crate's.
    assert_imports(
        "use memchr::{memchr, memmem};\nfn f() { memchr::memmem::find(); }\n",
        &[
            "1:5 use memchr :: memchr",
            "1:5 use memchr :: memmem",
            "2:10 path memchr::memmem :: find",
        ],
    );
}

#[test]
fn macro_arguments_that_are_expressions_are_code() {
    assert_imports(
        "fn f() {\n    println!(\"{}\", std::env::var(\"K\").unwrap());\n    assert!(matches!(x, a::B));\n    sql!(SELECT c::d FROM t);\n}\n",
        &["2:20 path std::env :: var", "3:25 path a :: B"],
    );
}

#[test]
fn items_in_blocks_and_generic_parameters_are_local() {
    assert_imports(
        "fn f() {\n    mod m { pub fn g() {} }\n    m::g();\n    struct S;\n    S::new();\n}\nimpl<const N: usize, U> X<N> { fn h() { U::go(); N::go(); } }\n",
        &[],
    );
}

#[test]
fn a_name_a_glob_may_bring_is_marked() {
    assert_imports(
        "mod tests {\n    use super::*;\n    fn t() { helpers::build(); }\n}\n",
        &[
            "2:9 use self :: *",
            "3:14 path helpers :: build [maybe-glob]",
        ],
    );
    // A glob in a block, or an item macro, may bring anything: that cannot be told.
    assert_imports(
        "fn t() {\n    use crate::h::*;\n    helpers::build();\n}\nitems! {}\nfn u() { other::go(); }\n",
        &[
            "2:9 use crate::h :: *",
            "3:5 path helpers :: build [maybe-glob-or-macro]",
            "6:10 path other :: go [maybe-glob-or-macro]",
        ],
    );
    let facts = facts_of("mod tests {\n    use super::*;\n}\nuse crate::x::*;\n");
    assert_eq!(facts.bindings.star_imports, [(0, "crate::x".into())]);
    assert_eq!(
        facts.inner_modules[0].bindings.star_imports,
        [(0, "self".into())]
    );
}

#[test]
fn test_code_is_cfg_test_modules_and_items_and_test_functions() {
    let source = concat!(
        "use crate::prod::A;\n",
        "#[cfg(test)]\nmod tests {\n    use crate::fixtures::B;\n}\n",
        "#[cfg(all(test, unix))]\nuse crate::unix_fixtures::C;\n",
        "#[test]\nfn check() { crate::helpers::run(); }\n",
        "struct S;\nimpl S {\n    #[test]\n    fn method() { crate::helpers::go(); }\n    fn real() { crate::prod::go(); }\n}\n",
    );
    assert_imports(
        source,
        &[
            "1:5 use crate::prod :: A",
            "4:9 use crate::fixtures :: B [test]",
            "7:5 use crate::unix_fixtures :: C [test]",
            "9:14 path crate::helpers :: run [test]",
            "13:19 path crate::helpers :: go [test]",
            "14:17 path crate::prod :: go",
        ],
    );
    assert!(facts_of(source).inner_modules[0].test);
}

#[test]
fn attributes_name_crates_but_tools_do_not() {
    assert_imports(
        "#[tokio::main]\n#[rustfmt::skip]\n#[clippy::msrv = \"1.70\"]\nasync fn main() {}\npub(in crate::a) fn f() {}\n",
        // An attribute macro may define any item: names nothing binds may be its.
        &["1:3 path tokio :: main [maybe-glob-or-macro]"],
    );
}

#[test]
fn item_macros_make_a_modules_names_unknowable_and_pub_items_are_definitions() {
    let facts = facts_of(
        "lazy_static::lazy_static! { static ref X: u8 = 1; }\nmacro_rules! m { () => { crate::never::seen() } }\npub struct S;\npub(crate) fn hidden() {}\npub fn shown() {}\nmod inner { pub enum E {} }\n",
    );
    assert!(facts.bindings.dynamic);
    let definitions: Vec<String> = facts
        .definitions
        .iter()
        .map(|definition| format!("{:?} {}", definition.kind, definition.name))
        .collect();
    assert_eq!(definitions, ["Struct S", "Function shown"]);
    assert_eq!(&*facts.inner_modules[0].path, "inner");
    assert_eq!(&*facts.inner_modules[0].definitions[0].name, "E");
    assert!(!facts.inner_modules[0].bindings.dynamic);
    // Another item macro of the module could define `lazy_static`.
    assert_eq!(
        render(&facts),
        ["1:1 path lazy_static :: lazy_static! [maybe-glob-or-macro]"]
    );
}

#[test]
fn a_file_syn_cannot_parse_gives_its_error_and_position() {
    let facts = facts_of("use a::b;\nfn f( {\n");
    let syntax = facts.syntax.expect("a syntax problem");
    assert!(!syntax.not_parsed);
    assert_eq!(syntax.span.line, 2, "{syntax:?}");
    assert!(facts.imports.is_empty());
}

/// Sources that nest `depth` times each construct syn parses by recursion.
/// A source nesting a construct so many times.
type Nest = fn(usize) -> String;

const NESTED: &[(&str, Nest)] = &[
    ("parentheses", |depth| {
        format!(
            "fn f() {{ x = {}1{}; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    }),
    ("negations", |depth| {
        format!("fn f() {{ x = {}1; }}", "-".repeat(depth))
    }),
    ("references", |depth| {
        format!("type T = {}u8;", "&".repeat(depth))
    }),
    ("generics", |depth| {
        format!("type T = {}u8{};", "V<".repeat(depth), ">".repeat(depth))
    }),
    ("generics after commas", |depth| {
        format!(
            "type T = {}u8{};",
            "V<u8, ".repeat(depth),
            ">".repeat(depth)
        )
    }),
    ("closures", |depth| {
        format!("fn f() {{ x = {}1; }}", "|a, b| ".repeat(depth))
    }),
    ("returns", |depth| {
        format!("fn f() {{ x = {}1; }}", "return ".repeat(depth))
    }),
    ("assignments to blocks", |depth| {
        format!("fn f() {{ x = {}1; }}", "{0} = ".repeat(depth))
    }),
    ("modules", |depth| {
        format!("{}{}", "mod a { ".repeat(depth), "}".repeat(depth))
    }),
    ("else ifs", |depth| {
        format!("fn f() {{ if a {{}} {} }}", "else if a {} ".repeat(depth))
    }),
    ("blocks", |depth| {
        format!("fn f() {{ {}{} }}", "{ ".repeat(depth), "}".repeat(depth))
    }),
    ("assignments", |depth| {
        format!("fn f() {{ {}1; }}", "a = ".repeat(depth))
    }),
    ("mutable references", |depth| {
        format!("type T = {}u8;", "&mut ".repeat(depth))
    }),
    ("raw pointers", |depth| {
        format!("type T = {}u8;", "*const ".repeat(depth))
    }),
    ("moved closures", |depth| {
        format!("fn f() {{ x = {}1; }}", "move || ".repeat(depth))
    }),
    ("returned closures", |depth| {
        format!("fn f() -> {}u8 {{}}", "impl Fn() -> ".repeat(depth))
    }),
    ("tuple patterns", |depth| {
        format!(
            "fn f() {{ let {}x{} = 1; }}",
            "(".repeat(depth),
            ")".repeat(depth)
        )
    }),
    ("sums", |depth| {
        format!("fn f() {{ x = 1{}; }}", " + 1".repeat(depth))
    }),
    ("fields", |depth| {
        format!("fn f() {{ x = a{}; }}", ".b".repeat(depth))
    }),
    ("indexes", |depth| {
        format!("fn f() {{ x = a{}; }}", "[0]".repeat(depth))
    }),
    ("calls", |depth| {
        format!("fn f() {{ x = a{}; }}", "()".repeat(depth))
    }),
    ("casts", |depth| {
        format!("fn f() {{ x = 1{}; }}", " as u8".repeat(depth))
    }),
    ("tries", |depth| {
        format!("fn f() {{ x = a{}; }}", "?".repeat(depth))
    }),
];

fn refused(source: &str) -> bool {
    facts_of(source)
        .syntax
        .is_some_and(|syntax| syntax.not_parsed)
}

/// Every construct is refused once nested deep enough, and the deepest nesting that is not
/// refused parses on a parsing thread's stack, in this (debug) build where frames are
/// largest: whatever is not refused cannot exhaust the stack.
#[test]
fn whatever_is_not_refused_parses_without_exhausting_the_stack() {
    std::thread::Builder::new()
        .stack_size(importgate::frontend::nesting::PARSE_STACK_BYTES)
        .spawn(|| {
            for (construct, nest) in NESTED {
                let (mut accepted, mut rejected) = (1, 2);
                while !refused(&nest(rejected)) {
                    accepted = rejected;
                    rejected *= 2;
                    assert!(rejected < 1 << 23, "{construct} is never refused");
                }
                while rejected - accepted > 1 + accepted / 50 {
                    let middle = (accepted + rejected) / 2;
                    if refused(&nest(middle)) {
                        rejected = middle;
                    } else {
                        accepted = middle;
                    }
                }
                let syntax = facts_of(&nest(accepted)).syntax;
                assert!(syntax.is_none(), "{construct} x{accepted}: {syntax:?}");
            }
        })
        .expect("thread")
        .join()
        .expect("no overflow");
    // Inside strings and comments brackets are text.
    let limit = importgate::frontend::rust::facts::MAX_NESTING;
    let text = format!(
        "// {}\nconst S: &str = \"{}\";\n",
        "(".repeat(limit + 1),
        "[".repeat(limit + 1)
    );
    assert!(facts_of(&text).syntax.is_none());
}

#[test]
fn long_flat_files_are_not_refused() {
    let mut source = String::new();
    for at in 0..20_000 {
        source.push_str(&format!("pub struct S{at} {{ field: Vec<u8> }}\nimpl S{at} {{ fn f(&self) -> bool {{ self.field.len() < 3 }} }}\n"));
    }
    source.push_str("fn main() {\n");
    for _ in 0..5_000 {
        source.push_str("    if a < b { c(|x| x | 1, d) } else { e() }\n    let v: Vec<Vec<u8>> = vec![1, 2, 3];\n");
    }
    source.push_str("}\nconst TABLE: [u8; 100000] = [");
    source.push_str(&"1, ".repeat(100_000));
    source.push_str("];\n");
    assert!(facts_of(&source).syntax.is_none());
}

#[test]
fn a_shebang_line_is_skipped_and_positions_stay_those_of_the_file() {
    assert_imports(
        "#!/usr/bin/env run-cargo-script\nuse a::b;\n",
        &["2:5 use a :: b"],
    );
    // `#![...]` is an inner attribute, not a shebang.
    assert!(facts_of("#![allow(dead_code)]\nuse a::b;\n")
        .syntax
        .is_none());
}

#[test]
fn watched_paths_are_found_through_use_bindings() {
    let options = ExtractOptions::new(["std::env::var".to_string(), "os.environ".to_string()]);
    let facts = extract(
        "use std::env;\nuse std::env::var as read;\nfn f() { env::var(\"A\"); read(\"B\"); std::env::var(\"C\"); std::env::args(); }\n",
        &options,
    );
    let uses: Vec<String> = facts
        .attribute_uses
        .iter()
        .map(|found| format!("{}:{} {}", found.span.line, found.span.column, found.path))
        .collect();
    // Through the file's bindings: uses of what its `use` declarations import.
    assert_eq!(uses, ["3:10 std::env::var", "3:25 std::env::var"]);
    // Written out, the path is an import by itself (bans match its qualified path).
    assert!(render(&facts).contains(&"3:36 path std::env :: var".to_string()));
}

#[test]
fn suppressions_are_read_from_line_comments() {
    let facts = facts_of("use a::b; // importgate: ignore[IG001] -- legacy\n");
    assert_eq!(facts.suppressions.len(), 1);
    assert_eq!(facts.suppressions[0].line, 1);
}

#[test]
fn a_derive_macro_is_named_by_its_attribute() {
    let facts = facts_of(
        "#[proc_macro_derive(ValueEnum, attributes(value))]\npub fn value_enum(input: TokenStream) -> TokenStream { input }\n",
    );
    let names: Vec<&str> = facts.bindings.names.iter().map(|name| &**name).collect();
    assert_eq!(names, ["ValueEnum", "value_enum"]);
}
