//! One run of `importgate check`: discover -> classify -> (per file, in parallel: read ->
//! parse -> resolve -> check) -> sorted findings. Sources and syntax trees live only inside
//! the per-file task, so memory stays flat however large the tree is.

use crate::cache::Stamp;
use crate::cache::{FileEdges, Found, ImportCache};
use crate::checks::{
    apply_suppressions, check_file, check_project, entries_matching_external_imports, CheckCode,
    FileInput, FileSuppressions, ProjectInput, ResolvedImport, Tolerated,
};
use crate::classify::classify_listed;
use crate::config::Config;
use crate::diagnostic::{sort_diagnostics, Applicability, Diagnostic, Requirement, Severity};
use crate::discover::discover;
use crate::facts_cache::FactsCache;
use crate::file_text::{content_hash, FileText};
use crate::frontend::{self, ExtractOptions};
use crate::guarded_io::{read_regular, GovernedRoot, SOURCE_LIMIT};
use crate::model::{CodeContext, FileFacts, ModuleBindings, ReadProblem, SourceFile, Span};
use crate::project::{contribution, import_edges, DefinitionFilter, NameLookup, ProjectFacts};
use crate::report_cache::{self, RunKey, RunSettings};
use crate::resolve::{resolve_import, ModuleIndex, SearchOrder};
use crate::tree_listing::discover_listed;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

mod session;
pub use session::Session;
use session::{IndexedTree, Warm};

/// What to check.
#[derive(Debug, Default, Clone)]
pub struct CheckOptions {
    /// Limit the report to these files or directories (the whole tree is still walked, so
    /// that resolution sees every module). Empty: the whole tree.
    pub paths: Vec<PathBuf>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Report guarded imports that do not resolve (IG020, IG021) as warnings.
    pub strict_guarded: bool,
    /// Texts to use instead of the files on disk (absolute path -> decoded text): the
    /// rounds of `--fix` and `--diff` check their results before anything is written.
    pub overlay: Arc<HashMap<PathBuf, String>>,
    /// Keep the definition of every public class and function in the outcome's project
    /// facts, whatever `[duplicates]` says (the audits list the consolidation candidates;
    /// the diagnostics still follow the registry).
    pub all_public_definitions: bool,
    /// Where a run on PATHS keeps the imports of the other files between runs (see
    /// [`crate::cache`]); `None`: no cache.
    pub cache_dir: Option<PathBuf>,
    /// Told how far the run is (a progress bar on a terminal).
    pub progress: Option<Arc<dyn Progress>>,
    /// A full run with the cache may replay the report of the last one when nothing it was
    /// computed from changed ([`crate::report_cache`]); its outcome then has no project
    /// facts. For the callers that use only the report.
    pub replay_report: bool,
    /// What to keep between runs over the same tree (see [`Session`]); a run with one never
    /// replays a report.
    pub session: Option<Arc<Session>>,
}

/// Where a run reports how far it is. Called from worker threads.
pub trait Progress: Send + Sync + std::fmt::Debug {
    /// A phase starts with `total` files to go through (0: of unknown length).
    fn start(&self, phase: &'static str, total: usize);
    /// One more file of the phase done.
    fn advance(&self);
    /// The run is done.
    fn finish(&self);
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// Every diagnostic, sorted by (path, line, column, code).
    pub diagnostics: Vec<Diagnostic>,
    /// Violations the registry lets through.
    pub tolerated: Vec<Tolerated>,
    /// Diagnostics suppressed by `# importgate: ignore` comments.
    pub suppressed: usize,
    /// Fixes applied by `--fix` before this outcome was checked.
    pub fixed: usize,
    /// Files checked, production.
    pub production_files: usize,
    /// Files checked, test.
    pub test_files: usize,
    /// Files checked that belong to no `[[service]]`; `None` when the registry declares no
    /// services.
    pub files_without_service: Option<usize>,
    /// Given paths that are not Python files of the governed tree (excluded, ignored, outside
    /// the root, or not Python), reported on stderr by the caller.
    pub skipped_paths: Vec<PathBuf>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// The given PATHS that lie in the governed tree, relative to its root (`""` for the
    /// root itself); `None` when the whole tree was checked.
    pub selection: Option<SelectedPaths>,
    /// Diagnostics dropped because the baseline knows them.
    pub baseline_ignored: usize,
    /// The project facts: the import graph's edges for `why`, and the definitions of watched
    /// symbols (every public class and function in `all-public` mode) for the duplicates
    /// audit.
    pub project: ProjectFacts,
    /// The files of the tree, to read them again for reports and fixes.
    pub files: TreeFiles,
    /// When most first-party imports do not resolve (or name packages of the tree that the
    /// python roots do not reach): the roots the tree's layout suggests. Full runs only.
    pub roots_hint: Option<RootsHint>,
    /// The report was the last full run's, replayed (see [`crate::report_cache`]): the
    /// project facts are empty.
    pub replayed: bool,
}

/// "Most first-party imports do not resolve: set `python-roots`, probably to [...]".
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RootsHint {
    /// The python roots the tree's layout suggests (`""` for the root).
    pub python_roots: Vec<String>,
    /// Imports of first-party modules that do not exist (IG020).
    pub unresolved: usize,
    /// Imports of packages of the tree that the python roots do not reach (taken for
    /// third-party packages, so never checked).
    pub unreached: usize,
    /// Imports of first-party modules that resolve.
    pub resolved: usize,
    /// The unreached packages, most imported first (at most five).
    pub unreached_packages: Vec<String>,
}

impl Outcome {
    /// Number of error diagnostics.
    pub fn errors(&self) -> usize {
        self.count(Severity::Error)
    }

    /// Number of warning diagnostics.
    pub fn warnings(&self) -> usize {
        self.count(Severity::Warning)
    }

    fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }
}

/// The root-relative paths a run on PATHS was given (`""` for the root itself): whether one
/// covers a path is a lookup per `/` of the path, whatever the number of paths given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectedPaths {
    paths: HashSet<String>,
}

impl SelectedPaths {
    /// The selection of these root-relative paths.
    pub fn new(paths: impl IntoIterator<Item = String>) -> Self {
        Self {
            paths: paths.into_iter().collect(),
        }
    }

    /// The selected paths that cover `relative`: the root (`""`), its directories and itself.
    fn covering<'a>(&'a self, relative: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        std::iter::once("")
            .chain(relative.match_indices('/').map(|(at, _)| &relative[..at]))
            .chain(std::iter::once(relative))
            .filter_map(|prefix| self.paths.get(prefix).map(String::as_str))
    }

    /// Whether `relative` is a selected path or lies below one.
    pub fn covers(&self, relative: &str) -> bool {
        // Runs on many paths are mostly given the files themselves: one lookup for those.
        self.paths.contains(relative) || self.covering(relative).next().is_some()
    }
}

/// Whether a selection (`None`: everything) covers the root-relative path `relative`.
pub fn selection_covers(selection: Option<&SelectedPaths>, relative: &str) -> bool {
    selection.is_none_or(|selection| selection.covers(relative))
}

/// Why a run could not be done at all.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A path given on the command line does not exist.
    #[error("{}: no such file or directory", .0.display())]
    MissingPath(PathBuf),
    /// The thread pool could not be built.
    #[error("cannot start worker threads: {0}")]
    Threads(String),
}

