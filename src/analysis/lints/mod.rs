//! The lint registry: one file per lint, each with its code, default
//! severity and documentation, registered once in [`ALL`].

use super::semantics::Semantics;
use crate::diagnostic::{Diagnostic, Severity, Suggester};
use crate::model::Model;

mod contradiction;
mod dead_include;
mod dead_rule;
mod default_override_forbidden;
mod default_type_mismatch;
mod default_widens_predefined;
mod duplicate_default;
mod duplicate_definition;
mod duplicate_include;
mod empty_access_level;
pub(crate) mod exact;
mod guard_violated;
mod include_before_permission;
mod include_cycle;
mod include_type_mismatch;
mod predefined_redefined;
mod redundant_rule;
mod shadowed_rule;
mod syntax_error;
mod unknown_access_level;
mod unknown_include;
mod unknown_object;
mod unknown_reseller;
mod unused_component;
pub mod unused_ignore;
mod visibility_not_applicable;

/// What `aclc lints` knows about a lint.
#[derive(Debug)]
pub struct LintInfo {
    /// Stable kebab-case code.
    pub code: &'static str,
    /// Severity unless `aclc.toml` says otherwise.
    pub default_severity: Severity,
    /// One line: when it fires.
    pub summary: &'static str,
    /// What it finds, why it matters, an example and how to fix it.
    pub doc: &'static str,
}

/// What lints look at: the model and its exact rule analysis.
pub struct Context<'m> {
    /// The semantic model.
    pub model: &'m Model,
    semantics: Semantics,
    /// Whether findings carry their whole regions
    /// ([`crate::analysis::Options::full_regions`]).
    pub full_regions: bool,
    /// Blocks whose findings of the lints that look at a block's closure
    /// are taken over from an earlier analysis (indexed by
    /// [`crate::model::AclId`]): those lints skip them
    /// ([`crate::analysis::incremental`]).
    pub(crate) kept: Option<Vec<bool>>,
    /// Blocks whose findings of the lints that look at a block's own text
    /// (and the catalog) are taken over: those lints skip them.
    pub(crate) kept_block: Option<Vec<bool>>,
    /// Blocks whose findings of the lints that look at a block's own
    /// permissions over the cells are taken over: those lints skip them.
    pub(crate) kept_own: Option<Vec<bool>>,
    /// Blocks whose `guard-violated` findings are taken over (their
    /// closure is as it was, and so is every guard).
    pub(crate) kept_guard: Option<Vec<bool>>,
}

/// Whether `acl` is not among the blocks whose findings are taken over.
fn not_kept(kept: &Option<Vec<bool>>, acl: crate::model::AclId) -> bool {
    kept.as_ref()
        .is_none_or(|kept| !kept.get(acl.0 as usize).copied().unwrap_or(false))
}

impl<'m> Context<'m> {
    /// A context over a model and its exact analysis.
    pub fn new(model: &'m Model, semantics: Semantics) -> Context<'m> {
        Context {
            model,
            semantics,
            full_regions: false,
            kept: None,
            kept_block: None,
            kept_own: None,
            kept_guard: None,
        }
    }

    /// Whether the block-local lints report on `acl` (its findings are not
    /// taken over from an earlier analysis).
    pub(crate) fn reports_on(&self, acl: crate::model::AclId) -> bool {
        not_kept(&self.kept, acl)
    }

    /// Whether the lints looking at a block's own text report on `acl`
    /// (its findings are not taken over from an earlier analysis).
    pub(crate) fn reports_on_block(&self, acl: crate::model::AclId) -> bool {
        not_kept(&self.kept_block, acl)
    }

    /// Whether the lints looking at a block's own permissions over the
    /// cells report on `acl` (its findings are not taken over from an
    /// earlier analysis).
    pub(crate) fn reports_on_own(&self, acl: crate::model::AclId) -> bool {
        not_kept(&self.kept_own, acl)
    }

    /// Whether `guard-violated` reports on `acl` (its findings are not
    /// taken over from an earlier analysis).
    pub(crate) fn reports_on_guards(&self, acl: crate::model::AclId) -> bool {
        not_kept(&self.kept_guard, acl)
    }

    /// The exact rule analysis of the model.
    pub fn semantics(&self) -> &Semantics {
        &self.semantics
    }

    /// Free what only the lints that read summaries and compositions
    /// need, keeping the cells and the dead rules (see
    /// [`Semantics::release_all_but_dead_rules`]).
    pub(crate) fn release_all_but_dead_rules(&mut self) {
        self.semantics.release_all_but_dead_rules();
    }

    /// The analysis, back from the context.
    pub fn into_semantics(self) -> Semantics {
        self.semantics
    }
}

/// A lint: its info and the check that produces its findings.
pub trait Lint: Sync {
    /// Code, severity, docs.
    fn info(&self) -> &'static LintInfo;
    /// Report findings on the model (with default severity; the caller
    /// applies configuration and suppressions).
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every lint, in the order `aclc lints` lists them.
pub static ALL: &[&dyn Lint] = &[
    &syntax_error::SyntaxError,
    &duplicate_definition::DuplicateDefinition,
    &unknown_include::UnknownInclude,
    &unknown_reseller::UnknownReseller,
    &unknown_access_level::UnknownAccessLevel,
    &unknown_object::UnknownObject,
    &unknown_object::UnknownAttribute,
    &include_cycle::IncludeCycle,
    &include_type_mismatch::IncludeTypeMismatch,
    &predefined_redefined::PredefinedRedefined,
    &default_override_forbidden::DefaultOverrideForbidden,
    &duplicate_default::DuplicateDefault,
    &default_type_mismatch::DefaultTypeMismatch,
    &default_widens_predefined::DefaultWidensPredefined,
    &visibility_not_applicable::VisibilityNotApplicable,
    &shadowed_rule::ShadowedRule,
    &redundant_rule::RedundantRule,
    &dead_include::DeadInclude,
    &contradiction::Contradiction,
    &duplicate_include::DuplicateInclude,
    &empty_access_level::EmptyAccessLevel,
    &include_before_permission::IncludeBeforePermission,
    &unused_component::UnusedComponent,
    &guard_violated::GuardViolated,
    &unused_ignore::UnusedIgnore,
];

/// The info of every registered lint.
pub fn infos() -> impl Iterator<Item = &'static LintInfo> {
    ALL.iter().map(|l| l.info())
}

/// Where a lint's documentation page is when `aclc.toml` does not say:
/// the page's path in the aclc repository (`docs/src/lints/CODE.md`), so no
/// website is assumed. `{code}` stands for the lint code.
pub const DEFAULT_DOCS_URL: &str = "docs/src/lints/{code}.md";

/// The link to a lint's documentation page: `template` (see
/// [`DEFAULT_DOCS_URL`]) with `{code}` replaced by the code.
pub fn docs_url(template: &str, code: &str) -> String {
    template.replace("{code}", code)
}

/// Look a lint up by code.
pub fn find(code: &str) -> Option<&'static LintInfo> {
    infos().find(|i| i.code == code)
}

/// A "did you mean" help for an unknown name, or a fallback.
pub(crate) fn suggest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    fallback: &str,
) -> String {
    suggest_with(&mut Suggester::new(candidates), name, fallback)
}

/// [`suggest`] with a [`Suggester`] shared by a lint's findings.
pub(crate) fn suggest_with(suggester: &mut Suggester<'_>, name: &str, fallback: &str) -> String {
    match suggester.suggest(name) {
        Some(s) => format!("did you mean `{s}`?"),
        None => fallback.to_string(),
    }
}
