//! Audit questions answered from the exact analysis, for `aclc impact` and
//! `aclc who-can`: which access levels reach a block and whether it still
//! decides something there, and which access levels allow a request (or
//! which part of a pattern of requests).
//!
//! Both read the summaries of [`Semantics`] (what every block decides, as
//! regions of cells) instead of walking effective rule lists, so a question
//! about a million-permission policy set costs a few set operations per
//! access level. An include cycle (an error of its own) leaves some
//! components without a summary; there the answers come from the effective
//! lists, walked.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::analysis::region::{CellSet, Region, Universe};
use crate::analysis::semantics::Semantics;
use crate::model::eval::Decision;
use crate::model::{AccessLevel, AclId, Model};
use crate::syntax::ast::{Access, AccessSet, Pattern};

/// An access level that reaches the block `aclc impact` asks about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reached {
    /// The access level.
    pub acl: AclId,
    /// The include path from it to the block, both included: the path of
    /// the block's first occurrence in its effective rule list.
    pub path: Vec<AclId>,
    /// Whether the block decides at least one request for this access
    /// level (some request is decided by a rule the block brings, its
    /// includes' included); `false`: everything it decides is decided
    /// earlier, the block is overruled there.
    pub live: bool,
}

/// Every access level (not component) that reaches `target` through
/// includes, directly or not, and `target` itself when it is an access
/// level; sorted by name.
pub fn impact(model: &Model, semantics: &Semantics, target: AclId) -> Vec<Reached> {
    let mut reverse: Vec<Vec<AclId>> = vec![Vec::new(); model.acls.len()];
    for a in &model.acls {
        for t in a.includes.iter().filter_map(|i| i.target) {
            reverse[t.0 as usize].push(a.id);
        }
    }
    let mut seen = vec![false; model.acls.len()];
    seen[target.0 as usize] = true;
    let mut queue = VecDeque::from([target]);
    let mut reaching = Vec::new();
    while let Some(a) = queue.pop_front() {
        if !model.acl(a).is_component() {
            reaching.push(a);
        }
        for &b in &reverse[a.0 as usize] {
            if !std::mem::replace(&mut seen[b.0 as usize], true) {
                queue.push_back(b);
            }
        }
    }
    reaching.sort_by(|a, b| model.acl(*a).name.cmp(&model.acl(*b).name));
    let acyclic = semantics.reach.acyclic();
    reaching
        .into_iter()
        .filter_map(|acl| {
            // In an include cycle the depth-first numbering's tree path
            // may not be the walk's (an ancestor in the tree can be an
            // earlier include): take the walk's there.
            let (path, live) = if acyclic {
                let path = semantics.reach.path(model, acl, target)?;
                let live = live_along(model, semantics, &path);
                (path, live)
            } else {
                walk_impact(model, &semantics.universe, acl, target)?
            };
            Some(Reached { acl, path, live })
        })
        .collect()
}

/// Whether the last block of `path` (a first-occurrence include path)
/// decides something first: what it decides, less what every part of the
/// effective list before it decides (at each step, the block's own
/// permissions and the includes before the one the path takes). Exact in
/// an acyclic include graph, where every block has its summary.
fn live_along(model: &Model, semantics: &Semantics, path: &[AclId]) -> bool {
    let Some(&last) = path.last() else {
        return false;
    };
    let mut left = Arc::unwrap_or_clone(semantics.kept(last).decided.unpack());
    for step in path.windows(2) {
        let (block, next) = (step[0], step[1]);
        if left.is_empty() {
            return false;
        }
        left = left.difference(&semantics.own_summary(model, block).decided);
        for t in model.acl(block).includes.iter().filter_map(|i| i.target) {
            if t == next || left.is_empty() {
                break;
            }
            left = left.difference(&semantics.kept(t).decided.unpack());
        }
    }
    !left.is_empty()
}

