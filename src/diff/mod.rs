//! Semantic diff of two versions of a policy set (`aclc diff`): for every
//! access level on either side, the exact regions whose decision changed,
//! with the edited blocks that caused each change; plus added, removed,
//! hidden, un-hidden, re-typed access levels, visibility and default
//! changes. `[diff]` rules of `aclc.toml` decide which changes fail.
//!
//! Both sides are compared over one universe of cells built from the
//! patterns of both (and of the `[diff] allow` entries), so regions compare
//! cell by cell; see [`compare`] for what is computed and what is shared.

mod compare;
mod parse;

use std::sync::{Arc, LazyLock, OnceLock};

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde_json::{json, Value};

pub use crate::analysis::region::Part;
use crate::analysis::region::{Packed, Region, Universe};
use crate::analysis::semantics::Summary;
use crate::model::{AccessLevel, AclId, Model, Scope};
use crate::source::Span;
use crate::syntax::ast::{AccessSet, AclKind, DefaultType, Participant, Pattern};
use compare::{Attribution, Pair};
pub use parse::models;

/// What changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Requests denied before are allowed now.
    NewAccess,
    /// Requests allowed before are denied now.
    RemovedAccess,
    /// An access level (or component) exists on the new side only.
    AddedAccessLevel,
    /// An access level (or component) exists on the old side only.
    RemovedAccessLevel,
    /// `hidden` removed: a hidden access level can never be un-hidden.
    Unhide,
    /// `hidden` added.
    Hide,
    /// Resellers added to `visible_to`.
    VisibilityWidened,
    /// Resellers removed from `visible_to`.
    VisibilityNarrowed,
    /// The default access level of a participant type in a scope.
    DefaultChanged,
    /// The participant type (or component-ness) of an access level.
    TypeChanged,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 10] = [
        Kind::NewAccess,
        Kind::RemovedAccess,
        Kind::AddedAccessLevel,
        Kind::RemovedAccessLevel,
        Kind::Unhide,
        Kind::Hide,
        Kind::VisibilityWidened,
        Kind::VisibilityNarrowed,
        Kind::DefaultChanged,
        Kind::TypeChanged,
    ];

    /// The kinds that fail by default.
    pub const DEFAULT_FAIL_ON: [Kind; 4] = [
        Kind::NewAccess,
        Kind::Unhide,
        Kind::VisibilityWidened,
        Kind::DefaultChanged,
    ];

    /// The kebab-case name (`new-access`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::NewAccess => "new-access",
            Kind::RemovedAccess => "removed-access",
            Kind::AddedAccessLevel => "added-access-level",
            Kind::RemovedAccessLevel => "removed-access-level",
            Kind::Unhide => "unhide",
            Kind::Hide => "hide",
            Kind::VisibilityWidened => "visibility-widened",
            Kind::VisibilityNarrowed => "visibility-narrowed",
            Kind::DefaultChanged => "default-changed",
            Kind::TypeChanged => "type-changed",
        }
    }

    /// Parse the kebab-case name.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// One line on what the kind means.
    pub fn summary(self) -> &'static str {
        match self {
            Kind::NewAccess => "requests denied before are allowed now",
            Kind::RemovedAccess => "requests allowed before are denied now",
            Kind::AddedAccessLevel => "an access level or component was added",
            Kind::RemovedAccessLevel => "an access level or component was removed",
            Kind::Unhide => "a hidden access level is no longer hidden (never allowed)",
            Kind::Hide => "an access level was hidden",
            Kind::VisibilityWidened => "resellers were added to `visible_to`",
            Kind::VisibilityNarrowed => "resellers were removed from `visible_to`",
            Kind::DefaultChanged => "the default access level of a participant type changed",
            Kind::TypeChanged => "the type of an access level changed",
        }
    }
}

/// A `[diff] allow` entry: changes it matches do not fail.
#[derive(Clone, Debug, Default)]
pub struct AllowRule {
    /// Only access levels of this type (`component` for components).
    pub acl_type: Option<AclKind>,
    /// Only access levels whose name matches this glob (`*` = any text).
    pub access_level: Option<String>,
    /// Only these access types (region changes only).
    pub access: Option<AccessSet>,
    /// Only requests inside `Object.attribute` (region changes only).
    pub target: Option<(Pattern, Pattern)>,
    /// Why the change is safe (required).
    pub reason: String,
}

