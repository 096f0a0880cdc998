//! Load a compiled table and measure `Table::decide` on one thread:
//! `cargo run --release -p aclc-runtime --example throughput -- ACL_JSON`.
//! Prints the load time, the index size and decisions per second over
//! 4,096 requests spread over the table (every access level, names its
//! permissions mention, some lengthened so only a prefix or nothing
//! matches), then over 4,096 requests of one access level through
//! `Table::level` (the one with the longest evaluation order); per second
//! of wall time and, on Linux, per second of the thread's own CPU time (a
//! busy machine's waiting left out). `cargo bench --bench runtime`
//! measures the same with divan.

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
    let by_name: std::collections::HashMap<&str, &aclc_runtime::Block> =
        doc.blocks.iter().map(|b| (b.name.as_str(), b)).collect();
    let request = |seed: &mut u64, acl: &str| {
        let mut next = |n: usize| xorshift(seed, n);
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
    };
    let spread: Vec<(String, Access, String, String)> = (0..4096)
        .map(|_| {
            let acl = names[xorshift(&mut seed, names.len())];
            request(&mut seed, acl)
        })
        .collect();
    // One access level, the one with the longest evaluation order.
    let hot_name = names
        .iter()
        .copied()
        .max_by_key(|n| {
            by_name
                .get(n)
                .and_then(|b| b.order.as_ref())
                .map_or(0, Vec::len)
        })
        .unwrap_or_default();
    let hot: Vec<(String, Access, String, String)> =
        (0..4096).map(|_| request(&mut seed, hot_name)).collect();
    let (spread_wall, spread_cpu, allowed) = measure(&spread, |(acl, access, o, a)| {
        table.decide(std::hint::black_box(acl), *access, o, a) == Some(Effect::Allow)
    });
    let level = table.level(hot_name);
    let (hot_wall, hot_cpu, _) = measure(&hot, |(_, access, o, a)| {
        level.is_some_and(|l| l.decide(*access, o, a) == Effect::Allow)
    });
    println!(
        "{} access levels; load {:.2} s (parse {:.2} s, index {:.2} s); index {rows} rows, {:.1} MB",
        names.len(),
        load.as_secs_f64(),
        parse.as_secs_f64(),
        index.as_secs_f64(),
        bytes as f64 / 1e6,
    );
    println!("Table::decide, spread over the access levels: {spread_wall:.1} million decisions/s{spread_cpu} ({allowed} allowed)");
    println!(
        "Level::decide, one access level ({hot_name}): {hot_wall:.1} million decisions/s{hot_cpu}"
    );
    ExitCode::SUCCESS
}

/// Decide `requests` over and over for two seconds: (millions of decisions
/// per second, the same per CPU second when known, allowed decisions).
fn measure<R>(requests: &[R], decide: impl Fn(&R) -> bool) -> (f64, String, u64) {
    let mut decisions = 0u64;
    let mut allowed = 0u64;
    let cpu_start = cpu_time();
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < 2.0 {
        for r in requests {
            allowed += u64::from(decide(r));
        }
        decisions += requests.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_start
        .zip(cpu_time())
        .map(|(a, b)| {
            format!(
                ", {:.1} million per CPU second",
                decisions as f64 / (b - a) / 1e6
            )
        })
        .unwrap_or_default();
    (decisions as f64 / secs / 1e6, cpu, allowed)
}

/// CPU seconds this thread has run (Linux: `/proc/thread-self/schedstat`),
/// so a busy machine's waiting is not counted.
fn cpu_time() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// The next pseudo-random number below `n` (xorshift, deterministic).
fn xorshift(seed: &mut u64, n: usize) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed % n.max(1) as u64) as usize
}
