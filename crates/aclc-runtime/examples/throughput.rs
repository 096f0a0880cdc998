//! Load a compiled table and measure `Table::decide` on one thread:
//! `cargo run --release -p aclc-runtime --example throughput -- ACL_JSON`.
//! Prints the load time, the index size and decisions per second over
//! 4,096 requests spread over the table (every access level, names its
//! permissions mention, some lengthened so only a prefix or nothing
//! matches). `cargo bench --bench runtime` measures the same with divan.

use std::process::ExitCode;
use std::time::Instant;

use aclc_runtime::{Access, Effect, Table};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: throughput ACL_JSON");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read `{path}`: {e}");
            return ExitCode::from(2);
        }
    };
    // Parse and index apart, then the whole of `Table::from_json`.
    let start = Instant::now();
    let parsed: Result<aclc_runtime::Document, _> = serde_json::from_str(&text);
    let parse = start.elapsed();
    let start = Instant::now();
    let indexed = parsed
        .map_err(aclc_runtime::Error::Json)
        .and_then(Table::new);
    let index = start.elapsed();
    drop(indexed);
    let start = Instant::now();
    let table = match Table::from_json(&text) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let load = start.elapsed();
    drop(text);
    let (rows, bytes) = table.index_size();
    let doc = table.document();
    let names: Vec<&str> = table.access_levels().collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let by_name: std::collections::HashMap<&str, &aclc_runtime::Block> =
        doc.blocks.iter().map(|b| (b.name.as_str(), b)).collect();
    let requests: Vec<(String, Access, String, String)> = (0..4096)
        .map(|_| {
            let acl = names[next(names.len())];
            let order = by_name
                .get(acl)
                .and_then(|b| b.order.clone())
                .unwrap_or_default();
            let p = order
                .get(next(order.len()))
                .map(|&k| &doc.blocks[k as usize].permissions)
                .and_then(|ps| ps.get(next(ps.len())));
            let (mut o, mut a) = p.map_or((String::from("X"), String::from("y")), |p| {
                (p.object.clone(), p.attribute.clone())
            });
            match next(4) {
                0 => o.push_str("_extra"),
                1 => a.push_str("_extra"),
                _ => {}
            }
            (acl.to_string(), Access::ALL[next(4)], o, a)
        })
        .collect();
    let mut decisions = 0u64;
    let mut allowed = 0u64;
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 2.0 {
        for (acl, access, o, a) in &requests {
            if table.decide(std::hint::black_box(acl), *access, o, a) == Some(Effect::Allow) {
                allowed += 1;
            }
        }
        decisions += requests.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} access levels; load {:.2} s (parse {:.2} s, index {:.2} s); index {rows} rows, {:.0} MB; {:.1} million decisions/s ({allowed} allowed)",
        names.len(),
        load.as_secs_f64(),
        parse.as_secs_f64(),
        index.as_secs_f64(),
        bytes as f64 / 1e6,
        decisions as f64 / secs / 1e6
    );
    ExitCode::SUCCESS
}
