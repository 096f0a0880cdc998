//! Write a generated policy set: `cargo run --release --example generate --
//! PERMISSIONS DIR [FILES] [SEED] [--kind KIND]` (e.g. `1000000 /tmp/big 20
//! --kind wide`). Kinds: tidy (the default), wide, wide-allow, deep,
//! legacy, catalog, resellers, long-names (see `aclc::generate::Kind`).

use std::path::PathBuf;
use std::process::ExitCode;

use aclc::generate::{policy_set, Kind, Shape};

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let kinds: Vec<&str> = Kind::ALL.iter().map(|(n, _)| *n).collect();
    let usage = format!(
        "usage: generate PERMISSIONS DIR [FILES] [SEED] [--kind {}]",
        kinds.join("|")
    );
    let mut kind = Kind::Tidy;
    if let Some(at) = args.iter().position(|a| a == "--kind") {
        let Some(k) = args.get(at + 1).and_then(|n| Kind::from_name(n)) else {
            eprintln!("{usage}");
            return ExitCode::from(2);
        };
        kind = k;
        args.drain(at..at + 2);
    }
    let (Some(n), Some(dir)) = (
        args.first()
            .and_then(|s| s.replace('_', "").parse::<usize>().ok()),
        args.get(1).map(PathBuf::from),
    ) else {
        eprintln!("{usage}");
        return ExitCode::from(2);
    };
    let files = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    let mut bytes = 0;
    for (name, text) in policy_set(Shape {
        permissions: n,
        files,
        seed,
        kind,
    }) {
        bytes += text.len();
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("cannot write {name}: {e}");
            return ExitCode::from(2);
        }
    }
    eprintln!(
        "wrote {files} files of kind {}, {bytes} bytes, to {}",
        kind.name(),
        dir.display()
    );
    ExitCode::SUCCESS
}