impl AllowRule {
    fn matches_level(&self, name: Option<&str>, ty: Option<AclKind>) -> bool {
        let ty_ok = self.acl_type.is_none_or(|t| Some(t) == ty);
        let name_ok = match (&self.access_level, name) {
            (None, _) => true,
            (Some(g), Some(n)) => glob(g, n),
            (Some(_), None) => false,
        };
        ty_ok && name_ok
    }

    fn is_regional(&self) -> bool {
        self.access.is_some() || self.target.is_some()
    }
}

/// Whether `name` matches `pattern`, where `*` stands for any text.
pub fn glob(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !name.starts_with(first) || name.len() < first.len() + last.len() || !name.ends_with(last) {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// `[diff]` of aclc.toml: which kinds fail, which changes are accepted.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Kinds that fail (`unhide` always does).
    pub fail_on: Vec<Kind>,
    /// Accepted changes, first match wins.
    pub allow: Vec<AllowRule>,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            fail_on: Kind::DEFAULT_FAIL_ON.to_vec(),
            allow: Vec::new(),
        }
    }
}

/// Where a change is, on the new side (or the old side when it is gone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as shown.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based character column.
    pub column: u32,
    /// End line.
    pub end_line: u32,
    /// End column.
    pub end_column: u32,
    /// Whether it is on the new side.
    pub new_side: bool,
}

/// One change.
#[derive(Clone, Debug)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// The access level concerned (for `default-changed`: the new
    /// default, else the old one).
    pub access_level: Option<Arc<str>>,
    /// Its type (new side, else old).
    pub acl_type: Option<AclKind>,
    /// The requests concerned (region changes), in [`Diff::universe`];
    /// packed, as most are a few words of a wide span ([`Change::cells`]
    /// unpacks it).
    pub region: Option<Packed>,
    /// The values before and after: see [`Change::before`] and
    /// [`Change::after`].
    pub values: Values,
    /// The edited blocks that caused it (sorted).
    pub caused_by: Arc<[String]>,
    /// `default-changed`: the scope (`predefined`, `all`, or
    /// `environment NAME`).
    pub scope: Option<String>,
    /// Where to show it.
    pub location: Option<Arc<Location>>,
    /// Whether it fails the diff.
    pub fails: bool,
    /// The reason of the `[diff] allow` entry that accepted it.
    pub allowed: Option<String>,
}

impl Change {
    /// The requests concerned (region changes).
    pub fn cells(&self) -> Option<Region> {
        self.region.as_ref().map(Packed::unpack)
    }

    /// The value before (`"deny"`, `false`, a list of resellers, a name…).
    pub fn before(&self) -> &Value {
        match &self.values {
            Values::Granted => &EFFECTS[0],
            Values::Revoked => &EFFECTS[1],
            Values::Other(v) => &v.0,
        }
    }

    /// The value after.
    pub fn after(&self) -> &Value {
        match &self.values {
            Values::Granted => &EFFECTS[1],
            Values::Revoked => &EFFECTS[0],
            Values::Other(v) => &v.1,
        }
    }
}

/// A change's values before and after.
#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    /// `"deny"` before, `"allow"` after (new access).
    Granted,
    /// `"allow"` before, `"deny"` after (removed access).
    Revoked,
    /// Others: `false` and `true`, lists of resellers, names…
    Other(Box<(Value, Value)>),
}

/// `"deny"` and `"allow"`.
static EFFECTS: LazyLock<[Value; 2]> = LazyLock::new(|| [json!("deny"), json!("allow")]);

/// A pair of values before and after.
fn values(old: Value, new: Value) -> Values {
    Values::Other(Box::new((old, new)))
}

/// The result of a diff.
#[derive(Debug)]
pub struct Diff {
    /// The cells of both sides.
    pub universe: Universe,
    /// The changes, in a stable order (access level, kind, cause).
    pub changes: Changes,
    /// The type of each block named in a `caused_by` (new side, else old).
    pub cause_types: std::collections::BTreeMap<String, AclKind>,
}

/// The changes of a diff, in order, held in the runs they were built in
/// (one per block): half a million changes are not copied into one more
/// vector (which was a tenth of the diff's peak memory).
#[derive(Clone, Debug, Default)]
pub struct Changes {
    runs: Vec<Vec<Change>>,
    len: usize,
}

impl Changes {
    /// The changes of these runs, in order (empty runs are left out).
    pub fn from_runs(runs: Vec<Vec<Change>>) -> Changes {
        let runs: Vec<Vec<Change>> = runs.into_iter().filter(|r| !r.is_empty()).collect();
        let len = runs.iter().map(Vec::len).sum();
        Changes { runs, len }
    }

