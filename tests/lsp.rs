//! The language server, driven in-process through a duplex stream (see
//! `lsp_client`), and once end to end over stdio with the built binary.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod lsp_client;
#[path = "common/lsp.rs"]
mod setup;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lsp_client::{file_uri, TestClient};
use serde_json::{json, Value};
use setup::*;

/// One finding, as both sides can state it: file, code, severity, LSP
/// range (0-based, UTF-16), message, related messages.
type Finding = (String, String, String, [u64; 4], String, Vec<String>);

/// The UTF-16 column of a 1-based character column on a 1-based line.
fn utf16_col(text: &str, line: u64, column: u64) -> u64 {
    let l = text.split('\n').nth(line as usize - 1).unwrap_or("");
    l.chars()
        .take(column as usize - 1)
        .map(|c| c.len_utf16() as u64)
        .sum()
}

fn check_json_findings(dir: &Path) -> BTreeSet<Finding> {
    let out = Command::new(env!("CARGO_BIN_EXE_aclc"))
        .current_dir(dir)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let mut set = BTreeSet::new();
    for d in json["diagnostics"].as_array().unwrap() {
        let file = d["file"].as_str().unwrap().to_string();
        if file.starts_with('<') {
            continue; // the predefined library: no document in the editor
        }
        let text = std::fs::read_to_string(dir.join(&file)).unwrap();
        let n = |k: &str| d[k].as_u64().unwrap();
        let range = [
            n("line") - 1,
            utf16_col(&text, n("line"), n("column")),
            n("end_line") - 1,
            utf16_col(&text, n("end_line"), n("end_column")),
        ];
        let mut message = d["message"].as_str().unwrap().to_string();
        if let Some(help) = d["help"].as_str() {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let related = d["related"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["file"].as_str().unwrap().starts_with('<'))
            .map(|r| r["message"].as_str().unwrap().to_string())
            .collect();
        set.insert((
            file,
            d["code"].as_str().unwrap().to_string(),
            d["severity"].as_str().unwrap().to_string(),
            range,
            message,
            related,
        ));
    }
    set
}

fn lsp_findings(
    root: &Path,
    published: &std::collections::BTreeMap<String, Value>,
) -> BTreeSet<Finding> {
    let prefix = format!("{}/", file_uri(root));
    let mut set = BTreeSet::new();
    for (uri, diags) in published {
        let file = uri.strip_prefix(&prefix).unwrap_or(uri).to_string();
        for d in diags.as_array().unwrap() {
            let severity = match d["severity"].as_u64() {
                Some(1) => "error",
                Some(2) => "warning",
                _ => "info",
            };
            let r = &d["range"];
            let range = [
                r["start"]["line"].as_u64().unwrap(),
                r["start"]["character"].as_u64().unwrap(),
                r["end"]["line"].as_u64().unwrap(),
                r["end"]["character"].as_u64().unwrap(),
            ];
            let related = d["relatedInformation"]
                .as_array()
                .map(|rs| {
                    rs.iter()
                        .map(|r| r["message"].as_str().unwrap().to_string())
                        .collect()
                })
                .unwrap_or_default();
            set.insert((
                file.clone(),
                d["code"].as_str().unwrap().to_string(),
                severity.to_string(),
                range,
                d["message"].as_str().unwrap().to_string(),
                related,
            ));
        }
    }
    set
}

/// For every fixture folder: the diagnostics the server publishes on
/// start are exactly `aclc check --format json`'s for the same files.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_diagnostics_are_those_of_check() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut compared = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&fixtures).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for entry in entries {
        let src = entry.path();
        if !src.is_dir() {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(&src).unwrap().flatten() {
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
        if !dir.path().join("aclc.toml").exists() {
            std::fs::write(
                dir.path().join("aclc.toml"),
                "[policy]\npredefined = false\n",
            )
            .unwrap();
        }
        let root = dir.path().canonicalize().unwrap();
        let expected = check_json_findings(&root);
        let mut client = TestClient::start(Duration::ZERO);
        client.initialize(&root, false).await;
        let files: BTreeSet<&String> = expected.iter().map(|f| &f.0).collect();
        let mut published = std::collections::BTreeMap::new();
        for file in files {
            let uri = format!("{}/{file}", file_uri(&root));
            let params = client.diagnostics_for(&uri).await;
            published.insert(uri, params["diagnostics"].clone());
        }
        // Anything else published (there should be nothing).
        published.extend(client.settle(Duration::from_millis(300)).await);
        let got = lsp_findings(&root, &published);
        assert_eq!(got, expected, "fixture {}", src.display());
        compared += 1;
        client.shutdown().await;
    }
    assert!(compared > 20);
}

fn codes(params: &Value) -> Vec<String> {
    params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

const CONFIG: &str = "[policy]\npaths = [\"acl\"]\npredefined = false\n";

/// Buffers over files, incremental edits, tags and links, files created
/// and deleted outside the editor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_buffers_and_watched_files() {
    let (_dir, root, mut client) = started_with(
        &[
            ("aclc.toml", CONFIG),
            ("acl/a.acl", "component \"A\" {\n    allow read X.*\n}\n"),
            (
                "acl/user.acl",
                "access_level \"U\" for user {\n    include \"A\"\n}\n",
            ),
        ],
        Duration::from_millis(20),
        true,
    )
    .await;
    let a_uri = file_uri(&root.join("acl/a.acl"));

    // An unsaved buffer with a redundant rule.
    let text = "component \"A\" {\n    allow read X.*\n    allow read X.y\n}\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": a_uri, "languageId": "aclc", "version": 1, "text": text}}),
    );
    let params = client.diagnostics_for(&a_uri).await;
    assert_eq!(codes(&params), ["redundant-rule"]);
    assert_eq!(params["version"], 1);
    let d = &params["diagnostics"][0];
    assert_eq!(
        d["range"],
        json!({"start": {"line": 2, "character": 4}, "end": {"line": 2, "character": 18}})
    );
    assert_eq!(d["severity"], 2);
    assert_eq!(d["tags"], json!([1]));
    assert_eq!(d["source"], "aclc");
    assert!(d["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("docs/src/lints/redundant-rule.md"));
    assert_eq!(d["relatedInformation"][0]["location"]["uri"], a_uri);
    assert_eq!(
        d["relatedInformation"][0]["location"]["range"]["start"]["line"],
        1
    );
    assert!(client
        .server_requests
        .contains(&"client/registerCapability".to_string()));

    // An incremental edit deleting the redundant line clears it.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": a_uri, "version": 2},
               "contentChanges": [{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}, "text": ""}]}),
    );
    let params = client.diagnostics_for(&a_uri).await;
    assert_eq!(codes(&params), Vec::<String>::new());
    assert_eq!(params["version"], 2);

    // A file created on disk, outside the editor.
    let b = root.join("acl/b.acl");
    std::fs::write(
        &b,
        "access_level \"B\" for user {\n    include \"Nope\"\n}\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&b), "type": 1}]}),
    );
    let params = client.diagnostics_for(&file_uri(&b)).await;
    assert_eq!(codes(&params), ["unknown-include"]);
    // Changed on disk.
    std::fs::write(
        &b,
        "access_level \"B\" for user {\n    include \"A\", \"A\"\n}\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&b), "type": 2}]}),
    );
    let params = client.diagnostics_for(&file_uri(&b)).await;
    assert_eq!(codes(&params), ["duplicate-include"]);
    // Deleted: its findings go.
    std::fs::remove_file(&b).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&b), "type": 3}]}),
    );
    let params = client.diagnostics_for(&file_uri(&b)).await;
    assert_eq!(codes(&params), Vec::<String>::new());

    // aclc.toml changed: the lint set to off is gone after the reload.
    let text = "component \"A\" {\n    allow read X.*\n    allow read X.*\n}\n";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": a_uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(
        codes(&client.diagnostics_for(&a_uri).await),
        ["redundant-rule"]
    );
    std::fs::write(
        root.join("aclc.toml"),
        format!("{CONFIG}[lints]\nredundant-rule = \"off\"\n"),
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&root.join("aclc.toml")), "type": 2}]}),
    );
    // The buffer survives the reload (not the file on disk, which is clean).
    assert_eq!(
        codes(&client.diagnostics_for(&a_uri).await),
        Vec::<String>::new()
    );
    client.shutdown().await;
}

