//! In process, through the protocol: every feature of the server as an editor asks for it
//! (JSON-RPC requests into the `LspService`, notifications read from its client socket), on a
//! copy of the bundled example.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use archc::line_index::LineIndex;
use archc_lsp::server::Server;
use archc_lsp::stdlib::StdlibCopy;
use futures::{FutureExt, StreamExt};
use serde_json::{Value, json};
use tower::{Service, ServiceExt};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::{ClientSocket, LspService};

struct Session {
    service: LspService<Server>,
    /// What the server sends the client (diagnostics, log messages).
    socket: ClientSocket,
    next_id: i64,
    /// The workspace folder: a copy of `examples/webapp`.
    root: tempfile::TempDir,
    /// Where the server writes the stdlib's copies.
    stdlib: PathBuf,
    /// The diagnostics last published for each path.
    published: BTreeMap<String, Value>,
}

impl Session {
    async fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
        for entry in std::fs::read_dir(example).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, root.path().join(path.file_name().unwrap())).unwrap();
        }
        let stdlib = root.path().join(".stdlib");
        let copies = stdlib.clone();
        let (service, socket) =
            LspService::new(move |client| Server::with_stdlib(client, StdlibCopy::at(copies)));
        let mut session = Self {
            service,
            socket,
            next_id: 1,
            root,
            stdlib,
            published: BTreeMap::new(),
        };
        let root_uri = session.uri("");
        let initialized = session
            .request("initialize", json!({ "rootUri": root_uri, "capabilities": {} }))
            .await;
        assert_eq!(initialized["serverInfo"]["name"], "archc-lsp");
        session.notify("initialized", json!({})).await;
        session
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    fn uri(&self, name: &str) -> String {
        uri_of(&self.path(name))
    }

    /// Sends a message and reads what the server sends the client meanwhile (its channel is
    /// bounded, so it is read while the handler runs), then what is left once it has answered.
    async fn send(&mut self, request: Request) -> Option<Response> {
        let Self {
            service,
            socket,
            published,
            ..
        } = self;
        let handled = service.ready().await.unwrap().call(request);
        tokio::pin!(handled);
        let mut record = |message: Request| {
            let (method, _, params) = message.into_parts();
            if method == "textDocument/publishDiagnostics" {
                let params = params.unwrap();
                let path = path_of(params["uri"].as_str().unwrap());
                published.insert(path, params["diagnostics"].clone());
            }
        };
        let response = loop {
            tokio::select! {
                biased;
                Some(message) = socket.next() => record(message),
                response = &mut handled => break response.unwrap(),
            }
        };
        while let Some(Some(message)) = socket.next().now_or_never() {
            record(message);
        }
        response
    }

    /// A request's result, or its error object.
    async fn call(&mut self, method: &'static str, params: Value) -> Result<Value, Value> {
        let id = self.next_id;
        self.next_id += 1;
        let request = Request::build(method).id(id).params(params).finish();
        let response = self.send(request).await.expect("a request has a response");
        let (_, body) = response.into_parts();
        body.map_err(|error| serde_json::to_value(error).unwrap())
    }

    async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.call(method, params)
            .await
            .unwrap_or_else(|error| panic!("{method} failed: {error}"))
    }

    /// Sends a notification, recording the diagnostics the server publishes on it.
    async fn notify(&mut self, method: &'static str, params: Value) {
        let request = Request::build(method).params(params).finish();
        assert!(self.send(request).await.is_none());
    }

    fn text(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    async fn open(&mut self, name: &str, text: &str) {
        let uri = self.uri(name);
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "arch", "version": 1, "text": text } }),
        )
        .await;
    }

    /// Replaces the first `old` in the open document `name` by `new`, as an incremental edit.
    async fn replace(&mut self, name: &str, text: &mut String, old: &str, new: &str) {
        let start = text.find(old).unwrap();
        let range = range(text, start, start + old.len());
        text.replace_range(start..start + old.len(), new);
        let uri = self.uri(name);
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": 2 },
                "contentChanges": [{ "range": range, "text": new }],
            }),
        )
        .await;
    }

    /// The edits `textDocument/formatting` answers for the document `name`.
    async fn format(&mut self, name: &str) -> Value {
        let uri = self.uri(name);
        let options = json!({ "tabSize": 2, "insertSpaces": true });
        self.request(
            "textDocument/formatting",
            json!({ "textDocument": { "uri": uri }, "options": options }),
        )
        .await
    }

    /// Opens `edge.arch` and makes its load balancer internet-facing (an R002 error), as an
    /// edit; the document's new text.
    async fn expose_the_load_balancer(&mut self) -> String {
        let mut edge = self.text("edge.arch");
        self.open("edge.arch", &edge).await;
        let (internal, internet_facing) = ("internal     = true", "internal     = false");
        self.replace("edge.arch", &mut edge, internal, internet_facing)
            .await;
        edge
    }

    /// The position of the first `marker` in `name`'s text on disk, plus `shift` bytes.
    fn at(&self, name: &str, marker: &str, shift: usize) -> Value {
        let text = self.text(name);
        let offset = text.find(marker).unwrap() + shift;
        json!({ "textDocument": { "uri": self.uri(name) }, "position": position(&text, offset) })
    }

    /// The references to the name at `marker` (+ `shift`), shown.
    async fn references(&mut self, file: &str, marker: &str, shift: usize, include: bool) -> Vec<String> {
        let mut params = self.at(file, marker, shift);
        params["context"] = json!({ "includeDeclaration": include });
        let found = self.request("textDocument/references", params).await;
        found.as_array().unwrap().iter().map(|l| self.show(l)).collect()
    }

    /// A location as `file:line:character-line:character text`, with the root left out.
    fn show(&self, location: &Value) -> String {
        let path = path_of(location["uri"].as_str().unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        let start = offset(&text, &location["range"]["start"]);
        let end = offset(&text, &location["range"]["end"]);
        let shown = Path::new(&path)
            .strip_prefix(&self.stdlib)
            .map(|p| format!("<stdlib copy>/{}", p.display()))
            .or_else(|_| {
                Path::new(&path)
                    .strip_prefix(self.root.path())
                    .map(|p| p.display().to_string())
            })
            .unwrap();
        format!(
            "{shown}:{}:{} {:?}",
            location["range"]["start"]["line"],
            location["range"]["start"]["character"],
            &text[start..end]
        )
    }
}

