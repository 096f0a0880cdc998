//! `aclc fmt`: the canonical layout, written in place (atomically), or
//! only checked.

use std::path::PathBuf;

use super::{write_atomic, Cli, Failure, Outcome};
use aclc::load;

/// Shown after `aclc help fmt`.
pub const EXAMPLES: &str = "\
Examples:
  aclc fmt policies/examples                   rewrite the files of a folder in place
  aclc fmt --check policies/examples           list files that would change (exit 1 if any)
  aclc fmt -p policies/examples                the policy paths given with -p (or aclc.toml's)";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Change nothing; list the files that would change and exit 1 if any
    #[arg(long)]
    check: bool,
    /// Files or folders to format (default: the policy paths)
    #[arg(value_name = "PATHS")]
    paths: Vec<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let paths = if args.paths.is_empty() {
        cli.settings()?.paths
    } else {
        args.paths.clone()
    };
    let files = load::collect(&paths)?;
    if files.is_empty() {
        let shown: Vec<String> = paths
            .iter()
            .map(|p| format!("`{}`", load::display(p)))
            .collect();
        return Err(Failure(format!(
            "no .acl files found in {}",
            shown.join(", ")
        )));
    }
    let mut changed = 0usize;
    let mut unformattable = 0usize;
    for file in &files {
        let shown = load::display(file);
        let text = load::read_text(file)?;
        match aclc::fmt::format(&text) {
            Err(e) => {
                unformattable += 1;
                let first = e.errors.first().map_or_else(String::new, |err| {
                    let at =
                        aclc::source::LineIndex::new(&text).char_position(&text, err.span.start);
                    format!(" (line {}: {})", at.line, err.message)
                });
                eprintln!(
                    "error: `{shown}` has {} syntax error(s){first}; left as it is (run `aclc check` for details)",
                    e.errors.len()
                );
            }
            Ok(formatted) if formatted == text => {}
            Ok(formatted) => {
                changed += 1;
                if args.check {
                    println!("{shown}");
                } else {
                    let mode = std::fs::metadata(file).map(|m| m.permissions());
                    write_atomic(file, formatted.as_bytes())?;
                    // Keep the file's own permissions, not a new file's.
                    if let Ok(mode) = mode {
                        let _ = std::fs::set_permissions(file, mode);
                    }
                    eprintln!("formatted `{shown}`");
                }
            }
        }
    }
    if args.check && changed > 0 {
        eprintln!("{changed} file(s) would be reformatted; run `aclc fmt` to format them");
    }
    Ok(if unformattable > 0 || (args.check && changed > 0) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
