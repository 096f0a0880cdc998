//! `aclc fix`: apply the safe quick fixes of the findings (the ones the
//! language server offers as code actions), file by file, atomically, then
//! check again.

use std::collections::BTreeMap;
use std::path::Path;

use super::{write_atomic, Cli, Failure, Outcome};
use aclc::diagnostic::{apply_edits, compatible_fixes, Edit, Fix, Severity};
use aclc::source::{FileId, Origin, SourceFile};

/// Shown after `aclc help fix`.
pub const EXAMPLES: &str = "\
Examples:
  aclc fix -p policies/examples --dry-run      show each fix, change nothing
  aclc fix -p policies/examples                apply every safe fix, then check again
  aclc fix -p policies/examples --only redundant-rule";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print what would change (a diff per fix) and change nothing
    #[arg(long)]
    dry_run: bool,
    /// Apply only the fixes of findings with this code (repeatable)
    #[arg(long, value_name = "CODE")]
    only: Vec<String>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<Outcome, Failure> {
    for code in &args.only {
        if aclc::analysis::lints::find(code).is_none() {
            return Err(Failure(format!(
                "`{code}` is not a lint code; run `aclc lints` for the list"
            )));
        }
    }
    let analysis = cli.analyze()?;
    let sources = &analysis.model.sources;
    let mut by_file: BTreeMap<FileId, Vec<&Fix>> = BTreeMap::new();
    // Where each fix's finding is, to say so.
    let mut at: Vec<(&Fix, aclc::source::Span)> = Vec::new();
    for d in &analysis.diagnostics {
        if !args.only.is_empty() && !args.only.iter().any(|c| c == d.code) {
            continue;
        }
        if sources.file(d.span.file).origin != Origin::User {
            continue;
        }
        if let Some(fix) = d.fixes.first() {
            by_file.entry(d.span.file).or_default().push(fix);
            at.push((fix, d.span));
        }
    }
    let mut applied = 0usize;
    let mut files = 0usize;
    let mut skipped = 0usize;
    for (file, fixes) in &by_file {
        let f = sources.file(*file);
        let (taken, edits) = compatible_fixes(fixes);
        skipped += fixes.len() - taken.len();
        let Some(fixed) = apply_edits(&f.text, &edits) else {
            eprintln!("warning: the fixes of `{}` overlap; left as it is", f.path);
            continue;
        };
        // Never make a file worse: a fix must not add a syntax error.
        let before = aclc::syntax::parse_file(*file, &f.text).errors.len();
        let after = aclc::syntax::parse_file(*file, &fixed).errors.len();
        if after > before {
            eprintln!(
                "warning: the fixes of `{}` would break its syntax; left as it is",
                f.path
            );
            continue;
        }
        for fix in &taken {
            let span = at
                .iter()
                .find(|(x, _)| std::ptr::eq(*x, *fix))
                .map(|(_, s)| *s);
            print!("{}", describe(f, sources, fix, span, args.dry_run));
        }
        if !args.dry_run {
            let path = Path::new(&f.path);
            let mode = std::fs::metadata(path).map(|m| m.permissions());
            write_atomic(path, fixed.as_bytes())?;
            if let Ok(mode) = mode {
                let _ = std::fs::set_permissions(path, mode);
            }
        }
        applied += taken.len();
        files += 1;
    }
    let verb = if args.dry_run {
        "would apply"
    } else {
        "applied"
    };
    let mut summary = format!("{verb} {applied} fix(es) in {files} file(s)");
    if skipped > 0 {
        summary.push_str(&format!(
            "; {skipped} overlapping fix(es) left for another run"
        ));
    }
    if args.dry_run || applied == 0 {
        eprintln!("{summary}");
        return Ok(Outcome::Clean);
    }
    // Check again: what is left, and whether errors remain.
    let again = cli.analyze()?;
    let errors = again
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    eprintln!(
        "{summary}; {} finding(s) left ({errors} error(s)); run `aclc check` to see them",
        again.diagnostics.len()
    );
    Ok(if errors > 0 {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// `path:line:column: title`, and with `diff`, the lines before and after.
fn describe(
    f: &SourceFile,
    sources: &aclc::source::SourceMap,
    fix: &Fix,
    finding: Option<aclc::source::Span>,
    diff: bool,
) -> String {
    let Some(first) = fix.edits.first() else {
        return String::new();
    };
    let span = finding.unwrap_or(first.span);
    let mut out = format!("{}: {}\n", sources.location(span), fix.title);
    if !diff {
        return out;
    }
    for e in &fix.edits {
        let (old, new) = lines_around(f, e);
        for l in old.lines() {
            out.push_str(&format!("  - {l}\n"));
        }
        for l in new.lines() {
            out.push_str(&format!("  + {l}\n"));
        }
    }
    out
}

/// The whole lines an edit touches, before and after it.
fn lines_around(f: &SourceFile, e: &Edit) -> (String, String) {
    let first = f.lines.line_of(e.span.start);
    let end = if e.span.end > e.span.start {
        e.span.end - 1
    } else {
        e.span.end
    };
    let last = f.lines.line_of(end.max(e.span.start));
    let start = f.lines.line_start(first) as usize;
    let stop = f.next_line_start(last);
    let old = f.text.get(start..stop).unwrap_or("").to_string();
    let shifted = Edit::replace(
        aclc::source::Span::new(
            e.span.file,
            e.span.start as usize - start,
            e.span.end as usize - start,
        ),
        e.text.clone(),
    );
    let new = apply_edits(&old, &[&shifted]).unwrap_or_default();
    (old, new)
}
