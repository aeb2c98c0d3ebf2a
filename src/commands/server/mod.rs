//! `importgate server`: the Language Server Protocol over stdio.
//!
//! The message loop only keeps the open documents up to date and hands work to one worker
//! thread, so the editor is never blocked by a check. The worker waits until the documents
//! have been quiet for [`DEBOUNCE`], checks each changed one from its buffer, and publishes
//! the result only if the document is still at the version it checked — a result for text
//! the user has already changed is dropped, and the newer version is checked next.
//!
//! Registries are documents too: an open `rules.toml` (or `pyproject.toml` with
//! `[tool.importgate]`) gets its errors, with the spans `check` prints, as it is edited;
//! saving it (or any change the client's file watcher reports) re-checks every open file.

mod actions;
mod check;
pub mod document;
mod hover;
pub mod uri;
pub mod watched;

use crate::config::{self, Config, ConfigErrors, LoadError};
use crate::engine::Session;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use document::{Document, Encoding};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    DiagnosticSeverity, InitializeParams, InitializeResult, Position, PublishDiagnosticsParams,
    Range, SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long the documents must be quiet before the worker checks them: keystrokes in a row
/// make one check, not one each.
const DEBOUNCE: Duration = Duration::from_millis(40);

/// Runs the server on stdin and stdout until the client says `exit` or closes stdin.
/// Returns the process exit code: 0 after `shutdown` then `exit`, 1 otherwise (as LSP
/// asks).
pub fn run() -> u8 {
    let (connection, io_threads) = Connection::stdio();
    let clean = match serve(&connection) {
        Ok(clean) => clean,
        Err(error) => {
            crate::say_line(format_args!("importgate server: {error}"));
            false
        }
    };
    drop(connection);
    // The reader thread ends with stdin; when the client is gone there is nobody left to
    // tell about an I/O error.
    let _ = io_threads.join();
    if clean {
        0
    } else {
        1
    }
}

/// The documents the editor has open, by URI (its text: `Uri` caches its parse inside,
/// which makes it a poor map key).
#[derive(Debug, Default)]
struct Documents {
    open: HashMap<String, Document>,
    /// The findings last published for a Python document, at the version they are of: what
    /// code actions are computed from.
    checked: HashMap<String, Checked>,
}

/// One document's published findings.
#[derive(Debug)]
struct Checked {
    version: i32,
    found: Found,
}

/// What the message loop asks the worker to do.
enum Work {
    /// Check this document (again).
    Check(Uri),
    /// A registry changed, or changes on disk were missed: forget the loaded registries and
    /// what was kept of their trees, and check every open document again.
    Reload,
    /// These paths were created, changed or deleted on disk: forget what was kept of them,
    /// and if anything was, check every open document again.
    Changed(Vec<PathBuf>),
    /// Answer a hover request (it parses the buffer: never on the message loop), asked of
    /// the document at this version.
    Hover(lsp_server::RequestId, lsp_types::HoverParams, Option<i32>),
    /// The client no longer wants the answer to this request (`$/cancelRequest`).
    Cancel(lsp_server::RequestId),
    /// The client is gone: stop. (The worker's own file watchers hold senders of its
    /// queue, so the queue never closes while it runs.)
    Stop,
}

fn serve(connection: &Connection) -> Result<bool, String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|error| error.to_string())?;
    let params: InitializeParams = serde_json::from_value(params).map_err(|error| {
        let message = format!("invalid initialize parameters: {error}");
        let _ = connection.sender.send(
            Response::new_err(id.clone(), ErrorCode::InvalidParams as i32, message.clone()).into(),
        );
        message
    })?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "importgate".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|error| error.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|error| error.to_string())?;

    let documents = Arc::new(Mutex::new(Documents::default()));
    let (work, work_queue) = crossbeam_channel::unbounded();
    let worker = {
        let documents = Arc::clone(&documents);
        let sender = connection.sender.clone();
        let work = work.clone();
        // The worker parses buffers itself (hover), as deep as the frontend lets through.
        std::thread::Builder::new()
            .name("importgate-check".to_owned())
            .stack_size(crate::frontend::nesting::PARSE_STACK_BYTES)
            .spawn(move || Worker::new(documents, sender, work, encoding).run(&work_queue))
            .map_err(|error| error.to_string())?
    };
    if watches_files(&params) {
        register_file_watchers(connection);
    }
    let clean = message_loop(connection, &documents, &work, encoding);
    let _ = work.send(Work::Stop);
    drop(work);
    let _ = worker.join();
    Ok(clean)
}

