//! The LSP protocol layer: requests and notifications in, `State` queries, LSP values out.
//!
//! Notifications change the `State` under its lock, briefly (an edit is applied, nothing is
//! computed). Requests and diagnostics are computed on a `Snapshot` on a blocking thread, with
//! the lock released: a hover is answered while the workspace's diagnostics compute, and an
//! edit cancels whatever computes on the text it replaces (a request then fails with
//! `ContentModified`, as the protocol asks; a diagnostics run is dropped, its edit's own run
//! follows). A panic becomes an error response (or a log message for a notification) and the
//! server keeps serving, on the state as it was before the failed call.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use archc::date::Date;
use archc::db::SourceFile;
use archc::line_index::LineIndex;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeActionResponse, CompletionItem, CompletionItemKind, CompletionOptions,
    CompletionParams, CompletionResponse, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DocumentFormattingParams, DocumentSymbolParams, DocumentSymbolResponse,
    Documentation, GotoDefinitionParams, GotoDefinitionResponse, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, InitializedParams, InlayHint,
    InlayHintLabel, InlayHintParams, Location, MarkupContent, MarkupKind, MessageType, OneOf,
    PrepareRenameResponse, ReferenceParams, RenameOptions, RenameParams, SemanticTokens,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit, WorkspaceSymbol,
    WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::convert;
use crate::state::{Edit, Snapshot, State};
use crate::stdlib::StdlibCopy;
use archc::ide::navigate::{Namespace, Occurrence};

/// Whether a client asked this process's server to shut down: `exit` without it ends the
/// process with status 1, as the protocol says.
static SHUT_DOWN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether `shutdown` came before `exit`.
pub fn shut_down() -> bool {
    SHUT_DOWN.load(std::sync::atomic::Ordering::SeqCst)
}

pub struct Server {
    client: Client,
    state: Mutex<State>,
    /// Where locations in the stdlib (a kind's declaration) point.
    stdlib: Arc<StdlibCopy>,
    /// What each file was last published with, so only changed diagnostics are sent. An
    /// async lock held from computing to sending: tower-lsp runs handlers concurrently, and
    /// without it an older result could reach the editor after a newer one.
    published: tokio::sync::Mutex<BTreeMap<String, Vec<lsp::Diagnostic>>>,
}

impl Server {
    pub fn new(client: Client) -> Self {
        Self::with_stdlib(client, StdlibCopy::in_user_cache())
    }

    /// A server whose stdlib locations point into `stdlib` (tests give it a temporary folder).
    pub fn with_stdlib(client: Client, stdlib: StdlibCopy) -> Self {
        Self {
            client,
            state: Mutex::new(State::new(None, Date::today_utc())),
            stdlib: Arc::new(stdlib),
            published: tokio::sync::Mutex::default(),
        }
    }

    /// Runs `f` on the state under its lock, turning a panic into an error (every edit goes
    /// through here; it waits for the snapshots in flight to be cancelled).
    pub fn with_state<T>(&self, f: impl FnOnce(&mut State) -> T) -> std::result::Result<T, String> {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        catch_unwind(AssertUnwindSafe(|| f(&mut state))).map_err(|panic| internal_error(&*panic))
    }

