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

use crate::analysis::region::{CellSet, Packed, Universe};
use crate::analysis::semantics::{rules_summary, walk_summary, Summary};
use crate::model::{graph, AccessLevel, AclId, Model, Rule};

/// Both sides of a diff, their blocks paired by name. A block of either
/// side has one number in the diff (a *block*): the new side's id, else,
/// for a block of the old side only, one past the new side's.
pub(crate) struct Pair<'m> {
    pub old: &'m Model,
    pub new: &'m Model,
    /// The old side's id of each block (by block number).
    old_ids: Vec<Option<AclId>>,
    /// The block number of each old side's id.
    of_old: Vec<u32>,
}

impl<'m> Pair<'m> {
    /// Pair the blocks of two models by name.
    pub fn new(old: &'m Model, new: &'m Model) -> Pair<'m> {
        let mut old_ids: Vec<Option<AclId>> =
            new.acls.par_iter().map(|b| old.lookup(&b.name)).collect();
        let new_ids: Vec<Option<AclId>> =
            old.acls.par_iter().map(|a| new.lookup(&a.name)).collect();
        let mut of_old = vec![0u32; old.acls.len()];
        for (i, paired) in new_ids.iter().enumerate() {
            of_old[i] = match paired {
                Some(id) => id.0,
                None => {
                    old_ids.push(Some(AclId(i as u32)));
                    (old_ids.len() - 1) as u32
                }
            };
        }
        Pair {
            old,
            new,
            old_ids,
            of_old,
        }
    }

    pub fn old_acl(&self, name: &str) -> Option<&'m AccessLevel> {
        self.old.lookup(name).map(|id| self.old.acl(id))
    }

    pub fn new_acl(&self, name: &str) -> Option<&'m AccessLevel> {
        self.new.lookup(name).map(|id| self.new.acl(id))
    }

    /// How many blocks the two sides have together.
    pub fn blocks(&self) -> usize {
        self.old_ids.len()
    }

    /// The block of an old side's id.
    pub fn of_old(&self, id: AclId) -> u32 {
        self.of_old[id.0 as usize]
    }

    /// The ids of a block on the old and the new side.
    pub fn ids(&self, b: u32) -> (Option<AclId>, Option<AclId>) {
        let new = ((b as usize) < self.new.acls.len()).then_some(AclId(b));
        (self.old_ids[b as usize], new)
    }

    /// A block on the old and the new side.
    pub fn acls(&self, b: u32) -> (Option<&'m AccessLevel>, Option<&'m AccessLevel>) {
        let (o, n) = self.ids(b);
        (o.map(|id| self.old.acl(id)), n.map(|id| self.new.acl(id)))
    }

    /// A block's name.
    pub fn name(&self, b: u32) -> &'m str {
        match self.acls(b) {
            (_, Some(x)) | (Some(x), None) => &x.name,
            (None, None) => "",
        }
    }

    /// The block an include names on a side (the name may be declared on
    /// the other side only).
    fn include_block(&self, model: &Model, inc: &crate::model::Include) -> Option<u32> {
        match inc.target {
            Some(t) if std::ptr::eq(model, self.new) => Some(t.0),
            Some(t) => Some(self.of_old(t)),
            None => {
                let name = inc.name.node.as_str();
                match self.new.lookup(name) {
                    Some(t) => Some(t.0),
                    None => self.old.lookup(name).map(|t| self.of_old(t)),
                }
            }
        }
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

/// The edited blocks, and the dirty ones (edited, or reaching an edited
/// block on either side), by block number.
pub(crate) fn dirty_blocks(pair: &Pair<'_>) -> (Vec<bool>, Vec<bool>) {
    let edited: Vec<bool> = (0..pair.blocks() as u32)
        .into_par_iter()
        .map(|b| match pair.acls(b) {
            (Some(a), Some(b)) => !same_rules(&a.rules, &b.rules) || !same_includes(a, b),
            _ => true,
        })
        .collect();
    // Who includes whom, by block, on either side.
    let mut includers: Vec<Vec<u32>> = vec![Vec::new(); pair.blocks()];
    for model in [pair.old, pair.new] {
        for a in &model.acls {
            let by = if std::ptr::eq(model, pair.new) {
                a.id.0
            } else {
                pair.of_old(a.id)
            };
            for inc in &a.includes {
                if let Some(t) = pair.include_block(model, inc) {
                    includers[t as usize].push(by);
                }
            }
        }
    }
    let mut dirty = edited.clone();
    let mut stack: Vec<u32> = (0..pair.blocks() as u32)
        .filter(|&b| edited[b as usize])
        .collect();
    while let Some(n) = stack.pop() {
        for &by in &includers[n as usize] {
            if !std::mem::replace(&mut dirty[by as usize], true) {
                stack.push(by);
            }
        }
    }
    (edited, dirty)
}

/// The blocks some block includes on either side, and `kept`.
pub(crate) fn included(pair: &Pair<'_>, kept: impl IntoIterator<Item = u32>) -> Vec<bool> {
    let mut included = vec![false; pair.blocks()];
    for model in [pair.old, pair.new] {
        for a in &model.acls {
            for inc in &a.includes {
                if let Some(t) = pair.include_block(model, inc) {
                    included[t as usize] = true;
                }
            }
        }
    }
    for b in kept {
        included[b as usize] = true;
    }
    included
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

/// The decisions of the blocks of one side: the cells own permissions
/// alone decide, and the composed decisions (`None`: not needed, not
/// computed, or released).
pub(crate) struct Decisions {
    pub own: Vec<Option<Packed>>,
    pub all: Vec<Option<Arc<Summary>>>,
}

/// What a side may take from the other side instead of computing: the
/// composed decisions of a clean block, if computed there.
pub(crate) type Reuse<'a> = &'a (dyn Fn(AclId) -> Option<Arc<Summary>> + Sync);

/// Whether to keep a block's own decisions (attribution needs those of
/// dirty blocks only; the others are dropped once composed).
pub(crate) type KeepOwn<'a> = &'a (dyn Fn(AclId) -> bool + Sync);

/// A block's own decided cells (if kept) and composed decisions, just
/// computed.
type Computed = (AclId, Option<Packed>, Arc<Summary>);

/// Compute the decisions of the `needed` blocks of `model` (a set closed
/// under includes), level by level over the include graph's strongly
/// connected components, each level in parallel.
///
/// A block's own decisions are taken from `own_from` when it has them (the
/// other side's, for a block whose rules did not change), and handed back
/// for the blocks `give_own` names, by id.
pub(crate) fn decisions(
    model: &Model,
    u: &Universe,
    needed: &[bool],
    (keep_own, reuse): (KeepOwn<'_>, Reuse<'_>),
    (give_own, own_from): (KeepOwn<'_>, Reuse<'_>),
) -> (Decisions, Vec<Option<Arc<Summary>>>) {
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
    let mut given: Vec<Option<Arc<Summary>>> = vec![None; n];
    for ks in &by_level {
        let done: Vec<Vec<(Computed, Option<Arc<Summary>>)>> = ks
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
                            return ((m, None, all), None);
                        }
                        let own = own_from(m)
                            .unwrap_or_else(|| Arc::new(rules_summary(u, &model.acl(m).rules)));
                        let kept = keep_own(m).then(|| Packed::of(&own.decided));
                        let give = give_own(m).then(|| Arc::clone(&own));
                        let all = if cyclic {
                            Arc::new(walk_summary(model, u, m))
                        } else {
                            compose(model, m, own, &d.all)
                        };
                        ((m, kept, all), give)
                    })
                    .collect()
            })
            .collect();
        for ((m, own, all), give) in done.into_iter().flatten() {
            d.own[m.0 as usize] = own;
            d.all[m.0 as usize] = Some(all);
            given[m.0 as usize] = give;
        }
    }
    (d, given)
}

