//! The language server's editing features, driven in-process (see
//! `lsp_client`): definition and references of every kind of name (the
//! predefined library too), rename, symbols, completion, range
//! formatting, semantic tokens, folding, code lens, inlay hints, the code
//! actions that need a human choice, and robustness (positions outside the
//! document, a file deleted while open, 10,000 rapid edits).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

mod lsp_client;
#[path = "common/lsp.rs"]
mod setup;

use std::time::Duration;

use lsp_client::{file_uri, TestClient};
use serde_json::{json, Value};
use setup::*;

const CONFIG: &str = "[policy]\npaths = [\"acl\"]\npredefined = false\n";

const LIB: &str = r#"## Rate tables.
object Rates { list, price }
reseller "ACME"

## Read rates.
component "Rates read" {
    allow read Rates.*
    allow read Rates.list
}
"#;

const USER: &str = r#"access_level "Clerk" for customer {
    visible_to "ACME"
    include "Rates read"
    deny read Rates.price
}

default customer = "Clerk"

guard "clerks change no rate" {
    for "Clerk"
    deny update Rates.*
}

test "clerks read lists" {
    expect "Clerk" allow read Rates.list
}
"#;

/// (uri, range) of each location, sorted.
fn locations(v: &Value) -> Vec<(String, Value)> {
    let out: Vec<(String, Value)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["uri"].as_str().unwrap().to_string(), l["range"].clone()))
        .collect();
    sorted(out)
}

