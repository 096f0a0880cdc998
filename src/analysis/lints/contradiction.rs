//! `contradiction`: a later include decides some cases differently from the
//! include that decides them first.

use rayon::prelude::*;

use super::exact::{full_region, DecidingRules};
use super::{Context, Lint, LintInfo};
use crate::analysis::region::Region;
use crate::diagnostic::{Diagnostic, Severity};

pub struct Contradiction;

static INFO: LintInfo = LintInfo {
    code: "contradiction",
    default_severity: Severity::Warning,
    summary: "a later include of an access level decides some cases differently from the include that decides them first; the first wins (seed: \"the first available definition will be used\"); own permissions covering those cases make the intent explicit and silence it",
    doc: r#"When two included access levels decide the same request differently, the
first include wins and the later one is silently overruled. That is easy to
get wrong when reordering includes.

Example:

    component "Deny passwords" { deny read Accounts.password }
    component "Account admin"  { allow all Accounts.* }

    access_level "Support" for user {
        include "Deny passwords", "Account admin"   # Account admin allows
    }                                               # read Accounts.password

Fix: reorder the includes if the later one should win, or state the intended
decision as an own permission of the access level (own permissions come
first), which also silences the finding."#,
};

impl Lint for Contradiction {
    fn info(&self) -> &'static LintInfo {
        &INFO
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let model = cx.model;
        let sem = cx.semantics();
        let all = &sem.contradictions;
        if !cx.full_regions {
            // The cases are written already (while the blocks were
            // composed): nothing is composed again.
            let found: Vec<Diagnostic> = all
                .par_iter()
                .filter(|c| cx.reports_on(c.acl))
                .map_init(DecidingRules::default, |rules, c| {
                    diagnostic(cx, c, None, rules)
                })
                .collect();
            out.extend(found);
            return;
        }
        // With whole regions, the regions of one block's contradictions
        // are worked out together (the block recomposed once), the blocks
        // in parallel, in order.
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        for (i, c) in all.iter().enumerate() {
            if !cx.reports_on(c.acl) {
                continue;
            }
            match groups.last_mut() {
                Some(g) if all[g.start].acl == c.acl => g.end = i + 1,
                _ => groups.push(i..i + 1),
            }
        }
        let found: Vec<Diagnostic> = groups
            .into_par_iter()
            .flat_map_iter(|g| {
                let group = &all[g];
                let laters: Vec<usize> = group.iter().map(|c| c.later).collect();
                let mut rules = DecidingRules::default();
                let regions = sem.contradicted_in(model, group[0].acl, &laters);
                group
                    .iter()
                    .zip(regions)
                    .map(|(c, earlier)| {
                        let mut all = Region::new();
                        for (_, r) in &earlier {
                            all.union_with(r);
                        }
                        diagnostic(cx, c, Some(&all), &mut rules)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.extend(found);
    }
}

/// The finding of one contradiction; `all` is its whole region when
/// findings carry their regions.
fn diagnostic(
    cx: &Context<'_>,
    c: &crate::analysis::semantics::Contradiction,
    all: Option<&Region>,
    rules: &mut DecidingRules,
) -> Diagnostic {
    let model = cx.model;
    let sem = cx.semantics();
    let acl = model.acl(c.acl);
    let later = &acl.includes[c.later];
    let firsts: Vec<String> = c
        .earlier
        .iter()
        .map(|i| format!("`{}`", acl.includes[*i].name.node))
        .collect();
    let mut diag = Diagnostic::new(
        &INFO,
        later.name.span,
        format!(
            "in `{}`, `{}` decides {} differently from the earlier include {}, which wins",
            acl.name,
            later.name.node,
            c.text(),
            firsts.join(", ")
        ),
    )
    .label("overruled here")
    .access_level(acl.name.clone());
    for (i, first) in c.earlier.iter().zip(&c.firsts) {
        let inc = &acl.includes[*i];
        diag = diag.related(
            inc.name.span,
            format!("`{}` decides {} first", inc.name.node, first.text),
        );
        if let Some((span, label)) = inc
            .target
            .and_then(|t| rules.of(model, sem, t, first.cell, "decides first"))
        {
            diag = diag.related(span, label);
        }
        if let Some((span, label)) = later
            .target
            .and_then(|t| rules.of(model, sem, t, first.cell, "is overruled"))
        {
            diag = diag.related(span, label);
        }
    }
    let regions = all.map(|r| full_region(cx, r)).unwrap_or_default();
    diag.regions(regions).help(format!(
                "reorder the includes if `{}` should win, or add an own permission to `{}` that states the intended decision",
                later.name.node, acl.name
            ))
}