    /// The number of changes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The changes in order.
    pub fn iter(&self) -> impl Iterator<Item = &Change> + Clone + '_ {
        self.runs.iter().flatten()
    }

    /// The changes cut in consecutive parts of whole runs, each of about
    /// `size` changes or more, to work on in parallel.
    pub fn parts(&self, size: usize) -> Vec<&[Vec<Change>]> {
        let mut out = Vec::new();
        let (mut start, mut count) = (0, 0);
        for (i, run) in self.runs.iter().enumerate() {
            count += run.len();
            if count >= size.max(1) {
                out.push(&self.runs[start..=i]);
                (start, count) = (i + 1, 0);
            }
        }
        if start < self.runs.len() {
            out.push(&self.runs[start..]);
        }
        out
    }
}

impl<'a> IntoIterator for &'a Changes {
    type Item = &'a Change;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Change>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.runs.iter().flatten()
    }
}

impl Diff {
    /// Whether some change fails.
    pub fn failing(&self) -> bool {
        self.changes.iter().any(|c| c.fails)
    }

    /// The parts of a change's region, at most `limit`, and how many
    /// request classes are left out.
    pub fn parts(&self, change: &Change, limit: usize) -> (Vec<Part>, u64) {
        match change.cells() {
            Some(r) => crate::analysis::region::parts(&self.universe, &r, limit),
            None => (Vec::new(), 0),
        }
    }
}

fn location(model: &Model, span: Span, new_side: bool) -> Location {
    let (s, e) = model.sources.char_range(span);
    Location {
        file: model.sources.file(span.file).path.clone(),
        line: s.line,
        column: s.column,
        end_line: e.line,
        end_column: e.column,
        new_side,
    }
}

/// Where a block's edit is on the new side: its first differing
/// permission or include, else its head; on the old side if it is gone.
fn edit_location(pair: &Pair<'_>, name: &str) -> Option<Location> {
    let Some(b) = pair.new_acl(name) else {
        return pair
            .old_acl(name)
            .map(|a| location(pair.old, a.head, false));
    };
    let Some(a) = pair.old_acl(name) else {
        return Some(location(pair.new, b.head, true));
    };
    let rule = (0..b.rules.len()).find(|&i| {
        a.rules
            .get(i)
            .is_none_or(|r| !compare::same_rules(std::slice::from_ref(r), &b.rules[i..=i]))
    });
    if let Some(i) = rule {
        return Some(location(pair.new, b.rules[i].span, true));
    }
    let inc = (0..b.includes.len()).find(|&i| {
        a.includes
            .get(i)
            .is_none_or(|x| x.name.node != b.includes[i].name.node)
    });
    let span = inc.map_or(b.head, |i| b.includes[i].stmt);
    Some(location(pair.new, span, true))
}

/// The effective default of each (scope, participant type) with an
/// explicit entry on this side: name and statement span.
fn defaults(model: &Model) -> Vec<(Scope, Participant, String, Span)> {
    let mut out: Vec<(Scope, Participant, String, Span)> = Vec::new();
    for d in &model.defaults {
        let DefaultType::Participant(p) = d.decl.ty.node else {
            continue;
        };
        if out.iter().any(|(s, q, _, _)| *s == d.scope && *q == p) {
            continue; // `duplicate-default` reports it; the first stands
        }
        out.push((d.scope.clone(), p, d.decl.acl.node.clone(), d.decl.span));
    }
    out
}

/// The default in force for `p` in `scope` (the environment's, else all
/// environments', else the predefined one).
fn effective_default<'d>(
    entries: &'d [(Scope, Participant, String, Span)],
    scope: &Scope,
    p: Participant,
) -> Option<&'d (Scope, Participant, String, Span)> {
    let find = |s: &Scope| entries.iter().find(|(x, q, _, _)| x == s && *q == p);
    match scope {
        Scope::Environment(_) => find(scope)
            .or_else(|| find(&Scope::AllEnvironments))
            .or_else(|| find(&Scope::Predefined)),
        Scope::AllEnvironments => find(scope).or_else(|| find(&Scope::Predefined)),
        Scope::Predefined => find(scope),
    }
}

fn scope_text(s: &Scope) -> String {
    match s {
        Scope::Predefined => "predefined".to_string(),
        Scope::AllEnvironments => "all".to_string(),
        Scope::Environment(e) => format!("environment {e}"),
    }
}

/// A default that changed: scope, type, old and new names, where.
struct DefaultChange {
    scope: Scope,
    ty: Participant,
    old: Option<String>,
    new: Option<String>,
    span: Option<(Span, bool)>,
}