    /// Runs `f` on a snapshot of the state, on a blocking thread, without holding the lock.
    pub async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&View) -> T + Send + 'static,
    ) -> std::result::Result<T, Failure> {
        let view = View {
            snapshot: self
                .state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .snapshot(),
            stdlib: Arc::clone(&self.stdlib),
        };
        let computed = tokio::task::spawn_blocking(move || {
            catch_unwind(AssertUnwindSafe(|| f(&view))).map_err(|panic| {
                if panic.is::<salsa::Cancelled>() {
                    Failure::Cancelled
                } else {
                    Failure::Panic(internal_error(&*panic))
                }
            })
        })
        .await;
        computed.unwrap_or_else(|error| Err(Failure::Panic(format!("archc-lsp internal error: {error}"))))
    }

    /// `read` for a request: a cancelled computation is `ContentModified`, a panic an internal
    /// error.
    async fn answer<T: Send + 'static>(&self, f: impl FnOnce(&View) -> T + Send + 'static) -> Result<T> {
        self.read(f).await.map_err(|failure| match failure {
            Failure::Cancelled => Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::ContentModified,
                message: "the document changed while the answer was computed".into(),
                data: None,
            },
            Failure::Panic(message) => internal(message),
        })
    }

    async fn log_error(&self, message: String) {
        self.client.log_message(MessageType::ERROR, message).await;
    }

    /// Recomputes the workspace's diagnostics and publishes those that changed.
    async fn publish(&self) {
        // Publishes run one at a time, in the order their edits were applied, each on the state
        // as it is when its turn comes, so the last one sent is the latest.
        let mut published = self.published.lock().await;
        let dated = self.with_state(|state| {
            let today = Date::today_utc();
            if state.workspace.today(&state.db) != today {
                use salsa::Setter;
                state.workspace.set_today(&mut state.db).to(today);
            }
        });
        if let Err(message) = dated {
            return self.log_error(message).await;
        }
        let all = match self.read(|view| diagnostics_by_file(&view.snapshot)).await {
            Ok(all) => all,
            // A newer edit cancelled this run; its own run publishes.
            Err(Failure::Cancelled) => return,
            Err(Failure::Panic(message)) => return self.log_error(message).await,
        };
        let mut changed: Vec<(String, Vec<lsp::Diagnostic>)> = published
            .keys()
            .filter(|path| !all.contains_key(*path))
            .map(|path| (path.clone(), Vec::new()))
            .collect();
        for (path, diagnostics) in &all {
            if published.get(path) != Some(diagnostics) {
                changed.push((path.clone(), diagnostics.clone()));
            }
        }
        *published = all;
        for (path, diagnostics) in changed {
            if let Some(uri) = convert::uri(&path) {
                self.client.publish_diagnostics(uri, diagnostics, None).await;
            }
        }
    }
}

/// Why a computation on a snapshot gave no answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Failure {
    /// An edit arrived while it computed (salsa cancelled its queries).
    Cancelled,
    /// It panicked: the message, for the log or the error response.
    Panic(String),
}

/// The message for a panic's payload.
fn internal_error(panic: &(dyn std::any::Any + Send)) -> String {
    let text = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    format!("archc-lsp internal error (please report it): {text}")
}

/// Every file's diagnostics (an empty list for a clean file, so the editor clears old ones).
pub fn diagnostics_by_file(state: &Snapshot) -> BTreeMap<String, Vec<lsp::Diagnostic>> {
    let mut out: BTreeMap<String, Vec<lsp::Diagnostic>> = state
        .files()
        .map(|(path, _)| (path.to_owned(), Vec::new()))
        .collect();
    archc::check::prime(&state.db, state.workspace);
    for diagnostic in archc::check::diagnostics(&state.db, state.workspace) {
        let path = diagnostic.file.path(&state.db).to_owned();
        out.entry(path)
            .or_default()
            .push(convert::diagnostic(&state.db, &diagnostic));
    }
    out
}

/// What a request reads: a snapshot of the workspace, and where stdlib locations point.
pub struct View {
    pub snapshot: Snapshot,
    stdlib: Arc<StdlibCopy>,
}

impl View {
    /// The workspace path of a document URI: only `file:` URIs name workspace files, and the
    /// stdlib's copies are not the workspace's.
    fn path_of(&self, uri: &Uri) -> Option<String> {
        workspace_path(&self.stdlib, uri)
    }

    /// The file a URI names and the byte offset of a position in it.
    fn position_in(&self, uri: &Uri, position: lsp::Position) -> Option<(SourceFile, usize)> {
        let state = &self.snapshot;
        let file = state.file(&self.path_of(uri)?)?;
        let offset = LineIndex::of(&state.db, file).utf16_offset(position.line, position.character);
        Some((file, offset))
    }

    /// The declared name at a position: its file, the offset, and all its occurrences
    /// (declarations first).
    fn name_at(&self, at: &TextDocumentPositionParams) -> Option<(SourceFile, usize, Vec<Occurrence>)> {
        let state = &self.snapshot;
        let (file, offset) = self.position_in(&at.text_document.uri, at.position)?;
        let found = archc::ide::navigate::find(&state.db, state.workspace, file, offset);
        (!found.is_empty()).then_some((file, offset, found))
    }