/// Checks the governed tree.
pub fn check(config: &Config, options: &CheckOptions) -> Result<Outcome, RunError> {
    let started = Instant::now();
    let threads = options.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(crate::frontend::nesting::PARSE_STACK_BYTES)
        .build()
        .map_err(|error| RunError::Threads(error.to_string()))?;
    let walk_threads = pool.current_num_threads();

    if let Some(session) = &options.session {
        // The tree as the session last listed it, with its index; never a replay (a session's
        // runs check buffers).
        let warm = session.warm(config, || {
            pool.install(|| {
                let discovery = discover_listed(config, walk_threads, options.cache_dir.as_deref());
                ListedTree::classified(config, discovery)
            })
        });
        let all_files = Arc::clone(warm.files());
        let selection = pool.install(|| {
            Selection::new(
                &options.paths,
                &config.root,
                all_files.iter().map(|file| file.relative.as_str()),
            )
        })?;
        let selected = Selected::new(selection, &all_files);
        let run = warm
            .tree
            .check(config, options, &pool, selected, None, Some(&warm));
        return Ok(run.report(config, options, started, warm.tree.borrow_owner()));
    }
    let discovery =
        pool.install(|| discover_listed(config, walk_threads, options.cache_dir.as_deref()));
    let selection = pool.install(|| {
        Selection::new(
            &options.paths,
            &config.root,
            discovery.files.iter().map(|file| file.relative.as_str()),
        )
    })?;
    // A run that checks every file records what it found for the next one, which replays
    // it when nothing it was computed from changed.
    let run_key = options
        .cache_dir
        .as_deref()
        .filter(|_| options.overlay.is_empty())
        .map(|directory| {
            let settings = RunSettings {
                strict_guarded: options.strict_guarded,
                all_public_definitions: options.all_public_definitions,
            };
            (directory, RunKey::new(config, settings, &discovery))
        });
    // Every file is classified and indexed (resolution sees the whole tree); only the
    // selected ones are checked.
    // On the run's own threads: the layout's scan in parallel would otherwise start
    // rayon's global pool beside them, whose threads keep what they allocated (44 MiB
    // more at the peak of a 7,000-file Rust tree).
    let listed = pool.install(|| ListedTree::classified(config, discovery));
    let all_files = &listed.files;
    let selected = Selected::new(selection, all_files);
    let selection = &selected.selection;
    // Replayed for the whole tree and for any PATHS: their report is cut from the findings
    // of every file. A few given files are looked at first: under pre-commit they are the
    // changed ones, and one `stat` then ends the attempt.
    let replayed = run_key
        .filter(|_| options.replay_report)
        .and_then(|(directory, key)| {
            let paths: Vec<&Path> = all_files.iter().map(|file| file.path.as_path()).collect();
            // (Many given files are the tree's bulk: then one pass over every file.)
            let given: Vec<usize> = if selection.is_everything() || selected.files.len() > 64 {
                Vec::new()
            } else {
                selected.files.clone()
            };
            let recorded = pool.install(|| report_cache::replay(directory, key, &paths, &given))?;
            postcard::from_bytes::<RunFindings>(&recorded).ok()
        });
    if let Some(findings) = replayed {
        let every_file: Vec<&SourceFile> = all_files.iter().collect();
        let selected_files = selected.of(all_files);
        let layout = selection.is_everything().then(|| layout_of(all_files));
        let report = Report::new(
            config,
            selection,
            &every_file,
            &selected_files,
            findings,
            layout.as_ref(),
        );
        drop((every_file, selected_files));
        let mut outcome = report.into_outcome(
            started,
            selection,
            Arc::clone(all_files),
            ProjectFacts::default(),
            config,
        );
        outcome.replayed = true;
        return Ok(outcome);
    }
    let tree = IndexedTree::index(config, listed);
    let run = tree.check(config, options, &pool, selected, run_key, None);
    // The index goes before the report is made: the report's peak is then the run's.
    let listed = tree.into_owner();
    Ok(run.report(config, options, started, &listed))
}

impl IndexedTree {
    /// Checks the selected files of the tree (see [`checked`]).
    fn check(
        &self,
        config: &Config,
        options: &CheckOptions,
        pool: &rayon::ThreadPool,
        selected: Selected,
        run_key: Option<(&Path, RunKey)>,
        warm: Option<&Warm>,
    ) -> CheckedRun {
        self.with_dependent(|listed, index| {
            let what = ToCheck {
                selected,
                run_key,
                listed,
                index,
                warm,
            };
            checked(config, options, pool, what)
        })
    }
}

/// The given paths, and the positions of the files of the tree they select: found once
/// per run (every file is looked up), used by the replay, the check and the report.
struct Selected {
    selection: Selection,
    files: Vec<usize>,
}

impl Selected {
    fn new(selection: Selection, all_files: &[SourceFile]) -> Self {
        let files = (0..all_files.len())
            .filter(|at| selection.includes(&all_files[*at].relative))
            .collect();
        Self { selection, files }
    }

    /// The selected files of `all_files` (the tree they were found in).
    fn of<'f>(&self, all_files: &'f [SourceFile]) -> Vec<&'f SourceFile> {
        self.files.iter().map(|at| &all_files[*at]).collect()
    }
}