/// The path of a `file:` URI.
fn path_of(uri: &str) -> String {
    let uri: Uri = uri.parse().unwrap();
    uri.to_file_path().unwrap().to_string_lossy().into_owned()
}

/// The `file:` URI of a path.
fn uri_of(path: &Path) -> String {
    Uri::from_file_path(path).unwrap().as_str().to_owned()
}

fn position(text: &str, offset: usize) -> Value {
    let (line, character) = LineIndex::new(text).utf16_position(offset);
    json!({ "line": line, "character": character })
}

fn range(text: &str, start: usize, end: usize) -> Value {
    json!({ "start": position(text, start), "end": position(text, end) })
}

fn offset(text: &str, position: &Value) -> usize {
    LineIndex::new(text).utf16_offset(
        position["line"].as_u64().unwrap() as u32,
        position["character"].as_u64().unwrap() as u32,
    )
}

/// Applies LSP text edits (non-overlapping) to a text.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            (
                offset(text, &edit["range"]["start"]),
                offset(text, &edit["range"]["end"]),
                edit["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|(start, _, _)| std::cmp::Reverse(*start));
    let mut out = text.to_owned();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, new_text);
    }
    out
}

/// `archc check --format json` on the session's folder, one JSON value per diagnostic.
fn archc_check(root: &Path) -> Vec<Value> {
    let args = ["archc", "check", root.to_str().unwrap(), "--format", "json"].map(str::to_owned);
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    archc::cli::run(&args, &mut stdout, &mut stderr, false);
    String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// The published diagnostics in the CLI's terms: file, 1-based line and column, code,
/// message with help, number of related locations.
fn as_cli(session: &Session) -> Vec<String> {
    let mut out = Vec::new();
    for (path, diagnostics) in &session.published {
        let text = std::fs::read_to_string(path).unwrap();
        for d in diagnostics.as_array().unwrap() {
            let start = offset(&text, &d["range"]["start"]);
            let line_start = text[..start].rfind('\n').map_or(0, |at| at + 1);
            out.push(format!(
                "{}:{}:{} {} {} ({} related)",
                Path::new(path).file_name().unwrap().to_string_lossy(),
                d["range"]["start"]["line"].as_u64().unwrap() + 1,
                text[line_start..start].chars().count() + 1,
                d["code"].as_str().unwrap(),
                d["message"].as_str().unwrap(),
                d["relatedInformation"].as_array().map_or(0, Vec::len),
            ));
        }
    }
    out.sort();
    out
}

fn cli_view(diagnostics: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .map(|d| {
            let mut message = d["message"].as_str().unwrap().to_owned();
            if let Some(help) = d["help"].as_str() {
                message = format!("{message}\nhelp: {help}");
            }
            format!(
                "{}:{}:{} {} {message} ({} related)",
                Path::new(d["location"]["file"].as_str().unwrap())
                    .file_name()
                    .unwrap()
                    .to_string_lossy(),
                d["location"]["line"],
                d["location"]["column"],
                d["code"].as_str().unwrap(),
                d["labels"].as_array().unwrap().len(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn diagnostics_are_published_on_open_and_change_as_archc_check_reports_them() {
    let mut session = Session::start().await;
    // On `initialized`: the example's one warning (stg's NAT instance), and an empty list for
    // every other file.
    assert_eq!(session.published.len(), 7);
    assert_eq!(as_cli(&session), cli_view(&archc_check(session.root.path())));
    assert_eq!(as_cli(&session).len(), 1);

    // An internet-facing load balancer breaks R002 in both environments (reported once).
    let mut edge = session.expose_the_load_balancer().await;
    std::fs::write(session.path("edge.arch"), &edge).unwrap();
    let published = as_cli(&session);
    assert_eq!(published, cli_view(&archc_check(session.root.path())));
    assert!(published.iter().any(|d| d.contains(" R002 ")), "{published:#?}");
    insta::assert_json_snapshot!(
        "published_edge",
        session.published[&session.path("edge.arch").to_string_lossy().into_owned()]
    );

    // A syntax error: the front end's diagnostic, the rules wait for a well-formed system.
    session
        .replace("edge.arch", &mut edge, "listen       = 443", "listen       = ")
        .await;
    std::fs::write(session.path("edge.arch"), &edge).unwrap();
    let published = as_cli(&session);
    assert_eq!(published, cli_view(&archc_check(session.root.path())));
    assert!(published.iter().all(|d| d.contains(" E0")), "{published:#?}");
}

#[tokio::test]
async fn formatting_returns_what_archc_fmt_writes() {
    let mut session = Session::start().await;
    let messy = "system webapp {\nservice   extra : fargate in container {image=ecr(\"x\")\n port = 80 // the port\n}\n\n\n}\n";
    session.open("extra.arch", messy).await;
    let edits = session.format("extra.arch").await;
    let formatted = apply(messy, edits.as_array().unwrap());
    assert_eq!(Some(formatted.clone()), archc::format::format(messy, false));
    insta::assert_snapshot!(formatted);
    // Formatting formatted text changes nothing; a broken file is left alone.
    session.open("extra.arch", &formatted).await;
    let again = session.format("extra.arch").await;
    assert_eq!(again, json!([]));
    session
        .open("extra.arch", "system webapp {\n  service x : fargate {\n")
        .await;
    let broken = session.format("extra.arch").await;
    assert_eq!(broken, json!([]));
}

#[tokio::test]
async fn document_and_workspace_symbols() {
    let mut session = Session::start().await;
    let uri = session.uri("main.arch");
    let outline = session
        .request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
    insta::assert_json_snapshot!("outline_main", outline);

    let symbols = session.request("workspace/symbol", json!({ "query": "a" })).await;
    let shown: Vec<String> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {} (kind {}) @ {}",
                s["containerName"].as_str().unwrap(),
                s["name"].as_str().unwrap(),
                s["kind"],
                session.show(&s["location"])
            )
        })
        .collect();
    insta::assert_debug_snapshot!("workspace_symbols", shown);
}

#[tokio::test]
async fn definition_of_components_tiers_envs_and_stdlib_kinds() {
    let mut session = Session::start().await;
    let mut shown = Vec::new();
    for (file, marker, shift) in [
        ("services.arch", "flow api -> main", 12),
        ("services.arch", "in container", 3),
        ("environments.arch", "api.scale", 0),
        ("environments.arch", "env stg", 4),
        ("services.arch", ": fargate", 2),
        ("monitoring.arch", ": sns", 2),
    ] {
        let found = session
            .request("textDocument/definition", session.at(file, marker, shift))
            .await;
        shown.push(session.show(&found));
    }
    insta::assert_debug_snapshot!("definitions", shown);
    // The stdlib's copy is not part of the workspace: opening it changes no diagnostics.
    let copy = session.stdlib.join("compute.arch");
    let text = std::fs::read_to_string(&copy).unwrap();
    let before = session.published.clone();
    let uri = uri_of(&copy);
    session
        .notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "arch", "version": 1, "text": text } }),
        )
        .await;
    assert_eq!(session.published, before);
    // An enum value is not a declared name.
    let none = session
        .request(
            "textDocument/definition",
            session.at("main.arch", "internet_only", 0),
        )
        .await;
    assert_eq!(none, Value::Null);
}

