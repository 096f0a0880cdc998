//! Code actions that need a human choice, so `aclc fix` does not apply
//! them: remove a shadowed rule or an include whose cases are all decided
//! earlier, settle a contradiction with explicit own permissions (keeping
//! the decision, or handing it to the later include), suppress a finding
//! with an `aclc-ignore` comment. The safe fixes of the diagnostic model
//! are offered beside them (see the server). Every action is built from the
//! analysis the finding comes from.

use crate::analysis::region::{describe, Region};
use crate::analysis::Analysis;
use crate::diagnostic::{Diagnostic, Edit, Fix};
use crate::model::AccessLevel;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Access, AccessSet, Effect, Pattern, Statement};

/// The LSP-only actions for one finding.
pub fn for_finding(a: &Analysis, d: &Diagnostic) -> Vec<Fix> {
    let mut out = Vec::new();
    match d.code {
        "shadowed-rule" => out.extend(remove_shadowed(a, d)),
        "dead-include" if d.fixes.is_empty() => out.extend(remove_dead_include(a, d)),
        "contradiction" => out.extend(settle_contradiction(a, d)),
        _ => {}
    }
    out.extend(ignore(a, d));
    out
}

/// Remove a rule that never decides for any of its access types.
fn remove_shadowed(a: &Analysis, d: &Diagnostic) -> Option<Fix> {
    let model = &a.model;
    let dead = a.semantics.dead_rules.iter().find(|x| {
        model
            .acl(x.acl)
            .rules
            .get(x.rule)
            .is_some_and(|r| r.span == d.span)
    })?;
    let rule = &model.acl(dead.acl).rules[dead.rule];
    let mut never = dead.shadowed;
    for x in dead.redundant.iter() {
        never.insert(x);
    }
    if never != rule.access {
        return None;
    }
    Some(Fix {
        title: format!("remove the shadowed rule `{}`", rule.display()),
        edits: vec![Edit::remove_statement(
            model.sources.file(rule.span.file),
            rule.span,
        )],
    })
}

/// Remove an include whose every case is decided earlier.
fn remove_dead_include(a: &Analysis, d: &Diagnostic) -> Option<Fix> {
    let model = &a.model;
    let dead = a.semantics.dead_includes.iter().find(|x| {
        model
            .acl(x.acl)
            .includes
            .get(x.include)
            .is_some_and(|i| i.name.span == d.span)
    })?;
    let acl = model.acl(dead.acl);
    let inc = &acl.includes[dead.include];
    let names: Vec<Span> = acl
        .includes
        .iter()
        .filter(|i| i.stmt == inc.stmt)
        .map(|i| i.name.span)
        .collect();
    let i = names.iter().position(|s| *s == inc.name.span)?;
    let file = model.sources.file(inc.stmt.file);
    Some(Fix {
        title: format!("remove the include of `{}`", inc.name.node),
        edits: vec![Edit::remove_list_item(file, inc.stmt, &names, i)],
    })
}

/// A region written as permissions with one effect, when it can be written
/// exactly so (no `except` parts, not cut short); checked against the
/// universe: the rules cover the region and nothing else.
fn as_rules(a: &Analysis, region: &Region, effect: Effect) -> Option<Vec<String>> {
    let u = &a.semantics.universe;
    let mut rules = Vec::new();
    let mut covered = Region::new();
    for line in describe(u, region, 64) {
        let (access, target) = line.rsplit_once(' ')?;
        let (object, attribute) = target.split_once('.')?;
        let mut set = AccessSet::default();
        for name in access.split(", ") {
            set.insert(Access::parse(name)?);
        }
        let (object, attribute) = (pattern(object), pattern(attribute));
        covered.union_with(&u.region(set, &object, &attribute));
        rules.push(format!("{effect} {set} {target}"));
    }
    (covered.difference(region).is_empty() && region.difference(&covered).is_empty())
        .then_some(rules)
}

fn pattern(text: &str) -> Pattern {
    match text.strip_suffix('*') {
        Some("") => Pattern::Any,
        Some(prefix) => Pattern::Prefix(prefix.into()),
        None => Pattern::Exact(text.into()),
    }
}

/// Where new own permissions of `acl` go, and the indentation: below the
/// last own permission, else above the first statement.
fn insertion(file: &SourceFile, acl: &AccessLevel) -> Option<(usize, String, bool)> {
    let last = acl.statements.iter().rev().find_map(|s| match s {
        Statement::Permission(p) => Some(p.span),
        _ => None,
    });
    let first = acl.statements.first().map(statement_span)?;
    let anchor = last.unwrap_or(first);
    let line = file.lines.line_of(anchor.start);
    let start = file.lines.line_start(line) as usize;
    let indent = file.text.get(start..anchor.start as usize)?;
    if !indent.trim().is_empty() {
        return None;
    }
    match last {
        Some(_) => {
            let end = file.next_line_start(file.lines.line_of(anchor.end));
            let after = file.text.get(anchor.end as usize..end)?.trim();
            (after.is_empty() || after.starts_with('#'))
                .then(|| (end, indent.to_string(), file.text[..end].ends_with('\n')))
        }
        None => Some((start, indent.to_string(), true)),
    }
}

