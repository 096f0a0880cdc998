//! The exact rule analysis: what every access level and component decides,
//! as regions, and which rules and includes never decide.
//!
//! Each access level's decisions are summarized once, bottom-up over the
//! include graph (strongly connected components in reverse topological
//! order), as two regions: the cells it decides and the cells it allows.
//! An access level's summary is composed from its own permissions and its
//! includes' summaries, in order: a later include decides only the cells no
//! earlier part decided. This is exact — an include's standalone decisions
//! equal its decisions in any context on the cells it is first to decide,
//! because whatever it reaches that was reached earlier decided its cells
//! earlier too — and linear: no access level's flattened rule list is ever
//! built. Cycles (an error of their own) are summarized by walking them.

use rustc_hash::{FxHashMap, FxHashSet};
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use super::region::{region_text, CellSet, Chunked, Chunks, Packed, Region, Universe};
use crate::model::reach::Reach;
use crate::model::{AccessLevel, AclId, Model, Rule};
use crate::syntax::ast::{Access, AccessSet, Effect, Pattern, PermissionStmt};

/// What an own permission statement that never decides (for some of its
/// access types) is.
#[derive(Clone, Debug)]
pub struct DeadRule {
    /// The block.
    pub acl: AclId,
    /// Index of the rule in the block's own permissions.
    pub rule: usize,
    /// Dead access types whose cases are all decided the same way earlier.
    pub redundant: AccessSet,
    /// Dead access types with some case decided differently earlier.
    pub shadowed: AccessSet,
    /// For each dead access type, the earlier rule that covers it (so the
    /// rules named for a dead part are a minimal cover of it).
    pub covering: Vec<(Access, usize)>,
    /// An earlier rule deciding part of it differently (when shadowed and
    /// not already among `covering`).
    pub differing: Option<usize>,
}

/// Why an include contributes no decision.
#[derive(Clone, Debug)]
pub enum DeadReason {
    /// Its target was reached through this earlier include.
    Reached(usize),
    /// Everything it decides is decided earlier: by own permissions and/or
    /// these earlier includes (a minimal set: the parts are disjoint).
    Decided {
        /// Own permissions decide some of it.
        own: bool,
        /// Earlier includes deciding the rest.
        includes: Vec<usize>,
    },
}

/// An include that contributes no decision.
#[derive(Clone, Debug)]
pub struct DeadInclude {
    /// The block.
    pub acl: AclId,
    /// Index in the block's includes.
    pub include: usize,
    /// Why.
    pub reason: DeadReason,
}

/// A later include deciding cases differently from the include that
/// decides them first.
#[derive(Clone, Debug)]
pub struct Contradiction {
    /// The block.
    pub acl: AclId,
    /// Index of the later include.
    pub later: usize,
    /// Each earlier include that decides some of the cases first (their
    /// regions: [`Semantics::contradicted`], worked out when asked, so a
    /// set with many contradictions holds no region for each).
    pub earlier: Vec<usize>,
    /// What each of `earlier` decides first, as the finding names it.
    pub firsts: Vec<DecidedFirst>,
    /// All the cases, written as the finding's message writes them
    /// ([`region_text`]), when more than one earlier include decides them
    /// (else they are the one's: [`Contradiction::text`]).
    pub all: Option<String>,
}

impl Contradiction {
    /// All the cases, written as the finding's message writes them.
    pub fn text(&self) -> &str {
        match (&self.all, &self.firsts[..]) {
            (Some(all), _) => all,
            (None, [one, ..]) => &one.text,
            (None, []) => "",
        }
    }
}

/// The cases of a contradiction that one earlier include decides first,
/// as its finding names them: written while the block is composed, so
/// the finding needs no second composition of the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecidedFirst {
    /// The first of the cells (the finding names the rules deciding it).
    pub cell: u32,
    /// The cells, written ([`region_text`]).
    pub text: String,
}

/// The decisions of one access level or component, as sets of cells.
///
/// The sets are shared, not copied: a block whose includes add nothing
/// holds its own permissions' sets, one that allows everything it decides
/// holds one set twice, and re-analysis takes over an unchanged block's
/// sets by reference.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Cells some rule of its effective list decides.
    pub decided: Arc<CellSet>,
    /// Cells it allows (a subset of `decided`).
    pub allowed: Arc<CellSet>,
}

impl Summary {
    /// The summary of these sets, `allowed` sharing `decided` when equal.
    pub fn new(decided: CellSet, allowed: CellSet) -> Summary {
        let (decided, allowed) = (decided.compacted(), allowed.compacted());
        let decided = Arc::new(decided);
        let allowed = if allowed == *decided {
            Arc::clone(&decided)
        } else {
            Arc::new(allowed)
        };
        Summary { decided, allowed }
    }
}

/// A block's decisions as kept for the whole analysis ([`Chunked`]: a
/// summary over a big catalog spans most of its cells, and neighbouring
/// blocks' summaries share most of their chunks); [`KeptSummary::summary`]
/// gives the sets to work on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeptSummary {
    /// Cells some rule of its effective list decides.
    pub decided: Chunked,
    /// Cells it allows (a subset of `decided`).
    pub allowed: Chunked,
}

impl KeptSummary {
    /// `summary`, sharing chunks with `like` (its includes' summaries)
    /// and, where all words are equal, through `chunks`.
    pub fn of(summary: &Summary, like: &[&KeptSummary], chunks: &Chunks) -> KeptSummary {
        let decided: Vec<&Chunked> = like.iter().map(|k| &k.decided).collect();
        let decided = Chunked::of(&summary.decided, &decided, chunks);
        let allowed = if Arc::ptr_eq(&summary.decided, &summary.allowed) {
            decided.clone()
        } else {
            let allowed: Vec<&Chunked> = std::iter::once(&decided)
                .chain(like.iter().map(|k| &k.allowed))
                .collect();
            Chunked::of(&summary.allowed, &allowed, chunks)
        };
        KeptSummary { decided, allowed }
    }

    /// About how many words keeping it takes ([`Chunked::own_words`]).
    fn own_words(&self) -> usize {
        let decided = self.decided.own_words();
        if self.allowed == self.decided {
            decided
        } else {
            decided + self.allowed.own_words()
        }
    }

    /// The summary, unpacked (`allowed` sharing `decided` when equal).
    pub fn summary(&self) -> Summary {
        let decided = self.decided.unpack();
        let allowed = if self.allowed == self.decided {
            Arc::clone(&decided)
        } else {
            self.allowed.unpack()
        };
        Summary { decided, allowed }
    }
}

/// The decisions of one block's own permissions as kept after the block
/// is composed: their few non-zero words alone ([`Packed`]), `allowed`
/// absent when it equals `decided`; or nothing, when the sets are dense
/// or many (wildcard rules: a block's `*.attribute` spans every object),
/// as they cost more to keep than to work out again from the block's rules
/// ([`Semantics::own_summary`]). Shared, so a re-analysis takes an
/// unchanged block's over by reference.
#[derive(Clone, Debug, Default)]
pub struct OwnSummary {
    kept: Option<KeptOwn>,
}

