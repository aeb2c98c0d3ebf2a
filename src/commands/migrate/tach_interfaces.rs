//! tach's `[[interfaces]]`, migrated to boundaries.
//!
//! tach checks an import of a module `D` from another module `U` against the interfaces
//! whose `from` regular expressions match `D`'s path and that are visible to `U` (no
//! `visibility`, or `U` listed; an `exclusive` interface is the only one that counts): the
//! imported path below `D` (`from core.api import v1` imports `api.v1` of `core`) must match
//! one of their `expose` regular expressions in full. `import core` itself is always fine;
//! so is everything when no interface is visible to `U`. Members of a tach module nested in
//! `D` are that module's business.
//!
//! importgate says the same with boundaries: for each group of importers that see the same
//! interfaces, a boundary from those importers forbids everything below `D` except what is
//! exposed. A boundary's `allow` stands for a module and everything below it, while tach's
//! `public` exposes `public` alone (not `public.x`), so an exposed module gets a second
//! boundary that forbids what is below it.

use super::tach::{strings, ROOT_MODULE};
use super::{quoted, quoted_list};
use crate::config::pattern::is_identifier;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The keys of an `[[interfaces]]` entry that the migration reads.
const INTERFACE_KEYS: &[&str] = &["expose", "from", "visibility", "exclusive", "data_types"];

/// One `[[interfaces]]` entry, its regular expressions compiled as tach compiles them.
pub(super) struct Interface {
    expose: Vec<(String, regex::Regex)>,
    from: Vec<regex::Regex>,
    visibility: Option<Vec<String>>,
    exclusive: bool,
}

/// A tach module, as the interfaces see it.
pub(super) struct TachModule<'a> {
    pub path: &'a str,
    /// An unchecked module's own imports are not checked.
    pub unchecked: bool,
}

/// What one `expose` pattern lets importers reach below the module, in importgate's terms.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Exposure {
    /// Every member (`.*`): no restriction.
    Everything,
    /// The member alone (`public`).
    Exact(String),
    /// The member and what is below it (`api.*`, `api(\..*)?`).
    Subtree(String),
    /// What is below the member, not the member itself (`api\..*`).
    Below(String),
}

impl Exposure {
    fn covers(&self, member: &str) -> bool {
        let below = |prefix: &str| {
            member
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
        };
        match self {
            Exposure::Everything => true,
            Exposure::Exact(path) => member == path,
            Exposure::Subtree(path) => member == path || below(path),
            Exposure::Below(path) => below(path),
        }
    }

    /// The importgate pattern that allows it, below `module`.
    fn allow_pattern(&self, module: &str) -> Option<String> {
        match self {
            Exposure::Everything => None,
            Exposure::Exact(path) | Exposure::Subtree(path) => Some(format!("{module}.{path}")),
            Exposure::Below(path) => Some(format!("{module}.{path}.*")),
        }
    }
}

/// `pattern` read as importgate can say it: dotted names, with a tail that opens the member
/// up. `None` for any other regular expression.
fn translate(pattern: &str) -> Option<Exposure> {
    if pattern == ".*" || pattern == ".+" {
        return Some(Exposure::Everything);
    }
    let (head, make): (&str, fn(String) -> Exposure) =
        if let Some(head) = pattern.strip_suffix(r"(\..*)?") {
            (head, Exposure::Subtree)
        } else if let Some(head) = pattern.strip_suffix(r"\..*") {
            (head, Exposure::Below)
        } else if let Some(head) = pattern.strip_suffix(".*") {
            (head, Exposure::Subtree)
        } else {
            (pattern, Exposure::Exact)
        };
    let dotted = head.replace(r"\.", ".");
    dotted
        .split('.')
        .all(is_identifier)
        .then(|| make(dotted.clone()))
}

/// A pattern compiled as tach compiles it: anchored at both ends, without a group.
fn anchored(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::Regex::new(&format!("^{pattern}$"))
}