/// A block's decisions from its own and its includes' (a later include
/// decides only what nothing before it decided).
fn compose(
    model: &Model,
    acl: AclId,
    own: Arc<Summary>,
    all: &[Option<Arc<Summary>>],
) -> Arc<Summary> {
    let (mut decided, mut allowed) = (CellSet::clone(&own.decided), CellSet::clone(&own.allowed));
    let mut seen: FxHashSet<AclId> = FxHashSet::default();
    let mut grew = false;
    for t in model.acl(acl).includes.iter().filter_map(|i| i.target) {
        if !seen.insert(t) {
            continue;
        }
        let Some(s) = &all[t.0 as usize] else {
            continue;
        };
        let new = s.decided.difference(&decided);
        if new.is_empty() {
            continue;
        }
        allowed.union_with_both(&s.allowed, &new);
        decided.union_with(&new);
        grew = true;
    }
    if !grew {
        // The includes add nothing: the block's own sets, shared.
        return own;
    }
    Arc::new(Summary::new(decided, allowed))
}

/// A cause: the blocks whose edit is responsible, sorted by name. One
/// block is its own number ([`single`]); several are numbered from
/// [`Pair::blocks`] on, in [`Attribution::cause`]'s table.
pub(crate) type Cause = u32;

/// The cause that is block `b` alone.
pub(crate) fn single(b: u32) -> Cause {
    b
}