#[derive(Clone, Debug)]
struct KeptOwn {
    decided: Arc<Packed>,
    allowed: Option<Arc<Packed>>,
}

/// Dense own sets of at most this many words are kept all the same.
const KEEP_DENSE_WORDS: usize = 32;

/// Sets that pack are kept up to this many non-zero words. A block's own
/// permissions are a few dozen rules about a few objects, a few dozen
/// words; one `*.attribute` rule over a catalog of 5,000 objects is 5,000
/// words (80 KB packed), and a catalog of thousands of such blocks kept
/// hundreds of megabytes of them, for lookups that scanning the block's
/// few rules answers as well.
const KEEP_SPARSE_WORDS: usize = 1024;

/// Whether own decisions are kept at all (else always worked out again).
static KEEP_OWN: AtomicBool = AtomicBool::new(true);

/// How many words of dense own decisions (those not kept) are held from
/// the own-permission pass until their block is composed; beyond it they
/// are worked out again when the block is composed. Held without a bound,
/// the messy legacy million's wildcard blocks held 0.5 GB at once (every
/// block's sets spanning the catalog) for one first-match pass each saved.
const HELD_WORDS: usize = 8 << 20;

/// Add `n` to `count` if the sum stays at most `limit`; whether it did.
fn within(count: &AtomicUsize, n: usize, limit: usize) -> bool {
    count
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
            (c + n <= limit).then_some(c + n)
        })
        .is_ok()
}

/// Keep no block's own decisions from now on (`false`), or those that pack
/// or are small (`true`, the default), for tests: the analysis is the same
/// either way.
#[doc(hidden)]
pub fn keep_own_decisions(keep: bool) {
    KEEP_OWN.store(keep, Ordering::Relaxed);
}

impl OwnSummary {
    /// `summary` as kept: packed when its sets pack into at most
    /// [`KEEP_SPARSE_WORDS`] words or are small.
    pub fn of(summary: &Summary) -> OwnSummary {
        let none = OwnSummary { kept: None };
        if !KEEP_OWN.load(Ordering::Relaxed) {
            return none;
        }
        let Some(decided) = Packed::of_small(&summary.decided, KEEP_DENSE_WORDS, KEEP_SPARSE_WORDS)
        else {
            return none;
        };
        let allowed = if Arc::ptr_eq(&summary.decided, &summary.allowed) {
            None
        } else {
            match Packed::of_small(&summary.allowed, KEEP_DENSE_WORDS, KEEP_SPARSE_WORDS) {
                Some(allowed) => Some(Arc::new(allowed)),
                None => return none,
            }
        };
        OwnSummary {
            kept: Some(KeptOwn {
                decided: Arc::new(decided),
                allowed,
            }),
        }
    }

    /// The cells its own permissions decide, when kept.
    pub fn decided(&self) -> Option<&Packed> {
        self.kept.as_ref().map(|k| &*k.decided)
    }

    /// The summary, unpacked, when kept.
    fn unpacked(&self) -> Option<Summary> {
        let k = self.kept.as_ref()?;
        let decided = Arc::new(k.decided.unpack());
        let allowed = match &k.allowed {
            Some(a) => Arc::new(a.unpack()),
            None => Arc::clone(&decided),
        };
        Some(Summary { decided, allowed })
    }
}

/// What a block's own permissions decide, worked out from its rules.
fn own_decisions(u: &Universe, rules: &[Rule]) -> Summary {
    let mut scratch = Vec::new();
    let mut fm = FirstMatch::for_rules(u, rules.iter(), &mut scratch);
    for r in rules {
        let slots = u.slots_of(&r.object, &r.attribute, &mut scratch);
        fm.add(slots, r.access, r.effect);
    }
    fm.into_summary()
}

/// The analysis of a policy set.
#[derive(Debug)]
pub struct Semantics {
    /// The cells.
    pub universe: Arc<Universe>,
    /// Per access level (by [`AclId`]): its decisions, as kept
    /// ([`Semantics::summary`] unpacks them). In an analysis for findings
    /// ([`Semantics::for_findings`]), a component's `allowed` is empty once
    /// released: read it only for access levels and the blocks defaults,
    /// guards and tests name.
    pub summaries: Vec<KeptSummary>,
    /// Per access level: the decisions of its own permissions alone, as
    /// kept ([`Semantics::own_summary`] gives them).
    pub own: Vec<OwnSummary>,
    /// Per access level: whether it reaches an include of an undeclared
    /// name (its decisions are then incomplete).
    pub unresolved: Vec<bool>,
    /// Own permissions that never decide.
    pub dead_rules: Vec<DeadRule>,
    /// Includes that contribute nothing.
    pub dead_includes: Vec<DeadInclude>,
    /// Contradicting includes.
    pub contradictions: Vec<Contradiction>,
    /// Reachability in the include graph.
    pub reach: Reach,
    /// What the cells are made of, for the next re-analysis to take
    /// (once: [`Targets::after`]); kept by re-analyses only (the first
    /// re-analysis after a fresh one counts them).
    targets: std::sync::Mutex<Option<Targets>>,
}

/// The targets (object and attribute patterns) the cells are made of
/// ([`Universe::of_model`]): how many own permissions of blocks write each,
/// and those of guards and tests. A re-analysis updates the counts with
/// the blocks whose permissions changed and so knows, without going over
/// every permission, whether the cells are as they were.
#[derive(Debug, Default)]
struct Targets {
    /// Own permissions writing each target.
    counts: FxHashMap<(Pattern, Pattern), u32>,
    /// The targets of guards and tests, sorted, without repeats.
    others: Vec<(Pattern, Pattern)>,
}

impl Targets {
    /// The targets of a model.
    fn of(model: &Model) -> Targets {
        let mut counts: FxHashMap<(Pattern, Pattern), u32> = FxHashMap::default();
        for acl in &model.acls {
            add_targets(&mut counts, acl);
        }
        Targets {
            counts,
            others: other_targets(model),
        }
    }

