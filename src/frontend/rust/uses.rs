//! What a Rust file names of other modules, as written: every leaf of every `use` tree
//! (groups, globs, renames, `self`, `super`, `crate`, a leading `::`), `extern crate`,
//! whether a `use` re-exports (`pub use`, any `pub(...)`), and the paths used in code
//! (`crate::a::b::f()`, `other_crate::Type`, `std::env::var(...)`) — banned APIs are mostly
//! used by path, not imported. Each with its line and column and whether it is test code:
//! inside a `#[cfg(test)]` module or item, or a `#[test]` function.
//!
//! Paths are kept as written; resolving them against the module tree and the workspace's
//! crates is the resolver's work.

use syn::ext::IdentExt as _;
use syn::visit::Visit;

/// One name a file uses of another module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustUse {
    /// What kind of mention it is.
    pub kind: UseKind,
    /// The path's segments as written, `r#` removed (`["crate", "a", "b"]`, `["super",
    /// "x"]`, `["std", "env", "var"]`); a glob's path ends before the `*`.
    pub path: Vec<String>,
    /// Written with a leading `::` (an external crate, never a local module).
    pub leading_colons: bool,
    /// `as name` (`as _` included).
    pub alias: Option<String>,
    /// `pub use` (any visibility but private): a re-export, a binding other modules see.
    pub public: bool,
    /// 1-based line and column of the path's first segment.
    pub line: usize,
    /// Its column (characters).
    pub column: usize,
    /// In test code.
    pub test: bool,
}

/// The kinds of [`RustUse`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseKind {
    /// A leaf of a `use` tree naming one item or module.
    Use,
    /// `use path::*`.
    Glob,
    /// `extern crate name (as alias)`.
    ExternCrate,
    /// A path of two or more segments in code (an expression, a type, a pattern, a macro).
    InCode,
}

/// Every use of another module in `file`, in source order.
pub fn uses(file: &syn::File) -> Vec<RustUse> {
    let mut collector = Collector {
        found: Vec::new(),
        test: false,
    };
    collector.visit_file(file);
    collector.found
}

struct Collector {
    found: Vec<RustUse>,
    /// Inside test code.
    test: bool,
}

/// Whether attributes make an item test code: `#[cfg(test)]` (also inside `all(...)`),
/// or `#[test]`.
fn is_test(attributes: &[syn::Attribute]) -> bool {
    attributes.iter().any(|attribute| {
        if attribute.path().is_ident("test") {
            return true;
        }
        if !attribute.path().is_ident("cfg") {
            return false;
        }
        let mut test = false;
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("test") {
                test = true;
            } else if meta.path.is_ident("all") {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("test") {
                        test = true;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        });
        test
    })
}

impl Collector {
    fn in_context(&mut self, attributes: &[syn::Attribute], visit: impl FnOnce(&mut Self)) {
        let outer = self.test;
        self.test = outer || is_test(attributes);
        visit(self);
        self.test = outer;
    }

    fn use_tree(
        &mut self,
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
        first: Option<proc_macro2::Span>,
        item: &syn::ItemUse,
    ) {
        match tree {
            syn::UseTree::Path(path) => {
                let first = first.or(Some(path.ident.span()));
                prefix.push(path.ident.unraw().to_string());
                self.use_tree(&path.tree, prefix, first, item);
                prefix.pop();
            }
            syn::UseTree::Name(name) => self.leaf(prefix, &name.ident, None, first, item),
            syn::UseTree::Rename(rename) => {
                let alias = Some(rename.rename.unraw().to_string());
                self.leaf(prefix, &rename.ident, alias, first, item);
            }
            syn::UseTree::Glob(glob) => {
                let at = first.unwrap_or(glob.star_token.span);
                self.push(UseKind::Glob, prefix.clone(), None, at, item);
            }
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.use_tree(tree, prefix, first, item);
                }
            }
        }
    }

    /// A use tree's leaf: `ident` (`as alias`) after `prefix`, at the tree's first segment.
    fn leaf(
        &mut self,
        prefix: &[String],
        ident: &syn::Ident,
        alias: Option<String>,
        first: Option<proc_macro2::Span>,
        item: &syn::ItemUse,
    ) {
        let mut path = prefix.to_vec();
        path.push(ident.unraw().to_string());
        let at = first.unwrap_or(ident.span());
        self.push(UseKind::Use, path, alias, at, item);
    }

    fn push(
        &mut self,
        kind: UseKind,
        path: Vec<String>,
        alias: Option<String>,
        at: proc_macro2::Span,
        item: &syn::ItemUse,
    ) {
        let at = at.start();
        self.found.push(RustUse {
            kind,
            path,
            leading_colons: item.leading_colon.is_some(),
            alias,
            public: !matches!(item.vis, syn::Visibility::Inherited),
            line: at.line,
            column: at.column + 1,
            test: self.test,
        });
    }

    fn code_path(&mut self, path: &syn::Path) {
        if path.segments.len() < 2 {
            return;
        }
        let at = path
            .leading_colon
            .map(|colons| colons.spans[0])
            .unwrap_or_else(|| path.segments[0].ident.span())
            .start();
        self.found.push(RustUse {
            kind: UseKind::InCode,
            path: path
                .segments
                .iter()
                .map(|segment| segment.ident.unraw().to_string())
                .collect(),
            leading_colons: path.leading_colon.is_some(),
            alias: None,
            public: false,
            line: at.line,
            column: at.column + 1,
            test: self.test,
        });
    }
}

