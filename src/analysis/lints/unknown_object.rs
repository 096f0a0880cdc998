//! `unknown-object` and `unknown-attribute`: a permission names something
//! the object catalog does not have.

use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use std::ops::Bound;

use super::{suggest_with, Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::diagnostic::{Edit, Suggester};
use crate::model::{CatalogObject, Model};
use crate::source::Span;
use crate::syntax::ast::{Pattern, PermissionStmt};

pub struct UnknownObject;
pub struct UnknownAttribute;

static OBJECT: LintInfo = LintInfo {
    code: "unknown-object",
    default_severity: Severity::Warning,
    summary: "a permission names an object not in the catalog (with \"did you mean\"); off when no catalog",
    doc: r#"The catalog (`object Name { attr, … }` declarations, shipped in the predefined
library) lists the objects the platform checks. A permission on an object that is
not in it (or a prefix `Name*` that matches no object) never matters at run time:
usually a typo that leaves the intended access undecided.

Example:

    allow read Tarifs.*      # did you mean `Tariffs`?

Fix: correct the name, or declare the object in the catalog. When no `object` is
declared at all, this lint is off."#,
};

static ATTRIBUTE: LintInfo = LintInfo {
    code: "unknown-attribute",
    default_severity: Severity::Warning,
    summary: "a permission names an attribute its object does not have (with \"did you mean\"); off when no catalog",
    doc: r#"Like `unknown-object`, for the attribute: no object the pattern can match
has this attribute (or an attribute starting with the prefix).

Example:

    deny read SelfCare.identiy     # did you mean `identity`?

Fix: correct the name, or add the attribute to the object's declaration."#,
};

impl Lint for UnknownObject {
    fn info(&self) -> &'static LintInfo {
        &OBJECT
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let mut names = Suggester::new(model.catalog.objects.keys().map(String::as_str));
        // Policy sets repeat the same few thousand targets: look each up once.
        let mut known: FxHashMap<&Pattern, bool> = FxHashMap::default();
        for_each_target(cx, |target, owner| {
            let obj = target.object;
            let is_known = *known
                .entry(obj)
                .or_insert_with(|| matching_objects(model, obj).next().is_some());
            if is_known {
                return;
            }
            if let Some(d) = object_finding(model, target, owner, &mut names) {
                out.push(d);
            }
        });
    }
}

impl Lint for UnknownAttribute {
    fn info(&self) -> &'static LintInfo {
        &ATTRIBUTE
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        // Suggestions among the attributes of the objects a pattern matches.
        let mut names: FxHashMap<&Pattern, Suggester> = FxHashMap::default();
        // Findings are the same for the same target: decide each pair once
        // (by identity: the model keeps the patterns alive meanwhile).
        let mut fine: FxHashMap<(usize, usize), bool> = FxHashMap::default();
        for_each_target(cx, |target, owner| {
            let key = (target.object.identity(), target.attribute.identity());
            if fine.get(&key) == Some(&true) {
                return;
            }
            let found = attribute_finding(model, &target, owner, &mut names);
            fine.insert(key, found.is_none());
            out.extend(found);
        });
    }
}

/// A permission's target as written: its patterns and where each is.
struct Written<'m> {
    object: &'m Pattern,
    attribute: &'m Pattern,
    object_span: Span,
    attribute_span: Span,
}

/// Every permission target written anywhere (but in blocks whose findings
/// are taken over), with the access level it is in
/// (if any). Does nothing without a catalog.
fn for_each_target<'m>(cx: &Context<'m>, mut f: impl FnMut(Written<'m>, Option<&'m str>)) {
    let model = cx.model;
    if model.catalog.is_empty() {
        return;
    }
    for acl in model.acls.iter().filter(|a| cx.reports_on_block(a.id)) {
        for r in &acl.rules {
            let (object_span, attribute_span) = r.target_spans();
            let written = Written {
                object: &r.object,
                attribute: &r.attribute,
                object_span,
                attribute_span,
            };
            f(written, Some(&acl.name));
        }
    }
    let guard_rules = model.guards.iter().flat_map(|g| g.decl.rules.iter());
    let test_rules = model
        .tests
        .iter()
        .flat_map(|t| t.expectations.iter().map(|e| &e.rule));
    for p in guard_rules.chain(test_rules) {
        let p: &'m PermissionStmt = p;
        let written = Written {
            object: &p.target.object.node,
            attribute: &p.target.attribute.node,
            object_span: p.target.object.span,
            attribute_span: p.target.attribute.span,
        };
        f(written, None);
    }
}

