//! Module patterns: `a.b` matches `a.b` and everything below it, `*` matches one name
//! segment and `**` any number of segments (zero included). A pattern is spelled as the
//! modules it matches are: `a.b` matches Python modules, `a::b` Rust ones; a pattern of
//! one segment (`billing`) matches both, so that one service can own a Python package and
//! a Rust crate of the same name.

use crate::model::separator_of;
use std::fmt;

/// One segment of a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Name(String),
    One,
    Any,
}

/// A parsed module pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModulePattern {
    text: String,
    segments: Vec<Segment>,
    is_literal: bool,
    /// `.` or `::`; `None` for a pattern of one segment.
    separator: Option<&'static str>,
}

/// Why a pattern string is not a module pattern.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// The pattern is the empty string.
    #[error("a module pattern cannot be empty")]
    Empty,
    /// `a..b`, `.a` or `a.`.
    #[error("empty segment in module pattern `{0}`")]
    EmptySegment(String),
    /// Both `.` and `::` in one pattern.
    #[error("`{0}` mixes `.` (Python modules) and `::` (Rust modules)")]
    MixedSeparators(String),
    /// A segment that is neither an identifier nor `*`/`**`.
    #[error("`{segment}` in `{pattern}` is neither a module name nor `*` or `**`")]
    BadSegment {
        /// The whole pattern.
        pattern: String,
        /// The offending segment.
        segment: String,
    },
}

impl ModulePattern {
    /// Parses `a.b`, `a.*.c`, `a.**`, `a::b`, `a::*::c`.
    pub fn parse(text: &str) -> Result<Self, PatternError> {
        if text.is_empty() {
            return Err(PatternError::Empty);
        }
        let separator = separator_of(text);
        if separator == Some("::") && text.replace("::", "").contains(['.', ':']) {
            return Err(PatternError::MixedSeparators(text.to_string()));
        }
        let segments = text
            .split(separator.unwrap_or("."))
            .map(|segment| match segment {
                "" => Err(PatternError::EmptySegment(text.to_string())),
                "*" => Ok(Segment::One),
                "**" => Ok(Segment::Any),
                name if is_identifier(name) => Ok(Segment::Name(name.to_string())),
                other => Err(PatternError::BadSegment {
                    pattern: text.to_string(),
                    segment: other.to_string(),
                }),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let is_literal = segments
            .iter()
            .all(|segment| matches!(segment, Segment::Name(_)));
        Ok(Self {
            text: text.to_string(),
            segments,
            is_literal,
            separator,
        })
    }

    /// Whether the pattern can match `module` at all: both spelled the same way, or either
    /// of one segment.
    fn same_spelling(&self, module: &str) -> Option<&'static str> {
        match (self.separator, separator_of(module)) {
            (Some(pattern), Some(module)) if pattern != module => None,
            (Some(separator), _) | (None, Some(separator)) => Some(separator),
            (None, None) => Some("."),
        }
    }

    /// Whether the pattern is a plain name, without wildcards.
    pub fn is_literal(&self) -> bool {
        self.is_literal
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first segment when it is a name (every module it matches starts with it).
    pub fn first_name(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Segment::Name(name)) => Some(name),
            _ => None,
        }
    }

    /// Whether `module` (dotted) is matched: the pattern matches a prefix of its segments.
    ///
    /// ```
    /// use importgate::config::ModulePattern;
    ///
    /// let auth = ModulePattern::parse("auth_service").unwrap();
    /// assert!(auth.matches("auth_service.auth_core.core.session_manager"));
    /// assert!(!auth.matches("auth_service_client"));
    ///
    /// let internals = ModulePattern::parse("core.*.internal").unwrap();
    /// assert!(internals.matches("core.db.internal.engine"));
    /// assert!(!internals.matches("core.internal"));
    /// ```
    pub fn matches(&self, module: &str) -> bool {
        let Some(separator) = self.same_spelling(module) else {
            return false;
        };
        // Most patterns are plain names: a string prefix test, no allocation.
        if self.is_literal {
            return module
                .strip_prefix(self.text.as_str())
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(separator));
        }
        let names: Vec<&str> = module.split(separator).collect();
        matches_segments(&self.segments, &names, Matching::Prefix)
    }
}

impl fmt::Display for ModulePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How a pattern's segments meet a module's names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Matching {
    /// The pattern matches a prefix of the names (so everything below a matched module is
    /// matched too), and `**` takes zero or more names: registry patterns.
    Prefix,
    /// The pattern matches all the names, and `**` takes one or more: import-linter's
    /// expressions in `ignore-imports`.
    Whole,
}

fn matches_segments(pattern: &[Segment], names: &[&str], matching: Matching) -> bool {
    match pattern.split_first() {
        None => matching == Matching::Prefix || names.is_empty(),
        Some((Segment::Any, rest)) => {
            let fewest = if matching == Matching::Whole { 1 } else { 0 };
            (fewest..=names.len()).any(|skip| matches_segments(rest, &names[skip..], matching))
        }
        Some((segment, rest)) => match names.split_first() {
            None => false,
            Some((name, names_rest)) => {
                let head_matches = match segment {
                    Segment::Name(expected) => expected == name,
                    Segment::One => true,
                    Segment::Any => unreachable!("handled above"),
                };
                head_matches && matches_segments(rest, names_rest, matching)
            }
        },
    }
}