    /// Where a span of a workspace or stdlib file is, for the editor.
    fn location(&self, file: SourceFile, span: &archc::syntax::ast::Span) -> Option<Location> {
        let state = &self.snapshot;
        let path = file.path(&state.db);
        let uri = match self.stdlib.path(path) {
            Some(copy) => Uri::from_file_path(copy)?,
            None => convert::uri(path)?,
        };
        Some(Location {
            uri,
            range: convert::range(&state.db, file, span),
        })
    }

    /// The occurrences of the name at a position (declarations first), as locations.
    fn locations_at(
        &self,
        at: &TextDocumentPositionParams,
        include_declaration: bool,
    ) -> Option<Vec<Location>> {
        let (_, _, found) = self.name_at(at)?;
        let locations = found
            .iter()
            .filter(|o| include_declaration || !o.is_declaration())
            .filter_map(|o| self.location(o.file, &o.span))
            .collect();
        Some(locations)
    }
}

impl Server {
    /// The workspace path of a document URI (see `View::path_of`).
    fn path_of(&self, uri: &Uri) -> Option<String> {
        workspace_path(&self.stdlib, uri)
    }
}

/// The workspace path of a document URI: only `file:` URIs name workspace files, and the
/// stdlib's copies are not the workspace's.
fn workspace_path(stdlib: &StdlibCopy, uri: &Uri) -> Option<String> {
    let path = uri.to_file_path()?;
    (!stdlib.contains(&path)).then(|| path.to_string_lossy().into_owned())
}

/// Why the occurrences found at a position cannot be renamed, if they cannot.
fn not_renamable(found: &[Occurrence]) -> Option<String> {
    let first = found.first()?;
    (first.namespace == Namespace::Kind).then(|| {
        format!(
            "`{}` is a stdlib kind; only components, tiers and environments can be renamed",
            first.name
        )
    })
}

/// The edits that rename every occurrence, by file.
fn rename_edits(state: &Snapshot, found: &[Occurrence], new_name: &str) -> WorkspaceEdit {
    let mut changes: std::collections::HashMap<Uri, Vec<TextEdit>> = std::collections::HashMap::new();
    for occurrence in found {
        if let Some(uri) = convert::uri(occurrence.file.path(&state.db)) {
            changes.entry(uri).or_default().push(TextEdit {
                range: convert::range(&state.db, occurrence.file, &occurrence.span),
                new_text: new_name.to_owned(),
            });
        }
    }
    WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }
}

fn invalid(message: String) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InvalidParams,
        message: message.into(),
        data: None,
    }
}

fn internal(message: String) -> Error {
    Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: message.into(),
        data: None,
    }
}