    /// The targets of `model`, from these (those of `previous`); and
    /// whether they are the same set. Blocks are paired by name (a name
    /// written once in each model), a pair with the same targets in the
    /// same order counted as it was.
    fn after(mut self, previous: &Model, model: &Model) -> (Targets, bool) {
        let (now, then) = (name_counts(model), name_counts(previous));
        let mut paired = vec![false; previous.acls.len()];
        let mut added = Vec::new();
        for acl in &model.acls {
            let was = previous
                .lookup(&acl.name)
                .filter(|_| now.get(acl.name.as_str()) == Some(&1))
                .filter(|_| then.get(acl.name.as_str()) == Some(&1))
                .map(|w| previous.acl(w))
                .filter(|w| {
                    w.rules.len() == acl.rules.len()
                        && w.rules
                            .iter()
                            .zip(&acl.rules)
                            .all(|(a, b)| a.object == b.object && a.attribute == b.attribute)
                });
            match was {
                Some(w) => paired[w.id.0 as usize] = true,
                None => added.push(acl),
            }
        }
        // The new blocks' targets are counted before the old ones' are
        // taken out, so a target of an edited block that no other block
        // writes is never counted down to nothing and back (which would
        // tell a new set of targets, and build the cells again).
        let mut same = true;
        for acl in added {
            for r in &acl.rules {
                let n = self
                    .counts
                    .entry((r.object.clone(), r.attribute.clone()))
                    .or_default();
                same &= *n > 0;
                *n += 1;
            }
        }
        for acl in previous.acls.iter().filter(|a| !paired[a.id.0 as usize]) {
            for r in &acl.rules {
                let key = (r.object.clone(), r.attribute.clone());
                match self.counts.get_mut(&key) {
                    Some(n) if *n > 1 => *n -= 1,
                    _ => {
                        self.counts.remove(&key);
                        same = false;
                    }
                }
            }
        }
        let others = other_targets(model);
        same &= others == self.others;
        self.others = others;
        (self, same)
    }
}

/// How many blocks have each name.
fn name_counts(model: &Model) -> FxHashMap<&str, u32> {
    let mut count: FxHashMap<&str, u32> = FxHashMap::default();
    for acl in &model.acls {
        *count.entry(acl.name.as_str()).or_default() += 1;
    }
    count
}

/// Count the targets of a block's own permissions.
fn add_targets(counts: &mut FxHashMap<(Pattern, Pattern), u32>, acl: &AccessLevel) {
    for r in &acl.rules {
        *counts
            .entry((r.object.clone(), r.attribute.clone()))
            .or_default() += 1;
    }
}