/// Many rapid edits: the last diagnostics published are those of the
/// last version, and older results are dropped rather than published late.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_edits_end_with_the_last_version() {
    let (_dir, root, mut client) = started_with(
        &[("aclc.toml", CONFIG), ("acl/a.acl", "component \"A\" {}\n")],
        Duration::from_millis(10),
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/a.acl"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 0, "text": "component \"A\" {}\n"}}),
    );
    for v in 1..=301 {
        // Odd versions have a redundant rule, even ones do not.
        let extra = if v % 2 == 1 {
            "    allow read X.*\n"
        } else {
            ""
        };
        let text = format!("component \"A\" {{\n    allow read X.*\n{extra}}}\n");
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": text}]}),
        );
    }
    // 301 is odd: the redundant rule is there in the end, and whatever
    // was published before, nothing contradicts it afterwards.
    let last = ["unused-component", "redundant-rule"];
    while codes(&client.diagnostics_for(&uri).await) != last {}
    let later = client.settle(Duration::from_millis(500)).await;
    if let Some(d) = later.get(&uri) {
        assert_eq!(codes(&json!({"diagnostics": d})), last);
    }
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 6}}),
        )
        .await;
    assert!(hover["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Decides some requests"));
    client.shutdown().await;
}

/// `$0` marks the cursor in a fixture text: the text without it and the
/// LSP position of the mark.
fn cursor(marked: &str) -> (String, Value) {
    let at = marked.find("$0").unwrap();
    (marked.replacen("$0", "", 1), position(marked, at))
}

