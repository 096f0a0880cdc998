//! The decisions of both sides over one shared set of cells, computed only
//! where something changed, and the attribution of each changed cell to the
//! blocks whose edit caused it.
//!
//! A block is *edited* when its own permissions or its include list differ
//! between the sides (or it exists on one side only); it is *dirty* when it
//! is edited or reaches an edited block through includes on either side.
//! A clean block decides the same on both sides (same rules, same closure,
//! one universe), so its decisions are computed once and shared; only dirty
//! blocks are composed twice, and only dirty access levels compared.

use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::analysis::region::{CellSet, Universe};
use crate::analysis::semantics::Summary;
use crate::model::{AccessLevel, AclId, Model, Rule};
use crate::syntax::ast::Effect;

/// Both sides of a diff, by block name.
pub(crate) struct Pair<'m> {
    pub old: &'m Model,
    pub new: &'m Model,
}

impl<'m> Pair<'m> {
    pub fn old_acl(&self, name: &str) -> Option<&'m AccessLevel> {
        self.old.lookup(name).map(|id| self.old.acl(id))
    }

    pub fn new_acl(&self, name: &str) -> Option<&'m AccessLevel> {
        self.new.lookup(name).map(|id| self.new.acl(id))
    }
}

/// Whether two rule lists are the same permissions in the same order.
pub(crate) fn same_rules(a: &[Rule], b: &[Rule]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.effect == y.effect
                && x.access == y.access
                && x.object == y.object
                && x.attribute == y.attribute
        })
}

/// Whether two blocks include the same names in the same order.
pub(crate) fn same_includes(a: &AccessLevel, b: &AccessLevel) -> bool {
    a.includes.len() == b.includes.len()
        && a.includes
            .iter()
            .zip(&b.includes)
            .all(|(x, y)| x.name.node == y.name.node)
}

/// The names of the edited blocks, and of the dirty ones (edited, or
/// reaching an edited block on either side).
pub(crate) fn dirty_blocks(pair: &Pair<'_>) -> (FxHashSet<String>, FxHashSet<String>) {
    let edited: FxHashSet<String> = pair
        .new
        .acls
        .par_iter()
        .filter(|b| match pair.old_acl(&b.name) {
            None => true,
            Some(a) => !same_rules(&a.rules, &b.rules) || !same_includes(a, b),
        })
        .map(|b| b.name.clone())
        .chain(
            pair.old
                .acls
                .par_iter()
                .filter(|a| pair.new.lookup(&a.name).is_none())
                .map(|a| a.name.clone()),
        )
        .collect();
    // Who includes whom, by name, on either side.
    let mut includers: FxHashMap<&str, Vec<&str>> = FxHashMap::default();
    for model in [pair.old, pair.new] {
        for b in &model.acls {
            for inc in &b.includes {
                includers
                    .entry(inc.name.node.as_str())
                    .or_default()
                    .push(b.name.as_str());
            }
        }
    }
    let mut dirty: FxHashSet<String> = edited.clone();
    let mut stack: Vec<&str> = edited.iter().map(String::as_str).collect();
    while let Some(n) = stack.pop() {
        for &by in includers.get(n).map_or(&[][..], Vec::as_slice) {
            if dirty.insert(by.to_string()) {
                stack.push(by);
            }
        }
    }
    (edited, dirty)
}

/// The blocks of `model` reached from `roots` (themselves included).
pub(crate) fn closure(model: &Model, roots: impl IntoIterator<Item = AclId>) -> Vec<bool> {
    let mut seen = vec![false; model.acls.len()];
    let mut stack: Vec<AclId> = Vec::new();
    for r in roots {
        if !seen[r.0 as usize] {
            seen[r.0 as usize] = true;
            stack.push(r);
        }
    }
    while let Some(a) = stack.pop() {
        for t in model.acl(a).includes.iter().filter_map(|i| i.target) {
            if !seen[t.0 as usize] {
                seen[t.0 as usize] = true;
                stack.push(t);
            }
        }
    }
    seen
}