fn default_changes(pair: &Pair<'_>) -> Vec<DefaultChange> {
    let (old, new) = (defaults(pair.old), defaults(pair.new));
    let mut scopes: Vec<Scope> = old.iter().chain(&new).map(|d| d.0.clone()).collect();
    scopes.sort();
    scopes.dedup();
    let mut out = Vec::new();
    for scope in scopes {
        for p in Participant::ALL {
            let explicit = old.iter().chain(&new).any(|d| d.0 == scope && d.1 == p);
            if !explicit {
                continue; // it follows a wider scope, reported there
            }
            let (o, n) = (
                effective_default(&old, &scope, p),
                effective_default(&new, &scope, p),
            );
            let (on, nn) = (o.map(|d| d.2.clone()), n.map(|d| d.2.clone()));
            if on == nn {
                continue;
            }
            let span = n.map(|d| (d.3, true)).or(o.map(|d| (d.3, false)));
            out.push(DefaultChange {
                scope: scope.clone(),
                ty: p,
                old: on,
                new: nn,
                span,
            });
        }
    }
    out
}

/// Every `Object.attribute` pair the diff needs cells for: the rules of
/// the needed blocks of both sides, the allow entries, and `*.*`.
fn universe(pair: &Pair<'_>, needed: [&[bool]; 2], rules: &Rules) -> Universe {
    let any = (Pattern::Any, Pattern::Any);
    let allow: Vec<(Pattern, Pattern)> = rules
        .allow
        .iter()
        .filter_map(|a| a.target.clone())
        .collect();
    // Two million rules name a few thousand distinct pairs: those are
    // found in parallel (by the names' identity, as `Universe::new` does
    // first) and only they are handed on.
    type Distinct<'m> = FxHashMap<(usize, usize), (&'m Pattern, &'m Pattern)>;
    let distinct: Distinct<'_> = [pair.old, pair.new]
        .into_par_iter()
        .zip(needed)
        .flat_map(|(m, needed)| m.acls.par_iter().filter(move |a| needed[a.id.0 as usize]))
        .fold(Distinct::default, |mut seen, a| {
            for r in &a.rules {
                seen.entry((r.object.identity(), r.attribute.identity()))
                    .or_insert((&r.object, &r.attribute));
            }
            seen
        })
        .reduce(Distinct::default, |a, b| {
            let (small, mut big) = if a.len() < b.len() { (a, b) } else { (b, a) };
            for (k, v) in small {
                big.entry(k).or_insert(v);
            }
            big
        });
    Universe::new(
        distinct
            .into_values()
            .chain(std::iter::once((&any.0, &any.1)))
            .chain(allow.iter().map(|(o, a)| (o, a))),
    )
}

fn is_access_level(b: Option<&AccessLevel>) -> bool {
    b.is_some_and(|b| !b.is_component())
}

/// Blocks whose decisions are composed at once (in parallel) in the loop
/// over blocks, then released.
const CHUNK: usize = 256;