fn sorted(mut v: Vec<(String, Value)>) -> Vec<(String, Value)> {
    v.sort_by_key(|(u, r)| {
        let n = |k: &str| r["start"][k].as_u64().unwrap();
        (u.clone(), n("line"), n("character"))
    });
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn definitions_and_references_of_every_kind_of_name() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
    ])
    .await;
    let lib = file_uri(&root.join("acl/lib.acl"));
    let user = file_uri(&root.join("acl/user.acl"));
    let refs = |uri: &str, p: Value, decl: bool| json!({"textDocument": {"uri": uri}, "position": p, "context": {"includeDeclaration": decl}});

    // An access level: declared once, named by a default, a guard, a test.
    let clerk_decl = (user.clone(), range_of(USER, "\"Clerk\""));
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&user, pos(USER, "= \"Cl$0erk\""), true),
    )
    .await;
    let lines: Vec<u64> = locations(&got)
        .iter()
        .map(|(_, r)| r["start"]["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [0, 6, 9, 14], "{got}");
    // Without the declaration.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&user, pos(USER, "for \"Cl$0erk\""), false),
    )
    .await;
    assert_eq!(locations(&got).len(), 3, "{got}");
    // Definition from the guard, the test and the default.
    for marked in ["for \"Cl$0erk\"", "expect \"Cl$0erk\"", "= \"Cl$0erk\""] {
        let got = result(
            &mut client,
            "textDocument/definition",
            at(&user, pos(USER, marked)),
        )
        .await;
        assert_eq!(
            (
                got["uri"].as_str().unwrap().to_string(),
                got["range"].clone()
            ),
            clerk_decl,
            "{marked}"
        );
    }

    // A component: its declaration and its include, across files.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&lib, pos(LIB, "component \"Rat$0es read\""), true),
    )
    .await;
    assert_eq!(
        locations(&got),
        sorted(vec![
            (lib.clone(), range_of(LIB, "\"Rates read\"")),
            (user.clone(), range_of(USER, "\"Rates read\"")),
        ])
    );

    // A reseller: declared, named by `visible_to`.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&user, pos(USER, "\"AC$0ME\""), true),
    )
    .await;
    assert_eq!(
        locations(&got),
        sorted(vec![
            (lib.clone(), range_of(LIB, "\"ACME\"")),
            (user.clone(), range_of(USER, "\"ACME\"")),
        ])
    );
    let got = result(
        &mut client,
        "textDocument/definition",
        at(&user, pos(USER, "\"AC$0ME\"")),
    )
    .await;
    assert_eq!(got["range"], range_of(LIB, "\"ACME\""));

    // An attribute: its declaration, a rule, a test expectation.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&user, pos(USER, "Rates.li$0st"), true),
    )
    .await;
    let found = locations(&got);
    assert_eq!(found.len(), 3, "{got}");
    assert!(found.contains(&(lib.clone(), range_of(LIB, "list"))));
    let got = result(
        &mut client,
        "textDocument/definition",
        at(&user, pos(USER, "Rates.li$0st")),
    )
    .await;
    assert_eq!(got["uri"], lib);
    assert_eq!(got["range"], range_of(LIB, "list"));

    // An object: every rule, guard and test naming it.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&lib, pos(LIB, "object Ra$0tes"), true),
    )
    .await;
    assert_eq!(locations(&got).len(), 6, "{got}");

    // Hover on names the structure does not cover: a default's target,
    // a reseller.
    let got = result(
        &mut client,
        "textDocument/hover",
        at(&user, pos(USER, "= \"Cl$0erk\"")),
    )
    .await;
    let text = got["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**a customer access level** `Clerk`"),
        "{text}"
    );
    assert!(text.contains("Effective permissions"), "{text}");
    assert!(
        text.contains("Default for `customer` in all environments."),
        "{text}"
    );
    assert!(
        text.contains("Checked by 1 test(s) and 1 guard(s)."),
        "{text}"
    );
    let got = result(
        &mut client,
        "textDocument/hover",
        at(&lib, pos(LIB, "\"AC$0ME\"")),
    )
    .await;
    assert_eq!(
        got["contents"]["value"],
        "**reseller** `ACME`\n\nSees `Clerk`."
    );

    // Nothing under the cursor: no answer, no error.
    let got = result(
        &mut client,
        "textDocument/references",
        refs(&user, json!({"line": 5, "character": 0}), true),
    )
    .await;
    assert_eq!(got, json!([]));
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_predefined_library_is_shown_read_only() {
    let text = "access_level \"Clerk\" for user {\n    include \"Rates read-only\"\n}\n";
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", "[policy]\npaths = [\"acl\"]\n"),
        ("acl/a.acl", text),
    ])
    .await;
    let uri = file_uri(&root.join("acl/a.acl"));
    let got = result(
        &mut client,
        "textDocument/definition",
        at(&uri, pos(text, "\"Rates$0 read-only\"")),
    )
    .await;
    let target = got["uri"].as_str().unwrap().to_string();
    let path = std::path::PathBuf::from(target.strip_prefix("file://").unwrap());
    assert!(path.ends_with("components.acl"), "{target}");
    let copy = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        copy,
        std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("policies/predefined/components.acl")
        )
        .unwrap()
    );
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
    assert_eq!(got["range"], range_of(&copy, "\"Rates read-only\""));

    // References include the declaration in the library.
    let got = result(
        &mut client,
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(text, "\"Rat$0es read-only\""),
               "context": {"includeDeclaration": true}}),
    )
    .await;
    let uris: Vec<String> = locations(&got).into_iter().map(|(u, _)| u).collect();
    assert!(uris.contains(&target) && uris.contains(&uri), "{got}");

    // Asked about from the copy, the server answers as for the library.
    let got = result(
        &mut client,
        "textDocument/hover",
        at(&target, pos(&copy, "component \"Rates re$0ad-only\"")),
    )
    .await;
    let hover = got["contents"]["value"].as_str().unwrap();
    assert!(
        hover.starts_with("**a component** `Rates read-only` (predefined)"),
        "{hover}"
    );
    assert!(hover.contains("`Clerk`"), "{hover}");

    // A predefined name is not renamed.
    for method in ["textDocument/prepareRename", "textDocument/rename"] {
        let answer = client
            .request(
                method,
                json!({"textDocument": {"uri": uri}, "position": pos(text, "\"Rat$0es read-only\""),
                       "newName": "Mine"}),
            )
            .await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("`Rates read-only` is predefined")
                && message.contains("cannot be renamed"),
            "{method}: {answer}"
        );
    }
    client.shutdown().await;
}