impl LanguageServer for Server {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        #[allow(deprecated)] // older clients send only `root_uri`
        let root = params
            .workspace_folders
            .as_ref()
            .and_then(|folders| folders.first())
            .map(|folder| &folder.uri)
            .or(params.root_uri.as_ref())
            .and_then(|uri| uri.to_file_path())
            .map(|path| path.into_owned())
            .filter(|path| path.is_dir())
            // The folder's workspace; a folder that is none (a repository holding several) is
            // entered when a document of one of them is opened.
            .and_then(|folder| crate::state::workspace_of(&folder));
        self.with_state(|state| *state = State::new(root.as_deref(), Date::today_utc()))
            .map_err(internal)?;
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                text_document_sync: Some(TextDocumentSyncCapability::Kind(
                    TextDocumentSyncKind::INCREMENTAL,
                )),
                document_formatting_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                definition_provider: Some(OneOf::Left(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some([":", ">", "="].map(str::to_owned).to_vec()),
                    ..CompletionOptions::default()
                }),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: Default::default(),
                })),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                inlay_hint_provider: Some(OneOf::Left(true)),
                semantic_tokens_provider: Some(SemanticTokensServerCapabilities::SemanticTokensOptions(
                    SemanticTokensOptions {
                        legend: crate::highlight::legend(),
                        full: Some(SemanticTokensFullOptions::Bool(true)),
                        range: None,
                        work_done_progress_options: Default::default(),
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                references_provider: Some(OneOf::Left(true)),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "archc-lsp".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            ..InitializeResult::default()
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.publish().await;
    }

    async fn shutdown(&self) -> Result<()> {
        SHUT_DOWN.store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        let text = params.text_document.text;
        let opened = self.with_state(|state| {
            // Follow the user into the document's workspace.
            let workspace = crate::state::workspace_of(std::path::Path::new(&path));
            if workspace.as_deref() != state.root() {
                *state = State::new(workspace.as_deref(), Date::today_utc());
            }
            state.open(&path, text)
        });
        if let Err(message) = opened {
            return self.log_error(message).await;
        }
        self.publish().await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        let edits = params
            .content_changes
            .into_iter()
            .map(|change| Edit {
                range: change
                    .range
                    .map(|r| ((r.start.line, r.start.character), (r.end.line, r.end.character))),
                text: change.text,
            })
            .collect();
        match self.with_state(|state| state.change(&path, edits)) {
            Ok(true) => self.publish().await,
            Ok(false) => {
                self.log_error(format!("didChange for `{path}`, which was never opened"))
                    .await
            }
            Err(message) => self.log_error(message).await,
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return;
        };
        if let Err(message) = self.with_state(|state| state.close(&path)) {
            return self.log_error(message).await;
        }
        self.publish().await;
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return Ok(None);
        };
        self.answer(move |view| {
            let state = &view.snapshot;
            let file = state.file(&path)?;
            let broken = !archc::syntax::parse(&state.db, file).diagnostics.is_empty();
            Some(convert::formatting(&state.db, file, broken))
        })
        .await
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        let Some(path) = self.path_of(&params.text_document.uri) else {
            return Ok(None);
        };
        self.answer(move |view| {
            let state = &view.snapshot;
            let file = state.file(&path)?;
            Some(DocumentSymbolResponse::Nested(convert::outline(&state.db, file)))
        })
        .await
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        self.answer(move |view| {
            let all = view.locations_at(&params.text_document_position_params, true)?;
            all.into_iter().next().map(GotoDefinitionResponse::Scalar)
        })
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        self.answer(move |view| {
            view.locations_at(&params.text_document_position, params.context.include_declaration)
        })
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.answer(move |view| {
            let state = &view.snapshot;
            let (file, offset) = view.position_in(&at.text_document.uri, at.position)?;
            let (markdown, span) = archc::ide::hover::hover(&state.db, state.workspace, file, offset)?;
            Some(Hover {
                contents: HoverContents::Markup(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: markdown,
                }),
                range: Some(convert::range(&state.db, file, &span)),
            })
        })
        .await
    }

    async fn prepare_rename(&self, at: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        let outcome = self.answer(move |view| {
            let state = &view.snapshot;
            let Some((file, offset, found)) = view.name_at(&at) else {
                return Ok(None);
            };
            if let Some(why) = not_renamable(&found) {
                return Err(why);
            }
            let here = found
                .iter()
                .find(|o| o.file == file && o.span.start <= offset && offset <= o.span.end);
            Ok(here.map(|here| PrepareRenameResponse::Range(convert::range(&state.db, file, &here.span))))
        });
        outcome.await?.map_err(invalid)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let outcome = self.answer(move |view| {
            let state = &view.snapshot;
            let Some((_, _, found)) = view.name_at(&params.text_document_position) else {
                return Err("there is no component, tier or environment name here to rename".to_owned());
            };
            if let Some(why) = not_renamable(&found) {
                return Err(why);
            }
            let old = found.first().map(|o| o.name.clone()).unwrap_or_default();
            match archc::ide::navigate::rename_error(&state.db, state.workspace, &old, &params.new_name) {
                Some(error) => Err(error),
                None => Ok(rename_edits(state, &found, &params.new_name)),
            }
        });
        outcome.await?.map(Some).map_err(invalid)
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        let query = params.query.to_lowercase();
        self.answer(move |view| {
            let state = &view.snapshot;
            let symbols = archc::ide::navigate::declarations(&state.db, state.workspace)
                .into_iter()
                .filter(|o| o.name.to_lowercase().contains(&query))
                .filter_map(|o| {
                    Some(WorkspaceSymbol {
                        name: o.name.clone(),
                        kind: convert::symbol_kind(o.declared_as.as_deref().unwrap_or_default()),
                        tags: None,
                        container_name: o.declared_as.clone(),
                        location: OneOf::Left(view.location(o.file, &o.span)?),
                        data: None,
                    })
                })
                .collect();
            Some(WorkspaceSymbolResponse::Nested(symbols))
        })
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        use archc::ide::complete::What;
        let at = params.text_document_position;
        self.answer(move |view| {
            let state = &view.snapshot;
            let (file, offset) = view.position_in(&at.text_document.uri, at.position)?;
            let items = archc::ide::complete::complete(&state.db, state.workspace, file, offset)
                .into_iter()
                .map(|item| CompletionItem {
                    kind: Some(match item.what {
                        What::Keyword => CompletionItemKind::KEYWORD,
                        What::Kind => CompletionItemKind::CLASS,
                        What::Field => CompletionItemKind::FIELD,
                        What::Component => CompletionItemKind::REFERENCE,
                        What::Value => CompletionItemKind::ENUM_MEMBER,
                        What::Function => CompletionItemKind::FUNCTION,
                    }),
                    detail: item.detail,
                    documentation: item.doc.map(|doc| {
                        Documentation::MarkupContent(MarkupContent {
                            kind: MarkupKind::Markdown,
                            value: doc,
                        })
                    }),
                    label: item.label,
                    ..CompletionItem::default()
                })
                .collect();
            Some(CompletionResponse::Array(items))
        })
        .await
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        self.answer(move |view| {
            let state = &view.snapshot;
            let file = state.file(&view.path_of(&params.text_document.uri)?)?;
            let index = LineIndex::of(&state.db, file);
            let (start, end) = (params.range.start, params.range.end);
            let range =
                index.utf16_offset(start.line, start.character)..=index.utf16_offset(end.line, end.character);
            let hints = archc::ide::inlay::hints(&state.db, state.workspace, file)
                .into_iter()
                .filter(|hint| range.contains(&hint.offset))
                .map(|hint| {
                    let (line, character) = index.utf16_position(hint.offset);
                    InlayHint {
                        position: lsp::Position { line, character },
                        label: InlayHintLabel::String(hint.label),
                        kind: None,
                        text_edits: None,
                        tooltip: None,
                        padding_left: Some(true),
                        padding_right: None,
                        data: None,
                    }
                })
                .collect();
            Some(hints)
        })
        .await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        self.answer(move |view| {
            let state = &view.snapshot;
            let uri = params.text_document.uri;
            let file = state.file(&view.path_of(&uri)?)?;
            let index = LineIndex::of(&state.db, file);
            let (start, end) = (params.range.start, params.range.end);
            let range =
                index.utf16_offset(start.line, start.character)..index.utf16_offset(end.line, end.character);
            let actions = archc::ide::actions::fixes(&state.db, state.workspace, file, &range)
                .into_iter()
                .map(|fix| {
                    let edits = fix
                        .edits
                        .iter()
                        .map(|(span, new_text)| TextEdit {
                            range: convert::range(&state.db, file, span),
                            new_text: new_text.clone(),
                        })
                        .collect();
                    CodeActionOrCommand::CodeAction(CodeAction {
                        title: fix.title,
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![convert::diagnostic(&state.db, &fix.diagnostic)]),
                        edit: Some(WorkspaceEdit {
                            changes: Some(std::iter::once((uri.clone(), edits)).collect()),
                            ..WorkspaceEdit::default()
                        }),
                        is_preferred: Some(true),
                        ..CodeAction::default()
                    })
                })
                .collect();
            Some(actions)
        })
        .await
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        self.answer(move |view| {
            let state = &view.snapshot;
            let file = state.file(&view.path_of(&params.text_document.uri)?)?;
            let tokens = archc::ide::highlight::tokens(&state.db, state.workspace, file);
            let data = crate::highlight::encode(file.text(&state.db), &tokens);
            Some(SemanticTokensResult::Tokens(SemanticTokens {
                result_id: None,
                data,
            }))
        })
        .await
    }
}