/// The targets of a model's guards and tests, sorted, without repeats.
fn other_targets(model: &Model) -> Vec<(Pattern, Pattern)> {
    let guards = model.guards.iter().flat_map(|g| g.decl.rules.iter());
    let tests = model
        .tests
        .iter()
        .flat_map(|t| t.expectations.iter().map(|e| &e.rule));
    let mut out: Vec<(Pattern, Pattern)> = guards
        .chain(tests)
        .map(|p: &PermissionStmt| {
            (
                p.target.object.node.clone(),
                p.target.attribute.node.clone(),
            )
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// First-match over an ordered list of permissions: the decided and allowed
/// regions, and what each (rule, access type) newly decides.
struct FirstMatch {
    decided: CellSet,
    allowed: CellSet,
}

impl FirstMatch {
    fn new() -> FirstMatch {
        FirstMatch {
            decided: CellSet::new(),
            allowed: CellSet::new(),
        }
    }

    /// Add a rule's box (each case it matches that no earlier rule
    /// decided is decided by it); returns the access types for which it
    /// decides something.
    fn add(&mut self, slots: &[Range<u32>], access: AccessSet, effect: Effect) -> AccessSet {
        let allowed = (effect == Effect::Allow).then_some(&mut self.allowed);
        self.decided.insert_slots_also(slots, access, allowed)
    }

    /// First-match over `rules`, the decided set spanning the words of all
    /// their boxes from the start and the allowed set those of the `allow`
    /// rules' boxes: each allocated once, not grown rule by rule (a block
    /// of wildcard rules over a big catalog would move and zero its sets
    /// again and again).
    fn for_rules<'r>(
        u: &Universe,
        rules: impl Iterator<Item = &'r Rule>,
        scratch: &mut Vec<Range<u32>>,
    ) -> FirstMatch {
        let (mut decided, mut allowed) = (None, None);
        for r in rules {
            let slots = u.slots_of(&r.object, &r.attribute, scratch);
            let span = CellSet::box_words(slots, r.access);
            decided = hull(decided, span);
            if r.effect == Effect::Allow {
                allowed = hull(allowed, span);
            }
        }
        FirstMatch {
            decided: spanning(decided),
            allowed: spanning(allowed),
        }
    }

    fn into_summary(self) -> Summary {
        Summary::new(self.decided.trimmed(), self.allowed.trimmed())
    }
}

/// The words `[lo, hi)` spanning both spans.
fn hull(a: Option<(u32, u32)>, b: Option<(u32, u32)>) -> Option<(u32, u32)> {
    match (a, b) {
        (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
        (span, None) | (None, span) => span,
    }
}

/// An empty set holding zero words to span `span` (see
/// [`CellSet::spanning`]), or none.
fn spanning(span: Option<(u32, u32)>) -> CellSet {
    span.map_or_else(CellSet::new, |(lo, hi)| CellSet::spanning(lo, hi))
}

/// The region of one rule for one access type.
pub(crate) fn rule_region(
    u: &Universe,
    access: Access,
    object: &Pattern,
    attribute: &Pattern,
) -> Region {
    u.region(AccessSet(access.bit()), object, attribute)
}

/// Whether `outer` contains every name `inner` matches.
fn contains(outer: &Pattern, inner: &Pattern) -> bool {
    match (outer, inner) {
        (Pattern::Any, _) => true,
        (Pattern::Prefix(p), Pattern::Prefix(q) | Pattern::Exact(q)) => q.starts_with(&**p),
        (Pattern::Exact(a), Pattern::Exact(b)) => a == b,
        _ => false,
    }
}

/// The first-match decisions of a list of permission statements (a guard's).
pub fn statements_summary(u: &Universe, stmts: &[PermissionStmt]) -> Summary {
    let mut fm = FirstMatch::new();
    let mut scratch = Vec::new();
    for s in stmts {
        let slots = u.slots_of(
            &s.target.object.node,
            &s.target.attribute.node,
            &mut scratch,
        );
        fm.add(slots, s.access_set(), s.effect.node);
    }
    fm.into_summary()
}

/// Own permissions of one block: their decisions, and the dead ones.
fn own_rules(u: &Universe, acl: AclId, rules: &[Rule], dead: &mut Vec<DeadRule>) -> Summary {
    let mut scratch = Vec::new();
    let mut fm = FirstMatch::for_rules(u, rules.iter(), &mut scratch);
    // (access, object, attribute) → first rule with exactly these patterns,
    // to find a covering rule in a handful of lookups.
    let mut first: FxHashMap<(Access, &Pattern, &Pattern), usize> = FxHashMap::default();
    for (i, r) in rules.iter().enumerate() {
        let mut redundant = AccessSet::default();
        let mut shadowed = AccessSet::default();
        let mut covering = Vec::new();
        let mut differing_cell = None;
        let slots = u.slots_of(&r.object, &r.attribute, &mut scratch);
        let decides = fm.add(slots, r.access, r.effect);
        for a in r.access.iter() {
            if decides.contains(a) {
                first.entry((a, &r.object, &r.attribute)).or_insert(i);
                continue;
            }
            // Dead: no cell of `a` changed, so `fm` holds the earlier
            // decisions there. An allow differs where they deny, a deny
            // where they allow (every cell of the box is decided).
            let allow = r.effect == Effect::Allow;
            match fm.allowed.first_in_slots(slots, AccessSet(a.bit()), !allow) {
                Some(cell) => {
                    shadowed.insert(a);
                    differing_cell = differing_cell.or(Some(cell));
                }
                None => redundant.insert(a),
            }
            if let Some(c) = covering_rule(u, &first, a, r) {
                covering.push((a, c));
            }
        }
        if redundant.is_empty() && shadowed.is_empty() {
            continue;
        }
        // A covering rule with the other effect already shows the conflict;
        // else name the earlier rule that decides a differing case.
        let differing = differing_cell.and_then(|cell| {
            if covering.iter().any(|&(_, c)| rules[c].effect != r.effect) {
                return None;
            }
            let (access, o, at) = u.representative(u.cell(cell));
            rules[..i].iter().position(|e| e.matches(access, &o, &at))
        });
        dead.push(DeadRule {
            acl,
            rule: i,
            redundant,
            shadowed,
            covering,
            differing,
        });
    }
    fm.into_summary()
}

/// The earliest earlier rule whose box contains rule `r`'s box for access
/// type `a`. Because no class is empty, a box covered by earlier boxes is
/// covered by one of them; that one's patterns contain `r`'s.
fn covering_rule(
    u: &Universe,
    first: &FxHashMap<(Access, &Pattern, &Pattern), usize>,
    a: Access,
    r: &Rule,
) -> Option<usize> {
    let v = u.objects.find(&r.object)?;
    let attrs = u.attributes(v);
    let w = attrs.find(&r.attribute)?;
    let mut best: Option<usize> = None;
    for ov in u.objects.ancestors(v) {
        let op = u.objects.pattern(ov);
        for aw in attrs.ancestors(w) {
            let ap = attrs.pattern(aw);
            if let Some(&i) = first.get(&(a, op, ap)) {
                debug_assert!(contains(op, &r.object) && contains(ap, &r.attribute));
                best = Some(best.map_or(i, |b: usize| b.min(i)));
            }
        }
    }
    best
}

/// The first-match decisions of a list of rules.
pub(crate) fn rules_summary<'r>(
    u: &Universe,
    rules: impl IntoIterator<Item = &'r Rule, IntoIter: Clone>,
) -> Summary {
    let rules = rules.into_iter();
    let mut scratch = Vec::new();
    let mut fm = FirstMatch::for_rules(u, rules.clone(), &mut scratch);
    for r in rules {
        fm.add(
            u.slots_of(&r.object, &r.attribute, &mut scratch),
            r.access,
            r.effect,
        );
    }
    fm.into_summary()
}

/// Standalone decisions of `root` by walking its effective list (used for
/// include cycles only; everything else is composed).
pub(crate) fn walk_summary(model: &Model, u: &Universe, root: AclId) -> Summary {
    rules_summary(u, model.effective(root).rules.iter().map(|er| er.rule))
}

impl Semantics {
    /// Free the summaries and compositions, keeping the cells, the
    /// reachability and the dead rules: what the `shadowed-rule` and
    /// `redundant-rule` lints read, when nothing else will read the
    /// analysis (`aclc check`, whose hundreds of thousands of dead-rule
    /// findings then take the room the summaries took).
    pub(crate) fn release_all_but_dead_rules(&mut self) {
        // Freed on every core: over a big catalog, millions of chunks (at
        // a million permissions, half a second of one core's time).
        std::mem::take(&mut self.summaries)
            .into_par_iter()
            .for_each(drop);
        self.own = Vec::new();
        self.dead_includes = Vec::new();
        self.contradictions = Vec::new();
    }

    /// Analyze a model.
    ///
    /// Summaries are composed bottom-up over the include graph's strongly
    /// connected components, level by level (a level's components include
    /// only components of lower levels), each level in parallel. Own
    /// permissions are analyzed block by block: those of the blocks of wide
    /// levels as each is composed, the others' first, all in parallel. The
    /// result does not depend on the number of threads.
    pub fn new(model: &Model) -> Semantics {
        Semantics::reusing(model, None)
    }

    /// Analyze a model, reusing the own-permission analysis of `previous`
    /// (an earlier version of the policy set and its analysis) for every
    /// block whose permissions are unchanged, and its composition (summary,
    /// dead includes, contradictions) for every block whose permissions,
    /// includes and closure are unchanged, when the cells are the same;
    /// the cells themselves are taken over when the targets they are made
    /// of are the same (counted per block). The result is exactly that of
    /// [`Semantics::new`].
    pub fn reusing(model: &Model, previous: Option<(&Model, &Semantics)>) -> Semantics {
        Semantics::analyze(model, previous, false)
    }

    /// Analyze a model for its findings alone ([`crate::analysis::findings`],
    /// `aclc check` without `--regions`): what a component allows is
    /// released once every block including it is composed (emptied: see
    /// [`Semantics::summaries`]), unless a default, guard or test names it.
    /// Nothing else reads it then (the rule deciding a cell is found
    /// through what blocks decide), and over a big catalog those sets are
    /// half of all summaries.
    pub fn for_findings(model: &Model) -> Semantics {
        Semantics::analyze(model, None, true)
    }

    /// [`Semantics::reusing`]; with `release`, [`Semantics::for_findings`].
    fn analyze(model: &Model, previous: Option<(&Model, &Semantics)>, release: bool) -> Semantics {
        // The cells are those of `previous` when the targets are the same
        // (told by the blocks whose permissions changed).
        let taken = previous.map(|(m, s)| {
            let earlier = s
                .targets
                .lock()
                .ok()
                .and_then(|mut t| t.take())
                .unwrap_or_else(|| Targets::of(m));
            (earlier.after(m, model), &s.universe)
        });
        let (universe, kept_targets) = match taken {
            Some(((targets, true), cells)) => (Arc::clone(cells), Some(targets)),
            Some(((targets, false), _)) => (Arc::new(Universe::of_model(model)), Some(targets)),
            None => (Arc::new(Universe::of_model(model)), None),
        };
        let u = &*universe;
        let n = model.acls.len();
        // Cells built again can be the same (a target that had gone and
        // is back).
        let previous = previous
            .filter(|(_, s)| Arc::ptr_eq(&s.universe, &universe) || *s.universe == *universe);
        let sccs = model.strongly_connected();
        let mut scc_of = vec![0u32; n];
        for (k, scc) in sccs.iter().enumerate() {
            for a in scc {
                scc_of[a.0 as usize] = k as u32;
            }
        }
        let targets = |k: usize| {
            sccs[k]
                .iter()
                .flat_map(|&m| model.acl(m).includes.iter().map(|i| i.target))
        };
        // Tarjan emits a component after every component it reaches, so one
        // pass in its order settles what depends on what is below.
        let mut unresolved = vec![false; n];
        let mut level = vec![0u32; sccs.len()];
        for k in 0..sccs.len() {
            let mut broken = false;
            for t in targets(k) {
                let Some(t) = t else {
                    broken = true;
                    continue;
                };
                let kt = scc_of[t.0 as usize] as usize;
                if kt != k {
                    broken |= unresolved[t.0 as usize];
                    level[k] = level[k].max(level[kt] + 1);
                }
            }
            for &m in &sccs[k] {
                unresolved[m.0 as usize] = broken;
            }
        }
        let mut by_level: Vec<Vec<usize>> = Vec::new();
        for (k, &l) in level.iter().enumerate() {
            if by_level.len() <= l as usize {
                by_level.resize(l as usize + 1, Vec::new());
            }
            by_level[l as usize].push(k);
        }
        // The own permissions of a block composed among many (a level of
        // `COMPOSED_WITH_OWN` components or more, each one acyclic block)
        // are analyzed when it is composed: its decisions are then worked
        // out once and held by no one in between. The others' are
        // analyzed first, all in parallel (a deep chain composes one block
        // at a time).
        let mut with_own = vec![false; n];
        let wide = COMPOSED_WITH_OWN.load(Ordering::Relaxed);
        for ks in by_level.iter().filter(|ks| ks.len() >= wide) {
            for &k in ks {
                if let [m] = sccs[k][..] {
                    with_own[m.0 as usize] = !is_cycle(model, &sccs[k]);
                }
            }
        }
        // Own decisions not kept are held until the block is composed, up
        // to `HELD_WORDS` in all (which ones does not change the result).
        let held_words = AtomicUsize::new(0);
        let chunks = Chunks::default();
        let analyzed: Vec<(OwnSummary, Option<KeptSummary>, Vec<DeadRule>, bool)> = model
            .acls
            .par_iter()
            .map(|acl| {
                if let Some((own, dead)) = previous.and_then(|(m, s)| s.reuse_own(m, acl)) {
                    return (own, None, dead, true);
                }
                if with_own[acl.id.0 as usize] {
                    return (OwnSummary::default(), None, Vec::new(), false);
                }
                let mut dead = Vec::new();
                let summary = own_rules(u, acl.id, &acl.rules, &mut dead);
                let own = OwnSummary::of(&summary);
                let held = own
                    .kept
                    .is_none()
                    .then(|| KeptSummary::of(&summary, &[], &chunks))
                    .filter(|k| within(&held_words, k.own_words(), HELD_WORDS));
                (own, held, dead, false)
            })
            .collect();
        let mut own = Vec::with_capacity(n);
        let mut held = Vec::with_capacity(n);
        let mut dead_rules = Vec::new();
        let mut same_own = Vec::with_capacity(n);
        for (i, (summary, full, dead, reused)) in analyzed.into_iter().enumerate() {
            own.push(summary);
            held.push(full);
            dead_rules.extend(dead);
            same_own.push(reused);
            // Taken over: nothing left to analyze when composed.
            with_own[i] &= !reused;
        }
        let mut unchanged = previous.map(|p| Unchanged::new(model, p, same_own));
        let named = named_blocks(model);
        let needed = externally_needed(model, &scc_of, &named);
        // With `release`: per block, the includes of it not composed yet
        // (released at none left, when a component no one names).
        let mut includers_left: Vec<u32> = Vec::new();
        if release {
            includers_left = vec![0; n];
            for a in &model.acls {
                for t in a.includes.iter().filter_map(|i| i.target) {
                    includers_left[t.0 as usize] += 1;
                }
            }
        }
        let acyclic = !sccs.iter().any(|scc| is_cycle(model, scc));
        let reach = Reach::new(model, acyclic);
        let mut summaries: Vec<KeptSummary> = vec![KeptSummary::default(); n];
        let mut dead_includes = Vec::new();
        let mut contradictions = Vec::new();
        for scc_indices in &by_level {
            let cx = Cx {
                model,
                u,
                own: &own,
                summaries: &summaries,
                needed: &needed,
                reach: &reach,
                chunks: &chunks,
            };
            let work: Vec<(usize, Own)> = scc_indices
                .iter()
                .map(|&k| match sccs[k][..] {
                    [m] if with_own[m.0 as usize] => (k, Own::Analyze),
                    [m] => (k, held[m.0 as usize].take().map_or(Own::Kept, Own::Held)),
                    _ => (k, Own::Kept),
                })
                .collect();
            let done: Vec<Composed> = work
                .into_par_iter()
                .map(|(k, own)| {
                    unchanged
                        .as_ref()
                        .and_then(|p| p.reuse(model, &sccs[k]))
                        .unwrap_or_else(|| compose_scc(&cx, &sccs[k], own))
                })
                .collect();
            for c in done {
                if let Some(p) = unchanged.as_mut() {
                    p.settle(model, &c);
                }
                if let Some((m, summary, dead)) = c.own {
                    own[m.0 as usize] = summary;
                    dead_rules.extend(dead);
                }
                for (m, summary) in c.summaries {
                    summaries[m.0 as usize] = summary;
                }
                dead_includes.extend(c.dead_includes);
                contradictions.extend(c.contradictions);
            }
            if release {
                let composed = scc_indices.iter().flat_map(|&k| &sccs[k]);
                let targets =
                    composed.flat_map(|&m| model.acl(m).includes.iter().filter_map(|i| i.target));
                for t in targets {
                    let left = &mut includers_left[t.0 as usize];
                    *left -= 1;
                    if *left == 0 && model.acl(t).is_component() && !named[t.0 as usize] {
                        summaries[t.0 as usize].allowed = Chunked::default();
                    }
                }
            }
        }
        // In block order, each block's in rule order (a stable sort).
        dead_rules.sort_by_key(|d: &DeadRule| d.acl);
        dead_includes.sort_by_key(|d: &DeadInclude| (d.acl, d.include));
        contradictions.sort_by_key(|c: &Contradiction| (c.acl, c.later));
        Semantics {
            universe,
            summaries,
            own,
            unresolved,
            dead_rules,
            dead_includes,
            contradictions,
            reach,
            targets: std::sync::Mutex::new(kept_targets),
        }
    }

    /// The own-permission analysis of the block `acl` had in this analysis
    /// of `model`, if it has the same permissions here.
    fn reuse_own(&self, model: &Model, acl: &AccessLevel) -> Option<(OwnSummary, Vec<DeadRule>)> {
        let was = model.acl(model.lookup(&acl.name)?);
        let same = was.rules.len() == acl.rules.len()
            && was.rules.iter().zip(&acl.rules).all(|(a, b)| {
                a.effect == b.effect
                    && a.access == b.access
                    && a.object == b.object
                    && a.attribute == b.attribute
            });
        if !same {
            return None;
        }
        let dead = of_block(&self.dead_rules, |d| d.acl, was.id)
            .iter()
            .map(|d| DeadRule {
                acl: acl.id,
                ..d.clone()
            })
            .collect();
        Some((self.own[was.id.0 as usize].clone(), dead))
    }

    /// What the own permissions of an access level or component decide
    /// (unpacked, or worked out again from its rules in `model`, the
    /// model analyzed, when not kept).
    pub fn own_summary(&self, model: &Model, acl: AclId) -> Summary {
        self.own[acl.0 as usize]
            .unpacked()
            .unwrap_or_else(|| own_decisions(&self.universe, &model.acl(acl).rules))
    }

    /// The rule of `root` deciding a cell, and the include path to it:
    /// the first own rule matching it, else the first include whose summary
    /// decides it, and so on down. That is the rule [`Model::decide`] finds
    /// (the first include deciding a cell decides it with its own first
    /// rule), found in depth × includes steps instead of a walk of the
    /// whole effective list.
    pub fn decider(
        &self,
        model: &Model,
        root: AclId,
        cell: u32,
    ) -> Option<(AclId, usize, Vec<AclId>)> {
        let u = &self.universe;
        let (access, object, attribute) = u.representative(u.cell(cell));
        if !self.kept(root).decided.contains(cell) {
            // Not decided, or inside an include cycle (not summarized): walk.
            let d = model.decide(root, access, &object, &attribute);
            return d.rule.map(|(o, i)| (o, i, d.path));
        }
        let mut path = vec![root];
        let mut on_path: FxHashSet<AclId> = FxHashSet::default();
        on_path.insert(root);
        let mut cur = root;
        loop {
            let acl = model.acl(cur);
            // Scan the rules of the one block whose own permissions decide it
            // (of each block whose own decisions are not kept: they are few
            // rules with wildcards).
            let scan = |acl: &AccessLevel| {
                acl.rules
                    .iter()
                    .position(|r| r.matches(access, &object, &attribute))
            };
            match self.own[cur.0 as usize].decided() {
                Some(own) if own.contains(cell) => return Some((cur, scan(acl)?, path)),
                Some(_) => {}
                None => {
                    if let Some(i) = scan(acl) {
                        return Some((cur, i, path));
                    }
                }
            }
            let next = acl.includes.iter().filter_map(|i| i.target).find(|t| {
                // Without cycles, a path never comes back.
                (self.reach.acyclic() || !on_path.contains(t))
                    && self.kept(*t).decided.contains(cell)
            })?;
            if !self.reach.acyclic() {
                on_path.insert(next);
            }
            path.push(next);
            cur = next;
        }
    }

    /// What an access level or component decides (unpacked: a copy of
    /// its sets).
    pub fn summary(&self, acl: AclId) -> Summary {
        self.summaries[acl.0 as usize].summary()
    }

    /// What an access level or component decides, as kept (for questions
    /// about a few cells, without unpacking).
    pub fn kept(&self, acl: AclId) -> &KeptSummary {
        &self.summaries[acl.0 as usize]
    }
}

/// The items of block `acl` in a list sorted by block (`block_of`).
fn of_block<T>(items: &[T], block_of: impl Fn(&T) -> AclId, acl: AclId) -> &[T] {
    let from = items.partition_point(|i| block_of(i) < acl);
    let to = items.partition_point(|i| block_of(i) <= acl);
    &items[from..to]
}

/// Where composing a one-block component gets the block's own decisions.
enum Own {
    /// Kept ([`OwnSummary`]), or else worked out again from its rules.
    Kept,
    /// Held since the own-permission pass.
    Held(KeptSummary),
    /// Not analyzed yet: the own-permission analysis is done now, and its
    /// result is part of the composition ([`Composed::own`]).
    Analyze,
}

/// How many components a level of the include graph has, at least, for
/// its blocks' own permissions to be analyzed as they are composed.
static COMPOSED_WITH_OWN: AtomicUsize = AtomicUsize::new(64);

/// Analyze the own permissions of the blocks of levels of `components`
/// components or more as they are composed, from now on (1: every acyclic
/// block's), for tests: the analysis is the same whatever the number.
#[doc(hidden)]
pub fn analyze_own_when_composed_from(components: usize) {
    COMPOSED_WITH_OWN.store(components, Ordering::Relaxed);
}

/// What composing one strongly connected component yields.
struct Composed {
    /// The own-permission analysis of its block, when done while composing
    /// ([`Own::Analyze`]).
    own: Option<(AclId, OwnSummary, Vec<DeadRule>)>,
    summaries: Vec<(AclId, KeptSummary)>,
    dead_includes: Vec<DeadInclude>,
    contradictions: Vec<Contradiction>,
    /// Whether it was taken from the previous analysis.
    reused: bool,
}

/// Which blocks' compositions an earlier analysis of the same policy set
/// (same cells) still gives: a block's summary, dead includes and
/// contradictions depend only on its own permissions, its includes, and
/// the summaries and include edges of its closure. A block is taken over
/// when its own permissions and includes are as they were and every block
/// it includes was taken over or composed to the same summary with the
/// same include edges below it (so an edit high in the graph, or one
/// that leaves a component's decisions as they were, recomposes little).
struct Unchanged<'p> {
    model: &'p Model,
    sem: &'p Semantics,
    /// Per block: its id in the earlier model (by name).
    was: Vec<Option<AclId>>,
    /// Per block: its own permissions are as they were.
    same_own: Vec<bool>,
    /// Per block: its summary, dead includes and contradictions are not
    /// known to be as they were (set once its component is settled).
    changed: Vec<bool>,
    /// Per block: its include edges, or some below it, are not as they
    /// were.
    moved: Vec<bool>,
}

impl<'p> Unchanged<'p> {
    fn new(model: &Model, (m, sem): (&'p Model, &'p Semantics), same_own: Vec<bool>) -> Self {
        let n = model.acls.len();
        Unchanged {
            model: m,
            sem,
            was: model.acls.iter().map(|a| m.lookup(&a.name)).collect(),
            same_own,
            changed: vec![true; n],
            moved: vec![true; n],
        }
    }

    /// Whether the includes of `acl` (in the new model) are those of its
    /// earlier version, resolved to the same names.
    fn same_includes(&self, model: &Model, acl: AclId, was: AclId) -> bool {
        let (now, then) = (&model.acl(acl).includes, &self.model.acl(was).includes);
        now.len() == then.len()
            && now.iter().zip(then).all(|(a, b)| {
                a.name.node == b.name.node && a.target.is_some() == b.target.is_some()
            })
    }

    /// The earlier composition of a one-block, acyclic component, when
    /// nothing it depends on changed.
    fn reuse(&self, model: &Model, scc: &[AclId]) -> Option<Composed> {
        let [m] = scc else { return None };
        let i = m.0 as usize;
        let was = self.was[i]?;
        let block = model.acl(*m);
        if !self.same_own[i]
            || !self.same_includes(model, *m, was)
            || block.includes.iter().any(|inc| {
                inc.target.is_some_and(|t| {
                    t == *m || self.changed[t.0 as usize] || self.moved[t.0 as usize]
                })
            })
        {
            return None;
        }
        let sem = self.sem;
        let dead_includes = of_block(&sem.dead_includes, |d| d.acl, was)
            .iter()
            .map(|d| DeadInclude {
                acl: *m,
                ..d.clone()
            })
            .collect();
        let contradictions = of_block(&sem.contradictions, |c| c.acl, was)
            .iter()
            .map(|c| Contradiction {
                acl: *m,
                ..c.clone()
            })
            .collect();
        Some(Composed {
            own: None,
            summaries: vec![(*m, sem.summaries[was.0 as usize].clone())],
            dead_includes,
            contradictions,
            reused: true,
        })
    }

    /// Record whether a component's blocks are as they were, once composed
    /// (components of a level are settled before the next level's start).
    fn settle(&mut self, model: &Model, c: &Composed) {
        for (m, summary) in &c.summaries {
            let i = m.0 as usize;
            if c.reused {
                self.changed[i] = false;
                self.moved[i] = false;
                continue;
            }
            let Some(was) = self.was[i] else { continue };
            let block = model.acl(*m);
            self.moved[i] = !self.same_includes(model, *m, was)
                || block.includes.iter().any(|inc| {
                    inc.target
                        .is_some_and(|t| t == *m || self.moved[t.0 as usize])
                });
            self.changed[i] = self.sem.summaries[was.0 as usize] != *summary;
        }
    }
}

/// What composing a block reads: the policy set, its cells, every block's
/// own decisions and the summaries composed so far, and the table their
/// chunks are kept through.
struct Cx<'a> {
    model: &'a Model,
    u: &'a Universe,
    own: &'a [OwnSummary],
    summaries: &'a [KeptSummary],
    /// Per block: whether its standalone decisions are needed from inside
    /// an include cycle ([`externally_needed`]).
    needed: &'a [bool],
    reach: &'a Reach,
    chunks: &'a Chunks,
}