/// Apply LSP text edits (sorted, not overlapping) to a text.
fn apply(text: &str, edits: &Value) -> String {
    let lines: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start = lines[line];
        let mut units = p["character"].as_u64().unwrap() as usize;
        let mut at = start;
        for c in text[start..].chars() {
            if units == 0 || c == '\n' {
                break;
            }
            units -= c.len_utf16();
            at += c.len_utf8();
        }
        at
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    let mut out = text.to_string();
    for (s, e, new) in edits {
        out.replace_range(s..e, &new);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_across_files() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
    ])
    .await;
    let lib = file_uri(&root.join("acl/lib.acl"));
    let user = file_uri(&root.join("acl/user.acl"));
    let got = result(
        &mut client,
        "textDocument/prepareRename",
        at(&user, pos(USER, "\"Rates $0read\"")),
    )
    .await;
    assert_eq!(got["placeholder"], "Rates read");
    assert_eq!(got["range"], range_of(USER, "Rates read"));

    let got = result(
        &mut client,
        "textDocument/rename",
        json!({"textDocument": {"uri": user}, "position": pos(USER, "\"Rates $0read\""),
               "newName": "Rates \"reader\""}),
    )
    .await;
    let changes = &got["changes"];
    assert_eq!(
        apply(LIB, &changes[lib.as_str()]),
        LIB.replace("\"Rates read\"", "\"Rates \\\"reader\\\"\"")
    );
    assert_eq!(
        apply(USER, &changes[user.as_str()]),
        USER.replace("\"Rates read\"", "\"Rates \\\"reader\\\"\"")
    );

    // An object: every `Rates.` in both files.
    let got = result(
        &mut client,
        "textDocument/rename",
        json!({"textDocument": {"uri": lib}, "position": pos(LIB, "object Ra$0tes"), "newName": "Tariffs"}),
    )
    .await;
    assert_eq!(
        apply(USER, &got["changes"][user.as_str()]),
        USER.replace("Rates.", "Tariffs.")
    );
    assert_eq!(
        apply(LIB, &got["changes"][lib.as_str()]),
        LIB.replace("Rates.", "Tariffs.")
            .replace("object Rates", "object Tariffs")
    );

    // Refused: a name taken, a name that cannot be written, nothing declared.
    for (uri, p, new, expected) in [
        (
            &user,
            pos(USER, "\"Rates $0read\""),
            "Clerk",
            "`Clerk` is declared already",
        ),
        (
            &lib,
            pos(LIB, "object Ra$0tes"),
            "Two words",
            "cannot name an object",
        ),
    ] {
        let answer = client
            .request(
                "textDocument/rename",
                json!({"textDocument": {"uri": uri}, "position": p, "newName": new}),
            )
            .await;
        let message = answer["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expected), "{answer}");
    }
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_and_workspace_symbols() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
    ])
    .await;
    let user = file_uri(&root.join("acl/user.acl"));
    let got = result(
        &mut client,
        "textDocument/documentSymbol",
        json!({"textDocument": {"uri": user}}),
    )
    .await;
    let names: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Clerk",
            "default customer",
            "clerks change no rate",
            "clerks read lists"
        ]
    );
    let clerk = &got[0];
    assert_eq!(clerk["detail"], "customer");
    assert_eq!(clerk["selectionRange"], range_of(USER, "\"Clerk\""));
    let children: Vec<&str> = clerk["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["include Rates read", "deny read Rates.price"]);

    let got = result(&mut client, "workspace/symbol", json!({"query": "rate"})).await;
    let found: Vec<(String, String)> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["containerName"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("Rates".to_string(), "object".to_string()),
            ("Rates read".to_string(), "component".to_string()),
            ("clerks change no rate".to_string(), "guard".to_string()),
        ]
    );
    client.shutdown().await;
}