/// The path and [`live_along`] by walking `root`'s effective list: the
/// include path of `target`'s first occurrence, and whether a rule that
/// occurrence brings decides a request no earlier rule decides.
fn walk_impact(
    model: &Model,
    u: &Universe,
    root: AclId,
    target: AclId,
) -> Option<(Vec<AclId>, bool)> {
    let effective = model.effective(root);
    let visits = &effective.walk.visits;
    let at = visits.iter().position(|v| v.acl == target)?;
    let path = effective.walk.path(at);
    // Visits are in depth-first order: the target's are a run from `at`.
    let within = |mut v: usize| loop {
        if v == at {
            return true;
        }
        match visits[v].parent {
            Some(p) if v > at => v = p,
            _ => return false,
        }
    };
    let mut decided = CellSet::new();
    for r in &effective.rules {
        let region = u.region(r.rule.access, &r.rule.object, &r.rule.attribute);
        if within(r.visit) && !region.difference(&decided).is_empty() {
            return Some((path, true));
        }
        decided.union_with(&region);
    }
    Some((path, false))
}

/// A who-can question: one access type, an object and an attribute, each
/// a name or a pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// The access type.
    pub access: Access,
    /// The object name or pattern.
    pub object: Pattern,
    /// The attribute name or pattern.
    pub attribute: Pattern,
}

impl Question {
    /// Whether the question is about one request (no pattern).
    pub fn is_concrete(&self) -> bool {
        matches!(
            (&self.object, &self.attribute),
            (Pattern::Exact(_), Pattern::Exact(_))
        )
    }
}

/// An access level that allows the request, or part of the pattern.
#[derive(Clone, Debug)]
pub struct Allowed {
    /// The access level.
    pub acl: AclId,
    /// The decision of the request (for a pattern: of one request of the
    /// first part allowed, as an example): the deciding rule, the path.
    pub decision: Decision,
    /// For a pattern: the part of it allowed, in the cells of
    /// [`WhoCan::universe`].
    pub region: Option<Region>,
}

/// The answer to a who-can question.
#[derive(Debug)]
pub struct WhoCan {
    /// For a pattern: the cells the regions are written in (the policy
    /// set's patterns that meet the question's, and the question's own).
    pub universe: Option<Universe>,
    /// The access levels that allow it, in model order.
    pub allowed: Vec<Allowed>,
}

/// Which of the blocks `select` keeps allow `q` (or part of it), exactly:
/// from each block's allowed region, never by sampling requests.
pub fn who_can(
    model: &Model,
    semantics: &Semantics,
    q: &Question,
    select: impl Fn(&AccessLevel) -> bool,
) -> WhoCan {
    let u = &semantics.universe;
    let acyclic = semantics.reach.acyclic();
    // The cells of `cells` a block allows. A component inside an include
    // cycle may have no summary: walk it.
    let allowed_in = |a: &AccessLevel, cells: &CellSet| -> CellSet {
        if acyclic || !a.is_component() {
            semantics.kept(a.id).allowed.intersection(cells)
        } else {
            walk_allowed(model, u, a.id).intersection(cells)
        }
    };
    let blocks = model.acls.iter().filter(|a| select(a));
    if let (Pattern::Exact(o), Pattern::Exact(at)) = (&q.object, &q.attribute) {
        let cell = CellSet::from_iter([u.cell_of(q.access, o, at)]);
        let allowed = blocks
            .filter(|a| !allowed_in(a, &cell).is_empty())
            .map(|a| Allowed {
                acl: a.id,
                decision: model.decide(a.id, q.access, o, at),
                region: None,
            })
            .collect();
        return WhoCan {
            universe: None,
            allowed,
        };
    }
    // The question's cells: a universe of the policy set's patterns that
    // meet the question, and the question's own. Within one of its cells
    // every rule of the policy set matches all requests or none (rules
    // that meet none of the question's requests are left out, they split
    // nothing in it), so each such cell lies in one cell of the analysis.
    let pairs = model
        .acls
        .iter()
        .flat_map(|a| a.rules.iter().map(|r| (&r.object, &r.attribute)))
        .filter(|(o, a)| overlaps(o, &q.object) && overlaps(a, &q.attribute))
        .chain(std::iter::once((&q.object, &q.attribute)));
    let fine = Universe::new(pairs);
    let asked = fine.region(AccessSet(q.access.bit()), &q.object, &q.attribute);
    // Each fine cell, with the analysis cell it lies in, by analysis cell.
    let mut cells: Vec<(u32, u32)> = asked
        .iter()
        .map(|c| {
            let (access, o, a) = fine.representative(fine.cell(c));
            (u.cell_of(access, &o, &a), c)
        })
        .collect();
    cells.sort_unstable();
    let coarse: CellSet = cells.iter().map(|&(k, _)| k).collect();
    let mut allowed = Vec::new();
    for a in blocks {
        let here = allowed_in(a, &coarse);
        if here.is_empty() {
            continue;
        }
        let mut region = CellSet::new();
        for k in here.iter() {
            let from = cells.partition_point(|&(c, _)| c < k);
            for &(_, f) in cells[from..].iter().take_while(|&&(c, _)| c == k) {
                region.insert(f);
            }
        }
        let Some(first) = region.min() else { continue };
        let (access, o, at) = fine.representative(fine.cell(first));
        allowed.push(Allowed {
            acl: a.id,
            decision: model.decide(a.id, access, &o, &at),
            region: Some(region),
        });
    }
    WhoCan {
        universe: Some(fine),
        allowed,
    }
}

