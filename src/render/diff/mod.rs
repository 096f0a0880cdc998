//! `aclc diff` output: text (grouped by cause), JSON (DESIGN §6),
//! Markdown (a pull-request comment), SARIF and GitHub annotations. Every
//! format but JSON reads the same grouping ([`groups`]): changes with the
//! same cause together, and in a group, the access levels that changed the
//! same way in one item, so an edit of a component that 400 access levels
//! include reads as one change with its 400 consequences.

pub mod github;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::region::{self, Packed};
use crate::diff::{Change, Diff, Kind, Location};
use crate::syntax::ast::AclKind;

/// Region parts shown per item in the bounded formats.
pub const PARTS: usize = 5;
/// Access level names shown per item in the bounded formats.
pub const NAMES: usize = 5;

/// Regions of at most this many cells have their lines worked out once.
const SMALL: u64 = 64;

/// Changes with one cause.
#[derive(Debug)]
pub struct Group<'d> {
    /// What caused them, as prose: "component `Billing` (acl/b.acl:3)".
    pub title: String,
    /// Where the cause is, on the new side if it is there.
    pub location: Option<Location>,
    /// Whether some item fails.
    pub fails: bool,
    /// The changes, grouped.
    pub items: Vec<Item<'d>>,
}

/// The access levels that changed the same way.
#[derive(Debug)]
pub struct Item<'d> {
    /// The kind.
    pub kind: Kind,
    /// Whether it fails.
    pub fails: bool,
    /// The reason of the allow entry that accepts it.
    pub allowed: Option<&'d str>,
    /// The access levels, in order.
    pub names: Vec<&'d str>,
    /// What changed: region lines, or the old and new values.
    pub lines: Vec<String>,
    /// Whether `lines` are region parts (else prose).
    pub regional: bool,
    /// Where (the first change's location).
    pub location: Option<&'d Location>,
}

impl Item<'_> {
    /// The access level names, bounded: "`A`, `B` and 3 more".
    pub fn names_text(&self, limit: usize) -> String {
        let shown: Vec<String> = self
            .names
            .iter()
            .take(limit)
            .map(|n| format!("`{n}`"))
            .collect();
        let mut s = shown.join(", ");
        if self.names.len() > limit {
            s.push_str(&format!(" and {} more", self.names.len() - limit));
        }
        s
    }

    /// "new-access" with "(fails)" or "(accepted: reason)".
    pub fn headline(&self) -> String {
        let mut s = self.kind.as_str().to_string();
        if self.fails {
            s.push_str(" (fails)");
        } else if let Some(r) = self.allowed {
            s.push_str(&format!(" (accepted: {r})"));
        }
        s
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "none".to_string(),
        serde_json::Value::String(s) => format!("`{s}`"),
        serde_json::Value::Array(a) if a.is_empty() => "nobody".to_string(),
        serde_json::Value::Array(a) => a.iter().map(value_text).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

/// What a change without region says.
fn fact(c: &Change) -> String {
    match c.kind {
        Kind::AddedAccessLevel => format!("added ({})", value_text(c.after())),
        Kind::RemovedAccessLevel => format!("removed (was {})", value_text(c.before())),
        Kind::Hide => "hidden now: visible to Root users only".to_string(),
        Kind::Unhide => {
            "no longer hidden: once hidden, an access level can never be un-hidden".to_string()
        }
        Kind::VisibilityWidened | Kind::VisibilityNarrowed => format!(
            "visible to {} (was {})",
            value_text(c.after()),
            value_text(c.before())
        ),
        Kind::TypeChanged => format!(
            "type {} (was {})",
            value_text(c.after()),
            value_text(c.before())
        ),
        Kind::DefaultChanged => format!(
            "default {} (was {})",
            value_text(c.after()),
            value_text(c.before())
        ),
        Kind::NewAccess | Kind::RemovedAccess => String::new(),
    }
}

fn describe_block(name: &str, ty: Option<AclKind>) -> String {
    match ty {
        Some(AclKind::Component) => format!("component `{name}`"),
        Some(AclKind::Participant(p)) => format!("{} access level `{name}`", p.as_str()),
        None => format!("`{name}`"),
    }
}

fn at(loc: Option<&Location>) -> String {
    loc.map_or_else(String::new, |l| {
        format!(
            " ({}:{}{})",
            l.file,
            l.line,
            if l.new_side { "" } else { ", old side" }
        )
    })
}

/// The number of a text in `texts`, added if new.
fn intern(
    texts: &mut Vec<Vec<String>>,
    text_of: &mut FxHashMap<Vec<String>, usize>,
    lines: Vec<String>,
) -> usize {
    match text_of.get(&lines) {
        Some(&i) => i,
        None => {
            text_of.insert(lines.clone(), texts.len());
            texts.push(lines);
            texts.len() - 1
        }
    }
}

/// The changes grouped by cause: groups with failing changes first, then
/// in name order; items in kind order. Regions are cut at `parts` parts.
///
/// Runs of changes are grouped in parallel and the runs' groups merged in
/// order, which gives what one pass over all changes gives: a group's
/// title, an item's location and the order of items and names are those
/// of their first change.
pub fn groups<'d>(diff: &'d Diff, parts_limit: usize) -> Vec<Group<'d>> {
    let run = diff
        .changes
        .len()
        .div_ceil(rayon::current_num_threads())
        .max(MIN_RUN);
    groups_in_runs(diff, parts_limit, run)
}