/// The `[[interfaces]]` of tach's project table; what cannot be read is listed.
pub(super) fn read(project: &toml::Table, unexpressed: &mut Vec<String>) -> Vec<Interface> {
    let Some(entries) = project.get("interfaces").and_then(toml::Value::as_array) else {
        return Vec::new();
    };
    let mut interfaces = Vec::new();
    for (number, entry) in entries.iter().enumerate() {
        let Some(entry) = entry.as_table() else {
            continue;
        };
        let name = format!("[[interfaces]] #{}", number + 1);
        for key in entry.keys() {
            if !INTERFACE_KEYS.contains(&key.as_str()) {
                unexpressed.push(format!("the `{key}` of {name}"));
            }
        }
        if let Some(data_types) = entry.get("data_types").and_then(toml::Value::as_str) {
            if data_types != "all" {
                unexpressed.push(format!(
                    "data_types = \"{data_types}\" of {name}: tach checks the types in the \
                     signatures of exposed functions; only which members are exposed is migrated"
                ));
            }
        }
        let mut compile = |pattern: &str, what: &str| match anchored(pattern) {
            Ok(regex) => Some(regex),
            Err(_) => {
                unexpressed.push(format!(
                    "the {what} pattern `{pattern}` of {name} is no regular expression tach can \
                     compile"
                ));
                None
            }
        };
        let expose = strings(entry.get("expose"))
            .into_iter()
            .filter_map(|pattern| Some((pattern.clone(), compile(&pattern, "expose")?)))
            .collect();
        let from_patterns = match entry.get("from") {
            Some(value) => strings(Some(value)),
            None => vec![".*".to_string()],
        };
        let from = from_patterns
            .iter()
            .filter_map(|pattern| compile(pattern, "from"))
            .collect();
        interfaces.push(Interface {
            expose,
            from,
            visibility: entry.get("visibility").map(|value| strings(Some(value))),
            exclusive: entry
                .get("exclusive")
                .and_then(toml::Value::as_bool)
                .unwrap_or(false),
        });
    }
    interfaces
}

impl Interface {
    /// Whether the interface is for the tach module at `path`.
    pub(super) fn is_for(&self, path: &str) -> bool {
        path != ROOT_MODULE && self.from.iter().any(|regex| regex.is_match(path))
    }
}

/// The interfaces tach applies to imports of `defined` from `user`, by index.
fn visible(interfaces: &[Interface], defined: &str, user: &str) -> Vec<usize> {
    let mut found = Vec::new();
    for (index, interface) in interfaces.iter().enumerate() {
        let for_module = interface.is_for(defined);
        let visible_to_user = interface
            .visibility
            .as_ref()
            .is_none_or(|visibility| visibility.iter().any(|module| module == user));
        if for_module && visible_to_user {
            if interface.exclusive {
                return vec![index];
            }
            found.push(index);
        }
    }
    found
}