/// What [`checked`] checks: the selection of a listed and indexed tree.
struct ToCheck<'t, 'k> {
    selected: Selected,
    /// Where and under which key a run that checks every file records its findings.
    run_key: Option<(&'k Path, RunKey)>,
    listed: &'t ListedTree,
    index: &'t ModuleIndex<'t>,
    /// A session's warm state, when the run has one.
    warm: Option<&'t Warm>,
}

/// Checks the selected files of a listed and indexed tree.
fn checked(
    config: &Config,
    options: &CheckOptions,
    pool: &rayon::ThreadPool,
    what: ToCheck<'_, '_>,
) -> CheckedRun {
    let ToCheck {
        selected: chosen,
        run_key,
        listed,
        index,
        warm,
    } = what;
    let all_files: &[SourceFile] = &listed.files;
    let selection = &chosen.selection;
    let selected = chosen.of(all_files);
    let watched_apis: Vec<String> = config
        .banned
        .iter()
        .flat_map(|banned| {
            banned
                .api
                .iter()
                .map(|entry| entry.pattern.as_str().to_string())
        })
        .collect();
    let extract_options = ExtractOptions::new(watched_apis.iter().cloned());
    // PATHS that cover most of the tree (pre-commit's `--all-files` passes every file) are
    // checked as a full run whose report is then cut down to them: parsing the rest of the
    // tree costs less than completing the facts of the other files one by one.
    // With the facts cache of an earlier full run, a full run parses next to nothing (on the
    // benchmark corpus it costs as much as parsing 1/24 of the tree's files on PATHS): then
    // 1/32 of the tree is enough. The cache is read only then, so that runs on a few paths
    // never read it.
    let covers_half = !selection.is_everything() && selected.len() * 2 >= all_files.len().max(1);
    let warm_cache =
        (!selection.is_everything() && !covers_half && selected.len() * 32 >= all_files.len())
            .then(|| {
                let directory = options.cache_dir.as_deref()?;
                warm_facts_cache(FactsCache::open(directory, &watched_apis), all_files)
            })
            .flatten();
    let filtered_full_run = covers_half || warm_cache.is_some();
    let files: Vec<&SourceFile> = if filtered_full_run {
        all_files.iter().collect()
    } else {
        selected.clone()
    };
    // Full runs parse only the contents they have not seen (runs on a few PATHS have the
    // import cache instead).
    let facts_cache = warm_cache.or_else(|| {
        options
            .cache_dir
            .as_deref()
            .filter(|_| selection.is_everything() || filtered_full_run)
            .map(|directory| FactsCache::open(directory, &watched_apis))
    });
    let filter = DefinitionFilter::new(config, options.all_public_definitions);
    let ignore_lists = config.ignore_lists();
    // Packages of the tree that the python roots do not reach: imports of them pass for
    // third-party ones. Counted per file on full runs, for the roots hint.
    // (Every run that checks every file counts them: what it records serves full runs.)
    let checks_every_file = files.len() == all_files.len();
    let layout = checks_every_file.then(|| layout_of(all_files));
    let unreached_packages: HashSet<&str> = layout
        .as_ref()
        .map(|layout| {
            layout
                .packages
                .values()
                .flatten()
                .map(String::as_str)
                .filter(|package| !index.is_first_party(package))
                .collect()
        })
        .unwrap_or_default();

    // Each file's contribution to the project facts is merged as soon as it is checked, so
    // that no file's facts outlive its task. One shared set: per-thread shards were no
    // faster on the benchmark and cost 15 MB (strings interned twice, fewer imports settled
    // at merge time).
    let shared_project = Mutex::new(ProjectFacts::default());
    let progress = options.progress.as_deref();
    if let Some(progress) = progress {
        progress.start("checking", files.len());
    }
    // Only the outcomes that carry something are kept, with their file's place: on a tree of
    // 200,000 files the empty ones cost 25 MB.
    // Each file's stamp as it was read, for the record of a full run's report.
    let file_stamps: Vec<OnceLock<Stamp>> = match run_key {
        Some(_) if checks_every_file => files.iter().map(|_| OnceLock::new()).collect(),
        _ => Vec::new(),
    };
    let per_file: Vec<_> = pool.install(|| {
        files
            .par_iter()
            .enumerate()
            .filter_map(|(at, file)| {
                // A file whose facts came from the cache unread is read when a check needs
                // its text; if that finds other bytes, the file is checked again from them.
                let mut trust_stamp = true;
                let outcome = loop {
                    let (source, mut facts, stamp) = read_source_and_facts(
                        file,
                        &extract_options,
                        &options.overlay,
                        facts_cache.as_ref().map(|cache| FromCache {
                            cache,
                            relative: &file.relative,
                            trust_stamp,
                        }),
                    );
                    let bindings = std::mem::take(&mut facts.bindings);
                    let imports: Vec<ResolvedImport<'_>> = facts
                        .imports
                        .iter()
                        .map(|import| resolve_import(import, file, index))
                        .collect();
                    let mut findings = check_file(&FileInput {
                        config,
                        file,
                        facts: &facts,
                        imports: &imports,
                        index,
                        strict_guarded: options.strict_guarded,
                        source: &source,
                    });
                    // `--fix` never writes over replaced bytes: no fix is offered that it
                    // would not apply.
                    if facts.read.is_some() {
                        for diagnostic in &mut findings.diagnostics {
                            diagnostic.fix = None;
                        }
                    }
                    let contribution =
                        contribution(file, &source, bindings, &facts, &imports, index, &filter);
                    if source.is_stale() {
                        trust_stamp = false;
                        continue;
                    }
                    if let (Some(recorded), Some(stamp)) = (file_stamps.get(at), stamp) {
                        let _ = recorded.set(stamp);
                    }
                    if let Ok(mut project) = shared_project.lock() {
                        project.add(contribution, index);
                    }
                    let suppressions = FileSuppressions {
                        context: file.context,
                        suppressions: std::mem::take(&mut facts.suppressions),
                    };
                    let ignores_matched =
                        entries_matching_external_imports(&ignore_lists, file, &imports, index);
                    let unreached: Vec<&str> = if unreached_packages.is_empty() {
                        Vec::new()
                    } else {
                        imports
                            .iter()
                            .filter_map(|import| import.module())
                            .filter_map(|module| {
                                unreached_packages
                                    .get(module.split('.').next().unwrap_or(module))
                                    .copied()
                            })
                            .collect()
                    };
                    break (findings, suppressions, ignores_matched, unreached);
                };
                if let Some(progress) = progress {
                    progress.advance();
                }
                let (findings, suppressions, ignores_matched, unreached) = &outcome;
                let empty = findings.diagnostics.is_empty()
                    && findings.tolerated.is_empty()
                    && suppressions.suppressions.is_empty()
                    && ignores_matched.is_empty()
                    && unreached.is_empty();
                (!empty).then_some((at, outcome))
            })
            .collect()
    });

    if let Some(cache) = facts_cache {
        cache.save();
    }
    let mut project = shared_project.into_inner().unwrap_or_default();
    let mut findings = RunFindings::default();
    let mut ignores_matching_external_imports = HashSet::new();
    let mut unreached_imports: HashMap<&str, usize> = HashMap::new();
    for (at, (file_findings, suppressions, ignores_matched, unreached)) in per_file {
        ignores_matching_external_imports.extend(ignores_matched);
        for package in unreached {
            *unreached_imports.entry(package).or_default() += 1;
        }
        if file_findings.diagnostics.is_empty()
            && file_findings.tolerated.is_empty()
            && suppressions.suppressions.is_empty()
        {
            continue;
        }
        findings.files.push(FileFindings {
            at: at as u32,
            diagnostics: file_findings.diagnostics,
            tolerated: file_findings.tolerated,
            suppressions,
        });
    }
    if let Some(progress) = progress {
        progress.start("checking the import graph", 0);
    }
    if !checks_every_file {
        pool.install(|| {
            complete_for_selection(
                config,
                all_files,
                index,
                &filter,
                &extract_options,
                warm,
                &mut project,
            );
            if config.has_graph_rules() {
                complete_graph(
                    all_files,
                    selection,
                    index,
                    &extract_options,
                    options.cache_dir.as_deref(),
                    warm,
                    &mut project,
                );
            }
        });
    }
    for file_findings in &mut findings.files {
        verify_fixes(&mut file_findings.diagnostics, &project, index, &files);
    }
    let project_input = ProjectInput {
        config,
        index,
        facts: &project,
        strict_guarded: options.strict_guarded,
        registry_path: relative_between(&config.root, &config.path),
        graphs: Default::default(),
        ignores_matching_external_imports,
    };
    findings.project = check_project(&project_input);
    // What the Rust layout could not follow is reported on the file at fault, like the
    // project's findings (on PATHS, when that file is given).
    findings.project.extend(
        listed
            .rust
            .problems
            .iter()
            .filter_map(|problem| layout_problem_diagnostic(config, all_files, problem)),
    );
    findings.problems = listed
        .problems
        .iter()
        .cloned()
        .map(problem_diagnostic)
        .collect();
    findings.unreached_imports = unreached_imports
        .into_iter()
        .map(|(package, count)| (package.to_string(), count))
        .collect();
    findings.unreached_imports.sort_unstable();
    findings.resolved = project.edges.len();
    if let Some((directory, key)) = run_key.filter(|_| checks_every_file) {
        let files: Option<Vec<Stamp>> = file_stamps.into_iter().map(OnceLock::into_inner).collect();
        if let (Some(files), Some(directories)) = (files, index.disk_reads()) {
            let stamps = report_cache::Stamps { files, directories };
            report_cache::record(directory, key, stamps, || {
                postcard::to_stdvec(&findings).ok()
            });
        }
    }
    CheckedRun {
        layout: layout.filter(|_| selection.is_everything()),
        selected: chosen,
        findings,
        project,
        checked_every_file: checks_every_file,
    }
}

/// What [`checked`] found, before it is reported.
struct CheckedRun {
    selected: Selected,
    findings: RunFindings,
    project: ProjectFacts,
    /// The layout the tree suggests, for the roots hint of a full run.
    layout: Option<crate::layout::Layout>,
    /// Whether every file of the tree was checked (a full run, or PATHS checked as one).
    checked_every_file: bool,
}

impl CheckedRun {
    /// The run's report, cut down to its selection.
    fn report(
        self,
        config: &Config,
        options: &CheckOptions,
        started: Instant,
        listed: &ListedTree,
    ) -> Outcome {
        let selection = &self.selected.selection;
        let selected = self.selected.of(&listed.files);
        let files: Vec<&SourceFile> = if self.checked_every_file {
            listed.files.iter().collect()
        } else {
            selected.clone()
        };
        let report = Report::new(
            config,
            selection,
            &files,
            &selected,
            self.findings,
            self.layout.as_ref(),
        );
        if let Some(progress) = options.progress.as_deref() {
            progress.finish();
        }
        drop((files, selected));
        report.into_outcome(
            started,
            selection,
            Arc::clone(&listed.files),
            self.project,
            config,
        )
    }
}

/// The layout the tree's paths suggest (for the roots hint).
fn layout_of(files: &[SourceFile]) -> crate::layout::Layout {
    crate::layout::infer(files.iter().map(|file| file.relative.as_str()))
}

/// An entry the walk could not read, as a full run reports it.
fn problem_diagnostic(problem: crate::discover::WalkProblem) -> Diagnostic {
    let (severity, message) = if problem.outside_root {
        (Severity::Warning, problem.message)
    } else {
        (Severity::Error, format!("cannot read: {}", problem.message))
    };
    Diagnostic::new(
        CheckCode::UnreadableFile,
        severity,
        problem.relative,
        Span::FILE_START,
        message,
        CodeContext::Production,
    )
}

/// What the Rust layout could not read or follow, as a diagnostic on the file at fault:
/// a manifest that cannot be read or is invalid (IG901), a `mod` whose file is missing
/// (IG020, rustc's E0583) or found twice (IG023, E0761), a module file that cannot be read
/// — unless it is a checked file, whose own read or parse reports it.
fn layout_problem_diagnostic(
    config: &Config,
    files: &[SourceFile],
    problem: &crate::frontend::rust::layout::LayoutProblem,
) -> Option<Diagnostic> {
    use crate::frontend::rust::layout::LayoutProblem;
    use crate::frontend::rust::modules::ModuleProblem;
    use crate::frontend::rust::workspace::WorkspaceError;
    let shown = |path: &Path| {
        crate::paths::relative_path(&config.root, path)
            .unwrap_or_else(|| path.display().to_string())
    };
    // The start of a declaration's line, read again (problems are rare).
    let either = |candidates: &[PathBuf], joint: &str| {
        candidates
            .iter()
            .map(|candidate| format!("`{}`", shown(candidate)))
            .collect::<Vec<_>>()
            .join(joint)
    };
    let at_line = |file: &Path, line: usize| {
        let start = crate::guarded_io::read_regular_text(file, crate::guarded_io::SOURCE_LIMIT)
            .ok()
            .and_then(|text| {
                let mut offset = 0;
                for _ in 1..line {
                    offset += text.get(offset..)?.find('\n')? + 1;
                }
                Some(offset as u32)
            })
            .unwrap_or(0);
        Span {
            start,
            end: start,
            line: line as u32,
            end_line: line as u32,
            ..Span::FILE_START
        }
    };
    let (code, path, span, message) = match problem {
        LayoutProblem::Workspace(
            WorkspaceError::Read { path, message } | WorkspaceError::Invalid { path, message },
        ) => (
            CheckCode::UnreadableFile,
            shown(path),
            Span::FILE_START,
            format!("Cargo manifest: {message}"),
        ),
        LayoutProblem::Module(ModuleProblem::NotFound {
            module,
            candidates,
            declared_in: (file, line),
        }) => (
            CheckCode::UnresolvedModule,
            shown(file),
            at_line(file, *line),
            format!(
                "file not found for module `{module}`: neither {} exists (rustc: E0583)",
                either(candidates, " nor ")
            ),
        ),
        LayoutProblem::Module(ModuleProblem::Ambiguous {
            module,
            candidates,
            declared_in: (file, line),
        }) => (
            CheckCode::ModuleCollision,
            shown(file),
            at_line(file, *line),
            format!(
                "module `{module}` is found in both {} (rustc: E0761)",
                either(candidates, " and ")
            ),
        ),
        LayoutProblem::DuplicateLibrary {
            name,
            manifest,
            first,
        } => (
            CheckCode::ModuleCollision,
            shown(manifest),
            Span::FILE_START,
            format!(
                "the library `{name}` is also the library of `{}`: paths starting with `{name}` cannot be told to be either's, and are not checked",
                shown(first)
            ),
        ),
        LayoutProblem::Module(ModuleProblem::Unreadable { file, message }) => {
            let normalized = crate::paths::normalize(file);
            if files
                .iter()
                .any(|checked| crate::paths::normalize(&checked.path) == normalized)
            {
                return None;
            }
            (
                CheckCode::UnreadableFile,
                shown(file),
                Span::FILE_START,
                format!("module file cannot be read: {message}"),
            )
        }
    };
    Some(Diagnostic::new(
        code,
        Severity::Error,
        path,
        span,
        message,
        CodeContext::Production,
    ))
}

/// What a run found before its report is cut down to the given paths and suppressions
/// apply: what the report cache records of a run that checked every file.
#[derive(Default, Serialize, Deserialize)]
struct RunFindings {
    /// Each file with anything found, in the run's file order.
    files: Vec<FileFindings>,
    /// The project-wide diagnostics (names, the import graph, duplicates, the registry).
    project: Vec<Diagnostic>,
    /// The entries the walk could not read (reported by full runs).
    problems: Vec<Diagnostic>,
    /// Imports of packages of the tree that the python roots do not reach, by package.
    unreached_imports: Vec<(String, usize)>,
    /// Imports that resolved to modules of the tree (edges of the import graph).
    resolved: usize,
}

/// What the checks of one file found.
#[derive(Serialize, Deserialize)]
struct FileFindings {
    /// The file's place among the run's files.
    at: u32,
    /// Its diagnostics, fixes verified against the whole project.
    diagnostics: Vec<Diagnostic>,
    tolerated: Vec<Tolerated>,
    suppressions: FileSuppressions,
}

/// A run's report on the selected files.
struct Report {
    diagnostics: Vec<Diagnostic>,
    tolerated: Vec<Tolerated>,
    suppressed: usize,
    production_files: usize,
    test_files: usize,
    files_without_service: Option<usize>,
    skipped_paths: Vec<PathBuf>,
    roots_hint: Option<RootsHint>,
}

impl Report {
    /// The report of what a run over `files` found, on the `selected` ones; with the tree's
    /// `layout` on full runs, for the roots hint.
    fn new(
        config: &Config,
        selection: &Selection,
        files: &[&SourceFile],
        selected: &[&SourceFile],
        findings: RunFindings,
        layout: Option<&crate::layout::Layout>,
    ) -> Self {
        let mut diagnostics = Vec::new();
        let mut tolerated = Vec::new();
        let mut suppressions: HashMap<String, FileSuppressions> = HashMap::new();
        for file_findings in findings.files {
            let Some(file) = files.get(file_findings.at as usize) else {
                continue;
            };
            // A full run whose report is cut down to PATHS reports on them only.
            if !selection.includes(&file.relative) {
                continue;
            }
            diagnostics.extend(file_findings.diagnostics);
            tolerated.extend(file_findings.tolerated);
            if !file_findings.suppressions.suppressions.is_empty() {
                suppressions.insert(file.relative.clone(), file_findings.suppressions);
            }
        }
        // A chain or cycle is reported when any of its imports is in a selected file.
        diagnostics.extend(findings.project.into_iter().filter(|diagnostic| {
            std::iter::once(&diagnostic.path)
                .chain(diagnostic.chain.iter().map(|hop| &hop.path))
                .any(|path| selection.includes(path))
        }));
        if selection.is_everything() {
            diagnostics.extend(findings.problems);
        }
        // Checks switched off for a file did not run there; project-wide ones ran and are
        // dropped where they point (a chain is reported on its first import).
        diagnostics.retain(|diagnostic| {
            config
                .checks
                .is_enabled_in(diagnostic.code, &diagnostic.path)
        });
        let suppressed = apply_suppressions(
            &mut diagnostics,
            &suppressions,
            config.require_suppression_reason,
            &config.checks,
        );
        sort_diagnostics(&mut diagnostics);
        let test_files = selected
            .iter()
            .filter(|file| file.context == CodeContext::Test)
            .count();
        let files_without_service = (!config.services.is_empty()).then(|| {
            selected
                .iter()
                .filter(|file| file.service.is_none())
                .count()
        });
        let unreached_imports: HashMap<&str, usize> = findings
            .unreached_imports
            .iter()
            .map(|(package, count)| (package.as_str(), *count))
            .collect();
        let roots_hint = layout.and_then(|layout| {
            roots_hint(
                config,
                layout,
                &unreached_imports,
                &diagnostics,
                findings.resolved,
            )
        });
        Self {
            diagnostics,
            tolerated,
            suppressed,
            production_files: selected.len() - test_files,
            test_files,
            files_without_service,
            skipped_paths: selection.unmatched(selected),
            roots_hint,
        }
    }

