//! `aclc test`: run the `test` blocks; `--coverage` lists the rules no test
//! exercises.

use clap::ValueEnum;

use super::{Cli, Failure, Outcome};
use aclc::analysis::Analysis;
use aclc::diagnostic::Severity;
use aclc::render;
use aclc::testing::{self, TestOutcome};

/// Shown after `aclc help test`.
pub const EXAMPLES: &str = "\
Examples:
  aclc test                                    run the test blocks; ends with `N passed, M failed`
  aclc test --coverage                         also list the rules no expectation exercises
  aclc test --format junit > aclc-tests.xml    a JUnit report for CI";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also list the rules of the policy files that no test exercises
    #[arg(long)]
    coverage: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Junit,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    let analysis = cli.analyze()?;
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if !errors.is_empty() {
        let sources = &analysis.model.sources;
        eprint!(
            "{}",
            render::terminal::render(sources, &errors, cli.color())
        );
        eprintln!(
            "error: tests not run: {} error(s) in the policy set; run `aclc check` and fix them first",
            errors.len()
        );
        return Ok(Outcome::Findings);
    }
    let outcomes = testing::run(&analysis);
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    match args.format {
        Format::Text => print!("{}", text(&analysis, &outcomes, args.coverage)),
        Format::Junit => print!("{}", junit(&analysis, &outcomes)),
    }
    Ok(if failed > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

fn text(a: &Analysis, outcomes: &[TestOutcome], coverage: bool) -> String {
    let mut s = String::new();
    for o in outcomes {
        if o.passed() {
            s.push_str(&format!("test {} ... ok\n", o.name));
            continue;
        }
        s.push_str(&format!("test {} ... FAILED\n", o.name));
        for (span, message) in &o.failures {
            let stmt = a.model.sources.file(span.file).slice(*span).trim();
            s.push_str(&format!(
                "  {}: {stmt}\n    {message}\n",
                a.model.sources.location(*span)
            ));
        }
    }
    if coverage {
        let uncovered = testing::coverage(a);
        let total: usize = a
            .model
            .acls
            .iter()
            .filter(|x| x.origin == aclc::source::Origin::User)
            .map(|x| x.rules.len())
            .sum();
        s.push_str(&format!(
            "\ncoverage: {} of {total} rule(s) fully exercised by the tests\n",
            total - uncovered.len()
        ));
        for u in &uncovered {
            let acl = a.model.acl(u.acl);
            let rule = &acl.rules[u.rule];
            let part = if u.access.len() == rule.access.iter().count() {
                String::new()
            } else {
                let names: Vec<&str> = u.access.iter().map(|x| x.as_str()).collect();
                format!(" (its `{}` part)", names.join(", "))
            };
            s.push_str(&format!(
                "  {}: `{}` in `{}`{part} is not exercised by any test\n",
                a.model.sources.location(rule.span),
                rule.display(),
                acl.name
            ));
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    s.push_str(&format!(
        "{} passed, {failed} failed\n",
        outcomes.len() - failed
    ));
    s
}

/// Escape text for XML.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

fn junit(a: &Analysis, outcomes: &[TestOutcome]) -> String {
    let failed = outcomes.iter().filter(|o| !o.passed()).count();
    let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.push_str(&format!(
        "<testsuites name=\"aclc\" tests=\"{}\" failures=\"{failed}\">\n  <testsuite name=\"aclc\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\">\n",
        outcomes.len(),
        outcomes.len()
    ));
    for o in outcomes {
        let file = &a.model.sources.file(o.span.file).path;
        s.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
            xml(&o.name),
            xml(file),
            xml(file)
        ));
        if o.passed() {
            s.push_str("/>\n");
            continue;
        }
        let body: Vec<String> = o
            .failures
            .iter()
            .map(|(span, m)| format!("{}: {m}", a.model.sources.location(*span)))
            .collect();
        s.push_str(&format!(
            ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
            xml(&format!("{} expectation(s) failed", o.failures.len())),
            xml(&body.join("\n"))
        ));
    }
    s.push_str("  </testsuite>\n</testsuites>\n");
    s
}