/// The block of a cause of one block.
pub(crate) fn single_block(c: Cause, pair: &Pair<'_>) -> Option<u32> {
    ((c as usize) < pair.blocks()).then_some(c)
}

/// The changed cells of a block split by cause, each as its non-zero
/// words by increasing index (a few words of a wide span).
pub(crate) type Causes = Vec<(Cause, Words)>;

/// Non-zero words of cells by increasing index.
pub(crate) type Words = Vec<(u32, u64)>;

/// Attributes changed cells to edited blocks, memoized per block.
pub(crate) struct Attribution<'a> {
    pub pair: &'a Pair<'a>,
    pub edited: &'a [bool],
    pub dirty: &'a [bool],
    u: &'a Universe,
    old: Decisions,
    new: Decisions,
    /// The blocks whose decisions are needed on each side (those not
    /// [`included`] are computed by [`Attribution::ensure`]).
    needed: [Vec<bool>; 2],
    /// Blocks another block includes, or whose decisions are asked for
    /// later (default targets): computed up front, never released.
    included: &'a [bool],
    memo: Vec<Option<Arc<Causes>>>,
    /// Each block number (the blocks of a cause of one block).
    numbers: Vec<u32>,
    /// The blocks of each cause of several blocks, sorted by name.
    multi: Vec<Vec<u32>>,
    multi_of: FxHashMap<Vec<u32>, Cause>,
    /// The dirty blocks on an include cycle, once needed.
    on_cycle: Option<Arc<Vec<bool>>>,
}

/// A side's decisions of a block (empty when absent or not computed).
fn side(d: &Decisions, id: Option<AclId>) -> (Option<&Packed>, Option<&Summary>) {
    match id {
        Some(id) => (
            d.own[id.0 as usize].as_ref(),
            d.all[id.0 as usize].as_deref(),
        ),
        None => (None, None),
    }
}

impl<'a> Attribution<'a> {
    pub fn new(
        pair: &'a Pair<'a>,
        (edited, dirty, included): (&'a [bool], &'a [bool], &'a [bool]),
        u: &'a Universe,
        (old, new): (Decisions, Decisions),
        needed: [Vec<bool>; 2],
    ) -> Attribution<'a> {
        Attribution {
            pair,
            edited,
            dirty,
            u,
            old,
            new,
            needed,
            included,
            memo: vec![None; pair.blocks()],
            numbers: (0..pair.blocks() as u32).collect(),
            multi: Vec::new(),
            multi_of: FxHashMap::default(),
            on_cycle: None,
        }
    }