async fn labels(client: &mut TestClient, uri: &str, version: i32, marked: &str) -> Vec<String> {
    let i = marked.find("$0").unwrap();
    let text = marked.replacen("$0", "", 1);
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
    let got = result(
        client,
        "textDocument/completion",
        at(uri, position(&text, i)),
    )
    .await;
    let mut labels: Vec<String> = got["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap().to_string())
        .collect();
    labels.sort();
    labels
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_knows_the_context() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
        ("acl/new.acl", ""),
    ])
    .await;
    let uri = file_uri(&root.join("acl/new.acl"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 0, "text": ""}}),
    );
    let mut v = 0;
    let mut ask = |marked: &'static str| {
        v += 1;
        (v, marked)
    };
    let cases: Vec<(i32, &str, Vec<&str>)> = vec![
        {
            let (v, m) = ask("$0");
            (
                v,
                m,
                vec![
                    "access_level",
                    "component",
                    "default",
                    "environment",
                    "guard",
                    "object",
                    "reseller",
                    "test",
                ],
            )
        },
        {
            let (v, m) = ask("access_level \"X\" for $0");
            (
                v,
                m,
                vec![
                    "account",
                    "cc_staff",
                    "customer",
                    "distributor",
                    "representative",
                    "reseller",
                    "user",
                    "vendor",
                ],
            )
        },
        {
            let (v, m) = ask("component \"X\" {\n    h$0\n}\n");
            (v, m, vec!["hidden"])
        },
        {
            let (v, m) = ask("component \"X\" {\n    allow $0\n}\n");
            (v, m, vec!["all", "delete", "insert", "read", "update"])
        },
        {
            let (v, m) = ask("component \"X\" {\n    allow read, u$0\n}\n");
            (v, m, vec!["update"])
        },
        {
            let (v, m) = ask("component \"X\" {\n    allow read R$0\n}\n");
            (v, m, vec!["Rates"])
        },
        {
            let (v, m) = ask("component \"X\" {\n    allow read Rates.$0\n}\n");
            (v, m, vec!["list", "price"])
        },
        {
            let (v, m) = ask("component \"X\" {\n    include \"$0\n}\n");
            // A component includes components only.
            (v, m, vec!["Rates read"])
        },
        {
            let (v, m) =
                ask("access_level \"X\" for customer {\n    include \"Rates read\", \"$0\n}\n");
            (v, m, vec!["Clerk", "Rates read"])
        },
        {
            let (v, m) = ask("access_level \"X\" for customer {\n    visible_to \"$0\"\n}\n");
            (v, m, vec!["ACME"])
        },
        {
            let (v, m) = ask("default customer = \"$0");
            (v, m, vec!["Clerk"])
        },
        {
            let (v, m) = ask("test \"t\" {\n    expect \"Cl$0\n}\n");
            (v, m, vec!["Clerk"])
        },
        {
            let (v, m) = ask("test \"t\" {\n    $0\n}\n");
            (v, m, vec!["expect"])
        },
        {
            let (v, m) = ask("# allow $0");
            (v, m, vec![])
        },
    ];
    for (version, marked, expected) in cases {
        let got = labels(&mut client, &uri, version, marked).await;
        assert_eq!(got, expected, "{marked}");
    }
    // Inside an open quote, the name is written escaped and closed.
    let text = "component \"X\" {\n    include \"Ra\n}\n";
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 99}, "contentChanges": [{"text": text}]}),
    );
    let got = result(
        &mut client,
        "textDocument/completion",
        at(&uri, pos(text, "\"Ra$0\n")),
    )
    .await;
    assert_eq!(
        got["items"][0]["textEdit"],
        json!({"range": {"start": {"line": 1, "character": 13}, "end": {"line": 1, "character": 15}},
               "newText": "Rates read\""})
    );
    client.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn range_formatting_formats_the_declarations_touched() {
    let text = "component \"A\"{\n  allow read X.*}\n\ncomponent \"B\"{ include \"A\"\n  allow read Y.* }\n";
    let (_dir, root, mut client) = started(&[("aclc.toml", CONFIG), ("acl/a.acl", text)]).await;
    let uri = file_uri(&root.join("acl/a.acl"));
    let got = result(
        &mut client,
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 4, "character": 2}, "end": {"line": 4, "character": 3}},
               "options": {"tabSize": 4, "insertSpaces": true}}),
    )
    .await;
    let formatted = aclc::fmt::format(text).unwrap();
    let b = &formatted[formatted.find("component \"B\"").unwrap()..];
    assert_eq!(
        got,
        json!([{"range": {"start": {"line": 3, "character": 0}, "end": {"line": 5, "character": 0}},
                "newText": b}])
    );
    // The first block is left as it is; the whole file is `aclc fmt`'s.
    let after = apply(text, &got);
    assert!(after.starts_with("component \"A\"{\n  allow read X.*}\n"));
    let got = result(
        &mut client,
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    )
    .await;
    assert_eq!(apply(text, &got), formatted);
    // Whole-document formatting covers what lies outside declarations too.
    let padded = "# top\n\n\n\ncomponent \"A\" {}\n\n\n";
    assert_ne!(aclc::fmt::format(padded).unwrap(), padded);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 1, "text": padded}}),
    );
    let got = result(
        &mut client,
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    )
    .await;
    assert_eq!(apply(padded, &got), aclc::fmt::format(padded).unwrap());
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    // A range touching no declaration: nothing to do.
    let got = result(
        &mut client,
        "textDocument/rangeFormatting",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}},
               "options": {"tabSize": 4, "insertSpaces": true}}),
    )
    .await;
    assert_eq!(got, json!([]));
    client.shutdown().await;
}

