//! Latency of the language server: from `didChange` to the
//! `publishDiagnostics` of the edited file, less the debounce (the server's
//! default, 100 ms: a wait, during which the server parses the edited
//! text), on generated policy sets of 10,000 and 100,000
//! permissions with the predefined library. The server runs in-process on
//! an in-memory stream (`tests/lsp_client`); each edit duplicates a rule of
//! one file, or takes the duplicate out again, so every edit changes that
//! file's findings (a `redundant-rule` comes and goes) and is published.
//! `server_work_per_edit` times the server's own work for the same edit
//! (apply, re-analysis, finding what to publish) on every shape of policy
//! set the generator writes, at 100,000 permissions.
//! Run with `cargo bench --bench lsp`; the median and 90th percentile of
//! the latencies, and the steps of the server's work, are printed after
//! divan's table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails by panicking"
)]

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;
mod lsp_setup;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use lsp_client::{file_uri, TestClient};
use lsp_setup::{generated, parse_shape};
use serde_json::json;

/// The `aclc` binary's allocator (the server is `aclc lsp`), so the figures
/// are the command's: with the system allocator, a re-analysis took a
/// quarter to a half longer on five of the eight shapes.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Latencies measured, by size.
static LATENCIES: Mutex<Vec<(usize, Duration)>> = Mutex::new(Vec::new());

fn main() {
    divan::main();
    let all = LATENCIES.lock().unwrap();
    for size in SIZES {
        let mut ds: Vec<Duration> = all
            .iter()
            .filter(|(s, _)| *s == size)
            .map(|(_, d)| *d)
            .collect();
        if ds.is_empty() {
            continue;
        }
        ds.sort();
        let at = |q: f64| ds[((ds.len() - 1) as f64 * q).round() as usize];
        eprintln!(
            "didChange → publishDiagnostics, {size} permissions: median {:.1} ms, p90 {:.1} ms ({} edits)",
            at(0.5).as_secs_f64() * 1e3,
            at(0.9).as_secs_f64() * 1e3,
            ds.len()
        );
    }
}

const SIZES: [usize; 2] = [10_000, 100_000];

/// The server's debounce (its default).
const DEBOUNCE: Duration = Duration::from_millis(100);

#[divan::bench(args = SIZES, sample_count = 40, sample_size = 1)]
fn edit_to_diagnostics(bencher: divan::Bencher, permissions: usize) {
    let set = generated(permissions, aclc::generate::Kind::Tidy);
    let uri = file_uri(std::path::Path::new(&set.path));
    let (original, edited) = (&set.original, &set.edited);
    let root = &set.root;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut client = runtime.block_on(async {
        let mut client = TestClient::start(DEBOUNCE);
        client.initialize(root, false).await;
        client.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "aclc", "version": 0, "text": original}}),
        );
        // The first analysis of the whole set, and its publications.
        client.settle(Duration::from_secs(5)).await;
        client
    });
    let mut version = 0;
    bencher.bench_local(|| {
        version += 1;
        let text = if version % 2 == 1 { edited } else { original };
        let started = Instant::now();
        runtime.block_on(async {
            client.notify(
                "textDocument/didChange",
                json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
            );
            let params = client.diagnostics_for(&uri).await;
            assert_eq!(params["version"], version);
        });
        let latency = started.elapsed().saturating_sub(DEBOUNCE);
        LATENCIES.lock().unwrap().push((permissions, latency));
    });
    runtime.block_on(client.shutdown());
}

/// Every shape of policy set at 100,000 permissions (and the tidy one at
/// 10,000), as `KIND/PERMISSIONS`.
const SHAPES: [&str; 9] = [
    "tidy/10000",
    "tidy/100000",
    "wide/100000",
    "wide-allow/100000",
    "deep/100000",
    "legacy/100000",
    "catalog/100000",
    "resellers/100000",
    "long-names/100000",
];

/// The server's work for one edit without the protocol, step by step:
/// the edit applied (its file re-parsed), the re-analysis, and finding and
/// converting what changed. Against `edit_to_diagnostics`, the rest is
/// the protocol and the tasks.
#[divan::bench(args = SHAPES, sample_count = 20, sample_size = 1)]
fn server_work_per_edit(bencher: divan::Bencher, shape: &str) {
    use aclc::lsp::state::{Change, State};
    let (kind, permissions) = parse_shape(shape);
    let set = generated(permissions, kind);
    let (path, original, edited) = (&set.path, &set.original, &set.edited);
    let mut state = State::load(Some(set.root.clone()));
    let first = state.analyze();
    state.changed_files(&first);
    let open = std::collections::HashMap::new();
    let mut flip = false;
    let mut steps = [Duration::ZERO; 3];
    let mut totals = Vec::new();
    let mut n = 0u32;
    bencher.bench_local(|| {
        flip = !flip;
        let text = if flip { edited } else { original };
        let t0 = Instant::now();
        state.apply(
            vec![Change::Text(path.clone(), text.as_str().into())],
            &open,
            Vec::new(),
        );
        let t1 = Instant::now();
        let analysis = state.analyze();
        let t2 = Instant::now();
        let changed = state.changed_files(&analysis);
        let mut converter = aclc::lsp::convert::Converter::new(&analysis.model.sources);
        let converted: Vec<_> = changed
            .iter()
            .flat_map(|(_, ds)| {
                ds.iter()
                    .map(|d| converter.diagnostic(d))
                    .collect::<Vec<_>>()
            })
            .collect();
        let t3 = Instant::now();
        steps[0] += t1 - t0;
        steps[1] += t2 - t1;
        steps[2] += t3 - t2;
        totals.push(t3 - t0);
        n += 1;
        (converted, analysis)
    });
    if n > 0 {
        let ms = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(n);
        totals.sort();
        eprintln!(
            "server work per edit, {shape}: median {:.1} ms; mean of {n}: apply {:.1} ms, analyze {:.1} ms, diff and convert {:.1} ms",
            totals[totals.len() / 2].as_secs_f64() * 1e3,
            ms(steps[0]),
            ms(steps[1]),
            ms(steps[2])
        );
    }
}