    /// The blocks of a cause, sorted by name.
    pub fn cause(&self, c: Cause) -> &[u32] {
        match single_block(c, self.pair) {
            Some(b) => std::slice::from_ref(&self.numbers[b as usize]),
            None => &self.multi[self.multi_index(c)],
        }
    }

    /// How many causes of several blocks there are so far.
    pub fn multi_causes(&self) -> usize {
        self.multi.len()
    }

    /// The index of a cause of several blocks in their table.
    pub fn multi_index(&self, c: Cause) -> usize {
        c as usize - self.pair.blocks()
    }

    /// The number of a cause (its blocks sorted by name).
    fn intern(&mut self, blocks: Vec<u32>) -> Cause {
        if let [b] = blocks[..] {
            return single(b);
        }
        if let Some(&c) = self.multi_of.get(&blocks) {
            return c;
        }
        let c = (self.pair.blocks() + self.multi.len()) as Cause;
        self.multi.push(blocks.clone());
        self.multi_of.insert(blocks, c);
        c
    }

    /// Work out the causes of the dirty blocks other blocks include, in
    /// parallel a level of the include graph at a time, from the bottom up:
    /// those that reach no include cycle (a block's causes follow from its
    /// includes' alone; a walk would find the same). Those on or above a
    /// cycle are left to [`Attribution::prepare`]; a block on a cycle is
    /// attributed as a whole ([`Attribution::cyclic`]).
    pub fn prepare_acyclic(&mut self) {
        let n = self.pair.blocks();
        let todo = |b: u32, a: &Self| {
            a.dirty[b as usize] && a.included[b as usize] && a.memo[b as usize].is_none()
        };
        let mut waiting = vec![0u32; n];
        let mut above: Vec<Vec<u32>> = vec![Vec::new(); n];
        let mut ready: Vec<u32> = Vec::new();
        for b in (0..n as u32).filter(|&b| todo(b, self)) {
            for inc in self.include_blocks(b) {
                if todo(inc, self) {
                    waiting[b as usize] += 1;
                    above[inc as usize].push(b);
                }
            }
            if waiting[b as usize] == 0 {
                ready.push(b);
            }
        }
        while !ready.is_empty() {
            let done: Vec<(u32, Causes)> = ready
                .par_iter()
                .map(|&b| (b, self.compose_causes(b)))
                .collect();
            ready.clear();
            for (b, causes) in done {
                self.memo[b as usize] = Some(Arc::new(causes));
                self.drop_own(b);
                for &x in &above[b as usize] {
                    waiting[x as usize] -= 1;
                    if waiting[x as usize] == 0 {
                        ready.push(x);
                    }
                }
            }
        }
    }

    /// Drop a block's own decisions: they serve only to attribute its own
    /// changes, once known.
    fn drop_own(&mut self, b: u32) {
        let (o, x) = self.pair.ids(b);
        for (d, id) in [(&mut self.old, o), (&mut self.new, x)] {
            if let Some(id) = id {
                d.own[id.0 as usize] = None;
            }
        }
    }

    /// Make ready what [`Attribution::causes_of`] reads for block `b`
    /// (whose changes are to be attributed): the causes of what it
    /// includes, or its own when another block includes it. Called in
    /// block order, so that the include cycles met are the same whatever
    /// the number of threads.
    pub fn prepare(&mut self, b: u32) {
        if self.included[b as usize] {
            self.causes(b);
            return;
        }
        // As a walk from `b` would meet them: the last include first.
        for inc in self.include_blocks(b).into_iter().rev() {
            if self.dirty[inc as usize] && self.memo[inc as usize].is_none() {
                self.causes(inc);
            }
        }
    }

    /// The changed cells of block `b`, split by cause, once
    /// [`Attribution::prepare`]d.
    pub fn causes_of(&self, b: u32) -> Arc<Causes> {
        match &self.memo[b as usize] {
            Some(c) => Arc::clone(c),
            None => Arc::new(self.compose_causes(b)),
        }
    }

