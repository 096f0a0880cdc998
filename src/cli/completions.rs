//! `aclc completions SHELL`: a completion script for the shell, generated
//! from the same command definition that parses the arguments.

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Cli, Failure, Outcome};

/// Shown after `aclc help completions`.
pub const EXAMPLES: &str = "\
Examples:
  aclc completions bash > ~/.local/share/bash-completion/completions/aclc
  aclc completions zsh > ~/.zfunc/_aclc          (with fpath+=~/.zfunc in ~/.zshrc)
  aclc completions fish > ~/.config/fish/completions/aclc.fish
  aclc completions powershell >> $PROFILE";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: &Args) -> Result<Outcome, Failure> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "aclc", &mut script);
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, &script)?;
    std::io::Write::flush(&mut out)?;
    Ok(Outcome::Clean)
}