fn statement_span(s: &Statement) -> Span {
    match s {
        Statement::Permission(p) => p.span,
        Statement::Include { span, .. } | Statement::VisibleTo { span, .. } => *span,
        Statement::Group(n) | Statement::Subsystem(n) | Statement::Description(n) => n.span,
        Statement::Hidden(s) => *s,
    }
}

/// Own permissions stating the decision on the contradicted cases: the
/// earlier include's (what happens now, made explicit: no decision
/// changes), or the later include's (the later one wins: decisions change,
/// as asked).
fn settle_contradiction(a: &Analysis, d: &Diagnostic) -> Vec<Fix> {
    let model = &a.model;
    let sem = &a.semantics;
    let Some(c) = sem.contradictions.iter().find(|c| {
        model
            .acl(c.acl)
            .includes
            .get(c.later)
            .is_some_and(|i| i.name.span == d.span)
    }) else {
        return Vec::new();
    };
    let acl = model.acl(c.acl);
    let file = model.sources.file(acl.span.file);
    let Some((at, indent, newline_before)) = insertion(file, acl) else {
        return Vec::new();
    };
    let mut region = Region::new();
    for (_, r) in sem.contradicted(model, c) {
        region.union_with(&r);
    }
    let allowed_now = sem.kept(c.acl).allowed.intersection(&region);
    let denied_now = region.difference(&allowed_now);
    let later = &acl.includes[c.later].name.node;
    let mut out = Vec::new();
    for (title, allowed, denied) in [
        (
            "keep the current decision: add it as own permissions".to_string(),
            &allowed_now,
            &denied_now,
        ),
        (
            format!("let `{later}` decide: add its decision as own permissions"),
            &denied_now,
            &allowed_now,
        ),
    ] {
        let (Some(allow), Some(deny)) = (
            as_rules(a, allowed, Effect::Allow),
            as_rules(a, denied, Effect::Deny),
        ) else {
            continue;
        };
        let mut text = String::new();
        if !newline_before {
            text.push('\n');
        }
        for rule in deny.iter().chain(&allow) {
            text.push_str(&format!("{indent}{rule}\n"));
        }
        out.push(Fix {
            title: format!("{title} ({} rule(s))", allow.len() + deny.len()),
            edits: vec![Edit::replace(Span::new(acl.span.file, at, at), text)],
        });
    }
    out
}

/// `# aclc-ignore CODE reason` above the finding's line (or the code added
/// to the suppression already there).
fn ignore(a: &Analysis, d: &Diagnostic) -> Option<Fix> {
    let file = a.model.sources.file(d.span.file);
    let line = file.lines.line_of(d.span.start);
    let start = file.lines.line_start(line) as usize;
    let text = &file.text;
    let indent: String = text
        .get(start..)?
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let title = format!("suppress `{}` here with an `aclc-ignore` comment", d.code);
    if let Some(above) = line.checked_sub(1) {
        let above_start = file.lines.line_start(above) as usize;
        let above_text = text.get(above_start..start)?;
        let trimmed = above_text.trim_start();
        if let Some(rest) = trimmed.strip_prefix("# aclc-ignore ") {
            let at = above_start + (above_text.len() - trimmed.len()) + "# aclc-ignore ".len();
            if rest.split([',', ' ']).any(|c| c == d.code) {
                return None;
            }
            return Some(Fix {
                title,
                edits: vec![Edit::replace(
                    Span::new(d.span.file, at, at),
                    format!("{}, ", d.code),
                )],
            });
        }
    }
    // Between a doc comment and its declaration, the comment goes at the
    // end of the line instead (when it has no comment yet).
    let doc_above = line
        .checked_sub(1)
        .and_then(|l| text.get(file.lines.line_start(l) as usize..start))
        .is_some_and(|t| t.trim_start().starts_with("##"));
    if doc_above {
        let commented = a
            .model
            .comments_of(d.span.file)
            .iter()
            .any(|c| file.lines.line_of(c.span.start) == line);
        if commented {
            return None;
        }
        let end = file.next_line_start(line);
        let end = if text[..end].ends_with('\n') {
            end - 1
        } else {
            end
        };
        let end = if text[..end].ends_with('\r') {
            end - 1
        } else {
            end
        };
        return Some(Fix {
            title,
            edits: vec![Edit::replace(
                Span::new(d.span.file, end, end),
                format!(
                    "  # aclc-ignore {} REASON: say why this is intended",
                    d.code
                ),
            )],
        });
    }
    Some(Fix {
        title,
        edits: vec![Edit::replace(
            Span::new(d.span.file, start, start),
            format!(
                "{indent}# aclc-ignore {} REASON: say why this is intended\n",
                d.code
            ),
        )],
    })
}
