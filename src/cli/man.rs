//! `aclc man [COMMAND] [--out DIR]`: roff manual pages generated from the
//! command definition (clap_mangen), with each command's examples.

use std::path::PathBuf;

use clap::CommandFactory;

use super::{write_atomic, Cli, Failure, Outcome};

/// Shown after `aclc help man`.
pub const EXAMPLES: &str = "\
Examples:
  aclc man | man -l -                          read aclc(1)
  aclc man explain | man -l -                  read aclc-explain(1)
  aclc man --out man/man1                      write aclc.1 and aclc-COMMAND.1 for every command";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The command whose page to print (default: aclc itself)
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    command: Option<String>,
    /// Write the pages of aclc and of every command to this folder (created if missing)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<Outcome, Failure> {
    // Man pages exist for aclc and each command; clap's `help` command has none.
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| {
            Failure(format!(
                "cannot create `{}`: {}",
                aclc::load::display(dir),
                aclc::load::io_reason(&e)
            ))
        })?;
        let mut written = Vec::new();
        for cmd in pages(&root) {
            let (name, text) = page(&cmd)?;
            let path = dir.join(&name);
            write_atomic(&path, &text)?;
            written.push(aclc::load::display(&path));
        }
        eprintln!("wrote {}", written.join(", "));
        return Ok(Outcome::Clean);
    }
    let cmd = match &args.command {
        None => root,
        Some(name) => find(&root, name)?,
    };
    let (_, text) = page(&cmd)?;
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, &text)?;
    std::io::Write::flush(&mut out)?;
    Ok(Outcome::Clean)
}

/// aclc and each of its commands (not clap's `help`).
fn pages(root: &clap::Command) -> Vec<clap::Command> {
    let mut all = vec![root.clone()];
    all.extend(
        root.get_subcommands()
            .filter(|c| c.get_name() != "help" && !c.is_hide_set())
            .cloned(),
    );
    all
}

fn find(root: &clap::Command, name: &str) -> Result<clap::Command, Failure> {
    let commands = pages(root);
    commands
        .iter()
        .skip(1)
        .find(|c| c.get_name() == name)
        .cloned()
        .ok_or_else(|| {
            let names = commands.iter().skip(1).map(|c| c.get_name());
            let hint = aclc::diagnostic::did_you_mean(name, names).map_or_else(
                || "run `aclc help` for the list of commands".to_string(),
                |s| format!("did you mean `{s}`?"),
            );
            Failure(format!("`{name}` is not an aclc command; {hint}"))
        })
}

/// The file name and roff text of one page: clap_mangen's page, with the
/// command's after-help (examples, exit status) under EXAMPLES and EXIT
/// STATUS instead of clap_mangen's generic EXTRA section.
fn page(cmd: &clap::Command) -> Result<(String, Vec<u8>), Failure> {
    let man = clap_mangen::Man::new(cmd.clone());
    let mut rendered = Vec::new();
    man.render(&mut rendered)?;
    let text = String::from_utf8_lossy(&rendered).into_owned();
    let Some(after) = cmd.get_after_help().map(ToString::to_string) else {
        return Ok((man.get_filename(), rendered));
    };
    let Some(extra) = text.find("\n.SH EXTRA\n") else {
        return Ok((man.get_filename(), rendered));
    };
    let rest = &text[extra + 1..];
    let next = rest[1..]
        .find("\n.SH ")
        .map_or(text.len(), |i| extra + 1 + 1 + i + 1);
    let mut out = text[..extra + 1].to_string();
    for block in after.split("\n\n") {
        if let Some(examples) = block.strip_prefix("Examples:\n") {
            out.push_str(".SH EXAMPLES\n.nf\n");
            for line in examples.lines() {
                out.push_str(&roff_line(line));
                out.push('\n');
            }
            out.push_str(".fi\n");
        } else if let Some(status) = block.strip_prefix("Exit status: ") {
            out.push_str(".SH \"EXIT STATUS\"\n");
            out.push_str(&roff_line(&status.replace('\n', " ")));
            out.push('\n');
        } else {
            out.push_str(".PP\n");
            out.push_str(&roff_line(&block.replace('\n', " ")));
            out.push('\n');
        }
    }
    out.push_str(&text[next.min(text.len())..]);
    Ok((man.get_filename(), out.into_bytes()))
}

/// One line of no-fill text, escaped for roff: backslashes and hyphens
/// (so they stay ASCII minus signs, which a user can copy), and a leading
/// `.` or `'` that would read as a request.
fn roff_line(line: &str) -> String {
    let escaped = line.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with('.') || escaped.starts_with('\'') {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}