#[tokio::test]
async fn references_with_and_without_the_declaration() {
    let mut session = Session::start().await;
    let api = session.references("services.arch", "service api", 8, true).await;
    let api_uses = session.references("services.arch", "service api", 8, false).await;
    assert_eq!(api[1..], api_uses[..]);
    let container = session.references("main.arch", "tier container", 5, true).await;
    let fargate = session.references("services.arch", ": fargate", 2, true).await;
    insta::assert_debug_snapshot!("references", (api, container, fargate));
}

#[tokio::test]
async fn rename_checks_the_new_name_and_edits_every_file() {
    let mut session = Session::start().await;
    let at = session.at("services.arch", "flow api -> main", 5);
    let range = session.request("textDocument/prepareRename", at.clone()).await;
    assert_eq!(
        range["start"],
        session.at("services.arch", "api -> main", 0)["position"]
    );

    let mut params = at.clone();
    params["newName"] = json!("backend");
    let edit = session.request("textDocument/rename", params).await;
    let changes = edit["changes"].as_object().unwrap();
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(session.root.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "arch") {
            let uri = uri_of(&path);
            let text = std::fs::read_to_string(&path).unwrap();
            let renamed = changes
                .get(&uri)
                .map_or(text.clone(), |edits| apply(&text, edits.as_array().unwrap()));
            sources.push((path.to_string_lossy().into_owned(), renamed));
        }
    }
    let files: Vec<String> = changes
        .iter()
        .map(|(uri, edits)| {
            let name = path_of(uri);
            format!(
                "{}: {} edits",
                Path::new(&name).file_name().unwrap().to_string_lossy(),
                edits.as_array().unwrap().len()
            )
        })
        .collect();
    insta::assert_debug_snapshot!("rename_api", files);
    // The renamed workspace means the same: no new diagnostics, and no `api` left.
    let state = archc_lsp::state::State::from_sources(sources.clone(), archc::date::Date::today_utc());
    let codes: Vec<&str> = archc::check::diagnostics(&state.db, state.workspace)
        .iter()
        .map(|d| d.code.id)
        .collect();
    assert_eq!(codes, ["R001"]);
    assert!(
        sources
            .iter()
            .all(|(_, text)| !text.contains("api.") && !text.contains(" api "))
    );

    // Bad names and stdlib kinds are refused with a reason.
    for (new_name, reason) in [
        ("main", "already declared"),
        ("flow", "keyword"),
        ("2api", "is not a name"),
    ] {
        let mut params = at.clone();
        params["newName"] = json!(new_name);
        let error = session.call("textDocument/rename", params).await.unwrap_err();
        assert!(error["message"].as_str().unwrap().contains(reason), "{error}");
    }
    let kind = session.at("services.arch", ": fargate", 2);
    let error = session
        .call("textDocument/prepareRename", kind.clone())
        .await
        .unwrap_err();
    assert!(
        error["message"].as_str().unwrap().contains("stdlib kind"),
        "{error}"
    );
    let mut params = kind;
    params["newName"] = json!("ec2");
    assert!(session.call("textDocument/rename", params).await.is_err());
}