/// Decode semantic tokens: (line, column, length, type index, modifiers).
fn decode(data: &Value) -> Vec<[u64; 5]> {
    let raw: Vec<u64> = data
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect();
    let (mut line, mut col) = (0, 0);
    raw.chunks(5)
        .map(|t| {
            if t[0] > 0 {
                line += t[0];
                col = t[1];
            } else {
                col += t[1];
            }
            [line, col, t[2], t[3], t[4]]
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_folds_lenses_and_hints() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
    ])
    .await;
    let lib = file_uri(&root.join("acl/lib.acl"));
    let user = file_uri(&root.join("acl/user.acl"));
    let init = client
        .request(
            "textDocument/hover",
            at(&lib, json!({"line": 0, "character": 0})),
        )
        .await;
    assert!(init.get("error").is_none());

    let got = result(
        &mut client,
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": lib}}),
    )
    .await;
    let tokens = decode(&got["data"]);
    // Legend: keyword 0, type 1, class 2, enumMember 3, modifier 4,
    // struct 5, property 6, string 7, comment 8, enum 9, function 10;
    // modifiers: declaration 1, documentation 2.
    for expected in [
        [0, 0, 15, 8, 2],  // ## Rate tables.
        [1, 0, 6, 0, 0],   // object
        [1, 7, 5, 5, 1],   // Rates (declared)
        [1, 15, 4, 6, 1],  // list
        [2, 9, 6, 9, 1],   // "ACME"
        [5, 0, 9, 0, 0],   // component
        [5, 10, 12, 2, 1], // "Rates read"
        [6, 4, 5, 4, 0],   // allow
        [6, 10, 4, 3, 0],  // read
        [6, 15, 5, 5, 0],  // Rates
        [7, 21, 4, 6, 0],  // list
    ] {
        assert!(tokens.contains(&expected), "{expected:?} in {tokens:?}");
    }

    let got = result(
        &mut client,
        "textDocument/foldingRange",
        json!({"textDocument": {"uri": user}}),
    )
    .await;
    let folds: Vec<(u64, u64)> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["startLine"].as_u64().unwrap(),
                f["endLine"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(folds, [(0, 4), (8, 11), (13, 15)]);

    let got = result(
        &mut client,
        "textDocument/codeLens",
        json!({"textDocument": {"uri": lib}}),
    )
    .await;
    let titles: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["included by 1 access level", "0 tests"]);
    let got = result(
        &mut client,
        "textDocument/codeLens",
        json!({"textDocument": {"uri": user}}),
    )
    .await;
    let titles: Vec<&str> = got
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["included by 0 access levels", "1 test"]);
    assert_eq!(got[0]["range"]["start"], json!({"line": 0, "character": 0}));

    let got = result(
        &mut client,
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": lib}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 9, "character": 0}}}),
    )
    .await;
    assert_eq!(got.as_array().unwrap().len(), 1, "{got}");
    assert_eq!(got[0]["position"], json!({"line": 7, "character": 25}));
    assert_eq!(
        got[0]["label"],
        "never decides: decided by `allow read Rates.*` (line 7)"
    );
    client.shutdown().await;
}