/// Compare two versions of a policy set.
pub fn diff(old: &Model, new: &Model, rules: &Rules) -> Diff {
    let pair = Pair::new(old, new);
    let (edited, dirty) = compare::dirty_blocks(&pair);
    let default_changes = default_changes(&pair);
    // Blocks that became components or stopped being: their decisions
    // appear or go, whether or not they were edited.
    let retyped: Vec<bool> = (0..pair.blocks() as u32)
        .map(|b| match pair.acls(b) {
            (Some(a), Some(x)) => a.is_component() != x.is_component(),
            _ => false,
        })
        .collect();
    let block_of = |new_side: bool, id: AclId| {
        if new_side {
            id.0 as usize
        } else {
            pair.of_old(id) as usize
        }
    };
    let roots = |m: &Model, new_side: bool| -> Vec<bool> {
        let dirty_ids = m
            .acls
            .iter()
            .filter(|a| {
                let b = block_of(new_side, a.id);
                dirty[b] || retyped[b]
            })
            .map(|a| a.id);
        let targets = default_changes
            .iter()
            .flat_map(|d| [&d.old, &d.new])
            .flatten()
            .filter_map(|n| m.lookup(n));
        compare::closure(m, dirty_ids.chain(targets).collect::<Vec<_>>())
    };
    let (needed_old, needed_new) = rayon::join(|| roots(old, false), || roots(new, true));
    let universe = universe(&pair, [&needed_old, &needed_new], rules);
    let u = &universe;
    // The default targets' decisions are asked for after the loop below.
    let kept: Vec<u32> = default_changes
        .iter()
        .flat_map(|d| [&d.old, &d.new])
        .flatten()
        .flat_map(|n| {
            let o = old.lookup(n).map(|id| pair.of_old(id));
            let n = new.lookup(n).map(|id| id.0);
            [o, n]
        })
        .flatten()
        .collect();
    let included = compare::included(&pair, kept);
    // Blocks nothing includes (most access levels) are composed in the
    // loop below, a chunk at a time, and released once compared.
    let up_front = |new_side: bool, needed: &[bool]| -> Vec<bool> {
        needed
            .iter()
            .enumerate()
            .map(|(i, &n)| n && included[block_of(new_side, AclId(i as u32))])
            .collect()
    };
    let none = |_| None;
    let keep_new = |id: AclId| dirty[id.0 as usize];
    // A dirty block whose rules did not change has the same own decisions
    // on both sides: the new side's are handed to the old side.
    let give_new = |id: AclId| dirty[id.0 as usize] && !edited[id.0 as usize];
    let (new_d, new_own) = compare::decisions(
        new,
        u,
        &up_front(true, &needed_new),
        (&keep_new, &none),
        (&give_new, &none),
    );
    let keep_old = |id: AclId| dirty[pair.of_old(id) as usize];
    let share = |id: AclId| {
        let b = pair.of_old(id);
        if dirty[b as usize] {
            return None;
        }
        let n = pair.ids(b).1?;
        new_d.all[n.0 as usize].clone()
    };
    let own_from_new = |id: AclId| {
        let n = pair.ids(pair.of_old(id)).1?;
        new_own[n.0 as usize].clone()
    };
    let (old_d, _) = compare::decisions(
        old,
        u,
        &up_front(false, &needed_old),
        (&keep_old, &share),
        (&|_| false, &own_from_new),
    );
    drop(new_own);
    let mut attribution = Attribution::new(
        &pair,
        (&edited, &dirty, &included),
        u,
        (old_d, new_d),
        [needed_old, needed_new],
    );
    // Each block's changes, joined once their number is known (half a
    // million changes grown one by one were copied and faulted in again
    // at every doubling).
    let mut per_block: Vec<Vec<Change>> = Vec::new();
    let cx = Cx {
        pair: &pair,
        dirty: &dirty,
        retyped: &retyped,
        single: (0..pair.blocks()).map(|_| OnceLock::new()).collect(),
    };
    let mut multi: Vec<OnceLock<CauseInfo>> = Vec::new();
    let mut blocks: Vec<u32> = (0..pair.blocks() as u32).collect();
    blocks.sort_unstable_by_key(|&b| pair.name(b));
    attribution.prepare_acyclic();
    for chunk in blocks.chunks(CHUNK) {
        attribution.ensure(chunk);
        // The attribution of what the chunk's access levels include, in
        // order (it is memoized and shared); then each block's changes, in
        // parallel.
        for &block in chunk {
            let (a, b) = pair.acls(block);
            if is_access_level(a) && is_access_level(b) && cx.touched(block) {
                let [was, now] = attribution.all(block);
                if was.allowed != now.allowed {
                    attribution.prepare(block);
                }
            }
        }
        multi.resize_with(attribution.multi_causes(), OnceLock::new);
        let bound = Bound {
            cx: &cx,
            attribution: &attribution,
            multi: &multi,
        };
        let built: Vec<Vec<Change>> = chunk
            .par_iter()
            .map(|&block| block_changes(&bound, block))
            .collect();
        per_block.extend(built);
        for &block in chunk {
            attribution.release(block);
        }
    }
    // A changed default is one change and at most two region changes.
    let mut defaults: Vec<Change> = Vec::with_capacity(3 * default_changes.len());
    for d in &default_changes {
        let was = d.old.as_deref().map_or_else(
            || Arc::new(Summary::default()),
            |n| attribution.all_by_name(false, n),
        );
        let now = d.new.as_deref().map_or_else(
            || Arc::new(Summary::default()),
            |n| attribution.all_by_name(true, n),
        );
        let base = Change {
            kind: Kind::DefaultChanged,
            access_level: d.new.as_deref().or(d.old.as_deref()).map(Arc::from),
            acl_type: Some(AclKind::Participant(d.ty)),
            region: None,
            values: values(json!(d.old), json!(d.new)),
            caused_by: Arc::from([]),
            scope: Some(scope_text(&d.scope)),
            location: d
                .span
                .map(|(s, n)| Arc::new(location(if n { new } else { old }, s, n))),
            fails: false,
            allowed: None,
        };
        defaults.push(base.clone());
        for (region, values) in [
            (now.allowed.difference(&was.allowed), Values::Granted),
            (was.allowed.difference(&now.allowed), Values::Revoked),
        ] {
            if region.is_empty() {
                continue;
            }
            defaults.push(Change {
                region: Some(Packed::new(region)),
                values,
                ..base.clone()
            });
        }
    }
    per_block.push(defaults);
    // The decisions are freed on one thread while the other judges.
    let ((), (changes, cause_types)) = rayon::join(
        || drop(attribution),
        || {
            let changes = judge(u, Changes::from_runs(per_block), rules);
            let cause_types = causes(&changes)
                .into_iter()
                .filter_map(|n| {
                    let b = pair.new_acl(n).or_else(|| pair.old_acl(n))?;
                    Some((n.to_string(), b.kind))
                })
                .collect();
            (changes, cause_types)
        },
    );
    Diff {
        universe,
        changes,
        cause_types,
    }
}

