//! Effective rule lists and decisions (DESIGN §1), by an iterative
//! depth-first walk that visits each access level once, so diamonds cost
//! nothing and cycles terminate.

use super::{AclId, Model, Rule};
use crate::syntax::ast::{Access, Effect};

/// One access level reached while walking the includes of a root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visit {
    /// The access level reached.
    pub acl: AclId,
    /// The visit that included it (`None` for the root).
    pub parent: Option<usize>,
    /// Index of the include, in the parent, that reached it.
    pub via: usize,
}

/// A lazy depth-first walk over the includes of a root: own permissions of
/// each visited access level come before those of its includes, each access
/// level is visited at its first occurrence only.
pub struct Walk<'m> {
    model: &'m Model,
    visited: Vec<bool>,
    stack: Vec<(AclId, Option<usize>, usize)>,
    /// The visits so far, in order.
    pub visits: Vec<Visit>,
}

impl<'m> Walk<'m> {
    /// Start a walk at `root`.
    pub fn new(model: &'m Model, root: AclId) -> Walk<'m> {
        Walk {
            model,
            visited: vec![false; model.acls.len()],
            stack: vec![(root, None, 0)],
            visits: Vec::new(),
        }
    }

    /// The include path from the root to a visit, root first.
    pub fn path(&self, visit: usize) -> Vec<AclId> {
        let mut path = Vec::new();
        let mut cur = Some(visit);
        while let Some(i) = cur {
            path.push(self.visits[i].acl);
            cur = self.visits[i].parent;
        }
        path.reverse();
        path
    }

    /// Advance to the next visit; returns its index in [`Walk::visits`].
    pub fn next_visit(&mut self) -> Option<usize> {
        while let Some((acl, parent, via)) = self.stack.pop() {
            if std::mem::replace(&mut self.visited[acl.0 as usize], true) {
                continue;
            }
            let index = self.visits.len();
            self.visits.push(Visit { acl, parent, via });
            let includes = &self.model.acl(acl).includes;
            for (k, inc) in includes.iter().enumerate().rev() {
                if let Some(t) = inc.target {
                    if !self.visited[t.0 as usize] {
                        self.stack.push((t, Some(index), k));
                    }
                }
            }
            return Some(index);
        }
        None
    }
}

/// One rule of an effective list.
#[derive(Clone, Copy, Debug)]
pub struct EffectiveRule<'m> {
    /// The visit it comes from (for its include path).
    pub visit: usize,
    /// The access level that defines it.
    pub origin: AclId,
    /// Its index among the origin's own rules.
    pub index: usize,
    /// The rule.
    pub rule: &'m Rule,
}

/// The effective rule list of an access level, with the walk that built it.
pub struct Effective<'m> {
    /// The walk (for include paths).
    pub walk: Walk<'m>,
    /// The rules, first match first.
    pub rules: Vec<EffectiveRule<'m>>,
}

impl Effective<'_> {
    /// The include path that reached a rule, root first.
    pub fn path_of(&self, rule: &EffectiveRule<'_>) -> Vec<AclId> {
        self.walk.path(rule.visit)
    }
}

/// Why a rule did not match a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The rule does not name the access type.
    pub access: bool,
    /// The object pattern does not match.
    pub object: bool,
    /// The attribute pattern does not match.
    pub attribute: bool,
}

/// A decision with the rule that made it.
#[derive(Clone, Debug)]
pub struct Decision {
    /// Allow or deny.
    pub effect: Effect,
    /// The deciding rule: (origin, own rule index); `None` = implicit deny.
    pub rule: Option<(AclId, usize)>,
    /// The include path to the deciding rule's origin, root first.
    pub path: Vec<AclId>,
    /// With `explain --verbose`: earlier rules passed over, and why.
    pub passed_over: Vec<(AclId, usize, Mismatch)>,
}

impl Model {
    /// The effective rule list of `root` (DESIGN §1).
    pub fn effective(&self, root: AclId) -> Effective<'_> {
        let mut walk = Walk::new(self, root);
        let mut rules = Vec::new();
        while let Some(v) = walk.next_visit() {
            let origin = walk.visits[v].acl;
            rules.extend(
                self.acl(origin)
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(index, rule)| EffectiveRule {
                        visit: v,
                        origin,
                        index,
                        rule,
                    }),
            );
        }
        Effective { walk, rules }
    }

    /// `decide(L, access, Object, attribute)`: the first matching rule of the
    /// effective list, else deny. Stops walking at the first match.
    pub fn decide(&self, root: AclId, access: Access, object: &str, attribute: &str) -> Decision {
        self.decide_inner(root, access, object, attribute, false)
    }

    /// Like [`Model::decide`], also recording every earlier rule passed over.
    pub fn explain(&self, root: AclId, access: Access, object: &str, attribute: &str) -> Decision {
        self.decide_inner(root, access, object, attribute, true)
    }

    fn decide_inner(
        &self,
        root: AclId,
        access: Access,
        object: &str,
        attribute: &str,
        verbose: bool,
    ) -> Decision {
        let mut walk = Walk::new(self, root);
        let mut passed_over = Vec::new();
        while let Some(v) = walk.next_visit() {
            let origin = walk.visits[v].acl;
            for (index, rule) in self.acl(origin).rules.iter().enumerate() {
                if rule.matches(access, object, attribute) {
                    return Decision {
                        effect: rule.effect,
                        rule: Some((origin, index)),
                        path: walk.path(v),
                        passed_over,
                    };
                }
                if verbose {
                    passed_over.push((
                        origin,
                        index,
                        Mismatch {
                            access: !rule.access.contains(access),
                            object: !rule.object.matches(object),
                            attribute: !rule.attribute.matches(attribute),
                        },
                    ));
                }
            }
        }
        Decision {
            effect: Effect::Deny,
            rule: None,
            path: vec![root],
            passed_over,
        }
    }
}
