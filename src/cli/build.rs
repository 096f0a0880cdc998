//! `aclc build`.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::{write_atomic_with, Cli, Failure, Outcome};
use aclc::analysis::Analysis;
use aclc::diagnostic::Summary;
use aclc::emit;
use aclc::render;

/// Shown after `aclc help build`.
pub const EXAMPLES: &str = "\
Examples:
  aclc build --out dist                        write dist/acl.json (refused on errors)
  aclc build -p policies/examples --out dist/examples --emit json";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Folder to write the tables to (created if missing)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// What to write (comma-separated)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "json")]
    emit: Vec<Emit>,
}

/// An output of `aclc build` (also `aclc watch --emit`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Emit {
    /// acl.json: every access level with its effective rule list
    Json,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let analysis = cli.analyze()?;
    let sources = &analysis.model.sources;
    if !analysis.diagnostics.is_empty() {
        eprint!(
            "{}",
            render::terminal::render(
                sources,
                &analysis.diagnostics,
                cli.color() && std::io::IsTerminal::is_terminal(&std::io::stderr())
            )
        );
    }
    if analysis.has_errors() {
        let s = Summary::of(&analysis.diagnostics);
        eprintln!(
            "build refused: {} error{} in the policy set; nothing was written",
            s.errors,
            if s.errors == 1 { "" } else { "s" }
        );
        return Ok(Outcome::Findings);
    }
    write_outputs(&analysis, &args.out, &args.emit)?;
    Ok(Outcome::Clean)
}

/// Write the outputs `wanted` names for an analysis (the caller has checked
/// it has no errors) into `out`, created if missing; each file atomically.
/// `aclc build` and `aclc watch --build` both write through here.
pub fn write_outputs(analysis: &Analysis, out: &Path, wanted: &[Emit]) -> Result<(), Failure> {
    std::fs::create_dir_all(out).map_err(|e| {
        Failure(format!(
            "cannot create `{}`: {}",
            aclc::load::display(out),
            aclc::load::io_reason(&e)
        ))
    })?;
    let mut emits = wanted.to_vec();
    emits.dedup();
    for e in emits {
        match e {
            Emit::Json => {
                let path = out.join(emit::json::FILE_NAME);
                write_atomic_with(&path, |w| emit::json::write(&analysis.model, w))?;
                eprintln!(
                    "wrote `{}` ({} access levels and components)",
                    aclc::load::display(&path),
                    analysis.model.acls.len()
                );
            }
        }
    }
    Ok(())
}