/// The cells `root` allows, by walking its effective list.
fn walk_allowed(model: &Model, u: &Universe, root: AclId) -> Region {
    let mut decided = CellSet::new();
    let mut allowed = CellSet::new();
    for r in &model.effective(root).rules {
        let region = u.region(r.rule.access, &r.rule.object, &r.rule.attribute);
        let new = region.difference(&decided);
        if r.rule.effect == crate::syntax::ast::Effect::Allow {
            allowed.union_with(&new);
        }
        decided.union_with(&new);
    }
    allowed
}

/// Whether some name matches both patterns.
fn overlaps(p: &Pattern, q: &Pattern) -> bool {
    match (p, q) {
        (Pattern::Any, _) | (_, Pattern::Any) => true,
        (Pattern::Exact(a), Pattern::Exact(b)) => a == b,
        (Pattern::Exact(a), Pattern::Prefix(b)) | (Pattern::Prefix(b), Pattern::Exact(a)) => {
            a.starts_with(&**b)
        }
        (Pattern::Prefix(a), Pattern::Prefix(b)) => a.starts_with(&**b) || b.starts_with(&**a),
    }
}

/// Parse a name or pattern as written in a rule: `Name`, `Name*` or `*`
/// (letters, digits and `_`, not starting with a digit).
pub fn parse_pattern(text: &str) -> Option<Pattern> {
    if text == "*" {
        return Some(Pattern::Any);
    }
    let (name, prefix) = match text.strip_suffix('*') {
        Some(n) => (n, true),
        None => (text, false),
    };
    let valid = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if !valid {
        return None;
    }
    Some(if prefix {
        Pattern::Prefix(name.into())
    } else {
        Pattern::Exact(name.into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_as_in_rules() {
        assert_eq!(parse_pattern("*"), Some(Pattern::Any));
        assert_eq!(parse_pattern("Bill*"), Some(Pattern::Prefix("Bill".into())));
        assert_eq!(
            parse_pattern("amount"),
            Some(Pattern::Exact("amount".into()))
        );
        assert_eq!(parse_pattern("1x"), None);
        assert_eq!(parse_pattern("a-b"), None);
        assert_eq!(parse_pattern(""), None);
        assert_eq!(parse_pattern("**"), None);
    }

    #[test]
    fn overlap_is_symmetric_and_exact() {
        let p = |s: &str| parse_pattern(s).unwrap_or(Pattern::Any);
        let cases = [
            ("A", "A", true),
            ("A", "B", false),
            ("AB", "A*", true),
            ("A*", "B", false),
            ("AB*", "A*", true),
            ("AB*", "AC*", false),
            ("*", "x", true),
        ];
        for (a, b, want) in cases {
            assert_eq!(overlaps(&p(a), &p(b)), want, "{a} {b}");
            assert_eq!(overlaps(&p(b), &p(a)), want, "{b} {a}");
        }
    }
}
