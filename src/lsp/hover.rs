//! Hover: what the thing under the cursor is and does, from the latest
//! analysis (the same model and exact analysis `aclc check` uses).

use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::convert;
use crate::analysis::region::describe;
use crate::analysis::Analysis;
use crate::model::{AccessLevel, AclId};
use crate::source::{FileId, Span};
use crate::syntax::ast::{Item, Pattern, Statement};

/// How many permission lines a summary of effective permissions lists.
const SUMMARY_LINES: usize = 8;

/// The hover at `pos` in the file at `path`.
pub fn hover(a: &Analysis, path: &str, pos: Position) -> Option<Hover> {
    let sources = &a.model.sources;
    let file = sources.find(path)?;
    let at = convert::offset(sources, file, pos);
    let inside = |s: Span| s.file == file && s.start <= at && at <= s.end;
    let (text, span) = find(a, file, &inside)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(convert::range(sources, span)),
    })
}

/// The hover for a name the structural hover does not cover: an access
/// level named by a default, a test or a guard, a reseller.
pub fn hover_name(
    a: &Analysis,
    index: &super::symbols::Index,
    path: &str,
    pos: Position,
) -> Option<Hover> {
    use super::symbols::Symbol;
    let o = super::navigate::occurrence_at(a, index, path, pos)?;
    let text = match &o.symbol {
        Symbol::Acl(name) => match a.model.lookup(name) {
            Some(id) => access_level(a, id),
            None => format!("`{name}` is not declared"),
        },
        Symbol::Reseller(name) => {
            let visible: Vec<String> = a
                .model
                .acls
                .iter()
                .filter(|l| l.visible_to.iter().any(|v| *v.node == **name))
                .map(|l| format!("`{}`", l.name))
                .collect();
            let declared = if a.model.has_reseller(name) {
                ""
            } else {
                " (not declared)"
            };
            let mut s = format!("**reseller** `{name}`{declared}\n\n");
            if visible.is_empty() {
                s.push_str("No access level names it in `visible_to`.");
            } else {
                s.push_str(&format!("Sees {}.", visible.join(", ")));
            }
            s
        }
        Symbol::Object(name) => object_doc(a, name),
        Symbol::Attribute(object, attr) => attribute_doc(a, object, attr),
    };
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(convert::range(&a.model.sources, o.span)),
    })
}

fn find(a: &Analysis, file: FileId, inside: &dyn Fn(Span) -> bool) -> Option<(String, Span)> {
    let model = &a.model;
    for acl in model.acls.iter().filter(|l| l.span.file == file) {
        if !inside(acl.span) {
            continue;
        }
        if inside(acl.head) {
            return Some((access_level(a, acl.id), acl.head));
        }
        for inc in &acl.includes {
            if inside(inc.name.span) {
                return Some((include(a, acl, inc), inc.name.span));
            }
        }
        for (i, rule) in acl.rules.iter().enumerate() {
            if inside(rule.span) {
                if let Some(found) = target(a, acl, i, inside) {
                    return Some(found);
                }
                return Some((rule_text(a, acl, i), rule.span));
            }
        }
    }
    // The targets of guards and tests, and catalog declarations.
    let parsed_items = items_of(a, file);
    for item in &parsed_items {
        let rules: Vec<&crate::syntax::ast::PermissionStmt> = match item {
            Item::Guard(g) => g.rules.iter().collect(),
            Item::Test(t) => t.expectations.iter().map(|e| &e.rule).collect(),
            _ => Vec::new(),
        };
        for p in rules {
            let (object, attribute) = (&p.target.object, &p.target.attribute);
            if inside(object.span) {
                return Some((pattern_doc(a, &object.node, None), object.span));
            }
            if inside(attribute.span) {
                return Some((
                    pattern_doc(a, &attribute.node, Some(&object.node)),
                    attribute.span,
                ));
            }
        }
    }
    for item in parsed_items {
        if let Item::Object(o) = item {
            if inside(o.name.span) {
                return Some((object_doc(a, &o.name.node), o.name.span));
            }
            for attr in &o.attributes {
                if inside(attr.span) {
                    return Some((attribute_doc(a, &o.name.node, &attr.node), attr.span));
                }
            }
        }
    }
    None
}

/// The items of a file, from the model's statements where it keeps them.
fn items_of(a: &Analysis, file: FileId) -> Vec<Item> {
    // The model keeps the catalog by object, not the declarations; parse
    // the file again (cheap: one file) to find where each is written.
    let f = a.model.sources.file(file);
    crate::syntax::parse_file(file, &f.text).items
}

