//! Decide from a compiled table with the runtime alone: `cargo run
//! --example decide -- ACL_JSON ACCESS_LEVEL ACCESS OBJECT.ATTRIBUTE`, e.g.
//!
//! ```sh
//! cargo run -- build -p policies/examples --out dist
//! cargo run --example decide -- dist/acl.json "Senior bookkeeper" insert TraceCall.session
//! ```
//!
//! It uses `aclc_runtime` only (the crate a service embeds: serde and
//! serde_json, no parser): load the table once, then decide.

use std::process::ExitCode;

use aclc_runtime::{Access, Table};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, acl, access, target] = args.as_slice() else {
        eprintln!("usage: decide ACL_JSON ACCESS_LEVEL ACCESS OBJECT.ATTRIBUTE");
        return ExitCode::from(2);
    };
    let (Some(access), Some((object, attribute))) = (Access::parse(access), target.split_once('.'))
    else {
        eprintln!("ACCESS is read, update, insert or delete; the target is Object.attribute");
        return ExitCode::from(2);
    };
    let table = match Table::load(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    match table.decide(acl, access, object, attribute) {
        Some(effect) => {
            println!("{effect}");
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("no access level is named `{acl}` in {path}");
            ExitCode::from(2)
        }
    }
}
