//! The registry of checks: every stable code, its name and documentation, and the function
//! that runs the per-file checks. A check lives in one file whose `//!` docs are its user
//! documentation; `importgate explain` prints that same text, read from the file at compile
//! time, so documentation cannot drift from code.

mod banned_api;
mod deprecated_module;
mod duplicate_definition;
mod edits;
mod forbidden_chain;
mod forbidden_import;
mod import_cycle;
mod independence;
mod layer_violation;
mod missing_name;
mod module_collision;
mod non_canonical_import;
mod parse_error;
mod private_module_import;
mod registry_error;
mod relative_import;
mod shadowed_module;
mod stale_baseline;
mod unmatched_ignore;
mod unreadable_file;
mod unresolved_module;
mod unused_suppression;

pub use duplicate_definition::{duplicate_groups, DuplicateGroup};
pub(crate) use forbidden_import::governs as boundary_governs;
pub use stale_baseline::stale_baseline_diagnostic;
pub use unmatched_ignore::{entries_matching_external_imports, IgnoreEntry};
pub use unused_suppression::{apply_suppressions, FileSuppressions};

pub use crate::codes::CheckCode;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, RuleRef, Severity};
use crate::file_text::FileText;
use crate::model::{CodeContext, FileFacts, Import, SourceFile, Span};
use crate::project::ProjectFacts;
use crate::resolve::ModuleIndex;
pub use crate::resolve::ResolvedImport;

/// Whether a check can fix what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    /// Never fixable by the tool.
    None,
    /// Fixable when the import's form allows a rewrite that keeps every use valid.
    Sometimes,
}

impl FixAvailability {
    /// How the README table says it.
    pub fn as_str(self) -> &'static str {
        match self {
            FixAvailability::None => "no",
            FixAvailability::Sometimes => "sometimes",
        }
    }
}

/// The static description of a check.
#[derive(Debug)]
pub struct CheckInfo {
    /// One line for tables.
    pub summary: &'static str,
    /// Whether `--fix` can fix it.
    pub fix: FixAvailability,
    /// The severity when no registry entry says otherwise.
    pub default_severity: Severity,
    /// The check's source file, whose leading `//!` lines are its documentation.
    pub(crate) source: &'static str,
}

impl CheckInfo {
    /// The user documentation: the check file's module docs, without the `//!` markers.
    pub fn docs(&self) -> String {
        let mut docs = String::new();
        for line in self
            .source
            .lines()
            .take_while(|line| line.starts_with("//!"))
        {
            let text = line.trim_start_matches("//!");
            docs.push_str(text.strip_prefix(' ').unwrap_or(text));
            docs.push('\n');
        }
        docs
    }
}

impl CheckCode {
    /// The check's description.
    pub fn info(self) -> &'static CheckInfo {
        match self {
            CheckCode::ForbiddenImport => &forbidden_import::INFO,
            CheckCode::BannedApi => &banned_api::INFO,
            CheckCode::ForbiddenChain => &forbidden_chain::INFO,
            CheckCode::ImportCycle => &import_cycle::INFO,
            CheckCode::LayerViolation => &layer_violation::INFO,
            CheckCode::Independence => &independence::INFO,
            CheckCode::PrivateModuleImport => &private_module_import::INFO,
            CheckCode::RelativeImport => &relative_import::INFO,
            CheckCode::NonCanonicalImport => &non_canonical_import::INFO,
            CheckCode::DeprecatedModule => &deprecated_module::INFO,
            CheckCode::DuplicateDefinition => &duplicate_definition::INFO,
            CheckCode::RegistryError => &registry_error::INFO,
            CheckCode::UnresolvedModule => &unresolved_module::INFO,
            CheckCode::MissingName => &missing_name::INFO,
            CheckCode::ShadowedModule => &shadowed_module::INFO,
            CheckCode::ModuleCollision => &module_collision::INFO,
            CheckCode::UnusedSuppression => &unused_suppression::INFO,
            CheckCode::ParseError => &parse_error::INFO,
            CheckCode::UnreadableFile => &unreadable_file::INFO,
            CheckCode::StaleBaseline => &stale_baseline::INFO,
            CheckCode::UnmatchedIgnore => &unmatched_ignore::INFO,
        }
    }
}