fn access_level(a: &Analysis, id: AclId) -> String {
    let model = &a.model;
    let acl = model.acl(id);
    let mut s = format!("**{}** `{}`", acl.kind.described(), acl.name);
    if acl.origin == crate::source::Origin::Predefined {
        s.push_str(" (predefined)");
    }
    s.push_str("\n\n");
    if let Some(doc) = &acl.doc {
        s.push_str(doc);
        s.push_str("\n\n");
    }
    let mut flags = Vec::new();
    if acl.hidden.is_some() {
        flags.push("hidden".to_string());
    }
    if !acl.visible_to.is_empty() {
        let names: Vec<String> = acl
            .visible_to
            .iter()
            .map(|n| format!("`{}`", n.node))
            .collect();
        flags.push(format!("visible to {}", names.join(", ")));
    }
    if let Some(g) = &acl.group {
        flags.push(format!("group `{}`", g.node));
    }
    if let Some(sub) = &acl.subsystem {
        flags.push(format!("subsystem `{}`", sub.node));
    }
    if let Some(d) = &acl.description {
        flags.push(format!("description “{}”", d.node));
    }
    if !flags.is_empty() {
        s.push_str(&flags.join(" · "));
        s.push_str("\n\n");
    }
    let included_by: Vec<String> = model
        .acls
        .iter()
        .filter(|l| l.includes.iter().any(|i| i.target == Some(id)))
        .map(|l| format!("`{}`", l.name))
        .collect();
    if included_by.is_empty() {
        s.push_str("Included by no access level.\n\n");
    } else {
        s.push_str(&format!("Included by {}.\n\n", included_by.join(", ")));
    }
    let defaults: Vec<String> = model
        .defaults
        .iter()
        .filter(|d| d.target == Some(id))
        .map(|d| format!("`{}` in {}", d.decl.ty.node.as_str(), d.scope.describe()))
        .collect();
    if !defaults.is_empty() {
        s.push_str(&format!("Default for {}.\n\n", defaults.join(", ")));
    }
    let tests = model
        .tests
        .iter()
        .filter(|t| t.expectations.iter().any(|e| *e.acl.node == acl.name))
        .count();
    let guards = model
        .guards
        .iter()
        .filter(|g| {
            g.decl.targets.iter().any(|t| match &t.node {
                crate::syntax::ast::GuardTarget::Named(n) => *n == acl.name,
                crate::syntax::ast::GuardTarget::Type(p) => {
                    acl.kind == crate::syntax::ast::AclKind::Participant(*p)
                }
            })
        })
        .count();
    if tests + guards > 0 {
        s.push_str(&format!(
            "Checked by {tests} test(s) and {guards} guard(s).\n\n"
        ));
    }
    let sem = &a.semantics;
    if let Some(summary) = sem.summaries.get(id.0 as usize).map(|k| k.summary()) {
        let allowed = describe(&sem.universe, &summary.allowed, SUMMARY_LINES);
        if allowed.is_empty() {
            s.push_str("Effective permissions: allows nothing.");
        } else {
            s.push_str("Effective permissions, allowed:\n");
            for line in allowed {
                s.push_str(&format!("- `{line}`\n"));
            }
        }
        if sem.unresolved.get(id.0 as usize).copied().unwrap_or(false) {
            s.push_str("\n(incomplete: it reaches an include of an undeclared name)");
        }
    }
    s
}

fn include(a: &Analysis, acl: &AccessLevel, inc: &crate::model::Include) -> String {
    let Some(target) = inc.target else {
        return format!("`{}` is not declared", inc.name.node);
    };
    let sem = &a.semantics;
    let mut s = format!("include of `{}`\n\n", inc.name.node);
    let dead = a.diagnostics.iter().find(|d| {
        d.span == inc.name.span && matches!(d.code, "dead-include" | "duplicate-include")
    });
    match dead {
        Some(d) => s.push_str(&format!(
            "Contributes nothing to `{}`: {}.\n\n",
            acl.name, d.message
        )),
        None => {
            if let Some(summary) = sem.summaries.get(target.0 as usize).map(|k| k.summary()) {
                // What is decided before it: own permissions, then the
                // earlier includes (each with everything it reaches).
                let mut before =
                    std::sync::Arc::unwrap_or_clone(sem.own_summary(&a.model, acl.id).decided);
                for earlier in acl
                    .includes
                    .iter()
                    .take_while(|i| i.name.span != inc.name.span)
                {
                    if let Some(o) = earlier.target.and_then(|t| sem.summaries.get(t.0 as usize)) {
                        before.union_with(&o.decided.unpack());
                    }
                }
                let new = summary.decided.difference(&before);
                let allowed = new.intersection(&summary.allowed);
                let denied = new.difference(&summary.allowed);
                s.push_str(&format!("Decides for `{}`, first:\n", acl.name));
                for (effect, part) in [("allow", allowed), ("deny", denied)] {
                    for line in describe(&sem.universe, &part, SUMMARY_LINES) {
                        s.push_str(&format!("- {effect} `{line}`\n"));
                    }
                }
                s.push('\n');
            }
        }
    }
    s.push_str(&access_level(a, target));
    s
}