fn titles(actions: &Value) -> Vec<String> {
    actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect()
}

const ACTIONS: &str = r#"object X { a, b }

component "A" {
    allow read X.*
}

component "D" {
    deny read X.a
}

component "S" {
    deny read X.*
    allow read X.b
}

access_level "L" for user {
    include "A", "D"
    allow update X.*
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn code_actions_that_need_a_choice() {
    let (_dir, root, mut client) = started(&[("aclc.toml", CONFIG), ("acl/a.acl", ACTIONS)]).await;
    let uri = file_uri(&root.join("acl/a.acl"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 1, "text": ACTIONS}}),
    );
    let published = client.diagnostics_for(&uri).await;
    let actions = |line: u64| {
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
               "context": {"diagnostics": []}})
    };
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"contradiction") && codes.contains(&"shadowed-rule"),
        "{codes:?}"
    );

    // The shadowed rule: remove it, or suppress the finding.
    let got = result(&mut client, "textDocument/codeAction", actions(12)).await;
    assert_eq!(
        titles(&got),
        [
            "remove the shadowed rule `allow read X.b`",
            "suppress `shadowed-rule` here with an `aclc-ignore` comment"
        ]
    );
    let edit = &got[0]["edit"]["changes"][uri.as_str()];
    assert_eq!(
        apply(ACTIONS, edit),
        ACTIONS.replace("    allow read X.b\n", "")
    );
    assert!(got[0].get("isPreferred").is_none());
    let edit = &got[1]["edit"]["changes"][uri.as_str()];
    assert_eq!(
        apply(ACTIONS, edit),
        ACTIONS.replace(
            "    allow read X.b\n",
            "    # aclc-ignore shadowed-rule REASON: say why this is intended\n    allow read X.b\n"
        )
    );

    // On the include line: the include above an own permission, moved
    // below (a safe fix, also `aclc fix`'s), and the contradiction: state
    // the decision that stands, or the other one.
    let got = result(&mut client, "textDocument/codeAction", actions(16)).await;
    let find = |start: &str| {
        got.as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"].as_str().unwrap().starts_with(start))
            .unwrap_or_else(|| panic!("`{start}` in {:?}", titles(&got)))
            .clone()
    };
    let moving = find("move the includes of `L` below its own permissions");
    assert_eq!(moving["isPreferred"], true);
    let moved = apply(ACTIONS, &moving["edit"]["changes"][uri.as_str()]);
    assert!(
        moved.ends_with("    allow update X.*\n    include \"A\", \"D\"\n}\n"),
        "{moved}"
    );
    find("suppress `include-before-permission` here");
    find("suppress `contradiction` here");
    find("let `D` decide: add its decision as own permissions (1 rule(s))");
    let keep = find("keep the current decision: add it as own permissions (1 rule(s))");
    assert!(keep.get("isPreferred").is_none());
    let settled = apply(ACTIONS, &keep["edit"]["changes"][uri.as_str()]);
    assert!(
        settled.ends_with("    allow update X.*\n    allow read X.a\n}\n"),
        "{settled}"
    );
    // Applied, the contradiction is gone (and no decision changed: the
    // added rule states what `A` decided first).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": settled}]}),
    );
    let published = client.diagnostics_for(&uri).await;
    assert!(
        published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] != "contradiction"),
        "{published}"
    );
    client.shutdown().await;
}

