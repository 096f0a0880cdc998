//! Argument parsing, policy loading and exit codes shared by the commands.

mod baseline;
mod build;
mod check;
mod completions;
mod diff;
mod explain;
mod fix;
mod fmt;
mod impact;
mod init;
mod lints;
mod lsp;
mod man;
mod show;
mod test;
mod watch;
mod who_can;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use aclc::analysis::{self, Analysis};
use aclc::config::{self, Predefined, Settings};
use aclc::load;

/// Policy-as-code compiler and linter for telecom billing access-control lists.
#[derive(Parser, Debug)]
#[command(name = "aclc", version, about, max_term_width = 100, after_help = TOP_EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Policy file or folder of `.acl` files (repeatable); default: `[policy] paths` of aclc.toml, else `.`
    #[arg(short = 'p', long = "policy", global = true, value_name = "PATH")]
    policy: Vec<PathBuf>,
    /// Configuration file; default: aclc.toml in the current folder or above
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Do not load the predefined library (e.g. to check the library itself)
    #[arg(long, global = true)]
    no_predefined: bool,
    /// When to color terminal output
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

const TOP_EXAMPLES: &str = "\
Examples:
  aclc init my-policies                  start a policy set (aclc.toml and acl/policy.acl)
  aclc check -p policies/examples        lint a policy set
  aclc help explain                      a command's options, with examples

Exit status: 0 clean; 1 findings at error level (or a warning with --deny-warnings,
or a failed test); 2 usage or I/O error.";

