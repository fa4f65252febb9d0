//! End to end: the real `archc-lsp` binary over stdio, as an editor drives it:
//! initialize → didOpen → diagnostics → didChange → diagnostics → formatting → documentSymbol
//! → shutdown → exit; and a storm of thousands of random edits, malformed frames, edits to
//! unopened documents and out-of-range requests through the same pipe.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    /// Messages from the server, read on their own thread so the server never blocks on a
    /// full pipe while the test is still writing.
    messages: Receiver<Value>,
    next_id: u64,
}

impl Client {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_archc-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("archc-lsp starts");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (sender, messages) = channel();
        std::thread::spawn(move || read_messages(stdout, &sender));
        Self {
            child,
            stdin,
            messages,
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next message; a server silent for a minute fails the test instead of hanging it.
    fn receive(&mut self) -> Value {
        self.messages
            .recv_timeout(Duration::from_secs(60))
            .expect("a message from the server")
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns the response, skipping the notifications that come first.
    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// Sends a request and returns its result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// Sends a request that must fail and returns its error.
    fn request_error(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        response
            .get("error")
            .cloned()
            .unwrap_or_else(|| panic!("{method} should fail: {response}"))
    }

    /// The next `publishDiagnostics` for `uri`.
    fn diagnostics_for(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

/// Reads LSP-framed messages until the server closes its stdout.
fn read_messages(mut stdout: BufReader<ChildStdout>, sender: &Sender<Value>) {
    loop {
        let mut length = None;
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        stdout.read_exact(&mut body).unwrap();
        if sender.send(serde_json::from_slice(&body).unwrap()).is_err() {
            return;
        }
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A copy of the reference design in a fresh directory.
fn example_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    for entry in std::fs::read_dir(example).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

/// A server initialized on `dir` as its workspace folder.
fn start_on(dir: &Path) -> (Client, Value) {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({ "processId": null, "capabilities": {}, "workspaceFolders": [{ "uri": uri(dir), "name": "webapp" }] }),
    );
    client.notify("initialized", json!({}));
    (client, init)
}

#[test]
fn an_editor_session_over_stdio() {
    let dir = example_copy();
    let services = dir.path().join("services.arch");
    let services_uri = uri(&services);
    let text = std::fs::read_to_string(&services).unwrap();

    let (mut client, init) = start_on(dir.path());
    assert_eq!(init["capabilities"]["textDocumentSync"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "archc-lsp");

    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": services_uri, "languageId": "arch", "version": 1, "text": text } }),
    );
    // The example is clean except for its one warning-level finding elsewhere; this file is clean.
    assert_eq!(client.diagnostics_for(&services_uri), Vec::<Value>::new());

    // A flow to a component that does not exist: an error at exactly the misspelt name.
    let line = text.lines().position(|l| l.contains("flow api -> main")).unwrap();
    let column = text.lines().nth(line).unwrap().find("main").unwrap();
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": services_uri, "version": 2 },
            "contentChanges": [{ "range": { "start": { "line": line, "character": column }, "end": { "line": line, "character": column + 4 } }, "text": "mian" }],
        }),
    );
    let diagnostics = client.diagnostics_for(&services_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "archc");
    assert!(
        diagnostic["code"].as_str().unwrap().starts_with('E'),
        "{diagnostic}"
    );
    assert_eq!(
        diagnostic["range"]["start"],
        json!({ "line": line, "character": column })
    );
    assert_eq!(
        diagnostic["range"]["end"],
        json!({ "line": line, "character": column + 4 })
    );
    assert!(
        diagnostic["message"].as_str().unwrap().contains("mian"),
        "{diagnostic}"
    );

    // Undo: the error clears.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": services_uri, "version": 3 },
            "contentChanges": [{ "text": text }],
        }),
    );
    assert_eq!(client.diagnostics_for(&services_uri), Vec::<Value>::new());

    // The example is formatted: no edits. A mis-indented line gets one whole-file edit.
    let none = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": services_uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, json!([]));
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": services_uri, "version": 4 },
            "contentChanges": [{ "range": { "start": { "line": line, "character": 0 }, "end": { "line": line, "character": 0 } }, "text": "      " }],
        }),
    );
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": services_uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(edits.as_array().unwrap().len(), 1);
    assert_eq!(edits[0]["newText"], json!(text));

    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": services_uri } }),
    );
    let system = &symbols[0];
    assert_eq!(system["name"], "webapp");
    let children: Vec<&str> = system["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        [
            "api",
            "daily_report",
            "alb -> api",
            "api -> main",
            "api -> internet",
            "daily_report -> main"
        ]
    );

    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": services_uri, "version": 5 }, "contentChanges": [{ "text": text }] }),
    );
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": services_uri }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 999, "character": 0 } } }),
    );
    let labels: Vec<&str> = hints
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["stg: 1", "stg: 2"]);

    // Hover and completion at `main` in `flow api -> main`.
    let hover = client.request("textDocument/hover", json!({ "textDocument": { "uri": services_uri }, "position": { "line": line, "character": column + 1 } }));
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("database main : aurora_postgres in db"),
        "{hover}"
    );
    let completion = client.request(
        "textDocument/completion",
        json!({ "textDocument": { "uri": services_uri }, "position": { "line": line, "character": column } }),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"main") && labels.contains(&"alb"), "{labels:?}");

    // Go to definition: `main` in `flow api -> main` is the database in data.arch.
    let at = json!({ "textDocument": { "uri": services_uri }, "position": { "line": line, "character": column + 1 } });
    let definition = client.request("textDocument/definition", at.clone());
    assert_eq!(definition["uri"], uri(&dir.path().join("data.arch")));
    let data = std::fs::read_to_string(dir.path().join("data.arch")).unwrap();
    let decl_line = data.lines().position(|l| l.contains("database main")).unwrap();
    assert_eq!(definition["range"]["start"]["line"], decl_line);
    // Find references: every use of `main`, across files, without the declaration.
    let mut params = at;
    params["context"] = json!({ "includeDeclaration": false });
    let references = client.request("textDocument/references", params);
    let mut files: Vec<&str> = references
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    files.sort_unstable();
    assert_eq!(
        files,
        [
            "environments.arch",
            "monitoring.arch",
            "services.arch",
            "services.arch"
        ],
        "{references:#}"
    );

    // Rename `main`: every occurrence in every file, after checking the new name.
    let at = json!({ "textDocument": { "uri": services_uri }, "position": { "line": line, "character": column + 1 } });
    let prepared = client.request("textDocument/prepareRename", at.clone());
    assert_eq!(prepared["start"], json!({ "line": line, "character": column }));
    let mut rename = at.clone();
    rename["newName"] = json!("daily_report");
    let error = client.request_error("textDocument/rename", rename.clone());
    assert_eq!(
        error["message"],
        "`daily_report` is already declared in this workspace"
    );
    rename["newName"] = json!("primary");
    let edit = client.request("textDocument/rename", rename);
    let changes = edit["changes"].as_object().unwrap();
    let count: usize = changes
        .values()
        .map(|edits| edits.as_array().unwrap().len())
        .sum();
    assert_eq!(count, 5, "{edit:#}");
    assert!(
        changes
            .values()
            .flat_map(|e| e.as_array().unwrap())
            .all(|e| e["newText"] == "primary")
    );

    let symbols = client.request("workspace/symbol", json!({ "query": "DAILY" }));
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["daily_report"]);

    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// A small deterministic generator (SplitMix64), so the stress test needs no seed handling.