/// Whether the client can watch files for the server (`workspace/didChangeWatchedFiles`
/// with dynamic registration).
fn watches_files(params: &InitializeParams) -> bool {
    params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|workspace| workspace.did_change_watched_files.as_ref())
        .and_then(|watched| watched.dynamic_registration)
        .unwrap_or(false)
}

/// Asks the client to report created, changed and deleted Python files and registries: a
/// module added, removed or edited outside the editor (a `git checkout`, a formatter)
/// changes what the open files import.
fn register_file_watchers(connection: &Connection) {
    let watchers = [
        "**/*.py",
        "**/*.pyi",
        "**/rules.toml",
        "**/pyproject.toml",
        "**/.gitignore",
    ]
    .into_iter()
    .map(|glob| lsp_types::FileSystemWatcher {
        glob_pattern: lsp_types::GlobPattern::String(glob.to_owned()),
        kind: None,
    })
    .collect();
    let registration = lsp_types::Registration {
        id: "importgate-watched-files".to_owned(),
        method: DidChangeWatchedFiles::METHOD.to_owned(),
        register_options: serde_json::to_value(
            lsp_types::DidChangeWatchedFilesRegistrationOptions { watchers },
        )
        .ok(),
    };
    let request = Request::new(
        lsp_server::RequestId::from("importgate-register-watchers".to_owned()),
        lsp_types::request::RegisterCapability::METHOD.to_owned(),
        lsp_types::RegistrationParams {
            registrations: vec![registration],
        },
    );
    let _ = connection.sender.send(request.into());
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        code_action_provider: Some(lsp_types::CodeActionProviderCapability::Options(
            lsp_types::CodeActionOptions {
                code_action_kinds: Some(vec![lsp_types::CodeActionKind::QUICKFIX]),
                ..lsp_types::CodeActionOptions::default()
            },
        )),
        ..ServerCapabilities::default()
    }
}

/// Reads messages until `exit` (or stdin closes). Returns whether `shutdown` came first.
fn message_loop(
    connection: &Connection,
    documents: &Mutex<Documents>,
    work: &Sender<Work>,
    encoding: Encoding,
) -> bool {
    for message in &connection.receiver {
        match message {
            Message::Request(request) => match connection.handle_shutdown(&request) {
                Ok(true) => return true,
                Ok(false) => answer(connection, documents, work, encoding, request),
                // `exit` did not follow `shutdown`, or stdin closed meanwhile.
                Err(_) => return false,
            },
            Message::Notification(notification) if notification.method == "exit" => {
                return false;
            }
            Message::Notification(notification) => {
                handle_notification(connection, documents, work, encoding, notification);
            }
            Message::Response(_) => {}
        }
    }
    false
}

/// Answers a request from what the worker published (never by checking on the message
/// loop).
fn answer(
    connection: &Connection,
    documents: &Mutex<Documents>,
    work: &Sender<Work>,
    encoding: Encoding,
    request: Request,
) {
    let response = match request.method.as_str() {
        HoverRequest::METHOD => {
            let id = request.id.clone();
            match request.extract::<lsp_types::HoverParams>(HoverRequest::METHOD) {
                Ok((id, params)) => {
                    let version = documents
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .open
                        .get(
                            params
                                .text_document_position_params
                                .text_document
                                .uri
                                .as_str(),
                        )
                        .map(Document::version);
                    let _ = work.send(Work::Hover(id, params, version));
                    return;
                }
                Err(error) => Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid hover parameters: {error}"),
                ),
            }
        }
        CodeActionRequest::METHOD => {
            let id = request.id.clone();
            match request.extract::<lsp_types::CodeActionParams>(CodeActionRequest::METHOD) {
                Ok((_, params)) => {
                    let open = documents.lock().unwrap_or_else(PoisonError::into_inner);
                    let uri = &params.text_document.uri;
                    let document = open.open.get(uri.as_str());
                    let checked = open.checked.get(uri.as_str());
                    match (document, checked) {
                        (Some(document), Some(checked))
                            if checked.version == document.version() =>
                        {
                            let actions = actions::code_actions(
                                uri,
                                document,
                                &checked.found,
                                params.range,
                                encoding,
                            );
                            Response::new_ok(id, actions)
                        }
                        // Not checked yet at this version: the findings the client sees are
                        // about to change, and so would the actions.
                        (Some(_), _) => Response::new_err(
                            id,
                            ErrorCode::ContentModified as i32,
                            "the document changed since it was checked".to_owned(),
                        ),
                        (None, _) => {
                            Response::new_ok(id, Vec::<lsp_types::CodeActionOrCommand>::new())
                        }
                    }
                }
                Err(error) => Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid code action parameters: {error}"),
                ),
            }
        }
        _ => Response::new_err(
            request.id,
            ErrorCode::MethodNotFound as i32,
            format!("importgate does not handle `{}`", request.method),
        ),
    };
    let _ = connection.sender.send(response.into());
}