#[derive(Subcommand, Debug)]
enum Command {
    /// Check the policy set and report findings
    #[command(after_help = check::EXAMPLES)]
    Check(check::Args),
    /// Compile the policy set to runtime ACL tables
    #[command(after_help = build::EXAMPLES)]
    Build(build::Args),
    /// Explain one decision: the deciding rule and the include path to it
    #[command(after_help = explain::EXAMPLES)]
    Explain(explain::Args),
    /// Show the effective rule table of an access level
    #[command(after_help = show::EXAMPLES)]
    Show(show::Args),
    /// Semantic diff of two versions of a policy set; fails on unsafe changes
    #[command(after_help = diff::EXAMPLES)]
    Diff(diff::Args),
    /// List the lints, or explain one
    #[command(after_help = lints::EXAMPLES)]
    Lints(lints::Args),
    /// Run the `test` blocks of the policy set
    #[command(after_help = test::EXAMPLES)]
    Test(test::Args),
    /// Create aclc.toml and a starter policy in a folder
    #[command(after_help = init::EXAMPLES)]
    Init(init::Args),
    /// Rewrite policy files in the canonical layout (comments kept)
    #[command(after_help = fmt::EXAMPLES)]
    Fmt(fmt::Args),
    /// Apply the safe quick fixes of the findings (those the language server offers)
    #[command(after_help = fix::EXAMPLES)]
    Fix(fix::Args),
    /// List the access levels that reach a component, and whether it decides anything there
    #[command(after_help = impact::EXAMPLES)]
    Impact(impact::Args),
    /// List the access levels allowed a request, or any part of a pattern
    #[command(after_help = who_can::EXAMPLES)]
    WhoCan(who_can::Args),
    /// Re-check (and rebuild) the policy set on every change
    #[command(after_help = watch::EXAMPLES)]
    Watch(watch::Args),
    /// Run the language server on stdin/stdout (for editors)
    #[command(after_help = lsp::EXAMPLES)]
    Lsp(lsp::Args),
    /// Print a shell completion script
    #[command(after_help = completions::EXAMPLES)]
    Completions(completions::Args),
    /// Print the manual page of aclc or of one command, or write them all
    #[command(after_help = man::EXAMPLES)]
    Man(man::Args),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How a command ended (DESIGN §5).
pub enum Outcome {
    /// Exit 0.
    Clean,
    /// Exit 1: findings at error level, a denied warning, a failed test.
    Findings,
}

/// A usage or I/O error: exit 2.
#[derive(Debug)]
pub struct Failure(pub String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Failure {
        Failure(e.to_string())
    }
}

/// Text or JSON output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}

/// Run the command line.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if !matches!(cli.command, Command::Lsp(_) | Command::Watch(_)) {
        crate::tune_allocator_for_one_shot();
    }
    match run(&cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(Failure(message)) => {
            let _ = writeln!(std::io::stderr(), "error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: &Cli) -> Result<Outcome, Failure> {
    match &cli.command {
        Command::Check(args) => check::run(cli, args),
        Command::Build(args) => build::run(cli, args),
        Command::Explain(args) => explain::run(cli, args),
        Command::Show(args) => show::run(cli, args),
        Command::Diff(args) => diff::run(cli, args),
        Command::Lints(args) => lints::run(args),
        Command::Test(args) => test::run(cli, args),
        Command::Init(args) => init::run(args),
        Command::Fmt(args) => fmt::run(cli, args),
        Command::Impact(args) => impact::run(cli, args),
        Command::WhoCan(args) => who_can::run(cli, args),
        Command::Watch(args) => watch::run(cli, args),
        Command::Lsp(args) => lsp::run(args),
        Command::Fix(args) => fix::run(cli, args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    }
}

impl Cli {
    /// Whether to color terminal output on stdout.
    pub fn color(&self) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        }
    }

    /// The settings from aclc.toml (or defaults) and the command line.
    pub fn settings(&self) -> Result<Settings, Failure> {
        let file = match &self.config {
            Some(f) => Some(f.clone()),
            None => std::env::current_dir()
                .ok()
                .and_then(|d| config::discover(&d))
                .map(|p| relative_to_cwd(&p)),
        };
        let mut settings = match &file {
            Some(f) => {
                let text = load::read_text(f)?;
                config::parse(&text, f)?
            }
            None => Settings::default(),
        };
        if !self.policy.is_empty() {
            settings.paths = self.policy.clone();
        } else if settings.paths.is_empty() {
            settings.paths = vec![PathBuf::from(".")];
        }
        if self.no_predefined {
            settings.predefined = Predefined::Off;
        }
        Ok(settings)
    }

    /// Load and analyze the policy set.
    pub fn analyze(&self) -> Result<Analysis, Failure> {
        self.analyze_with(false)
    }

    /// [`Cli::analyze`]; with `full_regions`, findings carry their whole
    /// regions.
    pub fn analyze_with(&self, full_regions: bool) -> Result<Analysis, Failure> {
        self.analyze_settings(self.settings()?, full_regions)
    }

    /// [`Cli::analyze_with`] with settings already read (aclc.toml is read
    /// once per command).
    pub fn analyze_settings(
        &self,
        mut settings: Settings,
        full_regions: bool,
    ) -> Result<Analysis, Failure> {
        settings.options.full_regions = full_regions;
        let (sources, read) = self.load_sources(&settings)?;
        let mut analysis = analysis::analyze(sources, &settings.options);
        analysis.timings.insert(0, ("read files", read));
        Ok(analysis)
    }

    /// The findings alone ([`analysis::findings`]: the exact analysis is
    /// freed early), for `aclc check`.
    pub fn findings_settings(
        &self,
        mut settings: Settings,
        full_regions: bool,
    ) -> Result<analysis::Findings, Failure> {
        settings.options.full_regions = full_regions;
        let (sources, read) = self.load_sources(&settings)?;
        let mut findings = analysis::findings(sources, &settings.options);
        findings.timings.insert(0, ("read files", read));
        Ok(findings)
    }

    /// The policy files of `settings` and how long reading them took; an
    /// error when there is none.
    fn load_sources(
        &self,
        settings: &Settings,
    ) -> Result<(aclc::source::SourceMap, std::time::Duration), Failure> {
        let start = std::time::Instant::now();
        let sources = load::load(&settings.paths, &settings.predefined)?;
        let read = start.elapsed();
        let user_files = sources
            .iter()
            .filter(|(_, f)| f.origin == aclc::source::Origin::User)
            .count();
        if user_files == 0 {
            let paths: Vec<String> = settings
                .paths
                .iter()
                .map(|p| format!("`{}`", load::display(p)))
                .collect();
            return Err(Failure(format!(
                "no .acl files found in {}; pass -p PATH or set [policy] paths in aclc.toml (run `aclc init` to start one)",
                paths.join(", ")
            )));
        }
        Ok((sources, read))
    }
}

/// Shorten an absolute path under the current folder to a relative one.
fn relative_to_cwd(p: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| p.strip_prefix(&cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| p.to_path_buf())
}

/// Look up an access level by name, or fail with "did you mean".
pub fn find_acl(analysis: &Analysis, name: &str) -> Result<aclc::model::AclId, Failure> {
    analysis.model.lookup(name).ok_or_else(|| {
        let hint = aclc::diagnostic::did_you_mean(name, analysis.model.acl_names()).map_or_else(
            || "run `aclc show` with a declared name".to_string(),
            |s| format!("did you mean `{s}`?"),
        );
        Failure(format!(
            "no access level or component is named `{name}`; {hint}"
        ))
    })
}

/// Write a file atomically: temporary file in the same folder, fsync,
/// rename, fsync of the folder. Readers see the old file or the new one.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    write_atomic_with(path, |w| w.write_all(contents))
}

/// Like [`write_atomic`], with the contents written by `write` through a
/// buffer (for outputs too large to hold in memory).
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let shown = load::display(path);
    let fail =
        |e: std::io::Error| Failure(format!("cannot write `{shown}`: {}", load::io_reason(&e)));
    let mut builder = tempfile::Builder::new();
    builder.prefix(".aclc-");
    // A table is read by other services: rw-r--r-- (less the umask), not
    // the private mode of a temporary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(&dir).map_err(fail)?;
    let mut buffered = std::io::BufWriter::new(tmp.as_file_mut());
    write(&mut buffered).map_err(fail)?;
    buffered.flush().map_err(fail)?;
    drop(buffered);
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