/// [`groups`] with runs of about `run` changes (whole blocks' changes);
/// tests check that any runs give what one run gives.
#[doc(hidden)]
pub fn groups_in_runs<'d>(diff: &'d Diff, parts_limit: usize, run: usize) -> Vec<Group<'d>> {
    let runs: Vec<Vec<(String, Group<'d>)>> = diff
        .changes
        .parts(run)
        .into_par_iter()
        .map(|part| group_run(diff, part.iter().flatten(), parts_limit))
        .collect();
    let mut runs = runs.into_iter();
    let mut out = runs.next().unwrap_or_default();
    let mut group_of: FxHashMap<String, usize> = out
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    let mut item_of: Vec<Option<ItemIndex<'d>>> = Vec::new();
    for later in runs {
        for (key, group) in later {
            match group_of.get(&key) {
                Some(&g) => {
                    item_of.resize_with(out.len(), || None);
                    let index = item_of[g].get_or_insert_with(|| item_index(&out[g].1));
                    merge(&mut out[g].1, group, index);
                }
                None => {
                    group_of.insert(key.clone(), out.len());
                    out.push((key, group));
                }
            }
        }
    }
    out.sort_by(|(ka, a), (kb, b)| b.fails.cmp(&a.fails).then_with(|| ka.cmp(kb)));
    out.into_iter()
        .map(|(_, mut g)| {
            g.items
                .sort_by(|a, b| b.fails.cmp(&a.fails).then(a.kind.cmp(&b.kind)));
            g
        })
        .collect()
}

/// The fewest changes grouped in one run: small diffs are one run.
const MIN_RUN: usize = 8192;

/// A group's items by what makes them one item.
type ItemIndex<'d> = FxHashMap<(Kind, bool, Option<&'d str>, Vec<String>), usize>;

/// The index of a group's items.
fn item_index<'d>(group: &Group<'d>) -> ItemIndex<'d> {
    group
        .items
        .iter()
        .enumerate()
        .map(|(i, it)| ((it.kind, it.fails, it.allowed, it.lines.clone()), i))
        .collect()
}

/// Add a later run's group to the same group of the runs before it.
fn merge<'d>(into: &mut Group<'d>, later: Group<'d>, index: &mut ItemIndex<'d>) {
    into.fails |= later.fails;
    for item in later.items {
        let key = (item.kind, item.fails, item.allowed, item.lines);
        match index.get(&key) {
            Some(&i) => {
                // Runs hold whole blocks' changes, and a block's changes
                // name one access level: no name spans two runs.
                into.items[i].names.extend(item.names);
            }
            None => {
                index.insert(key.clone(), into.items.len());
                into.items.push(Item {
                    lines: key.3,
                    ..item
                });
            }
        }
    }
}

