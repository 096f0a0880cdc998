//! The language server, driven in-process through a duplex stream (see
//! `lsp_client`), and once end to end over stdio with the built binary.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod lsp_client;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use lsp_client::{file_uri, TestClient};
use serde_json::{json, Value};

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    dir
}

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