/// A violation that a rule lets through (`tests = "allow"`, `type-checking = "allow"`):
/// not reported, but counted so the summary can say what was allowed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tolerated {
    /// The rule id.
    pub rule: String,
    /// In test code (else: in a `TYPE_CHECKING` block of production code).
    pub in_tests: bool,
}

/// What the checks found in one file.
#[derive(Debug, Default)]
pub struct Findings {
    /// Reported diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Violations the registry allows.
    pub tolerated: Vec<Tolerated>,
}

/// Everything a per-file check may look at.
pub struct FileInput<'a> {
    /// The registry.
    pub config: &'a Config,
    /// The file, classified.
    pub file: &'a SourceFile,
    /// Its facts.
    pub facts: &'a FileFacts,
    /// Its imports, resolved (same order as `facts.imports`).
    pub imports: &'a [ResolvedImport<'a>],
    /// The first-party modules of the tree.
    pub index: &'a ModuleIndex<'a>,
    /// Report guarded imports that do not resolve, as warnings.
    pub strict_guarded: bool,
    /// The decoded text of the file (empty when it could not be read), for fixes; read when
    /// first asked for if the facts came from the cache.
    pub source: &'a FileText,
}

/// Everything a project-wide check may look at.
pub struct ProjectInput<'a> {
    /// The registry.
    pub config: &'a Config,
    /// The first-party modules of the tree.
    pub index: &'a ModuleIndex<'a>,
    /// What every module binds, and what was imported from where.
    pub facts: &'a ProjectFacts,
    /// Report guarded imports that do not resolve, as warnings.
    pub strict_guarded: bool,
    /// rules.toml, relative to the governed root (`../rules.toml` when it sits above it).
    pub registry_path: String,
    /// The module graphs, built when a graph check first asks.
    pub graphs: crate::graph::GraphCache,
    /// The `ignore-imports` entries that match an import of a module outside the tree (the
    /// graph has no edge for those), as the files reported them.
    pub ignores_matching_external_imports: std::collections::HashSet<IgnoreEntry>,
}

impl ProjectInput<'_> {
    /// A diagnostic located at a value of the registry, enforcing the rule `id`.
    pub(crate) fn registry_diagnostic(
        &self,
        code: CheckCode,
        severity: Severity,
        id: &str,
        span: &std::ops::Range<usize>,
        message: String,
        hint: &str,
    ) -> Diagnostic {
        Diagnostic {
            rule: Some(RuleRef {
                id: id.to_string(),
                span: span.clone(),
            }),
            hint: Some(hint.to_string()),
            ..Diagnostic::new(
                code,
                severity,
                self.registry_path.clone(),
                self.registry_span(span.clone()),
                message,
                crate::model::CodeContext::Production,
            )
        }
    }

    /// A span in rules.toml, with line and column.
    pub(crate) fn registry_span(&self, range: std::ops::Range<usize>) -> Span {
        let (line, column) = crate::source::line_column(&self.config.text, range.start);
        let (end_line, end_column) = crate::source::line_column(&self.config.text, range.end);
        Span {
            start: range.start as u32,
            end: range.end as u32,
            line,
            column,
            end_line,
            end_column,
        }
    }
}

/// Runs the checks that need the whole tree.
/// A check that is switched off (`[checks]`, `--select`, `--ignore`) does not run.
pub fn check_project(input: &ProjectInput<'_>) -> Vec<Diagnostic> {
    type ProjectCheck = fn(&ProjectInput<'_>, &mut Vec<Diagnostic>);
    const PROJECT_CHECKS: &[(CheckCode, ProjectCheck)] = &[
        (CheckCode::RegistryError, registry_error::check),
        (CheckCode::DuplicateDefinition, duplicate_definition::check),
        (CheckCode::MissingName, missing_name::check),
        (
            CheckCode::UnresolvedModule,
            unresolved_module::check_project,
        ),
        (CheckCode::ForbiddenChain, forbidden_chain::check),
        (CheckCode::ImportCycle, import_cycle::check),
        (CheckCode::LayerViolation, layer_violation::check),
        (CheckCode::Independence, independence::check),
        (CheckCode::UnmatchedIgnore, unmatched_ignore::check),
    ];
    let mut diagnostics = Vec::new();
    for (code, check) in PROJECT_CHECKS {
        if input.config.checks.is_enabled(*code) {
            check(input, &mut diagnostics);
        }
    }
    diagnostics
}

/// A chain from a module of one group of a rule into another group.
pub(crate) struct GroupChain<'g> {
    /// The edges.
    pub chain: crate::graph::Chain,
    /// The module it starts from.
    pub from: &'g str,
    /// How it gets there: "imports `m`" or "reaches `m` through N imports".
    pub how: String,
    /// The label of the group it reaches.
    pub reached_group: &'g str,
}

