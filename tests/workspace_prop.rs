//! Property test of re-analysis after edits: random multi-file policy sets
//! (wide acyclic include graphs, and graphs with cycles) edited at random
//! through a [`Workspace`] — a block's rules or includes replaced, a block
//! removed and put back, a block moved to another file, a file broken by a
//! syntax error and mended, a comment put above a block (the blocks below
//! it move, their text does not), the rules of the last block (reached
//! through many levels) replaced — give after every edit exactly the
//! findings, summaries and dead rules of a fresh analysis of the same
//! texts, also when findings carry their whole regions. Also: the object
//! catalog (a file of its own) replaced or removed, a block renamed (its
//! includes stop resolving) and back, a file emptied (as the language
//! server does with a deleted file) and restored, a comment put at the end
//! of a block's first line or an `aclc-ignore` above it (the text changes,
//! the decisions do not), a guard replaced, moved or removed. Re-analysis takes over the findings of blocks
//! whose closure, or whose own text, did not change
//! (`aclc::analysis::incremental`): these edits are the ones that could
//! fool it.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails by panicking"
)]

use aclc::analysis::region::keep_in_chunks_from;
use aclc::analysis::semantics::{analyze_own_when_composed_from, keep_own_decisions};
use aclc::analysis::{analyze, Analysis, Options};
use aclc::source::{Origin, SourceMap};
use aclc::workspace::Workspace;
use proptest::prelude::*;

mod common;
use common::*;

/// The files a policy is spread over.
const FILES: usize = 3;

#[derive(Clone, Debug)]
enum Edit {
    /// New own permissions for a block.
    Rules(prop::sample::Index, Vec<TRule>),
    /// New includes for a block (any block: cycles may appear).
    Includes(prop::sample::Index, Vec<prop::sample::Index>),
    /// Remove a block, or put it back.
    Toggle(prop::sample::Index),
    /// Move a block to the next file (two files change).
    Move(prop::sample::Index),
    /// Break a file with a syntax error, or mend it.
    Break(prop::sample::Index),
    /// Put a comment line above a block, or take it away.
    Comment(prop::sample::Index),
    /// New own permissions for the last block (in a wide set, reached by
    /// most blocks through many levels).
    Last(Vec<TRule>),
    /// Another object catalog (one of [`CATALOGS`]; the first is none).
    Catalog(prop::sample::Index),
    /// Rename a block, or give it its name back.
    Rename(prop::sample::Index),
    /// Empty a file (a deleted file), or restore it.
    Clear(prop::sample::Index),
    /// Put a comment at the end of a block's first line, or an
    /// `aclc-ignore` above it; or take it away.
    Note(prop::sample::Index),
    /// Another guard (one of [`GUARDS`]), written above the catalog.
    Guard(prop::sample::Index),
}

/// The guards the edits switch between, written in the catalog's file
/// above the objects: none, one for every user access level, the same
/// moved down a line, and another naming a block too.
const GUARDS: [&str; 4] = [
    "",
    "guard \"g\" {\n    for user\n    deny update A.x\n}\n",
    "# the guard moves down a line\nguard \"g\" {\n    for user\n    deny update A.x\n}\n",
    "guard \"g\" {\n    for user, \"C1\"\n    allow read A*.*\n    deny all B.x\n}\n",
];

/// The object catalogs the edits switch between: none, and catalogs that
/// leave some objects and attributes of the rules unknown.
const CATALOGS: [&str; 3] = [
    "",
    "object A { x, xy }\nobject AB { y }\nobject B { x }\n",
    "object A { x }\nobject ABC { x, y }\nobject Bx { xy }\nobject B { y }\n",
];