struct Random(u64);

impl Random {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % below.max(1)
    }
}

/// Text fragments an editor session types: names, keywords, punctuation, partial lines.
const FRAGMENTS: &[&str] = &[
    "a",
    " ",
    "\n",
    "{",
    "}",
    "=",
    "->",
    ":",
    "\"",
    "//",
    "😀",
    "flow api -> main : postgres\n",
    "port = 80",
    "service x : fargate in container {",
    "allow R001 reason \"x\" until 2027-01-01\n",
];

/// Thousands of random edits over stdio, in every file of the workspace, as fast as the pipe
/// takes them: the server stays alive, and the diagnostics it last published for each file
/// equal a fresh check of the final texts (what `archc check` says).
/// A protocol-level storm: 5,000 random edits, among them malformed frames, edits to documents
/// never opened, requests at positions past the end; then a hover. The server stays alive, and
/// the diagnostics it published last equal a fresh check of the final texts.
#[test]
fn the_server_survives_a_protocol_storm_and_ends_exact() {
    let dir = example_copy();
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "arch"))
        .map(|path| (uri(&path), std::fs::read_to_string(&path).unwrap()))
        .collect();
    files.sort();

    let (mut client, _) = start_on(dir.path());
    for (uri, text) in &files {
        client.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "arch", "version": 1, "text": text } }),
        );
    }
    let mut random = Random(7);
    for version in 2..5002 {
        // The storm: every so often, something a client should not send.
        match version % 500 {
            100 => {
                write!(client.stdin, "Content-Length: 9\r\n\r\n{{broken:}}").unwrap();
            }
            200 => client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": "file:///nowhere/never-opened.arch", "version": 1 }, "contentChanges": [{ "text": "x" }] }),
            ),
            300 => {
                let (uri, _) = &files[0];
                let uri = uri.clone();
                let _ = client.call(
                    "textDocument/hover",
                    json!({ "textDocument": { "uri": uri }, "position": { "line": 99_999, "character": 99_999 } }),
                );
            }
            _ => {}
        }
        let count = files.len() as u64;
        let (uri, text) = &mut files[random.next(count) as usize];
        // A random range in line/UTF-16 coordinates (possibly past the end: servers clamp).
        let (line, character) = (random.next(40) as u32, random.next(60) as u32);
        let (lines, characters) = (random.next(2) as u32, random.next(8) as u32);
        let insert = if random.next(3) == 0 {
            ""
        } else {
            FRAGMENTS[random.next(FRAGMENTS.len() as u64) as usize]
        };
        let end = (line + lines, character + characters);
        archc_lsp::state::apply(
            text,
            archc_lsp::state::Edit {
                range: Some(((line, character), end)),
                text: insert.to_owned(),
            },
        );
        let range = json!({ "start": { "line": line, "character": character }, "end": { "line": end.0, "character": end.1 } });
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "range": range, "text": insert }] }),
        );
    }
    // The last diagnostics published for each file, read until the server has been quiet for
    // two seconds (handlers run concurrently, so no response marks "every edit published").
    let mut last: std::collections::BTreeMap<String, Value> = std::collections::BTreeMap::new();
    while let Ok(message) = client.messages.recv_timeout(Duration::from_secs(2)) {
        if message["method"] == "textDocument/publishDiagnostics" {
            last.insert(
                message["params"]["uri"].as_str().unwrap().to_owned(),
                message["params"]["diagnostics"].clone(),
            );
        }
    }
    // Still answering: a hover on the first document.
    let (first, _) = &files[0];
    let first = first.clone();
    let hover = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": first }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    assert_eq!(client.request("shutdown", Value::Null), Value::Null);
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());

    // A fresh check of the final texts.
    for (uri, text) in &files {
        std::fs::write(uri.trim_start_matches("file://"), text).unwrap();
    }
    let state = archc_lsp::state::State::new(Some(dir.path()), archc::date::Date::today_utc());
    let fresh = archc_lsp::server::diagnostics_by_file(&state.snapshot());
    assert!(
        fresh.values().any(|d| !d.is_empty()),
        "the edits should have broken something"
    );
    for (path, diagnostics) in fresh {
        let published = last
            .get(&uri(Path::new(&path)))
            .cloned()
            .unwrap_or_else(|| json!([]));
        assert_eq!(published, serde_json::to_value(&diagnostics).unwrap(), "{path}");
    }
}

#[test]
fn a_malformed_frame_gets_an_error_reply_and_the_session_goes_on() {
    let mut client = Client::start();
    // Not JSON; a broken Content-Length; JSON-RPC 1.0.
    write!(client.stdin, "Content-Length: 5\r\n\r\n{{bad}}").unwrap();
    write!(client.stdin, "Content-Length: abc\r\n\r\n").unwrap();
    client.send(&json!({ "jsonrpc": "1.0", "id": 7, "method": "initialize", "params": {} }));
    client.stdin.flush().unwrap();
    let errors: Vec<(Value, Value)> = (0..3)
        .map(|_| {
            let reply = client.receive();
            (reply["error"]["code"].clone(), reply["id"].clone())
        })
        .collect();
    assert_eq!(
        errors,
        [
            (json!(-32700), Value::Null),
            (json!(-32700), Value::Null),
            (json!(-32600), json!(7))
        ]
    );
    // The session goes on.
    let result = client.request("initialize", json!({ "capabilities": {} }));
    assert!(result["capabilities"].is_object(), "{result}");
    // `exit` without `shutdown` ends with status 1.
    client.notify("exit", Value::Null);
    assert_eq!(client.child.wait().unwrap().code(), Some(1));
}
