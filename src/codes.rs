//! The stable check codes and names, and the selectors that name sets of them (`IG001`,
//! `forbidden-import`, `IG02`, `ALL`). They live at the bottom of the stage order: the
//! registry validates `[checks]` against them and every diagnostic carries one, while the
//! checks themselves (`checks/`) sit far above.

/// A stable check code. Codes and names are a public contract: add, never rename.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum CheckCode {
    /// IG001 forbidden-import.
    ForbiddenImport,
    /// IG002 forbidden-chain.
    ForbiddenChain,
    /// IG003 banned-api.
    BannedApi,
    /// IG004 relative-import.
    RelativeImport,
    /// IG010 non-canonical-import.
    NonCanonicalImport,
    /// IG011 deprecated-module.
    DeprecatedModule,
    /// IG012 duplicate-definition.
    DuplicateDefinition,
    /// IG013 registry-error.
    RegistryError,
    /// IG030 import-cycle.
    ImportCycle,
    /// IG031 layer-violation.
    LayerViolation,
    /// IG032 independence.
    Independence,
    /// IG033 private-module-import.
    PrivateModuleImport,
    /// IG020 unresolved-module.
    UnresolvedModule,
    /// IG021 missing-name.
    MissingName,
    /// IG022 shadowed-module.
    ShadowedModule,
    /// IG023 module-collision.
    ModuleCollision,
    /// IG902 unused-suppression.
    UnusedSuppression,
    /// IG900 parse-error.
    ParseError,
    /// IG901 unreadable-file.
    UnreadableFile,
    /// IG903 stale-baseline.
    StaleBaseline,
    /// IG904 unmatched-ignore.
    UnmatchedIgnore,
}

impl CheckCode {
    /// Every check, in code order.
    pub const ALL: &'static [CheckCode] = &[
        CheckCode::ForbiddenImport,
        CheckCode::ForbiddenChain,
        CheckCode::BannedApi,
        CheckCode::RelativeImport,
        CheckCode::NonCanonicalImport,
        CheckCode::DeprecatedModule,
        CheckCode::DuplicateDefinition,
        CheckCode::RegistryError,
        CheckCode::UnresolvedModule,
        CheckCode::MissingName,
        CheckCode::ShadowedModule,
        CheckCode::ModuleCollision,
        CheckCode::ImportCycle,
        CheckCode::LayerViolation,
        CheckCode::Independence,
        CheckCode::PrivateModuleImport,
        CheckCode::ParseError,
        CheckCode::UnreadableFile,
        CheckCode::UnusedSuppression,
        CheckCode::StaleBaseline,
        CheckCode::UnmatchedIgnore,
    ];

    /// The code: `IG001`.
    pub const fn code(self) -> &'static str {
        self.code_and_name().0
    }

    /// The kebab-case name: `forbidden-import`.
    pub const fn name(self) -> &'static str {
        self.code_and_name().1
    }

    /// The check's row in the README's table of checks, at this version's tag: where
    /// SARIF's `helpUri` and other reports link to.
    pub fn help_uri(self) -> String {
        format!(
            "{}/blob/v{}/README.md#{}",
            env!("CARGO_PKG_REPOSITORY"),
            env!("CARGO_PKG_VERSION"),
            self.readme_anchor()
        )
    }

    /// The anchor of the check's row in the README (`ig001`).
    pub fn readme_anchor(self) -> String {
        self.code().to_ascii_lowercase()
    }

    const fn code_and_name(self) -> (&'static str, &'static str) {
        match self {
            CheckCode::ForbiddenImport => ("IG001", "forbidden-import"),
            CheckCode::ForbiddenChain => ("IG002", "forbidden-chain"),
            CheckCode::BannedApi => ("IG003", "banned-api"),
            CheckCode::RelativeImport => ("IG004", "relative-import"),
            CheckCode::NonCanonicalImport => ("IG010", "non-canonical-import"),
            CheckCode::DeprecatedModule => ("IG011", "deprecated-module"),
            CheckCode::DuplicateDefinition => ("IG012", "duplicate-definition"),
            CheckCode::RegistryError => ("IG013", "registry-error"),
            CheckCode::UnresolvedModule => ("IG020", "unresolved-module"),
            CheckCode::MissingName => ("IG021", "missing-name"),
            CheckCode::ShadowedModule => ("IG022", "shadowed-module"),
            CheckCode::ModuleCollision => ("IG023", "module-collision"),
            CheckCode::ImportCycle => ("IG030", "import-cycle"),
            CheckCode::LayerViolation => ("IG031", "layer-violation"),
            CheckCode::Independence => ("IG032", "independence"),
            CheckCode::PrivateModuleImport => ("IG033", "private-module-import"),
            CheckCode::ParseError => ("IG900", "parse-error"),
            CheckCode::UnreadableFile => ("IG901", "unreadable-file"),
            CheckCode::UnusedSuppression => ("IG902", "unused-suppression"),
            CheckCode::StaleBaseline => ("IG903", "stale-baseline"),
            CheckCode::UnmatchedIgnore => ("IG904", "unmatched-ignore"),
        }
    }

    /// Looks a check up by code (`IG001`, any case) or name (`forbidden-import`).
    pub fn find(text: &str) -> Option<CheckCode> {
        CheckCode::ALL
            .iter()
            .copied()
            .find(|code| code.code().eq_ignore_ascii_case(text) || code.name() == text)
    }

    /// Its position in [`CheckCode::ALL`], for sets of checks.
    const fn bit(self) -> u64 {
        1 << (self as u32)
    }
}