fn handle_notification(
    connection: &Connection,
    documents: &Mutex<Documents>,
    work: &Sender<Work>,
    encoding: Encoding,
    notification: Notification,
) {
    let mut open = documents.lock().unwrap_or_else(PoisonError::into_inner);
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let Some(params) = params::<DidOpenTextDocument>(notification) else {
                return;
            };
            let document = params.text_document;
            open.open.insert(
                document.uri.as_str().to_owned(),
                Document::new(document.text, document.version),
            );
            let _ = work.send(Work::Check(document.uri));
        }
        DidChangeTextDocument::METHOD => {
            let Some(params) = params::<DidChangeTextDocument>(notification) else {
                return;
            };
            let uri = params.text_document.uri;
            let Some(document) = open.open.get_mut(uri.as_str()) else {
                return;
            };
            if let Err(error) = document.apply(
                &params.content_changes,
                params.text_document.version,
                encoding,
            ) {
                // Out of step with the editor: say so; the next full change resyncs.
                show_message(
                    connection,
                    lsp_types::MessageType::ERROR,
                    format!(
                        "importgate: cannot apply a change to {}: {error}",
                        uri.as_str()
                    ),
                );
                return;
            }
            let _ = work.send(Work::Check(uri));
        }
        DidCloseTextDocument::METHOD => {
            let Some(params) = params::<DidCloseTextDocument>(notification) else {
                return;
            };
            let uri = params.text_document.uri;
            open.open.remove(uri.as_str());
            // A closed Python file's findings go with it (the editor's problems list shows
            // open files); a registry's stay while they are true — its errors break every
            // run.
            let keeps_errors =
                uri::path_of(&uri).is_some_and(|path| config::is_registry(&path, ""));
            if !keeps_errors {
                publish(&connection.sender, uri, Vec::new(), None);
            }
        }
        // A saved file changes what the other open files import; a saved registry changes
        // every answer.
        DidSaveTextDocument::METHOD => {
            let Some(params) = params::<DidSaveTextDocument>(notification) else {
                return;
            };
            if let Some(path) = uri::path_of(&params.text_document.uri) {
                let _ = work.send(Work::Changed(vec![path]));
            }
        }
        lsp_types::notification::Cancel::METHOD => {
            let Some(params) = params::<lsp_types::notification::Cancel>(notification) else {
                return;
            };
            let id = match params.id {
                lsp_types::NumberOrString::Number(number) => lsp_server::RequestId::from(number),
                lsp_types::NumberOrString::String(text) => lsp_server::RequestId::from(text),
            };
            let _ = work.send(Work::Cancel(id));
        }
        DidChangeWatchedFiles::METHOD => {
            let Some(params) = params::<DidChangeWatchedFiles>(notification) else {
                return;
            };
            let paths = params
                .changes
                .iter()
                .filter_map(|change| uri::path_of(&change.uri))
                .collect();
            let _ = work.send(Work::Changed(paths));
        }
        _ => {}
    }
}

/// A notification's parameters; `None` when they do not parse (a client bug is no
/// reason to stop serving).
fn params<N: lsp_types::notification::Notification>(
    notification: Notification,
) -> Option<N::Params> {
    notification.extract(N::METHOD).ok()
}

fn show_message(connection: &Connection, kind: lsp_types::MessageType, message: String) {
    let params = lsp_types::ShowMessageParams { typ: kind, message };
    let _ = connection.sender.send(
        Notification::new(
            lsp_types::notification::ShowMessage::METHOD.to_owned(),
            params,
        )
        .into(),
    );
}

fn publish(
    sender: &Sender<Message>,
    uri: Uri,
    diagnostics: Vec<lsp_types::Diagnostic>,
    version: Option<i32>,
) {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version,
    };
    let _ = sender.send(Notification::new(PublishDiagnostics::METHOD.to_owned(), params).into());
}