    /// The changed cells of the dirty block `b`, split by cause, memoized
    /// with those of the blocks it reaches.
    fn causes(&mut self, b: u32) -> Arc<Causes> {
        if let Some(c) = &self.memo[b as usize] {
            return Arc::clone(c);
        }
        // Post-order over dirty blocks, iteratively (include chains can be
        // deep). A block on an include cycle (of either side or of the two
        // together) is attributed as a whole: its decisions are not its
        // includes' composed (what an include decides, reached from a
        // block of its cycle, is not what it decides alone).
        let on_cycle = self.on_cycle();
        let mut open: FxHashSet<u32> = FxHashSet::default();
        let mut stack: Vec<(u32, bool)> = vec![(b, false)];
        while let Some((n, expanded)) = stack.pop() {
            if self.memo[n as usize].is_some() {
                continue;
            }
            if expanded {
                open.remove(&n);
                let causes = if on_cycle[n as usize] {
                    self.cyclic(n)
                } else {
                    self.compose_causes(n)
                };
                self.memo[n as usize] = Some(Arc::new(causes));
                self.drop_own(n);
                continue;
            }
            if !open.insert(n) {
                continue;
            }
            stack.push((n, true));
            for inc in self.include_blocks(n) {
                if !self.dirty[inc as usize] || self.memo[inc as usize].is_some() {
                    continue;
                }
                if !open.contains(&inc) {
                    stack.push((inc, false));
                }
            }
        }
        self.memo[b as usize]
            .as_ref()
            .map_or_else(|| Arc::new(Vec::new()), Arc::clone)
    }

    /// Which dirty blocks are on an include cycle of the two sides'
    /// include graphs together (a strongly connected component of more
    /// than one block, or a block including itself), worked out once.
    fn on_cycle(&mut self) -> Arc<Vec<bool>> {
        if let Some(c) = &self.on_cycle {
            return Arc::clone(c);
        }
        let n = self.pair.blocks();
        let next: Vec<Vec<u32>> = (0..n as u32)
            .into_par_iter()
            .map(|b| {
                if !self.dirty[b as usize] {
                    return Vec::new();
                }
                let mut inc = self.include_blocks(b);
                inc.retain(|&i| self.dirty[i as usize]);
                inc
            })
            .collect();
        let c = Arc::new(cyclic_nodes(&next));
        self.on_cycle = Some(Arc::clone(&c));
        c
    }

    /// The blocks a block includes on either side, in order (old side
    /// first), each once.
    fn include_blocks(&self, b: u32) -> Vec<u32> {
        let mut out: Vec<u32> = Vec::new();
        let (old, new) = self.pair.acls(b);
        for (model, acl) in [(self.pair.old, old), (self.pair.new, new)] {
            for inc in acl.iter().flat_map(|a| &a.includes) {
                if let Some(t) = self.pair.include_block(model, inc) {
                    if !out.contains(&t) {
                        out.push(t);
                    }
                }
            }
        }
        out
    }

    fn sides(&self, b: u32) -> [(Option<&Packed>, Option<&Summary>); 2] {
        let (o, n) = self.pair.ids(b);
        [side(&self.old, o), side(&self.new, n)]
    }

    /// The composed decisions of a block on each side (empty when absent).
    pub fn all(&self, b: u32) -> [Arc<Summary>; 2] {
        let (o, n) = self.pair.ids(b);
        let get = |d: &Decisions, id: Option<AclId>| {
            id.and_then(|id| d.all[id.0 as usize].clone())
                .unwrap_or_default()
        };
        [get(&self.old, o), get(&self.new, n)]
    }

    /// The composed decisions of a block by name on one side.
    pub fn all_by_name(&self, new_side: bool, name: &str) -> Arc<Summary> {
        let (m, d) = if new_side {
            (self.pair.new, &self.new)
        } else {
            (self.pair.old, &self.old)
        };
        m.lookup(name)
            .and_then(|id| d.all[id.0 as usize].clone())
            .unwrap_or_default()
    }

