//! Path -> [`SourceFile`]: module name (through the python roots), service, and whether the
//! file is production or test code.

use crate::config::{pattern::is_identifier, Config};
use crate::model::{CodeContext, Language, SourceFile};
use std::path::PathBuf;

/// Classifies a discovered file. `relative` is its `/`-separated path below the root.
pub fn classify(config: &Config, path: PathBuf, relative: String) -> SourceFile {
    let python_root = config
        .python_roots
        .iter()
        .enumerate()
        .filter(|(_, root)| {
            root.is_empty()
                || relative
                    .strip_prefix(root.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(_, root)| root.len());
    let below_root = match python_root {
        Some((_, root)) if !root.is_empty() => &relative[root.len() + 1..],
        _ => relative.as_str(),
    };
    let without_suffix = below_root
        .strip_suffix(".py")
        .or_else(|| below_root.strip_suffix(".pyi"))
        .unwrap_or(below_root);
    let mut segments: Vec<&str> = without_suffix.split('/').collect();
    let is_package = segments.last() == Some(&"__init__");
    if is_package {
        segments.pop();
    }
    let importable = python_root.is_some()
        && !segments.is_empty()
        && segments.iter().all(|segment| is_identifier(segment));
    let module = segments.join(".");
    let service = config
        .service_of_file(&module, &relative)
        .map(|service| service.name.clone());
    let context = if config.tests.is_match(&relative) {
        CodeContext::Test
    } else {
        CodeContext::Production
    };
    SourceFile {
        path,
        relative,
        module,
        importable,
        is_package,
        root: python_root.map(|(index, _)| index as u16),
        service,
        context,
        language: Language::Python,
    }
}