    fn into_outcome(
        self,
        started: Instant,
        selection: &Selection,
        files: Arc<Vec<SourceFile>>,
        project: ProjectFacts,
        config: &Config,
    ) -> Outcome {
        Outcome {
            diagnostics: self.diagnostics,
            tolerated: self.tolerated,
            suppressed: self.suppressed,
            fixed: 0,
            production_files: self.production_files,
            test_files: self.test_files,
            files_without_service: self.files_without_service,
            skipped_paths: self.skipped_paths,
            elapsed: started.elapsed(),
            selection: selection.relative.clone(),
            baseline_ignored: 0,
            project,
            files: TreeFiles {
                files,
                root: Some(GovernedRoot::new(&config.root)),
            },
            roots_hint: self.roots_hint,
            replayed: false,
        }
    }
}

/// Fewer failing first-party imports than this never make a roots hint.
const MIN_FAILING_FOR_ROOTS_HINT: usize = 5;

/// The roots hint of a full run: when more first-party-looking imports fail (IG020, or
/// name a package of the tree the roots do not reach) than resolve, and the tree's layout
/// suggests other roots than the registry's.
fn roots_hint(
    config: &Config,
    layout: &crate::layout::Layout,
    unreached_imports: &HashMap<&str, usize>,
    diagnostics: &[Diagnostic],
    resolved: usize,
) -> Option<RootsHint> {
    let unresolved = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.code == CheckCode::UnresolvedModule)
        .count();
    let unreached: usize = unreached_imports.values().sum();
    let failing = unresolved + unreached;
    // A few failing imports are their own diagnostics; the hint is for a tree that mostly
    // fails, where they share one cause.
    if failing < MIN_FAILING_FOR_ROOTS_HINT
        || failing <= resolved
        || layout.python_roots == config.python_roots
    {
        return None;
    }
    let mut packages: Vec<(&str, usize)> = unreached_imports
        .iter()
        .map(|(package, count)| (*package, *count))
        .collect();
    packages.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    Some(RootsHint {
        python_roots: layout.python_roots.clone(),
        unresolved,
        unreached,
        resolved,
        unreached_packages: packages
            .into_iter()
            .take(5)
            .map(|(package, _)| package.to_string())
            .collect(),
    })
}