#[tokio::test]
async fn hover_completion_hints_tokens_and_fixes_answer_through_the_protocol() {
    let mut session = Session::start().await;
    let hover = session
        .request(
            "textDocument/hover",
            session.at("services.arch", "flow api -> main", 12),
        )
        .await;
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("aurora_postgres"),
        "{hover}"
    );

    let services = session.text("services.arch");
    let mut typed = services.replace("flow api -> main : postgres", "flow api -> ");
    session.open("services.arch", &typed).await;
    let at = typed.find("flow api -> ").unwrap() + "flow api -> ".len();
    let uri = session.uri("services.arch");
    let items = session
        .request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": position(&typed, at) }),
        )
        .await;
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(
        labels.contains(&"main") && labels.contains(&"internet"),
        "{labels:?}"
    );
    session
        .replace(
            "services.arch",
            &mut typed,
            "flow api -> \n",
            "flow api -> main : postgres\n",
        )
        .await;

    let main = session.text("main.arch");
    let hints = session
        .request(
            "textDocument/inlayHint",
            json!({ "textDocument": { "uri": session.uri("main.arch") }, "range": range(&main, 0, main.len()) }),
        )
        .await;
    let labels: Vec<String> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{}:{} {}",
                h["position"]["line"],
                h["position"]["character"],
                h["label"].as_str().unwrap()
            )
        })
        .collect();
    insta::assert_debug_snapshot!("inlay_main", labels);

    let tokens = session
        .request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": session.uri("main.arch") } }),
        )
        .await;
    let data = tokens["data"].as_array().unwrap();
    assert!(!data.is_empty() && data.len() % 5 == 0);

    // A code action for the R002 an internet-facing load balancer causes, that undoes it.
    let edge = session.expose_the_load_balancer().await;
    let uri = session.uri("edge.arch");
    let actions = session
        .request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range(&edge, 0, edge.len()), "context": { "diagnostics": [] } }),
        )
        .await;
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == "R002")
        .expect("a fix for R002");
    assert_eq!(fix["kind"], "quickfix");
    let fixed = apply(&edge, fix["edit"]["changes"][&uri].as_array().unwrap());
    assert!(fixed.contains("internal     = true"), "{fixed}");
}

#[tokio::test]
async fn shutdown_then_requests_are_refused() {
    let mut session = Session::start().await;
    assert_eq!(session.request("shutdown", Value::Null).await, Value::Null);
    let after = session
        .call("textDocument/hover", session.at("services.arch", "api", 0))
        .await;
    assert!(after.is_err());
}