/// A set of checks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CheckSet(u64);

impl CheckSet {
    /// Every check.
    pub fn all() -> Self {
        CheckCode::ALL
            .iter()
            .fold(Self::default(), |set, code| set.with(*code))
    }

    /// The set with `code` in it too.
    pub fn with(self, code: CheckCode) -> Self {
        Self(self.0 | code.bit())
    }

    /// The set without `code`.
    pub fn without(self, code: CheckCode) -> Self {
        Self(self.0 & !code.bit())
    }

    /// Whether `code` is in the set.
    pub fn contains(self, code: CheckCode) -> bool {
        self.0 & code.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The checks in the set, in code order.
    pub fn iter(self) -> impl Iterator<Item = CheckCode> {
        CheckCode::ALL
            .iter()
            .copied()
            .filter(move |code| self.contains(*code))
    }
}

/// Names a set of checks, as ruff's rule selectors do: `ALL`, a code prefix (`IG`, `IG0`,
/// `IG02`), a full code (`IG020`, any case) or a name (`unresolved-module`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selector {
    checks: CheckSet,
    /// How specific it is: when `select` and `ignore` both name a check, the more specific
    /// selector wins (a tie goes to `ignore`), so `select = ["IG020"]` with
    /// `ignore = ["IG02"]` keeps IG020.
    specificity: usize,
}

/// A selector that names no check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{written}` is not a check code, prefix or name{}", .suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownSelector {
    /// The selector as written.
    pub written: String,
    /// The closest check name or code, if one is close.
    pub suggestion: Option<&'static str>,
}

impl Selector {
    /// Reads a selector.
    pub fn parse(written: &str) -> Result<Self, UnknownSelector> {
        let text = written.trim();
        if text.eq_ignore_ascii_case("ALL") {
            return Ok(Self {
                checks: CheckSet::all(),
                specificity: 0,
            });
        }
        if let Some(code) = CheckCode::find(text) {
            return Ok(Self {
                checks: CheckSet::default().with(code),
                specificity: code.code().len(),
            });
        }
        let upper = text.to_ascii_uppercase();
        let checks = CheckCode::ALL
            .iter()
            .filter(|code| upper.len() >= 2 && code.code().starts_with(upper.as_str()))
            .fold(CheckSet::default(), |set, code| set.with(*code));
        if checks.is_empty() {
            let known: Vec<&'static str> = CheckCode::ALL
                .iter()
                .flat_map(|code| [code.code(), code.name()])
                .collect();
            let suggestion = crate::suggest::did_you_mean(text, &known);
            return Err(UnknownSelector {
                written: written.to_string(),
                suggestion,
            });
        }
        Ok(Self {
            checks,
            specificity: upper.len(),
        })
    }

    /// The checks it names.
    pub fn checks(self) -> CheckSet {
        self.checks
    }
}