const HOVER_POLICY: &str = r#"## Rate tables: read them.
object Rates { list, price }

## Read-only access to rate tables.
component "Rates read-only" {
    group "Tariffs"
    allow read Rates.*
    allow read Rates.list
}

access_level "Clerk" for user {
    hidden
    include "Rates read-only", "Rates read-only"
}

test "clerks read prices" {
    expect "Clerk" allow read Rates.price
}
"#;

async fn hover_at(client: &mut TestClient, uri: &str, marked: &str) -> String {
    let (_, pos) = cursor(marked);
    let answer = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        )
        .await;
    answer["result"]["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_tells_what_things_are_and_do() {
    let (_dir, root, mut client) = started_with(
        &[("aclc.toml", CONFIG), ("acl/p.acl", HOVER_POLICY)],
        Duration::ZERO,
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/p.acl"));
    client.diagnostics_for(&uri).await;
    let mark = |needle: &str, with: &str| HOVER_POLICY.replacen(needle, with, 1);

    let h = hover_at(
        &mut client,
        &uri,
        &mark("component \"Rates", "component \"Ra$0tes"),
    )
    .await;
    assert!(h.starts_with("**a component** `Rates read-only`"), "{h}");
    assert!(h.contains("Read-only access to rate tables."), "{h}");
    assert!(h.contains("group `Tariffs`"), "{h}");
    assert!(h.contains("Included by `Clerk`."), "{h}");
    assert!(h.contains("- `read Rates.*`"), "{h}");

    let h = hover_at(
        &mut client,
        &uri,
        &mark("access_level \"Clerk", "access_level \"Cl$0erk"),
    )
    .await;
    assert!(h.starts_with("**a user access level** `Clerk`"), "{h}");
    assert!(h.contains("hidden"), "{h}");
    assert!(h.contains("Included by no access level."), "{h}");

    // The second include of the same component: contributes nothing.
    let h = hover_at(
        &mut client,
        &uri,
        &mark("\"Rates read-only\"\n}", "\"Rates $0read-only\"\n}"),
    )
    .await;
    assert!(h.starts_with("include of `Rates read-only`"), "{h}");
    assert!(
        h.contains("Contributes nothing to `Clerk`: `Clerk` includes `Rates read-only` twice."),
        "{h}"
    );

    // The first include decides what the own permissions leave open.
    let h = hover_at(
        &mut client,
        &uri,
        &mark("include \"Rates", "include \"Ra$0tes"),
    )
    .await;
    assert!(
        h.starts_with(
            "include of `Rates read-only`\n\nDecides for `Clerk`, first:\n- allow `read Rates.*`\n"
        ),
        "{h}"
    );

    // A dead rule, and the rule that covers it.
    let h = hover_at(
        &mut client,
        &uri,
        &mark("allow read Rates.list", "al$0low read Rates.list"),
    )
    .await;
    assert!(h.contains("Never decides for `read`; covered by:"), "{h}");
    assert!(
        h.contains("- `allow read Rates.*` (acl/p.acl:7:5)")
            || h.contains("- `allow read Rates.*` ("),
        "{h}"
    );
    let h = hover_at(
        &mut client,
        &uri,
        &mark("allow read Rates.*", "al$0low read Rates.*"),
    )
    .await;
    assert!(h.contains("Decides some requests"), "{h}");

    // Objects and attributes: their catalog doc.
    let h = hover_at(
        &mut client,
        &uri,
        &mark("allow read Rates.list", "allow read Rat$0es.list"),
    )
    .await;
    assert!(
        h.starts_with("**object** `Rates`")
            && h.contains("Rate tables: read them.")
            && h.contains("`list`, `price`"),
        "{h}"
    );
    let h = hover_at(
        &mut client,
        &uri,
        &mark("allow read Rates.list", "allow read Rates.li$0st"),
    )
    .await;
    assert!(h.starts_with("**attribute** `Rates.list`"), "{h}");
    // In a test: the catalog doc too.
    let h = hover_at(&mut client, &uri, &mark("Rates.price", "Rates.pr$0ice")).await;
    assert!(
        h.starts_with("**attribute** `Rates.price`\n\nof `Rates`: Rate tables: read them."),
        "{h}"
    );
    client.shutdown().await;
}

/// Positions count UTF-16 code units: after an emoji (two units) and CJK
/// names (one unit each, three bytes).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn positions_are_utf16() {
    let text = "component \"😀 料金\" {}\naccess_level \"U\" for user {\n    include \"😀 料金\", \"不明\"\n}\n";
    let (_dir, root, mut client) = started_with(
        &[("aclc.toml", CONFIG), ("acl/u.acl", text)],
        Duration::ZERO,
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/u.acl"));
    let params = client.diagnostics_for(&uri).await;
    let d = params["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-include")
        .unwrap()
        .clone();
    // `    include "😀 料金", ` is 4 + 8 + 1 + 2 (emoji) + 1 + 2 + 1 + 2 = 21 units.
    assert_eq!(
        d["range"],
        json!({"start": {"line": 2, "character": 21}, "end": {"line": 2, "character": 25}})
    );
    // Hover on the include name after the emoji finds it.
    let (_, pos) = cursor(
        "component \"😀 料金\" {}\naccess_level \"U\" for user {\n    include \"😀 料$0金\"",
    );
    let answer = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        )
        .await;
    assert!(answer["result"]["contents"]["value"]
        .as_str()
        .unwrap()
        .starts_with("include of `😀 料金`"));
    // A position past the end of the document answers, with nothing.
    let answer = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 99, "character": 99}}),
        )
        .await;
    assert_eq!(answer["result"], Value::Null);
    client.shutdown().await;
}

