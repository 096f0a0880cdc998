//! `aclc lsp`: the language server on stdin/stdout.

use super::{Failure, Outcome};

/// Shown after `aclc help lsp`.
pub const EXAMPLES: &str = "\
Examples:
  aclc lsp                                     started by an editor, speaking LSP on stdin/stdout
  aclc lsp --stdio                             the same, for clients that pass --stdio";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Accepted for editors that pass it; stdio is the only transport
    #[arg(long)]
    stdio: bool,
}

pub fn run(_args: &Args) -> Result<Outcome, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the language server: {e}")))?;
    runtime.block_on(aclc::lsp::serve(
        tokio::io::stdin(),
        tokio::io::stdout(),
        aclc::lsp::ServerOptions::default(),
    ));
    Ok(Outcome::Clean)
}
