//! A small LSP client for tests and the latency benchmark: it runs the
//! server in-process on an in-memory duplex stream, frames messages,
//! answers the server's requests (registrations) with `null`, and hands
//! out responses and notifications.

#![allow(
    dead_code,
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failure panics"
)]

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

pub struct TestClient {
    out: mpsc::UnboundedSender<Value>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Messages received while waiting for something else.
    queue: VecDeque<Value>,
    next_id: i64,
    /// The server's requests seen (method names).
    pub server_requests: Vec<String>,
}

pub fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

impl TestClient {
    /// Start a server with this debounce.
    pub fn start(debounce: Duration) -> TestClient {
        let (client_io, server_io) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server_io);
        tokio::spawn(aclc::lsp::serve(
            server_read,
            server_write,
            aclc::lsp::ServerOptions { debounce },
        ));
        let (read, mut write) = tokio::io::split(client_io);
        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Value>();
        let (in_tx, in_rx) = mpsc::unbounded_channel::<Value>();
        tokio::spawn(async move {
            while let Some(msg) = out_rx.recv().await {
                let body = msg.to_string();
                let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
                if write.write_all(frame.as_bytes()).await.is_err() {
                    break;
                }
            }
        });
        let replies = out_tx.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            loop {
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                let Ok(msg) = serde_json::from_slice::<Value>(&body) else {
                    continue;
                };
                if msg.get("method").is_some() && msg.get("id").is_some() {
                    let _ =
                        replies.send(json!({"jsonrpc": "2.0", "id": msg["id"], "result": null}));
                }
                if in_tx.send(msg).is_err() {
                    return;
                }
            }
        });
        TestClient {
            out: out_tx,
            incoming: in_rx,
            queue: VecDeque::new(),
            next_id: 1,
            server_requests: Vec::new(),
        }
    }

    pub fn notify(&self, method: &str, params: Value) {
        let _ = self
            .out
            .send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    async fn receive(&mut self) -> Value {
        let msg = tokio::time::timeout(Duration::from_secs(60), self.incoming.recv())
            .await
            .expect("the server answers within a minute")
            .expect("the server is running");
        if msg.get("method").is_some() && msg.get("id").is_some() {
            self.server_requests
                .push(msg["method"].as_str().unwrap_or("").to_string());
        }
        msg
    }

    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let _ = self
            .out
            .send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let msg = self.receive().await;
            if msg.get("id") == Some(&json!(id)) && msg.get("method").is_none() {
                return msg;
            }
            self.queue.push_back(msg);
        }
    }

    /// `initialize` with `root` as the workspace folder, then `initialized`.
    pub async fn initialize(&mut self, root: &std::path::Path, watch: bool) -> Value {
        let uri = file_uri(root);
        let answer = self
            .request(
                "initialize",
                json!({
                    "processId": null,
                    "rootUri": uri,
                    "workspaceFolders": [{"uri": uri, "name": "ws"}],
                    "capabilities": {"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": watch}}}
                }),
            )
            .await;
        self.notify("initialized", json!({}));
        answer
    }

    /// The next notification with this method (others are kept).
    pub async fn notification(&mut self, method: &str) -> Value {
        if let Some(i) = self.queue.iter().position(|m| m["method"] == method) {
            return self.queue.remove(i).unwrap_or_default();
        }
        loop {
            let msg = self.receive().await;
            if msg["method"] == method && msg.get("id").is_none() {
                return msg;
            }
            self.queue.push_back(msg);
        }
    }

    /// The next `publishDiagnostics` for `uri` (others are kept).
    pub async fn diagnostics_for(&mut self, uri: &str) -> Value {
        let is = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.queue.iter().position(is) {
            return self.queue.remove(i).unwrap_or_default()["params"].clone();
        }
        loop {
            let msg = self.receive().await;
            if is(&msg) {
                return msg["params"].clone();
            }
            self.queue.push_back(msg);
        }
    }

    /// Every `publishDiagnostics` until none came for `quiet`: the last
    /// one per URI.
    pub async fn settle(&mut self, quiet: Duration) -> std::collections::BTreeMap<String, Value> {
        let mut last = std::collections::BTreeMap::new();
        for m in self.queue.drain(..) {
            if m["method"] == "textDocument/publishDiagnostics" {
                last.insert(
                    m["params"]["uri"].as_str().unwrap_or("").to_string(),
                    m["params"]["diagnostics"].clone(),
                );
            }
        }
        while let Ok(Some(m)) = tokio::time::timeout(quiet, self.incoming.recv()).await {
            if m["method"] == "textDocument/publishDiagnostics" {
                last.insert(
                    m["params"]["uri"].as_str().unwrap_or("").to_string(),
                    m["params"]["diagnostics"].clone(),
                );
            }
        }
        last
    }

    pub async fn shutdown(&mut self) {
        let answer = self.request("shutdown", Value::Null).await;
        assert_eq!(answer["result"], Value::Null, "{answer}");
        self.notify("exit", Value::Null);
    }
}