/// The include-before-permission fix, as `aclc fix` applies it: the finding
/// goes, every decision stays.
#[test]
fn moving_includes_changes_no_decision() {
    use aclc::analysis::{analyze, Options};
    use aclc::diagnostic::{apply_edits, compatible_fixes};
    use aclc::source::{Origin, SourceMap};
    let analyzed = |text: &str| {
        let mut sources = SourceMap::new();
        sources.add("p.acl", text, Origin::User);
        analyze(sources, &Options::default())
    };
    let before = analyzed(ACTIONS);
    let fixes: Vec<_> = before
        .diagnostics
        .iter()
        .filter(|d| d.code == "include-before-permission")
        .flat_map(|d| d.fixes.iter())
        .collect();
    assert!(!fixes.is_empty());
    let (_, edits) = compatible_fixes(&fixes);
    let text = apply_edits(ACTIONS, &edits).unwrap();
    let after = analyzed(&text);
    assert!(after
        .diagnostics
        .iter()
        .all(|d| d.code != "include-before-permission"));
    for acl in &before.model.acls {
        let other = after.model.lookup(&acl.name).unwrap();
        for access in aclc::syntax::ast::Access::ALL {
            for o in ["X", "Y"] {
                for a in ["a", "b", "c"] {
                    assert_eq!(
                        before.model.decide(acl.id, access, o, a).effect,
                        after.model.decide(other, access, o, a).effect,
                        "{} {access} {o}.{a}",
                        acl.name
                    );
                }
            }
        }
    }
}

/// Names with an emoji and CJK characters: UTF-16 positions in references,
/// rename and semantic tokens.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_positions_in_every_answer() {
    let text =
        "component \"😀 料金\" {}\naccess_level \"U\" for user {\n    include \"😀 料金\"\n}\n";
    let (_dir, root, mut client) = started(&[("aclc.toml", CONFIG), ("acl/u.acl", text)]).await;
    let uri = file_uri(&root.join("acl/u.acl"));
    let got = result(
        &mut client,
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": pos(text, "include \"😀 料$0金\""),
               "context": {"includeDeclaration": true}}),
    )
    .await;
    // `"😀 料金"` is 1 + 2 + 1 + 2 + 1 = 7 UTF-16 units.
    assert_eq!(
        locations(&got),
        vec![
            (
                uri.clone(),
                json!({"start": {"line": 0, "character": 10}, "end": {"line": 0, "character": 17}})
            ),
            (
                uri.clone(),
                json!({"start": {"line": 2, "character": 12}, "end": {"line": 2, "character": 19}})
            ),
        ]
    );
    let got = result(
        &mut client,
        "textDocument/rename",
        json!({"textDocument": {"uri": uri}, "position": pos(text, "component \"😀$0"), "newName": "料金 🚀"}),
    )
    .await;
    assert_eq!(
        apply(text, &got["changes"][uri.as_str()]),
        text.replace("😀 料金", "料金 🚀")
    );
    let got = result(
        &mut client,
        "textDocument/semanticTokens/full",
        json!({"textDocument": {"uri": uri}}),
    )
    .await;
    let tokens = decode(&got["data"]);
    assert!(tokens.contains(&[2, 12, 7, 2, 0]), "{tokens:?}");
    client.shutdown().await;
}