impl<'ast> Visit<'ast> for Collector {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attributes: &[syn::Attribute] = match item {
            syn::Item::Const(item) => &item.attrs,
            syn::Item::Enum(item) => &item.attrs,
            syn::Item::ExternCrate(item) => &item.attrs,
            syn::Item::Fn(item) => &item.attrs,
            syn::Item::Impl(item) => &item.attrs,
            syn::Item::Macro(item) => &item.attrs,
            syn::Item::Mod(item) => &item.attrs,
            syn::Item::Static(item) => &item.attrs,
            syn::Item::Struct(item) => &item.attrs,
            syn::Item::Trait(item) => &item.attrs,
            syn::Item::Type(item) => &item.attrs,
            syn::Item::Union(item) => &item.attrs,
            syn::Item::Use(item) => &item.attrs,
            _ => &[],
        };
        self.in_context(attributes, |this| syn::visit::visit_item(this, item));
    }

    fn visit_impl_item_fn(&mut self, function: &'ast syn::ImplItemFn) {
        self.in_context(&function.attrs, |this| {
            syn::visit::visit_impl_item_fn(this, function)
        });
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.use_tree(&item.tree, &mut Vec::new(), None, item);
    }

    fn visit_item_extern_crate(&mut self, item: &'ast syn::ItemExternCrate) {
        let at = item.ident.span().start();
        self.found.push(RustUse {
            kind: UseKind::ExternCrate,
            path: vec![item.ident.unraw().to_string()],
            leading_colons: false,
            alias: item
                .rename
                .as_ref()
                .map(|(_, alias)| alias.unraw().to_string()),
            public: !matches!(item.vis, syn::Visibility::Inherited),
            line: at.line,
            column: at.column + 1,
            test: self.test,
        });
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.code_path(path);
        // Generic arguments hold paths of their own (`Vec<crate::a::B>`).
        syn::visit::visit_path(self, path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Vec<String> {
        let file = syn::parse_file(source).expect("parses");
        uses(&file)
            .into_iter()
            .map(|found| {
                let mut text = format!(
                    "{:?} {}{}",
                    found.kind,
                    if found.leading_colons { "::" } else { "" },
                    found.path.join("::")
                );
                if let Some(alias) = &found.alias {
                    text.push_str(&format!(" as {alias}"));
                }
                if found.public {
                    text.push_str(" pub");
                }
                if found.test {
                    text.push_str(" test");
                }
                text.push_str(&format!(" @{}:{}", found.line, found.column));
                text
            })
            .collect()
    }

    #[test]
    fn every_leaf_of_a_use_tree() {
        let source = "use crate::a::{b, c::{self, D as E}, f::*};\nuse super::g;\nuse self::h::I;\nuse ::ext::J;\nuse r#type::r#match;\n";
        assert_eq!(
            found(source),
            [
                "Use crate::a::b @1:5",
                "Use crate::a::c::self @1:5",
                "Use crate::a::c::D as E @1:5",
                "Glob crate::a::f @1:5",
                "Use super::g @2:5",
                "Use self::h::I @3:5",
                "Use ::ext::J @4:7",
                "Use type::match @5:5",
            ]
        );
    }

    #[test]
    fn re_exports_extern_crates_and_underscore_imports() {
        let source = "pub use inner::Api;\npub(crate) use inner::Helper;\nextern crate serde as sd;\nuse std::io::Write as _;\n";
        assert_eq!(
            found(source),
            [
                "Use inner::Api pub @1:9",
                "Use inner::Helper pub @2:16",
                "ExternCrate serde as sd @3:14",
                "Use std::io::Write as _ @4:5",
            ]
        );
    }

    #[test]
    fn paths_in_code_with_their_generic_arguments() {
        let source = "fn f() -> Vec<crate::model::Item> {\n    let key = std::env::var(\"K\");\n    other_crate::Type::new()\n}\n";
        assert_eq!(
            found(source),
            [
                "InCode crate::model::Item @1:15",
                "InCode std::env::var @2:15",
                "InCode other_crate::Type::new @3:5",
            ]
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
        assert_eq!(
            found(source),
            [
                "Use crate::prod::A @1:5",
                "Use crate::fixtures::B test @4:9",
                "Use crate::unix_fixtures::C test @7:5",
                "InCode crate::helpers::run test @9:14",
                "InCode crate::helpers::go test @13:19",
                "InCode crate::prod::go @14:17",
            ]
        );
    }
}