/// Every route from a module of `from` into each of `others`: directly, or through modules
/// of no group (see [`crate::graph::Digraph::routes_into`]), one per first import and
/// reached group.
pub(crate) fn group_chains<'g>(
    graph: &'g crate::graph::Digraph,
    from: &crate::config::ModuleGroup,
    others: &[&'g crate::config::ModuleGroup],
) -> Vec<GroupChain<'g>> {
    if others.is_empty() {
        return Vec::new();
    }
    let is_source = graph.mark(|module| from.contains(module));
    let may_pass = graph.mark(|module| {
        !from.contains(module) && !others.iter().any(|group| group.contains(module))
    });
    let mut found = Vec::new();
    for group in others {
        let is_target = graph.mark(|module| !from.contains(module) && group.contains(module));
        for chain in graph.routes_into(&is_source, &is_target, &may_pass, 1) {
            let reached = graph.names[graph.edges[chain[chain.len() - 1]].to].as_str();
            let how = if chain.len() == 1 {
                format!("imports `{reached}`")
            } else {
                format!("reaches `{reached}` through {} imports", chain.len())
            };
            found.push(GroupChain {
                from: &graph.names[graph.edges[chain[0]].from],
                how,
                reached_group: group.label.as_str(),
                chain,
            });
        }
    }
    found
}

/// What a graph check reports about one chain.
#[derive(Clone)]
pub(crate) struct ChainReport<'a> {
    pub code: CheckCode,
    pub severity: Severity,
    pub rule: RuleRef,
    pub message: String,
    pub hint: Option<&'a str>,
}