/// The catalog objects a pattern matches, found by key range (the catalog
/// is sorted), not by a scan per permission.
fn matching_objects<'m>(
    model: &'m Model,
    pat: &'m Pattern,
) -> Box<dyn Iterator<Item = (&'m String, &'m CatalogObject)> + 'm> {
    let objects = &model.catalog.objects;
    match pat {
        Pattern::Any => Box::new(objects.iter()),
        Pattern::Exact(n) => Box::new(objects.get_key_value(&**n).into_iter()),
        Pattern::Prefix(p) => Box::new(
            objects
                .range::<str, _>((Bound::Included(&**p), Bound::Unbounded))
                .take_while(move |(name, _)| name.starts_with(&**p)),
        ),
    }
}

/// Whether a pattern matches some attribute of a (sorted) attribute set.
fn has_attribute(attributes: &BTreeSet<String>, pat: &Pattern) -> bool {
    match pat {
        Pattern::Any => !attributes.is_empty(),
        Pattern::Exact(n) => attributes.contains(&**n),
        Pattern::Prefix(p) => attributes
            .range::<str, _>((Bound::Included(&**p), Bound::Unbounded))
            .next()
            .is_some_and(|a| a.starts_with(&**p)),
    }
}

fn object_finding(
    model: &Model,
    target: Written<'_>,
    owner: Option<&str>,
    names: &mut Suggester<'_>,
) -> Option<Diagnostic> {
    let (obj, span) = (target.object, target.object_span);
    if matching_objects(model, obj).next().is_some() {
        return None;
    }
    let (message, help) = match obj {
        Pattern::Exact(n) => (
            format!("object `{n}` is not in the catalog"),
            suggest_with(
                names,
                n,
                &format!("add it to the catalog: `object {n} {{ … }}`"),
            ),
        ),
        Pattern::Prefix(p) => (
            format!("no object in the catalog starts with `{p}`"),
            suggest_with(
                names,
                p,
                "correct the prefix, or add the objects to the catalog",
            ),
        ),
        Pattern::Any => return None,
    };
    let mut d = Diagnostic::new(&OBJECT, span, message)
        .label("unknown object")
        .help(help);
    if let Pattern::Exact(n) = obj {
        if let Some(s) = names.suggest(n) {
            d = d.fix(format!("replace with `{s}`"), vec![Edit::replace(span, s)]);
        }
    }
    if let Some(o) = owner {
        d = d.access_level(o);
    }
    Some(d)
}

fn attribute_finding<'m>(
    model: &'m Model,
    target: &Written<'m>,
    owner: Option<&str>,
    names: &mut FxHashMap<&'m Pattern, Suggester<'m>>,
) -> Option<Diagnostic> {
    let (attr, span) = (target.attribute, target.attribute_span);
    if matches!(attr, Pattern::Any) {
        return None;
    }
    let objects: Vec<_> = matching_objects(model, target.object).collect();
    if objects.is_empty() {
        return None; // already an unknown object
    }
    let known = objects
        .iter()
        .any(|(_, o)| has_attribute(&o.attributes, attr));
    if known {
        return None;
    }
    let names = names.entry(target.object).or_insert_with(|| {
        Suggester::new(
            objects
                .iter()
                .flat_map(|(_, o)| o.attributes.iter().map(String::as_str)),
        )
    });
    let whose = match target.object {
        Pattern::Exact(n) => format!("object `{n}`"),
        other => format!("any object matching `{other}`"),
    };
    let (message, help) = match attr {
        Pattern::Exact(n) => (
            format!("{whose} has no attribute `{n}`"),
            suggest_with(
                names,
                n,
                "correct the attribute, or add it to the object's declaration",
            ),
        ),
        Pattern::Prefix(p) => (
            format!("{whose} has no attribute starting with `{p}`"),
            suggest_with(
                names,
                p,
                "correct the prefix, or add the attributes to the object's declaration",
            ),
        ),
        Pattern::Any => return None,
    };
    let mut d = Diagnostic::new(&ATTRIBUTE, span, message)
        .label("unknown attribute")
        .help(help);
    if let Pattern::Exact(n) = attr {
        if let Some(s) = names.suggest(n) {
            d = d.fix(format!("replace with `{s}`"), vec![Edit::replace(span, s)]);
        }
    }
    if let Some(o) = owner {
        d = d.access_level(o);
    }
    Some(d)
}