/// The boundaries that say what `interfaces` say, for the tach `modules`; `tree` maps the
/// dotted names of the tree's modules below interfaced modules to the names each binds;
/// `treatment` holds the lines every boundary ends with.
pub(super) fn boundaries(
    interfaces: &[Interface],
    modules: &[TachModule<'_>],
    tree: &BTreeMap<String, Vec<Box<str>>>,
    treatment: &str,
    unexpressed: &mut Vec<String>,
) -> String {
    let mut body = String::new();
    if interfaces.is_empty() {
        return body;
    }
    let is_below = |inner: &str, outer: &str| {
        inner
            .strip_prefix(outer)
            .is_some_and(|rest| rest.starts_with('.'))
    };
    // An import of `<root>` code has no path below a module's: tach finds it exposed.
    for defined in modules.iter().filter(|module| module.path != ROOT_MODULE) {
        let nested: Vec<&str> = modules
            .iter()
            .map(|module| module.path)
            .filter(|path| is_below(path, defined.path))
            .collect();
        // Importers grouped by the interfaces they see (none: no restriction).
        let mut groups: BTreeMap<Vec<usize>, Vec<&str>> = BTreeMap::new();
        for user in modules
            .iter()
            .filter(|user| user.path != defined.path && !user.unchecked)
        {
            let seen = visible(interfaces, defined.path, user.path);
            if !seen.is_empty() {
                groups.entry(seen).or_default().push(user.path);
            }
        }
        // The members of `defined` in the tree: its modules, and the names each binds
        // (those of nested tach modules are theirs).
        let mut members: Vec<String> = Vec::new();
        for (module, names) in tree {
            let relative = if module == defined.path {
                ""
            } else if let Some(relative) = module
                .strip_prefix(defined.path)
                .and_then(|rest| rest.strip_prefix('.'))
            {
                relative
            } else {
                continue;
            };
            if nested
                .iter()
                .any(|inner| module == inner || is_below(module, inner))
            {
                continue;
            }
            if !relative.is_empty() {
                members.push(relative.to_string());
            }
            members.extend(names.iter().map(|name| {
                if relative.is_empty() {
                    name.to_string()
                } else {
                    format!("{relative}.{name}")
                }
            }));
        }
        let several = groups.len() > 1;
        for (number, (seen, users)) in groups.iter().enumerate() {
            let patterns: Vec<&(String, regex::Regex)> = seen
                .iter()
                .flat_map(|&index| &interfaces[index].expose)
                .collect();
            let mut exposures: BTreeSet<Exposure> = BTreeSet::new();
            for (pattern, _) in &patterns {
                match translate(pattern) {
                    // `get_.*` names no member `get_`: the sweep below finds what it exposes.
                    Some(Exposure::Subtree(head))
                        if !pattern.ends_with(r"(\..*)?") && !members.contains(&head) => {}
                    Some(exposure) => {
                        exposures.insert(exposure);
                    }
                    None => unexpressed.push(format!(
                        "the expose pattern `{pattern}` of `{}`'s interface is a regular \
                         expression importgate's module patterns cannot say: the modules and \
                         names of the tree it matches are allowed one by one",
                        defined.path
                    )),
                }
            }
            if exposures.contains(&Exposure::Everything) {
                continue;
            }
            // tach matches regular expressions: `api.*` also exposes `apiary`, `get_.*` every
            // name that begins with `get_`, and `sub.thing` `sub_thing`. The members of the
            // tree that a pattern matches are allowed as tach allows them.
            for member in &members {
                if exposures.iter().any(|exposure| exposure.covers(member)) {
                    continue;
                }
                let probe = format!("{member}.importgate_probe");
                let matches = |text: &str| patterns.iter().any(|(_, regex)| regex.is_match(text));
                if matches(member) {
                    exposures.insert(if matches(&probe) {
                        Exposure::Subtree(member.to_string())
                    } else {
                        Exposure::Exact(member.to_string())
                    });
                }
            }
            // A boundary never governs the files inside the area it forbids.
            let (inside, users): (Vec<&str>, Vec<&str>) =
                users.iter().partition(|user| is_below(user, defined.path));
            for user in inside {
                unexpressed.push(format!(
                    "the interface of `{}` for `{user}`, a module inside it: a boundary never \
                     governs the files inside the area it forbids",
                    defined.path
                ));
            }
            if users.is_empty() {
                continue;
            }
            let id = if several {
                format!("{}-interface-{}", defined.path, number + 1)
            } else {
                format!("{}-interface", defined.path)
            };
            let written: Vec<&str> = patterns
                .iter()
                .map(|(pattern, _)| pattern.as_str())
                .collect();
            let mut allow: Vec<String> = exposures
                .iter()
                .filter_map(|exposure| exposure.allow_pattern(defined.path))
                .collect();
            allow.extend(nested.iter().map(|path| path.to_string()));
            let _ = writeln!(
                body,
                "\n# tach interface of `{}` (expose {}) for {}: only what it exposes may be imported.",
                defined.path,
                quoted_list(&written),
                users.join(", ")
            );
            write_boundary(
                &mut body,
                &id,
                &users,
                &format!("{}.*", defined.path),
                &allow,
                treatment,
            );
            // An exposed module alone: what is below it stays private.
            for exposure in &exposures {
                let Exposure::Exact(path) = exposure else {
                    continue;
                };
                let module = format!("{}.{path}", defined.path);
                if !tree.contains_key(&module)
                    || exposures
                        .iter()
                        .any(|other| other != exposure && other.covers(path))
                {
                    continue;
                }
                let inside: Vec<String> = exposures
                    .iter()
                    .filter(|other| match other {
                        Exposure::Exact(inner) | Exposure::Subtree(inner) => is_below(inner, path),
                        Exposure::Below(inner) => inner == path || is_below(inner, path),
                        Exposure::Everything => false,
                    })
                    .filter_map(|other| other.allow_pattern(defined.path))
                    .chain(
                        nested
                            .iter()
                            .filter(|inner| is_below(inner, &module))
                            .map(|inner| inner.to_string()),
                    )
                    .collect();
                let _ = writeln!(
                    body,
                    "\n# tach exposes `{module}` itself, not what is below it."
                );
                write_boundary(
                    &mut body,
                    &format!("{id}:{path}"),
                    &users,
                    &format!("{module}.*"),
                    &inside,
                    treatment,
                );
            }
        }
    }
    body
}

/// One boundary: `users` may not import what `forbid` covers, except `allow`.
fn write_boundary(
    body: &mut String,
    id: &str,
    users: &[&str],
    forbid: &str,
    allow: &[String],
    treatment: &str,
) {
    let _ = writeln!(body, "[[{{prefix}}boundary]]");
    let _ = writeln!(body, "id = {}", quoted(id));
    let _ = writeln!(body, "from = {}", quoted_list(users));
    let _ = writeln!(body, "forbid = {}", quoted_list(&[forbid]));
    if !allow.is_empty() {
        let _ = writeln!(body, "allow = {}", quoted_list(allow));
    }
    body.push_str(treatment);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_and_their_tails_translate() {
        assert_eq!(translate(".*"), Some(Exposure::Everything));
        assert_eq!(translate("public"), Some(Exposure::Exact("public".into())));
        assert_eq!(
            translate(r"sub\.thing"),
            Some(Exposure::Exact("sub.thing".into()))
        );
        assert_eq!(translate("api.*"), Some(Exposure::Subtree("api".into())));
        assert_eq!(
            translate(r"api(\..*)?"),
            Some(Exposure::Subtree("api".into()))
        );
        assert_eq!(translate(r"api\..*"), Some(Exposure::Below("api".into())));
        assert_eq!(translate("get_.*"), Some(Exposure::Subtree("get_".into())));
        assert_eq!(translate("(a|b)"), None);
        assert_eq!(translate("a+"), None);
        assert_eq!(translate("1x"), None);
    }

    #[test]
    fn an_exclusive_interface_hides_the_others_and_visibility_selects_users() {
        let interface = |from: &str, visibility: Option<&[&str]>, exclusive: bool| Interface {
            expose: Vec::new(),
            from: vec![anchored(from).expect("regex")],
            visibility: visibility.map(|users| users.iter().map(|user| user.to_string()).collect()),
            exclusive,
        };
        let interfaces = [
            interface("core", None, false),
            interface("co.e", Some(&["admin"]), false),
            interface("core", Some(&["ops"]), true),
        ];
        assert_eq!(visible(&interfaces, "core", "app"), vec![0]);
        assert_eq!(visible(&interfaces, "core", "admin"), vec![0, 1]);
        assert_eq!(visible(&interfaces, "core", "ops"), vec![2]);
        assert!(visible(&interfaces, "cart", "app").is_empty());
    }
}
