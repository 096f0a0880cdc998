//! `default-widens-predefined`: an overriding default allows what the
//! predefined default of its participant type denies.

use super::exact::{deciding_rule, full_region, region_text};
use super::{Context, Lint, LintInfo};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::Scope;
use crate::source::Origin;

pub struct DefaultWidensPredefined;

static INFO: LintInfo = LintInfo {
    code: "default-widens-predefined",
    default_severity: Severity::Warning,
    summary: "the overriding default allows what the predefined default denies (regions listed)",
    doc: r#"Overriding a participant type's default access level (for all environments or
for one) changes what every new participant of that type may do. An override
that allows more than the platform's predefined default widens access for
everyone created without an explicit access level.

Example:

    access_level "Generous customer" for customer {
        allow all Customers.*
        include "Customer self-care"
    }
    default customer = "Generous customer"   # allows update Customers.credit_limit

Fix: make the default as narrow as the predefined one (add own `deny`
permissions), or, if the wider access is intended, suppress the finding with
`# aclc-ignore default-widens-predefined reason`."#,
};

impl Lint for DefaultWidensPredefined {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let predefined: Vec<_> = model
            .defaults
            .iter()
            .filter(|d| d.scope == Scope::Predefined)
            .collect();
        for d in model.defaults.iter().filter(|d| d.origin == Origin::User) {
            let Some(target) = d.target else { continue };
            let Some(base) = predefined.iter().find(|p| p.decl.ty.node == d.decl.ty.node) else {
                continue;
            };
            let Some(base_acl) = base.target else {
                continue;
            };
            if base_acl == target || model.acl(target).kind != model.acl(base_acl).kind {
                continue;
            }
            let sem = cx.semantics();
            let wider = sem
                .kept(target)
                .allowed
                .unpack()
                .difference(&sem.kept(base_acl).allowed.unpack());
            if wider.is_empty() {
                continue;
            }
            let new_name = &model.acl(target).name;
            let base_name = &model.acl(base_acl).name;
            let mut diag = Diagnostic::new(
                &INFO,
                d.decl.acl.span,
                format!(
                    "the `{}` default for {} is `{new_name}`, which allows what the predefined default `{base_name}` denies: {}",
                    d.decl.ty.node.as_str(),
                    d.scope.describe(),
                    region_text(&sem.universe, &wider)
                ),
            )
            .label("widens the default")
            .related(base.decl.acl.span, format!("the predefined default `{base_name}`"))
            .access_level(new_name.clone());
            if let Some((span, label)) = deciding_rule(model, sem, target, &wider, "allows it") {
                diag = diag.related(span, label);
            }
            out.push(diag.regions(full_region(cx, &wider)).help(format!(
                "add own `deny` permissions to `{new_name}` for what it must not allow, or suppress this finding if the wider access is intended"
            )));
        }
    }
}
