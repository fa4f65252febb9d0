//! The stdio transport in front of tower-lsp-server. It reads every frame itself, so a
//! malformed one — a missing or broken `Content-Length`, a body that is not JSON, a message that
//! is not JSON-RPC 2.0 — gets the error reply JSON-RPC prescribes (`-32700 Parse error`,
//! `-32600 Invalid Request`) and the server goes on with the next frame, instead of ending the
//! session without a word. Valid frames pass through unchanged; the server's replies and these
//! error replies are written whole, one at a time, so they never interleave.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::Mutex;

/// A body larger than this is refused (and skipped), not read into memory.
const LARGEST_BODY: usize = 64 * 1024 * 1024;

/// Serves `service` over `input` and `output`.
pub async fn serve<I, O>(
    input: I,
    output: O,
    service: tower_lsp_server::LspService<crate::server::Server>,
    socket: tower_lsp_server::ClientSocket,
) where
    I: tokio::io::AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let output = Arc::new(Mutex::new(output));
    let (to_server, server_input) = tokio::io::duplex(1 << 16);
    let (server_output, from_server) = tokio::io::duplex(1 << 16);
    let reader = tokio::spawn(forward_frames(
        BufReader::new(input),
        to_server,
        Arc::clone(&output),
    ));
    let writer = tokio::spawn(write_replies(BufReader::new(from_server), Arc::clone(&output)));
    tower_lsp_server::Server::new(server_input, server_output, socket)
        .serve(service)
        .await;
    reader.abort();
    let _ = writer.await;
}

/// One frame read from the client.
enum Frame {
    Message(Vec<u8>),
    /// What was wrong, and the request's id when it could be read.
    Malformed {
        code: i64,
        message: String,
        id: Value,
    },
    End,
}

/// Reads the headers and body of one frame (the framing only: the client's bodies are checked by
/// `validate`, the server's are passed on as they are). Headers end at an empty line;
/// `Content-Length` is found anywhere in a header line, so a frame that follows a broken one
/// is still found.
async fn read_frame(input: &mut (impl AsyncBufRead + Unpin)) -> Frame {
    let mut length: Option<Result<usize, String>> = None;
    let mut any_header = false;
    loop {
        let mut line = String::new();
        match input.read_line(&mut line).await {
            Ok(0) => return Frame::End,
            Ok(_) => {}
            Err(error) => {
                return Frame::Malformed {
                    code: -32700,
                    message: format!("Parse error: unreadable header ({error})"),
                    id: Value::Null,
                };
            }
        }
        let trimmed = line.trim_end_matches(['\r', '\n']);
        if trimmed.is_empty() {
            if any_header {
                break;
            }
            continue;
        }
        any_header = true;
        let lower = trimmed.to_ascii_lowercase();
        if let Some(at) = lower.find("content-length:") {
            let value = trimmed
                .get(at + "content-length:".len()..)
                .unwrap_or_default()
                .trim();
            length = Some(value.parse::<usize>().map_err(|_| value.to_owned()));
        }
    }
    let length = match length {
        Some(Ok(length)) if length <= LARGEST_BODY => length,
        Some(Ok(length)) => {
            let _ = tokio::io::copy(&mut input.take(length as u64), &mut tokio::io::sink()).await;
            return Frame::Malformed {
                code: -32700,
                message: format!("Parse error: a body of {length} bytes is more than the server reads"),
                id: Value::Null,
            };
        }
        Some(Err(value)) => {
            return Frame::Malformed {
                code: -32700,
                message: format!("Parse error: `Content-Length: {value}` is not a length"),
                id: Value::Null,
            };
        }
        None => {
            return Frame::Malformed {
                code: -32700,
                message: "Parse error: the frame has no Content-Length header".into(),
                id: Value::Null,
            };
        }
    };
    let mut body = vec![0; length];
    if input.read_exact(&mut body).await.is_err() {
        return Frame::End;
    }
    Frame::Message(body)
}

/// A client's frame as the server may see it: a JSON-RPC 2.0 message, or what was wrong with it.
fn validate(body: Vec<u8>) -> Frame {
    let message: Value = match serde_json::from_slice(&body) {
        Ok(message) => message,
        Err(error) => {
            return Frame::Malformed {
                code: -32700,
                message: format!("Parse error: {error}"),
                id: Value::Null,
            };
        }
    };
    let id = match message.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    if !message.is_object() || message.get("jsonrpc") != Some(&json!("2.0")) {
        return Frame::Malformed {
            code: -32600,
            message: "Invalid Request: a message is a JSON object with \"jsonrpc\": \"2.0\"".into(),
            id,
        };
    }
    Frame::Message(body)
}

/// Passes valid frames to the server; answers malformed ones itself.
async fn forward_frames<I, O>(mut input: I, mut server: tokio::io::DuplexStream, output: Arc<Mutex<O>>)
where
    I: AsyncBufRead + Unpin,
    O: AsyncWrite + Unpin,
{
    loop {
        let frame = match read_frame(&mut input).await {
            Frame::Message(body) => validate(body),
            other => other,
        };
        match frame {
            Frame::End => break,
            Frame::Message(body) => {
                let header = format!("Content-Length: {}\r\n\r\n", body.len());
                if server.write_all(header.as_bytes()).await.is_err()
                    || server.write_all(&body).await.is_err()
                {
                    break;
                }
            }
            Frame::Malformed { code, message, id } => {
                eprintln!("archc-lsp: {message}");
                let reply =
                    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } });
                write_frame(&output, reply.to_string().as_bytes()).await;
            }
        }
    }
    // The client is gone: let the server see the end of its input.
    let _ = server.shutdown().await;
}

/// Copies the server's frames to the client, each whole.
async fn write_replies<O: AsyncWrite + Unpin>(
    mut from_server: BufReader<tokio::io::DuplexStream>,
    output: Arc<Mutex<O>>,
) {
    loop {
        match read_frame(&mut from_server).await {
            Frame::Message(body) => write_frame(&output, &body).await,
            // The server's own frames are well formed; nothing to answer.
            Frame::Malformed { .. } => {}
            Frame::End => break,
        }
    }
}

async fn write_frame<O: AsyncWrite + Unpin>(output: &Mutex<O>, body: &[u8]) {
    let mut output = output.lock().await;
    let header = format!("Content-Length: {}\r\n\r\n", body.len());
    let _ = output.write_all(header.as_bytes()).await;
    let _ = output.write_all(body).await;
    let _ = output.flush().await;
}