/// Each cause's names and where its edit is on the new side.
type CauseInfo = (Arc<[String]>, Option<Arc<Location>>);

/// What the changes of every block are built from.
struct Cx<'a> {
    pair: &'a Pair<'a>,
    dirty: &'a [bool],
    retyped: &'a [bool],
    /// The names and edit location of each block as a cause, worked out
    /// when first needed.
    single: Vec<OnceLock<CauseInfo>>,
}

impl Cx<'_> {
    /// Whether a block's decisions may have changed.
    fn touched(&self, block: u32) -> bool {
        self.dirty[block as usize] || self.retyped[block as usize]
    }

    /// A cause's names and the location of its edit on the new side.
    fn info_of(&self, blocks: &[u32]) -> CauseInfo {
        let names: Arc<[String]> = blocks
            .iter()
            .map(|&c| self.pair.name(c).to_string())
            .collect();
        let at = names
            .iter()
            .find_map(|c| edit_location(self.pair, c).filter(|l| l.new_side))
            .map(Arc::new);
        (names, at)
    }
}

/// [`Cx`] with the attribution of a chunk of blocks, ready.
struct Bound<'a> {
    cx: &'a Cx<'a>,
    attribution: &'a Attribution<'a>,
    /// The names and edit location of each cause of several blocks.
    multi: &'a [OnceLock<CauseInfo>],
}

impl Bound<'_> {
    fn info(&self, cause: compare::Cause) -> &CauseInfo {
        let blocks = self.attribution.cause(cause);
        let cell = match compare::single_block(cause, self.cx.pair) {
            Some(b) => &self.cx.single[b as usize],
            None => &self.multi[self.attribution.multi_index(cause)],
        };
        cell.get_or_init(|| self.cx.info_of(blocks))
    }
}