impl ProjectInput<'_> {
    /// The module graph a rule searches: the run's graph with `filter`, without the imports
    /// the rule exempts (`ignore-imports`).
    pub(crate) fn rule_graph(
        &self,
        filter: crate::graph::EdgeFilter,
        exempt: &crate::config::IgnoredImports,
    ) -> std::sync::Arc<crate::graph::Digraph> {
        if exempt.is_empty() {
            return self.graphs.modules(self.facts, filter);
        }
        std::sync::Arc::new(crate::graph::Digraph::grouped_except(
            self.facts,
            filter,
            |module| Some(module.to_string()),
            |importer, imported| exempt.covers(importer, imported),
        ))
    }

    /// The edge filter of chain rules: production imports, lazy ones included (they run),
    /// `TYPE_CHECKING` ones only when `[graph] type-checking` says so.
    pub(crate) fn chain_filter(&self, tests: bool) -> crate::graph::EdgeFilter {
        crate::graph::EdgeFilter {
            tests: tests || self.config.graph_tests,
            type_checking: self.config.graph_type_checking,
            lazy: true,
        }
    }

    /// The diagnostics of one route: a route of one import is reported on every import
    /// line between its two modules (each is a violation of its own); a longer one on its
    /// first import, with every hop.
    pub(crate) fn route_diagnostics(
        &self,
        graph: &crate::graph::Digraph,
        chain: &[usize],
        filter: crate::graph::EdgeFilter,
        report: ChainReport<'_>,
    ) -> Vec<Diagnostic> {
        let first = graph.edges[chain[0]];
        if chain.len() > 1 || first.count == 1 {
            return vec![self.chain_diagnostic(graph, chain, report)];
        }
        // All the imports the edge stands for, found once per run (not a scan per route).
        self.graphs
            .imports_between(self.facts, first.witness.from, first.witness.to)
            .iter()
            .filter(|import| filter.keeps(import.flags))
            .map(|import| self.chain_diagnostic_at(graph, chain, report.clone(), import))
            .collect()
    }

    /// A diagnostic about a chain of imports, located at its first import; the message ends
    /// with the chain, each hop with its file:line.
    pub(crate) fn chain_diagnostic(
        &self,
        graph: &crate::graph::Digraph,
        chain: &[usize],
        report: ChainReport<'_>,
    ) -> Diagnostic {
        let witness = graph.edges[chain[0]].witness;
        self.chain_diagnostic_at(graph, chain, report, &witness)
    }

    /// [`ProjectInput::chain_diagnostic`], with the first hop at one of the imports its edge
    /// stands for.
    fn chain_diagnostic_at(
        &self,
        graph: &crate::graph::Digraph,
        chain: &[usize],
        report: ChainReport<'_>,
        first_import: &crate::project::ImportEdge,
    ) -> Diagnostic {
        let last = &graph.edges[chain[chain.len() - 1]];
        let witness = *first_import;
        let span = Span {
            line: witness.line,
            column: witness.column,
            end_line: witness.line,
            end_column: witness.column,
            ..Span::FILE_START
        };
        let context = if witness.flags & crate::model::edge_flags::TEST != 0 {
            crate::model::CodeContext::Test
        } else {
            crate::model::CodeContext::Production
        };
        let hops = chain
            .iter()
            .enumerate()
            .map(|(position, edge)| {
                if position == 0 {
                    self.facts.hop(&witness)
                } else {
                    self.facts.hop(&graph.edges[*edge].witness)
                }
            })
            .collect();
        Diagnostic {
            chain: hops,
            rule: Some(report.rule),
            hint: report.hint.map(str::to_string),
            target: Some(graph.names[last.to].clone()),
            statement_line: Some(witness.line),
            ..Diagnostic::new(
                report.code,
                report.severity,
                self.facts.text(witness.path).to_string(),
                span,
                format!(
                    "{}: {}",
                    report.message,
                    graph.describe_from(chain, self.facts, Some(&witness))
                ),
                context,
            )
        }
    }
}

impl FileInput<'_> {
    /// A diagnostic located in this file, with the fields every check fills the same way.
    pub(crate) fn diagnostic(
        &self,
        code: CheckCode,
        severity: Severity,
        span: Span,
        message: String,
    ) -> Diagnostic {
        Diagnostic::new(
            code,
            severity,
            self.file.relative.clone(),
            span,
            message,
            self.file.context,
        )
    }

    /// Whether an import of the file is test code: the file's context, or test code
    /// inside a production file (Rust's `#[cfg(test)]` modules and `#[test]` functions).
    pub(crate) fn context_of(&self, import: &Import) -> CodeContext {
        if import.context.test {
            CodeContext::Test
        } else {
            self.file.context
        }
    }

    /// A diagnostic about one import, enforcing a registry entry.
    pub(crate) fn import_diagnostic(
        &self,
        code: CheckCode,
        severity: Severity,
        import: &ResolvedImport<'_>,
        message: String,
        rule: Option<RuleRef>,
        hint: Option<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            hint,
            target: Some(
                import
                    .module()
                    .map_or_else(|| import.import.written_module(), str::to_string),
            ),
            name_imported: import.import.name.as_deref().map(str::to_string),
            statement_line: Some(import.import.statement.line),
            context: self.context_of(import.import),
            ..self.diagnostic(code, severity, import.import.span, message)
        }
    }
}