    /// Compute the decisions of blocks no block includes (left out of
    /// [`decisions`], so that only a chunk of them is held at a time), in
    /// parallel; their includes' are computed already.
    pub fn ensure(&mut self, blocks: &[u32]) {
        let pair = self.pair;
        // A block's two sides in one task, the chunk's blocks in one
        // parallel pass; a block whose rules did not change has its own
        // decisions worked out once for both sides.
        let todo: Vec<(u32, [Option<AclId>; 2])> = blocks
            .iter()
            .filter_map(|&b| {
                let (o, n) = pair.ids(b);
                let wanted = |side: usize, d: &Decisions, id: Option<AclId>| {
                    id.filter(|id| {
                        self.needed[side][id.0 as usize] && d.all[id.0 as usize].is_none()
                    })
                };
                let ids = [wanted(0, &self.old, o), wanted(1, &self.new, n)];
                (ids != [None, None]).then_some((b, ids))
            })
            .collect();
        let (u, dirty, edited) = (self.u, self.dirty, self.edited);
        let (old, new) = (&self.old, &self.new);
        let done: Vec<[Option<Computed>; 2]> = todo
            .par_iter()
            .map(|&(b, ids)| {
                let mut shared: Option<Arc<Summary>> = None;
                let mut side = |model: &Model, d: &Decisions, id: Option<AclId>| {
                    let id = id?;
                    let own = match &shared {
                        Some(own) if !edited[b as usize] => Arc::clone(own),
                        _ => Arc::new(rules_summary(u, &model.acl(id).rules)),
                    };
                    shared = Some(Arc::clone(&own));
                    let kept = dirty[b as usize].then(|| Packed::of(&own.decided));
                    Some((id, kept, compose(model, id, own, &d.all)))
                };
                [side(pair.old, old, ids[0]), side(pair.new, new, ids[1])]
            })
            .collect();
        for [o, n] in done {
            for (d, computed) in [(&mut self.old, o), (&mut self.new, n)] {
                if let Some((id, own, all)) = computed {
                    d.own[id.0 as usize] = own;
                    d.all[id.0 as usize] = Some(all);
                }
            }
        }
    }

    /// Free what is kept of block `b` once its changes are known, unless
    /// another block includes it (its decisions and causes serve there).
    pub fn release(&mut self, b: u32) {
        if self.included[b as usize] {
            return;
        }
        self.memo[b as usize] = None;
        let (o, n) = self.pair.ids(b);
        for (d, id) in [(&mut self.old, o), (&mut self.new, n)] {
            if let Some(id) = id {
                d.own[id.0 as usize] = None;
                d.all[id.0 as usize] = None;
            }
        }
    }

    /// The cells on which a block's decisions differ between the sides
    /// (decided or not, allow or deny), as non-zero words.
    fn changed(&self, b: u32) -> Words {
        let [(_, old), (_, new)] = self.sides(b);
        let empty = Summary::default();
        let (old, new) = (old.unwrap_or(&empty), new.unwrap_or(&empty));
        CellSet::differing_words(&old.decided, &new.decided, &old.allowed, &new.allowed)
    }

