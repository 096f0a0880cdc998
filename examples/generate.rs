//! Write a generated policy set: `cargo run --release --example generate --
//! PERMISSIONS DIR [FILES] [SEED]` (e.g. `1000000 /tmp/big 20`).

use std::path::PathBuf;
use std::process::ExitCode;

use aclc::generate::{policy_set, Shape};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: generate PERMISSIONS DIR [FILES] [SEED]";
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
    }) {
        bytes += text.len();
        if let Err(e) = std::fs::write(dir.join(&name), text) {
            eprintln!("cannot write {name}: {e}");
            return ExitCode::from(2);
        }
    }
    eprintln!("wrote {files} files, {bytes} bytes, to {}", dir.display());
    ExitCode::SUCCESS
}