/// Requests at positions outside the document, about a document the
/// server does not know, and about a file deleted while open: answered,
/// and the server goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_requests_are_answered() {
    let (_dir, root, mut client) = started(&[
        ("aclc.toml", CONFIG),
        ("acl/lib.acl", LIB),
        ("acl/user.acl", USER),
    ])
    .await;
    let user_path = root.join("acl/user.acl");
    let user = file_uri(&user_path);
    let unknown = file_uri(&root.join("acl/none.acl"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": user, "languageId": "aclc", "version": 1, "text": USER}}),
    );
    // Deleted on disk while open: the buffer stands.
    std::fs::remove_file(&user_path).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": user, "type": 3}]}),
    );
    let far = json!({"line": 1000, "character": 1000});
    let wide = json!({"start": {"line": 0, "character": 0}, "end": {"line": 5000, "character": 9}});
    for uri in [&user, &unknown] {
        for (method, params) in [
            ("textDocument/hover", at(uri, far.clone())),
            ("textDocument/definition", at(uri, far.clone())),
            (
                "textDocument/references",
                json!({"textDocument": {"uri": uri}, "position": far, "context": {"includeDeclaration": true}}),
            ),
            ("textDocument/prepareRename", at(uri, far.clone())),
            (
                "textDocument/rename",
                json!({"textDocument": {"uri": uri}, "position": far, "newName": "Z"}),
            ),
            ("textDocument/completion", at(uri, far.clone())),
            (
                "textDocument/documentSymbol",
                json!({"textDocument": {"uri": uri}}),
            ),
            (
                "textDocument/semanticTokens/full",
                json!({"textDocument": {"uri": uri}}),
            ),
            (
                "textDocument/foldingRange",
                json!({"textDocument": {"uri": uri}}),
            ),
            (
                "textDocument/codeLens",
                json!({"textDocument": {"uri": uri}}),
            ),
            (
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": uri}, "range": wide}),
            ),
            (
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": wide, "context": {"diagnostics": []}}),
            ),
            (
                "textDocument/rangeFormatting",
                json!({"textDocument": {"uri": uri}, "range": wide, "options": {"tabSize": 4, "insertSpaces": true}}),
            ),
        ] {
            let answer = client.request(method, params).await;
            assert!(
                answer.get("result").is_some() || answer.get("error").is_some(),
                "{method}: {answer}"
            );
        }
    }
    // Still there, still answering about the deleted file's buffer.
    let got = result(
        &mut client,
        "textDocument/hover",
        at(&user, pos(USER, "= \"Cl$0erk\"")),
    )
    .await;
    assert!(got["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("`Clerk`"));
    client.shutdown().await;
}

/// 10,000 rapid incremental edits, with requests among them: the server
/// neither crashes nor hangs (a generous bound on the whole run detects a
/// hang; it is not a timing), and ends with the last text's diagnostics.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_rapid_edits() {
    let run = async {
        let (_dir, root, mut client) = started(&[
            ("aclc.toml", CONFIG),
            ("acl/lib.acl", LIB),
            ("acl/user.acl", USER),
        ])
        .await;
        let uri = file_uri(&root.join("acl/user.acl"));
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 0, "text": USER}}),
        );
        // Type a rule character by character at the end of line 3, then
        // delete it, over and over.
        let rule = " allow read Rates.list";
        let col0 = "    deny read Rates.price".len();
        let mut typed = 0usize;
        for v in 1..=10_000 {
            let change = if typed < rule.len() {
                let c = &rule[typed..=typed];
                let p = json!({"line": 3, "character": col0 + typed});
                typed += 1;
                json!({"range": {"start": p, "end": p}, "text": c})
            } else {
                typed = 0;
                json!({"range": {"start": {"line": 3, "character": col0}, "end": {"line": 3, "character": col0 + rule.len()}}, "text": ""})
            };
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [change]}),
            );
            if v % 1000 == 0 {
                let answer = client
                    .request(
                        "textDocument/hover",
                        at(&uri, json!({"line": 0, "character": 15})),
                    )
                    .await;
                assert!(answer.get("result").is_some(), "{answer}");
            }
        }
        // The text now: the rule typed `typed` characters far.
        let last = USER.replacen(
            "deny read Rates.price",
            &format!("deny read Rates.price{}", &rule[..typed]),
            1,
        );
        let got = result(
            &mut client,
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        )
        .await;
        let expected = aclc::fmt::format(&last).map(|f| f != last);
        match expected {
            Ok(true) => assert_eq!(apply(&last, &got), aclc::fmt::format(&last).unwrap()),
            Ok(false) => assert_eq!(got, json!([])),
            Err(_) => assert_eq!(got, Value::Null),
        }
        // A last edit with a finding of its own: its diagnostics come,
        // for its version.
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 10_001},
                   "contentChanges": [{"text": USER.replace("\"Rates read\"", "\"Nope\"")}]}),
        );
        loop {
            let d = client.diagnostics_for(&uri).await;
            if d["version"] == 10_001 {
                assert!(
                    d["diagnostics"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|x| x["code"] == "unknown-include"),
                    "{d}"
                );
                break;
            }
        }
        client.shutdown().await;
    };
    tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("10,000 edits are handled without a hang");
}