/// The path of the catalog file.
const CATALOG: &str = "catalog.acl";

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => (any::<prop::sample::Index>(), prop::collection::vec(rule(), 0..6))
            .prop_map(|(b, r)| Edit::Rules(b, r)),
        2 => (
            any::<prop::sample::Index>(),
            prop::collection::vec(any::<prop::sample::Index>(), 0..4)
        )
            .prop_map(|(b, i)| Edit::Includes(b, i)),
        1 => any::<prop::sample::Index>().prop_map(Edit::Toggle),
        1 => any::<prop::sample::Index>().prop_map(Edit::Move),
        1 => any::<prop::sample::Index>().prop_map(Edit::Break),
        1 => any::<prop::sample::Index>().prop_map(Edit::Comment),
        1 => prop::collection::vec(rule(), 0..6).prop_map(Edit::Last),
        1 => any::<prop::sample::Index>().prop_map(Edit::Catalog),
        1 => any::<prop::sample::Index>().prop_map(Edit::Rename),
        1 => any::<prop::sample::Index>().prop_map(Edit::Clear),
        1 => any::<prop::sample::Index>().prop_map(Edit::Note),
        1 => any::<prop::sample::Index>().prop_map(Edit::Guard),
    ]
}

/// A policy spread over files, as edited so far.
struct Set {
    acls: Vec<TAcl>,
    present: Vec<bool>,
    file_of: Vec<usize>,
    broken: [bool; FILES],
    commented: Vec<bool>,
    catalog: usize,
    guard: usize,
    renamed: Vec<bool>,
    cleared: [bool; FILES],
    /// Per block: 0 nothing, 1 a comment at the end of its first line, 2
    /// an `aclc-ignore` above it.
    noted: Vec<u8>,
}

impl Set {
    fn new(acls: Vec<TAcl>) -> Set {
        let n = acls.len();
        Set {
            acls,
            present: vec![true; n],
            file_of: (0..n).map(|i| i % FILES).collect(),
            broken: [false; FILES],
            commented: vec![false; n],
            catalog: 1,
            guard: 1,
            renamed: vec![false; n],
            cleared: [false; FILES],
            noted: vec![0; n],
        }
    }

    /// The path of file `f` ([`FILES`]: the catalog).
    fn path(f: usize) -> String {
        if f == FILES {
            CATALOG.to_string()
        } else {
            format!("f{f}.acl")
        }
    }

    fn text(&self, f: usize) -> String {
        if f == FILES {
            return format!("{}{}", GUARDS[self.guard], CATALOGS[self.catalog]);
        }
        let mut s = String::new();
        if self.cleared[f] {
            return s;
        }
        for (i, a) in self.acls.iter().enumerate() {
            if self.file_of[i] != f || !self.present[i] {
                continue;
            }
            if self.commented[i] {
                s.push_str("# a comment: the blocks below move down a line\n");
            }
            if self.noted[i] == 2 {
                s.push_str("# aclc-ignore unknown-object, dead-include kept or not\n");
            }
            let participant = a.user.then_some("user");
            let mut block = String::new();
            render_block(&mut block, i, participant, false, &a.rules, &a.includes);
            let head = format!("\"C{i}\" ");
            if self.renamed[i] {
                block = block.replacen(&head, &format!("\"R{i}\" "), 1);
            }
            if self.noted[i] == 1 {
                block = block.replacen("{\n", "{ # the same block\n", 1);
            }
            s.push_str(&block);
        }
        if self.broken[f] {
            s.push_str("component \"Broken\" {\n    allow read\n");
        }
        s
    }

    /// Apply an edit; returns the files it changed.
    fn apply(&mut self, e: &Edit) -> Vec<usize> {
        let n = self.acls.len();
        match e {
            Edit::Rules(b, rules) => {
                let b = b.index(n);
                self.acls[b].rules = rules.clone();
                vec![self.file_of[b]]
            }
            Edit::Includes(b, includes) => {
                let b = b.index(n);
                self.acls[b].includes = includes.iter().map(|i| i.index(n)).collect();
                vec![self.file_of[b]]
            }
            Edit::Toggle(b) => {
                let b = b.index(n);
                self.present[b] = !self.present[b];
                vec![self.file_of[b]]
            }
            Edit::Move(b) => {
                let b = b.index(n);
                let from = self.file_of[b];
                self.file_of[b] = (from + 1) % FILES;
                vec![from, self.file_of[b]]
            }
            Edit::Break(f) => {
                let f = f.index(FILES);
                self.broken[f] = !self.broken[f];
                vec![f]
            }
            Edit::Comment(b) => {
                let b = b.index(n);
                self.commented[b] = !self.commented[b];
                vec![self.file_of[b]]
            }
            Edit::Last(rules) => {
                self.acls[n - 1].rules = rules.clone();
                vec![self.file_of[n - 1]]
            }
            Edit::Catalog(c) => {
                self.catalog = c.index(CATALOGS.len());
                vec![FILES]
            }
            Edit::Rename(b) => {
                let b = b.index(n);
                self.renamed[b] = !self.renamed[b];
                vec![self.file_of[b]]
            }
            Edit::Clear(f) => {
                let f = f.index(FILES);
                self.cleared[f] = !self.cleared[f];
                vec![f]
            }
            Edit::Note(b) => {
                let b = b.index(n);
                self.noted[b] = (self.noted[b] + 1) % 3;
                vec![self.file_of[b]]
            }
            Edit::Guard(g) => {
                self.guard = g.index(GUARDS.len());
                vec![FILES]
            }
        }
    }