    /// Own permissions first; then, when the include lists are the same,
    /// each include in order takes the changed cells it decides on either
    /// side (its own decision changed there: else it would decide the same
    /// on both sides, and so would this block) and passes them to its
    /// causes; a changed include list is the cause of what is left.
    fn compose_causes(&self, b: u32) -> Causes {
        // The changed cells are a few words of a wide span: kept as their
        // non-zero words, so each include costs what is left, not the span.
        let mut rest = self.changed(b);
        let mut out = Parts::default();
        let mut part = Vec::new();
        if rest.is_empty() {
            return out.into_causes();
        }
        let [(own_old, _), (own_new, _)] = self.sides(b);
        let own = |w: u32| own_old.map_or(0, |s| s.word(w)) | own_new.map_or(0, |s| s.word(w));
        let by_own = take(&mut rest, own);
        if !by_own.is_empty() {
            out.add(single(b), &by_own);
        }
        let same = match self.pair.acls(b) {
            (Some(x), Some(y)) => same_includes(x, y),
            _ => false,
        };
        if same && !rest.is_empty() {
            // The cells an include takes, by word, over the span of what is
            // left: each cause's few words below are looked up there.
            let lo = rest.first().map_or(0, |&(w, _)| w);
            let hi = rest.last().map_or(0, |&(w, _)| w + 1);
            let mut taken_at = vec![0u64; (hi - lo) as usize];
            for inc in self.include_blocks(b) {
                if rest.is_empty() {
                    break;
                }
                if !self.dirty[inc as usize] {
                    continue;
                }
                let [(_, old), (_, new)] = self.sides(inc);
                let decided = |w: u32| {
                    old.map_or(0, |s| s.decided.word(w)) | new.map_or(0, |s| s.decided.word(w))
                };
                let taken = take(&mut rest, decided);
                if taken.is_empty() {
                    continue;
                }
                // Attributed already: by `prepare`, or by the walk, which
                // finishes a block's includes first (else the block is on
                // a cycle, attributed as a whole). Missing, the cells are
                // the block's.
                let Some(below) = &self.memo[inc as usize] else {
                    out.add(single(b), &taken);
                    continue;
                };
                for &(w, word) in &taken {
                    taken_at[(w - lo) as usize] = word;
                }
                for (cause, cells) in below.iter() {
                    part.clear();
                    part.extend(
                        cells
                            .iter()
                            .filter(|&&(w, _)| (lo..hi).contains(&w))
                            .map(|&(w, word)| (w, word & taken_at[(w - lo) as usize]))
                            .filter(|&(_, word)| word != 0),
                    );
                    if !part.is_empty() {
                        out.add(*cause, &part);
                    }
                }
                for &(w, _) in &taken {
                    taken_at[(w - lo) as usize] = 0;
                }
            }
        }
        if !rest.is_empty() {
            out.add(single(b), &rest);
        }
        out.into_causes()
    }

    /// On an include cycle: the edited blocks it reaches on either side.
    fn cyclic(&mut self, b: u32) -> Causes {
        let changed = self.changed(b);
        if changed.is_empty() {
            return Vec::new();
        }
        // Reached on one side or the other (not through the two together).
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let (o, n) = self.pair.ids(b);
        for (model, id) in [(self.pair.old, o), (self.pair.new, n)] {
            if let Some(id) = id {
                let reached = closure(model, [id]);
                for (i, r) in reached.iter().enumerate() {
                    if *r {
                        let x = AclId(i as u32);
                        seen.insert(if std::ptr::eq(model, self.pair.new) {
                            x.0
                        } else {
                            self.pair.of_old(x)
                        });
                    }
                }
            }
        }
        let mut causes: Vec<u32> = seen
            .into_iter()
            .filter(|&x| self.edited[x as usize])
            .collect();
        causes.sort_by_key(|&x| self.pair.name(x));
        let c = self.intern(causes);
        vec![(c, changed)]
    }
}

/// The nodes of a graph (each node's successors) that are on a cycle: in
/// a strongly connected component of two nodes or more, or their own
/// successor.
fn cyclic_nodes(next: &[Vec<u32>]) -> Vec<bool> {
    let mut out = vec![false; next.len()];
    let comps = graph::strongly_connected(next.len(), |v, pos| {
        next[v as usize].get(pos).map(|&w| Some(w))
    });
    for comp in comps {
        if comp.len() > 1 || comp.iter().any(|&v| next[v as usize].contains(&v)) {
            for v in comp {
                out[v as usize] = true;
            }
        }
    }
    out
}

