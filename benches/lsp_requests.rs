//! The language server's requests beyond diagnostics, without the
//! protocol: the name index of an analysis (built once per analysis, on
//! the first request that needs it), references and rename of a component
//! used across the set, workspace symbols, completion inside `include "`,
//! semantic tokens, code lens and inlay hints of one file, on generated
//! policy sets of 10,000 and 100,000 permissions with the predefined
//! library. Run with `cargo bench --bench lsp_requests`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a benchmark fails by panicking"
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

mod lsp_setup;

use aclc::analysis::Analysis;
use aclc::lsp::symbols::Index;
use tower_lsp_server::ls_types::{Position, Range};

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [10_000, 100_000];

/// A loaded, analyzed policy set, by size (kept for every bench).
struct Set {
    _dir: tempfile::TempDir,
    analysis: Arc<Analysis>,
    index: Index,
    /// The file asked about, its text, and a position on the name of the
    /// first component it includes.
    path: String,
    text: String,
    include_at: Position,
    /// A position on the name of the first component declared in it.
    component_at: Position,
}

fn set(permissions: usize) -> &'static Set {
    static SETS: OnceLock<Mutex<HashMap<usize, &'static Set>>> = OnceLock::new();
    let mut sets = SETS.get_or_init(Default::default).lock().unwrap();
    sets.entry(permissions).or_insert_with(|| {
        let set = lsp_setup::generated(permissions, aclc::generate::Kind::Tidy);
        let (dir, root, path, text) = (set.dir, set.root, set.path, set.original);
        let mut state = aclc::lsp::state::State::load(Some(root));
        let analysis = state.analyze();
        let index = Index::new(&analysis);
        let position = |needle: &str| {
            let at = text.find(needle).expect(needle) + needle.len() + 1;
            let line = text[..at].matches('\n').count() as u32;
            let col = (at - text[..at].rfind('\n').map_or(0, |i| i + 1)) as u32;
            Position::new(line, col)
        };
        let include_at = position("include \"");
        let component_at = position("component \"");
        Box::leak(Box::new(Set {
            _dir: dir,
            analysis,
            index,
            path,
            text,
            include_at,
            component_at,
        }))
    })
}

#[divan::bench(args = SIZES, sample_count = 10)]
fn index(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| Index::new(&s.analysis));
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn references(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| {
        let found =
            aclc::lsp::navigate::references(&s.analysis, &s.index, &s.path, s.include_at, true);
        assert!(found.len() > 1);
        found
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn rename(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| {
        aclc::lsp::navigate::rename(&s.analysis, &s.index, &s.path, s.component_at, "Renamed")
            .unwrap()
            .unwrap()
    });
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn workspace_symbols(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| aclc::lsp::navigate::workspace_symbols(&s.analysis, "read"));
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn completion_in_include(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| aclc::lsp::complete::complete(&s.text, s.include_at, Some(&s.analysis.model)));
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn semantic_tokens(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    bencher.bench(|| aclc::lsp::tokens::semantic_tokens(&s.text));
}

#[divan::bench(args = SIZES, sample_count = 20)]
fn code_lens_and_inlay_hints(bencher: divan::Bencher, permissions: usize) {
    let s = set(permissions);
    let file = s.analysis.model.sources.find(&s.path).unwrap();
    let all = Range::new(Position::new(0, 0), Position::new(u32::MAX, 0));
    bencher.bench(|| {
        (
            aclc::lsp::lens::code_lenses(&s.analysis, file),
            aclc::lsp::lens::inlay_hints(&s.analysis, file, all),
        )
    });
}