/// The groups of one run of changes, in the order they first appear,
/// items unsorted.
fn group_run<'d>(
    diff: &'d Diff,
    changes: impl Iterator<Item = &'d Change>,
    parts_limit: usize,
) -> Vec<(String, Group<'d>)> {
    let mut groups: Vec<(String, Group<'d>)> = Vec::new();
    // Group by key, item by (group, kind, fails, reason, lines): indexes,
    // so half a million changes group in linear time.
    let mut group_of: FxHashMap<String, usize> = FxHashMap::default();
    let mut group_at: FxHashMap<usize, usize> = FxHashMap::default();
    type ItemKey<'a> = (usize, Kind, bool, Option<&'a str>, usize);
    // Each item's number in the run and the last name it took, so that a
    // repeat is known without reading the item: the names are written at
    // the end, in order, from the items each name took (`named`, with
    // where each name's items start in it). Half a million changes over
    // thousands of items: following each item to its list of names was
    // most of the run's time, in cache misses.
    let mut item_of: FxHashMap<ItemKey<'d>, (u32, &'d str)> = FxHashMap::default();
    let mut item_at: Vec<(u32, u32)> = Vec::new();
    let mut named: Vec<u32> = Vec::new();
    let mut names_from: Vec<(&'d str, usize)> = Vec::new();
    let mut take = |item: u32, name: &'d str| {
        if names_from
            .last()
            .is_none_or(|&(n, _)| !std::ptr::eq(n, name))
        {
            names_from.push((name, named.len()));
        }
        named.push(item);
    };
    // Each distinct text of `lines`, numbered; and the number of the lines
    // of each small region met (the same few cells recur across access
    // levels: their parts are worked out once).
    let mut texts: Vec<Vec<String>> = Vec::new();
    let mut text_of: FxHashMap<Vec<String>, usize> = FxHashMap::default();
    // (Keyed by a copy of the region's non-zero words: looked up, the key
    // is read from the few small copies made here, not from the region of
    // the change that first had it, anywhere in the changes.)
    let mut of_cells: FxHashMap<Box<[(u32, u64)]>, usize> = FxHashMap::default();
    let mut words: Vec<(u32, u64)> = Vec::new();
    for c in changes {
        // The group's key; its title and location (those of its first
        // change) are worked out when it is new.
        let head = |c: &Change| -> (String, Option<Location>) {
            let title = if c.kind == Kind::DefaultChanged {
                let ty = c.acl_type.map_or("", |t| t.as_str());
                let scope_text = match c.scope.as_deref().unwrap_or("") {
                    "all" => "all environments".to_string(),
                    "predefined" => "the predefined defaults".to_string(),
                    s => s.to_string(),
                };
                format!(
                    "default {ty} access level in {scope_text}{}",
                    at(c.location.as_deref())
                )
            } else if c.caused_by.len() == 1 {
                let name = &c.caused_by[0];
                let what = describe_block(name, diff.cause_types.get(name).copied());
                format!("{what}{}", at(c.location.as_deref()))
            } else if c.caused_by.is_empty() {
                "unattributed".to_string()
            } else {
                let names: Vec<String> = c.caused_by.iter().map(|n| format!("`{n}`")).collect();
                format!("{} together", names.join(", "))
            };
            (title, c.location.as_deref().cloned())
        };
        let key = |c: &Change| {
            if c.kind == Kind::DefaultChanged {
                let ty = c.acl_type.map_or("", |t| t.as_str());
                let scope = c.scope.as_deref().unwrap_or("");
                format!("\u{1}default {ty} {scope}")
            } else {
                c.caused_by.join("\u{0}")
            }
        };
        let describe = |r: &Packed| {
            let (p, more) = region::parts(&diff.universe, &r.unpack(), parts_limit);
            region::lines(&p, more)
        };
        let lines = match &c.region {
            Some(r) if small_words(r, SMALL, &mut words) => match of_cells.get(&words[..]) {
                Some(&i) => i,
                None => {
                    let i = intern(&mut texts, &mut text_of, describe(r));
                    of_cells.insert(words.as_slice().into(), i);
                    i
                }
            },
            Some(r) => intern(&mut texts, &mut text_of, describe(r)),
            None => intern(&mut texts, &mut text_of, vec![fact(c)]),
        };
        let name = c.access_level.as_deref().unwrap_or("");
        // Changes of one cause share its list of names: known by address.
        let shared = (c.kind != Kind::DefaultChanged).then(|| c.caused_by.as_ptr() as usize);
        let known = shared.and_then(|p| group_at.get(&p).copied());
        let g = match known {
            Some(g) => g,
            None => {
                let key = key(c);
                let g = match group_of.get(&key) {
                    Some(&g) => g,
                    None => {
                        let (title, location) = head(c);
                        group_of.insert(key.clone(), groups.len());
                        groups.push((
                            key,
                            Group {
                                title,
                                location,
                                fails: false,
                                items: Vec::new(),
                            },
                        ));
                        groups.len() - 1
                    }
                };
                if let Some(p) = shared {
                    group_at.insert(p, g);
                }
                g
            }
        };
        let group = &mut groups[g].1;
        group.fails |= c.fails;
        let allowed = c.allowed.as_deref();
        let item_key = (g, c.kind, c.fails, allowed, lines);
        match item_of.get_mut(&item_key) {
            Some((item, last)) => {
                // Changes come in access level order: a repeat is last
                // (a block's changes share one name: same address).
                if !(std::ptr::eq(*last, name) || *last == name) {
                    *last = name;
                    take(*item, name);
                }
            }
            None => {
                let item = item_at.len() as u32;
                item_of.insert(item_key, (item, name));
                item_at.push((g as u32, group.items.len() as u32));
                take(item, name);
                group.items.push(Item {
                    kind: c.kind,
                    fails: c.fails,
                    allowed,
                    names: Vec::new(),
                    lines: texts[lines].clone(),
                    regional: c.region.is_some(),
                    location: c.location.as_deref(),
                });
            }
        }
    }
    let ends = names_from.iter().skip(1).map(|&(_, at)| at);
    for (&(name, from), to) in names_from.iter().zip(ends.chain([named.len()])) {
        for &item in &named[from..to] {
            let (g, i) = item_at[item as usize];
            groups[g as usize].1.items[i as usize].names.push(name);
        }
    }
    groups
}