/// The tree a run checks: its Python files classified, in path order, and what else the
/// walk found.
pub(crate) struct ListedTree {
    files: Arc<Vec<SourceFile>>,
    /// The tree's Rust crates and where its `.rs` files sit in them.
    rust: crate::frontend::rust::layout::RustLayout,
    /// Their modules, for resolving paths (the index borrows them).
    rust_modules: crate::resolve::RustModules,
    /// Compiled extension modules (see [`crate::discover::Discovery::extensions`]).
    extensions: Vec<String>,
    /// Entries the walk could not read.
    problems: Vec<crate::discover::WalkProblem>,
}

impl ListedTree {
    fn classified(config: &Config, discovery: crate::discover::Discovery) -> Self {
        let classified = classify_listed(
            config,
            discovery
                .files
                .into_iter()
                .map(|file| (file.path, file.relative))
                .collect(),
        );
        let rust_modules = crate::resolve::RustModules::build(&classified.rust, &classified.files);
        let mut rust = classified.rust;
        // What the `use` declarations bind is in the module aliases now.
        rust.forget_uses();
        Self {
            files: Arc::new(classified.files),
            rust,
            rust_modules,
            extensions: {
                let mut extensions = discovery.extensions;
                extensions.extend(classified.extensions);
                extensions
            },
            problems: discovery.problems,
        }
    }
}

/// The files a full run checks, classified (production or test, service), in path order:
/// the walk without parsing, for `--show-files` and `--show-settings`.
pub fn checked_files(config: &Config, threads: Option<usize>) -> Vec<SourceFile> {
    let threads = threads.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let listed = discover(config, threads)
        .files
        .into_iter()
        .map(|file| (file.path, file.relative))
        .collect();
    classify_listed(config, listed).files
}

/// The file at `path` as the tree lists and classifies it (its module, its crate), with the
/// tree's Rust modules, handed to `look`: what the language server describes an import of
/// an open file with. From the session's listing (the tree is listed into it first when it
/// has none), else from a listing of its own. `None` when the tree has no such file.
pub fn with_listed_file<R>(
    config: &Config,
    session: Option<&Session>,
    cache_dir: Option<&Path>,
    path: &Path,
    look: impl FnOnce(&SourceFile, &crate::resolve::RustModules) -> R,
) -> Option<R> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let list = || ListedTree::classified(config, discover_listed(config, threads, cache_dir));
    let relative = crate::paths::relative_path(&config.root, path)?;
    let found = |listed: &ListedTree| {
        let at = listed
            .files
            .binary_search_by(|file| file.relative.as_str().cmp(&relative))
            .ok()?;
        Some(look(&listed.files[at], &listed.rust_modules))
    };
    match session {
        Some(session) => found(session.warm(config, list).tree.borrow_owner()),
        None => found(&list()),
    }
}

/// The Python files of the governed tree, as the walk found them (inside the root, symlinks
/// only to files inside it), sorted by relative path. Reports draw code frames and `--fix`
/// reads and writes only through here: a diagnostic's path is text for people (a name that
/// is not UTF-8 is shown escaped), never a path to open.
#[derive(Debug, Default)]
pub struct TreeFiles {
    files: Arc<Vec<SourceFile>>,
    root: Option<GovernedRoot>,
}

impl TreeFiles {
    /// The file shown as `relative`; `None` when no file of the tree is, or when two are
    /// (names that differ only in bytes that are not UTF-8 and their escaped spelling).
    pub fn path_of(&self, relative: &str) -> Option<&Path> {
        let at = self
            .files
            .binary_search_by(|file| file.relative.as_str().cmp(relative))
            .ok()?;
        let shown_twice =
            |other: Option<&SourceFile>| other.is_some_and(|f| f.relative == relative);
        if shown_twice(at.checked_sub(1).and_then(|before| self.files.get(before)))
            || shown_twice(self.files.get(at + 1))
        {
            return None;
        }
        Some(&self.files[at].path)
    }

    /// Reads a file of the tree again: a regular file, or a symlink to one inside the root
    /// (as the walk found it; a file swapped for a symlink to elsewhere since is not read).
    pub fn read(&self, relative: &str) -> Option<Vec<u8>> {
        self.root
            .as_ref()?
            .read(self.path_of(relative)?, SOURCE_LIMIT)
            .ok()
    }
}

/// Reads, decodes and parses one file. Never fails: problems become facts.
fn read_facts(file: &SourceFile, options: &ExtractOptions) -> FileFacts {
    read_source_and_facts(file, options, &HashMap::new(), None).1
}

/// What [`read_source_and_facts`] gives: the text, the facts, and with the facts cache the
/// stamp the file had before it was read (or when its facts were taken unread).
type ReadFile = (FileText, FileFacts, Option<Stamp>);

/// How a file's facts may come from the facts cache.
struct FromCache<'a> {
    cache: &'a FactsCache,
    /// The file's path relative to the governed root.
    relative: &'a str,
    /// Whether an unchanged stamp may stand for an unchanged content (false when a
    /// deferred read found the content changed: the file is read again).
    trust_stamp: bool,
}

