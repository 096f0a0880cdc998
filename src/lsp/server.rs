//! The protocol side: messages in, changes queued, one analysis loop that
//! debounces, drops stale results and publishes what changed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::convert;
use super::navigate;
use super::state::{is_policy_file, path_of, uri_of, Change, State};
use super::symbols::Index;
use crate::analysis::Analysis;

/// How the server behaves.
#[derive(Clone, Copy, Debug)]
pub struct ServerOptions {
    /// How long to wait after a change for more changes before analyzing.
    pub debounce: Duration,
}

impl Default for ServerOptions {
    fn default() -> ServerOptions {
        ServerOptions {
            debounce: Duration::from_millis(100),
        }
    }
}

/// Changes not analyzed yet.
#[derive(Default)]
struct Pending {
    changes: Vec<Change>,
    /// Counts every change: an analysis of generation `g` is stale once
    /// the counter moved past `g`.
    generation: u64,
    /// Document versions, by path, for the diagnostics published.
    versions: std::collections::HashMap<String, i32>,
    /// Whether the client lets the server register file watchers.
    watch: bool,
}

pub(super) struct Shared {
    client: Client,
    options: ServerOptions,
    /// The workspace; held by the analysis loop while it analyzes, so
    /// message handlers never take it.
    state: Mutex<Option<State>>,
    pending: Mutex<Pending>,
    /// The editor's buffers, by path: they win over the files on disk.
    docs: Mutex<HashMap<String, Arc<str>>>,
    /// The policy paths of the workspace (files and folders).
    policy_paths: Mutex<Vec<std::path::PathBuf>>,
    /// The latest analysis (requests), with the generation of the
    /// changes it covers.
    latest: Mutex<Option<(u64, Arc<Analysis>)>>,
    /// The name index of an analysis (built on the first request that
    /// needs it).
    index: Mutex<Option<(std::sync::Weak<Analysis>, Arc<Index>)>>,
    wake: Notify,
}

/// The language server.
pub struct Backend {
    shared: Arc<Shared>,
}

/// Lock, recovering from a poisoned lock (a panic elsewhere must not take
/// the server down with it).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client, options: ServerOptions) -> Backend {
        Backend {
            shared: Arc::new(Shared {
                client,
                options,
                state: Mutex::new(None),
                pending: Mutex::new(Pending::default()),
                docs: Mutex::new(HashMap::new()),
                policy_paths: Mutex::new(Vec::new()),
                latest: Mutex::new(None),
                index: Mutex::new(None),
                wake: Notify::new(),
            }),
        }
    }

    fn queue(&self, change: Change) {
        let mut p = lock(&self.shared.pending);
        p.changes.push(change);
        p.generation += 1;
        drop(p);
        self.shared.wake.notify_one();
    }

    fn set_version(&self, path: &str, version: Option<i32>) {
        let mut p = lock(&self.shared.pending);
        match version {
            Some(v) => p.versions.insert(path.to_string(), v),
            None => p.versions.remove(path),
        };
    }

    /// Whether `path` is open in the editor, and whether it is a policy
    /// file of the workspace.
    fn status(&self, path: &str) -> (bool, bool) {
        let open = lock(&self.shared.docs).contains_key(path);
        let policy = is_policy_file(&lock(&self.shared.policy_paths), path);
        (open, policy)
    }
}