/// The built binary over stdio: initialize, didOpen, didChange, every
/// request the server offers (each answer checked), a malformed message and
/// a request with invalid parameters (answered with errors, the server goes
/// on), shutdown, exit.
#[test]
fn end_to_end_over_stdio() {
    use std::io::{BufRead, BufReader, Read, Write};
    let b_text = "access_level \"U\" for user {\n    include \"A\"\n}\n";
    let dir = project(&[
        ("aclc.toml", CONFIG),
        ("acl/a.acl", "object X { y }\ncomponent \"A\" {}\n"),
        ("acl/b.acl", b_text),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let uri = file_uri(&root.join("acl/a.acl"));
    let b_uri = file_uri(&root.join("acl/b.acl"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_aclc"))
        .arg("lsp")
        .current_dir(&root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send_raw = move |body: &str| {
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut receive = || -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    };
    // Every message received, in order (notifications kept for later).
    let mut seen: Vec<Value> = Vec::new();
    let mut next_id = 0;
    let mut request = |send_raw: &mut dyn FnMut(&str),
                       receive: &mut dyn FnMut() -> Value,
                       seen: &mut Vec<Value>,
                       method: &str,
                       params: Value|
     -> Value {
        next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": next_id, "method": method, "params": params});
        send_raw(&msg.to_string());
        loop {
            let msg = receive();
            if msg["id"] == next_id && msg.get("method").is_none() {
                return msg;
            }
            seen.push(msg);
        }
    };
    let notify = |send_raw: &mut dyn FnMut(&str), method: &str, params: Value| {
        send_raw(&json!({"jsonrpc": "2.0", "method": method, "params": params}).to_string());
    };
    macro_rules! ask {
        ($method:expr, $params:expr) => {{
            let answer = request(&mut send_raw, &mut receive, &mut seen, $method, $params);
            assert!(answer.get("error").is_none(), "{}: {answer}", $method);
            answer["result"].clone()
        }};
    }
    macro_rules! diagnostics {
        ($uri:expr, $version:expr) => {{
            let found = seen.iter().position(|m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == $uri
                    && m["params"]["version"] == $version
            });
            match found {
                Some(i) => seen.remove(i),
                None => loop {
                    let msg = receive();
                    if msg["method"] == "textDocument/publishDiagnostics"
                        && msg["params"]["uri"] == $uri
                        && msg["params"]["version"] == $version
                    {
                        break msg;
                    }
                    seen.push(msg);
                },
            }
        }};
    }

    let result = ask!(
        "initialize",
        json!({"processId": null, "rootUri": file_uri(&root), "capabilities": {}})
    );
    assert_eq!(result["serverInfo"]["name"], "aclc");
    let caps = &result["capabilities"];
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "documentSymbolProvider",
        "workspaceSymbolProvider",
        "documentFormattingProvider",
        "documentRangeFormattingProvider",
        "inlayHintProvider",
    ] {
        assert_eq!(caps[provider], true, "{provider}");
    }
    assert_eq!(caps["renameProvider"]["prepareProvider"], true);
    assert_eq!(caps["foldingRangeProvider"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    assert_eq!(
        caps["completionProvider"]["triggerCharacters"],
        json!(["\"", "."])
    );
    assert_eq!(caps["semanticTokensProvider"]["full"], true);
    assert_eq!(
        caps["semanticTokensProvider"]["legend"]["tokenTypes"][0],
        "keyword"
    );
    assert_eq!(caps["codeLensProvider"]["resolveProvider"], false);
    notify(&mut send_raw, "initialized", json!({}));

    let text = "object X { y }\ncomponent \"A\" {\n    deny read X.*\n    deny read X.*\n}\n";
    notify(
        &mut send_raw,
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 7, "text": text}}),
    );
    let published = diagnostics!(uri.as_str(), 7);
    assert_eq!(codes(&published["params"]), ["redundant-rule"]);
    // An incremental edit: the second rule narrowed to `X.y`.
    notify(
        &mut send_raw,
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 8},
               "contentChanges": [{"range": {"start": {"line": 3, "character": 16}, "end": {"line": 3, "character": 17}}, "text": "y"}]}),
    );
    let text = "object X { y }\ncomponent \"A\" {\n    deny read X.*\n    deny read X.y\n}\n";
    let published = diagnostics!(uri.as_str(), 8);
    assert_eq!(codes(&published["params"]), ["redundant-rule"]);
    assert_eq!(
        published["params"]["diagnostics"][0]["range"]["end"]["character"],
        17
    );

    // A malformed message: answered with a parse error, nothing else.
    send_raw("{this is not json");
    let answer = loop {
        let msg = receive();
        if msg.get("error").is_some() && msg.get("method").is_none() {
            break msg;
        }
        seen.push(msg);
    };
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert_eq!(answer["id"], Value::Null);
    // JSON that is no JSON-RPC message: an invalid request, with its id.
    send_raw(r#"{"jsonrpc": "2.0", "id": 77}"#);
    let answer = loop {
        let msg = receive();
        if msg["id"] == 77 {
            break msg;
        }
        seen.push(msg);
    };
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    // Each is logged to the client too.
    let logged = loop {
        if let Some(i) = seen.iter().position(|m| m["method"] == "window/logMessage") {
            break seen.remove(i);
        }
        seen.push(receive());
    };
    assert!(logged["params"]["message"]
        .as_str()
        .unwrap()
        .starts_with("aclc lsp: malformed message: the message is not JSON"));
    // A request with invalid parameters: an error for it.
    let answer = request(
        &mut send_raw,
        &mut receive,
        &mut seen,
        "textDocument/hover",
        json!({"position": "nowhere"}),
    );
    assert_eq!(answer["error"]["code"], -32602, "{answer}");

    let doc = json!({"uri": uri});
    let on = |line: u32, character: u32| json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}});
    let hover = ask!("textDocument/hover", on(3, 5));
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("Never decides for `read`"));
    let definition = ask!(
        "textDocument/definition",
        json!({"textDocument": {"uri": b_uri}, "position": {"line": 1, "character": 14}})
    );
    assert_eq!(definition["uri"], uri);
    assert_eq!(
        definition["range"]["start"],
        json!({"line": 1, "character": 10})
    );
    let references = ask!(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 12},
               "context": {"includeDeclaration": true}})
    );
    assert_eq!(references.as_array().unwrap().len(), 2, "{references}");
    let prepared = ask!("textDocument/prepareRename", on(1, 12));
    assert_eq!(prepared["placeholder"], "A");
    let renamed = ask!(
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 12}, "newName": "B"})
    );
    assert_eq!(
        renamed["changes"][b_uri.as_str()][0]["newText"],
        "\"B\"",
        "{renamed}"
    );
    let symbols = ask!("textDocument/documentSymbol", json!({"textDocument": doc}));
    assert_eq!(symbols[1]["name"], "A");
    let symbols = ask!("workspace/symbol", json!({"query": "U"}));
    assert_eq!(symbols[0]["name"], "U");
    let completion = ask!("textDocument/completion", on(3, 14));
    assert_eq!(completion["items"][0]["label"], "X");
    let formatting = ask!(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}})
    );
    let expected_format = aclc::fmt::format(text).unwrap();
    if expected_format == text {
        assert_eq!(formatting, json!([]));
    } else {
        assert_eq!(formatting[0]["newText"], expected_format);
    }
    let formatting = ask!(
        "textDocument/rangeFormatting",
        json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true},
               "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 1}}})
    );
    assert!(formatting.is_array(), "{formatting}");
    let actions = ask!(
        "textDocument/codeAction",
        json!({"textDocument": doc, "context": {"diagnostics": []},
               "range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 0}}})
    );
    assert_eq!(
        actions[0]["title"],
        "remove the redundant rule `deny read X.y`"
    );
    let tokens = ask!(
        "textDocument/semanticTokens/full",
        json!({"textDocument": doc})
    );
    // `object` first: a keyword at 0:0, 6 long.
    assert_eq!(tokens["data"].as_array().unwrap()[..5], [0, 0, 6, 0, 0]);
    let folds = ask!("textDocument/foldingRange", json!({"textDocument": doc}));
    assert_eq!(folds[0]["startLine"], 1);
    assert_eq!(folds[0]["endLine"], 4);
    let lenses = ask!("textDocument/codeLens", json!({"textDocument": doc}));
    assert_eq!(lenses[0]["command"]["title"], "included by 1 access level");
    let hints = ask!(
        "textDocument/inlayHint",
        json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 5, "character": 0}}})
    );
    assert_eq!(
        hints[0]["label"],
        "never decides: decided by `deny read X.*` (line 3)"
    );

    let answer = request(
        &mut send_raw,
        &mut receive,
        &mut seen,
        "shutdown",
        Value::Null,
    );
    assert_eq!(answer["result"], Value::Null);
    notify(&mut send_raw, "exit", Value::Null);
    drop(send_raw);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
}