/// Runs every per-file check on one file.
/// A check that is switched off for the file (`[checks]`, `per-file-ignores`, `--select`,
/// `--ignore`) does not run.
pub fn check_file(input: &FileInput<'_>) -> Findings {
    type FileCheck = fn(&FileInput<'_>, &mut Findings);
    const FILE_CHECKS: &[(CheckCode, FileCheck)] = &[
        (CheckCode::UnreadableFile, unreadable_file::check),
        (CheckCode::ParseError, parse_error::check),
        (CheckCode::ForbiddenImport, forbidden_import::check),
        (CheckCode::PrivateModuleImport, private_module_import::check),
        (CheckCode::BannedApi, banned_api::check),
        (CheckCode::RelativeImport, relative_import::check),
        (CheckCode::NonCanonicalImport, non_canonical_import::check),
        (CheckCode::DeprecatedModule, deprecated_module::check),
        (CheckCode::UnresolvedModule, unresolved_module::check),
        (CheckCode::ShadowedModule, shadowed_module::check),
        (CheckCode::ModuleCollision, module_collision::check),
    ];
    let enabled = input.config.checks.enabled_for(&input.file.relative);
    let mut findings = Findings::default();
    for (code, check) in FILE_CHECKS {
        if enabled.contains(*code) {
            check(input, &mut findings);
        }
    }
    findings
}

/// The severity a rule with `severity` (`production`), `tests` and `type-checking` keys
/// gives an import of the file: by its code context, and inside `if TYPE_CHECKING:` the
/// latter's treatment unless the context already allows it. `None`: the rule lets the
/// import through, and it is counted for the summary.
pub(crate) fn import_severity(
    input: &FileInput<'_>,
    findings: &mut Findings,
    rule: &str,
    (production, tests, type_checking): (
        crate::config::Treatment,
        crate::config::Treatment,
        Option<crate::config::Treatment>,
    ),
    import: &Import,
) -> Option<Severity> {
    use crate::config::Treatment;
    let in_type_checking = import.context.type_checking;
    let context = input.context_of(import);
    let by_context = match context {
        CodeContext::Production => production,
        CodeContext::Test => tests,
    };
    let treatment = match (by_context, type_checking) {
        (Treatment::Allow, _) => Treatment::Allow,
        (_, Some(type_checking)) if in_type_checking => type_checking,
        (by_context, _) => by_context,
    };
    let severity = severity_of(treatment);
    if severity.is_none() {
        findings.tolerated.push(Tolerated {
            rule: rule.to_string(),
            in_tests: context == CodeContext::Test,
        });
    }
    severity
}

/// The human description of an import's context, appended to messages: "" for a plain
/// module-level import.
pub(crate) fn context_note(import: &Import) -> String {
    let mut notes = Vec::new();
    if import.kind == crate::model::ImportKind::Dynamic {
        notes.push("dynamic import");
    }
    if import.context.type_checking {
        notes.push("in a TYPE_CHECKING block");
    }
    if import.context.guarded {
        notes.push("guarded by `except ImportError`");
    }
    if import.context.lazy {
        notes.push("inside a function");
    }
    if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    }
}

/// How an import reads in a message: `a.b`, or `c` from `a.b`. A Rust path names what
/// it resolves to (`Config::new` from `app`); when that is a module re-exported under the
/// name the path wrote, the written name is added.
pub(crate) fn describe_import(import: &ResolvedImport<'_>) -> String {
    let module = import
        .module()
        .map_or_else(|| import.import.written_module(), str::to_string);
    let written = import.import.name.as_deref();
    if let (true, Some(name)) = (
        import.import.kind.language() == crate::model::Language::Rust,
        &import.name,
    ) {
        let shown = match &import.rest {
            Some(rest) => format!("{name}::{rest}"),
            None => name.to_string(),
        };
        let last = shown.rsplit("::").next().unwrap_or_default();
        return match written.filter(|written| *written != last && *written != "*") {
            Some(written) => format!("`{shown}` from `{module}` (re-exported as `{written}`)"),
            None => format!("`{shown}` from `{module}`"),
        };
    }
    match written {
        Some("*") => format!("`*` from `{module}`"),
        Some(name) => format!("`{name}` from `{module}`"),
        None => format!("`{module}`"),
    }
}

/// Maps a treatment to a severity (`None` for allow).
pub(crate) fn severity_of(treatment: crate::config::Treatment) -> Option<Severity> {
    match treatment {
        crate::config::Treatment::Allow => None,
        crate::config::Treatment::Warn => Some(Severity::Warning),
        crate::config::Treatment::Error => Some(Severity::Error),
    }
}