/// The analysis loop: wait for changes, let more come for the debounce,
/// apply them all, analyze, and publish unless a newer change arrived
/// meanwhile (then its own analysis follows at once).
async fn analysis_loop(shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        let mut preparsed = Vec::new();
        if !shared.options.debounce.is_zero() {
            // The edited texts are parsed while more edits may come: a
            // text still current after the debounce is not parsed again.
            let texts = latest_texts(&lock(&shared.pending).changes);
            let worker = Arc::clone(&shared);
            let parse = tokio::task::spawn_blocking(move || {
                lock(&worker.state)
                    .as_ref()
                    .map(|s| s.preparse(&texts))
                    .unwrap_or_default()
            });
            tokio::time::sleep(shared.options.debounce).await;
            preparsed = parse.await.unwrap_or_default();
        }
        let (changes, generation) = {
            let mut p = lock(&shared.pending);
            (std::mem::take(&mut p.changes), p.generation)
        };
        let worker = Arc::clone(&shared);
        let done = tokio::task::spawn_blocking(move || {
            analyze_and_diff(&worker, changes, preparsed, generation)
        })
        .await;
        let publish = match done {
            Ok(Some(publish)) => publish,
            Ok(None) => continue,
            Err(e) => {
                shared
                    .client
                    .log_message(MessageType::ERROR, format!("analysis failed: {e}"))
                    .await;
                continue;
            }
        };
        for (uri, diagnostics, version) in publish {
            shared
                .client
                .publish_diagnostics(uri, diagnostics, version)
                .await;
        }
    }
}

type Publish = Vec<(Uri, Vec<Diagnostic>, Option<i32>)>;

/// The last text of each path among `changes`, when no reload is among
/// them (a reload reads every file again).
fn latest_texts(changes: &[Change]) -> Vec<(String, Arc<str>)> {
    let mut out: Vec<(String, Arc<str>)> = Vec::new();
    for change in changes {
        match change {
            Change::Text(path, text) => match out.iter_mut().find(|(p, _)| p == path) {
                Some(slot) => slot.1 = Arc::clone(text),
                None => out.push((path.clone(), Arc::clone(text))),
            },
            Change::Removed(path) => out.retain(|(p, _)| p != path),
            Change::Reload => return Vec::new(),
            Change::Reanalyze => {}
        }
    }
    out
}