/// Code actions offer the fixes `aclc fix` applies, as workspace edits.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_offer_the_quick_fixes() {
    let text = "object Rates { list }\ncomponent \"R\" {\n    allow read Rates.*\n    allow read Rtes.list\n    allow read Rates.list\n}\naccess_level \"U\" for user {\n    include \"R\", \"R\"\n}\n";
    let (_dir, root, mut client) = started_with(
        &[("aclc.toml", CONFIG), ("acl/a.acl", text)],
        Duration::ZERO,
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/a.acl"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 1, "text": text}}),
    );
    client.diagnostics_for(&uri).await;
    let actions = |line: u32| {
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
               "context": {"diagnostics": []}})
    };
    let answer = client.request("textDocument/codeAction", actions(3)).await;
    let list = answer["result"].as_array().unwrap();
    // The safe fix (preferred), and the suppression.
    assert_eq!(list.len(), 2, "{answer}");
    assert_eq!(list[0]["title"], "replace with `Rates`");
    assert_eq!(list[0]["isPreferred"], true);
    assert_eq!(
        list[1]["title"],
        "suppress `unknown-object` here with an `aclc-ignore` comment"
    );
    assert_eq!(list[0]["kind"], "quickfix");
    assert_eq!(list[0]["diagnostics"][0]["code"], "unknown-object");
    assert_eq!(
        list[0]["edit"]["changes"][uri.as_str()],
        json!([{"range": {"start": {"line": 3, "character": 15}, "end": {"line": 3, "character": 19}}, "newText": "Rates"}])
    );
    let answer = client.request("textDocument/codeAction", actions(4)).await;
    assert_eq!(
        answer["result"][0]["title"],
        "remove the redundant rule `allow read Rates.list`"
    );
    assert_eq!(
        answer["result"][0]["edit"]["changes"][uri.as_str()],
        json!([{"range": {"start": {"line": 4, "character": 0}, "end": {"line": 5, "character": 0}}, "newText": ""}])
    );
    let answer = client.request("textDocument/codeAction", actions(7)).await;
    assert_eq!(
        answer["result"][0]["title"],
        "remove the second include of `R`"
    );
    assert_eq!(
        answer["result"][0]["edit"]["changes"][uri.as_str()],
        json!([{"range": {"start": {"line": 7, "character": 15}, "end": {"line": 7, "character": 20}}, "newText": ""}])
    );
    client.shutdown().await;
}

