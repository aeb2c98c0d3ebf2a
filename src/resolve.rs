//! Import -> absolute module. Relative imports are resolved against the importing file's
//! package, exactly as Python does, including the error cases Python raises on.

use crate::model::{Import, SourceFile};

/// Where an import points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolved {
    /// The absolute dotted module (for `from m import n`: `m`).
    Module(String),
    /// A relative import that climbs above the top-level package
    /// (`ImportError: attempted relative import beyond top-level package`).
    BeyondTopLevel,
    /// A relative import in a file that is not inside a package (a top-level module or a
    /// script): Python raises `ImportError: attempted relative import with no known parent
    /// package`.
    NoParentPackage,
}

/// Resolves one import of `file`.
pub fn resolve(import: &Import, file: &SourceFile) -> Resolved {
    if import.level == 0 {
        return Resolved::Module(import.module.to_string());
    }
    if !file.importable {
        return Resolved::NoParentPackage;
    }
    let mut package: Vec<&str> = file.module.split('.').collect();
    if !file.is_package {
        package.pop();
    }
    if package.is_empty() {
        return Resolved::NoParentPackage;
    }
    let climb = import.level as usize - 1;
    if climb >= package.len() {
        return Resolved::BeyondTopLevel;
    }
    package.truncate(package.len() - climb);
    let mut module = package.join(".");
    if !import.module.is_empty() {
        module.push('.');
        module.push_str(&import.module);
    }
    Resolved::Module(module)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CodeContext, ImportContext, ImportKind, Span};

    fn file(module: &str, is_package: bool) -> SourceFile {
        SourceFile {
            path: "x.py".into(),
            relative: "x.py".into(),
            module: module.into(),
            importable: true,
            is_package,
            service: None,
            context: CodeContext::Production,
        }
    }

    fn relative(level: u32, module: &str) -> Import {
        Import {
            kind: ImportKind::From,
            module: module.into(),
            level,
            name: Some("x".into()),
            alias: None,
            span: Span::FILE_START,
            statement: Span::FILE_START,
            context: ImportContext::default(),
        }
    }

    #[test]
    fn one_dot_is_the_package_of_a_module() {
        let resolved = resolve(&relative(1, "c"), &file("a.b.m", false));
        assert_eq!(resolved, Resolved::Module("a.b.c".into()));
    }

    #[test]
    fn one_dot_in_an_init_is_the_package_itself() {
        let resolved = resolve(&relative(1, ""), &file("a.b", true));
        assert_eq!(resolved, Resolved::Module("a.b".into()));
    }

    #[test]
    fn each_further_dot_climbs_one_package() {
        let resolved = resolve(&relative(3, "z"), &file("a.b.c.m", false));
        assert_eq!(resolved, Resolved::Module("a.z".into()));
    }

    #[test]
    fn climbing_above_the_top_level_package_is_an_error() {
        assert_eq!(
            resolve(&relative(3, "z"), &file("a.b.m", false)),
            Resolved::BeyondTopLevel
        );
    }

    #[test]
    fn a_top_level_module_has_no_parent_package() {
        assert_eq!(
            resolve(&relative(1, "z"), &file("m", false)),
            Resolved::NoParentPackage
        );
    }
}