/// The first-match decisions of a list of rules.
pub(crate) fn own_summary(u: &Universe, rules: &[Rule]) -> Summary {
    let mut s = Summary::default();
    let mut scratch = Vec::new();
    for r in rules {
        let slots = u.slots_of(&r.object, &r.attribute, &mut scratch);
        let allowed = (r.effect == Effect::Allow).then_some(&mut s.allowed);
        s.decided.insert_slots_also(slots, r.access, allowed);
    }
    s
}

/// The decisions of the blocks of one side: own permissions alone and
/// composed (`None`: not needed, not computed).
pub(crate) struct Decisions {
    pub own: Vec<Option<Arc<Summary>>>,
    pub all: Vec<Option<Arc<Summary>>>,
}

/// What a side may take from the other side instead of computing: the
/// composed decisions of a clean block, if computed there.
pub(crate) type Reuse<'a> = &'a (dyn Fn(AclId) -> Option<Arc<Summary>> + Sync);

/// Whether to keep a block's own decisions (attribution needs those of
/// dirty blocks only; the others are dropped once composed).
pub(crate) type KeepOwn<'a> = &'a (dyn Fn(AclId) -> bool + Sync);

/// A block's own (if kept) and composed decisions, just computed.
type Computed = (AclId, Option<Arc<Summary>>, Arc<Summary>);

/// Compute the decisions of the `needed` blocks of `model` (a set closed
/// under includes), level by level over the include graph's strongly
/// connected components, each level in parallel.
pub(crate) fn decisions(
    model: &Model,
    u: &Universe,
    needed: &[bool],
    keep_own: KeepOwn<'_>,
    reuse: Reuse<'_>,
) -> Decisions {
    let n = model.acls.len();
    let sccs = model.strongly_connected();
    let mut scc_of = vec![0u32; n];
    for (k, scc) in sccs.iter().enumerate() {
        for a in scc {
            scc_of[a.0 as usize] = k as u32;
        }
    }
    // Tarjan emits a component after all it reaches: levels in one pass.
    let mut level = vec![0u32; sccs.len()];
    let mut by_level: Vec<Vec<usize>> = Vec::new();
    for (k, scc) in sccs.iter().enumerate() {
        if !scc.iter().any(|m| needed[m.0 as usize]) {
            continue;
        }
        for m in scc {
            for t in model.acl(*m).includes.iter().filter_map(|i| i.target) {
                let kt = scc_of[t.0 as usize] as usize;
                if kt != k {
                    level[k] = level[k].max(level[kt] + 1);
                }
            }
        }
        let l = level[k] as usize;
        if by_level.len() <= l {
            by_level.resize(l + 1, Vec::new());
        }
        by_level[l].push(k);
    }
    let mut d = Decisions {
        own: vec![None; n],
        all: vec![None; n],
    };
    for ks in &by_level {
        let done: Vec<Vec<Computed>> = ks
            .par_iter()
            .map(|&k| {
                let scc = &sccs[k];
                let cyclic = scc.len() > 1
                    || model
                        .acl(scc[0])
                        .includes
                        .iter()
                        .any(|i| i.target == Some(scc[0]));
                scc.iter()
                    .filter(|m| needed[m.0 as usize])
                    .map(|&m| {
                        if let Some(all) = reuse(m) {
                            return (m, None, all);
                        }
                        let own = own_summary(u, &model.acl(m).rules);
                        let all = if cyclic {
                            walk(model, u, m)
                        } else {
                            compose(model, m, &own, &d.all)
                        };
                        (m, keep_own(m).then(|| Arc::new(own)), Arc::new(all))
                    })
                    .collect()
            })
            .collect();
        for (m, own, all) in done.into_iter().flatten() {
            d.own[m.0 as usize] = own;
            d.all[m.0 as usize] = Some(all);
        }
    }
    d
}