/// Whether a set has at most `n` cells, with its non-zero words put in
/// `words` when it has (counting stops past `n`: most changed regions of
/// a large diff are small, a few are huge).
fn small_words(r: &Packed, n: u64, words: &mut Vec<(u32, u64)>) -> bool {
    words.clear();
    let mut count = 0u64;
    r.nonzero_words().all(|(i, w)| {
        count += u64::from(w.count_ones());
        words.push((i, w));
        count <= n
    })
}

/// "12 changes, 3 failing: 5 new-access (3 failing), 7 removed-access".
pub fn summary_line(diff: &Diff) -> String {
    let counts = crate::diff::counts(&diff.changes);
    if counts.is_empty() {
        return "no decision changed".to_string();
    }
    let total: usize = counts.iter().map(|c| c.1).sum();
    let failing: usize = counts.iter().map(|c| c.2).sum();
    let parts: Vec<String> = counts
        .iter()
        .map(|(k, n, f)| {
            if *f > 0 {
                format!("{n} {} ({f} failing)", k.as_str())
            } else {
                format!("{n} {}", k.as_str())
            }
        })
        .collect();
    let plural = if total == 1 { "" } else { "s" };
    format!(
        "{total} change{plural}, {failing} failing: {}",
        parts.join(", ")
    )
}
