//! The engine on generated policy sets (`aclc::generate`: 20 files, a
//! component library in 12 layers, access levels of every participant
//! type), in memory: parsing, the analysis (model, exact analysis, every
//! lint), the two together (`aclc check` less reading files and printing),
//! compiling `acl.json`, and re-analysis after an edit of one file (what
//! the language server does on every keystroke); and `check` with its JSON
//! output on every shape of policy set the generator writes (wide and deep
//! include graphs, messy legacy sets, huge catalogs, long reseller lists,
//! long names). Run with `cargo bench` (`cargo bench -- shape` for the
//! shapes alone).

use aclc::analysis::{analyze, analyze_parsed, parse_all, Options};
use aclc::generate::{policy_set, Kind, Shape};
use aclc::source::{Origin, SourceMap};
use aclc::workspace::Workspace;

/// The `aclc` binary's allocator, so the figures are the command's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

fn sources(permissions: usize) -> SourceMap {
    shape_sources(permissions, Kind::Tidy)
}

fn shape_sources(permissions: usize, kind: Kind) -> SourceMap {
    let mut s = aclc::load::load_predefined(&aclc::config::Predefined::Embedded)
        .unwrap_or_else(|_| SourceMap::new());
    for (name, text) in policy_set(Shape {
        permissions,
        files: 20,
        seed: 1,
        kind,
    }) {
        s.add(name, text, Origin::User);
    }
    s
}

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn parse(bencher: divan::Bencher, permissions: usize) {
    let s = sources(permissions);
    bencher.bench(|| parse_all(&s).len());
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn analysis(bencher: divan::Bencher, permissions: usize) {
    let s = sources(permissions);
    let parsed = parse_all(&s);
    bencher
        .with_inputs(|| (s.clone(), parsed.clone()))
        .bench_values(|(s, p)| analyze_parsed(s, p, &Options::default()));
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn check(bencher: divan::Bencher, permissions: usize) {
    let s = sources(permissions);
    bencher
        .with_inputs(|| s.clone())
        .bench_values(|s| analyze(s, &Options::default()));
}

/// `acl.json` (format version 2, normalized: linear in the policy set),
/// serialized to nowhere, evaluation orders included.
#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn build(bencher: divan::Bencher, permissions: usize) {
    let analysis = analyze(sources(permissions), &Options::default());
    bencher.bench(|| {
        let mut out = std::io::sink();
        aclc::emit::json::write(&analysis.model, &analysis.semantics, &mut out).is_ok()
    });
}

/// One rule of one file changes (and changes back, alternately), then the
/// whole set is analyzed again: the file is re-parsed, the others are not.
#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn reanalyze_after_edit(bencher: divan::Bencher, permissions: usize) {
    let mut ws = Workspace::new(sources(permissions), Options::default());
    let path = "generated-05.acl";
    let original = ws
        .sources()
        .find(path)
        .map(|id| ws.sources().file(id).text.to_string())
        .unwrap_or_default();
    let edited = original.replacen("    allow ", "    deny ", 1);
    let mut flip = false;
    bencher.bench_local(|| {
        flip = !flip;
        ws.set_text(
            path,
            if flip {
                edited.as_str()
            } else {
                original.as_str()
            },
        );
        // Returned, so divan drops the analysis outside the timing (as a
        // language server keeps it until the next edit).
        ws.analyze()
    });
}

/// Every generated shape at 100,000 and 1,000,000 permissions, as
/// `KIND/PERMISSIONS`.
const SHAPES: [&str; 16] = [
    "tidy/100000",
    "wide/100000",
    "wide-allow/100000",
    "deep/100000",
    "legacy/100000",
    "catalog/100000",
    "resellers/100000",
    "long-names/100000",
    "tidy/1000000",
    "wide/1000000",
    "wide-allow/1000000",
    "deep/1000000",
    "legacy/1000000",
    "catalog/1000000",
    "resellers/1000000",
    "long-names/1000000",
];

/// `aclc check --format json` less reading the files: parse, analyze, and
/// write the findings as JSON (to a sink).
#[divan::bench(args = SHAPES, sample_count = 3, sample_size = 1)]
fn shape(bencher: divan::Bencher, shape: &str) {
    let (kind, permissions) = shape.split_once('/').unwrap_or((shape, "100000"));
    let kind = Kind::from_name(kind).unwrap_or_default();
    let permissions = permissions.parse().unwrap_or(100_000);
    let s = shape_sources(permissions, kind);
    bencher.with_inputs(|| s.clone()).bench_values(|s| {
        let a = analyze(s, &Options::default());
        let mut out = std::io::sink();
        aclc::render::json::write(
            &mut out,
            &a.model.sources,
            &a.diagnostics,
            aclc::analysis::lints::DEFAULT_DOCS_URL,
            false,
        )
        .is_ok()
    });
}