/// Whether a strongly connected component of the include graph is an
/// include cycle: several blocks, or one that includes itself.
fn is_cycle(model: &Model, scc: &[AclId]) -> bool {
    match scc {
        [m] => model.acl(*m).includes.iter().any(|i| i.target == Some(*m)),
        _ => true,
    }
}

/// The summaries of one strongly connected component of the include graph,
/// whose includes outside it are summarized already; `own`: where the own
/// decisions of its one block come from.
fn compose_scc(cx: &Cx<'_>, scc: &[AclId], own: Own) -> Composed {
    let Cx {
        model,
        u,
        own: kept,
        summaries,
        needed,
        reach,
        chunks,
    } = *cx;
    let mut out = Composed {
        own: None,
        summaries: Vec::new(),
        dead_includes: Vec::new(),
        contradictions: Vec::new(),
        reused: false,
    };
    if is_cycle(model, scc) {
        // An include cycle is an error of its own. Its members' standalone
        // decisions are walked, for the members anything outside the cycle
        // depends on; findings inside it wait until the cycle is fixed.
        for &m in scc.iter().filter(|m| needed[m.0 as usize]) {
            let walked = walk_summary(model, u, m);
            out.summaries
                .push((m, KeptSummary::of(&walked, &[], chunks)));
        }
        return out;
    }
    let m = scc[0];
    let own = match own {
        Own::Held(held) => held.summary(),
        Own::Analyze => {
            let mut dead = Vec::new();
            let summary = own_rules(u, m, &model.acl(m).rules, &mut dead);
            out.own = Some((m, OwnSummary::of(&summary), dead));
            summary
        }
        Own::Kept => kept[m.0 as usize]
            .unpacked()
            .unwrap_or_else(|| own_decisions(u, &model.acl(m).rules)),
    };
    let summary = Composer {
        model,
        universe: u,
        own: &own,
        summaries,
        reach,
    }
    .run(m, &mut out.dead_includes, &mut out.contradictions);
    let includes: Vec<&KeptSummary> = model
        .acl(m)
        .includes
        .iter()
        .filter_map(|i| i.target)
        .map(|t| &summaries[t.0 as usize])
        .collect();
    out.summaries
        .push((m, KeptSummary::of(&summary, &includes, chunks)));
    out
}

