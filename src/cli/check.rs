//! `aclc check`.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{baseline, write_atomic, Cli, Failure, Outcome};
use aclc::diagnostic::{Severity, Summary};
use aclc::render;

/// Shown after `aclc help check`.
pub const EXAMPLES: &str = "\
Examples:
  aclc check                                   the policy set of ./aclc.toml (or .)
  aclc check -p policies/examples --deny-warnings
  aclc check --format json --regions          each finding with its whole region
  aclc check --format sarif > aclc.sarif       for code scanning
  aclc check --format github                   annotations in a GitHub Actions log
  aclc check --write-baseline aclc-baseline.json
  aclc check --baseline aclc-baseline.json     report only findings not in the baseline";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) on warnings too
    #[arg(long)]
    deny_warnings: bool,
    /// Report only findings not recorded in this baseline file
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record the current findings in this baseline file and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    write_baseline: Option<PathBuf>,
    /// Print how long each phase took (to standard error)
    #[arg(long)]
    timings: bool,
    /// With `--format json`: give each finding about a region its whole
    /// region (`regions`); messages name only a few parts of a region
    #[arg(long)]
    regions: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    if args.regions && !matches!(args.format, Format::Json) {
        return Err(Failure(
            "`--regions` needs `--format json`: whole regions go in the JSON output only".into(),
        ));
    }
    let settings = cli.settings()?;
    let lint_url = settings.lint_url.clone();
    let mut analysis = cli.findings_settings(settings, args.regions)?;
    let sources = &analysis.model.sources;
    let mut diags = std::mem::take(&mut analysis.diagnostics);
    if let Some(path) = &args.write_baseline {
        let text = baseline::write(sources, &diags);
        write_atomic(path, text.as_bytes())?;
        eprintln!(
            "wrote {} finding(s) to `{}`",
            diags.len(),
            aclc::load::display(path)
        );
        return Ok(Outcome::Clean);
    }
    let mut baselined = 0;
    if let Some(path) = &args.baseline {
        let known = baseline::read(path)?;
        let before = diags.len();
        diags = baseline::filter(sources, diags, &known);
        baselined = before - diags.len();
    }
    let started = std::time::Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let written = match args.format {
        Format::Text => {
            render::terminal::write(&mut out, sources, &diags, cli.color()).and_then(|()| {
                out.write_all(summary_line(&diags, sources.len(), baselined).as_bytes())
            })
        }
        Format::Json => render::json::write(&mut out, sources, &diags, &lint_url, args.regions),
        Format::Sarif => {
            out.write_all(render::sarif::render_linked(sources, &diags, &lint_url).as_bytes())
        }
        Format::Github => out.write_all(render::github::render(sources, &diags).as_bytes()),
    };
    // A closed pipe (`aclc check | head`) ends the output, not the check.
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Failure(format!("cannot write the findings: {e}")))
        }
        _ => {}
    }
    if args.timings {
        let mut timings = analysis.timings.clone();
        timings.push(("render", started.elapsed()));
        eprintln!("{}", timings_line(&timings));
    }
    let failing = diags.iter().any(|d| {
        d.severity == Severity::Error || (args.deny_warnings && d.severity == Severity::Warning)
    });
    // The process ends now: freeing a large analysis and its findings
    // piece by piece would only delay the exit (0.15 s at a million
    // permissions).
    std::mem::forget(analysis);
    std::mem::forget(diags);
    Ok(if failing {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `read files 12 ms, parse 310 ms, …, total 1.20 s`.
pub(super) fn timings_line(timings: &[(&str, std::time::Duration)]) -> String {
    let show = |d: std::time::Duration| {
        let ms = d.as_secs_f64() * 1000.0;
        if ms >= 1000.0 {
            format!("{:.2} s", ms / 1000.0)
        } else {
            format!("{ms:.0} ms")
        }
    };
    let total: std::time::Duration = timings.iter().map(|(_, d)| *d).sum();
    let mut parts: Vec<String> = timings
        .iter()
        .map(|(name, d)| format!("{name} {}", show(*d)))
        .collect();
    parts.push(format!("total {}", show(total)));
    format!("timings: {}", parts.join(", "))
}

fn summary_line(diags: &[aclc::diagnostic::Diagnostic], files: usize, baselined: usize) -> String {
    let s = Summary::of(diags);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let mut line = if diags.is_empty() {
        format!("no problems found in {}", plural(files, "file"))
    } else {
        format!(
            "{}, {}, {} in {}",
            plural(s.errors, "error"),
            plural(s.warnings, "warning"),
            plural(s.infos, "info"),
            plural(files, "file")
        )
    };
    if baselined > 0 {
        line.push_str(&format!(" ({baselined} more recorded in the baseline)"));
    }
    line.push('\n');
    line
}