/// Take from `words` (non-zero words by index) the bits `mask` gives for
/// their index: returned, as non-zero words, and removed from `words`.
fn take(words: &mut Vec<(u32, u64)>, mask: impl Fn(u32) -> u64) -> Vec<(u32, u64)> {
    let mut taken = Vec::new();
    for (w, word) in words.iter_mut() {
        let t = *word & mask(*w);
        if t != 0 {
            taken.push((*w, t));
            *word &= !t;
        }
    }
    if !taken.is_empty() {
        words.retain(|&(_, word)| word != 0);
    }
    taken
}

/// Cells added to causes (merging with the same cause), in order of the
/// first addition.
#[derive(Default)]
struct Parts {
    causes: Causes,
    index: FxHashMap<Cause, usize>,
}

impl Parts {
    /// Add `cells` (sorted, non-zero words) to `cause`'s. Appended: a
    /// cause's words are sorted and merged once, in [`Parts::into_causes`].
    fn add(&mut self, cause: Cause, cells: &[(u32, u64)]) {
        match self.index.get(&cause) {
            Some(&i) => self.causes[i].1.extend_from_slice(cells),
            None => {
                self.index.insert(cause, self.causes.len());
                self.causes.push((cause, cells.to_vec()));
            }
        }
    }

    /// Each cause's words sorted, a word added twice merged (`|`).
    fn into_causes(mut self) -> Causes {
        for (_, words) in &mut self.causes {
            if !words.is_sorted_by(|a, b| a.0 < b.0) {
                merge_words(words);
            }
        }
        self.causes
    }
}

/// Sort non-zero words by index, the bits of one index joined.
fn merge_words(words: &mut Words) {
    words.sort_unstable_by_key(|&(w, _)| w);
    words.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1 |= later.1;
        }
        same
    });
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::{cyclic_nodes, merge_words, Words};

    /// Sorted non-zero words, from a map of word index to bits.
    fn words(max_len: usize) -> impl Strategy<Value = Words> {
        prop::collection::btree_map(0u32..400, 1u64.., 0..max_len)
            .prop_map(|m| m.into_iter().collect())
    }

    /// The union of two word lists, through a map.
    fn union(a: &Words, b: &Words) -> Words {
        let mut all: BTreeMap<u32, u64> = BTreeMap::new();
        for &(w, x) in a.iter().chain(b) {
            *all.entry(w).or_default() |= x;
        }
        all.into_iter().collect()
    }

    /// Reachability by repeated steps, for the cycle test.
    fn reaches(next: &[Vec<u32>], from: u32, to: u32) -> bool {
        let mut seen = vec![false; next.len()];
        let mut todo: Vec<u32> = next[from as usize].clone();
        while let Some(x) = todo.pop() {
            if x == to {
                return true;
            }
            if !std::mem::replace(&mut seen[x as usize], true) {
                todo.extend(&next[x as usize]);
            }
        }
        false
    }

    proptest! {
        // A node is on a cycle exactly when it reaches itself.
        #[test]
        fn cyclic_nodes_are_those_that_reach_themselves(
            next in prop::collection::vec(prop::collection::vec(0u32..12, 0..3), 1..12),
        ) {
            let n = next.len() as u32;
            let next: Vec<Vec<u32>> = next
                .into_iter()
                .map(|s| s.into_iter().filter(|&x| x < n).collect())
                .collect();
            let cyclic = cyclic_nodes(&next);
            for v in 0..n {
                prop_assert_eq!(cyclic[v as usize], reaches(&next, v, v), "node {}", v);
            }
        }

        // Words added to a cause in any order, some twice: sorted, the
        // bits of one word joined.
        #[test]
        fn merged_words_match_a_reference(
            a in words(300),
            b in words(300),
        ) {
            let mut both = b.clone();
            both.extend_from_slice(&a);
            merge_words(&mut both);
            prop_assert_eq!(both, union(&a, &b));
        }
    }
}