/// Composes one block's summary from its own permissions and its includes,
/// reporting dead includes and contradictions on the way.
struct Composer<'a> {
    model: &'a Model,
    /// The cells (to write the cases of contradictions).
    universe: &'a Universe,
    own: &'a Summary,
    summaries: &'a [KeptSummary],
    reach: &'a Reach,
}

/// The state of a composition after some of a block's includes.
struct Composition {
    decided: CellSet,
    allowed: CellSet,
    /// What each include decided first (disjoint parts).
    firsts: Vec<(usize, CellSet)>,
    /// The indexes in `firsts` of the includes that decided something
    /// first (the others cannot take part in a finding: a block of 50,000
    /// includes that decide nothing new asks about none of them).
    deciding: Vec<usize>,
    /// Their union.
    by_includes: CellSet,
}

impl Composer<'_> {
    /// Compose the includes of `acl` in order, up to (not including) the
    /// include with index `upto`; `visit` sees each distinct resolved
    /// include (its index, its summary and what it decides first) with the
    /// state before it.
    fn compose(
        &self,
        acl: AclId,
        upto: usize,
        mut visit: impl FnMut(usize, AclId, &Summary, &Composition, &CellSet),
    ) -> Composition {
        let block = self.model.acl(acl);
        // The sets end up spanning at most the words of what they gather:
        // the decided cells the own ones' and every include's, the allowed
        // cells the allowed ones', the cells decided by includes the
        // includes' decided ones. Each is allocated so once: grown include
        // by include, they were moved (and their pages zeroed by the
        // kernel) again and again.
        let (mut decided, mut allowed) =
            (self.own.decided.words_span(), self.own.allowed.words_span());
        let mut by_includes = None;
        for t in block.includes.iter().take(upto).filter_map(|i| i.target) {
            let kept = &self.summaries[t.0 as usize];
            let span = kept.decided.words_span();
            decided = hull(decided, span);
            by_includes = hull(by_includes, span);
            allowed = hull(allowed, kept.allowed.words_span());
        }
        let widened = |set: &CellSet, span: Option<(u32, u32)>| {
            span.map_or_else(CellSet::new, |(lo, hi)| set.widened(lo, hi))
        };
        let mut c = Composition {
            decided: widened(&self.own.decided, decided),
            allowed: widened(&self.own.allowed, allowed),
            firsts: Vec::new(),
            deciding: Vec::new(),
            by_includes: spanning(by_includes),
        };
        let mut seen: FxHashSet<AclId> = FxHashSet::default();
        for (j, inc) in block.includes.iter().enumerate().take(upto) {
            let Some(t) = inc.target else { continue };
            if !seen.insert(t) {
                continue; // `duplicate-include` reports it
            }
            let s = self.summaries[t.0 as usize].summary();
            let new = s.decided.difference(&c.decided);
            visit(j, t, &s, &c, &new);
            c.allowed.union_with_both(&s.allowed, &new);
            c.decided.union_with(&new);
            c.by_includes.union_with(&new);
            if !new.is_empty() {
                c.deciding.push(c.firsts.len());
            }
            c.firsts.push((j, new));
        }
        c.decided = c.decided.trimmed();
        c.allowed = c.allowed.trimmed();
        c.by_includes = c.by_includes.trimmed();
        c
    }

    fn run(
        &self,
        acl: AclId,
        dead: &mut Vec<DeadInclude>,
        contradictions: &mut Vec<Contradiction>,
    ) -> Summary {
        let block = self.model.acl(acl);
        let mut earlier = Earlier::default();
        let done = self.compose(acl, usize::MAX, |j, t, s, c, new| {
            if s.decided.is_empty() {
                return;
            }
            // A target reached earlier decided all its cases earlier, so
            // only an include that decides nothing new can be one.
            let reached_by = if new.is_empty() {
                earlier.first_reaching(self.model, self.reach, block, &c.firsts, t)
            } else {
                None
            };
            if let Some(by) = reached_by {
                dead.push(DeadInclude {
                    acl,
                    include: j,
                    reason: DeadReason::Reached(by),
                });
                return;
            }
            if new.is_empty() {
                let own = !s.decided.is_disjoint(&self.own.decided);
                let includes = c
                    .deciding
                    .iter()
                    .map(|&k| &c.firsts[k])
                    .filter(|(_, r)| !r.is_disjoint(&s.decided))
                    .map(|(i, _)| *i)
                    .collect();
                dead.push(DeadInclude {
                    acl,
                    include: j,
                    reason: DeadReason::Decided { own, includes },
                });
            }
            // Cases decided first by an earlier include, decided the other
            // way by this one; own permissions silence them.
            if let Some(differ) = differing(c, s) {
                let mut earlier = Vec::new();
                let mut firsts = Vec::new();
                for (i, first) in c.deciding.iter().map(|&k| &c.firsts[k]) {
                    let cases = first.intersection(&differ);
                    if let Some(cell) = cases.min() {
                        earlier.push(*i);
                        firsts.push(DecidedFirst {
                            cell,
                            text: region_text(self.universe, &cases),
                        });
                    }
                }
                // The earlier includes' cases make up `differ` (what they
                // decide first is disjoint and covers what the includes
                // decide): one include's text is the whole text.
                let all = (firsts.len() > 1).then(|| region_text(self.universe, &differ));
                contradictions.push(Contradiction {
                    acl,
                    later: j,
                    earlier,
                    firsts,
                    all,
                });
            }
        });
        if done.by_includes.is_empty() {
            // The includes decide nothing of their own here: the block
            // decides what its own permissions do.
            return self.own.clone();
        }
        Summary::new(done.decided, done.allowed)
    }
}