impl CheckSet {
    /// Applies one layer of `select`, `extend-select` and `ignore` to the checks selected
    /// so far (the registry's `[checks]` is one layer, the command line the next), as ruff
    /// resolves its rule selection: within the layer, the most specific selector that names
    /// a check decides, and `ignore` wins a tie; a layer with `select` starts afresh, a layer
    /// without one only adds and removes.
    pub fn apply(
        self,
        select: Option<&[Selector]>,
        extend_select: &[Selector],
        ignore: &[Selector],
    ) -> CheckSet {
        let mut decided: [Option<bool>; 64] = [None; 64];
        let mut specificities: Vec<usize> = select
            .into_iter()
            .flatten()
            .chain(extend_select)
            .chain(ignore)
            .map(|selector| selector.specificity)
            .collect();
        specificities.sort_unstable();
        specificities.dedup();
        for specificity in specificities {
            let at = |selector: &&Selector| selector.specificity == specificity;
            for selector in select.into_iter().flatten().chain(extend_select).filter(at) {
                for code in selector.checks.iter() {
                    decided[code as usize] = Some(true);
                }
            }
            for selector in ignore.iter().filter(at) {
                for code in selector.checks.iter() {
                    decided[code as usize] = Some(false);
                }
            }
        }
        let start = if select.is_some() {
            CheckSet::default()
        } else {
            self
        };
        CheckCode::ALL
            .iter()
            .fold(start, |set, code| match decided[*code as usize] {
                Some(true) => set.with(*code),
                Some(false) => set.without(*code),
                None => set,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn selectors(written: &[&str]) -> Vec<Selector> {
        written
            .iter()
            .map(|text| Selector::parse(text).expect("a selector"))
            .collect()
    }

    fn codes(set: CheckSet) -> Vec<&'static str> {
        set.iter().map(CheckCode::code).collect()
    }

    #[test]
    fn every_code_and_name_is_found() {
        for code in CheckCode::ALL {
            assert_eq!(CheckCode::find(code.code()), Some(*code));
            assert_eq!(CheckCode::find(&code.code().to_lowercase()), Some(*code));
            assert_eq!(CheckCode::find(code.name()), Some(*code));
        }
        assert_eq!(CheckSet::all().iter().count(), CheckCode::ALL.len());
    }

    #[test]
    fn prefixes_name_every_code_they_start() {
        let set = Selector::parse("IG02").expect("a prefix").checks();
        assert_eq!(codes(set), ["IG020", "IG021", "IG022", "IG023"]);
        assert!(Selector::parse("IG9").is_ok());
        assert!(Selector::parse("I").is_err(), "one letter is too vague");
        assert!(Selector::parse("IG05").is_err());
    }

    #[test]
    fn unknown_selectors_suggest_the_closest_name() {
        let error = Selector::parse("unresolved-modules").expect_err("unknown");
        assert_eq!(error.suggestion, Some("unresolved-module"));
    }

    #[test]
    fn the_most_specific_selector_wins_and_ignore_wins_ties() {
        let all = CheckSet::all().apply(None, &[], &selectors(&["IG02"]));
        assert!(!all.contains(CheckCode::UnresolvedModule));
        assert!(all.contains(CheckCode::ForbiddenImport));

        let kept = CheckSet::all().apply(Some(&selectors(&["IG020"])), &[], &selectors(&["IG02"]));
        assert_eq!(codes(kept), ["IG020"]);

        let tie = CheckSet::all().apply(Some(&selectors(&["IG02"])), &[], &selectors(&["IG02"]));
        assert!(tie.is_empty());

        let by_name = CheckSet::default().apply(
            Some(&selectors(&["ALL"])),
            &[],
            &selectors(&["missing-name", "IG9"]),
        );
        assert!(!by_name.contains(CheckCode::MissingName));
        assert!(!by_name.contains(CheckCode::ParseError));
        assert!(by_name.contains(CheckCode::UnresolvedModule));
    }

    #[test]
    fn a_later_layer_adds_and_removes_or_starts_afresh_with_select() {
        let registry = CheckSet::all().apply(None, &[], &selectors(&["IG02"]));
        let extended = registry.apply(None, &selectors(&["IG020"]), &[]);
        assert!(extended.contains(CheckCode::UnresolvedModule));
        assert!(!extended.contains(CheckCode::MissingName));
        assert!(extended.contains(CheckCode::ForbiddenImport));

        let ignored = registry.apply(None, &[], &selectors(&["IG001"]));
        assert!(!ignored.contains(CheckCode::ForbiddenImport));
        assert!(!ignored.contains(CheckCode::UnresolvedModule));

        let afresh = registry.apply(Some(&selectors(&["IG02"])), &[], &[]);
        assert_eq!(codes(afresh), ["IG020", "IG021", "IG022", "IG023"]);
    }
}