/// Apply the changes and analyze; `None` when a newer change made the
/// result stale (nothing is recorded as published then).
fn analyze_and_diff(
    shared: &Shared,
    changes: Vec<Change>,
    preparsed: Vec<super::state::Preparsed>,
    generation: u64,
) -> Option<Publish> {
    let mut guard = lock(&shared.state);
    let state = guard.as_mut()?;
    let reload = changes.iter().any(|c| matches!(c, Change::Reload));
    let open = if reload {
        lock(&shared.docs).clone()
    } else {
        HashMap::new()
    };
    state.apply(changes, &open, preparsed);
    if reload {
        *lock(&shared.policy_paths) = state.policy_paths();
    }
    let analysis = state.analyze();
    *lock(&shared.latest) = Some((generation, Arc::clone(&analysis)));
    let pending = lock(&shared.pending);
    if pending.generation != generation {
        return None;
    }
    let versions = pending.versions.clone();
    drop(pending);
    let mut converter = convert::Converter::new(&analysis.model.sources);
    let publish = state
        .changed_files(&analysis)
        .into_iter()
        .filter_map(|(path, diags)| {
            let uri = uri_of(&path)?;
            let converted = diags.iter().map(|d| converter.diagnostic(d)).collect();
            Some((uri, converted, versions.get(&path).copied()))
        })
        .collect();
    Some(publish)
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated, reason = "rootUri is what older clients send")]
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|f| f.first())
            .map(|f| f.uri.clone())
            .or(params.root_uri)
            .and_then(|u| u.to_file_path().map(|p| p.into_owned()));
        let watch_dynamically = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        let shared = Arc::clone(&self.shared);
        let state = tokio::task::spawn_blocking(move || State::load(root))
            .await
            .map_err(|e| tower_lsp_server::jsonrpc::Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                message: format!("cannot load the workspace: {e}").into(),
                data: None,
            })?;
        let load_error = state.load_error.clone();
        *lock(&shared.policy_paths) = state.policy_paths();
        *lock(&shared.state) = Some(state);
        lock(&shared.pending).watch = watch_dynamically;
        tokio::spawn(analysis_loop(Arc::clone(&shared)));
        if let Some(e) = load_error {
            shared.client.show_message(MessageType::ERROR, e).await;
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                references_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(vec!["\"".into(), ".".into()]),
                    ..CompletionOptions::default()
                }),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_range_formatting_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: super::tokens::legend(),
                            full: Some(SemanticTokensFullOptions::Bool(true)),
                            range: None,
                            work_done_progress_options: WorkDoneProgressOptions::default(),
                        },
                    ),
                ),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                        ..CodeActionOptions::default()
                    },
                )),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "aclc".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let watch = lock(&self.shared.pending).watch;
        if watch {
            // In a task of its own: the client answers the registration
            // while this server goes on with the next messages.
            let client = self.shared.client.clone();
            tokio::spawn(async move {
                let watchers = ["**/*.acl", "**/aclc.toml"]
                    .into_iter()
                    .map(|glob| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(glob.to_string()),
                        kind: None,
                    })
                    .collect();
                let options = DidChangeWatchedFilesRegistrationOptions { watchers };
                let registration = Registration {
                    id: "aclc-watch".to_string(),
                    method: "workspace/didChangeWatchedFiles".to_string(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(e) = client.register_capability(vec![registration]).await {
                    client
                        .log_message(MessageType::WARNING, format!("cannot watch files: {e}"))
                        .await;
                }
            });
        }
        // The first analysis: every file with findings gets them.
        self.queue(Change::Reanalyze);
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = editable_path(&params.text_document.uri) else {
            return;
        };
        let text: Arc<str> = params.text_document.text.into();
        lock(&self.shared.docs).insert(path.clone(), Arc::clone(&text));
        self.set_version(&path, Some(params.text_document.version));
        self.queue(Change::Text(path, text));
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = editable_path(&params.text_document.uri) else {
            return;
        };
        let text = {
            let mut docs = lock(&self.shared.docs);
            let Some(current) = docs.get(&path) else {
                return;
            };
            let mut text = current.to_string();
            for change in params.content_changes {
                apply_change(&mut text, change);
            }
            let text: Arc<str> = text.into();
            docs.insert(path.clone(), Arc::clone(&text));
            text
        };
        self.set_version(&path, Some(params.text_document.version));
        self.queue(Change::Text(path, text));
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = editable_path(&params.text_document.uri) else {
            return;
        };
        self.set_version(&path, None);
        lock(&self.shared.docs).remove(&path);
        // Back to the file on disk, or out of the set if it is not a
        // policy file of the workspace (or is gone).
        let (_, policy) = self.status(&path);
        let change = match crate::load::read_text(std::path::Path::new(&path)) {
            Ok(text) if policy => Change::Text(path, text.into()),
            _ => Change::Removed(path),
        };
        self.queue(change);
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for event in params.changes {
            let Some(path) = path_of(&event.uri) else {
                continue;
            };
            if path.ends_with(crate::config::FILE_NAME) {
                self.queue(Change::Reload);
                continue;
            }
            let (open, policy) = self.status(&path);
            // The editor's buffer wins over the file while it is open.
            if open || !policy {
                continue;
            }
            let change = if event.typ == FileChangeType::DELETED {
                Change::Removed(path)
            } else {
                match crate::load::read_text(std::path::Path::new(&path)) {
                    Ok(text) => Change::Text(path, text.into()),
                    Err(_) => Change::Removed(path),
                }
            };
            self.queue(change);
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        let Some(path) = request_path(&pos.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        // The name index only when the structure does not answer (it is
        // built once per analysis, and hovering is frequent).
        let (analysis, at) = (Arc::clone(&a), path.clone());
        let found = self
            .run("hover", move || {
                super::hover::hover(&analysis, &at, pos.position)
            })
            .await?;
        if found.is_some() {
            return Ok(found);
        }
        let index = self.index(&a).await?;
        self.run("hover", move || {
            super::hover::hover_name(&a, &index, &path, pos.position)
        })
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let pos = params.text_document_position_params;
        let Some(path) = request_path(&pos.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        let index = self.index(&a).await?;
        self.run("definition", move || {
            let found = navigate::definition(&a, &index, &path, pos.position);
            match found.len() {
                0 => None,
                1 => found.into_iter().next().map(GotoDefinitionResponse::Scalar),
                _ => Some(GotoDefinitionResponse::Array(found)),
            }
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let pos = params.text_document_position;
        let Some(path) = request_path(&pos.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        let index = self.index(&a).await?;
        let declarations = params.context.include_declaration;
        self.run("references", move || {
            Some(navigate::references(
                &a,
                &index,
                &path,
                pos.position,
                declarations,
            ))
        })
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        let Some(path) = request_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        let index = self.index(&a).await?;
        let answer = self
            .run("prepareRename", move || {
                navigate::prepare_rename(&a, &index, &path, params.position)
            })
            .await?;
        answer.map_err(invalid_request)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let pos = params.text_document_position;
        let Some(path) = request_path(&pos.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        if !self.current(&a) {
            return Err(invalid_request(
                "the files changed since the last analysis: rename again in a moment".into(),
            ));
        }
        let index = self.index(&a).await?;
        let answer = self
            .run("rename", move || {
                navigate::rename(&a, &index, &path, pos.position, &params.new_name)
            })
            .await?;
        answer.map_err(invalid_request)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some(text) = self.text_of(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.run("documentSymbol", move || {
            Some(DocumentSymbolResponse::Nested(navigate::document_symbols(
                &text,
            )))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        self.run("workspace/symbol", move || {
            Some(WorkspaceSymbolResponse::Nested(
                navigate::workspace_symbols(&a, &params.query),
            ))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        let Some(text) = self.text_of(&pos.text_document.uri).await else {
            return Ok(None);
        };
        // The names come from the analysis of the latest edits (the text
        // before the cursor is the buffer's own in any case).
        let a = self.analysis().await;
        self.run("completion", move || {
            Some(CompletionResponse::List(super::complete::complete(
                &text,
                pos.position,
                a.as_deref().map(|a| &a.model),
            )))
        })
        .await
    }

    /// `aclc fmt` on the buffer: one edit replacing the whole text (none
    /// when it is formatted already); a buffer with syntax errors is left
    /// alone, with a message.
    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(text) = self.text_of(&params.text_document.uri).await else {
            return Ok(None);
        };
        let answer = self
            .run("formatting", move || {
                crate::fmt::format(&text)
                    .map(|f| edit_of(&text, (f != *text).then(|| (0, text.len(), f))))
            })
            .await?;
        self.formatted(answer).await
    }

    /// `aclc fmt` on the top-level declarations the range touches.
    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        let Some(text) = self.text_of(&params.text_document.uri).await else {
            return Ok(None);
        };
        let range = params.range;
        let answer = self
            .run("rangeFormatting", move || {
                let lines = crate::source::LineIndex::new(&text);
                let start = lines.offset_of_utf16(&text, range.start.line, range.start.character);
                let end = lines.offset_of_utf16(&text, range.end.line, range.end.character);
                crate::fmt::format_range(&text, start as usize, end as usize)
                    .map(|r| edit_of(&text, r))
            })
            .await?;
        self.formatted(answer).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        let current = request_path(&params.text_document.uri)
            .and_then(|p| lock(&self.shared.docs).get(&p).cloned());
        self.run("codeAction", move || code_actions(&a, &params, current))
            .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let Some(text) = self.text_of(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.run("semanticTokens", move || {
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data: super::tokens::semantic_tokens(&text),
            }))
        })
        .await
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some(text) = self.text_of(&params.text_document.uri).await else {
            return Ok(None);
        };
        self.run("foldingRange", move || {
            Some(super::tokens::folding_ranges(&text))
        })
        .await
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let Some(path) = request_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        self.run("codeLens", move || {
            let file = a.model.sources.find(&path)?;
            Some(super::lens::code_lenses(&a, file))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let Some(path) = request_path(&params.text_document.uri) else {
            return Ok(None);
        };
        let Some(a) = self.analysis().await else {
            return Ok(None);
        };
        if !self.current(&a) {
            return Ok(None);
        }
        self.run("inlayHint", move || {
            let file = a.model.sources.find(&path)?;
            Some(super::lens::inlay_hints(&a, file, params.range))
        })
        .await
    }
}

/// How long a request waits for the analysis of the latest edits before
/// it answers from an older one.
const FRESH_WAIT: Duration = Duration::from_secs(2);

fn invalid_request(message: String) -> tower_lsp_server::jsonrpc::Error {
    tower_lsp_server::jsonrpc::Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InvalidRequest,
        message: message.into(),
        data: None,
    }
}

/// The path of a document the editor edits; `None` for the read-only
/// copies of the predefined library (the embedded library is what counts).
fn editable_path(uri: &Uri) -> Option<String> {
    let path = path_of(uri)?;
    (super::library::source_path(path.clone()) == path).then_some(path)
}

/// The path of the workspace file a request is about.
fn request_path(uri: &Uri) -> Option<String> {
    path_of(uri).map(super::library::source_path)
}

/// The one edit of a formatting answer (none when nothing changes).
fn edit_of(text: &str, change: Option<(usize, usize, String)>) -> Vec<TextEdit> {
    let Some((start, end, new)) = change else {
        return Vec::new();
    };
    let lines = crate::source::LineIndex::new(text);
    let at = |o: usize| {
        let (l, c) = lines.utf16_position(text, o as u32);
        Position::new(l, c)
    };
    vec![TextEdit::new(Range::new(at(start), at(end)), new)]
}

/// The parameters of a malformed message (see [`super::framing`]).
#[derive(Debug, serde::Deserialize)]
pub struct Malformed {
    /// The JSON-RPC error code to answer with.
    pub code: i64,
    /// What is wrong.
    pub message: String,
}

impl Backend {
    /// A malformed message: logged to the client, answered with its error.
    pub async fn malformed(&self, params: Malformed) -> Result<()> {
        let message = format!("aclc lsp: malformed message: {}", params.message);
        self.shared
            .client
            .log_message(MessageType::ERROR, message.clone())
            .await;
        Err(tower_lsp_server::jsonrpc::Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::from(params.code),
            message: message.into(),
            data: None,
        })
    }

    /// The latest analysis, once it covers every change received so far
    /// (waiting at most [`FRESH_WAIT`], then the latest there is).
    async fn analysis(&self) -> Option<Arc<Analysis>> {
        let deadline = tokio::time::Instant::now() + FRESH_WAIT;
        loop {
            let latest = lock(&self.shared.latest).clone();
            let generation = lock(&self.shared.pending).generation;
            match latest {
                Some((g, a)) if g == generation => return Some(a),
                latest if tokio::time::Instant::now() >= deadline => return latest.map(|(_, a)| a),
                _ => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    }

    /// Whether every open buffer has the text `a` analyzed (edits built
    /// from it land where they should).
    fn current(&self, a: &Analysis) -> bool {
        let sources = &a.model.sources;
        lock(&self.shared.docs).iter().all(|(path, text)| {
            sources
                .find(path)
                .is_some_and(|f| *sources.file(f).text == **text)
        })
    }

    /// The names of the analysis `a`, indexed once.
    async fn index(&self, a: &Arc<Analysis>) -> Result<Arc<Index>> {
        {
            let cache = lock(&self.shared.index);
            if let Some((of, index)) = &*cache {
                if std::sync::Weak::ptr_eq(of, &Arc::downgrade(a)) {
                    return Ok(Arc::clone(index));
                }
            }
        }
        let analysis = Arc::clone(a);
        let index = Arc::new(self.run("indexing", move || Index::new(&analysis)).await?);
        *lock(&self.shared.index) = Some((Arc::downgrade(a), Arc::clone(&index)));
        Ok(index)
    }

    /// The text of a document: the editor's buffer, else the file of the
    /// workspace.
    async fn text_of(&self, uri: &Uri) -> Option<Arc<str>> {
        let path = request_path(uri)?;
        if let Some(text) = lock(&self.shared.docs).get(&path).cloned() {
            return Some(text);
        }
        let a = self.analysis().await?;
        let file = a.model.sources.find(&path)?;
        Some(Arc::clone(&a.model.sources.file(file).text))
    }

    /// Run `f` off the message loop; a failure is logged to the client
    /// and answered as an internal error (the server goes on).
    async fn run<T: Send + 'static>(
        &self,
        what: &str,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T> {
        match tokio::task::spawn_blocking(f).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let message = format!("aclc lsp: {what} failed: {e}");
                self.shared
                    .client
                    .log_message(MessageType::ERROR, message.clone())
                    .await;
                Err(tower_lsp_server::jsonrpc::Error {
                    code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                    message: message.into(),
                    data: None,
                })
            }
        }
    }

    /// A formatting answer, or the message that the file has syntax errors.
    async fn formatted(
        &self,
        answer: std::result::Result<Vec<TextEdit>, crate::fmt::Unformattable>,
    ) -> Result<Option<Vec<TextEdit>>> {
        match answer {
            Ok(edits) => Ok(Some(edits)),
            Err(e) => {
                self.shared
                    .client
                    .show_message(
                        MessageType::WARNING,
                        format!(
                            "not formatted: the file has {} syntax error(s); fix them first",
                            e.errors.len()
                        ),
                    )
                    .await;
                Ok(None)
            }
        }
    }
}

/// The code actions for the findings on the lines of `params.range`: the
/// safe quick fixes `aclc fix` applies (preferred), then the ones that
/// need a human choice. None while the analysis is of an older text than
/// the buffer `current` (its positions would be wrong).
fn code_actions(
    analysis: &Analysis,
    params: &CodeActionParams,
    current: Option<Arc<str>>,
) -> Option<CodeActionResponse> {
    let uri = &params.text_document.uri;
    let path = request_path(uri)?;
    let sources = &analysis.model.sources;
    let file = sources.find(&path)?;
    if sources.file(file).origin != crate::source::Origin::User {
        return Some(Vec::new());
    }
    if current.is_some_and(|t| *t != *sources.file(file).text) {
        return Some(Vec::new());
    }
    // Findings on the lines asked about (a cursor asks about its line).
    let lines = &sources.file(file).lines;
    let (first, last) = (
        params.range.start.line as usize,
        params.range.end.line as usize,
    );
    let mut actions = Vec::new();
    for d in &analysis.diagnostics {
        if d.span.file != file
            || lines.line_of(d.span.start) > last
            || lines.line_of(d.span.end) < first
        {
            continue;
        }
        let extra = super::actions::for_finding(analysis, d);
        let fixes = d.fixes.iter().map(|f| (f, true));
        for (fix, preferred) in fixes.chain(extra.iter().map(|f| (f, false))) {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(convert::range(sources, e.span), e.text.clone()))
                .collect();
            let mut changes = HashMap::new();
            changes.insert(uri.clone(), edits);
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::diagnostic(sources, d)]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: preferred.then_some(true),
                ..CodeAction::default()
            }));
        }
    }
    Some(actions)
}

/// Apply one content change (a range edit, or the whole text) to a text.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    let Some(range) = change.range else {
        *text = change.text;
        return;
    };
    let lines = crate::source::LineIndex::new(text);
    let start = lines.offset_of_utf16(text, range.start.line, range.start.character) as usize;
    let end = lines.offset_of_utf16(text, range.end.line, range.end.character) as usize;
    let (start, end) = (start.min(text.len()), end.min(text.len()));
    if start <= end {
        text.replace_range(start..end, &change.text);
    }
}
