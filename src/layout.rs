//! What a tree's paths say about its layout: the import roots that hold its top-level
//! packages (flat, `src` layouts, one root per service directory) and the services a
//! registry would name. `importgate init` writes a registry from it, and a run whose
//! first-party imports mostly do not resolve suggests its roots.

use std::collections::{BTreeMap, BTreeSet};

/// Package names that hold tests: never a root's reason to exist, never a service.
const TEST_PACKAGES: &[&str] = &["tests", "test", "testing"];

/// A service `init` would declare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceGuess {
    /// Its name: the top-level package, or the service directory's name.
    pub name: String,
    /// Its top-level packages.
    pub modules: Vec<String>,
    /// Its directory, when each service has its own (`services/billing`): the files below
    /// it (its tests beside its `src`) are the service's too.
    pub directory: Option<String>,
}

/// What the paths of a tree suggest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Import roots, `/`-separated relative paths (`""` for the tree's root), sorted.
    pub python_roots: Vec<String>,
    /// The top-level packages under each root (test packages left out).
    pub packages: BTreeMap<String, Vec<String>>,
    /// The services: the top-level packages of one root, or one per service directory when
    /// every root sits in a directory of its own. Empty when there are fewer than two.
    pub services: Vec<ServiceGuess>,
}

/// The directory part of a `/`-separated path (`""` at the top).
fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(parent, _)| parent)
}

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_identifier(name: &str) -> bool {
    crate::config::pattern::is_identifier(name)
}

/// Infers the layout from the `/`-separated relative paths of a tree's Python files.
pub fn infer<'p>(paths: impl IntoIterator<Item = &'p str>) -> Layout {
    let packages: BTreeSet<&str> = paths
        .into_iter()
        .filter(|path| last_segment(path) == "__init__.py")
        .map(parent)
        .filter(|directory| !directory.is_empty())
        .collect();
    // A top-level package is a package whose directory is not itself in a package; the
    // directory it sits in is an import root.
    let mut by_root: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut test_roots: BTreeSet<String> = BTreeSet::new();
    for package in &packages {
        let root = parent(package);
        if packages.contains(root) {
            continue;
        }
        let name = last_segment(package);
        if !is_identifier(name) {
            continue;
        }
        if TEST_PACKAGES.contains(&name) {
            test_roots.insert(root.to_string());
            continue;
        }
        by_root
            .entry(root.to_string())
            .or_default()
            .push(name.to_string());
    }
    if by_root.is_empty() {
        // Only test packages, or none: the tree's root is the one root.
        by_root.insert(String::new(), Vec::new());
        if test_roots.is_empty() {
            return Layout {
                python_roots: vec![String::new()],
                packages: by_root,
                services: Vec::new(),
            };
        }
    }
    let python_roots: Vec<String> = by_root.keys().cloned().collect();
    let services = guess_services(&by_root);
    Layout {
        python_roots,
        packages: by_root,
        services,
    }
}

/// One service per service directory when every root has a directory of its own (the root
/// itself, or the directory holding its `src`), else one per top-level package.
fn guess_services(by_root: &BTreeMap<String, Vec<String>>) -> Vec<ServiceGuess> {
    let directory_of = |root: &str| -> Option<String> {
        let directory = root.strip_suffix("/src").unwrap_or(root);
        (!directory.is_empty() && directory != "src").then(|| directory.to_string())
    };
    let directories: Vec<Option<String>> = by_root.keys().map(|root| directory_of(root)).collect();
    let distinct: BTreeSet<&String> = directories.iter().flatten().collect();
    let per_directory = by_root.len() >= 2
        && directories.iter().all(Option::is_some)
        && distinct.len() == by_root.len();
    let services: Vec<ServiceGuess> = if per_directory {
        by_root
            .iter()
            .zip(directories)
            .filter(|((_, packages), _)| !packages.is_empty())
            .map(|((_, packages), directory)| {
                let directory = directory.unwrap_or_default();
                ServiceGuess {
                    name: last_segment(&directory).to_string(),
                    modules: packages.clone(),
                    directory: Some(directory),
                }
            })
            .collect()
    } else {
        let mut names: BTreeSet<&String> = BTreeSet::new();
        by_root
            .values()
            .flatten()
            .filter(|package| names.insert(package))
            .map(|package| ServiceGuess {
                name: package.clone(),
                modules: vec![package.clone()],
                directory: None,
            })
            .collect()
    };
    if services.len() < 2 {
        return Vec::new();
    }
    services
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_packages_are_services_under_the_root() {
        let layout = infer([
            "billing/__init__.py",
            "billing/api.py",
            "orders/__init__.py",
            "orders/sub/__init__.py",
            "tests/__init__.py",
            "tests/test_orders.py",
            "manage.py",
        ]);
        assert_eq!(layout.python_roots, [""]);
        let names: Vec<&str> = layout.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["billing", "orders"]);
    }

    #[test]
    fn a_src_layout_has_its_root_in_src() {
        let layout = infer([
            "src/shop/__init__.py",
            "src/shop/api/__init__.py",
            "src/shop_admin/__init__.py",
            "tests/test_shop.py",
        ]);
        assert_eq!(layout.python_roots, ["src"]);
        let names: Vec<&str> = layout.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["shop", "shop_admin"]);
    }

    #[test]
    fn service_directories_each_get_a_root_and_own_their_tests() {
        let layout = infer([
            "services/billing/src/billing_core/__init__.py",
            "services/billing/tests/__init__.py",
            "services/billing/tests/test_invoice.py",
            "services/orders/orders/__init__.py",
            "services/orders/tests/test_orders.py",
            "libs/common/__init__.py",
        ]);
        assert_eq!(
            layout.python_roots,
            ["libs", "services/billing/src", "services/orders"]
        );
        let services: Vec<(&str, Option<&str>)> = layout
            .services
            .iter()
            .map(|s| (s.name.as_str(), s.directory.as_deref()))
            .collect();
        assert_eq!(
            services,
            [
                ("libs", Some("libs")),
                ("billing", Some("services/billing")),
                ("orders", Some("services/orders")),
            ]
        );
    }

    #[test]
    fn one_package_makes_no_services() {
        let layout = infer(["shop/__init__.py", "shop/db.py"]);
        assert_eq!(layout.python_roots, [""]);
        assert!(layout.services.is_empty());
    }
}
