//! The runtime and the emitters on the generated tidy sets of 100,000 and
//! 1,000,000 permissions (built in memory, predefined library included):
//!
//! - `decide`: `Table::decide` on one thread over 4,096 requests (every
//!   access level, names its rules mention, names they match by a prefix
//!   or not at all); divan reports decisions per second (items); 100
//!   samples of one pass each (with 10, one noisy pass in a busy minute
//!   moved the median by 2×);
//! - `decide_one_level`: `Level::decide` over 4,096 requests of one access
//!   level, looked up once with `Table::level`;
//! - `load`: `Table::from_json` on the `acl.json` text (parse and index);
//! - `emit_*`: each emitter writing its output to nowhere (the SQLite
//!   database to a temporary file), evaluation orders computed once.
//!
//! Run with `cargo bench --bench runtime`.

#![allow(clippy::panic, reason = "a benchmark without its table cannot run")]

use std::sync::OnceLock;

use aclc::analysis::{analyze, Analysis, Options};
use aclc::emit::json;
use aclc::emit::sql::{self, Dialect};
use aclc::generate::{policy_set, Kind, Shape};
use aclc::runtime::{Access, Table};
use aclc::source::{Origin, SourceMap};
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

const SIZES: [usize; 2] = [100_000, 1_000_000];

fn analysis(permissions: usize) -> &'static Analysis {
    static CACHE: [OnceLock<Analysis>; 2] = [OnceLock::new(), OnceLock::new()];
    let slot = SIZES.iter().position(|&s| s == permissions).unwrap_or(0);
    CACHE[slot].get_or_init(|| {
        let mut s = aclc::load::load_predefined(&aclc::config::Predefined::Embedded)
            .unwrap_or_else(|_| SourceMap::new());
        for (name, text) in policy_set(Shape {
            permissions,
            files: 20,
            seed: 1,
            kind: Kind::Tidy,
        }) {
            s.add(name, text, Origin::User);
        }
        analyze(s, &Options::default())
    })
}

fn json_text(permissions: usize) -> String {
    json::document_json(&json::compile(
        &analysis(permissions).model,
        &analysis(permissions).semantics,
    ))
}

/// A deterministic draw of `0..n` (xorshift).
fn draws() -> impl FnMut(usize) -> usize {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    }
}

/// A request of an access level whose evaluation order is `order`: an
/// object and attribute one of its blocks' permissions names, sometimes
/// lengthened (matched by a prefix or by nothing), and an access type.
fn request(
    doc: &aclc::runtime::Document,
    order: &[u32],
    next: &mut impl FnMut(usize) -> usize,
) -> (Access, String, String) {
    let p = order
        .get(next(order.len()))
        .map(|&k| &doc.blocks[k as usize].permissions)
        .and_then(|ps| ps.get(next(ps.len())));
    let (mut o, mut a) = p.map_or(("Customers0".to_string(), "id".to_string()), |p| {
        (p.object.clone(), p.attribute.clone())
    });
    match next(4) {
        0 => o.push_str("_extra"),
        1 => a.push_str("_extra"),
        _ => {}
    }
    (Access::ALL[next(4)], o, a)
}

/// The evaluation order of the access level `name`.
fn order_of<'d>(doc: &'d aclc::runtime::Document, name: &str) -> &'d [u32] {
    doc.blocks
        .iter()
        .find(|b| b.name == name)
        .and_then(|b| b.order.as_deref())
        .unwrap_or_default()
}

/// Requests spread over the table: access levels in turn, objects and
/// attributes its permissions name, some lengthened (matched by a prefix
/// or by nothing), deterministic.
fn requests(table: &Table) -> Vec<(String, Access, String, String)> {
    let doc = table.document();
    let names: Vec<&str> = table.access_levels().collect();
    let mut next = draws();
    (0..4096)
        .map(|_| {
            let acl = names[next(names.len())];
            let (access, o, a) = request(doc, order_of(doc, acl), &mut next);
            (acl.to_string(), access, o, a)
        })
        .collect()
}