/// A block's decisions from its own and its includes' (a later include
/// decides only what nothing before it decided).
fn compose(model: &Model, acl: AclId, own: &Summary, all: &[Option<Arc<Summary>>]) -> Summary {
    let mut out = own.clone();
    let mut seen: FxHashSet<AclId> = FxHashSet::default();
    for t in model.acl(acl).includes.iter().filter_map(|i| i.target) {
        if !seen.insert(t) {
            continue;
        }
        let Some(s) = &all[t.0 as usize] else {
            continue;
        };
        let new = s.decided.difference(&out.decided);
        if new.is_empty() {
            continue;
        }
        out.allowed.union_with(&s.allowed.intersection(&new));
        out.decided.union_with(&new);
    }
    out
}

/// Decisions by walking the effective list (blocks on an include cycle).
fn walk(model: &Model, u: &Universe, root: AclId) -> Summary {
    let rules: Vec<Rule> = model
        .effective(root)
        .rules
        .iter()
        .map(|r| r.rule.clone())
        .collect();
    own_summary(u, &rules)
}

/// The cells on which two decisions differ (decided or not, allow or deny).
pub(crate) fn changed_cells(a: &Summary, b: &Summary) -> CellSet {
    let mut decided = a.decided.clone();
    decided.union_with(&b.decided);
    decided.retain_differing(&a.decided, &b.decided);
    let mut allowed = a.allowed.clone();
    allowed.union_with(&b.allowed);
    allowed.retain_differing(&a.allowed, &b.allowed);
    decided.union_with(&allowed);
    decided
}

/// The changed cells of a block split by cause: each part with the
/// (sorted) names of the edited blocks responsible.
pub(crate) type Causes = Vec<(Vec<String>, CellSet)>;

/// Attributes changed cells to edited blocks, memoized per block.
pub(crate) struct Attribution<'a> {
    pub pair: &'a Pair<'a>,
    pub edited: &'a FxHashSet<String>,
    pub dirty: &'a FxHashSet<String>,
    pub old: &'a Decisions,
    pub new: &'a Decisions,
    memo: FxHashMap<String, Arc<Causes>>,
}

/// A side's decisions of a block by name (empty when absent or unknown).
fn side<'d>(
    model: &Model,
    d: &'d Decisions,
    name: &str,
) -> (Option<&'d Summary>, Option<&'d Summary>) {
    match model.lookup(name) {
        Some(id) => (
            d.own[id.0 as usize].as_deref(),
            d.all[id.0 as usize].as_deref(),
        ),
        None => (None, None),
    }
}