/// Reads, decodes and parses one file, keeping its text for the checks that build fixes;
/// with the facts cache, takes the facts of an unchanged file without reading it, and
/// parses only a content it has not seen.
fn read_source_and_facts(
    file: &SourceFile,
    options: &ExtractOptions,
    overlay: &HashMap<PathBuf, String>,
    from_cache: Option<FromCache<'_>>,
) -> ReadFile {
    let path = file.path.as_path();
    let frontend = frontend::of(file.language);
    if let Some(text) = overlay.get(path) {
        return (
            FileText::Read(text.clone()),
            frontend.extract(text, options),
            None,
        );
    }
    let stamp = from_cache
        .as_ref()
        .and_then(|_| std::fs::metadata(path).ok())
        .map(|metadata| Stamp::of(&metadata));
    if let (Some(from_cache), Some(stamp)) = (&from_cache, stamp) {
        if from_cache.trust_stamp {
            if let Some((facts, hash)) = from_cache.cache.unchanged(from_cache.relative, stamp) {
                return (
                    FileText::deferred(path.to_path_buf(), hash),
                    facts,
                    Some(stamp),
                );
            }
        }
    }
    let bytes = match read_regular(path, SOURCE_LIMIT) {
        Ok(bytes) => bytes,
        Err(error) => {
            let facts = FileFacts {
                read: Some(ReadProblem::Io(error.to_string())),
                ..FileFacts::default()
            };
            return (FileText::Read(String::new()), facts, stamp);
        }
    };
    let cached = from_cache.zip(stamp).map(|(from_cache, stamp)| {
        (
            from_cache,
            stamp.with_len(bytes.len()),
            content_hash(&bytes),
        )
    });
    let source = crate::source::decode(file.language, bytes);
    let extract_all = || FileFacts {
        read: source.problem.clone(),
        encoding: source.encoding,
        ..frontend.extract(&source.text, options)
    };
    let facts = match cached {
        Some((from_cache, stamp, hash)) => {
            from_cache
                .cache
                .facts(from_cache.relative, stamp, hash, extract_all)
        }
        None => extract_all(),
    };
    (FileText::Read(source.text), facts, stamp)
}

/// Directories resolved as `Path::canonicalize` does, each from its resolved parent:
/// resolving thousands of directories costs one `lstat` each, not one per component of
/// each (`realpath` walks every prefix).
#[derive(Default)]
struct CanonicalDirectories {
    resolved: HashMap<PathBuf, PathBuf>,
}

impl CanonicalDirectories {
    fn resolve(&mut self, directory: &Path) -> std::io::Result<PathBuf> {
        if let Some(resolved) = self.resolved.get(directory) {
            return Ok(resolved.clone());
        }
        let resolved = match (directory.parent(), directory.components().next_back()) {
            // A plain name below a parent that is not a symlink: the parent's resolution
            // and the name. `.` and `..` anywhere (`a/./b` with `a` a symlink), roots and
            // symlinks are left to the system.
            (Some(parent), Some(std::path::Component::Normal(name)))
                if is_plain(directory)
                    && !std::fs::symlink_metadata(directory)?
                        .file_type()
                        .is_symlink() =>
            {
                let parent = if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                };
                self.resolve(parent)?.join(name)
            }
            _ => directory.canonicalize()?,
        };
        self.resolved
            .insert(directory.to_path_buf(), resolved.clone());
        Ok(resolved)
    }
}

/// Whether a path is names only (after an optional root), written without `.`, `..` or
/// doubled separators: then its parent is the directory it names, lexically.
fn is_plain(path: &Path) -> bool {
    use std::path::Component;
    let mut components = path.components().peekable();
    components.next_if_eq(&Component::RootDir);
    components.all(|component| matches!(component, Component::Normal(_)))
        && path.components().collect::<PathBuf>().as_os_str() == path.as_os_str()
}

/// `cache` when it knows nine in ten of the tree's files by path: a full run then parses
/// next to nothing. (Their stamps are not looked at: that is the run's work.)
fn warm_facts_cache(cache: FactsCache, all_files: &[SourceFile]) -> Option<FactsCache> {
    let known = all_files
        .iter()
        .filter(|file| cache.knows(&file.relative))
        .count();
    (known * 10 >= all_files.len() * 9).then_some(cache)
}

/// The files the walk listed, for recognizing given paths without a system call each: a
/// given path made of plain names only (no `.`, `..`, root or prefix) that names, below the
/// working directory, a file the walk listed is that file. The walk follows no directory
/// symlink, so every directory on the way is a real one and the path's canonical form is the
/// root's joined with it, as [`CanonicalDirectories`] would find; the listing is current
/// (a file deleted or added changes its directory's time, and the walk is then redone).
struct ListedFiles<'a> {
    files: HashSet<&'a str>,
    /// The working directory relative to the root, with a trailing `/` (empty at the root).
    prefix: String,
}

impl<'a> ListedFiles<'a> {
    /// Below this many given paths, stat'ing each costs less than hashing the listing.
    const WORTH_IT: usize = 256;

    /// `None` when the working directory is not inside the root.
    fn new(canonical_root: &Path, listed: impl Iterator<Item = &'a str>) -> Option<Self> {
        let working = std::env::current_dir().ok()?.canonicalize().ok()?;
        let below = working.strip_prefix(canonical_root).ok()?;
        let mut prefix = crate::paths::slash_path(below);
        if !prefix.is_empty() {
            prefix.push('/');
        }
        Some(Self {
            files: listed.collect(),
            prefix,
        })
    }

    /// The root-relative path of the listed file that `given` names, if it is one.
    fn relative_of(&self, given: &Path) -> Option<String> {
        // `a.py/` is not the file `a.py` for the system (it names no directory).
        let text = given.to_str()?;
        if text.ends_with('/') || text.ends_with(std::path::MAIN_SEPARATOR) {
            return None;
        }
        let mut relative = self.prefix.clone();
        for (at, component) in given.components().enumerate() {
            let std::path::Component::Normal(name) = component else {
                return None;
            };
            if at > 0 {
                relative.push('/');
            }
            relative.push_str(name.to_str()?);
        }
        self.files.contains(relative.as_str()).then_some(relative)
    }
}

/// How a given path was found: a file the walk listed (its root-relative path), or by the
/// system.
enum GivenPath {
    Listed(String),
    Stat(std::io::Result<std::fs::Metadata>),
}

/// The files a run reports on.
struct Selection {
    /// Canonical absolute paths given by the user, in their order; empty means everything.
    paths: Vec<PathBuf>,
    /// Each given path relative to the governed root (`""` for the root or above it), or
    /// `None` outside it.
    relative_each: Vec<Option<String>>,
    /// The paths below the governed root, relative to it: a file is selected when its path
    /// or one of its directories is here, so selection costs a lookup per path component,
    /// not a comparison per given path (`None`: everything).
    relative: Option<SelectedPaths>,
    /// Whether each given path is a file the walk listed (so certainly selects a file).
    listed_each: Vec<bool>,
}