/// The changes of one block, in order: its own facts (added, removed,
/// re-typed, hidden, visibility), then its decisions by cause.
fn block_changes(bound: &Bound<'_>, block: u32) -> Vec<Change> {
    let cx = bound.cx;
    let mut out = Vec::new();
    let name = cx.pair.name(block);
    let (a, b) = cx.pair.acls(block);
    let ty = b.or(a).map(|x| x.kind);
    let base = Change {
        kind: Kind::NewAccess,
        access_level: Some(Arc::from(name)),
        acl_type: ty,
        region: None,
        values: values(Value::Null, Value::Null),
        caused_by: Arc::from([]),
        scope: None,
        location: None,
        fails: false,
        allowed: None,
    };
    let head = |side: Option<&AccessLevel>, m: &Model, new_side: bool| {
        side.map(|x| Arc::new(location(m, x.head, new_side)))
    };
    match (a, b) {
        (None, Some(b)) => out.push(Change {
            kind: Kind::AddedAccessLevel,
            values: values(Value::Null, json!(b.kind.as_str())),
            caused_by: Arc::from([name.to_string()]),
            location: head(Some(b), cx.pair.new, true),
            ..base.clone()
        }),
        (Some(a), None) => out.push(Change {
            kind: Kind::RemovedAccessLevel,
            values: values(json!(a.kind.as_str()), Value::Null),
            caused_by: Arc::from([name.to_string()]),
            location: head(Some(a), cx.pair.old, false),
            ..base.clone()
        }),
        (Some(a), Some(b)) => {
            let at = |span: Option<Span>| {
                Some(Arc::new(location(
                    cx.pair.new,
                    span.unwrap_or(b.head),
                    true,
                )))
            };
            if a.kind != b.kind {
                out.push(Change {
                    kind: Kind::TypeChanged,
                    values: values(json!(a.kind.as_str()), json!(b.kind.as_str())),
                    caused_by: Arc::from([name.to_string()]),
                    location: at(None),
                    ..base.clone()
                });
            }
            match (a.hidden.is_some(), b.hidden.is_some()) {
                (true, false) => out.push(Change {
                    kind: Kind::Unhide,
                    values: values(json!(true), json!(false)),
                    caused_by: Arc::from([name.to_string()]),
                    location: at(None),
                    ..base.clone()
                }),
                (false, true) => out.push(Change {
                    kind: Kind::Hide,
                    values: values(json!(false), json!(true)),
                    caused_by: Arc::from([name.to_string()]),
                    location: at(b.hidden),
                    ..base.clone()
                }),
                _ => {}
            }
            let set = |x: &AccessLevel| -> Vec<String> {
                let mut v: Vec<String> = x.visible_to.iter().map(|n| n.node.clone()).collect();
                v.sort();
                v.dedup();
                v
            };
            let (vo, vn) = (set(a), set(b));
            let vis_at = at(b.visible_to_stmts.first().copied());
            if vn.iter().any(|r| !vo.contains(r)) {
                out.push(Change {
                    kind: Kind::VisibilityWidened,
                    values: values(json!(vo), json!(vn)),
                    caused_by: Arc::from([name.to_string()]),
                    location: vis_at.clone(),
                    ..base.clone()
                });
            }
            if vo.iter().any(|r| !vn.contains(r)) {
                out.push(Change {
                    kind: Kind::VisibilityNarrowed,
                    values: values(json!(vo), json!(vn)),
                    caused_by: Arc::from([name.to_string()]),
                    location: vis_at,
                    ..base.clone()
                });
            }
        }
        (None, None) => {}
    }
    'decisions: {
        // Decisions: a component allows nothing by itself.
        let (la, lb) = (is_access_level(a), is_access_level(b));
        if !(la || lb) || !cx.touched(block) {
            break 'decisions;
        }
        let [was, now] = bound.attribution.all(block);
        let none = Arc::new(Summary::default());
        let was = if la { was } else { Arc::clone(&none) };
        let now = if lb { now } else { none };
        let gained = now.allowed.difference(&was.allowed);
        let lost = was.allowed.difference(&now.allowed);
        if gained.is_empty() && lost.is_empty() {
            break 'decisions;
        }
        let causes: Arc<compare::Causes> = if la && lb {
            bound.attribution.causes_of(block)
        } else {
            let mut all = gained.clone();
            all.union_with(&lost);
            Arc::new(vec![(
                compare::single(block),
                all.nonzero_words().collect(),
            )])
        };
        // The regions first, so the changes are allocated once at their
        // number (grown one by one, they were a third of this function's
        // time, most of it the kernel clearing the pages of each copy).
        let mut regions = Vec::with_capacity(2 * causes.len());
        for (i, (_, cells)) in causes.iter().enumerate() {
            for (gained_here, region) in [(true, &gained), (false, &lost)] {
                let r: Vec<(u32, u64)> = cells
                    .iter()
                    .map(|&(w, word)| (w, word & region.word(w)))
                    .filter(|&(_, word)| word != 0)
                    .collect();
                if !r.is_empty() {
                    regions.push((i, gained_here, Packed::from_words(r)));
                }
            }
        }
        out.reserve_exact(regions.len());
        // The access level's head, where a change without an edit shows.
        let head_at = OnceLock::new();
        for (i, gained_here, region) in regions {
            let (names, edit_at) = bound.info(causes[i].0);
            let loc = edit_at.clone().or_else(|| {
                let b = b?;
                Some(Arc::clone(head_at.get_or_init(|| {
                    Arc::new(location(cx.pair.new, b.head, true))
                })))
            });
            let (kind, values) = if gained_here {
                (Kind::NewAccess, Values::Granted)
            } else {
                (Kind::RemovedAccess, Values::Revoked)
            };
            out.push(Change {
                kind,
                region: Some(region),
                values,
                caused_by: names.clone(),
                location: loc,
                access_level: base.access_level.clone(),
                acl_type: ty,
                scope: None,
                fails: false,
                allowed: None,
            });
        }
    }
    out
}