impl<'a> Attribution<'a> {
    pub fn new(
        pair: &'a Pair<'a>,
        edited: &'a FxHashSet<String>,
        dirty: &'a FxHashSet<String>,
        old: &'a Decisions,
        new: &'a Decisions,
    ) -> Attribution<'a> {
        Attribution {
            pair,
            edited,
            dirty,
            old,
            new,
            memo: FxHashMap::default(),
        }
    }

    /// The changed cells of the dirty block `name`, split by cause.
    pub fn causes(&mut self, name: &str) -> Arc<Causes> {
        if let Some(c) = self.memo.get(name) {
            return Arc::clone(c);
        }
        // Post-order over dirty blocks, iteratively (include chains can be
        // deep); a block met again while open is on a cycle (of either
        // side or of the two together).
        let mut on_cycle: FxHashSet<String> = FxHashSet::default();
        let mut open: FxHashSet<String> = FxHashSet::default();
        let mut stack: Vec<(String, bool)> = vec![(name.to_string(), false)];
        while let Some((n, expanded)) = stack.pop() {
            if self.memo.contains_key(&n) {
                continue;
            }
            if expanded {
                open.remove(&n);
                let causes = if on_cycle.contains(&n) {
                    self.cyclic(&n)
                } else {
                    self.compose_causes(&n)
                };
                self.memo.insert(n, Arc::new(causes));
                continue;
            }
            if !open.insert(n.clone()) {
                continue;
            }
            stack.push((n.clone(), true));
            for inc in self.include_names(&n) {
                if !self.dirty.contains(&inc) || self.memo.contains_key(&inc) {
                    continue;
                }
                if open.contains(&inc) {
                    on_cycle.insert(inc.clone());
                    on_cycle.insert(n.clone());
                    continue;
                }
                stack.push((inc, false));
            }
        }
        self.memo
            .get(name)
            .map_or_else(|| Arc::new(Vec::new()), Arc::clone)
    }

    /// The names a block includes on either side, in order (old side
    /// first), each once.
    fn include_names(&self, name: &str) -> Vec<String> {
        let mut seen: FxHashSet<&str> = FxHashSet::default();
        let mut out: Vec<String> = Vec::new();
        for b in [self.pair.old_acl(name), self.pair.new_acl(name)]
            .into_iter()
            .flatten()
        {
            for inc in &b.includes {
                if seen.insert(inc.name.node.as_str()) {
                    out.push(inc.name.node.clone());
                }
            }
        }
        out
    }

    fn sides(&self, name: &str) -> [(Option<&'a Summary>, Option<&'a Summary>); 2] {
        [
            side(self.pair.old, self.old, name),
            side(self.pair.new, self.new, name),
        ]
    }

    fn changed(&self, name: &str) -> CellSet {
        let [(_, old), (_, new)] = self.sides(name);
        let empty = Summary::default();
        changed_cells(old.unwrap_or(&empty), new.unwrap_or(&empty))
    }

    /// Own permissions first; then, when the include lists are the same,
    /// each include in order takes the changed cells it decides on either
    /// side (its own decision changed there: else it would decide the same
    /// on both sides, and so would this block) and passes them to its
    /// causes; a changed include list is the cause of what is left.
    fn compose_causes(&mut self, name: &str) -> Causes {
        let mut rest = self.changed(name);
        let mut out: Causes = Vec::new();
        if rest.is_empty() {
            return out;
        }
        let [(own_old, _), (own_new, _)] = self.sides(name);
        let mut own = CellSet::new();
        for s in [own_old, own_new].into_iter().flatten() {
            own.union_with(&s.decided);
        }
        let by_own = rest.intersection(&own);
        if !by_own.is_empty() {
            rest = rest.difference(&by_own);
            out.push((vec![name.to_string()], by_own));
        }
        let (old_b, new_b) = (self.pair.old_acl(name), self.pair.new_acl(name));
        let same = match (old_b, new_b) {
            (Some(a), Some(b)) => same_includes(a, b),
            _ => false,
        };
        if same && !rest.is_empty() {
            let mut seen: FxHashSet<String> = FxHashSet::default();
            for inc in self.include_names(name) {
                if rest.is_empty() {
                    break;
                }
                if !seen.insert(inc.clone()) || !self.dirty.contains(&inc) {
                    continue;
                }
                let mut decides = CellSet::new();
                for (_, all) in self.sides(&inc) {
                    if let Some(s) = all {
                        decides.union_with(&s.decided);
                    }
                }
                let taken = rest.intersection(&decides);
                if taken.is_empty() {
                    continue;
                }
                rest = rest.difference(&taken);
                let below = self.causes(&inc);
                for (cause, cells) in below.iter() {
                    let part = cells.intersection(&taken);
                    if !part.is_empty() {
                        add(&mut out, cause.clone(), part);
                    }
                }
            }
        }
        if !rest.is_empty() {
            add(&mut out, vec![name.to_string()], rest);
        }
        out
    }

    /// On an include cycle: the edited blocks it reaches on either side.
    fn cyclic(&self, name: &str) -> Causes {
        let changed = self.changed(name);
        if changed.is_empty() {
            return Vec::new();
        }
        // Reached on one side or the other (not through the two together).
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for model in [self.pair.old, self.pair.new] {
            if let Some(id) = model.lookup(name) {
                let reached = closure(model, [id]);
                for (i, r) in reached.iter().enumerate() {
                    if *r {
                        seen.insert(model.acls[i].name.clone());
                    }
                }
            }
        }
        let mut causes: Vec<String> = seen
            .into_iter()
            .filter(|n| self.edited.contains(n))
            .collect();
        causes.sort();
        vec![(causes, changed)]
    }
}

/// Add cells to a cause's part (merging with the same cause).
fn add(out: &mut Causes, cause: Vec<String>, cells: CellSet) {
    match out.iter_mut().find(|(c, _)| *c == cause) {
        Some((_, r)) => r.union_with(&cells),
        None => out.push((cause, cells)),
    }
}