/// A block's earlier includes, by the post-order number of their targets:
/// in an acyclic graph only a target that finishes after `t` can reach it,
/// so a block of 50,000 includes asks about few of them, not all.
#[derive(Default)]
struct Earlier {
    by_post: std::collections::BTreeMap<u32, usize>,
    /// How many of the block's earlier includes are in `by_post`.
    synced: usize,
}

impl Earlier {
    /// The first of the earlier includes (`firsts`, in order) whose target
    /// reaches `t`.
    fn first_reaching(
        &mut self,
        model: &Model,
        reach: &Reach,
        block: &AccessLevel,
        firsts: &[(usize, CellSet)],
        t: AclId,
    ) -> Option<usize> {
        let reaches = |i: &usize| {
            block.includes[*i]
                .target
                .is_some_and(|s| reach.reaches(model, s, t))
        };
        if !reach.acyclic() {
            return firsts.iter().map(|(i, _)| *i).find(reaches);
        }
        for &(i, _) in &firsts[self.synced.min(firsts.len())..] {
            if let Some(s) = block.includes[i].target {
                self.by_post.insert(reach.post(s), i);
            }
        }
        self.synced = firsts.len();
        let mut candidates: Vec<usize> = self
            .by_post
            .range(reach.post(t).saturating_add(1)..)
            .map(|(_, &i)| i)
            .collect();
        candidates.sort_unstable();
        candidates.into_iter().find(reaches)
    }
}