#[divan::bench(args = SIZES, sample_count = 100)]
fn decide(bencher: divan::Bencher, permissions: usize) {
    let table = Table::from_json(&json_text(permissions)).unwrap_or_else(|e| panic!("{e}"));
    let reqs = requests(&table);
    bencher.counter(ItemsCount::new(reqs.len())).bench(|| {
        reqs.iter()
            .filter(|(acl, access, o, a)| {
                table.decide(divan::black_box(acl), *access, o, a)
                    == Some(aclc::runtime::Effect::Allow)
            })
            .count()
    });
}

/// Requests for one access level (the one with the longest evaluation
/// order), drawn as in [`requests`].
fn one_level(table: &Table) -> (String, Vec<(Access, String, String)>) {
    let doc = table.document();
    let name = table
        .access_levels()
        .max_by_key(|n| order_of(doc, n).len())
        .unwrap_or_default()
        .to_string();
    let order = order_of(doc, &name);
    let mut next = draws();
    let reqs = (0..4096).map(|_| request(doc, order, &mut next)).collect();
    (name, reqs)
}

/// `Level::decide` for one access level looked up once (`Table::level`):
/// a service deciding many requests of one access level.
#[divan::bench(args = SIZES, sample_count = 100)]
fn decide_one_level(bencher: divan::Bencher, permissions: usize) {
    let table = Table::from_json(&json_text(permissions)).unwrap_or_else(|e| panic!("{e}"));
    let (name, reqs) = one_level(&table);
    let level = table
        .level(&name)
        .unwrap_or_else(|| panic!("no access level `{name}`"));
    bencher.counter(ItemsCount::new(reqs.len())).bench(|| {
        let level = divan::black_box(level);
        reqs.iter()
            .filter(|(access, o, a)| level.decide(*access, o, a) == aclc::runtime::Effect::Allow)
            .count()
    });
}

#[divan::bench(args = SIZES, sample_count = 2, sample_size = 1)]
fn load(bencher: divan::Bencher, permissions: usize) {
    let text = json_text(permissions);
    bencher.bench(|| Table::from_json(&text).map(|t| t.index_size()).is_ok());
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn emit_json(bencher: divan::Bencher, permissions: usize) {
    let a = analysis(permissions);
    bencher.bench(|| json::write(&a.model, &a.semantics, &mut std::io::sink()).is_ok());
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn evaluation_orders(bencher: divan::Bencher, permissions: usize) {
    let a = analysis(permissions);
    bencher.bench(|| json::orders(&a.model, &a.semantics).len());
}

fn emit_script(bencher: divan::Bencher, permissions: usize, dialect: Dialect) {
    let a = analysis(permissions);
    let orders = json::orders(&a.model, &a.semantics);
    bencher.bench(|| sql::write_script(&a.model, &orders, dialect, &mut std::io::sink()).is_ok());
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn emit_sql_sqlite(bencher: divan::Bencher, permissions: usize) {
    emit_script(bencher, permissions, Dialect::Sqlite);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn emit_sql_postgres(bencher: divan::Bencher, permissions: usize) {
    emit_script(bencher, permissions, Dialect::Postgres);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn emit_sql_mysql(bencher: divan::Bencher, permissions: usize) {
    emit_script(bencher, permissions, Dialect::Mysql);
}

#[divan::bench(args = SIZES, sample_count = 3, sample_size = 1)]
fn emit_sqlite(bencher: divan::Bencher, permissions: usize) {
    let a = analysis(permissions);
    let orders = json::orders(&a.model, &a.semantics);
    bencher.bench(|| {
        let dir = tempfile::tempdir().ok();
        let path = dir.as_ref().map(|d| d.path().join("acl.sqlite"));
        path.and_then(|p| rusqlite::Connection::open(p).ok())
            .map(|mut c| {
                let _ = c.execute_batch("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
                sql::fill_sqlite(&mut c, &a.model, &orders).is_ok()
            })
    });
}