impl ModulePattern {
    /// [`ModulePattern::matches`] (`as_packages`: the module and everything below it) or
    /// [`ModulePattern::matches_whole`] (the module alone), as import-linter's `as_packages`
    /// chooses.
    pub fn covers(&self, module: &str, as_packages: bool) -> bool {
        if as_packages {
            self.matches(module)
        } else {
            self.matches_whole(module)
        }
    }

    /// Whether `module` is matched as a whole, with import-linter's (grimp's) meaning of
    /// wildcards in `ignore_imports`: `*` is exactly one segment and `**` one or more, and
    /// nothing below a matched module is matched (`a.b` matches `a.b` only).
    ///
    /// ```
    /// use importgate::config::ModulePattern;
    ///
    /// let any_view = ModulePattern::parse("shop.**.views").unwrap();
    /// assert!(any_view.matches_whole("shop.orders.views"));
    /// assert!(any_view.matches_whole("shop.orders.admin.views"));
    /// assert!(!any_view.matches_whole("shop.views"));
    /// assert!(!any_view.matches_whole("shop.orders.views.list"));
    /// ```
    pub fn matches_whole(&self, module: &str) -> bool {
        let Some(separator) = self.same_spelling(module) else {
            return false;
        };
        if self.is_literal {
            return module == self.text;
        }
        let names: Vec<&str> = module.split(separator).collect();
        matches_segments(&self.segments, &names, Matching::Whole)
    }
}

/// Whether `text` is a Python identifier (ASCII rules plus any non-ASCII letter, which is
/// what real trees contain; the full Unicode XID tables are not worth a dependency here).
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first == '_' || first.is_alphabetic() => {}
        _ => return false,
    }
    chars.all(|c| c == '_' || c.is_alphanumeric())
}

/// Whether a segment of a module name is private: `_name`, not a dunder (`__main__`), as
/// import-linter reads it.
pub fn is_private_name(segment: &str) -> bool {
    segment.starts_with('_') && !(segment.starts_with("__") && segment.ends_with("__"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, module: &str) -> bool {
        ModulePattern::parse(pattern).unwrap().matches(module)
    }

    #[test]
    fn plain_pattern_matches_module_and_below() {
        assert!(matches("a.b", "a.b"));
        assert!(matches("a.b", "a.b.c.d"));
        assert!(!matches("a.b", "a"));
        assert!(!matches("a.b", "a.bc"));
    }

    #[test]
    fn star_matches_exactly_one_segment() {
        assert!(matches("a.*.c", "a.x.c"));
        assert!(matches("a.*.c", "a.x.c.d"));
        assert!(!matches("a.*.c", "a.c"));
        assert!(!matches("a.*", "a"));
    }

    #[test]
    fn double_star_matches_any_number_of_segments() {
        assert!(matches("a.**.c", "a.c"));
        assert!(matches("a.**.c", "a.x.y.c"));
        assert!(matches("**.internal", "pkg.sub.internal.x"));
        assert!(matches("a.**", "a"));
        assert!(!matches("a.**.c", "a.x.y"));
    }

    /// The cases were checked against grimp's `find_matching_direct_imports`.
    #[test]
    fn whole_matches_follow_import_linter() {
        let whole = |pattern: &str, module: &str| {
            ModulePattern::parse(pattern).unwrap().matches_whole(module)
        };
        assert!(whole("p.a", "p.a"));
        assert!(!whole("p.a", "p.a.b"));
        assert!(whole("p.*", "p.a"));
        assert!(!whole("p.*", "p.a.b"));
        assert!(!whole("p.*", "p"));
        assert!(whole("p.**", "p.a"));
        assert!(whole("p.**", "p.a.b.c"));
        assert!(!whole("p.**", "p"));
        assert!(whole("**.b", "p.a.b"));
        assert!(whole("p.*.b", "p.a.b"));
        assert!(!whole("p.*.b", "p.b"));
    }

    #[test]
    fn rust_patterns_match_rust_modules_and_one_segment_matches_both() {
        assert!(matches("grep::searcher", "grep::searcher::glue"));
        assert!(matches("grep::*::glue", "grep::searcher::glue"));
        assert!(matches("**::internal", "a::b::internal::x"));
        assert!(!matches("grep::searcher", "grep.searcher.glue"));
        assert!(!matches("grep.searcher", "grep::searcher::glue"));
        assert!(!matches("grep::search", "grep::searcher"));
        assert!(matches("billing", "billing.api"));
        assert!(matches("billing", "billing::api"));
        assert!(matches("*", "billing::api"));
        let whole = |pattern: &str, module: &str| {
            ModulePattern::parse(pattern).unwrap().matches_whole(module)
        };
        assert!(whole("a::*", "a::b"));
        assert!(!whole("a::*", "a.b"));
        assert!(matches!(
            ModulePattern::parse("a.b::c"),
            Err(PatternError::MixedSeparators(_))
        ));
        assert!(matches!(
            ModulePattern::parse("a:b"),
            Err(PatternError::BadSegment { .. })
        ));
    }

    #[test]
    fn malformed_patterns_are_rejected() {
        assert_eq!(ModulePattern::parse(""), Err(PatternError::Empty));
        assert!(matches!(
            ModulePattern::parse("a..b"),
            Err(PatternError::EmptySegment(_))
        ));
        assert!(matches!(
            ModulePattern::parse("a.b-c"),
            Err(PatternError::BadSegment { .. })
        ));
        assert!(matches!(
            ModulePattern::parse("a/b"),
            Err(PatternError::BadSegment { .. })
        ));
    }
}