/// Go to definition on an include name: the declaration, in another file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definition_of_an_include() {
    let (_dir, root, mut client) = started_with(
        &[
            ("aclc.toml", CONFIG),
            (
                "acl/lib.acl",
                "object X { y }\n\ncomponent \"Lib\" {\n    allow read X.*\n}\n",
            ),
            // A duplicate include: a finding, so the file's diagnostics come.
            (
                "acl/user.acl",
                "access_level \"U\" for user {\n    include \"Lib\", \"Lib\"\n}\n",
            ),
        ],
        Duration::ZERO,
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/user.acl"));
    client.diagnostics_for(&uri).await;
    let (_, pos) = cursor("access_level \"U\" for user {\n    include \"L$0ib\"");
    let answer = client
        .request(
            "textDocument/definition",
            json!({"textDocument": {"uri": uri}, "position": pos}),
        )
        .await;
    assert_eq!(
        answer["result"],
        json!({"uri": file_uri(&root.join("acl/lib.acl")),
               "range": {"start": {"line": 2, "character": 10}, "end": {"line": 2, "character": 15}}})
    );
    client.shutdown().await;
}

/// Formatting a buffer is `aclc fmt` on its text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn formatting_is_aclc_fmt() {
    let (_dir, root, mut client) = started_with(
        &[("aclc.toml", CONFIG), ("acl/a.acl", "component \"A\" {}\n")],
        Duration::ZERO,
        false,
    )
    .await;
    let uri = file_uri(&root.join("acl/a.acl"));
    let text = "component \"A\"{\n  include \"B\"\n  allow read X.*}\ncomponent \"B\" {}\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 1, "text": text}}),
    );
    let answer = client
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .await;
    assert_eq!(
        answer["result"],
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 4, "character": 0}},
                "newText": aclc::fmt::format(text).unwrap()}])
    );
    client.shutdown().await;
}