fn rule_text(a: &Analysis, acl: &AccessLevel, i: usize) -> String {
    let model = &a.model;
    let rule = &acl.rules[i];
    let mut s = format!("`{}` in `{}`\n\n", rule.display(), acl.name);
    let dead = a
        .semantics
        .dead_rules
        .iter()
        .find(|d| d.acl == acl.id && d.rule == i);
    match dead {
        None => {
            s.push_str("Decides some requests: no earlier own permission covers all its cases.")
        }
        Some(d) => {
            let mut dead_access = d.redundant;
            for x in d.shadowed.iter() {
                dead_access.insert(x);
            }
            s.push_str(&format!("Never decides for `{dead_access}`; covered by:\n"));
            let mut covering: Vec<usize> = d.covering.iter().map(|(_, r)| *r).collect();
            covering.sort_unstable();
            covering.dedup();
            for r in covering {
                let c = &acl.rules[r];
                let loc = model.sources.location(c.span);
                s.push_str(&format!("- `{}` ({loc})\n", c.display()));
            }
        }
    }
    s
}

/// The hover for the object or attribute of permission `i`, if under the cursor.
fn target(
    a: &Analysis,
    acl: &AccessLevel,
    i: usize,
    inside: &dyn Fn(Span) -> bool,
) -> Option<(String, Span)> {
    let rule = &acl.rules[i];
    let stmt = acl.statements.iter().find_map(|s| match s {
        Statement::Permission(p) if p.span == rule.span => Some(p),
        _ => None,
    })?;
    let (object, attribute) = (&stmt.target.object, &stmt.target.attribute);
    if inside(object.span) {
        return Some((pattern_doc(a, &object.node, None), object.span));
    }
    if inside(attribute.span) {
        return Some((
            pattern_doc(a, &attribute.node, Some(&object.node)),
            attribute.span,
        ));
    }
    None
}

fn pattern_doc(a: &Analysis, p: &Pattern, object: Option<&Pattern>) -> String {
    match (p, object) {
        (Pattern::Exact(name), None) => object_doc(a, name),
        (Pattern::Exact(name), Some(Pattern::Exact(o))) => attribute_doc(a, o, name),
        (p, None) => {
            let names: Vec<&str> = a
                .model
                .catalog
                .objects
                .keys()
                .filter(|n| p.matches(n))
                .map(String::as_str)
                .collect();
            format!(
                "object pattern `{p}`: {} catalog object(s){}",
                names.len(),
                listing(&names)
            )
        }
        (p, Some(o)) => {
            let mut names: Vec<String> = Vec::new();
            for (oname, obj) in a.model.catalog.objects.iter().filter(|(n, _)| o.matches(n)) {
                names.extend(
                    obj.attributes
                        .iter()
                        .filter(|x| p.matches(x))
                        .map(|x| format!("{oname}.{x}")),
                );
            }
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            format!(
                "attribute pattern `{p}`: {} catalog attribute(s){}",
                refs.len(),
                listing(&refs)
            )
        }
    }
}

fn listing(names: &[&str]) -> String {
    if names.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = names.iter().take(12).map(|n| format!("`{n}`")).collect();
    let more = if names.len() > 12 {
        format!(" and {} more", names.len() - 12)
    } else {
        String::new()
    };
    format!(": {}{more}", shown.join(", "))
}

fn object_doc(a: &Analysis, name: &str) -> String {
    match a.model.catalog.objects.get(name) {
        None => format!("object `{name}` is not in the catalog"),
        Some(o) => {
            let mut s = format!("**object** `{name}`\n\n");
            if let Some(doc) = &o.doc {
                s.push_str(doc);
                s.push_str("\n\n");
            }
            let attrs: Vec<String> = o.attributes.iter().map(|x| format!("`{x}`")).collect();
            s.push_str(&format!("Attributes: {}", attrs.join(", ")));
            s
        }
    }
}

fn attribute_doc(a: &Analysis, object: &str, attribute: &str) -> String {
    match a.model.catalog.objects.get(object) {
        Some(o) if o.attributes.contains(attribute) => {
            let mut s = format!("**attribute** `{object}.{attribute}`");
            if let Some(doc) = &o.doc {
                s.push_str(&format!("\n\nof `{object}`: {doc}"));
            }
            s
        }
        _ => format!("attribute `{object}.{attribute}` is not in the catalog"),
    }
}
