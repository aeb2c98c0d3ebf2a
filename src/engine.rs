//! One run of `importgate check`: discover -> classify -> (per file, in parallel: read ->
//! parse -> resolve -> check) -> sorted findings. Sources and syntax trees live only inside
//! the per-file task, so memory stays flat however large the tree is.

use crate::checks::{check_file, CheckCode, FileInput, ResolvedImport, Tolerated};
use crate::classify::classify;
use crate::config::Config;
use crate::diagnostic::{sort_diagnostics, Diagnostic, Severity};
use crate::discover::discover;
use crate::frontend::python::{extract, ExtractOptions};
use crate::model::{CodeContext, FileFacts, ReadProblem, Span};
use crate::resolve::resolve;
use crate::source::decode_python;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What to check.
#[derive(Debug, Default, Clone)]
pub struct CheckOptions {
    /// Limit the report to these files or directories (the whole tree is still walked, so
    /// that resolution sees every module). Empty: the whole tree.
    pub paths: Vec<PathBuf>,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// Every diagnostic, sorted by (path, line, column, code).
    pub diagnostics: Vec<Diagnostic>,
    /// Violations the registry lets through.
    pub tolerated: Vec<Tolerated>,
    /// Files checked, production.
    pub production_files: usize,
    /// Files checked, test.
    pub test_files: usize,
    /// Given paths that are not Python files of the governed tree (excluded, ignored, outside
    /// the root, or not Python), reported on stderr by the caller.
    pub skipped_paths: Vec<PathBuf>,
    /// Wall time of the run.
    pub elapsed: Duration,
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
    let selection = Selection::new(&options.paths)?;
    let threads = options.threads.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| RunError::Threads(error.to_string()))?;
    let walk_threads = pool.current_num_threads();

    let discovery = discover(config, walk_threads);
    let extract_options = ExtractOptions::new(config.banned.iter().flat_map(|banned| {
        banned
            .api
            .iter()
            .map(|entry| entry.pattern.as_str().to_string())
    }));
    let files: Vec<_> = discovery
        .files
        .into_iter()
        .filter(|file| selection.includes(&file.path))
        .map(|file| classify(config, file.path, file.relative))
        .collect();

    let per_file: Vec<_> = pool.install(|| {
        files
            .par_iter()
            .map(|file| {
                let facts = read_facts(&file.path, &extract_options);
                let imports: Vec<ResolvedImport<'_>> = facts
                    .imports
                    .iter()
                    .map(|import| ResolvedImport::new(import, resolve(import, file)))
                    .collect();
                check_file(&FileInput {
                    config,
                    file,
                    facts: &facts,
                    imports: &imports,
                })
            })
            .collect()
    });

    let mut diagnostics = Vec::new();
    let mut tolerated = Vec::new();
    for findings in per_file {
        diagnostics.extend(findings.diagnostics);
        tolerated.extend(findings.tolerated);
    }
    for problem in discovery.problems {
        if !selection.is_everything() {
            continue;
        }
        diagnostics.push(Diagnostic {
            code: CheckCode::UnreadableFile,
            severity: Severity::Error,
            path: problem.relative,
            span: Span::FILE_START,
            message: format!("cannot read: {}", problem.message),
            rule: None,
            hint: None,
            context: CodeContext::Production,
            target: None,
            name_imported: None,
        });
    }
    sort_diagnostics(&mut diagnostics);
    let test_files = files
        .iter()
        .filter(|file| file.context == CodeContext::Test)
        .count();
    Ok(Outcome {
        diagnostics,
        tolerated,
        production_files: files.len() - test_files,
        test_files,
        skipped_paths: selection.unmatched(&files),
        elapsed: started.elapsed(),
    })
}

/// Reads, decodes and parses one file. Never fails: problems become facts.
fn read_facts(path: &Path, options: &ExtractOptions) -> FileFacts {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            return FileFacts {
                read: Some(ReadProblem::Io(error.to_string())),
                ..FileFacts::default()
            }
        }
    };
    let source = decode_python(bytes);
    let mut facts = extract(&source.text, options);
    facts.read = source.problem;
    facts
}

/// The files a run reports on.
struct Selection {
    /// Canonical absolute paths given by the user; empty means everything.
    paths: Vec<PathBuf>,
}

impl Selection {
    fn new(given: &[PathBuf]) -> Result<Self, RunError> {
        let mut paths = Vec::with_capacity(given.len());
        for path in given {
            if !path.exists() {
                return Err(RunError::MissingPath(path.clone()));
            }
            // The walk lists a symlinked file under its own name, so only the directory part
            // is canonicalized. Paths outside the root select nothing; `unmatched` says so.
            let canonical = match (path.is_file(), path.parent(), path.file_name()) {
                (true, Some(parent), Some(name)) => {
                    let parent = if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    };
                    parent.canonicalize().map(|parent| parent.join(name))
                }
                _ => path.canonicalize(),
            }
            .map_err(|_| RunError::MissingPath(path.clone()))?;
            paths.push(canonical);
        }
        Ok(Self { paths })
    }

    fn is_everything(&self) -> bool {
        self.paths.is_empty()
    }

    fn includes(&self, file: &Path) -> bool {
        self.is_everything() || self.paths.iter().any(|path| file.starts_with(path))
    }

    /// Given paths that selected no checked file.
    fn unmatched(&self, files: &[crate::model::SourceFile]) -> Vec<PathBuf> {
        self.paths
            .iter()
            .filter(|path| !files.iter().any(|file| file.path.starts_with(path)))
            .cloned()
            .collect()
    }
}
