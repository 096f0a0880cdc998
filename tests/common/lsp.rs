//! Setting up the language server tests: a project folder with files, a
//! server started on it (in-process, through `lsp_client`), and positions
//! and answers as JSON. Included by each test crate that drives the server
//! (`#[path = "common/lsp.rs"] mod setup;`, next to `mod lsp_client;`).

#![allow(dead_code, reason = "each test crate uses part of it")]

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};

use crate::lsp_client::TestClient;

/// A temporary folder holding `files` (name, text; folders created).
pub fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    dir
}

/// A server initialized on a project of `files`, with the debounce given
/// and dynamic file watching offered or not: the folder (keep it alive),
/// its canonical path, the client.
pub async fn started_with(
    files: &[(&str, &str)],
    debounce: Duration,
    watch: bool,
) -> (tempfile::TempDir, PathBuf, TestClient) {
    let dir = project(files);
    let root = dir.path().canonicalize().unwrap();
    let mut client = TestClient::start(debounce);
    client.initialize(&root, watch).await;
    (dir, root, client)
}

/// [`started_with`] with no debounce and no file watching.
pub async fn started(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf, TestClient) {
    started_with(files, Duration::ZERO, false).await
}

/// The result of a request that must not fail.
pub async fn result(client: &mut TestClient, method: &str, params: Value) -> Value {
    let answer = client.request(method, params).await;
    assert!(answer.get("error").is_none(), "{method}: {answer}");
    answer["result"].clone()
}

/// The LSP position (UTF-16) of byte offset `at` of `text`.
pub fn position(text: &str, at: usize) -> Value {
    let before = &text[..at];
    let line = before.matches('\n').count();
    let col: usize = before
        .rsplit('\n')
        .next()
        .unwrap()
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({"line": line, "character": col})
}

/// The position of `$0` in `marked`, a piece of `text`.
pub fn pos(text: &str, marked: &str) -> Value {
    let i = marked.find("$0").unwrap();
    let needle = marked.replacen("$0", "", 1);
    let at = text
        .find(&needle)
        .unwrap_or_else(|| panic!("`{needle}` is not in the text"));
    position(text, at + i)
}

/// The range of the first `needle` of `text`.
pub fn range_of(text: &str, needle: &str) -> Value {
    let at = text.find(needle).unwrap();
    json!({"start": position(text, at), "end": position(text, at + needle.len())})
}

/// The parameters of a request at a position of a document.
pub fn at(uri: &str, position: Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": position})
}