/// Each finding as importgate has it and as the editor shows it.
type Found = Vec<(crate::diagnostic::Diagnostic, lsp_types::Diagnostic)>;

/// The checking thread.
struct Worker {
    documents: Arc<Mutex<Documents>>,
    sender: Sender<Message>,
    /// The worker's own queue, for its file watchers.
    work: Sender<Work>,
    encoding: Encoding,
    /// Registries loaded from disk, by path, until a save or a watched change.
    registries: HashMap<PathBuf, Result<Arc<Loaded>, Arc<LoadError>>>,
    /// Registries whose errors are published, so that fixing them clears the errors.
    registries_with_errors: BTreeSet<PathBuf>,
}

impl Worker {
    fn new(
        documents: Arc<Mutex<Documents>>,
        sender: Sender<Message>,
        work: Sender<Work>,
        encoding: Encoding,
    ) -> Self {
        Self {
            documents,
            sender,
            work,
            encoding,
            registries: HashMap::new(),
            registries_with_errors: BTreeSet::new(),
        }
    }

    fn run(mut self, queue: &Receiver<Work>) {
        while let Ok(first) = queue.recv() {
            let mut pending = BTreeSet::<String>::new();
            let mut reload = false;
            let mut changed = Vec::new();
            let mut stop = false;
            let mut hovers = Vec::new();
            let mut cancelled = std::collections::HashSet::new();
            let mut take = |work: Work| match work {
                Work::Hover(id, params, version) => hovers.push((id, params, version)),
                Work::Cancel(id) => {
                    cancelled.insert(id);
                }
                Work::Check(uri) => {
                    pending.insert(uri.as_str().to_owned());
                }
                Work::Reload => reload = true,
                Work::Changed(paths) => changed.extend(paths),
                Work::Stop => stop = true,
            };
            take(first);
            loop {
                match queue.recv_timeout(DEBOUNCE) {
                    Ok(work) => take(work),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            if stop {
                return;
            }
            // Answered first: they wait on nothing but the buffer. A request the client
            // cancelled, or asked of text that has changed since, gets no answer computed.
            for (id, params, version) in hovers {
                let uri = &params.text_document_position_params.text_document.uri;
                let response = if cancelled.contains(&id) {
                    Response::new_err(
                        id,
                        ErrorCode::RequestCanceled as i32,
                        "cancelled".to_owned(),
                    )
                } else if self.snapshot(uri).map(|document| document.version()) != version {
                    Response::new_err(
                        id,
                        ErrorCode::ContentModified as i32,
                        "the document changed since the request".to_owned(),
                    )
                } else {
                    Response::new_ok(id, self.hover(&params))
                };
                let _ = self.sender.send(response.into());
            }
            let invalidated = !changed.is_empty() && self.forget(&changed, &mut reload);
            if reload {
                self.registries.clear();
            }
            if reload || invalidated {
                let open = self
                    .documents
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                pending.extend(open.open.keys().cloned());
            }
            for uri in pending {
                if let Ok(uri) = uri.parse::<Uri>() {
                    self.check(uri);
                }
            }
        }
    }

    /// Checks one open document and publishes its diagnostics, unless it changed or
    /// closed meanwhile.
    fn check(&mut self, uri: Uri) {
        let Some(snapshot) = self.snapshot(&uri) else {
            return;
        };
        let Some(path) = uri::path_of(&uri) else {
            return;
        };
        let (diagnostics, found) = if config::is_registry(&path, snapshot.text()) {
            (self.registry_diagnostics(&path, &snapshot), Vec::new())
        } else if is_source(&path) {
            self.source_diagnostics(&path, &snapshot)
        } else {
            return;
        };
        let mut open = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let version = snapshot.version();
        if open.open.get(uri.as_str()).map(Document::version) == Some(version) {
            open.checked
                .insert(uri.as_str().to_owned(), Checked { version, found });
            drop(open);
            publish(&self.sender, uri, diagnostics, Some(version));
        }
    }

    /// The hover at a position of an open Python or Rust file (`None`: nothing to say there).
    fn hover(&mut self, params: &lsp_types::HoverParams) -> Option<lsp_types::Hover> {
        let position = &params.text_document_position_params;
        let uri = &position.text_document.uri;
        let path = uri::path_of(uri).filter(|path| is_source(path))?;
        let document = self.snapshot(uri)?;
        let loaded = self.registry_for(&path)?;
        let findings: Option<Vec<crate::diagnostic::Diagnostic>> = {
            let open = self
                .documents
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            open.checked
                .get(uri.as_str())
                .filter(|checked| checked.version == document.version())
                .map(|checked| {
                    checked
                        .found
                        .iter()
                        .map(|(found, _)| found.clone())
                        .collect()
                })
        };
        let offset = document.offset(position.position, self.encoding);
        let tree = hover::Tree {
            session: loaded.session.as_deref(),
            cache_dir: Some(&loaded.cache_dir),
        };
        hover::hover(
            &loaded.config,
            &tree,
            &path,
            &document,
            offset,
            findings.as_deref(),
            self.encoding,
        )
    }

    fn snapshot(&self, uri: &Uri) -> Option<Document> {
        let open = self
            .documents
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        open.open.get(uri.as_str()).cloned()
    }

    /// The buffer of a registry, validated as `check` would load it.
    fn registry_diagnostics(
        &mut self,
        path: &Path,
        document: &Document,
    ) -> Vec<lsp_types::Diagnostic> {
        match Config::from_text(path, document.text().to_owned()) {
            Ok(_) => {
                self.registries_with_errors.remove(path);
                Vec::new()
            }
            Err(error) => {
                self.registries_with_errors.insert(path.to_path_buf());
                load_error_diagnostics(&error, document, self.encoding)
            }
        }
    }

    fn source_diagnostics(
        &mut self,
        path: &Path,
        document: &Document,
    ) -> (Vec<lsp_types::Diagnostic>, Found) {
        let Some(loaded) = self.registry_for(path) else {
            return (Vec::new(), Vec::new());
        };
        let config = &loaded.config;
        // A Rust file under a registry that checks Python alone is none of its business.
        if !crate::model::Language::of_path(&path.to_string_lossy())
            .is_some_and(|language| config.checks_language(language))
        {
            return (Vec::new(), Vec::new());
        }
        match check::check_document(config, loaded.session.clone(), path, document) {
            Ok(found) => {
                let found: Found = found
                    .into_iter()
                    .map(|diagnostic| {
                        let shown = check::to_lsp(&diagnostic, document, self.encoding, config);
                        (diagnostic, shown)
                    })
                    .collect();
                (
                    found.iter().map(|(_, shown)| shown.clone()).collect(),
                    found,
                )
            }
            Err(error) => (
                vec![whole_file_error(format!(
                    "importgate could not check this file: {error}"
                ))],
                Vec::new(),
            ),
        }
    }

    /// The registry that governs `path` (found as `check` finds it: the nearest `rules.toml`
    /// or `pyproject.toml` with `[tool.importgate]` above it), loaded from disk. A registry
    /// that does not load gets its errors published on it; the file is then not checked.
    fn registry_for(&mut self, path: &Path) -> Option<Arc<Loaded>> {
        let registry = Config::find(path.parent()?)?;
        let work = &self.work;
        let loaded = self
            .registries
            .entry(registry.clone())
            .or_insert_with(|| {
                Config::load(&registry)
                    .map(|config| Arc::new(Loaded::new(config, work)))
                    .map_err(Arc::new)
            })
            .clone();
        match loaded {
            Ok(loaded) => {
                if self.registries_with_errors.remove(&registry) {
                    if let Some(uri) = uri::uri_of(&registry) {
                        publish(&self.sender, uri, Vec::new(), None);
                    }
                }
                Some(loaded)
            }
            Err(error) => {
                // An open registry's buffer is published by its own check.
                let open = self
                    .documents
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let registry_is_open =
                    uri::uri_of(&registry).is_some_and(|uri| open.open.contains_key(uri.as_str()));
                drop(open);
                if !registry_is_open {
                    if let Some(uri) = uri::uri_of(&registry) {
                        let text = match &*error {
                            LoadError::Invalid(errors) => errors.text.clone(),
                            _ => String::new(),
                        };
                        let diagnostics =
                            load_error_diagnostics(&error, &Document::new(text, 0), self.encoding);
                        self.registries_with_errors.insert(registry.clone());
                        publish(&self.sender, uri, diagnostics, None);
                    }
                }
                None
            }
        }
    }

    /// Forgets what the loaded trees kept of the `changed` paths. Returns whether anything
    /// was forgotten; sets `reload` when a registry or a baseline changed.
    fn forget(&self, changed: &[PathBuf], reload: &mut bool) -> bool {
        let mut forgotten = false;
        for path in changed {
            let named_like_registry = path.file_name().is_some_and(|name| {
                name == config::CONFIG_FILE_NAME || name == config::PYPROJECT_FILE_NAME
            });
            let registry_or_baseline = self
                .registries
                .values()
                .flatten()
                .any(|loaded| loaded.config.baseline == *path || loaded.config.path == *path);
            if named_like_registry || registry_or_baseline {
                *reload = true;
                continue;
            }
            for loaded in self.registries.values().flatten() {
                let Some(session) = &loaded.session else {
                    continue;
                };
                forgotten |= watched::forget(&loaded.config, &loaded.cache_dir, session, path);
            }
        }
        forgotten
    }
}

/// A registry loaded for the open files it governs, and what is kept of its tree between
/// checks.
struct Loaded {
    config: Arc<Config>,
    /// Where its cache lives (changes there are the server's own).
    cache_dir: PathBuf,
    /// The tree as listed and indexed, and the facts of the files the checks did not check
    /// (see [`crate::engine::Session`]); `None` when the tree cannot be watched — then every
    /// check looks at the disk again.
    session: Option<Arc<Session>>,
    /// Reports every change below the governed root, so that the session forgets what
    /// changed: the server never trusts the editor alone to say (editors do not report
    /// directories, nor changes made by other programs when they do not watch).
    _watcher: Option<notify::RecommendedWatcher>,
}

impl Loaded {
    fn new(config: Config, work: &Sender<Work>) -> Self {
        let cache_dir = config.cache_dir();
        let cache_dir = cache_dir.canonicalize().unwrap_or(cache_dir);
        let watcher = watch_tree(&config, work);
        Self {
            session: watcher.as_ref().map(|_| Arc::new(Session::new())),
            config: Arc::new(config),
            cache_dir,
            _watcher: watcher,
        }
    }
}

/// Watches the governed root (recursively) and the registry's directory for the worker.
/// `None` when the root cannot be watched (the system's limit on watches, say).
fn watch_tree(config: &Config, work: &Sender<Work>) -> Option<notify::RecommendedWatcher> {
    use notify::{EventKind, RecursiveMode, Watcher};
    let work = work.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let _ = match event {
            Ok(event) if matches!(event.kind, EventKind::Access(_)) => Ok(()),
            Ok(event) => work.send(Work::Changed(event.paths)),
            // The kernel's queue overflowed, or a watch broke: anything may have changed.
            Err(_) => work.send(Work::Reload),
        };
    })
    .ok()?;
    watcher.watch(&config.root, RecursiveMode::Recursive).ok()?;
    if let Some(directory) = config.path.parent() {
        if !directory.starts_with(&config.root) {
            watcher.watch(directory, RecursiveMode::NonRecursive).ok()?;
        }
    }
    Some(watcher)
}