    fn sources(&self) -> SourceMap {
        let mut s = SourceMap::new();
        for f in 0..=FILES {
            s.add(Set::path(f), self.text(f), Origin::User);
        }
        s
    }
}

/// What must agree: the findings, every block's decisions, and the dead
/// rules (by block name).
fn same(edited: &Analysis, fresh: &Analysis) -> Result<(), TestCaseError> {
    prop_assert_eq!(&edited.diagnostics, &fresh.diagnostics);
    let (e, f) = (&edited.semantics, &fresh.semantics);
    prop_assert_eq!(e.summaries.len(), f.summaries.len());
    for (id, (a, b)) in e.summaries.iter().zip(&f.summaries).enumerate() {
        let name = &fresh.model.acls[id].name;
        prop_assert_eq!(&edited.model.acls[id].name, name);
        prop_assert!(
            a.decided == b.decided && a.allowed == b.allowed,
            "summary of `{}` differs",
            name
        );
    }
    prop_assert_eq!(e.dead_includes.len(), f.dead_includes.len());
    prop_assert_eq!(e.contradictions.len(), f.contradictions.len());
    prop_assert_eq!(e.dead_rules.len(), f.dead_rules.len());
    Ok(())
}

fn check(acls: Vec<TAcl>, edits: &[Edit], options: &Options) -> Result<(), TestCaseError> {
    let mut set = Set::new(acls);
    let mut ws = Workspace::new(set.sources(), options.clone());
    same(&ws.analyze(), &analyze(set.sources(), options))?;
    for (i, e) in edits.iter().enumerate() {
        for f in set.apply(e) {
            ws.set_text(&Set::path(f), set.text(f));
        }
        // Summaries kept in chunks or as they are, in turn, own decisions
        // kept or not, and analyzed first or as blocks are composed: a
        // re-analysis compares and takes over what was found either way.
        keep_in_chunks_from(if i % 2 == 0 { 0 } else { usize::MAX });
        keep_own_decisions(i % 3 != 0);
        analyze_own_when_composed_from(if i % 4 < 2 { 1 } else { usize::MAX });
        let edited = ws.analyze();
        let fresh = analyze(set.sources(), options);
        same(&edited, &fresh).map_err(|err| {
            TestCaseError::fail(format!("after {e:?}: {err}\n{}", {
                (0..=FILES)
                    .map(|f| set.text(f))
                    .collect::<Vec<_>>()
                    .join("---\n")
            }))
        })?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Wide acyclic graphs (closures of most blocks), wildcard-heavy rules.
    #[test]
    fn edits_of_wide_sets_analyze_like_a_fresh_analysis(
        acls in wide_policy(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        check(acls, &edits, &Options::default())?;
    }

    /// Any include graph, cycles and self-includes included.
    #[test]
    fn edits_of_cyclic_sets_analyze_like_a_fresh_analysis(
        acls in policy(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        check(acls, &edits, &Options::default())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Wide sets again, findings carrying their whole regions.
    #[test]
    fn edits_with_full_regions_analyze_like_a_fresh_analysis(
        acls in wide_policy(),
        edits in prop::collection::vec(edit(), 1..12),
    ) {
        let options = Options {
            full_regions: true,
            ..Options::default()
        };
        check(acls, &edits, &options)?;
    }
}