impl Selection {
    /// The selection of the `given` paths, in a tree whose walk listed the files at
    /// `listed` (root-relative).
    fn new<'a>(
        given: &[PathBuf],
        root: &Path,
        listed: impl Iterator<Item = &'a str>,
    ) -> Result<Self, RunError> {
        let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        // pre-commit passes thousands of files from as many directories: the ones the walk
        // listed need no system call (see `ListedFiles`); the others are stat'ed in parallel
        // (called inside the run's pool), and each of their directories is resolved once,
        // from its resolved parent.
        let listed = (given.len() >= ListedFiles::WORTH_IT)
            .then(|| ListedFiles::new(&root, listed))
            .flatten();
        let found_each: Vec<GivenPath> = given
            .par_iter()
            .map(
                |path| match listed.as_ref().and_then(|listed| listed.relative_of(path)) {
                    Some(relative) => GivenPath::Listed(relative),
                    None => GivenPath::Stat(std::fs::metadata(path)),
                },
            )
            .collect();
        let listed_each: Vec<bool> = found_each
            .iter()
            .map(|found| matches!(found, GivenPath::Listed(_)))
            .collect();
        let mut canonical_parents = CanonicalDirectories::default();
        let mut paths = Vec::with_capacity(given.len());
        let mut relative_each: Vec<Option<String>> = Vec::with_capacity(given.len());
        for (path, found) in given.iter().zip(found_each) {
            let metadata = match found {
                GivenPath::Listed(relative) => {
                    paths.push(root.join(&relative));
                    relative_each.push(Some(relative));
                    continue;
                }
                GivenPath::Stat(metadata) => metadata,
            };
            let missing = || RunError::MissingPath(path.clone());
            let metadata = metadata.map_err(|_| missing())?;
            // The walk lists a symlinked file under its own name, so only the directory part
            // is canonicalized. Paths outside the root select nothing; `unmatched` says so.
            let canonical = match (metadata.is_file(), path.parent(), path.file_name()) {
                (true, Some(parent), Some(name)) => {
                    let parent = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    canonical_parents
                        .resolve(parent)
                        .map_err(|_| missing())?
                        .join(name)
                }
                _ => path.canonicalize().map_err(|_| missing())?,
            };
            // A path at or above the root selects all of it (`""`).
            relative_each.push(match canonical.strip_prefix(&root) {
                Ok(below) => Some(crate::paths::slash_path(below)),
                Err(_) if root.starts_with(&canonical) => Some(String::new()),
                Err(_) => None,
            });
            paths.push(canonical);
        }
        let relative = (!paths.is_empty())
            .then(|| SelectedPaths::new(relative_each.iter().flatten().cloned()));
        Ok(Self {
            paths,
            relative_each,
            relative,
            listed_each,
        })
    }

    fn is_everything(&self) -> bool {
        self.paths.is_empty()
    }

    /// Whether the file at this root-relative path is selected.
    fn includes(&self, relative: &str) -> bool {
        selection_covers(self.relative.as_ref(), relative)
    }

    /// Given paths that selected no checked file.
    fn unmatched(&self, files: &[&SourceFile]) -> Vec<PathBuf> {
        let Some(selected) = &self.relative else {
            return Vec::new();
        };
        // A listed file selects itself: only the other given paths are looked for.
        if self.listed_each.iter().all(|listed| *listed) {
            return Vec::new();
        }
        let mut matched: HashSet<&str> = HashSet::new();
        for file in files {
            matched.extend(selected.covering(&file.relative));
        }
        self.paths
            .iter()
            .zip(&self.relative_each)
            .zip(&self.listed_each)
            .filter(|((_, relative), listed)| {
                !**listed
                    && relative
                        .as_deref()
                        .is_none_or(|relative| !matched.contains(relative))
            })
            .map(|((path, _), _)| path.clone())
            .collect()
    }
}

/// With explicit paths only the selected files were parsed, but their imports must still be
/// checked against the whole tree: parses the modules they import names from, the registry's
/// modules, and the star-import chains of those, until nothing new is needed. With a
/// selected file that defines a registered symbol, also collects that symbol's definitions
/// from the files whose text mentions it.
/// With PATHS, chains and cycles are still searched in the whole graph: the import edges of
/// every file that was not checked are read too.
fn complete_graph(
    all_files: &[SourceFile],
    selection: &Selection,
    index: &ModuleIndex,
    options: &ExtractOptions,
    cache_dir: Option<&Path>,
    warm: Option<&Warm>,
    project: &mut ProjectFacts,
) {
    let others: Vec<&SourceFile> = all_files
        .par_iter()
        .filter(|file| file.importable && !selection.includes(&file.relative))
        .collect();
    // A session knows the edges of the files it has seen: only the others are looked up.
    let mut known = warm.map(|warm| warm.edges.lock().unwrap_or_else(PoisonError::into_inner));
    let unknown: Vec<&SourceFile> = others
        .iter()
        .filter(|file| {
            known
                .as_ref()
                .is_none_or(|known| !known.contains_key(&file.relative))
        })
        .copied()
        .collect();
    let edges_of =
        |file: &SourceFile, imports: &[crate::model::Import]| import_edges(file, imports, index);
    // (A session that knows every file's edges does not even open the cache.)
    let cache = cache_dir
        .filter(|_| warm.is_none() || !unknown.is_empty())
        .map(|directory| ImportCache::open(directory, index.fingerprint()));
    // The edges of the unknown files, in file order (`None`: unreadable), and with the
    // cache what it learnt.
    let (found_now, updates): (Vec<_>, Vec<_>) = unknown
        .par_iter()
        .map(|file| match &cache {
            Some(cache) => {
                let (edges, found) = cache.edges(
                    file,
                    |text| frontend::of(file.language).extract(text, options).imports,
                    |imports| edges_of(file, imports),
                );
                // Unchanged files change nothing in the cache: no need to name them.
                let (edges, update) = match found {
                    Found::Unreadable => (None, None),
                    Found::Unchanged => (Some(edges), None),
                    found => (
                        Some(edges),
                        Some((file.relative.clone(), file.module.clone(), found)),
                    ),
                };
                ((*file, edges), update)
            }
            // Only the edges are kept: the facts of each file are dropped in its task.
            None => {
                let edges = edges_of(file, &read_facts(file, options).imports);
                ((*file, Some(FileEdges::Fresh(edges))), None)
            }
        })
        .unzip();
    // Added in file order, whichever way each file's edges were found.
    let mut found_now = found_now.into_iter().peekable();
    for file in others {
        match found_now.next_if(|(next, _)| std::ptr::eq(*next, file)) {
            Some((_, None)) => {}
            Some((_, Some(edges))) => {
                let owned: Vec<crate::cache::Edge> = match edges {
                    FileEdges::Cached(cached) => {
                        // (Cached edges come from the cache.)
                        let Some(cache) = cache.as_ref() else {
                            continue;
                        };
                        let edges = cached.iter().map(|edge| cache.edge(file, edge));
                        if known.is_none() {
                            project.add_edges(&file.module, &file.relative, edges);
                            continue;
                        }
                        edges
                            .map(|(to, line, column, flags)| (to.to_owned(), line, column, flags))
                            .collect()
                    }
                    FileEdges::Fresh(edges) => edges,
                };
                add_edges(project, file, &owned);
                if let Some(known) = known.as_mut() {
                    known.insert(file.relative.clone(), owned.into());
                }
            }
            None => {
                if let Some(edges) = known.as_ref().and_then(|known| known.get(&file.relative)) {
                    add_edges(project, file, edges);
                }
            }
        }
    }
    if let Some(cache) = cache {
        let present: rustc_hash::FxHashSet<&str> = all_files
            .iter()
            .map(|file| file.relative.as_str())
            .collect();
        cache.update(updates.into_iter().flatten(), &|relative| {
            present.contains(relative)
        });
    }
}

fn add_edges(project: &mut ProjectFacts, file: &SourceFile, edges: &[crate::cache::Edge]) {
    project.add_edges(
        &file.module,
        &file.relative,
        edges
            .iter()
            .map(|(to, line, column, flags)| (to.as_str(), *line, *column, *flags)),
    );
}

