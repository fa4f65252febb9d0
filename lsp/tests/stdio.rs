//! End to end: the real `archc-lsp` binary over stdio, as an editor drives it:
//! initialize → didOpen → diagnostics → didChange → diagnostics → formatting → documentSymbol
//! → shutdown → exit; and thousands of random edits through the same pipe.

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

    /// Sends a request and returns its result, skipping the notifications that come first.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{method} failed: {message}");
                return message["result"].clone();
            }
        }
    }

    /// Sends a request that must fail and returns its error.
    fn request_error(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message
                    .get("error")
                    .cloned()
                    .unwrap_or_else(|| panic!("{method} should fail: {message}"));
            }
        }
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

#[test]
fn an_editor_session_over_stdio() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    for entry in std::fs::read_dir(example).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let services = dir.path().join("services.arch");
    let services_uri = uri(&services);
    let text = std::fs::read_to_string(&services).unwrap();

    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({ "processId": null, "capabilities": {}, "workspaceFolders": [{ "uri": uri(dir.path()), "name": "webapp" }] }),
    );
    assert_eq!(init["capabilities"]["textDocumentSync"], 2, "incremental sync");
    assert_eq!(init["serverInfo"]["name"], "archc-lsp");
    client.notify("initialized", json!({}));

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

/// Thousands of random edits over stdio, as fast as the pipe takes them: the server stays
/// alive, and the diagnostics it last published for the file equal a fresh check of the
/// final text.
#[test]
fn the_server_survives_random_edits_and_ends_exact() {
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
    ];
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
    for entry in std::fs::read_dir(example).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let services = dir.path().join("services.arch");
    let services_uri = uri(&services);
    let mut text = std::fs::read_to_string(&services).unwrap();

    let mut client = Client::start();
    client.request("initialize", json!({ "processId": null, "capabilities": {}, "workspaceFolders": [{ "uri": uri(dir.path()), "name": "webapp" }] }));
    client.notify("initialized", json!({}));
    client.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": services_uri, "languageId": "arch", "version": 1, "text": text } }),
    );

    let mut random = Random(7);
    for version in 2..2002 {
        // A random range in line/UTF-16 coordinates (possibly past the end: servers clamp).
        let (line, character) = (random.next(40), random.next(60));
        let (lines, characters) = (random.next(2), random.next(8));
        let insert = if random.next(3) == 0 {
            ""
        } else {
            FRAGMENTS[random.next(FRAGMENTS.len() as u64) as usize]
        };
        let range = json!({ "start": { "line": line, "character": character }, "end": { "line": line + lines, "character": character + characters } });
        archc_lsp::state::apply(
            &mut text,
            archc_lsp::state::Edit {
                range: Some((
                    (line as u32, character as u32),
                    ((line + lines) as u32, (character + characters) as u32),
                )),
                text: insert.to_owned(),
            },
        );
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": services_uri, "version": version }, "contentChanges": [{ "range": range, "text": insert }] }),
        );
    }
    // A request after the edits: its answer means every edit before it was applied.
    let symbols = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": services_uri } }),
    );
    assert!(symbols.is_array() || symbols.is_null());
    // The last diagnostics published for the file, read until the server goes quiet.
    let mut last = None;
    client.send(&json!({ "jsonrpc": "2.0", "id": 999_999, "method": "shutdown", "params": null }));
    loop {
        let message = client.receive();
        if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == services_uri
        {
            last = Some(message["params"]["diagnostics"].clone());
        }
        if message["id"] == json!(999_999) {
            break;
        }
    }
    client.notify("exit", Value::Null);
    assert!(client.child.wait().unwrap().success());

    // What a fresh check of the final texts says about the file.
    std::fs::write(&services, &text).unwrap();
    let state = archc_lsp::state::State::new(Some(dir.path()), archc::date::Date::today_utc());
    let fresh = archc_lsp::server::diagnostics_by_file(&state);
    let expected = serde_json::to_value(&fresh[&services.to_string_lossy().into_owned()]).unwrap();
    assert_ne!(expected, json!([]), "the edits should have broken the file");
    assert_eq!(last.unwrap_or_else(|| json!([])), expected);
}