/// The cases decided first by an earlier include and the other way by an
/// include deciding `s`, if any.
fn differing(c: &Composition, s: &Summary) -> Option<CellSet> {
    let differ = s
        .decided
        .intersection_differing(&c.by_includes, &c.allowed, &s.allowed);
    (!differ.is_empty()).then_some(differ)
}

impl Semantics {
    /// The cases of a contradiction: for each earlier include, the cases it
    /// decides first that the later include decides the other way
    /// (recomposed for this one block).
    pub fn contradicted(&self, model: &Model, c: &Contradiction) -> Vec<(usize, Region)> {
        self.contradicted_in(model, c.acl, &[c.later])
            .pop()
            .unwrap_or_default()
    }

    /// [`Semantics::contradicted`] for several later includes of one block
    /// (`laters` in increasing order), composing the block once.
    pub fn contradicted_in(
        &self,
        model: &Model,
        acl: AclId,
        laters: &[usize],
    ) -> Vec<Vec<(usize, Region)>> {
        let own = self.own_summary(model, acl);
        let composer = Composer {
            model,
            universe: &self.universe,
            own: &own,
            summaries: &self.summaries,
            reach: &self.reach,
        };
        let mut found: Vec<Vec<(usize, Region)>> = vec![Vec::new(); laters.len()];
        let upto = laters.last().map_or(0, |&l| l + 1);
        composer.compose(acl, upto, |j, _, s, state, _| {
            let Ok(k) = laters.binary_search(&j) else {
                return;
            };
            let Some(differ) = differing(state, s) else {
                return;
            };
            found[k] = state
                .deciding
                .iter()
                .map(|&k| &state.firsts[k])
                .map(|(i, first)| (*i, first.intersection(&differ)))
                .filter(|(_, r)| !r.is_empty())
                .collect();
        });
        found
    }
}

/// The access levels whose standalone decisions something outside their
/// include cycle needs: included from outside, not components (guards,
/// emptiness), or `named` ([`named_blocks`]).
fn externally_needed(model: &Model, scc_of: &[u32], named: &[bool]) -> Vec<bool> {
    let mut needed: Vec<bool> = model
        .acls
        .iter()
        .map(|a| !a.is_component() || named[a.id.0 as usize])
        .collect();
    for a in &model.acls {
        for t in a.includes.iter().filter_map(|i| i.target) {
            if scc_of[t.0 as usize] != scc_of[a.id.0 as usize] {
                needed[t.0 as usize] = true;
            }
        }
    }
    needed
}

/// The access levels and components a default, guard or test names.
fn named_blocks(model: &Model) -> Vec<bool> {
    let mut named = vec![false; model.acls.len()];
    let names = model
        .defaults
        .iter()
        .filter_map(|d| d.target)
        .chain(model.guards.iter().flat_map(|g| {
            g.decl.targets.iter().filter_map(|t| match &t.node {
                crate::syntax::ast::GuardTarget::Named(n) => model.lookup(n),
                crate::syntax::ast::GuardTarget::Type(_) => None,
            })
        }))
        .chain(model.tests.iter().flat_map(|t| {
            t.expectations
                .iter()
                .filter_map(|e| model.lookup(&e.acl.node))
        }));
    for id in names {
        named[id.0 as usize] = true;
    }
    named
}