fn complete_for_selection(
    config: &Config,
    all_files: &[SourceFile],
    index: &ModuleIndex,
    filter: &DefinitionFilter,
    options: &ExtractOptions,
    warm: Option<&Warm>,
    project: &mut ProjectFacts,
) {
    // A session keeps what was read: the same modules are wanted at every run.
    let facts_of = |file: &SourceFile| {
        let Some(warm) = warm else {
            return read_facts(file, options);
        };
        let known = warm
            .modules
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&file.relative)
            .cloned();
        known.unwrap_or_else(|| {
            let facts = read_facts(file, options);
            warm.modules
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(file.relative.clone(), facts.clone());
            facts
        })
    };
    let by_path: HashMap<&str, &SourceFile> = all_files
        .iter()
        .map(|file| (file.relative.as_str(), file))
        .collect();
    // (module, the search order it is looked up in): the file Python loads for it is parsed.
    let mut wanted: Vec<(String, SearchOrder)> = project
        .name_imports()
        .iter()
        .map(|import| (project.module_of(import).to_string(), import.order))
        .chain(
            config
                .canonical
                .iter()
                .map(|entry| (entry.module.clone(), SearchOrder::DEFAULT)),
        )
        .chain(
            config
                .deprecated
                .iter()
                .filter_map(|entry| entry.replacement.clone())
                .map(|module| (module, SearchOrder::DEFAULT)),
        )
        // What a deprecated module binds decides whether a star or module import of it
        // may be rewritten safely.
        .chain(config.deprecated.iter().map(|entry| {
            (
                entry.module.pattern.as_str().to_string(),
                SearchOrder::DEFAULT,
            )
        }))
        .collect();
    let mut requested: HashSet<(String, SearchOrder)> = HashSet::new();
    loop {
        // A Rust path through re-exports needs each module on its way.
        wanted.extend(project.modules_paths_need(index));
        let mut batch: Vec<(&SourceFile, SearchOrder)> = wanted
            .drain(..)
            .filter(|wanted| requested.insert(wanted.clone()))
            .filter_map(|(module, order)| {
                let file = by_path.get(index.file_of(&module, order)?).copied()?;
                (!project.has_file(&file.relative)).then_some((file, order))
            })
            .collect();
        batch.sort_by(|a, b| a.0.relative.cmp(&b.0.relative));
        batch.dedup_by(|a, b| a.0.relative == b.0.relative);
        if batch.is_empty() {
            break;
        }
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|(file, order)| (*file, *order, facts_of(file)))
            .collect();
        for (file, order, facts) in parsed {
            project.add_module(file, facts, index);
            wanted.extend(
                project
                    .star_targets(&file.relative)
                    .into_iter()
                    .map(|module| (module, order)),
            );
        }
    }

    // Names that are missing: the hint lists the modules that define them, which must not
    // depend on which files happened to be selected.
    let missing: Vec<String> = project
        .missing_names(index)
        .into_iter()
        .map(str::to_string)
        .collect();
    if !missing.is_empty() {
        let unparsed: Vec<&SourceFile> = all_files
            .iter()
            .filter(|file| file.importable && !project.has_file(&file.relative))
            .collect();
        let parsed: Vec<_> = unparsed
            .par_iter()
            .filter(|file| mentions_any(&file.path, &missing))
            .map(|file| (*file, read_facts(file, options)))
            .collect();
        for (file, facts) in parsed {
            project.add_module(file, facts, index);
        }
    }

    let mut needles: Vec<String> = project
        .definitions
        .iter()
        .map(|site| site.symbol.to_string())
        .collect();
    needles.sort();
    needles.dedup();
    if needles.is_empty() {
        return;
    }
    let already: HashSet<String> = project
        .definitions
        .iter()
        .map(|site| site.path.clone())
        .collect();
    let others: Vec<_> = all_files
        .par_iter()
        .filter(|file| {
            file.context == CodeContext::Production
                && file.importable
                && !already.contains(&file.relative)
        })
        .filter(|file| mentions_any(&file.path, &needles))
        .map(|file| {
            let (source, facts, _) = read_source_and_facts(file, options, &HashMap::new(), None);
            contribution(
                file,
                &source,
                ModuleBindings::default(),
                &facts,
                &[],
                index,
                filter,
            )
            .into_definitions()
        })
        .collect();
    for definitions in others {
        project.definitions.extend(
            definitions
                .into_iter()
                .filter(|site| needles.iter().any(|needle| **needle == *site.symbol)),
        );
    }
}

/// Checks the precondition of every fix that has one, now that every module is known.
fn verify_fixes(
    diagnostics: &mut [Diagnostic],
    project: &ProjectFacts,
    index: &ModuleIndex,
    files: &[&SourceFile],
) {
    for diagnostic in diagnostics {
        let Some(requirement) = diagnostic.fix.as_ref().and_then(|fix| fix.requires.clone()) else {
            continue;
        };
        // The checked files are in path order (the walk sorts them).
        let order = files
            .binary_search_by(|file| file.relative.as_str().cmp(&diagnostic.path))
            .map_or(SearchOrder::DEFAULT, |found| index.order_of(files[found]));
        let lookup = match requirement {
            Requirement::Name { module, name } => project.lookup_name(index, &module, &name, order),
            Requirement::SameNames { from, to, star } => {
                same_names(project, index, &from, &to, star, order)
            }
        };
        match lookup {
            NameLookup::Bound => {}
            NameLookup::Missing => diagnostic.fix = None,
            NameLookup::Unknown => {
                if let Some(fix) = &mut diagnostic.fix {
                    fix.applicability = Applicability::Unsafe;
                }
            }
        }
    }
}

/// Whether `to` provides, under the same names, every name an import can reach in `from`
/// (its star exports with `star`, else everything it binds): `Bound` when it does, and
/// `Unknown` (an unsafe fix: the code may use only names `to` has) when it does not or
/// when either side cannot be known.
fn same_names(
    project: &ProjectFacts,
    index: &ModuleIndex,
    from: &str,
    to: &str,
    star: bool,
    order: SearchOrder,
) -> NameLookup {
    let Some(reached) = project.names_of(index, from, order, star) else {
        return NameLookup::Unknown;
    };
    let provided = if star {
        let Some(exported) = project.names_of(index, to, order, true) else {
            return NameLookup::Unknown;
        };
        reached.iter().all(|name| exported.contains(name))
    } else {
        reached
            .iter()
            .all(|name| project.lookup_name(index, to, name, order) == NameLookup::Bound)
    };
    if provided {
        NameLookup::Bound
    } else {
        NameLookup::Unknown
    }
}

/// Whether the file's bytes contain any of `needles`: a cheap filter before parsing.
fn mentions_any(path: &Path, needles: &[String]) -> bool {
    read_regular(path, SOURCE_LIMIT).is_ok_and(|bytes| {
        needles
            .iter()
            .any(|needle| memchr::memmem::find(&bytes, needle.as_bytes()).is_some())
    })
}

/// `path` relative to `base`, lexically (`../rules.toml` when `path` is above `base`).
fn relative_between(base: &Path, path: &Path) -> String {
    let base: Vec<_> = base.components().collect();
    let target: Vec<_> = path.components().collect();
    let shared = base.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); base.len() - shared];
    parts.extend(
        target[shared..]
            .iter()
            .map(|component| component.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_resolve_as_the_system_resolves_them() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path();
        std::fs::create_dir_all(base.join("real/inner/deep")).unwrap();
        std::fs::create_dir_all(base.join("other")).unwrap();
        std::os::unix::fs::symlink(base.join("real"), base.join("link")).unwrap();
        std::os::unix::fs::symlink("../real/inner", base.join("other/relative")).unwrap();
        let mut resolver = CanonicalDirectories::default();
        // First, while nothing is resolved yet: `link/.` is the link's target.
        let spelled = [
            "link/.",
            "real/inner/deep",
            "real/inner",
            "link/inner/deep",
            "link/inner",
            "link/./inner",
            "link/inner/..",
            "link/inner/../inner/deep",
            "other/relative/deep",
            "other/relative",
            "other//relative",
            "other",
            "",
        ];
        for relative in spelled {
            let path = base.join(relative);
            assert_eq!(
                resolver.resolve(&path).unwrap(),
                path.canonicalize().unwrap(),
                "{relative}"
            );
        }
        // Relative to the working directory, as pre-commit passes them.
        for relative in ["src", "src/checks", "tests/fixtures", "."] {
            let path = Path::new(relative);
            assert_eq!(
                resolver.resolve(path).unwrap(),
                path.canonicalize().unwrap()
            );
        }
        assert!(resolver.resolve(&base.join("missing/x")).is_err());
    }

    #[test]
    fn selected_paths_cover_themselves_and_what_is_below_them() {
        let selection = SelectedPaths::new(["a/b".to_string(), "c.py".to_string()]);
        assert!(selection.covers("a/b"));
        assert!(selection.covers("a/b/x.py"));
        assert!(selection.covers("a/b/x/y.py"));
        assert!(!selection.covers("a/bc/x.py"));
        assert!(!selection.covers("a/x.py"));
        assert!(selection.covers("c.py"));
        assert!(!selection.covers("c.pyi"));
        assert!(SelectedPaths::new(["".to_string()]).covers("any/where.py"));
        assert!(selection_covers(None, "any/where.py"));
    }
}