/// A file importgate checks when its registry checks its language.
fn is_source(path: &Path) -> bool {
    path.extension()
        .and_then(|extension| extension.to_str())
        .and_then(crate::model::Language::of_extension)
        .is_some()
}

/// A registry's errors, each at the span `check` underlines.
fn load_error_diagnostics(
    error: &LoadError,
    document: &Document,
    encoding: Encoding,
) -> Vec<lsp_types::Diagnostic> {
    match error {
        LoadError::Invalid(ConfigErrors { errors, .. }) => errors
            .iter()
            .map(|error| {
                let mut message = error.message.clone();
                if !error.label.is_empty() && error.label != error.message {
                    message.push_str(&format!("\n{}", error.label));
                }
                if let Some(help) = &error.help {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                lsp_types::Diagnostic {
                    range: document.range(error.span.start, error.span.end, encoding),
                    severity: Some(DiagnosticSeverity::ERROR),
                    source: Some("importgate".to_owned()),
                    message,
                    ..lsp_types::Diagnostic::default()
                }
            })
            .collect(),
        other => vec![whole_file_error(other.to_string())],
    }
}

fn whole_file_error(message: String) -> lsp_types::Diagnostic {
    lsp_types::Diagnostic {
        range: Range::new(Position::new(0, 0), Position::new(0, 0)),
        severity: Some(DiagnosticSeverity::ERROR),
        source: Some("importgate".to_owned()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}