/// Apply `[diff]`: split region changes by the allow entries that accept
/// part of them, mark what fails.
fn judge(u: &Universe, mut changes: Changes, rules: &Rules) -> Changes {
    if rules.allow.is_empty() {
        // Nothing accepted: marked in place (half a million changes are
        // not copied).
        changes.runs.par_iter_mut().for_each(|run| {
            for c in run {
                c.fails = c.kind == Kind::Unhide || rules.fail_on.contains(&c.kind);
            }
        });
        return changes;
    }
    let allow_regions: Vec<Region> = rules
        .allow
        .iter()
        .map(|a| {
            let (o, at) = a.target.clone().unwrap_or((Pattern::Any, Pattern::Any));
            u.region(a.access.unwrap_or(AccessSet::ALL), &o, &at)
        })
        .collect();
    let runs = std::mem::take(&mut changes.runs)
        .into_iter()
        .map(|run| {
            let mut out = Vec::with_capacity(run.len());
            for c in run {
                judge_one(c, rules, &allow_regions, &mut out);
            }
            out
        })
        .collect();
    Changes::from_runs(runs)
}

/// Mark a change failing or accepted; a region change accepted in part
/// is split in the accepted parts and the rest.
fn judge_one(mut c: Change, rules: &Rules, allow_regions: &[Region], out: &mut Vec<Change>) {
    let fails_kind = c.kind == Kind::Unhide || rules.fail_on.contains(&c.kind);
    let matching = rules.allow.iter().zip(allow_regions).filter(|(a, _)| {
        c.kind != Kind::Unhide && a.matches_level(c.access_level.as_deref(), c.acl_type)
    });
    match c.region.take().as_ref().map(Packed::unpack) {
        None => {
            let by = matching.into_iter().find(|(a, _)| !a.is_regional());
            c.allowed = by.map(|(a, _)| a.reason.clone());
            c.fails = fails_kind && c.allowed.is_none();
            out.push(c);
        }
        Some(mut rest) => {
            for (a, region) in matching {
                let part = rest.intersection(region);
                if part.is_empty() {
                    continue;
                }
                rest = rest.difference(&part);
                out.push(Change {
                    region: Some(Packed::new(part)),
                    allowed: Some(a.reason.clone()),
                    fails: false,
                    ..c.clone()
                });
            }
            if !rest.is_empty() {
                c.fails = fails_kind;
                c.region = Some(Packed::new(rest));
                out.push(c);
            }
        }
    }
}

/// Counts by kind, and failing, for summaries.
pub fn counts(changes: &Changes) -> Vec<(Kind, usize, usize)> {
    // Each change read once, not once per kind; runs in parallel.
    let by_kind = changes
        .runs
        .par_iter()
        .map(|run| {
            let mut by_kind = [(0usize, 0usize); Kind::ALL.len()];
            for c in run {
                if let Some(k) = Kind::ALL.iter().position(|&k| k == c.kind) {
                    by_kind[k].0 += 1;
                    by_kind[k].1 += usize::from(c.fails);
                }
            }
            by_kind
        })
        .reduce(
            || [(0, 0); Kind::ALL.len()],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    x.0 += y.0;
                    x.1 += y.1;
                }
                a
            },
        );
    Kind::ALL
        .into_iter()
        .zip(by_kind)
        .map(|(k, (n, f))| (k, n, f))
        .filter(|(_, n, _)| *n > 0)
        .collect()
}

/// The names of the edited blocks of the changes' causes, sorted (the
/// runs read in parallel).
pub fn causes(changes: &Changes) -> Vec<&str> {
    // Changes of one cause share its list: each list is read once.
    type Lists<'c> = (FxHashSet<usize>, Vec<&'c [String]>);
    fn add<'c>((mut seen, mut lists): Lists<'c>, list: &'c [String]) -> Lists<'c> {
        if seen.insert(list.as_ptr() as usize) {
            lists.push(list);
        }
        (seen, lists)
    }
    let (_, lists) = changes
        .runs
        .par_iter()
        .fold(Lists::default, |acc, run| {
            run.iter().fold(acc, |acc, c| add(acc, &c.caused_by))
        })
        .reduce(Lists::default, |a, (_, b)| b.into_iter().fold(a, add));
    let mut set: FxHashSet<&str> = FxHashSet::default();
    for list in lists {
        set.extend(list.iter().map(String::as_str));
    }
    let mut v: Vec<&str> = set.into_iter().collect();
    v.sort_unstable();
    v
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_any_text_for_stars() {
        assert!(glob("Reseller *", "Reseller ACME"));
        assert!(glob("*", ""));
        assert!(glob("*care*", "Self care plus"));
        assert!(glob("A*B*C", "AxxBxxC"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
        assert!(!glob("A*B", "AB-"));
        assert!(!glob("AB*B", "AB"));
        assert!(!glob("Reseller *", "Customer"));
    }
}
